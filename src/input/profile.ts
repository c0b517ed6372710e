// Reading cost profiles: bundled (profiles/<name>.json) or a user's file, checked key by key.

import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COUNTER_NAMES, isCounterName, type CounterName } from '../model/counters.ts';
import type { Profile, ProfileFit } from '../model/profile.ts';
import { InputError, oneLine, showPath } from '../model/errors.ts';
import { describe } from './size.ts';
import { parseJson, readText } from './read-file.ts';
import { didYouMean } from './suggest.ts';

export const DEFAULT_PROFILE = 'xeon-e5-2.6ghz';
const PROFILE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'profiles');


export function listProfiles(): { name: string; description: string }[] {
  return readdirSync(PROFILE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadProfile(join(PROFILE_DIR, f)))
    .map((p) => ({ name: p.name, description: p.description }));
}

/** True when --profile names a file rather than a bundled profile: "x.json", "dir/x". */
export function isProfilePath(ref: string): boolean {
  return ref.endsWith('.json') || ref.includes('/') || ref.includes('\\');
}

/** The file a --profile value names (a bundled profile's full path). */
export function profileFile(ref: string): string {
  return isProfilePath(ref) ? ref : join(PROFILE_DIR, `${ref}.json`);
}

/** A bundled profile by name, or a path to a profile file. */
export function loadProfile(ref: string): Profile {
  const path = isProfilePath(ref);
  const file = profileFile(ref);
  const shown = file.startsWith(PROFILE_DIR) ? `profiles/${basename(file)}` : showPath(file);
  if (!existsSync(file)) {
    if (path) throw new InputError(`--profile ${showPath(ref)}: no such file`);
    const names = readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
    throw new InputError(`--profile: no profile ${oneLine(JSON.stringify(ref), 100)}; bundled: ${names.join(', ')}, or give a path to a profile file (.json)`);
  }
  // read errors name the flag (--profile x.json: cannot read: ...), the contents the file
  const json = parseJson(readText(file, 'profiles', `--profile ${showPath(ref)}`), shown);
  return parseProfile(json, shown);
}

/**
 * The most a profile may price one counter event, ns: one second, far above any kernel
 * primitive (the bundled profile's dearest is about 0.2 ms), and low enough that a modelled time
 * (counts below 2^53) is always a finite number that JSON can hold.
 */
export const MAX_NS = 1e9;
const MAX_NAME = 100;
const MAX_TEXT = 10_000;

/** A one-line string of at most `max` characters, or an InputError naming the key. */
function text(v: unknown, file: string, key: string, max: number, nonEmpty: boolean): string {
  if (typeof v !== 'string' || (nonEmpty && v === '')) throw new InputError(`${file}: ${key}: expected a ${nonEmpty ? 'non-empty ' : ''}string, got ${describe(v)}`);
  if (v.length > max || /[\u0000-\u001f]/.test(v)) throw new InputError(`${file}: ${key}: expected one line of at most ${max} characters, got ${describe(v)}`);
  return v;
}

export function parseProfile(json: unknown, file: string): Profile {
  const o = json as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new InputError(`${file}: expected an object, got ${describe(json)}`);
  for (const key of Object.keys(o)) {
    if (!['name', 'description', 'derivation', 'ns', 'fit'].includes(key)) throw new InputError(`${file}: ${oneLine(key, 60)}: unknown key; expected name, description, derivation, ns, fit`);
  }
  const name = text(o.name, file, 'name', MAX_NAME, true);
  const description = text(o.description, file, 'description', MAX_TEXT, false);
  // derivation: how the numbers were arrived at; optional in a user's file
  if (o.derivation !== undefined && (!Array.isArray(o.derivation) || !o.derivation.every((l) => typeof l === 'string')))
    throw new InputError(`${file}: derivation: expected an array of strings`);
  const ns = o.ns as Record<string, unknown>;
  if (typeof ns !== 'object' || ns === null || Array.isArray(ns)) throw new InputError(`${file}: ns: expected an object of ns per counter`);
  for (const key of Object.keys(ns)) {
    if (!(COUNTER_NAMES as readonly string[]).includes(key)) throw new InputError(`${file}: ns.${oneLine(key, 60)}: unknown counter${didYouMean(key, COUNTER_NAMES, `counters are ${COUNTER_NAMES.join(', ')}`)}`);
  }
  for (const c of COUNTER_NAMES) {
    const v = ns[c];
    if (v === undefined) throw new InputError(`${file}: ns.${c}: missing; every counter must be priced (0 allowed)`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_NS) {
      throw new InputError(`${file}: ns.${c}: expected a number of ns from 0 to ${MAX_NS} (one second; every counter must be priced, 0 allowed), got ${describe(v)}`);
    }
  }
  const base = { name, description, derivation: (o.derivation as string[] | undefined) ?? [], ns: ns as Profile['ns'] };
  return o.fit === undefined ? base : { ...base, fit: parseFit(o.fit, file) };
}

const FIT_KEYS = ['measurements', 'date', 'observations', 'rmsError', 'maxError', 'looRmsError', 'looMaxError', 'firstRunNs', 'fitted', 'groups', 'confounded', 'unconstrained'];

/** A profile's "fit" (calibrate writes it): shapes checked; the observations are kept as written. */
function parseFit(v: unknown, file: string): ProfileFit {
  const f = v as Record<string, unknown>;
  if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new InputError(`${file}: fit: expected an object`);
  for (const key of Object.keys(f)) if (!FIT_KEYS.includes(key)) throw new InputError(`${file}: fit.${key}: unknown key; expected ${FIT_KEYS.join(', ')}`);
  const names = (key: string): CounterName[] => {
    const a = f[key] ?? [];
    if (!Array.isArray(a)) throw new InputError(`${file}: fit.${key}: expected an array of counter names`);
    for (const n of a) if (typeof n !== 'string' || !isCounterName(n)) throw new InputError(`${file}: fit.${key}: ${JSON.stringify(n)} is not a counter`);
    return a as CounterName[];
  };
  const num = (key: string): number | null => {
    const x = f[key];
    if (x === undefined || x === null) return null;
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new InputError(`${file}: fit.${key}: expected a number, got ${JSON.stringify(x)}`);
    return x;
  };
  if (typeof f.measurements !== 'string') throw new InputError(`${file}: fit.measurements: expected a string (the measurement file or source)`);
  if (f.date !== undefined && typeof f.date !== 'string') throw new InputError(`${file}: fit.date: expected a string`);
  if (f.observations !== undefined && !Array.isArray(f.observations)) throw new InputError(`${file}: fit.observations: expected an array`);
  const groups = f.groups ?? [];
  if (!Array.isArray(groups) || !groups.every((g) => Array.isArray(g) && g.every((n) => typeof n === 'string' && isCounterName(n))))
    throw new InputError(`${file}: fit.groups: expected arrays of counter names`);
  return {
    measurements: f.measurements, date: (f.date as string | undefined) ?? '',
    observations: (f.observations as ProfileFit['observations'] | undefined) ?? [],
    rmsError: num('rmsError'), maxError: num('maxError'), looRmsError: num('looRmsError'), looMaxError: num('looMaxError'),
    firstRunNs: num('firstRunNs') ?? 0,
    fitted: names('fitted'), groups: groups as CounterName[][], confounded: names('confounded'), unconstrained: names('unconstrained'),
  };
}
