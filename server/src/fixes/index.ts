/**
 * Quick-fixes: `fixesFor(unit, finding)` gives the fixes of one finding (the rule's own fixes, best first, the
 * preferred one marked, then "suppress with a reason"); `fixAll` applies the preferred fix of every finding.
 * Every fix is a list of text edits computed against the texts in `unit.files`: a client must apply them only to
 * that same version of the document (LSP: a versioned WorkspaceEdit / `documentChanges`).
 */
import { analyzeUnit } from '../engine';
import type { SourceFile, Unit } from '../model/types';
import { parseCloudFormation } from '../parse/cloudformation';
import { parseTerraformModule } from '../parse/terraform';
import type { Finding } from '../rules/types';
import { docsUrl } from '../rules/types';
import { applySuppressions } from '../suppress';
import { Doc } from './doc';
import { FixContext } from './ops';
import { iamFixes } from './rules/iam';
import type { FixProvider } from './rules/common';
import { fileHasIssues, findingResource } from './rules/common';
import { kmsFixes, net01Fixes, net02Fixes, net03Fixes, root01Fixes } from './rules/sagemaker';
import { suppressFix, suppressReasonFixes } from './rules/suppress';
import { applyEdits, rangesOverlap } from './text';
import type { Fix, TextEdit } from './types';

export type { Fix, TextEdit, NewValue } from './types';
export { applyEdits } from './text';

const PROVIDERS: Record<string, FixProvider> = {
  'SM-KMS-01': kmsFixes,
  'SM-KMS-02': kmsFixes,
  'SM-KMS-03': kmsFixes,
  'SM-NET-01': net01Fixes,
  'SM-NET-02': net02Fixes,
  'SM-NET-03': net03Fixes,
  'SM-ROOT-01': root01Fixes,
  'IAM-01': iamFixes,
  'IAM-02': iamFixes,
  'IAM-03': iamFixes,
  'IAM-04': iamFixes,
  'IAM-06': iamFixes,
  'IAM-09': iamFixes,
};

/** The rule's fixes for one finding (best first; the first is preferred), then the suppress fix. Never throws. */
export function fixesFor(unit: Unit, finding: Finding): Fix[] {
  const ctx = new FixContext(unit);
  const res = findingResource(unit, finding);
  const out: Fix[] = [];
  try {
    if (finding.ruleId === 'SS-SUPPRESS-01') out.push(...suppressReasonFixes(ctx, finding));
    else if (res && PROVIDERS[finding.ruleId] && !fileHasIssues(unit, res.file) && !fileHasIssues(unit, finding.file)) {
      out.push(...PROVIDERS[finding.ruleId](ctx, finding, res));
    }
  } catch {
    // a fix that cannot be computed is not offered
  }
  try {
    const s = suppressFix(ctx, finding, res);
    if (s) out.push(s);
  } catch {
    /* idem */
  }
  return out.filter(valid);
}

function valid(fx: Fix): boolean {
  const byFile = new Map<string, TextEdit[]>();
  for (const e of fx.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const edits of byFile.values()) {
    for (let i = 0; i < edits.length; i++)
      for (let j = i + 1; j < edits.length; j++) if (rangesOverlap(edits[i].range, edits[j].range) && !isInsert(edits[i], edits[j])) return false;
  }
  return fx.edits.length > 0;
}

function isInsert(a: TextEdit, b: TextEdit): boolean {
  const empty = (e: TextEdit) => e.range.start.line === e.range.end.line && e.range.start.character === e.range.end.character;
  return empty(a) && empty(b);
}

/** Titles of the fixes of a finding (for Finding.fixes in the CLI and JSON report). */
export function fixTitles(unit: Unit, finding: Finding): string[] {
  return fixesFor(unit, finding).map((f) => f.title);
}

/** Fill `finding.fixes` with the fix titles, in place; returns the findings. */
export function withFixTitles(unit: Unit, findings: Finding[]): Finding[] {
  for (const f of findings) f.fixes = fixTitles(unit, f);
  return findings;
}

/** The "show documentation" action of a finding (a command, not an edit). */
export function documentationFor(finding: Finding): { title: string; url: string } {
  return { title: `Show documentation for ${finding.ruleId}`, url: docsUrl(finding.ruleId) };
}

/** The preferred fix of a finding that is not a suppression, if any. */
export function preferredFix(unit: Unit, finding: Finding): Fix | undefined {
  return fixesFor(unit, finding).find((f) => f.isPreferred && !f.title.startsWith('Suppress '));
}

/** Re-parses and re-analyses texts: the unit and its (unsuppressed) findings, or undefined when it does not parse. */
export type Reanalyse = (files: SourceFile[]) => { unit: Unit; findings: Finding[] } | undefined;

/** The default re-analysis: the same parser as the unit, all rules, suppressions applied. Terraform needs initTerraform() done. */
export function defaultReanalyse(base: Unit): Reanalyse {
  return (files) => {
    const unit =
      base.format === 'cloudformation' ? parseCloudFormation(files[0].path, files[0].text) : parseTerraformModule(base.root, files);
    if (!unit) return undefined;
    return { unit, findings: applySuppressions(unit, analyzeUnit(unit).findings).findings };
  };
}

export interface FixAllResult {
  /** Edits per file against the original texts (one edit per changed region). */
  edits: TextEdit[];
  /** The fixes applied, in order: title, and the new parameters/variables the user must fill in (Fix.inputs). */
  applied: Array<{ ruleId: string; resource: string; title: string; inputs?: string[] }>;
  /** The texts after all fixes. */
  files: SourceFile[];
}

function key(f: Finding): string {
  return `${f.ruleId}|${f.resource.address}`;
}

/**
 * Applies the preferred fix of every finding, one at a time, re-analysing between fixes (so that two fixes that
 * add the same parameter, or a fix that also cures another finding, do not collide). Only findings that were in
 * `findings` (same rule and resource) are fixed; a fix that would add a syntax problem is skipped.
 */
export function fixAllWith(unit: Unit, findings: Finding[], reanalyse: Reanalyse = defaultReanalyse(unit)): FixAllResult {
  const wanted = new Set(findings.map(key));
  const failed = new Set<string>();
  const applied: FixAllResult['applied'] = [];
  let cur = unit;
  let curFindings = findings;
  const baseIssues = unit.issues.length;
  for (let round = 0; round < 200; round++) {
    const at = (f: Finding) => `${key(f)}|${f.file}|${f.range.start.line}:${f.range.start.character}`;
    const target = curFindings.find((f) => wanted.has(key(f)) && !failed.has(at(f)));
    if (!target) break;
    const tkey = at(target);
    // a suppression's reason must come from a person: fix-all never writes one
    const fx = target.ruleId === 'SS-SUPPRESS-01' ? undefined : preferredFix(cur, target);
    if (!fx) {
      failed.add(tkey);
      continue;
    }
    const files = cur.files.map((f) => ({ path: f.path, text: applyEdits(f.text, fx.edits.filter((e) => e.file === f.path)) }));
    const next = reanalyse(files);
    if (!next || next.unit.issues.length > baseIssues) {
      failed.add(tkey);
      continue;
    }
    applied.push({ ruleId: target.ruleId, resource: target.resource.address, title: fx.title, ...(fx.inputs?.length ? { inputs: [...fx.inputs] } : {}) });
    cur = next.unit;
    curFindings = next.findings;
    // a finding that is still there after its own fix must not be retried forever
    if (curFindings.some((f) => at(f) === tkey && f.message === target.message)) failed.add(tkey);
  }
  const edits: TextEdit[] = [];
  for (const f of unit.files) {
    const now = cur.files.find((x) => x.path === f.path);
    if (now && now.text !== f.text) edits.push(...diffEdits(f.path, f.text, now.text));
  }
  return { edits, applied, files: cur.files };
}

/** The preferred fix of every finding, as non-overlapping edits against the unit's texts. */
export function fixAll(unit: Unit, findings: Finding[]): TextEdit[] {
  return fixAllWith(unit, findings).edits;
}

/** Line-based diff of two texts as edits (each changed run of lines becomes one edit). */
export function diffEdits(file: string, a: string, b: string): TextEdit[] {
  const doc = new Doc(file, a);
  const al = splitKeep(a);
  const bl = splitKeep(b);
  // common prefix / suffix lines, then an LCS on the middle (small in practice)
  let p = 0;
  while (p < al.length && p < bl.length && al[p] === bl[p]) p++;
  let s = 0;
  while (s < al.length - p && s < bl.length - p && al[al.length - 1 - s] === bl[bl.length - 1 - s]) s++;
  const A = al.slice(p, al.length - s);
  const B = bl.slice(p, bl.length - s);
  const out: TextEdit[] = [];
  if (A.length * B.length > 4_000_000) {
    const start = al.slice(0, p).join('').length;
    return [doc.edit(start, start + A.join('').length, B.join(''))];
  }
  const dp: number[][] = Array.from({ length: A.length + 1 }, () => new Array<number>(B.length + 1).fill(0));
  for (let i = A.length - 1; i >= 0; i--) for (let j = B.length - 1; j >= 0; j--) dp[i][j] = A[i] === B[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  let i = 0;
  let j = 0;
  let offset = al.slice(0, p).join('').length;
  let hunk: { start: number; len: number; text: string } | undefined;
  const flush = () => {
    if (hunk) out.push(doc.edit(hunk.start, hunk.start + hunk.len, hunk.text));
    hunk = undefined;
  };
  while (i < A.length || j < B.length) {
    if (i < A.length && j < B.length && A[i] === B[j]) {
      flush();
      offset += A[i].length;
      i++;
      j++;
    } else if (j < B.length && (i >= A.length || dp[i][j + 1] >= dp[i + 1][j])) {
      hunk ??= { start: offset, len: 0, text: '' };
      hunk.text += B[j++];
    } else {
      hunk ??= { start: offset, len: 0, text: '' };
      hunk.len += A[i].length;
      offset += A[i].length;
      i++;
    }
  }
  flush();
  return out;
}

function splitKeep(t: string): string[] {
  return t.match(/[^\r\n]*(\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/** FNV-1a hash of a text (hex), to tell whether a document changed since a fix was computed. */
export function textHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${h.toString(16)}:${text.length}`;
}

/** The hashes of the texts a fix's edits were computed against (one per edited file). */
export function fixBase(unit: Unit, fix: Pick<Fix, 'edits'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fix.edits) {
    const f = unit.files.find((x) => x.path === e.file);
    if (f) out[e.file] = textHash(f.text);
  }
  return out;
}

/**
 * True when one of the files a fix edits no longer has the text the fix was computed against: the fix must then
 * be recomputed, never applied blindly. `current` returns a file's text now (undefined when unknown).
 */
export function isStale(base: Record<string, string>, current: (file: string) => string | undefined): boolean {
  return Object.entries(base).some(([file, h]) => {
    const t = current(file);
    return t === undefined || textHash(t) !== h;
  });
}
