// The `run` report for a terminal. By default per fixture a wrapped header, and the compact
// summary (compact.ts): one screen, at most 100 columns. With --tables (or --verbose) the full
// report: the timing table, the DMA requests, the pin-count table and the verdict lines, each
// table split into several when wider than the terminal. --explain adds where the modelled
// time goes, in either.

import type { Profile } from '../../model/profile.ts';
import type { FixtureResult, RunDocument } from '../../model/result.ts';
import { explainCaption, explainLines, unconstrainedWarning } from './explain.ts';
import { renderTable } from '../grid.ts';
import { summaryLines, SUMMARY_MAX_WIDTH } from './compact.ts';
import { headerLines } from './header.ts';
import { pinCountGrid } from './pincount.ts';
import { requestsGrid } from './requests.ts';
import { makeChalk, paint, type ReportOptions } from '../style.ts';
import { timingCaption, timingGrid } from './timing.ts';
import { verdictLines } from './verdict.ts';
import { wrapText } from '../wrap.ts';

/** explain: the cost profile to break the modelled time down with (run --explain); tables: the
 *  full tables instead of the summary (also with verbose); width: the terminal's columns (none:
 *  tables are not split; the summary and header keep to 100); profile: the cost profile of the
 *  document, for the summary's counters (none: that column is left out). */
type TerminalOptions = ReportOptions & { explain?: Profile; tables?: boolean; width?: number; profile?: Profile };

/** The default: header, caption, summary, what is not plain ok, and where the rest is. */
function fixtureSummary(doc: RunDocument, fx: FixtureResult, opts: TerminalOptions): string {
  const c = makeChalk(opts.color);
  const width = Math.min(opts.width ?? SUMMARY_MAX_WIDTH, SUMMARY_MAX_WIDTH);
  const nameWidth = Math.max(0, ...fx.strategies.map((s) => s.strategy.length));
  const findings: string[] = [];
  for (const s of fx.strategies) {
    const lines = verdictLines(s, false);
    if (lines.length === 1 && s.verdict === 'ok') continue;
    lines.forEach((line, i) => {
      const name = i === 0 ? c.bold(s.strategy.padEnd(nameWidth)) : ' '.repeat(nameWidth);
      const pad = ' '.repeat(nameWidth + 4);
      wrapText(line.text, Math.max(20, width - pad.length), '  ').forEach((part, j) => {
        findings.push(`${j === 0 ? `  ${name}  ` : pad}${paint(c, line.tone, part)}`);
      });
    });
  }
  return [
    ...headerLines(doc, fx, c, width),
    '',
    ...wrapText(timingCaption(doc), width).map((l) => c.dim(l)),
    ...summaryLines(doc, fx, c, { width, ...(opts.profile !== undefined ? { profile: opts.profile } : {}) }),
    ...(findings.length === 0 ? [] : ['', c.bold('Findings (oracle, invariants, refused requests):'), ...findings]),
    ...(opts.explain === undefined ? [] : ['', c.bold(explainCaption(opts.explain)), ...explainTerminal(fx, opts.explain, nameWidth, c)]),
  ].join('\n');
}

/** The hint under the summary: where the full tables are. */
const MORE = 'Full tables (timing, DMA requests, every kernel counter, verdicts): --tables; every counter explained: `list --counters`.';

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
  const w = opts.width;
  const wrap = (text: string): string[] => wrapText(text, w ?? SUMMARY_MAX_WIDTH).map((l) => c.dim(l));
  return [
    ...headerLines(doc, fx, c, w ?? SUMMARY_MAX_WIDTH),
    '',
    ...wrap(timingCaption(doc)),
    renderTable(timingGrid(doc, fx), c, w),
    '',
    ...wrap('DMA requests (phys runs: physically contiguous runs the page tables hold under the range):'),
    renderTable(requestsGrid(fx), c, w),
    '',
    ...wrap('Work per DMA map/unmap pass (kernel counters):'),
    renderTable(pinCountGrid(fx, opts.verbose), c, w),
    '',
    c.bold('Verdict (oracle: IOMMU contents vs the process page tables):'),
    ...verdicts,
    ...(opts.explain === undefined ? [] : ['', c.bold(explainCaption(opts.explain)), ...explainTerminal(fx, opts.explain, width, c)]),
  ].join('\n');
}

function explainTerminal(fx: FixtureResult, profile: Profile, width: number, c: ReturnType<typeof makeChalk>): string[] {
  const warning = unconstrainedWarning(fx, profile);
  return [
    ...explainLines(fx, profile).map((l) => `  ${c.bold(l.strategy.padEnd(width))}  ${l.side.padEnd(5)}  ${l.text}`),
    ...(warning === null ? [] : [c.yellow(warning)]),
  ];
}

export function formatTerminal(doc: RunDocument, opts: TerminalOptions): string {
  if (opts.tables === true || opts.verbose === true) return doc.fixtures.map((fx) => fixtureReport(doc, fx, opts)).join('\n\n') + '\n';
  const c = makeChalk(opts.color);
  const width = Math.min(opts.width ?? SUMMARY_MAX_WIDTH, SUMMARY_MAX_WIDTH);
  return [...doc.fixtures.map((fx) => fixtureSummary(doc, fx, opts)), wrapText(MORE, width).map((l) => c.dim(l)).join('\n')].join('\n\n') + '\n';
}
