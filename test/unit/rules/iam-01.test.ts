import { strict as assert } from 'node:assert';
import rule from '../../../server/src/rules/iam-01';
import { cfnJson, cfnYaml, check, tf } from '../../support/rule-tester';

describe('IAM-01 Allow with Action "*"', () => {
  it('is registered under its catalog ID', () => {
    assert.equal(rule.meta.id, 'IAM-01');
    assert.equal(rule.meta.category, 'iam');
  });

  it('fails an inline role policy statement with Action "*" on a specific resource (CFN YAML)', () => {
    check(
      rule,
      cfnYaml(`
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{ Effect: Allow, Principal: { Service: sagemaker.amazonaws.com }, Action: sts:AssumeRole }]
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::b/*
              - Action: ['s3:PutObject', '*']
                Resource: arn:aws:s3:::b/*
`),
    ).fails({
      resource: 'Role',
      text: "'*'",
      message: /statement 2 of Policies\[0\]\.PolicyDocument allows every action/,
      data: { statement: 1, action: '*', path: 'Policies[0].PolicyDocument' },
    });
  });

  it('fails a ManagedPolicy in JSON with a lower-case Effect, and leaves Deny alone', () => {
    check(
      rule,
      cfnJson({
        Resources: {
          Managed: {
            Type: 'AWS::IAM::ManagedPolicy',
            Properties: {
              PolicyDocument: {
                Statement: [
                  { Effect: 'Deny', Action: '*', Resource: '*' },
                  { Effect: 'allow', Action: ['*'], Resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/t' },
                ],
              },
            },
          },
        },
      }),
    ).fails({ resource: 'Managed', text: '"*"', data: { statement: 1 } });
  });

  it('leaves an admin statement (Resource "*") to IAM-02 and passes service wildcards', () => {
    check(
      rule,
      cfnYaml(`
Resources:
  Pol:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      PolicyDocument:
        Statement:
          - { Effect: Allow, Action: '*', Resource: '*' }
          - { Effect: Allow, Action: 'ec2:*', Resource: 'arn:aws:ec2:*:*:instance/*' }
`),
    ).passes();
  });

  it('does not flag a KMS key policy that delegates to the account root; flags "*" to another principal', () => {
    check(
      rule,
      cfnYaml(`
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Statement:
          - Effect: Allow
            Principal: { AWS: !Sub 'arn:aws:iam::\${AWS::AccountId}:root' }
            Action: '*'
            Resource: '*'
  Key2:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Statement:
          - Effect: Allow
            Principal: { AWS: !GetAtt AppRole.Arn }
            Action: '*'
            Resource: '*'
`),
    )
      .passes('Key')
      .fails({ resource: 'Key2', text: "'*'" });
  });

  it('may fail when the action comes from a parameter whose default is "*"', () => {
    check(
      rule,
      cfnYaml(`
Parameters:
  Act: { Type: String, Default: '*' }
Resources:
  Pol:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: !Ref Act
            Resource: arn:aws:s3:::b/*
`),
    ).mayFail({ resource: 'Pol', text: '!Ref Act', message: /parameter Act defaults to '\*'/ });
  });

  it('may fail on one branch of Fn::If in JSON', () => {
    check(
      rule,
      cfnJson({
        Parameters: { Env: { Type: 'String' } },
        Conditions: { Dev: { 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] } },
        Resources: {
          Pol: {
            Type: 'AWS::IAM::ManagedPolicy',
            Properties: {
              PolicyDocument: {
                Statement: [{ Effect: 'Allow', Action: { 'Fn::If': ['Dev', '*', 's3:GetObject'] }, Resource: 'arn:aws:s3:::b/*' }],
              },
            },
          },
        },
      }),
    ).mayFail({ resource: 'Pol', text: '"*"' });
  });

  it('fails data.aws_iam_policy_document actions ["*"] once, on the document (Terraform)', async () => {
    check(
      rule,
      await tf(`
data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["*"]
    resources = ["arn:aws:s3:::b/*"]
  }
}
resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.d.json
}
`),
    )
      .fails({ resource: 'data.aws_iam_policy_document.d', text: '"*"' })
      .count(1);
  });

  it('fails heredoc and jsonencode policies; passes an explicit action list (Terraform)', async () => {
    check(
      rule,
      await tf(`
resource "aws_iam_role_policy" "heredoc" {
  role   = "r"
  policy = <<EOF
{
  "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}]
}
EOF
}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Service = "sagemaker.amazonaws.com" }, Action = "sts:AssumeRole" }] })
  inline_policy {
    name   = "x"
    policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["*"], Resource = "arn:aws:s3:::b" }] })
  }
}
resource "aws_iam_policy" "ok" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::b/*" }] })
}
`),
    )
      .fails({ resource: 'aws_iam_role_policy.heredoc', text: '"*"' })
      .fails({ resource: 'aws_iam_role.r', text: '"*"' })
      .passes('aws_iam_policy.ok')
      .count(2);
  });

  it('may fail on a Terraform variable default "*", fails on a tfvars value "*"', async () => {
    check(
      rule,
      await tf({
        'main.tf': `
variable "a" { default = "*" }
variable "b" {}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [
    { Effect = "Allow", Action = var.a, Resource = "arn:aws:s3:::b" },
    { Effect = "Allow", Action = var.b, Resource = "arn:aws:s3:::c" },
  ] })
}
`,
        'terraform.tfvars': 'b = "*"\n',
      }),
    )
      .mayFail({ text: 'var.a', message: /var\.a defaults to '\*'/ })
      .fails({ text: 'var.b' })
      .count(2);
  });

  it('may fail on a statement or policy that exists only under an open condition (CFN and Terraform)', async () => {
    check(
      rule,
      cfnYaml(`
Parameters:
  Env: { Type: String }
Conditions:
  Dev: !Equals [!Ref Env, dev]
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - !If [Dev, { Effect: Allow, Action: '*', Resource: 'arn:aws:s3:::b/*' }, !Ref AWS::NoValue]
`),
    ).mayFail({ resource: 'P', text: "'*'", message: /\(only when condition Dev is true\)/ });
    check(
      rule,
      await tf(`
variable "debug" { type = bool }
resource "aws_iam_policy" "p" {
  policy = var.debug ? jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "arn:aws:s3:::b" }] }) : jsonencode({ Statement = [] })
}
`),
    ).mayFail({ resource: 'aws_iam_policy.p', text: '"*"', message: /only when/ });
  });
});
