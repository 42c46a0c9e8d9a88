/**
 * Format-preserving edits of CloudFormation YAML. Edits are computed from the model's ranges and the text's own
 * indentation; nothing is re-serialised, so comments, blank lines, quoting and flow/block style stay as written.
 */
import type { MapEntry, MapValue, Range, Resource, Value } from '../model/types';
import type { Doc } from './doc';
import { indentOf, isBlank } from './text';
import type { NewValue, TextEdit } from './types';

const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;

export function yamlScalar(doc: Doc, s: string): string {
  const plain =
    s.length > 0 &&
    s === s.trim() &&
    !/^[-?:,[\]{}#&*!|>'"%@`]/.test(s) &&
    !/[\x00-\x1f\[\]{},]/.test(s) &&
    !/: |:$| #/.test(s) &&
    !RESERVED.test(s) &&
    !/^[-+]?(\.?\d|\.(inf|nan))/i.test(s) &&
    !/^\d{4}-\d\d-\d\d/.test(s);
  if (plain) return s;
  const q = doc.yaml.quote;
  if (q === "'") return `'${s.replace(/'/g, "''")}'`;
  return JSON.stringify(s);
}

function yamlKey(doc: Doc, k: string): string {
  return /^[A-Za-z_][\w.-]*(::[\w.-]+)*$/.test(k) && !RESERVED.test(k) ? k : yamlScalar(doc, k);
}

/** A value on one line: scalars, short-form intrinsics, flow lists and maps. */
export function yamlInline(doc: Doc, v: NewValue): string {
  const short = doc.yaml.shortTags;
  switch (v.kind) {
    case 'str':
      return yamlScalar(doc, v.value);
    case 'bool':
    case 'num':
      return String(v.value);
    case 'raw':
      return v.text;
    case 'input':
      return short ? `!Ref ${v.name}` : `{Ref: ${v.name}}`;
    case 'ref':
      return short ? `!Ref ${v.name}` : `{Ref: ${yamlScalar(doc, v.name)}}`;
    case 'attr':
      return short ? `!GetAtt ${v.address}.${v.attribute}` : `{Fn::GetAtt: [${v.address}, ${v.attribute}]}`;
    case 'sub':
      return short ? `!Sub ${quoted(doc, v.cfn)}` : `{Fn::Sub: ${quoted(doc, v.cfn)}}`;
    case 'list':
      return `[${v.items.map((i) => yamlInline(doc, i)).join(', ')}]`;
    case 'map':
      return v.entries.length === 0 ? '{}' : `{${v.entries.map(([k, x]) => `${yamlKey(doc, k)}: ${yamlInline(doc, x)}`).join(', ')}}`;
  }
}

function quoted(doc: Doc, s: string): string {
  const q = doc.yaml.quote;
  return q === "'" ? `'${s.replace(/'/g, "''")}'` : JSON.stringify(s);
}

function isBlockish(v: NewValue): boolean {
  return (v.kind === 'list' && v.items.length > 0) || (v.kind === 'map' && v.entries.length > 0);
}

/** In a file written with long-form intrinsics, `Ref: X` / `Fn::GetAtt: [X, Arn]` / `Fn::Sub: '...'` (one line). */
function longForm(doc: Doc, v: NewValue): string | undefined {
  if (doc.yaml.shortTags) return undefined;
  if (v.kind === 'input' || v.kind === 'ref') return `Ref: ${v.name}`;
  if (v.kind === 'attr') return `Fn::GetAtt: [${v.address}, ${v.attribute}]`;
  if (v.kind === 'sub') return `Fn::Sub: ${quoted(doc, v.cfn)}`;
  return undefined;
}

/** `key: value` lines (block style) at `indent`. */
export function yamlEntryLines(doc: Doc, key: string, v: NewValue, indent: string): string[] {
  const k = yamlKey(doc, key);
  const lf = longForm(doc, v);
  if (lf) return [`${indent}${k}:`, `${indent}${doc.unit}${lf}`];
  if (!isBlockish(v)) return [`${indent}${k}: ${yamlInline(doc, v)}`];
  return [`${indent}${k}:`, ...yamlBlockBody(doc, v, indent)];
}

/** The lines under `key:` for a block list or map whose key is at `indent`. */
function yamlBlockBody(doc: Doc, v: NewValue, indent: string): string[] {
  if (v.kind === 'list') {
    const itemIndent = doc.yaml.seqIndented ? indent + doc.unit : indent;
    return v.items.flatMap((i) => yamlItemLines(doc, i, itemIndent));
  }
  if (v.kind === 'map') return v.entries.flatMap(([k, x]) => yamlEntryLines(doc, k, x, indent + doc.unit));
  return [];
}

/** `- item` lines at `indent` (the dash's column). */
export function yamlItemLines(doc: Doc, v: NewValue, indent: string): string[] {
  if (v.kind === 'map' && v.entries.length > 0) {
    const inner = indent + '  ';
    const lines = v.entries.flatMap(([k, x]) => yamlEntryLines(doc, k, x, inner));
    lines[0] = `${indent}- ${lines[0].slice(inner.length)}`;
    return lines;
  }
  return [`${indent}- ${yamlInline(doc, v)}`];
}

function isFlow(doc: Doc, node: Value): boolean {
  const c = doc.text[doc.offset(node.range.start)];
  return c === '{' || c === '[';
}

/** Offset just after the last content of a block map (to insert a new line after it). */
function insertLineAfter(doc: Doc, line: number, lines: string[]): TextEdit {
  const body = lines.join(doc.eol);
  if (line + 1 >= doc.lineCount && !/\r?\n$/.test(doc.text)) return doc.insertAt(doc.text.length, doc.eol + body);
  if (line + 1 >= doc.lineCount) return doc.insertAt(doc.text.length, body + doc.eol);
  return doc.insertAt(doc.afterLine(line), body + doc.eol);
}

/** The last line a node's text occupies (block scalars' trailing blank lines excluded). */
function lastLine(doc: Doc, r: Range): number {
  return doc.lastContentLine(r);
}

/**
 * Set keys in a block or flow mapping: replaces the values of keys that exist, and adds the others after the last
 * entry with the siblings' indentation (flow mappings: before the closing brace).
 */
export function yamlSetInMap(doc: Doc, map: MapValue, key: string, v: NewValue): TextEdit[] {
  return yamlSetManyInMap(doc, map, [[key, v]]);
}

export function yamlSetManyInMap(doc: Doc, map: MapValue, pairs: Array<[string, NewValue]>): TextEdit[] {
  const edits: TextEdit[] = [];
  const fresh: Array<[string, NewValue]> = [];
  for (const [key, v] of pairs) {
    const existing = map.entries.find((e) => e.key === key);
    if (existing) edits.push(...yamlReplaceEntryValue(doc, existing, v));
    else fresh.push([key, v]);
  }
  if (fresh.length === 0) return edits;
  if (isFlow(doc, map)) {
    const close = doc.offset(map.range.end) - 1;
    if (doc.text[close] !== '}') return [];
    const last = map.entries[map.entries.length - 1];
    const items = fresh.map(([key, v]) => `${yamlKey(doc, key)}: ${yamlInline(doc, v)}`).join(', ');
    if (!last) return [...edits, doc.edit(doc.offset(map.range.start) + 1, close, items)];
    return [...edits, doc.insertAt(valueEnd(doc, last.value), `, ${items}`)];
  }
  if (map.entries.length === 0) return [];
  const first = map.entries[0];
  const indent = ' '.repeat(first.keyRange.start.character);
  const endLine = Math.max(...map.entries.map((e) => lastLine(doc, e.value.range)));
  return [...edits, insertLineAfter(doc, endLine, fresh.flatMap(([key, v]) => yamlEntryLines(doc, key, v, indent)))];
}

/** Replace an entry's value; a block list/map replaces from the colon so that it starts on the next line. */
export function yamlReplaceEntryValue(doc: Doc, entry: MapEntry, v: NewValue): TextEdit[] {
  const start = doc.offset(entry.value.range.start);
  const end = valueEnd(doc, entry.value);
  const indent = indentOf(doc.line(entry.keyRange.start.line));
  const keyIndent = ' '.repeat(entry.keyRange.start.character);
  if (isBlockish(v) && !insideFlow(doc, entry.value)) {
    const colon = doc.text.indexOf(':', doc.offset(entry.keyRange.end));
    if (colon < 0 || colon > start) return [];
    const body = yamlBlockBody(doc, v, keyIndent.length > indent.length ? keyIndent : indent);
    return [doc.edit(colon + 1, end, doc.eol + body.join(doc.eol))];
  }
  return [doc.edit(start, end, yamlInline(doc, v))];
}

/** End of a value's own text (block scalars: their last content line; collections: as ranged). */
function valueEnd(doc: Doc, node: Value): number {
  const s = doc.slice(node.range);
  const trimmed = s.replace(/\s+$/, '');
  return doc.offset(node.range.start) + trimmed.length;
}

function insideFlow(doc: Doc, node: Value): boolean {
  // A value inside a flow collection: the nearest unclosed bracket before it on the same line(s).
  const before = doc.text.slice(doc.idx.lineStart(node.range.start.line), doc.offset(node.range.start));
  let depth = 0;
  for (const c of before) {
    if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && depth > 0) depth--;
  }
  return depth > 0;
}

/** Replace any value node (a scalar, a list item) with an inline rendering of `v`. */
export function yamlReplaceNode(doc: Doc, node: Value, v: NewValue): TextEdit[] {
  return [doc.edit(doc.offset(node.range.start), valueEnd(doc, node), yamlInline(doc, v))];
}

/**
 * Replace one item of a list with several: in a flow list, `a, b`; in a block list, further `- b` lines with the
 * item's dash column.
 */
export function yamlReplaceItem(doc: Doc, node: Value, items: NewValue[]): TextEdit[] {
  if (items.length === 0) return [];
  const start = doc.offset(node.range.start);
  const end = valueEnd(doc, node);
  if (insideFlow(doc, node)) return [doc.edit(start, end, items.map((i) => yamlInline(doc, i)).join(', '))];
  const line = doc.line(node.range.start.line);
  const dash = line.slice(0, node.range.start.character).lastIndexOf('-');
  if (dash < 0) return yamlReplaceNode(doc, node, { kind: 'list', items });
  const dashIndent = ' '.repeat(dash);
  const rest = items.slice(1).flatMap((i) => yamlItemLines(doc, i, dashIndent));
  const first = items[0];
  let head: string[];
  if (first.kind === 'map' && first.entries.length > 0) {
    // a block map item: its keys at the column where the replaced item's content starts
    const col = ' '.repeat(node.range.start.character);
    head = first.entries.flatMap(([k, x]) => yamlEntryLines(doc, k, x, col));
    head[0] = head[0].slice(col.length);
  } else head = [yamlInline(doc, first)];
  return [doc.edit(start, end, [...head, ...rest].join(doc.eol))];
}

/** The child indentation of a resource's body, and whether the body is a flow map. */
function resourceBody(doc: Doc, res: Resource): { indent: string; lastLine: number; flowClose?: number } {
  const keyLine = res.nameRange.start.line;
  const after = doc.text.slice(doc.offset(res.nameRange.end), doc.endOfLine(keyLine));
  const m = /^\s*:\s*\{/.exec(after);
  if (m) {
    const end = doc.text.slice(0, doc.offset(res.range.end)).lastIndexOf('}');
    return { indent: '', lastLine: keyLine, flowClose: end };
  }
  const last = doc.lastContentLine(res.range);
  for (let l = keyLine + 1; l <= last; l++) {
    const t = doc.line(l);
    if (isBlank(t) || /^\s*#/.test(t)) continue;
    return { indent: indentOf(t), lastLine: last };
  }
  return { indent: indentOf(doc.line(keyLine)) + doc.unit, lastLine: last };
}

/** Set properties of a CloudFormation resource, creating `Properties:` when the resource has none. */
export function yamlSetProperties(doc: Doc, res: Resource, pairs: Array<[string, NewValue]>): TextEdit[] {
  if (res.hasProperties) {
    if (res.properties.entries.length > 0 || isFlow(doc, res.properties)) return yamlSetManyInMap(doc, res.properties, pairs);
    // `Properties:` written with nothing under it
    const last = doc.lastContentLine(res.range);
    for (let l = res.nameRange.start.line + 1; l <= last; l++) {
      const m = /^(\s*)Properties\s*:\s*(#.*)?$/.exec(doc.line(l));
      if (m) return [insertLineAfter(doc, l, pairs.flatMap(([k, v]) => yamlEntryLines(doc, k, v, m[1] + doc.unit)))];
    }
    return [];
  }
  return yamlAddResourceKey(doc, res, 'Properties', { kind: 'map', entries: pairs });
}

/** Add a key (`Properties`, `Metadata`) to a resource's body. */
export function yamlAddResourceKey(doc: Doc, res: Resource, key: string, v: NewValue): TextEdit[] {
  const body = resourceBody(doc, res);
  if (body.flowClose !== undefined) {
    if (body.flowClose < 0) return [];
    return [doc.insertAt(body.flowClose, `, ${key}: ${yamlInline(doc, v)}`)];
  }
  return [insertLineAfter(doc, body.lastLine, yamlEntryLines(doc, key, v, body.indent))];
}

/** The line of a top-level section key (`Resources:`), or -1. */
export function sectionLine(doc: Doc, name: string): number {
  for (let l = 0; l < doc.lineCount; l++) if (new RegExp(`^["']?${name}["']?\\s*:`).test(doc.line(l))) return l;
  return -1;
}

/** Last content line of the top-level section starting at `line`. */
function sectionEnd(doc: Doc, line: number): number {
  let last = line;
  for (let l = line + 1; l < doc.lineCount; l++) {
    const t = doc.line(l);
    if (isBlank(t)) continue;
    if (!/^\s/.test(t)) {
      if (t.startsWith('#')) continue;
      break;
    }
    last = l;
  }
  return last;
}

/** Does the section separate its entries with blank lines (comment lines above an entry belong to it)? */
function blankBetweenEntries(doc: Doc, line: number): boolean {
  const end = sectionEnd(doc, line);
  const child = /^(\s+)\S/.exec(firstChildLine(doc, line) ?? '')?.[1];
  if (!child) return false;
  let blank = 0;
  let tight = 0;
  let first = true;
  for (let l = line + 1; l <= end; l++) {
    const t = doc.line(l);
    if (!t.startsWith(child) || /^\s/.test(t.slice(child.length)) || isBlank(t) || /^\s*#/.test(t)) continue;
    if (first) {
      first = false;
      continue;
    }
    let p = l - 1;
    while (p > line && /^\s*#/.test(doc.line(p))) p--;
    if (isBlank(doc.line(p))) blank++;
    else tight++;
  }
  return blank > tight;
}

/**
 * Add `name: v` entries (maps) to a top-level section (`Parameters`, `Resources`). Placed after the entry `after` when
 * given (a resource it serves), else at the end of the section. A missing section is created before `before`
 * (usually `Resources`) or at the end of the file.
 */
export function yamlAddToSection(
  doc: Doc,
  section: string,
  entries: Array<[string, NewValue]>,
  opts: { after?: Resource; before?: string } = {},
): TextEdit[] {
  if (entries.length === 0) return [];
  const line = sectionLine(doc, section);
  if (line < 0) {
    const lines = [`${section}:`, ...entries.flatMap(([name, v]) => yamlEntryLines(doc, name, v, doc.unit))];
    const beforeLine = opts.before ? sectionLine(doc, opts.before) : -1;
    if (beforeLine >= 0) {
      const sep = beforeLine > 0 && isBlank(doc.line(beforeLine - 1)) ? [''] : [];
      return [doc.insertAt(doc.idx.lineStart(beforeLine), [...lines, ...sep].join(doc.eol) + doc.eol)];
    }
    return [insertLineAfter(doc, lastNonBlank(doc), lines)];
  }
  if (/:\s*\{\s*\}\s*$/.test(doc.line(line))) return [];
  const child = /^(\s+)\S/.exec(firstChildLine(doc, line) ?? '')?.[1] ?? doc.unit;
  const blank = blankBetweenEntries(doc, line);
  const lines = entries.flatMap(([name, v]) => [...(blank ? [''] : []), ...yamlEntryLines(doc, name, v, child)]);
  const at = opts.after ? doc.lastContentLine(opts.after.range) : sectionEnd(doc, line);
  return [insertLineAfter(doc, at, lines)];
}

function firstChildLine(doc: Doc, line: number): string | undefined {
  for (let l = line + 1; l < doc.lineCount; l++) {
    const t = doc.line(l);
    if (isBlank(t) || /^\s*#/.test(t)) continue;
    return /^\s/.test(t) ? t : undefined;
  }
  return undefined;
}

function lastNonBlank(doc: Doc): number {
  let l = doc.lineCount - 1;
  while (l > 0 && isBlank(doc.line(l))) l--;
  return l;
}

/** Insert a comment line above `line`, with that line's indentation. Returns the edit and where `text` starts. */
export function commentAbove(doc: Doc, line: number, text: string, marker = '#'): { edit: TextEdit; start: { line: number; character: number } } {
  const indent = indentOf(doc.line(line));
  const dashed = /^(\s*)- /.exec(doc.line(line));
  const ind = dashed ? dashed[1] : indent;
  return {
    edit: doc.insertAt(doc.idx.lineStart(line), `${ind}${marker} ${text}${doc.eol}`),
    start: { line, character: ind.length + marker.length + 1 },
  };
}
