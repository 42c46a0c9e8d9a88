import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { copyProject, removeDir, ROOT } from '../audit/helpers';
import { reportValidator } from '../audit/report-validator';
import { validateSarif } from '../audit/sarif-validator';
import { cliBundle } from './bundle';

/** The built bundle run as a child process, with the real rules. */
describe('cli bundle (child process, real rules)', function () {
  this.timeout(180000);
  let cli: string;
  let dir: string;
  const sh = (cwd: string, ...args: string[]) => {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 60000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  before(function () {
    this.timeout(180000);
    cli = cliBundle();
    dir = copyProject();
  });
  after(() => removeDir(dir));

  it('--version and --help', () => {
    const v = sh(ROOT, '--version');
    assert.equal(v.code, 0);
    assert.equal(v.stdout.trim(), JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    const h = sh(ROOT, 'scan', '--help');
    assert.equal(h.code, 0);
    assert.match(h.stdout, /^Usage: sageshield scan/);
  });

  it('the insecure examples fail the gate with the expected rules (text, exit 1)', () => {
    const r = sh(ROOT, 'scan', 'examples');
    assert.equal(r.code, 1, r.stderr);
    const ids = (file: string) =>
      new Set(r.stdout.split('\n').filter((l) => l.startsWith(`${file}:`)).map((l) => l.split(' ')[2]));
    for (const id of ['SM-KMS-01', 'SM-KMS-02', 'SM-NET-01', 'SM-NET-02', 'SM-NET-03', 'SM-ROOT-01', 'IAM-01', 'IAM-02', 'IAM-03', 'IAM-06'])
      assert.ok(ids('examples/cloudformation/insecure-notebook.yaml').has(id), `insecure-notebook.yaml: ${id}`);
    for (const id of ['SM-KMS-03', 'IAM-03', 'IAM-06']) assert.ok(ids('examples/cloudformation/insecure-endpoint.json').has(id), `insecure-endpoint.json: ${id}`);
    const tf = new Set([...ids('examples/terraform/insecure/main.tf'), ...ids('examples/terraform/insecure/iam.tf')]);
    for (const id of ['SM-KMS-01', 'SM-KMS-02', 'SM-KMS-03', 'SM-NET-01', 'SM-NET-02', 'SM-NET-03', 'SM-ROOT-01', 'IAM-02', 'IAM-03', 'IAM-06'])
      assert.ok(tf.has(id), `terraform/insecure: ${id}`);
    assert.doesNotMatch(r.stdout, /^examples\/(cloudformation\/secure-|terraform\/secure\/)/m, 'no finding in the secure examples');
  });

  it('the secure examples pass with zero findings, errors and warnings (exit 0 at --fail-on info)', () => {
    const r = sh(ROOT, 'scan', 'examples/cloudformation/secure-notebook.yaml', 'examples/cloudformation/secure-endpoint.json', 'examples/terraform/secure', '--format', 'json', '--fail-on', 'info');
    const json = JSON.parse(r.stdout);
    assert.deepEqual(json.findings.map((f: { file: string; ruleId: string; message: string }) => `${f.file} ${f.ruleId} ${f.message}`), []);
    assert.deepEqual(json.errors, []);
    assert.deepEqual(json.warnings, []);
    assert.deepEqual(json.summary.units, { cloudformation: 2, terraform: 1 });
    assert.equal(r.code, 0);
  });

  it('JSON of the whole examples folder is valid against the schema', () => {
    const r = sh(ROOT, 'scan', 'examples', '--format', 'json');
    const json = JSON.parse(r.stdout);
    assert.deepEqual(reportValidator()(json), []);
    assert.ok(json.findings.length >= 20);
    assert.ok(json.rules.length >= 14);
  });

  it('SARIF written with --output passes the official validator with zero errors', () => {
    const out = path.join(dir, 'examples.sarif');
    const r = sh(ROOT, 'scan', 'examples', '--format', 'sarif', '--output', out);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const v = validateSarif(out, dir);
    assert.deepEqual(v.errors, [], v.output);
    const log = JSON.parse(readFileSync(out, 'utf8'));
    assert.ok(log.runs[0].results.length >= 20);
  });

  it('exit 2 for a missing path and for a dangling symlink; markdown output still written', () => {
    const missing = sh(dir, 'scan', 'does-not-exist');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /does-not-exist: no such file or folder/);
    symlinkSync(path.join(dir, 'nowhere.tf'), path.join(dir, 'tf', 'module-b', 'dangling.tf'));
    const r = sh(dir, 'scan', '--format', 'markdown');
    assert.equal(r.code, 2);
    assert.match(r.stdout, /## Errors[\s\S]*tf\/module-b\/dangling\.tf/);
  });

  it('exit 0 with --fail-on none; usage error exit 2', () => {
    assert.equal(sh(dir, 'scan', 'cfn', '--fail-on', 'none').code, 0);
    const u = sh(dir, 'scan', '--format', 'yaml');
    assert.equal(u.code, 2);
    assert.match(u.stderr, /--format must be one of text, json, sarif, markdown/);
  });

  it('a config file changes the result (disabled rules)', () => {
    writeFileSync(path.join(dir, 'off.json'), JSON.stringify({ rules: { disabled: ['SM-KMS-01', 'SM-NET-01', 'SM-NET-02', 'SM-ROOT-01', 'SM-KMS-03', 'IAM-09'] } }));
    const before = JSON.parse(sh(dir, 'scan', 'cfn/notebook.yaml', 'tf', '--format', 'json').stdout);
    assert.ok(before.findings.some((f: { ruleId: string }) => f.ruleId === 'SM-KMS-01'));
    const after = sh(dir, 'scan', 'cfn/notebook.yaml', 'tf', '--format', 'json', '--config', 'off.json');
    const json = JSON.parse(after.stdout);
    assert.ok(!json.findings.some((f: { ruleId: string }) => ['SM-KMS-01', 'SM-NET-01', 'SM-ROOT-01'].includes(f.ruleId)));
  });
});
