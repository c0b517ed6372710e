// Measurement files (schema/measurements.schema.json, docs/cost-model.md): measured ioctl times
// for `calibrate`. Each observation names a fixture (a bundled name, a path relative to the
// measurement file, or the fixture itself inline), a kernel (a --kernel release or a strategy
// name), the op and the request(s) it times, the measured seconds and where the figure is from.
// Everything is checked here, before any simulation, and every problem is one line naming the
// file and the JSON path.

import { dirname, isAbsolute, join } from 'node:path';
import { isCounterName, type CounterName } from '../model/counters.ts';
import type { Layout } from '../model/layout.ts';
import { InputError } from '../model/errors.ts';
import { loadFixture, parseFixture } from './fixture.ts';
import { array, At, bool, object, oneOf, string } from './json.ts';
import { readJson } from './read-file.ts';

export interface Observation<S> {
  /** how tables name it: the file's "id", or "#<index>". */
  id: string;
  /** where the fixture came from (path as given, bundled name or "inline"). */
  fixture: string;
  layout: Layout;
  /** the --kernel release or strategy name as written. */
  kernel: string;
  strategy: S;
  op: 'map' | 'unmap';
  /** indices into layout.requests of the ioctls the time covers (summed). */
  requests: number[];
  seconds: number;
  /** the first run of this ioctl's code since boot (see fit/fit.ts). */
  firstRun: boolean;
  source: string;
}

export interface Tie {
  counters: CounterName[];
  reason: string;
}

export interface Measurements<S> {
  file: string;
  name: string;
  description: string;
  ties: Tie[];
  observations: Observation<S>[];
}

const TOP = ['$schema', 'version', 'name', 'description', 'source', 'ties', 'observations'];
const OBS = ['id', 'fixture', 'kernel', 'op', 'request', 'requests', 'seconds', 'firstRun', 'source'];

/** Resolves an observation's "kernel" (a --kernel release or a strategy name) to the strategy
 *  to run, or returns the reason it cannot (the run layer supplies it: strategies sit beside input). */
export type KernelResolver<S> = (text: string) => S | string;

/** The fixture: inline object, or a name / path (relative to the measurement file's folder). */
function resolveFixture(v: unknown, at: At, base: string, cache: Map<string, Layout>): { ref: string; layout: Layout } {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return { ref: 'inline', layout: parseFixture(v, at.where) };
  const ref = string(v, at);
  const isPath = /[/\\]/.test(ref) || ref.endsWith('.json');
  const path = isPath && !isAbsolute(ref) ? join(base, ref) : ref;
  let layout = cache.get(path);
  if (layout === undefined) {
    try {
      layout = loadFixture(path).layout;
    } catch (e) {
      if (e instanceof InputError) at.fail(e.message);
      throw e;
    }
    cache.set(path, layout);
  }
  return { ref, layout };
}

/** One request reference: an index, a label, or the label's first word ("bar_map0"). */
function requestIndex(v: unknown, at: At, layout: Layout): number {
  const reqs = layout.requests;
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v < reqs.length) return v;
    return at.fail(`request index ${v} out of range: the fixture has ${reqs.length} request${reqs.length === 1 ? '' : 's'} (0 .. ${reqs.length - 1})`);
  }
  const label = string(v, at);
  let i = reqs.findIndex((r) => r.label === label);
  if (i < 0) i = reqs.findIndex((r) => r.label?.split(' ')[0] === label);
  if (i < 0) {
    const labels = reqs.map((r) => r.label).filter((l) => l !== undefined);
    at.fail(`no request labelled ${JSON.stringify(label)} (labels: ${labels.join(', ') || 'none'}; or give the request's index)`);
  }
  return i;
}

function parseObservation<S>(item: unknown, at: At, base: string, defaultSource: string | undefined, cache: Map<string, Layout>, index: number, resolve: KernelResolver<S>): Observation<S> {
  const o = object(item, at, OBS, ['fixture', 'kernel', 'op', 'seconds']);
  const { ref, layout } = resolveFixture(o.fixture, at.key('fixture'), base, cache);
  const kernel = string(o.kernel, at.key('kernel'));
  const strategy = resolve(kernel);
  if (typeof strategy === 'string') return at.key('kernel').fail(`${JSON.stringify(kernel)}: ${strategy}`);
  const op = oneOf(o.op, at.key('op'), ['map', 'unmap'] as const);
  if (o.request !== undefined && o.requests !== undefined) at.fail('give "request" or "requests", not both');
  if (o.request === undefined && o.requests === undefined) at.fail('missing "request" (a label or index of the fixture\'s request that was timed) or "requests" (several, summed)');
  const refs = o.request !== undefined ? [{ v: o.request, a: at.key('request') }] : array(o.requests, at.key('requests')).map((v, i) => ({ v, a: at.key('requests').idx(i) }));
  if (refs.length === 0) at.key('requests').fail('expected at least one request');
  const requests = refs.map(({ v, a }) => {
    const i = requestIndex(v, a, layout);
    const r = layout.requests[i]!;
    if (r.op !== op) a.fail(`request ${i}${r.label ? ` (${r.label})` : ''} is a ${r.op}, but "op" is ${op}`);
    return i;
  });
  const sec = typeof o.seconds === 'number' && Number.isFinite(o.seconds) ? o.seconds : at.key('seconds').expected('a number of seconds', o.seconds);
  if (sec <= 0) at.key('seconds').fail(`${sec} s: a measured time must be greater than 0 (the fit is on relative error)`);
  const source = o.source !== undefined ? string(o.source, at.key('source')) : defaultSource;
  if (source === undefined || source.trim() === '') return at.key('source').fail('missing: say where the figure comes from (here or in the file\'s top-level "source")');
  const id = o.id !== undefined ? string(o.id, at.key('id')) : `#${index}`;
  return {
    id, fixture: ref, layout, kernel, strategy, op, requests, seconds: sec,
    firstRun: o.firstRun === undefined ? false : bool(o.firstRun, at.key('firstRun')), source,
  };
}

function parseTies(v: unknown, at: At): Tie[] {
  return array(v, at).map((item, i) => {
    const a = at.idx(i);
    const o = object(item, a, ['counters', 'reason'], ['counters', 'reason']);
    const counters = array(o.counters, a.key('counters')).map((c, k) => {
      const name = string(c, a.key('counters').idx(k));
      if (!isCounterName(name)) a.key('counters').idx(k).fail(`unknown counter ${JSON.stringify(name)} (\`vfio-pin-bench list --counters\` lists them)`);
      return name as CounterName;
    });
    if (counters.length < 2) a.key('counters').fail('a tie needs at least two counters');
    return { counters, reason: string(o.reason, a.key('reason')) };
  });
}

export function parseMeasurements<S>(json: unknown, file: string, resolve: KernelResolver<S>, base = dirname(file)): Measurements<S> {
  const at = new At(file);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) at.expected('a JSON object at the top level', json);
  const o = object(json, at, TOP, ['version', 'name', 'observations']);
  if (o.version !== 1) at.key('version').expected('1 (the only measurement format version)', o.version);
  const name = string(o.name, at.key('name'));
  const description = o.description === undefined ? '' : string(o.description, at.key('description'));
  const source = o.source === undefined ? undefined : string(o.source, at.key('source'));
  const ties = o.ties === undefined ? [] : parseTies(o.ties, at.key('ties'));
  const list = array(o.observations, at.key('observations'));
  if (list.length === 0) at.key('observations').fail('no observations: nothing to calibrate on');
  const cache = new Map<string, Layout>();
  const observations = list.map((item, i) => parseObservation(item, at.key('observations').idx(i), base, source, cache, i, resolve));
  const seen = new Map<string, number>();
  observations.forEach((ob, i) => {
    const j = seen.get(ob.id);
    if (j !== undefined) at.key('observations').idx(i).key('id').fail(`${JSON.stringify(ob.id)} is also observation ${j}'s id`);
    seen.set(ob.id, i);
  });
  return { file, name, description, ties, observations };
}

export function loadMeasurements<S>(path: string, resolve: KernelResolver<S>): Measurements<S> {
  return parseMeasurements(readJson(path, 'measurements'), path, resolve);
}

