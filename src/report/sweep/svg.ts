// The sweep as an SVG chart: modelled kernel time against the swept size on log-log axes,
// one colour per strategy, map as a solid polyline and unmap dashed, decade grid lines with
// labelled ticks and units, a legend, and a title naming the layout. A standalone document
// (--svg) that the HTML report (--html) embeds unchanged. Pure.

import type { SweepDocument } from '../../model/result.ts';
import { AXIS_TITLE, modelledOf } from './series.ts';
import { decadeLabel } from './chart.ts';
import { formatBytes, formatDuration } from '../units.ts';

/** Ten colours that stay apart for most kinds of colour vision (Tableau 10). */
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1', '#edc948', '#9c755f', '#ff9da7', '#bab0ac'];

/** Text for XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const f1 = (n: number): string => (Math.round(n * 10) / 10).toString();

export function sweepSvg(doc: SweepDocument): string {
  const W = 960;
  const H = 600;
  const m = { left: 84, right: 200, top: 70, bottom: 64 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const o = doc.options;
  const strategies = o.strategies;
  const sides = ['map', 'unmap'] as const;

  const xs = doc.points.map((p) => p.value).filter((v) => v > 0);
  const ys = doc.points.flatMap((p) => p.records.flatMap((r) => sides.map((s) => modelledOf(r, s)))).filter((v) => v > 0);
  const lx = Math.log10;
  let x0 = xs.length > 0 ? Math.min(...xs) : 1;
  let x1 = xs.length > 0 ? Math.max(...xs) : 2;
  if (x0 === x1) [x0, x1] = [x0 / 2, x1 * 2];
  const d0 = ys.length > 0 ? Math.floor(lx(Math.min(...ys)) + 1e-9) : 0;
  let d1 = ys.length > 0 ? Math.ceil(lx(Math.max(...ys)) - 1e-9) : 1;
  if (d1 <= d0) d1 = d0 + 1;
  const X = (x: number): number => m.left + ((lx(x) - lx(x0)) / (lx(x1) - lx(x0))) * pw;
  const Y = (y: number): number => m.top + ph - ((lx(y) - d0) / (d1 - d0)) * ph;

  const out: string[] = [];
  const title = `vfio-pin-bench sweep ${o.flags}`;
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12" role="img" aria-labelledby="sweep-title">`);
  out.push(`<title id="sweep-title">${escapeXml(`${title}: modelled kernel time (cost profile ${o.profile})`)}</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${m.left}" y="26" font-size="16" font-weight="bold">${escapeXml(title)}</text>`);
  out.push(`<text x="${m.left}" y="46" fill="#555555">${escapeXml(`Modelled kernel time per DMA map/unmap pass against ${AXIS_TITLE[o.axis]}, log-log; cost profile ${o.profile}; ${doc.tool.name} ${doc.tool.version}`)}</text>`);

  // grid and y ticks: a labelled line at each decade, minor ticks at 2..9
  out.push('<g class="grid" stroke="#e3e3e3" stroke-width="1">');
  for (let d = d0; d <= d1; d++) out.push(`<line x1="${m.left}" y1="${f1(Y(10 ** d))}" x2="${m.left + pw}" y2="${f1(Y(10 ** d))}"/>`);
  for (const x of xs) out.push(`<line x1="${f1(X(x))}" y1="${m.top}" x2="${f1(X(x))}" y2="${m.top + ph}"/>`);
  out.push('</g>');
  out.push('<g class="axes" stroke="#333333" stroke-width="1">');
  out.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}"/>`);
  out.push(`<line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}"/>`);
  for (let d = d0; d <= d1; d++) {
    out.push(`<line x1="${m.left - 6}" y1="${f1(Y(10 ** d))}" x2="${m.left}" y2="${f1(Y(10 ** d))}"/>`);
    if (d < d1) for (let k = 2; k <= 9; k++) out.push(`<line x1="${m.left - 3}" y1="${f1(Y(k * 10 ** d))}" x2="${m.left}" y2="${f1(Y(k * 10 ** d))}"/>`);
  }
  for (const x of xs) out.push(`<line x1="${f1(X(x))}" y1="${m.top + ph}" x2="${f1(X(x))}" y2="${m.top + ph + 6}"/>`);
  out.push('</g>');
  out.push('<g class="tick-labels" fill="#333333">');
  for (let d = d0; d <= d1; d++) out.push(`<text x="${m.left - 9}" y="${f1(Y(10 ** d) + 4)}" text-anchor="end">${escapeXml(decadeLabel(10 ** d))}</text>`);
  // x labels: every point when they fit, else every k-th (about 70 px each)
  const every = Math.max(1, Math.ceil((xs.length * 70) / pw));
  xs.forEach((x, i) => {
    if (i % every === 0 || i === xs.length - 1) out.push(`<text x="${f1(X(x))}" y="${m.top + ph + 20}" text-anchor="middle">${escapeXml(formatBytes(x))}</text>`);
  });
  out.push('</g>');
  out.push(`<text x="${f1(m.left + pw / 2)}" y="${H - 18}" text-anchor="middle" font-weight="bold">${escapeXml(`${AXIS_TITLE[o.axis]} (log scale)`)}</text>`);
  out.push(`<text transform="translate(20 ${f1(m.top + ph / 2)}) rotate(-90)" text-anchor="middle" font-weight="bold">modelled kernel time (log scale)</text>`);

  // the series: per strategy a map polyline (solid) and an unmap polyline (dashed), then markers
  strategies.forEach((name, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    out.push(`<g class="strategy" data-strategy="${escapeXml(name)}">`);
    for (const side of sides) {
      const pts = doc.points.flatMap((p) => {
        const r = p.records.find((x) => x.strategy === name);
        const y = r === undefined ? 0 : modelledOf(r, side);
        return y > 0 && p.value > 0 ? [{ p, r: r!, y }] : [];
      });
      const dash = side === 'unmap' ? ' stroke-dasharray="7 4"' : '';
      out.push(`<polyline class="series ${side}" data-strategy="${escapeXml(name)}" data-side="${side}" fill="none" stroke="${colour}" stroke-width="2"${dash} points="${pts.map((q) => `${f1(X(q.p.value))},${f1(Y(q.y))}`).join(' ')}"/>`);
      for (const q of pts) {
        const bad = q.r.verdict !== 'ok' || Object.keys(q.r.errors).length > 0;
        const fill = side === 'map' ? colour : '#ffffff';
        const note = bad ? ` (${q.r.verdict === 'ok' ? 'refused requests' : q.r.verdict.toUpperCase()})` : '';
        out.push(`<circle cx="${f1(X(q.p.value))}" cy="${f1(Y(q.y))}" r="${bad ? 4.5 : 3}" fill="${fill}" stroke="${bad ? '#d00000' : colour}" stroke-width="${bad ? 2 : 1.5}"><title>${escapeXml(`${name} ${side}, ${formatBytes(q.p.value)}: ${formatDuration(q.y)}${note}`)}</title></circle>`);
      }
    }
    out.push('</g>');
  });

  // legend
  const lx0 = m.left + pw + 24;
  out.push(`<g class="legend" transform="translate(${lx0} ${m.top})">`);
  strategies.forEach((name, i) => {
    const y = i * 20;
    const colour = PALETTE[i % PALETTE.length]!;
    out.push(`<line x1="0" y1="${y}" x2="24" y2="${y}" stroke="${colour}" stroke-width="3"/>`);
    out.push(`<text x="32" y="${y + 4}">${escapeXml(name)}</text>`);
  });
  const ky = strategies.length * 20 + 16;
  out.push(`<line x1="0" y1="${ky}" x2="24" y2="${ky}" stroke="#555555" stroke-width="2"/><text x="32" y="${ky + 4}">map (solid)</text>`);
  out.push(`<line x1="0" y1="${ky + 20}" x2="24" y2="${ky + 20}" stroke="#555555" stroke-width="2" stroke-dasharray="7 4"/><text x="32" y="${ky + 24}">unmap (dashed)</text>`);
  const flagged = doc.points.some((p) => p.records.some((r) => r.verdict !== 'ok' || Object.keys(r.errors).length > 0));
  if (flagged) {
    out.push(`<circle cx="12" cy="${ky + 44}" r="4.5" fill="#ffffff" stroke="#d00000" stroke-width="2"/><text x="32" y="${ky + 48}">requests refused,</text>`);
    out.push(`<text x="32" y="${ky + 62}">UNSAFE or BROKEN</text>`);
  }
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}
