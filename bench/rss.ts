// Peak RSS of whole CLI processes (bench/child.ts: process.resourceUsage().maxRSS at exit, the
// bin from dist/), against bare `node -e 0`: start-up, and one strategy on guest RAM of 4 KiB
// pages and of 1 GiB hugetlb pages (--no-timing: the simulation's own memory). Issue 15's
// targets: 1 TiB of 4 KiB RAM under 400 MiB, 4 TiB under 1.5 GiB (`--full` runs 1 TiB: about
// a minute). `node --import tsx bench/rss.ts [--full] [--json]`; index.ts calls peakRss().

import { measureNode } from './child.ts';

const BIN = new URL('../bin/vfio-pin-bench.js', import.meta.url).pathname;

export interface RssRow {
  name: string;
  maxRssMiB: number;
  cpuMs: number;
  /** issue 15's target for this row, MiB */
  targetMiB?: number;
}

const run = (ram: string, backing: string): string[] => [BIN, 'run', '--ram', ram, '--backing', backing, '--memlock', 'unlimited', '-s', 'baseline', '--no-timing', '--quiet', '--json'];

export function rssCases(full: boolean): { name: string; argv: string[]; targetMiB?: number }[] {
  return [
    { name: 'node -e 0', argv: ['-e', '0'] },
    { name: 'vfio-pin-bench --version', argv: [BIN, '--version'] },
    { name: 'vfio-pin-bench list', argv: [BIN, 'list'] },
    { name: 'run --ram 64G --backing 4k -s baseline --no-timing', argv: run('64G', '4k') },
    { name: 'run --ram 256G --backing hugetlb-1g -s baseline --no-timing', argv: run('256G', 'hugetlb-1g') },
    ...(full ? [{ name: 'run --ram 1T --backing 4k -s baseline --no-timing', argv: run('1T', '4k'), targetMiB: 400 }] : []),
  ];
}

export function peakRss(full: boolean): RssRow[] {
  return rssCases(full).map((c) => {
    const u = measureNode(c.argv, { rss: true });
    return { name: c.name, maxRssMiB: u.maxRssMiB!, cpuMs: u.cpuMs, ...(c.targetMiB !== undefined ? { targetMiB: c.targetMiB } : {}) };
  });
}

export function formatRss(rows: readonly RssRow[]): string {
  const w = Math.max(...rows.map((r) => r.name.length));
  const out = ['Peak RSS, whole process (maxRSS at exit):'];
  for (const r of rows) {
    const t = r.targetMiB === undefined ? '' : `  target < ${r.targetMiB} MiB: ${r.maxRssMiB < r.targetMiB ? 'met' : 'NOT met'}`;
    out.push(`  ${r.name.padEnd(w)}  ${`${r.maxRssMiB.toFixed(0)} MiB`.padStart(9)}  ${`(${(r.cpuMs / 1000).toFixed(1)} s CPU)`.padStart(13)}${t}`);
  }
  return out.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const rows = peakRss(args.includes('--full'));
  process.stdout.write(args.includes('--json') ? JSON.stringify(rows, null, 2) + '\n' : formatRss(rows));
}
