// .github/workflows/bench.yml cannot run here (no GitHub), so this test keeps it honest: it
// parses the YAML, checks the triggers and the steps in order, that the files the steps hand to
// each other line up (the run's output is what compare, upload-artifact and
// github-action-benchmark read; the cache restores and saves the same path), and that every
// command a step runs exists: npm scripts in package.json, the CLI's commands, options
// (parsed by the CLI's own commander definitions, values and choices included) and bundled
// fixtures, bench/index.ts's flags, and a short list of shell tools.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import type { Command } from 'commander';
import { buildProgram, loadCommands } from '../src/cli/program.ts';
import type { Io } from '../src/cli/io.ts';
import { bundledFixtures } from '../src/input/bundled.ts';

const WORKFLOW_PATH = new URL('../.github/workflows/bench.yml', import.meta.url);
const TEXT = readFileSync(WORKFLOW_PATH, 'utf8');
const PKG = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>;
  bin: Record<string, string>;
};
const BENCH_SOURCE = readFileSync(new URL('../bench/index.ts', import.meta.url), 'utf8');

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: { push?: { branches?: string[] }; pull_request?: unknown };
  permissions: Record<string, string>;
  defaults: { run: { shell: string } };
  jobs: Record<string, { steps: Step[]; 'runs-on': string }>;
}

const WF = parse(TEXT) as Workflow;
const STEPS = WF.jobs.bench!.steps;

function step(pred: (s: Step) => boolean, what: string): Step {
  const found = STEPS.filter(pred);
  assert.equal(found.length, 1, `exactly one step ${what}; found ${found.length}`);
  return found[0]!;
}
const byId = (id: string): Step => step((s) => s.id === id, `with id ${id}`);
const indexOf = (s: Step): number => STEPS.indexOf(s);

// ---- a small shell reader: enough for what the steps run ----

interface Command_ {
  argv: string[];
  /** files written with > or >> */
  writes: string[];
}

/** Words of one line, honouring '...' and "..." quotes; separators |, &&, ||, ; become their own words. */
function words(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote !== null) {
      if (ch === quote) quote = null;
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    const two = line.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === '>>') {
      if (inWord) out.push(cur);
      out.push(two);
      cur = '';
      inWord = false;
      i++;
      continue;
    }
    if (ch === '|' || ch === ';' || ch === '>') {
      if (inWord) out.push(cur);
      out.push(ch);
      cur = '';
      inWord = false;
      continue;
    }
    cur += ch;
    inWord = true;
  }
  assert.equal(quote, null, `unclosed quote in: ${line}`);
  if (inWord) out.push(cur);
  return out;
}

/** The simple commands of a run: script (continuations joined, comments dropped). */
function commands(script: string): Command_[] {
  const out: Command_[] = [];
  const lines = script.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  for (const line of lines) {
    let cur: Command_ = { argv: [], writes: [] };
    const ws = words(line);
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      if (w === '|' || w === '&&' || w === '||' || w === ';') {
        out.push(cur);
        cur = { argv: [], writes: [] };
      } else if (w === '>' || w === '>>') {
        cur.writes.push(ws[++i]!);
      } else cur.argv.push(w);
    }
    out.push(cur);
  }
  return out.filter((c) => c.argv.length > 0);
}

const ALL_COMMANDS: (Command_ & { step: Step })[] = STEPS.flatMap((s) => (s.run === undefined ? [] : commands(s.run).map((c) => ({ ...c, step: s }))));

const COMMAND_MODULES = await loadCommands();
const quietIo: Io = { out() {}, err() {}, stdoutColor: false, stderrIsTTY: false, stderrColumns: 80, env: {} };

/** Parses `vfio-pin-bench <args>` with the CLI's own definitions (a fresh program each time);
 *  returns the command and its operands. Throws on an unknown option or a bad value. */
function parseCli(args: string[]): { cmd: Command; operands: string[]; opts: Record<string, unknown> } {
  const program = buildProgram(quietIo, undefined, COMMAND_MODULES);
  const [name, ...rest] = args;
  const cmd = program.commands.find((c) => c.name() === name);
  assert.ok(cmd !== undefined, `vfio-pin-bench has no command "${name}" (it has ${program.commands.map((c) => c.name()).join(', ')})`);
  const { operands, unknown } = cmd.parseOptions(rest);
  assert.deepEqual(unknown, [], `vfio-pin-bench ${name}: unknown options ${unknown.join(' ')}`);
  const declared = cmd.registeredArguments;
  const required = declared.filter((a) => a.required).length;
  assert.ok(operands.length >= required, `vfio-pin-bench ${name}: ${required} arguments required, got ${operands.length}`);
  if (!declared.some((a) => a.variadic)) assert.ok(operands.length <= declared.length, `vfio-pin-bench ${name}: too many arguments`);
  return { cmd, operands, opts: cmd.opts() };
}

function cliCalls(): { args: string[]; writes: string[]; step: Step }[] {
  return ALL_COMMANDS.filter((c) => c.argv[0] === 'node' && c.argv[1] === './bin/vfio-pin-bench.js')
    .map((c) => ({ args: c.argv.slice(2), writes: c.writes, step: c.step }));
}

describe('bench.yml', () => {
  test('runs on pull requests and on pushes to main, read-only, in bash with pipefail', () => {
    assert.deepEqual(WF.on.push, { branches: ['main'] });
    assert.ok('pull_request' in WF.on);
    assert.deepEqual(WF.permissions, { contents: 'read' });
    assert.equal(WF.defaults.run.shell, 'bash'); // GitHub runs `shell: bash` as bash -eo pipefail
    assert.equal(WF.jobs.bench!['runs-on'], 'ubuntu-latest');
  });

  test('the steps, in order', () => {
    const order = [
      step((s) => s.uses === 'actions/checkout@v7', 'checkout'),
      step((s) => s.uses === 'actions/setup-node@v7', 'setup-node'),
      step((s) => s.run === 'npm ci', 'npm ci'),
      byId('baseline'),
      byId('run'),
      byId('speed'),
      byId('export'),
      step((s) => s.uses === 'actions/upload-artifact@v7', 'upload-artifact'),
      byId('compare'),
      byId('compare-speed'),
      step((s) => s.uses === 'benchmark-action/github-action-benchmark@v1' && s.name!.includes('(fixtures)'), 'github-action-benchmark (fixtures)'),
      step((s) => s.uses === 'actions/cache/save@v6', 'cache save'),
    ];
    const at = order.map(indexOf);
    assert.deepEqual(at, [...at].sort((a, b) => a - b), `steps out of order: ${order.map((s) => s.name ?? s.uses).join(', ')}`);
    // issue 13: the Active LTS line for the bench job; Node 20 and 26 in the test job's matrix
    assert.equal(step((s) => s.uses === 'actions/setup-node@v7', 'setup-node').with!['node-version'], 26);
    assert.equal(byId('baseline').uses, 'actions/cache/restore@v6');
    const test = WF.jobs.test!;
    assert.deepEqual((test as unknown as { strategy: { matrix: { node: number[] } } }).strategy.matrix.node, [20, 26]);
    assert.deepEqual(test.steps.filter((s) => s.run !== undefined).map((s) => s.run), ['npm ci', 'npm test']);
  });

  test('every bundled fixture runs, multi-gpu included (--all, issue 15), with --output, markdown to the step summary; the comment says so', () => {
    const [run, ...more] = cliCalls().filter((c) => c.step.id === 'run');
    assert.equal(more.length, 0);
    const { operands, opts } = parseCli(run!.args);
    assert.equal(run!.args[0], 'run');
    // --all: new bundled fixtures join the job without touching this file.
    assert.deepEqual(operands, []);
    assert.equal(opts.all, true);
    assert.equal(opts.exclude, undefined);
    assert.ok(bundledFixtures().some((f) => f.name === 'multi-gpu'));
    assert.equal(opts.timing, false);
    assert.equal(opts.output, 'bench-results/result.json');
    assert.equal(opts.format, 'markdown');
    assert.deepEqual(run!.writes, ['$GITHUB_STEP_SUMMARY']);
    // The YAML comment above the step says multi-gpu is in and why it is cheap now.
    const before = TEXT.slice(0, TEXT.indexOf('- name: Run the bundled fixtures'));
    const comment = before.split('\n').slice(-6).join('\n');
    assert.match(comment, /#.*multi-gpu/);
    assert.match(comment, /multi-gpu included/);
  });

  test('compare reads main\'s stored results and this run\'s, and writes markdown to the step summary', () => {
    const restorePath = byId('baseline').with!.path;
    const calls = cliCalls().filter((c) => c.args[0] === 'compare');
    assert.equal(calls.length, 2);
    const [fixtures, speed] = calls.map((c) => ({ ...c, parsed: parseCli(c.args) }));
    assert.deepEqual(fixtures!.parsed.operands, [`${restorePath}/result.json`, 'bench-results/result.json']);
    assert.deepEqual(speed!.parsed.operands, [`${restorePath}/speed.json`, 'bench-results/speed.json']);
    for (const c of [fixtures!, speed!]) {
      assert.equal(c.parsed.opts.format, 'markdown');
      const cmds = commands(c.step.run!);
      assert.deepEqual(cmds.at(-1)!.argv, ['tee', '-a', '$GITHUB_STEP_SUMMARY']);
      // Skipped (with a notice elsewhere) when main has no stored result yet.
      assert.match(c.step.if!, new RegExp(`hashFiles\\('${c.parsed.operands[0]!.replace(/[./]/g, '\\$&')}'\\) != ''`));
    }
    const notice = step((s) => s.run?.includes('::notice') === true, 'notice');
    assert.match(notice.if!, /hashFiles\('bench-baseline\/result\.json'\) == ''/);
  });

  test('the simulator\'s speed: npm run bench writes the file compare reads', () => {
    const bench = ALL_COMMANDS.filter((c) => c.step.id === 'speed');
    assert.equal(bench.length, 1);
    assert.deepEqual(bench[0]!.argv, ['npm', 'run', 'bench', '--', '--output', 'bench-results/speed.json', '--report', 'bench-results/speed-report.json']);
  });

  test('the artifact, github-action-benchmark and the cache get the files the earlier steps wrote', () => {
    const upload = step((s) => s.uses === 'actions/upload-artifact@v7', 'upload-artifact');
    assert.equal(upload.with!.path, 'bench-results/');
    assert.equal(upload.if, '${{ !cancelled() }}');

    const exports = cliCalls().filter((c) => c.step.id === 'export');
    assert.deepEqual(exports.map((c) => [parseCli(c.args).operands[0], parseCli(c.args).opts.format, c.writes[0]]), [
      ['bench-results/result.json', 'github-action-benchmark', 'bench-results/github-action-benchmark.json'],
      ['bench-results/speed.json', 'github-action-benchmark', 'bench-results/github-action-benchmark-speed.json'],
    ]);
    const feeds = STEPS.filter((s) => s.uses === 'benchmark-action/github-action-benchmark@v1');
    assert.deepEqual(feeds.map((s) => s.with!['output-file-path']), exports.map((c) => c.writes[0]));
    for (const f of feeds) {
      assert.equal(f.with!.tool, 'customSmallerIsBetter');
      assert.equal(f.with!['fail-on-alert'], false);
      assert.equal(f.with!['save-data-file'], "${{ github.event_name == 'push' }}");
      assert.match(String(f.with!['external-data-json-path']), /^bench-baseline\//);
    }

    const restore = byId('baseline');
    const save = step((s) => s.uses === 'actions/cache/save@v6', 'cache save');
    assert.equal(save.with!.path, restore.with!.path);
    assert.equal(save.with!.key, 'vfio-pin-bench-main-${{ github.sha }}');
    assert.equal(restore.with!['restore-keys'], 'vfio-pin-bench-main-');
    assert.match(String(restore.with!.key), /^vfio-pin-bench-main-\$\{\{ github\.event\.pull_request\.base\.sha \|\| github\.event\.before \}\}$/);
    // Only a push to main stores results, after copying this run's files into the cached folder.
    assert.match(save.if!, /github\.event_name == 'push'/);
    const keep = step((s) => s.run?.startsWith('cp ') === true, 'cp');
    assert.deepEqual(commands(keep.run!)[0]!.argv, ['cp', 'bench-results/result.json', 'bench-results/speed.json', `${restore.with!.path}/`]);
    assert.equal(keep.if, save.if);
    assert.ok(indexOf(keep) < indexOf(save) && indexOf(byId('compare')) < indexOf(keep), 'compare must read the old results before they are replaced');
  });

  test('every command a step runs exists', () => {
    const shellTools = new Set(['mkdir', 'cp', 'echo', 'tee']);
    assert.ok(ALL_COMMANDS.length >= 10);
    for (const c of ALL_COMMANDS) {
      const [prog, ...args] = c.argv;
      const where = `${c.step.name ?? c.step.id}: ${c.argv.join(' ')}`;
      if (prog === 'npm') {
        if (args[0] === 'ci') assert.equal(args.length, 1, where);
        else if (args[0] === 'test') assert.ok(PKG.scripts.test !== undefined, where);
        else {
          assert.equal(args[0], 'run', where);
          assert.ok(PKG.scripts[args[1]!] !== undefined, `${where}: no npm script "${args[1]}"`);
          if (args[1] === 'bench') {
            const extra = args.slice(args.indexOf('--') + 1).filter((a) => a.startsWith('--'));
            for (const flag of extra) assert.ok(BENCH_SOURCE.includes(`'${flag}'`), `${where}: bench/index.ts does not take ${flag}`);
          }
        }
      } else if (prog === 'node') {
        assert.equal(args[0], './bin/vfio-pin-bench.js', where);
        assert.equal(PKG.bin['vfio-pin-bench'], 'bin/vfio-pin-bench.js');
        parseCli(args.slice(1));
      } else {
        assert.ok(shellTools.has(prog!), `${where}: "${prog}" is neither an npm script, the CLI nor a known shell tool`);
      }
    }
  });

  test('docs/ci.md\'s job for another project parses, and its commands exist', () => {
    const readme = readFileSync(new URL('../docs/ci.md', import.meta.url), 'utf8'); // moved from the README (issue 13)
    const m = /```yaml\n(# \.github\/workflows\/vfio-bench\.yml\n[\s\S]*?)```/.exec(readme);
    assert.ok(m !== null, 'docs/ci.md: the yaml block for another project');
    const wf = parse(m[1]!) as Workflow;
    assert.deepEqual(wf.on.push, { branches: ['main'] });
    const steps = Object.values(wf.jobs)[0]!.steps;
    const calls = steps.flatMap((s) => (s.run === undefined ? [] : commands(s.run)))
      .filter((c) => c.argv[0] === 'npx').map((c) => c.argv.slice(1));
    assert.deepEqual(calls.map((a) => a.slice(0, 2)), [['vfio-pin-bench', 'run'], ['vfio-pin-bench', 'compare']]);
    for (const args of calls) parseCli(args.slice(1));
    const restore = steps.find((s) => s.uses === 'actions/cache/restore@v6')!;
    const save = steps.find((s) => s.uses === 'actions/cache/save@v6')!;
    assert.equal(save.with!.path, restore.with!.path);
  });

  test('the checks can fail: an unknown option, a bad value, an unknown command', () => {
    assert.throws(() => parseCli(['run', '--no-such-flag']), /unknown options --no-such-flag/);
    assert.throws(() => parseCli(['compare', 'a.json', 'b.json', '--format', 'csv']), /argument 'csv' is invalid/);
    assert.throws(() => parseCli(['compare', 'a.json']), /2 arguments required, got 1/);
    assert.throws(() => parseCli(['frobnicate']), /has no command "frobnicate"/);
    assert.deepEqual(commands('a --x "y z" | tee -a "$F" && b > out.json'), [
      { argv: ['a', '--x', 'y z'], writes: [] },
      { argv: ['tee', '-a', '$F'], writes: [] },
      { argv: ['b'], writes: ['out.json'] },
    ]);
  });
});

describe('docs/sweeps.md: the sharded sweep job (issue 16)', () => {
  const doc = readFileSync(new URL('../docs/sweeps.md', import.meta.url), 'utf8');
  const m = /```yaml\n(# \.github\/workflows\/vfio-sweep\.yml\n[\s\S]*?)```/.exec(doc);
  assert.ok(m !== null, 'docs/sweeps.md: the yaml block of the sharded sweep');
  type Job = { steps: Step[]; needs?: string; strategy?: { 'fail-fast'?: boolean; matrix: { shard: number[] } } };
  const wf = parse(m[1]!) as { permissions: Record<string, string>; defaults: { run: { shell: string } }; jobs: Record<string, Job> };
  const sweep = wf.jobs.sweep!;
  const merge = wf.jobs.merge!;
  const shards = sweep.strategy!.matrix.shard;
  /** A step's commands with ${{ matrix.shard }} replaced by a value. */
  const run = (s: Step, shard?: number): Command_[] => commands(shard === undefined ? s.run! : s.run!.replaceAll('${{ matrix.shard }}', String(shard)));
  const npx = (job: Job, shard?: number): string[][] =>
    job.steps.filter((s) => s.run !== undefined).flatMap((s) => run(s, shard)).filter((c) => c.argv[0] === 'npx').map((c) => c.argv.slice(1));

  test('a matrix of shards 1..n, and a merge job that needs it; read-only, bash', () => {
    assert.deepEqual(wf.permissions, { contents: 'read' });
    assert.equal(wf.defaults.run.shell, 'bash');
    assert.deepEqual(shards, Array.from({ length: shards.length }, (_, i) => i + 1));
    assert.ok(shards.length >= 2);
    assert.equal(sweep.strategy!['fail-fast'], false);
    assert.equal(merge.needs, 'sweep');
  });

  test('the actions are the versions bench.yml uses (download-artifact: v8, the current major)', () => {
    const used = new Set(STEPS.map((s) => s.uses).filter((u) => u !== undefined));
    for (const job of [sweep, merge]) {
      for (const s of job.steps) {
        if (s.uses === undefined) continue;
        if (s.uses.startsWith('actions/download-artifact@')) assert.equal(s.uses, 'actions/download-artifact@v8');
        else assert.ok(used.has(s.uses), `${s.uses}: bench.yml uses ${[...used].join(', ')}`);
      }
    }
  });

  test('each shard runs sweep --shard i/n with the CLI\'s own options, and uploads the file it wrote', () => {
    const upload = sweep.steps.find((s) => s.uses === 'actions/upload-artifact@v7')!;
    const seen = new Set<string>();
    for (const i of shards) {
      const calls = npx(sweep, i);
      assert.equal(calls.length, 1);
      assert.equal(calls[0]![0], 'vfio-pin-bench');
      const { cmd, opts } = parseCli(calls[0]!.slice(1));
      assert.equal(cmd.name(), 'sweep');
      assert.deepEqual(opts.shard, { index: i, count: shards.length });
      const sub = (v: unknown): string => String(v).replaceAll('${{ matrix.shard }}', String(i));
      assert.equal(opts.output, sub(upload.with!.path));
      seen.add(sub(upload.with!.name));
    }
    assert.equal(seen.size, shards.length, 'one artifact name per shard');
    assert.equal(upload.with!['if-no-files-found'], 'error');
  });

  test('merge reads every shard\'s artifact, writes markdown to the summary, and uploads its outputs', () => {
    const download = merge.steps.find((s) => s.uses === 'actions/download-artifact@v8')!;
    const name = String(sweep.steps.find((s) => s.uses === 'actions/upload-artifact@v7')!.with!.name);
    const pattern = String(download.with!.pattern);
    assert.ok(pattern.endsWith('*') && name.startsWith(pattern.slice(0, -1)), `pattern ${pattern} matches the shards' artifacts ${name}`);
    assert.equal(download.with!['merge-multiple'], true);
    const step = merge.steps.find((s) => s.run?.includes('merge') === true)!;
    const [call, ...more] = run(step);
    assert.equal(more.length, 0);
    assert.deepEqual(call!.argv.slice(0, 2), ['npx', 'vfio-pin-bench']);
    const { cmd, operands, opts } = parseCli(call!.argv.slice(2));
    assert.equal(cmd.name(), 'merge');
    assert.deepEqual(operands, [`${String(download.with!.path)}/*.json`]);
    assert.equal(opts.format, 'markdown');
    assert.deepEqual(call!.writes, ['$GITHUB_STEP_SUMMARY']);
    const upload = merge.steps.find((s) => s.uses === 'actions/upload-artifact@v7')!;
    assert.deepEqual(String(upload.with!.path).trim().split('\n'), [opts.output, opts.svg, opts.html]);
    // the sweep job's other commands: npm ci only
    for (const job of [sweep, merge]) {
      assert.deepEqual(job.steps.filter((s) => s.run !== undefined && !s.run.startsWith('npx ')).map((s) => s.run), ['npm ci']);
    }
  });

  test('the check fails on a shard outside 1..n', () => {
    assert.throws(() => parseCli(['sweep', '--bar', '1G..2G', '--shard', '5/4']), /argument '5\/4' is invalid/);
  });
});
