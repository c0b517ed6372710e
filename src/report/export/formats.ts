// The output formats of `run --format` and `export --format`: each a pure function of the
// result document.

import type { Profile } from '../../model/profile.ts';
import type { RunDocument } from '../../model/result.ts';
import { formatBencher } from './bencher.ts';
import { formatCsv } from './csv.ts';
import { formatGithubActionBenchmark } from './github-action-benchmark.ts';
import { formatJson } from './json.ts';
import { formatMarkdown } from './markdown.ts';
import { formatTerminal } from '../run/terminal.ts';

export const FORMATS = ['terminal', 'json', 'markdown', 'github-action-benchmark', 'bencher', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export const FORMAT_HELP: Record<Format, string> = {
  terminal: 'a summary per strategy (default); the full tables with --tables',
  json: 'the result document (schema/result.schema.json)',
  markdown: 'the tables as GitHub-flavoured markdown ($GITHUB_STEP_SUMMARY, PR comments)',
  'github-action-benchmark': 'customSmallerIsBetter JSON for benchmark-action/github-action-benchmark',
  bencher: 'Bencher Metric Format JSON (latency in ns)',
  csv: 'one row per fixture, strategy and op',
};

/** explain: break the modelled time down by counter with this profile (terminal and markdown);
 *  terminal only: tables (the full tables, not the summary), width (the terminal's columns),
 *  profile (the document's cost profile, for the summary's counters). */
export function renderFormat(doc: RunDocument, format: Format, opts: { color: boolean; verbose: boolean; explain?: Profile; tables?: boolean; width?: number; profile?: Profile }): string {
  switch (format) {
    case 'terminal': return formatTerminal(doc, opts);
    case 'json': return formatJson(doc);
    case 'markdown': return formatMarkdown(doc, { verbose: opts.verbose, ...(opts.explain !== undefined ? { explain: opts.explain } : {}) });
    case 'github-action-benchmark': return formatGithubActionBenchmark(doc);
    case 'bencher': return formatBencher(doc);
    case 'csv': return formatCsv(doc);
  }
}
