// Names the CI exporters give one fixture x strategy x op, shared so that the
// github-action-benchmark chart, the Bencher benchmark and the CSV row of a result agree.

export const OPS = ['map', 'unmap'] as const;
export type Op = (typeof OPS)[number];

/** "gpu-16g-bar/baseline/map": the benchmark a CI tool tracks across commits. */
export function benchmarkName(fixture: string, strategy: string, op: Op): string {
  return `${fixture}/${strategy}/${op}`;
}

/** Benchmarks of a document's `tasks` (npm run bench): "bench/<task name>". */
export const TASK_PREFIX = 'bench/';

/** Margin of error of a mean in absolute terms (tinybench's rme is percent of the mean). */
export function marginOfError(mean: number, rmePercent: number): number {
  return (mean * rmePercent) / 100;
}
