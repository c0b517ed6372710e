// The light command table (cli/commands.ts) against the real commands: `--help` lists the same
// terms and summaries whether or not a command's module is loaded, and main() loads only the
// command argv names (start-up: bench/startup.ts).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Help } from 'commander';
import { COMMANDS, commandNamed } from '../src/cli/commands.ts';
import { buildProgram, loadCommands } from '../src/cli/program.ts';
import type { Io } from '../src/cli/io.ts';

function bufferIo(): Io & { text: () => string } {
  let s = '';
  return { out: (t) => void (s += t), err: (t) => void (s += t), stdoutColor: false, stderrIsTTY: false, stderrColumns: 80, env: {}, text: () => s };
}

const ALL = await loadCommands();

describe('cli/commands.ts', () => {
  test('every command of the program has a row, in the same order, and no row is extra', () => {
    const program = buildProgram(bufferIo(), undefined, ALL);
    assert.deepEqual(program.commands.map((c) => c.name()).filter((n) => n !== 'help'), COMMANDS.map((c) => c.name));
  });

  test('each row\'s term and summary are the real command\'s', () => {
    const program = buildProgram(bufferIo(), undefined, ALL);
    const help = new Help();
    for (const row of COMMANDS) {
      const cmd = program.commands.find((c) => c.name() === row.name)!;
      assert.equal(help.subcommandTerm(cmd), row.term, row.name);
      assert.equal(cmd.summary(), row.summary, row.name);
    }
  });

  test('--help is the same text with no command loaded, one loaded, or all of them', async () => {
    const texts: string[] = [];
    for (const loaded of [new Map(), await loadCommands(['run']), ALL]) {
      const io = bufferIo();
      assert.throws(() => buildProgram(io, undefined, loaded).parse(['node', 'vfio-pin-bench', '--help']), { exitCode: 0 });
      texts.push(io.text());
    }
    assert.match(texts[0]!, /\n {2}run \[options\] \[fixture\.\.\.\] +simulate the DMA-map path/);
    assert.equal(texts[1], texts[0]);
    assert.equal(texts[2], texts[0]);
  });

  test('commandNamed: the first operand, or the one after help', () => {
    const cases: [string[], string | undefined][] = [
      [[], undefined], [['--help'], undefined], [['-V'], undefined], [['run'], 'run'], [['run', 'multi-gpu', '--json'], 'run'],
      [['--help', 'list'], 'list'], [['help'], undefined], [['help', 'sweep'], 'sweep'], [['import', 'smaps', 'x'], 'import'], [['rnu'], 'rnu'],
    ];
    for (const [args, want] of cases) assert.equal(commandNamed(args), want, args.join(' '));
  });

  test('loadCommands loads only the rows named (an unknown name loads none)', async () => {
    assert.deepEqual([...(await loadCommands(['list', 'rnu'])).keys()], ['list']);
    assert.equal((await loadCommands([])).size, 0);
  });
});
