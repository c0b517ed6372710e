// The entry of a sweep worker thread when running the TypeScript sources (tests and bench/,
// under `node --import tsx`): the thread starts without the main thread's loader, so register
// tsx here, then load the worker itself. Plain JS on purpose: this is the file Node can load
// first. From dist/ this file is not used: tsc compiles sweep-worker.ts to dist/run/
// sweep-worker.js, the same URL sweep-pool.ts asks for, and that runs without tsx.

import { register } from 'tsx/esm/api';

register();
await import('./sweep-worker.ts');
