// run --explain (where each strategy's modelled time goes, by counter), and the pin-count table
// on a stored document older than some counters.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { newCounters, type Counters } from '../src/model/counters.ts';
import { explainFixture, explanationText, formatShare, unconstrainedWarning } from '../src/report/run/explain.ts';
import { gridText } from '../src/report/grid.ts';
import { formatMarkdown } from '../src/report/export/markdown.ts';
import { pinCountGrid } from '../src/report/run/pincount.ts';
import { formatTerminal } from '../src/report/run/terminal.ts';
import { loadProfile } from '../src/input/profile.ts';
import type { FixtureResult, RunDocument, StrategyResult } from '../src/model/result.ts';

const BIN = new URL('../bin/vfio-pin-bench.js', import.meta.url).pathname;
const P = 4194304; // 4 KiB pages of a 16 GiB BAR
const profile = loadProfile('xeon-e5-2.6ghz');

const counters = (over: Partial<Counters>): Counters => ({ ...newCounters(), ...over });

function strategy(name: string, map: Partial<Counters>, unmap: Partial<Counters>): StrategyResult {
  return {
    strategy: name, kernel: 'Linux 4.16', verdict: 'ok', requests: [],
    counters: { map: counters(map), unmap: counters(unmap) },
    iommuPtes: { '1073741824': 16 }, lockedVmPeak: 0,
    oracle: { ok: true, checkedPages: P, wrongPages: 0, detail: 'all pages match' },
    invariants: [],
    modelled: { profile: profile.name, mapNs: 0, unmapNs: 0 },
  };
}

// The 4.16 baseline on a 16 GiB BAR, per page: 2 mmap_sem reads, 1 GUP call, 2 find_vma,
// 2 is_invalid_reserved_pfn, 1 vaddr_get_pfn, 1 vm_pgoff look-up (profile derivation):
// 39.014 + 27.093 + 13.004 + 10.838 + 3.251 + 2.167 = 95.367 ns, so 0.400 s; shares 40.9%,
// 28.4%, 13.6%, 11.4%, then 3.4% and 2.3% (the "other" 6% once the four are rounded).
const baseline = strategy('baseline',
  { mmap_sem_read: 2 * P, get_user_pages_longterm: P, find_vma: 2 * P, is_invalid_reserved_pfn: 2 * P, vaddr_get_pfn: P, pfnmap_lookups: P },
  {});
const rfc = strategy('rfc', { vfio_ioctls: 1, iommu_map: 1, iommu_ptes: 16 }, { iotlb_sync: 16, iommu_unmap: 16 });
const fx: FixtureResult = {
  fixture: 'gpu-16g-bar', description: '', source: 'test',
  summary: { ramBytes: 0, barBytes: 16 * 2 ** 30, vmas: 1, requests: 1, mapBytes: 16 * 2 ** 30, mapPages: P, seed: 1 },
  strategies: [baseline, rfc],
};
const doc: RunDocument = {
  schemaVersion: 1, tool: { name: 'vfio-pin-bench', version: '0.1.0' },
  env: { node: 'v20', platform: 'linux', arch: 'x64', cpu: 'cpu', cores: 2 },
  options: { strategies: ['baseline', 'rfc'], profile: profile.name, timeMs: 1, iterations: 1, timed: false },
  fixtures: [fx],
};

describe('explain', () => {
  test('the baseline on a 16 GiB BAR: 0.400 s, mmap_sem first', () => {
    const [map, unmap] = explainFixture(fx, profile);
    assert.equal(map!.side, 'map');
    assert.ok(Math.abs(map!.totalNs - 0.4e9) < 0.001e9, String(map!.totalNs));
    // every counter of at least 1%: 40.9, 28.4, 13.6, 11.4, 3.4, 2.3 (they add up to 100%)
    assert.deepEqual(map!.parts.map((p) => p.counter), ['mmap_sem_read', 'get_user_pages_longterm', 'find_vma', 'is_invalid_reserved_pfn', 'vaddr_get_pfn', 'pfnmap_lookups']);
    assert.equal(explanationText(map!), '0.400 s: 41% mmap lock (read), 28% get_user_pages_longterm, 14% find_vma, 11% is_invalid_reserved_pfn, 3% vaddr_get_pfn, 2% VM_PFNMAP pfn look-ups, 1% other');
    assert.equal(explanationText(unmap!), 'no modelled work');
  });
  test('top and minShare; shares', () => {
    const [map] = explainFixture(fx, profile, { top: 2 });
    assert.equal(explanationText(map!), '0.400 s: 41% mmap lock (read), 28% get_user_pages_longterm, 31% other');
    const [, , rfcMap] = explainFixture(fx, profile, { minShare: 0.2 });
    // 600 ns ioctl + 250 ns iommu_map + 16 x 40 ns PTEs = 1490 ns: 40%, 17%, 43%
    assert.equal(explanationText(rfcMap!), '1.49 us: 43% IOMMU PTEs written, 40% VFIO ioctls, 17% other');
    assert.deepEqual([0, 0.004, 0.005, 0.414].map(formatShare), ['0%', '<1%', '1%', '41%']);
  });
  test('terminal: after the verdicts, one line per strategy and side; not without --explain', () => {
    const text = formatTerminal(doc, { color: false, tables: true, explain: profile });
    const verdict = text.indexOf('Verdict (oracle');
    const explain = text.indexOf('Where the modelled time goes (cost profile xeon-e5-2.6ghz');
    assert.ok(verdict > 0 && explain > verdict);
    const lines = text.slice(explain).trimEnd().split('\n').slice(1);
    assert.deepEqual(lines.map((l) => l.slice(0, 20)), ['  baseline  map    0', '            unmap  n', '  rfc       map    1', '            unmap  2', 'warning: profile xeo']);
    // the seed calibration constrains the six per-page counters; the rfc's ioctl, iommu_map and
    // PTE prices, and the unmap side, are estimates: 640 of 1490 ns (43%) IOMMU PTEs, 600 (40%)
    // ioctl, 250 (17%) iommu_map; unmap 16 x 1000 ns syncs (80%), 16 x 250 ns iommu_unmap (20%)
    assert.equal(lines[4], 'warning: profile xeon-e5-2.6ghz leaves unconstrained (no measurement behind the price) counters this run moved: ' +
      'iotlb_sync (rfc unmap 80%), iommu_ptes (rfc map 43%), vfio_ioctls (rfc map 40%), iommu_unmap (rfc unmap 20%), iommu_map (rfc map 17%)');
    assert.doesNotMatch(formatTerminal(doc, { color: false }), /Where the modelled time goes/);
    // the default summary (issue 13) ends with the same section
    const summary = formatTerminal(doc, { color: false, explain: profile });
    assert.match(summary, /Where the modelled time goes[^]*\n {2}baseline  map    0/);
  });
  test('markdown: a section with a bullet per strategy and side', () => {
    const md = formatMarkdown(doc, { explain: profile });
    assert.match(md, /### Where the modelled time goes\n\n.*\n\n- `baseline` map: 0\.400 s: 41% mmap lock \(read\), /);
    assert.match(md, /- `rfc` unmap: 20\.0 us: 80% IOTLB syncs, 20% iommu_unmap\n/);
    assert.doesNotMatch(formatMarkdown(doc), /Where the modelled time goes/);
  });
  test('unpriced work: counters moved at 0 ns, largest count first', () => {
    const zero = { ...profile, ns: { ...profile.ns, pfnmap_lookups: 0 } };
    const withDerived = strategy('baseline', { ...baseline.counters.map, pages_pinned: P, vmacache_hits: 2 * P }, {});
    const [map] = explainFixture({ ...fx, strategies: [withDerived] }, zero);
    assert.deepEqual(map!.unpriced, [{ counter: 'vmacache_hits', count: 2 * P }, { counter: 'pages_pinned', count: P }, { counter: 'pfnmap_lookups', count: P }]);
    assert.match(explanationText(map!), /; unpriced: 8,388,608 vmacache hits, 4,194,304 pages pinned, 4,194,304 VM_PFNMAP pfn look-ups$/);
  });
  test('no warning from a profile without a fit record, or when the run moves only fitted counters', () => {
    const { fit: _, ...bare } = profile;
    assert.equal(unconstrainedWarning(fx, bare), null);
    assert.equal(unconstrainedWarning({ ...fx, strategies: [baseline] }, profile), null);
  });
  test('bin: run --explain', async () => {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'run', '--no-timing', '--bar', '1G', '-s', 'baseline,rfc', '--explain'], { env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }));
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Where the modelled time goes[^]*\n {2}baseline +map +0\.025 s: 41% mmap lock \(read\), 28% get_user_pages_longterm, /);
    assert.match(r.stdout, /\n {2}rfc +map +\d/);
  });
});

describe('pin-count table: an older stored document', () => {
  test('a counter the document lacks shows "-", never "undefined"', () => {
    const old = strategy('old', { follow_pte: 0 }, {});
    delete (old.counters.map as Partial<Counters>).follow_pte;
    delete (old as Partial<StrategyResult>).lockedVmPeak;
    const now = strategy('new', { follow_pte: 7 }, {});
    const g = pinCountGrid({ ...fx, strategies: [old, now] });
    const text = gridText(g);
    assert.deepEqual(text.find((r) => r[1] === 'follow_pte')!.slice(2), ['-', '7']);
    assert.ok(!JSON.stringify(text).includes('undefined'));
    // only the old strategy: the row is empty, so left out unless verbose; verbose shows "-"
    const alone = { ...fx, strategies: [old] };
    assert.ok(!gridText(pinCountGrid(alone)).some((r) => r[1] === 'follow_pte'));
    assert.deepEqual(gridText(pinCountGrid(alone, true)).find((r) => r[1] === 'follow_pte')!.slice(2), ['-']);
    assert.deepEqual(gridText(pinCountGrid(alone, true)).find((r) => r[1] === 'locked_vm peak (pages)')!.slice(2), ['-']);
    assert.ok(!JSON.stringify(gridText(pinCountGrid(alone, true))).includes('undefined'));
  });
});
