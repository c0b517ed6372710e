// Property tests of issue 14's classes, beside the project's others (property-*.test.ts):
//   outputs    any output path against any inputs: refused in one line before the run, or the
//              whole text renamed into place with nothing left over and no input touched;
//   stdout     a write to stdout or stderr failing at any byte: exit 74, never 0 or 1;
//   limits     any what-if layout: passes every limit, or is refused naming the limit, the need
//              and the flag, and the value it suggests gets past that limit;
//   profiles   any cost values: refused naming the counter, or every modelled time finite and
//              the document made with them read back and rendered in every format;
//   documents  a result document mutated any way: refused in one line when read, or every
//              renderer and compare work on it;
//   messages   any file name, key or flag value: the message is one line of bounded length.
// CI runs 60 to 500 cases per class; VFIO_PIN_BENCH_LONG=1 runs at least 10,000 per class.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { exitCodeFor } from '../src/cli/errors.ts';
import type { Io } from '../src/cli/io.ts';
import { commitOutput, checkOutputs } from '../src/cli/output.ts';
import { main } from '../src/cli/program.ts';
import { loadFixture, parseFixture } from '../src/input/fixture.ts';
import { checkLayoutLimits, DEFAULT_LIMITS, LimitError, LIMIT_ROWS, limitsOf, type Limits } from '../src/input/limits.ts';
import { parseProfile } from '../src/input/profile.ts';
import { parseRunDocument } from '../src/input/result-document.ts';
import { applyWhatIf } from '../src/input/whatif.ts';
import type { WhatIf } from '../src/input/whatif-flags.ts';
import { footprint } from '../src/kernel/footprint.ts';
import { COUNTER_NAMES, type Counters } from '../src/model/counters.ts';
import { InputError, MAX_MESSAGE, OutputError } from '../src/model/errors.ts';
import { modelledNs } from '../src/model/profile.ts';
import type { RunDocument } from '../src/model/result.ts';
import { compareDocuments } from '../src/report/compare/compare.ts';
import { renderCompare } from '../src/report/compare/format.ts';
import { FORMATS, renderFormat } from '../src/report/export/formats.ts';
import { formatJson } from '../src/report/export/json.ts';
import { LONG, SEED } from './arbitraries.ts';

/** `runs` cases in CI; at least 10,000 with VFIO_PIN_BENCH_LONG=1. */
const cases = <T>(runs: number): fc.Parameters<T> => ({ seed: SEED, numRuns: LONG ? Math.max(10_000, runs * 10) : runs, includeErrorInReport: true });

const dir = mkdtempSync(join(tmpdir(), 'vpb-prop-rel-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const BUNDLED_PROFILE = JSON.parse(readFileSync(new URL('../profiles/xeon-e5-2.6ghz.json', import.meta.url), 'utf8')) as { name: string; description: string; ns: Record<string, number> };

/** An Io that keeps what is written; out / err throw an OutputError once `outLimit` / `errLimit` bytes are exceeded. */
function memoryIo(outLimit = Infinity, errLimit = Infinity): Io & { outText: string; errText: string } {
  const io = {
    outText: '', errText: '',
    out(t: string) {
      if (io.outText.length + t.length > outLimit) throw new OutputError('stdout: cannot write: ENOSPC: no space left on device (the device is full; the output is incomplete)');
      io.outText += t;
    },
    err(t: string) {
      if (io.errText.length + t.length > errLimit) throw new OutputError('stderr: cannot write: EIO: i/o error');
      io.errText += t;
    },
    stdoutColor: false, stderrIsTTY: false, stderrColumns: 80, env: {},
  };
  return io;
}

const oneLine = (m: string, what: string): void => {
  assert.ok(!/[\r\n]/.test(m), `${what}: not one line: ${JSON.stringify(m.slice(0, 200))}`);
  assert.ok(!/\bat [\w.<>]+ \(|\[object Object\]|undefined|NaN/.test(m), `${what}: leaks internals: ${m.slice(0, 300)}`);
};

// --- a small document for the documents, profiles and stdout classes ---------------------------

let DOC_TEXT = '';
let DOC: RunDocument;
/** a timed one too: compare's simulator rows read tinybench's statistics */
let TIMED_TEXT = '';
before(async () => {
  const make = async (name: string, extra: string[]): Promise<string> => {
    const file = join(dir, name);
    const io = memoryIo();
    const code = await main(['node', 'vfio-pin-bench', 'run', 'errno-cases', '-s', 'baseline,v6.18-folio', '--output', file, ...extra], io);
    assert.equal(code, 0, io.errText);
    return readFileSync(file, 'utf8');
  };
  DOC_TEXT = await make('base.json', ['--no-timing']);
  DOC = parseRunDocument(DOC_TEXT, 'base.json');
  TIMED_TEXT = await make('timed.json', ['-t', '1', '-n', '1']);
});

/** Every renderer and compare on a document (compare both ways): none may throw or print a
 *  non-number. (The terminal compare table only with the rows that changed: cli-table3 takes
 *  ~0.1 s for every row of a verbose one, and the markdown table reads the same fields.) */
function renderEverything(doc: RunDocument, what: string): void {
  const texts: string[] = [];
  for (const f of FORMATS) texts.push(renderFormat(doc, f, { color: false, verbose: true }));
  const there = compareDocuments(doc, DOC, { base: 'a.json', current: 'b.json' });
  const back = compareDocuments(DOC, doc, { base: 'b.json', current: 'a.json' });
  texts.push(renderCompare(there, 'terminal', { color: false, verbose: false }), renderCompare(there, 'markdown', { color: false, verbose: true }),
    renderCompare(there, 'json', { color: false, verbose: true }), renderCompare(back, 'markdown', { color: false, verbose: true }));
  for (const t of texts) {
    const bad = /.{0,60}(\bNaN\b|\bInfinity\b|\bundefined\b|\[object ).{0,30}/.exec(t);
    assert.equal(bad, null, `${what}: a renderer printed a non-number: ${bad?.[0]}`);
  }
}

// --- outputs -------------------------------------------------------------------------------------

type Target = 'new' | 'existing' | 'input' | 'symlink-to-input' | 'hardlink-to-input' | 'directory' | 'no-folder' | 'device' | 'fifo' | 'dangling' | 'twice' | 'long-name' | 'odd-name';
const TARGETS: Target[] = ['new', 'existing', 'input', 'symlink-to-input', 'hardlink-to-input', 'directory', 'no-folder', 'device', 'fifo', 'dangling', 'twice', 'long-name', 'odd-name'];
const REFUSED: Record<Target, RegExp | null> = {
  new: null, existing: null, 'odd-name': null,
  input: /: refused: it is the input file /, 'symlink-to-input': /: refused: it is the input file /, 'hardlink-to-input': /: refused: it is the input file /,
  directory: /: cannot write: is a directory/, 'no-folder': /: cannot write: no folder /, device: /: cannot write: it is a character device/,
  fifo: /: cannot write: it is a FIFO/, dangling: /: cannot write: a symbolic link to nothing/, twice: /: refused: the same file as --svg /,
  'long-name': /: cannot write(?: in .*)?: ENAMETOOLONG/,
};

describe('property: outputs', () => {
  test('any output path: refused before the run in one line, or the whole text in place, nothing left over, no input touched', () => {
    let n = 0;
    const st = { refused: 0, written: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...TARGETS), fc.string({ maxLength: 3000 }), fc.integer({ min: 1, max: 4 }), fc.string({ minLength: 1, maxLength: 12 }), (kind, text, pieces, odd) => {
        const d = join(dir, `out-${n++}`);
        mkdirSync(d);
        const input = join(d, 'input.json');
        writeFileSync(input, 'the input\n');
        let p = join(d, 'result.json');
        const outputs = [{ flag: '--output', path: p }];
        switch (kind) {
          case 'existing': writeFileSync(p, 'old result\n'); break;
          case 'input': p = input; break;
          case 'symlink-to-input': symlinkSync(input, p); break;
          case 'hardlink-to-input': linkSync(input, p); break;
          case 'directory': mkdirSync(p); break;
          case 'no-folder': p = join(d, 'missing', 'result.json'); break;
          case 'device': p = '/dev/null'; break;
          case 'fifo': execFileSync('mkfifo', [p]); break;
          case 'dangling': symlinkSync(join(d, 'nowhere'), p); break;
          case 'twice': outputs.unshift({ flag: '--svg', path: p }); break;
          case 'long-name': p = join(d, 'x'.repeat(256)); break; // NAME_MAX is 255
          case 'odd-name': p = join(d, odd.replace(/[/\0]/g, '_') === '.' || odd.replace(/[/\0]/g, '_') === '..' ? 'dot' : odd.replace(/[/\0]/g, '_')); break;
        }
        outputs[outputs.length - 1]!.path = p;
        const expected = REFUSED[kind];
        let opened;
        try {
          opened = checkOutputs(outputs, [input]);
        } catch (e) {
          assert.ok(e instanceof InputError, `${kind}: threw ${String(e)}`);
          assert.ok(expected !== null, `${kind}: refused: ${e.message}`);
          assert.match(e.message, expected);
          assert.ok(e.message.startsWith('--'), e.message);
          assert.ok(!/[\r\n]/.test(e.message));
          st.refused++;
          assert.equal(readFileSync(input, 'utf8'), 'the input\n');
          assert.deepEqual(readdirSync(d).filter((f) => /\.(tmp|probe)$/.test(f)), []);
          return;
        }
        assert.equal(expected, null, `${kind}: not refused`);
        const chunks = Array.from({ length: pieces }, (_, i) => text.slice(Math.floor((i * text.length) / pieces), Math.floor(((i + 1) * text.length) / pieces)));
        for (const o of opened) commitOutput(o, chunks);
        st.written++;
        assert.equal(readFileSync(p, 'utf8'), text);
        assert.equal(readFileSync(input, 'utf8'), 'the input\n');
        assert.deepEqual(readdirSync(d).filter((f) => /\.(tmp|probe)$/.test(f)), []);
        rmSync(d, { recursive: true });
      }),
      cases(300),
    );
    assert.ok(st.refused > 0 && st.written > 0);
  });
});

// --- stdout and stderr ---------------------------------------------------------------------------

describe('property: stdout', () => {
  test('a write to stdout or stderr failing at any byte: exit 74, never 0 or 1; a complete write: the exit code of the command', async () => {
    const file = join(dir, 'stdout-doc.json');
    writeFileSync(file, DOC_TEXT);
    const commands = [['list'], ['list', '--counters'], ['show', 'errno-cases'], ['export', file, '--format', 'csv'], ['export', file, '--format', 'markdown'],
      ['compare', file, file], ['validate', 'small-mixed', 'errno-cases'], ['validate', join(dir, 'missing.json')], ['run', '--bar', '-1G']];
    // what each prints when nothing fails
    const whole = await Promise.all(commands.map(async (args) => {
      const io = memoryIo();
      const code = await main(['node', 'vfio-pin-bench', ...args], io);
      return { code, out: io.outText.length, err: io.errText.length };
    }));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: commands.length - 1 }), fc.double({ min: 0, max: 1.2, noNaN: true }), fc.boolean(), async (i, at, onStderr) => {
        const w = whole[i]!;
        const limit = Math.floor(at * (onStderr ? w.err : w.out));
        const io = onStderr ? memoryIo(Infinity, limit) : memoryIo(limit, Infinity);
        const code = await main(['node', 'vfio-pin-bench', ...commands[i]!], io);
        const fails = onStderr ? limit < w.err : limit < w.out;
        if (fails) assert.equal(code, 74, `${commands[i]!.join(' ')}: ${onStderr ? 'stderr' : 'stdout'} full after ${limit} bytes: exit ${code}`);
        else assert.equal(code, w.code);
      }),
      cases(200),
    );
  });
});

// --- limits --------------------------------------------------------------------------------------

const SIZES = ['4K', '64K', '2M', '1G', '16G', '1T', '4T', '16T', '1P', '16P'];
const whatIfArb: fc.Arbitrary<WhatIf> = fc.record({
  bar: fc.option(fc.array(fc.tuple(fc.constantFrom(...SIZES), fc.constantFrom('', '@4K', '@2M', '@1G')).map(([s, a]) => `${s}${a}`), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  ram: fc.option(fc.constantFrom('4K', '2M', '1G', '16G', '431G', '1T', '14T'), { nil: undefined }),
  backing: fc.option(fc.constantFrom('4k', 'thp', 'hugetlb-2m', 'hugetlb-1g'), { nil: undefined }),
  placement: fc.option(fc.constantFrom('contiguous', 'scattered', 'runs:4K', 'runs:2M', 'runs:1G', 'geometric:124K', 'geometric:64M'), { nil: undefined }),
}, { requiredKeys: [] });

const limitsArb: fc.Arbitrary<Limits> = fc.record(Object.fromEntries(LIMIT_ROWS.map((r) => [r.key, fc.oneof(
  fc.constant(r.default), fc.integer({ min: 1, max: 2 ** 31 }), fc.constant(r.ceiling),
)])) as Record<keyof Limits, fc.Arbitrary<number>>);

describe('property: limits', () => {
  test('any what-if layout and limits: within every limit, or refused naming one, its need and a flag value that gets past it', () => {
    const st = { passed: 0, refused: new Map<string, number>(), invalid: 0 };
    fc.assert(
      fc.property(whatIfArb, limitsArb, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), (w, limits, strategies, kernels) => {
        let layout;
        try {
          layout = applyWhatIf(null, w);
        } catch (e) {
          assert.ok(e instanceof InputError, String(e));
          st.invalid++;
          return;
        }
        const opts = { kernels, strategies };
        const f = footprint(layout, opts);
        try {
          checkLayoutLimits(layout, limits, 'where', opts);
        } catch (e) {
          assert.ok(e instanceof LimitError, `not a LimitError: ${String(e)}`);
          oneLine(e.message, 'limit');
          const row = LIMIT_ROWS.find((r) => r.key === e.key)!;
          assert.ok(e.message.startsWith(`where: ${row.what}: `), e.message);
          const m = new RegExp(`; ${row.flag} (\\d+)(G?) raises it \\(docs/reliability\\.md\\)$`).exec(e.message);
          assert.ok(m !== null, `no ${row.flag} value in: ${e.message}`);
          const suggested = Number(m[1]) * (m[2] === 'G' ? 2 ** 30 : 1);
          assert.ok(e.need > limits[e.key] && suggested >= e.need, `${row.flag} ${suggested} for a need of ${e.need}`);
          // the figure refused is the figure the footprint gives
          const need = { pages: f.pages, runs: f.runs, memory: f.memoryBytes, requests: f.requests, vmas: f.vmas, points: 0 }[e.key];
          assert.equal(e.need, need);
          // raised as told, that limit passes (another may then speak)
          try {
            checkLayoutLimits(layout, { ...limits, [e.key]: suggested }, 'where', opts);
          } catch (again) {
            assert.ok(again instanceof LimitError && again.key !== e.key, `still ${e.key} after ${row.flag} ${suggested}`);
          }
          st.refused.set(e.key, (st.refused.get(e.key) ?? 0) + 1);
          return;
        }
        st.passed++;
        assert.ok(f.pages <= limits.pages && f.runs <= limits.runs && f.memoryBytes <= limits.memory && f.requests <= limits.requests && f.vmas <= limits.vmas);
        // more room never refuses what passed
        checkLayoutLimits(layout, limitsOf(Object.fromEntries(LIMIT_ROWS.map((r) => [r.key, Math.min(r.ceiling, limits[r.key] * 2)]))), 'where', opts);
      }),
      cases(500),
    );
    assert.ok(st.passed > 0 && (st.refused.get('pages') ?? 0) > 0 && (st.refused.get('memory') ?? 0) + (st.refused.get('runs') ?? 0) > 0,
      `coverage: ${st.passed} passed, refused ${JSON.stringify([...st.refused])}`);
  });
  test('the defaults refuse every layout the issue found crashing or running for ever', () => {
    for (const w of [{ ram: '14T', backing: '4k' }, { ram: '431G', backing: '4k', placement: 'runs:4K' }, { bar: ['1P'] }, { ram: '350G', backing: '4k', placement: 'runs:4K' }]) {
      assert.throws(() => checkLayoutLimits(applyWhatIf(null, w), DEFAULT_LIMITS, 'where', { kernels: 1, strategies: 8 }), LimitError, JSON.stringify(w));
    }
  });
});

// --- profiles ------------------------------------------------------------------------------------

const costArb: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.double({ min: 0, max: 1e9, noNaN: true }), weight: 8 },
  { arbitrary: fc.constantFrom(0, -0, 1e9, 1e9 + 1, 1e308, -1, Number.MAX_SAFE_INTEGER, 5e-324), weight: 2 },
  { arbitrary: fc.constantFrom('27', null, true, [], {}), weight: 1 },
);

describe('property: profiles', () => {
  test('any costs: refused naming the counter, or finite modelled times in a document that reads back and renders everywhere', () => {
    const st = { refused: 0, accepted: 0 };
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...COUNTER_NAMES), costArb, { maxKeys: 6 }), fc.double({ min: 0, max: 2 ** 52, noNaN: true }), (changes, scale) => {
        const json = { ...BUNDLED_PROFILE, ns: { ...BUNDLED_PROFILE.ns, ...changes } };
        let p;
        try {
          p = parseProfile(JSON.parse(JSON.stringify(json)) as unknown, 'p.json');
        } catch (e) {
          assert.ok(e instanceof InputError, String(e));
          assert.match(e.message, /^p\.json: ns\.[a-z_]+: expected a number of ns from 0 to 1000000000 /);
          oneLine(e.message, 'profile');
          st.refused++;
          return;
        }
        st.accepted++;
        const doc = structuredClone(DOC);
        for (const s of doc.fixtures.flatMap((x) => x.strategies)) {
          // counts up to 2^52 per counter: the most any layout within the limits could reach
          const grow = (c: Record<string, number>): Counters => Object.fromEntries(COUNTER_NAMES.map((k) => [k, Math.floor((c[k] ?? 0) + scale)])) as Counters;
          s.counters = { map: grow(s.counters.map), unmap: grow(s.counters.unmap) };
          s.modelled = { profile: p.name, mapNs: modelledNs(p, s.counters.map), unmapNs: modelledNs(p, s.counters.unmap) };
          assert.ok(Number.isFinite(s.modelled.mapNs) && Number.isFinite(s.modelled.unmapNs) && s.modelled.mapNs >= 0, `modelled ${s.modelled.mapNs}`);
        }
        const back = parseRunDocument(formatJson(doc), 'written.json');
        renderEverything(back, 'profile');
      }),
      cases(60),
    );
    assert.ok(st.refused > 0 && st.accepted > 0);
  });
});

// --- documents -----------------------------------------------------------------------------------

type Key = string | number;
function nodes(doc: unknown, path: Key[] = []): Key[][] {
  const out: Key[][] = [];
  if (Array.isArray(doc)) doc.forEach((v, i) => out.push([...path, i], ...nodes(v, [...path, i])));
  else if (doc !== null && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) out.push([...path, k], ...nodes(v, [...path, k]));
  return out;
}
const VALUES: unknown[] = [null, 0, -1, 0.5, 1e308, 2 ** 53, 'x', '', 'toString', [], {}, true, -0];
const mutationArb = fc.record({ node: fc.nat(), how: fc.integer({ min: 0, max: 4 }), value: fc.constantFrom(...VALUES), key: fc.constantFrom('toString', 'constructor', '__proto__', 'extra', '4096') });

describe('property: documents', () => {
  test('a result document mutated any way: refused in one line naming the file, or every renderer and compare work', () => {
    const texts = [DOC_TEXT, TIMED_TEXT];
    const paths = texts.map((t) => nodes(JSON.parse(t)));
    const st = { refused: 0, accepted: 0 };
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 3 }), fc.boolean(), (ms, timed) => {
        const d = JSON.parse(texts[timed ? 1 : 0]!) as Record<Key, unknown>;
        for (const m of ms) {
          const all = paths[timed ? 1 : 0]!;
          const path = all[m.node % all.length]!;
          const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<Key, unknown> | undefined)?.[k], d) as Record<Key, unknown> | unknown[] | undefined;
          if (parent === null || typeof parent !== 'object') continue;
          const k = path[path.length - 1]!;
          if (m.how === 0) {
            if (Array.isArray(parent)) parent.splice(k as number, 1);
            else delete parent[k];
          } else if (m.how === 1) (parent as Record<Key, unknown>)[k] = m.value;
          else if (m.how === 2 && Array.isArray(parent)) parent.push(structuredClone(parent[k as number]));
          else if (m.how === 3 && !Array.isArray(parent)) Object.defineProperty(parent, m.key, { value: structuredClone(parent[k]), enumerable: true, configurable: true, writable: true });
          else if (m.how === 4 && Array.isArray(parent)) parent.reverse();
        }
        let doc;
        try {
          doc = parseRunDocument(JSON.stringify(d), 'doc.json');
        } catch (e) {
          assert.ok(e instanceof InputError, `read: threw ${(e as Error)?.stack ?? String(e)}`);
          assert.ok(e.message.startsWith('doc.json: '), e.message);
          oneLine(e.message, 'read');
          st.refused++;
          return;
        }
        st.accepted++;
        renderEverything(doc, 'document');
      }),
      cases(100),
    );
    assert.ok(st.refused > 0 && st.accepted > 0, `coverage: ${JSON.stringify(st)}`);
  });
});

// --- messages ------------------------------------------------------------------------------------

describe('property: messages', () => {
  const anyText = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ minLength: 2000, maxLength: 6000 }));
  test('any file name, key or value: one line of at most MAX_MESSAGE characters once printed', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: 3 }), (text, where) => {
        let err: unknown;
        try {
          if (where === 0) loadFixture(join(dir, 'absent', `${text.replace(/\0/g, '')}.json`));
          else if (where === 1) parseFixture({ version: 1, name: 'x', description: 'y', [text]: 1 }, 'f.json');
          else if (where === 2) parseProfile({ ...BUNDLED_PROFILE, name: text.length > 0 ? text : 'x', ns: { ...BUNDLED_PROFILE.ns, [text]: 1 } }, 'p.json');
          else checkOutputs([{ flag: '--output', path: join(dir, 'absent', text.replace(/\0/g, '')) }], []);
        } catch (e) {
          err = e;
        }
        if (err === undefined) return; // e.g. a key that is one of the known ones
        assert.ok(err instanceof InputError, String(err));
        const io = memoryIo();
        assert.equal(exitCodeFor(err, io), 2);
        assert.equal(io.errText.split('\n').length, 2, `not one line: ${JSON.stringify(io.errText.slice(0, 200))}`);
        assert.ok(io.errText.length <= MAX_MESSAGE + 1, `${io.errText.length} characters`);
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(io.errText.slice(0, -1), /[\u0000-\u001f\u007f]/);
      }),
      cases(500),
    );
  });
});
