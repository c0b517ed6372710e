// compare: every regression rule on hand-made pairs (the fixed document in
// test/fixtures-golden/result.json and a changed copy), the formats (golden files), and the CLI's
// exit codes: 0 no regression, 1 regression, 2 bad input; a round trip run --json -> compare.

import assert from 'node:assert/strict';
import { COUNTER_NAMES } from '../src/model/counters.ts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { InputError } from '../src/model/errors.ts';
import { formatCompareMarkdown, formatCompareTerminal, signedPercent } from '../src/report/compare/format.ts';
import { parseRunDocument } from '../src/input/result-document.ts';
import { compareDocuments, DEFAULT_COMPARE_OPTIONS, type CompareOptions, type CompareRow, type Comparison } from '../src/report/compare/compare.ts';
import type { RunDocument } from '../src/model/result.ts';
import { main } from '../src/cli/program.ts';
import { cli } from './bin.ts';

const GOLDEN = new URL('./fixtures-golden', import.meta.url).pathname;
const GOLDEN_DOC = join(GOLDEN, 'result.json');
const BASE: RunDocument = parseRunDocument(readFileSync(GOLDEN_DOC, 'utf8'), GOLDEN_DOC);
/** Metrics compared for the golden document: 2 fixtures x 2 strategies x 2 sides x every counter
 *  it records (a stored document: counters added since, e.g. contig_pages, are not in it),
 *  plus the 31 others (verdicts, modelled and simulator times, locked_vm peaks, request errnos). */
const STORED_COUNTERS = COUNTER_NAMES.filter((n) => n in BASE.fixtures[0]!.strategies[0]!.counters.map).length;
const METRICS = 2 * 2 * 2 * STORED_COUNTERS + 31;
const FILES = { base: 'base.json', current: 'current.json' };

/** The CLI in this process (no tsx start-up): exit code and what it wrote. */
async function inproc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    out: (t: string) => void (stdout += t), err: (t: string) => void (stderr += t),
    stdoutColor: false, stderrIsTTY: false, stderrColumns: 80, env: {},
  };
  const code = await main(['node', 'vfio-pin-bench', ...args], io);
  return { code, stdout, stderr };
}

/** The baseline compared with a copy changed by `change`. */
function diff(change: (d: RunDocument) => void, opts?: CompareOptions): Comparison {
  const current = structuredClone(BASE);
  change(current);
  return compareDocuments(BASE, current, FILES, opts);
}

/** The rows that are not unchanged, as [fixture/strategy/op metric, status, note]. */
function changed(c: Comparison): [string, string, string][] {
  return c.rows.filter((r) => r.status !== 'unchanged')
    .map((r) => [`${r.fixture}/${r.strategy ?? '-'}/${r.op ?? '-'} ${r.metric}`, r.status, r.note]);
}

const strategy = (d: RunDocument, fx: number, s: number) => d.fixtures[fx]!.strategies[s]!;

/** The document with a reference workload time on every timed strategy: median pass 100 us per
 *  side, as many samples as the task (run/reference.ts takes one after each sample). */
function withReference(d: RunDocument): RunDocument {
  for (const s of tasks(d)) {
    const ref = (samples: number) => ({ mean: 100000, p50: 100000, p99: 110000, min: 95000, max: 120000, sd: 5000, rme: 2, samples });
    s.reference = { map: ref(s.timing!.map.samples), unmap: ref(s.timing!.unmap.samples) };
  }
  return d;
}

/** A copy as an older vfio-pin-bench wrote it: no reference. */
function withoutReference(d: RunDocument): RunDocument {
  const out = structuredClone(d);
  for (const s of tasks(out)) delete s.reference;
  return out;
}

/** Every strategy of every fixture (each has a timed map and unmap task). */
const tasks = (d: RunDocument) => d.fixtures.flatMap((f) => f.strategies);

describe('compare: the rules', () => {
  test('a document against itself: every metric compared, nothing changed', () => {
    const c = compareDocuments(BASE, BASE, FILES);
    // per strategy: verdict + its requests + per op (modelled + simulator + every counter)
    // + locked_vm_peak on the map side; 4 strategies with 1, 1, 2, 2 requests; 1 bench task
    const counters = Object.keys(BASE.fixtures[0]!.strategies[0]!.counters.map).length; // 30
    const perStrategy = 1 + 2 * (1 + 1 + counters) + 1;
    assert.equal(c.rows.length, 4 * perStrategy + (1 + 1 + 2 + 2) + 1);
    assert.equal(c.regressions, 0);
    assert.equal(c.improvements, 0);
    assert.equal(c.changes, 0);
    assert.deepEqual(c.notes, []);
  });

  test('counters: any increase is a regression, a decrease an improvement, both shown', () => {
    const c = diff((d) => {
      strategy(d, 0, 1).counters.map.get_user_pages_longterm += 1;
      strategy(d, 1, 0).counters.unmap.put_pfn -= 48;
    });
    assert.deepEqual(changed(c), [
      ['bar-1g/rfc/map get_user_pages_longterm', 'regression', 'any increase'],
      ['mid-vma/baseline/unmap put_pfn', 'improvement', ''],
    ]);
    const up = c.rows.find((r) => r.metric === 'get_user_pages_longterm' && r.status === 'regression')!;
    assert.deepEqual([up.base, up.current, up.delta, up.ratio], [0, 1, 1, null]);
    const down = c.rows.find((r) => r.metric === 'put_pfn' && r.status === 'improvement')!;
    assert.deepEqual([down.base, down.current, down.delta, down.ratio], [2048, 2000, -48, -48 / 2048]);
    assert.equal(c.regressions, 1);
  });

  test('locked_vm peak is a counter too', () => {
    const c = diff((d) => void (strategy(d, 1, 0).lockedVmPeak = 1025));
    assert.deepEqual(changed(c), [['mid-vma/baseline/map locked_vm_peak', 'regression', 'any increase']]);
  });

  test('a counter added or dropped is shown, not a regression', () => {
    const c = diff((d) => {
      const m = strategy(d, 0, 0).counters.map as Record<string, number>;
      delete m.follow_page_mask;
      m.new_counter = 7;
    });
    assert.deepEqual(changed(c), [
      ['bar-1g/baseline/map follow_page_mask', 'changed', 'counter dropped'],
      ['bar-1g/baseline/map new_counter', 'changed', 'new counter'],
    ]);
    assert.equal(c.regressions, 0);
  });

  test('modelled time: above the 5% threshold is a regression; within it is shown as changed', () => {
    const c = diff((d) => {
      strategy(d, 0, 0).modelled.mapNs = 25000000 * 1.05; // exactly 5%: not above
      strategy(d, 0, 1).modelled.mapNs = 1500 * 1.051;
      strategy(d, 1, 0).modelled.unmapNs = 391228.5 * 0.94;
    });
    assert.deepEqual(changed(c), [
      ['bar-1g/baseline/map modelled kernel time', 'changed', 'within ±5%'],
      ['bar-1g/rfc/map modelled kernel time', 'regression', 'above 5%'],
      ['mid-vma/baseline/unmap modelled kernel time', 'improvement', 'below -5%'],
    ]);
  });

  test('modelled time: --threshold moves the line', () => {
    const c = diff((d) => void (strategy(d, 0, 1).modelled.mapNs = 1500 * 1.08), { ...DEFAULT_COMPARE_OPTIONS, threshold: 0.1 });
    assert.deepEqual(changed(c), [['bar-1g/rfc/map modelled kernel time', 'changed', 'within ±10%']]);
  });

  test('simulator time: a regression only beyond both margins of error AND the time threshold', () => {
    const c = diff((d) => {
      // bar-1g/baseline/map: 12.5 ms +- 2.5%; +30% -> 16.25 ms +- 2.5%: margins 0.3125 + 0.40625 ms
      strategy(d, 0, 0).timing!.map.mean = 16250000;
      // bar-1g/baseline/unmap: 3 ms +- 1.25%; +30% but the new run's rme is 40%: margin 1.5975 ms > 0.9 ms
      strategy(d, 0, 0).timing!.unmap.mean = 3900000;
      strategy(d, 0, 0).timing!.unmap.rme = 40;
      // bar-1g/rfc/unmap: 3.1 ms +- 1.5%; +20%: beyond the margins, within 25%
      strategy(d, 0, 1).timing!.unmap.mean = 3720000;
      // mid-vma/rfc/map: 25 us +- 8%; -50%: an improvement
      strategy(d, 1, 1).timing!.map.mean = 12500;
    });
    assert.deepEqual(changed(c), [
      ['bar-1g/baseline/map simulator time', 'regression', 'beyond margins ±5.8% and ±25%'],
      ['bar-1g/baseline/unmap simulator time', 'noise', 'within margins ±53.3%'],
      ['bar-1g/rfc/unmap simulator time', 'noise', 'beyond margins ±3.3%, within ±25%'],
      ['mid-vma/rfc/map simulator time', 'improvement', 'beyond margins ±12% and ±25%'],
    ]);
    assert.equal(c.regressions, 1);
  });

  test('simulator time: --time-threshold moves the line', () => {
    const c = diff((d) => void (strategy(d, 0, 1).timing!.unmap.mean = 3720000), { ...DEFAULT_COMPARE_OPTIONS, timeThreshold: 0.1 });
    assert.deepEqual(changed(c), [['bar-1g/rfc/unmap simulator time', 'regression', 'beyond margins ±3.3% and ±10%']]);
  });

  test('simulator time with fewer than --min-samples samples: margin unknown, never a regression, and a note', () => {
    const c = diff((d) => {
      // bar-1g/baseline/map: 12.5 ms with 16 samples -> 2x with 1 sample (tinybench: rme 0%):
      // without the rule this is far beyond the margins and the 25% threshold
      const t = strategy(d, 0, 0).timing!.map;
      Object.assign(t, { mean: 25000000, rme: 0, samples: 1 });
      // bar-1g/rfc/unmap: -50% with 4 samples: not an improvement either
      Object.assign(strategy(d, 0, 1).timing!.unmap, { mean: 1550000, samples: 4 });
    });
    assert.deepEqual(changed(c), [
      ['bar-1g/baseline/map simulator time', 'changed', 'margin unknown: 1 sample (fewer than 5)'],
      ['bar-1g/rfc/unmap simulator time', 'changed', 'margin unknown: 4 samples (fewer than 5)'],
    ]);
    assert.equal(c.regressions + c.improvements, 0);
    assert.deepEqual(c.notes, ['2 simulator times not judged: fewer than 5 samples, so the margin of error is unknown (give run a larger --time, or compare --no-timing runs)']);
  });

  test('simulator time: --min-samples 1 judges a single sample again (the 2x is caught)', () => {
    const c = diff((d) => void Object.assign(strategy(d, 0, 0).timing!.map, { mean: 25000000, rme: 0, samples: 1 }), { ...DEFAULT_COMPARE_OPTIONS, minSamples: 1 });
    assert.deepEqual(changed(c), [['bar-1g/baseline/map simulator time', 'regression', 'beyond margins ±2.5% and ±25%']]);
  });

  test('simulator time against the reference: a whole run 1.5x slower is clean; one task 2x within it is shown, not gated', () => {
    // every simulator time (mean and fastest) and every reference of the current run 1.5x the
    // baseline's (the machine slower for the whole run): time / reference is unchanged. But
    // bar-1g/baseline/map 3x (2x the run's shift): 12.5 ms / 100 us -> 37.5 ms / 150 us, mean and
    // fastest +100%, beyond its margins 2.5% + 2.5% and 25%: shown as changed, not a regression.
    // Run-wide: the median of +100% and seven 0% = 0%; margin: sqrt(pi/2) x the 8 tasks' mean
    // margin (rme of both runs: 5, 2.5, 20, 3, 8, 6, 16, 5.5%: 8.25%) / sqrt(8) = 3.66%: noise.
    const base = withReference(structuredClone(BASE));
    const current = structuredClone(base);
    for (const s of tasks(current)) {
      for (const op of ['map', 'unmap'] as const) {
        s.timing![op].mean *= 1.5;
        s.timing![op].min *= 1.5;
        s.reference![op].p50 *= 1.5;
      }
    }
    Object.assign(strategy(current, 0, 0).timing!.map, { mean: 37500000, min: 33750000 });
    const c = compareDocuments(base, current, FILES);
    const sim = c.rows.filter((r) => r.kind === 'simulator' && r.fixture !== 'bench tasks');
    assert.deepEqual(sim.filter((r) => r.status !== 'noise').map((r) => [`${r.fixture}/${r.strategy}/${r.op}`, r.status, r.note]), [
      ['bar-1g/baseline/map', 'changed', 'vs reference: mean +100%, fastest +100% (run +50%), beyond margins ±5% and ±25%; one task: not judged alone'],
    ]);
    // the other 7: the raw +50% cancelled by the reference
    for (const r of sim.slice(1, 8)) {
      assert.ok(Math.abs(r.ratio! - 0.5) < 1e-9 && Math.abs(r.relative!) < 1e-9, `${r.strategy} ${r.op}`);
      assert.match(r.note, /^vs reference: mean [-+]0%, fastest [-+]0% \(run \+50%\), within margins ±/);
    }
    const wide = sim.at(-1)!;
    assert.equal(wide.fixture, 'all timed tasks');
    assert.ok(Math.abs(wide.ratio!) < 1e-12);
    assert.deepEqual([wide.status, wide.note], ['noise', 'median of 8 tasks vs reference, within margin ±3.7%']);
    assert.equal(c.regressions, 0);
    // the same documents without their references: the raw +50% is a regression in all 8
    assert.equal(compareDocuments(withoutReference(base), withoutReference(current), FILES).regressions, 8);
  });

  test('simulator time against the reference: every task 2x slower while the reference held steady is a regression', () => {
    // mean and fastest of all 8 tasks doubled, references unchanged: each task +100% (shown as
    // changed), run-wide median +100%, beyond margin 3.7% (above) and 25%: one regression.
    const base = withReference(structuredClone(BASE));
    const current = structuredClone(base);
    for (const s of tasks(current)) {
      for (const op of ['map', 'unmap'] as const) {
        s.timing![op].mean *= 2;
        s.timing![op].min *= 2;
      }
    }
    const c = compareDocuments(base, current, FILES);
    const wide = c.rows.find((r) => r.fixture === 'all timed tasks')!;
    assert.deepEqual([wide.status, wide.note, wide.relative], ['regression', 'median of 8 tasks vs reference, beyond margin ±3.7% and ±25%', 1]);
    assert.equal(c.regressions, 1);
    assert.equal(c.rows.filter((r) => r.kind === 'simulator' && r.status === 'changed' && r.note.endsWith('one task: not judged alone')).length, 8);
    assert.match(formatCompareTerminal(c, { color: false, verbose: false }), /│ +│ +│ simulator time, run-wide │ +- │ +- │ +\+100% │ REGRESSION │ median of 8 tasks/);
    // one task 2x alone (bar-1g/rfc/unmap 3.1 -> 6.2 ms): changed; run-wide median 0%: noise
    const one = structuredClone(base);
    Object.assign(strategy(one, 0, 1).timing!.unmap, { mean: 6200000, min: 2790000 * 2 });
    const c1 = compareDocuments(base, one, FILES);
    assert.deepEqual(changed(c1).slice(0, 1), [['bar-1g/rfc/unmap simulator time', 'changed', 'vs reference: mean +100%, fastest +100% (run +0%), beyond margins ±3% and ±25%; one task: not judged alone']]);
    assert.equal(c1.regressions, 0);
  });

  test('simulator time against the reference: mean and fastest must agree', () => {
    // bar-1g/baseline/unmap: mean 3 -> 6 ms (+100%, preempted samples) but fastest 2.7 -> 2.43 ms
    // (-10%): opposite signs, no change judged: noise; the run-wide change is 0.
    const base = withReference(structuredClone(BASE));
    const current = structuredClone(base);
    Object.assign(strategy(current, 0, 0).timing!.unmap, { mean: 6000000, min: 2430000 });
    const c = compareDocuments(base, current, FILES);
    assert.deepEqual(changed(c).slice(0, 1), [['bar-1g/baseline/unmap simulator time', 'noise', 'vs reference: mean +100%, fastest -10% (run +0%), beyond margins ±2.5%, within ±25%']]);
    assert.equal(c.rows.find((r) => r.fixture === 'all timed tasks')!.relative, 0);
  });

  test('simulator time without a reference in one run: the raw rule per task, and a note naming the file', () => {
    // the whole-run 1.5x shift, but the baseline is an older document (no reference): raw +50%,
    // beyond margins and 25% for all 8 tasks; with --time-threshold 60% none
    const base = structuredClone(BASE);
    const current = withReference(structuredClone(BASE));
    for (const s of tasks(current)) for (const op of ['map', 'unmap'] as const) s.timing![op].mean *= 1.5;
    const c = compareDocuments(base, current, FILES);
    assert.equal(c.regressions, 8);
    assert.ok(c.rows.every((r) => r.relative === undefined));
    assert.deepEqual(changed(c)[0], ['bar-1g/baseline/map simulator time', 'regression', 'beyond margins ±6.3% and ±25%']);
    assert.ok(c.notes.includes('simulator times judged raw: base.json has no reference workload (made by an older vfio-pin-bench?), so a machine busier during one whole run can read as a change'));
    assert.equal(compareDocuments(base, current, FILES, { ...DEFAULT_COMPARE_OPTIONS, timeThreshold: 0.6 }).regressions, 0);
  });

  test('simulator time is not compared when a run was untimed, and says so', () => {
    const c = diff((d) => {
      d.options.timed = false;
      for (const fx of d.fixtures) for (const s of fx.strategies) delete s.timing;
    });
    assert.equal(c.rows.filter((r) => r.kind === 'simulator' && r.fixture !== 'bench tasks').length, 0);
    assert.deepEqual(c.notes, ['simulator time not compared: a run was made with --no-timing']);
    assert.equal(c.regressions, 0);
  });

  test('verdict: turning UNSAFE or BROKEN is a regression; back to ok an improvement; staying UNSAFE is not', () => {
    const c = diff((d) => {
      strategy(d, 0, 1).verdict = 'unsafe';
      strategy(d, 0, 1).oracle = { ...strategy(d, 0, 1).oracle, ok: false, wrongPages: 5 };
      strategy(d, 1, 0).verdict = 'broken';
    });
    assert.deepEqual(changed(c), [
      ['bar-1g/rfc/- verdict', 'regression', '5 wrong pages'],
      ['mid-vma/baseline/- verdict', 'regression', 'invariant failed'],
    ]);
    // mid-vma/rfc is UNSAFE in both: no row changed for it
    const fixed = diff((d) => void (strategy(d, 1, 1).verdict = 'ok'));
    assert.deepEqual(changed(fixed), [['mid-vma/rfc/- verdict', 'improvement', '']]);
  });

  test('a DMA request whose errno changed is a regression', () => {
    const c = diff((d) => {
      strategy(d, 1, 0).requests[0] = { ...strategy(d, 1, 0).requests[0]!, ret: -12, errno: '-ENOMEM' };
    });
    assert.deepEqual(changed(c), [['mid-vma/baseline/- request 0 (map straddle)', 'regression', 'errno changed']]);
    const row = c.rows.find((r) => r.kind === 'errno' && r.status === 'regression')!;
    assert.deepEqual([row.base, row.current], ['0', '-ENOMEM']);
  });

  test('a fixture, strategy or bench task that disappears is a regression; a new one is not', () => {
    const c = diff((d) => {
      d.fixtures[0]!.strategies.pop(); // bar-1g/rfc
      d.fixtures.pop(); // mid-vma
      d.fixtures.push({ ...structuredClone(BASE.fixtures[0]!), fixture: 'bar-2g' });
      d.tasks = [];
    });
    assert.deepEqual(changed(c), [
      ['bar-1g/rfc/- strategy', 'regression', 'disappeared'],
      ['mid-vma/-/- fixture', 'regression', 'disappeared'],
      ['bar-2g/-/- fixture', 'changed', 'new'],
      ['bench tasks/load and validate the 9 bundled fixtures/- task', 'regression', 'disappeared'],
    ]);
    assert.equal(c.regressions, 3);
  });

  test('bench tasks: the simulator-time rule', () => {
    // 3.215 ms +- 8.125%; +50% -> 4.8225 ms +- 8.125%: margins 0.261 + 0.392 ms < 1.6 ms
    const c = diff((d) => void (d.tasks![0]!.timing.mean = 4822500));
    assert.deepEqual(changed(c), [['bench tasks/load and validate the 9 bundled fixtures/- time', 'regression', 'beyond margins ±20.3% and ±25%']]);
  });

  test('notes: a changed layout, other machines, another cost profile', () => {
    const c = diff((d) => {
      d.fixtures[1]!.summary.seed = 2;
      d.env.cpu = 'Intel(R) Xeon(R) Platinum 8370C';
      d.options.profile = 'other';
    });
    assert.deepEqual(c.notes, [
      'mid-vma: the layout differs (seed 1 -> 2): the fixture or its placement seed changed, so its counters may not be comparable',
      'simulator times come from different machines (AMD EPYC 7763 64-Core Processor, node v20.20.2 vs Intel(R) Xeon(R) Platinum 8370C, node v20.20.2): read them with care',
      'modelled with different cost profiles: xeon-e5-2.6ghz (baseline) and other (current)',
    ]);
    assert.equal(c.regressions, 0);
  });

  test('repeated fixture names are matched in order', () => {
    const twice = structuredClone(BASE);
    twice.fixtures = [BASE.fixtures[0]!, structuredClone(BASE.fixtures[0]!)];
    const current = structuredClone(twice);
    current.fixtures[1]!.strategies[0]!.counters.map.find_vma += 1;
    const c = compareDocuments(twice, current, FILES);
    assert.deepEqual(changed(c), [['bar-1g (2)/baseline/map find_vma', 'regression', 'any increase']]);
  });
});

describe('compare: output', () => {
  const current = structuredClone(BASE);
  strategy(current, 0, 1).counters.map.get_user_pages_longterm += 1;
  strategy(current, 0, 1).modelled.mapNs = 1600;
  strategy(current, 1, 0).timing!.map.mean = 1500000;
  strategy(current, 1, 0).requests[1] = { ...strategy(current, 1, 0).requests[1]!, ret: -22, errno: '-EINVAL' };
  current.env.gitCommit = '89abcdef0123456789abcdef0123456789abcdef';
  const c = compareDocuments(BASE, current, FILES);

  function golden(name: string, text: string): void {
    const path = join(GOLDEN, name);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, text);
    assert.equal(text, readFileSync(path, 'utf8'), `${name} differs from the golden file (UPDATE_GOLDEN=1 npm test rewrites it)`);
  }

  test('terminal (golden)', () => golden('compare.txt', formatCompareTerminal(c, { color: false, verbose: false })));
  test('markdown for a PR comment or the step summary (golden)', () => golden('compare.md', formatCompareMarkdown(c, { verbose: false })));
  test('the last line says what the exit code says', () => {
    assert.equal(formatCompareTerminal(c, { color: false, verbose: false }).trimEnd().split('\n').at(-1),
      'REGRESSION: 4 regressions (bar-1g, mid-vma)');
    const same = compareDocuments(BASE, BASE, FILES);
    assert.equal(formatCompareTerminal(same, { color: false, verbose: false }).trimEnd().split('\n').at(-1),
      `ok: no regression; no change (${METRICS} metrics)`);
  });
  test('--verbose shows every row', () => {
    const text = formatCompareTerminal(compareDocuments(BASE, BASE, FILES), { color: false, verbose: true });
    assert.equal(text.split('\n').filter((l) => / same /.test(l)).length, METRICS);
  });
  test('colour only when asked', () => {
    assert.doesNotMatch(formatCompareTerminal(c, { color: false, verbose: false }), /\x1b\[/);
    assert.match(formatCompareTerminal(c, { color: true, verbose: false }), /\x1b\[31m/);
  });
  test('signed percentages keep enough digits to be non-zero', () => {
    assert.deepEqual([signedPercent(4), signedPercent(0.125), signedPercent(-48 / 2048), signedPercent(1 / 2048), signedPercent(1 / 9437184), signedPercent(1e-12)],
      ['+400%', '+12.5%', '-2.3%', '+0.049%', '+0.000011%', '+<0.000001%']);
  });
});

describe('compare: reading documents', () => {
  test('malformed input: one line naming the file and the problem', () => {
    const cases: [string, string][] = [
      ['{"schemaVersion": 1,', 'x.json: invalid JSON: '],
      ['[1, 2]', 'x.json: expected a vfio-pin-bench result document (an object with "schemaVersion"), got an array'],
      ['{"fixtures": []}', 'x.json: missing "schemaVersion": not a vfio-pin-bench result document (run --json or run --output writes one)'],
      ['{"schemaVersion": 2}', 'x.json: schemaVersion: expected 1, got 2 (written by a newer vfio-pin-bench?)'],
      ['{"schemaVersion": "1"}', 'x.json: schemaVersion: expected 1, got "1"'],
      ['{"schemaVersion": 1}', 'x.json: missing required key "tool"'],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseRunDocument(text, 'x.json'), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.ok(e.message.startsWith(message), `${e.message} / ${message}`);
        assert.doesNotMatch(e.message, /\n/);
        return true;
      });
    }
  });
});

describe('compare: the CLI and its exit codes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vfio-pin-bench-compare-'));
  const write = (name: string, value: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };

  test('no regression: exit 0', async () => {
    const r = await cli(['compare', GOLDEN_DOC, GOLDEN_DOC]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trimEnd().split('\n').at(-1), `ok: no regression; no change (${METRICS} metrics)`);
    assert.equal(r.stderr, '');
  });
  test('a regression: exit 1, the markdown says so', async () => {
    const worse = structuredClone(BASE);
    strategy(worse, 1, 1).counters.unmap.put_pfn += 1;
    const r = await inproc(['compare', GOLDEN_DOC, write('worse.json', worse), '--format', 'markdown']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^## vfio-pin-bench compare: 1 regression\n/);
    assert.match(r.stdout, /\| \*\*rfc\*\* \| unmap \| put_pfn \| 2,048 \| 2,049 \| \+1 \(\+0\.049%\) \| \*\*REGRESSION\*\* \| any increase \|/);
    assert.equal(r.stderr, '');
  });
  test('json: the comparison record', async () => {
    const r = await inproc(['compare', GOLDEN_DOC, GOLDEN_DOC, '--format', 'json', '--threshold', '2.5%', '--time-threshold', '40']);
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(r.stdout) as Comparison;
    assert.deepEqual(c.options, { threshold: 0.025, timeThreshold: 0.4, minSamples: 5 });
    assert.equal(c.rows.length, METRICS);
    assert.equal((c.rows[0] as CompareRow).metric, 'verdict');
  });
  test('bad input: exit 2, one line naming the file, no stack', async () => {
    const cases: [string[], string][] = [
      [['compare', write('broken.json', '{"schemaVersion": 1, '), GOLDEN_DOC], `${join(dir, 'broken.json')}: invalid JSON: `],
      [['compare', GOLDEN_DOC, write('v2.json', { ...BASE, schemaVersion: 2 })], `${join(dir, 'v2.json')}: schemaVersion: expected 1, got 2 (written by a newer vfio-pin-bench?)\n`],
      [['compare', join(dir, 'missing.json'), GOLDEN_DOC], `${join(dir, 'missing.json')}: cannot read: ENOENT: no such file or directory\n`],
      [['compare', GOLDEN_DOC, write('fixture.json', readFileSync(new URL('../fixtures/small-mixed.json', import.meta.url), 'utf8'))],
        `${join(dir, 'fixture.json')}: missing "schemaVersion": not a vfio-pin-bench result document (run --json or run --output writes one)\n`],
    ];
    for (const [i, [args, stderr]] of cases.entries()) {
      const r = i === 0 ? await cli(args) : await inproc(args); // the first through the bin: no stack, exit 2
      assert.equal(r.code, 2, args.join(' '));
      assert.ok(r.stderr.startsWith(stderr), r.stderr);
      assert.equal(r.stderr.split('\n').length, 2, r.stderr); // one line
      assert.equal(r.stdout, '');
    }
  });
  test('--help, with examples and the rules', async () => {
    const r = await inproc(['compare', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: vfio-pin-bench compare \[options\] <baseline\.json> <current\.json>/);
    assert.match(r.stdout, /Examples:\n {2}\$ vfio-pin-bench/);
    assert.match(r.stdout, /\(default: 5%\)/);
    assert.match(r.stdout, /both runs timed the reference workload .*\n.*divided by its run's reference time/);
  });
  test('bad flags: exit 2', async () => {
    const r = await inproc(['compare', GOLDEN_DOC, GOLDEN_DOC, '--threshold', '-5']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--threshold <percent>' argument '-5' is invalid\. expected a percentage of 0 or more/);
    const one = await inproc(['compare', GOLDEN_DOC]);
    assert.equal(one.code, 2);
    assert.match(one.stderr, /missing required argument 'current\.json'/);
  });
  test('round trip: two runs of a bundled fixture compare equal (exit 0)', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    const runA = await cli(['run', 'small-mixed', '--no-timing', '--output', a, '--format', 'csv']);
    const runB = await cli(['run', '--json', '--no-timing', 'small-mixed']);
    assert.equal(runA.code, 0, runA.stderr);
    assert.equal(runB.code, 0, runB.stderr);
    writeFileSync(b, runB.stdout);
    for (const [x, y] of [[a, a], [a, b]] as const) {
      const r = await cli(['compare', x, y]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /\nsmall-mixed: no change \(\d+ metrics\)\n/);
      assert.match(r.stdout, /\nok: no regression; no change \(\d+ metrics\)\n$/);
    }
  });
});
