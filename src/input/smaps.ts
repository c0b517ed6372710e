// /proc/<pid>/smaps as fs/proc/task_mmu.c prints it: per VMA a header line (show_map_vma():
// "start-end perms offset major:minor inode path"), "Key:  N kB" lines (show_smap(),
// __show_smap()), and "VmFlags: rd wr ..." (show_smap_vma_flags(), since 3.8). Read strictly:
// anything else, a truncated line, a VMA without Size or VmFlags, a Size that is not its range,
// VMAs out of address order or overlapping, or a VmFlags mnemonic no kernel prints is refused
// with its line number.

import { InputError } from '../model/errors.ts';
import { readText, textLines } from './read-file.ts';

/** Every VmFlags mnemonic of show_smap_vma_flags(), 3.8 .. 6.18 (Documentation/filesystems/proc.rst), and "??" for a bit it has no name for. */
export const VMFLAG_MNEMONICS = [
  'rd', 'wr', 'ex', 'sh', 'mr', 'mw', 'me', 'ms', 'gd', 'pf', 'dw', 'lo', 'io', 'sr', 'rr', 'dc', 'de', 'ac', 'nr', 'ht',
  'sf', 'nl', 'ar', 'wf', 'dd', 'sd', 'mm', 'hg', 'nh', 'mg', 'mp', 'bt', 'mt', 'um', 'uw', 'ui', 'ur', 'ss', 'sl', 'lf',
  'dp', 'gu', '??',
] as const;
const KNOWN_FLAGS: ReadonlySet<string> = new Set(VMFLAG_MNEMONICS);

export interface SmapsVma {
  /** below 2^53; VMAs above (the [vsyscall] page) are left out by the reader. */
  start: number;
  end: number;
  read: boolean;
  write: boolean;
  exec: boolean;
  shared: boolean;
  /** the offset column: vm_pgoff << PAGE_SHIFT (a BigInt: a vfio-pci region offset is index << 40). */
  offset: bigint;
  inode: number;
  /** the path column ("" for anonymous memory), "(deleted)" kept. */
  path: string;
  /** "Key: N kB" fields in bytes, other numeric fields as printed (THPeligible, ProtectionKey). */
  fields: Map<string, number>;
  flags: string[];
  /** 1-based line of the header. */
  line: number;
}

const HEADER_RE = /^([0-9a-f]+)-([0-9a-f]+) ([r-])([w-])([x-])([ps]) ([0-9a-f]+) ([0-9a-f]+):([0-9a-f]+) (\d+)(?: +(.*))?$/;
const FIELD_RE = /^([A-Za-z_][A-Za-z0-9_]*):\s+(\d+)(?: (kB))?\s*$/;
const FLAGS_RE = /^VmFlags:((?: [a-z?]{2})*) ?$/;
const LIMIT = 2n ** 53n;

const clip = (s: string): string => (s.length > 60 ? `${s.slice(0, 57)}...` : s);

export function parseSmaps(text: string, file: string): SmapsVma[] {
  const out: SmapsVma[] = [];
  let cur: (SmapsVma & { keep: boolean; sawFlags: boolean }) | null = null;
  let prevEnd = -1n;
  let prevLine = 0;
  const finish = (): void => {
    if (cur === null) return;
    const where = `${file}:${cur.line}`;
    const size = cur.fields.get('Size');
    if (size === undefined) {
      throw new InputError(`${where}: VMA without a Size: line: this looks like /proc/<pid>/maps; give /proc/<pid>/smaps`);
    }
    if (!cur.sawFlags) throw new InputError(`${where}: VMA without a VmFlags: line (the file is cut short, or from a kernel before 3.8)`);
    if (cur.keep) {
      if (size !== cur.end - cur.start) {
        throw new InputError(`${where}: Size: says ${size / 1024} kB but the range is ${(cur.end - cur.start) / 1024} kB`);
      }
      const { keep: _k, sawFlags: _s, ...vma } = cur;
      out.push(vma);
    }
    cur = null;
  };
  for (const { t, line } of textLines(text)) {
    const where = `${file}:${line}`;
    const h = HEADER_RE.exec(t);
    if (h !== null) {
      finish();
      const start = BigInt(`0x${h[1]}`);
      const end = BigInt(`0x${h[2]}`);
      if (end <= start || start % 4096n !== 0n || end % 4096n !== 0n) {
        throw new InputError(`${where}: VMA ${h[1]}-${h[2]}: expected a page-aligned range with its end above its start`);
      }
      if (start < prevEnd) {
        throw new InputError(`${where}: VMA ${h[1]}-${h[2]} overlaps or comes before the VMA at line ${prevLine}: smaps lists VMAs in address order without overlaps`);
      }
      prevEnd = end;
      prevLine = line;
      cur = {
        start: Number(start), end: Number(end), read: h[3] === 'r', write: h[4] === 'w', exec: h[5] === 'x', shared: h[6] === 's',
        offset: BigInt(`0x${h[7]}`), inode: Number(h[10]), path: (h[11] ?? '').trim(), fields: new Map(), flags: [], line,
        keep: end <= LIMIT, sawFlags: false,
      };
      continue;
    }
    if (cur === null) throw new InputError(`${where}: not an smaps VMA line: expected "start-end perms offset dev inode [path]", got "${clip(t)}"`);
    const f = FLAGS_RE.exec(t);
    if (f !== null) {
      if (cur.sawFlags) throw new InputError(`${where}: a second VmFlags: line for the VMA at line ${cur.line}`);
      cur.sawFlags = true;
      cur.flags = f[1]!.trim() === '' ? [] : f[1]!.trim().split(' ');
      for (const m of cur.flags) {
        if (!KNOWN_FLAGS.has(m)) throw new InputError(`${where}: unknown VmFlags mnemonic "${m}" (known: ${VMFLAG_MNEMONICS.join(' ')})`);
      }
      continue;
    }
    const k = FIELD_RE.exec(t);
    if (k === null) throw new InputError(`${where}: not an smaps line: expected "Key: N kB" or "VmFlags: ..", got "${clip(t)}"`);
    if (cur.sawFlags) throw new InputError(`${where}: "${k[1]}:" after VmFlags: (VmFlags: is a VMA's last line)`);
    if (cur.fields.has(k[1]!)) throw new InputError(`${where}: a second ${k[1]}: line for the VMA at line ${cur.line}`);
    const n = Number(k[2]!) * (k[3] === 'kB' ? 1024 : 1);
    if (!Number.isSafeInteger(n)) throw new InputError(`${where}: ${k[1]}: ${k[2]} is too large`);
    cur.fields.set(k[1]!, n);
  }
  finish();
  if (out.length === 0 && prevLine === 0) throw new InputError(`${file}: not an smaps file: no VMA header line in it`);
  return out;
}

export function readSmaps(path: string): SmapsVma[] {
  return parseSmaps(readText(path, 'smaps files'), path);
}
