import { strict as assert } from 'node:assert';
import rule from '../../../server/src/rules/iam-06';
import { cfnJsonPolicy, cfnYaml, check, tf } from '../../support/rule-tester';

describe('IAM-06 iam:PassRole on every role', () => {
  it('is registered under its catalog ID', () => {
    assert.equal(rule.meta.id, 'IAM-06');
    assert.equal(rule.meta.category, 'iam');
  });

  it('fails iam:PassRole and iam:PassR* on "*" (CFN YAML), high, on the action', () => {
    const c = check(
      rule,
      cfnYaml(`
Resources:
  RoleFail1:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{ Effect: Allow, Principal: { Service: sagemaker.amazonaws.com }, Action: sts:AssumeRole }]
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, iam:PassRole]
                Resource: '*'
  RoleFail2:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{ Effect: Allow, Principal: { Service: sagemaker.amazonaws.com }, Action: sts:AssumeRole }]
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: iam:PassR*
                Resource: '*'
`),
    )
      .fails({ resource: 'RoleFail1', text: 'iam:PassRole', data: { action: 'iam:PassRole', resource: '*', passedToService: false } })
      .fails({ resource: 'RoleFail2', text: 'iam:PassR*', message: /through iam:PassR\*/ });
    assert.ok(c.findings.every((f) => f.severity === 'high'));
  });

  it('fails a role-wildcard ARN; passes named roles, path-scoped roles and non-role resources', () => {
    check(
      rule,
      cfnYaml(`
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - { Effect: Allow, Action: iam:PassRole, Resource: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/*' }
          - { Effect: Allow, Action: iam:PassRole, Resource: !GetAtt ExecRole.Arn }
          - { Effect: Allow, Action: iam:PassRole, Resource: 'arn:aws:iam::123456789012:role/sagemaker/*' }
          - { Effect: Allow, Action: 'iam:*', Resource: 'arn:aws:s3:::*' }
          - { Effect: Deny, Action: iam:PassRole, Resource: '*' }
`),
    )
      .fails({ resource: 'P', text: 'iam:PassRole', data: { statement: 0, resource: 'arn:aws:iam::${AccountId}:role/*' } })
      .count(1);
  });

  it('drops to medium with an iam:PassedToService condition (CFN JSON)', () => {
    const c = check(
      rule,
      cfnJsonPolicy('P', [
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: '*',
          Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
        },
      ]),
    ).fails({ resource: 'P', text: '"iam:PassRole"', data: { passedToService: true } });
    assert.equal(c.findings[0].severity, 'medium');
  });

  it('may fail when the resource comes from a parameter that defaults to "*"', () => {
    check(
      rule,
      cfnYaml(`
Parameters:
  Roles: { Type: String, Default: '*' }
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement: [{ Effect: Allow, Action: 'iam:Pass*', Resource: !Ref Roles }]
`),
    ).mayFail({ resource: 'P', text: "'iam:Pass*'", message: /parameter Roles defaults to '\*'/ });
  });

  it('fails lower-case iam:passrole, iam:* and data documents; passes scoped roles (Terraform)', async () => {
    check(
      rule,
      await tf(`
resource "aws_iam_role_policy" "test_policy" {
  role   = "r"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{ "Effect": "Allow", "Action": ["iam:passrole"], "Resource": "*" }]
}
EOF
}
data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["iam:*"]
    resources = ["arn:aws:iam::*:role/*"]
  }
}
resource "aws_iam_policy" "ok" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = aws_iam_role.exec.arn }] })
}
`),
    )
      .fails({ resource: 'aws_iam_role_policy.test_policy', text: '"iam:passrole"' })
      .fails({ resource: 'data.aws_iam_policy_document.d', text: '"iam:*"' })
      .passes('aws_iam_policy.ok')
      .count(2);
  });

  it('may fail on a Terraform conditional that can pick "*"; passes a variable without default', async () => {
    check(
      rule,
      await tf(`
variable "strict" { type = bool }
variable "exec_role_arn" {}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [
    { Effect = "Allow", Action = "iam:PassRole", Resource = var.strict ? var.exec_role_arn : "*" },
    { Effect = "Allow", Action = "iam:PassRole", Resource = var.exec_role_arn },
  ] })
}
`),
    )
      .mayFail({ resource: 'aws_iam_policy.p', text: '"iam:PassRole"', data: { statement: 0 } })
      .count(1);
  });
});
