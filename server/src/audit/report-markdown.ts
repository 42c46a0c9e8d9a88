/**
 * Markdown report (a pull-request comment or a job summary): a summary table by severity, then the findings
 * grouped by file, then errors and warnings.
 */
import { SEVERITIES } from '../rules/types';
import type { Report, ReportFinding } from './report-json';

/** Escapes text for a Markdown table cell. */
export function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/([`*_<>[\]])/g, '\\$1');
}

export function renderMarkdown(report: Report): string {
  const s = report.summary;
  const out: string[] = [];
  out.push(`# SageShield report`, '');
  out.push(
    `${s.findings} finding${s.findings === 1 ? '' : 's'} in ${s.units.cloudformation} CloudFormation template(s) and ` +
      `${s.units.terraform} Terraform module(s) (${s.filesScanned} files); ${s.errors} error(s), ${s.warnings} warning(s), ${s.suppressed} suppressed. ` +
      `${report.tool.name} ${report.tool.version}.`,
    '',
  );
  out.push('| Severity | Findings |', '| --- | ---: |');
  for (const sev of SEVERITIES) out.push(`| ${sev} | ${s.bySeverity[sev]} |`);
  out.push(`| **total** | **${s.findings}** |`, '');

  const byFile = new Map<string, ReportFinding[]>();
  for (const f of report.findings) {
    if (!byFile.has(f.file)) byFile.set(f.file, []);
    byFile.get(f.file)!.push(f);
  }
  if (byFile.size) {
    out.push('## Findings', '');
    for (const [file, findings] of byFile) {
      out.push(`### ${mdCell(file)}`, '');
      out.push('| Line | Severity | Rule | Resource | Message |', '| ---: | --- | --- | --- | --- |');
      for (const f of findings) {
        const verdict = f.verdict === 'may-fail' ? ' (may fail)' : '';
        out.push(
          `| ${f.range.start.line + 1} | ${f.severity}${verdict} | [${mdCell(f.ruleId)}](${f.helpUri}) | \`${f.resource.address.replace(/`/g, "'")}\` | ${mdCell(f.message)} |`,
        );
      }
      out.push('');
    }
  } else out.push('No findings.', '');

  if (report.suppressed.length) {
    out.push('## Suppressed', '', '| File | Line | Rule | Resource | Reason |', '| --- | ---: | --- | --- | --- |');
    for (const f of report.suppressed)
      out.push(`| ${mdCell(f.file)} | ${f.range.start.line + 1} | ${mdCell(f.ruleId)} | \`${f.resource.address.replace(/`/g, "'")}\` | ${mdCell(f.reason || '(no reason given)')} |`);
    out.push('');
  }
  if (report.errors.length) {
    out.push('## Errors', '', '| File | Problem |', '| --- | --- |');
    for (const e of report.errors) out.push(`| ${mdCell(e.file)} | ${mdCell(e.message)} |`);
    out.push('');
  }
  if (report.warnings.length) {
    out.push('## Warnings', '', '| File | Line | Problem |', '| --- | ---: | --- |');
    for (const w of report.warnings) out.push(`| ${mdCell(w.file)} | ${w.range.start.line + 1} | ${mdCell(w.message)} |`);
    out.push('');
  }
  return `${out.join('\n')}`;
}
