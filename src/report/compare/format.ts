// compare's output: the Comparison record as terminal tables, GitHub-flavoured markdown (a PR
// comment or $GITHUB_STEP_SUMMARY) or JSON. Per fixture one table of the rows that changed
// (with --verbose also the unchanged ones and the simulator times within noise).

import { renderMarkdownTable, renderTable, cell, type Cell, type Grid } from '../grid.ts';
import { pct, RUN_FIXTURE, type Comparison, type CompareRow, type DocInfo, type Status } from './compare.ts';
import { makeChalk, type Tone } from '../style.ts';
import { formatCount, formatDuration } from '../units.ts';

export const COMPARE_FORMATS = ['terminal', 'markdown', 'json'] as const;
export type CompareFormat = (typeof COMPARE_FORMATS)[number];

interface CompareFormatOptions {
  color: boolean;
  verbose: boolean;
}

const STATUS: Record<Status, { text: string; tone?: Tone }> = {
  regression: { text: 'REGRESSION', tone: 'bad' },
  improvement: { text: 'improved', tone: 'ok' },
  changed: { text: 'changed', tone: 'warn' },
  noise: { text: 'noise', tone: 'dim' },
  unchanged: { text: 'same', tone: 'dim' },
};

function isTime(r: CompareRow): boolean {
  return r.kind === 'modelled' || r.kind === 'simulator';
}

function valueText(r: CompareRow, v: number | string | null): string {
  if (v === null) return '-';
  if (typeof v === 'string') return v;
  return isTime(r) ? formatDuration(v) : formatCount(v);
}

/** "+400%", "+12.5%", "-0.049%": a signed change; below 1% two significant digits, so it is never "0%". */
export function signedPercent(ratio: number): string {
  const p = ratio * 100;
  const a = Math.abs(p);
  const sign = p < 0 ? '-' : '+';
  if (a >= 100) return `${sign}${a.toFixed(0)}%`;
  if (a >= 1) return `${sign}${a.toFixed(1)}%`;
  if (a >= 1e-6) return `${sign}${String(Number(a.toPrecision(2)))}%`;
  return `${sign}<0.000001%`;
}

function changeText(r: CompareRow): string {
  if (r.fixture === RUN_FIXTURE && r.ratio !== null) return signedPercent(r.ratio);
  if (r.delta === null || r.delta === 0) return '';
  const sign = r.delta > 0 ? '+' : '-';
  const abs = isTime(r) ? formatDuration(Math.abs(r.delta)) : formatCount(Math.abs(r.delta));
  if (r.ratio === null) return `${sign}${abs} (from 0)`;
  return isTime(r) ? `${signedPercent(r.ratio)} (${sign}${abs})` : `${sign}${abs} (${signedPercent(r.ratio)})`;
}

function shown(r: CompareRow, verbose: boolean): boolean {
  return verbose || r.fixture === RUN_FIXTURE || (r.status !== 'unchanged' && r.status !== 'noise');
}

function fixtureGrid(rows: CompareRow[]): Grid {
  const head = ['strategy', 'op', 'metric', 'baseline', 'current', 'change', 'status', 'why'];
  const align: Grid['align'] = ['left', 'left', 'left', 'right', 'right', 'right', 'left', 'left'];
  const out: Cell[][] = [];
  let lastStrategy: string | null | undefined;
  let lastOp: string | null | undefined;
  for (const r of rows) {
    const st = STATUS[r.status];
    const newStrategy = r.strategy !== lastStrategy;
    out.push([
      cell(newStrategy ? r.strategy ?? '' : '', 'strong'),
      cell(newStrategy || r.op !== lastOp ? r.op ?? '' : ''),
      cell(r.metric),
      cell(valueText(r, r.base)),
      cell(valueText(r, r.current)),
      cell(changeText(r)),
      cell(st.text, st.tone),
      cell(r.note, r.status === 'regression' ? undefined : 'dim'),
    ]);
    lastStrategy = r.strategy;
    lastOp = r.op;
  }
  return { head, align, rows: out };
}

/** The rows of each fixture, in the order fixtures first appear: one pass, not one per fixture. */
function byFixture(c: Comparison): Map<string, CompareRow[]> {
  const out = new Map<string, CompareRow[]>();
  for (const r of c.rows) {
    const list = out.get(r.fixture);
    if (list === undefined) out.set(r.fixture, [r]);
    else list.push(r);
  }
  return out;
}

function countText(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "2 regressions, 1 improvement, 3 other changes (412 metrics)" */
function tally(rows: CompareRow[]): string {
  const reg = rows.filter((r) => r.status === 'regression').length;
  const imp = rows.filter((r) => r.status === 'improvement').length;
  const other = rows.filter((r) => r.status === 'changed').length;
  const parts: string[] = [];
  if (reg > 0) parts.push(countText(reg, 'regression'));
  if (imp > 0) parts.push(countText(imp, 'improvement'));
  if (other > 0) parts.push(countText(other, 'other change'));
  return `${parts.length === 0 ? 'no change' : parts.join(', ')} (${countText(rows.length, 'metric')})`;
}

function docText(d: DocInfo): string {
  const commit = d.gitCommit === null ? '' : `, commit ${d.gitCommit.slice(0, 12)}`;
  return `${d.file} (${d.tool}${commit}, node ${d.node.replace(/^v/, '')}, ${d.cpu}, ${d.timed ? 'timed' : 'untimed'})`;
}

function rulesText(c: Comparison): string {
  return `Regression: a counter that increased; modelled kernel time above ${pct(c.options.threshold)}; ` +
    `simulator time above ${pct(c.options.timeThreshold)} and beyond the margins of error (run-wide against the reference workload when both runs have one); ` +
    'a verdict turning UNSAFE or BROKEN; a changed errno; a fixture or strategy that disappeared.';
}

/** The last line: what the exit code says. */
function verdictLine(c: Comparison): string {
  const where = [...new Set(c.rows.filter((r) => r.status === 'regression').map((r) => r.fixture))];
  if (c.regressions > 0) return `REGRESSION: ${countText(c.regressions, 'regression')} (${where.join(', ')})`;
  return `ok: no regression; ${tally(c.rows)}`;
}

export function formatCompareTerminal(c: Comparison, opts: CompareFormatOptions): string {
  const ch = makeChalk(opts.color);
  const out: string[] = [
    `${ch.bold('baseline')} ${docText(c.base)}`,
    `${ch.bold('current')}  ${docText(c.current)}`,
    ch.dim(rulesText(c)),
    ...c.notes.map((n) => ch.yellow(`note: ${n}`)),
  ];
  for (const [fx, rows] of byFixture(c)) {
    const visible = rows.filter((r) => shown(r, opts.verbose));
    out.push('', `${ch.bold(fx)}: ${tally(rows)}`);
    if (visible.length > 0) out.push(renderTable(fixtureGrid(visible), ch));
  }
  const v = verdictLine(c);
  out.push('', c.regressions > 0 ? ch.red.bold(v) : ch.green(v));
  return out.join('\n') + '\n';
}

export function formatCompareMarkdown(c: Comparison, opts: { verbose: boolean }): string {
  const title = c.regressions > 0
    ? `## vfio-pin-bench compare: ${countText(c.regressions, 'regression')}`
    : '## vfio-pin-bench compare: no regression';
  const out: string[] = [
    title,
    '',
    `- baseline: ${docText(c.base)}`,
    `- current: ${docText(c.current)}`,
    ...c.notes.map((n) => `- note: ${n}`),
    '',
    rulesText(c),
  ];
  const quiet: string[] = [];
  for (const [fx, rows] of byFixture(c)) {
    const visible = rows.filter((r) => shown(r, opts.verbose));
    if (visible.length === 0) {
      quiet.push(`\`${fx}\``);
      continue;
    }
    out.push('', `### ${fx}`, '', tally(rows), '', renderMarkdownTable(fixtureGrid(visible)));
  }
  if (quiet.length > 0) out.push('', `No change: ${quiet.join(', ')}.`);
  out.push('', `**${verdictLine(c)}**`);
  return out.join('\n') + '\n';
}

function formatCompareJson(c: Comparison): string {
  return JSON.stringify(c, null, 2) + '\n';
}

export function renderCompare(c: Comparison, format: CompareFormat, opts: CompareFormatOptions): string {
  switch (format) {
    case 'terminal': return formatCompareTerminal(c, opts);
    case 'markdown': return formatCompareMarkdown(c, opts);
    case 'json': return formatCompareJson(c);
  }
}
