// Entry point (bin/vfio-pin-bench.js imports this).

import { main } from './program.ts';

// `vfio-pin-bench run | head`: a closed pipe is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv);
