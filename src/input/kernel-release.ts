// `--kernel <release>` (or a capture's "# kernel:" line): a `uname -r` string such as
// "6.12.117+deb13-amd64" -> the mainline major.minor the simulator composes (kernel/host.ts).

import { formatVersion, type KernelVersion } from '../kernel/eras.ts';
import { inRange, parseKernelRelease, SUPPORTED_RANGE } from '../kernel/host.ts';
import { InputError } from '../model/errors.ts';

/** The release to simulate: the flag, else what the capture says; `where` names the capture. */
export function resolveKernel(flag: string | undefined, captured: string | null, where: string): { release: string; version: KernelVersion } {
  const release = flag ?? captured;
  const from = flag !== undefined ? '--kernel' : `${where}: # kernel`;
  if (release === null) {
    throw new InputError(`--kernel: needed: ${where} does not say which kernel it was captured on (give uname -r, e.g. --kernel 6.12.117+deb13-amd64)`);
  }
  const v = parseKernelRelease(release);
  if (v === null) throw new InputError(`${from}: expected a kernel release like "6.12" or "6.12.117+deb13-amd64", got "${release}"`);
  if (!inRange(v)) throw new InputError(`${from}: ${formatVersion(v)} is outside the kernels the simulator composes (${SUPPORTED_RANGE})`);
  return { release, version: v };
}
