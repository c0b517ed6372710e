// lib/rbtree.c: the kernel's red-black tree, ported case for case (rb_insert_color(),
// rb_erase(), rb_first(), rb_next(); no augmented callbacks). The shape a sequence of inserts
// and erases leaves is the kernel's, so a search that returns "the first overlapping node on
// its path" (vfio_find_dma() before 5.12) returns what the kernel's would.

export const RB_RED = 0;
export const RB_BLACK = 1;

/** struct rb_node: __rb_parent_color split into parent and colour. */
export class RbNode {
  rb_parent: RbNode | null = null;
  rb_color: number = RB_RED;
  rb_left: RbNode | null = null;
  rb_right: RbNode | null = null;
}

/** struct rb_root. */
export interface RbRoot {
  rb_node: RbNode | null;
}

// rb_link_node(): a new red leaf under parent (left or right).
export function rb_link_node(node: RbNode, parent: RbNode | null, root: RbRoot, left: boolean): void {
  node.rb_parent = parent;
  node.rb_color = RB_RED;
  node.rb_left = node.rb_right = null;
  if (parent === null) root.rb_node = node;
  else if (left) parent.rb_left = node;
  else parent.rb_right = node;
}

const isRed = (n: RbNode | null): boolean => n !== null && n.rb_color === RB_RED;

// __rb_change_child(): make `parent` (or the root) point at `nw` where it pointed at `old`.
function __rb_change_child(old: RbNode, nw: RbNode | null, parent: RbNode | null, root: RbRoot): void {
  if (parent) {
    if (parent.rb_left === old) parent.rb_left = nw;
    else parent.rb_right = nw;
  } else {
    root.rb_node = nw;
  }
}

// __rb_rotate_set_parents(): nw takes old's parent and colour; old becomes nw's child, `color`.
function __rb_rotate_set_parents(old: RbNode, nw: RbNode, root: RbRoot, color: number): void {
  const parent = old.rb_parent;
  nw.rb_parent = parent;
  nw.rb_color = old.rb_color;
  old.rb_parent = nw;
  old.rb_color = color;
  __rb_change_child(old, nw, parent, root);
}

// __rb_insert() / rb_insert_color(): rebalance after rb_link_node().
export function rb_insert_color(node: RbNode, root: RbRoot): void {
  let parent = node.rb_parent;
  let gparent: RbNode;
  let tmp: RbNode | null;
  for (;;) {
    // Loop invariant: node is red.
    if (parent === null) {
      node.rb_parent = null;
      node.rb_color = RB_BLACK;
      break;
    }
    if (parent.rb_color === RB_BLACK) break;
    gparent = parent.rb_parent!;
    tmp = gparent.rb_right;
    if (parent !== tmp) {
      // parent == gparent->rb_left
      if (isRed(tmp)) {
        // Case 1 - node's uncle is red (color flips).
        tmp!.rb_color = RB_BLACK;
        parent.rb_color = RB_BLACK;
        node = gparent;
        parent = node.rb_parent;
        node.rb_color = RB_RED;
        continue;
      }
      tmp = parent.rb_right;
      if (node === tmp) {
        // Case 2 - node's uncle is black and node is the parent's right child (left rotate at parent).
        tmp = node.rb_left;
        parent.rb_right = tmp;
        node.rb_left = parent;
        if (tmp) {
          tmp.rb_parent = parent;
          tmp.rb_color = RB_BLACK;
        }
        parent.rb_parent = node;
        parent.rb_color = RB_RED;
        parent = node;
        tmp = node.rb_right;
      }
      // Case 3 - node's uncle is black and node is the parent's left child (right rotate at gparent).
      gparent.rb_left = tmp; // == parent->rb_right
      parent.rb_right = gparent;
      if (tmp) {
        tmp.rb_parent = gparent;
        tmp.rb_color = RB_BLACK;
      }
      __rb_rotate_set_parents(gparent, parent, root, RB_RED);
      break;
    } else {
      tmp = gparent.rb_left;
      if (isRed(tmp)) {
        // Case 1 - color flips
        tmp!.rb_color = RB_BLACK;
        parent.rb_color = RB_BLACK;
        node = gparent;
        parent = node.rb_parent;
        node.rb_color = RB_RED;
        continue;
      }
      tmp = parent.rb_left;
      if (node === tmp) {
        // Case 2 - right rotate at parent
        tmp = node.rb_right;
        parent.rb_left = tmp;
        node.rb_right = parent;
        if (tmp) {
          tmp.rb_parent = parent;
          tmp.rb_color = RB_BLACK;
        }
        parent.rb_parent = node;
        parent.rb_color = RB_RED;
        parent = node;
        tmp = node.rb_left;
      }
      // Case 3 - left rotate at gparent
      gparent.rb_right = tmp; // == parent->rb_left
      parent.rb_left = gparent;
      if (tmp) {
        tmp.rb_parent = gparent;
        tmp.rb_color = RB_BLACK;
      }
      __rb_rotate_set_parents(gparent, parent, root, RB_RED);
      break;
    }
  }
}

// __rb_erase_augmented() (no callbacks): unlink node; returns the parent to rebalance from, or null.
function __rb_erase(node: RbNode, root: RbRoot): RbNode | null {
  const child = node.rb_right;
  let tmp = node.rb_left;
  let parent: RbNode | null;
  let rebalance: RbNode | null;

  if (!tmp) {
    // Case 1: node to erase has no more than 1 child (easy!). A lone child is red, node black:
    // the child takes node's place and colour, no rebalance.
    parent = node.rb_parent;
    __rb_change_child(node, child, parent, root);
    if (child) {
      child.rb_parent = parent;
      child.rb_color = node.rb_color;
      rebalance = null;
    } else {
      rebalance = node.rb_color === RB_BLACK ? parent : null;
    }
  } else if (!child) {
    // Still case 1, but this time the child is node->rb_left
    parent = node.rb_parent;
    tmp.rb_parent = parent;
    tmp.rb_color = node.rb_color;
    __rb_change_child(node, tmp, parent, root);
    rebalance = null;
  } else {
    let successor: RbNode = child;
    let child2: RbNode | null;
    tmp = child.rb_left;
    if (!tmp) {
      // Case 2: node's successor is its right child
      parent = successor;
      child2 = successor.rb_right;
    } else {
      // Case 3: node's successor is leftmost under node's right child subtree
      do {
        parent = successor;
        successor = tmp;
        tmp = tmp.rb_left;
      } while (tmp);
      child2 = successor.rb_right;
      parent.rb_left = child2;
      successor.rb_right = child;
      child.rb_parent = successor;
    }
    tmp = node.rb_left!;
    successor.rb_left = tmp;
    tmp.rb_parent = successor;

    const up = node.rb_parent;
    __rb_change_child(node, successor, up, root);

    if (child2) {
      child2.rb_parent = parent;
      child2.rb_color = RB_BLACK;
      rebalance = null;
    } else {
      rebalance = successor.rb_color === RB_BLACK ? parent : null;
    }
    successor.rb_parent = up;
    successor.rb_color = node.rb_color;
  }
  return rebalance;
}

// ____rb_erase_color(): restore the black heights below `parent` after an erase.
function __rb_erase_color(parent: RbNode, root: RbRoot): void {
  let node: RbNode | null = null;
  let sibling: RbNode;
  let tmp1: RbNode | null;
  let tmp2: RbNode | null;
  for (;;) {
    // Loop invariants: node is black (or NULL on first iteration); node is not the root (parent
    // is not NULL); all leaf paths through parent and node have one black node less than others.
    sibling = parent.rb_right!;
    if (node !== sibling) {
      // node == parent->rb_left
      if (sibling.rb_color === RB_RED) {
        // Case 1 - left rotate at parent
        tmp1 = sibling.rb_left!;
        parent.rb_right = tmp1;
        sibling.rb_left = parent;
        tmp1.rb_parent = parent;
        tmp1.rb_color = RB_BLACK;
        __rb_rotate_set_parents(parent, sibling, root, RB_RED);
        sibling = tmp1;
      }
      tmp1 = sibling.rb_right;
      if (!isRed(tmp1)) {
        tmp2 = sibling.rb_left;
        if (!isRed(tmp2)) {
          // Case 2 - sibling color flip (p could be either color here)
          sibling.rb_color = RB_RED;
          if (parent.rb_color === RB_RED) {
            parent.rb_color = RB_BLACK;
          } else {
            node = parent;
            const up = node.rb_parent;
            if (up) {
              parent = up;
              continue;
            }
          }
          break;
        }
        // Case 3 - right rotate at sibling
        tmp1 = tmp2!.rb_right;
        sibling.rb_left = tmp1;
        tmp2!.rb_right = sibling;
        parent.rb_right = tmp2;
        if (tmp1) {
          tmp1.rb_parent = sibling;
          tmp1.rb_color = RB_BLACK;
        }
        tmp1 = sibling;
        sibling = tmp2!;
      }
      // Case 4 - left rotate at parent + color flips
      tmp2 = sibling.rb_left;
      parent.rb_right = tmp2;
      sibling.rb_left = parent;
      tmp1!.rb_parent = sibling;
      tmp1!.rb_color = RB_BLACK;
      if (tmp2) tmp2.rb_parent = parent;
      __rb_rotate_set_parents(parent, sibling, root, RB_BLACK);
      break;
    } else {
      sibling = parent.rb_left!;
      if (sibling.rb_color === RB_RED) {
        // Case 1 - right rotate at parent
        tmp1 = sibling.rb_right!;
        parent.rb_left = tmp1;
        sibling.rb_right = parent;
        tmp1.rb_parent = parent;
        tmp1.rb_color = RB_BLACK;
        __rb_rotate_set_parents(parent, sibling, root, RB_RED);
        sibling = tmp1;
      }
      tmp1 = sibling.rb_left;
      if (!isRed(tmp1)) {
        tmp2 = sibling.rb_right;
        if (!isRed(tmp2)) {
          // Case 2 - sibling color flip
          sibling.rb_color = RB_RED;
          if (parent.rb_color === RB_RED) {
            parent.rb_color = RB_BLACK;
          } else {
            node = parent;
            const up = node.rb_parent;
            if (up) {
              parent = up;
              continue;
            }
          }
          break;
        }
        // Case 3 - left rotate at sibling
        tmp1 = tmp2!.rb_left;
        sibling.rb_right = tmp1;
        tmp2!.rb_left = sibling;
        parent.rb_left = tmp2;
        if (tmp1) {
          tmp1.rb_parent = sibling;
          tmp1.rb_color = RB_BLACK;
        }
        tmp1 = sibling;
        sibling = tmp2!;
      }
      // Case 4 - right rotate at parent + color flips
      tmp2 = sibling.rb_right;
      parent.rb_left = tmp2;
      sibling.rb_right = parent;
      tmp1!.rb_parent = sibling;
      tmp1!.rb_color = RB_BLACK;
      if (tmp2) tmp2.rb_parent = parent;
      __rb_rotate_set_parents(parent, sibling, root, RB_BLACK);
      break;
    }
  }
}

// rb_erase().
export function rb_erase(node: RbNode, root: RbRoot): void {
  const rebalance = __rb_erase(node, root);
  if (rebalance) __rb_erase_color(rebalance, root);
  node.rb_parent = node.rb_left = node.rb_right = null;
}

// rb_first(): the leftmost node.
export function rb_first(root: RbRoot): RbNode | null {
  let n = root.rb_node;
  if (!n) return null;
  while (n.rb_left) n = n.rb_left;
  return n;
}

// rb_next(): the in-order successor.
export function rb_next(node: RbNode): RbNode | null {
  // If we have a right-hand child, go down and then left as far as we can.
  if (node.rb_right) {
    node = node.rb_right;
    while (node.rb_left) node = node.rb_left;
    return node;
  }
  // No right-hand children: go up till we find an ancestor which is a left-hand child of its parent.
  let parent: RbNode | null;
  while ((parent = node.rb_parent) && node === parent.rb_right) node = parent;
  return parent;
}
