import { strict as assert } from 'node:assert';
import rule from '../../../server/src/rules/iam-04';
import { cfnJsonPolicy, cfnYaml, check, tf } from '../../support/rule-tester';

describe('IAM-04 Resource "*" on actions with resource-level permissions', () => {
  it('is registered under its catalog ID', () => {
    assert.equal(rule.meta.id, 'IAM-04');
    assert.equal(rule.meta.category, 'iam');
  });

  it('fails sagemaker:CreateTrainingJob on "*", on the Resource element (CFN YAML)', () => {
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
                Action: [sagemaker:CreateTrainingJob, sagemaker:ListNotebookInstances]
                Resource: '*'
`),
    ).fails({ resource: 'Role', text: "'*'", data: { actions: ['sagemaker:CreateTrainingJob'], conditioned: false }, message: /sagemaker:CreateTrainingJob on Resource "\*"/ });
  });

  it('passes wildcard-only actions on "*" (sagemaker:ListNotebookInstances, ecr:GetAuthorizationToken)', () => {
    check(
      rule,
      cfnYaml(`
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: [sagemaker:ListNotebookInstances, ecr:GetAuthorizationToken, ec2messages:GetEndpoint]
            Resource: '*'
`),
    ).passes();
  });

  it('reports a statement with a Condition at low severity (CFN JSON)', () => {
    const c = check(
      rule,
      cfnJsonPolicy('WildcardResourcePolicy', [
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:Get*'],
          Resource: ['arn:aws:s3:::b/*', '*'],
          Condition: { StringEquals: { 'aws:ResourceAccount': '123456789012' } },
        },
      ]),
    ).fails({ resource: 'WildcardResourcePolicy', text: '"*"', data: { conditioned: true, actions: ['s3:GetObject', 's3:Get*'] } });
    assert.equal(c.findings[0].severity, 'low');
  });

  it('passes Deny statements, trust and key policies, and leaves Action "*" to IAM-01/IAM-02', () => {
    check(
      rule,
      cfnYaml(`
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - { Effect: Deny, Action: s3:DeleteBucket, Resource: '*' }
          - { Effect: Allow, Action: '*', Resource: '*' }
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Statement:
          - { Effect: Allow, Principal: { AWS: !GetAtt R.Arn }, Action: kms:Decrypt, Resource: '*' }
`),
    ).passes();
  });

  it('may fail when the action list comes from a parameter default', () => {
    check(
      rule,
      cfnYaml(`
Parameters:
  Acts: { Type: CommaDelimitedList, Default: 's3:PutObject,s3:ListAllMyBuckets' }
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement: [{ Effect: Allow, Action: !Ref Acts, Resource: '*' }]
`),
    ).mayFail({ resource: 'P', text: "'*'", data: { actions: ['s3:PutObject'] } });
  });

  it('fails data documents and jsonencode; passes scoped resources (Terraform)', async () => {
    check(
      rule,
      await tf(`
data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["s3:PutObject"]
    resources = ["*"]
  }
  statement {
    actions   = ["s3:ListAllMyBuckets"]
    resources = ["*"]
  }
}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = "{}"
  inline_policy {
    name   = "x"
    policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["kms:Decrypt"], Resource = "*" }] })
  }
}
resource "aws_iam_policy" "ok" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::b/*" }] })
}
`),
    )
      .fails({ resource: 'data.aws_iam_policy_document.d', text: '"*"', data: { statement: 0 } })
      .fails({ resource: 'aws_iam_role.r', text: '"*"', data: { actions: ['kms:Decrypt'] } })
      .count(2);
  });

  it('may fail when a Terraform variable default puts "*" in resources', async () => {
    check(
      rule,
      await tf(`
variable "bucket_arns" {
  type    = list(string)
  default = ["*"]
}
variable "scoped" {
  type = list(string)
}
data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["s3:GetObject"]
    resources = var.bucket_arns
  }
  statement {
    actions   = ["s3:PutObject"]
    resources = var.scoped
  }
}
`),
    )
      .mayFail({ resource: 'data.aws_iam_policy_document.d', text: 'var.bucket_arns', message: /var\.bucket_arns defaults to/ })
      .count(1);
  });
});
