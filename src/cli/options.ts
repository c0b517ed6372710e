// Option parsers, and the what-if options made from the table in input/whatif-flags.ts. A parser
// that rejects a value throws commander's InvalidArgumentError, which the CLI turns into exit 2.

import { InvalidArgumentError, Option, type Command } from 'commander';
import { COUNTER_NAMES, type CounterName } from '../model/counters.ts';
import { whatIfOptions, type FlagGroup } from '../input/whatif-flags.ts';
import { isProfilePath, listProfiles } from '../input/profile.ts';
import type { KeyCounter } from '../report/sweep/table.ts';
import { STRATEGIES } from '../strategies/registry.ts';
import { parseKernelRelease } from '../kernel/host.ts';
import { LIMIT_ROWS, limitsOf, parseLimit, type LimitKey, type Limits } from '../input/limits.ts';
import { formatSize } from '../input/size.ts';
import { didYouMean } from '../input/suggest.ts';
import { parseList } from './kernel-option.ts';

// list.ts imports these from the lighter kernel-option.ts (start-up); the other commands from here
export { KERNEL_HELP, parseKernelOption, parseList } from './kernel-option.ts';

/** "baseline,rfc" -> registry order, no duplicates; an unknown name lists the valid ones. */
export function parseStrategies(value: string): string[] {
  const valid = STRATEGIES.map((s) => s.name);
  const names = parseList(value);
  if (names.length === 0) throw new InvalidArgumentError(`expected strategy names separated by commas; valid: ${valid.join(', ')}`);
  for (const n of names) {
    if (valid.includes(n)) continue;
    // a release given to -s ("6.12", "linux-6.12"): the flag for it is --kernel
    const release = /^(?:linux-)?(\d+\.\d+)/i.exec(n);
    if (release !== null && parseKernelRelease(n.replace(/^linux-/i, '')) !== null) throw new InvalidArgumentError(`unknown strategy "${n}"; did you mean --kernel ${release[1]}?`);
    throw new InvalidArgumentError(`unknown strategy "${n}"${didYouMean(n, valid)}`);
  }
  return valid.filter((n) => names.includes(n));
}


/** A bundled profile's name, or a path to a profile file (ends in .json or has a '/'): the
 *  file is read and checked when the command starts (loadProfile), a bad one exits 2. */
export function parseProfile(value: string): string {
  if (isProfilePath(value)) return value;
  const valid = listProfiles().map((p) => p.name);
  if (!valid.includes(value)) throw new InvalidArgumentError(`unknown profile "${value}"${didYouMean(value, valid, `valid: ${valid.join(', ')}, or a path to a profile file (.json)`)}`);
  return value;
}

export function parsePositiveInt(value: string): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1, in decimal digits (like 5)');
  return n;
}

export function parsePositiveNumber(value: string): number {
  const n = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : NaN;
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number greater than 0, in decimal digits (like 200 or 0.5)');
  return n;
}

/** tinybench's budget per task (--time, ms): a run's timing stays within minutes per task. */
export const MAX_TIME_MS = 600_000;
/** tinybench's minimum iterations per task (--iterations): each is a whole simulated pass. */
export const MAX_ITERATIONS = 10_000;

/** --time <ms>: above 0, at most MAX_TIME_MS. */
export function parseTimeMs(value: string): number {
  const n = parsePositiveNumber(value);
  if (n > MAX_TIME_MS) throw new InvalidArgumentError(`expected at most ${MAX_TIME_MS.toLocaleString('en-US')} ms (10 minutes per task)`);
  return n;
}

/** --iterations <n>: 1 to MAX_ITERATIONS. */
export function parseIterations(value: string): number {
  const n = parsePositiveInt(value);
  if (n > MAX_ITERATIONS) throw new InvalidArgumentError(`expected at most ${MAX_ITERATIONS.toLocaleString('en-US')} (each iteration is a whole simulated pass)`);
  return n;
}

/** "5", "5%", "2.5" -> 0.05, 0.05, 0.025. */
export function parsePercent(value: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)%?$/.exec(value.trim());
  const n = m === null ? NaN : Number(m[1]);
  if (!Number.isFinite(n) || n > 1e6) throw new InvalidArgumentError('expected a percentage of 0 or more, e.g. 5 or 5%');
  return n / 100;
}

/** "vaddr_get_pfn,unmap:put_pfn": counters for the sweep table's columns, map side unless prefixed. */
export function parseKeyCounters(value: string): KeyCounter[] {
  const out: KeyCounter[] = [];
  for (const item of parseList(value)) {
    const m = /^(?:(map|unmap):)?(.+)$/.exec(item)!;
    const side = (m[1] ?? 'map') as 'map' | 'unmap';
    const name = m[2]!;
    if (!(COUNTER_NAMES as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`unknown counter "${name}"${didYouMean(name, COUNTER_NAMES, `counters are ${COUNTER_NAMES.join(', ')} (\`list --counters\` explains them), optionally prefixed map: or unmap:`)}`);
    }
    out.push({ side, name: name as CounterName, label: side === 'unmap' ? `${name} (unmap)` : name });
  }
  if (out.length === 0) throw new InvalidArgumentError('expected counter names separated by commas');
  return out;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The what-if options from the table: `run` and `show` style, or `sweep` style (range forms), one group or all. */
export function addWhatIfOptions(cmd: Command, style: 'run' | 'sweep' = 'run', group?: FlagGroup): Command {
  for (const o of whatIfOptions(style, group)) {
    if (o.repeatable) cmd.option(o.flags, o.help, collect);
    else cmd.option(o.flags, o.help);
  }
  return cmd;
}

/** The flags of the limits (input/limits.ts): --max-pages, ... as given to commander (camel case). */
export type LimitFlags = Partial<Record<`max${Capitalize<LimitKey>}`, number>>;

const flagKey = (key: LimitKey): keyof LimitFlags => `max${key[0]!.toUpperCase()}${key.slice(1)}` as keyof LimitFlags;

/** The limit options of `keys` (help: what each bounds and its default); a bad value exits 2 naming the flag. */
export function addLimitOptions(cmd: Command, keys: readonly LimitKey[]): Command {
  for (const r of LIMIT_ROWS.filter((row) => keys.includes(row.key))) {
    const def = r.bytes ? formatSize(r.default).replace(' ', '') : r.default.toLocaleString('en-US');
    cmd.addOption(new Option(`${r.flag} <${r.bytes ? 'size' : 'n'}>`, `limit: ${r.what} (default ${def}): ${r.why}`)
      .argParser((v: string) => parseLimit(r.key, v)));
  }
  return cmd;
}

/** The limits from the parsed flags. */
export function limitsFromFlags(flags: LimitFlags): Limits {
  return limitsOf(Object.fromEntries(LIMIT_ROWS.map((r) => [r.key, flags[flagKey(r.key)]])) as Partial<Limits>);
}
