// Reading cost profiles: bundled (profiles/<name>.json) or a user's file, checked key by key.

import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COUNTER_NAMES } from '../model/counters.ts';
import type { Profile } from '../model/profile.ts';
import { InputError } from '../model/errors.ts';
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

/** A bundled profile by name, or a path to a profile file. */
export function loadProfile(ref: string): Profile {
  const path = isProfilePath(ref);
  const file = path ? ref : join(PROFILE_DIR, `${ref}.json`);
  const shown = file.startsWith(PROFILE_DIR) ? `profiles/${basename(file)}` : file;
  if (!existsSync(file)) {
    if (path) throw new InputError(`--profile ${ref}: no such file`);
    const names = readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
    throw new InputError(`--profile: no profile "${ref}"; bundled: ${names.join(', ')}, or give a path to a profile file (.json)`);
  }
  // read errors name the flag (--profile x.json: cannot read: ...), the contents the file
  const json = parseJson(readText(file, 'profiles', `--profile ${ref}`), shown);
  return parseProfile(json, shown);
}

export function parseProfile(json: unknown, file: string): Profile {
  const o = json as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new InputError(`${file}: expected an object, got ${typeof json}`);
  for (const key of Object.keys(o)) {
    if (!['name', 'description', 'derivation', 'ns'].includes(key)) throw new InputError(`${file}: ${key}: unknown key; expected name, description, derivation, ns`);
  }
  if (typeof o.name !== 'string' || !o.name) throw new InputError(`${file}: name: expected a non-empty string, got ${JSON.stringify(o.name)}`);
  if (typeof o.description !== 'string') throw new InputError(`${file}: description: expected a string, got ${JSON.stringify(o.description)}`);
  // derivation: how the numbers were arrived at; optional in a user's file
  if (o.derivation !== undefined && (!Array.isArray(o.derivation) || !o.derivation.every((l) => typeof l === 'string')))
    throw new InputError(`${file}: derivation: expected an array of strings`);
  const ns = o.ns as Record<string, unknown>;
  if (typeof ns !== 'object' || ns === null || Array.isArray(ns)) throw new InputError(`${file}: ns: expected an object of ns per counter`);
  for (const key of Object.keys(ns)) {
    if (!(COUNTER_NAMES as readonly string[]).includes(key)) throw new InputError(`${file}: ns.${key}: unknown counter${didYouMean(key, COUNTER_NAMES, `counters are ${COUNTER_NAMES.join(', ')}`)}`);
  }
  for (const name of COUNTER_NAMES) {
    const v = ns[name];
    if (v === undefined) throw new InputError(`${file}: ns.${name}: missing; every counter must be priced (0 allowed)`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new InputError(`${file}: ns.${name}: expected a non-negative number of ns (every counter must be priced, 0 allowed), got ${JSON.stringify(v)}`);
  }
  return { name: o.name, description: o.description, derivation: (o.derivation as string[] | undefined) ?? [], ns: ns as Profile['ns'] };
}
