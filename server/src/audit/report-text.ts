/**
 * Plain-text report: one line per finding, `file:line:col severity ruleId message [resource]` (1-based line and
 * column, as compilers print them), then errors and warnings, then a summary line.
 */
import { SEVERITIES } from '../rules/types';
import type { Report } from './report-json';

export function renderText(report: Report): string {
  const out: string[] = [];
  for (const f of report.findings) {
    const may = f.verdict === 'may-fail' ? ' (may fail)' : '';
    out.push(`${f.file}:${f.range.start.line + 1}:${f.range.start.character + 1} ${f.severity} ${f.ruleId} ${f.message}${may} [${f.resource.address}]`);
  }
  for (const w of report.warnings) out.push(`${w.file}:${w.range.start.line + 1}:${w.range.start.character + 1} warning ${w.message}`);
  for (const e of report.errors) out.push(`${e.file}: error: ${e.message}`);
  const s = report.summary;
  const counts = SEVERITIES.filter((sev) => s.bySeverity[sev] > 0).map((sev) => `${s.bySeverity[sev]} ${sev}`);
  const units: string[] = [];
  if (s.units.cloudformation) units.push(`${s.units.cloudformation} CloudFormation template${s.units.cloudformation === 1 ? '' : 's'}`);
  if (s.units.terraform) units.push(`${s.units.terraform} Terraform module${s.units.terraform === 1 ? '' : 's'}`);
  out.push(
    `${s.findings} finding${s.findings === 1 ? '' : 's'}${counts.length ? ` (${counts.join(', ')})` : ''}` +
      ` in ${units.length ? units.join(' and ') : 'no templates or modules'}` +
      `; ${s.errors} error${s.errors === 1 ? '' : 's'}, ${s.warnings} warning${s.warnings === 1 ? '' : 's'}` +
      `${s.suppressed ? `, ${s.suppressed} suppressed` : ''}.`,
  );
  return `${out.join('\n')}\n`;
}
