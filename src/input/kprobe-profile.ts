// kprobe_profile captures. /sys/kernel/tracing/kprobe_profile prints one line per kprobe event,
// kernel/trace/trace_kprobe.c probes_profile_seq_show(): "  %-44s %15lu %15lu\n" of the event
// name (no group, no symbol), its hits and its missed hits; the same format from 4.x to 6.18.
// A capture file is one snapshot of it, or several (scripts/capture-kprobes.sh writes both):
//
//   # kernel: 6.12.117+deb13-amd64            (optional: uname -r of the host)
//   # probe: p:vpb/vaddr_get_pfns vaddr_get_pfns   (optional: kprobe_events lines)
//   == before                                 (a snapshot label; without any, one snapshot)
//     vaddr_get_pfns                                       0               0
//
// Other lines starting with "#" and blank lines are ignored. docs/real-kernel.md has the format.

import { InputError } from '../model/errors.ts';
import { readText, textLines } from './read-file.ts';

export interface ProfileEntry {
  event: string;
  hits: number;
  missed: number;
  line: number;
}

export interface Snapshot {
  label: string;
  file: string;
  /** the line of its "==" label, or of its first entry. */
  line: number;
  entries: Map<string, ProfileEntry>;
}

/** One kprobe_events definition: "p:GRP/EVENT SYMBOL[+OFFS]" (trace_kprobe.c trace_kprobe_show()). */
export interface ProbeDef {
  event: string;
  /** the probed symbol without module prefix, offset or "%return"; null for an address probe. */
  symbol: string | null;
  offset: number;
  ret: boolean;
}

export interface KprobeCapture {
  file: string;
  kernel: string | null;
  probes: ProbeDef[];
  snapshots: Snapshot[];
}

/** An event name as the kernel accepts it (trace_probe.c is_good_name(), plus '.' for clones). */
const EVENT_RE = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const ENTRY_RE = /^\s*(\S+)\s+(\d+)\s+(\d+)\s*$/;
const PROBE_RE = /^([pr])(\d*)(?::(?:([^/\s]+)\/)?(\S+))?\s+(\S+)(?:\s.*)?$/;

const clip = (s: string): string => (s.length > 60 ? `${s.slice(0, 57)}...` : s);

function count(text: string, where: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new InputError(`${where}: count ${text} is above 2^53 - 1`);
  return n;
}

/** The event name the kernel gives "p SYMBOL[+OFFS]" without a name: "p_SYMBOL_OFFS", non-alphanumerics as "_". */
function autoName(kind: string, symbol: string, offset: number): string {
  return `${kind}_${symbol}_${offset}`.replace(/[^A-Za-z0-9_]/g, '_');
}

/** "p:vpb/vaddr_get_pfns vfio_iommu_type1:vaddr_get_pfns+0 arg=..." -> its event and symbol. */
export function parseProbeDef(text: string, where: string): ProbeDef {
  const m = PROBE_RE.exec(text.trim());
  if (m === null) throw new InputError(`${where}: not a kprobe_events line: expected "p:GROUP/EVENT SYMBOL", got "${clip(text.trim())}"`);
  let ret = m[1] === 'r';
  let target = m[5]!;
  if (target.endsWith('%return')) {
    ret = true;
    target = target.slice(0, -'%return'.length);
  }
  if (/^0x[0-9a-f]+$/i.test(target)) return { event: m[4] ?? `${m[1]}_${target}`, symbol: null, offset: 0, ret };
  const sm = /^(?:[A-Za-z0-9_-]+:)?([A-Za-z_][A-Za-z0-9_.]*)(?:\+(0x[0-9a-f]+|\d+))?$/i.exec(target);
  if (sm === null) throw new InputError(`${where}: not a kprobe target: expected "[MODULE:]SYMBOL[+OFFSET]", got "${clip(target)}"`);
  const offset = sm[2] === undefined ? 0 : Number(sm[2]);
  const event = m[4] ?? autoName(m[1]!, target.replace(/\+.*$/, ''), offset);
  return { event, symbol: sm[1]!, offset, ret };
}

export function parseKprobeCapture(text: string, file: string): KprobeCapture {
  const cap: KprobeCapture = { file, kernel: null, probes: [], snapshots: [] };
  let current: Snapshot | null = null;
  for (const { t, line } of textLines(text)) {
    const where = `${file}:${line}`;
    if (t.trim() === '') continue;
    if (t.startsWith('#')) {
      const meta = /^#\s*(kernel|probe):\s*(.*)$/.exec(t);
      if (meta?.[1] === 'kernel') {
        const k = meta[2]!.trim();
        if (cap.kernel !== null && cap.kernel !== k) throw new InputError(`${where}: a second kernel "${clip(k)}" after "${cap.kernel}"`);
        cap.kernel = k;
      } else if (meta?.[1] === 'probe') {
        cap.probes.push(parseProbeDef(meta[2]!, where));
      }
      continue;
    }
    if (t.startsWith('==')) {
      const label = t.slice(2).trim();
      if (label === '') throw new InputError(`${where}: a snapshot line needs a label: "== <label>"`);
      if (cap.snapshots.some((s) => s.label === label)) throw new InputError(`${where}: a second snapshot labelled "${clip(label)}"`);
      current = { label, file, line, entries: new Map() };
      cap.snapshots.push(current);
      continue;
    }
    const m = ENTRY_RE.exec(t);
    if (m === null || !EVENT_RE.test(m[1]!)) {
      throw new InputError(`${where}: not a kprobe_profile line: expected "<event> <hits> <missed hits>", got "${clip(t.trim())}"`);
    }
    if (current === null) {
      current = { label: file, file, line, entries: new Map() };
      cap.snapshots.push(current);
    }
    const event = m[1]!;
    const seen = current.entries.get(event);
    if (seen !== undefined) throw new InputError(`${where}: event ${event} again in one snapshot (first at line ${seen.line})`);
    current.entries.set(event, { event, hits: count(m[2]!, where), missed: count(m[3]!, where), line });
  }
  if (cap.snapshots.length === 0) {
    throw new InputError(`${file}: not a kprobe_profile capture: no "<event> <hits> <missed hits>" line in it`);
  }
  for (const s of cap.snapshots) {
    if (s.entries.size === 0) throw new InputError(`${file}:${s.line}: snapshot "${clip(s.label)}" has no kprobe_profile lines`);
  }
  return cap;
}

export function readKprobeCapture(path: string): KprobeCapture {
  return parseKprobeCapture(readText(path, 'kprobe captures'), path);
}

/** The kernel function an event counts: its probe definition's symbol, else the event's name (a
 *  kernel auto-name "p_FUNC_0" read as FUNC). A clone suffix (".isra.0", ".constprop.0") is dropped. */
export function functionOfEvent(event: string, probes: readonly ProbeDef[]): { fn: string } | { why: string } {
  const def = probes.find((p) => p.event === event);
  if (def !== undefined) {
    if (def.symbol === null) return { why: 'an address probe: no symbol to read the function from' };
    if (def.offset !== 0) return { why: `a probe at ${def.symbol}+${def.offset}, not at the function's entry` };
    if (def.ret) return { why: 'a return probe (kretprobe): counts returns, and misses some under load' };
    return { fn: def.symbol.split('.')[0]! };
  }
  const auto = /^p_(.+)_(\d+)$/.exec(event);
  if (auto !== null) {
    if (auto[2] !== '0') return { why: `an auto-named probe at offset ${auto[2]}, not at the function's entry` };
    return { fn: auto[1]! };
  }
  if (/^r_.+_\d+$/.test(event)) return { why: 'an auto-named return probe (kretprobe)' };
  return { fn: event.split('.')[0]! };
}

/** Several capture files as one, their snapshots in the order given (before.txt after.txt). */
export function mergeCaptures(caps: readonly KprobeCapture[]): KprobeCapture {
  const out: KprobeCapture = { file: caps.map((c) => c.file).join(' + '), kernel: null, probes: [], snapshots: [] };
  for (const c of caps) {
    if (c.kernel !== null) {
      if (out.kernel !== null && out.kernel !== c.kernel) throw new InputError(`${c.file}: kernel ${c.kernel}, but an earlier capture says ${out.kernel}`);
      out.kernel = c.kernel;
    }
    for (const p of c.probes) {
      const seen = out.probes.find((q) => q.event === p.event);
      if (seen !== undefined && (seen.symbol !== p.symbol || seen.offset !== p.offset || seen.ret !== p.ret)) {
        throw new InputError(`${c.file}: probe ${p.event} on ${p.symbol ?? 'an address'}, but an earlier capture has it on ${seen.symbol ?? 'an address'}`);
      }
      if (seen === undefined) out.probes.push(p);
    }
    for (const s of c.snapshots) {
      if (out.snapshots.some((o) => o.label === s.label)) throw new InputError(`${c.file}:${s.line}: snapshot "${clip(s.label)}" is in an earlier capture too`);
      out.snapshots.push(s);
    }
  }
  return out;
}
