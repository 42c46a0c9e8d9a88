import { strict as assert } from 'node:assert';
import rule from '../../../server/src/rules/iam-03';
import { cfnJson, cfnYaml, check, tf } from '../../support/rule-tester';

describe('IAM-03 service-wide wildcard (svc:*)', () => {
  it('is registered under its catalog ID', () => {
    assert.equal(rule.meta.id, 'IAM-03');
    assert.equal(rule.meta.category, 'iam');
  });

  it('fails sagemaker:* (medium) and iam:* (high) in an inline role policy (CFN YAML)', () => {
    const c = check(
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
                Action: [sagemaker:*, s3:GetObject]
                Resource: arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/*
              - Effect: Allow
                Action: IAM:*
                Resource: '*'
`),
    )
      .fails({ text: 'sagemaker:*', data: { service: 'sagemaker', statement: 0 }, message: /every sagemaker action/ })
      .fails({ text: 'IAM:*', data: { service: 'iam', statement: 1 } })
      .count(2);
    const sev = Object.fromEntries(c.findings.map((f) => [f.data?.service, f.severity]));
    assert.deepEqual(sev, { sagemaker: 'medium', iam: 'high' });
  });

  it('fails rds:* in a ManagedPolicy (CFN JSON); passes partial wildcards, "*" and Deny', () => {
    check(
      rule,
      cfnJson({
        Resources: {
          CreateTestDBPolicy3: {
            Type: 'AWS::IAM::ManagedPolicy',
            Properties: {
              PolicyDocument: {
                Statement: [
                  { Effect: 'Allow', Action: ['rds:*'], Resource: 'arn:aws:rds:*:*:db:test' },
                  { Effect: 'Allow', Action: ['s3:Get*', 'ec2:Describe*', '*'], Resource: 'arn:aws:s3:::b' },
                  { Effect: 'Deny', Action: 's3:*', Resource: '*' },
                ],
              },
            },
          },
        },
      }),
    )
      .fails({ resource: 'CreateTestDBPolicy3', text: '"rds:*"' })
      .count(1);
  });

  it('passes the KMS key-policy root delegation; fails kms:* granted to an application role (high)', () => {
    const c = check(
      rule,
      cfnYaml(`
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - Sid: Enable IAM User Permissions
            Effect: Allow
            Principal:
              AWS: !Join ['', ['arn:', !Ref 'AWS::Partition', ':iam::', !Ref 'AWS::AccountId', ':root']]
            Action: kms:*
            Resource: '*'
          - Sid: App
            Effect: Allow
            Principal:
              AWS: !GetAtt AppRole.Arn
            Action: kms:*
            Resource: '*'
`),
    )
      .fails({ text: 'kms:*', data: { sid: 'App', statement: 1 } })
      .count(1);
    assert.equal(c.findings[0].severity, 'high');
  });

  it('may fail when a parameter defaults to a service wildcard', () => {
    check(
      rule,
      cfnYaml(`
Parameters:
  Act: { Type: String, Default: 's3:*' }
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement: [{ Effect: Allow, Action: !Ref Act, Resource: 'arn:aws:s3:::b/*' }]
`),
    ).mayFail({ resource: 'P', text: '!Ref Act' });
  });

  it('fails data documents, jsonencode and heredoc; passes the data.aws_caller_identity root key policy (Terraform)', async () => {
    check(
      rule,
      await tf(`
data "aws_caller_identity" "current" {}
data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::b/*"]
  }
}
resource "aws_iam_policy" "h" {
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}
EOF
}
resource "aws_kms_key" "k" {
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::\${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}
`),
    )
      .fails({ resource: 'data.aws_iam_policy_document.d', text: '"s3:*"' })
      .fails({ resource: 'aws_iam_policy.h', text: '"sts:*"', data: { service: 'sts' } })
      .passes('aws_kms_key.k')
      .count(2);
  });

  it('may fail through a Terraform variable default; a tfvars value decides', async () => {
    check(
      rule,
      await tf({
        'main.tf': `
variable "svc_action" { default = "sagemaker:*" }
variable "other" { default = "s3:GetObject" }
data "aws_iam_policy_document" "d" {
  statement {
    actions   = [var.svc_action]
    resources = ["arn:aws:sagemaker:*:*:notebook-instance/*"]
  }
  statement {
    actions   = [var.other]
    resources = ["arn:aws:s3:::b/*"]
  }
}
`,
        'terraform.tfvars': 'other = "kms:*"\n',
      }),
    )
      .mayFail({ text: 'var.svc_action', message: /var\.svc_action defaults to 'sagemaker:\*'/ })
      .fails({ text: 'var.other', data: { service: 'kms' } })
      .count(2);
  });
});
