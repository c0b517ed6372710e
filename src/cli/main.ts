// Entry point (bin/vfio-pin-bench.js imports this).

// `vfio-pin-bench run | head`: a closed pipe is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

// `--version` alone needs none of the commands: answer it before loading them (commander and
// every command's modules cost ~150 ms of start-up; bench/startup.ts measures it).
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { toolVersion } = await import('./version.ts');
  process.stdout.write(`${toolVersion()}\n`);
} else {
  const { main } = await import('./program.ts');
  process.exitCode = await main(process.argv);
}
