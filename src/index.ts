// The programmatic API (`import { run } from 'vfio-pin-bench'`): load a fixture, run the
// strategies on it, get the result document `run --json` prints. A thin layer over input/,
// strategies/ and run/; the CLI does not use it. Documented in docs/api.md.
//
//   import { run } from 'vfio-pin-bench';
//   const doc = await run('gpu-16g-bar', { strategies: ['baseline', 'rfc'] });
//   for (const s of doc.fixtures[0].strategies) console.log(s.strategy, s.verdict, s.modelled.mapNs);

import { DEFAULT_FIXTURE } from './input/inputs.ts';
import { bundledFixtures } from './input/bundled.ts';
import { loadFixture as loadFixtureFile, parseFixture as parseFixtureJson } from './input/fixture.ts';
import { DEFAULT_PROFILE, listProfiles, loadProfile } from './input/profile.ts';
import { InputError } from './model/errors.ts';
import type { Layout } from './model/layout.ts';
import type { FixtureResult, RunDocument } from './model/result.ts';
import { makeDocument } from './run/document.ts';
import { runLayout, type RunOptions as RunnerOptions } from './run/runner.ts';
import { DEFAULT_STRATEGIES, STRATEGIES } from './strategies/registry.ts';
import { checkLayoutLimits, DEFAULT_LIMITS, limitsOf, type Limits } from './input/limits.ts';
import { didYouMean } from './input/suggest.ts';

export { DEFAULT_FIXTURE, DEFAULT_LIMITS, DEFAULT_PROFILE, InputError, listProfiles };
export type { Limits };
export { SCHEMA_VERSION } from './model/result.ts';
export type {
  FixtureResult, InvariantCheck, LayoutSummary, Modelled, OracleVerdict, RequestResult, RunDocument,
  StrategyResult, TaskResult, TimingStats,
} from './model/result.ts';
export type { Counters, CounterName } from './model/counters.ts';
export type { Layout } from './model/layout.ts';

/** A validated layout and where it came from. */
export interface Fixture {
  layout: Layout;
  /** the path as given, "fixtures/<name>.json" for a bundled fixture, or parseFixture's name. */
  source: string;
}

/** The bundled fixtures (fixtures/*.json), sorted by name. */
export function listFixtures(): { name: string; description: string }[] {
  return bundledFixtures().map(({ name, description }) => ({ name, description }));
}

/** What `list` prints about a strategy. */
export interface StrategyInfo {
  /** the name `strategies` takes, e.g. "rfc". */
  name: string;
  /** the kernel version or patch modelled, e.g. "Linux 4.16". */
  kernel: string;
  description: string;
  /** where the modelled code comes from (release tag, commit, or list post). */
  source: string;
}

/** Every strategy, in the order the tables show them (baseline first). */
export function listStrategies(): StrategyInfo[] {
  return STRATEGIES.map(({ name, kernel, description, source }) => ({ name, kernel, description, source }));
}

/** A bundled fixture by name ("gpu-16g-bar") or a fixture file by path (contains "/" or ends in
 *  ".json"), read and validated. Throws InputError naming the file and JSON path on bad input. */
export function loadFixture(ref: string): Fixture {
  return loadFixtureFile(ref);
}

/** A fixture given as a parsed JSON value (the fixture file format), validated; `source` names
 *  it in messages and in the result document. Throws InputError on bad input. */
export function parseFixture(json: unknown, source = 'fixture'): Fixture {
  return { layout: parseFixtureJson(json, source), source };
}

export interface RunOptions {
  /** strategy names (see listStrategies()); default: every strategy. */
  strategies?: readonly string[];
  /** cost profile for the modelled kernel time: a bundled name (listProfiles()) or a path to a
   *  profile file; default DEFAULT_PROFILE. */
  profile?: string;
  /** also time the simulator with tinybench, as the CLI's `run` does; default false (counters,
   *  oracle and modelled time only: deterministic, and much faster). */
  timing?: boolean;
  /** wall-clock budget per timing task (map, unmap), ms, kernel setup and release included
   *  (with timing); default 200. */
  timeMs?: number;
  /** most samples per timing task (with timing; at least one is always taken); default 100. */
  iterations?: number;
  /** called as the run goes: (steps done, steps in all, what) for each fixture. */
  onProgress?: (done: number, total: number, what: string) => void;
  /** limits each layout is checked against before anything runs (as the CLI's --max-pages,
   *  ...; docs/reliability.md); default DEFAULT_LIMITS. Over one: InputError. */
  limits?: Partial<Limits>;
}

/** Runs the strategies on each fixture (a bundled name, a path, or a loaded Fixture; default
 *  DEFAULT_FIXTURE) and returns the result document: the same plain, JSON-serialisable data
 *  `vfio-pin-bench run --json` prints (schema/result.schema.json). Every input is checked
 *  before anything runs; bad input throws InputError. A strategy that maps wrong translations
 *  is a result (verdict "unsafe"), not an exception. */
export async function run(fixtures: string | Fixture | readonly (string | Fixture)[] = DEFAULT_FIXTURE, options: RunOptions = {}): Promise<RunDocument> {
  const valid = STRATEGIES.map((s) => s.name);
  const strategies = [...(options.strategies ?? DEFAULT_STRATEGIES.map((s) => s.name))];
  if (strategies.length === 0) throw new InputError(`strategies: expected at least one of ${valid.join(', ')}`);
  for (const name of strategies) {
    if (!valid.includes(name)) throw new InputError(`strategies: unknown strategy ${JSON.stringify(name)}${didYouMean(name, valid)}`);
  }
  const profile = options.profile ?? DEFAULT_PROFILE;
  loadProfile(profile); // a bad profile is bad input: throw before anything runs
  for (const key of ['timeMs', 'iterations'] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new InputError(`${key}: expected a positive number, got ${String(v)}`);
  }
  const list: readonly (string | Fixture)[] = Array.isArray(fixtures) ? fixtures : [fixtures as string | Fixture];
  const inputs = list.map((f) => (typeof f === 'string' ? loadFixtureFile(f) : f));
  const limits = limitsOf(options.limits ?? {});
  const timed = options.timing ?? false;
  for (const input of inputs) checkLayoutLimits(input.layout, limits, input.source, { kernels: timed ? 4 : 1, strategies: strategies.length });
  const opts: RunnerOptions = {
    strategies: STRATEGIES.filter((s) => strategies.includes(s.name)),
    profile,
    timeMs: options.timeMs ?? 200,
    iterations: options.iterations ?? 100,
    timed,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  };
  const results: FixtureResult[] = [];
  for (const input of inputs) results.push(await runLayout(input.layout, input.source, opts));
  return makeDocument(results, opts);
}
