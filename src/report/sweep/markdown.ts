// The sweep as GitHub-flavoured markdown (merge --format markdown, for $GITHUB_STEP_SUMMARY or a
// pull request comment): a heading, the caption and the table. The chart goes as SVG/HTML
// (--svg, --html) into an artifact: GitHub's markdown shows no inline SVG. Pure.

import type { SweepDocument } from '../../model/result.ts';
import { renderMarkdownTable } from '../grid.ts';
import { sweepCaption, sweepGrid, type KeyCounter, DEFAULT_KEY_COUNTERS } from './table.ts';

export function formatSweepMarkdown(doc: SweepDocument, keys: readonly KeyCounter[] = DEFAULT_KEY_COUNTERS): string {
  return [`### vfio-pin-bench sweep \`${doc.options.flags}\``, '', sweepCaption(doc), '', renderMarkdownTable(sweepGrid(doc, keys)), ''].join('\n');
}
