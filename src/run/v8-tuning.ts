// The simulator's per-page paths are deep call chains of small functions (the kernel's own
// shape: vfio_pin_pages_remote -> vaddr_get_pfn -> get_user_pages -> find_vma ...). V8's
// default inlining budget stops short of the whole chain; a larger one runs it ~1.3-1.5x
// faster. Must run before the hot code is first optimised (imported first by bin/ and bench/).

import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--max-inlined-bytecode-size-cumulative=3000');
setFlagsFromString('--max-inlined-bytecode-size=800');
