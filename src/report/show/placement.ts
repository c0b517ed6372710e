// `show`: each VMA's placement in physical memory, policy and parameters, as a table.

import type { Backing, Layout } from '../../model/layout.ts';
import { cell, type Grid } from '../grid.ts';
import { formatBytes, formatHex } from '../units.ts';

/** The placement policy of a backing and what its parameters mean. */
function placementText(b: Backing): [policy: string, parameters: string] {
  if (b.kind === 'pfnmap') return ['MMIO', `${b.mmio}+${formatHex(b.offset)}: pfn = vm_pgoff + page index`];
  const p = b.placement;
  switch (p.policy) {
    case 'contiguous': return [p.policy, 'every folio right after the previous one'];
    case 'scattered': return [p.policy, 'every folio at a random place'];
    case 'runs': return [p.policy, `runs of exactly ${formatBytes(p.bytes)}, in random order`];
    case 'geometric': return [p.policy, `runs of random length, mean ${formatBytes(p.meanBytes)}`];
  }
}

export function placementGrid(layout: Layout): Grid {
  return {
    head: ['vma', 'policy', 'parameters'],
    align: ['left', 'left', 'left'],
    rows: layout.vmas.map((v) => {
      const [policy, parameters] = placementText(v.backing);
      return [cell(v.name, 'strong'), cell(policy), cell(parameters)];
    }),
  };
}
