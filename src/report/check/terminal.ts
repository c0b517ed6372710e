// check's output: the CheckReport as a terminal table (one row per function, one column per
// step: the measured count, and where the simulator differs its count and the difference), the
// reasons for rows that are not judged, and the verdict line; or the record as JSON.

import { rowDiffers, type CheckCell, type CheckReport, type CheckRow } from '../../model/check.ts';
import { cell, renderTable, type Cell, type Grid } from '../grid.ts';
import { makeChalk } from '../style.ts';
import { formatCount } from '../units.ts';

const KIND_TEXT: Record<CheckRow['kind'], string> = {
  compared: '',
  inlined: 'not judged: may be inlined',
  'not-one-to-one': 'not judged: not one to one',
  'not-modelled': 'not judged: not modelled',
  'not-captured': 'not judged: not captured',
};

const signed = (n: number): string => (n > 0 ? `+${formatCount(n)}` : formatCount(n));

/** "1,048,576"; "1,048,580 (sim 1,048,576: +4)"; "- (sim 4)"; "[missed 3]" when the kprobe missed hits. */
export function cellText(c: CheckCell): string {
  const missed = c.missed > 0 ? ` [missed ${formatCount(c.missed)}]` : '';
  if (c.measured === null) return `- (sim ${formatCount(c.simulated ?? 0)})`;
  if (c.simulated === null) return `${formatCount(c.measured)} (sim -)${missed}`;
  if (c.measured === c.simulated) return `${formatCount(c.measured)}${missed}`;
  return `${formatCount(c.measured)} (sim ${formatCount(c.simulated)}: ${signed(c.measured - c.simulated)})${missed}`;
}

function stepHead(r: CheckReport, i: number): string {
  const reqs = r.steps[i]!.requests;
  if (reqs.length === 1) return reqs[0]!.label;
  return `all ${reqs.length}`;
}

function checkGrid(r: CheckReport): Grid {
  const head = ['function', ...r.steps.map((_, i) => stepHead(r, i)), 'result'];
  const rows = r.rows.map((row): Cell[] => {
    const differs = rowDiffers(row);
    const cells = row.cells.map((c) => {
      const off = row.kind === 'compared' && c.measured !== c.simulated;
      return cell(cellText(c), off ? 'bad' : row.kind === 'compared' ? undefined : 'dim');
    });
    const result = row.kind !== 'compared' ? cell(KIND_TEXT[row.kind], 'dim') : differs ? cell('DIFFERS', 'bad') : cell('equal', 'ok');
    return [cell(row.function, row.kind === 'compared' ? undefined : 'dim'), ...cells, result];
  });
  return { head, align: ['left', ...r.steps.map(() => 'right' as const), 'left'], rows };
}

function verdictLine(r: CheckReport): string {
  const { equal, differ, notJudged } = r.verdict;
  const fns = (n: number): string => `${n} function${n === 1 ? '' : 's'}`;
  const head = differ === 0 ? `all equal: ${fns(equal)} match in every step` : `DIFFERENT: ${fns(differ)} differ${differ === 1 ? 's' : ''}, ${equal} equal`;
  return `${head}${notJudged > 0 ? `; ${notJudged} shown, not judged` : ''}`;
}

export function renderCheck(r: CheckReport, color: boolean): string {
  const c = makeChalk(color);
  const out: string[] = [];
  out.push(c.bold(`check: ${r.captures.join(' + ')} against ${r.fixture} on Linux ${r.kernel} (${r.kernelRelease})`));
  r.steps.forEach((s, i) => {
    const reqs = s.requests.map((q) => `#${q.index} ${q.label}${q.ret !== 0 ? ` (the simulator's kernel returned ${q.ret})` : ''}`);
    out.push(`  step ${i + 1}: ${s.label}: ${reqs.join(', ')}`);
  });
  out.push('', renderTable(checkGrid(r), c));
  const notJudged = r.rows.filter((row) => row.kind !== 'compared');
  if (notJudged.length > 0) {
    out.push('', 'Not judged:');
    for (const row of notJudged) out.push(`  ${row.function}: ${row.why ?? KIND_TEXT[row.kind]}`);
  }
  if (r.unmapped.length > 0) {
    out.push('', 'Events not read as a function:');
    for (const u of r.unmapped) out.push(`  ${u.event}: ${u.why}`);
  }
  const missed = r.rows.some((row) => row.cells.some((x) => x.missed > 0));
  if (missed) out.push('', 'A kprobe missed hits (a probe hit while another probe\'s handler ran): those counts are low by the missed number.');
  const line = verdictLine(r);
  out.push('', r.verdict.differ === 0 ? c.green(line) : c.red(line), '');
  return out.join('\n');
}

export function formatCheckJson(r: CheckReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}
