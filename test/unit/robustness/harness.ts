/**
 * Robustness harness: the project's own fixtures (read from disk at test time), a way to run the whole engine
 * path on a text (parse -> analyzeUnit -> suppressions -> fix titles, as the CLI and the server do), and the
 * invariants every run must keep (no throw, bounded time, ranges inside the text, determinism).
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyzeUnit } from '../../../server/src/engine';
import { withFixTitles } from '../../../server/src/fixes';
import type { Range, SourceFile, Unit } from '../../../server/src/model/types';
import { LineIndex } from '../../../server/src/parse/lines';
import { parseCloudFormation } from '../../../server/src/parse/cloudformation';
import { initTerraform, parseTerraformModule } from '../../../server/src/parse/terraform';
import type { Finding } from '../../../server/src/rules/types';
import { applySuppressions } from '../../../server/src/suppress';
import { expandSnippet } from '../audit/helpers';

export const ROOT = path.resolve(__dirname, '../../..');

/** A unit to mutate: one CloudFormation file, or one Terraform module (one of its files is mutated at a time). */
export interface Fixture {
  name: string;
  format: 'cloudformation' | 'terraform';
  /** Absolute (real or virtual) root: the template file or the module folder. */
  root: string;
  files: SourceFile[];
}

const CFN_FILE = /\.(ya?ml|json|template)$/i;
const TF_FILE = /(\.tf|\.tfvars|\.tfvars\.json)$/i;

function walk(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const ent of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) {
      if (ent.name !== 'node_modules' && ent.name !== 'robustness') walk(p, out);
    } else if (ent.isFile()) out.push(p);
  }
}

let cache: Fixture[] | undefined;

/**
 * Every CloudFormation template and Terraform module under examples/ and test/fixtures/ (plus the expanded
 * snippets), small enough to mutate (< 64 KB per file). Files that are not templates are kept too: a mutation can
 * turn them into one.
 */
export function loadFixtures(): Fixture[] {
  if (cache) return cache;
  const files: string[] = [];
  walk(path.join(ROOT, 'examples'), files);
  walk(path.join(ROOT, 'test', 'fixtures'), files);
  walk(path.join(ROOT, 'test', 'lsp', 'fixtures'), files);
  const fixtures: Fixture[] = [];
  const tfDirs = new Map<string, SourceFile[]>();
  for (const f of files) {
    if (statSync(f).size > 64 * 1024) continue;
    const base = path.basename(f);
    if (TF_FILE.test(base)) {
      const dir = path.dirname(f);
      if (!tfDirs.has(dir)) tfDirs.set(dir, []);
      tfDirs.get(dir)!.push({ path: f, text: readFileSync(f, 'utf8') });
    } else if (CFN_FILE.test(base) && base !== 'package.json' && !base.startsWith('.')) {
      fixtures.push({ name: path.relative(ROOT, f), format: 'cloudformation', root: f, files: [{ path: f, text: readFileSync(f, 'utf8') }] });
    }
  }
  for (const [dir, srcs] of tfDirs) {
    if (!srcs.some((s) => s.path.endsWith('.tf'))) continue;
    fixtures.push({ name: path.relative(ROOT, dir), format: 'terraform', root: dir, files: srcs });
  }
  // Snippets, expanded as the editor does with default values.
  const snippetFiles: Array<[string, string]> = [
    ['cloudformation-yaml.code-snippets', 'template.yaml'],
    ['cloudformation-json.code-snippets', 'template.json'],
    ['terraform.code-snippets', 'main.tf'],
  ];
  for (const [file, target] of snippetFiles) {
    const p = path.join(ROOT, 'snippets', file);
    if (!existsSync(p)) continue;
    const snippets = JSON.parse(readFileSync(p, 'utf8')) as Record<string, { body: string | string[] }>;
    let i = 0;
    for (const [name, s] of Object.entries(snippets)) {
      let text: string;
      try {
        text = expandSnippet(s.body);
      } catch {
        continue; // a malformed snippet is the snippet suite's business
      }
      const dir = path.join(path.resolve('/virtual-snippets'), `${file}-${i++}`);
      const fp = path.join(dir, target);
      fixtures.push(
        target.endsWith('.tf')
          ? { name: `snippet ${name}`, format: 'terraform', root: dir, files: [{ path: fp, text }] }
          : { name: `snippet ${name}`, format: 'cloudformation', root: fp, files: [{ path: fp, text }] },
      );
    }
  }
  cache = fixtures;
  return fixtures;
}

let tfReady: Promise<void> | undefined;
export function ensureTerraform(): Promise<void> {
  tfReady ??= initTerraform();
  return tfReady;
}

export interface Outcome {
  unit?: Unit;
  findings: Finding[];
  suppressed: Finding[];
  issues: Unit['issues'];
  ruleErrors: Array<{ ruleId: string; message: string }>;
  ms: number;
}

/** The engine path of the CLI and the server on a set of files. Throws only if the engine does (a bug). */
export function analyseFiles(format: Fixture['format'], root: string, files: SourceFile[]): Outcome {
  const t0 = performance.now();
  const unit = format === 'cloudformation' ? parseCloudFormation(root, files[0].text) : parseTerraformModule(root, files);
  if (!unit) return { findings: [], suppressed: [], issues: [], ruleErrors: [], ms: performance.now() - t0 };
  const analysed = analyzeUnit(unit);
  const { findings, suppressed } = applySuppressions(unit, analysed.findings);
  withFixTitles(unit, findings);
  return {
    unit,
    findings,
    suppressed: suppressed.map((s) => s.finding),
    issues: unit.issues,
    ruleErrors: analysed.ruleErrors,
    ms: performance.now() - t0,
  };
}

/** The fixture with the text of file `index` replaced. */
export function withText(fx: Fixture, index: number, text: string): SourceFile[] {
  return fx.files.map((f, i) => (i === index ? { path: f.path, text } : f));
}

function lineLengths(text: string): number[] {
  const idx = new LineIndex(text);
  const out: number[] = [];
  for (let l = 0; l < idx.lineCount; l++) {
    const start = idx.lineStart(l);
    const next = l + 1 < idx.lineCount ? idx.lineStart(l + 1) : text.length;
    let end = next;
    // the line's content excludes its line break (\n, \r\n or \r)
    if (end > start && text.charCodeAt(end - 1) === 10) end--;
    if (end > start && text.charCodeAt(end - 1) === 13 && l + 1 < idx.lineCount) end--;
    out.push(end - start);
  }
  return out;
}

/** Asserts that `range` lies inside `text`: line < lineCount, character <= that line's length, start <= end. */
export function assertRangeInside(range: Range, text: string, what: string, lengths = lineLengths(text)): void {
  for (const [k, p] of [['start', range.start], ['end', range.end]] as const) {
    assert.ok(Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.character >= 0, `${what}: ${k} ${JSON.stringify(p)} is not a position`);
    assert.ok(p.line < lengths.length, `${what}: ${k} line ${p.line} >= line count ${lengths.length}`);
    assert.ok(p.character <= lengths[p.line], `${what}: ${k} ${p.line}:${p.character} is past the line's end (${lengths[p.line]})`);
  }
  const before = range.start.line < range.end.line || (range.start.line === range.end.line && range.start.character <= range.end.character);
  assert.ok(before, `${what}: start ${JSON.stringify(range.start)} after end ${JSON.stringify(range.end)}`);
}

/** Every finding, suppressed finding and parse issue is ranged inside the file it names, which is one of the unit's. */
export function assertRangesInside(out: Outcome, files: SourceFile[]): void {
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const lengths = new Map<string, number[]>();
  const check = (file: string, range: Range, what: string): void => {
    const text = texts.get(file);
    assert.ok(text !== undefined, `${what}: file ${file} is not one of the unit's files`);
    if (!lengths.has(file)) lengths.set(file, lineLengths(text));
    assertRangeInside(range, text, what, lengths.get(file));
  };
  for (const f of [...out.findings, ...out.suppressed]) check(f.file, f.range, `finding ${f.ruleId} on ${f.resource.address}`);
  for (const i of out.issues) check(i.file, i.range, `parse issue "${i.message}"`);
}

/** What must be identical between two runs on the same text. */
export function snapshot(out: Outcome): string {
  return JSON.stringify({ findings: out.findings, suppressed: out.suppressed, issues: out.issues, ruleErrors: out.ruleErrors });
}
