import { strict as assert } from 'node:assert';
import rule from '../../../server/src/rules/iam-09';
import { cfnJson, cfnYaml, check, tf } from '../../support/rule-tester';

describe('IAM-09 broad role trust policy', () => {
  it('is registered under its catalog ID', () => {
    assert.equal(rule.meta.id, 'IAM-09');
    assert.equal(rule.meta.category, 'iam');
  });

  it('fails Principal {AWS: "*"} and sts:* in a trust policy (CFN YAML)', () => {
    check(
      rule,
      cfnYaml(`
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { AWS: '*' }
            Action: 'sts:*'
`),
    )
      .fails({ text: "'*'", message: /any AWS principal/, data: { principal: '*' } })
      .fails({ text: "'sts:*'", data: { action: 'sts:*' } })
      .count(2);
  });

  it('fails a bare Principal "*" and Action "*" in JSON; passes a SageMaker service principal', () => {
    check(
      rule,
      cfnJson({
        Resources: {
          Bad: {
            Type: 'AWS::IAM::Role',
            Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: '*', Action: ['*'] }] } },
          },
          Good: {
            Type: 'AWS::IAM::Role',
            Properties: {
              AssumeRolePolicyDocument: {
                Statement: [{ Effect: 'Allow', Principal: { Service: ['sagemaker.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
              },
            },
          },
        },
      }),
    )
      .fails({ text: '"*"', data: { principalType: '*', document: 'Bad' } })
      .fails({ text: '"*"', data: { action: '*', document: 'Bad' } })
      .passes('Good')
      .count(2);
  });

  it('fails a cross-account principal without ExternalId or MFA; passes with them and for the own account', () => {
    check(
      rule,
      cfnYaml(`
Resources:
  Cross:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { AWS: 'arn:aws:iam::111122223333:root' }
            Action: sts:AssumeRole
  WithExternalId:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { AWS: '111122223333' }
            Action: sts:AssumeRole
            Condition: { StringEquals: { 'sts:ExternalId': 'secret' } }
  WithMfa:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { AWS: 'arn:aws:iam::111122223333:role/Ops' }
            Action: sts:AssumeRole
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }
  Own:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { AWS: [!Sub 'arn:aws:iam::\${AWS::AccountId}:root', !GetAtt Other.Arn, !Ref 'AWS::AccountId'] }
            Action: sts:AssumeRole
`),
    )
      .fails({ resource: 'Cross', text: "'arn:aws:iam::111122223333:root'", data: { crossAccount: true } })
      .count(1);
  });

  it('may fail when the trusted account is a parameter', () => {
    check(
      rule,
      cfnYaml(`
Parameters:
  Trusted: { Type: String }
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { AWS: !Sub 'arn:aws:iam::\${Trusted}:root' }
            Action: sts:AssumeRole
`),
    ).mayFail({ resource: 'Role', text: "!Sub 'arn:aws:iam::${Trusted}:root'" });
  });

  it('does not read permission policies or Deny statements', () => {
    check(
      rule,
      cfnYaml(`
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - { Effect: Deny, Principal: '*', Action: 'sts:*' }
          - { Effect: Allow, Principal: { Service: sagemaker.amazonaws.com }, Action: sts:AssumeRole }
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement: [{ Effect: Allow, Action: '*', Resource: '*' }]
`),
    ).passes();
  });

  it('fails through aws_iam_policy_document and jsonencode (Terraform); passes data.aws_caller_identity', async () => {
    check(
      rule,
      await tf(`
data "aws_caller_identity" "current" {}
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}
resource "aws_iam_role" "a" {
  name               = "a"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}
resource "aws_iam_role" "positive2" {
  name = "b"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}
resource "aws_iam_role" "own" {
  name = "c"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::\${data.aws_caller_identity.current.account_id}:root" } }]
  })
}
`),
    )
      .fails({ resource: 'data.aws_iam_policy_document.assume', text: '"*"' })
      .fails({ resource: 'aws_iam_role.positive2', text: '"*"' })
      .passes('aws_iam_role.own')
      .count(2);
  });

  it('may fail on a Terraform variable account without default', async () => {
    check(
      rule,
      await tf(`
variable "trusted_account" {}
resource "aws_iam_role" "r" {
  name = "r"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::\${var.trusted_account}:root" } }]
  })
}
`),
    ).mayFail({ resource: 'aws_iam_role.r' });
  });
});
