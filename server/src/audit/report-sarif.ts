/**
 * SARIF 2.1.0 report, as GitHub code scanning reads it: rules with `security-severity`, results with a
 * relative `artifactLocation` under `%SRCROOT%`, 1-based regions in UTF-16 columns, and stable
 * `partialFingerprints` (rule + file + resource, not the line, so a finding survives edits above it).
 * Scan errors become `toolExecutionNotifications` of the invocation; suppressed findings are results with an
 * `inSource` suppression (code scanning shows them as dismissed).
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Range } from '../model/types';
import type { Severity } from '../rules/types';
import type { Report, ReportFinding, ReportRule } from './report-json';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** GitHub's numeric scale: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low. */
export const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };

export type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(severity: Severity): SarifLevel {
  return severity === 'critical' || severity === 'high' ? 'error' : severity === 'medium' ? 'warning' : 'note';
}

function problemSeverity(severity: Severity): 'error' | 'warning' | 'recommendation' {
  const l = sarifLevel(severity);
  return l === 'note' ? 'recommendation' : l;
}

/** `Missing KMS key on notebook` -> `MissingKmsKeyOnNotebook`. */
export function ruleName(title: string, id: string): string {
  const name = title
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
  return name && name !== id ? name : `Rule${id.replace(/[^A-Za-z0-9]/g, '')}`;
}

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

function uriOf(rel: string): string {
  return rel.split('/').map(encodeURIComponent).join('/');
}

function region(r: Range): Record<string, number> {
  return { startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
}

function sarifRule(r: ReportRule): Record<string, unknown> {
  return {
    id: r.id,
    name: ruleName(r.title, r.id),
    shortDescription: { text: sentence(r.title) },
    fullDescription: { text: sentence(r.description) },
    helpUri: r.helpUri,
    help: { text: `${sentence(r.description)} See ${r.helpUri}`, markdown: `${sentence(r.description)} [Documentation](${r.helpUri})` },
    defaultConfiguration: { level: sarifLevel(r.severity) },
    properties: {
      tags: ['security', r.category, ...r.references.slice(0, 10)],
      precision: 'high',
      'problem.severity': problemSeverity(r.severity),
      'security-severity': SECURITY_SEVERITY[r.severity],
    },
  };
}

/** `cwd`: the folder report paths are relative to (becomes `%SRCROOT%`). */
export function renderSarif(report: Report, cwd: string): string {
  const rules = report.rules;
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const seen = new Map<string, number>();
  const result = (f: ReportFinding, suppression?: { justification: string }) => {
    const key = `${f.ruleId}|${f.file}|${f.resource.address}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    const fingerprint = createHash('sha256').update(`${key}|${n}`).digest('hex').slice(0, 32);
    return {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId)!,
      level: sarifLevel(f.severity),
      message: { text: sentence(f.message) + (f.verdict === 'may-fail' ? ' (May fail: depends on a value the files do not determine.)' : '') },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: uriOf(f.file), uriBaseId: '%SRCROOT%' }, region: region(f.range) },
          logicalLocations: [{ name: f.resource.name, fullyQualifiedName: f.resource.address, kind: 'resource' }],
        },
      ],
      partialFingerprints: { 'sageshieldFingerprint/v1': fingerprint },
      ...(suppression ? { suppressions: [{ kind: 'inSource', status: 'accepted', justification: suppression.justification }] } : {}),
      properties: { severity: f.severity, verdict: f.verdict, category: f.category, resourceType: f.resource.type, fixes: f.fixes },
    };
  };
  const results = [
    ...report.findings.map((f) => result(f)),
    ...report.suppressed.map((f) => result(f, { justification: f.reason || 'suppressed without a reason' })),
  ];
  const notifications = [
    ...report.errors.map((e) => ({
      level: 'error',
      message: { text: sentence(`${e.file}: ${e.message}`) },
      locations: [{ physicalLocation: { artifactLocation: { uri: uriOf(e.file), uriBaseId: '%SRCROOT%' } } }],
    })),
    ...report.warnings.map((w) => ({
      level: 'warning',
      message: { text: sentence(`${w.file}: ${w.message}`) },
      locations: [{ physicalLocation: { artifactLocation: { uri: uriOf(w.file), uriBaseId: '%SRCROOT%' }, region: region(w.range) } }],
    })),
  ];
  const srcRoot = pathToFileURL(cwd).href.replace(/\/?$/, '/');
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'SageShield',
            fullName: `SageShield ${report.tool.version}`,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: report.tool.informationUri,
            rules: rules.map(sarifRule),
          },
        },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        originalUriBaseIds: { '%SRCROOT%': { uri: srcRoot } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
