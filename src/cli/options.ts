// Option parsers and the what-if flags shared by `run` and `show`. A parser that rejects a
// value throws commander's InvalidArgumentError, which the CLI turns into exit 2.

import { InvalidArgumentError, type Command } from 'commander';
import type { WhatIf } from '../input/whatif.ts';
import { isProfilePath, listProfiles } from '../input/profile.ts';
import { STRATEGIES } from '../strategies/registry.ts';

/** "baseline,rfc" -> registry order, no duplicates; an unknown name lists the valid ones. */
export function parseStrategies(value: string): string[] {
  const valid = STRATEGIES.map((s) => s.name);
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new InvalidArgumentError(`expected strategy names separated by commas; valid: ${valid.join(', ')}`);
  for (const n of names) {
    if (!valid.includes(n)) throw new InvalidArgumentError(`unknown strategy "${n}"; valid: ${valid.join(', ')}`);
  }
  return valid.filter((n) => names.includes(n));
}

/** A bundled profile's name, or a path to a profile file (ends in .json or has a '/'): the
 *  file is read and checked when the command starts (loadProfile), a bad one exits 2. */
export function parseProfile(value: string): string {
  if (isProfilePath(value)) return value;
  const valid = listProfiles().map((p) => p.name);
  if (!valid.includes(value)) throw new InvalidArgumentError(`unknown profile "${value}"; valid: ${valid.join(', ')}, or a path to a profile file (.json)`);
  return value;
}

export function parsePositiveInt(value: string): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

export function parsePositiveNumber(value: string): number {
  const n = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : NaN;
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number greater than 0');
  return n;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The what-if flags as commander gives them. */
export interface WhatIfFlags {
  bar?: string[];
  ram?: string;
  backing?: string;
  memlock?: string;
  capIpcLock?: boolean;
  iommuPgsizes?: string;
  disableHugepages?: boolean;
  placement?: string;
  seed?: string;
}

export function addWhatIfOptions(cmd: Command): Command {
  return cmd
    .option('--bar <size[@align]>', 'what-if: a device BAR (VM_IO|VM_PFNMAP) of this size, optionally aligned; repeatable', collect)
    .option('--ram <size>', 'what-if: guest RAM of this size')
    .option('--backing <kind>', 'what-if: guest RAM backing: 4k, thp, hugetlb-2m or hugetlb-1g')
    .option('--memlock <size|unlimited>', 'what-if: RLIMIT_MEMLOCK')
    .option('--cap-ipc-lock', 'what-if: the process has CAP_IPC_LOCK (no locked_vm limit)')
    .option('--iommu-pgsizes <list>', 'what-if: IOMMU page sizes, e.g. 4k,2m,1g')
    .option('--disable-hugepages', 'what-if: vfio_iommu_type1 disable_hugepages=1')
    .option('--placement <policy>', 'what-if: physical placement of RAM: contiguous, scattered, runs:<size> or geometric:<mean size>')
    .option('--seed <n>', 'what-if: seed of the random placement (printed with the results)');
}

export function whatIfFrom(flags: WhatIfFlags): WhatIf {
  const w: WhatIf = {};
  if (flags.bar !== undefined) w.bar = flags.bar;
  if (flags.ram !== undefined) w.ram = flags.ram;
  if (flags.backing !== undefined) w.backing = flags.backing;
  if (flags.memlock !== undefined) w.memlock = flags.memlock;
  if (flags.capIpcLock !== undefined) w.capIpcLock = flags.capIpcLock;
  if (flags.iommuPgsizes !== undefined) w.iommuPgsizes = flags.iommuPgsizes;
  if (flags.disableHugepages !== undefined) w.disableHugepages = flags.disableHugepages;
  if (flags.placement !== undefined) w.placement = flags.placement;
  if (flags.seed !== undefined) w.seed = flags.seed;
  return w;
}
