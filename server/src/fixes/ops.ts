/**
 * Format-neutral edit operations over a unit: per-rule fixes call these, and they dispatch to the YAML, JSON or
 * HCL writer of the file concerned. Each returns the edits (empty when it cannot edit safely).
 */
import type { ListValue, MapValue, Resource, Unit, Value } from '../model/types';
import { Doc } from './doc';
import { hclAddBlocks, hclBlock, hclExpr, hclReplaceItem, hclReplaceNode, hclSetAttribute, hclSetAttributes } from './hcl';
import { jsonAddToSection, jsonNodeAt, jsonReplaceItem, jsonReplaceNode, jsonSetInObject, jsonSetProperties, jsonTree, renderJson, toCfnJson } from './json';
import { indentOf, uniqueName } from './text';
import type { NewValue, TextEdit } from './types';
import { yamlAddToSection, yamlEntryLines, yamlInline, yamlReplaceItem, yamlReplaceNode, yamlSetInMap, yamlSetProperties } from './yaml';

export type FileKind = 'yaml' | 'json' | 'hcl' | 'tfvars';

export class FixContext {
  private readonly docs = new Map<string, Doc>();

  constructor(readonly unit: Unit) {}

  doc(file: string): Doc | undefined {
    let d = this.docs.get(file);
    if (!d) {
      const f = this.unit.files.find((x) => x.path === file);
      if (!f) return undefined;
      d = new Doc(file, f.text);
      this.docs.set(file, d);
    }
    return d;
  }

  kind(file: string): FileKind {
    if (this.unit.format === 'terraform') return /\.tfvars(\.json)?$/.test(file) ? 'tfvars' : 'hcl';
    const d = this.doc(file);
    return d && /^\s*[{[]/.test(d.text) ? 'json' : 'yaml';
  }

  get cfnFile(): string {
    return this.unit.files[0]?.path ?? this.unit.root;
  }

  /** Names taken in the namespace of new parameters/variables (CFN: parameters, resources, conditions, outputs). */
  takenInputNames(): string[] {
    const names = [...this.unit.inputs.keys()];
    if (this.unit.format === 'cloudformation') names.push(...this.unit.resources.map((r) => r.name), ...this.unit.conditions.keys());
    return names;
  }

  newInputName(base: string): string {
    return uniqueName(base, this.takenInputNames(), this.unit.format === 'terraform' ? '_' : '');
  }

  /** A new resource name: CFN logical IDs share the parameters' namespace; Terraform names are per type. */
  newResourceName(base: string, tfType?: string): string {
    if (this.unit.format === 'cloudformation') return uniqueName(base, this.takenInputNames());
    return uniqueName(base, this.unit.resources.filter((r) => r.type === tfType).map((r) => r.name), '_');
  }
}

/** Set a top-level property (CFN) or attribute (Terraform) of a resource. */
export function setProperty(ctx: FixContext, res: Resource, key: string, v: NewValue): TextEdit[] {
  return setProperties(ctx, res, [[key, v]]);
}

/** Set several top-level properties of a resource in one go (new ones are written together). */
export function setProperties(ctx: FixContext, res: Resource, pairs: Array<[string, NewValue]>): TextEdit[] {
  const doc = ctx.doc(res.file);
  if (!doc || pairs.length === 0) return [];
  switch (ctx.kind(res.file)) {
    case 'yaml':
      return yamlSetProperties(doc, res, pairs);
    case 'json':
      return jsonSetProperties(doc, res, pairs);
    case 'hcl':
      return hclSetAttributes(doc, res.properties, pairs);
    default:
      return [];
  }
}

/** Set a key in a nested map value (a CFN mapping, a Terraform nested block). */
export function setInMap(ctx: FixContext, map: MapValue, key: string, v: NewValue): TextEdit[] {
  const doc = ctx.doc(map.file);
  if (!doc) return [];
  switch (ctx.kind(map.file)) {
    case 'yaml':
      return yamlSetInMap(doc, map, key, v);
    case 'json': {
      const tree = jsonTree(doc);
      const n = tree && jsonNodeAt(doc, tree, map);
      return n ? jsonSetInObject(doc, n, key, toCfnJson(v)) : [];
    }
    case 'hcl':
      return hclSetAttribute(doc, map, key, v);
    default:
      return [];
  }
}

/** Is this node written in a JSON text (a CFN JSON template, or a JSON policy inside a Terraform string/heredoc)? */
function inJson(ctx: FixContext, node: Value, encodedJson: boolean): boolean {
  return encodedJson || ctx.kind(node.file) === 'json';
}

/**
 * Replace a value node. `encodedJson`: the node is inside a JSON document embedded in a Terraform string or
 * heredoc (rendered as plain JSON). Escaped JSON in a quoted string (`"{\"a\": ...}"`) is not edited.
 */
export function replaceValue(ctx: FixContext, node: Value, v: NewValue, encodedJson = false): TextEdit[] {
  const doc = ctx.doc(node.file);
  if (!doc || escapedJson(doc, node, encodedJson)) return [];
  if (inJson(ctx, node, encodedJson)) {
    if (encodedJson) return [doc.edit(doc.offset(node.range.start), doc.offset(node.range.end), JSON.stringify(plainJson(v)).replace(/","/g, '", "'))];
    const tree = jsonTree(doc);
    const n = tree && jsonNodeAt(doc, tree, node);
    return n ? jsonReplaceNode(doc, n, toCfnJson(v)) : [];
  }
  if (ctx.kind(node.file) === 'yaml') return yamlReplaceNode(doc, node, v);
  if (ctx.kind(node.file) === 'hcl') return hclReplaceNode(doc, node, v);
  return [];
}

/** Replace one list item with several items. */
export function replaceItem(ctx: FixContext, node: Value, items: NewValue[], encodedJson = false): TextEdit[] {
  const doc = ctx.doc(node.file);
  if (!doc || items.length === 0 || escapedJson(doc, node, encodedJson)) return [];
  if (inJson(ctx, node, encodedJson)) {
    if (encodedJson) {
      const line = doc.line(node.range.start.line);
      const multi = /^\s*$/.test(line.slice(0, node.range.start.character));
      const indent = /^\s*/.exec(line)![0];
      const sep = multi ? `,${doc.eol}${indent}` : ', ';
      return [doc.edit(doc.offset(node.range.start), doc.offset(node.range.end), items.map((i) => JSON.stringify(plainJson(i))).join(sep))];
    }
    const tree = jsonTree(doc);
    const n = tree && jsonNodeAt(doc, tree, node);
    return n ? jsonReplaceItem(doc, n, items.map(toCfnJson)) : [];
  }
  if (ctx.kind(node.file) === 'yaml') return yamlReplaceItem(doc, node, items);
  if (ctx.kind(node.file) === 'hcl') return hclReplaceItem(doc, node, items);
  return [];
}

function escapedJson(doc: Doc, node: Value, encodedJson: boolean): boolean {
  return encodedJson && doc.text.slice(doc.offset(node.range.start), doc.offset(node.range.start) + 2) === '\\"';
}

/** A value inside JSON text embedded in Terraform: references become `${...}` template strings. */
export function plainJson(v: NewValue): unknown {
  switch (v.kind) {
    case 'attr':
      return `\${${v.address}.${v.attribute}}`;
    case 'sub':
      return v.tf;
    case 'input':
      return `\${var.${v.name}}`;
    case 'list':
      return v.items.map(plainJson);
    case 'map':
      return Object.fromEntries(v.entries.map(([k, x]) => [k, plainJson(x)]));
    case 'str':
      return v.value;
    case 'bool':
    case 'num':
      return v.value;
    default:
      return toCfnJson(v);
  }
}

/** End offset of a node's own text (trailing blanks of a YAML node's range excluded). */
function nodeEnd(doc: Doc, node: Value): number {
  const s = doc.slice(node.range);
  return doc.offset(node.range.start) + s.replace(/\s+$/, '').length;
}

/** Is a list written in brackets (`[a, b]`) rather than as YAML `- ` lines? */
function inFlow(doc: Doc, list: ListValue): boolean {
  const c = doc.text[doc.offset(list.range.start)];
  return c === '[';
}

/**
 * Remove some items of a list, keeping at least one (returns [] when every item would go). Bracketed lists (JSON,
 * YAML flow, HCL) lose the item and one separator; YAML block lists lose the item's `- ` lines.
 */
export function removeItems(ctx: FixContext, listNode: ListValue, remove: readonly Value[]): TextEdit[] {
  const doc = ctx.doc(listNode.file);
  const items = listNode.items;
  const gone = items.map((i) => remove.includes(i));
  if (!doc || !gone.some(Boolean) || gone.every(Boolean)) return [];
  if (ctx.kind(listNode.file) === 'yaml' && !inFlow(doc, listNode)) {
    const edits: TextEdit[] = [];
    for (const [k, it] of items.entries()) {
      if (!gone[k]) continue;
      const line = it.range.start.line;
      if (!/^\s*-\s+$/.test(doc.line(line).slice(0, it.range.start.character))) return [];
      const last = doc.lastContentLine(it.range);
      if (k + 1 < items.length && items[k + 1].range.start.line <= last) return [];
      edits.push(doc.edit(doc.idx.lineStart(line), doc.afterLine(last), ''));
    }
    return edits;
  }
  const edits: TextEdit[] = [];
  for (let a = 0; a < items.length; a++) {
    if (!gone[a]) continue;
    let b = a;
    while (b + 1 < items.length && gone[b + 1]) b++;
    if (b + 1 < items.length) edits.push(doc.edit(doc.offset(items[a].range.start), doc.offset(items[b + 1].range.start), ''));
    else edits.push(doc.edit(nodeEnd(doc, items[a - 1]), nodeEnd(doc, items[b]), ''));
    a = b;
  }
  return edits;
}

/**
 * Insert a new item right after `item` (a map in a list: a policy statement), in the list's own style: a new
 * `- ` item (YAML block), `, {...}` (flow), a new line with the item's indentation (multi-line JSON / HCL lists).
 * `encodedJson`: the list is JSON text inside a Terraform string or heredoc.
 */
export function insertItemAfter(ctx: FixContext, item: Value, v: NewValue, encodedJson = false): TextEdit[] {
  const doc = ctx.doc(item.file);
  if (!doc) return [];
  const start = doc.offset(item.range.start);
  const end = nodeEnd(doc, item);
  const lineStart = doc.idx.lineStart(item.range.start.line);
  const before = doc.text.slice(lineStart, start);
  const ownLine = /^\s*$/.test(before);
  const indent = indentOf(doc.line(item.range.start.line));
  const multi = doc.text.slice(start, end).includes('\n');
  const sep = ownLine ? `,${doc.eol}${indent}` : ', ';
  const kind = ctx.kind(item.file);
  if (encodedJson || kind === 'json') {
    if (encodedJson && doc.text.slice(start, start + 2) === '\\"') return [];
    // one-line items stay on one line, with spaces inside the braces when the item has them
    const pad = /^\{\s/.test(doc.text.slice(start, end));
    let text: string;
    if (encodedJson) {
      const unit = innerUnit(doc, item, indent) ?? doc.unit;
      text = multi ? JSON.stringify(plainJson(v), null, unit).split('\n').join(doc.eol + indent) : inlineJson(plainJson(v), pad);
    } else text = multi ? renderJson(doc, toCfnJson(v), indent) : inlineJson(toCfnJson(v), pad);
    return [doc.insertAt(end, sep + text)];
  }
  if (kind === 'hcl') return [doc.insertAt(end, sep + hclExpr(doc, v, indent))];
  if (kind !== 'yaml') return [];
  const dashAt = before.lastIndexOf('-');
  if (dashAt < 0 || !/^\s*-\s*$/.test(before)) return [doc.insertAt(end, `, ${yamlInline(doc, v)}`)]; // a flow list
  const dashIndent = ' '.repeat(dashAt);
  const flowItem = doc.text[start] === '{';
  let lines: string[];
  if (flowItem || v.kind !== 'map' || v.entries.length === 0) lines = [`${dashIndent}- ${yamlInline(doc, v)}`];
  else {
    const col = ' '.repeat(item.range.start.character);
    lines = v.entries.flatMap(([k, x]) => yamlEntryLines(doc, k, x, col));
    lines[0] = before + lines[0].slice(col.length);
  }
  const last = doc.lastContentLine(item.range);
  const body = lines.join(doc.eol);
  if (last + 1 >= doc.lineCount) return [doc.insertAt(doc.text.length, (/\n$/.test(doc.text) ? '' : doc.eol) + body + doc.eol)];
  return [doc.insertAt(doc.afterLine(last), body + doc.eol)];
}

/** The indentation step inside a multi-line JSON object: its first key's column minus the object's line indent. */
function innerUnit(doc: Doc, obj: Value, indent: string): string | undefined {
  if (obj.kind !== 'map' || obj.entries.length === 0) return undefined;
  const k = obj.entries[0].keyRange.start;
  if (k.line === obj.range.start.line) return undefined;
  const own = indentOf(doc.line(k.line));
  return own.length > indent.length && own.startsWith(indent) ? own.slice(indent.length) : undefined;
}

function inlineJson(v: unknown, pad = false): string {
  if (Array.isArray(v)) return `[${v.map((x) => inlineJson(x, pad)).join(', ')}]`;
  if (v && typeof v === 'object') {
    const body = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${inlineJson(x, pad)}`).join(', ');
    return body === '' ? '{}' : pad ? `{ ${body} }` : `{${body}}`;
  }
  return JSON.stringify(v);
}

export interface NewInput {
  /** Preferred name; made unique. CFN style (`SubnetId`) is converted to snake_case for Terraform. */
  name: string;
  description: string;
  /** CloudFormation parameter type (`AWS::EC2::Subnet::Id`). */
  cfnType: string;
  /** Terraform type expression (`string`, `list(string)`). */
  tfType: string;
}

export function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

/**
 * Declare new parameters (CFN, in `Parameters`, created before `Resources` when absent) or variables (Terraform,
 * in the module's variables.tf when there is one, else next to `near`). Returns the names used and the edits.
 */
export function addInputs(ctx: FixContext, inputs: NewInput[], near: Resource): { names: string[]; edits: TextEdit[] } {
  const names: string[] = [];
  const taken = ctx.takenInputNames();
  for (const i of inputs) {
    const base = ctx.unit.format === 'terraform' ? snake(i.name) : i.name;
    const n = uniqueName(base, [...taken, ...names], ctx.unit.format === 'terraform' ? '_' : '');
    names.push(n);
  }
  if (ctx.unit.format === 'cloudformation') {
    const entries: Array<[string, NewValue]> = inputs.map((i, k) => [
      names[k],
      { kind: 'map', entries: [['Type', { kind: 'str', value: i.cfnType }], ['Description', { kind: 'str', value: i.description }]] },
    ]);
    const doc = ctx.doc(near.file);
    if (!doc) return { names, edits: [] };
    const edits =
      ctx.kind(near.file) === 'json'
        ? jsonAddToSection(doc, 'Parameters', entries, { before: 'Resources' })
        : yamlAddToSection(doc, 'Parameters', entries, { before: 'Resources' });
    return { names, edits };
  }
  const varsFile = ctx.unit.files.find((f) => /(^|[\\/])variables\.tf$/.test(f.path))?.path ?? near.file;
  const doc = ctx.doc(varsFile);
  if (!doc) return { names, edits: [] };
  const blocks = inputs.map((i, k) =>
    hclBlock(doc, `variable "${names[k]}"`, [
      ['description', { kind: 'str', value: i.description }],
      ['type', { kind: 'raw', text: i.tfType }],
    ]),
  );
  return { names, edits: hclAddBlocks(doc, blocks) };
}

export interface NewResource {
  /** CFN logical ID base (`NotebookKmsKey`); Terraform name base (`notebook`). */
  cfnName: string;
  tfName: string;
  cfnType: string;
  tfType: string;
  /** Body, given the final name (to reference itself). CFN: `Properties` entries; Terraform: attributes. */
  cfn: (name: string) => Array<[string, NewValue]>;
  tf: (name: string) => Array<[string, NewValue]>;
}

/** Add a resource next to the one it serves. Returns its name (CFN logical ID / Terraform name) and the edits. */
export function addResource(ctx: FixContext, spec: NewResource, near: Resource): { name: string; edits: TextEdit[] } {
  const doc = ctx.doc(near.file);
  if (ctx.unit.format === 'cloudformation') {
    const name = ctx.newResourceName(spec.cfnName);
    if (!doc) return { name, edits: [] };
    const body: NewValue = {
      kind: 'map',
      entries: [
        ['Type', { kind: 'str', value: spec.cfnType }],
        ['Properties', { kind: 'map', entries: spec.cfn(name) }],
      ],
    };
    const edits =
      ctx.kind(near.file) === 'json'
        ? jsonAddToSection(doc, 'Resources', [[name, body]], { after: near })
        : yamlAddToSection(doc, 'Resources', [[name, body]], { after: near });
    return { name, edits };
  }
  const name = ctx.newResourceName(spec.tfName, spec.tfType);
  if (!doc) return { name, edits: [] };
  return { name, edits: hclAddBlocks(doc, [hclBlock(doc, `resource "${spec.tfType}" "${name}"`, spec.tf(name))], near) };
}
