// The what-if flags, one row each. `run`, `show` and `sweep` take from this table their options
// and help text (cli/options.ts), the WhatIf type, hasWhatIf, describeWhatIf and the parsing of
// every value; whatif.ts applies the parsed values to a layout. A new flag is a row here plus
// its effect there.

import type { Backing } from '../model/layout.ts';
import { SZ_1G, SZ_2M } from '../model/units.ts';
import { InputError } from '../model/errors.ts';
import { parseDmaEntryLimit, parseMemlock, parsePgsizes, parseSeed } from './parse-system.ts';
import { defaultPlacement, parsePlacementFlag } from './placement.ts';
import { describe, parsePowerOfTwo, parseSize } from './size.ts';
import { nearest } from './suggest.ts';

/** How messages name a flag: "--bar", or for a sweep's point "--bar 512M (point 2 of 7)". */
export type Where = (flag: string) => string;

/** Where `sweep --help` lists a flag: the layout (its range forms), guest RAM, the host. */
export type FlagGroup = 'layout' | 'ram' | 'system';

interface FlagRow {
  /** the WhatIf field; the flag is its kebab-case (capIpcLock: --cap-ipc-lock). */
  readonly key: string;
  /** the value's placeholder in the help; none for a switch. */
  readonly arg?: string;
  /** the help text; run and show put "what-if: " in front. */
  readonly help: string;
  readonly group: FlagGroup;
  /** may be given more than once: the values are a list. */
  readonly repeatable?: true;
  /** how sweep shows the flag, where that differs (its range form). */
  readonly sweep?: { readonly arg?: string; readonly help: string };
  /** the value is one of these names (case-insensitive) ... */
  readonly choices?: Readonly<Record<string, unknown>>;
  /** ... or parsed from the text; `where` starts every message. */
  readonly parse?: (text: string, where: string) => unknown;
}

export const BACKINGS: Record<string, Backing> = {
  '4k': { kind: 'anon', populated: true, placement: defaultPlacement('anon') },
  thp: { kind: 'thp', populated: true, placement: defaultPlacement('thp') },
  'hugetlb-2m': { kind: 'hugetlb', pageSize: SZ_2M, placement: defaultPlacement('hugetlb') },
  'hugetlb-1g': { kind: 'hugetlb', pageSize: SZ_1G, placement: defaultPlacement('hugetlb') },
};

/** "<size>[@align]", align default 1 GiB. */
function parseBar(text: string, where: string): { size: number; align: number; text: string } {
  const parts = text.split('@');
  if (parts.length > 2) throw new InputError(`${where}: expected a BAR like "64G" or "64G@2M", got ${describe(text)}`);
  const size = parseSize(parts[0], where);
  const align = parts.length === 2 ? parsePowerOfTwo(parts[1], where) : SZ_1G;
  return { size, align, text };
}

/** In the order run's help lists them and describeWhatIf writes them. */
const WHATIF_FLAGS = [
  {
    key: 'bar', arg: '<size[@align]>', group: 'layout', repeatable: true, parse: parseBar,
    help: 'a device BAR (VM_IO|VM_PFNMAP) of this size, optionally aligned; repeatable',
    sweep: { arg: '<size[@align]|from..to[@align]>', help: 'a device BAR (VM_IO|VM_PFNMAP), or the range of BAR sizes to sweep; repeatable' },
  },
  {
    key: 'barTouched', group: 'layout',
    help: 'the VMM touched every --bar mapping before MAP_DMA (warm page tables; default: cold, 5.8+ hosts fault the BAR in)',
  },
  {
    key: 'ram', arg: '<size>', group: 'layout', parse: parseSize, help: 'guest RAM of this size',
    sweep: { arg: '<size|from..to>', help: 'guest RAM, or the range of RAM sizes to sweep' },
  },
  { key: 'backing', arg: '<kind>', group: 'ram', choices: BACKINGS, help: 'guest RAM backing: 4k, thp, hugetlb-2m or hugetlb-1g' },
  { key: 'memlock', arg: '<size|unlimited>', group: 'system', parse: parseMemlock, help: 'RLIMIT_MEMLOCK' },
  { key: 'capIpcLock', group: 'system', help: 'the process has CAP_IPC_LOCK (no locked_vm limit)' },
  {
    key: 'iommuPgsizes', arg: '<list>', group: 'system', help: 'IOMMU page sizes, e.g. 4k,2m,1g',
    parse: (text: string, where: string) => parsePgsizes(text.split(','), () => where),
  },
  { key: 'disableHugepages', group: 'system', help: 'vfio_iommu_type1 disable_hugepages=1' },
  { key: 'dmaEntryLimit', arg: '<n>', group: 'system', parse: parseDmaEntryLimit, help: 'vfio_iommu_type1 dma_entry_limit (5.1+ kernels; default 65535)' },
  {
    key: 'placement', arg: '<policy>', group: 'ram', parse: parsePlacementFlag,
    help: 'physical placement of RAM: contiguous, scattered, runs:<size> or geometric:<mean size>',
  },
  {
    key: 'seed', arg: '<n>', group: 'ram', parse: parseSeed, help: 'seed of the random placement (printed with the results)',
    sweep: { help: 'seed of the random placement' },
  },
] as const satisfies readonly FlagRow[];

type Row = (typeof WHATIF_FLAGS)[number];
type RawValue<R> = R extends { arg: string } ? (R extends { repeatable: true } ? string[] : string) : boolean;
type ParsedValue<R> = R extends { parse: (text: string, where: string) => infer T } ? (R extends { repeatable: true } ? T[] : T)
  : R extends { choices: Readonly<Record<string, infer T>> } ? T : boolean;

/** The what-if flags as given: a string per value (a list if repeatable), true for a switch. */
export type WhatIf = { [R in Row as R['key']]?: RawValue<R> };
/** The given flags' values, parsed. */
type ParsedWhatIf = { [R in Row as R['key']]?: ParsedValue<R> };

const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The values a flag was given: none, one, or (repeatable) several; a switch that is off is none. */
const valuesOf = (v: string | string[] | boolean | undefined): (string | true)[] =>
  Array.isArray(v) ? v : v === undefined || v === false ? [] : [v];

/** True when any what-if flag is given (a switch only when on, a list only when not empty). */
export function hasWhatIf(w: WhatIf): boolean {
  return WHATIF_FLAGS.some((r) => valuesOf(w[r.key]).length > 0);
}

/** "--bar 64G --ram 16G ...": the flags as given, in table order. */
export function describeWhatIf(w: WhatIf): string {
  return WHATIF_FLAGS.flatMap((r) => valuesOf(w[r.key]).map((v) => (v === true ? flagOf(r.key) : `${flagOf(r.key)} ${v}`))).join(' ');
}

/** One commander option: `run` and `show` style ("what-if: " help) or `sweep` style (range forms). */
interface WhatIfOption {
  flags: string;
  help: string;
  repeatable: boolean;
}

export function whatIfOptions(style: 'run' | 'sweep', group?: FlagGroup): WhatIfOption[] {
  return WHATIF_FLAGS.filter((r) => group === undefined || r.group === group).map((r: FlagRow) => {
    const { arg, help } = style === 'sweep' ? { arg: r.arg, help: r.help, ...r.sweep } : { arg: r.arg, help: `what-if: ${r.help}` };
    return { flags: arg === undefined ? flagOf(r.key) : `${flagOf(r.key)} ${arg}`, help, repeatable: r.repeatable === true };
  });
}

/** "; did you mean "x"?" for a near choice, else nothing. */
function suggestChoice(text: string, choices: readonly string[]): string {
  const near = nearest(text, choices);
  return near === undefined ? '' : `; did you mean ${JSON.stringify(near)}?`;
}

function parseValue(r: FlagRow, text: string, where: string): unknown {
  if (r.choices === undefined) return r.parse!(text, where);
  const name = text.toLowerCase();
  if (Object.hasOwn(r.choices, name)) return r.choices[name];
  throw new InputError(`${where}: expected one of ${Object.keys(r.choices).join(', ')}, got ${describe(text)}${suggestChoice(text, Object.keys(r.choices))}`);
}

/** Every given flag's value, parsed: choices first (a mistyped name is named before a bad value), then in table order. */
export function parseWhatIf(w: WhatIf, where: Where): ParsedWhatIf {
  const rows: readonly FlagRow[] = [...WHATIF_FLAGS.filter((r) => 'choices' in r), ...WHATIF_FLAGS.filter((r) => !('choices' in r))];
  const parsed: Record<string, unknown> = {};
  for (const r of rows) {
    const v = w[r.key as keyof WhatIf];
    if (v === undefined) continue;
    const at = where(flagOf(r.key));
    parsed[r.key] = typeof v === 'boolean' ? v : Array.isArray(v) ? v.map((t) => parseValue(r, t, at)) : parseValue(r, v, at);
  }
  return parsed as ParsedWhatIf;
}
