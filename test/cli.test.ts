// cli/: exit codes, colour decision, progress line, and the bin end to end for the commands
// that need no runner output (--version, --help, list, bad input).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { CommanderError } from 'commander';
import { exitCodeFor } from '../src/cli/errors.ts';
import { useColor, type Io } from '../src/cli/io.ts';
import { formatClock, Progress } from '../src/cli/progress.ts';
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
  /** Fake timer and signal hooks: tick() runs the interval, sigint()/exit() the handlers. */
  function fakeHooks() {
    const h = {
      tickFn: undefined as (() => void) | undefined, sigintFn: undefined as (() => void) | undefined, exitFn: undefined as (() => void) | undefined,
      cleared: false,
      setInterval: (fn: () => void) => { h.tickFn = fn; return 1; },
      clearInterval: () => void (h.cleared = true),
      onSigint: (fn: () => void) => { h.sigintFn = fn; return () => void (h.sigintFn = undefined); },
      onExit: (fn: () => void) => { h.exitFn = fn; return () => void (h.exitFn = undefined); },
    };
    return h;
  }
  test('drawn from the start, redrawn on the timer with percent, elapsed and ETA, cleared at the end', () => {
    let t = 0;
    const written: string[] = [];
    const hooks = fakeHooks();
    const p = new Progress({ write: (s) => void written.push(s), columns: 120 }, true, () => t, hooks);
    assert.deepEqual(written, ['\r\x1b[2K[--------------------]   0%  0:00  ETA -:--  ']);
    const cb = p.forFixture(1, 2); // the second of two fixtures: its steps fill the second half
    cb(1, 4, 'gpu: baseline: timing');
    t = 10_000;
    hooks.tickFn!();
    // (1 + 1/4) / 2 = 62.5% done after 10 s: 6 s to go
    assert.equal(written.at(-1), '\r\x1b[2K[2/2] [#############-------]  62%  0:10  ETA 0:06  gpu: baseline: timing');
    p.clear();
    assert.equal(written.at(-1), '\r\x1b[2K');
    assert.equal(hooks.cleared, true);
    assert.equal(hooks.sigintFn, undefined); // the Ctrl-C and exit hooks are gone with the line
    assert.equal(hooks.exitFn, undefined);
    const n = written.length;
    hooks.tickFn!();
    assert.equal(written.length, n); // nothing after clear
  });
  test('an exit with the line still drawn clears it', () => {
    const written: string[] = [];
    const hooks = fakeHooks();
    new Progress({ write: (s) => void written.push(s), columns: 80 }, true, () => 0, hooks);
    hooks.exitFn!();
    assert.equal(written.at(-1), '\r\x1b[2K');
  });
  test('a long line is cut to the terminal width', () => {
    const written: string[] = [];
    const p = new Progress({ write: (s) => void written.push(s), columns: 40 }, true, () => 0, fakeHooks());
    p.set(0.5, 'x'.repeat(100));
    assert.equal(written.at(-1)!.length, '\r\x1b[2K'.length + 39);
    assert.ok(written.at(-1)!.endsWith('…'));
  });
  test('disabled (not a TTY, --quiet) writes nothing and hooks nothing', () => {
    const written: string[] = [];
    const hooks = fakeHooks();
    const p = new Progress({ write: (s) => void written.push(s), columns: 80 }, false, () => 5000, hooks);
    p.set(0.5, 'x');
    p.clear();
    assert.deepEqual(written, []);
    assert.equal(hooks.tickFn, undefined);
  });
  test('formatClock', () => {
    assert.deepEqual([0, 999, 75_000, 3_725_000].map(formatClock), ['0:00', '0:01', '1:15', '1:02:05']);
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
