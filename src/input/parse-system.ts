// fixture "system" -> SystemConfig, with defaults: unlimited memlock, no CAP_IPC_LOCK,
// hugepages enabled, dma_entry_limit 65535, a type1v2 container on a VT-d IOMMU (4 KiB | 2 MiB |
// 1 GiB, no fine-grained superpages).

import type { SystemConfig } from '../model/layout.ts';
import { PAGE_SIZE } from '../model/units.ts';
import { DEFAULT_PGSIZES, DEFAULT_SEED } from './constants.ts';
import { InputError } from '../model/errors.ts';
import { array, bool, object, oneOf, type At } from './json.ts';
import { DMA_ENTRY_LIMIT_DEFAULT } from '../kernel/vfio_dma.ts';
import { describe, parsePowerOfTwo, parseSize } from './size.ts';

/** The placement seed: an integer 0 .. 2^32 - 1. */
export function parseSeed(v: unknown, where: string): number {
  const n = parseSize(v, where);
  if (n >= 2 ** 32) throw new InputError(`${where}: expected a seed from 0 to 4294967295, got ${describe(v)}`);
  return n;
}

/** dma_entry_limit, an unsigned int module parameter: 0 .. 4294967295, a JSON integer or decimal text. */
export function parseDmaEntryLimit(v: unknown, where: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^(0|[1-9][0-9]{0,9})$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) {
    throw new InputError(`${where}: expected an integer from 0 to 4294967295 (vfio_iommu_type1 dma_entry_limit), got ${describe(v)}`);
  }
  return n;
}

export const IOMMU_TYPES = ['type1', 'type1v2'] as const;

export function parseMemlock(v: unknown, where: string): number | null {
  return v === 'unlimited' ? null : parseSize(v, where);
}

/** Page sizes, ascending, each a power of two >= 4 KiB, no repeats. */
export function parsePgsizes(values: unknown[], where: (i: number) => string): number[] {
  const sizes = values.map((v, i) => parsePowerOfTwo(v, where(i)));
  return [...new Set(sizes)].sort((a, b) => a - b);
}

export function parseSystem(v: unknown, at: At): SystemConfig {
  const sys: SystemConfig = {
    seed: DEFAULT_SEED,
    memlock: null,
    capIpcLock: false,
    disableHugepages: false,
    dmaEntryLimit: DMA_ENTRY_LIMIT_DEFAULT,
    iommuType: 'type1v2',
    iommu: { pgsizes: [...DEFAULT_PGSIZES], fgsp: false },
  };
  if (v === undefined) return sys;
  const o = object(v, at, ['pageSize', 'seed', 'memlock', 'capIpcLock', 'disableHugepages', 'dmaEntryLimit', 'iommuType', 'iommu']);
  if (o.seed !== undefined) sys.seed = parseSeed(o.seed, at.key('seed').where);
  if (o.pageSize !== undefined && parseSize(o.pageSize, at.key('pageSize').where) !== PAGE_SIZE) {
    at.key('pageSize').fail(`only 4096 (4 KiB pages, as on x86-64) is supported, got ${describe(o.pageSize)}`);
  }
  if (o.memlock !== undefined) sys.memlock = parseMemlock(o.memlock, at.key('memlock').where);
  if (o.capIpcLock !== undefined) sys.capIpcLock = bool(o.capIpcLock, at.key('capIpcLock'));
  if (o.disableHugepages !== undefined) sys.disableHugepages = bool(o.disableHugepages, at.key('disableHugepages'));
  if (o.dmaEntryLimit !== undefined) sys.dmaEntryLimit = parseDmaEntryLimit(o.dmaEntryLimit, at.key('dmaEntryLimit').where);
  if (o.iommuType !== undefined) sys.iommuType = oneOf(o.iommuType, at.key('iommuType'), IOMMU_TYPES);
  if (o.iommu !== undefined) {
    const ia = at.key('iommu');
    const io = object(o.iommu, ia, ['pgsizes', 'fgsp']);
    if (io.pgsizes !== undefined) {
      const pa = ia.key('pgsizes');
      const list = array(io.pgsizes, pa);
      if (list.length === 0) pa.fail('expected at least one page size like ["4K", "2M", "1G"], got []');
      sys.iommu.pgsizes = parsePgsizes(list, (i) => pa.idx(i).where);
    }
    if (io.fgsp !== undefined) sys.iommu.fgsp = bool(io.fgsp, ia.key('fgsp'));
  }
  return sys;
}
