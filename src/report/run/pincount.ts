// Pin-count table: one column per strategy, one row per counter, map side then unmap side,
// ending with the verdict row. Rows that are zero for every strategy are left out unless verbose.

import { counterDef, counterOrder, type CounterName } from '../../model/counters.ts';
import type { FixtureResult, StrategyResult } from '../../model/result.ts';
import { cell, type Cell, type Grid } from '../grid.ts';
import { formatCount, formatPageSize } from '../units.ts';
import { verdictCell } from './verdict.ts';

type Side = 'map' | 'unmap';

interface RowSpec {
  side: Side;
  label: string;
  /** the cell for one strategy, and whether it counts as zero. */
  value: (s: StrategyResult, fx: FixtureResult) => { text: string; zero: boolean };
}

const LOCKED_VM_PEAK = 'locked_vm_peak';
const PTES_BY_SIZE = 'iommu_ptes_by_size';
type Item = CounterName | typeof LOCKED_VM_PEAK | typeof PTES_BY_SIZE;

/** The counters in the kernel's order of work on each side (model/counters.ts), with the
 *  locked_vm peak after the locked_vm updates and the PTEs by size after the PTE count. */
function sideItems(side: Side): Item[] {
  const items: Item[] = [];
  for (const n of counterOrder(side)) {
    items.push(n);
    if (side === 'map' && n === 'locked_vm_updates') items.push(LOCKED_VM_PEAK);
    if (side === 'map' && n === 'iommu_ptes') items.push(PTES_BY_SIZE);
  }
  return items;
}

/** IOMMU page sizes seen by any strategy, largest first. */
function pteSizes(fx: FixtureResult): number[] {
  const sizes = new Set<number>();
  for (const s of fx.strategies) for (const k of Object.keys(s.iommuPtes ?? {})) sizes.add(Number(k));
  return [...sizes].sort((a, b) => b - a);
}

/** "1G: 16, 2M: 0, 4K: 0" over the sizes any strategy used, so columns compare. */
function ptesBySizeText(s: StrategyResult, sizes: number[]): string {
  if (s.iommuPtes === undefined) return '-';
  return sizes.map((size) => `${formatPageSize(size)}: ${formatCount(s.iommuPtes[String(size)] ?? 0)}`).join(', ');
}

function spec(side: Side, item: Item): RowSpec {
  if (item === LOCKED_VM_PEAK) {
    return {
      side,
      label: 'locked_vm peak (pages)',
      value: (s) => (s.lockedVmPeak === undefined ? { text: '-', zero: true } : { text: formatCount(s.lockedVmPeak), zero: s.lockedVmPeak === 0 }),
    };
  }
  if (item === PTES_BY_SIZE) {
    return {
      side,
      label: 'IOMMU PTEs by size',
      value: (s, fx) => ({
        text: ptesBySizeText(s, pteSizes(fx)),
        zero: Object.values(s.iommuPtes ?? {}).every((n) => n === 0),
      }),
    };
  }
  return {
    side,
    label: counterDef(item).label,
    value: (s) => {
      // undefined: a stored document written before this counter existed
      const n = s.counters[side][item] as number | undefined;
      return n === undefined ? { text: '-', zero: true } : { text: formatCount(n), zero: n === 0 };
    },
  };
}

const ROW_SPECS: readonly RowSpec[] = [
  ...sideItems('map').map((i) => spec('map', i)),
  ...sideItems('unmap').map((i) => spec('unmap', i)),
];

export function pinCountGrid(fx: FixtureResult, verbose = false): Grid {
  const head = ['', 'counter', ...fx.strategies.map((s) => s.strategy)];
  const align: Grid['align'] = ['left', 'left', ...fx.strategies.map(() => 'right' as const)];
  const rows: Cell[][] = [];
  let lastSide: Side | undefined;
  for (const r of ROW_SPECS) {
    const values = fx.strategies.map((s) => r.value(s, fx));
    if (!verbose && values.every((v) => v.zero)) continue;
    rows.push([
      cell(r.side === lastSide ? '' : r.side, 'strong'),
      cell(r.label),
      ...values.map((v) => cell(v.text, v.zero ? 'dim' : undefined)),
    ]);
    lastSide = r.side;
  }
  rows.push([cell(''), cell('verdict', 'strong'), ...fx.strategies.map(verdictCell)]);
  return { head, align, rows, keep: 2 };
}
