/**
 * The analysis engine: model -> rules -> findings. Used by the language server, the CLI and tests alike.
 */
import type { Unit } from './model/types';
import { allRules } from './rules';
import type { Finding, Rule, Severity } from './rules/types';

export interface AnalyzeOptions {
  /** Rule IDs not to run. */
  disabledRules?: readonly string[];
  /** Severity override per rule ID. */
  severity?: Readonly<Record<string, Severity>>;
  /** Report may-fail findings (default true). */
  reportMayFail?: boolean;
  /** Rules to run instead of the registry (tests). */
  rules?: readonly Rule[];
}

export interface RuleError {
  ruleId: string;
  message: string;
}

export interface AnalyzeResult {
  findings: Finding[];
  /** A rule that threw: reported, never fatal. */
  ruleErrors: RuleError[];
}

export function analyzeUnit(unit: Unit, options: AnalyzeOptions = {}): AnalyzeResult {
  const { findings, ruleErrors } = runRules(unit, options);
  return { findings: finishFindings(unit, findings), ruleErrors };
}

/**
 * The rules' raw findings (unsorted, not de-duplicated). `analyzeUnit` = `runRules` + `finishFindings`; the
 * incremental engine (incremental-engine.ts) runs the rules on part of a unit and merges, then calls
 * `finishFindings` with the whole unit: post-processing of the findings belongs in `finishFindings`.
 */
export function runRules(unit: Unit, options: AnalyzeOptions = {}): AnalyzeResult {
  const disabled = new Set(options.disabledRules ?? []);
  const findings: Finding[] = [];
  const ruleErrors: RuleError[] = [];
  for (const rule of options.rules ?? allRules()) {
    const { meta } = rule;
    if (disabled.has(meta.id) || !meta.formats.includes(unit.format)) continue;
    const override = options.severity?.[meta.id];
    try {
      rule.check(unit, {
        report(input) {
          if (input.verdict === 'may-fail' && options.reportMayFail === false) return;
          const r = input.resource;
          findings.push({
            ruleId: meta.id,
            severity: override ?? input.severity ?? meta.severity,
            category: meta.category,
            verdict: input.verdict,
            file: input.file ?? r.file,
            range: input.range ?? r.nameRange,
            resource: { type: r.type, name: r.name, address: r.address },
            message: input.message,
            fixes: [],
            data: input.data,
          });
        },
      });
    } catch (e) {
      ruleErrors.push({ ruleId: meta.id, message: e instanceof Error ? e.message : String(e) });
    }
  }
  return { findings, ruleErrors };
}

/** Sorted and de-duplicated findings of `unit` (`unit` is the whole unit the findings were found in). */
export function finishFindings(unit: Unit, findings: Finding[]): Finding[] {
  void unit;
  return dedupe(findings.slice().sort(compareFindings));
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file === b.file ? 0 : a.file.localeCompare(b.file)) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    a.ruleId.localeCompare(b.ruleId)
  );
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.ruleId}|${f.file}|${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
