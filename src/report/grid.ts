// A table as data (plain strings plus a tone per cell), and its two renderings:
// a terminal table (cli-table3, colour only through chalk) and GitHub-flavoured markdown.

import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import { paint, type Tone } from './style.ts';
import { columnGroups } from './wrap.ts';

export interface Cell {
  text: string;
  tone?: Tone;
}

export interface Grid {
  head: string[];
  /** 'right' for numbers; default 'left'. */
  align: ('left' | 'right')[];
  rows: Cell[][];
  /** how many leading columns (the row's name) repeat when a table too wide for the terminal
   *  is split into several (renderTable's width); default 1. */
  keep?: number;
}

export function cell(text: string, tone?: Tone): Cell {
  return tone === undefined ? { text } : { text, tone };
}

/** The plain text of every cell, row by row (what tests compare). */
export function gridText(g: Grid): string[][] {
  return g.rows.map((row) => row.map((c) => c.text));
}

/** cli-table3 with its own colours off (they ignore NO_COLOR and pipes); tones via chalk.
 *  width: the terminal's; a wider table is split into several, each with the `keep` leading
 *  columns and as many of the others as fit (one blank line between); a piece still too wide
 *  (one long text column, e.g. a description) has that column's cells wrapped. */
export function renderTable(g: Grid, c: ChalkInstance, width?: number): string {
  if (width === undefined) return renderOne(g, c);
  // each column: its text, a space either side, one border; plus the closing border
  const widths = g.head.map((h, i) => Math.max(h.length, ...g.rows.map((r) => r[i]?.text.length ?? 0)));
  const groups = columnGroups(widths, width - 1, Math.min(g.keep ?? 1, g.head.length - 1), 3);
  return groups.map((cols) => renderOne({
    head: cols.map((i) => g.head[i]!), align: cols.map((i) => g.align[i] ?? 'left'), rows: g.rows.map((r) => cols.map((i) => r[i] ?? cell(''))),
  }, c, cols.map((i) => widths[i]!), width)).join('\n');
}

/** One cli-table3 table; with `width`, the widest column wraps when the table is wider. */
function renderOne(g: Grid, c: ChalkInstance, widths?: number[], width?: number): string {
  let colWidths: number[] | undefined;
  if (widths !== undefined && width !== undefined) {
    const total = widths.reduce((n, w) => n + w + 3, 1);
    if (total > width) {
      const widest = widths.indexOf(Math.max(...widths));
      const room = width - (total - widths[widest]!);
      if (room >= 12) colWidths = widths.map((w, i) => (i === widest ? room : w) + 2);
    }
  }
  const table = new Table({
    head: g.head.map((h) => c.bold(h)),
    colAligns: g.align,
    style: { head: [], border: [], compact: true },
    ...(colWidths !== undefined ? { colWidths, wordWrap: true } : {}),
  });
  for (const row of g.rows) table.push(row.map((x) => paint(c, x.tone, x.text)));
  return table.toString();
}

function escapeMarkdown(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A GitHub-flavoured markdown table; tones become bold for 'bad' and 'strong'. */
export function renderMarkdownTable(g: Grid): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const sep = g.head.map((_, i) => (g.align[i] === 'right' ? '---:' : '---'));
  const body = g.rows.map((row) =>
    line(row.map((x) => {
      const t = escapeMarkdown(x.text);
      return (x.tone === 'bad' || x.tone === 'strong') && t !== '' ? `**${t}**` : t;
    })),
  );
  return [line(g.head.map(escapeMarkdown)), line(sep), ...body].join('\n');
}
