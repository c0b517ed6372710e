// `check`: a real host's kprobe_profile deltas against the simulator on the same fixture and
// kernel. Snapshots in order make steps (each later snapshot minus the one before); a step is
// held against one fixture request when there are as many steps as requests, or against all of
// them when there is one step. Call counters are named after the function a kprobe counts
// (model/counters.ts), so a row is one function: equal in every step, or not.

import { Kernel } from '../kernel/kernel.ts';
import { COUNTER_NAMES, counterDef, isCounterName, newCounters, type CounterName, type Counters } from '../model/counters.ts';
import { InputError } from '../model/errors.ts';
import { rowDiffers, type CheckCell, type CheckReport, type CheckRow, type CheckRowKind, type CheckStep } from '../model/check.ts';
import type { Layout } from '../model/layout.ts';
import { functionOfEvent, type KprobeCapture, type Snapshot } from '../input/kprobe-profile.ts';
import type { Strategy } from '../strategies/strategy.ts';
import { issue, release } from './simulate.ts';

/** Call counters a kprobe on that name does not match one to one: shown, never judged. */
const NOT_JUDGED: Partial<Record<CounterName, { kind: CheckRowKind; why: string }>> = {
  is_invalid_reserved_pfn: {
    kind: 'inlined',
    why: 'static in vfio_iommu_type1.c and inlined at some call sites in some builds, so its kprobe undercounts ' +
      '(Debian 6.1: 1,048,577 hits on a 4 GiB BAR map where the code calls it 2,097,153 times)',
  },
  put_pfn: { kind: 'inlined', why: 'static and small in vfio_iommu_type1.c: inlined in some builds, so its kprobe undercounts or cannot be placed' },
  find_vma: {
    kind: 'not-one-to-one',
    why: 'the counter sums every VMA look-up of the path (find_vma_intersection, vma_lookup, GUP\'s); a kprobe on find_vma ' +
      'counts calls of that one symbol, from every process',
  },
  follow_page_mask: { kind: 'not-one-to-one', why: 'every GUP on the host walks with it, and it is static (inlined in some builds)' },
  handle_mm_fault: { kind: 'not-one-to-one', why: 'every page fault of every process on the host goes through it' },
};

/** The functions docs/real-kernel.md and scripts/capture-kprobes.sh probe: every call counter a
 *  kprobe on a quiet host counts one to one, over all the eras (each kernel has some of them). */
export const KPROBE_FUNCTIONS: readonly CounterName[] = [
  'vfio_pin_pages_remote', 'vaddr_get_pfn', 'vaddr_get_pfns', 'get_user_pages_longterm', 'pin_user_pages_remote',
  'follow_pfn', 'follow_pte', 'follow_pfnmap_start', 'fixup_user_fault', 'vfio_pci_mmap_fault', 'vfio_pci_mmap_huge_fault',
  'iommu_map', 'intel_iommu_map', 'intel_iommu_map_pages', 'vfio_unmap_unpin', 'iommu_iova_to_phys', 'iommu_unmap',
  'iommu_unmap_fast', 'intel_iommu_unmap', 'intel_iommu_unmap_pages', 'vfio_unpin_pages_remote',
  'unpin_user_pages_dirty_lock', 'unpin_user_page_range_dirty_lock',
];

/** Modules whose name the kernel puts in an auto-named event ("p MOD:SYM" -> "p_MOD_SYM_0"). */
const MODULE_PREFIX = /^(?:vfio_iommu_type1|vfio_pci_core|vfio_pci|vfio|intel_iommu|iommu)_(.+)$/;

interface StepSpan {
  before: Snapshot;
  after: Snapshot;
}

/** Counter deltas per fixture request on a fresh kernel; `withRelease` adds the container release as one more. */
function simulateSteps(layout: Layout, strategy: Strategy, withRelease: boolean): { deltas: Counters[]; rets: number[] } {
  const k = new Kernel(layout, strategy);
  const deltas: Counters[] = [];
  const rets: number[] = [];
  const measure = (fn: () => void): Counters => {
    const before = { ...k.c };
    fn();
    const d = newCounters();
    for (const n of COUNTER_NAMES) d[n] = k.c[n] - before[n];
    return d;
  };
  for (const r of layout.requests) deltas.push(measure(() => rets.push(issue(k, r).ret)));
  if (withRelease) deltas.push(measure(() => release(k)));
  return { deltas, rets };
}

/** Every snapshot after the first, less the one before it; a probe that appeared, vanished or went back is bad input. */
function spans(snapshots: Snapshot[]): StepSpan[] {
  const out: StepSpan[] = [];
  for (let i = 1; i < snapshots.length; i++) {
    const before = snapshots[i - 1]!;
    const after = snapshots[i]!;
    for (const [event, e] of after.entries) {
      const b = before.entries.get(event);
      if (b === undefined) {
        throw new InputError(`${after.file}:${e.line}: event ${event} is not in the snapshot before it ("${before.label}", ` +
          `${before.file}:${before.line}): add every probe before the first snapshot`);
      }
      if (e.hits < b.hits || e.missed < b.missed) {
        throw new InputError(`${after.file}:${e.line}: event ${event} went down from ${b.hits} to ${e.hits} hits: ` +
          'the probe was removed and added again between the snapshots');
      }
    }
    for (const [event, b] of before.entries) {
      if (!after.entries.has(event)) {
        throw new InputError(`${after.file}:${after.line}: event ${event} (${before.file}:${b.line}) is missing from snapshot "${after.label}"`);
      }
    }
    out.push({ before, after });
  }
  return out;
}

/** Which fixture requests each step covers: one each, or all of them in one step. */
function pairSteps(nSteps: number, nRequests: number, file: string, withRelease: boolean): number[][] {
  const n = nRequests + (withRelease ? 1 : 0);
  const all = Array.from({ length: n }, (_, i) => i);
  if (nSteps === 1) return [all];
  if (nSteps === n) return all.map((i) => [i]);
  throw new InputError(`${file}: ${nSteps} steps (snapshots after the first) but the fixture has ${nRequests} requests` +
    `${withRelease ? ' and the release' : ''}: give one step per request, or one step for all of them`);
}

function mapFunction(event: string, cap: KprobeCapture): { fn: string } | { why: string } {
  const got = functionOfEvent(event, cap.probes);
  if ('why' in got || isCounterName(got.fn)) return got;
  const m = MODULE_PREFIX.exec(got.fn);
  return m !== null && isCounterName(m[1]!) ? { fn: m[1]! } : got;
}

export interface CheckInput {
  capture: KprobeCapture;
  /** the capture files as given. */
  files: string[];
  layout: Layout;
  fixture: string;
  strategy: Strategy;
  kernelRelease: string;
  /** the last step also covers closing the container (the program exited inside it). */
  withRelease: boolean;
}

export function checkCapture(input: CheckInput): CheckReport {
  const { capture, layout, strategy, withRelease } = input;
  if (capture.snapshots.length < 2) {
    throw new InputError(`${capture.file}: one snapshot only: a check needs kprobe_profile before and after (two files, or "==" sections in one)`);
  }
  const steps = spans(capture.snapshots);
  const pairs = pairSteps(steps.length, layout.requests.length, capture.file, withRelease);
  const sim = simulateSteps(layout, strategy, withRelease);

  // events -> functions
  const byFn = new Map<string, string[]>();
  const unmapped: { event: string; why: string }[] = [];
  for (const event of capture.snapshots[0]!.entries.keys()) {
    const got = mapFunction(event, capture);
    if ('why' in got) unmapped.push({ event, why: got.why });
    else byFn.set(got.fn, [...(byFn.get(got.fn) ?? []), event]);
  }

  const simulated = (name: CounterName, step: number): number => pairs[step]!.reduce((s, i) => s + sim.deltas[i]![name], 0);
  const measured = (events: string[], step: number): { hits: number; missed: number } => {
    const { before, after } = steps[step]!;
    let hits = 0;
    let missed = 0;
    for (const e of events) {
      hits += after.entries.get(e)!.hits - before.entries.get(e)!.hits;
      missed += after.entries.get(e)!.missed - before.entries.get(e)!.missed;
    }
    return { hits, missed };
  };

  const rows: CheckRow[] = [];
  const cellsFor = (events: string[] | null, counter: CounterName | null): CheckCell[] =>
    steps.map((_, s) => {
      const m = events === null ? null : measured(events, s);
      return { measured: m?.hits ?? null, missed: m?.missed ?? 0, simulated: counter === null ? null : simulated(counter, s) };
    });

  // captured functions, in the counter table's order, then the rest by name
  const order = (fn: string): number => (isCounterName(fn) ? COUNTER_NAMES.indexOf(fn) : COUNTER_NAMES.length);
  const captured = [...byFn.keys()].sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const fn of captured) {
    const events = byFn.get(fn)!;
    if (!isCounterName(fn)) {
      rows.push({ function: fn, events, kind: 'not-modelled', why: 'not a function the simulator counts', cells: cellsFor(events, null) });
      continue;
    }
    const def = counterDef(fn);
    const caveat = NOT_JUDGED[fn];
    if (def.kind !== 'call') {
      rows.push({ function: fn, events, kind: 'not-one-to-one', why: `the simulator's ${def.kind} figure, not a call count: ${def.help}`, cells: cellsFor(events, fn) });
    } else if (caveat !== undefined) {
      rows.push({ function: fn, events, kind: caveat.kind, why: caveat.why, cells: cellsFor(events, fn) });
    } else {
      rows.push({ function: fn, events, kind: 'compared', cells: cellsFor(events, fn) });
    }
  }
  // functions of the probe list the simulator called that the capture has no probe on
  for (const name of KPROBE_FUNCTIONS) {
    if (byFn.has(name)) continue;
    const cells = cellsFor(null, name);
    if (cells.some((c) => c.simulated! > 0)) {
      rows.push({ function: name, events: [], kind: 'not-captured', why: 'the simulator calls it on this kernel; the capture has no probe on it', cells });
    }
  }

  const compared = rows.filter((r) => r.kind === 'compared');
  if (compared.length === 0) {
    throw new InputError(`${capture.file}: nothing to compare: none of the captured events (${[...capture.snapshots[0]!.entries.keys()].join(', ')}) ` +
      'is a function the simulator counts one to one (docs/real-kernel.md lists them)');
  }
  const differ = compared.filter(rowDiffers).length;
  const stepRecords: CheckStep[] = steps.map((s, i) => ({
    label: `${s.before.label} -> ${s.after.label}`,
    requests: pairs[i]!.map((r) => r < layout.requests.length
      ? { index: r, label: layout.requests[r]!.label ?? `#${r}`, ret: sim.rets[r]! }
      : { index: r, label: 'container release', ret: 0 }),
  }));
  return {
    captures: input.files,
    fixture: input.fixture,
    kernelRelease: input.kernelRelease,
    kernel: strategy.host.name,
    strategy: strategy.name,
    steps: stepRecords,
    rows,
    unmapped,
    verdict: { equal: compared.length - differ, differ, notJudged: rows.length - compared.length },
  };
}
