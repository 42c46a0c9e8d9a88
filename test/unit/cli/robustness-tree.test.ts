/**
 * The CLI bundle, as a child process with the real rules, on one hostile tree that has every failure at once:
 * dangling symlinks, symlink loops (file and folder), a FIFO (must not hang), a folder named like a template, a
 * file over the default size limit, binary and invalid UTF-8 files (one a `.tf` next to a good one), a BOM, and,
 * when not root, permission-denied files and folders. The CLI finishes, reports each under `errors`, still reports
 * the findings of the good files, and exits with the documented code. Everything is generated in os.tmpdir().
 *
 * cli.test.ts and audit/workspace.test.ts check each failure alone, in process; this checks them together, through
 * the real process (a hang would hit spawnSync's timeout), plus a file removed between listing and reading.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_MAX_FILE_SIZE, scanPaths } from '../../../server/src/audit/workspace';
import { HELP } from '../../../server/src/cli';
import { isRoot, removeDir, tempDir } from '../audit/helpers';
import { cliBundle } from './bundle';

const NOTEBOOK_YAML = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::123456789012:role/r
`;
const NOTEBOOK_TF = `resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "nb"
  instance_type = "ml.t3.medium"
  role_arn      = "arn:aws:iam::123456789012:role/r"
}
`;

interface JsonReport {
  findings: Array<{ ruleId: string; file: string; range: unknown; severity: string }>;
  errors: Array<{ file: string; kind: string; message: string }>;
}

function write(file: string, data: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
}

function mkfifo(file: string): boolean {
  return spawnSync('mkfifo', [file]).status === 0;
}

describe('cli robustness: a hostile tree (child process, real rules)', function () {
  this.timeout(180000);
  let cli: string;
  let dir: string;
  let fifo = false;
  const locked: string[] = [];

  const sh = (...args: string[]) => {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', timeout: 60000, maxBuffer: 64 * 1024 * 1024 });
    assert.equal(r.error, undefined, `the CLI did not finish: ${r.error}`);
    assert.notEqual(r.status, null, `the CLI was killed (${r.signal}): a hang?`);
    return { code: r.status as number, stdout: r.stdout, stderr: r.stderr };
  };

  before(function () {
    this.timeout(180000);
    cli = cliBundle();
    dir = tempDir('sageshield-hostile-');
    write(path.join(dir, 'good', 'notebook.yaml'), NOTEBOOK_YAML);
    write(path.join(dir, 'good', 'bom.yaml'), `\uFEFF${NOTEBOOK_YAML}`);
    write(path.join(dir, 'good', 'crlf.yaml'), NOTEBOOK_YAML.replace(/\n/g, '\r\n'));
    write(path.join(dir, 'folder.yaml', 'inner.yaml'), NOTEBOOK_YAML); // a folder named like a template
    write(path.join(dir, 'tfmix', 'main.tf'), NOTEBOOK_TF);
    write(path.join(dir, 'tfmix', 'binary.tf'), Buffer.from([0x72, 0x65, 0x00, 0x01, 0xff, 0x00, 0x7b])); // binary `.tf`
    write(path.join(dir, 'bad', 'binary.json'), Buffer.concat([Buffer.from('{"AWSTemplateFormatVersion":'), Buffer.alloc(64)]));
    write(path.join(dir, 'bad', 'latin1.yaml'), Buffer.from("AWSTemplateFormatVersion: '2010-09-09'\nDescription: caf\xe9\xff\n", 'latin1'));
    // One byte over the default limit: big, but written in a few ms.
    write(path.join(dir, 'bad', 'huge.yaml'), NOTEBOOK_YAML + '#'.repeat(DEFAULT_MAX_FILE_SIZE + 1 - NOTEBOOK_YAML.length));
    symlinkSync(path.join(dir, 'bad', 'missing.yaml'), path.join(dir, 'bad', 'dangling.yaml'));
    symlinkSync('self.yaml', path.join(dir, 'bad', 'self.yaml')); // ELOOP
    symlinkSync('ring-b.tf', path.join(dir, 'bad', 'ring-a.tf'));
    symlinkSync('ring-a.tf', path.join(dir, 'bad', 'ring-b.tf'));
    symlinkSync('..', path.join(dir, 'good', 'up')); // a folder loop: good/up/good/up/...
    symlinkSync(dir, path.join(dir, 'bad', 'root')); // and one to the top
    fifo = mkfifo(path.join(dir, 'bad', 'pipe.yaml'));
    if (!isRoot) {
      // Root reads chmod 000 files and folders, so these two failures exist only for other users.
      write(path.join(dir, 'locked', 'locked.yaml'), NOTEBOOK_YAML);
      write(path.join(dir, 'lockeddir', 'inside.yaml'), NOTEBOOK_YAML);
      chmodSync(path.join(dir, 'locked', 'locked.yaml'), 0o000);
      chmodSync(path.join(dir, 'lockeddir'), 0o000);
      locked.push(path.join(dir, 'locked', 'locked.yaml'), path.join(dir, 'lockeddir'));
    }
  });

  after(() => {
    for (const p of locked) if (existsSync(p)) chmodSync(p, 0o755);
    if (dir) removeDir(dir);
  });

  it('finishes, reports every bad file under errors, checks the good ones, and exits 2 (I/O errors win over findings)', () => {
    assert.match(HELP, /2 {2}usage error, .*a file or folder that could not\s+be read/s, 'the documented exit code');
    const t0 = Date.now();
    const r = sh('scan', '--format', 'json');
    const ms = Date.now() - t0;
    assert.equal(r.code, 2, r.stderr);
    const report = JSON.parse(r.stdout) as JsonReport;
    const errors = Object.fromEntries(report.errors.map((e) => [e.file, `${e.kind}: ${e.message}`]));
    const expected: Record<string, RegExp> = {
      'bad/dangling.yaml': /^io: cannot read: no such file/,
      'bad/self.yaml': /^io: cannot read: too many levels of symbolic links/,
      'bad/ring-a.tf': /^io: cannot read: too many levels of symbolic links/,
      'bad/ring-b.tf': /^io: cannot read: too many levels of symbolic links/,
      'bad/huge.yaml': new RegExp(`^too-large: skipped: ${DEFAULT_MAX_FILE_SIZE + 1} bytes is over the ${DEFAULT_MAX_FILE_SIZE}-byte limit`),
      'bad/binary.json': /^encoding: skipped: binary file/,
      'bad/latin1.yaml': /^encoding: skipped: not valid UTF-8/,
      'tfmix/binary.tf': /^encoding: skipped: binary file/,
    };
    if (!isRoot) {
      expected['locked/locked.yaml'] = /^io: cannot read: permission denied/;
      expected.lockeddir = /^io: cannot read folder: permission denied/;
    }
    for (const [file, re] of Object.entries(expected)) assert.match(errors[file] ?? '(not reported)', re, `${file}: ${JSON.stringify(report.errors)}`);
    assert.deepEqual(Object.keys(errors).sort(), Object.keys(expected).sort(), 'nothing else is an error (the FIFO and the folder loops are skipped by design)');
    // Each I/O error is also named on stderr.
    for (const [file, re] of Object.entries(expected)) if (re.source.startsWith('^io')) assert.ok(r.stderr.includes(`${file}:`), `${file} on stderr:\n${r.stderr}`);
    // The good files are still checked, each once, through the loops.
    const byFile = (f: string) => report.findings.filter((x) => x.file === f).map((x) => x.ruleId).sort();
    const good = byFile('good/notebook.yaml');
    assert.ok(good.includes('SM-KMS-01') && good.includes('SM-ROOT-01'), good.join(', '));
    assert.deepEqual(byFile('good/bom.yaml'), good, 'a BOM changes nothing');
    assert.deepEqual(byFile('good/crlf.yaml'), good, 'CRLF changes nothing');
    assert.deepEqual(byFile('folder.yaml/inner.yaml'), good, 'a folder named like a template is walked');
    const ranges = (f: string) => JSON.stringify(report.findings.filter((x) => x.file === f).map((x) => [x.ruleId, x.range]));
    assert.equal(ranges('good/bom.yaml'), ranges('good/notebook.yaml'), 'the CLI drops the BOM: identical ranges');
    assert.equal(ranges('good/crlf.yaml'), ranges('good/notebook.yaml'), 'CRLF: identical ranges');
    assert.ok(byFile('tfmix/main.tf').includes('SM-KMS-01'), 'the good file of a module with a binary .tf is still checked');
    assert.ok(!report.findings.some((f) => /^(bad|good\/up|locked)/.test(f.file) && !f.file.startsWith('good/')), 'nothing from the bad files or through the links');
    console.log(`      hostile tree scanned in ${ms} ms: ${report.findings.length} findings, ${report.errors.length} errors${isRoot ? ' (as root: permission cases skipped)' : ''}${fifo ? '' : ' (no mkfifo)'}`);
  });

  it('without I/O errors, unreadable-as-text files do not change the exit code: 1 on findings, 0 with --fail-on none', () => {
    const paths = ['good/notebook.yaml', 'good/bom.yaml', 'tfmix', 'bad/huge.yaml', 'bad/binary.json', 'bad/latin1.yaml'];
    const r = sh('scan', ...paths, '--format', 'json');
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(report.errors.map((e) => `${e.file}:${e.kind}`).sort(), ['bad/binary.json:encoding', 'bad/huge.yaml:too-large', 'bad/latin1.yaml:encoding', 'tfmix/binary.tf:encoding']);
    assert.equal(sh('scan', ...paths, '--fail-on', 'none').code, 0);
  });

  it('a FIFO named on the command line is reported (not a regular file), never read: no hang, exit 2', function () {
    if (!fifo) this.skip(); // mkfifo is not available here
    const r = sh('scan', 'bad/pipe.yaml', 'good/notebook.yaml', '--format', 'json');
    assert.equal(r.code, 2);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(report.errors.map((e) => [e.file, e.kind]), [['bad/pipe.yaml', 'io']]);
    assert.match(report.errors[0].message, /not a regular file/);
    assert.ok(report.findings.some((f) => f.file === 'good/notebook.yaml'));
  });

  it('a permission-denied file and folder: reported, the rest checked, exit 2 (as root, the CLI runs as nobody)', function () {
    // Root reads chmod 000 files and folders, so as root the CLI child drops to uid/gid 65534 (nobody); where that
    // is not possible (no CAP_SETUID, or the bundle is not readable by nobody), the case is skipped.
    const t = tempDir('sageshield-perm-');
    chmodSync(t, 0o755);
    const lockedFile = path.join(t, 'locked', 'locked.yaml');
    const lockedDir = path.join(t, 'lockeddir');
    try {
      write(path.join(t, 'good', 'notebook.yaml'), NOTEBOOK_YAML);
      write(lockedFile, NOTEBOOK_YAML);
      write(path.join(lockedDir, 'inside.yaml'), NOTEBOOK_YAML);
      chmodSync(lockedFile, 0o000);
      chmodSync(lockedDir, 0o000);
      const as = isRoot ? { uid: 65534, gid: 65534 } : {};
      const probe = spawnSync(process.execPath, [cli, '--version'], { cwd: t, encoding: 'utf8', timeout: 30000, ...as });
      if (probe.status !== 0) this.skip(); // the CLI cannot run as `nobody` here (e.g. the checkout is not readable to it)
      const r = spawnSync(process.execPath, [cli, 'scan', '--format', 'json'], { cwd: t, encoding: 'utf8', timeout: 60000, ...as });
      assert.equal(r.status, 2, r.stderr);
      const report = JSON.parse(r.stdout) as JsonReport;
      assert.deepEqual(
        report.errors.map((e) => `${e.file}: ${e.kind}: ${e.message}`).sort(),
        ['locked/locked.yaml: io: cannot read: permission denied', 'lockeddir: io: cannot read folder: permission denied'],
      );
      assert.match(r.stderr, /locked\/locked\.yaml: cannot read: permission denied/);
      assert.ok(report.findings.some((f) => f.file === 'good/notebook.yaml' && f.ruleId === 'SM-KMS-01'));
    } finally {
      chmodSync(lockedDir, 0o755);
      chmodSync(lockedFile, 0o644);
      removeDir(t);
    }
  });

  it('a file removed between listing and reading is reported (kind io), and the rest of its module is checked', async () => {
    const t = tempDir('sageshield-vanish-');
    try {
      write(path.join(t, 'a.yaml'), NOTEBOOK_YAML);
      write(path.join(t, 'tf', 'main.tf'), NOTEBOOK_TF);
      write(path.join(t, 'tf', 'gone.tf'), 'variable "x" {}\n');
      // Deterministic: scanPaths checks its abort signal once per folder while walking (2 folders here), then
      // before reading each module's files. The file disappears at the first check after the walk.
      let checks = 0;
      let removedAt = -1;
      const signal = {
        aborted: false,
        reason: undefined,
        throwIfAborted() {
          checks++;
          if (checks > 2 && removedAt < 0) {
            unlinkSync(path.join(t, 'tf', 'gone.tf'));
            removedAt = checks;
          }
        },
        addEventListener() {},
        removeEventListener() {},
        dispatchEvent: () => true,
        onabort: null,
      } as unknown as AbortSignal;
      const r = await scanPaths(['.'], { cwd: t, signal });
      assert.ok(removedAt > 0, 'the file was removed during the scan');
      assert.deepEqual(
        r.errors.map((e) => [path.relative(t, e.file), e.kind]),
        [[path.join('tf', 'gone.tf'), 'io']],
        JSON.stringify(r.errors),
      );
      assert.match(r.errors[0].message, /no such file/);
      assert.ok(r.findings.some((f) => f.file === path.join(t, 'tf', 'main.tf') && f.ruleId === 'SM-KMS-01'));
      assert.ok(r.findings.some((f) => f.file === path.join(t, 'a.yaml') && f.ruleId === 'SM-KMS-01'));
    } finally {
      removeDir(t);
    }
  });
});
