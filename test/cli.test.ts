// cli/: exit codes, colour decision, progress line, and the bin end to end for the commands
// that need no runner output (--version, --help, list, bad input).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { CommanderError } from 'commander';
import { exitCodeFor } from '../src/cli/errors.ts';
import { useColor, type Io } from '../src/cli/io.ts';
import { Progress } from '../src/cli/progress.ts';
import { InputError } from '../src/model/errors.ts';

const BIN = new URL('../bin/vfio-pin-bench.js', import.meta.url).pathname;
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const ANSI = /\x1b\[/;

function fakeIo(env: Record<string, string | undefined> = {}, stdoutColor = true): Io & { outText: string; errText: string } {
  const io = {
    outText: '', errText: '',
    out(t: string) { io.outText += t; },
    err(t: string) { io.errText += t; },
    stdoutColor, stderrIsTTY: true, stderrColumns: 80, env,
  };
  return io;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('exit codes', () => {
  test('InputError: its message alone, exit 2', () => {
    const io = fakeIo();
    assert.equal(exitCodeFor(new InputError('fixtures/x.json: vmas[1].size: expected a size like "16GiB", got "16 gigs"'), io), 2);
    assert.equal(io.errText, 'fixtures/x.json: vmas[1].size: expected a size like "16GiB", got "16 gigs"\n');
  });
  test('commander: help and version 0, anything else 2 (never 1)', () => {
    assert.equal(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), fakeIo()), 0);
    assert.equal(exitCodeFor(new CommanderError(1, 'commander.unknownOption', 'error: unknown option'), fakeIo()), 2);
  });
  test('anything else: one line, exit 70, stack only with VFIO_PIN_BENCH_DEBUG=1', () => {
    const io = fakeIo();
    assert.equal(exitCodeFor(new TypeError('boom'), io), 70);
    assert.equal(io.errText, 'internal error: boom\n');
    const debug = fakeIo({ VFIO_PIN_BENCH_DEBUG: '1' });
    exitCodeFor(new TypeError('boom'), debug);
    assert.match(debug.errText, /at .*cli\.test/);
  });
});

describe('colour', () => {
  test('--no-color, NO_COLOR and a stream without colour each turn it off', () => {
    assert.equal(useColor(fakeIo(), true), true);
    assert.equal(useColor(fakeIo(), false), false);
    assert.equal(useColor(fakeIo({ NO_COLOR: '1' }), true), false);
    assert.equal(useColor(fakeIo({ NO_COLOR: '' }), true), true); // empty NO_COLOR is unset, per no-color.org
    assert.equal(useColor(fakeIo({}, false), true), false);
  });
});

describe('progress', () => {
  test('nothing in the first second, then one redrawn line, cleared at the end', () => {
    let t = 0;
    const written: string[] = [];
    const p = new Progress({ write: (s) => void written.push(s), columns: 80 }, true, 1000, () => t);
    const cb = p.forFixture(0, 2);
    cb(0, 4, 'gpu: baseline: simulating');
    assert.deepEqual(written, []);
    t = 1500;
    cb(1, 4, 'gpu: baseline: timing');
    assert.deepEqual(written, ['\r\x1b[2K[1/2] 1/4 gpu: baseline: timing']);
    p.clear();
    assert.equal(written.at(-1), '\r\x1b[2K');
  });
  test('disabled (not a TTY, --quiet, --json) writes nothing', () => {
    const written: string[] = [];
    const p = new Progress({ write: (s) => void written.push(s), columns: 80 }, false, 0, () => 5000);
    p.update('x');
    p.clear();
    assert.deepEqual(written, []);
  });
});

describe('bin', () => {
  test('--version prints package.json\'s version', async () => {
    const r = await cli(['--version']);
    assert.deepEqual(r, { code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });
  test('--help on every command, with examples', async () => {
    for (const args of [['--help'], ['run', '--help'], ['list', '--help'], ['show', '--help'], ['validate', '--help']]) {
      const r = await cli(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /^Usage: vfio-pin-bench/);
      assert.match(r.stdout, /Examples:\n {2}\$ vfio-pin-bench/);
    }
  });
  test('list: strategies with their kernel, profiles; no colour when NO_COLOR is set', async () => {
    const r = await cli(['list'], { FORCE_COLOR: '1', NO_COLOR: '1' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /baseline\s+│ Linux 4\.16/);
    assert.match(r.stdout, /\brfc\b/);
    assert.match(r.stdout, /\(default\)/);
    assert.doesNotMatch(r.stdout, ANSI);
  });
  test('unknown command: exit 2', async () => {
    const r = await cli(['frob']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'frob'/);
  });
  test('unknown --strategy: exit 2 naming the valid ones', async () => {
    const r = await cli(['run', '--strategy', 'baseline,nope', '--no-timing']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown strategy "nope"; valid: baseline, rfc/);
    assert.equal(r.stdout, '');
  });
  test('bad numbers and conflicting formats: exit 2', async () => {
    for (const args of [['run', '--time', 'abc'], ['run', '--iterations', '0'], ['run', '--json', '--markdown'], ['run', '--bogus']]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^error: /);
    }
  });
  test('unknown fixture: the layout\'s message, exit 2, no stack', async () => {
    const r = await cli(['validate', 'no-such-fixture']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no-such-fixture/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
