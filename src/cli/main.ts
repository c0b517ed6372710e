// Entry point (bin/vfio-pin-bench.js imports this). Every write goes through cli/write-fd.ts:
// a full disk, a closed pipe (`run | head`) or an I/O error on stdout ends the run with one
// line on stderr and exit 74, never 0 (docs/reliability.md).

import { OutputError } from '../model/errors.ts';
import { EXIT_IO } from './exit-codes.ts';
import { writeFully } from './write-fd.ts';

// `--version` alone needs none of the commands: answer it before loading them (commander and
// every command's modules cost ~150 ms of start-up; bench/startup.ts measures it).
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { toolVersion } = await import('./version.ts');
  try {
    writeFully(1, `${toolVersion()}\n`, 'stdout');
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    try {
      writeFully(2, `${e.message}\n`, 'stderr');
    } catch {
      // stderr cannot be written either: the exit code says it
    }
    process.exitCode = EXIT_IO;
  }
} else {
  const { main } = await import('./program.ts');
  process.exitCode = await main(process.argv);
}
