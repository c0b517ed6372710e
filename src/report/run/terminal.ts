// The whole `run` report for a terminal: per fixture a header line, the timing table,
// the pin-count table and the verdict lines (and with --explain where the modelled time goes).

import type { Profile } from '../../model/profile.ts';
import type { FixtureResult, RunDocument } from '../../model/result.ts';
import { explainCaption, explainLines } from './explain.ts';
import { renderTable } from '../grid.ts';
import { headerLine } from './header.ts';
import { pinCountGrid } from './pincount.ts';
import { requestsGrid } from './requests.ts';
import { makeChalk, paint, type ReportOptions } from '../style.ts';
import { timingCaption, timingGrid } from './timing.ts';
import { verdictLines } from './verdict.ts';

/** explain: the cost profile to break the modelled time down with (run --explain). */
type TerminalOptions = ReportOptions & { explain?: Profile };

function fixtureReport(doc: RunDocument, fx: FixtureResult, opts: TerminalOptions): string {
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
    ...(opts.explain === undefined ? [] : ['', c.bold(explainCaption(opts.explain)), ...explainTerminal(fx, opts.explain, width, c)]),
  ].join('\n');
}

function explainTerminal(fx: FixtureResult, profile: Profile, width: number, c: ReturnType<typeof makeChalk>): string[] {
  return explainLines(fx, profile).map((l) => `  ${c.bold(l.strategy.padEnd(width))}  ${l.side.padEnd(5)}  ${l.text}`);
}

export function formatTerminal(doc: RunDocument, opts: TerminalOptions): string {
  return doc.fixtures.map((fx) => fixtureReport(doc, fx, opts)).join('\n\n') + '\n';
}
