// The whole `run` report for a terminal: per fixture a header line, the timing table,
// the pin-count table and the verdict lines.

import type { FixtureResult, RunDocument } from '../run/result.ts';
import { renderTable } from './grid.ts';
import { headerLine } from './header.ts';
import { pinCountGrid } from './pincount.ts';
import { requestsGrid } from './requests.ts';
import { makeChalk, paint, type ReportOptions } from './style.ts';
import { timingCaption, timingGrid } from './timing.ts';
import { verdictLines } from './verdict.ts';

function fixtureReport(doc: RunDocument, fx: FixtureResult, opts: ReportOptions): string {
  const c = makeChalk(opts.color);
  const width = Math.max(0, ...fx.strategies.map((s) => s.strategy.length));
  const verdicts: string[] = [];
  for (const s of fx.strategies) {
    verdictLines(s, opts.verbose).forEach((line, i) => {
      const name = i === 0 ? c.bold(s.strategy.padEnd(width)) : ' '.repeat(width);
      verdicts.push(`  ${name}  ${paint(c, line.tone, line.text)}`);
    });
  }
  return [
    headerLine(doc, fx, c),
    '',
    c.dim(timingCaption(doc)),
    renderTable(timingGrid(doc, fx), c),
    '',
    c.dim('DMA requests (phys runs: physically contiguous runs the page tables hold under the range):'),
    renderTable(requestsGrid(fx), c),
    '',
    c.dim('Work per DMA map/unmap pass (kernel counters):'),
    renderTable(pinCountGrid(fx, opts.verbose), c),
    '',
    c.bold('Verdict (oracle: IOMMU contents vs the process page tables):'),
    ...verdicts,
  ].join('\n');
}

export function formatTerminal(doc: RunDocument, opts: ReportOptions): string {
  return doc.fixtures.map((fx) => fixtureReport(doc, fx, opts)).join('\n\n') + '\n';
}
