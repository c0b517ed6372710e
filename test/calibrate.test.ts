// calibrate: the NNLS solver, the fit (aliases, unconstrained and confounded prices, the
// first-run term, singular fits), measurement files (every bad one is one line, exit 2), and
// the bundled qemu-tcg profile re-fitted from the shipped measurements.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fitCosts, leaveOneOut, SingularFit, type FitObservation } from '../src/fit/fit.ts';
import { nnls } from '../src/fit/nnls.ts';
import { loadFixture } from '../src/input/fixture.ts';
import { loadProfile } from '../src/input/profile.ts';
import { parseKernelRelease } from '../src/kernel/host.ts';
import { COUNTER_NAMES, newCounters, type Counters } from '../src/model/counters.ts';
import { InputError } from '../src/model/errors.ts';
import { calibrate, calibratedProfile, readMeasurements } from '../src/run/calibrate.ts';
import { perIoctlCounters } from '../src/run/per-ioctl.ts';
import { kernelStrategy } from '../src/strategies/kernels.ts';
import { cli } from './bin.ts';

const close = (a: number, b: number, tol = 1e-6): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);
const c = (over: Partial<Counters>): Counters => ({ ...newCounters(), ...over });
const xeon = loadProfile('xeon-e5-2.6ghz');

describe('nnls', () => {
  test('the bound binds: x2 would be negative, so x2 = 0 and x1 fits the rest', () => {
    // min (x1 - 1)^2 + (x2 + 1)^2 + (x1 + x2 - 0.5)^2, x >= 0: unconstrained x2 < 0; with x2 = 0,
    // d/dx1 [(x1 - 1)^2 + (x1 - 0.5)^2] = 0 at x1 = 0.75
    const x = nnls([[1, 0], [0, 1], [1, 1]], [1, -1, 0.5]);
    close(x[0]!, 0.75);
    assert.equal(x[1], 0);
  });
  test('an exact positive solution is found exactly', () => {
    const x = nnls([[2, 1], [1, 3], [0, 1]], [2 * 3 + 1 * 4, 3 + 3 * 4, 4]);
    close(x[0]!, 3);
    close(x[1]!, 4);
  });
  test('a dependent column does not break it (duplicate columns share nothing negative)', () => {
    const x = nnls([[1, 1], [2, 2]], [3, 6]);
    close(x[0]! + x[1]!, 3);
    assert.ok(x.every((v) => v >= 0));
  });
});

describe('fitCosts', () => {
  test('prices that explain the observations exactly are recovered; the rest keep the prior', () => {
    // vaddr_get_pfn 10 ns, find_vma 100 ns: 10 x 10 = 100; 5 x 10 + 3 x 100 = 350
    const obs: FitObservation[] = [
      { id: 'a', counters: c({ vaddr_get_pfn: 10 }), measuredNs: 100 },
      { id: 'b', counters: c({ vaddr_get_pfn: 5, find_vma: 3 }), measuredNs: 350 },
    ];
    const f = fitCosts(obs, xeon.ns);
    close(f.ns.vaddr_get_pfn, 10);
    close(f.ns.find_vma, 100);
    assert.equal(f.status.vaddr_get_pfn, 'fitted');
    assert.equal(f.status.iommu_map, 'unconstrained');
    assert.equal(f.ns.iommu_map, xeon.ns.iommu_map);
    assert.ok(f.maxAbs < 1e-6, String(f.maxAbs)); // the pull towards the prior's shape moves determined prices by ~1e-10 relative
  });
  test('counters always moved together are one group, split by the prior\'s ratio', () => {
    // one observation: mmap_sem_read 19.507 and find_vma 6.502 in the prior (3.0 : 1); 2 of each
    // take 1000 ns, so 500 ns per (one of each): 375.0 and 125.0 ns
    const f = fitCosts([{ id: 'x', counters: c({ mmap_sem_read: 2, find_vma: 2 }), measuredNs: 1000 }], xeon.ns);
    const r = xeon.ns.mmap_sem_read / (xeon.ns.mmap_sem_read + xeon.ns.find_vma);
    close(f.ns.mmap_sem_read, 500 * r);
    close(f.ns.find_vma, 500 * (1 - r));
    assert.equal(f.status.find_vma, 'aliased');
    assert.deepEqual(f.groups.map((g) => g.counters), [['mmap_sem_read', 'find_vma']]);
  });
  test('no negative price: a counter whose best price is below 0 is priced 0', () => {
    // b alone says 2 x find_vma = 100; a says vaddr_get_pfn + find_vma = 20, so vaddr_get_pfn
    // would be -30: it is held at 0 and find_vma takes the compromise
    const f = fitCosts([
      { id: 'a', counters: c({ vaddr_get_pfn: 1, find_vma: 1 }), measuredNs: 20 },
      { id: 'b', counters: c({ find_vma: 2 }), measuredNs: 100 },
    ], xeon.ns);
    assert.equal(f.ns.vaddr_get_pfn, 0);
    assert.ok(f.ns.find_vma > 0);
  });
  test('the first-run term: a cost the marked observations share, in no price', () => {
    // warm: 100 x 10 ns = 1000 ns; the cold run of the same work took 3000 ns: 2000 ns first-run
    const f = fitCosts([
      { id: 'warm', counters: c({ vaddr_get_pfn: 100 }), measuredNs: 1000 },
      { id: 'warm2', counters: c({ vaddr_get_pfn: 200 }), measuredNs: 2000 },
      { id: 'cold', counters: c({ vaddr_get_pfn: 100 }), measuredNs: 3000, firstRun: true },
    ], xeon.ns);
    close(f.ns.vaddr_get_pfn, 10);
    close(f.firstRunNs, 2000);
  });
  test('singular: counters no prior prices and no observation separates', () => {
    // pages_pinned = gup_efault + vmacache_hits in both observations; the prior prices all three 0
    assert.throws(() => fitCosts([
      { id: 'a', counters: c({ pages_pinned: 1, gup_efault: 1 }), measuredNs: 10 },
      { id: 'b', counters: c({ pages_pinned: 1, vmacache_hits: 1 }), measuredNs: 20 },
    ], xeon.ns), (e: unknown) => e instanceof SingularFit && /^singular fit: in every observation vmacache_hits moves as a combination of pages_pinned, gup_efault/.test(e.message));
    assert.throws(() => fitCosts([{ id: 'z', counters: newCounters(), measuredNs: 10 }], xeon.ns), /observation z moves no counter/);
    assert.throws(() => fitCosts([], xeon.ns), /no observations/);
  });
  test('leave-one-out: each observation predicted without it', () => {
    // all three follow 10 ns per vaddr_get_pfn exactly: every fold predicts the left-out one exactly
    const obs = [1, 2, 3].map((k) => ({ id: `o${k}`, counters: c({ vaddr_get_pfn: 100 * k }), measuredNs: 1000 * k }));
    const loo = leaveOneOut(obs, xeon.ns);
    assert.equal(loo.rows.length, 3);
    assert.ok(loo.maxAbs < 1e-9);
  });
});

describe('measurement files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vpb-calibrate-'));
  const FX = new URL('../fixtures/real-kernel/qemu-tcg-1g.json', import.meta.url).pathname;
  const good = { version: 1, name: 't', source: 'test', observations: [{ fixture: FX, kernel: '6.16.12+deb13-amd64', op: 'map', request: 'bar_map1', seconds: 0.000165 }] };
  const write = (name: string, doc: unknown): string => {
    const p = join(dir, name);
    writeFileSync(p, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return p;
  };
  const bad = (over: Record<string, unknown>, obsOver: Record<string, unknown> = {}): Record<string, unknown> =>
    ({ ...good, ...over, observations: (over.observations as unknown[] | undefined) ?? [{ ...good.observations[0], ...obsOver }] });
  const cases: [string, unknown, RegExp][] = [
    ['no observations', bad({ observations: [] }), /: observations: no observations: nothing to calibrate on$/],
    ['negative time', bad({}, { seconds: -1 }), /: observations\[0\]\.seconds: -1 s: a measured time must be greater than 0/],
    ['unknown fixture', bad({}, { fixture: 'no-such-fixture' }), /: observations\[0\]\.fixture: unknown fixture "no-such-fixture"/],
    ['unknown kernel', bad({}, { kernel: '3.10' }), /: observations\[0\]\.kernel: "3\.10": release 3\.10 is outside the modelled/],
    ['no such request', bad({}, { request: 'anon_map9' }), /: observations\[0\]\.request: no request labelled "anon_map9" \(labels: bar_map0 \(cold\), /],
    ['op mismatch', bad({}, { request: 'bar_unmap0' }), /: observations\[0\]\.request: request 1 \(bar_unmap0\) is a unmap, but "op" is map$/],
    ['no source', { ...bad({}), source: undefined }, /: observations\[0\]\.source: missing: say where the figure comes from/],
    ['unknown key', bad({}, { secs: 1 }), /: observations\[0\]: unknown key "secs"/],
    ['version', bad({ version: 2 }), /: version: expected 1 \(the only measurement format version\), got 2$/],
  ];
  for (const [what, doc, message] of cases) {
    test(what, () => {
      const p = write(`${what.replace(/ /g, '-')}.json`, doc);
      assert.throws(() => readMeasurements(p), (e: unknown) => e instanceof InputError && message.test(e.message) && !e.message.includes('\n'));
    });
  }
  test('the bin: exit 2 and one line, for a bad file and for a singular fit', async () => {
    const r = await cli(['calibrate', write('neg.json', bad({}, { seconds: -0.5 }))]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^.*neg\.json: observations\[0\]\.seconds: -0\.5 s: a measured time must be greater than 0 \(the fit is on relative error\)\n$/);
    const broken = await cli(['calibrate', write('broken.json', '{"version": 1,')]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /broken\.json: invalid JSON: /);
  });
  test('a good file: the table, and the profile it writes loads as a profile', async () => {
    const out = join(dir, 'mine.json');
    const r = await cli(['calibrate', write('one.json', good), '--output', out, '--name', 'mine'], { SOURCE_DATE_EPOCH: '0' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Observations \(.*one\.json\):/);
    assert.match(r.stdout, /Training error \(1 observations\): RMS 0\.0%, largest 0\.0%/);
    const p = loadProfile(out);
    assert.equal(p.name, 'mine');
    assert.equal(p.fit!.date, '1970-01-01');
    assert.ok(p.fit!.unconstrained.includes('vaddr_get_pfn'));
  });
});

describe('the bundled qemu-tcg profile', () => {
  const file = new URL('../fixtures/real-kernel/tcg-timings.json', import.meta.url).pathname;
  const m = readMeasurements(file);
  const cal = calibrate(m, xeon);
  const bundled = JSON.parse(readFileSync(new URL('../profiles/qemu-tcg.json', import.meta.url), 'utf8')) as ReturnType<typeof calibratedProfile>;
  const refit = JSON.parse(JSON.stringify(calibratedProfile(cal, { name: 'qemu-tcg', measurementsRef: 'fixtures/real-kernel/tcg-timings.json', date: bundled.fit!.date })));
  test('calibrate on the shipped measurements reproduces profiles/qemu-tcg.json', () => {
    assert.equal(m.observations.length, 40); // 4 kernels x 2 boots x (cold, warm, unmap, anon map, anon unmap)
    assert.deepEqual(refit, bundled);
    assert.deepEqual(Object.keys(bundled.ns), [...COUNTER_NAMES]);
  });
  const A1 = '6.1 1G-boot anon map';
  const A4 = '6.1 4G-boot anon map';
  const at = (id: string): number => m.observations.findIndex((o) => o.id === id);
  test('training: every observation within 30%, but the 6.1 anon map of the 4 GiB boot (31.3%)', () => {
    // The two 6.1 boots mapped the same 512 MiB in 66.1 and 113.8 ms (1.72x) while their BAR
    // unmaps agree per page within 2%. The timing boots had no kprobes, so their counts are not
    // measured and both run one fixture: the same counters (checked here), so every profile
    // models them alike, and the least-squares value on relative error for the pair is
    // (1/66.1 + 1/113.8) / (1/66.1^2 + 1/113.8^2) = 78.1 ms whatever the prices: +18.2% and
    // -31.3%. No price or counter can bring the pair within 30% (docs/cost-model.md).
    assert.deepEqual(cal.counters[at(A1)], cal.counters[at(A4)]);
    for (const r of cal.fit.rows) {
      const limit = r.id === A4 ? 0.32 : 0.3;
      assert.ok(Math.abs(r.error) <= limit, `${r.id}: ${(100 * r.error).toFixed(1)}%`);
    }
    close(cal.fit.rows.find((r) => r.id === A4)!.modelledNs / 1e6, 78.13, 1e-3);
  });
  test('leave-one-out: the RMS is the measure (within 35%); the largest is the 6.1 boots\' spread', () => {
    // The test holds the RMS over the 40 folds. The largest single fold error is set by the data,
    // not the model: only the two 6.1 anon maps price 6.1's per-page GUP (follow_page_mask and
    // try_grab_page per 4 KiB page before 6.6), so each is predicted from the other alone:
    // 113.8 / 66.1 - 1 = +72.2% and 66.1 / 113.8 - 1 = -41.9%, the boot-to-boot spread of one
    // measured set-up, which no model of that set-up can predict better.
    assert.equal(cal.loo.rows.length, 40);
    assert.ok(cal.loo.rms <= 0.35, `LOO RMS ${cal.loo.rms}`);
    const loo = (id: string): number => cal.loo.rows[at(id)]!.error;
    close(loo(A1), 0.1138 / 0.0661 - 1, 2e-3);
    close(loo(A4), 0.0661 / 0.1138 - 1, 2e-3);
    close(cal.loo.maxAbs, loo(A1), 1e-12);
  });
  test('which 6.1 timing boot agrees with the 6.1 count boot, whose layout is measured', () => {
    // The count boot (prof-6.1-4G.log: the same 4 GiB BAR set-up as the slow timing boot; 64 MiB
    // in the 15 runs its counts fix, fixture qemu-tcg-4g-linux61) mapped its buffer in 9.208 ms
    // with 124 probe hits (at most 0.07 ms). Fitted with the 1 GiB boot's anon map but without
    // the 4 GiB boot's, the prices predict it to -8.7%; with the 4 GiB boot's and without the
    // 1 GiB boot's, to +56%. So the slow figure is not the BAR size and not the measured layout.
    const layout = loadFixture(new URL('../fixtures/real-kernel/qemu-tcg-4g-linux61.json', import.meta.url).pathname).layout;
    const io = perIoctlCounters(layout, kernelStrategy(parseKernelRelease('6.1.0-56-amd64')!)).find((g) => g.label.startsWith('anon_map1'))!;
    const obs: FitObservation[] = m.observations.map((o, i) => ({ id: o.id, counters: cal.counters[i]!, measuredNs: o.seconds * 1e9, firstRun: o.firstRun }));
    const without = (id: string): number => {
      const f = fitCosts(obs.filter((o) => o.id !== id), xeon.ns);
      return COUNTER_NAMES.reduce((t, n) => t + io.counters[n] * f.ns[n], 0) / 9.208e6 - 1;
    };
    const e1 = without(A4);
    const e4 = without(A1);
    assert.ok(Math.abs(e1) <= 0.1, `fit on the 1 GiB boot: ${(100 * e1).toFixed(1)}%`);
    assert.ok(e4 >= 0.5, `fit on the 4 GiB boot: ${(100 * e4).toFixed(1)}%`);
  });
});
