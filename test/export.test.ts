// The result document and its exporters: golden files made from a fixed hand-made document
// (test/fixtures-golden/result.json), exact values of each format, the schema
// (schema/result.schema.json) against real `run --json` output, and run's --format, --output and
// --fail-on-unsafe end to end. UPDATE_GOLDEN=1 npm test rewrites the golden files.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { bundledFixtures } from '../src/input/bundled.ts';
import { checkSchema, parseRunDocument, RESULT_SCHEMA } from '../src/input/result-document.ts';
import { formatBencher, measureSlug, toBencher } from '../src/report/export/bencher.ts';
import { formatCsv } from '../src/report/export/csv.ts';
import { FORMATS, renderFormat } from '../src/report/export/formats.ts';
import { formatGithubActionBenchmark, toGithubActionBenchmark } from '../src/report/export/github-action-benchmark.ts';
import { formatJson } from '../src/report/export/json.ts';
import { formatMarkdown } from '../src/report/export/markdown.ts';
import { COUNTER_NAMES } from '../src/model/counters.ts';
import type { RunDocument } from '../src/model/result.ts';
import { gitCommit } from '../src/run/document.ts';
import { main } from '../src/cli/program.ts';
import { cli as runBin } from './bin.ts';

const GOLDEN = new URL('./fixtures-golden', import.meta.url).pathname;
const GOLDEN_DOC = join(GOLDEN, 'result.json');
const SHA = 'fedcba9876543210fedcba9876543210fedcba98';

const cli = (args: string[], env: Record<string, string> = {}) => runBin(args, { GITHUB_SHA: SHA, ...env });

/** The CLI in this process (no tsx start-up): exit code and what it wrote. */
async function inproc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    out: (t: string) => void (stdout += t), err: (t: string) => void (stderr += t),
    stdoutColor: false, stderrIsTTY: false, stderrColumns: 80, env: { GITHUB_SHA: SHA },
  };
  const code = await main(['node', 'vfio-pin-bench', ...args], io);
  return { code, stdout, stderr };
}

function goldenDoc(): RunDocument {
  return parseRunDocument(readFileSync(GOLDEN_DOC, 'utf8'), GOLDEN_DOC);
}

/** Counters per side in the fixed document (every counter the kernel had when it was made). */
const COUNTERS = Object.keys(goldenDoc().fixtures[0]!.strategies[0]!.counters.map).length;

/** The text must equal test/fixtures-golden/<name>; UPDATE_GOLDEN=1 writes it instead. */
function assertGolden(name: string, text: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, text);
  assert.ok(existsSync(path), `${path} is missing: run UPDATE_GOLDEN=1 npm test and review it`);
  assert.equal(text, readFileSync(path, 'utf8'), `${name} differs from the golden file (UPDATE_GOLDEN=1 npm test rewrites it)`);
}

function untimed(doc: RunDocument): RunDocument {
  const d = structuredClone(doc);
  d.options.timed = false;
  delete d.tasks;
  for (const fx of d.fixtures) for (const s of fx.strategies) delete s.timing;
  return d;
}

describe('exporters: golden files from a fixed document', () => {
  test('the fixed document passes the schema strictly', () => {
    const raw = JSON.parse(readFileSync(GOLDEN_DOC, 'utf8')) as unknown;
    assert.equal(checkSchema(raw, RESULT_SCHEMA), null);
  });
  test('github-action-benchmark', () => assertGolden('result.github-action-benchmark.json', formatGithubActionBenchmark(goldenDoc())));
  test('bencher', () => assertGolden('result.bencher.json', formatBencher(goldenDoc())));
  test('csv', () => assertGolden('result.csv', formatCsv(goldenDoc())));
  test('markdown (report/markdown.ts)', () => assertGolden('result.md', formatMarkdown(goldenDoc())));
  test('json: the document unchanged', () => {
    assert.equal(renderFormat(goldenDoc(), 'json', { color: false, verbose: false }), readFileSync(GOLDEN_DOC, 'utf8'));
  });
  test('every format renders, and is a pure function of the document', () => {
    const doc = goldenDoc();
    const before = JSON.stringify(doc);
    for (const f of FORMATS) {
      const a = renderFormat(doc, f, { color: false, verbose: false });
      assert.ok(a.length > 0, f);
      assert.equal(renderFormat(doc, f, { color: false, verbose: false }), a, f);
    }
    assert.equal(JSON.stringify(doc), before);
  });
});

describe('github-action-benchmark: customSmallerIsBetter entries', () => {
  test('modelled and simulator time per fixture, strategy and op, then the bench tasks', () => {
    const e = toGithubActionBenchmark(goldenDoc());
    // 2 fixtures x 2 strategies x 2 ops x (modelled + simulator) + 1 task
    assert.equal(e.length, 17);
    assert.deepEqual(e[0], {
      name: 'bar-1g/baseline/map: modelled kernel time', unit: 'ns', value: 25000000,
      extra: 'cost profile xeon-e5-2.6ghz; verdict ok; 262,144 pages to map',
    });
    assert.deepEqual(e[1], {
      name: 'bar-1g/baseline/map: simulator time', unit: 'ns', value: 12500000, range: '± 2.50%',
      extra: 'tinybench: 16 samples; p50 12.3 ms, p99 15.6 ms, min 11.3 ms, max 16.3 ms; v20.20.2 on AMD EPYC 7763 64-Core Processor',
    });
    assert.equal(e[12]!.name, 'mid-vma/rfc/map: modelled kernel time');
    assert.equal(e[12]!.extra, 'cost profile xeon-e5-2.6ghz; verdict unsafe; 3,072 pages to map');
    assert.deepEqual(e[16], {
      name: 'bench/load and validate the 9 bundled fixtures: time', unit: 'ns', value: 3215000, range: '± 8.13%',
      extra: 'tinybench: 156 samples; p99 4.02 ms; v20.20.2 on AMD EPYC 7763 64-Core Processor',
    });
  });
  test('an untimed run: modelled time only', () => {
    const e = toGithubActionBenchmark(untimed(goldenDoc()));
    assert.equal(e.length, 8);
    assert.ok(e.every((x) => x.name.endsWith(': modelled kernel time') && x.range === undefined));
  });
});

describe('bencher: Bencher Metric Format', () => {
  test('latency in ns with the margin of error, modelled latency, every counter, wrong pages', () => {
    const b = toBencher(goldenDoc());
    assert.deepEqual(Object.keys(b), [
      'bar-1g/baseline/map', 'bar-1g/baseline/unmap', 'bar-1g/rfc/map', 'bar-1g/rfc/unmap',
      'mid-vma/baseline/map', 'mid-vma/baseline/unmap', 'mid-vma/rfc/map', 'mid-vma/rfc/unmap',
      'bench/load and validate the 9 bundled fixtures',
    ]);
    const m = b['bar-1g/baseline/map']!;
    // 12.5 ms +- 2.5%: 12,187,500 .. 12,812,500 ns
    assert.deepEqual(m.latency, { value: 12500000, lower_value: 12187500, upper_value: 12812500 });
    assert.deepEqual(m['modelled-latency'], { value: 25000000 });
    assert.deepEqual(m['vaddr-get-pfn'], { value: 262144 });
    assert.deepEqual(m['wrong-pages'], { value: 0 });
    // latency, modelled-latency, every counter, wrong-pages
    // the golden document predates contig_pages: every counter it records, and no other
    assert.equal(COUNTERS, COUNTER_NAMES.filter((n) => n !== 'contig_pages').length);
    assert.equal(Object.keys(m).length, 2 + COUNTERS + 1);
    assert.deepEqual(b['mid-vma/rfc/map']!['wrong-pages'], { value: 1024 });
    assert.equal(b['mid-vma/rfc/unmap']!['wrong-pages'], undefined);
    assert.deepEqual(b['mid-vma/baseline/unmap']!['put-pfn'], { value: 2048 });
  });
  test('measure slugs are kebab case', () => {
    assert.equal(measureSlug('is_invalid_reserved_pfn'), 'is-invalid-reserved-pfn');
    assert.equal(measureSlug('mmap_sem_read'), 'mmap-sem-read');
  });
  test('an untimed run has no latency measure', () => {
    const b = toBencher(untimed(goldenDoc()));
    assert.equal(b['bar-1g/rfc/map']!.latency, undefined);
    assert.deepEqual(b['bar-1g/rfc/map']!['modelled-latency'], { value: 1500 });
  });
});

describe('csv', () => {
  test('a header, one row per fixture, strategy and op, RFC 4180 quoting, task rows last', () => {
    const lines = formatCsv(goldenDoc()).split('\n');
    assert.equal(lines.length, 1 + 8 + 1 + 1); // header, 8 rows, 1 task, final newline
    const head = lines[0]!.split(',');
    assert.deepEqual(head.slice(0, 8), ['fixture', 'strategy', 'kernel', 'op', 'verdict', 'profile', 'modelled_ns', 'sim_mean_ns']);
    assert.equal(head.length, 15 + COUNTERS);
    assert.equal(lines[1], `bar-1g,baseline,Linux 4.16,map,ok,xeon-e5-2.6ghz,25000000,12500000,12250000,15625000,11250000,16250000,625000,2.5,16,1,262144,1,262144,0,0,262144,262144,0,0,0,262144,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,524288,0,524288,524287,1,524288,0,0,0,0,0,0,0,1,0,0,1,0,0,0,0,0,0,0,0,0`);
    assert.match(lines[3]!, /^bar-1g,rfc,"RFC ""try_io_pfnmap"", 2018-02-24 on 4\.16",map,ok,/);
    assert.equal(lines[9], 'bench/load and validate the 9 bundled fixtures,,,,,,,3215000,3150700,4018750,2893500,4179500,160750,8.125,156');
    assert.equal(lines[10], '');
  });
  test('untimed: the simulator columns are empty', () => {
    const row = formatCsv(untimed(goldenDoc())).split('\n')[1]!;
    assert.match(row, /^bar-1g,baseline,Linux 4\.16,map,ok,xeon-e5-2\.6ghz,25000000,,,,,,,,,1,262144,1,/);
  });
});

describe('result schema', () => {
  test('real run --json output (counters, errnos, an UNSAFE oracle, every request kind) passes strictly', async () => {
    const r = await cli(['run', '--json', '--no-timing', 'small-mixed', 'errno-cases', 'rfc-pitfall-mid-vma']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as RunDocument;
    assert.equal(checkSchema(doc, RESULT_SCHEMA), null);
    assert.equal(doc.env.gitCommit, SHA);
    assert.deepEqual(doc.fixtures.map((f) => f.fixture), ['small-mixed', 'errno-cases', 'rfc-pitfall-mid-vma']);
    const rfc = doc.fixtures[2]!.strategies.find((s) => s.strategy === 'rfc')!;
    assert.equal(rfc.verdict, 'unsafe');
    assert.notEqual(rfc.oracle.firstBad, undefined);
  });
  test('real timed output passes strictly', async () => {
    const r = await cli(['run', '--json', '--bar', '64M', '-t', '1000', '-n', '2']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as RunDocument;
    assert.equal(checkSchema(doc, RESULT_SCHEMA), null);
    assert.equal(doc.options.timed, true);
    // -n caps the samples (issue 13): a 1 s budget lasts longer than two 64 MiB passes
    assert.equal(doc.fixtures[0]!.strategies[0]!.timing!.map.samples, 2);
  });
  test('the checker fails where it should, naming the path', () => {
    const good = JSON.parse(readFileSync(GOLDEN_DOC, 'utf8')) as Record<string, any>;
    const cases: [(d: Record<string, any>) => void, string, string][] = [
      [(d) => delete d.fixtures[0].strategies[1].verdict, 'fixtures[0].strategies[1]', 'missing required key "verdict"'],
      [(d) => (d.fixtures[1].strategies[0].counters.unmap.put_pfn = 'x'), 'fixtures[1].strategies[0].counters.unmap.put_pfn', 'expected an integer, got "x"'],
      [(d) => (d.fixtures[0].strategies[0].counters.map.get_user_pages_longterm = -1), 'fixtures[0].strategies[0].counters.map.get_user_pages_longterm', 'expected at least 0, got -1'],
      [(d) => (d.fixtures[0].strategies[0].verdict = 'fine'), 'fixtures[0].strategies[0].verdict', 'expected one of "ok", "unsafe", "broken", got "fine"'],
      [(d) => (d.fixtures[0].strategies[0].timing.map.rme = null), 'fixtures[0].strategies[0].timing.map.rme', 'expected a number, got null'],
      [(d) => (d.env.colour = 'blue'), 'env', 'unknown key "colour" (allowed: node, platform, arch, cpu, cores, gitCommit)'],
      [(d) => (d.schemaVersion = 2), 'schemaVersion', 'expected 1, got 2'],
      [(d) => (d.tasks[0].timing = {}), 'tasks[0].timing', 'missing required key "mean"'],
    ];
    for (const [mutate, path, message] of cases) {
      const d = structuredClone(good);
      mutate(d);
      assert.deepEqual(checkSchema(d, RESULT_SCHEMA), { path, message });
    }
    // Reading a document, unknown keys are ignored (fields may be added within a schemaVersion).
    const extra = structuredClone(good);
    extra.env.colour = 'blue';
    assert.equal(checkSchema(extra, RESULT_SCHEMA, { strict: false }), null);
  });
  test('a keyword the checker does not implement is refused, not ignored', () => {
    assert.throws(() => checkSchema('x', { type: 'string', pattern: '^y$' }), /unsupported keyword pattern/);
  });
});

describe('gitCommit', () => {
  test('$GITHUB_SHA first; junk in it is ignored', () => {
    assert.equal(gitCommit({ GITHUB_SHA: SHA.toUpperCase() }, tmpdir()), SHA);
    assert.equal(gitCommit({ GITHUB_SHA: 'not a sha' }, tmpdir()), undefined); // tmpdir is no repository
  });
});

describe('run: --format, --output, --fail-on-unsafe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vfio-pin-bench-export-'));

  test('--output writes the JSON document; stdout keeps the chosen format', async () => {
    const file = join(dir, 'small.json');
    const r = await cli(['run', 'small-mixed', '-s', 'baseline,rfc', '--no-timing', '--output', file, '--format', 'github-action-benchmark']);
    assert.equal(r.code, 0, r.stderr);
    const entries = JSON.parse(r.stdout) as { name: string }[];
    assert.deepEqual(entries.map((e) => e.name), [
      'small-mixed/baseline/map: modelled kernel time', 'small-mixed/baseline/unmap: modelled kernel time',
      'small-mixed/rfc/map: modelled kernel time', 'small-mixed/rfc/unmap: modelled kernel time',
    ]);
    const doc = parseRunDocument(readFileSync(file, 'utf8'), file);
    assert.equal(doc.fixtures[0]!.fixture, 'small-mixed');
    assert.equal(doc.options.timed, false);
  });
  test('--output with the default format: the summary on stdout', async () => {
    const file = join(dir, 'tables.json');
    const r = await inproc(['run', 'small-mixed', '--no-timing', '-o', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^small-mixed: /);
    assert.match(r.stdout, /^strategy +side +modelled/m); // issue 13: the summary, not the tables
    assert.equal(parseRunDocument(readFileSync(file, 'utf8'), file).fixtures.length, 1);
  });
  test('--output to a folder that does not exist: exit 2, one line, before running', async () => {
    const file = join(dir, 'no', 'such', 'x.json');
    const r = await inproc(['run', 'small-mixed', '--no-timing', '--output', file]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `--output ${file}: cannot write: no folder ${join(dir, 'no', 'such')}\n`);
    assert.equal(r.stdout, '');
  });
  test('--fail-on-unsafe: exit 1 naming the unsafe strategy, the output still printed', async () => {
    const r = await cli(['run', 'rfc-pitfall-mid-vma', '-s', 'baseline,rfc', '--no-timing', '--fail-on-unsafe', '--format', 'csv']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '--fail-on-unsafe: rfc-pitfall-mid-vma: rfc: UNSAFE: 32768 wrong pages, first at iova 0x380010000000 (expected pfn 0x107eb8, got 0x3b0010000)\n');
    assert.equal(r.stdout.split('\n').length, 1 + 4 + 1);
  });
  test('--fail-on-unsafe with every strategy ok: exit 0', async () => {
    const r = await inproc(['run', 'small-mixed', '--no-timing', '--fail-on-unsafe', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
  });
  test('bad --format, or --json with --format: exit 2', async () => {
    const bad = await inproc(['run', 'small-mixed', '--no-timing', '--format', 'xml']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /argument 'xml' is invalid\. Allowed choices are terminal, json, markdown, github-action-benchmark, bencher, csv/);
    const both = await inproc(['run', 'small-mixed', '--no-timing', '--json', '--format', 'csv']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /option '--json' cannot be used with option '--format <name>'/);
  });
  test('--all --exclude: every bundled fixture but the excluded ones', async () => {
    const others = bundledFixtures().map((f) => f.name).filter((n) => n !== 'small-mixed');
    const r = await inproc(['run', '--all', '--exclude', others.join(','), '-s', 'rfc', '--no-timing', '--format', 'csv']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').slice(1, -1).map((l) => l.split(',').slice(0, 4).join(' ')), ['small-mixed rfc RFC 2018-02-24 on 4.16 map', 'small-mixed rfc RFC 2018-02-24 on 4.16 unmap']);
    const bad = await inproc(['run', '--all', '--exclude', 'multi-gpu,nope', '--no-timing']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^--exclude: unknown fixture "nope"; bundled fixtures are bar-chunked, /);
    const both = await inproc(['run', 'small-mixed', '--all', '--no-timing']);
    assert.equal(both.code, 2);
    assert.equal(both.stderr, '--all: runs every bundled fixture; give fixture names or --all, not both (got small-mixed)\n');
  });
  test('export: a stored document in another format; no --format is exit 2', async () => {
    const r = await cli(['export', GOLDEN_DOC, '--format', 'bencher']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(GOLDEN, 'result.bencher.json'), 'utf8'));
    const json = await inproc(['export', GOLDEN_DOC, '--format', 'json']);
    assert.equal(json.stdout, formatJson(goldenDoc()));
    const none = await inproc(['export', GOLDEN_DOC]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /required option '--format <name>' not specified/);
  });
});
