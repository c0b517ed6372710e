// The sweep as an SVG chart: modelled kernel time against the swept size on log-log axes, map
// and unmap in two panels side by side (each with its own time axis). Every strategy has a
// colour from the Okabe-Ito palette (safe for the common kinds of colour blindness) AND a
// marker shape, so it reads in grayscale too. Series that coincide (the same points) cannot all
// be seen as lines: their markers are set side by side and the label at the line's end names
// every one of them. Ticks at round values: decades of time, powers of two of bytes.
// A standalone document (--svg) that the HTML report (--html) embeds unchanged. Pure.

import type { SweepDocument, SweepRecord } from '../../model/result.ts';
import { AXIS_TITLE, modelledOf } from './series.ts';
import { decadeLabel } from './chart.ts';
import { formatBytes, formatDuration } from '../units.ts';

/** Okabe & Ito's colour-blind-safe palette (yellow darkened to read on white), then grey. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#B8A000', '#000000', '#777777'];

/** Marker shapes, one per strategy with its colour (the shape alone tells series apart). */
const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'triangle-down', 'plus', 'cross', 'star'] as const;
type Shape = (typeof SHAPES)[number];

/** Text for XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const f1 = (n: number): string => (Math.round(n * 10) / 10).toString();

/** A marker of `shape` centred on (x, y) with radius r; `inner` (e.g. a <title>) inside it. */
function marker(shape: Shape, x: number, y: number, r: number, attrs: string, inner = ''): string {
  const pts = (list: [number, number][]): string => list.map(([a, b]) => `${f1(x + a * r)},${f1(y + b * r)}`).join(' ');
  const el = (tag: string, geometry: string): string => (inner === '' ? `<${tag} ${geometry} ${attrs}/>` : `<${tag} ${geometry} ${attrs}>${inner}</${tag}>`);
  switch (shape) {
    case 'circle': return el('circle', `cx="${f1(x)}" cy="${f1(y)}" r="${f1(r)}"`);
    case 'square': return el('rect', `x="${f1(x - r * 0.85)}" y="${f1(y - r * 0.85)}" width="${f1(r * 1.7)}" height="${f1(r * 1.7)}"`);
    case 'triangle': return el('polygon', `points="${pts([[0, -1.15], [1, 0.65], [-1, 0.65]])}"`);
    case 'triangle-down': return el('polygon', `points="${pts([[0, 1.15], [1, -0.65], [-1, -0.65]])}"`);
    case 'diamond': return el('polygon', `points="${pts([[0, -1.2], [1.2, 0], [0, 1.2], [-1.2, 0]])}"`);
    case 'plus': return el('polygon', `points="${pts([[-0.35, -1.1], [0.35, -1.1], [0.35, -0.35], [1.1, -0.35], [1.1, 0.35], [0.35, 0.35], [0.35, 1.1], [-0.35, 1.1], [-0.35, 0.35], [-1.1, 0.35], [-1.1, -0.35], [-0.35, -0.35]])}"`);
    case 'cross': return el('polygon', `points="${pts([[-1, -0.5], [-0.5, -1], [0, -0.5], [0.5, -1], [1, -0.5], [0.5, 0], [1, 0.5], [0.5, 1], [0, 0.5], [-0.5, 1], [-1, 0.5], [-0.5, 0]])}"`);
    case 'star': return el('polygon', `points="${pts(Array.from({ length: 10 }, (_, k) => {
      const a = -Math.PI / 2 + (k * Math.PI) / 5;
      const rr = k % 2 === 0 ? 1.25 : 0.55;
      return [Math.cos(a) * rr, Math.sin(a) * rr] as [number, number];
    }))}"`);
  }
}

/** Round x ticks: powers of two of bytes from lo to hi, every 2^k-th so that at most `max` remain. */
export function byteTicks(lo: number, hi: number, max = 7): number[] {
  const all: number[] = [];
  for (let e = Math.ceil(Math.log2(lo) - 1e-9); e <= Math.floor(Math.log2(hi) + 1e-9); e++) all.push(2 ** e);
  let step = 1;
  while (Math.ceil(all.length / step) > max) step *= 2;
  // keep the ticks whose exponent is a multiple of the step, so they land on 1 GiB, 4 GiB, ...
  return all.filter((v) => Math.round(Math.log2(v)) % step === 0);
}

const flagged = (r: SweepRecord): boolean => r.verdict !== 'ok' || Object.keys(r.errors).length > 0;

export function sweepSvg(doc: SweepDocument): string {
  const o = doc.options;
  const strategies = o.strategies;
  const sides = ['map', 'unmap'] as const;
  const m = { left: 78, top: 78, bottom: 70 };
  const pw = 390; // plot width of a panel
  const labelW = 150; // line-end labels right of each panel
  const gapW = 70; // between the labels of the first panel and the second panel's y axis
  const ph = 380;
  const legendRows = Math.ceil(strategies.length / 4);
  const W = m.left + 2 * (pw + labelW) + gapW;
  const H = m.top + ph + m.bottom + legendRows * 20 + 40;
  const colour = (i: number): string => PALETTE[i % PALETTE.length]!;
  const shape = (i: number): Shape => SHAPES[i % SHAPES.length]!;

  const xs = doc.points.map((p) => p.value).filter((v) => v > 0);
  const lx = Math.log10;
  let x0 = xs.length > 0 ? Math.min(...xs) : 1;
  let x1 = xs.length > 0 ? Math.max(...xs) : 2;
  if (x0 === x1) [x0, x1] = [x0 / 2, x1 * 2];

  const out: string[] = [];
  const title = `vfio-pin-bench sweep ${o.flags}`;
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12" role="img" aria-labelledby="sweep-title">`);
  out.push(`<title id="sweep-title">${escapeXml(`${title}: modelled kernel time (cost profile ${o.profile})`)}</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${m.left}" y="26" font-size="16" font-weight="bold">${escapeXml(title)}</text>`);
  out.push(`<text x="${m.left}" y="46" fill="#555555">${escapeXml(`Modelled kernel time per DMA map/unmap pass against ${AXIS_TITLE[o.axis]}, log-log; cost profile ${o.profile}; ${doc.tool.name} ${doc.tool.version}`)}</text>`);

  sides.forEach((side, panel) => {
    const left = m.left + panel * (pw + labelW + gapW);
    const ys = doc.points.flatMap((p) => p.records.map((r) => modelledOf(r, side))).filter((v) => v > 0);
    const d0 = ys.length > 0 ? Math.floor(lx(Math.min(...ys)) + 1e-9) : 0;
    let d1 = ys.length > 0 ? Math.ceil(lx(Math.max(...ys)) - 1e-9) : 1;
    if (d1 <= d0) d1 = d0 + 1;
    const X = (x: number): number => left + ((lx(x) - lx(x0)) / (lx(x1) - lx(x0))) * pw;
    const Y = (y: number): number => m.top + ph - ((lx(y) - d0) / (d1 - d0)) * ph;
    const ticks = byteTicks(x0, x1);

    out.push(`<g class="panel" data-side="${side}">`);
    out.push(`<text x="${left}" y="${m.top - 12}" font-size="14" font-weight="bold">${side === 'map' ? 'VFIO_IOMMU_MAP_DMA (map)' : 'VFIO_IOMMU_UNMAP_DMA and release (unmap)'}</text>`);
    out.push('<g class="grid" stroke="#e6e6e6" stroke-width="1">');
    for (let d = d0; d <= d1; d++) out.push(`<line x1="${left}" y1="${f1(Y(10 ** d))}" x2="${left + pw}" y2="${f1(Y(10 ** d))}"/>`);
    for (const t of ticks) out.push(`<line x1="${f1(X(t))}" y1="${m.top}" x2="${f1(X(t))}" y2="${m.top + ph}"/>`);
    out.push('</g>');
    out.push('<g class="axes" stroke="#333333" stroke-width="1">');
    out.push(`<line x1="${left}" y1="${m.top}" x2="${left}" y2="${m.top + ph}"/>`);
    out.push(`<line x1="${left}" y1="${m.top + ph}" x2="${left + pw}" y2="${m.top + ph}"/>`);
    for (let d = d0; d <= d1; d++) {
      out.push(`<line x1="${left - 6}" y1="${f1(Y(10 ** d))}" x2="${left}" y2="${f1(Y(10 ** d))}"/>`);
      if (d < d1) for (let k = 2; k <= 9; k++) out.push(`<line x1="${left - 3}" y1="${f1(Y(k * 10 ** d))}" x2="${left}" y2="${f1(Y(k * 10 ** d))}"/>`);
    }
    for (const t of ticks) out.push(`<line x1="${f1(X(t))}" y1="${m.top + ph}" x2="${f1(X(t))}" y2="${m.top + ph + 6}"/>`);
    out.push('</g>');
    out.push('<g class="tick-labels" fill="#333333">');
    for (let d = d0; d <= d1; d++) out.push(`<text x="${left - 9}" y="${f1(Y(10 ** d) + 4)}" text-anchor="end">${escapeXml(decadeLabel(10 ** d))}</text>`);
    for (const t of ticks) out.push(`<text x="${f1(X(t))}" y="${m.top + ph + 20}" text-anchor="middle">${escapeXml(formatBytes(t))}</text>`);
    out.push('</g>');
    out.push(`<text x="${f1(left + pw / 2)}" y="${m.top + ph + 42}" text-anchor="middle" font-weight="bold">${escapeXml(`${AXIS_TITLE[o.axis]} (log scale)`)}</text>`);
    out.push(`<text transform="translate(${left - 60} ${f1(m.top + ph / 2)}) rotate(-90)" text-anchor="middle" font-weight="bold">modelled ${side} time (log scale)</text>`);

    // each strategy's points on this side, and which strategies draw the same line
    const series = strategies.map((name, i) => {
      const pts = doc.points.flatMap((p) => {
        const r = p.records.find((x) => x.strategy === name);
        const y = r === undefined ? 0 : modelledOf(r, side);
        return y > 0 && p.value > 0 ? [{ x: p.value, y, r: r! }] : [];
      });
      return { name, i, pts, key: pts.map((q) => `${f1(X(q.x))},${f1(Y(q.y))}`).join(' ') };
    });
    // series that coincide on screen: every point within CLOSE px of the group's first series
    const CLOSE = 4;
    const near = (a: typeof series[number], b: typeof series[number]): boolean => a.pts.length === b.pts.length &&
      a.pts.every((q, k) => q.x === b.pts[k]!.x && Math.abs(Y(q.y) - Y(b.pts[k]!.y)) <= CLOSE);
    const groups: (typeof series)[] = [];
    for (const s of series) {
      if (s.pts.length === 0) continue;
      const g = groups.find((x) => near(x[0]!, s));
      if (g !== undefined) g.push(s);
      else groups.push([s]);
    }

    // lines first, then the markers; within a group of coinciding series the markers are set
    // side by side (DODGE px apart) so that every series' shape shows
    const DODGE = 7;
    for (const s of series) {
      out.push(`<polyline class="series ${side}" data-strategy="${escapeXml(s.name)}" data-side="${side}" fill="none" stroke="${colour(s.i)}" stroke-width="2" stroke-linejoin="round" points="${s.key}"/>`);
    }
    for (const group of groups) {
      group.forEach((s, k) => {
        const dx = (k - (group.length - 1) / 2) * DODGE;
        out.push(`<g class="markers" data-strategy="${escapeXml(s.name)}">`);
        for (const q of s.pts) {
          const bad = flagged(q.r);
          const note = bad ? ` (${q.r.verdict === 'ok' ? 'refused requests' : q.r.verdict.toUpperCase()})` : '';
          if (bad) out.push(`<circle cx="${f1(X(q.x) + dx)}" cy="${f1(Y(q.y))}" r="9" fill="none" stroke="#d00000" stroke-width="2"/>`);
          out.push(marker(shape(s.i), X(q.x) + dx, Y(q.y), 4.5, `fill="${colour(s.i)}" fill-opacity="0.85" stroke="#ffffff" stroke-width="0.8"`,
            `<title>${escapeXml(`${s.name} ${side}, ${formatBytes(q.x)}: ${formatDuration(q.y)}${note}`)}</title>`));
        }
        out.push('</g>');
      });
    }

    // labels at the line ends: one block per group, naming every strategy in it
    const blocks = groups.map((g) => ({ g, y: Y(g[0]!.pts.at(-1)!.y) }));
    const lineH = 14;
    const heights = blocks.map((b) => b.g.length * lineH);
    // spread the blocks' tops so that no two overlap (each at least its own height apart)
    const order = blocks.map((b, i) => ({ b, i })).sort((a, c) => a.b.y - c.b.y);
    const tops: number[] = new Array(blocks.length);
    let next = m.top - 4;
    for (const { b, i } of order) {
      const want = b.y - heights[i]! / 2 + lineH / 2;
      tops[i] = Math.max(want, next);
      next = tops[i]! + heights[i]! + 2;
    }
    const overflow = next - (m.top + ph + 30);
    if (overflow > 0) for (const { i } of order) tops[i] = tops[i]! - overflow;
    out.push('<g class="line-labels">');
    blocks.forEach((b, i) => {
      const ex = X(b.g[0]!.pts.at(-1)!.x) + ((b.g.length - 1) / 2) * DODGE;
      const ty = tops[i]!;
      out.push(`<line x1="${f1(ex + 8)}" y1="${f1(b.y)}" x2="${f1(ex + 16)}" y2="${f1(ty + ((b.g.length - 1) * lineH) / 2)}" stroke="#999999" stroke-width="1"/>`);
      b.g.forEach((s, k) => {
        out.push(`<text x="${f1(ex + 20)}" y="${f1(ty + k * lineH + 4)}" fill="${colour(s.i)}" data-strategy="${escapeXml(s.name)}">${escapeXml(s.name)}</text>`);
      });
    });
    out.push('</g>');
    out.push('</g>');
  });

  // legend: colour, shape and name of every strategy; series that coincide are named together at the line ends
  const ly = m.top + ph + 70;
  out.push(`<g class="legend" transform="translate(${m.left} ${ly})">`);
  strategies.forEach((name, i) => {
    const col = i % 4;
    const row = Math.floor(i / 4);
    const x = col * 230;
    const y = row * 20;
    out.push(`<line x1="${x}" y1="${y}" x2="${x + 28}" y2="${y}" stroke="${colour(i)}" stroke-width="2"/>`);
    out.push(marker(shape(i), x + 14, y, 5, `fill="${colour(i)}" stroke="${colour(i)}" stroke-width="1.6"`));
    out.push(`<text x="${x + 36}" y="${y + 4}">${escapeXml(name)}</text>`);
  });
  const noteY = legendRows * 20 + 8;
  const anyFlagged = doc.points.some((p) => p.records.some(flagged));
  out.push(`<text x="0" y="${noteY}" fill="#555555">${escapeXml(`Strategies that coincide are labelled together at the line end, their markers side by side.${anyFlagged ? ' Red ring: requests refused, UNSAFE or BROKEN.' : ''}`)}</text>`);
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}
