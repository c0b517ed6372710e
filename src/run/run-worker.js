// The entry of a run worker thread when running the TypeScript sources (tests, bench/, a
// checkout without dist/): the thread starts without the main thread's loader, so register tsx
// here, then load the worker itself. Plain JS on purpose, like sweep-worker.js. From dist/ this
// file is not used: tsc compiles run-worker.ts to dist/run/run-worker.js, the URL run-thread.ts
// asks for.

import { register } from 'tsx/esm/api';

register();
await import('./run-worker.ts');
