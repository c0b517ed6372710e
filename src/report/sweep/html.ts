// The sweep as one HTML page (--html): the SVG chart inline and the table, no scripts and
// nothing fetched, so it opens from disk in any browser. Pure.

import type { SweepDocument } from '../../model/result.ts';
import type { Grid } from '../grid.ts';
import { sweepCaption, sweepGrid, type KeyCounter, DEFAULT_KEY_COUNTERS } from './table.ts';
import { escapeXml, sweepSvg } from './svg.ts';

/** A Grid as an HTML table (cells escaped; numbers right-aligned; tones as classes). */
function gridHtml(g: Grid): string {
  const cls = (i: number, tone?: string): string => {
    const c = [g.align[i] === 'right' ? 'num' : '', tone ?? ''].filter((x) => x !== '').join(' ');
    return c === '' ? '' : ` class="${c}"`;
  };
  const head = `<tr>${g.head.map((h, i) => `<th${cls(i)}>${escapeXml(h)}</th>`).join('')}</tr>`;
  const body = g.rows.map((row) => `<tr>${row.map((c, i) => `<td${cls(i, c.tone)}>${escapeXml(c.text)}</td>`).join('')}</tr>`);
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

const STYLE = `
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.3em; }
p.meta { color: #555; }
svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.9em; margin-top: 1.5em; }
th, td { padding: 0.2em 0.7em; border-bottom: 1px solid #eee; }
th { text-align: left; border-bottom: 2px solid #ccc; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.strong { font-weight: 600; }
.dim { color: #999; }
.ok { color: #2a7d2a; }
.bad { color: #c00; font-weight: 600; }
.warn { color: #a60; }
`;

export function sweepHtml(doc: SweepDocument, keys: readonly KeyCounter[] = DEFAULT_KEY_COUNTERS): string {
  const title = `vfio-pin-bench sweep ${doc.options.flags}`;
  const env = doc.env;
  const meta = `${doc.tool.name} ${doc.tool.version}; node ${env.node}, ${env.cpu} (${env.cores} cores)${env.gitCommit !== undefined ? `; commit ${env.gitCommit}` : ''}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeXml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeXml(title)}</h1>`,
    `<p class="meta">${escapeXml(meta)}</p>`,
    `<figure>\n${sweepSvg(doc).trimEnd()}\n</figure>`,
    `<p>${escapeXml(sweepCaption(doc))}</p>`,
    gridHtml(sweepGrid(doc, keys)),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
