import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { HELP, main, parseArgs, reaches, UsageError } from '../../../server/src/cli';
import { VERSION } from '../../../server/src/audit/version';
import { copyProject, isRoot, removeDir, TEST_RULES } from '../audit/helpers';
import { reportValidator } from '../audit/report-validator';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(cwd: string, ...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { cwd, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, { rules: TEST_RULES });
  return { code, stdout, stderr };
}

describe('cli (in-process)', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => {
    dir = copyProject();
  });
  afterEach(() => removeDir(dir));

  describe('arguments', () => {
    it('parses options, values inline or separate, and defaults PATH to .', () => {
      assert.deepEqual(parseArgs(['scan']), {
        kind: 'scan',
        args: { paths: ['.'], format: 'text', mayFail: true, exclude: [], includeIgnoredDirs: false, maxFileSize: 5 * 1024 * 1024 },
      });
      const c = parseArgs(['scan', 'a', '--format=json', '--fail-on', 'low', '-o', 'out.json', '--config', 'c.json', '--no-may-fail', '--include-ignored-dirs', '--exclude', 'x/**', 'b', '--', '--weird-name']);
      assert.equal(c.kind, 'scan');
      if (c.kind === 'scan')
        assert.deepEqual(c.args, {
          paths: ['a', 'b', '--weird-name'],
          format: 'json',
          failOn: 'low',
          output: 'out.json',
          config: 'c.json',
          mayFail: false,
          exclude: ['x/**'],
          includeIgnoredDirs: true,
          maxFileSize: 5 * 1024 * 1024,
        });
      assert.deepEqual(parseArgs(['--help']), { kind: 'help' });
      assert.deepEqual(parseArgs(['scan', '-h']), { kind: 'help' });
      assert.deepEqual(parseArgs(['-V']), { kind: 'version' });
      for (const bad of [[], ['lint'], ['scan', '--bogus'], ['scan', '--format', 'xml'], ['scan', '--fail-on', 'warning'], ['scan', '--format'], ['scan', '--output', '--format', 'json'], ['scan', '--no-may-fail=1'], ['scan', '--max-file-size', '-1']])
        assert.throws(() => parseArgs(bad), UsageError, JSON.stringify(bad));
    });

    it('reaches(): severity order critical > high > medium > low > info; none never', () => {
      assert.equal(reaches('critical', 'high'), true);
      assert.equal(reaches('high', 'high'), true);
      assert.equal(reaches('medium', 'high'), false);
      assert.equal(reaches('info', 'info'), true);
      assert.equal(reaches('critical', 'none'), false);
    });

    it('--help documents the exit codes; --version prints the package version', async () => {
      const h = await run(dir, '--help');
      assert.equal(h.code, 0);
      assert.equal(h.stdout, HELP);
      assert.match(h.stdout, /Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 /);
      const v = await run(dir, '--version');
      assert.equal(v.code, 0);
      assert.equal(v.stdout, `${JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')).version}\n`);
      assert.equal(v.stdout.trim(), VERSION);
    });

    it('usage errors exit 2 with a message on stderr and nothing on stdout', async () => {
      for (const argv of [[], ['scan', '--format', 'xml'], ['scan', '--fail-on', 'severe'], ['frobnicate']]) {
        const r = await run(dir, ...argv);
        assert.equal(r.code, 2, JSON.stringify(argv));
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /^sageshield: .+\nRun "sageshield --help" for usage\.\n$/);
      }
    });
  });

  describe('formats', () => {
    it('text (default): one line per finding with forward-slash relative paths, summary last', async () => {
      const r = await run(dir, 'scan');
      assert.equal(r.code, 1);
      const lines = r.stdout.trimEnd().split('\n');
      assert.ok(lines.includes('tf/module-a/main.tf:1:10 high TEST-KMS-01 notebook nb has no KMS key | "quoted" *md* [aws_sagemaker_notebook_instance.nb]'), r.stdout);
      assert.ok(lines.includes('cfn/notebook.yaml:3:3 low TEST-ROLE-01 a role (may fail) [Role]'), r.stdout);
      assert.match(lines[lines.length - 1], /^\d+ findings \(\d+ high, 1 low\) in 3 CloudFormation templates and 2 Terraform modules; 0 errors, \d+ warnings?\.$/);
      assert.equal(r.stderr, '', 'text to stdout: no duplicate summary on stderr');
    });

    it('json: valid against the schema, paths relative to cwd even for absolute PATH arguments', async () => {
      const r = await run(dir, 'scan', path.join(dir, 'cfn'), path.join(dir, 'tf'), '--format', 'json');
      assert.equal(r.code, 1);
      const json = JSON.parse(r.stdout);
      assert.deepEqual(reportValidator()(json), []);
      assert.equal(json.tool.name, 'sageshield');
      assert.equal(json.tool.version, VERSION);
      const files = [...new Set(json.findings.map((f: { file: string }) => f.file))];
      assert.deepEqual(files.filter((f) => f !== 'cfn/broken.yaml'), ['cfn/notebook.yaml', 'tf/module-a/main.tf']);
      assert.match(r.stderr, /^\d+ findings .*\.\n$/, 'a one-line summary on stderr');
    });

    it('json from a subfolder: paths relative to that cwd, with ../ for outside paths', async () => {
      const r = await run(path.join(dir, 'cfn'), 'scan', '.', '../tf/module-a', '--format', 'json');
      const json = JSON.parse(r.stdout);
      const files = [...new Set(json.findings.map((f: { file: string }) => f.file))].sort();
      assert.deepEqual(files.filter((f) => f !== 'broken.yaml'), ['../tf/module-a/main.tf', 'notebook.yaml']);
    });

    it('sarif and markdown', async () => {
      const s = await run(dir, 'scan', '--format', 'sarif');
      assert.equal(s.code, 1);
      const sarif = JSON.parse(s.stdout);
      assert.equal(sarif.version, '2.1.0');
      const uris = sarif.runs[0].results.map((x: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => x.locations[0].physicalLocation.artifactLocation.uri);
      assert.ok(uris.includes('tf/module-a/main.tf') && uris.includes('cfn/notebook.yaml'), uris.join(','));
      const m = await run(dir, 'scan', '--format', 'markdown');
      assert.equal(m.code, 1);
      assert.match(m.stdout, /^# SageShield report\n/);
      assert.match(m.stdout, /^### tf\/module-a\/main\.tf$/m);
    });

    it('--output writes the report to a file, stdout stays empty, a summary goes to stderr', async () => {
      const r = await run(dir, 'scan', '--format', 'json', '--output', 'report.json');
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /findings/);
      assert.ok(JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')).findings.length > 0);
      const bad = await run(dir, 'scan', '--output', 'no/such/folder/report.txt');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /cannot write no\/such\/folder\/report\.txt: ENOENT/);
    });
  });

  describe('exit codes', () => {
    it('--fail-on: 1 when a finding reaches the threshold, 0 otherwise', async () => {
      // fixture: high (TEST-KMS-01) and low (TEST-ROLE-01) findings
      assert.equal((await run(dir, 'scan', '--fail-on', 'critical')).code, 0);
      assert.equal((await run(dir, 'scan', '--fail-on', 'high')).code, 1);
      assert.equal((await run(dir, 'scan')).code, 1, 'default high');
      assert.equal((await run(dir, 'scan', '--fail-on', 'none')).code, 0);
      // only the low role finding
      const roleOnly = ['scan', 'cfn/notebook.yaml', '--format', 'json'];
      writeFileSync(path.join(dir, 'cfn', 'notebook.yaml'), readFileSync(path.join(dir, 'cfn', 'notebook.yaml'), 'utf8').replace('InstanceType: ml.t3.medium', 'InstanceType: ml.t3.medium\n      KmsKeyId: alias/k'));
      assert.equal((await run(dir, ...roleOnly, '--fail-on', 'medium')).code, 0);
      assert.equal((await run(dir, ...roleOnly, '--fail-on', 'low')).code, 1);
      assert.equal((await run(dir, ...roleOnly, '--fail-on', 'info')).code, 1);
      assert.equal((await run(dir, ...roleOnly, '--fail-on', 'low', '--no-may-fail')).code, 0, 'the role finding is may-fail');
    });

    it('a suppressed finding does not fail the gate and is listed under suppressed', async () => {
      const f = path.join(dir, 'cfn', 'notebook.yaml');
      assert.equal((await run(dir, 'scan', 'cfn/notebook.yaml')).code, 1);
      writeFileSync(f, readFileSync(f, 'utf8').replace('  Notebook:\n', '  # sageshield:ignore TEST-KMS-01 encrypted by the platform\n  Notebook:\n'));
      const r = await run(dir, 'scan', 'cfn/notebook.yaml', '--format', 'json');
      assert.equal(r.code, 0);
      const json = JSON.parse(r.stdout);
      assert.deepEqual(json.suppressed.map((s: { ruleId: string; reason: string }) => [s.ruleId, s.reason]), [['TEST-KMS-01', 'encrypted by the platform']]);
      assert.ok(!json.findings.some((x: { ruleId: string }) => x.ruleId === 'TEST-KMS-01'));
    });

    it('0 on a clean scan; a folder with nothing to scan is clean', async () => {
      const r = await run(dir, 'scan', 'tf/module-b', 'docs', '--fail-on', 'info');
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^0 findings in 1 Terraform module; 0 errors, 0 warnings\.\n$/);
    });

    it('2 when a PATH does not exist, after reporting what could be scanned', async () => {
      const r = await run(dir, 'scan', 'nope', 'cfn/notebook.yaml', '--format', 'json');
      assert.equal(r.code, 2);
      const json = JSON.parse(r.stdout);
      assert.deepEqual(json.errors, [{ file: 'nope', message: 'no such file or folder', kind: 'not-found' }]);
      assert.ok(json.findings.length > 0);
      assert.match(r.stderr, /sageshield: nope: no such file or folder/);
    });

    it('2 on an I/O error inside the tree (a dangling symlink named like a template); 2 wins over 1', async () => {
      symlinkSync(path.join(dir, 'gone.yaml'), path.join(dir, 'cfn', 'link.yaml'));
      const r = await run(dir, 'scan');
      assert.equal(r.code, 2);
      assert.match(r.stdout, /^cfn\/link\.yaml: error: cannot read: /m);
      assert.match(r.stderr, /cfn\/link\.yaml: cannot read/);
    });

    it('2 on permission denied (needs a non-root user: root reads chmod 000 files)', async function () {
      if (isRoot) this.skip(); // root reads chmod 000 files: this case needs a non-root user (robustness-tree.test.ts runs it as nobody)
      const f = path.join(dir, 'cfn', 'notebook.yaml');
      chmodSync(f, 0o000);
      try {
        const r = await run(dir, 'scan', '--format', 'json');
        assert.equal(r.code, 2);
        const e = JSON.parse(r.stdout).errors;
        assert.deepEqual(e, [{ file: 'cfn/notebook.yaml', kind: 'io', message: 'cannot read: permission denied' }]);
      } finally {
        chmodSync(f, 0o644);
      }
    });

    it('a template that cannot be parsed, binary or oversized files are reported but do not change the exit code', async () => {
      writeFileSync(path.join(dir, 'cfn', 'list.yaml'), '- AWSTemplateFormatVersion\n');
      writeFileSync(path.join(dir, 'cfn', 'bin.json'), Buffer.from([0, 1, 2]));
      const r = await run(dir, 'scan', 'cfn', 'tf/module-b', '--format', 'json', '--fail-on', 'critical', '--max-file-size', '2000');
      assert.equal(r.code, 0);
      const kinds = JSON.parse(r.stdout).errors.map((e: { file: string; kind: string }) => `${e.file}:${e.kind}`);
      assert.deepEqual(kinds, ['cfn/bin.json:encoding', 'cfn/list.yaml:parse']);
    });
  });

  describe('config and selection', () => {
    it('.sageshield.json in the cwd: disabled rules, severity overrides, failOn, exclude', async () => {
      writeFileSync(path.join(dir, '.sageshield.json'), JSON.stringify({ rules: { disabled: ['TEST-ROLE-01'] } }));
      let json = JSON.parse((await run(dir, 'scan', '--format', 'json')).stdout);
      assert.ok(json.findings.length > 0 && json.findings.every((f: { ruleId: string }) => f.ruleId === 'TEST-KMS-01'));
      assert.deepEqual(json.rules.map((x: { id: string }) => x.id), ['TEST-KMS-01'], 'a disabled rule is not described');

      writeFileSync(path.join(dir, '.sageshield.json'), JSON.stringify({ rules: { severity: { 'TEST-KMS-01': 'medium' } } }));
      const r = await run(dir, 'scan', '--format', 'json');
      assert.equal(r.code, 0, 'nothing high any more');
      json = JSON.parse(r.stdout);
      assert.ok(json.findings.filter((f: { ruleId: string }) => f.ruleId === 'TEST-KMS-01').every((f: { severity: string }) => f.severity === 'medium'));
      assert.equal(json.rules.find((x: { id: string }) => x.id === 'TEST-KMS-01').severity, 'medium', 'rule metadata shows the override');

      writeFileSync(path.join(dir, '.sageshield.json'), JSON.stringify({ failOn: 'low', exclude: ['tf'], reportMayFail: false }));
      const r2 = await run(dir, 'scan', '--format', 'json');
      assert.equal(r2.code, 1);
      json = JSON.parse(r2.stdout);
      assert.ok(!json.findings.some((f: { file: string }) => f.file.startsWith('tf/')), 'tf excluded');
      assert.ok(!json.findings.some((f: { verdict: string }) => f.verdict === 'may-fail'), 'reportMayFail false');
      assert.equal((await run(dir, 'scan', '--fail-on', 'critical')).code, 0, '--fail-on wins over the config');
    });

    it('--config FILE; an invalid or missing config is a usage error (2)', async () => {
      mkdirSync(path.join(dir, 'conf'));
      writeFileSync(path.join(dir, 'conf', 'ok.json'), JSON.stringify({ rules: { disabled: ['TEST-KMS-01'] } }));
      assert.equal((await run(dir, 'scan', '--config', 'conf/ok.json')).code, 0);
      writeFileSync(path.join(dir, 'conf', 'bad.json'), JSON.stringify({ rules: { disabled: 'TEST-KMS-01' }, colour: 'red' }));
      const bad = await run(dir, 'scan', '--config', 'conf/bad.json');
      assert.equal(bad.code, 2);
      assert.equal(bad.stdout, '');
      assert.match(bad.stderr, /invalid config .*bad\.json:\n {2}unknown property "colour"[\s\S]*rules\.disabled/);
      writeFileSync(path.join(dir, 'conf', 'typo.json'), JSON.stringify({ rules: { disabled: ['TEST-KMS-1'] } }));
      const typo = await run(dir, 'scan', '--config', 'conf/typo.json');
      assert.equal(typo.code, 1, 'an unknown rule ID is a warning, not an error');
      assert.match(typo.stderr, /warning: .*typo\.json: unknown rule ID TEST-KMS-1 \(ignored\)/);
      const missing = await run(dir, 'scan', '--config', 'conf/none.json');
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /cannot read the config file: ENOENT/);
      writeFileSync(path.join(dir, '.sageshield.json'), '{ "failOn": ');
      const broken = await run(dir, 'scan');
      assert.equal(broken.code, 2);
      assert.match(broken.stderr, /not valid JSON/);
    });

    it('--exclude and --include-ignored-dirs', async () => {
      mkdirSync(path.join(dir, 'node_modules', 'x'), { recursive: true });
      writeFileSync(path.join(dir, 'node_modules', 'x', 'main.tf'), readFileSync(path.join(dir, 'tf', 'module-a', 'main.tf')));
      const files = async (...extra: string[]) =>
        [...new Set(JSON.parse((await run(dir, 'scan', '--format', 'json', ...extra)).stdout).findings.map((f: { file: string }) => f.file))].sort();
      assert.ok(!(await files()).includes('node_modules/x/main.tf'));
      assert.ok((await files('--include-ignored-dirs')).includes('node_modules/x/main.tf'));
      assert.deepEqual((await files('--exclude', 'cfn')), ['tf/module-a/main.tf']);
      // from a subfolder: --exclude is relative to the cwd, the config's exclude to the config's folder
      writeFileSync(path.join(dir, 'conf.json'), JSON.stringify({ exclude: ['/tf/module-a'] }));
      const sub = JSON.parse((await run(path.join(dir, 'cfn'), 'scan', '..', '--format', 'json', '--config', '../conf.json', '--exclude', '/broken.yaml')).stdout);
      assert.deepEqual([...new Set(sub.findings.map((f: { file: string }) => f.file))], ['notebook.yaml']);
      assert.ok(existsSync(path.join(dir, 'cfn')));
    });
  });
});
