// Fixture files: read (bundled name or path), parse, normalise and validate into a Layout.

import type { Layout } from '../model/layout.ts';
import { bundledFixtures } from './bundled.ts';
import { DEFAULT_RAM_BASE } from './constants.ts';
import { InputError, oneLine, showPath } from '../model/errors.ts';
import { array, At, object, string } from './json.ts';
import { parseRanges } from './parse-ranges.ts';
import { parseRequests } from './parse-requests.ts';
import { parseSystem } from './parse-system.ts';
import { parseVmas } from './parse-vmas.ts';
import { ramRangeFor } from '../kernel/ram_plan.ts';
import { readJson } from './read-file.ts';
import { describe } from './size.ts';
import { validateLayout } from './validate.ts';
import { didYouMean } from './suggest.ts';

interface LoadedFixture {
  layout: Layout;
  /** the path as given, or "fixtures/<name>.json" for a bundled fixture. */
  source: string;
  /** the file read (a bundled fixture's full path): an output must never replace it. */
  file: string;
}

const KEYS = ['$schema', 'version', 'name', 'description', 'notes', 'system', 'ram', 'mmio', 'vmas', 'requests'];

/** A path (contains "/" or ends in ".json") or the name of a bundled fixture. */
export function loadFixture(ref: string): LoadedFixture {
  if (/[/\\]/.test(ref) || ref.endsWith('.json')) return { layout: parseFixture(readJson(ref, 'fixtures', showPath(ref)), showPath(ref)), source: ref, file: ref };
  const all = bundledFixtures();
  const b = all.find((f) => f.name === ref);
  if (b === undefined) {
    const names = all.map((f) => f.name);
    throw new InputError(`unknown fixture ${oneLine(JSON.stringify(ref), 100)}${didYouMean(ref, names, `bundled fixtures are ${names.join(', ')}`)} ` +
      '(or give a path to a .json file)');
  }
  const source = `fixtures/${b.name}.json`;
  return { layout: parseFixture(readJson(b.path, 'fixtures', source), source), source, file: b.path };
}

/** All validation of a parsed fixture; throws InputError on the first problem. */
export function parseFixture(json: unknown, file: string): Layout {
  const at = new At(file);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    at.fail(`expected a JSON object at the top level, got ${describe(json)}`);
  }
  const o = object(json, at, KEYS, ['version', 'name', 'description']);
  if (o.version !== 1) at.key('version').expected('1 (the only fixture format version)', o.version);
  const name = string(o.name, at.key('name'));
  const description = string(o.description, at.key('description'));
  // notes: lines for people (what an import guessed and how to override it); the simulator ignores them
  if (o.notes !== undefined) {
    array(o.notes, at.key('notes')).forEach((n, i) => {
      const s = string(n, at.key('notes').idx(i));
      if (s.trim() === '' || /[\r\n]/.test(s)) at.key('notes').idx(i).expected('one non-empty line', s);
    });
  }
  const system = parseSystem(o.system, at.key('system'));
  const ram = o.ram === undefined ? null : parseRanges(o.ram, at.key('ram'));
  const mmio = o.mmio === undefined ? [] : parseRanges(o.mmio, at.key('mmio'));
  const vmas = o.vmas === undefined ? [] : parseVmas(o.vmas, at.key('vmas'));
  const layout: Layout = {
    name,
    description,
    system,
    ram: ram ?? [ramRangeFor('ram0', DEFAULT_RAM_BASE, vmas)],
    mmio,
    vmas,
    requests: o.requests === undefined ? [] : parseRequests(o.requests, at.key('requests'), vmas),
  };
  return validateLayout(layout, (path) => (path === '' ? file : `${file}: ${path}`));
}
