// check's kernel: `--kernel <release>`, or the capture's "# kernel:" line (scripts/capture-kprobes.sh
// writes `uname -r` there): one release, read as input/kernels.ts reads --kernel.

import type { KernelVersion } from '../kernel/eras.ts';
import { InputError } from '../model/errors.ts';
import { parseKernels } from './kernels.ts';

/** The release to simulate: the flag, else what the capture says; `where` names the capture. */
export function resolveKernel(flag: string | undefined, captured: string | null, where: string): { release: string; version: KernelVersion } {
  const release = flag ?? captured;
  if (release === null) {
    throw new InputError(`--kernel: needed: ${where} does not say which kernel it was captured on (give uname -r, e.g. --kernel 6.12.117+deb13-amd64)`);
  }
  const from = flag !== undefined ? '--kernel' : `${where}: # kernel`;
  const versions = parseKernels(release, from);
  if (versions.length !== 1) throw new InputError(`${from}: one release, the captured host's, got ${versions.length}`);
  return { release, version: versions[0]! };
}
