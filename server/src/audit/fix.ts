/**
 * `sageshield scan --fix`: applies the preferred (never suppression) fix of every finding of a scan, unit by unit.
 *
 * - A unit with a parse issue in any of its files, or one that could not be parsed at all, is never touched: it is
 *   listed in `notFixed` ("has syntax errors").
 * - Fixes are applied one finding (rule + resource) at a time with `fixAllWith`, re-analysing in between. A fix that
 *   would change a file that was not a scan target (a sibling `.tf` of a file named explicitly) is not applied.
 * - Inputs the user must give are those the applied fixes name (`Fix.inputs`, carried by `fixAllWith(...).applied`).
 * - `writeFixes` writes each changed file atomically (temp file in the same folder, then rename), through symbolic
 *   links to the real file, with the file's mode and its BOM; a file whose text on disk changed since the scan is
 *   not written.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Unit } from '../model/types';
import type { Finding } from '../rules/types';
import { defaultReanalyse, diffEdits, fixAllWith } from '../fixes';
import type { ParsedUnit, ScanResult } from './workspace';

export interface FixChange {
  ruleId: string;
  resource: string;
  title: string;
}

export interface FixInput {
  /** Parameter (CloudFormation) or variable (Terraform) name. */
  name: string;
  kind: 'parameter' | 'variable';
  /** Absolute path of the file that declares it. */
  file: string;
}

export interface FixedFile {
  /** Absolute path as scanned (may be a symbolic link). */
  file: string;
  before: string;
  after: string;
  changes: FixChange[];
}

export interface FixPlan {
  files: FixedFile[];
  inputs: FixInput[];
  /** Units or files left untouched, with the reason. */
  notFixed: Array<{ file: string; reason: string }>;
  /** Findings with no automatic fix (rule, resource, file). */
  noFix: Array<{ ruleId: string; resource: string; file: string }>;
}

const key = (f: Finding) => `${f.ruleId}|${f.resource.address}`;

/** Computes the fixes of a scan made with `keepUnits: true`. Never writes. */
export function planFixes(scan: ScanResult): FixPlan {
  const plan: FixPlan = { files: [], inputs: [], notFixed: [], noFix: [] };
  for (const e of scan.errors) if (e.kind === 'parse') plan.notFixed.push({ file: e.file, reason: 'has syntax errors' });
  for (const p of scan.parsed ?? []) {
    if (p.findings.length === 0) continue;
    if (p.unit.issues.length > 0) {
      for (const f of [...new Set(p.unit.issues.map((i) => i.file))].sort()) plan.notFixed.push({ file: f, reason: 'has syntax errors' });
      continue;
    }
    planUnit(p, plan);
  }
  plan.notFixed.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return plan;
}

function planUnit(p: ParsedUnit, plan: FixPlan): void {
  const original = p.unit;
  const allowed = new Set(p.keep ?? original.files.map((f) => f.path));
  const reanalyse = defaultReanalyse(original);
  let cur: Unit = original;
  let curFindings: Finding[] | undefined;
  const perFile = new Map<string, FixChange[]>();
  const keys = [...new Set(p.findings.map(key))];
  const refused = new Set<string>();
  // one (rule, resource) at a time; again while a pass changed something, since a fix can make another finding of
  // a key already done fixable (a statement split by IAM-06 leaves its other actions to IAM-04)
  for (let pass = 0, progress = true; progress && pass < 8; pass++) {
    progress = false;
    for (const k of keys) {
      if (refused.has(k)) continue;
      const targets = (curFindings ?? p.findings).filter((f) => key(f) === k);
      if (targets.length === 0) continue; // cured by an earlier fix
      let res;
      try {
        res = fixAllWith(cur, targets, reanalyse);
      } catch {
        res = undefined;
      }
      const changed = res ? res.files.filter((f) => cur.files.find((x) => x.path === f.path)?.text !== f.text) : [];
      if (!res || res.applied.length === 0 || changed.length === 0) continue;
      const outside = changed.find((f) => !allowed.has(f.path));
      if (outside) {
        refused.add(k);
        plan.notFixed.push({ file: targets[0].file, reason: `${k.replace('|', ' on ')}: the fix would change ${outside.path}, which was not scanned` });
        continue;
      }
      const next = reanalyse(res.files);
      if (!next) continue;
      const changes = res.applied.map(({ ruleId, resource, title }) => ({ ruleId, resource, title }));
      for (const f of changed) perFile.set(f.path, [...(perFile.get(f.path) ?? []), ...changes]);
      for (const name of res.applied.flatMap((a) => a.inputs ?? [])) {
        const input = next.unit.inputs.get(name);
        if (input) plan.inputs.push({ name, kind: original.format === 'cloudformation' ? 'parameter' : 'variable', file: input.file });
      }
      cur = next.unit;
      curFindings = next.findings;
      progress = true;
    }
  }
  // what is left of the findings asked about (same rule and resource): no automatic fix for it
  const seen = new Set<string>();
  const wanted = new Set(keys);
  for (const f of curFindings ?? p.findings) {
    const k = `${key(f)}|${f.file}`;
    if (!wanted.has(key(f)) || seen.has(k) || (p.keep && !p.keep.has(f.file))) continue;
    seen.add(k);
    plan.noFix.push({ ruleId: f.ruleId, resource: f.resource.address, file: f.file });
  }
  for (const f of original.files) {
    const after = cur.files.find((x) => x.path === f.path)?.text;
    if (after !== undefined && after !== f.text) plan.files.push({ file: f.path, before: f.text, after, changes: perFile.get(f.path) ?? [] });
  }
}

/** Writes the planned files; returns the files that could not be written, with the reason. */
export async function writeFixes(files: readonly FixedFile[]): Promise<Array<{ file: string; message: string }>> {
  const failed: Array<{ file: string; message: string }> = [];
  for (const f of files) {
    try {
      await writeAtomically(f);
    } catch (e) {
      failed.push({ file: f.file, message: e instanceof Error ? e.message : String(e) });
    }
  }
  return failed;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

async function writeAtomically(f: FixedFile): Promise<void> {
  const real = await fs.realpath(f.file);
  const st = await fs.stat(real);
  const bytes = await fs.readFile(real);
  const hasBom = bytes.subarray(0, 3).equals(BOM);
  const now = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  if (now !== f.before) throw new Error('the file changed since it was scanned; not written');
  const tmp = path.join(path.dirname(real), `.${path.basename(real)}.sageshield-${process.pid}-${Date.now().toString(36)}.tmp`);
  try {
    await fs.writeFile(tmp, hasBom ? Buffer.concat([BOM, Buffer.from(f.after, 'utf8')]) : f.after, { mode: st.mode & 0o7777, flag: 'wx' });
    await fs.chmod(tmp, st.mode & 0o7777); // the umask may have narrowed it
    await fs.rename(tmp, real);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    throw new Error(err.code ? `cannot write: ${err.code}` : String(e));
  }
}

/** The planned texts by absolute path, for a dry-run re-scan (ScanOptions.overrides). */
export function overridesOf(plan: FixPlan): Map<string, string> {
  return new Map(plan.files.map((f) => [f.file, f.after]));
}

/** A unified diff of one file (2 lines of context), `--- a/NAME` / `+++ b/NAME` headers. */
export function unifiedDiff(name: string, before: string, after: string, context = 2): string {
  const edits = diffEdits(name, before, after);
  if (edits.length === 0) return '';
  const a = lines(before);
  const hunks = edits.map((e) => {
    const start = e.range.start.line;
    const end = e.range.end.character === 0 || e.range.end.line >= a.length ? e.range.end.line : e.range.end.line + 1;
    return { start, del: a.slice(start, Math.max(start, end)), add: lines(e.newText) };
  });
  const out = [`--- a/${name}`, `+++ b/${name}`];
  let i = 0;
  let shift = 0; // new line number - old line number before the current hunk
  while (i < hunks.length) {
    // group hunks whose context touches
    let j = i;
    while (j + 1 < hunks.length && hunks[j + 1].start - (hunks[j].start + hunks[j].del.length) <= 2 * context) j++;
    const from = Math.max(0, hunks[i].start - context);
    const last = hunks[j];
    const to = Math.min(a.length, last.start + last.del.length + context);
    const body: string[] = [];
    let at = from;
    let oldCount = 0;
    let newCount = 0;
    let groupShift = 0;
    for (let k = i; k <= j; k++) {
      const h = hunks[k];
      for (; at < h.start; at++, oldCount++, newCount++) body.push(` ${a[at]}`);
      for (const l of h.del) body.push(`-${l}`);
      for (const l of h.add) body.push(`+${l}`);
      oldCount += h.del.length;
      newCount += h.add.length;
      at += h.del.length;
      groupShift += h.add.length - h.del.length;
    }
    for (; at < to; at++, oldCount++, newCount++) body.push(` ${a[at]}`);
    out.push(`@@ -${from + 1},${oldCount} +${from + 1 + shift},${newCount} @@`, ...body);
    shift += groupShift;
    i = j + 1;
  }
  return `${out.join('\n')}\n`;
}

function lines(t: string): string[] {
  const m = t.match(/[^\r\n]*(\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
  return m.map((l) => l.replace(/\r?\n$|\r$/, ''));
}
