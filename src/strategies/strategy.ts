// What a strategy is: the kernel functions a patch replaces, as an ops record whose two
// entry points keep stable signatures, plus what it models.

import type { VfioPinOps } from '../kernel/kernel.ts';

export interface Strategy extends VfioPinOps {
  /** --strategy name. */
  name: string;
  /** the kernel version or patch modelled, e.g. "Linux 4.16". */
  kernel: string;
  /** one line for `list`. */
  description: string;
  /** where the modelled code comes from (release tag, commit, or list post). */
  source: string;
  /** a patch of this project's, in no kernel: runs only when named (-s), never by default. */
  proposal?: true;
}
