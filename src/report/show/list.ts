// `list`: bundled fixtures, strategies and cost profiles as tables.

import { COUNTER_TABLE } from '../../model/counters.ts';
import { cell, renderTable, type Grid } from '../grid.ts';
import { makeChalk, type ReportOptions } from '../style.ts';

interface ListInput {
  fixtures: readonly { name: string; description: string }[];
  strategies: readonly { name: string; kernel: string; description: string }[];
  profiles: readonly { name: string; description: string }[];
  defaultFixture: string;
  defaultProfile: string;
  /** with --kernels: each part of a host kernel and its eras (kernel/eras.ts as plain rows). */
  eras?: readonly { part: string; from: string; value: string; commit: string; what: string }[];
  /** with --kernel <release>: that release's composition, one row per part. */
  composed?: { release: string; parts: readonly { part: string; value: string; commit: string; what: string }[] };
}

function nameCell(name: string, defaultName?: string) {
  return cell(name === defaultName ? `${name} (default)` : name, 'strong');
}

function fixturesGrid(input: ListInput): Grid {
  return {
    head: ['fixture', 'description'],
    align: ['left', 'left'],
    rows: input.fixtures.map((f) => [nameCell(f.name, input.defaultFixture), cell(f.description)]),
  };
}

function strategiesGrid(input: ListInput): Grid {
  return {
    head: ['strategy', 'kernel', 'description'],
    align: ['left', 'left', 'left'],
    rows: input.strategies.map((s) => [nameCell(s.name), cell(s.kernel), cell(s.description)]),
  };
}

function profilesGrid(input: ListInput): Grid {
  return {
    head: ['profile', 'description'],
    align: ['left', 'left'],
    rows: input.profiles.map((p) => [nameCell(p.name, input.defaultProfile), cell(p.description)]),
  };
}

/** The era table: every part, each era from its first release. */
function erasGrid(eras: NonNullable<ListInput['eras']>): Grid {
  let last = '';
  return {
    head: ['part', 'from', 'era', 'commit', 'what the kernel does'],
    align: ['left', 'left', 'left', 'left', 'left'],
    rows: eras.map((e) => {
      const first = e.part !== last;
      last = e.part;
      return [cell(first ? e.part : '', 'strong'), cell(e.from), cell(e.value), cell(e.commit), cell(e.what)];
    }),
  };
}

function composedGrid(c: NonNullable<ListInput['composed']>): Grid {
  return {
    head: ['part', 'era', 'commit', 'what the kernel does'],
    align: ['left', 'left', 'left', 'left'],
    rows: c.parts.map((p) => [cell(p.part, 'strong'), cell(p.value), cell(p.commit), cell(p.what)]),
  };
}

/** Every counter the pin-count table can show, with its kernel meaning. */
function countersGrid(): Grid {
  return {
    head: ['counter (kprobe name)', 'kind', 'counts'],
    align: ['left', 'left', 'left'],
    rows: COUNTER_TABLE.map((r) => [cell(r.name, 'strong'), cell(r.kind), cell(r.help)]),
  };
}

export function formatList(input: ListInput, opts: ReportOptions & { counters?: boolean; width?: number }): string {
  const c = makeChalk(opts.color);
  const w = opts.width;
  const parts = [
    c.bold('Bundled fixtures') + ' (run <name>, or give a path to your own JSON):',
    renderTable(fixturesGrid(input), c, w),
    '',
    c.bold('Strategies') + ' (--strategy <a,b>):',
    renderTable(strategiesGrid(input), c, w),
    '',
    c.bold('Cost profiles') + ' (--profile <name>):',
    renderTable(profilesGrid(input), c, w),
  ];
  if (opts.counters) parts.push('', c.bold('Counters') + ':', renderTable(countersGrid(), c, w));
  if (input.eras !== undefined) parts.push('', c.bold('Host kernel parts and their eras') + ' (--kernel <release> composes the eras valid for it):', renderTable(erasGrid(input.eras), c, w));
  if (input.composed !== undefined) parts.push('', c.bold(`Linux ${input.composed.release}`) + ' as --kernel composes it:', renderTable(composedGrid(input.composed), c, w));
  return parts.join('\n') + '\n';
}
