// Counters per ioctl: the layout's DMA requests issued one by one on a fresh kernel, each with
// the counters it moved, as a kprobe_profile delta around that ioctl would show them.

import { Kernel } from '../kernel/kernel.ts';
import type { Layout } from '../model/layout.ts';
import { COUNTER_NAMES, newCounters, type Counters } from '../model/counters.ts';
import type { Strategy } from '../strategies/strategy.ts';
import { issue } from './simulate.ts';

export interface IoctlCounters {
  index: number;
  label: string;
  ret: number;
  counters: Counters;
}

export function perIoctlCounters(layout: Layout, strategy: Strategy): IoctlCounters[] {
  const k = new Kernel(layout, strategy);
  return layout.requests.map((r, index) => {
    const before = { ...k.c };
    const { ret } = issue(k, r);
    const counters = newCounters();
    for (const n of COUNTER_NAMES) counters[n] = k.c[n] - before[n];
    return { index, label: r.label ?? `#${index}`, ret, counters };
  });
}
