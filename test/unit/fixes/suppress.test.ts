/** Suppressions read from comments and CloudFormation Metadata; SS-SUPPRESS-01; the suppress fix. */
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { analyzeUnit } from '../../../server/src/engine';
import { fixesFor } from '../../../server/src/fixes';
import { applyEdits } from '../../../server/src/fixes/text';
import type { Unit } from '../../../server/src/model/types';
import { LineIndex } from '../../../server/src/parse/lines';
import { REASON_PLACEHOLDER, applySuppressions, parseDirective } from '../../../server/src/suppress';
import { cfnJson, cfnYaml, tf } from '../../support/rule-tester';

const FIX = path.resolve(__dirname, '../../fixtures/fixes');
const read = (name: string) => readFileSync(path.join(FIX, name), 'utf8');

function run(u: Unit) {
  return applySuppressions(u, analyzeUnit(u).findings);
}

const ids = (fs: Array<{ ruleId: string; resource: { name: string } }>) => fs.map((f) => `${f.ruleId} ${f.resource.name}`).sort();

describe('suppressions: directive syntax', () => {
  it('reads rule IDs and the reason', () => {
    assert.deepEqual(parseDirective('# sageshield:ignore SM-KMS-01 lab data is public'), { ids: ['SM-KMS-01'], reason: 'lab data is public' });
    assert.deepEqual(parseDirective('// sageshield:ignore sm-net-01, SM-NET-02 -- isolated account'), { ids: ['SM-NET-01', 'SM-NET-02'], reason: 'isolated account' });
    assert.deepEqual(parseDirective('/* sageshield:ignore SM-ROOT-01 needs root */'), { ids: ['SM-ROOT-01'], reason: 'needs root' });
    assert.deepEqual(parseDirective('# sageshield:ignore SM-ROOT-01'), { ids: ['SM-ROOT-01'], reason: '' });
    assert.deepEqual(parseDirective('# sageshield:ignore'), { ids: [], reason: '' });
    assert.equal(parseDirective('# just a comment about sageshield'), undefined);
  });
});

describe('suppressions: CloudFormation YAML comments and Metadata', () => {
  const u = cfnYaml(read('cfn-suppressed.yaml'), path.join(FIX, 'cfn-suppressed.yaml'));
  const r = run(u);

  it('suppresses a resource (stacked comments) and a property, and keeps the reasons', () => {
    const s = r.suppressed.map((x) => `${x.finding.ruleId} ${x.finding.resource.name} ${x.reason}`).sort();
    assert.deepEqual(s, [
      'SM-KMS-01 Flow encrypted by the account\'s default EBS key policy',
      'SM-KMS-01 Notebook lab data is public; the AWS-managed key is accepted',
      'SM-NET-01 Notebook isolated lab account, deleted nightly',
      'SM-ROOT-01 Notebook ',
    ]);
    const kms = r.suppressed.find((x) => x.finding.ruleId === 'SM-KMS-01' && x.finding.resource.name === 'Notebook')!;
    assert.equal(kms.range.start.line, 1, 'the suppression location is the comment');
  });

  it('reports suppressions without a reason (SS-SUPPRESS-01) and leaves the rest', () => {
    assert.deepEqual(ids(r.findings), ['SM-NET-02 Flow', 'SM-NET-02 Notebook', 'SS-SUPPRESS-01 Flow', 'SS-SUPPRESS-01 Notebook']);
    const ss = r.findings.filter((f) => f.ruleId === 'SS-SUPPRESS-01');
    assert.match(ss[0].message + ss[1].message, /SM-ROOT-01 without a reason/);
  });

  it('a comment above one property does not cover findings elsewhere in the resource', () => {
    const t = `Resources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      # sageshield:ignore SM-ROOT-01 not here\n      InstanceType: ml.t3.medium\n      RoleArn: arn:aws:iam::1:role/r\n`;
    const rr = run(cfnYaml(t));
    assert.equal(rr.suppressed.length, 0);
    assert.ok(rr.findings.some((f) => f.ruleId === 'SM-ROOT-01'));
  });

  it('a comment separated by a blank line does not apply', () => {
    const t = `Resources:\n  # sageshield:ignore SM-ROOT-01 reason\n\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      InstanceType: ml.t3.medium\n`;
    assert.ok(run(cfnYaml(t)).findings.some((f) => f.ruleId === 'SM-ROOT-01'));
  });
});

describe('suppressions: CloudFormation JSON Metadata', () => {
  it('reads {id, reason} items and reports the one without a reason', () => {
    const u = cfnJson(read('cfn-tabs.json'), path.join(FIX, 'cfn-tabs.json'));
    const r = run(u);
    assert.deepEqual(r.suppressed.map((x) => `${x.finding.ruleId} ${x.reason}`).sort(), ['SM-KMS-01 ', 'SM-NET-02 the subnet is given at deploy time by the platform team']);
    const ss = r.findings.filter((f) => f.ruleId === 'SS-SUPPRESS-01');
    assert.equal(ss.length, 1);
    assert.equal(ss[0].range.start.line, 12, 'underlines the Metadata item');
  });
});

describe('suppressions: Terraform comments', () => {
  it('reads # and // comments above a block and above an attribute', async () => {
    const dir = path.join(FIX, 'tf-suppressed');
    const u = await tf(Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(path.join(dir, n), 'utf8')])), dir);
    const r = run(u);
    assert.deepEqual(r.suppressed.map((x) => `${x.finding.ruleId} ${x.reason}`).sort(), ['SM-KMS-01 lab data is public', 'SM-NET-01 isolated lab account', 'SM-ROOT-01 ']);
    assert.deepEqual(ids(r.findings), ['SM-NET-02 lab', 'SS-SUPPRESS-01 lab']);
  });
});

describe('the suppress fix', () => {
  function applyAndCheck(u: Unit, reparse: (text: string) => Unit | Promise<Unit>, ruleId: string) {
    return (async () => {
      const f = run(u).findings.find((x) => x.ruleId === ruleId)!;
      assert.ok(f, `no ${ruleId}`);
      const fx = fixesFor(u, f).at(-1)!;
      assert.match(fx.title, new RegExp(`^Suppress ${ruleId} with a reason`));
      assert.ok(!fx.isPreferred);
      const text = applyEdits(u.files[0].text, fx.edits);
      const off = new LineIndex(text).offset(fx.cursor!.position);
      assert.ok(text.startsWith(REASON_PLACEHOLDER, off), 'cursor on the reason');
      const r2 = run(await reparse(text));
      assert.ok(!r2.findings.some((x) => x.ruleId === ruleId && x.resource.address === f.resource.address), 'suppressed');
      assert.ok(r2.suppressed.some((x) => x.finding.ruleId === ruleId && x.reason === REASON_PLACEHOLDER));
      return text;
    })();
  }

  it('YAML: a comment above the resource, with its indentation', async () => {
    const t = `Resources:\n    Nb:\n        Type: AWS::SageMaker::NotebookInstance\n        Properties:\n            InstanceType: ml.t3.medium\n`;
    const out = await applyAndCheck(cfnYaml(t), (x) => cfnYaml(x), 'SM-ROOT-01');
    assert.ok(out.startsWith(`Resources:\n    # sageshield:ignore SM-ROOT-01 ${REASON_PLACEHOLDER}\n    Nb:\n`), out);
  });

  it('YAML: a comment above the offending property', async () => {
    const t = `Resources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      InstanceType: ml.t3.medium\n      RootAccess: Enabled\n`;
    const out = await applyAndCheck(cfnYaml(t), (x) => cfnYaml(x), 'SM-ROOT-01');
    assert.ok(out.includes(`      # sageshield:ignore SM-ROOT-01 ${REASON_PLACEHOLDER}\n      RootAccess: Enabled\n`), out);
  });

  it('JSON: a Metadata entry, appended to an existing ignore list with tabs', async () => {
    const u = cfnJson(read('cfn-tabs.json'), path.join(FIX, 'cfn-tabs.json'));
    const out = await applyAndCheck(u, (x) => cfnJson(x, path.join(FIX, 'cfn-tabs.json')), 'SM-ROOT-01');
    assert.ok(out.includes(`\t\t\t\t\t\t{\n\t\t\t\t\t\t\t"id": "SM-KMS-01"\n\t\t\t\t\t\t},\n\t\t\t\t\t\t{"id": "SM-ROOT-01", "reason": "${REASON_PLACEHOLDER}"}\n`), out);
  });

  it('JSON: creates Metadata before Properties when there is none', async () => {
    const t = JSON.stringify({ Resources: { Nb: { Type: 'AWS::SageMaker::NotebookInstance', Properties: { InstanceType: 'ml.t3.medium' } } } }, null, 2);
    const out = await applyAndCheck(cfnJson(t), (x) => cfnJson(x), 'SM-ROOT-01');
    const j = JSON.parse(out).Resources.Nb;
    assert.deepEqual(Object.keys(j), ['Type', 'Metadata', 'Properties']);
    assert.deepEqual(j.Metadata, { sageshield: { ignore: [{ id: 'SM-ROOT-01', reason: REASON_PLACEHOLDER }] } });
  });

  it('HCL: a comment above the block', async () => {
    const t = `resource "aws_sagemaker_notebook_instance" "nb" {\n  name          = "x"\n  role_arn      = "arn:aws:iam::1:role/r"\n  instance_type = "ml.t3.medium"\n}\n`;
    const u = await tf(t);
    const out = await applyAndCheck(u, (x) => tf(x), 'SM-KMS-01');
    assert.ok(out.startsWith(`# sageshield:ignore SM-KMS-01 ${REASON_PLACEHOLDER}\nresource "aws_sagemaker_notebook_instance" "nb" {\n`), out);
  });

  it('HCL: a file written with // comments gets a // comment', async () => {
    const t = `// notebooks\nresource "aws_sagemaker_notebook_instance" "nb" {\n  name          = "x"\n  role_arn      = "arn:aws:iam::1:role/r"\n  instance_type = "ml.t3.medium"\n}\n`;
    const out = await applyAndCheck(await tf(t), (x) => tf(x), 'SM-ROOT-01');
    assert.ok(out.startsWith(`// notebooks\n// sageshield:ignore SM-ROOT-01 ${REASON_PLACEHOLDER}\nresource`), out);
  });

  it('SS-SUPPRESS-01: its fix writes the reason into the comment and the Metadata item', async () => {
    const u = cfnYaml(read('cfn-suppressed.yaml'), path.join(FIX, 'cfn-suppressed.yaml'));
    const ss = run(u).findings.filter((f) => f.ruleId === 'SS-SUPPRESS-01');
    let text = u.files[0].text;
    for (const f of ss) {
      const fx = fixesFor(u, f)[0];
      assert.ok(fx.isPreferred);
      assert.match(fx.title, /^Add a reason to the suppression of SM-ROOT-01$/);
      const one = applyEdits(u.files[0].text, fx.edits);
      assert.ok(one.startsWith(REASON_PLACEHOLDER, new LineIndex(one).offset(fx.cursor!.position)));
    }
    text = applyEdits(text, ss.flatMap((f) => fixesFor(u, f)[0].edits));
    assert.ok(text.includes(`  # sageshield:ignore SM-ROOT-01 ${REASON_PLACEHOLDER}\n`), text);
    assert.ok(text.includes(`          - id: SM-ROOT-01\n            reason: '${REASON_PLACEHOLDER}'\n`), text);
    assert.ok(!run(cfnYaml(text)).findings.some((f) => f.ruleId === 'SS-SUPPRESS-01'));
  });
});
