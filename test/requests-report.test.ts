// The DMA requests table: runs per request and each strategy's errno.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gridText } from '../src/report/grid.ts';
import { requestsGrid } from '../src/report/run/requests.ts';
import { runLayout } from '../src/run/runner.ts';
import { STRATEGIES } from '../src/strategies/registry.ts';
import { anon, layout, M, map, PAGE, unmap, VA_RAM } from './layouts.ts';

test('requests table: phys runs from the page tables, errno per strategy', async () => {
  const l = layout(
    [anon('ram', VA_RAM, 64 * M, true, { policy: 'runs', bytes: 16 * PAGE })],
    [map(VA_RAM, 0, 64 * M), map(VA_RAM, 0, 4 * M)], // the second overlaps the first: -EEXIST
  );
  const fx = await runLayout(l, 'test', { strategies: STRATEGIES, profile: 'xeon-e5-2.6ghz', timeMs: 1, iterations: 1, timed: false });
  const g = requestsGrid(fx);
  const names = STRATEGIES.map((s) => s.name);
  assert.deepEqual(g.head, ['#', 'op', 'label', 'iova', 'size', 'phys runs', ...names]);
  // 64 MiB in runs of 16 pages: 1,024 runs; the 4 MiB head: 64 runs
  assert.deepEqual(gridText(g), [
    ['0', 'map', '', '0x0', '64 MiB', '1,024', ...names.map(() => 'ok')],
    ['1', 'map', '', '0x0', '4 MiB', '64', ...names.map(() => '-EEXIST')],
  ]);
  assert.equal(g.rows[1]![6]!.tone, 'bad');
});

test('requests table: every unmap shows the size the kernel reported unmapped, or its errno', async () => {
  const l = layout(
    [anon('ram', VA_RAM, 64 * M)],
    // 16 MiB at iova 0; unmapping its first 8 MiB bisects it (v2: -EINVAL, nothing reported);
    // the whole 16 MiB and then 32 MiB over nothing: size 16 MiB, then 0
    [map(VA_RAM, 0, 16 * M), unmap(0, 8 * M), unmap(0, 16 * M), unmap(0, 32 * M)],
  );
  const fx = await runLayout(l, 'test', { strategies: STRATEGIES, profile: 'xeon-e5-2.6ghz', timeMs: 1, iterations: 1, timed: false });
  const rows = gridText(requestsGrid(fx));
  assert.deepEqual(rows.slice(1).map((r) => r.slice(6)), [
    STRATEGIES.map(() => '-EINVAL'),
    STRATEGIES.map(() => 'ok (16 MiB)'),
    STRATEGIES.map(() => 'ok (0 B)'),
  ]);
  const q = fx.strategies[0]!.requests;
  assert.deepEqual(q.map((r) => r.unmapped), [undefined, undefined, 16 * M, 0]);
});
