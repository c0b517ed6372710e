// Verdicts: what the oracle and the invariants said about each strategy, and which DMA
// requests the kernel refused. A wrong mapping is a finding, shown loudly.

import type { RequestResult, StrategyResult } from '../../model/result.ts';
import { failedInvariants } from '../../model/verdict.ts';
import { cell, type Cell } from '../grid.ts';
import type { Tone } from '../style.ts';
import { formatBytes, formatHex } from '../units.ts';

interface Line {
  text: string;
  tone?: Tone;
}

function pfnText(pfn: number | null, what: 'expected' | 'got'): string {
  if (pfn === null) return `${what} no mapping`;
  return what === 'expected' ? `expected pfn ${formatHex(pfn)}` : `got ${formatHex(pfn)}`;
}

/** "UNSAFE: 32768 wrong pages, first at iova 0x... (expected pfn 0x..., got 0x...)" */
export function unsafeText(s: StrategyResult): string {
  const o = s.oracle;
  const b = o.firstBad;
  if (b === undefined) return `UNSAFE: ${o.wrongPages} wrong pages: ${o.detail}`;
  return `UNSAFE: ${o.wrongPages} wrong pages, first at iova ${formatHex(b.iova)} ` +
    `(${pfnText(b.expectedPfn, 'expected')}, ${pfnText(b.actualPfn, 'got')})`;
}

/** "request 3 (map 0x0+4GiB): -ENOMEM" */
function requestText(r: RequestResult): string {
  const label = r.label === undefined || r.label === '' ? '' : `, ${r.label}`;
  return `request ${r.index} (${r.op} ${formatHex(r.iova)}+${formatBytes(r.size, '')}${label}): ${r.errno}`;
}

function failedRequests(s: StrategyResult): RequestResult[] {
  return s.requests.filter((r) => r.ret !== 0);
}

/** The short verdict for the pin-count table: "ok", "UNSAFE", "BROKEN", plus refused errnos. */
export function verdictCell(s: StrategyResult): Cell {
  const errnos = [...new Set(failedRequests(s).map((r) => r.errno))];
  const suffix = errnos.length === 0 ? '' : ` (${errnos.join(', ')})`;
  if (s.verdict === 'unsafe') return cell(`UNSAFE${suffix}`, 'bad');
  if (s.verdict === 'broken') return cell(`BROKEN${suffix}`, 'bad');
  return cell(`ok${suffix}`, errnos.length === 0 ? 'ok' : 'warn');
}

/** The verdict in full: first line the verdict, then invariant findings and refused requests. */
export function verdictLines(s: StrategyResult, verbose = false): Line[] {
  const failedErrors = failedInvariants(s.invariants);
  const lines: Line[] = [];
  if (s.verdict === 'unsafe') {
    lines.push({ text: unsafeText(s), tone: 'bad' });
  } else if (s.verdict === 'broken') {
    const first = failedErrors.shift();
    lines.push({ text: `BROKEN: ${first === undefined ? 'an invariant failed after unmap' : first.detail}`, tone: 'bad' });
  } else {
    lines.push({ text: 'ok', tone: 'ok' });
  }
  for (const inv of failedErrors) lines.push({ text: `error: ${inv.name}: ${inv.detail}`, tone: 'bad' });
  for (const inv of s.invariants) {
    if (!inv.ok && inv.severity === 'warn') lines.push({ text: `warn: ${inv.name}: ${inv.detail}`, tone: 'warn' });
    else if (inv.ok && verbose) lines.push({ text: `pass: ${inv.name}`, tone: 'dim' });
  }
  for (const r of failedRequests(s)) lines.push({ text: requestText(r), tone: 'warn' });
  return lines;
}
