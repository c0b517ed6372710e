// The line that opens each fixture's report: what was run, how big it is, and where.

import type { ChalkInstance } from 'chalk';
import type { FixtureResult, RunDocument } from '../../model/result.ts';
import { formatBytes, formatCount } from '../units.ts';
import { wrapText } from '../wrap.ts';

/** "RAM 16 GiB, BAR 16 GiB, 4,194,304 pages to map (16 GiB), 2 DMA requests, placement seed 1" (no seed: a document from before placement) */
export function summaryText(fx: FixtureResult): string {
  const s = fx.summary;
  const requests = s.requests === 1 ? '1 DMA request' : `${formatCount(s.requests)} DMA requests`;
  return `RAM ${formatBytes(s.ramBytes)}, BAR ${formatBytes(s.barBytes)}, ` +
    `${formatCount(s.mapPages)} pages to map (${formatBytes(s.mapBytes)}), ${requests}${s.seed === undefined ? '' : `, placement seed ${s.seed}`}`;
}

/** "node v20.20.0, Intel(R) Xeon(R) CPU E5-2690 (16 cores)" */
export function envText(doc: RunDocument): string {
  const node = doc.env.node.startsWith('v') ? doc.env.node : `v${doc.env.node}`;
  return `node ${node}, ${doc.env.cpu} (${doc.env.cores} cores)`;
}

/** One line: fixture name, description, layout summary, node version and CPU. */
export function headerLine(doc: RunDocument, fx: FixtureResult, c: ChalkInstance): string {
  const desc = fx.description === '' ? '' : `: ${fx.description}`;
  return `${c.bold(fx.fixture)}${desc} | ${summaryText(fx)} | ${envText(doc)}`;
}

/** The header wrapped to `width`: the fixture and its description, then the layout summary and
 *  the machine (each wrapped, continuation lines indented). */
export function headerLines(doc: RunDocument, fx: FixtureResult, c: ChalkInstance, width: number): string[] {
  const desc = fx.description === '' ? '' : `: ${fx.description}`;
  const [first = '', ...rest] = wrapText(`${fx.fixture}${desc}`, width, '  ');
  return [
    c.bold(fx.fixture) + first.slice(fx.fixture.length),
    ...rest,
    ...wrapText(`${summaryText(fx)}; ${envText(doc)}`, width, '  ').map((l) => c.dim(l)),
  ];
}
