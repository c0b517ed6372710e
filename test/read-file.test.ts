// The bounded reader (input/read-file.ts): a FIFO refused at once, invalid UTF-8 named at the
// byte where the bad sequence starts, each kind's size cap, JSON errors on one clipped line.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseJson, readJson, readText } from '../src/input/read-file.ts';
import { InputError } from '../src/model/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'vpb-read-'));
const file = (name: string, bytes: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const fails = (f: () => unknown, message: string | RegExp): void => {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof InputError, String(e));
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
};

test('a FIFO with no writer is refused at once, without blocking', { skip: process.platform === 'win32' }, () => {
  const fifo = join(dir, 'fifo.json');
  execFileSync('mkfifo', [fifo]);
  const t0 = performance.now();
  fails(() => readText(fifo, 'fixtures'), new RegExp(`^${fifo}: not a regular file but a FIFO \\(named pipe\\): refused unread`));
  assert.ok(performance.now() - t0 < 1000);
});

test('invalid UTF-8: the offset and byte where the bad sequence starts', () => {
  const cases: [number[], string][] = [
    [[0x61, 0xff, 0x62], 'invalid byte 0xff at offset 1'],
    [[0x61, 0x80], 'invalid byte 0x80 at offset 1'], // a stray continuation byte
    [[0x61, 0xe2, 0x82, 0x41], 'invalid byte 0xe2 at offset 1'], // cut short by another byte
    [[0x61, 0x61, 0xe2, 0x82], 'invalid byte 0xe2 at offset 2'], // cut short by the end
    [[0xc0, 0x80], 'invalid byte 0xc0 at offset 0'], // overlong
    [[0x61, 0xe0, 0x80, 0x80], 'invalid byte 0xe0 at offset 1'], // overlong
    [[0xed, 0xa0, 0x80], 'invalid byte 0xed at offset 0'], // a surrogate
    [[0xf4, 0x90, 0x80, 0x80], 'invalid byte 0xf4 at offset 0'], // above U+10FFFF
  ];
  for (const [bytes, message] of cases) {
    const path = file('bad.json', Buffer.from(bytes));
    fails(() => readText(path, 'fixtures'), `${path}: not UTF-8: ${message}`);
  }
  assert.equal(readText(file('ok.json', '"\u00e9\u20ac\u{1f600}"'), 'fixtures'), '"\u00e9\u20ac\u{1f600}"');
});

test('each kind has its cap; the messages name the file as the caller shows it', () => {
  const big = file('big.json', ' '.repeat(1024 * 1024 + 1));
  fails(() => readText(big, 'profiles', '--profile big.json'), '--profile big.json: file is 1048577 bytes, over the 1 MiB (1048576 bytes) limit for profiles');
  assert.equal(readText(big, 'fixtures').length, 1024 * 1024 + 1);
  fails(() => readText(join(dir, 'missing.json'), 'result documents'), `${join(dir, 'missing.json')}: cannot read: ENOENT: no such file or directory`);
});

test('JSON: a byte-order mark is ignored, a syntax error is one clipped line', () => {
  assert.deepEqual(readJson(file('bom.json', '\uFEFF{"a": 1}'), 'fixtures'), { a: 1 });
  fails(() => parseJson('{\n  "a": x\n}', 'x.json'), /^x\.json: invalid JSON: Unexpected token 'x', .*"a": x \}" is not valid JSON$/);
  assert.throws(() => parseJson(`{"${'a'.repeat(1000)}" 1}`, 'x.json'), (e: unknown) => e instanceof InputError && e.message.length <= 'x.json: invalid JSON: '.length + 200);
});
