/**
 * A plain-JS copy of a tree-sitter tree, read once with a TreeCursor.
 *
 * web-tree-sitter's `Node` objects are marshalled out of wasm on every `children` / `namedChildren` call, which
 * made converting a 20k-line file take seconds; a cursor walk that copies type, offsets and flags is ~10x
 * cheaper, and the copy stays valid after `tree.delete()`. The property names mirror `Node`'s so the converter
 * reads like ordinary tree-sitter code.
 */
import type { Language, Node, Tree } from 'web-tree-sitter';

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
export function snapshot(tree: Tree | Node, text?: string): Snapshot {
  const cursor = tree.walk();
  try {
    // MISSING nodes only exist in a tree with errors: skip that call per node otherwise.
    const mayMiss = 'rootNode' in tree ? tree.rootNode.hasError : tree.hasError;
    const language = 'rootNode' in tree ? tree.language : tree.tree.language;
    const table = typeTable(language);
    const comments: SNode[] = [];
    /** The node `make` just read is a token (see typeInfo). */
    let leaf = false;
    // One wasm call for the type id instead of two (type + isNamed): names and named-ness come from a
    // per-language table. In a tree without errors, anonymous nodes are tokens of the grammar (the HCL grammar
    // has no aliases), so they have no children and their text is their type: their end offset is computed
    // and the cursor does not try to descend into them.
    const make = (parent: PlainNode | null): PlainNode => {
      const id = cursor.nodeTypeId;
      let info = table[id];
      if (info === undefined) info = table[id] = typeInfo(language, id);
      const start = cursor.startIndex;
      const n =
        !mayMiss && !info.named
          ? new PlainNode(info.type, false, false, start, start + info.type.length, parent)
          : new PlainNode(info.type, info.named, mayMiss && cursor.nodeIsMissing, start, cursor.endIndex, parent);
      if (info.comment) comments.push(n);
      leaf = info.leaf;
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
        if (!mayMiss && text !== undefined && !leaf && fromText(child, text)) {
          // children made from the text: the cursor stays on `child`
        } else if ((mayMiss || !leaf) && cursor.gotoFirstChild()) {
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

/** An identifier of nothing but ASCII letters, digits, `_` and `-` (a subset of the grammar's identifier token). */
const SIMPLE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/**
 * String content that is one template literal chunk for certain: no interpolation or directive (`$`, `%`), no
 * escape, no whitespace, nothing that starts a comment.
 */
const SIMPLE_STRING = /^[^\s"\\$%#]+$/;

/**
 * In a tree without errors, a few very common small subtrees are fully determined by their text: their children
 * are made here instead of read through the cursor (a third of the calls into wasm). `variable_expr` is one
 * `identifier`; `get_attr` of `.name` is `.` and `identifier`; a `"..."` string_lit with plain content is
 * quoted_template_start, template_literal, quoted_template_end; `block_start` & co. and `bool_lit` are one token.
 * Returns false (read the children) otherwise.
 */
function fromText(n: PlainNode, text: string): boolean {
  const s = n.startIndex;
  const e = n.endIndex;
  switch (n.type) {
    case 'variable_expr':
      if (!SIMPLE_IDENTIFIER.test(text.slice(s, e))) return false;
      n.add(new PlainNode('identifier', true, false, s, e, n));
      return true;
    case 'get_attr':
      if (text.charCodeAt(s) !== 46 /* . */ || !SIMPLE_IDENTIFIER.test(text.slice(s + 1, e))) return false;
      n.add(new PlainNode('.', false, false, s, s + 1, n));
      n.add(new PlainNode('identifier', true, false, s + 1, e, n));
      return true;
    case 'string_lit': {
      if (e - s < 3 || text.charCodeAt(s) !== 34 /* " */ || text.charCodeAt(e - 1) !== 34) return false;
      const content = text.slice(s + 1, e - 1);
      if (!SIMPLE_STRING.test(content) || content.includes('//') || content.includes('/*')) return false;
      n.add(new PlainNode('quoted_template_start', true, false, s, s + 1, n));
      n.add(new PlainNode('template_literal', true, false, s + 1, e - 1, n));
      n.add(new PlainNode('quoted_template_end', true, false, e - 1, e, n));
      return true;
    }
    case 'block_start':
    case 'object_start':
      return punctuation(n, text, '{');
    case 'block_end':
    case 'object_end':
      return punctuation(n, text, '}');
    case 'tuple_start':
      return punctuation(n, text, '[');
    case 'tuple_end':
      return punctuation(n, text, ']');
    case 'bool_lit': {
      const t = text.slice(s, e);
      return (t === 'true' || t === 'false') && punctuation(n, text, t);
    }
    default:
      return false;
  }
}

/** A rule that is one literal token (`block_start` is `{`): its one anonymous child spans all of it. */
function punctuation(n: PlainNode, text: string, token: string): boolean {
  if (n.endIndex - n.startIndex !== token.length || !text.startsWith(token, n.startIndex)) return false;
  n.add(new PlainNode(token, false, false, n.startIndex, n.endIndex, n));
  return true;
}

interface TypeInfo {
  type: string;
  named: boolean;
  comment: boolean;
  /** A token of the grammar: never has children. */
  leaf: boolean;
}

const tables = new WeakMap<Language, (TypeInfo | undefined)[]>();

function typeTable(language: Language): (TypeInfo | undefined)[] {
  let t = tables.get(language);
  if (!t) tables.set(language, (t = []));
  return t;
}

function typeInfo(language: Language, id: number): TypeInfo {
  // the same as TreeCursor.nodeType / nodeIsNamed (the ERROR symbol is named)
  const type = language.types[id] || 'ERROR';
  const named = type === 'ERROR' ? true : language.nodeTypeIsNamed(id);
  // tree-sitter numbers the tokens first and the rules after them, starting with the grammar's first rule
  // (`config_file` for HCL): a smaller id is a token. Anonymous nodes are tokens too (the grammar has no aliases).
  const firstRule = language.idForNodeType('config_file', true);
  const token = type !== 'ERROR' && (!named || (firstRule !== null && firstRule > 0 && id > 0 && id < firstRule));
  return { type, named, comment: type === 'comment', leaf: token };
}

