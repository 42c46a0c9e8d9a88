import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync, readFileSync, copyFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadTerraformModule, readSourceFile, scanPaths, type ScanResult } from '../../../server/src/audit/workspace';
import { copyProject, isRoot, PROJECT, removeDir, tempDir, TEST_RULES } from './helpers';

const opts = { analyze: { rules: TEST_RULES } };

function rels(dir: string, files: string[]): string[] {
  return files.map((f) => path.relative(dir, f).split(path.sep).join('/')).sort();
}

function findingFiles(dir: string, r: ScanResult): string[] {
  return [...new Set(rels(dir, r.findings.map((f) => f.file)))].sort();
}

describe('audit/workspace scanPaths', () => {
  let dir: string;
  beforeEach(() => {
    dir = copyProject();
  });
  afterEach(() => removeDir(dir));

  it('finds CloudFormation templates (.yaml, .template) and Terraform modules, and ignores everything else', async () => {
    const r = await scanPaths(['.'], { ...opts, cwd: dir });
    const units = r.units.map((u) => `${u.format}:${path.relative(dir, u.root).split(path.sep).join('/')}`).sort();
    assert.deepEqual(units, [
      'cloudformation:cfn/broken.yaml',
      'cloudformation:cfn/endpoint.template',
      'cloudformation:cfn/notebook.yaml',
      'terraform:tf/module-a',
      'terraform:tf/module-b',
    ]);
    // k8s-deployment.yaml, package.json and docs/notes.md are not templates: neither units nor errors.
    assert.deepEqual(r.errors, []);
    // one module per folder, with its tfvars
    const modA = r.units.find((u) => u.root.endsWith(path.join('tf', 'module-a')))!;
    assert.deepEqual(rels(dir, modA.files), ['tf/module-a/main.tf', 'tf/module-a/terraform.tfvars', 'tf/module-a/variables.tf']);
    // findings: notebooks without KMS (CFN notebook, broken template's readable notebook, module-a); module-b has a key
    const kms = r.findings.filter((f) => f.ruleId === 'TEST-KMS-01');
    assert.deepEqual([...new Set(rels(dir, kms.map((f) => f.file)))], ['cfn/broken.yaml', 'cfn/notebook.yaml', 'tf/module-a/main.tf']);
    assert.equal(kms.find((f) => f.file.endsWith('main.tf'))!.resource.address, 'aws_sagemaker_notebook_instance.nb');
    // sorted by file then position
    const keys = r.findings.map((f) => `${f.file}:${String(f.range.start.line).padStart(5, '0')}`);
    assert.deepEqual(keys, [...keys].sort());
  });

  it('reports a broken template as warnings (with ranges) and still scans it and the other files', async () => {
    const r = await scanPaths([dir], opts);
    const w = r.warnings.filter((x) => x.file.endsWith('broken.yaml'));
    assert.ok(w.length >= 1, 'syntax problems of broken.yaml are warnings');
    assert.ok(w.every((x) => x.range.start.line >= 0 && typeof x.message === 'string' && x.message.length > 0));
    assert.ok(r.findings.some((f) => f.file.endsWith('notebook.yaml')));
    assert.ok(r.findings.some((f) => f.file.endsWith('main.tf')));
    assert.ok(r.units.some((u) => u.root.endsWith('broken.yaml')), 'broken.yaml is analysed as far as it can be read');
  });

  it('reports a template that cannot be parsed at all under errors (kind parse)', async () => {
    // Mentions AWSTemplateFormatVersion (so it is a candidate) but its root is a list, not a template.
    writeFileSync(path.join(dir, 'cfn', 'list.yaml'), '- AWSTemplateFormatVersion\n- x\n');
    const r = await scanPaths(['cfn'], { ...opts, cwd: dir });
    const e = r.errors.find((x) => x.file.endsWith('list.yaml'));
    assert.ok(e, JSON.stringify(r.errors));
    assert.equal(e.kind, 'parse');
    assert.ok(r.findings.some((f) => f.file.endsWith('notebook.yaml')), 'the rest is scanned');
  });

  it('skips node_modules, .git, .terraform and cdk.out unless asked', async () => {
    for (const d of ['node_modules/pkg', '.git/x', 'tf/module-a/.terraform/modules/m', 'cdk.out']) {
      mkdirSync(path.join(dir, d), { recursive: true });
      copyFileSync(path.join(PROJECT, 'cfn/notebook.yaml'), path.join(dir, d, 'notebook.yaml'));
      copyFileSync(path.join(PROJECT, 'tf/module-a/main.tf'), path.join(dir, d, 'main.tf'));
    }
    const normal = await scanPaths(['.'], { ...opts, cwd: dir });
    assert.deepEqual(findingFiles(dir, normal), ['cfn/broken.yaml', 'cfn/notebook.yaml', 'tf/module-a/main.tf']);
    const all = await scanPaths(['.'], { ...opts, cwd: dir, includeIgnoredDirs: true });
    const files = findingFiles(dir, all);
    for (const d of ['node_modules/pkg', '.git/x', 'tf/module-a/.terraform/modules/m', 'cdk.out']) {
      assert.ok(files.includes(`${d}/notebook.yaml`), `${d}/notebook.yaml in ${files}`);
      assert.ok(files.includes(`${d}/main.tf`), `${d}/main.tf in ${files}`);
    }
    // An ignored folder named explicitly is scanned.
    const explicit = await scanPaths(['cdk.out'], { ...opts, cwd: dir });
    assert.deepEqual(findingFiles(dir, explicit), ['cdk.out/main.tf', 'cdk.out/notebook.yaml']);
  });

  it('terminates on symlink loops and scans a linked folder once', async () => {
    symlinkSync(dir, path.join(dir, 'cfn', 'loop'), 'dir'); // cfn/loop -> project root
    symlinkSync(path.join(dir, 'cfn'), path.join(dir, 'cfn-link'), 'dir');
    symlinkSync('self', path.join(dir, 'self'));
    const r = await scanPaths(['.'], { ...opts, cwd: dir });
    const cfnUnits = r.units.filter((u) => u.format === 'cloudformation');
    assert.equal(cfnUnits.length, 3, 'each template once');
    assert.equal(r.findings.filter((f) => f.ruleId === 'TEST-KMS-01' && !f.file.endsWith('broken.yaml')).length, 2); // notebook.yaml, module-a
    assert.deepEqual(r.errors, [], 'a loop is not an error; `self` has no candidate name');
  });

  it('reports a dangling symlink named like a template under errors (kind io) and goes on', async () => {
    symlinkSync(path.join(dir, 'missing.yaml'), path.join(dir, 'cfn', 'dangling.yaml'));
    symlinkSync(path.join(dir, 'missing.txt'), path.join(dir, 'cfn', 'dangling.txt')); // not a candidate
    const r = await scanPaths(['.'], { ...opts, cwd: dir });
    assert.deepEqual(
      r.errors.map((e) => [path.relative(dir, e.file), e.kind]),
      [[path.join('cfn', 'dangling.yaml'), 'io']],
    );
    assert.match(r.errors[0].message, /dangling|no such file/);
    assert.equal(r.findings.filter((f) => f.ruleId === 'TEST-KMS-01' && !f.file.endsWith('broken.yaml')).length, 2); // notebook.yaml, module-a
  });

  it('reports an unreadable file under errors (kind io): permission denied, or a directory given as a template', async function () {
    if (!isRoot) {
      const f = path.join(dir, 'cfn', 'notebook.yaml');
      chmodSync(f, 0o000);
      try {
        const r = await scanPaths(['.'], { ...opts, cwd: dir });
        const e = r.errors.find((x) => x.file === f);
        assert.ok(e, JSON.stringify(r.errors));
        assert.equal(e.kind, 'io');
        assert.match(e.message, /permission denied/);
        assert.ok(r.findings.some((x) => x.file.endsWith('main.tf')), 'the rest is scanned');
      } finally {
        chmodSync(f, 0o644);
      }
    }
    // Works as root too: reading a folder as a file fails with an I/O error.
    mkdirSync(path.join(dir, 'folder.yaml'));
    const read = await readSourceFile(path.join(dir, 'folder.yaml'));
    assert.equal(read.ok, false);
    if (!read.ok) assert.equal(read.error.kind, 'io');
  });

  it('skips files over the size limit, binary files and invalid UTF-8, and reports them', async () => {
    const big = readFileSync(path.join(dir, 'cfn', 'notebook.yaml'), 'utf8') + `# ${'x'.repeat(2000)}\n`;
    writeFileSync(path.join(dir, 'cfn', 'big.yaml'), big);
    writeFileSync(path.join(dir, 'cfn', 'binary.json'), Buffer.from([0x7b, 0x00, 0x01, 0x02, 0x7d]));
    writeFileSync(path.join(dir, 'cfn', 'latin1.yaml'), Buffer.from('Resources:\n  X: \xe9\xff\n', 'latin1'));
    const r = await scanPaths(['cfn'], { ...opts, cwd: dir, maxFileSize: 1500 });
    const byFile = Object.fromEntries(r.errors.map((e) => [path.basename(e.file), e.kind]));
    assert.deepEqual(byFile, { 'big.yaml': 'too-large', 'binary.json': 'encoding', 'latin1.yaml': 'encoding' });
    assert.ok(r.findings.some((f) => f.file.endsWith('notebook.yaml')));
    assert.ok(!r.findings.some((f) => f.file.endsWith('big.yaml')));
  });

  it('reports a path that does not exist (kind not-found) and scans the others', async () => {
    const r = await scanPaths(['nope', 'cfn/notebook.yaml'], { ...opts, cwd: dir });
    assert.deepEqual(r.errors.map((e) => [path.relative(dir, e.file), e.kind]), [['nope', 'not-found']]);
    assert.deepEqual(findingFiles(dir, r), ['cfn/notebook.yaml']);
  });

  it('applies exclude globs to files and folders', async () => {
    const r = await scanPaths(['.'], { ...opts, cwd: dir, exclude: ['broken.yaml', 'tf/module-a/**'], excludeBase: dir });
    assert.deepEqual(findingFiles(dir, r), ['cfn/notebook.yaml']);
    assert.ok(!r.units.some((u) => u.root.includes('module-a')));
    const r2 = await scanPaths(['.'], { ...opts, cwd: dir, exclude: ['tf'], excludeBase: dir });
    assert.ok(!r2.units.some((u) => u.format === 'terraform'));
  });

  it('a file named explicitly that is not a template is reported (kind not-a-template); walked ones are not', async () => {
    const r = await scanPaths(['cfn/k8s-deployment.yaml', 'docs/notes.md', 'cfn/notebook.yaml'], { ...opts, cwd: dir });
    assert.deepEqual(
      r.errors.map((e) => [path.relative(dir, e.file).split(path.sep).join('/'), e.kind]),
      [['cfn/k8s-deployment.yaml', 'not-a-template'], ['docs/notes.md', 'not-a-template']],
    );
    assert.deepEqual(findingFiles(dir, r), ['cfn/notebook.yaml']);
    const walked = await scanPaths(['cfn', 'docs'], { ...opts, cwd: dir });
    assert.deepEqual(walked.errors, []);
  });

  it('exclude sets: each glob list relative to its own folder', async () => {
    const r = await scanPaths(['.'], {
      ...opts,
      cwd: dir,
      excludeSets: [
        { globs: ['module-a'], base: path.join(dir, 'tf') },
        { globs: ['/broken.yaml'], base: path.join(dir, 'cfn') },
      ],
    });
    assert.deepEqual(findingFiles(dir, r), ['cfn/notebook.yaml']);
    const anchored = await scanPaths(['.'], { ...opts, cwd: dir, excludeSets: [{ globs: ['/broken.yaml'], base: dir }] });
    assert.ok(findingFiles(dir, anchored).includes('cfn/broken.yaml'), 'an anchored glob only matches at its base');
  });

  it('an aborted signal stops the scan', async () => {
    const ac = new AbortController();
    ac.abort(new Error('cancelled'));
    await assert.rejects(scanPaths(['.'], { ...opts, cwd: dir, signal: ac.signal }), /cancelled/);
  });

  it('an explicit .tf file loads its whole folder as context but keeps only its own findings', async () => {
    writeFileSync(
      path.join(dir, 'tf', 'module-a', 'extra.tf'),
      'resource "aws_sagemaker_notebook_instance" "extra" {\n  name = "extra"\n}\n',
    );
    const r = await scanPaths(['tf/module-a/extra.tf'], { ...opts, cwd: dir });
    assert.deepEqual(findingFiles(dir, r), ['tf/module-a/extra.tf']);
    const unit = r.units[0];
    assert.equal(unit.format, 'terraform');
    assert.ok(unit.files.some((f) => f.endsWith('variables.tf')), 'variables.tf is part of the module');
  });

  it('a .tf file named explicitly and its folder walked too: the whole module, each file once', async () => {
    const r = await scanPaths(['tf/module-a/main.tf', 'tf'], { ...opts, cwd: dir });
    const mod = r.units.filter((u) => u.root.endsWith('module-a'));
    assert.equal(mod.length, 1);
    assert.deepEqual(rels(dir, mod[0].files), ['tf/module-a/main.tf', 'tf/module-a/terraform.tfvars', 'tf/module-a/variables.tf']);
    assert.deepEqual(findingFiles(dir, r), ['tf/module-a/main.tf']);
  });

  it('a named FIFO is reported, never read (it would block)', async function () {
    const fifo = path.join(dir, 'cfn', 'pipe.yaml');
    if (spawnSync('mkfifo', [fifo]).status !== 0) this.skip(); // no mkfifo on this machine
    const read = await readSourceFile(fifo);
    assert.equal(read.ok, false);
    if (!read.ok) assert.match(read.error.message, /not a regular file/);
    const r = await scanPaths(['cfn'], { ...opts, cwd: dir });
    assert.ok(!r.errors.some((e) => e.file === fifo), 'a walked FIFO is not a file: skipped');
  });

  it('ruleErrors: a rule that throws is reported, not fatal', async () => {
    const bad = { meta: { ...TEST_RULES[0].meta, id: 'TEST-BAD-01' }, check: () => { throw new Error('boom'); } };
    const r = await scanPaths(['cfn/notebook.yaml'], { cwd: dir, analyze: { rules: [bad, TEST_RULES[0]] } });
    assert.deepEqual(r.ruleErrors.map((e) => [e.ruleId, e.message]), [['TEST-BAD-01', 'boom']]);
    assert.equal(r.findings.length, 1);
  });
});

describe('audit/workspace loadTerraformModule', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => removeDir(dir));

  it('reads *.tf and tfvars of one folder, not subfolders, and lets overrides replace and add files', async () => {
    writeFileSync(path.join(dir, 'main.tf'), 'resource "aws_sagemaker_notebook_instance" "a" {\n  name = var.n\n}\n');
    writeFileSync(path.join(dir, 'vars.tf'), 'variable "n" {\n  type = string\n}\n');
    writeFileSync(path.join(dir, 'terraform.tfvars'), 'n = "x"\n');
    writeFileSync(path.join(dir, 'README.md'), '# not terraform\n');
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub', 'other.tf'), 'resource "aws_sagemaker_notebook_instance" "sub" {}\n');

    const plain = await loadTerraformModule(dir);
    assert.deepEqual(plain.errors, []);
    assert.deepEqual(rels(dir, plain.unit!.files.map((f) => f.path)), ['main.tf', 'terraform.tfvars', 'vars.tf']);
    assert.deepEqual(plain.unit!.resources.map((r) => r.address), ['aws_sagemaker_notebook_instance.a']);
    assert.ok(plain.unit!.inputs.has('n'));
    assert.ok(plain.unit!.assignments.has('n'));

    const overrides = new Map([
      [path.join(dir, 'main.tf'), 'resource "aws_sagemaker_notebook_instance" "edited" {}\n'],
      [path.join(dir, 'unsaved.tf'), 'resource "aws_sagemaker_notebook_instance" "unsaved" {}\n'],
      [path.join(dir, 'sub', 'ignored.tf'), 'resource "aws_sagemaker_notebook_instance" "elsewhere" {}\n'],
    ]);
    const edited = await loadTerraformModule(dir, overrides);
    assert.deepEqual(
      edited.unit!.resources.map((r) => r.address).sort(),
      ['aws_sagemaker_notebook_instance.edited', 'aws_sagemaker_notebook_instance.unsaved'],
    );
    const main = edited.unit!.files.find((f) => f.path === path.join(dir, 'main.tf'))!;
    assert.match(main.text, /edited/);
  });

  it('builds a module from overrides alone when the folder does not exist yet', async () => {
    const ghost = path.join(dir, 'not-yet');
    const r = await loadTerraformModule(ghost, new Map([[path.join(ghost, 'main.tf'), 'resource "aws_kms_key" "k" {}\n']]));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.unit!.resources.map((x) => x.address), ['aws_kms_key.k']);
  });

  it('returns no unit for a folder without Terraform files', async () => {
    const r = await loadTerraformModule(dir);
    assert.equal(r.unit, undefined);
    assert.deepEqual(r.errors, []);
  });
});
