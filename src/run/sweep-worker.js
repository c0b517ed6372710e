// The entry of a sweep worker thread: the thread starts without the main thread's TypeScript
// loader (tsx registered by bin/ at run time, or by `node --import tsx`), so register it here,
// then load the worker itself. Plain JS on purpose: this is the file Node can load first.

import { register } from 'tsx/esm/api';

register();
await import('./sweep-worker.ts');
