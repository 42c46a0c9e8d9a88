/**
 * A plain-JS copy of a tree-sitter tree, read once with a TreeCursor.
 *
 * web-tree-sitter's `Node` objects are marshalled out of wasm on every `children` / `namedChildren` call, which
 * made converting a 20k-line file take seconds; a cursor walk that copies type, offsets and flags is ~10x
 * cheaper, and the copy stays valid after `tree.delete()`. The property names mirror `Node`'s so the converter
 * reads like ordinary tree-sitter code.
 */
import type { Node, Tree } from 'web-tree-sitter';

export interface SNode {
  readonly type: string;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  readonly isError: boolean;
  /** The node is, or contains, an ERROR or MISSING node. */
  hasError: boolean;
  /** UTF-16 offsets into the parsed text. */
  readonly startIndex: number;
  readonly endIndex: number;
  readonly parent: SNode | null;
  readonly children: SNode[];
  readonly namedChildren: SNode[];
}

const NONE: SNode[] = [];

class PlainNode implements SNode {
  hasError: boolean;
  children: SNode[] = NONE;
  private named: SNode[] | undefined;

  constructor(
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
    readonly parent: SNode | null,
  ) {
    this.hasError = isMissing || type === 'ERROR';
  }

  get isError(): boolean {
    return this.type === 'ERROR';
  }

  get namedChildren(): SNode[] {
    if (!this.named) this.named = this.children.length === 0 ? NONE : this.children.filter((c) => c.isNamed);
    return this.named;
  }

  add(child: SNode): void {
    if (this.children === NONE) this.children = [];
    this.children.push(child);
  }
}

export interface Snapshot {
  root: SNode;
  /** Every `comment` node, in text order (comments are extras: they can sit anywhere in the tree). */
  comments: SNode[];
}

/**
 * Copies the whole tree, or one node's subtree (offsets stay those of the whole text; the copy's root has no
 * parent). The caller still owns (and must delete) the tree.
 */
export function snapshot(tree: Tree | Node): Snapshot {
  const cursor = tree.walk();
  try {
    // MISSING nodes only exist in a tree with errors: skip that call per node otherwise.
    const mayMiss = 'rootNode' in tree ? tree.rootNode.hasError : tree.hasError;
    const comments: SNode[] = [];
    const make = (parent: PlainNode | null): PlainNode => {
      const n = new PlainNode(cursor.nodeType, cursor.nodeIsNamed, mayMiss && cursor.nodeIsMissing, cursor.startIndex, cursor.endIndex, parent);
      if (n.type === 'comment') comments.push(n);
      return n;
    };
    const root = make(null);
    // iterative depth-first walk (deep expressions must not overflow the JS stack)
    const stack: PlainNode[] = [root];
    let node = root;
    if (cursor.gotoFirstChild()) {
      for (;;) {
        const child = make(node);
        node.add(child);
        if (cursor.gotoFirstChild()) {
          stack.push(child);
          node = child;
          continue;
        }
        if (child.hasError) node.hasError = true;
        while (!cursor.gotoNextSibling()) {
          if (!cursor.gotoParent() || stack.length === 1) {
            return { root, comments };
          }
          const done = stack.pop()!;
          node = stack[stack.length - 1];
          if (done.hasError) node.hasError = true;
        }
      }
    }
    return { root, comments };
  } finally {
    cursor.delete();
  }
}
