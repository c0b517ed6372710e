// `--kernel <release>[,<release>...]`: releases as `uname -r` prints them ("6.12.117+deb13-amd64",
// "5.15.0-91-generic") or "6.8"; each must be a release the era table covers.

import { formatVersion, type KernelVersion } from '../kernel/eras.ts';
import { inRange, parseKernelRelease, SUPPORTED_RANGE } from '../kernel/host.ts';
import { InputError } from '../model/errors.ts';
import { describe } from './size.ts';

/** What a near miss meant: "linux-6.12" or "Linux 6.12" (a composed strategy's name) -> "6.12". */
function releaseHint(item: string): string {
  const m = /^linux[- ]?v?(\d+\.\d+\S*)$/i.exec(item.trim());
  return m !== null && parseKernelRelease(m[1]!) !== null ? `; did you mean ${m[1]}?` : '';
}

export function parseKernels(text: string, where: string): KernelVersion[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new InputError(`${where}: expected kernel releases separated by commas, e.g. 6.12 or 6.1,6.18 (modelled: ${SUPPORTED_RANGE})`);
  const out: KernelVersion[] = [];
  for (const item of items) {
    const v = parseKernelRelease(item);
    if (v === null) throw new InputError(`${where}: ${describe(item)} is not a kernel release${releaseHint(item)} (expected e.g. 6.12, 5.15.0-91-generic or the output of uname -r; modelled: ${SUPPORTED_RANGE})`);
    if (!inRange(v)) throw new InputError(`${where}: Linux ${formatVersion(v)} is outside the modelled releases ${SUPPORTED_RANGE}`);
    if (!out.includes(v)) out.push(v);
  }
  return out;
}
