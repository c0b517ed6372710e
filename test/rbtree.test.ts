// kernel/rbtree.ts (lib/rbtree.c): a shape derived by hand from the kernel's insert cases, and the
// red-black properties, in-order keys and parent links after random inserts and erases.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RB_BLACK, RB_RED, rb_erase, rb_first, rb_insert_color, rb_link_node, rb_next, RbNode, type RbRoot } from '../src/kernel/rbtree.ts';
import { params } from './arbitraries.ts';

class Node extends RbNode {
  constructor(readonly key: number) {
    super();
  }
}

/** vfio_link_dma()'s descent: left when key <= the node's key, then rb_insert_color(). */
function insert(root: RbRoot, n: Node): void {
  let link = root.rb_node as Node | null;
  let parent: Node | null = null;
  let left = false;
  while (link) {
    parent = link;
    left = n.key <= link.key;
    link = (left ? link.rb_left : link.rb_right) as Node | null;
  }
  rb_link_node(n, parent, root, left);
  rb_insert_color(n, root);
}

/** Pre-order "key colour" list: the tree's shape. */
function shape(n: RbNode | null): string[] {
  if (!n) return [];
  return [`${(n as Node).key}${n.rb_color === RB_BLACK ? 'B' : 'R'}`, ...shape(n.rb_left), ...shape(n.rb_right)];
}

/** Checks parent links, no red node with a red child, equal black heights; returns the black height. */
function check(n: RbNode | null, parent: RbNode | null): number {
  if (!n) return 1;
  assert.equal(n.rb_parent, parent, 'parent link');
  if (n.rb_color === RB_RED) assert.ok(!(n.rb_left?.rb_color === RB_RED || n.rb_right?.rb_color === RB_RED), 'red node with a red child');
  const l = check(n.rb_left, n);
  const r = check(n.rb_right, n);
  assert.equal(l, r, 'black heights differ');
  return l + (n.rb_color === RB_BLACK ? 1 : 0);
}

test('inserting 1..7 in order gives the kernel\'s shape', () => {
  // 1; 2 red right of 1; 3: uncle NULL -> case 3 (left rotate at 1): 2(1r, 3r); 4: uncle 1 red ->
  // case 1 flips 1, 3 black, 2 red, then 2 is the root -> black; 5: uncle NULL -> rotate at 3:
  // 4(3r, 5r); 6: uncle 3 red -> flip 3, 5 black, 4 red (parent 2 black: stop); 7: uncle NULL ->
  // rotate at 5: 6(5r, 7r).
  const root: RbRoot = { rb_node: null };
  for (let k = 1; k <= 7; k++) insert(root, new Node(k));
  assert.deepEqual(shape(root.rb_node), ['2B', '1B', '4R', '3B', '6B', '5R', '7R']);
  // rb_erase(2): two children, the successor 3 is the leftmost of 4's subtree (case 3); 3 was
  // black with no child: rebalance from 4, whose other child 6 is black with red children ->
  // case 4 left rotate at 4: 3(1, 6(4(-, 5r), 7)), 5 stays red, 4 and 7 black.
  rb_erase(root.rb_node!, root);
  assert.deepEqual(shape(root.rb_node), ['3B', '1B', '6R', '4B', '5R', '7B']);
  check(root.rb_node, null);
});

test('random inserts and erases keep the red-black properties and the order', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat({ max: 200 })), { maxLength: 300 }), (ops) => {
      const root: RbRoot = { rb_node: null };
      const live: Node[] = [];
      for (const [add, x] of ops) {
        if (add || live.length === 0) {
          const n = new Node(x);
          insert(root, n);
          live.push(n);
        } else {
          const [n] = live.splice(x % live.length, 1);
          rb_erase(n!, root);
        }
        if (root.rb_node) assert.equal(root.rb_node.rb_color, RB_BLACK, 'red root');
        check(root.rb_node, null);
        const keys: number[] = [];
        for (let n = rb_first(root); n; n = rb_next(n)) keys.push((n as Node).key);
        assert.deepEqual(keys, live.map((n) => n.key).sort((a, b) => a - b));
      }
    }),
    params(300),
  );
});
