/**
 * Terraform parser: one folder of `*.tf` (+ auto-loaded tfvars) -> one model `Unit`.
 *
 * Syntax: web-tree-sitter + the HCL grammar's `tree-sitter-terraform.wasm`. The tree never leaves this file
 * (and its helpers): everything is converted to the format-neutral model in `../model/types`.
 *
 * Offsets: web-tree-sitter is given JS strings, so `startIndex`/`endIndex` are UTF-16 code unit offsets, which
 * `LineIndex` turns into LSP positions.
 */
// `import = require` (not `import {..} from`): esbuild then resolves the package's `require` condition (the
// CJS build), so the CJS bundles in dist/ do not pull in the ESM build and its `import.meta`.
import TreeSitter = require('web-tree-sitter');
import { snapshot, type Snapshot, type SNode as TSNode } from './tf-tree';
import * as fs from 'fs';
import * as path from 'path';
// The ESM build of jsonc-parser: its UMD `main` cannot be bundled by esbuild (dynamic requires of ./impl/*).
import { parseTree as parseJsonTree, printParseErrorCode, type Node as JsonNode, type ParseError as JsonParseError } from 'jsonc-parser/lib/esm/main.js';
import { createRequire } from 'module';
import {
  emptyUnit,
  type Comment,
  type ExprValue,
  type Input,
  type InputAssignment,
  type ListValue,
  type Local,
  type ParseIssue,
  type MapEntry,
  type MapValue,
  type Range,
  type RefTarget,
  type RefValue,
  type Resource,
  type SourceFile,
  type Unit,
  type Value,
} from '../model/types';
import { shiftLines } from '../model/shift';
import { LineIndex } from './lines';
import { diffText, type TextChange } from './text-diff';

// ---------------------------------------------------------------------------------------------------------------
// Runtime + grammar loading

let parser: TreeSitter.Parser | undefined;
let initPromise: Promise<void> | undefined;

function firstExisting(candidates: (() => string | undefined)[]): string | undefined {
  for (const c of candidates) {
    let p: string | undefined;
    try {
      p = c();
    } catch {
      p = undefined;
    }
    if (p && fs.existsSync(p)) return p;
  }
  return undefined;
}

// createRequire: esbuild leaves it alone (a bare `require.resolve` makes it warn at build time).
const nodeRequire = createRequire(__filename);

function hclGrammarDir(): string {
  return path.dirname(nodeRequire.resolve('@tree-sitter-grammars/tree-sitter-hcl/package.json'));
}

/** Where the wasm files are: next to the running bundle (dist/), else in node_modules. */
export function terraformWasmPaths(): { runtime: string; grammar: string } {
  const runtime = firstExisting([
    () => path.join(__dirname, 'web-tree-sitter.wasm'),
    () => nodeRequire.resolve('web-tree-sitter/web-tree-sitter.wasm'),
  ]);
  const grammar = firstExisting([
    () => path.join(__dirname, 'tree-sitter-terraform.wasm'),
    () => path.join(hclGrammarDir(), 'tree-sitter-terraform.wasm'),
  ]);
  if (!runtime) throw new Error(`Terraform parser: web-tree-sitter.wasm not found next to ${__dirname} nor in node_modules`);
  if (!grammar) throw new Error(`Terraform parser: tree-sitter-terraform.wasm not found next to ${__dirname} nor in node_modules`);
  return { runtime, grammar };
}

/** Loads the tree-sitter runtime and the Terraform grammar, once. Safe to call any number of times. */
export async function initTerraform(): Promise<void> {
  if (!initPromise) {
    initPromise = (async () => {
      const { runtime, grammar } = terraformWasmPaths();
      await TreeSitter.Parser.init({ locateFile: () => runtime });
      const language = await TreeSitter.Language.load(grammar);
      const p = new TreeSitter.Parser();
      p.setLanguage(language);
      parser = p;
    })();
    initPromise.catch(() => {
      initPromise = undefined; // allow a retry after a failure
    });
  }
  return initPromise;
}

function getParser(): TreeSitter.Parser {
  if (!parser) throw new Error('Terraform parser not initialised: await initTerraform() before parseTerraformModule()');
  return parser;
}

/**
 * Parses a text and returns a plain copy of the tree (see tf-tree.ts); the tree-sitter tree is deleted here.
 * A leading BOM is replaced by a space so offsets are unchanged.
 * Incremental re-parsing would plug in here: keep the previous Tree per file (instead of deleting it), call
 * `tree.edit(...)` with the change, and pass it as `oldTree` to `parser.parse(text, oldTree)` (DESIGN.md timings).
 */
function parseText(text: string): Snapshot {
  const src = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  const tree = getParser().parse(src);
  if (!tree) throw new Error('Terraform parser: tree-sitter returned no tree');
  try {
    return snapshot(tree, src);
  } finally {
    tree.delete();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Module entry point

const TOP_KEYWORDS = ['resource', 'data', 'variable', 'locals', 'module', 'output', 'provider', 'terraform'];
const TOP_KEYWORD_LINE = new RegExp(`^(?:${TOP_KEYWORDS.join('|')})(?=[\\s"{]|$)`, 'gm');
const MAX_ISSUES_PER_FILE = 50;

function tfvarsRank(base: string): number {
  if (base === 'terraform.tfvars') return 0;
  if (base === 'terraform.tfvars.json') return 1;
  return 2;
}

/** True for the files `parseTerraformModule` reads from a folder: `*.tf` and the auto-loaded tfvars files. */
export function isTerraformModuleFile(p: string): boolean {
  return p.endsWith('.tf') || isTerraformVarsFile(p);
}

/** `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars`, `*.auto.tfvars.json`. */
export function isTerraformVarsFile(p: string): boolean {
  const b = path.basename(p);
  return b === 'terraform.tfvars' || b === 'terraform.tfvars.json' || b.endsWith('.auto.tfvars') || b.endsWith('.auto.tfvars.json');
}

/**
 * Parses one Terraform module: every `*.tf` of `dir`, plus `terraform.tfvars`, `terraform.tfvars.json`,
 * `*.auto.tfvars(.json)` (loaded in Terraform's order; a later file wins). Other files are kept in
 * `unit.files` but not read. Never throws on bad input: syntax problems become `unit.issues`.
 */
export function parseTerraformModule(dir: string, files: SourceFile[], cache: TerraformCache | undefined = defaultCache): Unit {
  getParser();
  const unit = emptyUnit('terraform', dir);
  unit.files = files;
  const tf = files.filter((f) => f.path.endsWith('.tf')).sort((a, b) => cmp(a.path, b.path));
  for (const f of tf) guarded(unit, f, () => new TfFile(unit, f, cache).parseConfig());
  const vars = files
    .filter((f) => isTerraformVarsFile(f.path))
    .sort((a, b) => {
      const ba = path.basename(a.path);
      const bb = path.basename(b.path);
      return tfvarsRank(ba) - tfvarsRank(bb) || cmp(ba, bb);
    });
  for (const f of vars) {
    guarded(unit, f, () => (f.path.endsWith('.json') ? new TfFile(unit, f).parseVarsJson() : new TfFile(unit, f).parseVars()));
  }
  return unit;
}

/** A bug of this parser on one file must not lose the other files: it becomes an issue of that file. */
function guarded(unit: Unit, f: SourceFile, run: () => void): void {
  try {
    run();
  } catch (e) {
    const zero = { line: 0, character: 0 };
    unit.issues.push({ file: f.path, range: { start: zero, end: zero }, message: `internal error of the Terraform parser: ${e instanceof Error ? e.message : String(e)}` });
  }
}

/** A stand-in node for a comment found with a cursor (only its offsets are read). */
function leaf(startIndex: number, endIndex: number): TSNode {
  return { type: 'comment', isNamed: true, isMissing: false, isError: false, hasError: false, startIndex, endIndex, parent: null, children: [], namedChildren: [] };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}


// ---------------------------------------------------------------------------------------------------------------
// Incremental re-parsing (language server): see incremental.ts

/** What converting one clean top-level block added to the unit (its ranges as of `line`). */
interface CachedBlock {
  line: number;
  character: number;
  /** Length of the block's text. */
  length: number;
  resources: Resource[];
  inputs: [string, Input][];
  locals: [string, Local][];
  issues: ParseIssue[];
  comments: Comment[];
}

interface CachedFile {
  /** The text `tree` was parsed from (BOM replaced). */
  src: string;
  lines: LineIndex;
  tree: TreeSitter.Tree;
  /** Clean top-level blocks of the last conversion, by start offset in `src`. */
  blocks: Map<number, CachedBlock>;
  /**
   * The last tree without errors (a copy the cache owns), with its text and blocks. After a typo swallows the
   * rest of the file into an ERROR node, the tree with errors has nothing to re-use: the next parse starts from
   * this one instead (typing on, or undoing the typo, costs an incremental parse again).
   */
  clean?: { src: string; lines: LineIndex; tree: TreeSitter.Tree; blocks: Map<number, CachedBlock> };
}

/** What the converter gets from the cache for one file. */
interface CachedParse {
  tree: TreeSitter.Tree;
  /** The blocks of the previous conversion, by their start offset in the previous text. */
  blocks: Map<number, CachedBlock>;
  /** Previous text -> this text; undefined when the text is the same. */
  change: TextChange | undefined;
}

let defaultCache: TerraformCache | undefined;

/**
 * Makes `parseTerraformModule` use `cache` when it is given none (the language server sets its cache, so that
 * `loadTerraformModule` parses incrementally); `undefined` turns that off.
 */
export function setDefaultTerraformCache(cache: TerraformCache | undefined): void {
  defaultCache = cache;
}

/**
 * Per-file state kept between parses of the same `.tf` files: the tree-sitter tree (re-parsed with `tree.edit`
 * + `parse(text, oldTree)`) and the model pieces of each clean top-level block, re-used when a block's text is
 * unchanged (shifted when lines moved). Owns its trees: call `forget`/`retain`/`clear` to delete them.
 */
export class TerraformCache {
  private readonly files = new Map<string, CachedFile>();
  private counts = { incremental: 0, full: 0 };

  /** The tree for `src` (whose line index is `lines`), re-using the previous tree of `file`. The cache owns the tree. */
  tree(file: string, src: string, lines: LineIndex): CachedParse {
    const prev = this.files.get(file);
    if (prev && prev.src === src) {
      this.counts.incremental++;
      prev.lines = lines;
      return { tree: prev.tree, blocks: prev.blocks, change: undefined };
    }
    const parser = getParser();
    let tree: TreeSitter.Tree | null;
    // start from the last tree, or from the last clean one when the last tree has errors
    const clean = prev?.clean;
    const from = prev && prev.tree.rootNode.hasError && clean ? { ...clean, tree: clean.tree.copy() } : prev;
    const change = from ? diffText(from.src, src) : undefined;
    if (from && !change) {
      tree = from.tree; // back to the clean text (a typo undone): its tree as it is
      this.counts.incremental++;
    } else if (from && change) {
      const point = (li: LineIndex, o: number) => {
        const p = li.position(o);
        return { row: p.line, column: p.character };
      };
      from.tree.edit(
        new TreeSitter.Edit({
          startIndex: change.start,
          oldEndIndex: change.oldEnd,
          newEndIndex: change.newEnd,
          startPosition: point(from.lines, change.start),
          oldEndPosition: point(from.lines, change.oldEnd),
          newEndPosition: point(lines, change.newEnd),
        }),
      );
      tree = parser.parse(src, from.tree);
      if (from !== prev) from.tree.delete();
      this.counts.incremental++;
    } else {
      tree = parser.parse(src);
      this.counts.full++;
    }
    if (!tree) throw new Error('Terraform parser: tree-sitter returned no tree');
    if (prev && prev.tree !== tree) prev.tree.delete();
    const blocks = from ? from.blocks : new Map<number, CachedBlock>();
    let nextClean = clean;
    if (!tree.rootNode.hasError) {
      clean?.tree.delete();
      nextClean = { src, lines, tree: tree.copy(), blocks };
    }
    this.files.set(file, { src, lines, tree, blocks, clean: nextClean });
    return { tree, blocks, change };
  }

  /** Keeps only the blocks of the last conversion (called by the converter). */
  setBlocks(file: string, blocks: Map<number, CachedBlock>): void {
    const f = this.files.get(file);
    if (!f) return;
    f.blocks = blocks;
    if (f.clean && f.clean.src === f.src) f.clean.blocks = blocks;
  }

  forget(file: string): void {
    const f = this.files.get(file);
    f?.tree.delete();
    f?.clean?.tree.delete();
    this.files.delete(file);
  }

  /** Keeps only the files for which `keep` is true. */
  retain(keep: (file: string) => boolean): void {
    for (const f of [...this.files.keys()]) if (!keep(f)) this.forget(f);
  }

  clear(): void {
    for (const f of [...this.files.keys()]) this.forget(f);
  }

  stats(): { incremental: number; full: number } {
    return { ...this.counts };
  }
}


// ---------------------------------------------------------------------------------------------------------------
// Per-file conversion

/** Decoded text of a string/heredoc with, for every decoded char, its offset in the file. */
interface Content {
  text: string;
  /** map[i] = file offset of decoded char i; map[text.length] = end offset. */
  map: number[];
  /** Interpolations and directives inside, by file start offset. */
  interps: Map<number, TSNode>;
}

type Scope = ReadonlySet<string>;
/** Deepest nesting of expressions and blocks converted; real configurations stay far below it. */
const MAX_NESTING = 150;
const NO_SCOPE: Scope = new Set();
const ACCESSORS = new Set(['get_attr', 'index', 'splat']);
const EXTERNAL_ROOTS = new Set(['each', 'count', 'path', 'self', 'terraform']);

class TfFile {
  readonly lines: LineIndex;
  readonly text: string;
  readonly file: string;
  private readonly seenComments = new Set<number>();
  private issueCount = 0;
  private readonly firstComment: number;

  private unit: Unit;
  /** Blocks converted (or re-used) by this parse, for the cache. */
  private readonly usedBlocks = new Map<number, CachedBlock>();
  private cachedBlocks: Map<number, CachedBlock> | undefined;
  private change: TextChange | undefined;

  constructor(
    unit: Unit,
    src: SourceFile,
    private readonly cache?: TerraformCache,
  ) {
    this.unit = unit;
    this.file = src.path;
    this.text = src.text;
    this.lines = new LineIndex(src.text);
    this.firstComment = unit.comments.length;
  }

  range(start: number, end: number): Range {
    return this.lines.range(start, end);
  }

  nodeRange(n: TSNode): Range {
    return this.lines.range(this.s0(n), this.e0(n));
  }

  src(n: TSNode): string {
    return this.text.slice(this.s0(n), this.e0(n));
  }

  // ---- files ---------------------------------------------------------------------------------------------------

  /** Offset shift of the tree being converted (segments of a damaged file are parsed alone). */
  private shift = 0;

  s0(n: TSNode): number {
    return n.startIndex + this.shift;
  }

  e0(n: TSNode): number {
    return n.endIndex + this.shift;
  }

  parseConfig(): void {
    if (this.cache) {
      this.parseConfigCached(this.cache);
      return;
    }
    const { root, comments } = parseText(this.text);
    const body = root.namedChildren.find((c) => c.type === 'body');
    if (!root.hasError) {
      this.addComments(comments);
      for (const b of body?.namedChildren ?? []) if (b.type === 'block') this.topBlock(b);
      return;
    }
    this.recover(body, comments);
  }

  /**
   * `parseConfig` with the cache: an incremental tree-sitter parse; when the tree is clean, only the top-level
   * blocks whose text is new are copied out of the tree and converted, the others are re-used. A tree with
   * errors takes the recovery path of a full parse (on a fresh tree, so the result is the same).
   */
  private parseConfigCached(cache: TerraformCache): void {
    const src = this.text.charCodeAt(0) === 0xfeff ? ' ' + this.text.slice(1) : this.text;
    const state = cache.tree(this.file, src, this.lines);
    this.cachedBlocks = state.blocks;
    this.change = state.change;
    try {
      const rootNode = state.tree.rootNode;
      if (rootNode.hasError) {
        // The incrementally parsed tree is the tree a fresh parse gives (tree-sitter re-uses only what the edit
        // did not touch; test/unit/incremental checks the results against full parses). Recovery reads only the
        // top level of it: clean blocks already converted are replayed, the others are copied out and converted.
        const { children, comments } = this.topLevel(state.tree);
        this.recover({ ...leaf(0, 0), type: 'body', namedChildren: children, children }, comments);
        return;
      }
      // top level: config_file > (comment | body > (block | attribute | comment)*)*
      const cursor = state.tree.walk();
      try {
        if (!cursor.gotoFirstChild()) return;
        do {
          const top: string = cursor.nodeType;
          if (top === 'comment') this.addComments([leaf(cursor.startIndex, cursor.endIndex)]);
          else if (top === 'body' && cursor.gotoFirstChild()) {
            do {
              const t: string = cursor.nodeType;
              if (t === 'comment') this.addComments([leaf(cursor.startIndex, cursor.endIndex)]);
              else if (t === 'block') {
                if (!this.replayBlock(cursor.startIndex, cursor.endIndex)) {
                  const snap = snapshot(cursor.currentNode, src);
                  this.addComments(snap.comments);
                  this.topBlock(snap.root);
                }
              }
            } while (cursor.gotoNextSibling());
            cursor.gotoParent();
          }
        } while (cursor.gotoNextSibling());
      } finally {
        cursor.delete();
      }
    } finally {
      cache.setBlocks(this.file, this.usedBlocks);
      this.cachedBlocks = undefined;
      this.change = undefined;
    }
  }

  /**
   * The named children of the tree's `body` for recovery: stand-ins (offsets and flags only) for damaged blocks,
   * other nodes and clean blocks that `replayBlock` will re-use; copies for the clean blocks it cannot, with the
   * comments inside those.
   */
  private topLevel(tree: TreeSitter.Tree): { children: TSNode[]; comments: TSNode[] } {
    const children: TSNode[] = [];
    const comments: TSNode[] = [];
    const cursor = tree.walk();
    try {
      if (!cursor.gotoFirstChild()) return { children, comments };
      do {
        if (cursor.nodeType !== 'body' || !cursor.gotoFirstChild()) continue;
        do {
          if (!cursor.nodeIsNamed) continue;
          const type: string = cursor.nodeType;
          const start = cursor.startIndex;
          const end = cursor.endIndex;
          if (type !== 'block') {
            children.push({ ...leaf(start, end), type, isError: type === 'ERROR', hasError: type === 'ERROR' || cursor.currentNode.hasError });
            continue;
          }
          const node = cursor.currentNode;
          if (node.hasError) children.push({ ...leaf(start, end), type, hasError: true });
          else if (this.cachedBlock(start, end)) children.push({ ...leaf(start, end), type, hasError: false });
          else {
            const snap = snapshot(node);
            children.push(snap.root);
            comments.push(...snap.comments);
          }
        } while (cursor.gotoNextSibling());
        break;
      } while (cursor.gotoNextSibling());
    } finally {
      cursor.delete();
    }
    return { children, comments };
  }

  /**
   * The conversion of the block at [start, end) from the previous parse, when its text cannot have changed: it
   * lies before the edit, or after it (moved by the edit's length), and has the same length and column.
   */
  private cachedBlock(start: number, end: number): CachedBlock | undefined {
    if (!this.cachedBlocks) return undefined;
    const ch = this.change;
    let old: number;
    if (!ch) old = start;
    else if (end <= ch.start) old = start;
    else if (start >= ch.newEnd) old = start - (ch.newEnd - ch.oldEnd);
    else return undefined;
    const hit = this.cachedBlocks.get(old);
    if (!hit || hit.length !== end - start || this.lines.position(start).character !== hit.character) return undefined;
    return hit;
  }

  /** A converted clean block that starts at `start` and is followed by blanks only up to `limit`. */
  private cachedBlockFrom(start: number, limit: number): CachedBlock | undefined {
    if (!this.cachedBlocks) return undefined;
    const ch = this.change;
    const old = !ch || start >= ch.newEnd ? start - (ch ? ch.newEnd - ch.oldEnd : 0) : start;
    const hit = this.cachedBlocks.get(old);
    if (!hit || start + hit.length > limit) return undefined;
    if (this.text.slice(start + hit.length, limit).trim() !== '') return undefined;
    return this.cachedBlock(start, start + hit.length);
  }

  /** Re-uses the conversion of the block at [start, end), if there is one. */
  private replayBlock(start: number, end: number): boolean {
    const hit = this.cachedBlock(start, end);
    if (!hit) return false;
    const pos = this.lines.position(start);
    const d = pos.line - hit.line;
    this.usedBlocks.set(start, hit);
    for (const c of hit.comments) {
      const s0 = this.lines.offset(shiftLines(c.range.start, d));
      if (this.seenComments.has(s0)) continue;
      this.seenComments.add(s0);
      this.unit.comments.push(shiftLines(c, d));
    }
    for (const r of hit.resources) this.unit.resources.push(shiftLines(r, d));
    for (const [k, v] of hit.inputs) this.unit.inputs.set(k, shiftLines(v, d));
    for (const [k, v] of hit.locals) this.unit.locals.set(k, shiftLines(v, d));
    for (const i of hit.issues) {
      if (this.issueCount >= MAX_ISSUES_PER_FILE) break;
      this.issueCount++;
      this.unit.issues.push(shiftLines(i, d));
    }
    return true;
  }

  /**
   * Error recovery. After an unclosed brace or quote, tree-sitter folds the blocks that follow into the damaged
   * block or an ERROR node. Top-level blocks that parsed cleanly are kept. The rest of the text is cut into
   * segments that start at line 0, at every line that starts a top-level block keyword at column 0, at the
   * start line of every damaged block, and after every clean block; each segment is parsed alone, and all the
   * blocks it yields are kept (a damaged one yields what could be read). Segments are disjoint, so no block is
   * read twice. Comments and syntax issues come from the clean blocks and the segments, so that messages are
   * local to the damage.
   */
  private recovering = false;

  private recover(body: TSNode | undefined, comments: TSNode[]): void {
    this.recovering = true;
    try {
      this.recoverBlocks(body, comments);
    } finally {
      this.recovering = false;
    }
  }

  private recoverBlocks(body: TSNode | undefined, comments: TSNode[]): void {
    const clean: TSNode[] = [];
    const bounds = new Set<number>([0]);
    for (const c of body?.namedChildren ?? []) {
      if (c.type === 'block' && !c.hasError) {
        clean.push(c);
        bounds.add(this.e0(c));
      } else if (c.type === 'block') bounds.add(this.text.lastIndexOf('\n', this.s0(c) - 1) + 1);
    }
    TOP_KEYWORD_LINE.lastIndex = 0;
    for (let m = TOP_KEYWORD_LINE.exec(this.text); m; m = TOP_KEYWORD_LINE.exec(this.text)) bounds.add(m.index);
    // clean blocks are in text order: binary searches keep this linear-ish on big damaged files
    const firstCleanEndingAfter = (o: number): number => {
      let lo = 0;
      let hi = clean.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.e0(clean[mid]) <= o) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const inClean = (o: number) => {
      const b = clean[firstCleanEndingAfter(o)];
      return !!b && this.s0(b) <= o;
    };
    const starts = [...bounds].filter((o) => o < this.text.length && !inClean(o)).sort((a, b) => a - b);

    const kept: { start: number; shift: number; node: TSNode }[] = [];
    for (const b of clean) kept.push({ start: this.s0(b), shift: 0, node: b });
    this.addComments(comments.filter((c) => inClean(this.s0(c))));
    try {
      for (let i = 0; i < starts.length; i++) {
        const s = starts[i];
        let e = i + 1 < starts.length ? starts[i + 1] : this.text.length;
        const next = clean[firstCleanEndingAfter(s)];
        if (next && this.s0(next) >= s && this.s0(next) < e) e = this.s0(next);
        const seg = this.text.slice(s, e);
        if (seg.trim() === '') continue;
        // A segment that is a clean block converted before (and blank after it) parses alone into that block:
        // re-use it without parsing (incremental re-parse). Otherwise each segment is a fresh parse of its text.
        const known = this.cachedBlockFrom(s, e);
        if (known) {
          kept.push({ start: s, shift: 0, node: { ...leaf(s, s + known.length), type: 'block' } });
          continue;
        }
        const { root: segRoot, comments: segComments } = parseText(seg);
        this.shift = s;
        this.addComments(segComments);
        this.collectIssues(segRoot);
        const segBody = segRoot.namedChildren.find((c) => c.type === 'body');
        for (const b of segBody?.namedChildren ?? []) if (b.type === 'block') kept.push({ start: this.s0(b), shift: s, node: b });
        this.shift = 0;
      }
      kept.sort((a, b) => a.start - b.start);
      for (const k of kept) {
        this.shift = k.shift;
        this.topBlock(k.node);
      }
      this.sortComments();
    } finally {
      this.shift = 0;
    }
  }

  parseVars(): void {
    const { root, comments } = parseText(this.text);
    this.addComments(comments);
    this.collectIssues(root);
    const body = root.namedChildren.find((c) => c.type === 'body');
    for (const a of body?.namedChildren ?? []) {
      if (a.type !== 'attribute') continue;
      const { name, value } = this.attribute(a, NO_SCOPE);
      if (!name || !value) continue;
      this.unit.assignments.set(name, { name, file: this.file, range: this.nodeRange(a), value });
    }
  }

  parseVarsJson(): void {
    const errors: JsonParseError[] = [];
    const root = parseJsonTree(this.text, errors, { allowTrailingComma: true, disallowComments: false });
    for (const e of errors.slice(0, MAX_ISSUES_PER_FILE)) {
      this.issue(e.offset, e.offset + e.length, `invalid JSON: ${printParseErrorCode(e.error)}`);
    }
    if (!root || root.type !== 'object') return;
    const id: Content = { text: this.text, map: identityMap(this.text.length, 0), interps: new Map() };
    for (const prop of root.children ?? []) {
      const [k, v] = prop.children ?? [];
      if (!k || !v || typeof k.value !== 'string') continue;
      const value = this.jsonValue(v, id, NO_SCOPE);
      const a: InputAssignment = { name: k.value, file: this.file, range: this.range(prop.offset, prop.offset + prop.length), value };
      this.unit.assignments.set(k.value, a);
    }
  }

  // ---- comments and issues -------------------------------------------------------------------------------------

  private addComments(nodes: TSNode[]): void {
    for (const n of nodes) {
      if (this.seenComments.has(this.s0(n))) continue;
      this.seenComments.add(this.s0(n));
      let end = this.e0(n);
      let text = this.src(n);
      // `#` and `//` comments: the node may include the line break; the range covers the comment text only.
      const trimmed = text.replace(/[\r\n]+$/, '');
      end -= text.length - trimmed.length;
      text = trimmed;
      this.unit.comments.push({ file: this.file, range: this.range(this.s0(n), end), text });
    }
  }

  /** Recovery collects comments segment by segment: put this file's comments back in text order. */
  private sortComments(): void {
    const mine = this.unit.comments.slice(this.firstComment).sort((a, b) => cmpPos(a.range, b.range));
    this.unit.comments.splice(this.firstComment, mine.length, ...mine);
  }

  private issue(start: number, end: number, message: string, noise = false): void {
    if (this.pending) {
      this.pending.push({ start, end, message, noise });
      return;
    }
    if (this.issueCount >= MAX_ISSUES_PER_FILE) return;
    this.issueCount++;
    this.unit.issues.push({ file: this.file, range: this.range(start, end), message });
  }

  /** Issues of the tree being walked, held back to drop tree-sitter's noise when there is a real message. */
  private pending: { start: number; end: number; message: string; noise: boolean }[] | undefined;

  private collectIssues(root: TSNode): void {
    this.pending = [];
    try {
      this.walkIssues(root);
    } finally {
      const found = this.pending;
      this.pending = undefined;
      const real = found.some((i) => !i.noise);
      for (const i of found) if (!real || !i.noise) this.issue(i.start, i.end, i.message);
    }
  }

  private walkIssues(n: TSNode): void {
    if (!n.hasError && !n.isMissing) return;
    if (n.isMissing) {
      this.missingIssue(n);
      return;
    }
    if (n.isError) {
      this.errorIssue(n);
      // keep looking inside for MISSING nodes only
      this.collectMissing(n);
      return;
    }
    for (const c of n.children) this.walkIssues(c);
  }

  private collectMissing(n: TSNode): void {
    for (const c of n.children) {
      if (c.isMissing) this.missingIssue(c);
      else if (c.hasError) this.collectMissing(c);
    }
  }

  private missingIssue(n: TSNode): void {
    const t = n.type;
    const closers: Record<string, string> = { '}': '{', ']': '[', ')': '(', '"': '"', block_end: '{', object_end: '{', tuple_end: '[', quoted_template_end: '"' };
    const open = closers[t];
    if (open) {
      // underline the opener when we can find it
      const opener = this.findOpener(n, open);
      if (opener) {
        const label = open === '{' ? this.blockLabel(opener) : '';
        this.issue(this.s0(opener), this.e0(opener), `unclosed '${open}'${label}: expected '${closerOf(open)}'`);
        return;
      }
      this.issue(this.s0(n), this.e0(n), `missing '${closerOf(open)}'`);
      return;
    }
    // tree-sitter's guesses inside a damaged region (`missing heredoc identifier`, `missing '<<'`) say
    // nothing useful: report them only when nothing else was reported for this parse.
    if (t === 'heredoc_identifier' && n.parent?.type === 'heredoc_template') {
      // a real `<<EOF` without its closing line (when the opener itself is a guess, it is noise, below)
      const kids = n.parent.children;
      const opener = kids.find((c) => c.type === 'heredoc_start');
      const id = kids.find((c) => c.type === 'heredoc_identifier' && !c.isMissing);
      if (opener && !opener.hasError && id) {
        const word = this.src(id);
        this.issue(this.s0(opener), this.e0(id), `unterminated heredoc: expected a line with '${word}' to close it`);
        return;
      }
    }
    const noise = /heredoc|^<</.test(t);
    this.issue(this.s0(n), this.e0(n), `missing ${/^[a-z_]+$/.test(t) ? t.replace(/_/g, ' ') : `'${t}'`}`, noise);
  }

  private findOpener(missing: TSNode, open: string): TSNode | undefined {
    const parent = missing.parent;
    if (!parent) return undefined;
    const want = open === '{' ? ['block_start', 'object_start', '{'] : open === '[' ? ['tuple_start', '['] : open === '(' ? ['('] : ['quoted_template_start', '"'];
    for (const c of parent.children) if (want.includes(c.type)) return c;
    if (missing.type === '}' || missing.type === ']' || missing.type === '"') {
      // MISSING leaf under block_end etc.: the opener is a sibling of the wrapper
      const gp = parent.parent;
      if (gp) for (const c of gp.children) if (want.includes(c.type)) return c;
    }
    return undefined;
  }

  private blockLabel(opener: TSNode): string {
    let b: TSNode | null = opener.parent;
    while (b && b.type !== 'block') b = b.parent;
    if (!b) return '';
    const head = this.text.slice(this.s0(b), this.s0(opener)).trim().replace(/\s+/g, ' ');
    return head ? ` of '${head.length > 60 ? head.slice(0, 57) + '...' : head}'` : '';
  }

  private errorIssue(n: TSNode): void {
    // The first token that does not fit.
    const raw = this.src(n);
    const firstLine = (raw.trim().split(/\r?\n|\r/)[0] ?? '').trimEnd();
    const tok = firstLine.length > 40 ? firstLine.slice(0, 37) + '...' : firstLine;
    const end = Math.min(this.e0(n), this.s0(n) + raw.search(/\S/) + firstLine.length);
    const start = this.s0(n) + Math.max(0, raw.search(/\S/));
    if (!tok) this.issue(this.s0(n), this.e0(n), 'syntax error');
    else this.issue(start, Math.max(start, end), `unexpected '${tok}'`);
  }

  // ---- blocks --------------------------------------------------------------------------------------------------

  private labels(block: TSNode): TSNode[] {
    return block.namedChildren.filter((c) => c.type === 'string_lit' || (c.type === 'identifier' && c !== block.namedChildren[0]));
  }

  private labelText(n: TSNode): string {
    if (n.type === 'identifier') return this.src(n);
    return this.decodeLiteral(n).text;
  }

  private blockType(block: TSNode): string {
    const id = block.namedChildren[0];
    return id && id.type === 'identifier' ? this.src(id) : '';
  }

  private blockBody(block: TSNode): TSNode | undefined {
    return block.namedChildren.find((c) => c.type === 'body');
  }

  /** A block's range; a damaged block (no closing brace) ends at its last non-blank character. */
  private blockRange(block: TSNode): Range {
    let end = this.e0(block);
    if (block.hasError) while (end > this.s0(block) && /\s/.test(this.text[end - 1])) end--;
    return this.range(this.s0(block), end);
  }

  private topBlock(block: TSNode): void {
    if (!this.cachedBlocks || block.hasError) {
      this.convertTopBlock(block);
      return;
    }
    if (this.replayBlock(this.s0(block), this.e0(block))) return;
    // convert into a scratch unit, record what it added, then add that to the real unit
    const real = this.unit;
    const scratch = emptyUnit('terraform', real.root);
    const count = this.issueCount;
    this.unit = scratch;
    this.issueCount = 0;
    try {
      this.convertTopBlock(block);
    } finally {
      this.unit = real;
      this.issueCount = count;
    }
    const start = this.lines.position(this.s0(block));
    const entry: CachedBlock = {
      line: start.line,
      character: start.character,
      length: this.e0(block) - this.s0(block),
      resources: scratch.resources,
      inputs: [...scratch.inputs],
      locals: [...scratch.locals],
      issues: scratch.issues,
      comments: this.blockComments(block),
    };
    this.usedBlocks.set(this.s0(block), entry);
    for (const r of entry.resources) real.resources.push(r);
    for (const [k, v] of entry.inputs) real.inputs.set(k, v);
    for (const [k, v] of entry.locals) real.locals.set(k, v);
    for (const i of entry.issues) {
      if (this.issueCount >= MAX_ISSUES_PER_FILE) break;
      this.issueCount++;
      real.issues.push(i);
    }
  }

  /** The comments already added for the span of `block` (they are added before the block is converted). */
  private blockComments(block: TSNode): Comment[] {
    const s = this.s0(block);
    const e = this.e0(block);
    const out: Comment[] = [];
    for (let i = this.unit.comments.length - 1; i >= this.firstComment; i--) {
      const c = this.unit.comments[i];
      if (c.file !== this.file) continue;
      const o = this.lines.offset(c.range.start);
      if (o >= s && o < e) out.push(c);
      else if (o < s && !this.recovering) break; // comments are in text order, except during recovery
    }
    return out.reverse();
  }

  private convertTopBlock(block: TSNode): void {
    const type = this.blockType(block);
    const labels = this.labels(block);
    switch (type) {
      case 'resource':
      case 'data': {
        if (labels.length < 2) {
          if (!block.hasError) this.issue(this.s0(block), this.e0(block), `${type} block needs two labels (type and name)`);
          return;
        }
        const rtype = this.labelText(labels[0]);
        const name = this.labelText(labels[1]);
        const mode = type === 'data' ? 'data' : 'managed';
        const res: Resource = {
          mode,
          type: rtype,
          name,
          address: mode === 'data' ? `data.${rtype}.${name}` : `${rtype}.${name}`,
          file: this.file,
          range: this.blockRange(block),
          nameRange: this.range(this.s0(labels[0]), this.e0(labels[labels.length - 1])),
          properties: this.bodyMap(block, NO_SCOPE),
          hasProperties: true,
        };
        this.unit.resources.push(res);
        return;
      }
      case 'variable': {
        if (labels.length < 1) return;
        const name = this.labelText(labels[0]);
        const input: Input = { name, file: this.file, range: this.blockRange(block), nameRange: this.nodeRange(labels[0]) };
        for (const a of this.blockBody(block)?.namedChildren ?? []) {
          if (a.type !== 'attribute') continue;
          const { name: key, value, expr } = this.attribute(a, NO_SCOPE);
          if (!value || !expr) continue;
          if (key === 'default') input.default = value;
          else if (key === 'type') input.type = this.src(expr);
          else if (key === 'sensitive' && value.kind === 'scalar' && typeof value.value === 'boolean') input.sensitive = value.value;
          else if (key === 'description' && value.kind === 'scalar' && typeof value.value === 'string') input.description = value.value;
        }
        this.unit.inputs.set(name, input);
        return;
      }
      case 'locals': {
        for (const a of this.blockBody(block)?.namedChildren ?? []) {
          if (a.type !== 'attribute') continue;
          const { name, value, nameNode } = this.attribute(a, NO_SCOPE);
          if (!name || !value || !nameNode) continue;
          this.unit.locals.set(name, { name, file: this.file, range: this.nodeRange(a), nameRange: this.nodeRange(nameNode), value });
        }
        return;
      }
      default:
        return; // module, provider, terraform, output, moved, import, check...: not resources
    }
  }

  private attribute(a: TSNode, scope: Scope): { name?: string; nameNode?: TSNode; expr?: TSNode; value?: Value } {
    const nameNode = a.namedChildren.find((c) => c.type === 'identifier');
    const expr = a.namedChildren.find((c) => c.type === 'expression');
    return {
      name: nameNode ? this.src(nameNode) : undefined,
      nameNode,
      expr,
      value: expr ? this.expr(expr, scope) : undefined,
    };
  }

  /** A block's body as a map: attributes, nested blocks (`block: true`; a repeated block type -> a list). */
  private bodyMap(block: TSNode, scope: Scope): MapValue {
    if (this.tooDeep(block)) return { kind: 'map', file: this.file, range: this.blockRange(block), entries: [] };
    this.nesting++;
    try {
      return this.bodyMapInner(block, scope);
    } finally {
      this.nesting--;
    }
  }

  private bodyMapInner(block: TSNode, scope: Scope): MapValue {
    const map: MapValue = { kind: 'map', file: this.file, range: this.blockRange(block), entries: [] };
    const body = this.blockBody(block);
    const blockEntries = new Map<string, MapEntry>();
    /** Entries whose value became the list of a repeated block type. */
    const lists = new Map<MapEntry, ListValue>();
    for (const c of body?.namedChildren ?? []) {
      if (c.type === 'attribute') {
        const { name, nameNode, value } = this.attribute(c, scope);
        if (!name || !nameNode || !value) continue;
        map.entries.push({ key: name, keyRange: this.nodeRange(nameNode), value });
      } else if (c.type === 'block') {
        const type = this.blockType(c);
        if (!type) continue;
        let key = type;
        let keyNode = c.namedChildren[0];
        let value: Value;
        if (type === 'dynamic') {
          const labels = this.labels(c);
          if (labels.length < 1) continue;
          key = this.labelText(labels[0]);
          keyNode = labels[0];
          value = this.dynamicBlock(c, key, scope);
        } else {
          value = this.bodyMap(c, scope);
        }
        const prev = blockEntries.get(key);
        if (!prev) {
          const e: MapEntry = { key, keyRange: this.nodeRange(keyNode), value, block: true };
          blockEntries.set(key, e);
          map.entries.push(e);
          continue;
        }
        const list = lists.get(prev);
        if (list) {
          list.items.push(value);
          list.range = { start: list.range.start, end: value.range.end };
        } else {
          const l: ListValue = { kind: 'list', file: this.file, range: { start: prev.value.range.start, end: value.range.end }, items: [prev.value, value] };
          prev.value = l;
          lists.set(prev, l);
        }
      }
    }
    return map;
  }

  /**
   * `dynamic "x" { for_each = ...; iterator = it; content { ... } }` -> ExprValue fn 'dynamic', text = the block,
   * refs = references in for_each and content (the iterator is not a reference), args = [for_each value, content
   * map] when present.
   */
  private dynamicBlock(block: TSNode, label: string, scope: Scope): ExprValue {
    let iterator = label;
    let forEach: Value | undefined;
    let content: MapValue | undefined;
    let contentRefs: RefValue[] = [];
    const body = this.blockBody(block);
    for (const c of body?.namedChildren ?? []) {
      if (c.type === 'attribute') {
        const { name, expr } = this.attribute(c, NO_SCOPE);
        if (name === 'iterator' && expr) iterator = this.src(expr).trim();
      }
    }
    const inner = new Set(scope);
    inner.add(iterator);
    for (const c of body?.namedChildren ?? []) {
      if (c.type === 'attribute') {
        const { name, value } = this.attribute(c, scope);
        if (name === 'for_each') forEach = value;
      } else if (c.type === 'block' && this.blockType(c) === 'content') {
        content = this.bodyMap(c, inner);
        contentRefs = this.collectRefs(c, inner);
      }
    }
    const refs: RefValue[] = [];
    if (forEach) refs.push(...refsOf(forEach));
    refs.push(...contentRefs);
    const args: Value[] = [];
    if (forEach) args.push(forEach);
    if (content) args.push(content);
    return { kind: 'expr', fn: 'dynamic', file: this.file, range: this.nodeRange(block), text: this.src(block), refs, args };
  }

  // ---- expressions ---------------------------------------------------------------------------------------------

  private exprValue(n: TSNode, fn: string, scope: Scope, extra: Partial<ExprValue> = {}): ExprValue {
    return { kind: 'expr', fn, file: this.file, range: this.nodeRange(n), text: this.src(n), refs: this.collectRefs(n, scope), ...extra };
  }

  /**
   * Converts an expression. Nesting is capped (MAX_NESTING): deeper parts become one opaque `too-deep` value and
   * an issue, so a pathological file cannot overflow the stack and lose the rest of its findings.
   */
  expr(n: TSNode, scope: Scope): Value {
    const deep = this.tooDeep(n);
    if (deep) return deep;
    this.nesting++;
    try {
      return this.exprInner(n, scope);
    } finally {
      this.nesting--;
    }
  }

  private nesting = 0;
  private deepReported = false;

  private tooDeep(n: TSNode): ExprValue | undefined {
    if (this.nesting < MAX_NESTING) return undefined;
    if (!this.deepReported) {
      this.deepReported = true;
      this.issue(this.s0(n), this.e0(n), `nested more than ${MAX_NESTING} levels deep: the inner part is not analysed`);
    }
    return { kind: 'expr', fn: 'too-deep', file: this.file, range: this.nodeRange(n), text: this.src(n).slice(0, 80), refs: [] };
  }

  private exprInner(n: TSNode, scope: Scope): Value {
    switch (n.type) {
      case 'expression': {
        const kids = n.children;
        if (kids.length === 0) return this.exprValue(n, 'error', scope);
        if (kids[0].type === '(') {
          const inner = kids.find((k) => k.type === 'expression');
          const v = inner ? this.expr(inner, scope) : this.exprValue(n, 'error', scope);
          if (kids.length > 3) return this.exprValue(n, accessorFn(kids.slice(3)), scope);
          return v;
        }
        if (kids.length === 1) return this.expr(kids[0], scope);
        return this.traversal(n, kids, scope);
      }
      case 'variable_expr':
        return this.traversal(n, [n], scope);
      case 'literal_value':
        return this.literal(n, scope);
      case 'collection_value':
        return n.namedChildren[0] ? this.expr(n.namedChildren[0], scope) : this.exprValue(n, 'error', scope);
      case 'tuple':
        return {
          kind: 'list',
          file: this.file,
          range: this.nodeRange(n),
          items: n.namedChildren.filter((c) => c.type === 'expression').map((c) => this.expr(c, scope)),
        };
      case 'object':
        return this.object(n, scope);
      case 'template_expr':
        return n.namedChildren[0] ? this.expr(n.namedChildren[0], scope) : this.exprValue(n, 'error', scope);
      case 'quoted_template':
      case 'heredoc_template':
        return this.template(n, scope);
      case 'conditional': {
        const parts = n.namedChildren.filter((c) => c.type === 'expression');
        if (parts.length < 3) return this.exprValue(n, 'error', scope);
        return {
          kind: 'if',
          file: this.file,
          range: this.nodeRange(n),
          conditionText: this.src(parts[0]),
          then: this.expr(parts[1], scope),
          else: this.expr(parts[2], scope),
        };
      }
      case 'function_call':
        return this.call(n, scope);
      case 'for_expr': {
        const inner = new Set(scope);
        const fe = n.namedChildren[0];
        const intro = fe?.namedChildren.find((c) => c.type === 'for_intro');
        for (const id of intro?.namedChildren ?? []) if (id.type === 'identifier') inner.add(this.src(id));
        return this.exprValue(n, 'for', inner);
      }
      case 'operation': {
        const op = n.namedChildren[0];
        if (op?.type === 'unary_operation') {
          const operator = op.children[0]?.type;
          const operand = op.namedChildren[0];
          if (operand) {
            const v = this.expr(operand, scope);
            if (v.kind === 'scalar' && operator === '-' && typeof v.value === 'number') return { ...v, value: -v.value, range: this.nodeRange(n) };
            if (v.kind === 'scalar' && operator === '!' && typeof v.value === 'boolean') return { ...v, value: !v.value, range: this.nodeRange(n) };
          }
          return this.exprValue(n, 'unary', scope);
        }
        return this.exprValue(n, 'binary', scope);
      }
      default:
        if (n.isError || n.hasError) return this.exprValue(n, 'error', scope);
        return this.exprValue(n, n.type, scope);
    }
  }

  /** `var.x`, `local.x`, `aws_x.y[0].attr`, `data.t.n.attr`, `module.m.out`, `each.value`, `f(x)[0]`... */
  private traversal(n: TSNode, kids: TSNode[], scope: Scope): Value {
    const head = kids[0];
    if (head.type !== 'variable_expr') {
      // (call or collection) followed by accessors
      if (head.type === 'function_call' || head.type === 'collection_value' || head.type === 'template_expr') {
        if (kids.length === 1) return this.expr(head, scope);
        return this.exprValue(n, accessorFn(kids.slice(1)), scope);
      }
      return this.exprValue(n, n.isError || n.hasError ? 'error' : accessorFn(kids.slice(1)), scope);
    }
    if (scope.has(this.src(head))) {
      // an iterator (`for` variable, dynamic block iterator): an external value, whatever follows it
      const text = this.src(n);
      return { kind: 'ref', file: this.file, range: this.nodeRange(n), target: { type: 'external', text }, text };
    }
    const ref = this.refOf(kids, scope);
    if (ref && ref.consumed === kids.length) return ref.value;
    if (ref && ref.target.type === 'resource') return ref.value; // indexes / splats of a resource: still the resource
    if (kids.length === 1) {
      return this.exprValue(n, 'variable', scope);
    }
    return this.exprValue(n, accessorFn(kids.slice(ref ? ref.consumed : 1)), scope);
  }

  /**
   * The reference a traversal (variable_expr followed by get_attr/index/splat) makes, if any. `consumed` is how
   * many of the traversal's parts the reference covers (`var.x` = 2 of `var.x[0]`). For resources the index and
   * splat are skipped and the first attribute after them is the `attribute`.
   */
  private refOf(kids: TSNode[], scope: Scope): { value: RefValue; target: RefTarget; consumed: number } | undefined {
    const root = this.src(kids[0]);
    if (scope.has(root)) return undefined;
    const attrName = (k: TSNode | undefined): string | undefined => {
      if (!k || k.type !== 'get_attr') return undefined;
      const id = k.namedChildren.find((c) => c.type === 'identifier');
      return id ? this.src(id) : undefined;
    };
    const mk = (target: RefTarget, consumed: number) => {
      const last = kids[consumed - 1];
      const start = this.s0(kids[0]);
      const end = this.e0(last);
      const value: RefValue = { kind: 'ref', file: this.file, range: this.range(start, end), target, text: this.text.slice(start, end) };
      return { value, target, consumed };
    };
    const a1 = attrName(kids[1]);
    if (root === 'var' && a1) return mk({ type: 'input', name: a1 }, 2);
    if (root === 'local' && a1) return mk({ type: 'local', name: a1 }, 2);
    if (root === 'module' && a1) {
      const out = attrName(kids[2]);
      return out ? mk({ type: 'module', name: a1, output: out }, 3) : mk({ type: 'module', name: a1 }, 2);
    }
    if (EXTERNAL_ROOTS.has(root)) {
      let consumed = 1;
      while (consumed < kids.length && kids[consumed].type === 'get_attr') consumed++;
      const text = this.text.slice(this.s0(kids[0]), this.e0(kids[consumed - 1]));
      return mk({ type: 'external', text }, consumed);
    }
    let address: string;
    let i: number;
    if (root === 'data') {
      const t = a1;
      const name = attrName(kids[2]);
      if (!t || !name) return undefined;
      address = `data.${t}.${name}`;
      i = 3;
    } else {
      if (!a1) return undefined;
      address = `${root}.${a1}`;
      i = 2;
    }
    // skip indexes and splats; the first attribute after them is the attribute
    let attribute: string | undefined;
    let consumed = i;
    for (let j = i; j < kids.length; j++) {
      const k = kids[j];
      if (k.type === 'index') continue;
      if (k.type === 'get_attr') {
        attribute = attrName(k);
        consumed = j + 1;
        break;
      }
      if (k.type === 'splat') {
        const inner = k.namedChildren[0];
        const ga = inner?.namedChildren.find((c) => c.type === 'get_attr');
        if (ga) attribute = attrName(ga);
        consumed = j + 1;
        break;
      }
      break;
    }
    const target: RefTarget = attribute ? { type: 'resource', address, attribute } : { type: 'resource', address };
    // a resource reference covers the whole traversal (indexes, splats and any further attributes)
    void consumed;
    return mk(target, kids.length);
  }

  /** Every reference inside a node (not iterator variables in `scope`). */
  collectRefs(n: TSNode, scope: Scope): RefValue[] {
    const out: RefValue[] = [];
    let depth = 0;
    const visit = (x: TSNode, sc: Scope) => {
      if (depth >= MAX_NESTING * 4) return; // the tree is several nodes deep per level of nesting
      depth++;
      try {
        visitNode(x, sc);
      } finally {
        depth--;
      }
    };
    const visitNode = (x: TSNode, sc: Scope) => {
      if (x.type === 'variable_expr') {
        const ref = this.refOf([x], sc);
        if (ref) out.push(ref.value);
        return;
      }
      if (x.type === 'for_expr') {
        const inner = new Set(sc);
        const intro = x.namedChildren[0]?.namedChildren.find((c) => c.type === 'for_intro');
        for (const id of intro?.namedChildren ?? []) if (id.type === 'identifier') inner.add(this.src(id));
        for (const c of x.namedChildren[0]?.namedChildren ?? []) {
          if (c.type === 'for_intro') {
            for (const e of c.namedChildren) if (e.type === 'expression') visit(e, sc);
          } else visit(c, inner);
        }
        return;
      }
      if (x.type === 'template_for') {
        const inner = new Set(sc);
        const startNode = x.namedChildren.find((c) => c.type === 'template_for_start');
        for (const id of startNode?.namedChildren ?? []) if (id.type === 'identifier') inner.add(this.src(id));
        for (const c of x.namedChildren) visit(c, c === startNode ? sc : inner);
        return;
      }
      // a traversal is a variable_expr followed by its accessors, as siblings (in expressions and operations)
      const kids = x.children;
      for (let i = 0; i < kids.length; i++) {
        const c = kids[i];
        if (c.type !== 'variable_expr') {
          if (c.isNamed) visit(c, sc);
          continue;
        }
        let j = i + 1;
        while (j < kids.length && ACCESSORS.has(kids[j].type)) j++;
        const ref = this.refOf(kids.slice(i, j), sc);
        if (ref) out.push(ref.value);
        for (let k = i + 1; k < j; k++) visit(kids[k], sc);
        i = j - 1;
      }
    };
    visit(n, scope);
    return out;
  }

  private literal(n: TSNode, scope: Scope): Value {
    const c = n.namedChildren[0];
    const r = this.nodeRange(n);
    if (!c) return this.exprValue(n, 'error', scope);
    switch (c.type) {
      case 'numeric_lit': {
        const num = Number(this.src(c));
        return { kind: 'scalar', file: this.file, range: r, value: Number.isFinite(num) ? num : this.src(c) };
      }
      case 'bool_lit':
        return { kind: 'scalar', file: this.file, range: r, value: this.src(c) === 'true' };
      case 'null_lit':
        return { kind: 'scalar', file: this.file, range: r, value: null };
      case 'string_lit':
        return this.stringValue(n, this.decodeLiteral(c), scope);
      default:
        return this.exprValue(n, 'error', scope);
    }
  }

  /** Decodes a quoted string / quoted template: escapes resolved, interpolations kept as their source text. */
  private decodeLiteral(n: TSNode): Content {
    let text = '';
    const map: number[] = [];
    const interps = new Map<number, TSNode>();
    for (const c of n.children) {
      if (c.type === 'template_literal') {
        const s = this.src(c);
        const base = this.s0(c);
        for (let i = 0; i < s.length; ) {
          const ch = s[i];
          if (ch === '\\' && i + 1 < s.length) {
            const e = s[i + 1];
            const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
            if (simple[e] !== undefined) {
              text += simple[e];
              map.push(base + i);
              i += 2;
              continue;
            }
            if ((e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) || (e === 'U' && /^[0-9a-fA-F]{8}$/.test(s.slice(i + 2, i + 10)))) {
              const len = e === 'u' ? 4 : 8;
              const cp = parseInt(s.slice(i + 2, i + 2 + len), 16);
              const str = cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
              for (let k = 0; k < str.length; k++) map.push(base + i);
              text += str;
              i += 2 + len;
              continue;
            }
          }
          if ((ch === '$' || ch === '%') && s[i + 1] === ch && s[i + 2] === '{') {
            text += ch + '{';
            map.push(base + i, base + i + 2);
            i += 3;
            continue;
          }
          text += ch;
          map.push(base + i);
          i++;
        }
      } else if (c.type === 'template_interpolation' || c.type === 'template_directive') {
        interps.set(this.s0(c), c);
        const s = this.src(c);
        for (let i = 0; i < s.length; i++) map.push(this.s0(c) + i);
        text += s;
      }
    }
    const last = n.children[n.children.length - 1];
    const endOff = last && last.type === 'quoted_template_end' ? this.s0(last) : this.e0(n);
    map.push(endOff);
    return { text, map, interps };
  }

  /** Heredoc content, verbatim (file offsets = content offsets + start). */
  private heredocContent(n: TSNode): { content: Content; indentStrip: boolean } {
    const kids = n.children;
    const startNode = kids.find((c) => c.type === 'heredoc_start');
    const ids = kids.filter((c) => c.type === 'heredoc_identifier');
    const indentStrip = !!startNode && this.src(startNode) === '<<-';
    const firstId = ids[0];
    let start = firstId ? this.e0(firstId) : this.s0(n);
    // content starts after the line break that ends the opening line
    const nl = this.text.indexOf('\n', start);
    start = nl >= 0 && nl < this.e0(n) ? nl + 1 : start;
    let end = this.e0(n);
    if (ids.length >= 2) {
      const closing = ids[ids.length - 1];
      end = this.text.lastIndexOf('\n', this.s0(closing) - 1) + 1; // start of the closing line
      if (end < start) end = start;
    }
    const text = this.text.slice(start, end);
    const interps = new Map<number, TSNode>();
    for (const c of kids) if (c.type === 'template_interpolation' || c.type === 'template_directive') interps.set(this.s0(c), c);
    return { content: { text, map: identityMap(text.length, start), interps }, indentStrip };
  }

  private template(n: TSNode, scope: Scope): Value {
    const isHeredoc = n.type === 'heredoc_template';
    let content: Content;
    let indentStrip = false;
    if (isHeredoc) ({ content, indentStrip } = this.heredocContent(n));
    else content = this.decodeLiteral(n);
    const pieces = n.namedChildren.filter((c) => c.type === 'template_interpolation' || c.type === 'template_directive');
    // JSON policy documents
    const json = this.tryJson(content, scope);
    if (json) return json;
    if (pieces.length === 0) {
      let value = content.text;
      if (isHeredoc) value = heredocValue(value, indentStrip);
      return { kind: 'scalar', file: this.file, range: this.nodeRange(n), value };
    }
    const literalText = n.namedChildren.filter((c) => c.type === 'template_literal' && this.src(c).length > 0);
    if (!isHeredoc && pieces.length === 1 && pieces[0].type === 'template_interpolation' && literalText.length === 0) {
      const inner = pieces[0].namedChildren.find((c) => c.type === 'expression');
      if (inner) return this.expr(inner, scope);
    }
    return this.exprValue(n, 'template', scope, { parts: this.templateParts(content) });
  }

  /** The literal pieces of a template (text between interpolations/directives). */
  private templateParts(content: Content): string[] {
    const parts: string[] = [];
    let cur = '';
    let i = 0;
    while (i < content.text.length) {
      const t = content.interps.get(content.map[i]);
      if (t && (i === 0 || content.map[i - 1] !== content.map[i])) {
        if (cur) parts.push(cur);
        cur = '';
        const end = this.e0(t);
        while (i < content.text.length && content.map[i] < end) i++;
        continue;
      }
      cur += content.text[i];
      i++;
    }
    if (cur) parts.push(cur);
    return parts;
  }

  private stringValue(n: TSNode, content: Content, scope: Scope): Value {
    const json = this.tryJson(content, scope);
    if (json) return json;
    return { kind: 'scalar', file: this.file, range: this.nodeRange(n), value: content.text };
  }

  /** A string whose trimmed content starts with `{` and parses as JSON -> MapValue `encoded: 'json-string'`. */
  private tryJson(content: Content, scope: Scope): MapValue | undefined {
    if (!content.text.trimStart().startsWith('{')) return undefined;
    const errors: JsonParseError[] = [];
    const root = parseJsonTree(this.maskInterpolations(content), errors, { allowTrailingComma: false, disallowComments: true });
    if (!root || errors.length > 0 || root.type !== 'object') return undefined;
    const v = this.jsonValue(root, content, scope);
    if (v.kind !== 'map') return undefined;
    v.encoded = 'json-string';
    return v;
  }

  /**
   * The content with every `${...}` / `%{...}` body replaced by `_` (same length), so that quotes inside an
   * interpolation (`"${aws_s3_bucket.b["x"].arn}"`) do not break the JSON. Offsets are unchanged; string values
   * that contain an interpolation are rebuilt from the file by `jsonTemplate`.
   */
  private maskInterpolations(content: Content): string {
    if (content.interps.size === 0) return content.text;
    let out = '';
    const t = content.text;
    for (let i = 0; i < t.length; ) {
      const node = content.interps.get(content.map[i]);
      if (node && (i === 0 || content.map[i - 1] !== content.map[i])) {
        const end = this.e0(node);
        let j = i;
        while (j < t.length && content.map[j] < end) j++;
        // keep `${` / `%{` and `}`; blank the inside
        out += t.slice(i, i + 2) + '_'.repeat(Math.max(0, j - i - 3)) + (j - i >= 3 ? t[j - 1] : '');
        i = j;
        continue;
      }
      out += t[i];
      i++;
    }
    return out;
  }

  private jsonRange(content: Content, j: JsonNode): Range {
    const m = content.map;
    return this.range(m[j.offset] ?? m[m.length - 1], m[j.offset + j.length] ?? m[m.length - 1]);
  }

  private jsonValue(j: JsonNode, content: Content, scope: Scope): Value {
    const range = this.jsonRange(content, j);
    switch (j.type) {
      case 'object': {
        const entries: MapEntry[] = [];
        for (const p of j.children ?? []) {
          const [k, v] = p.children ?? [];
          if (!k || !v) continue;
          entries.push({ key: String(k.value), keyRange: this.jsonRange(content, k), value: this.jsonValue(v, content, scope) });
        }
        return { kind: 'map', file: this.file, range, entries };
      }
      case 'array':
        return { kind: 'list', file: this.file, range, items: (j.children ?? []).map((c) => this.jsonValue(c, content, scope)) };
      case 'string': {
        const raw = content.text.slice(j.offset + 1, j.offset + j.length - 1);
        if (raw.includes('${') || raw.includes('%{')) {
          const v = this.jsonTemplate(j, content, scope, range);
          if (v) return v;
        }
        return { kind: 'scalar', file: this.file, range, value: j.value as string };
      }
      case 'number':
      case 'boolean':
      case 'null':
        return { kind: 'scalar', file: this.file, range, value: j.value as number | boolean | null };
      default:
        return { kind: 'scalar', file: this.file, range, value: null };
    }
  }

  /** A JSON string inside a template that contains interpolations: `"${ref}"` -> the ref, else a template. */
  private jsonTemplate(j: JsonNode, content: Content, scope: Scope, range: Range): Value | undefined {
    const from = content.map[j.offset + 1];
    const to = content.map[j.offset + j.length - 1];
    const inside = [...content.interps.values()].filter((t) => this.s0(t) >= from && this.e0(t) <= to).sort((a, b) => this.s0(a) - this.s0(b));
    if (inside.length === 0) return undefined;
    if (inside.length === 1 && inside[0].type === 'template_interpolation' && this.s0(inside[0]) === from && this.e0(inside[0]) === to) {
      const e = inside[0].namedChildren.find((c) => c.type === 'expression');
      if (e) return this.expr(e, scope);
    }
    const parts: string[] = [];
    let cur = from;
    const refs: RefValue[] = [];
    for (const t of inside) {
      parts.push(this.text.slice(cur, this.s0(t)));
      refs.push(...this.collectRefs(t, scope));
      cur = this.e0(t);
    }
    parts.push(this.text.slice(cur, to));
    return { kind: 'expr', fn: 'template', file: this.file, range, text: this.text.slice(from - 1, to + 1), refs, parts: parts.filter((p) => p.length > 0) };
  }

  private object(n: TSNode, scope: Scope): MapValue {
    const entries: MapEntry[] = [];
    for (const el of n.namedChildren) {
      if (el.type !== 'object_elem') continue;
      // object_elem: key expression, `=` or `:`, value expression
      const [k, v] = el.namedChildren.filter((c) => c.type === 'expression');
      if (!k || !v) continue;
      entries.push({ key: this.objectKey(k), keyRange: this.nodeRange(k), value: this.expr(v, scope) });
    }
    return { kind: 'map', file: this.file, range: this.nodeRange(n), entries };
  }

  private objectKey(k: TSNode): string {
    // identifier (`a = 1`), string (`"a" = 1`), or an expression (`(var.k) = 1`: its source text)
    const kids = k.children;
    if (kids.length === 1 && kids[0].type === 'variable_expr') return this.src(kids[0]);
    if (kids.length === 1 && kids[0].type === 'literal_value') {
      const s = kids[0].namedChildren[0];
      if (s?.type === 'string_lit') return this.decodeLiteral(s).text;
      return this.src(kids[0]);
    }
    if (kids.length === 1 && kids[0].type === 'template_expr') {
      const t = kids[0].namedChildren[0];
      if (t?.type === 'quoted_template') return this.decodeLiteral(t).text;
    }
    return this.src(k);
  }

  private call(n: TSNode, scope: Scope): Value {
    const nameNode = n.namedChildren.find((c) => c.type === 'identifier');
    const fn = nameNode ? this.src(nameNode) : 'call';
    const argsNode = n.namedChildren.find((c) => c.type === 'function_arguments');
    const args = (argsNode?.namedChildren ?? []).filter((c) => c.type === 'expression').map((c) => this.expr(c, scope));
    if (fn === 'jsonencode' && args.length === 1) {
      const a = args[0];
      if (a.kind === 'map') return { ...a, encoded: 'jsonencode' };
      if (a.kind === 'list') return a;
    }
    return this.exprValue(n, fn, scope, { args });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// helpers

function blank(text: string, from: number, to: number): string {
  return text.slice(from, to).replace(/[^\r\n]/g, ' ');
}

function identityMap(len: number, base: number): number[] {
  const m = new Array<number>(len + 1);
  for (let i = 0; i <= len; i++) m[i] = base + i;
  return m;
}

function closerOf(open: string): string {
  return open === '{' ? '}' : open === '[' ? ']' : open === '(' ? ')' : '"';
}

function cmpPos(a: Range, b: Range): number {
  return a.start.line - b.start.line || a.start.character - b.start.character;
}

function accessorFn(parts: TSNode[]): string {
  if (parts.some((p) => p.type === 'splat')) return 'splat';
  if (parts.some((p) => p.type === 'index')) return 'index';
  if (parts.some((p) => p.type === 'get_attr')) return 'attr';
  return parts[0]?.type ?? 'expr';
}

/** The string value of a heredoc: `<<-` removes the common leading indentation. */
function heredocValue(text: string, strip: boolean): string {
  if (!strip) return text;
  const lines = text.split('\n');
  let min = Infinity;
  for (const l of lines) {
    if (l.trim() === '') continue;
    const m = /^[ \t]*/.exec(l);
    min = Math.min(min, m ? m[0].length : 0);
  }
  if (!Number.isFinite(min)) return text;
  return lines.map((l) => l.slice(Math.min(min, /^[ \t]*/.exec(l)?.[0].length ?? 0))).join('\n');
}

/** The references inside a value (recursively). */
export function refsOf(v: Value): RefValue[] {
  switch (v.kind) {
    case 'ref':
      return [v];
    case 'expr':
      return v.refs;
    case 'list':
      return v.items.flatMap(refsOf);
    case 'map':
      return v.entries.flatMap((e) => refsOf(e.value));
    case 'if':
      return [...refsOf(v.then), ...refsOf(v.else)];
    default:
      return [];
  }
}
