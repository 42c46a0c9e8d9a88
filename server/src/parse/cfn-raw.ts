/**
 * A small, format-neutral syntax tree for CloudFormation templates: YAML (`yaml`) and JSON (`jsonc-parser`)
 * are both read into `RawNode`s with absolute offsets into the original file text. The model builder
 * (`cfn-values.ts`, `cloudformation.ts`) only sees this tree, so YAML and JSON behave the same way.
 */
import { Composer, Parser, isAlias, isMap, isScalar, isSeq, type Document, type Node as YamlNode } from 'yaml';
import type { ScalarTag, CollectionTag } from 'yaml';
import { createScanner, parseTree, printParseErrorCode, visit, type Node as JsonNode, type ParseError } from 'jsonc-parser';

export interface RawBase {
  /** Offset of the first character of the value (after a short-form tag). */
  start: number;
  /** Offset just past the value. */
  end: number;
  /** Short-form intrinsic tag (`!Ref`), YAML only. */
  tag?: string;
  /** Offset of the `!` of the tag, when there is a tag. */
  tagStart?: number;
}

export interface RawScalar extends RawBase {
  kind: 'scalar';
  value: string | number | boolean | null;
  /** The source was a quoted string (YAML or JSON), so its text is not the value. */
  quoted?: boolean;
  /** YAML block scalar: literal (`|`) or folded (`>`). */
  block?: 'literal' | 'folded';
}

export interface RawSeq extends RawBase {
  kind: 'seq';
  items: RawNode[];
}

export interface RawEntry {
  key: string;
  keyStart: number;
  keyEnd: number;
  value: RawNode;
}

export interface RawMap extends RawBase {
  kind: 'map';
  entries: RawEntry[];
}

export type RawNode = RawScalar | RawSeq | RawMap;

export interface RawIssue {
  start: number;
  end: number;
  message: string;
}

export interface RawComment {
  start: number;
  end: number;
  text: string;
}

export interface RawParse {
  root: RawNode | undefined;
  issues: RawIssue[];
  comments: RawComment[];
}

/** Short-form intrinsic function tags, without the `!`. `Ref` and `Condition` have no `Fn::` prefix. */
export const SHORT_FORM_TAGS = [
  'Ref',
  'Condition',
  'Sub',
  'GetAtt',
  'Join',
  'Select',
  'Split',
  'FindInMap',
  'ImportValue',
  'Base64',
  'GetAZs',
  'Cidr',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Transform',
  'ToJsonString',
  'Length',
  'Contains',
  'EachMemberEquals',
  'EachMemberIn',
  'ValueOf',
  'RefAll',
] as const;

/** `!GetAtt` -> `Fn::GetAtt`; `!Ref` -> `Ref`; `!Condition` -> `Condition`. */
export function longName(tag: string): string {
  const name = tag.startsWith('!') ? tag.slice(1) : tag;
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

const TAG_SET = new Set<string>(SHORT_FORM_TAGS.map((t) => `!${t}`));

let customTagsCache: (ScalarTag | CollectionTag)[] | undefined;

function customTags(): (ScalarTag | CollectionTag)[] {
  if (!customTagsCache) {
    const tags: (ScalarTag | CollectionTag)[] = [];
    for (const name of SHORT_FORM_TAGS) {
      const tag = `!${name}`;
      tags.push({ tag, resolve: (str: string) => str } as ScalarTag);
      tags.push({ tag, collection: 'seq', resolve: (node: unknown) => node } as unknown as CollectionTag);
      tags.push({ tag, collection: 'map', resolve: (node: unknown) => node } as unknown as CollectionTag);
    }
    customTagsCache = tags;
  }
  return customTagsCache;
}

/** Collections nested deeper than this are read as null (the model and rules recurse too). */
const MAX_YAML_DEPTH = 1000;

/** Cap on nodes produced by expanding YAML aliases (protects against "billion laughs"). */
export const MAX_ALIAS_NODES = 10000;

interface YamlCtx {
  text: string;
  delta: number;
  doc: Document.Parsed;
  issues: RawIssue[];
  aliasNodes: number;
  aliasDepth: number;
  aliasCapped: boolean;
  active: Set<unknown>;
}

/**
 * Parse YAML `text` (a whole file, or a slice of one: `delta` is the offset of the slice in `fullText`).
 * Only the first document is read; later documents produce an issue.
 */
export function parseYamlRaw(fullText: string, start = 0, end = fullText.length): RawParse {
  const src = fullText.slice(start, end);
  const issues: RawIssue[] = [];
  const comments: RawComment[] = [];
  const tokens = Array.from(new Parser().parse(src));
  collectYamlComments(tokens, start, comments);
  const composer = new Composer({
    customTags: customTags(),
    keepSourceTokens: false,
    uniqueKeys: true,
    prettyErrors: false,
    strict: false,
  });
  const docs = Array.from(composer.compose(tokens, true, src.length));
  if (docs.length === 0) return { root: undefined, issues, comments };
  const doc = docs[0];
  for (const e of doc.errors) {
    // duplicate keys are reported by yamlToRaw, on the repeated key, as for JSON
    if (e.code === 'DUPLICATE_KEY') continue;
    const message = cleanYamlMessage(e.message);
    const q = /^Missing closing (["'])quote/.exec(message);
    const opener = q ? src.lastIndexOf(q[1], e.pos[0] - 1) : -1;
    if (opener >= 0) {
      // yaml reports an unclosed quote where the text ends; the last quote before that is the one left open
      let lineEnd = src.indexOf('\n', opener);
      if (lineEnd < 0) lineEnd = src.length;
      if (src[lineEnd - 1] === '\r') lineEnd--;
      issues.push({ start: opener + start, end: lineEnd + start, message });
    } else {
      issues.push({ start: e.pos[0] + start, end: Math.max(e.pos[1], e.pos[0]) + start, message });
    }
  }
  for (const w of doc.warnings) {
    // unknown tags (`!Reff X`): CloudFormation rejects them, so say so
    if (w.code === 'TAG_RESOLVE_FAILED') {
      issues.push({ start: w.pos[0] + start, end: Math.max(w.pos[1], w.pos[0]) + start, message: cleanYamlMessage(w.message) });
    }
  }
  if (docs.length > 1) {
    const second = docs[1];
    const s = (second.range?.[0] ?? 0) + start;
    issues.push({
      start: s,
      end: s,
      message: 'Only the first YAML document of a CloudFormation template is read; later documents are ignored.',
    });
  }
  const ctx: YamlCtx = {
    text: fullText,
    delta: start,
    doc,
    issues,
    aliasNodes: 0,
    aliasDepth: 0,
    aliasCapped: false,
    active: new Set(),
  };
  const contents = doc.contents as YamlNode | null;
  const root = contents ? yamlToRaw(contents, ctx) : undefined;
  return { root, issues, comments };
}

function cleanYamlMessage(message: string): string {
  if (/call stack/i.test(message)) return 'YAML nested too deep; the deeper values are not read';
  // yaml appends " at line X, column Y" and a code frame when prettyErrors is on; we turn that off, but keep
  // the first line only in any case.
  return message.split('\n')[0];
}

/** Collect `# ...` comments from yaml's CST, visiting only the fields where comments can appear. */
function collectYamlComments(tokens: unknown[], delta: number, out: RawComment[]): void {
  const push = (t: any): void => {
    if (t && t.type === 'comment' && typeof t.offset === 'number' && typeof t.source === 'string') {
      const text = (t.source as string).replace(/[\r\n]+$/, '');
      out.push({ start: t.offset + delta, end: t.offset + delta + text.length, text });
    }
  };
  const list = (arr: any): void => {
    if (Array.isArray(arr)) for (const t of arr) visit(t, 0);
  };
  const visit = (t: any, depth: number): void => {
    if (!t || typeof t !== 'object' || depth > 1000) return;
    switch (t.type) {
      case 'comment':
        push(t);
        return;
      case 'document':
        list(t.start);
        visit(t.value, depth + 1);
        list(t.end);
        return;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection':
        if (t.type === 'flow-collection') visit(t.start, depth + 1);
        for (const item of t.items ?? []) {
          list(item.start);
          visit(item.key, depth + 1);
          list(item.sep);
          visit(item.value, depth + 1);
        }
        list(t.end);
        return;
      case 'block-scalar':
        list(t.props);
        return;
      default:
        list(t.end);
        list(t.props);
    }
  };
  for (const t of tokens) visit(t, 0);
  out.sort((x, y) => x.start - y.start);
}

/** Does a YAML number's source text survive conversion to a JS number (no leading zero, no precision loss)? */
function numberRoundTrips(value: number, source: string): boolean {
  if (!Number.isFinite(value)) return false;
  const src = source.trim().replace(/^\+/, '');
  if (/^-?0\d/.test(src)) return false;
  if (/^-?\d+$/.test(src)) return Number.isSafeInteger(value);
  return true;
}

/** Find the offset of a short-form tag written before the value at `valueStart` (backwards scan). */
function findTagStart(text: string, valueStart: number, tag: string): number | undefined {
  let i = valueStart - 1;
  for (let round = 0; round < 3; round++) {
    while (i >= 0 && /[ \t\r\n]/.test(text[i])) i--;
    if (i < 0) return undefined;
    const endTok = i + 1;
    // a tag ends at whitespace or a flow indicator (`[!Ref A,!Ref B]`)
    while (i >= 0 && !/[ \t\r\n[{,]/.test(text[i])) i--;
    const tok = text.slice(i + 1, endTok);
    if (tok === tag) return i + 1;
    if (tok.startsWith('&')) continue; // anchor between tag and value
    // a tag followed directly by a flow collection or quote: `!GetAtt[` is not valid YAML, so stop here
    return undefined;
  }
  return undefined;
}

function yamlRange(node: YamlNode, ctx: YamlCtx): [number, number] {
  const r = node.range;
  if (!r) return [ctx.delta, ctx.delta];
  return [r[0] + ctx.delta, r[1] + ctx.delta];
}

/** yaml's range of a block collection runs to the next line; end it where its last item ends instead. */
function blockEnd(node: { flow?: boolean }, start: number, end: number, itemEnds: number[]): number {
  if (node.flow) return end;
  let e = start;
  for (const x of itemEnds) if (x > e && x <= end) e = x;
  return e;
}

function yamlToRaw(node: YamlNode, ctx: YamlCtx): RawNode {
  if (isAlias(node)) {
    const [s, e] = yamlRange(node, ctx);
    if (ctx.aliasCapped) return { kind: 'scalar', value: null, start: s, end: e };
    let target: YamlNode | undefined;
    try {
      target = node.resolve(ctx.doc) as YamlNode | undefined;
    } catch {
      target = undefined;
    }
    if (!target) {
      ctx.issues.push({ start: s, end: e, message: `Unknown alias *${node.source}` });
      return { kind: 'scalar', value: null, start: s, end: e };
    }
    if (ctx.active.has(target)) {
      ctx.issues.push({ start: s, end: e, message: `Alias *${node.source} refers to a node that contains it` });
      return { kind: 'scalar', value: null, start: s, end: e };
    }
    ctx.aliasDepth++;
    try {
      // the value itself is ranged on the alias (`*tags`), where it is used; what is inside keeps the
      // ranges of the anchored text
      const raw = yamlToRaw(target, ctx);
      return { ...raw, start: s, end: e, tagStart: undefined };
    } finally {
      ctx.aliasDepth--;
    }
  }
  if (ctx.aliasDepth > 0) {
    ctx.aliasNodes++;
    if (ctx.aliasNodes > MAX_ALIAS_NODES) {
      const [s, e] = yamlRange(node, ctx);
      if (!ctx.aliasCapped) {
        ctx.aliasCapped = true;
        ctx.issues.push({
          start: s,
          end: e,
          message: `YAML aliases expand to more than ${MAX_ALIAS_NODES} nodes; the rest are not expanded`,
        });
      }
      return { kind: 'scalar', value: null, start: s, end: e };
    }
  }
  const [start, end] = yamlRange(node, ctx);
  const rawTag = (node as { tag?: string }).tag;
  let tag: string | undefined;
  let tagStart: number | undefined;
  if (rawTag && TAG_SET.has(rawTag)) {
    tag = rawTag;
    tagStart = findTagStart(ctx.text, start, rawTag) ?? start;
  }
  if (isScalar(node)) {
    let value = node.value as unknown;
    if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      value = String(value);
    }
    if (typeof value === 'number' && typeof node.source === 'string' && !numberRoundTrips(value, node.source)) {
      // `012345678901` (an account ID), `1e400`, 2^53+1: keep the text rather than a number that lost it
      value = node.source;
    }
    const t = node.type;
    const out: RawScalar = { kind: 'scalar', value: value as RawScalar['value'], start, end };
    if (t === 'QUOTE_DOUBLE' || t === 'QUOTE_SINGLE') out.quoted = true;
    if (t === 'BLOCK_LITERAL') out.block = 'literal';
    if (t === 'BLOCK_FOLDED') out.block = 'folded';
    if (tag) {
      out.tag = tag;
      out.tagStart = tagStart;
      if (out.value === null) out.value = '';
    }
    return out;
  }
  if (ctx.active.size > MAX_YAML_DEPTH) return { kind: 'scalar', value: null, start, end };
  ctx.active.add(node);
  try {
    if (isSeq(node)) {
      const items: RawNode[] = [];
      for (const item of node.items) {
        if (item === null || item === undefined) continue;
        items.push(yamlToRaw(item as YamlNode, ctx));
      }
      const out: RawSeq = { kind: 'seq', items, start, end: blockEnd(node, start, end, items.map((i) => i.end)) };
      if (tag) {
        out.tag = tag;
        out.tagStart = tagStart;
      }
      return out;
    }
    if (isMap(node)) {
      const entries: RawEntry[] = [];
      const merges: RawNode[] = [];
      const index = new Map<string, number>();
      for (const pair of node.items) {
        const k = pair.key as YamlNode | null;
        if (!k) continue;
        let key: string;
        let kRange: [number, number];
        if (isScalar(k)) {
          key = k.value === null || k.value === undefined ? '' : String(k.value);
          kRange = yamlRange(k, ctx);
        } else {
          kRange = yamlRange(k, ctx);
          key = ctx.text.slice(kRange[0], kRange[1]);
        }
        const v = pair.value as YamlNode | null;
        let value: RawNode;
        if (v) value = yamlToRaw(v, ctx);
        else value = { kind: 'scalar', value: null, start: kRange[1], end: kRange[1] };
        if (key === '<<' && isScalar(k) && !(k as { type?: string }).type?.startsWith('QUOTE')) {
          merges.push(value);
          continue;
        }
        const entry = { key, keyStart: kRange[0], keyEnd: kRange[1], value };
        const prev = index.get(key);
        // the last one wins, as in JSON.parse
        if (prev !== undefined) {
          entries[prev] = entry;
          if (ctx.aliasDepth === 0) ctx.issues.push({ start: kRange[0], end: kRange[1], message: `Duplicate key "${key}"; the last one is used` });
        } else {
          index.set(key, entries.length);
          entries.push(entry);
        }
      }
      for (const m of merges) {
        const sources = m.kind === 'seq' ? m.items : [m];
        for (const src of sources) {
          if (src.kind !== 'map') continue;
          for (const e of src.entries) {
            if (!index.has(e.key)) {
              index.set(e.key, entries.length);
              entries.push(e);
            }
          }
        }
      }
      const ends = entries.filter((e) => e.keyStart >= start && e.keyStart <= end).map((e) => Math.max(e.keyEnd, e.value.end));
      const out: RawMap = { kind: 'map', entries, start, end: blockEnd(node, start, end, ends) };
      if (tag) {
        out.tag = tag;
        out.tagStart = tagStart;
      }
      return out;
    }
  } finally {
    ctx.active.delete(node);
  }
  return { kind: 'scalar', value: null, start, end };
}

/**
 * Parse JSON (with comments and trailing commas tolerated). `start`/`end` select a slice of `fullText`;
 * when `wrap` is set the slice is a sequence of `"key": value` entries and is parsed as if inside `{ }`.
 */
export function parseJsonRaw(fullText: string, start = 0, end = fullText.length, wrap = false): RawParse {
  let src = fullText.slice(start, end);
  let delta = start;
  if (wrap) {
    src = `{${src}\n}`;
    delta = start - 1;
  }
  let errors: ParseError[] = [];
  const options = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true };
  try {
    const fast = readCleanJson(src, delta, !wrap);
    if (fast) return { root: fast.root, issues: [], comments: fast.comments };
  } catch (err) {
    // too deep for the stack: the general path below reads it again and flattens it
    if (!(err instanceof RangeError)) throw err;
  }
  const issues: RawIssue[] = [];
  let tree: JsonNode | undefined;
  try {
    tree = parseTree(src, errors, options);
  } catch (err) {
    // jsonc-parser recurses per nesting level and overflows the stack a few thousand levels deep: read the
    // file again with everything deeper than MAX_JSON_DEPTH replaced by a placeholder of the same length
    if (!(err instanceof RangeError)) throw err;
    const flat = flattenDeep(src, MAX_JSON_DEPTH);
    errors = [];
    tree = parseTree(flat.text, errors, options);
    issues.push({
      start: flat.at + delta,
      end: flat.at + delta + 1,
      message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels; the deeper values are not read`,
    });
  }
  for (const e of errors) {
    const s = Math.min(Math.max(e.offset + delta, start), end);
    const en = Math.min(Math.max(e.offset + e.length + delta, s), end);
    issues.push({ start: s, end: en, message: jsonMessage(printParseErrorCode(e.error)) });
  }
  const comments = wrap ? [] : jsonComments(src, delta);
  const root = tree ? jsonToRaw(tree, delta, issues, 0) : undefined;
  return { root, issues, comments };
}

/** Thrown out of `visit` to give up on the one-pass reading (see readCleanJson). */
const GIVE_UP = { giveUp: true };

/**
 * One pass from text to RawNodes (jsonc-parser's `visit`, with the comments collected on the way) for the
 * common case: no syntax error, no duplicate key, nesting at most 500 levels. Gives up (undefined) otherwise,
 * and the caller takes the general path (`parseTree` + `jsonToRaw` + a comment scan), whose results it gives
 * exactly in the common case: the same nodes, offsets, issues (none) and comments.
 */
function readCleanJson(src: string, delta: number, withComments: boolean): { root: RawNode | undefined; comments: RawComment[] } | undefined {
  let root: RawNode | undefined;
  const stack: (RawMap | RawSeq)[] = [];
  /** Per open map: its keys, once it has many (small maps are searched). */
  const keySets: (Set<string> | undefined)[] = [];
  const comments: RawComment[] = [];
  const add = (v: RawNode): void => {
    const top = stack.length === 0 ? undefined : stack[stack.length - 1];
    if (top === undefined) {
      if (root !== undefined) throw GIVE_UP;
      root = v;
    } else if (top.kind === 'seq') top.items.push(v);
    else top.entries[top.entries.length - 1].value = v;
  };
  const open = (v: RawMap | RawSeq): void => {
    if (stack.length > 500) throw GIVE_UP;
    add(v);
    stack.push(v);
    keySets.push(undefined);
  };
  const close = (offset: number, length: number): void => {
    const top = stack.pop();
    keySets.pop();
    if (!top) throw GIVE_UP;
    if (top.kind === 'map' && top.entries.length > 0 && top.entries[top.entries.length - 1].value === undefined) throw GIVE_UP;
    top.end = offset + length + delta;
  };
  try {
    visit(
      src,
      {
        onObjectBegin: (offset) => open({ kind: 'map', entries: [], start: offset + delta, end: -1 }),
        onObjectEnd: close,
        onArrayBegin: (offset) => open({ kind: 'seq', items: [], start: offset + delta, end: -1 }),
        onArrayEnd: close,
        onObjectProperty: (name, offset, length) => {
          const top = stack[stack.length - 1];
          if (!top || top.kind !== 'map') throw GIVE_UP;
          const entries = top.entries;
          if (entries.length > 0 && entries[entries.length - 1].value === undefined) throw GIVE_UP;
          const i = keySets.length - 1;
          let keys = keySets[i];
          if (keys) {
            if (keys.has(name)) throw GIVE_UP;
            keys.add(name);
          } else {
            for (const e of entries) if (e.key === name) throw GIVE_UP;
            if (entries.length >= 8) keySets[i] = keys = new Set(entries.map((e) => e.key)).add(name);
          }
          // the value is filled in by the next `add` (a clean text has one after every key)
          entries.push({ key: name, keyStart: offset + delta, keyEnd: offset + length + delta, value: undefined as unknown as RawNode });
        },
        onLiteralValue: (value: unknown, offset, length) => {
          if (stack.length > 500) throw GIVE_UP;
          const start = offset + delta;
          const end = offset + length + delta;
          if (typeof value === 'string') add({ kind: 'scalar', value, quoted: true, start, end });
          else if (typeof value === 'number') add({ kind: 'scalar', value, start, end });
          else if (typeof value === 'boolean') add({ kind: 'scalar', value, start, end });
          else if (value === null) add({ kind: 'scalar', value: null, start, end });
          else throw GIVE_UP;
        },
        onComment: withComments
          ? (offset, length) => {
              comments.push({ start: offset + delta, end: offset + length + delta, text: src.slice(offset, offset + length) });
            }
          : undefined,
        onError: () => {
          throw GIVE_UP;
        },
      },
      { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true },
    );
  } catch (err) {
    if (err === GIVE_UP) return undefined;
    throw err;
  }
  if (stack.length > 0) return undefined;
  // every key got its value
  return { root, comments };
}

/** Nesting depth beyond which JSON values are replaced by a placeholder when the parser overflows the stack. */
export const MAX_JSON_DEPTH = 256;

/**
 * Replace every JSON value nested deeper than `max` levels by `0` and spaces (same length, same line breaks),
 * so the text keeps its offsets. `at` is the offset of the first replaced value.
 */
function flattenDeep(src: string, max: number): { text: string; at: number } {
  const out = src.split('');
  let depth = 0;
  let at = -1;
  let i = 0;
  const n = src.length;
  const skipString = (j: number): number => {
    j++;
    while (j < n && src[j] !== '"' && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
    return j + 1;
  };
  while (i < n) {
    const c = src[i];
    if (c === '"') {
      i = skipString(i);
      continue;
    }
    if (c === '{' || c === '[') {
      if (depth < max) {
        depth++;
        i++;
        continue;
      }
      // blank this value up to its matching close
      if (at < 0) at = i;
      let d = 0;
      let j = i;
      while (j < n) {
        const cj = src[j];
        if (cj === '"') {
          const k = skipString(j);
          for (let x = j; x < Math.min(k, n); x++) if (out[x] !== '\n' && out[x] !== '\r') out[x] = ' ';
          j = k;
          continue;
        }
        if (cj === '{' || cj === '[') d++;
        else if (cj === '}' || cj === ']') d--;
        if (cj !== '\n' && cj !== '\r') out[j] = ' ';
        j++;
        if (d === 0) break;
      }
      out[i] = '0';
      i = j;
      continue;
    }
    if (c === '}' || c === ']') depth = Math.max(0, depth - 1);
    i++;
  }
  return { text: out.join(''), at: Math.max(at, 0) };
}

function jsonMessage(code: string): string {
  switch (code) {
    case 'InvalidSymbol':
      return 'Invalid symbol';
    case 'InvalidNumberFormat':
      return 'Invalid number format';
    case 'PropertyNameExpected':
      return 'Property name expected';
    case 'ValueExpected':
      return 'Value expected';
    case 'ColonExpected':
      return 'Colon expected';
    case 'CommaExpected':
      return 'Comma expected';
    case 'CloseBraceExpected':
      return 'Closing brace } expected';
    case 'CloseBracketExpected':
      return 'Closing bracket ] expected';
    case 'EndOfFileExpected':
      return 'End of file expected';
    case 'UnexpectedEndOfComment':
      return 'Unexpected end of comment';
    case 'UnexpectedEndOfString':
      return 'Unexpected end of string';
    case 'UnexpectedEndOfNumber':
      return 'Unexpected end of number';
    case 'InvalidUnicode':
      return 'Invalid unicode sequence in string';
    case 'InvalidEscapeCharacter':
      return 'Invalid escape character in string';
    case 'InvalidCharacter':
      return 'Invalid character';
    default:
      return code;
  }
}

function jsonComments(src: string, delta: number): RawComment[] {
  const out: RawComment[] = [];
  if (!src.includes('//') && !src.includes('/*')) return out;
  const scanner = createScanner(src, false);
  for (;;) {
    const kind = scanner.scan();
    if (kind === 17 /* EOF */) break;
    if (kind === 12 /* LineCommentTrivia */ || kind === 13 /* BlockCommentTrivia */) {
      const s = scanner.getTokenOffset();
      const len = scanner.getTokenLength();
      out.push({ start: s + delta, end: s + len + delta, text: src.slice(s, s + len) });
    }
  }
  return out;
}

function jsonToRaw(node: JsonNode, delta: number, issues: RawIssue[], depth: number): RawNode {
  const start = node.offset + delta;
  const end = node.offset + node.length + delta;
  if (depth > 500) return { kind: 'scalar', value: null, start, end };
  switch (node.type) {
    case 'object': {
      const entries: RawEntry[] = [];
      const index = new Map<string, number>();
      for (const prop of node.children ?? []) {
        if (prop.type !== 'property' || !prop.children || prop.children.length === 0) continue;
        const k = prop.children[0];
        const key = typeof k.value === 'string' ? k.value : String(k.value);
        const keyStart = k.offset + delta;
        const keyEnd = k.offset + k.length + delta;
        const v = prop.children[1];
        const value: RawNode = v ? jsonToRaw(v, delta, issues, depth + 1) : { kind: 'scalar', value: null, start: keyEnd, end: keyEnd };
        const entry = { key, keyStart, keyEnd, value };
        const prev = index.get(key);
        if (prev !== undefined) {
          issues.push({ start: keyStart, end: keyEnd, message: `Duplicate key "${key}"; the last one is used` });
          entries[prev] = entry;
        } else {
          index.set(key, entries.length);
          entries.push(entry);
        }
      }
      return { kind: 'map', entries, start, end };
    }
    case 'array':
      return { kind: 'seq', items: (node.children ?? []).map((c) => jsonToRaw(c, delta, issues, depth + 1)), start, end };
    case 'string':
      return { kind: 'scalar', value: typeof node.value === 'string' ? node.value : '', quoted: true, start, end };
    case 'number':
      return { kind: 'scalar', value: typeof node.value === 'number' ? node.value : Number(node.value), start, end };
    case 'boolean':
      return { kind: 'scalar', value: node.value === true, start, end };
    case 'null':
      return { kind: 'scalar', value: null, start, end };
    default:
      return { kind: 'scalar', value: null, start, end };
  }
}
