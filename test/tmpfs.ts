// A small filesystem for the full-disk and read-only tests: a tmpfs of a few KiB mounted on a
// fresh folder (needs root and a kernel that lets the test mount; null when it cannot, and the
// caller skips). Each call mounts its own, so test files running in parallel never share one.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  /** unmounts and removes the folder. */
  close(): void;
}

export function mountTmpfs(options: string): Tmpfs | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'vpb-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    close: () => {
      try {
        execFileSync('umount', [dir], { stdio: 'ignore' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Why a test was skipped, for its diagnostic line. */
export const NO_TMPFS = 'cannot mount a tmpfs here (needs root on Linux): the full-disk case is not exercised';
