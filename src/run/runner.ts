// Runs a layout through every chosen strategy: the judge (simulation, oracle, invariants,
// verdict, cost model), then (if asked) tinybench timing. Returns records.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Layout } from '../model/layout.ts';
import { summarize } from './summary.ts';
import { loadProfile } from '../input/profile.ts';
import { SCHEMA_VERSION, type FixtureResult, type RunDocument, type StrategyResult } from '../model/result.ts';
import type { Strategy } from '../strategies/strategy.ts';
import { judge } from './judge.ts';
import { timeStrategy } from './timing.ts';

export interface RunOptions {
  /** the strategies, resolved from the registry once by the caller; tables keep this order. */
  strategies: readonly Strategy[];
  /** cost profile name (profiles/<name>.json) or profile file; default "xeon-e5-2.6ghz". */
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

export async function runLayout(layout: Layout, source: string, opts: RunOptions): Promise<FixtureResult> {
  const profile = loadProfile(opts.profile);
  const results: StrategyResult[] = [];
  const steps = opts.strategies.length * (opts.timed ? 2 : 1);
  let done = 0;
  for (const strategy of opts.strategies) {
    opts.onProgress?.(done, steps, `${layout.name}: ${strategy.name}: simulating`);
    const { result, passMs } = judge(layout, strategy, profile);
    done++;
    if (opts.timed) {
      opts.onProgress?.(done, steps, `${layout.name}: ${strategy.name}: timing`);
      // short passes get a JIT warm-up first; long ones are warm after the untimed pass
      result.timing = await timeStrategy(layout, strategy, { timeMs: opts.timeMs, iterations: opts.iterations, warmup: passMs < 50 });
      done++;
    }
    results.push(result);
  }
  opts.onProgress?.(done, steps, `${layout.name}: done`);
  return { fixture: layout.name, description: layout.description, source, summary: summarize(layout), strategies: results };
}

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** The commit the run is made at: $GITHUB_SHA in GitHub Actions, else `git rev-parse HEAD` in
 *  the working directory (the project being benchmarked), else undefined. Never throws. */
export function gitCommit(env: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): string | undefined {
  const fromEnv = env.GITHUB_SHA?.trim().toLowerCase();
  if (fromEnv !== undefined && COMMIT.test(fromEnv)) return fromEnv;
  try {
    const out = execFileSync('git', ['rev-parse', '--verify', '--quiet', 'HEAD'], {
      cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000,
    }).trim();
    return COMMIT.test(out) ? out : undefined;
  } catch {
    return undefined; // no git, not a repository, or no commit yet
  }
}

/** The tool's name and version (package.json), as documents record it. */
export function toolInfo(): RunDocument['tool'] {
  return { name: pkg.name, version: pkg.version };
}

/** Where a document was made: node, platform, CPU, cores and the git commit if known. */
export function envInfo(): RunDocument['env'] {
  const cpu = cpus();
  const commit = gitCommit();
  return { node: process.version, platform: process.platform, arch: process.arch, cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, ...(commit === undefined ? {} : { gitCommit: commit }) };
}

export function makeDocument(fixtures: FixtureResult[], opts: RunOptions): RunDocument {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: toolInfo(),
    env: envInfo(),
    options: { strategies: opts.strategies.map((s) => s.name), profile: opts.profile, timeMs: opts.timeMs, iterations: opts.iterations, timed: opts.timed },
    fixtures,
  };
}
