/**
 * Suppressions, read from the files:
 * - a comment on the line before a resource or a property (YAML, HCL):
 *   `# sageshield:ignore RULE-ID reason` (HCL also `//` and `/* *\/`; several IDs may be comma-separated; stacked
 *   comment lines all apply to the next non-comment line);
 * - CloudFormation resource Metadata (YAML and JSON): `sageshield: {ignore: [{id: RULE-ID, reason: text}]}`
 *   (a bare ID string is accepted and has no reason).
 * A suppression without a reason still suppresses, and is reported by SS-SUPPRESS-01.
 */
import type { MapValue, Range, Resource, Unit, Value } from './model/types';
import type { Finding } from './rules/types';

export interface Suppression {
  /** Rule IDs, upper case. */
  ids: string[];
  /** The reason, trimmed; '' when none was given. */
  reason: string;
  source: 'comment' | 'metadata';
  /** Where the suppression is written (the comment, or the metadata item). */
  file: string;
  range: Range;
  /** What it applies to. */
  scope:
    | { kind: 'resource'; resource: Resource }
    | { kind: 'property'; resource: Resource; file: string; range: Range }
    | { kind: 'line'; file: string; line: number; resource?: Resource };
}

export interface SuppressedFinding {
  finding: Finding;
  reason: string;
  file: string;
  range: Range;
}

const DIRECTIVE = /^(?:#|\/\/|\/\*)\s*sageshield:ignore\b[ \t]*(.*?)\s*(?:\*\/)?\s*$/i;
/** Placeholder the suppress quick-fix writes (the cursor is left on it). */
export const REASON_PLACEHOLDER = 'reason: why this is acceptable';

/** Parse `sageshield:ignore ID[,ID] reason` comment text; undefined when it is not a directive. */
export function parseDirective(text: string): { ids: string[]; reason: string } | undefined {
  const m = DIRECTIVE.exec(text.trim());
  if (!m) return undefined;
  const rest = m[1];
  const idm = /^([A-Za-z][\w-]*(?:\s*,\s*[A-Za-z][\w-]*)*)(.*)$/s.exec(rest);
  if (!idm) return { ids: [], reason: '' };
  const ids = idm[1].split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const reason = idm[2].replace(/^\s*(--|:|-|—)?\s*/, '').trim();
  return { ids, reason };
}

function isCommentLine(line: string): boolean {
  return /^\s*(#|\/\/|\/\*)/.test(line);
}

/** The lines of a file of the unit, split on first use (most analyses meet no suppression comment at all). */
function linesOf(unit: Unit): (file: string) => string[] {
  const m = new Map<string, string[]>();
  return (file) => {
    let ls = m.get(file);
    if (!ls) {
      ls = unit.files.find((f) => f.path === file)?.text.split(/\r\n|\r|\n/) ?? [];
      m.set(file, ls);
    }
    return ls;
  };
}

/**
 * The outermost node of a resource that starts on `line` of `file`: a map entry (key to value end), or a list item
 * (`- ...`, the whole item). Undefined when none does.
 */
function nodeOnLine(res: Resource, file: string, line: number): Range | undefined {
  let found: Range | undefined;
  const visit = (v: Value): void => {
    if (found || v.file !== file) return;
    if (v.range.start.line > line || v.range.end.line < line) return;
    if (v.kind === 'map') {
      for (const e of v.entries) {
        if (found) return;
        if (e.keyRange.start.line === line) {
          found = { start: e.keyRange.start, end: e.value.range.end };
          return;
        }
        visit(e.value);
      }
    } else if (v.kind === 'list') {
      for (const i of v.items) {
        if (found) return;
        if (i.range.start.line === line) {
          found = i.range;
          return;
        }
        visit(i);
      }
    } else if (v.kind === 'if') {
      visit(v.then);
      visit(v.else);
    }
  };
  visit(res.properties);
  return found;
}

function within(r: Range, outer: Range): boolean {
  const le = (a: Range['start'], b: Range['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return le(outer.start, r.start) && le(r.start, outer.end);
}

/** Every suppression written in the unit's files. */
export function readSuppressions(unit: Unit): Suppression[] {
  const out: Suppression[] = [];
  const lines = linesOf(unit);
  for (const c of unit.comments) {
    const d = parseDirective(c.text);
    if (!d) continue;
    const ls = lines(c.file);
    // Only a comment that is alone on its line applies to the next line.
    if (!/^\s*$/.test((ls[c.range.start.line] ?? '').slice(0, c.range.start.character))) continue;
    let next = c.range.end.line + 1;
    while (next < ls.length && (isCommentLine(ls[next]) || /^\s*$/.test(ls[next]))) {
      if (/^\s*$/.test(ls[next])) break;
      next++;
    }
    out.push({ ids: d.ids, reason: d.reason, source: 'comment', file: c.file, range: c.range, scope: scopeOf(unit, c.file, next) });
  }
  for (const r of unit.resources) {
    if (!r.metadata) continue;
    const ss = r.metadata.entries.find((e) => e.key === 'sageshield');
    if (!ss || ss.value.kind !== 'map') continue;
    const ignore = ss.value.entries.find((e) => e.key === 'ignore');
    if (!ignore) continue;
    const items = ignore.value.kind === 'list' ? ignore.value.items : [ignore.value];
    for (const it of items) {
      if (it.kind === 'scalar' && typeof it.value === 'string') {
        out.push({ ids: [it.value.trim().toUpperCase()], reason: '', source: 'metadata', file: it.file, range: it.range, scope: { kind: 'resource', resource: r } });
      } else if (it.kind === 'map') {
        const id = scalarOf(it, 'id') ?? scalarOf(it, 'Id') ?? '';
        const reason = scalarOf(it, 'reason') ?? scalarOf(it, 'Reason') ?? '';
        out.push({
          ids: id ? id.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean) : [],
          reason: reason.trim(),
          source: 'metadata',
          file: it.file,
          range: it.range,
          scope: { kind: 'resource', resource: r },
        });
      }
    }
  }
  return out;
}

function scalarOf(m: MapValue, key: string): string | undefined {
  const e = m.entries.find((x) => x.key === key);
  return e && e.value.kind === 'scalar' && e.value.value !== null ? String(e.value.value) : undefined;
}

function scopeOf(unit: Unit, file: string, line: number): Suppression['scope'] {
  for (const r of unit.resources) {
    if (r.file === file && (r.nameRange.start.line === line || r.range.start.line === line)) return { kind: 'resource', resource: r };
  }
  for (const r of unit.resources) {
    if (r.file !== file || r.range.start.line > line || r.range.end.line < line) continue;
    const range = nodeOnLine(r, file, line);
    if (range) return { kind: 'property', resource: r, file, range };
    return { kind: 'line', file, line, resource: r };
  }
  return { kind: 'line', file, line };
}

function applies(s: Suppression, f: Finding): boolean {
  if (!s.ids.includes(f.ruleId.toUpperCase())) return false;
  const sc = s.scope;
  if (sc.kind === 'resource') return f.resource.address === sc.resource.address;
  if (sc.kind === 'property') return f.file === sc.file && within(f.range, sc.range);
  return f.file === sc.file && f.range.start.line === sc.line;
}

/** Split findings into those that stand and those a suppression in the files covers (with its reason and place). */
export function applySuppressions(unit: Unit, findings: Finding[]): { findings: Finding[]; suppressed: SuppressedFinding[] } {
  const sups = readSuppressions(unit);
  if (sups.length === 0) return { findings, suppressed: [] };
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const f of findings) {
    const s = sups.find((x) => applies(x, f));
    if (s) suppressed.push({ finding: f, reason: s.reason, file: s.file, range: s.range });
    else kept.push(f);
  }
  return { findings: kept, suppressed };
}
