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

/** The CLI in this process (no start-up cost): exit code and what it wrote; colour off. */
export async function inproc(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../src/cli/program.ts');
  let stdout = '';
  let stderr = '';
  const io = {
    out: (t: string) => void (stdout += t), err: (t: string) => void (stderr += t),
    stdoutColor: false, stderrIsTTY: false, stderrColumns: 80, env,
  };
  const code = await main(['node', 'vfio-pin-bench', ...args], io);
  return { code, stdout, stderr };
}
