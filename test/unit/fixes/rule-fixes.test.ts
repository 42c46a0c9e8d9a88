/** Per-rule fixes: what is offered, in which order, and the exact text written. */
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { analyzeUnit } from '../../../server/src/engine';
import { fixAll, fixAllWith, fixBase, fixTitles, fixesFor, isStale, withFixTitles } from '../../../server/src/fixes';
import { readOnlyActions } from '../../../server/src/fixes/rules/iam';
import { applyEdits } from '../../../server/src/fixes/text';
import type { Fix } from '../../../server/src/fixes/types';
import { actionInfo, expandAction } from '../../../server/src/iam/actions';
import type { Unit } from '../../../server/src/model/types';
import type { Finding } from '../../../server/src/rules/types';
import { applySuppressions } from '../../../server/src/suppress';
import { cfnJson, cfnYaml, tf } from '../../support/rule-tester';

const FIX = path.resolve(__dirname, '../../fixtures/fixes');
const read = (name: string) => readFileSync(path.join(FIX, name), 'utf8');
const findings = (u: Unit) => applySuppressions(u, analyzeUnit(u).findings).findings;

function finding(u: Unit, ruleId: string, resource?: string, n = 0): Finding {
  const fs = findings(u).filter((f) => f.ruleId === ruleId && (!resource || f.resource.name === resource || f.resource.address === resource));
  assert.ok(fs[n], `no ${ruleId} on ${resource}: ${findings(u).map((f) => f.ruleId + ' ' + f.resource.address).join(', ')}`);
  return fs[n];
}

function applyTo(u: Unit, fx: Fix, file = u.files[0].path): string {
  const src = u.files.find((f) => f.path === file)!;
  return applyEdits(src.text, fx.edits.filter((e) => e.file === file));
}

async function tfDir(name: string): Promise<Unit> {
  const dir = path.join(FIX, name);
  return tf(Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(path.join(dir, n), 'utf8')])), dir);
}

describe('fixes: KMS', () => {
  const file = path.join(FIX, 'cfn-reuse.yaml');
  const u = cfnYaml(read('cfn-reuse.yaml'), file);

  it('offers the unused parameter named for the notebook first, then the existing key, then a new key', () => {
    const fixes = fixesFor(u, finding(u, 'SM-KMS-01', 'Notebook'));
    assert.deepEqual(
      fixes.map((f) => f.title),
      [
        'Set KmsKeyId to the unused parameter NotebookKmsKeyArn (!Ref NotebookKmsKeyArn)',
        'Set KmsKeyId to the existing KMS key DataKey (!GetAtt DataKey.Arn)',
        'Add a customer-managed KMS key NotebookKmsKey (rotation on, a key policy for the account and the execution role) and set KmsKeyId to !GetAtt NotebookKmsKey.Arn',
        "Suppress SM-KMS-01 with a reason: add '# sageshield:ignore SM-KMS-01 <reason>' above Notebook",
      ],
    );
    assert.deepEqual(fixes.map((f) => !!f.isPreferred), [true, false, false, false]);
    const out = applyTo(u, fixes[0]);
    assert.ok(out.includes('      DirectInternetAccess: Enabled\n      KmsKeyId: !Ref NotebookKmsKeyArn\n\n  Domain:'), out);
  });

  it('a new key has rotation, a key policy for the account root and the execution role, and sits after the notebook', () => {
    const fx = fixesFor(u, finding(u, 'SM-KMS-01', 'Notebook'))[2];
    const out = applyTo(u, fx);
    const u2 = cfnYaml(out, file);
    const key = u2.resources.find((r) => r.name === 'NotebookKmsKey')!;
    assert.equal(key.type, 'AWS::KMS::Key');
    assert.ok(u2.resources.indexOf(key) === u2.resources.findIndex((r) => r.name === 'Notebook') + 1);
    assert.ok(out.includes("              AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'\n"), out);
    assert.ok(out.includes('              AWS: !GetAtt NotebookRole.Arn\n'), out);
    assert.ok(out.includes('      EnableKeyRotation: true\n'));
    const after = findings(u2).map((f) => f.ruleId);
    assert.ok(!after.includes('SM-KMS-01'));
    assert.ok(!after.some((r) => r.startsWith('IAM-')), `the key policy raises no IAM finding: ${after}`);
  });

  it('a new key never takes a name that exists', () => {
    const t = `Parameters:\n  NbKmsKey:\n    Type: String\n    Default: x\nResources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      InstanceType: ml.t3.medium\n      RoleArn: r\n      Tags: [{Key: a, Value: !Ref NbKmsKey}]\n`;
    const v = cfnYaml(t);
    const titles = fixTitles(v, finding(v, 'SM-KMS-01'));
    assert.ok(titles.some((x) => x.startsWith('Add a customer-managed KMS key NbKmsKey2 ')), titles.join('\n'));
  });

  it('Terraform: the endpoint config gets the unused variable named for it; the notebook the module key', async () => {
    const t = await tfDir('tf-reuse');
    const ep = fixesFor(t, finding(t, 'SM-KMS-03'));
    assert.equal(ep[0].title, 'Set kms_key_arn to the unused variable endpoint_kms_key_arn (var.endpoint_kms_key_arn)');
    const nb = fixesFor(t, finding(t, 'SM-KMS-01'));
    assert.equal(nb[0].title, 'Set kms_key_id to the existing KMS key notebook (aws_kms_key.notebook.arn)');
    const out = applyTo(t, nb[0], path.join(FIX, 'tf-reuse/main.tf'));
    assert.ok(out.includes('  name          = "research"\n  role_arn      = var.role_arn\n  instance_type = "ml.t3.medium"\n\n  tags = {\n    team = "ml"\n  }\n  kms_key_id = aws_kms_key.notebook.arn\n}'), out);
  });

  it('Terraform: a new key uses jsonencode and data.aws_caller_identity', async () => {
    const t = await tf(`resource "aws_sagemaker_notebook_instance" "nb" {\n  name          = "nb"\n  role_arn      = aws_iam_role.nb.arn\n  instance_type = "ml.t3.medium"\n}\n`);
    const fx = fixesFor(t, finding(t, 'SM-KMS-01'))[0];
    assert.equal(fx.title, 'Add a customer-managed KMS key nb (rotation on, a key policy for the account and the execution role) and set kms_key_id to aws_kms_key.nb.arn');
    const out = applyTo(t, fx);
    assert.ok(out.includes('  instance_type = "ml.t3.medium"\n  kms_key_id    = aws_kms_key.nb.arn\n}\n\nresource "aws_kms_key" "nb" {\n  description         = "Customer-managed key for aws_sagemaker_notebook_instance.nb"\n  enable_key_rotation = true\n  policy              = jsonencode({\n'), out);
    assert.ok(out.includes('AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"'), out);
    assert.ok(out.includes('data "aws_caller_identity" "current" {}'), out);
    const t2 = await tf(out);
    assert.equal(t2.issues.length, 0);
    assert.ok(!findings(t2).some((f) => f.ruleId === 'SM-KMS-01' || f.ruleId.startsWith('IAM-')));
  });
});

describe('fixes: network and root access', () => {
  it('reuses the template\'s subnet and security group', () => {
    const u = cfnYaml(read('cfn-reuse.yaml'), path.join(FIX, 'cfn-reuse.yaml'));
    const fx = fixesFor(u, finding(u, 'SM-NET-01', 'Notebook'))[0];
    assert.equal(fx.title, 'Set DirectInternetAccess to Disabled, set SubnetId to subnet PrivateSubnet, set SecurityGroupIds to security group NotebookSecurityGroup');
    const out = applyTo(u, fx);
    assert.ok(
      out.includes('      RoleArn: !GetAtt NotebookRole.Arn   # execution role\n      DirectInternetAccess: Disabled\n      SubnetId: !Ref PrivateSubnet\n      SecurityGroupIds:\n        - !GetAtt NotebookSecurityGroup.GroupId\n'),
      out,
    );
    const left = findings(cfnYaml(out)).filter((f) => f.resource.name === 'Notebook').map((f) => f.ruleId);
    assert.ok(!left.includes('SM-NET-01') && !left.includes('SM-NET-02'), left.join());
  });

  it('adds parameters when the template has no subnet, never reusing a taken name', () => {
    const t = `Parameters:\n  SubnetId:\n    Type: String\n    Default: subnet-1\nResources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      InstanceType: ml.t3.medium\n      RoleArn: r\n      Tags: [{Key: s, Value: !Ref SubnetId}]\n`;
    const u = cfnYaml(t);
    const fx = fixesFor(u, finding(u, 'SM-NET-01'))[0];
    assert.deepEqual(fx.inputs, ['SubnetId2', 'SecurityGroupIds']);
    assert.equal(fx.title, 'Set DirectInternetAccess to Disabled, set SubnetId and SecurityGroupIds from new parameters SubnetId2, SecurityGroupIds');
    const out = applyTo(u, fx);
    assert.ok(out.includes('  SubnetId2:\n    Type: AWS::EC2::Subnet::Id\n'), out);
    assert.ok(out.includes('  SecurityGroupIds:\n    Type: List<AWS::EC2::SecurityGroup::Id>\n'), out);
    assert.ok(out.includes('      SubnetId: !Ref SubnetId2\n      SecurityGroupIds: !Ref SecurityGroupIds\n'), out);
  });

  it('Terraform: sets the attributes aligned with their neighbours', async () => {
    const t = await tfDir('tf-reuse');
    const fx = fixesFor(t, finding(t, 'SM-NET-01'))[0];
    const out = applyTo(t, fx, path.join(FIX, 'tf-reuse/main.tf'));
    assert.ok(
      out.includes(
        '  tags = {\n    team = "ml"\n  }\n  direct_internet_access = "Disabled"\n  subnet_id              = aws_subnet.private.id\n  security_groups        = [aws_security_group.notebook.id]\n}',
      ),
      out,
    );
  });

  it('JSON: root access and VpcOnly in the file\'s own indentation', () => {
    const t = JSON.stringify({ Resources: { D: { Type: 'AWS::SageMaker::Domain', Properties: { AuthMode: 'IAM', DomainName: 'd', VpcId: 'vpc-1', SubnetIds: ['subnet-1'], DefaultUserSettings: { ExecutionRole: 'arn:aws:iam::1:role/r' } } } } }, null, 3);
    const u = cfnJson(t);
    const fx = fixesFor(u, finding(u, 'SM-NET-03'))[0];
    assert.equal(fx.title, 'Set AppNetworkAccessType to VpcOnly');
    const out = applyTo(u, fx);
    assert.ok(out.includes('            },\n            "AppNetworkAccessType": "VpcOnly"\n         }'), out);
  });
});

describe('fixes: IAM', () => {
  it('the read-only subset of a service is read-only, compacted to Verb* only when every match is', () => {
    const s3 = readOnlyActions('s3');
    assert.ok(s3.includes('s3:Get*') && s3.includes('s3:List*'), s3.join());
    for (const a of s3) for (const x of expandAction(a)) assert.ok(['Read', 'List'].includes(x.accessLevel), `${a} grants ${x.action} (${x.accessLevel})`);
    assert.ok(!readOnlyActions('iam').includes('iam:Get*') || expandAction('iam:Get*').every((x) => x.accessLevel !== 'Write'));
    assert.ok(actionInfo('s3:GetObject'));
  });

  it('CloudFormation YAML: service wildcard, Resource "*", PassRole and admin statements', () => {
    const file = path.join(FIX, 'cfn-iam.yaml');
    const u = cfnYaml(read('cfn-iam.yaml'), file);
    const svc = fixesFor(u, finding(u, 'IAM-03', 'PipelinePolicy'))[0];
    assert.match(svc.title, /^Replace s3:\* with the read-only s3 actions \(/);
    assert.ok(applyTo(u, svc).includes('          Action:\n          - s3:'), 'block list in the file\'s indentless style');
    const res = fixesFor(u, finding(u, 'IAM-04', 'PipelinePolicy'))[0];
    assert.equal(res.title, 'Replace Resource "*" with the ARNs of Data');
    assert.ok(applyTo(u, res).includes('          Resource:\n          - !GetAtt Data.Arn\n          - !Sub "${Data.Arn}/*"\n'), applyTo(u, res));
    const pass = fixesFor(u, finding(u, 'IAM-06', 'PipelinePolicy'))[0];
    assert.equal(pass.title, 'Restrict iam:PassRole to TrainingRole and add the condition iam:PassedToService = sagemaker.amazonaws.com');
    const out = applyTo(u, pass);
    assert.ok(out.includes('          Action: iam:PassRole\n          Resource: !GetAtt TrainingRole.Arn\n          Condition:\n            StringEquals:\n              iam:PassedToService: sagemaker.amazonaws.com\n'), out);
    const admin = fixesFor(u, finding(u, 'IAM-02', 'PipelinePolicy'))[0];
    assert.match(admin.title, /^Replace Action "\*" and Resource "\*" with read-only access \(.*\) to Data$/);
  });

  it('CloudFormation JSON: PassRole without other roles asks for the role in a new parameter', () => {
    const u = cfnJson(read('cfn-tabs.json'), path.join(FIX, 'cfn-tabs.json'));
    const fx = fixesFor(u, finding(u, 'IAM-06'))[0];
    assert.equal(fx.title, 'Restrict iam:PassRole to the role in a new parameter PassedRoleArn and add the condition iam:PassedToService = sagemaker.amazonaws.com');
    assert.deepEqual(fx.inputs, ['PassedRoleArn']);
    const out = applyTo(u, fx);
    const st = JSON.parse(out).Resources.Role.Properties.Policies[0].PolicyDocument.Statement[0];
    assert.deepEqual(st.Resource, [{ Ref: 'PassedRoleArn' }]);
    assert.deepEqual(st.Condition, { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
    assert.ok(out.includes('\t"Parameters": {\n\t\t"PassedRoleArn": {\n'), out);
  });

  it('Terraform: policy document blocks, heredoc JSON and jsonencode', async () => {
    const t = await tfDir('tf-iam');
    const main = path.join(FIX, 'tf-iam/main.tf');
    const pass = fixesFor(t, finding(t, 'IAM-06', 'data.aws_iam_policy_document.pipeline'))[0];
    const out = applyTo(t, pass, main);
    assert.ok(
      out.includes('    resources = [aws_iam_role.training.arn]\n    condition {\n      test     = "StringEquals"\n      variable = "iam:PassedToService"\n      values   = ["sagemaker.amazonaws.com"]\n    }\n  }'),
      out,
    );
    const heredoc = fixesFor(t, finding(t, 'IAM-06', 'aws_iam_policy.heredoc'))[0];
    const out2 = applyTo(t, heredoc, main);
    assert.ok(out2.includes('      "Resource": "${aws_iam_role.training.arn}",\n      "Condition": {\n        "StringEquals": {\n          "iam:PassedToService": "sagemaker.amazonaws.com"\n        }\n      }\n'), out2);
    const admin = fixesFor(t, finding(t, 'IAM-02', 'aws_iam_policy.encoded'))[0];
    const out3 = applyTo(t, admin, main);
    assert.ok(out3.includes('        Resource = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]\n'), out3);
  });
});

describe('fixes: fix all', () => {
  it('applies the preferred fix of every finding, leaving only what has no fix', () => {
    const file = path.join(FIX, 'cfn-reuse.yaml');
    const u = cfnYaml(read('cfn-reuse.yaml'), file);
    const before = findings(u);
    const r = fixAllWith(u, before);
    assert.ok(r.applied.length >= 5, JSON.stringify(r.applied));
    const after = findings(cfnYaml(r.files[0].text, file));
    assert.deepEqual(after.map((f) => f.ruleId), []);
    assert.equal(applyEdits(u.files[0].text, fixAll(u, before)), r.files[0].text);
    // comments and blank lines untouched
    assert.ok(r.files[0].text.includes('  # the research notebook\n  Notebook:\n'));
    assert.ok(r.files[0].text.includes('      RoleArn: !GetAtt NotebookRole.Arn   # execution role\n'));
  });

  it('only fixes the findings it is given, and fills Finding.fixes', () => {
    const u = cfnYaml(read('cfn-reuse.yaml'), path.join(FIX, 'cfn-reuse.yaml'));
    const only = findings(u).filter((f) => f.ruleId === 'SM-ROOT-01');
    const r = fixAllWith(u, only);
    assert.deepEqual(r.applied.map((a) => a.ruleId), ['SM-ROOT-01']);
    const fs = withFixTitles(u, findings(u));
    assert.ok(fs.every((f) => f.fixes.length > 0 && f.fixes[f.fixes.length - 1].startsWith('Suppress ')));
  });

  it('never writes a suppression reason by itself', () => {
    const u = cfnYaml(read('cfn-suppressed.yaml'), path.join(FIX, 'cfn-suppressed.yaml'));
    const r = fixAllWith(u, findings(u));
    assert.ok(!r.applied.some((a) => a.ruleId === 'SS-SUPPRESS-01'));
    assert.ok(!r.files[0].text.includes('reason: why this is acceptable'));
  });

  it('offers no rule fix in a file with syntax problems (only the suppression)', () => {
    const t = `Resources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      InstanceType: [ml.t3.medium\n`;
    const u = cfnYaml(t);
    assert.ok(u.issues.length > 0);
    for (const f of findings(u)) assert.ok(fixesFor(u, f).every((x) => x.title.startsWith('Suppress ')));
  });
});

describe('fixes: staleness', () => {
  it('a fix computed on one version is stale once the document changes', () => {
    const t = `Resources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      InstanceType: ml.t3.medium\n`;
    const u = cfnYaml(t);
    const fx = fixesFor(u, finding(u, 'SM-ROOT-01'))[0];
    const base = fixBase(u, fx);
    assert.equal(isStale(base, () => t), false);
    assert.equal(isStale(base, () => t.replace('t3', 't2')), true);
    assert.equal(isStale(base, () => undefined), true);
  });
});

describe('fixes: trust policies (IAM-09)', () => {
  it('CloudFormation: SageMaker roles trust sagemaker.amazonaws.com, others this account; sts:* becomes sts:AssumeRole; cross-account needs an ExternalId', () => {
    const u = cfnYaml(read('cfn-trust.yaml'), path.join(FIX, 'cfn-trust.yaml'));
    const nb = fixesFor(u, finding(u, 'IAM-09', 'NotebookRole'))[0];
    assert.equal(nb.title, 'Trust only sagemaker.amazonaws.com (Principal Service)');
    assert.ok(applyTo(u, nb).includes('          - Effect: Allow\n            Principal:\n              Service: sagemaker.amazonaws.com\n            Action: sts:AssumeRole\n'));
    const ops = findings(u).filter((f) => f.ruleId === 'IAM-09' && f.resource.name === 'OpsRole');
    const titles = ops.map((f) => fixesFor(u, f)[0].title).sort();
    assert.deepEqual(titles, ['Replace sts:* with sts:AssumeRole', 'Trust only this account (its root principal) instead of "*"']);
    const partner = fixesFor(u, finding(u, 'IAM-09', 'PartnerRole'))[0];
    assert.deepEqual(partner.inputs, ['ExternalId']);
    const out = applyTo(u, partner);
    assert.ok(out.includes('            Action: sts:AssumeRole\n            Condition:\n              StringEquals:\n                sts:ExternalId: !Ref ExternalId\n'), out);
    assert.ok(!findings(cfnYaml(out)).some((f) => f.ruleId === 'IAM-09' && f.resource.name === 'PartnerRole'));
  });

  it('Terraform: principals blocks and jsonencode', async () => {
    const t = await tfDir('tf-trust');
    const main = path.join(FIX, 'tf-trust/main.tf');
    const doc = fixesFor(t, finding(t, 'IAM-09', 'data.aws_iam_policy_document.assume'))[0];
    const out = applyTo(t, doc, main);
    assert.ok(out.includes('      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]\n'), out);
    assert.ok(out.endsWith('\n\ndata "aws_caller_identity" "current" {}\n'), out);
  });
});

describe('fixes: administrator statement of a SageMaker execution role (IAM-02)', () => {
  it('replaces it with the execution-role baseline, in block style, with the bucket in a new parameter', () => {
    const t = [
      'Resources:',
      '  Role:',
      '    Type: AWS::IAM::Role',
      '    Properties:',
      '      AssumeRolePolicyDocument:',
      '        Statement:',
      '          - Effect: Allow',
      '            Principal: {Service: sagemaker.amazonaws.com}',
      '            Action: sts:AssumeRole',
      '      Policies:',
      '        - PolicyName: all',
      '          PolicyDocument:',
      '            Statement:',
      '              -   Effect: Allow',
      '                  Action: "*"',
      '                  Resource: "*"',
      '',
    ].join('\n');
    const u = cfnYaml(t);
    const fixes = fixesFor(u, finding(u, 'IAM-02'));
    assert.match(fixes[0].title, /^Replace the administrator statement with what a SageMaker execution role needs: S3 on the bucket in a new parameter DataBucketArn/);
    assert.ok(fixes[0].isPreferred);
    const out = applyTo(u, fixes[0]);
    assert.ok(out.includes('              -   Sid: DataBucket\n                  Effect: Allow\n                  Action:\n'), out);
    assert.ok(out.includes('              - Sid: SageMakerLogs\n                Effect: Allow\n'), out);
    const after = findings(cfnYaml(out)).map((f) => f.ruleId);
    assert.ok(!after.some((r) => r.startsWith('IAM-')), after.join());
  });
});
