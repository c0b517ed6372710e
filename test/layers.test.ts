// The import rule (docs/architecture.md): dependencies point down, cli -> report/run ->
// verify/strategies/input -> kernel -> model, and no cycles. test/layers.ts checks the text.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphOf, sourceFiles, violations } from './layers.ts';

test('src/ keeps the import rule and has no import cycle', () => {
  const files = sourceFiles();
  assert.ok(files.size > 100, `only ${files.size} files read`);
  assert.deepEqual(violations(graphOf(files)), []);
});

test('a planted upward import and a planted cycle are caught', () => {
  const files = sourceFiles();
  const planted = new Map(files);
  planted.set('kernel/gup.ts', `${files.get('kernel/gup.ts')}\nimport { formatCount } from '../report/units.ts';\n`);
  assert.deepEqual(violations(graphOf(planted)), ['kernel/gup.ts imports report/units.ts: kernel/ may import only kernel, model']);
  const cyclic = new Map(files);
  cyclic.set('model/units.ts', `${files.get('model/units.ts')}\nimport type { Counters } from './counters.ts';\n`);
  cyclic.set('model/counters.ts', `${files.get('model/counters.ts')}\nimport { PAGE_SIZE } from './units.ts';\n`);
  assert.deepEqual(violations(graphOf(cyclic)), ['import cycle: model/counters.ts -> model/units.ts -> model/counters.ts']);
});

test('report/ formats records: it imports model/ only', () => {
  const g = graphOf(sourceFiles());
  for (const [file, targets] of g) {
    if (!file.startsWith('report/')) continue;
    for (const t of targets) assert.ok(t.startsWith('report/') || t.startsWith('model/'), `${file} imports ${t}`);
  }
});
