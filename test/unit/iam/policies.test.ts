import { strict as assert } from 'node:assert';
import { extractPolicies, type PolicyDocument, type Statement } from '../../../server/src/iam/policies';
import type { Unit, Value } from '../../../server/src/model/types';
import { cfnJson, cfnYaml, tf, underlined } from '../../support/rule-tester';

function text(u: Unit, v: Value): string {
  return underlined(u, v);
}

function lit(v: Value): unknown {
  return v.kind === 'scalar' ? v.value : v.kind;
}

function summary(docs: PolicyDocument[]): string[] {
  return docs.map((d) => `${d.kind} ${d.resource.address} ${d.path} ${d.statements.length}`);
}

function only(docs: PolicyDocument[], address: string, path?: string): PolicyDocument {
  const hit = docs.filter((d) => d.resource.address === address && (path === undefined || d.path === path));
  assert.equal(hit.length, 1, `one document at ${address} ${path ?? ''}; got ${summary(docs).join(' | ')}`);
  return hit[0];
}

function actions(st: Statement): unknown[] {
  return st.actions.map((a) => lit(a.value));
}

describe('iam/policies: CloudFormation', () => {
  const yaml = `
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service: sagemaker.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: one
          PolicyDocument:
            Statement:
              - Sid: First
                Action: s3:GetObject
                Resource: arn:aws:s3:::b/*
              - Effect: Deny
                Action: [s3:DeleteObject, s3:PutObject]
                NotResource: arn:aws:s3:::b/keep/*
        - PolicyName: two
          PolicyDocument:
            Statement:
              Effect: Allow
              NotAction: iam:*
              Resource: '*'
              Condition:
                StringEquals:
                  aws:RequestedRegion: [eu-west-1, eu-central-1]
  Pol:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Roles: [!Ref Role]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: '*'
            Resource: '*'
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: sagemaker:*
            Resource: '*'
  User:
    Type: AWS::IAM::User
    Properties:
      Policies:
        - PolicyName: u
          PolicyDocument: { Statement: [{ Effect: Allow, Action: ec2:*, Resource: '*' }] }
  Group:
    Type: AWS::IAM::Group
    Properties:
      Policies:
        - PolicyName: g
          PolicyDocument: { Statement: [{ Effect: Allow, Action: ec2:Describe*, Resource: '*' }] }
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub arn:aws:iam::\${AWS::AccountId}:root
            Action: kms:*
            Resource: '*'
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: b
      PolicyDocument:
        Statement:
          - Effect: Deny
            Principal: '*'
            Action: s3:*
            Resource: arn:aws:s3:::b/*
            Condition:
              Bool: { aws:SecureTransport: 'false' }
  Group2:
    Type: AWS::SageMaker::ModelPackageGroup
    Properties:
      ModelPackageGroupName: g
      ModelPackageGroupPolicy:
        Statement:
          - Effect: Allow
            Principal: { AWS: [arn:aws:iam::111122223333:root, '222233334444'] }
            Action: sagemaker:DescribeModelPackage
            Resource: '*'
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: !GetAtt Role.Arn
`;

  it('finds every document with its kind and path', () => {
    const u = cfnYaml(yaml);
    assert.deepEqual(summary(extractPolicies(u)), [
      'identity Role Policies[0].PolicyDocument 2',
      'identity Role Policies[1].PolicyDocument 1',
      'trust Role AssumeRolePolicyDocument 1',
      'identity Pol PolicyDocument 1',
      'identity Managed PolicyDocument 1',
      'identity User Policies[0].PolicyDocument 1',
      'identity Group Policies[0].PolicyDocument 1',
      'key Key KeyPolicy 1',
      'resource BucketPolicy PolicyDocument 1',
      'resource Group2 ModelPackageGroupPolicy 1',
    ]);
  });

  it('reads statements: effect default, sid, string-or-list elements with ranges, not-keys', () => {
    const u = cfnYaml(yaml);
    const docs = extractPolicies(u);
    const [s0, s1] = only(docs, 'Role', 'Policies[0].PolicyDocument').statements;
    assert.equal(s0.effect, 'Allow', 'a missing Effect counts as Allow');
    assert.equal(s0.sid, 'First');
    assert.deepEqual(actions(s0), ['s3:GetObject']);
    assert.equal(text(u, s0.actions[0].value), 's3:GetObject');
    assert.equal(text(u, s0.resources[0].value), 'arn:aws:s3:::b/*');
    assert.equal(s1.effect, 'Deny');
    assert.deepEqual(actions(s1), ['s3:DeleteObject', 's3:PutObject']);
    assert.equal(text(u, s1.actions[1].value), 's3:PutObject');
    assert.equal(s1.resources.length, 0);
    assert.equal(s1.notResources.length, 1);
    assert.equal(s1.has.resource, false);
    assert.equal(s1.has.notResource, true);
    assert.equal(s1.index, 1);
  });

  it('reads a single-map Statement, NotAction and Condition clauses', () => {
    const u = cfnYaml(yaml);
    const [st] = only(extractPolicies(u), 'Role', 'Policies[1].PolicyDocument').statements;
    assert.deepEqual(st.notActions.map((a) => lit(a.value)), ['iam:*']);
    assert.equal(st.actions.length, 0);
    assert.equal(st.conditions.length, 1);
    assert.equal(st.conditions[0].operator, 'StringEquals');
    assert.equal(st.conditions[0].key, 'aws:RequestedRegion');
    assert.deepEqual(st.conditions[0].values.map(lit), ['eu-west-1', 'eu-central-1']);
  });

  it('reads principals: service, account list, bare "*", Sub', () => {
    const u = cfnYaml(yaml);
    const docs = extractPolicies(u);
    const trust = only(docs, 'Role', 'AssumeRolePolicyDocument').statements[0];
    assert.deepEqual(trust.principals.map((p) => [p.type, lit(p.value)]), [['Service', 'sagemaker.amazonaws.com']]);
    const mpg = only(docs, 'Group2').statements[0];
    assert.deepEqual(mpg.principals.map((p) => [p.type, lit(p.value)]), [
      ['AWS', 'arn:aws:iam::111122223333:root'],
      ['AWS', '222233334444'],
    ]);
    const bucket = only(docs, 'BucketPolicy').statements[0];
    assert.deepEqual(bucket.principals.map((p) => [p.type, lit(p.value)]), [['*', '*']]);
    const key = only(docs, 'Key').statements[0];
    assert.equal(key.principals[0].value.kind, 'expr');
    assert.equal(text(u, key.principals[0].value), '!Sub arn:aws:iam::${AWS::AccountId}:root');
  });

  it('follows Fn::If in a Policies list, drops AWS::NoValue, and marks what the files leave open', () => {
    const u = cfnYaml(`
Parameters:
  Env: { Type: String }
Conditions:
  Big: !Equals [!Ref Env, prod]
  Never: !Equals [a, b]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: { Statement: [] }
      Policies:
        - !If
          - Big
          - PolicyName: big
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: !If [Big, '*', s3:GetObject]
                  Resource: '*'
          - !Ref AWS::NoValue
        - !If
          - Never
          - PolicyName: never
            PolicyDocument: { Statement: [{ Effect: Allow, Action: '*', Resource: '*' }] }
          - PolicyName: always
            PolicyDocument:
              Statement:
                - { Effect: Allow, Action: s3:GetObject, Resource: '*' }
                - !If [Big, { Effect: Allow, Action: s3:PutObject, Resource: '*' }, !Ref AWS::NoValue]
`);
    const docs = extractPolicies(u).filter((d) => d.kind === 'identity');
    assert.deepEqual(
      docs.map((d) => [d.path, d.conditional, d.statements.map((st) => st.conditional)]),
      [
        ['Policies[0].PolicyDocument', 'condition Big is true', [undefined]],
        ['Policies[1].PolicyDocument', undefined, [undefined, 'condition Big is true']],
      ],
    );
    // a conditional element stays one item: its condition is the rules' value resolution's business
    assert.deepEqual(actions(docs[0].statements[0]), ['if']);
  });

  it('reads JSON templates and policies written as JSON strings', () => {
    const doc = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }] });
    const u = cfnJson({
      Resources: {
        Pol: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: ['*'] }] } },
        },
        Mpg: { Type: 'AWS::SageMaker::ModelPackageGroup', Properties: { ModelPackageGroupName: 'g', ModelPackageGroupPolicy: doc } },
      },
    });
    const docs = extractPolicies(u);
    assert.deepEqual(summary(docs), ['identity Pol PolicyDocument 1', 'resource Mpg ModelPackageGroupPolicy 1']);
    assert.equal(text(u, docs[0].statements[0].actions[0].value), '"s3:*"');
    assert.deepEqual(actions(docs[1].statements[0]), ['iam:PassRole']);
  });

  it('ignores resources that hold no policy and documents without statements', () => {
    const u = cfnYaml(`
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: !Ref SomeParam
`);
    assert.deepEqual(extractPolicies(u), []);
  });
});

describe('iam/policies: Terraform', () => {
  const main = `
data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "perms" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]
  }
  statement {
    effect        = "Deny"
    not_actions   = ["s3:*"]
    not_resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "unused" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  inline_policy {
    name   = "a"
    policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
  }
  inline_policy {
    name   = "b"
    policy = data.aws_iam_policy_document.perms.json
  }
}

resource "aws_iam_role_policy" "rp" {
  role   = aws_iam_role.r.id
  policy = <<EOT
{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["iam:PassRole"], "Resource": "*" }
  ]
}
EOT
}

resource "aws_iam_policy" "p" {
  policy = "{\\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": \\"*\\", \\"Resource\\": \\"*\\"}]}"
}

resource "aws_iam_user_policy" "u" {
  user   = "u"
  policy = local.user_policy
}

resource "aws_iam_group_policy" "g" {
  group  = "g"
  policy = jsonencode({ Statement = { Effect = "Allow", Action = ["ec2:Describe*"], Resource = ["*"] } })
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

resource "aws_s3_bucket_policy" "bp" {
  bucket = "b"
  policy = jsonencode({
    Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "arn:aws:s3:::b/*" }]
  })
}

locals {
  user_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sagemaker:*", Resource = "*" }] })
}
`;

  it('finds every document with its kind and path; data documents once, with their users', async () => {
    const u = await tf(main);
    const docs = extractPolicies(u);
    assert.deepEqual(summary(docs), [
      'identity aws_iam_role.r inline_policy[0].policy 1',
      'identity aws_iam_role_policy.rp policy 1',
      'identity aws_iam_policy.p policy 1',
      'identity aws_iam_user_policy.u policy 1',
      'identity aws_iam_group_policy.g policy 1',
      'key aws_kms_key.k policy 1',
      'resource aws_s3_bucket_policy.bp policy 1',
      'trust data.aws_iam_policy_document.assume statement 1',
      'identity data.aws_iam_policy_document.perms statement 2',
      'identity data.aws_iam_policy_document.unused statement 1',
    ]);
    const assume = only(docs, 'data.aws_iam_policy_document.assume');
    assert.deepEqual(assume.usedBy.map((x) => [x.resource.address, x.path, x.kind]), [['aws_iam_role.r', 'assume_role_policy', 'trust']]);
    const perms = only(docs, 'data.aws_iam_policy_document.perms');
    assert.deepEqual(perms.usedBy.map((x) => [x.resource.address, x.path]), [['aws_iam_role.r', 'inline_policy[1].policy']]);
  });

  it('reads aws_iam_policy_document statement blocks', async () => {
    const u = await tf(main);
    const docs = extractPolicies(u);
    const [s0, s1] = only(docs, 'data.aws_iam_policy_document.perms').statements;
    assert.equal(s0.sid, 'Read');
    assert.equal(s0.effect, 'Allow', 'a missing effect counts as Allow');
    assert.deepEqual(actions(s0), ['s3:GetObject', 's3:ListBucket']);
    assert.equal(text(u, s0.resources[1].value), '"arn:aws:s3:::b/*"');
    assert.equal(s1.effect, 'Deny');
    assert.deepEqual(s1.notActions.map((a) => lit(a.value)), ['s3:*']);
    assert.deepEqual(s1.notResources.map((a) => lit(a.value)), ['*']);
    assert.deepEqual(
      s1.conditions.map((c) => [c.operator, c.key, c.values.map(lit)]),
      [['StringEquals', 'iam:PassedToService', ['sagemaker.amazonaws.com']]],
    );
    const trust = only(docs, 'data.aws_iam_policy_document.assume').statements[0];
    assert.deepEqual(trust.principals.map((p) => [p.type, lit(p.value)]), [['Service', 'sagemaker.amazonaws.com']]);
  });

  it('decodes heredoc JSON, JSON strings, jsonencode and locals with ranges into the file', async () => {
    const u = await tf(main);
    const docs = extractPolicies(u);
    const rp = only(docs, 'aws_iam_role_policy.rp').statements[0];
    assert.equal(text(u, rp.actions[0].value), '"iam:PassRole"');
    const p = only(docs, 'aws_iam_policy.p').statements[0];
    assert.deepEqual(actions(p), ['*']);
    const inline = only(docs, 'aws_iam_role.r', 'inline_policy[0].policy').statements[0];
    assert.equal(text(u, inline.actions[0].value), '"s3:*"');
    const user = only(docs, 'aws_iam_user_policy.u').statements[0];
    assert.deepEqual(actions(user), ['sagemaker:*']);
    assert.equal(text(u, user.actions[0].value), '"sagemaker:*"');
    const group = only(docs, 'aws_iam_group_policy.g').statements;
    assert.equal(group.length, 1, 'a single-map Statement');
    const key = only(docs, 'aws_kms_key.k').statements[0];
    assert.deepEqual(key.principals.map((x) => x.type), ['AWS']);
    assert.equal(key.principals[0].value.kind, 'expr');
    const bp = only(docs, 'aws_s3_bucket_policy.bp').statements[0];
    assert.deepEqual(bp.principals.map((x) => [x.type, lit(x.value)]), [['*', '*']]);
  });

  it('classifies an unused data document with principals as a trust or resource policy', async () => {
    const u = await tf(`
data "aws_iam_policy_document" "t" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }
}
data "aws_iam_policy_document" "r" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::b/*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}
`);
    assert.deepEqual(summary(extractPolicies(u)), ['trust data.aws_iam_policy_document.t statement 1', 'resource data.aws_iam_policy_document.r statement 1']);
  });

  it('extracts aws_sagemaker_model_package_group_policy and aws_kms_key_policy', async () => {
    const u = await tf(`
resource "aws_sagemaker_model_package_group_policy" "m" {
  model_package_group_name = "g"
  resource_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sagemaker:*", Resource = "*" }] })
}
resource "aws_kms_key_policy" "kp" {
  key_id = "k"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "kms:*", Resource = "*" }] })
}
`);
    assert.deepEqual(summary(extractPolicies(u)), [
      'resource aws_sagemaker_model_package_group_policy.m resource_policy 1',
      'key aws_kms_key_policy.kp policy 1',
    ]);
  });
});
