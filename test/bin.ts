// Spawning the real bin for end-to-end tests: exit code, stdout and stderr (colour off).

import { execFile } from 'node:child_process';

export const BIN = new URL('../bin/vfio-pin-bench.js', import.meta.url).pathname;

export function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}
