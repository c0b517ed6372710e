// One whole child process, measured from outside: wall time, CPU time (user + sys, from bash's
// `time`, which reads getrusage(RUSAGE_CHILDREN) to the millisecond: the process is not
// changed), and on request its peak RSS (bench/max-rss.mjs, preloaded with --import, writes
// process.resourceUsage().maxRSS at exit). Used by startup.ts and index.ts.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ChildUsage {
  wallMs: number;
  /** user + sys, ms. */
  cpuMs: number;
  /** peak resident set, MiB (only when asked). */
  maxRssMiB?: number;
}

const PRELOAD = new URL('./max-rss.mjs', import.meta.url).href;

/** Runs `node ...nodeArgs` once; throws with its stderr if it exits non-zero. */
export function measureNode(nodeArgs: readonly string[], opts: { rss?: boolean; env?: Record<string, string> } = {}): ChildUsage {
  const dir = opts.rss === true ? mkdtempSync(join(tmpdir(), 'vpb-rss-')) : undefined;
  const rssFile = dir === undefined ? undefined : join(dir, 'rss');
  const argv = rssFile === undefined ? [...nodeArgs] : ['--import', PRELOAD, ...nodeArgs];
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...opts.env, ...(rssFile !== undefined ? { VPB_MAX_RSS_FILE: rssFile } : {}) };
  const r = spawnSync('bash', ['-c', 'TIMEFORMAT="%3R %3U %3S"; time "$@" >/dev/null 2>/dev/null', 'bash', process.execPath, ...argv], { env, encoding: 'utf8' });
  try {
    if (r.status !== 0) {
      const again = spawnSync(process.execPath, argv, { env, encoding: 'utf8' });
      throw new Error(`node ${nodeArgs.join(' ')} exited ${r.status}: ${String(again.stderr).trim().split('\n')[0]}`);
    }
    const [real, user, sys] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
    if (![real, user, sys].every((x) => Number.isFinite(x))) throw new Error(`bash time: unexpected output ${JSON.stringify(r.stderr)}`);
    const usage: ChildUsage = { wallMs: real! * 1000, cpuMs: (user! + sys!) * 1000 };
    if (rssFile !== undefined) usage.maxRssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
    return usage;
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
