// Reading a result document back (compare, export): JSON text -> RunDocument, checked against
// schema/result.schema.json, the one description of the format. A problem is one line naming the
// file, the JSON path, what was expected and what was found (InputError: exit 2).
//
// The check interprets the small part of JSON Schema that result.schema.json uses (type,
// properties, required, additionalProperties, items, enum, const, minimum, $ref into $defs) and
// refuses any other keyword, so the schema cannot silently use one this code would ignore.
// Reading a document, keys the schema does not know are ignored (a later version of the tool may
// add optional fields within the same schemaVersion); the schema test checks real output strictly.

import { fileURLToPath } from 'node:url';
import { InputError, oneLine } from '../model/errors.ts';
import { SCHEMA_VERSION, type RunDocument } from '../model/result.ts';
import { parseJson, readJson, readText } from './read-file.ts';

export type JsonSchema = { [keyword: string]: unknown };

export const RESULT_SCHEMA = readJson(fileURLToPath(new URL('../../schema/result.schema.json', import.meta.url)), 'tool files',
  'schema/result.schema.json') as JsonSchema;

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$comment', '$defs']);
const KEYWORDS = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'minimum', '$ref']);

/** A short description of a JSON value for messages: "\"abc\"", "12", "null", "an array", "an object". */
function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  return String(v);
}

const TYPE_NAMES: Record<string, string> = {
  object: 'an object', array: 'an array', string: 'a string', number: 'a number',
  integer: 'an integer', boolean: 'true or false', null: 'null',
};

function hasType(v: unknown, type: string): boolean {
  switch (type) {
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return typeof v === 'number' && Number.isSafeInteger(v);
    case 'boolean': return typeof v === 'boolean';
    case 'null': return v === null;
    default: throw new Error(`result.schema.json: unsupported type ${JSON.stringify(type)}`);
  }
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const k = oneLine(key, 60); // a key of the document's own (a counter name) may be anything
  return path === '' ? k : `${path}.${k}`;
}

/** A mismatch: where (a JSON path, "" for the top level) and what. */
interface SchemaProblem {
  path: string;
  message: string;
}

function resolve(ref: string, root: JsonSchema): JsonSchema {
  const m = /^#\/\$defs\/([A-Za-z0-9_-]+)$/.exec(ref);
  const defs = root.$defs as Record<string, JsonSchema> | undefined;
  const target = m === null ? undefined : defs?.[m[1]!];
  if (target === undefined) throw new Error(`result.schema.json: cannot resolve $ref ${ref}`);
  return target;
}

interface CheckOptions {
  /** false: keys that additionalProperties: false forbids are ignored rather than reported. */
  strict: boolean;
}

/** The first place where `value` does not match `schema`, or null. */
export function checkSchema(value: unknown, schema: JsonSchema, opts: CheckOptions = { strict: true },
  root: JsonSchema = schema, path = ''): SchemaProblem | null {
  for (const k of Object.keys(schema)) {
    if (!KEYWORDS.has(k) && !ANNOTATIONS.has(k)) throw new Error(`result.schema.json: unsupported keyword ${k} at ${path || 'the top level'}`);
  }
  const problem = (message: string): SchemaProblem => ({ path, message });
  if (typeof schema.$ref === 'string') {
    const p = checkSchema(value, resolve(schema.$ref, root), opts, root, path);
    if (p !== null) return p;
  }
  if ('const' in schema && value !== schema.const) {
    return problem(`expected ${JSON.stringify(schema.const)}, got ${describeValue(value)}`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    return problem(`expected one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${describeValue(value)}`);
  }
  if (schema.type !== undefined) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
    if (!types.some((t) => hasType(value, t))) {
      return problem(`expected ${types.map((t) => TYPE_NAMES[t] ?? t).join(' or ')}, got ${describeValue(value)}`);
    }
  }
  if (typeof schema.minimum === 'number' && typeof value === 'number' && value < schema.minimum) {
    return problem(`expected at least ${schema.minimum}, got ${value}`);
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    for (const [i, item] of value.entries()) {
      const p = checkSchema(item, schema.items as JsonSchema, opts, root, join(path, i));
      if (p !== null) return p;
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const key of (schema.required ?? []) as string[]) {
      if (!Object.hasOwn(obj, key) || obj[key] === undefined) return problem(`missing required key ${JSON.stringify(key)}`);
    }
    for (const [key, v] of Object.entries(obj)) {
      // own keys only: a document's "__proto__" or "constructor" key is not the schema's
      const sub: unknown = Object.hasOwn(props, key) ? props[key] : schema.additionalProperties;
      if (sub === false) {
        if (!opts.strict) continue;
        const allowed = Object.keys(props);
        return problem(`unknown key ${JSON.stringify(key)} (allowed: ${allowed.join(', ')})`);
      }
      if (sub !== undefined && sub !== true) {
        const p = checkSchema(v, sub as JsonSchema, opts, root, join(path, key));
        if (p !== null) return p;
      }
    }
  }
  return null;
}

/**
 * Parses and checks a result document; `file` is how messages name it. The schemaVersion is
 * checked first, so a document from another version of the tool says so rather than naming
 * some field that moved.
 */
export function parseRunDocument(text: string, file: string): RunDocument {
  const value = parseJson(text, file);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${file}: expected a vfio-pin-bench result document (an object with "schemaVersion"), got ${describeValue(value)}`);
  }
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (version === undefined) {
    throw new InputError(`${file}: missing "schemaVersion": not a vfio-pin-bench result document (run --json or run --output writes one)`);
  }
  if (version !== SCHEMA_VERSION) {
    const why = typeof version === 'number' && version > SCHEMA_VERSION ? ' (written by a newer vfio-pin-bench?)' : '';
    throw new InputError(`${file}: schemaVersion: expected ${SCHEMA_VERSION}, got ${describeValue(version)}${why}`);
  }
  const p = checkSchema(value, RESULT_SCHEMA, { strict: false }) ?? checkConsistency(value as RunDocument);
  if (p !== null) throw new InputError(`${file}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`);
  return value as RunDocument;
}

/**
 * What the schema cannot say and the renderers rely on (a document from another version, or
 * edited by hand, that passes the schema must not crash one): within a fixture every strategy
 * answers the same requests, numbered in order (the requests table reads request i of each
 * strategy), the IOMMU PTE counts are keyed by page size in bytes, and times stay small enough
 * that compare's differences and margins are finite.
 */
export function checkConsistency(doc: RunDocument): SchemaProblem | null {
  for (const [i, t] of (doc.tasks ?? []).entries()) {
    const p = checkTimes(t.timing, `tasks[${i}].timing`);
    if (p !== null) return p;
  }
  for (const [f, fx] of doc.fixtures.entries()) {
    const first = fx.strategies[0];
    for (const [k, s] of fx.strategies.entries()) {
      const at = `fixtures[${f}].strategies[${k}]`;
      const times = checkTimes(s.modelled, `${at}.modelled`, ['mapNs', 'unmapNs']) ??
        (s.timing === undefined ? null : checkTimes(s.timing.map, `${at}.timing.map`) ?? checkTimes(s.timing.unmap, `${at}.timing.unmap`));
      if (times !== null) return times;
      if (first !== undefined && s.requests.length !== first.requests.length) {
        return { path: `${at}.requests`, message: `expected ${first.requests.length} requests, as strategies[0] (${describeValue(first.strategy)}) has: every strategy answers the same requests, got ${s.requests.length}` };
      }
      for (const [i, r] of s.requests.entries()) {
        if (r.index !== i) return { path: `${at}.requests[${i}].index`, message: `expected ${i} (requests are numbered in order), got ${r.index}` };
        const op = first?.requests[i]?.op;
        if (op !== undefined && r.op !== op) return { path: `${at}.requests[${i}].op`, message: `expected ${JSON.stringify(op)}, as strategies[0] has: every strategy answers the same requests, got ${describeValue(r.op)}` };
      }
      for (const size of Object.keys(s.iommuPtes)) {
        const n = /^[1-9][0-9]{3,15}$/.test(size) ? Number(size) : NaN;
        if (!(n >= 4096 && Number.isSafeInteger(n) && 2 ** Math.round(Math.log2(n)) === n)) {
          return { path: `${at}.iommuPtes`, message: `expected page sizes in bytes as keys (a power of two of at least 4096), got ${describeValue(size)}` };
        }
      }
    }
  }
  return null;
}

/** Reads a result document (compare, export); any problem is an InputError naming the file (exit 2). */
export function readRunDocument(path: string): RunDocument {
  return parseRunDocument(readText(path, 'result documents'), path);
}

/**
 * The most a time in a document may be, ns (10^30, 3 * 10^13 years). A modelled time is at most
 * 10^9 ns per event times counts below 2^53; anything larger is an edited document, and would
 * overflow the differences and margins compare works out into Infinity.
 */
const MAX_TIME_NS = 1e30;
/** The most a relative margin of error may be, percent. */
const MAX_RME = 1e6;

function checkTimes(o: object, at: string, keys: readonly string[] = ['mean', 'p50', 'p99', 'min', 'max', 'sd', 'rme']): SchemaProblem | null {
  for (const key of keys) {
    const v = (o as Record<string, unknown>)[key];
    const max = key === 'rme' ? MAX_RME : MAX_TIME_NS;
    if (typeof v === 'number' && v > max) return { path: `${at}.${key}`, message: `expected at most ${max}${key === 'rme' ? ' (percent)' : ' ns'}, got ${v}` };
  }
  return null;
}
