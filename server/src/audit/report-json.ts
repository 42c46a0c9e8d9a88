/**
 * The JSON report: the CLI's public contract (DESIGN.md "Command-line contract"; schema:
 * schemas/sageshield-report.schema.json). Fields may be added, never removed or renamed.
 *
 * Every other format (text, Markdown, SARIF) renders from this object, so they all agree.
 */
import * as path from 'node:path';
import type { Range } from '../model/types';
import { allRules } from '../rules';
import { docsUrl, SEVERITIES, type Category, type Finding, type FindingResource, type RuleMeta, type Severity, type Verdict } from '../rules/types';
import type { ScanErrorKind, ScanResult } from './workspace';

export const TOOL_NAME = 'sageshield';
export const INFORMATION_URI = 'https://github.com/sageshield/sageshield';

export interface ReportFinding {
  ruleId: string;
  severity: Severity;
  category: Category;
  verdict: Verdict;
  /** Relative to the folder the report was made in, forward slashes. */
  file: string;
  /** 0-based, LSP-style. */
  range: Range;
  resource: FindingResource;
  message: string;
  /** Titles of the fixes the editor offers. */
  fixes: string[];
  /** Rule title (added field). */
  title: string;
  /** Rule documentation (added field). */
  helpUri: string;
}

export interface ReportSuppressed extends ReportFinding {
  /** The reason written with the suppression ('' when none). */
  reason: string;
  /** Where the suppression is written. */
  suppressedAt: { file: string; range: Range };
}

export interface ReportError {
  file: string;
  message: string;
  kind: ScanErrorKind | 'rule';
}

export interface ReportWarning {
  file: string;
  range: Range;
  message: string;
}

export interface ReportRule {
  id: string;
  title: string;
  severity: Severity;
  category: Category;
  description: string;
  helpUri: string;
  references: string[];
}

export interface Report {
  tool: { name: string; version: string; informationUri: string };
  findings: ReportFinding[];
  errors: ReportError[];
  /** Syntax problems parsers recovered from; the file was analysed as far as it could be read. */
  warnings: ReportWarning[];
  /** Findings covered by a suppression in the files (not counted in `summary.findings`). */
  suppressed: ReportSuppressed[];
  summary: {
    findings: number;
    bySeverity: Record<Severity, number>;
    byVerdict: Record<Verdict, number>;
    units: { cloudformation: number; terraform: number };
    filesScanned: number;
    errors: number;
    warnings: number;
    suppressed: number;
  };
  /** Metadata of every rule that ran or reported (sorted by ID). */
  rules: ReportRule[];
}

export interface ReportOptions {
  /** Paths are made relative to this folder. */
  cwd: string;
  version: string;
  /** Rule metadata to describe (default: the registry plus any rule a finding names). */
  rules?: readonly RuleMeta[];
}

/** `abs` relative to `cwd`, with forward slashes (`.` for cwd itself). */
export function relativePath(cwd: string, abs: string): string {
  const rel = path.relative(cwd, abs);
  return (rel === '' ? '.' : rel).split(path.sep).join('/');
}

function ruleOf(meta: RuleMeta): ReportRule {
  return {
    id: meta.id,
    title: meta.title,
    severity: meta.severity,
    category: meta.category,
    description: meta.description,
    helpUri: docsUrl(meta.id),
    references: [...(meta.references ?? [])],
  };
}

export function buildReport(scan: ScanResult, opts: ReportOptions): Report {
  const rel = (f: string) => relativePath(opts.cwd, f);
  const metas = new Map<string, RuleMeta>();
  for (const m of opts.rules ?? allRules().map((r) => r.meta)) metas.set(m.id, m);
  const rules = new Map<string, ReportRule>();
  for (const m of metas.values()) rules.set(m.id, ruleOf(m));
  const toReport = (f: Finding): ReportFinding => {
    let r = rules.get(f.ruleId);
    if (!r) {
      // A rule outside the list given (a test rule): describe it from the finding.
      r = { id: f.ruleId, title: f.ruleId, severity: f.severity, category: f.category, description: f.ruleId, helpUri: docsUrl(f.ruleId), references: [] };
      rules.set(f.ruleId, r);
    }
    return {
      ruleId: f.ruleId,
      severity: f.severity,
      category: f.category,
      verdict: f.verdict,
      file: rel(f.file),
      range: { start: { ...f.range.start }, end: { ...f.range.end } },
      resource: { type: f.resource.type, name: f.resource.name, address: f.resource.address },
      message: f.message,
      fixes: [...f.fixes],
      title: r.title,
      helpUri: r.helpUri,
    };
  };
  const findings = scan.findings.map(toReport);
  const suppressed: ReportSuppressed[] = scan.suppressed.map((s) => ({
    ...toReport(s.finding),
    reason: s.reason,
    suppressedAt: { file: rel(s.file), range: s.range },
  }));
  const errors: ReportError[] = [
    ...scan.errors.map((e) => ({ file: rel(e.file), message: e.message, kind: e.kind })),
    ...scan.ruleErrors.map((e) => ({ file: rel(e.unit), message: `rule ${e.ruleId} failed: ${e.message}`, kind: 'rule' as const })),
  ];
  const warnings = scan.warnings.map((w) => ({ file: rel(w.file), range: w.range, message: w.message }));
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byVerdict: Record<Verdict, number> = { fail: 0, 'may-fail': 0 };
  for (const f of findings) {
    bySeverity[f.severity]++;
    byVerdict[f.verdict]++;
  }
  const files = new Set<string>();
  for (const u of scan.units) for (const f of u.files) files.add(f);
  return {
    tool: { name: TOOL_NAME, version: opts.version, informationUri: INFORMATION_URI },
    findings,
    errors,
    warnings,
    suppressed,
    summary: {
      findings: findings.length,
      bySeverity,
      byVerdict,
      units: {
        cloudformation: scan.units.filter((u) => u.format === 'cloudformation').length,
        terraform: scan.units.filter((u) => u.format === 'terraform').length,
      },
      filesScanned: files.size,
      errors: errors.length,
      warnings: warnings.length,
      suppressed: suppressed.length,
    },
    rules: [...rules.values()].sort((a, b) => a.id.localeCompare(b.id)),
  };
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
