/** Findings and parse issues -> LSP diagnostics. Pure functions, no connection. */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { ParseIssue, Range } from '../model/types';
import { docsUrl, type Finding, type Severity } from '../rules/types';
import {
  DIAGNOSTIC_SOURCE,
  INTERNAL_ERROR_CODE,
  PARSE_ISSUE_CODE,
  type FindingDiagnosticData,
  type ParseIssueDiagnosticData,
} from '../shared/protocol';

/** critical/high -> Error, medium -> Warning, low -> Information, info -> Hint. */
export function toLspSeverity(severity: Severity): DiagnosticSeverity {
  switch (severity) {
    case 'critical':
    case 'high':
      return DiagnosticSeverity.Error;
    case 'medium':
      return DiagnosticSeverity.Warning;
    case 'low':
      return DiagnosticSeverity.Information;
    default:
      return DiagnosticSeverity.Hint;
  }
}

/** Prefix of a may-fail finding's message: the verdict depends on a value the files do not determine. */
export const MAY_FAIL_PREFIX = 'May fail: ';

export function findingToDiagnostic(f: Finding): Diagnostic {
  const data: FindingDiagnosticData = {
    kind: 'finding',
    ruleId: f.ruleId,
    verdict: f.verdict,
    severity: f.severity,
    resource: f.resource,
    fixes: f.fixes,
    ...(f.data !== undefined ? { finding: f.data } : {}),
  };
  return {
    range: cloneRange(f.range),
    severity: toLspSeverity(f.severity),
    code: f.ruleId,
    codeDescription: { href: docsUrl(f.ruleId) },
    source: DIAGNOSTIC_SOURCE,
    message: `${f.verdict === 'may-fail' ? MAY_FAIL_PREFIX : ''}${f.message}`,
    data,
  };
}

export function parseIssueToDiagnostic(issue: ParseIssue): Diagnostic {
  const data: ParseIssueDiagnosticData = { kind: 'parse-issue' };
  return {
    range: cloneRange(issue.range),
    severity: DiagnosticSeverity.Error,
    code: PARSE_ISSUE_CODE,
    source: DIAGNOSTIC_SOURCE,
    message: issue.message,
    data,
  };
}

/** A parser or loader threw: say so on the first line instead of failing silently. */
export function internalErrorDiagnostic(message: string): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Warning,
    code: INTERNAL_ERROR_CODE,
    source: DIAGNOSTIC_SOURCE,
    message: `SageShield could not analyse this file: ${message}`,
  };
}

function cloneRange(r: Range): Range {
  return {
    start: { line: Math.max(0, r.start.line), character: Math.max(0, r.start.character) },
    end: { line: Math.max(0, r.end.line), character: Math.max(0, r.end.character) },
  };
}
