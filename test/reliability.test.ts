// Issue 14's remaining reproducers, each a test: result documents from other versions or edited
// by hand (refused in one line, never a crash in a renderer), counters named like Object's own
// properties, documents too large to read back (refused before the run), profiles that would
// make results infinite, every format round-tripped through export and compare, special files
// as inputs, and messages that stay one short line. Outputs and stdout: output.test.ts; limits:
// limits.test.ts.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { main } from '../src/cli/program.ts';
import { loadProfile } from '../src/input/profile.ts';
import { parseRunDocument } from '../src/input/result-document.ts';
import { compareDocuments } from '../src/report/compare/compare.ts';
import { COMPARE_FORMATS, renderCompare } from '../src/report/compare/format.ts';
import { FORMATS, renderFormat } from '../src/report/export/formats.ts';
import { formatJson } from '../src/report/export/json.ts';
import type { RunDocument } from '../src/model/result.ts';

const dir = mkdtempSync(join(tmpdir(), 'vpb-reliability-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string): string => join(dir, name);
const BUNDLED_PROFILE = new URL('../profiles/xeon-e5-2.6ghz.json', import.meta.url).pathname;

/** The CLI in this process: exit code, stdout and stderr. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s), stdoutColor: false, stderrIsTTY: false, stderrColumns: 80, env: {} };
  return { code: await main(['node', 'vfio-pin-bench', ...args], io), out, err };
}

/** Exit 2 and exactly one line on stderr, matching `message`. */
async function refusedLine(args: string[], message: RegExp): Promise<string> {
  const r = await cli(args);
  assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}: ${r.err}`);
  assert.equal(r.err.split('\n').length, 2, `${args.join(' ')}: not one line: ${JSON.stringify(r.err)}`);
  assert.match(r.err, message);
  assert.doesNotMatch(r.err, /\bat .*\(|internal error/);
  return r.err;
}

const profile = (name: string, ns: (base: number) => number): string => {
  const p = JSON.parse(readFileSync(BUNDLED_PROFILE, 'utf8')) as { name: string; ns: Record<string, number> };
  p.name = name;
  for (const k of Object.keys(p.ns)) p.ns[k] = ns(p.ns[k]!);
  const file = path(`${name}.json`);
  writeFileSync(file, JSON.stringify(p));
  return file;
};

describe('result documents: what the renderers read is checked when the document is read', () => {
  let doc = '';
  test('setup: a document of two strategies', async () => {
    doc = path('doc.json');
    const r = await cli(['run', 'small-mixed', '--no-timing', '-s', 'baseline,rfc', '--output', doc]);
    assert.equal(r.code, 0, r.err);
  });
  const edited = (name: string, edit: (d: RunDocument) => void): string => {
    const d = JSON.parse(readFileSync(doc, 'utf8')) as RunDocument;
    edit(d);
    const file = path(name);
    writeFileSync(file, JSON.stringify(d));
    return file;
  };
  test('`export x.json --format terminal` with one entry removed from a strategy\'s requests (was: internal error, exit 70)', async () => {
    const file = edited('dropped.json', (d) => void d.fixtures[0]!.strategies[1]!.requests.splice(3, 1));
    for (const format of ['terminal', 'markdown', 'csv']) {
      await refusedLine(['export', file, '--format', format],
        /^.*dropped\.json: fixtures\[0\]\.strategies\[1\]\.requests: expected 8 requests, as strategies\[0\] \("baseline"\) has: every strategy answers the same requests, got 7\n$/);
    }
    await refusedLine(['compare', file, doc], /dropped\.json: fixtures\[0\]\.strategies\[1\]\.requests: expected 8 requests/);
  });
  test('requests out of order, an op that differs, IOMMU PTE counts keyed by something else', async () => {
    await refusedLine(['export', edited('order.json', (d) => void (d.fixtures[0]!.strategies[0]!.requests[2]!.index = 5)), '--format', 'terminal'],
      /order\.json: fixtures\[0\]\.strategies\[0\]\.requests\[2\]\.index: expected 2 \(requests are numbered in order\), got 5\n$/);
    await refusedLine(['export', edited('op.json', (d) => void (d.fixtures[0]!.strategies[1]!.requests[0]!.op = 'unmap')), '--format', 'terminal'],
      /op\.json: fixtures\[0\]\.strategies\[1\]\.requests\[0\]\.op: expected "map", as strategies\[0\] has/);
    await refusedLine(['export', edited('ptes.json', (d) => void (d.fixtures[0]!.strategies[0]!.iommuPtes = { toString: 3 })), '--format', 'terminal'],
      /ptes\.json: fixtures\[0\]\.strategies\[0\]\.iommuPtes: expected page sizes in bytes as keys \(a power of two of at least 4096\), got "toString"\n$/);
    // a time no profile can give (10^9 ns per event, counts below 2^53): compare would print "Infinity%"
    await refusedLine(['compare', edited('time.json', (d) => void (d.fixtures[0]!.strategies[1]!.modelled.mapNs = 1e308)), doc],
      /time\.json: fixtures\[0\]\.strategies\[1\]\.modelled\.mapNs: expected at most 1e\+30 ns, got 1e\+308\n$/);
  });
  test('counters named "toString" and "constructor" are compared by own keys: new counters, not inherited functions', async () => {
    const file = edited('proto.json', (d) => {
      const c = d.fixtures[0]!.strategies[0]!.counters.map as unknown as Record<string, unknown>;
      c['toString'] = 5;
      c['constructor'] = 7;
    });
    const base = parseRunDocument(readFileSync(doc, 'utf8'), 'base.json');
    const cur = parseRunDocument(readFileSync(file, 'utf8'), 'cur.json');
    const rows = compareDocuments(base, cur, { base: 'base.json', current: 'cur.json' }).rows.filter((r) => r.metric === 'toString' || r.metric === 'constructor');
    assert.deepEqual(rows.map((r) => [r.metric, r.base, r.current, r.status, r.note]), [['toString', null, 5, 'changed', 'new counter'], ['constructor', null, 7, 'changed', 'new counter']]);
    const back = compareDocuments(cur, base, { base: 'cur.json', current: 'base.json' }).rows.filter((r) => r.metric === 'toString');
    assert.deepEqual(back.map((r) => [r.base, r.current, r.note]), [[5, null, 'counter dropped']]);
    const r = await cli(['compare', doc, file, '--format', 'json']);
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.out, /function|NaN/);
  });
  test('a document too large to read back is refused before the run (was: `Invalid string length`, exit 70)', async () => {
    // 250,000 unmap requests: over --max-requests; raised, the document (250,000 requests x 8
    // strategies x ~200 bytes, estimated at 400) would exceed the 256 MiB compare and export read
    const fx = path('unmaps.json');
    const requests = Array.from({ length: 250_000 }, () => ({ op: 'unmap', iova: 0, size: 4096 }));
    writeFileSync(fx, JSON.stringify({ version: 1, name: 'unmaps', description: 'many unmaps', requests }));
    await refusedLine(['run', fx, '--no-timing', '--format', 'json'], /unmaps\.json: DMA requests: the layout has 250,000, over the limit of 65,536; --max-requests 250000 raises it/);
    await refusedLine(['run', fx, '--no-timing', '--format', 'json', '--max-requests', '250000'],
      /^--format json: the result document would be about [0-9.]+ MiB \(250,000 DMA requests x \d+ strategies\), over the 256 MiB that compare and export read; run fewer strategies \(-s\) or requests\n$/);
    await refusedLine(['run', fx, '--no-timing', '--output', path('big.json'), '--max-requests', '250000'], /^--output .*big\.json: the result document would be about/);
  });
});

describe('profiles and the documents made with them: always finite, always readable back', () => {
  test('a profile with every cost 1e308 is refused (was: "Infinity s", "NaNx", "mapNs": null)', async () => {
    await refusedLine(['run', 'small-mixed', '--no-timing', '--profile', profile('huge', () => 1e308)],
      /huge\.json: ns\.vfio_ioctls: expected a number of ns from 0 to 1000000000 \(one second; every counter must be priced, 0 allowed\), got 1e\+308\n$/);
  });
  for (const [name, ns] of [['bundled', (n: number) => n], ['zero', () => 0], ['dearest', () => 1e9]] as const) {
    test(`every format through export and compare, profile ${name}: nothing the tool writes is refused when read`, async () => {
      const doc = path(`rt-${name}.json`);
      const r = await cli(['run', 'small-mixed', 'errno-cases', '--no-timing', '-s', 'baseline,rfc,v6.18-folio', '--profile', profile(name, ns), '--output', doc]);
      assert.equal(r.code, 0, r.err);
      const text = readFileSync(doc, 'utf8');
      const d = parseRunDocument(text, doc);
      assert.equal(formatJson(d), text, 'json: the document unchanged');
      for (const s of d.fixtures.flatMap((f) => f.strategies)) {
        assert.ok(Number.isFinite(s.modelled.mapNs) && Number.isFinite(s.modelled.unmapNs), `${s.strategy}: modelled ${s.modelled.mapNs} / ${s.modelled.unmapNs}`);
      }
      for (const format of FORMATS) {
        const e = await cli(['export', doc, '--format', format]);
        assert.equal(e.code, 0, `${format}: ${e.err}`);
        // export's terminal summary names the costliest counters of the run's profile (issue 13)
        assert.equal(e.out, renderFormat(d, format, { color: false, verbose: false, ...(format === 'terminal' ? { profile: loadProfile(d.options.profile) } : {}) }));
        assert.doesNotMatch(e.out, /\bNaN|Infinity|undefined|\[object /, `${format} prints a non-number`);
        if (format === 'json' || format === 'bencher' || format === 'github-action-benchmark') {
          const values: unknown[] = [];
          JSON.parse(e.out, (k, v: unknown) => {
            if (k === 'value' || k === 'lower_value' || k === 'upper_value') values.push(v);
            return v;
          });
          assert.ok(values.every((v) => typeof v === 'number' && Number.isFinite(v)), `${format}: a value that is not a finite number`);
        }
        if (format === 'json') assert.doesNotThrow(() => parseRunDocument(e.out, 'exported.json'));
      }
      for (const format of COMPARE_FORMATS) {
        const c = await cli(['compare', doc, doc, '--format', format]);
        assert.equal(c.code, 0, `compare --format ${format}: ${c.err}`);
        assert.doesNotMatch(c.out, /\bNaN|Infinity|undefined/);
        if (format === 'json') assert.equal((JSON.parse(c.out) as { regressions: number }).regressions, 0);
      }
      assert.equal(renderCompare(compareDocuments(d, d, { base: 'a', current: 'b' }), 'terminal', { color: false, verbose: true }).includes('REGRESSION'), false);
    });
  }
});

describe('inputs that are not files: refused at once', () => {
  test('`compare /dev/zero base.json`, `export /dev/urandom`, `--profile /dev/zero`, a FIFO with no writer', async () => {
    const fifo = path('fifo.json');
    execFileSync('mkfifo', [fifo]);
    const t0 = performance.now();
    await refusedLine(['compare', '/dev/zero', '/dev/zero'], /^\/dev\/zero: not a regular file but a character device: refused unread/);
    await refusedLine(['export', '/dev/urandom', '--format', 'csv'], /^\/dev\/urandom: not a regular file but a character device: refused unread/);
    await refusedLine(['run', '--profile', '/dev/zero', '--no-timing'], /^--profile \/dev\/zero: not a regular file but a character device: refused unread/);
    await refusedLine(['run', fifo, '--no-timing'], /fifo\.json: not a regular file but a FIFO \(named pipe\): refused unread/);
    await refusedLine(['compare', fifo, fifo], /fifo\.json: not a regular file but a FIFO/);
    await refusedLine(['run', '--profile', fifo], /^--profile .*fifo\.json: not a regular file but a FIFO/);
    assert.ok(performance.now() - t0 < 10_000, 'nothing blocked');
  });
});

describe('messages: one line, short, whatever the input', () => {
  test('a missing path with a newline in it (was: a two-line message)', async () => {
    const err = await refusedLine(['validate', `${dir}/no\nsuch.json`], /no\\nsuch\.json: cannot read: ENOENT: no such file or directory\n$/);
    assert.ok(err.includes(`${dir}/no\\nsuch.json`));
    await refusedLine(['run', '--output', `${dir}/x\ny/out.json`, '--no-timing', '-s', 'baseline'], /^--output .*x\\ny\/out\.json: cannot write: no folder .*x\\ny\n$/);
  });
  test('a 5 MB unknown key is clipped (was: echoed whole)', async () => {
    const key = 'k'.repeat(5_000_000);
    const fx = path('key.json');
    writeFileSync(fx, JSON.stringify({ version: 1, name: 'key', description: 'a long key', [key]: 1 }));
    const err = await refusedLine(['validate', fx], /key\.json: unknown key "k{50,60}\.\.\." \(allowed: \$schema, version, name/);
    assert.ok(err.length < 400, `${err.length} characters`);
    // profiles are capped at 1 MiB: a key of half a million characters
    const p = path('key-profile.json');
    writeFileSync(p, JSON.stringify({ name: 'p', description: '', ns: { ['k'.repeat(500_000)]: 1 } }));
    assert.ok((await refusedLine(['run', '--profile', p], /key-profile\.json: ns\.k{42} \.\.\. k{13}: unknown counter/)).length < 2000);
  });
  test('validate: 20,000 VMAs where the last does not fit: the message names it (linear, see bench)', async () => {
    const n = 20_000;
    const fx = path('many.json');
    writeFileSync(fx, JSON.stringify({
      version: 1, name: 'many', description: 'many VMAs', ram: [{ name: 'r', base: '4G', size: String(4096 * (n - 1)) }],
      vmas: Array.from({ length: n }, (_, i) => ({ name: `v${i}`, size: '4K', backing: { kind: 'anon' } })),
      requests: Array.from({ length: n }, (_, i) => ({ op: 'map', vaddr: { vma: `v${i}` }, iova: String(i * 4096), size: 'whole' })),
    }));
    // 20,000 VMAs of 4 KiB need 20,000 pages; the range holds 19,999: the last one is the first that does not fit
    await refusedLine(['validate', fx], /many\.json: vmas\[19999\]: VMA "v19999" does not fit in RAM: the RAM-backed VMAs up to it need 78\.13 MiB in folio-aligned regions, the RAM ranges hold 78\.12 MiB/);
  });
});
