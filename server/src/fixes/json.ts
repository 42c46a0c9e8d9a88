/**
 * Format-preserving edits of CloudFormation JSON (and JSON policies inside Terraform heredocs). Nodes are found
 * with jsonc-parser; new text is rendered with the file's own indentation and line ending. jsonc-parser's
 * `modify` is not used for insertions because it re-formats the whole edited line range (sibling properties
 * written compactly would be expanded); the same options (`insertSpaces`, `tabSize`, `eol`) are detected from the
 * file and used here.
 */
import { findNodeAtLocation, findNodeAtOffset, parseTree } from 'jsonc-parser';
import type { Node as JsonNode } from 'jsonc-parser';
import type { Resource, Value } from '../model/types';
import { Doc } from './doc';
import { indentOf } from './text';
import type { NewValue, TextEdit } from './types';

export function jsonTree(doc: Doc): JsonNode | undefined {
  return parseTree(doc.text, [], { allowTrailingComma: true, disallowComments: false });
}

/** The JS value CloudFormation JSON uses for a NewValue. */
export function toCfnJson(v: NewValue): unknown {
  switch (v.kind) {
    case 'str':
      return v.value;
    case 'bool':
    case 'num':
      return v.value;
    case 'raw':
      return v.json !== undefined ? v.json : v.text;
    case 'input':
      return { Ref: v.name };
    case 'ref':
      return { Ref: v.name };
    case 'attr':
      return { 'Fn::GetAtt': [v.address, v.attribute] };
    case 'sub':
      return { 'Fn::Sub': v.cfn };
    case 'list':
      return v.items.map(toCfnJson);
    case 'map':
      return Object.fromEntries(v.entries.map(([k, x]) => [k, toCfnJson(x)]));
  }
}

/**
 * Render a JS value as JSON at `indent` (the indentation of the line it starts on); `inline` keeps one line.
 * Intrinsic functions (`{"Ref": ...}`, `{"Fn::GetAtt": [...]}`) stay on one line when the file writes them so.
 */
export function renderJson(doc: Doc, value: unknown, indent: string, inline = false): string {
  if (inline) return stringifyInline(value);
  const unit = doc.insertSpaces ? ' '.repeat(doc.tabSize) : '\t';
  const compactIntrinsics = inlineIntrinsics(doc.text);
  const go = (v: unknown, ind: string): string => {
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    if (compactIntrinsics && isIntrinsic(v)) return stringifyInline(v);
    const inner = ind + unit;
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[${doc.eol}${v.map((x) => inner + go(x, inner)).join(`,${doc.eol}`)}${doc.eol}${ind}]`;
    }
    const e = Object.entries(v as Record<string, unknown>);
    if (e.length === 0) return '{}';
    return `{${doc.eol}${e.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${go(x, inner)}`).join(`,${doc.eol}`)}${doc.eol}${ind}}`;
  };
  return go(value, indent);
}

function isIntrinsic(v: object): boolean {
  const keys = Object.keys(v);
  return !Array.isArray(v) && keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition');
}

/** Does the file write intrinsic functions on one line (`{"Ref": "X"}`) rather than expanded? */
function inlineIntrinsics(text: string): boolean {
  const inline = (text.match(/\{[ \t]*"(Ref|Fn::\w+)"\s*:/g) ?? []).length;
  const expanded = (text.match(/\{[ \t]*\r?\n\s*"(Ref|Fn::\w+)"\s*:/g) ?? []).length;
  return inline >= expanded;
}

function stringifyInline(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stringifyInline).join(', ')}]`;
  if (v && typeof v === 'object') {
    const e = Object.entries(v as Record<string, unknown>);
    return e.length ? `{${e.map(([k, x]) => `${JSON.stringify(k)}: ${stringifyInline(x)}`).join(', ')}}` : '{}';
  }
  return JSON.stringify(v);
}

function lineIndentAt(doc: Doc, offset: number): string {
  return indentOf(doc.line(doc.pos(offset).line));
}

function isMultiline(doc: Doc, n: JsonNode): boolean {
  return doc.text.slice(n.offset, n.offset + n.length).includes('\n');
}

/** Set `key` in an object node: replace its value, or add the property after the last one. */
export function jsonSetInObject(doc: Doc, obj: JsonNode, key: string, value: unknown, opts: { before?: string } = {}): TextEdit[] {
  if (obj.type !== 'object') return [];
  const props = obj.children ?? [];
  const existing = props.find((p) => p.children?.[0]?.value === key);
  if (existing?.children?.[1]) return jsonReplaceNode(doc, existing.children[1], value);
  const objIndent = lineIndentAt(doc, obj.offset);
  if (props.length === 0) {
    const inner = objIndent + (doc.insertSpaces ? ' '.repeat(doc.tabSize) : '\t');
    const text = `{${doc.eol}${inner}${JSON.stringify(key)}: ${renderJson(doc, value, inner)}${doc.eol}${objIndent}}`;
    return [doc.edit(obj.offset, obj.offset + obj.length, text)];
  }
  if (!isMultiline(doc, obj)) {
    const last = props[props.length - 1];
    return [doc.insertAt(last.offset + last.length, `, ${JSON.stringify(key)}: ${renderJson(doc, value, '', true)}`)];
  }
  const before = opts.before ? props.find((p) => p.children?.[0]?.value === opts.before) : undefined;
  if (before) {
    const indent = lineIndentAt(doc, before.offset);
    return [doc.insertAt(before.offset, `${JSON.stringify(key)}: ${renderJson(doc, value, indent)},${doc.eol}${indent}`)];
  }
  const last = props[props.length - 1];
  const indent = lineIndentAt(doc, last.offset);
  return [doc.insertAt(last.offset + last.length, `,${doc.eol}${indent}${JSON.stringify(key)}: ${renderJson(doc, value, indent)}`)];
}

/** Replace a node's text with `value`, rendered at the indentation of the node's line. */
export function jsonReplaceNode(doc: Doc, node: JsonNode, value: unknown): TextEdit[] {
  const inline = !isMultiline(doc, node.parent ?? node) && !(Array.isArray(value) && value.length > 3);
  const indent = lineIndentAt(doc, node.offset);
  return [doc.edit(node.offset, node.offset + node.length, renderJson(doc, value, indent, inline))];
}

/** Replace one array item with several, keeping the array's one-line or one-item-per-line layout. */
export function jsonReplaceItem(doc: Doc, node: JsonNode, values: unknown[]): TextEdit[] {
  const arr = node.parent;
  if (!arr || arr.type !== 'array' || values.length === 0) return jsonReplaceNode(doc, node, values.length === 1 ? values[0] : values);
  const indent = lineIndentAt(doc, node.offset);
  const multi = isMultiline(doc, arr);
  const sep = multi ? `,${doc.eol}${indent}` : ', ';
  return [doc.edit(node.offset, node.offset + node.length, values.map((v) => renderJson(doc, v, indent, !multi)).join(sep))];
}

/** The JSON node a model node's range starts at (value nodes: the value itself). */
export function jsonNodeAt(doc: Doc, tree: JsonNode, node: Value): JsonNode | undefined {
  const off = doc.offset(node.range.start);
  let n = findNodeAtOffset(tree, off, false);
  while (n && n.offset !== off && n.parent) n = n.parent;
  if (n && n.type === 'property') n = n.children?.[1];
  return n && n.offset === off ? n : undefined;
}

export function jsonResourceNode(tree: JsonNode, res: Resource): JsonNode | undefined {
  return findNodeAtLocation(tree, ['Resources', res.name]);
}

/** Set CloudFormation resource properties (creating `Properties` when absent). */
export function jsonSetProperties(doc: Doc, res: Resource, pairs: Array<[string, NewValue]>): TextEdit[] {
  const tree = jsonTree(doc);
  if (!tree) return [];
  const r = jsonResourceNode(tree, res);
  if (!r) return [];
  const props = findNodeAtLocation(r, ['Properties']);
  if (!props) return jsonSetInObject(doc, r, 'Properties', Object.fromEntries(pairs.map(([k, v]) => [k, toCfnJson(v)])));
  return jsonSetManyInObject(doc, props, pairs.map(([k, v]) => [k, toCfnJson(v)]));
}

/** Set several keys of one object: replacements in place, new keys together after the last property. */
export function jsonSetManyInObject(doc: Doc, obj: JsonNode, pairs: Array<[string, unknown]>): TextEdit[] {
  const props = obj.children ?? [];
  const edits: TextEdit[] = [];
  const fresh: Array<[string, unknown]> = [];
  for (const [k, v] of pairs) {
    const existing = props.find((p) => p.children?.[0]?.value === k);
    if (existing?.children?.[1]) edits.push(...jsonReplaceNode(doc, existing.children[1], v));
    else fresh.push([k, v]);
  }
  if (fresh.length === 0) return edits;
  if (fresh.length === 1 || props.length === 0 || !isMultiline(doc, obj)) {
    if (fresh.length === 1) return [...edits, ...jsonSetInObject(doc, obj, fresh[0][0], fresh[0][1])];
    if (props.length === 0) {
      const objIndent = lineIndentAt(doc, obj.offset);
      const inner = objIndent + (doc.insertSpaces ? ' '.repeat(doc.tabSize) : '\t');
      const body = fresh.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${renderJson(doc, v, inner)}`).join(`,${doc.eol}`);
      return [...edits, doc.edit(obj.offset, obj.offset + obj.length, `{${doc.eol}${body}${doc.eol}${objIndent}}`)];
    }
    const last = props[props.length - 1];
    return [...edits, doc.insertAt(last.offset + last.length, fresh.map(([k, v]) => `, ${JSON.stringify(k)}: ${renderJson(doc, v, '', true)}`).join(''))];
  }
  const last = props[props.length - 1];
  const indent = lineIndentAt(doc, last.offset);
  const text = fresh.map(([k, v]) => `,${doc.eol}${indent}${JSON.stringify(k)}: ${renderJson(doc, v, indent)}`).join('');
  return [...edits, doc.insertAt(last.offset + last.length, text)];
}

/**
 * Add an entry to a top-level section (`Parameters`, `Resources`): after the resource `after` when given, else
 * at the end; a missing section is created before `before`.
 */
export function jsonAddToSection(
  doc: Doc,
  section: string,
  entries: Array<[string, NewValue]>,
  opts: { after?: Resource; before?: string } = {},
): TextEdit[] {
  const tree = jsonTree(doc);
  if (!tree || tree.type !== 'object' || entries.length === 0) return [];
  const sec = findNodeAtLocation(tree, [section]);
  const obj = Object.fromEntries(entries.map(([k, v]) => [k, toCfnJson(v)]));
  if (!sec) return jsonSetInObject(doc, tree, section, obj, { before: opts.before });
  if (sec.type !== 'object') return [];
  let anchor = opts.after ? (sec.children ?? []).find((p) => p.children?.[0]?.value === opts.after!.name) : undefined;
  const props = sec.children ?? [];
  anchor ??= props[props.length - 1];
  if (!anchor || !isMultiline(doc, sec)) {
    const edits: TextEdit[] = [];
    // one-line or empty section: add the entries one by one into the same object text
    let text = doc.text;
    for (const [k, v] of Object.entries(obj)) {
      const d = new Doc(doc.file, text);
      const s2 = findNodeAtLocation(jsonTree(d)!, [section])!;
      const e = jsonSetInObject(d, s2, k, v);
      if (e.length === 0) return [];
      text = applyOne(text, d, e[0]);
    }
    edits.push(diffEdit(doc, text));
    return edits;
  }
  const indent = lineIndentAt(doc, anchor.offset);
  const text = Object.entries(obj)
    .map(([k, v]) => `,${doc.eol}${indent}${JSON.stringify(k)}: ${renderJson(doc, v, indent)}`)
    .join('');
  return [doc.insertAt(anchor.offset + anchor.length, text)];
}

function applyOne(text: string, d: Doc, e: TextEdit): string {
  return text.slice(0, d.offset(e.range.start)) + e.newText + text.slice(d.offset(e.range.end));
}

/** One edit that turns `doc.text` into `next` (the changed middle, common prefix and suffix kept). */
export function diffEdit(doc: Doc, next: string): TextEdit {
  const a = doc.text;
  let p = 0;
  while (p < a.length && p < next.length && a[p] === next[p]) p++;
  let s = 0;
  while (s < a.length - p && s < next.length - p && a[a.length - 1 - s] === next[next.length - 1 - s]) s++;
  return doc.edit(p, a.length - s, next.slice(p, next.length - s));
}
