// The `run` report as GitHub-flavoured markdown (--markdown): the same tables as the terminal.

import type { Profile } from '../../model/profile.ts';
import type { FixtureResult, RunDocument } from '../../model/result.ts';
import { explainCaption, explainFixture, explanationText, unconstrainedWarning } from '../run/explain.ts';
import { renderMarkdownTable } from '../grid.ts';
import { envText, summaryText } from '../run/header.ts';
import { pinCountGrid } from '../run/pincount.ts';
import { requestsGrid } from '../run/requests.ts';
import { timingCaption, timingGrid } from '../run/timing.ts';
import { verdictLines } from '../run/verdict.ts';

function fixtureMarkdown(doc: RunDocument, fx: FixtureResult, verbose: boolean, explain?: Profile): string {
  const verdicts: string[] = [];
  for (const s of fx.strategies) {
    const [first, ...rest] = verdictLines(s, verbose);
    const text = first?.tone === 'bad' ? `**${first.text}**` : first?.text ?? '';
    verdicts.push(`- \`${s.strategy}\`: ${text}`);
    for (const line of rest) verdicts.push(`  - ${line.text}`);
  }
  return [
    `## ${fx.fixture}`,
    '',
    ...(fx.description === '' ? [] : [fx.description, '']),
    `${summaryText(fx)}; ${envText(doc)}.`,
    '',
    '### Time',
    '',
    timingCaption(doc),
    '',
    renderMarkdownTable(timingGrid(doc, fx)),
    '',
    '### DMA requests',
    '',
    renderMarkdownTable(requestsGrid(fx)),
    '',
    '### Pin counts',
    '',
    renderMarkdownTable(pinCountGrid(fx, verbose)),
    '',
    '### Verdict',
    '',
    ...verdicts,
    ...(explain === undefined ? [] : [
      '',
      '### Where the modelled time goes',
      '',
      explainCaption(explain),
      '',
      ...explainFixture(fx, explain).map((e) => `- \`${e.strategy}\` ${e.side}: ${explanationText(e)}`),
      ...[unconstrainedWarning(fx, explain)].flatMap((w) => (w === null ? [] : ['', `> ${w}`])),
    ]),
  ].join('\n');
}

export function formatMarkdown(doc: RunDocument, opts: { verbose?: boolean; explain?: Profile } = {}): string {
  const title = `# ${doc.tool.name} ${doc.tool.version}`;
  const body = doc.fixtures.map((fx) => fixtureMarkdown(doc, fx, opts.verbose ?? false, opts.explain));
  return [title, ...body].join('\n\n') + '\n';
}
