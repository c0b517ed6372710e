// kernel/refcounts.ts RefDeltas (the page_ref_inc() / page_ref_dec() deltas a pin leaves):
// addEach() flips whole and partial bytes of one-bit entries; it must leave what add() one
// entry at a time leaves, including pages pinned twice (the second plane) and spilled values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RefDeltas } from '../src/kernel/refcounts.ts';

test('RefDeltas.addEach: partial bytes flip as add() one by one', () => {
  const r = new RefDeltas(64, false);
  r.addEach(3, 10, 1); // pages 3..12: bits 3-7 of byte 0, 0-4 of byte 1
  assert.deepEqual(Array.from({ length: 16 }, (_, i) => r.get(i)), [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  r.addEach(5, 2, 1); // pages 5, 6 now 2: the second plane
  assert.equal(r.get(5), 2);
  r.addEach(4, 4, -1); // 4 -> 0, 5 -> 1, 6 -> 1, 7 -> 0
  assert.deepEqual([3, 4, 5, 6, 7, 8].map((i) => r.get(i)), [1, 0, 1, 1, 0, 1]);
  assert.equal(r.dirty, 8); // 3, 5, 6, 8..12
});

test('RefDeltas.addEach equals add() per entry on random sequences', () => {
  const op = fc.record({ i: fc.nat({ max: 90 }), count: fc.nat({ max: 40 }), n: fc.constantFrom(1, -1, 1, -1, 2, -3), each: fc.boolean() });
  fc.assert(fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
    const a = new RefDeltas(140, false);
    const model = new Array<number>(140).fill(0);
    for (const { i, count, n, each } of ops) {
      if (each) a.addEach(i, count, n);
      else for (let q = i; q < i + count; q++) a.add(q, n);
      for (let q = i; q < i + count; q++) model[q]! += n;
    }
    assert.deepEqual(Array.from({ length: 140 }, (_, q) => a.get(q)), model);
    assert.equal(a.dirty, model.filter((v) => v !== 0).length);
  }), { numRuns: 3000 });
});
