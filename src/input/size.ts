// Strict size and address parsing in the manner of the kernel's memparse(), and formatting.
// Accepted: JSON numbers that are non-negative safe integers; strings "0", decimal without
// leading zeros ("4096"), hex ("0x1000"), each optionally followed directly (no space) by a
// binary suffix K, KiB, M, MiB, G, GiB, T, TiB, P, PiB (case-insensitive, powers of 1024).
// Everything must be below 2^53 so that a Number holds it exactly.

import { InputError } from '../model/errors.ts';

/** Every address, size and end address must be below this (2^53). */
export const ADDRESS_LIMIT = 2 ** 53;

const GRAMMAR = /^(0x[0-9a-f]+|0|[1-9][0-9]*)(?:([kmgtp])(?:ib)?)?$/i;
const SHIFT: Record<string, bigint> = { k: 10n, m: 20n, g: 30n, t: 40n, p: 50n };

/** How a bad value is shown in a message: strings quoted, containers named. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') {
    const s = JSON.stringify(value);
    return s.length > 60 ? `${s.slice(0, 56)}..."` : s;
  }
  if (Array.isArray(value)) return 'an array';
  if (value === null || typeof value !== 'object') return String(value);
  return 'an object';
}

function parse(value: unknown, where: string, expected: string): number {
  const fail = (): never => {
    throw new InputError(`${where}: expected ${expected}, got ${describe(value)}`);
  };
  const tooBig = (): never => {
    throw new InputError(`${where}: ${describe(value)} exceeds 2^53 - 1, the largest exact address this tool handles`);
  };
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) return fail();
    if (value >= ADDRESS_LIMIT) return tooBig();
    return value + 0; // -0 -> 0
  }
  if (typeof value !== 'string') return fail();
  const m = GRAMMAR.exec(value);
  if (m === null) return fail();
  const n = BigInt(m[1]!) << (m[2] === undefined ? 0n : SHIFT[m[2].toLowerCase()]!);
  if (n >= BigInt(ADDRESS_LIMIT)) return tooBig();
  return Number(n);
}

/**
 * A __u64 field of a DMA request (iova, size, vaddr): up to 2^64 - 1, so that requests the
 * kernel refuses for wrapping can be written. Above 2^53 the value must be exactly a Number
 * (any page-aligned value is); nothing is rounded silently.
 */
export function parseU64(value: unknown, where: string, expected: 'size' | 'address'): number {
  if (typeof value === 'string') {
    const m = GRAMMAR.exec(value);
    if (m !== null) {
      const n = BigInt(m[1]!) << (m[2] === undefined ? 0n : SHIFT[m[2].toLowerCase()]!);
      if (n >= 1n << 64n) throw new InputError(`${where}: ${describe(value)} does not fit the kernel's __u64`);
      if (n >= BigInt(ADDRESS_LIMIT)) {
        if (BigInt(Number(n)) !== n) {
          throw new InputError(`${where}: ${describe(value)} is above 2^53 and not exactly representable here; use a page-aligned value`);
        }
        return Number(n);
      }
    }
  }
  return expected === 'size' ? parseSize(value, where) : parseAddress(value, where);
}

/** A byte count: 4096, "4096", "0x1000", "4K", "16GiB". */
export function parseSize(value: unknown, where: string): number {
  return parse(value, where, 'a size like "16GiB"');
}

/** An address (same grammar as sizes): "0x7f0000000000", 4294967296, "4G". */
export function parseAddress(value: unknown, where: string): number {
  return parse(value, where, 'an address like "0x7f0000000000"');
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** "0 B", "4 KiB", "1.5 GiB": the largest binary unit, at most two decimals. */
export function formatSize(bytes: number): string {
  let i = 0;
  let v = bytes;
  while (Math.abs(v) >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const rounded = Math.round(v * 100) / 100;
  if (Math.abs(rounded) >= 1024 && i < UNITS.length - 1) return formatSize(Math.sign(bytes) * 1024 ** (i + 1));
  return `${rounded} ${UNITS[i]}`;
}

/** "0x7f0000000000": exact for every integer below 2^53 (no 32-bit bit operators). */
export function formatHex(n: number): string {
  return `${n < 0 ? '-' : ''}0x${Math.abs(n).toString(16)}`;
}

/** True for 2^k, k >= 0 (exact above 2^32). */
export function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n)) && 2 ** Math.log2(n) === n;
}

/** A power of two of at least `min` bytes (page sizes, alignments), parsed as a size. */
export function parsePowerOfTwo(value: unknown, where: string, min = 4096): number {
  const n = parseSize(value, where);
  if (n < min || !isPowerOfTwo(n)) {
    throw new InputError(`${where}: expected a power of two of at least ${formatSize(min)} like "2M", got ${describe(value)}`);
  }
  return n;
}
