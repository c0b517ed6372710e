// compare: two result documents (a baseline, e.g. main's, and the current run) -> a record of
// every metric compared, each with a status. Pure; format.ts renders it, the CLI turns
// "any regression" into exit 1.
//
// The rules (issue 4), per fixture and strategy, matched by name:
//   - a fixture or strategy of the baseline missing from the current run: regression;
//   - verdict: turning UNSAFE or BROKEN (or from one to the other): regression;
//   - a DMA request whose errno changed (the kernel answers the same request differently: a
//     change of behaviour, which the counters alone could show as an "improvement"): regression;
//   - kernel counters (deterministic): any increase is a regression, any change is shown;
//   - modelled kernel time: an increase above `threshold` (default 5%) is a regression;
//   - simulator wall time (noisy): a regression only when the increase is larger than the two
//     runs' margins of error added together AND above `timeThreshold` (default 25%); the same
//     for the other tasks of `npm run bench` (matched by name; one that disappears: regression).
//     A side with fewer than `minSamples` samples (default 5) has no margin of error worth the
//     name (tinybench gives one sample a margin of 0%): its time is shown as "changed", never a
//     regression or improvement, and a note says so (issue 13: same-commit pairs cried wolf).
//     When both runs timed the reference workload (StrategyResult.reference), each task is
//     judged against it and shown, and the run-wide change gates instead (simulator.ts).
// Improvements are judged by the same rules in the other direction.

import type { FixtureResult, RequestResult, RunDocument, StrategyResult, TimingStats } from '../../model/result.ts';
import { OPS, type Op } from '../export/names.ts';
import { judgeTime, pct, runWide } from './simulator.ts';

export { pct };

export interface CompareOptions {
  /** modelled kernel time: relative change (0.05 = 5%) beyond which it counts. */
  threshold: number;
  /** simulator time: relative change beyond which it counts (when also beyond the margins of error). */
  timeThreshold: number;
  /** simulator time: fewer samples than this on either side and the margin of error is unknown:
   *  the time is never judged a regression or improvement. */
  minSamples: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { threshold: 0.05, timeThreshold: 0.25, minSamples: 5 };

type RowKind = 'fixture' | 'strategy' | 'verdict' | 'errno' | 'modelled' | 'simulator' | 'counter' | 'task';

/** The `fixture` of the rows for a document's `tasks` (npm run bench); no fixture name has a space. */
const TASKS_FIXTURE = 'bench tasks';
/** The `fixture` of the run-wide simulator time row (simulator.ts). */
export const RUN_FIXTURE = 'all timed tasks';

/**
 * regression / improvement: by the rules above; changed: a difference the rules do not judge
 * (a counter added or dropped, modelled time within the threshold, a new fixture); noise:
 * simulator time within the margins of error or the time threshold; unchanged: equal.
 */
export type Status = 'regression' | 'improvement' | 'changed' | 'noise' | 'unchanged';

export interface CompareRow {
  fixture: string;
  /** null on a fixture row. */
  strategy: string | null;
  /** null on fixture, strategy, verdict and errno rows. */
  op: Op | null;
  kind: RowKind;
  /** counter name, "modelled kernel time", "simulator time", "verdict", "request 3 (map ...)", "fixture", "strategy". */
  metric: string;
  base: number | string | null;
  current: number | string | null;
  /** current - base, for numbers. */
  delta: number | null;
  /** (current - base) / base, for numbers with a non-zero base. */
  ratio: number | null;
  status: Status;
  /** why the status, in words ("above the 5% threshold", ...). */
  note: string;
  /** simulator time judged against the reference workload: (current / its reference) /
   *  (base / its reference) - 1, the change the status is about; absent when judged raw. */
  relative?: number;
}

export interface DocInfo {
  file: string;
  tool: string;
  gitCommit: string | null;
  node: string;
  cpu: string;
  timed: boolean;
  profile: string;
}

export interface Comparison {
  base: DocInfo;
  current: DocInfo;
  options: CompareOptions;
  /** every metric compared, in document order. */
  rows: CompareRow[];
  regressions: number;
  improvements: number;
  /** rows whose status is not unchanged. */
  changes: number;
  /** things the reader should know (e.g. simulator time not compared: a run was untimed). */
  notes: string[];
}

function info(doc: RunDocument, file: string): DocInfo {
  return {
    file,
    tool: `${doc.tool.name} ${doc.tool.version}`,
    gitCommit: doc.env.gitCommit ?? null,
    node: doc.env.node,
    cpu: doc.env.cpu,
    timed: doc.options.timed,
    profile: doc.options.profile,
  };
}

/** Items keyed by name; a repeated name gets " (2)", " (3)", ... so each is matched once. */
function keyed<T>(items: T[], name: (t: T) => string): Map<string, T> {
  const out = new Map<string, T>();
  const seen = new Map<string, number>();
  for (const it of items) {
    const n = name(it);
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    out.set(k === 1 ? n : `${n} (${k})`, it);
  }
  return out;
}

/** Base keys in base order, then keys only the current has, in its order. */
function unionKeys<T>(base: Map<string, T>, current: Map<string, T>): string[] {
  return [...base.keys(), ...[...current.keys()].filter((k) => !base.has(k))];
}

interface Ctx {
  rows: CompareRow[];
  opts: CompareOptions;
  /** simulator times not judged: too few samples (minSamples). */
  fewSamples: number;
  /** simulator times judged against the reference workload (for the run-wide change), and the
   *  number judged raw for want of one. */
  relative: { relative: number; margin: number }[];
  rawJudged: number;
}

function push(ctx: Ctx, row: Omit<CompareRow, 'delta' | 'ratio'> & Partial<Pick<CompareRow, 'delta' | 'ratio'>>): void {
  ctx.rows.push({ delta: null, ratio: null, ...row });
}

function numbers(base: number, current: number): { delta: number; ratio: number | null } {
  const delta = current - base;
  const ratio = base === 0 ? null : delta / base;
  return { delta, ratio: ratio !== null && Number.isFinite(ratio) ? ratio : null }; // a base too small to divide by counts as zero
}

function compareCounter(ctx: Ctx, fixture: string, strategy: string, op: Op, metric: string, b: number | undefined, c: number | undefined): void {
  const at = { fixture, strategy, op, kind: 'counter' as const, metric };
  if (b === undefined || c === undefined) {
    push(ctx, {
      ...at, base: b ?? null, current: c ?? null, status: 'changed',
      note: b === undefined ? 'new counter' : 'counter dropped',
    });
    return;
  }
  const { delta, ratio } = numbers(b, c);
  const status: Status = delta > 0 ? 'regression' : delta < 0 ? 'improvement' : 'unchanged';
  push(ctx, { ...at, base: b, current: c, delta, ratio, status, note: delta > 0 ? 'any increase' : '' });
}

function compareModelled(ctx: Ctx, fixture: string, strategy: string, op: Op, b: StrategyResult, c: StrategyResult): void {
  const bn = op === 'map' ? b.modelled.mapNs : b.modelled.unmapNs;
  const cn = op === 'map' ? c.modelled.mapNs : c.modelled.unmapNs;
  const { delta, ratio } = numbers(bn, cn);
  const t = ctx.opts.threshold;
  let status: Status;
  let note = '';
  // Exactly equal counters give exactly equal sums; allow for float noise all the same.
  if (Math.abs(delta) <= 1e-9 * Math.max(Math.abs(bn), Math.abs(cn))) status = 'unchanged';
  else if (ratio === null) {
    status = 'regression'; // 0 -> something
    note = 'from zero';
  } else if (ratio > t) {
    status = 'regression';
    note = `above ${pct(t)}`;
  } else if (ratio < -t) {
    status = 'improvement';
    note = `below -${pct(t)}`;
  } else {
    status = 'changed';
    note = `within ±${pct(t)}`;
  }
  if (b.modelled.profile !== c.modelled.profile) note = `${note === '' ? '' : `${note}; `}profiles differ: ${b.modelled.profile} vs ${c.modelled.profile}`;
  push(ctx, { fixture, strategy, op, kind: 'modelled', metric: 'modelled kernel time', base: bn, current: cn, delta, ratio, status, note });
}

function compareSimulator(ctx: Ctx, fixture: string, strategy: string, op: Op | null, b: TimingStats, c: TimingStats,
  metric = 'simulator time', bRef?: TimingStats, cRef?: TimingStats): void {
  const { delta, ratio } = numbers(b.mean, c.mean);
  const t = ctx.opts.timeThreshold;
  let status: Status;
  let note: string;
  let relative: number | undefined;
  const fewest = Math.min(b.samples, c.samples);
  // every task with samples enough counts in the run-wide change, an unchanged one too
  const j = fewest < ctx.opts.minSamples ? null : judgeTime(b, c, bRef, cRef);
  if (j?.relative !== undefined) ctx.relative.push({ relative: j.relative, margin: j.margin });
  if (delta === 0) {
    status = 'unchanged';
    note = '';
  } else if (j === null) {
    status = 'changed';
    note = `margin unknown: ${fewest} sample${fewest === 1 ? '' : 's'} (fewer than ${ctx.opts.minSamples})`;
    ctx.fewSamples++;
  } else {
    relative = j.relative;
    if (j.relative === undefined) ctx.rawJudged++;
    if (j.withinMargins) {
      status = 'noise';
      note = `${j.text}within margins ${j.marginText}`;
    } else if (j.ratio !== null && Math.abs(j.ratio) <= t) {
      status = 'noise';
      note = `${j.text}beyond margins ${j.marginText}, within ±${pct(t)}`;
    } else if (j.relative !== undefined) {
      status = 'changed'; // one task against the reference: shown, the run-wide change gates
      note = `${j.text}beyond margins ${j.marginText} and ±${pct(t)}; one task: not judged alone`;
    } else {
      const up = j.ratio === null ? delta > 0 : j.ratio > 0;
      status = up ? 'regression' : 'improvement';
      note = `${j.text}beyond margins ${j.marginText} and ±${pct(t)}`;
    }
  }
  push(ctx, { fixture, strategy, op, kind: 'simulator', metric, base: b.mean, current: c.mean, delta, ratio, status, note, ...(relative === undefined ? {} : { relative }) });
}

function requestName(r: RequestResult): string {
  return `request ${r.index} (${r.op}${r.label === undefined || r.label === '' ? '' : ` ${r.label}`})`;
}

function compareRequests(ctx: Ctx, fixture: string, strategy: string, b: RequestResult[], c: RequestResult[]): void {
  if (b.length !== c.length) {
    push(ctx, {
      fixture, strategy, op: null, kind: 'errno', metric: 'DMA requests', base: b.length, current: c.length,
      ...numbers(b.length, c.length), status: 'changed', note: 'errnos not compared',
    });
    return;
  }
  for (const [i, br] of b.entries()) {
    const cr = c[i]!;
    const same = br.errno === cr.errno;
    push(ctx, {
      fixture, strategy, op: null, kind: 'errno', metric: requestName(br), base: br.errno, current: cr.errno,
      status: same ? 'unchanged' : 'regression', note: same ? '' : 'errno changed',
    });
  }
}

const VERDICT_TEXT: Record<StrategyResult['verdict'], string> = { ok: 'ok', unsafe: 'UNSAFE', broken: 'BROKEN' };

function compareStrategy(ctx: Ctx, fixture: string, b: StrategyResult, c: StrategyResult, notes: Set<string>): void {
  const name = b.strategy;
  const vStatus: Status = b.verdict === c.verdict ? 'unchanged' : c.verdict !== 'ok' ? 'regression' : 'improvement';
  push(ctx, {
    fixture, strategy: name, op: null, kind: 'verdict', metric: 'verdict',
    base: VERDICT_TEXT[b.verdict], current: VERDICT_TEXT[c.verdict], status: vStatus,
    note: vStatus === 'regression' ? (c.verdict === 'unsafe' ? `${c.oracle.wrongPages} wrong pages` : 'invariant failed') : '',
  });
  compareRequests(ctx, fixture, name, b.requests, c.requests);
  for (const op of OPS) {
    compareModelled(ctx, fixture, name, op, b, c);
    const bt = b.timing?.[op];
    const ct = c.timing?.[op];
    if (bt !== undefined && ct !== undefined) compareSimulator(ctx, fixture, name, op, bt, ct, 'simulator time', b.reference?.[op], c.reference?.[op]);
    else notes.add('simulator time not compared: a run was made with --no-timing');
    const bc = b.counters[op] as Record<string, number>;
    const cc = c.counters[op] as Record<string, number>;
    // own keys only: a counter named "toString" or "constructor" is not inherited from Object
    const own = (o: Record<string, number>, k: string): number | undefined => (Object.hasOwn(o, k) ? o[k] : undefined);
    const keys = [...Object.keys(bc), ...Object.keys(cc).filter((k) => !Object.hasOwn(bc, k))];
    for (const k of keys) compareCounter(ctx, fixture, name, op, k, own(bc, k), own(cc, k));
    if (op === 'map') compareCounter(ctx, fixture, name, op, 'locked_vm_peak', b.lockedVmPeak, c.lockedVmPeak);
  }
}

/** "mapPages 23,808 -> 24,000, seed 1 -> 2": the layout summary fields that differ. */
function summaryDiff(b: FixtureResult, c: FixtureResult): string {
  const bs = b.summary as unknown as Record<string, unknown>;
  const cs = c.summary as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(bs), ...Object.keys(cs)])];
  const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined); // "__proto__" too
  return keys.filter((k) => own(bs, k) !== own(cs, k)).map((k) => `${k} ${String(own(bs, k) ?? '-')} -> ${String(own(cs, k) ?? '-')}`).join(', ');
}

function compareFixture(ctx: Ctx, key: string, b: FixtureResult, c: FixtureResult, notes: Set<string>): void {
  const diff = summaryDiff(b, c);
  if (diff !== '') notes.add(`${key}: the layout differs (${diff}): the fixture or its placement seed changed, so its counters may not be comparable`);
  const bs = keyed(b.strategies, (s) => s.strategy);
  const cs = keyed(c.strategies, (s) => s.strategy);
  for (const k of unionKeys(bs, cs)) {
    const bStrategy = bs.get(k);
    const cStrategy = cs.get(k);
    if (bStrategy !== undefined && cStrategy !== undefined) compareStrategy(ctx, key, bStrategy, cStrategy, notes);
    else {
      push(ctx, {
        fixture: key, strategy: k, op: null, kind: 'strategy', metric: 'strategy',
        base: bStrategy === undefined ? 'absent' : 'present', current: cStrategy === undefined ? 'absent' : 'present',
        status: cStrategy === undefined ? 'regression' : 'changed',
        note: cStrategy === undefined ? 'disappeared' : 'new',
      });
    }
  }
}

/** Whether any timed strategy of the document carries a reference workload time. */
function hasReference(doc: RunDocument): boolean {
  return doc.fixtures.some((f) => f.strategies.some((s) => s.reference !== undefined));
}

export function compareDocuments(base: RunDocument, current: RunDocument, files: { base: string; current: string },
  opts: CompareOptions = DEFAULT_COMPARE_OPTIONS): Comparison {
  const ctx: Ctx = { rows: [], opts, fewSamples: 0, relative: [], rawJudged: 0 };
  const notes = new Set<string>();
  const bf = keyed(base.fixtures, (f) => f.fixture);
  const cf = keyed(current.fixtures, (f) => f.fixture);
  for (const k of unionKeys(bf, cf)) {
    const b = bf.get(k);
    const c = cf.get(k);
    if (b !== undefined && c !== undefined) compareFixture(ctx, k, b, c, notes);
    else {
      push(ctx, {
        fixture: k, strategy: null, op: null, kind: 'fixture', metric: 'fixture',
        base: b === undefined ? 'absent' : 'present', current: c === undefined ? 'absent' : 'present',
        status: c === undefined ? 'regression' : 'changed',
        note: c === undefined ? 'disappeared' : 'new',
      });
    }
  }
  const rows = ctx.rows;
  const bt = keyed(base.tasks ?? [], (t) => t.name);
  const ct = keyed(current.tasks ?? [], (t) => t.name);
  for (const k of unionKeys(bt, ct)) {
    const b = bt.get(k);
    const c = ct.get(k);
    if (b !== undefined && c !== undefined) compareSimulator(ctx, TASKS_FIXTURE, k, null, b.timing, c.timing, 'time');
    else {
      push(ctx, {
        fixture: TASKS_FIXTURE, strategy: k, op: null, kind: 'task', metric: 'task',
        base: b === undefined ? 'absent' : 'present', current: c === undefined ? 'absent' : 'present',
        status: c === undefined ? 'regression' : 'changed', note: c === undefined ? 'disappeared' : 'new',
      });
    }
  }
  if (rows.some((r) => r.kind === 'simulator') && (base.env.cpu !== current.env.cpu || base.env.node !== current.env.node)) {
    notes.add(`simulator times come from different machines (${base.env.cpu}, node ${base.env.node} vs ${current.env.cpu}, node ${current.env.node}): read them with care`);
  }
  if (ctx.fewSamples > 0) {
    notes.add(`${ctx.fewSamples} simulator time${ctx.fewSamples === 1 ? '' : 's'} not judged: fewer than ${opts.minSamples} samples, so the margin of error is unknown (give run a larger --time, or compare --no-timing runs)`);
  }
  const wide = runWide(ctx.relative, opts.timeThreshold);
  if (wide !== null) {
    push(ctx, {
      fixture: RUN_FIXTURE, strategy: null, op: null, kind: 'simulator', metric: 'simulator time, run-wide',
      base: null, current: null, ratio: wide.change, relative: wide.change, status: wide.status, note: wide.note,
    });
  }
  if (ctx.rawJudged > 0 && rows.some((r) => r.kind === 'simulator' && r.fixture !== TASKS_FIXTURE && r.status !== 'unchanged' && r.relative === undefined && !r.note.startsWith('margin unknown'))) {
    const without = [hasReference(base) ? null : files.base, hasReference(current) ? null : files.current].filter((f) => f !== null);
    notes.add(without.length === 0
      ? `${ctx.rawJudged} simulator time${ctx.rawJudged === 1 ? '' : 's'} judged raw: timed without a reference workload in one run (its one sample was the judge's pass)`
      : `simulator times judged raw: ${without.join(' and ')} ${without.length === 1 ? 'has' : 'have'} no reference workload (made by an older vfio-pin-bench?), so a machine busier during one whole run can read as a change`);
  }
  if (base.options.profile !== current.options.profile) {
    notes.add(`modelled with different cost profiles: ${base.options.profile} (baseline) and ${current.options.profile} (current)`);
  }
  return {
    base: info(base, files.base),
    current: info(current, files.current),
    options: opts,
    rows,
    regressions: rows.filter((r) => r.status === 'regression').length,
    improvements: rows.filter((r) => r.status === 'improvement').length,
    changes: rows.filter((r) => r.status !== 'unchanged').length,
    notes: [...notes],
  };
}
