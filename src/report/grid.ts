// A table as data (plain strings plus a tone per cell), and its two renderings:
// a terminal table (cli-table3, colour only through chalk) and GitHub-flavoured markdown.

import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import { paint, type Tone } from './style.ts';

export interface Cell {
  text: string;
  tone?: Tone;
}

export interface Grid {
  head: string[];
  /** 'right' for numbers; default 'left'. */
  align: ('left' | 'right')[];
  rows: Cell[][];
}

export function cell(text: string, tone?: Tone): Cell {
  return tone === undefined ? { text } : { text, tone };
}

/** The plain text of every cell, row by row (what tests compare). */
export function gridText(g: Grid): string[][] {
  return g.rows.map((row) => row.map((c) => c.text));
}

/** cli-table3 with its own colours off (they ignore NO_COLOR and pipes); tones via chalk. */
export function renderTable(g: Grid, c: ChalkInstance): string {
  const table = new Table({
    head: g.head.map((h) => c.bold(h)),
    colAligns: g.align,
    style: { head: [], border: [], compact: true },
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
