// sweep --shard i/n and merge (issue 16, part 2): the split of (point, strategy) units by
// simulated pages (exact, derived by hand), the partial documents, a merge equal to the
// unsharded sweep but for the environment and the simulator's timing, and every refusal.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InputError } from '../src/model/errors.ts';
import type { SweepDocument } from '../src/model/result.ts';
import { planSweep } from '../src/input/sweep-plan.ts';
import { layoutPages, parseShard, partitionUnits, unitPages, workUnits } from '../src/input/sweep-shard.ts';
import { checkSchema } from '../src/input/result-document.ts';
import { SWEEP_SCHEMA } from '../src/input/sweep-document.ts';
import { runSweep } from '../src/run/sweep-pool.ts';
import { runPoint } from '../src/run/sweep-point.ts';
import { workPerPage } from '../src/run/sweep-shard.ts';
import { loadProfile } from '../src/input/profile.ts';
import { DEFAULT_STRATEGIES, selectStrategies, STRATEGIES } from '../src/strategies/registry.ts';
import { inproc } from './bin.ts';

const dir = mkdtempSync(join(tmpdir(), 'vpb-shard-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string): string => join(dir, name);
const read = (name: string): SweepDocument => JSON.parse(readFileSync(at(name), 'utf8')) as SweepDocument;
const write = (name: string, doc: unknown): string => (writeFileSync(at(name), JSON.stringify(doc)), at(name));

/** The whole document without exactly the fields a merge may change: env, and each record's timing. */
function withoutEnvAndTiming(doc: SweepDocument): unknown {
  const { env: _env, ...rest } = structuredClone(doc);
  for (const p of rest.points) for (const r of p.records) delete r.timing;
  return rest;
}

async function ok(args: string[]): Promise<string> {
  const r = await inproc(args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** merge fails with exit 2 and one line matching `message`. */
async function refused(files: string[], message: RegExp): Promise<void> {
  const r = await inproc(['merge', ...files, '--format', 'json']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr.trimEnd(), message);
}

describe('--shard i/n and the split', () => {
  test('--shard parses i/n from 1 and refuses the rest', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    assert.deepEqual(parseShard('1/1'), { index: 1, count: 1 });
    for (const [text, msg] of [['0/4', /i must be from 1 to 4/], ['5/4', /i must be from 1 to 4/], ['1/0', /n must be from 1 to 256/],
      ['1/257', /n must be from 1 to 256/], ['3', /expected <i>\/<n>/], ['a/b', /expected <i>\/<n>/], ['-1/2', /expected <i>\/<n>/]] as const) {
      assert.throws(() => parseShard(text), (e: unknown) => e instanceof InputError && msg.test(e.message), text);
    }
  });

  test('the split of --bar 16M..128M, 3 strategies, into 2: greedy largest-first by simulated pages, exact', () => {
    const plan = planSweep({ bar: ['16M..128M'] });
    // one map request per point, so a unit's pages are size / 4 KiB + 1 request:
    // 16M: 4096 + 1 = 4097, 32M: 8193, 64M: 16385, 128M: 32769
    assert.deepEqual(plan.points.map((p) => layoutPages(p.layout)), [4097, 8193, 16385, 32769]);
    const units = workUnits(plan, 3);
    assert.equal(unitPages(units), 3 * (4097 + 8193 + 16385 + 32769)); // 184332
    // LPT, A and B the two shards, ties to A:
    //   128M.0 -> A 32769;  128M.1 -> B 32769;  128M.2 -> A 65538;  64M.0 -> B 49154;
    //   64M.1 -> B 65539;   64M.2 -> A 81923;   32M.0 -> B 73732;   32M.1 -> B 81925;
    //   32M.2 -> A 90116;   16M.0 -> B 86022;   16M.1 -> B 90119;   16M.2 -> A 94213
    const [a, b] = partitionUnits(units, 2);
    const ids = (us: typeof units): string[] => us.map((u) => `${u.point}.${u.strategy}`);
    assert.deepEqual(ids(a!), ['0.2', '1.2', '2.2', '3.0', '3.2']);
    assert.deepEqual(ids(b!), ['0.0', '0.1', '1.0', '1.1', '2.0', '2.1', '3.1']);
    assert.deepEqual([unitPages(a!), unitPages(b!)], [94213, 90119]); // within 2.3% of the mean 92166
    // into 3: every strategy's four units to one shard, 61444 pages each, a perfect split
    assert.deepEqual(partitionUnits(units, 3).map(unitPages), [61444, 61444, 61444]);
  });

  test('weights: pages times each strategy\'s counter events per page on the smallest point, when that is cheap', async () => {
    const cfg = { strategies: selectStrategies(['baseline', 'rfc', 'v6.18-folio'], undefined), profile: loadProfile('xeon-e5-2.6ghz') };
    // --bar 1M..256M: 9 points of 257, 513, ... 65537 pages (2^k + 1), 130,825 in all; the probe (257 pages) runs
    // when pages x shards <= all / 32: 257 x 4 = 1028 <= 4088
    const plan = planSweep({ bar: ['1M..256M'] });
    const perPage = await workPerPage(plan, cfg, 4);
    const records = await runPoint(plan.points[0]!.layout, cfg);
    const events = (c: Record<string, number>): number => Object.values(c).reduce((a, b) => a + b, 0);
    assert.deepEqual(perPage, records.map((r) => (events(r.counters.map) + events(r.counters.unmap)) / 257));
    // baseline walks every page on map (vaddr_get_pfn per page); rfc maps the BAR per IOMMU PTE
    assert.ok(perPage![0]! > perPage![1]!, `baseline ${perPage![0]} against rfc ${perPage![1]}`);
    const units = workUnits(plan, 3, perPage);
    assert.equal(units[3 * 8]!.weight, 65537 * perPage![0]!);
    // --bar 16M..256M into 2: 4097 x 2 = 8194 > 126981 / 32 = 3968: pages alone
    assert.equal(await workPerPage(planSweep({ bar: ['16M..256M'] }), cfg, 2), undefined);
    // a hand-made split by weight: [10, 1] per page on 1 and 4 pages: units 40, 10, 4, 1 -> A 40; B 10, 4, 1
    const tiny = [{ point: 0, strategy: 0, pages: 1, weight: 10 }, { point: 0, strategy: 1, pages: 1, weight: 1 },
      { point: 1, strategy: 0, pages: 4, weight: 40 }, { point: 1, strategy: 1, pages: 4, weight: 4 }];
    assert.deepEqual(partitionUnits(tiny, 2).map((p) => p.map((u) => u.weight)), [[40], [10, 1, 4]]);
  });

  test('every unit in exactly one shard, whatever n (more shards than units: some empty)', () => {
    const plan = planSweep({ bar: ['256M..64G'] });
    const units = workUnits(plan, STRATEGIES.length);
    for (const n of [1, 2, 3, 4, 7, 64, 256]) {
      const parts = partitionUnits(units, n);
      assert.equal(parts.length, n);
      const all = parts.flat().map((u) => `${u.point}.${u.strategy}`).sort();
      assert.deepEqual(all, units.map((u) => `${u.point}.${u.strategy}`).sort(), `n=${n}`);
      assert.deepEqual(partitionUnits(units, n), parts, 'deterministic');
    }
  });

  test('a shard\'s units run in threads as inline (records land by point and strategy)', async () => {
    const plan = planSweep({ bar: ['16M..64M'] });
    const cfg = { strategies: STRATEGIES, profile: loadProfile('xeon-e5-2.6ghz') };
    const units = partitionUnits(workUnits(plan, STRATEGIES.length), 2)[1]!;
    const inline = await runSweep(plan, cfg, { workers: 1, units });
    const threaded = await runSweep(plan, cfg, { workers: 2, units });
    assert.deepEqual(threaded, inline);
    assert.equal(inline.flatMap((p) => p.records).length, units.length);
  });
});

describe('sweep --shard + merge', () => {
  const SWEEP = ['sweep', '--bar', '16M..256M', '--workers', '1', '-q'];
  let whole: SweepDocument;
  before(async () => {
    whole = JSON.parse(await ok([...SWEEP, '--json'])) as SweepDocument;
    for (const n of [1, 2, 3]) for (let i = 1; i <= n; i++) await ok([...SWEEP, '--shard', `${i}/${n}`, '-o', at(`s${i}of${n}.json`)]);
    await ok([...SWEEP, '--shard', '1/2', '--json', '-s', 'baseline,rfc', '-o', at('other-strategies.json')]);
  });

  test('merged = unsharded but for env, for n = 1, 2, 3 and files in any order', async () => {
    for (const files of [['s1of1'], ['s2of2', 's1of2'], ['s3of3', 's1of3', 's2of3']]) {
      const out = at(`merged-${files.length}.json`);
      await ok(['merge', ...files.map((f) => at(`${f}.json`)), '-o', out, '--format', 'markdown']);
      const merged = JSON.parse(readFileSync(out, 'utf8')) as SweepDocument;
      assert.deepEqual(withoutEnvAndTiming(merged), withoutEnvAndTiming(whole), files.join(' '));
      assert.equal(merged.shard, undefined);
      assert.equal(checkSchema(merged, SWEEP_SCHEMA), null);
    }
  });

  test('partial documents pass the schema strictly and say what they hold', () => {
    const [s1, s2] = [read('s1of2.json'), read('s2of2.json')];
    for (const s of [s1, s2]) assert.equal(checkSchema(s, SWEEP_SCHEMA), null);
    assert.equal(s1.shard!.plan, s2.shard!.plan);
    assert.match(s1.shard!.plan, /^sha256:[0-9a-f]{64}$/);
    // 16M..256M: 4097 + 8193 + 16385 + 32769 + 65537 = 126981 pages per strategy
    assert.equal(s1.shard!.planPages, 126981 * DEFAULT_STRATEGIES.length);
    assert.equal(s1.shard!.pages + s2.shard!.pages, s1.shard!.planPages);
    assert.equal(s1.shard!.planPoints, 5);
    assert.equal(s1.points.flatMap((p) => p.records).length + s2.points.flatMap((p) => p.records).length, 5 * DEFAULT_STRATEGIES.length);
    assert.deepEqual(s1.shard!.pointIndex, s1.points.map((p) => whole.points.findIndex((w) => w.value === p.value)));
  });

  test('merge renders the same as sweep: the terminal table and charts, the SVG and the HTML page', async () => {
    const sweepText = await ok([...SWEEP, '--no-color', '--svg', at('sweep.svg'), '--html', at('sweep.html')]);
    const mergeText = await ok(['merge', at('s1of2.json'), at('s2of2.json'), '--no-color', '--svg', at('merge.svg'), '--html', at('merge.html')]);
    assert.equal(mergeText, sweepText);
    // the same machine made both, so even the HTML page's environment line is the same
    for (const ext of ['svg', 'html']) assert.equal(readFileSync(at(`merge.${ext}`), 'utf8'), readFileSync(at(`sweep.${ext}`), 'utf8'), ext);
  });

  test('refused, exit 2, one line naming the file: gaps, duplicates, other sweeps, other n, versions, not a shard', async () => {
    const [s1, s2, s3] = [at('s1of3.json'), at('s2of3.json'), at('s3of3.json')];
    await refused([s1, s3], /^missing shard 2\/3 of the sweep: got 1\/3 \(.*s1of3\.json\), 3\/3 \(.*s3of3\.json\)$/);
    await refused([s1, s2, s2, s3], /s2of3\.json: given twice: each shard once$/);
    const copy = write('copy-of-2.json', read('s2of3.json'));
    await refused([s1, s2, copy, s3], /copy-of-2\.json: shard 2\/3 again \(.*s2of3\.json is shard 2\/3 too\)/);
    await refused([s1, s2, at('s2of2.json')], /s2of2\.json: shard 2\/2, but .*s1of3\.json is shard 1\/3: the shards of one merge are of one --shard i\/n split/);
    await refused([at('s1of2.json'), at('other-strategies.json')], /other-strategies\.json: shard 1\/2 of another sweep than .*s1of2\.json: plan sha256:/);
    const newer = read('s2of3.json');
    newer.tool.version = '9.9.9';
    await refused([s1, write('newer.json', newer), s3], /newer\.json: written by vfio-pin-bench 9\.9\.9, .*s1of3\.json by vfio-pin-bench 0\.1\.0: mixed tool versions/);
    write('whole.json', whole);
    await refused([at('whole.json')], /whole\.json: a whole sweep \(no "shard" field\), not a part of one/);
    const run = await inproc(['run', '--bar', '16M', '--no-timing', '--json']);
    await refused([s1, write('run.json', JSON.parse(run.stdout))], /run\.json: not a sweep document: a run result document \(run --json\)/);
    writeFileSync(at('bad.json'), '{"kind": "sweep", ');
    await refused([at('bad.json')], /bad\.json: invalid JSON/);
    await refused([at('nothing.json')], /nothing\.json: cannot read: ENOENT/);
    // a unit in two shards (an edited document): named with both files
    const twice = read('s1of3.json');
    twice.shard!.index = 2;
    await refused([s1, write('twice.json', twice), s3], /twice\.json: points\[0\]: 16M \S+ twice \(also in .*s1of3\.json\): the shards overlap/);
    // a broken shard field
    const bad = read('s1of3.json') as unknown as { shard: { pointIndex: unknown } };
    bad.shard.pointIndex = 'x';
    await refused([write('badshard.json', bad)], /badshard\.json: shard\.pointIndex: expected an array, got "x"/);
  });

  test('--timed shards: merged = unsharded after removing env and each record\'s timing', async () => {
    const TIMED = ['sweep', '--bar', '16M..32M', '-s', 'baseline,rfc', '--timed', '-t', '1', '-n', '1', '-q'];
    const one = JSON.parse(await ok([...TIMED, '--json'])) as SweepDocument;
    for (const i of [1, 2]) await ok([...TIMED, '--shard', `${i}/2`, '-o', at(`t${i}.json`)]);
    const merged = JSON.parse(await ok(['merge', at('t2.json'), at('t1.json'), '--json'])) as SweepDocument;
    assert.ok(merged.points.every((p) => p.records.every((r) => r.timing !== undefined)));
    assert.deepEqual(withoutEnvAndTiming(merged), withoutEnvAndTiming(one));
  });

  test('shards split by counter events per page (--bar 1M..256M into 3) merge into the unsharded sweep', async () => {
    const ARGS = ['sweep', '--bar', '1M..256M', '-s', 'baseline,rfc,v6.18-folio', '--workers', '1', '-q'];
    const one = JSON.parse(await ok([...ARGS, '--json'])) as SweepDocument;
    const err: string[] = [];
    for (const i of [1, 2, 3]) {
      const r = await inproc([...ARGS.filter((a) => a !== '-q'), '--shard', `${i}/3`, '-o', at(`c${i}.json`)]);
      assert.equal(r.code, 0, r.stderr);
      err.push(r.stderr);
    }
    assert.match(err[0]!, /^--shard 1\/3: \d+ of 27 \(point, strategy\) units, [\d,]+ of 392,475 simulated pages; split by simulated pages times counter events per page/);
    const merged = JSON.parse(await ok(['merge', at('c3.json'), at('c2.json'), at('c1.json'), '--json'])) as SweepDocument;
    assert.deepEqual(withoutEnvAndTiming(merged), withoutEnvAndTiming(one));
  });

  test('sizes are checked before the sweep: --shard on a bad range is the sweep\'s own error', async () => {
    const r = await inproc(['sweep', '--bar', '1G..16M', '--shard', '1/2']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--bar 1G\.\.16M: the range must go upwards/);
  });
});
