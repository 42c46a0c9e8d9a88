/** Text helpers shared by the per-format writers: applying edits, reading a file's own style. */
import { LineIndex } from '../parse/lines';
import type { Position, Range } from '../model/types';
import type { TextEdit } from './types';

/**
 * Applies the edits of one file. Edits must not overlap (two insertions at the same point are applied in the
 * order given). Throws on overlap: that is a bug in the fix, never something to paper over.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const idx = new LineIndex(text);
  const spans = edits
    .map((e, order) => ({ start: idx.offset(e.range.start), end: idx.offset(e.range.end), text: e.newText, order }))
    .sort((a, b) => a.start - b.start || a.end - b.end || a.order - b.order);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].start < spans[i - 1].end) throw new Error('applyEdits: overlapping edits');
  }
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + s.text;
    at = Math.max(at, s.end);
  }
  return out + text.slice(at);
}

export function posLE(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

export function rangeContains(outer: Range, inner: Range): boolean {
  return posLE(outer.start, inner.start) && posLE(inner.end, outer.end);
}

export function rangesOverlap(a: Range, b: Range): boolean {
  // Touching ranges do not overlap, except two identical insertion points.
  if (posLE(a.end, b.start) && !(samePos(a.start, a.end) && samePos(a.end, b.start) && samePos(b.start, b.end))) return false;
  if (posLE(b.end, a.start) && !(samePos(a.start, a.end) && samePos(b.start, b.end) && samePos(a.start, b.start))) return false;
  return true;
}

export function samePos(a: Position, b: Position): boolean {
  return a.line === b.line && a.character === b.character;
}

export function point(line: number, character: number): Range {
  return { start: { line, character }, end: { line, character } };
}

/** The file's line ending: CRLF when the first line break is one. */
export function detectEol(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/** Text of line `n` without its line break. */
export function lineText(text: string, idx: LineIndex, n: number): string {
  const start = idx.lineStart(n);
  const end = n + 1 < idx.lineCount ? idx.lineStart(n + 1) : text.length;
  return text.slice(start, end).replace(/\r?\n$|\r$/, '');
}

export function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

export function isBlank(line: string): boolean {
  return /^\s*$/.test(line);
}

/**
 * Indentation unit of an indentation-structured text: tabs when lines start with tabs, else the most common
 * positive difference between a line's indent and the previous deeper-or-shallower one (2 when unknown).
 */
export function detectIndentUnit(text: string): { insertSpaces: boolean; tabSize: number; unit: string } {
  const lines = text.split(/\r?\n|\r/);
  let tabs = 0;
  let spaces = 0;
  const diffs = new Map<number, number>();
  let prev = 0;
  for (const l of lines) {
    if (isBlank(l) || /^\s*(#|\/\/)/.test(l)) continue;
    if (l.startsWith('\t')) tabs++;
    else if (l.startsWith(' ')) spaces++;
    const n = indentOf(l).replace(/\t/g, '    ').length;
    const d = Math.abs(n - prev);
    if (d > 0 && d <= 8) diffs.set(d, (diffs.get(d) ?? 0) + 1);
    prev = n;
  }
  if (tabs > spaces) return { insertSpaces: false, tabSize: 4, unit: '\t' };
  let best = 2;
  let bestCount = 0;
  for (const [d, c] of diffs) if (c > bestCount || (c === bestCount && d < best)) [best, bestCount] = [d, c];
  return { insertSpaces: true, tabSize: best, unit: ' '.repeat(best) };
}

/** A name not in `taken` (compared case-insensitively): `base`, `base2`, `base3`... (`sep` before the number). */
export function uniqueName(base: string, taken: Iterable<string>, sep = ''): string {
  const set = new Set([...taken].map((t) => t.toLowerCase()));
  if (!set.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) {
    const n = `${base}${sep}${i}`;
    if (!set.has(n.toLowerCase())) return n;
  }
}
