/** The "suppress here, with a reason" fix every finding gets, and the fix of SS-SUPPRESS-01 (add the reason). */
import { findNodeAtLocation } from 'jsonc-parser';
import type { MapValue, Resource, Value } from '../../model/types';
import { LineIndex } from '../../parse/lines';
import type { Finding } from '../../rules/types';
import { REASON_PLACEHOLDER, readSuppressions } from '../../suppress';
import type { Doc } from '../doc';
import { jsonResourceNode, jsonSetInObject, jsonTree } from '../json';
import type { FixContext } from '../ops';
import { replaceValue, setInMap } from '../ops';
import { applyEdits, rangeContains } from '../text';
import type { Fix, TextEdit } from '../types';
import { commentAbove } from '../yaml';
import { fix } from './common';

/** Is the node written in block style (YAML) / not inside a one-line object (HCL)? */
function blockLine(doc: Doc, keyStart: { line: number; character: number }): boolean {
  const before = doc.line(keyStart.line).slice(0, keyStart.character);
  return /^\s*(- )*$/.test(before);
}

function isFlowStart(doc: Doc, v: Value): boolean {
  const c = doc.text[doc.offset(v.range.start)];
  return c === '{' || c === '[';
}

/** The line to put a suppression comment above: the innermost block-style property holding the finding, else the resource. */
function targetLine(ctx: FixContext, doc: Doc, res: Resource, f: Finding): { line: number; what: string } {
  const top = { line: res.nameRange.start.line, what: res.name };
  if (f.file !== res.file || f.range.start.line === res.nameRange.start.line) return top;
  const yaml = ctx.kind(res.file) === 'yaml';
  let best: { line: number; what: string } = top;
  const visit = (v: Value, path: string): void => {
    if (v.file !== res.file) return;
    if (v.kind === 'map') {
      if (v.encoded === 'json-string') return;
      if (yaml && isFlowStart(doc, v) && v !== res.properties) return;
      for (const e of v.entries) {
        const r = { start: e.keyRange.start, end: e.value.range.end };
        if (!rangeContains(r, { start: f.range.start, end: f.range.start })) continue;
        if (!blockLine(doc, e.keyRange.start)) return;
        best = { line: e.keyRange.start.line, what: path ? `${path}.${e.key}` : e.key };
        visit(e.value, best.what);
        return;
      }
    } else if (v.kind === 'list') {
      if (yaml && isFlowStart(doc, v)) return;
      v.items.forEach((item, k) => {
        if (!rangeContains(item.range, { start: f.range.start, end: f.range.start })) return;
        // an item that starts its own line (`- ...`): a comment above it covers the whole item
        if (item.range.start.line !== best.line && /^\s*(- )+$/.test(doc.line(item.range.start.line).slice(0, item.range.start.character))) {
          best = { line: item.range.start.line, what: `${path}[${k}]` };
        }
        visit(item, `${path}[${k}]`);
      });
    }
  };
  if (!(yaml && isFlowStart(doc, res.properties))) visit(res.properties, '');
  return best;
}

function cursorAt(doc: Doc, edits: TextEdit[], from: number): { line: number; character: number } | undefined {
  const next = applyEdits(doc.text, edits.filter((e) => e.file === doc.file));
  const at = next.indexOf(REASON_PLACEHOLDER, from);
  return at < 0 ? undefined : new LineIndex(next).position(at);
}

export function suppressFix(ctx: FixContext, f: Finding, res: Resource | undefined): Fix | undefined {
  if (!res || f.ruleId === 'SS-SUPPRESS-01') return undefined;
  const doc = ctx.doc(res.file);
  if (!doc) return undefined;
  const kind = ctx.kind(res.file);
  if (kind === 'yaml' || kind === 'hcl') {
    const t = targetLine(ctx, doc, res, f);
    // HCL files written with // comments get one too
    const marker = kind === 'hcl' && (doc.text.match(/^\s*\/\//gm) ?? []).length > (doc.text.match(/^\s*#/gm) ?? []).length ? '//' : '#';
    const c = commentAbove(doc, t.line, `sageshield:ignore ${f.ruleId} ${REASON_PLACEHOLDER}`, marker);
    const start = { line: c.start.line, character: c.start.character + `sageshield:ignore ${f.ruleId} `.length };
    return fix(f.ruleId, `Suppress ${f.ruleId} with a reason: add '${marker} sageshield:ignore ${f.ruleId} <reason>' above ${t.what}`, [c.edit], {
      cursor: { file: doc.file, position: start },
    });
  }
  if (kind === 'json') {
    const edits = jsonMetadataIgnore(doc, res, f.ruleId);
    if (edits.length === 0) return undefined;
    const position = cursorAt(doc, edits, doc.offset(edits[0].range.start));
    return fix(f.ruleId, `Suppress ${f.ruleId} with a reason: add {"id": "${f.ruleId}", "reason": ...} to ${res.name}'s Metadata.sageshield.ignore`, edits, {
      ...(position ? { cursor: { file: doc.file, position } } : {}),
    });
  }
  return undefined;
}

function jsonMetadataIgnore(doc: Doc, res: Resource, ruleId: string): TextEdit[] {
  const tree = jsonTree(doc);
  const node = tree && jsonResourceNode(tree, res);
  if (!node) return [];
  const item = { id: ruleId, reason: REASON_PLACEHOLDER };
  const meta = findNodeAtLocation(node, ['Metadata']);
  if (!meta) return jsonSetInObject(doc, node, 'Metadata', { sageshield: { ignore: [item] } }, { before: 'Properties' });
  if (meta.type !== 'object') return [];
  const ss = findNodeAtLocation(meta, ['sageshield']);
  if (!ss) return jsonSetInObject(doc, meta, 'sageshield', { ignore: [item] });
  if (ss.type !== 'object') return [];
  const ignore = findNodeAtLocation(ss, ['ignore']);
  if (!ignore) return jsonSetInObject(doc, ss, 'ignore', [item]);
  if (ignore.type !== 'array') return [];
  const items = ignore.children ?? [];
  if (items.length === 0) return [doc.edit(ignore.offset, ignore.offset + ignore.length, JSON.stringify([item]).replace(/,/g, ', ').replace(/":/g, '": '))];
  const last = items[items.length - 1];
  const multi = doc.text.slice(ignore.offset, ignore.offset + ignore.length).includes('\n');
  const indent = /^\s*/.exec(doc.line(doc.pos(last.offset).line))![0];
  const text = JSON.stringify(item).replace(/,"/g, ', "').replace(/":/g, '": ');
  return [doc.insertAt(last.offset + last.length, multi ? `,${doc.eol}${indent}${text}` : `, ${text}`)];
}

/** SS-SUPPRESS-01: write a reason placeholder into the suppression (cursor left on it). */
export function suppressReasonFixes(ctx: FixContext, f: Finding): Fix[] {
  const s = readSuppressions(ctx.unit).find((x) => x.file === f.file && x.range.start.line === f.range.start.line && x.range.start.character === f.range.start.character);
  if (!s || s.ids.length === 0) return [];
  const doc = ctx.doc(s.file);
  if (!doc) return [];
  let edits: TextEdit[] = [];
  if (s.source === 'comment') {
    const text = doc.slice(s.range);
    const close = text.lastIndexOf('*/');
    const end = close >= 0 ? doc.offset(s.range.start) + close : doc.offset(s.range.end);
    const pre = doc.text.slice(doc.offset(s.range.start), end);
    edits = [doc.insertAt(end - (pre.length - pre.trimEnd().length), ` ${REASON_PLACEHOLDER}`)];
  } else {
    const item = (s.scope.kind === 'resource' ? s.scope.resource.metadata : undefined) && findItem(s.scope.kind === 'resource' ? s.scope.resource.metadata! : undefined, s.range);
    if (item && item.kind === 'map') edits = setInMap(ctx, item, 'reason', { kind: 'str', value: REASON_PLACEHOLDER });
    else if (item && item.kind === 'scalar') {
      edits = replaceValue(ctx, item, { kind: 'map', entries: [['id', { kind: 'str', value: String(item.value) }], ['reason', { kind: 'str', value: REASON_PLACEHOLDER }]] });
    }
  }
  if (edits.length === 0) return [];
  const position = cursorAt(doc, edits, doc.offset(edits[0].range.start));
  const x = fix(f.ruleId, `Add a reason to the suppression of ${s.ids.join(', ')}`, edits, {
    isPreferred: true,
    ...(position ? { cursor: { file: doc.file, position } } : {}),
  });
  return x ? [x] : [];
}

function findItem(meta: MapValue | undefined, range: { start: { line: number; character: number } }): Value | undefined {
  let found: Value | undefined;
  const visit = (v: Value): void => {
    if (found) return;
    if (v.range.start.line === range.start.line && v.range.start.character === range.start.character && (v.kind === 'map' || v.kind === 'scalar')) {
      found = v;
      return;
    }
    if (v.kind === 'map') v.entries.forEach((e) => visit(e.value));
    else if (v.kind === 'list') v.items.forEach(visit);
  };
  if (meta) visit(meta);
  return found;
}
