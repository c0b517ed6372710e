// The numbers a report shows about a layout before any strategy runs (pure: Layout in, record out).

import type { Layout } from '../model/layout.ts';
import { PAGE_SIZE } from '../model/units.ts';
import type { LayoutSummary } from '../model/result.ts';

export function summarize(layout: Layout): LayoutSummary {
  let ramBytes = 0;
  let barBytes = 0;
  for (const v of layout.vmas) {
    if (v.backing.kind === 'pfnmap') barBytes += v.size;
    else ramBytes += v.size;
  }
  let mapBytes = 0;
  let mapPages = 0;
  for (const r of layout.requests) {
    if (r.op !== 'map') continue;
    mapBytes += r.size;
    mapPages += Math.ceil(r.size / PAGE_SIZE); // 4 KiB pages a request asks for (partial pages count)
  }
  return { ramBytes, barBytes, vmas: layout.vmas.length, requests: layout.requests.length, mapBytes, mapPages, seed: layout.system.seed };
}
