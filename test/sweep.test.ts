// sweep: the plan (points, chunking, bad flags), the records (shape, growth with size,
// identical whatever the number of worker threads), the table, the terminal chart, the SVG
// (well-formed XML, one map and one unmap series per strategy) and HTML, and the bin.
// Small sizes (16M..1G) keep the file to a few seconds.

import assert from 'node:assert/strict';
import type { Counters } from '../src/model/counters.ts';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { progressBar } from '../src/cli/progress.ts';
import { parseKeyCounters } from '../src/cli/options.ts';
import { InputError } from '../src/model/errors.ts';
import { gridText } from '../src/report/grid.ts';
import { decadeLabel, lineChart, markerLetters, sweepChart } from '../src/report/sweep/chart.ts';
import { sweepHtml } from '../src/report/sweep/html.ts';
import { byteTicks, sweepSvg } from '../src/report/sweep/svg.ts';
import { sweepGrid } from '../src/report/sweep/table.ts';
import { loadProfile } from '../src/input/profile.ts';
import { SWEEP_SCHEMA_VERSION, type SweepDocument, type SweepPoint } from '../src/model/result.ts';
import type { PointConfig } from '../src/run/sweep-point.ts';
import { makeSweepDocument } from '../src/run/document.ts';
import { chunkRequests, geometricSeries, planSweep, sizeFlagText } from '../src/input/sweep-plan.ts';
import { effectiveWorkers, runSweep } from '../src/run/sweep-pool.ts';
import { STRATEGIES } from '../src/strategies/registry.ts';
import { cli } from './bin.ts';

const M = 2 ** 20;
const G = 2 ** 30;
const META = { tool: { name: 'vfio-pin-bench', version: '0.0.0-test' }, env: { node: 'v20', platform: 'linux', arch: 'x64', cpu: 'test cpu', cores: 2 } };
const NAMES = STRATEGIES.map((s) => s.name);
const cfg: PointConfig = { strategies: STRATEGIES, profile: loadProfile('xeon-e5-2.6ghz') };

const inputError = (f: () => unknown, message: RegExp): void => {
  assert.throws(f, (e: unknown) => e instanceof InputError && message.test(e.message) && !e.message.includes('\n'));
};

describe('plan', () => {
  test('--bar 16M..1G: 7 points, factor 2, one whole-BAR map request each', () => {
    const plan = planSweep({ bar: ['16M..1G'] });
    assert.equal(plan.axis, 'bar');
    assert.deepEqual(plan.points.map((p) => p.text), ['16M', '32M', '64M', '128M', '256M', '512M', '1G']);
    for (const p of plan.points) {
      assert.equal(p.layout.requests.length, 1);
      assert.equal(p.layout.requests[0]!.size, p.value);
      assert.equal(p.layout.vmas[0]!.backing.kind, 'pfnmap');
      assert.equal(p.layout.description, `--bar ${p.text}`);
    }
    assert.equal(plan.flags, '--bar 16M..1G');
  });
  test('--steps and --factor: ends included, rounded to pages, distinct', () => {
    assert.deepEqual(geometricSeries(16 * M, G, { steps: 3 }, 4096, '--bar'), [16 * M, 128 * M, G]);
    assert.deepEqual(geometricSeries(16 * M, G, { factor: 4 }, 4096, '--bar'), [16 * M, 64 * M, 256 * M, G]);
    assert.deepEqual(geometricSeries(16 * M, 100 * M, { factor: 2 }, 4096, '--bar'), [16 * M, 32 * M, 64 * M]); // stops below `to`
    const odd = geometricSeries(16 * M, G, { steps: 5 }, 4096, '--bar');
    assert.equal(odd.length, 5);
    for (const v of odd) assert.equal(v % 4096, 0);
    assert.deepEqual(geometricSeries(G, G, { steps: 1 }, 4096, '--ram'), [G]);
    assert.deepEqual(geometricSeries(G, 2 * G, { steps: 8 }, G, '--ram'), [G, 2 * G]); // hugetlb-1g granule: duplicates merged
  });
  test('--ram range with a fixed --bar and --backing; the BAR range keeps its @align', () => {
    const plan = planSweep({ ram: '1G..4G', bar: ['1G'], backing: 'hugetlb-1g' });
    assert.deepEqual(plan.points.map((p) => p.value), [G, 2 * G, 4 * G]);
    for (const p of plan.points) {
      const ram = p.layout.vmas.find((v) => v.backing.kind === 'hugetlb');
      assert.equal(ram?.size, p.value);
      assert.ok(p.layout.vmas.some((v) => v.backing.kind === 'pfnmap' && v.size === G));
    }
    const aligned = planSweep({ bar: ['2M..8M@2M'] });
    assert.deepEqual(aligned.points.map((p) => p.layout.description), ['--bar 2M@2M', '--bar 4M@2M', '--bar 8M@2M']);
  });
  test('--chunk 2M..16G on --bar 16G: the BAR in chunk-sized map requests, contiguous', () => {
    const plan = planSweep({ bar: ['16G'], chunk: '2M..16G', factor: 32 });
    assert.deepEqual(plan.points.map((p) => p.text), ['2M', '64M', '2G']);
    const first = plan.points[0]!.layout;
    assert.equal(first.requests.length, 8192);
    let next = first.requests[0]!;
    for (const r of first.requests.slice(1)) {
      assert.equal(r.op, 'map');
      assert.equal(r.iova, next.iova + next.size);
      next = r;
    }
    assert.equal(first.requests.reduce((n, r) => n + r.size, 0), 16 * G);
    // the last chunk of a request is shorter
    const l = chunkRequests(planSweep({ bar: ['16M..16M'] }).points[0]!.layout, 6 * M, '--chunk 6M');
    assert.deepEqual(l.requests.map((r) => r.size / M), [6, 6, 4]);
  });
  test('bad flags: InputError naming the flag, one line', () => {
    inputError(() => planSweep({ bar: ['16G'] }), /^sweep: give one range to sweep: --bar <from>\.\.<to>/);
    inputError(() => planSweep({ bar: ['1G..2G'], ram: '1G..2G' }), /^sweep: one range at a time; got ranges in --bar and --ram/);
    inputError(() => planSweep({ bar: ['1G..256M'] }), /^--bar 1G\.\.256M: the range must go upwards/);
    inputError(() => planSweep({ bar: ['1G..16gigs'] }), /^--bar 1G\.\.16gigs: expected a size like "16GiB", got "16gigs"/);
    inputError(() => planSweep({ bar: ['..16G'] }), /^--bar: expected a range like "256M\.\.128G", got "\.\.16G"/);
    inputError(() => planSweep({ bar: ['1G..16G'], steps: 3, factor: 3 }), /^--steps, --factor: give one of them/);
    inputError(() => planSweep({ bar: ['1G..16G'], factor: 1 }), /^--factor: expected a number above 1/);
    inputError(() => planSweep({ bar: ['4K..1T'], factor: 1.1 }), /^--factor 1\.1: sweep points: --bar 4K\.\.1T would give (\d+) points, over the limit of 64; --max-points \1 raises it/);
    inputError(() => planSweep({ chunk: '2M..16G' }), /^--chunk: give the layout whose map requests are chunked/);
    inputError(() => planSweep({ bar: ['16G'], chunk: '6K..16G' }), /^--chunk 6K\.\.16G: from "6K" is not a multiple of 4 KiB/);
    inputError(() => planSweep({ bar: ['16G'], chunk: '4K..16G' }), /^--chunk 4K \(point 1 of 23\): DMA requests: the layout's map requests would split into 4,194,304, over the limit of 65,536; --max-requests 4194304 raises it/);
    inputError(() => planSweep({ ram: '1G..2G', backing: 'hugetlb-1g', memlock: 'lots' }), /^--memlock: /);
    inputError(() => planSweep({ ram: '1536M..4G', backing: 'hugetlb-1g' }), /^--ram 1536M\.\.4G: from "1536M" is not a multiple of 1 GiB/);
  });
  test('sizes as flags, progress bar, --counters, worker count', () => {
    assert.deepEqual([16 * G, 1536 * M, 4097, 2 ** 40].map(sizeFlagText), ['16G', '1536M', '4097', '1T']);
    assert.equal(progressBar(0, 4, 8), '[--------]');
    assert.equal(progressBar(3, 4, 8), '[######--]');
    assert.equal(progressBar(4, 4, 8), '[########]');
    assert.deepEqual(parseKeyCounters('vaddr_get_pfn,unmap:put_pfn'), [
      { side: 'map', name: 'vaddr_get_pfn', label: 'vaddr_get_pfn' },
      { side: 'unmap', name: 'put_pfn', label: 'put_pfn (unmap)' },
    ]);
    assert.throws(() => parseKeyCounters('vaddr_get_pfnz'), /unknown counter "vaddr_get_pfnz"/);
    assert.equal(effectiveWorkers(8, 3), 3);
    assert.equal(effectiveWorkers(2, 7), 2);
    assert.equal(effectiveWorkers(4, 0), 1);
  });
});

describe('records', () => {
  const plan = planSweep({ bar: ['16M..1G'] });
  let inline: SweepPoint[];
  let threaded: SweepPoint[];
  let doc: SweepDocument;
  const progress: number[] = [];
  before(async () => {
    inline = await runSweep(plan, cfg, { workers: 1 });
    threaded = await runSweep(plan, cfg, { workers: 2, onProgress: (done) => void progress.push(done) });
    doc = makeSweepDocument(plan, cfg, inline, META);
  });

  test('identical with 1 (this thread) and 2 worker threads', () => {
    assert.equal(threaded.length, 7);
    assert.deepEqual(threaded, inline);
    // progress counted every strategy of every point, in order, ending at the total
    assert.deepEqual(progress, Array.from({ length: 7 * NAMES.length + 1 }, (_, i) => i));
  });

  test('document shape: schema version, options, one record per strategy per point, plain data', () => {
    assert.equal(doc.schemaVersion, SWEEP_SCHEMA_VERSION);
    assert.equal(doc.kind, 'sweep');
    assert.deepEqual(
      { ...doc.options },
      { axis: 'bar', from: 16 * M, to: G, factor: 2, steps: null, flags: '--bar 16M..1G', strategies: NAMES, profile: 'xeon-e5-2.6ghz', timed: false },
    );
    assert.deepEqual(doc.points.map((p) => p.value), [16, 32, 64, 128, 256, 512, 1024].map((n) => n * M));
    for (const p of doc.points) {
      assert.equal(p.summary.mapPages, p.value / 4096);
      assert.deepEqual(p.records.map((r) => r.strategy), NAMES);
      for (const r of p.records) {
        assert.equal(r.verdict, 'ok', `${r.strategy} at ${p.text}: ${r.detail}`);
        assert.deepEqual(r.errors, {});
        assert.ok(r.modelled.mapNs > 0 && r.modelled.unmapNs > 0);
        assert.equal(r.timing, undefined);
      }
    }
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
  });

  const series = (name: string, side: 'mapNs' | 'unmapNs' = 'mapNs'): number[] =>
    inline.map((p) => p.records.find((r) => r.strategy === name)!.modelled[side]);

  test('per-page strategies: modelled map time grows with the BAR, in proportion', () => {
    for (const name of ['baseline', 'v5.12-batch']) {
      const t = series(name);
      for (let i = 1; i < t.length; i++) assert.ok(t[i]! > t[i - 1]! * 1.8, `${name}: ${t[i - 1]} -> ${t[i]} ns at ${inline[i]!.text}`);
      const ratio = t.at(-1)! / t[0]!;
      assert.ok(ratio > 50 && ratio < 80, `${name}: 1G / 16M = ${ratio} (pages: 64)`);
      // the per-page work itself: GUP once per page
      const gup = (c: Counters): number => c.get_user_pages_longterm + c.pin_user_pages_remote;
      assert.deepEqual(inline.map((p) => gup(p.records.find((r) => r.strategy === name)!.counters.map)), inline.map((p) => p.value / 4096));
    }
  });

  test('rfc: flat-ish (no per-page work; only per-IOMMU-PTE cost), far below the baseline', () => {
    const t = series('rfc');
    const base = series('baseline');
    assert.ok(Math.max(...t) / Math.min(...t) < 16, `rfc spread ${Math.max(...t) / Math.min(...t)}`);
    t.forEach((ns, i) => assert.ok(ns * 100 < base[i]!, `rfc ${ns} ns vs baseline ${base[i]} ns at ${inline[i]!.text}`));
    for (const p of inline) {
      const c = p.records.find((r) => r.strategy === 'rfc')!.counters.map;
      assert.deepEqual([c.vaddr_get_pfn, c.get_user_pages_longterm, c.mmap_sem_read, c.vfio_pin_pages_remote], [0, 0, 1, 1], p.text);
    }
  });

  test('table: a row per point and strategy, size and pages on each point\'s first row', () => {
    const g = sweepGrid(doc);
    assert.deepEqual(g.head, ['BAR size', 'pages', 'strategy', 'pin calls', 'vaddr_get_pfn', 'vaddr_get_pfns', 'iova_to_phys', 'map (modelled)', 'unmap (modelled)']);
    const rows = gridText(g);
    assert.equal(rows.length, 7 * NAMES.length);
    assert.deepEqual(rows[0]!.slice(0, 6), ['16 MiB', '4,096', 'baseline', '1', '4,096', '0']);
    assert.deepEqual(rows[1]!.slice(0, 3), ['', '', 'rfc']);
    assert.equal(rows[6 * NAMES.length]![0], '1 GiB');
    assert.equal(rows[0]![7], '392 us'); // 4,096 pages x 95.37 ns + per-call costs
  });

  test('terminal chart: log-log, a letter per strategy, legend, size ticks', () => {
    const text = sweepChart(doc, 'map', { width: 80, height: 14 });
    const lines = text.split('\n');
    assert.match(lines[0]!, /^Modelled map time against BAR size \(log-log; cost profile xeon-e5-2\.6ghz\):$/);
    assert.ok(lines.some((l) => /^\s*10 ms ┤/.test(l)));
    assert.ok(lines.some((l) => /16MiB .* 1GiB$/.test(l)));
    assert.match(text, /B baseline/);
    assert.match(text, /R rfc/);
    assert.match(text, /M v4\.17-merged/);
    for (const l of lines.slice(1)) assert.ok(l.length <= 80, `too wide: ${l}`);
  });

  // Issue 13 redrew the chart on purpose: map and unmap in two panels (no dashes), a colour and
  // a marker shape per strategy, coinciding series named together at the line end, round ticks.
  test('SVG: well-formed XML, two panels, one map and one unmap polyline per strategy, every strategy labelled', () => {
    const svg = sweepSvg(doc);
    const x = parseXml(svg);
    assert.equal(x.root, 'svg');
    assert.equal(x.elements[0]!.attrs.xmlns, 'http://www.w3.org/2000/svg');
    assert.deepEqual(x.elements.filter((e) => e.name === 'g' && e.attrs.class === 'panel').map((e) => e.attrs['data-side']), ['map', 'unmap']);
    const polylines = x.elements.filter((e) => e.name === 'polyline');
    for (const side of ['map', 'unmap']) {
      const lines = polylines.filter((e) => e.attrs.class === `series ${side}`);
      assert.deepEqual(lines.map((e) => e.attrs['data-strategy']), NAMES, side);
      for (const l of lines) {
        assert.equal(l.attrs.points!.trim().split(/\s+/).length, 7);
        assert.equal('stroke-dasharray' in l.attrs, false);
      }
    }
    // every strategy named at a line end in both panels (coinciding ones in one block), and in the legend
    const labels = x.elements.filter((e) => e.name === 'text' && e.attrs['data-strategy'] !== undefined).map((e) => e.attrs['data-strategy']);
    for (const n of NAMES) assert.equal(labels.filter((l) => l === n).length, 2, n);
    // colours and shapes: no two strategies share both
    const marks = x.elements.filter((e) => e.name === 'g' && e.attrs.class === 'markers');
    assert.equal(marks.length, 2 * NAMES.length);
    // axes: decade tick labels with units, sizes at powers of two, a title naming the layout
    const texts = x.texts.join(' | ');
    assert.match(texts, /vfio-pin-bench sweep --bar 16M\.\.1G/);
    assert.match(texts, /\b1 ms\b.*\b10 ms\b/);
    assert.match(texts, /16 MiB.*1 GiB/);
    assert.doesNotMatch(texts, /\d+\.\d+ [MG]iB/); // round tick values only
    assert.match(texts, /BAR size \(log scale\)/);
    assert.match(texts, /modelled map time \(log scale\).*modelled unmap time \(log scale\)/);
    assert.match(texts, /labelled together at the line end/);
  });

  test('byteTicks: powers of two, at most seven, on multiples of the step', () => {
    assert.deepEqual(byteTicks(16 * 2 ** 20, 2 ** 30).map((v) => v / 2 ** 20), [16, 32, 64, 128, 256, 512, 1024]);
    // 19.03 MiB .. 64 GiB (a --steps sweep): no tick at a data point's odd value
    assert.deepEqual(byteTicks(19.03 * 2 ** 20, 64 * 2 ** 30).map((v) => Math.log2(v)), [26, 28, 30, 32, 34, 36]);
  });

  test('HTML: the same SVG inline and the table', () => {
    const html = sweepHtml(doc);
    assert.match(html, /^<!DOCTYPE html>\n<html lang="en">/);
    assert.ok(html.includes(sweepSvg(doc).trimEnd()));
    assert.equal((html.match(/<tr>/g) ?? []).length, 1 + 7 * NAMES.length);
    assert.equal((html.match(/<svg /g) ?? []).length, 1);
  });
});

describe('chart and XML helpers', () => {
  test('lineChart: markers where the values are, lower case between, hidden series named', () => {
    const { lines, legend } = lineChart(
      [
        { name: 'up', points: [{ x: 1, y: 10 }, { x: 100, y: 1000 }] },
        { name: 'same', points: [{ x: 1, y: 10 }, { x: 100, y: 1000 }] },
        { name: 'flat', points: [{ x: 1, y: 100 }, { x: 100, y: 100 }] },
      ],
      { width: 11, height: 5, xLabel: (x) => `x${x}` },
    );
    const plot = lines.slice(0, 5).map((l) => l.slice(l.search(/[┤│]/) + 1));
    assert.deepEqual(plot, ['         uU', '       uu', 'FfffuuufffF', '  uu', 'Uu']);
    assert.match(lines[0]!, /^ {2}1 us ┤/);
    assert.match(lines[2]!, /^100 ns ┤/);
    assert.match(lines[4]!, /^ 10 ns ┤/);
    assert.match(lines.at(-1)!, /x1 +x100$/);
    assert.deepEqual(legend, ['U up', 'S same (under U up)', 'F flat']);
  });
  test('markerLetters: distinct, from the name\'s last part first', () => {
    const letters = markerLetters(NAMES);
    assert.equal(new Set(letters).size, NAMES.length);
    assert.deepEqual(letters.slice(0, 3), ['B', 'R', 'F']);
    assert.deepEqual([1, 10, 100, 1e3, 1e6, 1e9, 1e10].map(decadeLabel), ['1 ns', '10 ns', '100 ns', '1 us', '1 ms', '1 s', '10 s']);
  });
  test('parseXml rejects what is not well-formed (so the SVG test can fail)', () => {
    assert.equal(parseXml('<svg><g a="1"/></svg>').root, 'svg');
    for (const bad of ['<svg><g></svg>', '<svg a=1></svg>', '<svg></svg><svg></svg>', '<svg>a & b</svg>', '<svg a="1" a="2"/>', '<svg><g></g>']) {
      assert.throws(() => parseXml(bad), Error, bad);
    }
  });
});

describe('bin', () => {
  test('sweep --json with 2 workers; --svg and --html written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vpb-sweep-'));
    const svg = join(dir, 'c.svg');
    const html = join(dir, 'c.html');
    const r = await cli(['sweep', '--bar', '16M..64M', '-s', 'baseline,rfc', '--workers', '2', '--json', '--svg', svg, '--html', html]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as SweepDocument;
    assert.equal(doc.kind, 'sweep');
    assert.deepEqual(doc.points.map((p) => p.text), ['16M', '32M', '64M']);
    assert.deepEqual(doc.points[2]!.records.map((p) => p.strategy), ['baseline', 'rfc']);
    assert.equal(doc.points[2]!.records[0]!.counters.map.vaddr_get_pfn, 16384);
    assert.equal(parseXml(readFileSync(svg, 'utf8')).root, 'svg');
    assert.match(readFileSync(html, 'utf8'), /<table>/);
    assert.equal(r.stderr, `--svg: wrote ${svg}\n--html: wrote ${html}\n`);
  });
  test('sweep --help: options and examples', async () => {
    const r = await cli(['sweep', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: vfio-pin-bench sweep/);
    for (const flag of ['--bar', '--ram', '--chunk', '--steps', '--factor', '--workers', '--svg', '--html', '--json', '--timed']) assert.ok(r.stdout.includes(`${flag} `), flag);
    assert.match(r.stdout, /Examples:\n {2}\$ vfio-pin-bench sweep --bar 256M\.\.128G/);
  });
  test('sweep: the table and the charts; bad range: exit 2, one line', async () => {
    const r = await cli(['sweep', '--bar', '16M..32M', '-s', 'baseline', '--workers', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sweep --bar 16M\.\.32M \(2 points, factor 2\)/);
    assert.match(r.stdout, /│ +16 MiB │ +4,096 │ baseline/);
    assert.match(r.stdout, /Modelled map time against BAR size/);
    assert.match(r.stdout, /Modelled unmap time against BAR size/);
    const bad = await cli(['sweep', '--bar', '1G..16M']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, '--bar 1G..16M: the range must go upwards (1G is above 16M)\n');
    assert.equal(bad.stdout, '');
  });
});

// ---- a small XML well-formedness check (no XML parser among the dependencies) ----

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
}

const NAME = '[A-Za-z_][\\w.:-]*';
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;

function checkText(text: string, where: string): void {
  if (text.replace(ENTITY, '').includes('&')) throw new Error(`bare & in ${where}`);
  if (text.includes('<')) throw new Error(`< in ${where}`);
}

/** Throws unless `text` is one well-formed XML element (an XML declaration and comments allowed
 *  around it); returns the root's name, every element in document order, and the text nodes. */
function parseXml(text: string): { root: string; elements: XmlElement[]; texts: string[] } {
  const tag = new RegExp(`<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*(/?)>`, 'y');
  const attr = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g');
  const stack: string[] = [];
  const elements: XmlElement[] = [];
  const texts: string[] = [];
  let root: string | undefined;
  let closed = false;
  let i = 0;
  if (text.startsWith('<?xml')) i = text.indexOf('?>') + 2;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt === -1 ? text.length : lt);
    if (chunk.trim() !== '') {
      if (stack.length === 0) throw new Error(`text outside the root: ${JSON.stringify(chunk.slice(0, 20))}`);
      checkText(chunk, 'text');
      texts.push(chunk.trim());
    }
    if (lt === -1) break;
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt);
      if (end === -1) throw new Error('unterminated comment');
      i = end + 3;
      continue;
    }
    tag.lastIndex = lt;
    const m = tag.exec(text);
    if (m === null) throw new Error(`malformed tag at ${lt}: ${JSON.stringify(text.slice(lt, lt + 30))}`);
    const [whole, slash, name, attrText, selfClose] = m;
    if (slash === '/') {
      if (attrText !== '' || selfClose === '/') throw new Error(`malformed end tag ${whole}`);
      if (stack.pop() !== name) throw new Error(`</${name}> does not close the open element`);
      if (stack.length === 0) closed = true;
    } else {
      if (closed || (stack.length === 0 && root !== undefined)) throw new Error(`a second root element <${name}>`);
      root ??= name;
      const attrs: Record<string, string> = {};
      for (const a of attrText!.matchAll(attr)) {
        if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]} on <${name}>`);
        const value = a[2] ?? a[3]!;
        checkText(value, `attribute ${a[1]}`);
        attrs[a[1]!] = value;
      }
      elements.push({ name: name!, attrs });
      if (selfClose === '/') {
        if (stack.length === 0) closed = true;
      } else stack.push(name!);
    }
    i = lt + whole.length;
  }
  if (root === undefined) throw new Error('no root element');
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)}>`);
  return { root, elements, texts };
}
