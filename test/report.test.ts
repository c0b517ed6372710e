// report/: pure functions from a fixed, hand-made RunDocument to strings.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { COUNTER_NAMES, counterDef, newCounters, type Counters } from '../src/model/counters.ts';
import type { Layout } from '../src/model/layout.ts';
import type { FixtureResult, RunDocument, StrategyResult } from '../src/model/result.ts';
import { gridText, renderMarkdownTable, renderTable, type Grid } from '../src/report/grid.ts';
import { headerLine } from '../src/report/run/header.ts';
import { formatJson } from '../src/report/export/json.ts';
import { requestGrid, vmaGrid } from '../src/report/show/layout-tables.ts';
import { formatMarkdown } from '../src/report/export/markdown.ts';
import { pinCountGrid } from '../src/report/run/pincount.ts';
import { makeChalk } from '../src/report/style.ts';
import { formatTerminal } from '../src/report/run/terminal.ts';
import { loadProfile } from '../src/input/profile.ts';
import { timingGrid } from '../src/report/run/timing.ts';
import {
  formatBytes, formatCount, formatDuration, formatModelled, formatPageSize, formatSpeedup,
} from '../src/report/units.ts';
import { verdictCell, verdictLines } from '../src/report/run/verdict.ts';

const GiB = 1024 ** 3;
const BAR = 16 * GiB; // 17179869184
const PAGES = BAR / 4096; // 4194304
const ANSI = /\x1b\[/;

function counters(over: Partial<Counters>): Counters {
  return { ...newCounters(), ...over };
}

function strategy(over: Partial<StrategyResult> & Pick<StrategyResult, 'strategy' | 'kernel'>): StrategyResult {
  return {
    verdict: 'ok',
    requests: [
      { index: 0, op: 'map', iova: 0x380000000000, size: BAR, vaddr: 0x7f8000000000, ret: 0, errno: '0', runs: 1 },
      { index: 1, op: 'unmap', iova: 0x380000000000, size: BAR, ret: 0, errno: '0', unmapped: BAR },
    ],
    counters: { map: newCounters(), unmap: newCounters() },
    iommuPtes: { '4096': 0, '1073741824': 16 },
    lockedVmPeak: 0,
    oracle: { ok: true, checkedPages: PAGES, wrongPages: 0, detail: 'all 4194304 pages match the page tables' },
    invariants: [{ name: 'iommu-empty', ok: true, severity: 'error', detail: 'IOMMU empty after unmap' }],
    modelled: { profile: 'xeon-e5-2.6ghz', mapNs: 0, unmapNs: 0 },
    ...over,
  };
}

const baseline = strategy({
  strategy: 'baseline',
  kernel: 'Linux 4.16',
  counters: {
    map: counters({ pages_pinned: PAGES, vfio_pin_pages_remote: 1, vaddr_get_pfn: PAGES, mmap_sem_read: PAGES, find_vma: PAGES, iommu_map: 1, iommu_ptes: 16 }),
    unmap: counters({ iommu_iova_to_phys: 16, iommu_unmap: 16, iommu_ptes_cleared: 16, put_pfn: PAGES }),
  },
  invariants: [
    { name: 'iommu-empty', ok: true, severity: 'error', detail: 'IOMMU empty after unmap' },
    { name: 'zero-page-refs', ok: false, severity: 'warn', detail: '12 zero-page references leaked' },
  ],
  modelled: { profile: 'xeon-e5-2.6ghz', mapNs: 400e6, unmapNs: 20e6 },
  timing: {
    map: { mean: 1_234_000, p50: 1_200_000, p99: 2_500_000, min: 1e6, max: 3e6, sd: 1e5, rme: 0.84, samples: 1234 },
    unmap: { mean: 850, p50: 800, p99: 999, min: 700, max: 1200, sd: 50, rme: 1.25, samples: 25000 },
  },
});

const rfc = strategy({
  strategy: 'rfc',
  kernel: '2018 RFC',
  verdict: 'unsafe',
  requests: [
    { index: 0, op: 'map', iova: 0x380000000000, size: BAR, vaddr: 0x7f8000000000, ret: 0, errno: '0', runs: 1 },
    { index: 3, op: 'map', iova: 0x0, size: 4 * GiB, vaddr: 0x7f0000000000, ret: -12, errno: '-ENOMEM' },
  ],
  counters: {
    map: counters({ pages_pinned: PAGES, vfio_pin_pages_remote: 1, vaddr_get_pfn: 1, pfnmap_shortcut: 1, mmap_sem_read: 1, find_vma: 1, iommu_map: 1, iommu_ptes: 16 }),
    unmap: counters({ iommu_iova_to_phys: 16, iommu_unmap: 16, iommu_ptes_cleared: 16, put_pfn: 16 }),
  },
  oracle: {
    ok: false, checkedPages: PAGES, wrongPages: 32768,
    firstBad: { iova: 0x380400000000, vaddr: 0x7f8400000000, expectedPfn: 0x3b0400000, actualPfn: 0x3b0800000 },
    detail: '32768 pages map the wrong pfn',
  },
  modelled: { profile: 'xeon-e5-2.6ghz', mapNs: 1500, unmapNs: 20e6 },
  timing: {
    map: { mean: 2000, p50: 1900, p99: 4000, min: 1500, max: 9000, sd: 100, rme: 2.5, samples: 99999 },
    unmap: { mean: 900, p50: 880, p99: 1000, min: 700, max: 1200, sd: 50, rme: 1.0, samples: 24000 },
  },
});

const broken = strategy({
  strategy: 'v4.17',
  kernel: 'Linux 4.17',
  verdict: 'broken',
  invariants: [
    { name: 'pages-unpinned', ok: false, severity: 'error', detail: '4096 pages still pinned after unmap' },
    { name: 'locked-vm-zero', ok: false, severity: 'error', detail: 'locked_vm is 4096 pages after unmap' },
  ],
  modelled: { profile: 'xeon-e5-2.6ghz', mapNs: 0, unmapNs: 0 },
});

const fixture: FixtureResult = {
  fixture: 'gpu-16g-bar',
  description: 'QEMU VM with a 16 GiB GPU BAR mapped for peer-to-peer',
  source: 'fixtures/gpu-16g-bar.json',
  summary: { ramBytes: 4 * GiB, barBytes: BAR, vmas: 2, requests: 2, mapBytes: BAR, mapPages: PAGES, seed: 1 },
  strategies: [baseline, rfc],
};

const doc: RunDocument = {
  schemaVersion: 1,
  tool: { name: 'vfio-pin-bench', version: '0.1.0' },
  env: { node: 'v20.20.0', platform: 'linux', arch: 'x64', cpu: 'Intel(R) Xeon(R) CPU E5-2690 0 @ 2.90GHz', cores: 16 },
  options: { strategies: ['baseline', 'rfc'], profile: 'xeon-e5-2.6ghz', timeMs: 500, iterations: 5, timed: true },
  fixtures: [fixture],
};

const untimed: RunDocument = { ...doc, options: { ...doc.options, timed: false } };

function row(g: Grid, label: string, col = 1): string[] {
  const r = gridText(g).find((cells) => cells[col] === label);
  assert.ok(r, `no row "${label}" in ${JSON.stringify(gridText(g).map((c) => c[col]))}`);
  return r;
}

describe('units', () => {
  test('modelled time in the maintainer\'s style', () => {
    assert.equal(formatModelled(400e6, 17179869184), '0.400 s (42.9 GB/s)');
    assert.equal(formatModelled(47e6, 16e9), '0.047 s (340.4 GB/s)');
    assert.equal(formatModelled(1500, 0), '1.50 us');
    assert.equal(formatModelled(1500, BAR), '1.50 us (11,453,246 GB/s)');
  });
  test('speed-up', () => {
    assert.equal(formatSpeedup(400e6, 400e6), '1.0x');
    assert.equal(formatSpeedup(400e6, 1500), '266667x');
    assert.equal(formatSpeedup(400e6, 32e6), '12.5x');
    assert.equal(formatSpeedup(400e6, 0), '-');
  });
  test('counts, durations, sizes', () => {
    assert.equal(formatCount(4194304), '4,194,304');
    assert.equal(formatCount(999), '999');
    assert.equal(formatCount(1000), '1,000');
    assert.equal(formatCount(2 ** 53 - 1), '9,007,199,254,740,991');
    assert.equal(formatDuration(850), '850 ns');
    assert.equal(formatDuration(12_345), '12.3 us');
    assert.equal(formatDuration(999_600), '1.00 ms');
    assert.equal(formatDuration(1_234_000), '1.23 ms');
    assert.equal(formatDuration(2.5e9), '2.50 s');
    assert.equal(formatBytes(BAR), '16 GiB');
    assert.equal(formatBytes(4 * GiB, ''), '4GiB');
    assert.equal(formatBytes(1536 * 1024), '1.5 MiB');
    assert.equal(formatPageSize(4096), '4K');
    assert.equal(formatPageSize(2 * 1024 * 1024), '2M');
    assert.equal(formatPageSize(GiB), '1G');
  });
});

describe('header', () => {
  test('fixture, description, summary, node and cpu on one line', () => {
    const line = headerLine(doc, fixture, makeChalk(false));
    assert.equal(line,
      'gpu-16g-bar: QEMU VM with a 16 GiB GPU BAR mapped for peer-to-peer | RAM 4 GiB, BAR 16 GiB, ' +
      '4,194,304 pages to map (16 GiB), 2 DMA requests, placement seed 1 | node v20.20.0, Intel(R) Xeon(R) CPU E5-2690 0 @ 2.90GHz (16 cores)');
  });
});

describe('timing table', () => {
  test('modelled time and speed-up against the baseline', () => {
    const g = timingGrid(doc, fixture);
    assert.deepEqual(g.head, ['strategy', 'op', 'simulator mean', 'p99', 'samples', 'modelled kernel (xeon-e5-2.6ghz)', 'vs baseline']);
    const [bMap, bUnmap, rMap, rUnmap] = gridText(g);
    assert.deepEqual(bMap, ['baseline', 'map', '1.23 ms ± 0.8%', '2.50 ms', '1,234', '0.400 s (42.9 GB/s)', '1.0x']);
    assert.deepEqual(bUnmap, ['', 'unmap', '850 ns ± 1.3%', '999 ns', '25,000', '0.020 s (859.0 GB/s)', '1.0x']);
    assert.deepEqual(rMap, ['rfc', 'map', '2.00 us ± 2.5%', '4.00 us', '99,999', '1.50 us (11,453,246 GB/s)', '266667x']);
    assert.equal(rUnmap?.[6], '1.0x');
  });
  test('without timing data only the modelled columns', () => {
    const g = timingGrid(untimed, fixture);
    assert.deepEqual(g.head, ['strategy', 'op', 'modelled kernel (xeon-e5-2.6ghz)', 'vs baseline']);
    assert.deepEqual(gridText(g)[0], ['baseline', 'map', '0.400 s (42.9 GB/s)', '1.0x']);
  });
  test('speed-up is against the baseline even when it is not the first column', () => {
    const g = timingGrid(doc, { ...fixture, strategies: [rfc, baseline] });
    assert.equal(row(g, 'map', 1)[6], '266667x');
  });
});

describe('pin-count table', () => {
  const g = pinCountGrid(fixture);
  test('one column per strategy, thousands separators', () => {
    assert.deepEqual(g.head, ['', 'counter', 'baseline', 'rfc']);
    assert.deepEqual(row(g, 'pages pinned'), ['map', 'pages pinned', '4,194,304', '4,194,304']);
    assert.deepEqual(row(g, 'vaddr_get_pfn'), ['', 'vaddr_get_pfn', '4,194,304', '1']);
  });
  test('map side first, then unmap side', () => {
    const labels = gridText(g).map((r) => r[0]);
    assert.equal(labels.indexOf('map'), 0);
    const unmapAt = labels.indexOf('unmap');
    assert.ok(unmapAt > labels.indexOf('map'));
    assert.deepEqual(gridText(g)[unmapAt]?.slice(1), ['iommu_iova_to_phys', '16', '16']);
    const putPfn = gridText(g).filter((r) => r[1] === 'put_pfn');
    assert.deepEqual(putPfn, [['', 'put_pfn', '4,194,304', '16']]); // unmap side only: map side is zero
  });
  test('IOMMU PTEs by size, largest first', () => {
    assert.deepEqual(row(g, 'IOMMU PTEs by size').slice(2), ['1G: 16, 4K: 0', '1G: 16, 4K: 0']);
  });
  test('rows zero for every strategy are dropped unless verbose', () => {
    const labels = gridText(g).map((r) => r[1]);
    assert.ok(!labels.includes('get_user_pages_longterm'));
    assert.ok(!labels.includes('locked_vm peak (pages)'));
    const verbose = gridText(pinCountGrid(fixture, true)).map((r) => r[1]);
    assert.ok(verbose.includes('get_user_pages_longterm'));
    assert.ok(verbose.includes('locked_vm peak (pages)'));
    assert.equal(verbose.filter((l) => l === 'get_user_pages_longterm').length, 2); // both sides
  });
  test('verdict row', () => {
    assert.deepEqual(row(g, 'verdict').slice(2), ['ok', 'UNSAFE (-ENOMEM)']);
    assert.equal(verdictCell(broken).text, 'BROKEN');
    assert.equal(verdictCell(broken).tone, 'bad');
  });
  test('every counter has a row label of its own', () => {
    const labels = COUNTER_NAMES.map((n) => counterDef(n).label);
    assert.equal(new Set(labels).size, labels.length);
    for (const l of labels) assert.ok(l.length > 0);
  });
});

describe('verdicts', () => {
  test('UNSAFE names the wrong-page count and the first bad IOVA in hex', () => {
    const [first, ...rest] = verdictLines(rfc);
    assert.equal(first?.text, 'UNSAFE: 32768 wrong pages, first at iova 0x380400000000 (expected pfn 0x3b0400000, got 0x3b0800000)');
    assert.equal(first?.tone, 'bad');
    assert.deepEqual(rest.map((l) => l.text), ['request 3 (map 0x0+4GiB): -ENOMEM']);
  });
  test('ok with a warn-level invariant in yellow', () => {
    const lines = verdictLines(baseline);
    assert.deepEqual(lines, [
      { text: 'ok', tone: 'ok' },
      { text: 'warn: zero-page-refs: 12 zero-page references leaked', tone: 'warn' },
    ]);
    assert.ok(verdictLines(baseline, true).some((l) => l.text === 'pass: iommu-empty'));
  });
  test('BROKEN gives the failed invariant', () => {
    const lines = verdictLines(broken).map((l) => l.text);
    assert.deepEqual(lines, ['BROKEN: 4096 pages still pinned after unmap', 'error: locked-vm-zero: locked_vm is 4096 pages after unmap']);
  });
  test('a missing pfn reads as no mapping', () => {
    const s = { ...rfc, oracle: { ...rfc.oracle, firstBad: { iova: 0x1000, vaddr: 0x2000, expectedPfn: 0x10, actualPfn: null } } };
    assert.match(verdictLines(s)[0]?.text ?? '', /first at iova 0x1000 \(expected pfn 0x10, got no mapping\)$/);
  });
});

describe('whole reports', () => {
  test('terminal: no ANSI escapes when color is false, escapes when true', () => {
    const plain = formatTerminal(doc, { color: false, tables: true });
    assert.doesNotMatch(plain, ANSI);
    assert.match(plain, /0\.400 s \(42\.9 GB\/s\)/);
    assert.match(plain, /UNSAFE: 32768 wrong pages/);
    assert.match(formatTerminal(doc, { color: true }), ANSI);
    assert.match(formatTerminal(doc, { color: true, tables: true }), ANSI);
  });
  // Issue 13 changed the default terminal report on purpose: a summary per strategy and side
  // (the full tables moved behind --tables / --verbose), at most 100 columns.
  test('terminal summary (the default): a line per strategy and side, findings wrapped, at most 100 columns', () => {
    const text = formatTerminal(doc, { color: false, profile: loadProfile('xeon-e5-2.6ghz') });
    const lines = text.split('\n');
    assert.ok(lines.every((l) => l.length <= 100), lines.find((l) => l.length > 100));
    assert.match(text, /^strategy +side +modelled +speed-up +simulator +costliest counters \(count\) +verdict$/m);
    assert.match(text, /^baseline +map +0\.400 s +1\.0x +1\.23 ms ±1% .* ok$/m);
    assert.match(text, /^rfc +map +1\.50 us +266667x +2\.00 us ±3% .* UNSAFE \(-ENOMEM\)$/m);
    assert.match(text, /^ {2}rfc +UNSAFE: 32768 wrong pages, first at iova 0x380400000000/m);
    assert.match(text, /--tables/);
    assert.doesNotMatch(text, /┌/);
    // at 80 columns too
    assert.ok(formatTerminal(doc, { color: false, width: 80 }).split('\n').every((l) => l.length <= 80));
  });
  test('terminal tables: split by columns to fit the terminal, the row names repeated', () => {
    const wide = formatTerminal(doc, { color: false, tables: true });
    const narrow = formatTerminal(doc, { color: false, tables: true, width: 60 });
    assert.ok(wide.split('\n').some((l) => l.length > 60));
    const tableLines = narrow.split('\n').filter((l) => /^[┌│├└]/.test(l));
    assert.ok(tableLines.every((l) => l.length <= 60), tableLines.find((l) => l.length > 60));
    // the timing table (7 columns, 2 kept: strategy and op) comes in more than one piece
    assert.ok(narrow.split('\n').filter((l) => /^│ strategy +│ op +│/.test(l)).length >= 2);
  });
  test('a table with one long text column: that column wraps to the width', () => {
    const g = { head: ['name', 'description'], align: ['left', 'left'] as ('left' | 'right')[], rows: [[{ text: 'x' }, { text: 'word '.repeat(30).trim() }]] };
    const lines = renderTable(g, makeChalk(false), 40).split('\n');
    assert.ok(lines.every((l) => l.length <= 40), lines.find((l) => l.length > 40));
    assert.equal(lines.join(' ').match(/word/g)!.length, 30); // nothing lost
    assert.ok(renderTable(g, makeChalk(false)).split('\n').some((l) => l.length > 150)); // no width: one line
  });
  test('markdown: header separator row and the same cells', () => {
    const md = formatMarkdown(doc);
    assert.doesNotMatch(md, ANSI);
    assert.match(md, /^\| strategy \| op \| simulator mean \| p99 \| samples \| modelled kernel \(xeon-e5-2\.6ghz\) \| vs baseline \|$/m);
    assert.match(md, /^\| --- \| --- \| ---: \| ---: \| ---: \| ---: \| ---: \|$/m);
    assert.match(md, /^\| \*\*baseline\*\* \| map \| 1\.23 ms ± 0\.8% \| 2\.50 ms \| 1,234 \| 0\.400 s \(42\.9 GB\/s\) \| 1\.0x \|$/m);
    assert.match(md, /^\|  \| counter \| baseline \| rfc \|$/m);
    assert.match(md, /\*\*UNSAFE: 32768 wrong pages, first at iova 0x380400000000/);
  });
  test('markdown escapes pipes in cells', () => {
    const md = renderMarkdownTable({ head: ['a'], align: ['left'], rows: [[{ text: 'VM_IO|VM_PFNMAP' }]] });
    assert.equal(md, '| a |\n| --- |\n| VM_IO\\|VM_PFNMAP |');
  });
  test('json is the document unchanged', () => {
    const text = formatJson(doc);
    assert.deepEqual(JSON.parse(text), doc);
    assert.equal(text, JSON.stringify(doc, null, 2) + '\n');
  });
});

describe('layout tables (show)', () => {
  const layout: Layout = {
    name: 'gpu', description: 'one BAR',
    system: { seed: 1, memlock: null, capIpcLock: false, disableHugepages: false, dmaEntryLimit: 65535, iommuType: 'type1v2', iommu: { pgsizes: [4096, 2 ** 21, GiB], fgsp: false } },
    ram: [{ name: 'ram0', base: 4 * GiB, size: 4 * GiB }],
    mmio: [{ name: 'bar0', base: 0x3b0000000000, size: BAR }],
    vmas: [{
      name: 'gpu-bar', start: 0x7f8000000000, size: BAR, flags: ['VM_READ', 'VM_WRITE', 'VM_IO', 'VM_PFNMAP'],
      backing: { kind: 'pfnmap', mmio: 'bar0', offset: 0, touched: false, populated: 'mmap', leafSize: 4096 },
    }],
    requests: [
      { op: 'map', label: 'p2p', vaddr: 0x7f8000001000, iova: 0x380000000000, size: BAR - 4096, read: true, write: true },
      { op: 'unmap', iova: 0x380000000000, size: BAR },
    ],
  };
  test('VMAs: range, size, flags, backing', () => {
    assert.deepEqual(gridText(vmaGrid(layout)), [[
      'gpu-bar', '0x7f8000000000-0x7f8400000000', '16 GiB', 'VM_READ|VM_WRITE|VM_IO|VM_PFNMAP',
      'pfnmap bar0+0x0, untouched (what-if: ptes at mmap, leaves up to 4K)',
    ]]);
  });
  test('requests name the VMA and offset', () => {
    assert.deepEqual(gridText(requestGrid(layout)), [
      ['0', 'map', 'p2p', 'gpu-bar+0x1000', '0x380000000000', '16 GiB', 'rw'],
      ['1', 'unmap', '', '', '0x380000000000', '16 GiB', ''],
    ]);
  });
});
