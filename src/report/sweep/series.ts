// What the sweep table and charts plot: the swept axis's title and a record's modelled time.

import type { SweepAxis, SweepRecord } from '../../model/result.ts';

/** What the x axis of a sweep is, for tables and charts. */
export const AXIS_TITLE: Record<SweepAxis, string> = { bar: 'BAR size', ram: 'RAM size', chunk: 'DMA map chunk size' };

/** The modelled time of one side: the chart's y value. */
export function modelledOf(r: SweepRecord, side: 'map' | 'unmap'): number {
  return side === 'map' ? r.modelled.mapNs : r.modelled.unmapNs;
}
