/**
 * The proof that no fix ever breaks a file, over every fixture of the project, examples/ and ../shared/corpus
 * (read in place). For every finding and every fix offered:
 * - the edited files still parse, with no new syntax problem;
 * - the finding is gone (one fewer finding of that rule on that resource, and none with its message);
 * - no other finding appears (no (rule, resource) pair gains a finding);
 * - applying the fix again changes nothing (the fixed files offer no fix for that finding any more);
 * - the bytes outside the edited ranges are unchanged;
 * - a suppress fix leaves the cursor on the reason.
 * Prints the number of (fixture, fix) pairs checked.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { analyzeUnit } from '../../../server/src/engine';
import { fixesFor, fixAllWith } from '../../../server/src/fixes';
import { applyEdits } from '../../../server/src/fixes/text';
import type { Fix, TextEdit } from '../../../server/src/fixes/types';
import type { SourceFile, Unit } from '../../../server/src/model/types';
import { LineIndex } from '../../../server/src/parse/lines';
import { parseCloudFormation } from '../../../server/src/parse/cloudformation';
import { initTerraform, parseTerraformModule } from '../../../server/src/parse/terraform';
import type { Finding } from '../../../server/src/rules/types';
import { REASON_PLACEHOLDER, applySuppressions } from '../../../server/src/suppress';

const ROOT = path.resolve(__dirname, '../../..');
const SOURCES = [path.join(ROOT, 'test/fixtures'), path.join(ROOT, 'examples'), path.resolve(ROOT, '../shared/corpus')];

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

interface Case {
  label: string;
  format: 'cloudformation' | 'terraform';
  root: string;
  files: SourceFile[];
}

function cases(): Case[] {
  const out: Case[] = [];
  const tfDirs = new Map<string, string[]>();
  for (const src of SOURCES) {
    for (const p of walk(src)) {
      if (/\.(ya?ml|json|template)$/i.test(p) && !/\.tfvars\.json$/.test(p)) {
        out.push({ label: path.relative(path.dirname(ROOT), p), format: 'cloudformation', root: p, files: [{ path: p, text: readFileSync(p, 'utf8') }] });
      } else if (/\.(tf|tfvars|tfvars\.json)$/.test(p)) {
        const d = path.dirname(p);
        tfDirs.set(d, [...(tfDirs.get(d) ?? []), p]);
      }
    }
  }
  for (const [d, ps] of tfDirs) {
    if (!ps.some((p) => p.endsWith('.tf'))) continue;
    out.push({ label: path.relative(path.dirname(ROOT), d) + '/', format: 'terraform', root: d, files: ps.map((p) => ({ path: p, text: readFileSync(p, 'utf8') })) });
  }
  return out;
}

function parse(c: { format: Case['format']; root: string }, files: SourceFile[]): Unit | undefined {
  return c.format === 'cloudformation' ? parseCloudFormation(files[0].path, files[0].text) : parseTerraformModule(c.root, files);
}

function analyse(u: Unit): Finding[] {
  const r = analyzeUnit(u);
  return applySuppressions(u, r.findings).findings;
}

const key = (f: Finding) => `${f.ruleId}|${f.resource.address}`;
function counts(fs: Finding[], k: (f: Finding) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of fs) m.set(k(f), (m.get(k(f)) ?? 0) + 1);
  return m;
}

/** The result equals the original outside the edits, piece by piece. */
function outsideUnchanged(original: string, edits: TextEdit[], result: string): boolean {
  const idx = new LineIndex(original);
  const spans = edits.map((e) => ({ s: idx.offset(e.range.start), e: idx.offset(e.range.end), t: e.newText })).sort((a, b) => a.s - b.s);
  let at = 0;
  let r = 0;
  for (const sp of spans) {
    const keep = original.slice(at, sp.s);
    if (result.slice(r, r + keep.length) !== keep) return false;
    r += keep.length;
    if (result.slice(r, r + sp.t.length) !== sp.t) return false;
    r += sp.t.length;
    at = Math.max(at, sp.e);
  }
  return result.slice(r) === original.slice(at);
}

let pairs = 0;
const problems: string[] = [];

function checkFix(c: Case, unit: Unit, before: Finding[], f: Finding, fx: Fix): void {
  pairs++;
  const where = `${c.label}: ${f.ruleId} ${f.resource.address} "${fx.title}"`;
  const files = unit.files.map((s) => {
    const edits = fx.edits.filter((e) => e.file === s.path);
    const text = edits.length ? applyEdits(s.text, edits) : s.text;
    if (edits.length && !outsideUnchanged(s.text, edits, text)) problems.push(`${where}: bytes outside the edits changed`);
    return { path: s.path, text };
  });
  if (fx.edits.some((e) => !unit.files.some((s) => s.path === e.file))) problems.push(`${where}: edits a file outside the unit`);
  const u2 = parse(c, files);
  if (!u2) {
    problems.push(`${where}: the result does not parse`);
    return;
  }
  if (u2.issues.length > unit.issues.length) {
    problems.push(`${where}: new syntax problems: ${u2.issues.map((i) => i.message).join('; ')}`);
    return;
  }
  const after = analyse(u2);
  const c0 = counts(before, key);
  const c1 = counts(after, key);
  if ((c1.get(key(f)) ?? 0) >= (c0.get(key(f)) ?? 0)) problems.push(`${where}: the finding is still there`);
  for (const [k, n] of c1) if (n > (c0.get(k) ?? 0)) problems.push(`${where}: a new finding appears: ${k} ${after.filter((x) => key(x) === k).map((x) => x.message).join(' | ')}`);
  // applying again changes nothing: the fixed files no longer offer this finding (same rule, resource and message)
  const again = after.filter((x) => key(x) === key(f) && x.message === f.message);
  const msgBefore = before.filter((x) => key(x) === key(f) && x.message === f.message).length;
  if (again.length >= msgBefore) problems.push(`${where}: fixing again would apply again`);
  if (fx.cursor) {
    const t = files.find((s) => s.path === fx.cursor!.file)!.text;
    const off = new LineIndex(t).offset(fx.cursor.position);
    if (!t.startsWith(REASON_PLACEHOLDER, off)) problems.push(`${where}: the cursor is not on the reason`);
  }
}

describe('fixes: proof over every fixture, examples/ and ../shared/corpus', function () {
  this.timeout(600_000);
  const all = cases();

  before(async () => {
    await initTerraform();
  });

  it('finds the fixtures', () => {
    assert.ok(all.length >= 20, `only ${all.length} fixtures found`);
  });

  it('every fix offered keeps the files valid, removes its finding, adds none, and is idempotent', () => {
    let units = 0;
    let findings = 0;
    let withRuleFix = 0;
    for (const c of all) {
      const unit = parse(c, c.files);
      if (!unit) continue;
      units++;
      const before = analyse(unit);
      for (const f of before) {
        findings++;
        const fixes = fixesFor(unit, f);
        if (fixes.some((x) => !x.title.startsWith('Suppress '))) withRuleFix++;
        assert.ok(fixes.length > 0, `${c.label}: ${f.ruleId} ${f.resource.address} has no fix at all`);
        assert.ok(fixes.filter((x) => x.isPreferred).length <= 1, `${c.label}: ${f.ruleId}: more than one preferred fix`);
        for (const fx of fixes) checkFix(c, unit, before, f, fx);
      }
    }
    console.log(`      fixes proof: ${pairs} (fixture, fix) pairs checked over ${units} units, ${findings} findings (${withRuleFix} with a rule fix besides suppression)`);
    assert.ok(pairs > 50, `only ${pairs} pairs checked`);
    if (process.env.SAGESHIELD_PROOF_OUT) require('node:fs').writeFileSync(process.env.SAGESHIELD_PROOF_OUT, problems.join('\n'));
    assert.deepEqual(problems, []);
  });

  it('fix-all leaves no fixable finding behind and never adds a finding or a syntax problem', () => {
    let checked = 0;
    const bad: string[] = [];
    for (const c of all) {
      const unit = parse(c, c.files);
      if (!unit) continue;
      const before = analyse(unit);
      if (before.length === 0) continue;
      const r = fixAllWith(unit, before);
      checked++;
      const u2 = parse(c, r.files);
      if (!u2) {
        bad.push(`${c.label}: does not parse after fix-all`);
        continue;
      }
      if (u2.issues.length > unit.issues.length) bad.push(`${c.label}: new syntax problems after fix-all`);
      const after = analyse(u2);
      const c0 = counts(before, key);
      for (const [k, n] of counts(after, key)) if (n > (c0.get(k) ?? 0)) bad.push(`${c.label}: fix-all added ${k}`);
      // the edits reproduce the result from the original texts
      for (const s of unit.files) {
        const edits = r.edits.filter((e) => e.file === s.path);
        const now = r.files.find((x) => x.path === s.path)!.text;
        if (applyEdits(s.text, edits) !== now) bad.push(`${c.label}: fix-all edits do not reproduce ${s.path}`);
      }
      // idempotent: a second fix-all changes nothing
      const again = fixAllWith(u2, after);
      if (again.edits.length > 0) bad.push(`${c.label}: a second fix-all still changes ${again.applied.map((a) => a.ruleId).join(', ')}`);
    }
    assert.ok(checked > 10, `fix-all ran on ${checked} units only`);
    assert.deepEqual(bad, []);
  });
});
