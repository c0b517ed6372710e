// Reading a sweep document back (merge): JSON text -> SweepDocument, checked against
// schema/sweep.schema.json with the same checker as result documents. A problem is one line
// naming the file, the JSON path, what was expected and what was found (InputError: exit 2).

import { fileURLToPath } from 'node:url';
import { InputError } from '../model/errors.ts';
import { SCHEMA_VERSION, SWEEP_SCHEMA_VERSION, type SweepDocument } from '../model/result.ts';
import { parseJson, readJson, readText } from './read-file.ts';
import { checkSchema, type JsonSchema } from './result-document.ts';

export const SWEEP_SCHEMA = readJson(fileURLToPath(new URL('../../schema/sweep.schema.json', import.meta.url)), 'tool files',
  'schema/sweep.schema.json') as JsonSchema;

/** Parses and checks a sweep document; `file` is how messages name it. A run document, or a
 *  document of another schema version, says so before any field is checked. */
export function parseSweepDocument(text: string, file: string): SweepDocument {
  const value = parseJson(text, file);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${file}: expected a vfio-pin-bench sweep document (an object with "kind": "sweep"), got ${Array.isArray(value) ? 'an array' : String(value)}`);
  }
  const v = value as { kind?: unknown; schemaVersion?: unknown; fixtures?: unknown };
  if (v.kind !== 'sweep') {
    const what = v.kind === undefined && v.fixtures !== undefined && v.schemaVersion === SCHEMA_VERSION ? 'a run result document (run --json)' : `"kind": ${JSON.stringify(v.kind) ?? 'missing'}`;
    throw new InputError(`${file}: not a sweep document: ${what}; merge joins the files of sweep --shard i/n --json or -o`);
  }
  if (v.schemaVersion !== SWEEP_SCHEMA_VERSION) {
    const why = typeof v.schemaVersion === 'number' && v.schemaVersion > SWEEP_SCHEMA_VERSION ? ' (written by a newer vfio-pin-bench?)' : '';
    throw new InputError(`${file}: schemaVersion: expected ${SWEEP_SCHEMA_VERSION}, got ${JSON.stringify(v.schemaVersion) ?? 'nothing'}${why}`);
  }
  const p = checkSchema(value, SWEEP_SCHEMA, { strict: false });
  if (p !== null) throw new InputError(`${file}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`);
  return value as SweepDocument;
}

/** Reads a sweep document with the bounded reader (the size cap of result documents). */
export function readSweepDocument(path: string, shown = path): SweepDocument {
  return parseSweepDocument(readText(path, 'result documents', shown), shown);
}
