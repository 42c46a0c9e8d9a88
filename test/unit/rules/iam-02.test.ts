import { strict as assert } from 'node:assert';
import { analyzeUnit } from '../../../server/src/engine';
import iam01 from '../../../server/src/rules/iam-01';
import rule from '../../../server/src/rules/iam-02';
import iam04 from '../../../server/src/rules/iam-04';
import iam06 from '../../../server/src/rules/iam-06';
import { cfnJsonPolicy, cfnYaml, check, tf } from '../../support/rule-tester';

describe('IAM-02 Action "*" on Resource "*" (admin)', () => {
  const adminYaml = `
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{ Effect: Allow, Principal: { Service: sagemaker.amazonaws.com }, Action: sts:AssumeRole }]
      Policies:
        - PolicyName: admin
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: '*'
                Resource: '*'
`;

  it('fails an inline role policy (CFN YAML), critical, on the action', () => {
    const c = check(rule, cfnYaml(adminYaml)).fails({
      resource: 'Role',
      text: "'*'",
      message: /full administrator access/,
      data: { statement: 0, action: '*', resource: '*', path: 'Policies[0].PolicyDocument', documentKind: 'identity' },
    });
    assert.equal(c.findings[0].severity, 'critical');
  });

  it('reports an admin statement once: IAM-01, IAM-04 and IAM-06 stay quiet on it', () => {
    const r = analyzeUnit(cfnYaml(adminYaml), { rules: [iam01, rule, iam04, iam06] });
    assert.deepEqual(
      r.findings.map((f) => f.ruleId),
      ['IAM-02'],
    );
  });

  it('keeps IAM-01 only when its verdict is stronger than IAM-02\'s', () => {
    const u = cfnYaml(`
Parameters:
  Res: { Type: String, Default: '*' }
Conditions:
  Dev: !Equals [!Ref 'AWS::Region', eu-west-1]
Resources:
  OnlyAdmin:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - { Effect: Allow, Action: !If [Dev, '*', 's3:GetObject'], Resource: '*' }
  Both:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - { Effect: Allow, Action: '*', Resource: !Ref Res }
`);
    const r = analyzeUnit(u, { rules: [iam01, rule, iam04, iam06] });
    assert.deepEqual(
      r.findings.map((f) => `${f.resource.name} ${f.ruleId} ${f.verdict}`),
      // OnlyAdmin's other branch (s3:GetObject on "*") is IAM-04's, and only a may-fail
      ['OnlyAdmin IAM-02 may-fail', 'OnlyAdmin IAM-04 may-fail', 'Both IAM-01 fail', 'Both IAM-02 may-fail'],
    );
  });

  it('fails AWS::IAM::Policy in JSON with list-valued Action/Resource and a missing Effect; passes Deny', () => {
    check(
      rule,
      cfnJsonPolicy('mypolicy', [
        { Action: ['s3:GetObject', '*'], Resource: ['arn:aws:s3:::b', '*'] },
        { Effect: 'Deny', Action: '*', Resource: '*' },
      ]),
    )
      .fails({ resource: 'mypolicy', text: '"*"', data: { statement: 0 } })
      .count(1);
  });

  it('passes Action "*" on a specific resource and service wildcards on "*"', () => {
    check(
      rule,
      cfnYaml(`
Resources:
  P1:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - { Effect: Allow, Action: '*', Resource: 'arn:aws:iam::aws:policy/AdministratorAccess' }
          - { Effect: Allow, Action: ['ec2:*', 's3:*'], Resource: '*' }
`),
    ).passes();
  });

  it('does not treat a KMS key policy or a trust policy as admin', () => {
    check(
      rule,
      cfnYaml(`
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Statement:
          - { Effect: Allow, Principal: { AWS: !Sub 'arn:aws:iam::\${AWS::AccountId}:root' }, Action: '*', Resource: '*' }
`),
    ).passes();
  });

  it('may fail when Resource comes from a parameter that defaults to "*"', () => {
    check(
      rule,
      cfnYaml(`
Parameters:
  Res: { Type: String, Default: '*' }
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - { Effect: Allow, Action: '*', Resource: !Ref Res }
`),
    ).mayFail({ resource: 'P', text: "'*'", message: /parameter Res defaults to '\*'/ });
  });

  it('fails aws_iam_policy_document, heredoc and jsonencode (Terraform)', async () => {
    check(
      rule,
      await tf(`
data "aws_iam_policy_document" "example" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}
resource "aws_iam_role_policy" "positive1" {
  role   = "r"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{ "Effect": "Allow", "Action": ["*"], "Resource": "*" }]
}
EOF
}
resource "aws_iam_policy" "enc" {
  policy = jsonencode({ Statement = [{ Action = "*", Effect = "Allow", Resource = "*" }] })
}
resource "aws_iam_policy" "fine" {
  policy = jsonencode({ Statement = [{ Action = "s3:*", Effect = "Allow", Resource = "*" }] })
}
`),
    )
      .fails({ resource: 'data.aws_iam_policy_document.example', text: '"*"' })
      .fails({ resource: 'aws_iam_role_policy.positive1', text: '"*"' })
      .fails({ resource: 'aws_iam_policy.enc', text: '"*"' })
      .passes('aws_iam_policy.fine')
      .count(3);
  });

  it('may fail through a Terraform variable with default ["*"]', async () => {
    check(
      rule,
      await tf(`
variable "actions" {
  type    = list(string)
  default = ["*"]
}
data "aws_iam_policy_document" "d" {
  statement {
    actions   = var.actions
    resources = ["*"]
  }
}
`),
    ).mayFail({ resource: 'data.aws_iam_policy_document.d', text: 'var.actions' });
  });
});
