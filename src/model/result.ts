// Result records: plain, JSON-serialisable data. `run --json` and `sweep --json` print them
// unchanged and report/ formats them; nothing here refers to kernel/ objects.

import type { Counters } from './counters.ts';

export const SCHEMA_VERSION = 1;
export const SWEEP_SCHEMA_VERSION = 1;

/** ok: oracle and invariants pass; unsafe: the oracle found wrong translations;
 *  broken: an invariant failed after unmap. */
export type Verdict = 'ok' | 'unsafe' | 'broken';

/** One DMA request as the kernel answered it. */
export interface RequestResult {
  index: number;
  op: 'map' | 'unmap';
  label?: string;
  iova: number;
  size: number;
  vaddr?: number;
  /** 0 or the kernel's negative errno. */
  ret: number;
  /** "0", "-EINVAL", ... */
  errno: string;
  /** unmap: the size the kernel copied back (bytes unmapped, or invalidated with VADDR); absent
   *  when the unmap failed: the kernel copies nothing back then. */
  unmapped?: number;
  /** map: physically contiguous runs the oracle saw in the process page tables for this range. */
  runs?: number;
}

export interface OracleVerdict {
  /** true when every mapped IOVA page translates to the pfn the page tables give. */
  ok: boolean;
  /** IOVA pages checked against the page tables. */
  checkedPages: number;
  /** pages whose IOVA translates to the wrong pfn, or is missing. */
  wrongPages: number;
  firstBad?: { iova: number; vaddr: number; expectedPfn: number | null; actualPfn: number | null };
  /** one line a human reads. */
  detail: string;
}

export interface InvariantCheck {
  name: string;
  ok: boolean;
  /** 'error' breaks the run's verdict; 'warn' is reported (e.g. 4.16's leaked zero-page refs). */
  severity: 'error' | 'warn';
  detail: string;
}

/** tinybench statistics, in nanoseconds. */
export interface TimingStats {
  mean: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
  sd: number;
  /** relative margin of error, percent. */
  rme: number;
  samples: number;
}

export interface Modelled {
  profile: string;
  mapNs: number;
  unmapNs: number;
}

export interface StrategyResult {
  strategy: string;
  kernel: string;
  verdict: Verdict;
  requests: RequestResult[];
  counters: { map: Counters; unmap: Counters };
  /** IOMMU PTEs written on the map side, by page size in bytes ("4096": n). */
  iommuPtes: Record<string, number>;
  /** highest mm->locked_vm seen, in pages. */
  lockedVmPeak: number;
  oracle: OracleVerdict;
  invariants: InvariantCheck[];
  modelled: Modelled;
  timing?: { map: TimingStats; unmap: TimingStats };
  /** with timing: the fixed reference workload (run/reference.ts) timed after every sample of the
   *  map and unmap tasks, so compare can judge `timing` relative to how fast the machine ran;
   *  absent in documents made before it, and when the judge's pass was the one sample. */
  reference?: { map: TimingStats; unmap: TimingStats };
}

export interface LayoutSummary {
  ramBytes: number;
  barBytes: number;
  vmas: number;
  requests: number;
  /** bytes asked to be mapped by map requests. */
  mapBytes: number;
  mapPages: number;
  /** seed of the random physical placement of RAM (system.seed / --seed). */
  seed: number;
}

export interface FixtureResult {
  fixture: string;
  description: string;
  source: string;
  summary: LayoutSummary;
  strategies: StrategyResult[];
}

export interface RunDocument {
  schemaVersion: number;
  tool: { name: string; version: string };
  /** gitCommit: the commit the run was made at ($GITHUB_SHA, else `git rev-parse HEAD` in the
   *  working directory); left out when neither is available. */
  env: { node: string; platform: string; arch: string; cpu: string; cores: number; gitCommit?: string };
  options: { strategies: string[]; profile: string; timeMs: number; iterations: number; timed: boolean };
  fixtures: FixtureResult[];
  /** `npm run bench` only: the simulator's other timed tasks (fixture load and validation,
   *  report rendering, ...), which have no strategy or counters. */
  tasks?: TaskResult[];
}

/** A timed task that is not a DMA map/unmap pass (bench/index.ts). */
export interface TaskResult {
  name: string;
  timing: TimingStats;
}

/** The layout dimension a sweep varies. */
export type SweepAxis = 'bar' | 'ram' | 'chunk';

/** One strategy at one sweep point: plain data, as a worker thread returns it. */
export interface SweepRecord {
  strategy: string;
  kernel: string;
  verdict: Verdict;
  /** why the verdict is not ok (the oracle's or the failed invariant's one line). */
  detail?: string;
  /** DMA requests the kernel refused, by errno: { "-ENOMEM": 2 }; empty when all succeeded. */
  errors: Record<string, number>;
  counters: { map: Counters; unmap: Counters };
  /** modelled kernel time, ns (the document's profile). */
  modelled: { mapNs: number; unmapNs: number };
  /** with --timed: the simulator's own time (tinybench), ns. */
  timing?: { map: TimingStats; unmap: TimingStats };
}

export interface SweepPoint {
  /** the swept value, bytes. */
  value: number;
  /** "512M". */
  text: string;
  /** the point's layout as flags: "--bar 512M --backing thp". */
  layout: string;
  summary: LayoutSummary;
  /** one per strategy, in the order of options.strategies. */
  records: SweepRecord[];
}

/** `sweep --json`: schema version, tool, environment, options, and one entry per point. */
export interface SweepDocument {
  schemaVersion: number;
  kind: 'sweep';
  tool: RunDocument['tool'];
  env: RunDocument['env'];
  options: {
    axis: SweepAxis;
    from: number;
    to: number;
    factor: number | null;
    steps: number | null;
    /** the flags as given: "--bar 256M..128G". */
    flags: string;
    strategies: string[];
    profile: string;
    timed: boolean;
    timeMs?: number;
    iterations?: number;
  };
  points: SweepPoint[];
  /** a partial document (`sweep --shard i/n`): which part of which sweep; merge joins the parts. */
  shard?: SweepShard;
}

/** What makes a sweep document a part of a whole (`sweep --shard`). */
export interface SweepShard {
  /** 1-based, as a CI matrix counts. */
  index: number;
  count: number;
  /** the whole sweep's plan: "sha256:<hex>" of the tool version, options, profile and every point's layout. */
  plan: string;
  /** points of the whole sweep. */
  planPoints: number;
  /** the plan index (0-based) of each entry of `points`. */
  pointIndex: number[];
  /** simulated pages of this shard's units, and of the whole sweep's (the balance). */
  pages: number;
  planPages: number;
}
