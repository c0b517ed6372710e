// `merge`: the partial documents of `sweep --shard i/n` joined into the whole sweep's document,
// the same as the unsharded sweep's but for the environment (shard 1's) and the simulator's
// timing. Pure. Refused, in one line naming the file: a document that is not a shard of a
// sweep, mixed tool versions, shards of another sweep or of another n, a shard twice, a unit
// twice; and shards missing (a gap).

import { InputError, showPath } from '../model/errors.ts';
import type { SweepDocument, SweepPoint, SweepRecord, SweepShard } from '../model/result.ts';

export interface ShardFile {
  /** how messages name it: the path as given. */
  file: string;
  doc: SweepDocument;
}

export interface Merged {
  doc: SweepDocument;
  /** things the user should know that do not stop the merge (timed shards on different CPUs). */
  notes: string[];
}

const short = (plan: string): string => (plan.length > 19 ? `${plan.slice(0, 19)}...` : plan);
const shown = (f: ShardFile): string => showPath(f.file);
const ofN = (s: SweepShard): string => `${s.index}/${s.count}`;

/** The files' shard fields, checked against each other and against the first file. */
function checkShards(files: readonly ShardFile[]): SweepShard[] {
  const first = files[0]!;
  const byIndex = new Map<number, ShardFile>();
  return files.map((f) => {
    const s = f.doc.shard;
    if (s === undefined) throw new InputError(`${shown(f)}: a whole sweep (no "shard" field), not a part of one: merge joins the files of sweep --shard i/n`);
    const s0 = first.doc.shard!;
    if (f.doc.tool.name !== first.doc.tool.name || f.doc.tool.version !== first.doc.tool.version) {
      throw new InputError(`${shown(f)}: written by ${f.doc.tool.name} ${f.doc.tool.version}, ${shown(first)} by ${first.doc.tool.name} ${first.doc.tool.version}: ` +
        'mixed tool versions; run every shard with one version');
    }
    if (s.plan !== s0.plan || JSON.stringify(f.doc.options) !== JSON.stringify(first.doc.options)) {
      const flags = f.doc.options.flags !== first.doc.options.flags ? ` (${JSON.stringify(f.doc.options.flags)} against ${JSON.stringify(first.doc.options.flags)})` : '';
      throw new InputError(`${shown(f)}: shard ${ofN(s)} of another sweep than ${shown(first)}: plan ${short(s.plan)} against ${short(s0.plan)}${flags}`);
    }
    if (s.count !== s0.count) {
      throw new InputError(`${shown(f)}: shard ${ofN(s)}, but ${shown(first)} is shard ${ofN(s0)}: the shards of one merge are of one --shard i/n split (one n)`);
    }
    if (s.index > s.count) throw new InputError(`${shown(f)}: shard.index: expected at most ${s.count} (shard.count), got ${s.index}`);
    const twin = byIndex.get(s.index);
    if (twin !== undefined && twin.file === f.file) throw new InputError(`${shown(f)}: given twice: each shard once`);
    if (twin !== undefined) throw new InputError(`${shown(f)}: shard ${ofN(s)} again (${shown(twin)} is shard ${ofN(s)} too): each shard once`);
    byIndex.set(s.index, f);
    if (s.pointIndex.length !== f.doc.points.length) {
      throw new InputError(`${shown(f)}: shard.pointIndex: expected one plan index per point (${f.doc.points.length}), got ${s.pointIndex.length}`);
    }
    return s;
  });
}

/** The shards not given: "missing shard 3/4 (got 1/4, 2/4, 4/4)". */
function checkGaps(files: readonly ShardFile[], shards: readonly SweepShard[]): void {
  const n = shards[0]!.count;
  const have = new Set(shards.map((s) => s.index));
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !have.has(i));
  if (missing.length === 0) return;
  const got = files.map((f, k) => ({ f, s: shards[k]! })).sort((a, b) => a.s.index - b.s.index).map(({ f, s }) => `${ofN(s)} (${shown(f)})`);
  throw new InputError(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')} of the sweep: got ${got.join(', ')}`);
}

/** Joins the parts of one sweep; `files` in any order. */
export function mergeSweeps(files: readonly ShardFile[]): Merged {
  if (files.length === 0) throw new InputError('merge: give the partial documents of every shard (sweep --shard i/n -o shard-i.json)');
  const shards = checkShards(files);
  checkGaps(files, shards);
  const first = files[0]!.doc;
  const strategies = first.options.strategies;
  const planPoints = shards[0]!.planPoints;
  const points: (SweepPoint | undefined)[] = new Array(planPoints);
  const records: (SweepRecord | undefined)[][] = Array.from({ length: planPoints }, () => new Array(strategies.length));
  const from: ShardFile[][] = Array.from({ length: planPoints }, () => []);
  files.forEach((f, k) => {
    const s = shards[k]!;
    f.doc.points.forEach((p, i) => {
      const at = s.pointIndex[i]!;
      const where = `${shown(f)}: points[${i}]`;
      if (at >= planPoints) throw new InputError(`${where}: plan index ${at}, beyond the sweep's ${planPoints} points`);
      const { records: rs, ...head } = p;
      const seen = points[at];
      if (seen === undefined) points[at] = { ...head, records: [] };
      else if (JSON.stringify({ ...seen, records: [] }) !== JSON.stringify({ ...head, records: [] })) {
        throw new InputError(`${where}: point ${at + 1} (${p.text}) differs from the same point in ${shown(from[at]![0]!)}`);
      }
      from[at]!.push(f);
      for (const r of rs) {
        const j = strategies.indexOf(r.strategy);
        if (j < 0) throw new InputError(`${where}: strategy ${JSON.stringify(r.strategy)} is not in options.strategies`);
        if (records[at]![j] !== undefined) {
          const other = from[at]!.find((g) => g !== f && g.doc.points[g.doc.shard!.pointIndex.indexOf(at)]?.records.some((x) => x.strategy === r.strategy));
          throw new InputError(`${where}: ${p.text} ${r.strategy} twice${other !== undefined ? ` (also in ${shown(other)})` : ''}: the shards overlap`);
        }
        records[at]![j] = r;
      }
    });
  });
  const merged: SweepPoint[] = [];
  for (let at = 0; at < planPoints; at++) {
    const p = points[at];
    const lost = strategies.filter((_, j) => records[at]![j] === undefined);
    if (p === undefined || lost.length > 0) {
      throw new InputError(`point ${at + 1} of ${planPoints}${p !== undefined ? ` (${p.text})` : ''}: no record of ${(p === undefined ? strategies : lost).join(', ')} in any shard`);
    }
    merged.push({ ...p, records: records[at] as SweepRecord[] });
  }
  const one = files[shards.findIndex((s) => s.index === 1)]!.doc;
  const { shard: _shard, ...whole } = { ...first, env: one.env, points: merged };
  const cpus = [...new Set(files.map((f) => `${f.doc.env.cpu} (${f.doc.env.cores} cores)`))];
  const notes = first.options.timed && cpus.length > 1 ? [`merge: the shards were timed on different CPUs (${cpus.join('; ')}): the simulator's timings are not comparable across shards; the counters and modelled times are`] : [];
  return { doc: whole, notes };
}
