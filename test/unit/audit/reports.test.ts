import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildReport, relativePath, renderJson, type Report } from '../../../server/src/audit/report-json';
import { renderMarkdown } from '../../../server/src/audit/report-markdown';
import { renderSarif, ruleName, sarifLevel, SECURITY_SEVERITY } from '../../../server/src/audit/report-sarif';
import { renderText } from '../../../server/src/audit/report-text';
import { scanPaths } from '../../../server/src/audit/workspace';
import { allRules } from '../../../server/src/rules';
import { copyProject, removeDir, ROOT, TEST_RULES } from './helpers';
import { reportValidator } from './report-validator';
import { validateSarif } from './sarif-validator';

describe('audit reports', function () {
  this.timeout(120000);
  let dir: string;
  let report: Report;
  before(async () => {
    dir = copyProject();
    writeFileSync(path.join(dir, 'cfn', 'list.yaml'), '- AWSTemplateFormatVersion\n'); // an error entry
    writeFileSync(
      path.join(dir, 'cfn', 'suppressed.yaml'),
      'Resources:\n  # sageshield:ignore TEST-KMS-01 the key is managed by the platform team\n  Quiet:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      InstanceType: ml.t3.medium\n',
    );
    const scan = await scanPaths(['.'], { cwd: dir, analyze: { rules: TEST_RULES } });
    report = buildReport(scan, { cwd: dir, version: '1.2.3', rules: TEST_RULES.map((r) => r.meta) });
  });
  after(() => removeDir(dir));

  it('relativePath uses forward slashes', () => {
    assert.equal(relativePath('/a/b', '/a/b/c/d.yaml'), 'c/d.yaml');
    assert.equal(relativePath('/a/b', '/a/b'), '.');
    assert.equal(relativePath('/a/b', '/a/x.tf'), '../x.tf');
  });

  it('JSON: the public contract, valid against schemas/sageshield-report.schema.json', () => {
    const json = JSON.parse(renderJson(report));
    assert.deepEqual(reportValidator()(json), []);
    assert.deepEqual(json.tool, { name: 'sageshield', version: '1.2.3', informationUri: 'https://github.com/sageshield/sageshield' });
    const f = json.findings.find((x: { file: string }) => x.file === 'tf/module-a/main.tf');
    assert.deepEqual(Object.keys(f).slice(0, 10), ['ruleId', 'severity', 'category', 'verdict', 'file', 'range', 'resource', 'message', 'fixes', 'title']);
    assert.deepEqual(f.resource, { type: 'aws_sagemaker_notebook_instance', name: 'nb', address: 'aws_sagemaker_notebook_instance.nb' });
    assert.deepEqual(f.range.start, { line: 0, character: 9 });
    for (const x of [...json.findings, ...json.errors, ...json.warnings]) {
      assert.ok(!path.isAbsolute(x.file) && !x.file.includes('\\'), x.file);
    }
    assert.deepEqual(json.errors, [{ file: 'cfn/list.yaml', message: json.errors[0].message, kind: 'parse' }]);
    assert.equal(json.summary.findings, json.findings.length);
    assert.equal(json.summary.bySeverity.high, json.findings.filter((x: { severity: string }) => x.severity === 'high').length);
    assert.ok(json.summary.bySeverity.high >= 3);
    assert.equal(json.summary.bySeverity.low, 1);
    assert.equal(json.summary.byVerdict['may-fail'], 1);
    assert.deepEqual(json.summary.units, { cloudformation: 4, terraform: 2 });
    assert.equal(json.summary.suppressed, 1);
    assert.deepEqual(
      json.suppressed.map((s: { ruleId: string; file: string; reason: string; resource: { name: string }; suppressedAt: { file: string; range: { start: { line: number } } } }) => [
        s.ruleId, s.file, s.resource.name, s.reason, s.suppressedAt.file, s.suppressedAt.range.start.line,
      ]),
      [['TEST-KMS-01', 'cfn/suppressed.yaml', 'Quiet', 'the key is managed by the platform team', 'cfn/suppressed.yaml', 1]],
    );
    assert.ok(!json.findings.some((f: { file: string }) => f.file === 'cfn/suppressed.yaml'));
    assert.deepEqual(json.rules.map((r: { id: string }) => r.id), ['TEST-KMS-01', 'TEST-ROLE-01']);
  });

  it('JSON: the schema rejects a report that breaks the contract', () => {
    const v = reportValidator();
    const json = JSON.parse(renderJson(report));
    delete json.findings[0].resource.address;
    json.findings[1].severity = 'severe';
    json.errors.push({ file: 'C:\\x.yaml', message: 'm' });
    assert.equal(v(json).length, 3, v(json).join('\n'));
  });

  it('text: one line per finding `file:line:col severity ruleId message [resource]`, summary last', () => {
    const lines = renderText(report).trimEnd().split('\n');
    const findingLines = lines.filter((l) => / (critical|high|medium|low|info) [A-Z]/.test(l));
    assert.equal(findingLines.length, report.findings.length);
    assert.ok(findingLines.includes('tf/module-a/main.tf:1:10 high TEST-KMS-01 notebook nb has no KMS key | "quoted" *md* [aws_sagemaker_notebook_instance.nb]'), findingLines.join('\n'));
    assert.ok(lines.some((l) => /^cfn\/broken\.yaml:\d+:\d+ warning /.test(l)));
    assert.ok(lines.some((l) => l.startsWith('cfn/list.yaml: error: ')));
    assert.match(lines[lines.length - 1], /^\d+ findings \(\d+ high, 1 low\) in 4 CloudFormation templates and 2 Terraform modules; 1 error, \d+ warnings?, 1 suppressed\.$/);
  });

  it('markdown: a summary table and the findings grouped by file, table cells escaped', () => {
    const md = renderMarkdown(report);
    assert.match(md, /^# SageShield report/);
    assert.ok(md.includes(`| high | ${report.summary.bySeverity.high} |`));
    assert.ok(md.includes(`| **total** | **${report.findings.length}** |`));
    const headings = [...md.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(headings, ['cfn/broken.yaml', 'cfn/notebook.yaml', 'tf/module-a/main.tf']);
    assert.ok(md.includes('notebook nb has no KMS key \\| "quoted" \\*md\\*'), 'pipes and emphasis are escaped');
    assert.match(md, /## Errors[\s\S]*cfn\/list\.yaml/);
    assert.match(md, /## Suppressed[\s\S]*cfn\/suppressed\.yaml \| 3 \| TEST-KMS-01 \| `Quiet` \| the key is managed by the platform team \|/);
    // every table row has the same number of unescaped pipes as its header
    for (const block of md.split('\n\n')) {
      const rows = block.split('\n').filter((l) => l.startsWith('|'));
      if (!rows.length) continue;
      const count = (l: string) => l.replace(/\\\|/g, '').split('|').length;
      assert.ok(rows.every((r) => count(r) === count(rows[0])), block);
    }
  });

  it('SARIF: levels, security-severity, relative URIs under %SRCROOT%, 1-based regions, fingerprints', () => {
    const sarif = JSON.parse(renderSarif(report, dir));
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.equal(run.tool.driver.version, '1.2.3');
    assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri, `file://${dir}/`);
    const rule = run.tool.driver.rules.find((r: { id: string }) => r.id === 'TEST-KMS-01');
    assert.equal(rule.properties['security-severity'], '8.0');
    assert.equal(rule.defaultConfiguration.level, 'error');
    assert.equal(rule.helpUri, 'https://github.com/sageshield/sageshield/blob/main/docs/rules/TEST-KMS-01.md');
    assert.deepEqual(rule.properties.tags.slice(0, 2), ['security', 'encryption']);
    assert.equal(rule.name, 'TestNotebookWithoutKMSKey');
    const res = run.results.find((r: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => r.locations[0].physicalLocation.artifactLocation.uri === 'tf/module-a/main.tf');
    assert.equal(res.level, 'error');
    assert.equal(run.tool.driver.rules[res.ruleIndex].id, res.ruleId);
    assert.deepEqual(res.locations[0].physicalLocation.region, { startLine: 1, startColumn: 10, endLine: 1, endColumn: 48 });
    assert.equal(res.locations[0].physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
    const fps = run.results.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints['sageshieldFingerprint/v1']);
    assert.equal(new Set(fps).size, fps.length, 'fingerprints are unique');
    const sup = run.results.filter((r: { suppressions?: unknown[] }) => r.suppressions);
    assert.equal(sup.length, 1);
    assert.deepEqual(sup[0].suppressions, [{ kind: 'inSource', status: 'accepted', justification: 'the key is managed by the platform team' }]);
    const low = run.results.find((r: { ruleId: string }) => r.ruleId === 'TEST-ROLE-01');
    assert.equal(low.level, 'note');
    assert.deepEqual(SECURITY_SEVERITY, { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' });
    assert.deepEqual((['critical', 'high', 'medium', 'low', 'info'] as const).map(sarifLevel), ['error', 'error', 'warning', 'note', 'note']);
    assert.equal(ruleName('Notebook: no KMS key!', 'X-1'), 'NotebookNoKMSKey');
  });

  it('SARIF: the official validator (sarif-multitool, SARIF + GitHub rules) reports zero errors', () => {
    const file = path.join(dir, 'report.sarif');
    writeFileSync(file, renderSarif(report, dir));
    const v = validateSarif(file, dir);
    assert.deepEqual(v.errors, [], v.output);
  });

  it('SARIF: the validator run is meaningful: it flags a log GitHub would reject', () => {
    const sarif = JSON.parse(renderSarif(report, dir));
    delete sarif.runs[0].results[0].locations; // GitHub requires locations
    delete sarif.runs[0].tool.driver.rules[0].help;
    const file = path.join(dir, 'broken.sarif');
    writeFileSync(file, JSON.stringify(sarif));
    const v = validateSarif(file, dir);
    assert.ok(v.errors.some((e) => e.startsWith('GH')), v.output);
  });

  it('SARIF: real rules on the examples validate too, and every registered rule is described', async () => {
    const examples = path.join(ROOT, 'examples');
    const scan = await scanPaths(['examples'], { cwd: ROOT });
    const real = buildReport(scan, { cwd: ROOT, version: '0.1.0' });
    assert.ok(real.findings.length > 0);
    const sarif = renderSarif(real, ROOT);
    const log = JSON.parse(sarif);
    assert.deepEqual(log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id), allRules().map((r) => r.meta.id));
    const file = path.join(dir, 'examples.sarif');
    writeFileSync(file, sarif);
    const v = validateSarif(file, dir);
    assert.deepEqual(v.errors, [], v.output);
    assert.ok(log.runs[0].results.every((r: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => r.locations[0].physicalLocation.artifactLocation.uri.startsWith('examples/')));
    void examples;
  });
});
