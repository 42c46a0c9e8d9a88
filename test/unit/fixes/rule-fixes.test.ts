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

describe('fixes: iam:PassRole sharing a statement with other actions (IAM-06 split)', () => {
  const PASSED = 'Condition:\n              StringEquals:\n                iam:PassedToService: sagemaker.amazonaws.com\n';
  const yaml = [
    'Resources:',
    '  Training:',
    '    Type: AWS::IAM::Role',
    '    Properties:',
    '      AssumeRolePolicyDocument:',
    '        Statement:',
    '          - Effect: Allow',
    '            Principal: {Service: sagemaker.amazonaws.com}',
    '            Action: sts:AssumeRole',
    '  Pipeline:',
    '    Type: AWS::IAM::ManagedPolicy',
    '    Properties:',
    '      PolicyDocument:',
    '        Version: "2012-10-17"',
    '        Statement:',
    '          - Sid: Run',
    '            Effect: Allow',
    '            Action:',
    '              - sagemaker:CreateTrainingJob',
    '              - iam:PassRole',
    '            Resource: "*"',
    '          - {Sid: Flow, Effect: Allow, Action: [iam:PassRole, sagemaker:CreateModel], Resource: "*"}',
    '',
  ].join('\n');

  /** The (rule, resource) pairs of a unit's findings, counted. */
  const pairs = (u: Unit) => findings(u).reduce((m, f) => m.set(`${f.ruleId}|${f.resource.address}`, (m.get(`${f.ruleId}|${f.resource.address}`) ?? 0) + 1), new Map<string, number>());
  /** The fix removed one IAM-06 finding and added no finding of another (rule, resource). */
  function cured(before: Unit, after: Unit, resource?: string): void {
    assert.equal(after.issues.length, 0, after.issues.map((i) => i.message).join('; '));
    const b = pairs(before);
    const a = pairs(after);
    for (const [k, n] of a) assert.ok(n <= (b.get(k) ?? 0), `new finding ${k}`);
    const k6 = [...b.keys()].find((k) => k.startsWith('IAM-06|') && (!resource || k === `IAM-06|${resource}`))!;
    assert.ok((a.get(k6) ?? 0) < b.get(k6)!, `one ${k6} fewer`);
  }

  it('CloudFormation YAML, block statement: PassRole leaves the list; a new statement follows, on the template\'s role', () => {
    const u = cfnYaml(yaml);
    const fixes = fixesFor(u, finding(u, 'IAM-06', 'Pipeline', 0));
    assert.equal(fixes[0].title, 'Move iam:PassRole to a statement of its own on Training, with the condition iam:PassedToService = sagemaker.amazonaws.com');
    assert.ok(fixes[0].isPreferred);
    assert.equal(fixes[0].inputs, undefined);
    const out = applyTo(u, fixes[0]);
    assert.ok(
      out.includes(
        '          - Sid: Run\n            Effect: Allow\n            Action:\n              - sagemaker:CreateTrainingJob\n            Resource: "*"\n' +
          '          - Sid: RunPassRole\n            Effect: Allow\n            Action: iam:PassRole\n            Resource: !GetAtt Training.Arn\n            ' +
          PASSED +
          '          - {Sid: Flow,',
      ),
      out,
    );
    cured(u, cfnYaml(out));
  });

  it('CloudFormation YAML, flow statement: the new statement is a flow map on its own `- ` line', () => {
    const u = cfnYaml(yaml);
    const fx = fixesFor(u, finding(u, 'IAM-06', 'Pipeline', 1))[0];
    const out = applyTo(u, fx);
    assert.ok(
      out.endsWith(
        '          - {Sid: Flow, Effect: Allow, Action: [sagemaker:CreateModel], Resource: "*"}\n' +
          '          - {Sid: FlowPassRole, Effect: Allow, Action: iam:PassRole, Resource: !GetAtt Training.Arn, Condition: {StringEquals: {iam:PassedToService: sagemaker.amazonaws.com}}}\n',
      ),
      out,
    );
    cured(u, cfnYaml(out));
  });

  it('CloudFormation JSON: the role in a new parameter, the statement in the file\'s indentation; one-line statements stay one line', () => {
    const t = JSON.stringify(
      { Resources: { P: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'Run', Effect: 'Allow', Action: ['iam:PassRole', 'sagemaker:CreateTrainingJob'], Resource: '*' }] } } } } },
      null,
      4,
    );
    const u = cfnJson(t);
    const fx = fixesFor(u, finding(u, 'IAM-06'))[0];
    assert.equal(fx.title, 'Move iam:PassRole to a statement of its own on the role in a new parameter PassedRoleArn, with the condition iam:PassedToService = sagemaker.amazonaws.com');
    assert.deepEqual(fx.inputs, ['PassedRoleArn']);
    const out = applyTo(u, fx);
    const [i6, i7, i8] = [24, 28, 32].map((n) => ' '.repeat(n));
    assert.ok(out.includes(`${i7}"Action": [\n${i8}"sagemaker:CreateTrainingJob"\n${i7}],\n${i7}"Resource": "*"\n${i6}},\n${i6}{\n${i7}"Sid": "RunPassRole",\n${i7}"Effect": "Allow",\n`), out);
    const doc = JSON.parse(out);
    assert.deepEqual(doc.Resources.P.Properties.PolicyDocument.Statement[1], {
      Sid: 'RunPassRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: { Ref: 'PassedRoleArn' },
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
    assert.deepEqual(doc.Parameters.PassedRoleArn.Type, 'String');
    cured(u, cfnJson(out));

    // a statement written on one line gets a one-line sibling, with the same spaces inside its braces
    const one = '{\n  "Resources": {\n    "P": {\n      "Type": "AWS::IAM::ManagedPolicy",\n      "Properties": {\n        "PolicyDocument": {\n          "Statement": [\n            { "Effect": "Allow", "Action": ["iam:PassRole", "sagemaker:*"], "Resource": "*" }\n          ]\n        }\n      }\n    }\n  }\n}\n';
    const v = cfnJson(one);
    const out2 = applyTo(v, fixesFor(v, finding(v, 'IAM-06'))[0]);
    assert.ok(
      out2.includes(
        '            { "Effect": "Allow", "Action": ["sagemaker:*"], "Resource": "*" },\n            { "Effect": "Allow", "Action": "iam:PassRole", "Resource": { "Ref": "PassedRoleArn" }, "Condition": { "StringEquals": { "iam:PassedToService": "sagemaker.amazonaws.com" } } }\n          ]',
      ),
      out2,
    );
    cured(v, cfnJson(out2));
  });

  const TF = [
    'resource "aws_iam_role" "training" {',
    '  name               = "training"',
    '  assume_role_policy = "{}"',
    '}',
    '',
    'data "aws_iam_policy_document" "pipeline" {',
    '  statement {',
    '    sid       = "Run"',
    '    actions   = ["sagemaker:CreateTrainingJob", "iam:PassRole"]',
    '    resources = ["*"]',
    '  }',
    '}',
    '',
    'resource "aws_iam_policy" "pipeline" {',
    '  name   = "pipeline"',
    '  policy = data.aws_iam_policy_document.pipeline.json',
    '}',
    '',
    'resource "aws_iam_policy" "encoded" {',
    '  name = "encoded"',
    '  policy = jsonencode({',
    '    Version = "2012-10-17"',
    '    Statement = [',
    '      {',
    '        Effect   = "Allow"',
    '        Action   = ["iam:PassRole", "sagemaker:CreateModel"]',
    '        Resource = "*"',
    '      },',
    '    ]',
    '  })',
    '}',
    '',
    'resource "aws_iam_policy" "heredoc" {',
    '  name   = "heredoc"',
    '  policy = <<POLICY',
    '{',
    '  "Statement": [',
    '    {',
    '      "Effect": "Allow",',
    '      "Action": ["sagemaker:CreateModel", "iam:PassRole"],',
    '      "Resource": "*"',
    '    }',
    '  ]',
    '}',
    'POLICY',
    '}',
    '',
  ].join('\n');

  it('Terraform aws_iam_policy_document: a new statement block after the shared one, with a condition block', async () => {
    const t = await tf({ 'main.tf': TF });
    const fx = fixesFor(t, finding(t, 'IAM-06', 'data.aws_iam_policy_document.pipeline'))[0];
    assert.equal(fx.title, 'Move iam:PassRole to a statement of its own on aws_iam_role.training, with the condition iam:PassedToService = sagemaker.amazonaws.com');
    const out = applyTo(t, fx);
    assert.ok(
      out.includes(
        '  statement {\n    sid       = "Run"\n    actions   = ["sagemaker:CreateTrainingJob"]\n    resources = ["*"]\n  }\n\n' +
          '  statement {\n    sid       = "RunPassRole"\n    actions   = ["iam:PassRole"]\n    resources = [aws_iam_role.training.arn]\n' +
          '    condition {\n      test     = "StringEquals"\n      variable = "iam:PassedToService"\n      values   = ["sagemaker.amazonaws.com"]\n    }\n  }\n}\n',
      ),
      out,
    );
    cured(t, await tf({ 'main.tf': out }), 'data.aws_iam_policy_document.pipeline');
  });

  it('Terraform jsonencode and heredoc JSON: a new object after the shared one, in the list\'s own layout', async () => {
    const t = await tf({ 'main.tf': TF });
    const enc = fixesFor(t, finding(t, 'IAM-06', 'aws_iam_policy.encoded'))[0];
    const out = applyTo(t, enc);
    assert.ok(
      out.includes(
        '        Action   = ["sagemaker:CreateModel"]\n        Resource = "*"\n      },\n      {\n        Effect    = "Allow"\n        Action    = "iam:PassRole"\n        Resource  = aws_iam_role.training.arn\n' +
          '        Condition = {\n          StringEquals = {\n            "iam:PassedToService" = "sagemaker.amazonaws.com"\n          }\n        }\n      },\n    ]\n',
      ),
      out,
    );
    cured(t, await tf({ 'main.tf': out }), 'aws_iam_policy.encoded');
    const here = fixesFor(t, finding(t, 'IAM-06', 'aws_iam_policy.heredoc'))[0];
    const out2 = applyTo(t, here);
    assert.ok(
      out2.includes(
        '      "Action": ["sagemaker:CreateModel"],\n      "Resource": "*"\n    },\n    {\n      "Effect": "Allow",\n      "Action": "iam:PassRole",\n      "Resource": "${aws_iam_role.training.arn}",\n' +
          '      "Condition": {\n        "StringEquals": {\n          "iam:PassedToService": "sagemaker.amazonaws.com"\n        }\n      }\n    }\n  ]\n}\nPOLICY\n',
      ),
      out2,
    );
    cured(t, await tf({ 'main.tf': out2 }), 'aws_iam_policy.heredoc');
  });

  it('is not offered when the statement has a Condition, or a pattern that grants PassRole and more', () => {
    const base = (st: string) => `Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - ${st}\n`;
    for (const st of [
      '{Effect: Allow, Action: [iam:PassRole, sagemaker:CreateModel], Resource: "*", Condition: {StringEquals: {aws:RequestedRegion: eu-west-1}}}',
      '{Effect: Allow, Action: ["iam:*Role", sagemaker:CreateModel], Resource: "*"}',
    ]) {
      const u = cfnYaml(base(st));
      const titles = fixTitles(u, finding(u, 'IAM-06'));
      assert.ok(titles.every((x) => x.startsWith('Suppress ')), titles.join('\n'));
    }
  });

  it('IAM-04 on a statement mixing ARN-scoped and "*"-only actions moves the scoped ones to a statement of their own', () => {
    const t = `Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: [sagemaker:ListModels, sagemaker:DescribeModel]\n            Resource: "*"\n`;
    const u = cfnYaml(t);
    const fx = fixesFor(u, finding(u, 'IAM-04'))[0];
    assert.equal(fx.title, 'Move the actions that accept resource ARNs (sagemaker:DescribeModel) to a statement of their own on the ARN in a new parameter SagemakerResourceArn; the others keep Resource "*"');
    assert.deepEqual(fx.inputs, ['SagemakerResourceArn']);
    const out = applyTo(u, fx);
    assert.ok(out.includes('          - Effect: Allow\n            Action: [sagemaker:ListModels]\n            Resource: "*"\n          - Effect: Allow\n            Action: sagemaker:DescribeModel\n            Resource: !Ref SagemakerResourceArn\n'), out);
    assert.ok(!findings(cfnYaml(out)).some((f) => f.ruleId === 'IAM-04'));
  });

  it('fix-all on the endpoint example\'s statement: nothing fails afterwards, and applied[] carries each fix\'s inputs', () => {
    const file = path.resolve(__dirname, '../../../examples/cloudformation/insecure-endpoint.json');
    const u = cfnJson(readFileSync(file, 'utf8'), file);
    const r = fixAllWith(u, findings(u));
    const left = findings(cfnJson(r.files[0].text, file)).filter((f) => f.verdict === 'fail');
    assert.deepEqual(left.map((f) => `${f.ruleId} ${f.message}`), []);
    const pass = r.applied.find((a) => a.ruleId === 'IAM-06')!;
    assert.match(pass.title, /^Move iam:PassRole to a statement of its own on the role in a new parameter PassedRoleArn/);
    assert.deepEqual(pass.inputs, ['PassedRoleArn']);
    const named = r.applied.flatMap((a) => a.inputs ?? []).sort();
    const declared = [...cfnJson(r.files[0].text, file).inputs.keys()].sort();
    assert.deepEqual(named, declared, 'every new parameter is named by the fix that added it');
    assert.ok(r.applied.filter((a) => a.ruleId === 'SM-KMS-03').every((a) => a.inputs === undefined));
  });
});
