// Hand-written JSON shape checks with a path for messages: `<file>: vmas[1].size: ...`.

import { InputError } from '../model/errors.ts';
import { describe } from './size.ts';
import { nearest } from './suggest.ts';

/** A position in the fixture: the file plus a JSON path ("" for the top level). */
export class At {
  constructor(readonly file: string, readonly path: string = '') {}
  key(k: string): At {
    return new At(this.file, this.path === '' ? k : `${this.path}.${k}`);
  }
  idx(i: number): At {
    return new At(this.file, `${this.path}[${i}]`);
  }
  /** "<file>: <path>", the `where` of parseSize and of messages. */
  get where(): string {
    return this.path === '' ? this.file : `${this.file}: ${this.path}`;
  }
  fail(message: string): never {
    throw new InputError(`${this.where}: ${message}`);
  }
  expected(what: string, got: unknown): never {
    return this.fail(`expected ${what}, got ${describe(got)}`);
  }
}

type JsonObject = Record<string, unknown>;

/** "; did you mean "x"?" for a near allowed name, else nothing. */
function suggestion(name: string, allowed: readonly string[]): string {
  const near = nearest(name, allowed);
  return near === undefined ? '' : `; did you mean ${JSON.stringify(near)}?`;
}

/** An object with only `allowed` keys and all `required` ones. */
export function object(v: unknown, at: At, allowed: readonly string[], required: readonly string[] = []): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return at.expected('an object', v);
  const o = v as JsonObject;
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) at.fail(`unknown key ${describe(k)}${suggestion(k, allowed)} (allowed: ${allowed.join(', ')})`);
  }
  for (const k of required) {
    if (o[k] === undefined) at.fail(`missing required key ${JSON.stringify(k)}`);
  }
  return o;
}

export function array(v: unknown, at: At): unknown[] {
  return Array.isArray(v) ? v : at.expected('an array', v);
}

export function string(v: unknown, at: At): string {
  return typeof v === 'string' ? v : at.expected('a string', v);
}

export function bool(v: unknown, at: At): boolean {
  return typeof v === 'boolean' ? v : at.expected('true or false', v);
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(v: unknown, at: At, options: readonly T[]): T {
  if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
  return at.expected(`one of ${options.map((o) => JSON.stringify(o)).join(', ')}`, v);
}

/** A VMA or range name: letters, digits, ".", "_", "-" (as QEMU names memory regions). */
export const NAME_RE = /^[A-Za-z0-9._-]+$/;
export const NAME_EXPECTED = 'a name of letters, digits, ".", "_" and "-"';

export function name(v: unknown, at: At): string {
  return typeof v === 'string' && NAME_RE.test(v) ? v : at.expected(NAME_EXPECTED, v);
}
