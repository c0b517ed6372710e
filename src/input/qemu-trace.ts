// QEMU's vfio trace events, as the "log" trace backend prints them (scripts/tracetool/backend/
// log.py: "<event> <format>\n"; QEMU 7.2 prefixes "<tid>@<sec>.<usec>:" under -msg
// timestamp=on, checked). The formats are hw/vfio/trace-events' (read in qemu/qemu at 5.x and
// 9.x-era commits; the installed 7.2's /usr/share/qemu/trace-events-all has the same three):
//   vfio_listener_region_add_ram "region_add [ram] 0x%"PRIx64" - 0x%"PRIx64" [%p]"   iova, last iova, vaddr
//   vfio_listener_region_del "region_del 0x%"PRIx64" - 0x%"PRIx64                   iova, last iova
//   vfio_listener_region_add_no_dma_map "Region \"%s\" 0x%"PRIx64" size=0x%"PRIx64" is not aligned to
//     0x%"PRIx64" and cannot be mapped for DMA"                                    (the add before it is not mapped)
// SKIPPING lines (vfio_listener_region_{add,del}_skip, vfio_listener_region_skip), the guest
// vIOMMU's (vfio_listener_region_add_iommu, vfio_iommu_map_notify) and every other event are
// kept as "other". A listener event whose arguments do not parse is refused with its line.

import { InputError } from '../model/errors.ts';
import { readText, textLines } from './read-file.ts';

export type TraceEvent =
  | { kind: 'map'; iova: bigint; last: bigint; vaddr: bigint; line: number }
  | { kind: 'unmap'; iova: bigint; last: bigint; line: number }
  | { kind: 'no-dma-map'; region: string; iova: bigint; size: bigint; line: number }
  | { kind: 'viommu'; event: string; line: number }
  | { kind: 'other'; event: string; line: number };

const PREFIX = /^(?:\d+@\d+\.\d+:)?([a-z_][a-z0-9_]*)(?: (.*))?$/;
const HEX = '0x([0-9a-f]+)';
const FORMATS: Record<string, RegExp> = {
  vfio_listener_region_add_ram: new RegExp(`^region_add \\[ram\\] ${HEX} - ${HEX} \\[(?:${HEX}|\\(nil\\))\\]$`),
  vfio_listener_region_del: new RegExp(`^region_del ${HEX} - ${HEX}$`),
  vfio_listener_region_add_no_dma_map: new RegExp(`^Region "(.*)" ${HEX} size=${HEX} is not aligned to ${HEX} and cannot be mapped for DMA$`),
};
const FORMAT_TEXT: Record<string, string> = {
  vfio_listener_region_add_ram: 'region_add [ram] 0x<iova> - 0x<last iova> [0x<vaddr>]',
  vfio_listener_region_del: 'region_del 0x<iova> - 0x<last iova>',
  vfio_listener_region_add_no_dma_map: 'Region "<name>" 0x<iova> size=0x<size> is not aligned to 0x<page size> and cannot be mapped for DMA',
};
const VIOMMU = new Set(['vfio_listener_region_add_iommu', 'vfio_listener_region_del_iommu', 'vfio_iommu_map_notify']);

const clip = (s: string): string => (s.length > 70 ? `${s.slice(0, 67)}...` : s);
const big = (h: string): bigint => BigInt(`0x${h}`);

export function parseQemuTrace(text: string, file: string): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const { t, line } of textLines(text)) {
    const m = PREFIX.exec(t);
    if (m === null) continue; // not a trace line (QEMU's other log output): left alone
    const event = m[1]!;
    const args = m[2] ?? '';
    const re = FORMATS[event];
    if (re === undefined) {
      out.push(VIOMMU.has(event) ? { kind: 'viommu', event, line } : { kind: 'other', event, line });
      continue;
    }
    const a = re.exec(args);
    if (a === null) {
      throw new InputError(`${file}:${line}: ${event}: expected "${FORMAT_TEXT[event]}" (hw/vfio/trace-events), got "${clip(args)}"`);
    }
    if (event === 'vfio_listener_region_add_no_dma_map') {
      out.push({ kind: 'no-dma-map', region: a[1]!, iova: big(a[2]!), size: big(a[3]!), line });
      continue;
    }
    const iova = big(a[1]!);
    const last = big(a[2]!);
    if (last < iova) throw new InputError(`${file}:${line}: ${event}: range 0x${a[1]} - 0x${a[2]} ends before it starts`);
    if (event === 'vfio_listener_region_del') out.push({ kind: 'unmap', iova, last, line });
    else out.push({ kind: 'map', iova, last, vaddr: a[3] === undefined ? 0n : big(a[3]), line });
  }
  if (!out.some((e) => e.kind === 'map' || e.kind === 'unmap')) {
    throw new InputError(`${file}: not a QEMU vfio trace: no vfio_listener_region_add_ram or vfio_listener_region_del line ` +
      '(run QEMU with -trace "vfio_listener_region_*" and the log backend, e.g. -D qemu-trace.log)');
  }
  return out;
}

export function readQemuTrace(path: string): TraceEvent[] {
  return parseQemuTrace(readText(path, 'trace logs'), path);
}
