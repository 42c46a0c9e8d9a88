/**
 * Incremental CloudFormation parsing (see incremental.ts): an edit that falls inside one entry of `Resources`
 * of a YAML template re-parses that entry's lines alone (the same way error recovery parses a block, see
 * cfn-blocks.ts) and splices the resource into the previous unit. Everything else is a full parse:
 * - the first parse, JSON templates (jsonc-parser reads 20k lines in ~20 ms; the model conversion dominates),
 * - a previous parse with syntax issues, or without `AWSTemplateFormatVersion` (template detection),
 * - an edit outside the entries of `Resources` (Parameters, Conditions, ... define what values resolve to),
 * - an edit that touches an entry's indentation, the line break that ends it, or lines at or left of its key's
 *   column (it may start, end or join entries), or gives the entry a key another entry has,
 * - an entry whose re-parse reports anything (a syntax error: full parse and recovery say what and where),
 * - lines that moved while Parameters or Conditions lie after the edit (rare layouts),
 * - a template with YAML anchors (`&a`): an alias elsewhere may copy the entry.
 * While the template is unreadable, edits are spliced into the last readable version when they differ from it
 * inside one entry (see FileState). Unchanged resources keep their objects (the incremental engine relies on that); when the edit adds or
 * removes lines, those after it are copies moved by that many lines.
 */
import type { Comment, Resource, Unit } from '../model/types';
import { parseYamlRaw } from './cfn-raw';
import { findChildBlocks, findTopBlocks, yamlKeyAt, type TextBlock } from './cfn-blocks';
import { toResource } from './cloudformation';
import { shiftLines } from '../model/shift';
import { LineIndex } from './lines';
import { diffText } from './text-diff';
import type { ValueContext } from './cfn-values';

interface Entry {
  block: TextBlock;
  /** The resource read from this entry; undefined when the entry is not a resource (not a map). */
  resource: Resource | undefined;
}

interface CachedTemplate {
  text: string;
  unit: Unit | undefined;
  /** Set when the unit can take splices: the entries of `Resources`, in order. */
  entries?: Entry[];
  lines?: LineIndex;
}

/**
 * Per file: the last parse, and the last parse that can take splices (`base`). While a typo makes the template
 * unreadable (a full parse with issues), the next edits are spliced into `base` when they differ from it inside
 * one entry only: typing on to fix the typo, or undoing it, costs one entry's parse again.
 */
interface FileState {
  last: CachedTemplate;
  base?: CachedTemplate;
}

export class CfnCache {
  private readonly files = new Map<string, FileState>();
  private counts = { incremental: 0, full: 0 };

  parse(file: string, text: string, full: (file: string, text: string) => Unit | undefined): Unit | undefined {
    const state = this.files.get(file);
    if (state && state.last.text === text) {
      this.counts.incremental++;
      return state.last.unit;
    }
    if (state?.base && state.base.text === text) {
      // back to the last readable version (a typo undone)
      this.counts.incremental++;
      this.files.set(file, { last: state.base, base: state.base });
      return state.base.unit;
    }
    const from = state?.last.entries ? state.last : state?.base;
    const spliced = from ? splice(file, from, text) : undefined;
    if (spliced) {
      this.counts.incremental++;
      this.files.set(file, { last: spliced, base: spliced });
      return spliced.unit;
    }
    this.counts.full++;
    const unit = full(file, text);
    const last = prepare(file, text, unit);
    this.files.set(file, { last, base: last.entries ? last : state?.base });
    return unit;
  }

  forget(file: string): void {
    this.files.delete(file);
  }

  retain(keep: (file: string) => boolean): void {
    for (const f of [...this.files.keys()]) if (!keep(f)) this.files.delete(f);
  }

  clear(): void {
    this.files.clear();
  }

  stats(): { incremental: number; full: number } {
    return { ...this.counts };
  }
}

/** A YAML anchor (`&name` where a node's properties can stand). Over-matches a little, which only costs a full parse. */
const ANCHOR = /(?:^|[\s\-:[{,])&[^\s,[\]{}]/;

function isYamlPath(file: string): boolean {
  return !/\.jsonc?$/i.test(file);
}

/** After a full parse: find the entries of `Resources` and their resources, when splicing can apply. */
function prepare(file: string, text: string, unit: Unit | undefined): CachedTemplate {
  const plainState: CachedTemplate = { text, unit };
  if (!unit || unit.issues.length > 0 || !isYamlPath(file)) return plainState;
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let i = start;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] === '{') return plainState; // JSON (or flow YAML) content
  if (ANCHOR.test(text)) return plainState;
  const tops = findTopBlocks(text, start, false);
  if (!tops.some((t) => t.key === 'AWSTemplateFormatVersion')) return plainState;
  const res = tops.filter((t) => t.key === 'Resources');
  if (res.length !== 1) return plainState;
  const blocks = findChildBlocks(text, res[0], false);
  if (blocks.length === 0) return plainState;
  const lines = new LineIndex(text);
  // every resource must come from one entry, in order
  const byOffset = new Map<number, Resource>();
  for (const r of unit.resources) byOffset.set(lines.offset(r.nameRange.start), r);
  if (byOffset.size !== unit.resources.length) return plainState;
  const entries: Entry[] = blocks.map((block) => ({ block, resource: byOffset.get(block.keyStart) }));
  const found = entries.filter((e) => e.resource).map((e) => e.resource);
  if (found.length !== unit.resources.length || found.some((r, k) => r !== unit.resources[k])) return plainState;
  const keys = new Set(blocks.map((b) => b.key));
  if (keys.size !== blocks.length) return plainState;
  return { text, unit, entries, lines };
}

function splice(file: string, prev: CachedTemplate, text: string): CachedTemplate | undefined {
  const { entries, unit: old, lines: oldLines } = prev;
  if (!entries || !old || !oldLines) return undefined;
  const change = diffText(prev.text, text);
  if (!change) return undefined;
  // the entry the edit falls in: from its key's first character up to (not including) its final line break
  let k = -1;
  for (let lo = 0, hi = entries.length - 1; lo <= hi; ) {
    const mid = (lo + hi) >> 1;
    const b = entries[mid].block;
    if (change.start < b.start) hi = mid - 1;
    else if (change.start >= b.end) lo = mid + 1;
    else {
      k = mid;
      break;
    }
  }
  if (k < 0) return undefined;
  const b = entries[k].block;
  if (change.start < b.keyStart || change.oldEnd >= b.end) return undefined;
  if (prev.text.charCodeAt(b.end - 1) !== 10) return undefined;
  const delta = change.newEnd - change.oldEnd;
  const start = b.start;
  const end = b.end + delta;
  // the entry's lines: the first is `<indent>Key:`, every other non-blank, non-comment line is indented more
  let lineEnd = text.indexOf('\n', start);
  if (lineEnd < 0 || lineEnd >= end) return undefined;
  const first = text.slice(start, start + b.indent);
  if (first.length !== b.indent || /[^ ]/.test(first)) return undefined;
  const key = yamlKeyAt(text, start + b.indent, text.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd);
  if (!key) return undefined;
  for (let s = lineEnd + 1; s < end; s = lineEnd + 1) {
    lineEnd = text.indexOf('\n', s);
    if (lineEnd < 0 || lineEnd >= end) lineEnd = end;
    let f = s;
    while (f < lineEnd && text.charCodeAt(f) === 32) f++;
    if (f === lineEnd || text[f] === '\r') continue;
    if (text[f] === '\t') return undefined;
    if (text[f] === '#') continue;
    if (f - s <= b.indent) return undefined;
  }
  const [newKey, keyEnd] = key;
  if (newKey !== b.key && entries.some((e) => e.block.key === newKey)) return undefined;

  if (ANCHOR.test(text.slice(start, end))) return undefined;
  const raw = parseYamlRaw(text, start, end);
  if (raw.issues.length > 0 || !raw.root || raw.root.kind !== 'map' || raw.root.entries.length !== 1) return undefined;
  const entry = raw.root.entries[0];
  if (entry.key !== newKey || entry.keyStart !== start + b.indent) return undefined;

  const lines = new LineIndex(text);
  const lineDelta = lines.lineCount - oldLines.lineCount;
  const editLine = oldLines.position(change.start).line;
  if (lineDelta !== 0) {
    for (const i of old.inputs.values()) if (i.range.start.line > editLine) return undefined;
    for (const c of old.conditions.values()) if (c.range.start.line > editLine) return undefined;
  }
  const ctx: ValueContext = { file, text, lines, parameters: new Set(old.inputs.keys()) };
  const resource = toResource(ctx, entry);

  // the new entries: this one re-read, the ones after it moved
  const newBlock: TextBlock = { ...b, key: newKey, keyEnd, end };
  const move = (e: Entry): Entry => ({
    block: { ...e.block, start: e.block.start + delta, end: e.block.end + delta, keyStart: e.block.keyStart + delta, keyEnd: e.block.keyEnd + delta },
    resource: e.resource && lineDelta !== 0 ? shiftLines(e.resource, lineDelta) : e.resource,
  });
  const nextEntries = entries.slice(0, k);
  nextEntries.push({ block: newBlock, resource });
  for (let j = k + 1; j < entries.length; j++) nextEntries.push(delta === 0 && lineDelta === 0 ? entries[j] : move(entries[j]));

  // comments: those of the entry come from its re-parse; those after it move
  const firstLine = oldLines.position(b.start).line;
  const lastLine = oldLines.position(b.end).line; // exclusive: b.end is the start of the next line
  const comments: Comment[] = [];
  let inserted = false;
  const blockComments = raw.comments.map((c) => ({ file, range: lines.range(c.start, c.end), text: c.text }));
  for (const c of old.comments) {
    const l = c.range.start.line;
    if (c.file === file && l >= firstLine && l < lastLine) continue;
    if (!inserted && c.file === file && l >= lastLine) {
      comments.push(...blockComments);
      inserted = true;
    }
    comments.push(c.file === file && l >= lastLine && lineDelta !== 0 ? shiftLines(c, lineDelta) : c);
  }
  if (!inserted) comments.push(...blockComments);

  const unit: Unit = {
    ...old,
    files: old.files.map((f) => (f.path === file ? { path: file, text } : f)),
    resources: nextEntries.filter((e) => e.resource).map((e) => e.resource as Resource),
    comments,
  };
  return { text, unit, entries: nextEntries, lines };
}

