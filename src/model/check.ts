// The `check` record: kprobe_profile deltas of a real host held against the simulator's counters
// for the same fixture and kernel, function by function and step by step. Plain data: `check
// --json` prints it unchanged; report/check/ formats it.

/** How a row is judged. Only 'compared' rows decide the verdict. */
export type CheckRowKind =
  /** a call counter, one to one with the kprobe: equal or not. */
  | 'compared'
  /** a function that may be inlined at some call sites, so its kprobe undercounts: shown, not judged. */
  | 'inlined'
  /** a call counter that is not one to one with a system-wide kprobe on that name: shown, not judged. */
  | 'not-one-to-one'
  /** the capture has it, the simulator does not count it: shown, not judged. */
  | 'not-modelled'
  /** the simulator counts it, the capture has no probe on it: shown, not judged. */
  | 'not-captured';

export interface CheckCell {
  /** kprobe hits in this step (null: no probe on the function). */
  measured: number | null;
  /** missed hits (kprobe_profile's third column) in this step. */
  missed: number;
  /** the simulator's count for the step's requests (null: not a counter). */
  simulated: number | null;
}

export interface CheckRow {
  function: string;
  /** the kprobe event(s) counted for it, as kprobe_profile names them. */
  events: string[];
  kind: CheckRowKind;
  /** one line: why a row that is not 'compared' is not judged. */
  why?: string;
  cells: CheckCell[];
}

export interface CheckStep {
  /** "<before label> -> <after label>". */
  label: string;
  /** the fixture requests this step is held against, by index and label. */
  requests: { index: number; label: string; ret: number }[];
}

export interface CheckReport {
  /** the capture files, as given. */
  captures: string[];
  fixture: string;
  /** the release as given (`uname -r`), and the major.minor simulated. */
  kernelRelease: string;
  kernel: string;
  strategy: string;
  steps: CheckStep[];
  rows: CheckRow[];
  /** events no function could be read from (address or offset probes), with why. */
  unmapped: { event: string; why: string }[];
  verdict: {
    /** compared rows with every step equal, and with any step different. */
    equal: number;
    differ: number;
    /** rows shown but not judged. */
    notJudged: number;
  };
}

/** A compared row differs when any step's measured and simulated counts are not the same. */
export function rowDiffers(r: CheckRow): boolean {
  return r.kind === 'compared' && r.cells.some((c) => c.measured !== c.simulated);
}
