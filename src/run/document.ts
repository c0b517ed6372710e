// The run and sweep documents around the records: schema version, tool, environment, options.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { SCHEMA_VERSION, SWEEP_SCHEMA_VERSION, type FixtureResult, type RunDocument, type SweepDocument, type SweepPoint } from '../model/result.ts';
import type { RunOptions } from './runner.ts';
import type { PointConfig } from './sweep-point.ts';
import type { SweepPlan } from '../input/sweep-plan.ts';

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

export function makeSweepDocument(
  plan: SweepPlan,
  cfg: PointConfig,
  points: SweepPoint[],
  meta: { tool: RunDocument['tool']; env: RunDocument['env'] },
): SweepDocument {
  return {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    kind: 'sweep',
    tool: meta.tool,
    env: meta.env,
    options: {
      axis: plan.axis, from: plan.from, to: plan.to, factor: plan.factor, steps: plan.steps, flags: plan.flags,
      strategies: cfg.strategies.map((s) => s.name), profile: cfg.profile.name, timed: cfg.timing !== undefined,
      ...(cfg.timing !== undefined ? { timeMs: cfg.timing.timeMs, iterations: cfg.timing.iterations } : {}),
    },
    points,
  };
}
