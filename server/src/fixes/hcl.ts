/**
 * Format-preserving edits of Terraform (HCL). A new attribute goes after the block's last attribute with the
 * siblings' indentation, and its `=` is aligned the way `terraform fmt` aligns a run of consecutive attributes
 * (when the run is already aligned; the run's other lines are re-padded only if the new name is longer).
 */
import type { MapValue, Resource, Value } from '../model/types';
import type { Doc } from './doc';
import { indentOf, isBlank } from './text';
import type { NewValue, TextEdit } from './types';

const IDENT = /^[A-Za-z_][\w-]*$/;

function hclString(s: string): string {
  return JSON.stringify(s).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

/** An HCL expression for `v`; multi-line objects are indented from `indent`. */
export function hclExpr(doc: Doc, v: NewValue, indent = ''): string {
  switch (v.kind) {
    case 'str':
      return hclString(v.value);
    case 'bool':
    case 'num':
      return String(v.value);
    case 'raw':
      return v.text;
    case 'input':
      return `var.${v.name}`;
    case 'ref':
      return v.name;
    case 'attr':
      return `${v.address}.${v.attribute}`;
    case 'sub':
      return `"${v.tf}"`;
    case 'list': {
      const items = v.items.map((i) => hclExpr(doc, i, indent + doc.unit));
      const one = `[${items.join(', ')}]`;
      if (one.length + indent.length < 100 && !one.includes('\n')) return one;
      const inner = indent + doc.unit;
      return `[${doc.eol}${items.map((i) => `${inner}${i},`).join(doc.eol)}${doc.eol}${indent}]`;
    }
    case 'map': {
      if (v.entries.length === 0) return '{}';
      const inner = indent + doc.unit;
      const keys = v.entries.map(([k]) => (IDENT.test(k) ? k : JSON.stringify(k)));
      const lines = hclAligned(
        keys.map((k, i) => [k, hclExpr(doc, v.entries[i][1], inner)]),
        inner,
      );
      return `{${doc.eol}${lines.join(doc.eol)}${doc.eol}${indent}}`;
    }
  }
}

/** `key = value` lines with `=` aligned over runs of single-line values, as terraform fmt does. */
export function hclAligned(pairs: Array<[string, string]>, indent: string): string[] {
  const out: string[] = [];
  let run: Array<[string, string]> = [];
  const flush = () => {
    const w = Math.max(0, ...run.map(([k]) => k.length));
    for (const [k, x] of run) out.push(`${indent}${k.padEnd(w)} = ${x}`);
    run = [];
  };
  for (const [k, x] of pairs) {
    run.push([k, x]);
    if (x.includes('\n')) flush();
  }
  flush();
  return out;
}

const ATTR_LINE = /^(\s*)([A-Za-z_][\w-]*|"[^"]*")(\s*)=(?![=>])/;

/** The run of consecutive attribute lines at `indent` ending at `line` (inclusive), top to bottom. */
function attributeRun(doc: Doc, line: number, indent: string): number[] {
  const run: number[] = [];
  for (let l = line; l >= 0; l--) {
    const m = ATTR_LINE.exec(doc.line(l));
    if (!m || m[1] !== indent) break;
    run.unshift(l);
  }
  return run;
}

/** Set an attribute of a block (resource body or nested block): replace the value, or insert it aligned. */
export function hclSetAttribute(doc: Doc, body: MapValue, key: string, v: NewValue): TextEdit[] {
  return hclSetAttributes(doc, body, [[key, v]]);
}

/** Set attributes: existing ones are replaced in place; new ones are inserted together, aligned with their run. */
export function hclSetAttributes(doc: Doc, body: MapValue, pairs: Array<[string, NewValue]>): TextEdit[] {
  const out: TextEdit[] = [];
  const fresh: Array<[string, NewValue]> = [];
  for (const [k, v] of pairs) {
    const existing = body.entries.find((e) => e.key === k && !e.block);
    if (existing) out.push(...hclReplaceNode(doc, existing.value, v));
    else fresh.push([k, v]);
  }
  if (fresh.length === 0) return out;
  return [...out, ...hclInsertAttributes(doc, body, fresh)];
}

function hclInsertAttributes(doc: Doc, body: MapValue, fresh: Array<[string, NewValue]>): TextEdit[] {
  const key = fresh.reduce((a, [k]) => (k.length > a.length ? k : a), '');
  const attrs = body.entries.filter((e) => !e.block);
  const openLine = body.range.start.line;
  const blockIndent = indentOf(doc.line(openLine));
  let afterLine: number;
  let indent: string;
  if (attrs.length > 0) {
    const last = attrs[attrs.length - 1];
    afterLine = doc.lastContentLine(last.value.range);
    indent = ' '.repeat(last.keyRange.start.character);
  } else {
    const first = body.entries[0];
    indent = first ? ' '.repeat(first.keyRange.start.character) : blockIndent + doc.unit;
    afterLine = openLine;
    if (doc.text[doc.offset(body.range.end) - 1] === '}' && body.range.end.line === openLine) {
      // `resource "x" "y" {}` on one line
      const close = doc.offset(body.range.end) - 1;
      const lines = hclAligned(fresh.map(([k, v]) => [k, hclExpr(doc, v, indent)]), indent);
      return [doc.edit(close, close, `${doc.eol}${lines.join(doc.eol)}${doc.eol}${blockIndent}`)];
    }
  }
  const edits: TextEdit[] = [];
  let width = key.length;
  const run = attrs.length > 0 && !doc.line(afterLine).trimEnd().endsWith('{') ? attributeRun(doc, afterLine, indent) : [];
  if (run.length > 0) {
    const cols = run.map((l) => ATTR_LINE.exec(doc.line(l))!).map((m) => ({ key: m[2].length, eq: m[1].length + m[2].length + m[3].length }));
    const aligned = cols.every((c) => c.eq === cols[0].eq) && cols.every((c) => c.eq - indent.length >= c.key);
    if (aligned) {
      const current = cols[0].eq - indent.length - 1;
      width = Math.max(current, key.length);
      if (key.length > current && cols.length > 1) {
        for (const l of run) {
          const m = ATTR_LINE.exec(doc.line(l))!;
          const start = doc.idx.lineStart(l) + m[1].length + m[2].length;
          edits.push(doc.edit(start, start + m[3].length, ' '.repeat(width - m[2].length + 1)));
        }
      } else if (key.length > current) {
        // a run of one line: pad that line like fmt would
        const m = ATTR_LINE.exec(doc.line(run[0]))!;
        const start = doc.idx.lineStart(run[0]) + m[1].length + m[2].length;
        if (m[3].length !== width - m[2].length + 1) edits.push(doc.edit(start, start + m[3].length, ' '.repeat(width - m[2].length + 1)));
      }
    }
  }
  const lines = fresh.map(([k, v]) => `${indent}${k.padEnd(width)} = ${hclExpr(doc, v, indent)}`);
  edits.push(insertAfterLine(doc, afterLine, lines.join(doc.eol)));
  return edits;
}

function insertAfterLine(doc: Doc, line: number, text: string): TextEdit {
  if (line + 1 >= doc.lineCount) return doc.insertAt(doc.text.length, (/\n$/.test(doc.text) ? '' : doc.eol) + text + doc.eol);
  return doc.insertAt(doc.afterLine(line), text + doc.eol);
}

/** Replace an expression (a whole attribute value, or a list item) with `v`. */
export function hclReplaceNode(doc: Doc, node: Value, v: NewValue): TextEdit[] {
  const indent = indentOf(doc.line(node.range.start.line));
  return [doc.edit(doc.offset(node.range.start), doc.offset(node.range.end), hclExpr(doc, v, indent))];
}

/** Replace one list item with several (`"*"` -> `"a", "b"`), one per line when the list is. */
export function hclReplaceItem(doc: Doc, node: Value, items: NewValue[]): TextEdit[] {
  const start = doc.offset(node.range.start);
  const before = doc.text.slice(doc.idx.lineStart(node.range.start.line), start);
  const multi = /^\s*$/.test(before);
  const indent = indentOf(doc.line(node.range.start.line));
  const sep = multi ? `,${doc.eol}${indent}` : ', ';
  return [doc.edit(start, doc.offset(node.range.end), items.map((i) => hclExpr(doc, i, indent)).join(sep))];
}

/** A block's text: `type "l1" "l2" {` + aligned attributes + `}`. */
export function hclBlock(doc: Doc, header: string, attrs: Array<[string, NewValue]>, indent = ''): string {
  const inner = indent + doc.unit;
  const pairs: Array<[string, string]> = attrs.map(([k, v]) => [k, hclExpr(doc, v, inner)]);
  return [`${indent}${header} {`, ...hclAligned(pairs, inner), `${indent}}`].join(doc.eol);
}

/** Insert top-level blocks after `after` (a resource: next to it) or at the end of the file, a blank line between. */
export function hclAddBlocks(doc: Doc, blocks: string[], after?: Resource): TextEdit[] {
  if (blocks.length === 0) return [];
  const text = blocks.join(doc.eol + doc.eol);
  if (after && after.file === doc.file) {
    const end = doc.offset(after.range.end);
    return [doc.insertAt(end, doc.eol + doc.eol + text)];
  }
  let end = doc.text.length;
  while (end > 0 && /\s/.test(doc.text[end - 1])) end--;
  const trailing = doc.text.slice(end);
  if (end === 0) return [doc.insertAt(0, text + doc.eol)];
  return [doc.insertAt(end, doc.eol + doc.eol + text + (trailing.length === 0 ? doc.eol : ''))];
}

export function isBlankLine(doc: Doc, l: number): boolean {
  return isBlank(doc.line(l));
}
