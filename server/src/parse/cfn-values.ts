/**
 * RawNode (cfn-raw.ts) -> model Value: intrinsic functions (short and long forms), `Fn::Sub` templates,
 * IAM policies encoded as JSON strings.
 */
import type { ExprValue, IfValue, ListValue, MapEntry, MapValue, Position, Range, RefTarget, RefValue, Value } from '../model/types';
import { LineIndex } from './lines';
import { longName, parseJsonRaw, type RawMap, type RawNode, type RawScalar } from './cfn-raw';

export interface ValueContext {
  file: string;
  text: string;
  lines: LineIndex;
  /** Parameter names of the template: `Ref` to one of them is an input. */
  parameters: Set<string>;
}

/** Long-form intrinsic keys recognised in a one-entry map. */
function isIntrinsicKey(key: string): boolean {
  return key === 'Ref' || key.startsWith('Fn::');
}

const MAX_DEPTH = 200;
const SNIPPET_MAX = 120;

/** An offset never inside a `\r\n` pair (that is no position in LSP terms): move it onto the `\r`. */
function lineSafe(text: string, o: number): number {
  return o > 0 && text.charCodeAt(o) === 10 && text.charCodeAt(o - 1) === 13 ? o - 1 : o;
}

/** The LSP range of offsets start..end of `text`. */
export function safeRange(lines: LineIndex, text: string, start: number, end: number): Range {
  const s = lineSafe(text, start);
  const e = Math.max(s, lineSafe(text, end));
  const f = fastLines(lines);
  return { start: f.position(s), end: f.position(e) };
}

/**
 * LineIndex.position with a remembered line: the converter asks for offsets in (nearly) text order, so the
 * answer is almost always on the line of the previous one or a few lines further; otherwise a binary search.
 * Same results as LineIndex.position.
 */
class FastLines {
  private last = 0;
  private readonly starts: number[];
  private readonly length: number;

  constructor(private readonly text: string, lines: LineIndex) {
    const n = lines.lineCount;
    const starts = new Array<number>(n);
    for (let i = 0; i < n; i++) starts[i] = lines.lineStart(i);
    this.starts = starts;
    this.length = text.length;
  }

  position(offset: number): Position {
    const o = offset < 0 ? 0 : offset > this.length ? this.length : offset;
    const starts = this.starts;
    const n = starts.length;
    let line = this.last;
    if (starts[line] <= o) {
      let steps = 0;
      while (line + 1 < n && starts[line + 1] <= o && steps < 8) {
        line++;
        steps++;
      }
      if (line + 1 < n && starts[line + 1] <= o) line = this.search(o, line + 1, n - 1);
    } else {
      line = this.search(o, 0, line - 1);
    }
    this.last = line;
    let character = o - starts[line];
    if (o > 0 && this.text.charCodeAt(o) === 10 && this.text.charCodeAt(o - 1) === 13) character--;
    return { line, character };
  }

  /** The last line in lo..hi whose start is <= o (starts[lo] <= o). */
  private search(o: number, lo: number, hi: number): number {
    const starts = this.starts;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

const fast = new WeakMap<LineIndex, FastLines>();

function fastLines(lines: LineIndex): FastLines {
  let f = fast.get(lines);
  if (!f) fast.set(lines, (f = new FastLines(lines.text, lines)));
  return f;
}

export function rangeOf(ctx: ValueContext, start: number, end: number): Range {
  return safeRange(ctx.lines, ctx.text, start, end);
}

/** Resolve a `Ref` name: parameter, pseudo parameter or resource. */
export function refTarget(ctx: ValueContext, name: string): RefTarget {
  if (ctx.parameters.has(name)) return { type: 'input', name };
  if (name.startsWith('AWS::')) return { type: 'pseudo', name };
  return { type: 'resource', address: name };
}

function snippet(ctx: ValueContext, start: number, end: number): string {
  let s = ctx.text.slice(start, Math.min(end, start + SNIPPET_MAX * 4)).replace(/\s+/g, ' ').trim();
  if (s.length > SNIPPET_MAX) s = `${s.slice(0, SNIPPET_MAX - 3)}...`;
  return s;
}

function nodeStart(n: RawNode): number {
  return n.tagStart ?? n.start;
}

export function toValue(ctx: ValueContext, node: RawNode, depth = 0): Value {
  const start = nodeStart(node);
  const range = rangeOf(ctx, start, node.end);
  if (depth > MAX_DEPTH) return { kind: 'scalar', value: null, file: ctx.file, range };
  if (node.tag) return intrinsic(ctx, longName(node.tag), node, start, node.end, depth);
  switch (node.kind) {
    case 'scalar': {
      if (typeof node.value === 'string') {
        const policy = maybePolicyString(ctx, node, range);
        if (policy) return policy;
      }
      return { kind: 'scalar', value: node.value, file: ctx.file, range };
    }
    case 'seq': {
      const list: ListValue = { kind: 'list', items: node.items.map((i) => toValue(ctx, i, depth + 1)), file: ctx.file, range };
      return list;
    }
    case 'map': {
      if (node.entries.length === 1) {
        const e = node.entries[0];
        if (isIntrinsicKey(e.key)) return intrinsic(ctx, e.key, e.value, start, node.end, depth);
        if (e.key === 'Condition' && e.value.kind === 'scalar' && typeof e.value.value === 'string' && !e.value.tag) {
          return intrinsic(ctx, 'Condition', e.value, start, node.end, depth);
        }
      }
      return mapValue(ctx, node, depth);
    }
  }
}

export function mapValue(ctx: ValueContext, node: RawMap, depth = 0): MapValue {
  const entries: MapEntry[] = node.entries.map((e) => ({
    key: e.key,
    keyRange: rangeOf(ctx, e.keyStart, e.keyEnd),
    value: toValue(ctx, e.value, depth + 1),
  }));
  return { kind: 'map', entries, file: ctx.file, range: rangeOf(ctx, nodeStart(node), node.end) };
}

function str(n: RawNode | undefined): string | undefined {
  if (!n || n.kind !== 'scalar' || n.tag) return undefined;
  if (n.value === null) return undefined;
  return String(n.value);
}

/** Decode an intrinsic function call `fn` whose argument is `arg`; the whole call spans start..end. */
function intrinsic(ctx: ValueContext, fn: string, arg: RawNode, start: number, end: number, depth: number): Value {
  const range = rangeOf(ctx, start, end);
  const file = ctx.file;
  // the argument without its tag, when the call is a short form (`!Ref X`: arg is the tagged node itself)
  const a: RawNode = arg.tag && nodeStart(arg) === start ? { ...arg, tag: undefined, tagStart: undefined } : arg;
  switch (fn) {
    case 'Ref': {
      const name = str(a);
      if (name) {
        const ref: RefValue = { kind: 'ref', target: refTarget(ctx, name), text: `!Ref ${name}`, file, range };
        return ref;
      }
      break;
    }
    case 'Fn::GetAtt': {
      let res: string | undefined;
      let attr: string | undefined;
      let attrNode: RawNode | undefined;
      const s = str(a);
      if (s !== undefined) {
        const dot = s.indexOf('.');
        if (dot > 0) {
          res = s.slice(0, dot);
          attr = s.slice(dot + 1);
        } else res = s;
      } else if (a.kind === 'seq' && a.items.length >= 1) {
        res = str(a.items[0]);
        attrNode = a.items[1];
        attr = str(attrNode);
        if (a.items.length > 2 && attr !== undefined) {
          const rest = a.items.slice(2).map(str);
          if (rest.every((x) => x !== undefined)) attr = [attr, ...rest].join('.');
        }
      }
      if (res !== undefined && (attr !== undefined || attrNode === undefined)) {
        const target: RefTarget = attr !== undefined ? { type: 'resource', address: res, attribute: attr } : { type: 'resource', address: res };
        return { kind: 'ref', target, text: `!GetAtt ${res}${attr !== undefined ? `.${attr}` : ''}`, file, range };
      }
      if (res !== undefined) {
        // attribute computed (`!GetAtt [A, !Ref Attr]`): a reference to the resource inside an expression
        const args = a.kind === 'seq' ? a.items.map((i) => toValue(ctx, i, depth + 1)) : [toValue(ctx, a, depth + 1)];
        const refs: RefValue[] = [
          { kind: 'ref', target: { type: 'resource', address: res }, text: `!GetAtt ${res}`, file, range },
          ...collectRefs(args),
        ];
        return { kind: 'expr', fn, text: snippet(ctx, start, end), refs, args, file, range };
      }
      break;
    }
    case 'Fn::If': {
      if (a.kind === 'seq' && a.items.length === 3) {
        const cond = str(a.items[0]);
        if (cond !== undefined) {
          const v: IfValue = {
            kind: 'if',
            condition: cond,
            conditionText: cond,
            then: toValue(ctx, a.items[1], depth + 1),
            else: toValue(ctx, a.items[2], depth + 1),
            file,
            range,
          };
          return v;
        }
      }
      break;
    }
    case 'Fn::Sub':
      return sub(ctx, a, start, end, depth);
    case 'Fn::ImportValue': {
      const name = str(a);
      if (name !== undefined) {
        return { kind: 'ref', target: { type: 'external', text: name }, text: `!ImportValue ${name}`, file, range };
      }
      break;
    }
    default:
      break;
  }
  const args = a.kind === 'seq' ? a.items.map((i) => toValue(ctx, i, depth + 1)) : [toValue(ctx, a, depth + 1)];
  const e: ExprValue = { kind: 'expr', fn, text: snippet(ctx, start, end), refs: collectRefs(args), args, file, range };
  return e;
}

/** Every RefValue inside the given values (recursively, through lists, maps, ifs and expressions). */
export function collectRefs(values: Value[], out: RefValue[] = [], depth = 0): RefValue[] {
  if (depth > MAX_DEPTH) return out;
  for (const v of values) {
    switch (v.kind) {
      case 'ref':
        out.push(v);
        break;
      case 'expr':
        out.push(...v.refs);
        break;
      case 'list':
        collectRefs(v.items, out, depth + 1);
        break;
      case 'map':
        collectRefs(
          v.entries.map((e) => e.value),
          out,
          depth + 1,
        );
        break;
      case 'if':
        collectRefs([v.then, v.else], out, depth + 1);
        break;
      default:
        break;
    }
  }
  return out;
}

/** Maps an offset in a string scalar's value to the file offset of that character. */
type OffsetMap = (valueOffset: number) => number;

/**
 * Where the characters of a string scalar's value sit in the source, when they are there verbatim: a plain or
 * quoted scalar without escapes on one line, or a literal block scalar (`|`) whose lines are the value's lines
 * behind their indentation. Undefined when the value is not in the file as written (escapes, folding).
 */
function sourceMap(ctx: ValueContext, node: RawScalar): OffsetMap | undefined {
  if (typeof node.value !== 'string') return undefined;
  const v = node.value;
  if (!node.block) {
    const q = node.quoted ? 1 : 0;
    const s = node.start + q;
    if (node.end - q - s === v.length && ctx.text.slice(s, s + v.length) === v) return (o) => s + o;
    return undefined;
  }
  if (node.block !== 'literal') return undefined;
  const header = ctx.lines.position(node.start).line;
  const valueLines = v.split('\n');
  let indent = -1;
  const fileStarts: number[] = [];
  const valueStarts: number[] = [];
  let vo = 0;
  for (let k = 0; k < valueLines.length; k++) {
    const c = valueLines[k];
    const line = header + 1 + k;
    if (line >= ctx.lines.lineCount) {
      if (c.length > 0) return undefined;
      break;
    }
    const ls = ctx.lines.lineStart(line);
    if (c.length > 0) {
      if (indent < 0) {
        let i = ls;
        while (ctx.text[i] === ' ') i++;
        indent = i - ls;
        // the first content line may itself be more indented than the block (then the value starts with spaces)
        const lead = c.length - c.trimStart().length;
        indent -= lead;
        if (indent < 0) return undefined;
      }
      if (ctx.text.slice(ls + indent, ls + indent + c.length) !== c) return undefined;
    }
    fileStarts.push(ls + Math.max(indent, 0));
    valueStarts.push(vo);
    vo += c.length + 1;
  }
  return (o) => {
    let lo = 0;
    let hi = valueStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (valueStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return fileStarts[lo] + (o - valueStarts[lo]);
  };
}

/** Move every offset of a raw tree decoded from a string to its place in the file. */
function remap(n: RawNode, f: OffsetMap): RawNode {
  const base = { start: f(n.start), end: f(n.end) };
  switch (n.kind) {
    case 'scalar':
      return { ...n, ...base };
    case 'seq':
      return { ...n, ...base, items: n.items.map((i) => remap(i, f)) };
    case 'map':
      return {
        ...n,
        ...base,
        entries: n.entries.map((e) => ({ key: e.key, keyStart: f(e.keyStart), keyEnd: f(e.keyEnd), value: remap(e.value, f) })),
      };
  }
}

function sub(ctx: ValueContext, a: RawNode, start: number, end: number, depth: number): Value {
  const file = ctx.file;
  const range = rangeOf(ctx, start, end);
  let tmplNode: RawNode | undefined;
  let varsNode: RawNode | undefined;
  if (a.kind === 'scalar') tmplNode = a;
  else if (a.kind === 'seq') {
    tmplNode = a.items[0];
    varsNode = a.items[1];
  }
  const template = tmplNode && tmplNode.kind === 'scalar' && !tmplNode.tag && typeof tmplNode.value === 'string' ? tmplNode.value : undefined;
  const refs: RefValue[] = [];
  const args: Value[] = [];
  if (a.kind === 'seq') for (const i of a.items) args.push(toValue(ctx, i, depth + 1));
  else args.push(toValue(ctx, a, depth + 1));
  // variables of the map form: a literal value is substituted into the text; any other value is a placeholder
  // whose references come from the value
  const varLiterals = new Map<string, string>();
  const varRefCount = new Map<string, number>();
  const varsValue = args[1];
  if (varsValue && varsValue.kind === 'map') {
    for (const e of varsValue.entries) {
      const v = e.value;
      if (v.kind === 'scalar' && v.value !== null) varLiterals.set(e.key, String(v.value));
      else {
        const n = refs.length;
        collectRefs([v], refs);
        varRefCount.set(e.key, refs.length - n);
      }
    }
  } else if (args.length > 1) {
    collectRefs(args.slice(1), refs);
  }
  if (template === undefined) {
    if (args[0]) collectRefs([args[0]], refs);
    return { kind: 'expr', fn: 'Fn::Sub', text: snippet(ctx, start, end), refs, args, file, range };
  }
  const map = tmplNode && tmplNode.kind === 'scalar' ? sourceMap(ctx, tmplNode) : undefined;
  const parts: string[] = [];
  let lit = '';
  let i = 0;
  // parts are the literal pieces between the placeholders nothing resolves; they are left out when a
  // placeholder has no reference to show for it (a computed variable), so that `parts` with no `refs`
  // always means the text is fully literal
  let partsKnown = true;
  while (i < template.length) {
    const open = template.indexOf('${', i);
    if (open < 0) {
      lit += template.slice(i);
      break;
    }
    lit += template.slice(i, open);
    const close = template.indexOf('}', open + 2);
    if (close < 0) {
      lit += template.slice(open);
      break;
    }
    const inner = template.slice(open + 2, close);
    if (inner.startsWith('!')) {
      lit += `\${${inner.slice(1)}}`;
      i = close + 1;
      continue;
    }
    const name = inner.trim();
    const literal = varLiterals.get(name);
    if (literal !== undefined) {
      lit += literal;
      i = close + 1;
      continue;
    }
    parts.push(lit);
    lit = '';
    const r = map ? rangeOf(ctx, map(open), map(close) + 1) : range;
    if (varRefCount.has(name)) {
      if (varRefCount.get(name) === 0) partsKnown = false;
    } else if (!name) {
      partsKnown = false;
    } else {
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) {
        const res = name.slice(0, dot);
        const attribute = name.slice(dot + 1);
        refs.push({ kind: 'ref', target: { type: 'resource', address: res, attribute }, text: `\${${name}}`, file, range: r });
      } else {
        refs.push({ kind: 'ref', target: refTarget(ctx, name), text: `\${${name}}`, file, range: r });
      }
    }
    i = close + 1;
  }
  parts.push(lit);
  const e: ExprValue = { kind: 'expr', fn: 'Fn::Sub', text: snippet(ctx, start, end), refs, args, file, range };
  if (partsKnown) e.parts = parts;
  return e;
}

/** A string that holds a JSON IAM policy (`{"Statement": ...}`) becomes a MapValue with `encoded: 'json-string'`. */
function maybePolicyString(ctx: ValueContext, node: RawScalar, range: Range): MapValue | undefined {
  const v = node.value;
  if (typeof v !== 'string') return undefined;
  const t = v.trimStart();
  if (!t.startsWith('{') || !v.includes('Statement')) return undefined;
  const parsed = parseJsonRaw(v);
  if (!parsed.root || parsed.root.kind !== 'map' || parsed.issues.length > 0) return undefined;
  if (!hasStatement(parsed.root, 0)) return undefined;
  const map = sourceMap(ctx, node);
  // the JSON text is in the file as written: every decoded node gets its exact range; otherwise all get the string's
  const decoded = map ? toValue(ctx, remap(parsed.root, map), 1) : flatten(toValue(decodedContext(ctx, v), parsed.root, 1), range);
  if (decoded.kind !== 'map') return undefined;
  decoded.encoded = 'json-string';
  decoded.range = range;
  return decoded;
}

function hasStatement(m: RawMap, depth: number): boolean {
  if (depth > 3) return false;
  for (const e of m.entries) {
    if (e.key === 'Statement') return true;
    if (e.value.kind === 'map' && hasStatement(e.value, depth + 1)) return true;
  }
  return false;
}

/** A context for text decoded out of a string (offsets are into `text`, not the file). */
function decodedContext(ctx: ValueContext, text: string): ValueContext {
  return { ...ctx, text, lines: new LineIndex(text) };
}

/** Give every node of a decoded value the same range (used when the decoded text is not verbatim in the file). */
function flatten(v: Value, range: Range): Value {
  v.range = range;
  switch (v.kind) {
    case 'list':
      v.items.forEach((i) => flatten(i, range));
      break;
    case 'map':
      v.entries.forEach((e) => {
        e.keyRange = range;
        flatten(e.value, range);
      });
      break;
    case 'if':
      flatten(v.then, range);
      flatten(v.else, range);
      break;
    case 'expr':
      v.args?.forEach((a) => flatten(a, range));
      v.refs.forEach((r) => flatten(r, range));
      break;
    default:
      break;
  }
  return v;
}
