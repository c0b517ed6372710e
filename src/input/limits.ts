// The limits a layout is checked against before any work, one row each: the default, the flag
// that raises it, and what it bounds. Above a limit the tool says which one, what the input
// would need, and the flag (exit 2), instead of running for hours, aborting V8 or exhausting the
// machine. The figures come from kernel/footprint.ts; docs/reliability.md documents the table.

import { totalmem } from 'node:os';
import { footprint, type Footprint, type FootprintOptions } from '../kernel/footprint.ts';

export type { FootprintOptions };
import type { Layout } from '../model/layout.ts';
import { InputError } from '../model/errors.ts';
import { PAGE_SIZE } from '../model/units.ts';
import { describe, formatSize, parseSize } from './size.ts';

export interface Limits {
  /** 4 KiB pages the map requests of one layout cover. */
  pages: number;
  /** physically contiguous runs in one layout's placement tables. */
  runs: number;
  /** bytes the simulation of one layout (one sweep: its points in flight) may need. */
  memory: number;
  /** DMA requests in one layout (a sweep point after --chunk). */
  requests: number;
  /** VMAs in one layout. */
  vmas: number;
  /** points of one sweep. */
  points: number;
}

export type LimitKey = keyof Limits;

interface LimitRow {
  readonly key: LimitKey;
  readonly flag: string;
  /** what it counts, for messages and help: "simulated pages". */
  readonly what: string;
  readonly default: number;
  /** the most the flag accepts (what the model's data structures can index). */
  readonly ceiling: number;
  readonly bytes?: true;
  /** why the default is what it is (help and docs). */
  readonly why: string;
}

const GiB = 2 ** 30;

export const LIMIT_ROWS: readonly LimitRow[] = [
  {
    key: 'pages', flag: '--max-pages', what: 'simulated pages', default: 2 ** 30, ceiling: 2 ** 53,
    why: '4 KiB pages the map requests cover (4 TiB): the per-page strategies do work for each, map and unmap',
  },
  {
    key: 'runs', flag: '--max-runs', what: 'placement runs', default: 2 ** 26, ceiling: 2 ** 32 - 1,
    why: 'physically contiguous runs of guest RAM (a scattered folio is one): table entries, IOMMU leaf runs and pin calls each',
  },
  {
    key: 'memory', flag: '--max-memory', what: 'memory', default: 4 * GiB, ceiling: 2 ** 53, bytes: true,
    why: 'what the simulator\'s page, placement and IOMMU tables and its per-request records need, estimated from the layout',
  },
  {
    key: 'requests', flag: '--max-requests', what: 'DMA requests', default: 65536, ceiling: 2 ** 24,
    why: 'map and unmap requests of one layout or sweep point (after --chunk)',
  },
  {
    key: 'vmas', flag: '--max-vmas', what: 'VMAs', default: 65530, ceiling: 2 ** 24,
    why: 'the kernel\'s default vm.max_map_count (DEFAULT_MAX_MAP_COUNT, mm/mmap.c): mmap() fails with -ENOMEM beyond it',
  },
  {
    key: 'points', flag: '--max-points', what: 'sweep points', default: 64, ceiling: 4096,
    why: 'points of one sweep',
  },
];

const ROW = new Map(LIMIT_ROWS.map((r) => [r.key, r]));

export const DEFAULT_LIMITS: Limits = Object.fromEntries(LIMIT_ROWS.map((r) => [r.key, r.default])) as unknown as Limits;

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A limit's value as a message shows it: "1,073,741,824" or "4 GiB". */
function shown(row: LimitRow, n: number): string {
  return row.bytes ? formatSize(n) : count(n);
}

/** A flag's value: a count or size in the size grammar (4096, 0x1000, 64K, 4G), at least 1, at most the ceiling. */
export function parseLimit(key: LimitKey, text: string): number {
  const row = ROW.get(key)!;
  const n = parseSize(text, row.flag);
  if (n < 1 || n > row.ceiling) {
    throw new InputError(`${row.flag}: expected ${row.bytes ? 'a size' : 'a number'} from 1 to ${shown(row, row.ceiling)}, got ${describe(text)}`);
  }
  return n;
}

/** The limits from the flags given (parsed values; undefined: the default). */
export function limitsOf(flags: Partial<Record<LimitKey, number>>): Limits {
  const out = { ...DEFAULT_LIMITS };
  for (const r of LIMIT_ROWS) {
    const v = flags[r.key];
    if (v !== undefined) out[r.key] = v;
  }
  return out;
}

/** The value to suggest for a flag: what is needed, rounded up to something easy to type. */
function suggestion(row: LimitRow, need: number): string {
  if (row.bytes) return `${Math.ceil(need / GiB)}G`;
  return String(Math.ceil(need));
}

/** An input over a limit: which, and how much it needs (a sweep reports its largest point). */
export class LimitError extends InputError {
  constructor(message: string, readonly key: LimitKey, readonly need: number) {
    super(message);
  }
}

/** "<where>: <what>: <needs>, over the limit of <limit>; <flag> <value> raises it". */
export function overLimit(key: LimitKey, where: string, needs: string, need: number, limit: number, extra = ''): LimitError {
  const row = ROW.get(key)!;
  return new LimitError(`${where}: ${row.what}: ${needs}, over the limit of ${shown(row, limit)}${extra}; ` +
    `${row.flag} ${suggestion(row, need)} raises it (docs/reliability.md)`, key, need);
}

/** Throws unless `n` of `key` is within the limit. */
export function checkCount(key: LimitKey, n: number, limits: Limits, where: string, needs: string): void {
  if (n > limits[key]) throw overLimit(key, where, needs, n, limits[key]);
}

/**
 * Checks one layout against every limit but points, cheapest first; returns its footprint.
 * `where` starts every message (the fixture file, or the flags).
 */
export function checkLayoutLimits(layout: Layout, limits: Limits, where: string, opts: FootprintOptions): Footprint {
  checkCount('vmas', layout.vmas.length, limits, where, `the layout has ${count(layout.vmas.length)}`);
  checkCount('requests', layout.requests.length, limits, where, `the layout has ${count(layout.requests.length)}`);
  const f = footprint(layout, opts);
  checkCount('pages', f.pages, limits, where, `the DMA map requests cover ${count(f.pages)} pages of 4 KiB (${formatSize(f.pages * PAGE_SIZE)})`);
  checkCount('runs', f.runs, limits, where, `the guest RAM's physical placement has ${count(f.runs)} runs`);
  checkMemory(f.memoryBytes, limits, where, opts.kernels > 1 ? ` (${opts.kernels} simulated kernels at once)` : '');
  return f;
}

/** Throws unless `bytes` of memory are within the limit; names the machine's memory too. */
export function checkMemory(bytes: number, limits: Limits, where: string, detail = ''): void {
  if (bytes <= limits.memory) return;
  throw overLimit('memory', where, `the simulation would need about ${formatSize(bytes)}${detail}`, bytes, limits.memory,
    ` (this machine has ${formatSize(totalmem())})`);
}

// --- the result document ------------------------------------------------------------------

/** Bytes of JSON per request per strategy (a request record, indented, with 20-digit numbers) and per strategy. */
const DOC_REQUEST_BYTES = 400;
const DOC_STRATEGY_BYTES = 16384;
const DOC_FIXTURE_BYTES = 4096;

/** An upper estimate of the result document's size (run --json / --output) for these layouts. */
export function documentBytes(layouts: readonly Layout[], strategies: number): number {
  let bytes = DOC_FIXTURE_BYTES;
  for (const l of layouts) {
    // strings may need escapes: up to 6 bytes per character
    const labels = l.requests.reduce((n, r) => n + 6 * (r.label?.length ?? 0), 0);
    bytes += DOC_FIXTURE_BYTES + 6 * (l.name.length + l.description.length) +
      strategies * (DOC_STRATEGY_BYTES + DOC_REQUEST_BYTES * l.requests.length + labels);
  }
  return bytes;
}

/**
 * Throws unless the result document of these layouts stays within `readLimit`, the size compare
 * and export read: the tool never writes a document it would refuse to read.
 */
export function checkDocumentSize(layouts: readonly Layout[], strategies: number, readLimit: number, where: string): void {
  const bytes = documentBytes(layouts, strategies);
  if (bytes <= readLimit) return;
  const requests = layouts.reduce((n, l) => n + l.requests.length, 0);
  throw new InputError(`${where}: the result document would be about ${formatSize(bytes)} (${count(requests)} DMA requests x ` +
    `${strategies} strategies), over the ${formatSize(readLimit)} that compare and export read; run fewer strategies (-s) or requests`);
}
