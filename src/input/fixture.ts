// Fixture files: read (bundled name or path), parse, normalise and validate into a Layout.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Layout } from '../model/layout.ts';
import { bundledFixtures } from './bundled.ts';
import { DEFAULT_RAM_BASE, MAX_FIXTURE_BYTES } from './constants.ts';
import { InputError } from '../model/errors.ts';
import { At, object, string } from './json.ts';
import { parseRanges } from './parse-ranges.ts';
import { parseRequests } from './parse-requests.ts';
import { parseSystem } from './parse-system.ts';
import { parseVmas } from './parse-vmas.ts';
import { ramRangeFor } from './ram.ts';
import { describe, formatSize } from './size.ts';
import { validateLayout } from './validate.ts';

export interface LoadedFixture {
  layout: Layout;
  /** the path as given, or "fixtures/<name>.json" for a bundled fixture. */
  source: string;
}

const KEYS = ['$schema', 'version', 'name', 'description', 'system', 'ram', 'mmio', 'vmas', 'requests'];

/** A path (contains "/" or ends in ".json") or the name of a bundled fixture. */
export function loadFixture(ref: string): LoadedFixture {
  if (/[/\\]/.test(ref) || ref.endsWith('.json')) return { layout: parseFixture(readJson(ref), ref), source: ref };
  const all = bundledFixtures();
  const b = all.find((f) => f.name === ref);
  if (b === undefined) {
    throw new InputError(`unknown fixture ${JSON.stringify(ref)}: bundled fixtures are ${all.map((f) => f.name).join(', ')} ` +
      '(or give a path to a .json file)');
  }
  const source = `fixtures/${b.name}.json`;
  return { layout: parseFixture(readJson(b.path, source), source), source };
}

/** Reads and JSON-parses a file; `shown` is how messages name it. */
export function readJson(path: string, shown = path): unknown {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_FIXTURE_BYTES) {
      throw new InputError(`${shown}: file is ${size} bytes, over the ${formatSize(MAX_FIXTURE_BYTES)} (${MAX_FIXTURE_BYTES} bytes) limit for fixtures`);
    }
    // read at most the limit + 1 byte: devices and pipes report size 0 (/dev/zero never ends)
    const fd = openSync(path, 'r');
    let buf = Buffer.allocUnsafe(Math.min(size + 1, MAX_FIXTURE_BYTES + 1));
    let n = 0;
    try {
      for (let r; (r = readSync(fd, buf, n, buf.length - n, null)) > 0; ) {
        n += r;
        if (n === buf.length) {
          if (n > MAX_FIXTURE_BYTES) break;
          const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2 + 65536, MAX_FIXTURE_BYTES + 1));
          buf.copy(bigger, 0, 0, n);
          buf = bigger;
        }
      }
    } finally {
      closeSync(fd);
    }
    if (n > MAX_FIXTURE_BYTES) {
      throw new InputError(`${shown}: more than the ${formatSize(MAX_FIXTURE_BYTES)} (${MAX_FIXTURE_BYTES} bytes) limit for fixtures`);
    }
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, n));
    } catch {
      const bad = firstInvalidUtf8(buf.subarray(0, n));
      throw new InputError(`${shown}: not UTF-8: invalid byte 0x${buf[bad]!.toString(16).padStart(2, '0')} at offset ${bad}`);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    // "ENOENT: no such file or directory, open 'x'" -> "ENOENT: no such file or directory"
    throw new InputError(`${shown}: cannot read: ${String((e as Error).message).split(',')[0]}`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    // V8 quotes the text around the bad token, newlines included: keep the message on one line
    const msg = (e as Error).message.replace(/\s+/g, ' ').replace(/[\u0000-\u001f]/g, '?');
    throw new InputError(`${shown}: invalid JSON: ${msg}`);
  }
}

/** Offset of the first byte that does not decode as UTF-8. */
function firstInvalidUtf8(b: Uint8Array): number {
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    let ok = true;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, mid + 1), { stream: true });
    } catch {
      ok = false;
    }
    if (ok) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, b.length - 1);
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
