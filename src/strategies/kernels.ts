// `--kernel <version>`: the strategy a mainline release runs, composed from the era table
// (kernel/eras.ts): that release's pin loop (the strategy file of its type1_pin era) and
// unmap path (the file of its type1_unmap era), on the host composed for it.

import { formatVersion, type KernelVersion } from '../kernel/eras.ts';
import { composeHost } from '../kernel/host.ts';
import { baseline } from './baseline.ts';
import type { Strategy } from './strategy.ts';
import * as unmap_v4_16 from './unmap-v4.16.ts';
import * as unmap_v4_17 from './unmap-v4.17.ts';
import * as unmap_v6_18 from './unmap-v6.18.ts';
import { v5_12_batch } from './v5.12-batch.ts';
import { v6_15_pgmask } from './v6.15-pgmask.ts';
import { v6_18_folio } from './v6.18-folio.ts';

const PIN_LOOPS = { baseline, 'v5.12-batch': v5_12_batch, 'v6.15-pgmask': v6_15_pgmask, 'v6.18-folio': v6_18_folio };
const UNMAP_PATHS = { 'v4.16': unmap_v4_16, 'v4.17': unmap_v4_17, 'v6.18': unmap_v6_18 };

/** The strategy of release v: named linux-<major.minor>. */
export function kernelStrategy(v: KernelVersion): Strategy {
  const host = composeHost(v);
  const pin = PIN_LOOPS[host.type1_pin];
  const unmap = UNMAP_PATHS[host.type1_unmap];
  return {
    name: `linux-${formatVersion(v)}`,
    kernel: `Linux ${formatVersion(v)}`,
    description: `composed: the ${pin.name} pin loop, the ${host.type1_unmap} unmap path, and this release's eras of every other part`,
    source: '--kernel (list --kernels shows the eras and their commits)',
    host,
    vfio_pin_map_dma: pin.vfio_pin_map_dma,
    vfio_unmap_unpin: unmap.vfio_unmap_unpin,
  };
}
