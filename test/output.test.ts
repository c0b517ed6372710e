// Nothing lost (issue 14): output files checked before the run and written atomically
// (cli/output.ts), stdout and stderr writes checked (cli/write-fd.ts). Refusals are one line,
// exit 2; a failed write after the run leaves the old file, the report still reaches stdout, and
// the exit code is 74; kill -9 during a write leaves the old file or the complete new one.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync, closeSync, existsSync, linkSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { commitOutput, commitOutputs, checkOutputs } from '../src/cli/output.ts';
import { writeFully } from '../src/cli/write-fd.ts';
import { bundledFixtures } from '../src/input/bundled.ts';
import { parseRunDocument } from '../src/input/result-document.ts';
import { InputError, OutputError } from '../src/model/errors.ts';
import { BIN } from './bin.ts';
import { mountTmpfs, NO_TMPFS } from './tmpfs.ts';

const dir = mkdtempSync(join(tmpdir(), 'vpb-output-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string): string => join(dir, name);
const ROOT = process.getuid?.() === 0;

/** An InputError of one line equal to (or matching) `message`. */
function refused(f: () => unknown, message: string | RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof InputError, `not an InputError: ${String(e)}`);
    assert.doesNotMatch(e.message, /\n/);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

/** The hidden temporary and probe files a write leaves in a folder (none, when all went well). */
const leftovers = (folder: string): string[] => readdirSync(folder).filter((f) => /\.(tmp|probe)$/.test(f));

interface Spawned { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** The bin with stdout and stderr each a pipe or an open file descriptor (a file on a full disk, /dev/full). */
function spawnBin(args: string[], stdio: { stdout?: number; stderr?: number; closeStdout?: boolean; cwd?: string } = {}): Promise<Spawned> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: stdio.cwd ?? dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', stdio.stdout ?? 'pipe', stdio.stderr ?? 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    if (stdio.closeStdout) child.stdout?.destroy(); // the reader goes away at once: EPIPE
    else child.stdout?.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const oneLineNoStack = (r: Spawned, what: string): void => {
  assert.equal(r.stderr.split('\n').filter((l) => l !== '').length, 1, `${what}: stderr is not one line: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/, `${what}: a stack trace: ${r.stderr}`);
};

describe('output files: refused before the run', () => {
  writeFileSync(path('fixture.json'), '{"old": true}\n');
  test('a directory, a device, a FIFO, a missing folder, an empty name', () => {
    refused(() => checkOutputs([{ flag: '--output', path: dir }], []), `--output ${dir}: cannot write: is a directory (give a file name)`);
    refused(() => checkOutputs([{ flag: '--output', path: '/dev/null' }], []),
      /^--output \/dev\/null: cannot write: it is a character device, not a regular file \(outputs are written to a temporary file/);
    const fifo = path('fifo');
    execFileSync('mkfifo', [fifo]);
    refused(() => checkOutputs([{ flag: '--svg', path: fifo }], []), new RegExp(`^--svg ${fifo}: cannot write: it is a FIFO \\(named pipe\\), not a regular file`));
    refused(() => checkOutputs([{ flag: '--output', path: path('no/such/x.json') }], []), `--output ${path('no/such/x.json')}: cannot write: no folder ${path('no/such')}`);
    refused(() => checkOutputs([{ flag: '--output', path: '' }], []), '--output: expected a file name, got ""');
    symlinkSync(path('nowhere'), path('dangling.json'));
    refused(() => checkOutputs([{ flag: '--output', path: path('dangling.json') }], []), /^--output .*dangling\.json: cannot write: a symbolic link to nothing \(ENOENT/);
  });
  test('an input file, by its path, a symbolic link or a hard link; the same file twice', () => {
    const input = path('fixture.json');
    const message = (p: string): string => `--output ${p}: refused: it is the input file ${input}; writing the result there would replace it`;
    refused(() => checkOutputs([{ flag: '--output', path: input }], [input]), message(input));
    symlinkSync(input, path('link.json'));
    refused(() => checkOutputs([{ flag: '--output', path: path('link.json') }], [input]), message(path('link.json')));
    linkSync(input, path('hard.json'));
    refused(() => checkOutputs([{ flag: '--output', path: path('hard.json') }], [input]), message(path('hard.json')));
    refused(() => checkOutputs([{ flag: '--svg', path: path('c.svg') }, { flag: '--html', path: path('c.svg') }], []),
      `--html ${path('c.svg')}: refused: the same file as --svg ${path('c.svg')}`);
    // a bundled fixture as the output of a run that reads it (the issue's `run --all --output fixtures/...`)
    const bundled = bundledFixtures()[0]!.path;
    const before = readFileSync(bundled);
    refused(() => checkOutputs([{ flag: '--output', path: bundled }], bundledFixtures().map((f) => f.path)), /: refused: it is the input file /);
    assert.deepEqual(readFileSync(bundled), before);
    assert.equal(readFileSync(input, 'utf8'), '{"old": true}\n');
    assert.deepEqual(leftovers(dir), []);
  });
  test('a folder where no file can be created: read-only (EROFS), or without write permission (EACCES)', (t) => {
    if (ROOT) {
      const ro = mountTmpfs('ro,size=4k');
      if (ro === null) return t.skip(NO_TMPFS);
      try {
        refused(() => checkOutputs([{ flag: '--output', path: join(ro.dir, 'x.json') }], []),
          new RegExp(`^--output ${ro.dir}/x\\.json: cannot write in ${ro.dir}: EROFS: read-only file system$`));
      } finally {
        ro.close();
      }
    } else {
      const locked = path('locked');
      mkdirSync(locked, 0o555);
      refused(() => checkOutputs([{ flag: '--output', path: join(locked, 'x.json') }], []), /: cannot write in .*locked: EACCES: permission denied$/);
      chmodSync(locked, 0o755);
    }
  });
  test('the run is refused before it starts: `run my.json --output my.json`, `run --bar 128G --output <dir>` (in-process CLI)', async () => {
    const { main } = await import('../src/cli/program.ts');
    const my = path('my.json');
    const text = readFileSync(bundledFixtures().find((f) => f.name === 'small-mixed')!.path, 'utf8');
    writeFileSync(my, text);
    const run = async (args: string[]): Promise<{ code: number; err: string }> => {
      let err = '';
      const io = { out: () => {}, err: (s: string) => void (err += s), stdoutColor: false, stderrIsTTY: false, stderrColumns: 80, env: {} };
      return { code: await main(['node', 'vfio-pin-bench', ...args], io), err };
    };
    const a = await run(['run', my, '--output', my, '--no-timing']);
    assert.equal(a.code, 2);
    assert.equal(a.err, `--output ${my}: refused: it is the input file ${my}; writing the result there would replace it\n`);
    assert.equal(readFileSync(my, 'utf8'), text, 'the fixture is untouched');
    // a 128 GiB BAR takes half a minute per strategy: a directory must be found before it starts
    const t0 = performance.now();
    const b = await run(['run', '--bar', '128G', '--no-timing', '--output', dir]);
    assert.equal(b.code, 2);
    assert.equal(b.err, `--output ${dir}: cannot write: is a directory (give a file name)\n`);
    assert.ok(performance.now() - t0 < 5000, 'refused before the run');
  });
});

describe('output files: written atomically', () => {
  test('the new text replaces the old; the permissions stay; a symbolic link stays and its target is written; nothing is left over', () => {
    const p = path('out.json');
    writeFileSync(p, 'old\n');
    chmodSync(p, 0o640);
    const [o] = checkOutputs([{ flag: '--output', path: p }], []);
    assert.deepEqual(leftovers(dir), [], 'the probe is removed at once: nothing on disk during the run');
    commitOutput(o!, 'new\n');
    assert.equal(readFileSync(p, 'utf8'), 'new\n');
    assert.equal(statSync(p).mode & 0o777, 0o640);
    writeFileSync(path('target.json'), 'old target\n');
    symlinkSync(path('target.json'), path('via-link.json'));
    const [l] = checkOutputs([{ flag: '--output', path: path('via-link.json') }], []);
    commitOutput(l!, ['pieces ', Buffer.from('of text\n')]);
    assert.equal(readFileSync(path('target.json'), 'utf8'), 'pieces of text\n');
    assert.ok(statSync(path('via-link.json')).isFile() && readFileSync(path('via-link.json'), 'utf8') === 'pieces of text\n');
    assert.deepEqual(leftovers(dir), []);
  });
  test('a full device: OutputError, the old file unchanged, the temporary file removed (tmpfs of 64 KiB)', (t) => {
    const fs = mountTmpfs('size=64k');
    if (fs === null) return t.skip(NO_TMPFS);
    try {
      const p = join(fs.dir, 'result.json');
      writeFileSync(p, 'the previous result\n');
      const [o] = checkOutputs([{ flag: '--output', path: p }], []);
      assert.throws(() => commitOutput(o!, 'x'.repeat(200 * 1024)), (e: unknown) => {
        assert.ok(e instanceof OutputError);
        assert.match(e.message, new RegExp(`^--output ${p}: cannot write: ENOSPC: no space left on device \\(the device is full after \\d+ bytes; not written; the previous file, if any, is unchanged\\)$`));
        return true;
      });
      assert.equal(readFileSync(p, 'utf8'), 'the previous result\n');
      assert.deepEqual(leftovers(fs.dir), []);
      // commitOutputs collects the failure instead of throwing: the caller prints the report first
      const [o2] = checkOutputs([{ flag: '--output', path: p }], []);
      const failures = commitOutputs([{ out: o2!, text: () => 'y'.repeat(200 * 1024) }]);
      assert.equal(failures.length, 1);
    } finally {
      fs.close();
    }
  });
  test('writeFully: every byte or an OutputError naming the stream (a closed descriptor, /dev/full)', () => {
    const fd = openSync(path('closed'), 'w');
    closeSync(fd);
    assert.throws(() => writeFully(fd, 'x', 'stdout'), /^OutputError: stdout: cannot write: EBADF: bad file descriptor \(the stream is closed after 0 bytes; the output is incomplete\)$/);
    const full = openSync('/dev/full', 'w');
    try {
      assert.throws(() => writeFully(full, 'x', 'stderr'), /^OutputError: stderr: cannot write: ENOSPC: no space left on device \(the device is full after 0 bytes/);
    } finally {
      closeSync(full);
    }
  });
});

describe('kill -9 during a write: the old file or the complete new one', () => {
  // A child writes 200 pieces of 64 KiB through commitOutput, slowly (a millisecond between
  // pieces), saying when it has started; it is killed mid-write at a different piece each time.
  const writer = path('writer.ts');
  writeFileSync(writer, `
import { commitOutput, checkOutputs } from ${JSON.stringify(new URL('../src/cli/output.ts', import.meta.url).pathname)};
const [target, killAt] = process.argv.slice(2);
const [o] = checkOutputs([{ flag: '--output', path: target }], []);
const nap = new Int32Array(new SharedArrayBuffer(4));
function* pieces() {
  for (let i = 0; i < 200; i++) {
    if (i === Number(killAt)) process.stdout.write('mid-write\\n');
    Atomics.wait(nap, 0, 0, 1);
    yield Buffer.alloc(65536, 0x6e);
  }
}
commitOutput(o, pieces());
process.stdout.write('done\\n');
`);
  const runWriter = (target: string, killAt: number): Promise<{ killedMidWrite: boolean; signal: NodeJS.Signals | null }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, target, String(killAt)], { cwd: new URL('..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'inherit'] });
      let killed = false;
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('mid-write') && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      });
      child.on('close', (_code, signal) => resolve({ killedMidWrite: killed, signal }));
    });
  for (const killAt of [1, 100, 199]) {
    test(`killed at piece ${killAt} of 200: the old file, a temporary file left beside it`, async () => {
      const target = path(`killed-${killAt}.json`);
      writeFileSync(target, 'old\n');
      const r = await runWriter(target, killAt);
      assert.ok(r.killedMidWrite && r.signal === 'SIGKILL', 'the child was killed mid-write');
      assert.equal(readFileSync(target, 'utf8'), 'old\n');
      const tmp = leftovers(dir).filter((f) => f.startsWith(`.killed-${killAt}.json.`));
      assert.equal(tmp.length, 1, 'the partial text is in the temporary file, never in the target');
      for (const f of tmp) rmSync(path(f));
    });
  }
  test('not killed: the complete new file', async () => {
    const target = path('whole.json');
    writeFileSync(target, 'old\n');
    await runWriter(target, -1);
    const text = readFileSync(target);
    assert.equal(text.length, 200 * 65536);
    assert.ok(text.every((b) => b === 0x6e));
  });
  test('the CLI killed at any moment of `run --output`: the old file or a whole result document', async () => {
    const target = path('cli-result.json');
    for (const ms of [200, 800, 1500, 2500]) {
      writeFileSync(target, 'old\n');
      const child = spawn(process.execPath, [BIN, 'run', 'small-mixed', '--no-timing', '--output', target], { cwd: dir, stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      await new Promise((resolve) => child.on('close', resolve));
      clearTimeout(timer);
      const text = readFileSync(target, 'utf8');
      if (text !== 'old\n') assert.doesNotThrow(() => parseRunDocument(text, target), `killed after ${ms} ms: neither the old file nor a whole document`);
      for (const f of leftovers(dir).filter((x) => x.startsWith('.cli-result.json.'))) rmSync(path(f));
    }
  });
});

describe('stdout and stderr: a failed write is exit 74 and one line, never 0 or 1', () => {
  test('`list > /dev/full`, `--version > /dev/full`: ENOSPC, exit 74, no stack trace', async () => {
    for (const args of [['list'], ['--version'], ['run', 'small-mixed', '--no-timing', '-s', 'baseline', '--format', 'json']]) {
      const full = openSync('/dev/full', 'w');
      const r = await spawnBin(args, { stdout: full });
      closeSync(full);
      assert.equal(r.code, 74, `${args.join(' ')}: ${r.stderr}`);
      oneLineNoStack(r, args.join(' '));
      assert.match(r.stderr, /^stdout: cannot write: ENOSPC: no space left on device \(the device is full after 0 bytes; the output is incomplete\)\n$/);
    }
  });
  test('`validate <bad fixture>` with stderr on /dev/full: not 0, not 1, no trace (74: even the message was lost)', async () => {
    const full = openSync('/dev/full', 'w');
    const r = await spawnBin(['validate', path('missing.json')], { stderr: full });
    closeSync(full);
    assert.equal(r.code, 74);
    assert.equal(r.stdout, '');
  });
  test('a closed pipe (EPIPE): exit 74 and one line', async () => {
    const r = await spawnBin(['run', 'small-mixed', '--no-timing', '-s', 'baseline', '--format', 'json'], { closeStdout: true });
    assert.equal(r.code, 74, r.stderr);
    oneLineNoStack(r, 'EPIPE');
    assert.match(r.stderr, /^stdout: cannot write: EPIPE: broken pipe \(the reader closed the pipe after 0 bytes; the output is incomplete\)\n$/);
  });
  test('a 4 KiB filesystem: run --format json, export, compare --format json and list end in 74, never 0 with a truncated file', async (t) => {
    const fs = mountTmpfs('size=4k');
    if (fs === null) return t.skip(NO_TMPFS);
    try {
      const doc = path('doc.json');
      const made = await spawnBin(['run', 'small-mixed', '--no-timing', '-s', 'baseline,rfc', '--output', doc]);
      assert.equal(made.code, 0, made.stderr);
      for (const args of [
        ['run', 'small-mixed', '--no-timing', '-s', 'baseline', '--format', 'json'],
        ['export', doc, '--format', 'terminal', '--verbose'],
        ['compare', doc, doc, '--format', 'json'],
        ['list'],
      ]) {
        const out = join(fs.dir, 'out.txt');
        const fd = openSync(out, 'w');
        const r = await spawnBin(args, { stdout: fd });
        closeSync(fd);
        assert.equal(r.code, 74, `${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
        oneLineNoStack(r, args.join(' '));
        assert.match(r.stderr, /^stdout: cannot write: ENOSPC/);
        rmSync(out);
      }
    } finally {
      fs.close();
    }
  });
  test('`run --output` on a full disk: the report still reaches stdout, the old file stays, exit 74', async (t) => {
    const fs = mountTmpfs('size=8k'); // two pages: the old file holds one, the new document needs more than the other
    if (fs === null) return t.skip(NO_TMPFS);
    try {
      const out = join(fs.dir, 'result.json');
      writeFileSync(out, 'the previous result\n');
      const r = await spawnBin(['run', 'small-mixed', '--no-timing', '-s', 'baseline', '--output', out]);
      assert.equal(r.code, 74, r.stderr);
      assert.match(r.stdout, /small-mixed/, 'the report reached stdout');
      assert.match(r.stdout, /Verdict|verdict/);
      oneLineNoStack(r, 'run --output');
      assert.match(r.stderr, new RegExp(`^--output ${out}: cannot write: ENOSPC: no space left on device \\(the device is full after \\d+ bytes; not written; the previous file, if any, is unchanged\\)\\n$`));
      assert.equal(readFileSync(out, 'utf8'), 'the previous result\n');
      assert.deepEqual(leftovers(fs.dir), []);
      assert.ok(existsSync(out));
    } finally {
      fs.close();
    }
  });
});
