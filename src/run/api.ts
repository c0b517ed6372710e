// The run API the CLI calls. (Signatures fixed here; implemented in run/runner.ts.)
export interface RunOptions {
  /** strategy names, validated against the registry by the caller. */
  strategies: string[];
  /** cost profile name (profiles/<name>.json); default "xeon-e5-2.6ghz". */
  profile: string;
  /** tinybench time budget per task, ms. */
  timeMs: number;
  /** tinybench minimum iterations per task. */
  iterations: number;
  /** false: counters, oracle and model only, no tinybench timing. */
  timed: boolean;
  /** progress callback (the CLI draws it on stderr). */
  onProgress?: (done: number, total: number, what: string) => void;
}
