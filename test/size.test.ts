// Sizes and addresses: every accepted form, every rejected one with its exact message.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../src/model/errors.ts';
import { formatHex, formatSize, parseAddress, parsePowerOfTwo, parseSize } from '../src/input/size.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;
const PiB = 1024 * TiB;

function throwsInput(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

test('parseSize accepts numbers, decimal, hex and binary suffixes', () => {
  const cases: [unknown, number][] = [
    [0, 0], [4096, 4096], [2 ** 53 - 1, 2 ** 53 - 1],
    ['0', 0], ['4096', 4096], ['9007199254740991', 2 ** 53 - 1],
    ['0x1000', 4096], ['0X1000', 4096], ['0xfFfF', 65535], ['0x7f0000000000', 0x7f0000000000],
    ['4K', 4 * KiB], ['4k', 4 * KiB], ['4KiB', 4 * KiB], ['4kib', 4 * KiB], ['4KIB', 4 * KiB],
    ['2M', 2 * MiB], ['2MiB', 2 * MiB], ['512m', 512 * MiB],
    ['16G', 16 * GiB], ['16GiB', 16 * GiB], ['1g', GiB],
    ['1T', TiB], ['1TiB', TiB], ['1P', PiB], ['1PiB', PiB], ['7P', 7 * PiB],
    ['0x10G', 16 * GiB], ['0K', 0],
  ];
  for (const [v, n] of cases) assert.equal(parseSize(v, 'w'), n, `parseSize(${JSON.stringify(v)})`);
});

test('parseSize rejects everything else, naming where and what it got', () => {
  const cases: [unknown, string][] = [
    ['1.5K', '"1.5K"'], ['1.5', '"1.5"'], ['-1', '"-1"'], ['-1G', '"-1G"'], ['', '""'], [' 4K', '" 4K"'],
    ['4K ', '"4K "'], ['4 K', '"4 K"'], ['4KB', '"4KB"'], ['4Ki', '"4Ki"'], ['4B', '"4B"'], ['16 gigs', '"16 gigs"'],
    ['010', '"010"'], ['0x', '"0x"'], ['K', '"K"'], ['1e3', '"1e3"'], ['4KK', '"4KK"'], ['0b101', '"0b101"'],
    ['NaN', '"NaN"'], ['Infinity', '"Infinity"'], ['+4K', '"+4K"'],
    [-1, '-1'], [1.5, '1.5'], [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
    [null, 'null'], [true, 'true'], [[4096], 'an array'], [{ size: 4096 }, 'an object'], [undefined, 'nothing'],
  ];
  for (const [v, got] of cases) throwsInput(() => parseSize(v, 'f.json: vmas[1].size'), `f.json: vmas[1].size: expected a size like "16GiB", got ${got}`);
});

test('parseSize rejects 2^53 and beyond, saying so', () => {
  const cases: [unknown, string][] = [
    [2 ** 53, '9007199254740992'], [1e21, '1e+21'], ['9007199254740992', '"9007199254740992"'],
    ['0x20000000000000', '"0x20000000000000"'], ['8P', '"8P"'], ['8PiB', '"8PiB"'], ['99999999T', '"99999999T"'],
    ['0xffffffffffffffffffff', '"0xffffffffffffffffffff"'],
  ];
  for (const [v, got] of cases) {
    throwsInput(() => parseSize(v, '--ram'), `--ram: ${got} exceeds 2^53 - 1, the largest exact address this tool handles`);
  }
});

test('parseAddress: same grammar, address wording', () => {
  assert.equal(parseAddress('0x3b0000000000', 'w'), 0x3b0000000000);
  assert.equal(parseAddress('4G', 'w'), 4 * GiB);
  assert.equal(parseAddress(4294967296, 'w'), 4 * GiB);
  throwsInput(() => parseAddress('0x7f00_0000', 'f.json: vmas[0].start'), 'f.json: vmas[0].start: expected an address like "0x7f0000000000", got "0x7f00_0000"');
  throwsInput(() => parseAddress(-4096, 'x'), 'x: expected an address like "0x7f0000000000", got -4096');
});

test('parsePowerOfTwo: at least 4 KiB', () => {
  assert.equal(parsePowerOfTwo('1G', 'w'), GiB);
  assert.equal(parsePowerOfTwo('4k', 'w'), 4096);
  throwsInput(() => parsePowerOfTwo('3k', '--iommu-pgsizes'), '--iommu-pgsizes: expected a power of two of at least 4 KiB like "2M", got "3k"');
  throwsInput(() => parsePowerOfTwo('2K', 'a'), 'a: expected a power of two of at least 4 KiB like "2M", got "2K"');
  throwsInput(() => parsePowerOfTwo(0x300000000, 'a'), 'a: expected a power of two of at least 4 KiB like "2M", got 12884901888');
});

test('formatSize', () => {
  const cases: [number, string][] = [
    [0, '0 B'], [1, '1 B'], [512, '512 B'], [1023, '1023 B'], [4096, '4 KiB'], [1280, '1.25 KiB'],
    [512 * MiB, '512 MiB'], [16 * GiB, '16 GiB'], [1.5 * GiB, '1.5 GiB'], [TiB, '1 TiB'], [8 * PiB, '8 PiB'],
    [MiB - 1, '1 MiB'], [1022 * GiB, '1022 GiB'], [2 ** 60, '1024 PiB'],
  ];
  for (const [n, s] of cases) assert.equal(formatSize(n), s, `formatSize(${n})`);
});

test('formatHex is exact above 2^32', () => {
  assert.equal(formatHex(0), '0x0');
  assert.equal(formatHex(4096), '0x1000');
  assert.equal(formatHex(0x7f0000000000), '0x7f0000000000');
  assert.equal(formatHex(0x3b0000000000 + 4096), '0x3b0000001000');
  assert.equal(formatHex(2 ** 53 - 1), '0x1fffffffffffff');
  assert.equal(formatHex(2 ** 32 + 1), '0x100000001');
});
