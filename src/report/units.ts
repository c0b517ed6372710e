// Number formatting for reports: counts, durations, sizes, the maintainer's "0.400 s (42.9 GB/s)".
// Pure; exact for integers below 2^53 (no 32-bit bit operators).

/** 4194304 -> "4,194,304" (locale-independent). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const r = Math.round(n);
  const digits = Math.abs(r).toString();
  return (r < 0 ? '-' : '') + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** n -> "0x7f0000000000"; null -> "none". */
export function formatHex(n: number | null): string {
  if (n === null) return 'none';
  return `${n < 0 ? '-' : ''}0x${Math.abs(n).toString(16)}`;
}

/** Three significant digits, no trailing noise: 1.234 -> "1.23", 12.34 -> "12.3", 123.4 -> "123". */
function sig3(v: number): string {
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toString();
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** Nanoseconds in the largest unit that keeps the value >= 1: "850 ns", "12.3 us", "1.23 ms", "2.50 s". */
export function formatDuration(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1e3) return `${sig3(ns)} ns`;
  // 999.6 us rounds to "1000 us": step up a unit once the rounded value reaches 1000.
  if (a < 1e6 && Math.round(a / 1e3) < 1000) return `${sig3(ns / 1e3)} us`;
  if (a < 1e9 && Math.round(a / 1e6) < 1000) return `${sig3(ns / 1e6)} ms`;
  return `${sig3(ns / 1e9)} s`;
}

/** GB/s (1e9 bytes per second) for `bytes` moved in `ns`: bytes / ns. */
function formatThroughput(bytes: number, ns: number): string {
  const gbps = bytes / ns;
  return gbps < 1000 ? `${gbps.toFixed(1)} GB/s` : `${formatCount(gbps)} GB/s`;
}

/**
 * Modelled kernel time the way the VFIO maintainer's test programs print it:
 * "0.400 s (42.9 GB/s)". Below 1 ms seconds would read "0.000 s", so auto units are used.
 */
export function formatModelled(ns: number, bytes: number): string {
  const time = ns >= 1e6 ? `${(ns / 1e9).toFixed(3)} s` : formatDuration(ns);
  if (bytes <= 0 || ns <= 0) return time;
  return `${time} (${formatThroughput(bytes, ns)})`;
}

/** How many times faster than the reference: "1.0x", "12.5x", "266667x"; "-" when undefined. */
export function formatSpeedup(referenceNs: number, ns: number): string {
  if (!(referenceNs > 0) || !(ns > 0)) return '-';
  const x = referenceNs / ns;
  return x < 100 ? `${x.toFixed(1)}x` : `${Math.round(x)}x`;
}

/** Relative margin of error (percent) as "± 1.2%". */
export function formatRme(rme: number): string {
  return `± ${rme.toFixed(1)}%`;
}

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes in the largest binary unit, at most two decimals: "16 GiB", "1.5 MiB", "0 B". */
export function formatBytes(bytes: number, sep = ' '): string {
  let i = 0;
  while (i < IEC.length - 1 && Math.abs(bytes) >= 1024 ** (i + 1)) i++;
  const v = Math.round((bytes / 1024 ** i) * 100) / 100;
  return `${v}${sep}${IEC[i]}`;
}

/** A page or PTE size the kernel's way: 4096 -> "4K", 2 MiB -> "2M", 1 GiB -> "1G". */
export function formatPageSize(bytes: number): string {
  const units: [number, string][] = [[2 ** 40, 'T'], [2 ** 30, 'G'], [2 ** 20, 'M'], [2 ** 10, 'K']];
  for (const [size, suffix] of units) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${suffix}`;
  }
  return String(bytes);
}
