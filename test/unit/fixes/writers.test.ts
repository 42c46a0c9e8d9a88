/** The per-format writers: exact output on small texts, and the result still parses without new issues. */
import { strict as assert } from 'node:assert';
import type { Unit } from '../../../server/src/model/types';
import { FixContext, addInputs, addResource, replaceItem, replaceValue, setProperty } from '../../../server/src/fixes/ops';
import { applyEdits } from '../../../server/src/fixes/text';
import type { TextEdit } from '../../../server/src/fixes/types';
import { str, input, attr, list, map } from '../../../server/src/fixes/types';
import { commentAbove } from '../../../server/src/fixes/yaml';
import { cfnJson, cfnYaml, tf } from '../../support/rule-tester';

function res(u: Unit, name: string) {
  const r = u.resources.find((x) => x.name === name || x.address === name);
  assert.ok(r, `no resource ${name}`);
  return r;
}

function apply(u: Unit, edits: TextEdit[], file = u.files[0].path): string {
  assert.ok(edits.length > 0, 'no edits');
  return applyEdits(
    u.files.find((f) => f.path === file)!.text,
    edits.filter((e) => e.file === file),
  );
}

function prop(u: Unit, r: string, key: string) {
  const e = res(u, r).properties.entries.find((x) => x.key === key);
  assert.ok(e, `no ${key}`);
  return e;
}

const YAML = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  # the notebook
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium   # small
      RoleArn: !GetAtt Role.Arn

  Bare:
    Type: AWS::SageMaker::NotebookInstance

  Flow:
    Type: AWS::SageMaker::NotebookInstance
    Properties: {InstanceType: ml.t3.medium}
`;

describe('fixes: YAML writer', () => {
  it('adds a property after the last one, with the siblings\' indentation', () => {
    const u = cfnYaml(YAML);
    const out = apply(u, setProperty(new FixContext(u), res(u, 'Nb'), 'RootAccess', str('Disabled')));
    assert.ok(out.includes("      RoleArn: !GetAtt Role.Arn\n      RootAccess: Disabled\n\n  Bare:"), out);
    assert.equal(cfnYaml(out).issues.length, 0);
  });
  it('replaces an existing value, tag included, and keeps the comment', () => {
    const u = cfnYaml(YAML);
    const out = apply(u, setProperty(new FixContext(u), res(u, 'Nb'), 'RoleArn', input('RoleParam')));
    assert.ok(out.includes('      RoleArn: !Ref RoleParam\n'), out);
    const out2 = apply(u, setProperty(new FixContext(u), res(u, 'Nb'), 'InstanceType', str('ml.t3.large')));
    assert.ok(out2.includes('      InstanceType: ml.t3.large   # small\n'), out2);
  });
  it('creates Properties on a resource without them', () => {
    const u = cfnYaml(YAML);
    const out = apply(u, setProperty(new FixContext(u), res(u, 'Bare'), 'KmsKeyId', attr('Key', 'Arn')));
    assert.ok(out.includes('    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      KmsKeyId: !GetAtt Key.Arn\n\n  Flow:'), out);
    assert.equal(cfnYaml(out).resources.find((r) => r.name === 'Bare')!.properties.entries[0].key, 'KmsKeyId');
  });
  it('fills an empty Properties:', () => {
    const u = cfnYaml(`Resources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n  Other:\n    Type: AWS::S3::Bucket\n`);
    const out = apply(u, setProperty(new FixContext(u), res(u, 'Nb'), 'RootAccess', str('Disabled')));
    assert.equal(out, `Resources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      RootAccess: Disabled\n  Other:\n    Type: AWS::S3::Bucket\n`);
  });
  it('adds to a flow mapping in flow style', () => {
    const u = cfnYaml(YAML);
    const out = apply(u, setProperty(new FixContext(u), res(u, 'Flow'), 'SecurityGroupIds', list(input('Sg'))));
    assert.ok(out.includes('    Properties: {InstanceType: ml.t3.medium, SecurityGroupIds: [!Ref Sg]}\n'), out);
  });
  it('writes block lists in the file\'s sequence style', () => {
    const u = cfnYaml(YAML);
    const out = apply(u, setProperty(new FixContext(u), res(u, 'Nb'), 'SecurityGroupIds', list(input('A'), input('B'))));
    assert.ok(out.includes('      SecurityGroupIds:\n        - !Ref A\n        - !Ref B\n'), out);
    const y2 = YAML.replace('RoleArn: !GetAtt Role.Arn', 'RoleArn: !GetAtt Role.Arn\n      Tags:\n      - Key: a\n        Value: b');
    const u2 = cfnYaml(y2);
    const out2 = apply(u2, setProperty(new FixContext(u2), res(u2, 'Nb'), 'SecurityGroupIds', list(input('A'))));
    assert.ok(out2.includes('      SecurityGroupIds:\n      - !Ref A\n'), out2);
  });
  it('creates Parameters before Resources, and appends to an existing section', () => {
    const u = cfnYaml(YAML);
    const r = addInputs(new FixContext(u), [{ name: 'SubnetId', description: 'Subnet', cfnType: 'AWS::EC2::Subnet::Id', tfType: 'string' }], res(u, 'Nb'));
    const out = apply(u, r.edits);
    assert.ok(out.startsWith("AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  SubnetId:\n    Type: AWS::EC2::Subnet::Id\n    Description: Subnet\nResources:\n"), out);
    const u2 = cfnYaml(out);
    const r2 = addInputs(new FixContext(u2), [{ name: 'SubnetId', description: 'Subnet', cfnType: 'AWS::EC2::Subnet::Id', tfType: 'string' }], res(u2, 'Nb'));
    assert.deepEqual(r2.names, ['SubnetId2']);
    const out2 = apply(u2, r2.edits);
    assert.ok(out2.includes('    Description: Subnet\n  SubnetId2:\n    Type: AWS::EC2::Subnet::Id\n'), out2);
    assert.equal(cfnYaml(out2).inputs.size, 2);
  });
  it('adds a resource right after the one it serves, blank-line separated like its neighbours', () => {
    const u = cfnYaml(YAML);
    const r = addResource(
      new FixContext(u),
      { cfnName: 'Nb', tfName: 'x', cfnType: 'AWS::KMS::Key', tfType: 'aws_kms_key', cfn: () => [['EnableKeyRotation', { kind: 'bool', value: true }]], tf: () => [] },
      res(u, 'Nb'),
    );
    assert.equal(r.name, 'Nb2');
    const out = apply(u, r.edits);
    assert.ok(out.includes('RoleArn: !GetAtt Role.Arn\n\n  Nb2:\n    Type: AWS::KMS::Key\n    Properties:\n      EnableKeyRotation: true\n\n  Bare:'), out);
    assert.equal(cfnYaml(out).resources.length, 4);
  });
  it('replaces a list item with several, block and flow', () => {
    const t = `Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action:\n              - '*'\n            Resource: ['*']\n`;
    const u = cfnYaml(t);
    const doc = (prop(u, 'P', 'PolicyDocument').value as any).entries[0].value.items[0];
    const action = doc.entries.find((e: any) => e.key === 'Action').value.items[0];
    const resource = doc.entries.find((e: any) => e.key === 'Resource').value.items[0];
    const ctx = new FixContext(u);
    const out = apply(u, [...replaceItem(ctx, action, [str('s3:GetObject'), str('s3:ListBucket')]), ...replaceItem(ctx, resource, [str('arn:aws:s3:::b'), str('arn:aws:s3:::b/*')])]);
    assert.ok(out.includes("            Action:\n              - s3:GetObject\n              - s3:ListBucket\n            Resource: [arn:aws:s3:::b, arn:aws:s3:::b/*]\n"), out);
    assert.equal(cfnYaml(out).issues.length, 0);
  });
  it('replaces a scalar with a block list from the colon', () => {
    const t = `Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: '*'\n            Resource: '*'\n`;
    const u = cfnYaml(t);
    const st = (prop(u, 'P', 'PolicyDocument').value as any).entries[0].value.items[0];
    const e = st.entries.find((x: any) => x.key === 'Action');
    const ctx = new FixContext(u);
    const { yamlReplaceEntryValue } = require('../../../server/src/fixes/yaml');
    const out = apply(u, yamlReplaceEntryValue(ctx.doc(u.files[0].path)!, e, list(str('s3:GetObject'), str('s3:PutObject'))));
    assert.ok(out.includes('            Action:\n              - s3:GetObject\n              - s3:PutObject\n            Resource'), out);
    assert.equal(cfnYaml(out).issues.length, 0);
  });
  it('adds a comment above a key with its indentation', () => {
    const u = cfnYaml(YAML);
    const ctx = new FixContext(u);
    const c = commentAbove(ctx.doc(u.files[0].path)!, res(u, 'Nb').nameRange.start.line, 'sageshield:ignore SM-KMS-01 reason');
    const out = apply(u, [c.edit]);
    assert.ok(out.includes('  # the notebook\n  # sageshield:ignore SM-KMS-01 reason\n  Nb:\n'), out);
    assert.deepEqual(c.start, { line: 3, character: 4 });
  });
  it('follows a file written with long-form intrinsics, double quotes and CRLF', () => {
    const t = `Resources:\r\n  Nb:\r\n    Type: "AWS::SageMaker::NotebookInstance"\r\n    Properties:\r\n      RoleArn:\r\n        Fn::GetAtt: [Role, Arn]\r\n      Name: "x"\r\n`;
    const u = cfnYaml(t);
    const ctx = new FixContext(u);
    const out = apply(u, [...setProperty(ctx, res(u, 'Nb'), 'KmsKeyId', input('Key')), ...setProperty(ctx, res(u, 'Nb'), 'DirectInternetAccess', str('*'))]);
    assert.ok(out.includes('      Name: "x"\r\n      KmsKeyId:\r\n        Ref: Key\r\n      DirectInternetAccess: "*"\r\n'), JSON.stringify(out));
    assert.ok(!/[^\r]\n/.test(out), 'only CRLF line breaks');
  });
});

const JSON_TEXT = `{
    "Resources": {
        "Nb": {
            "Type": "AWS::SageMaker::NotebookInstance",
            "Properties": {
                "InstanceType": "ml.t3.medium", "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]}
            }
        },
        "Bare": {
            "Type": "AWS::SageMaker::NotebookInstance"
        }
    }
}
`;

describe('fixes: JSON writer', () => {
  it('adds a property with the file\'s 4-space indentation, leaving compact siblings as written', () => {
    const u = cfnJson(JSON_TEXT);
    const out = apply(u, setProperty(new FixContext(u), res(u, 'Nb'), 'KmsKeyId', attr('Key', 'Arn')));
    assert.ok(out.includes('"RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},\n                "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}\n            }'), out);
    assert.deepEqual(JSON.parse(out).Resources.Nb.Properties.KmsKeyId, { 'Fn::GetAtt': ['Key', 'Arn'] });
  });
  it('writes intrinsics expanded in a file that expands them (CDK output)', () => {
    const t = JSON.stringify({ Resources: { Nb: { Type: 'AWS::SageMaker::NotebookInstance', Properties: { RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] } } } } }, null, 1);
    const u = cfnJson(t);
    const out = apply(u, setProperty(new FixContext(u), res(u, 'Nb'), 'KmsKeyId', input('Key')));
    assert.ok(out.includes('    },\n    "KmsKeyId": {\n     "Ref": "Key"\n    }\n   }'), out);
  });
  it('creates Properties, and tabs + CRLF are kept', () => {
    const t = JSON_TEXT.replace(/ {4}/g, '\t').replace(/\n/g, '\r\n');
    const u = cfnJson(t);
    const out = apply(u, setProperty(new FixContext(u), res(u, 'Bare'), 'RootAccess', str('Disabled')));
    assert.ok(out.includes('"Type": "AWS::SageMaker::NotebookInstance",\r\n\t\t\t"Properties": {\r\n\t\t\t\t"RootAccess": "Disabled"\r\n\t\t\t}\r\n'), JSON.stringify(out));
    assert.equal(JSON.parse(out).Resources.Bare.Properties.RootAccess, 'Disabled');
  });
  it('creates Parameters before Resources', () => {
    const u = cfnJson(JSON_TEXT);
    const r = addInputs(new FixContext(u), [{ name: 'KmsKeyArn', description: 'Key', cfnType: 'String', tfType: 'string' }], res(u, 'Nb'));
    const out = apply(u, r.edits);
    assert.ok(out.startsWith('{\n    "Parameters": {\n        "KmsKeyArn": {\n            "Type": "String",\n'), out);
    assert.equal(JSON.parse(out).Parameters.KmsKeyArn.Type, 'String');
  });
  it('replaces an array item and a value', () => {
    const t = JSON.stringify({ Resources: { P: { Type: 'AWS::IAM::Policy', Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['*'], Resource: '*' }] } } } } }, null, 2);
    const u = cfnJson(t);
    const st = (prop(u, 'P', 'PolicyDocument').value as any).entries[0].value.items[0];
    const ctx = new FixContext(u);
    const out = apply(u, [
      ...replaceItem(ctx, st.entries[1].value.items[0], [str('s3:GetObject'), str('s3:ListBucket')]),
      ...replaceValue(ctx, st.entries[2].value, str('arn:aws:s3:::b')),
    ]);
    const j = JSON.parse(out).Resources.P.Properties.PolicyDocument.Statement[0];
    assert.deepEqual(j.Action, ['s3:GetObject', 's3:ListBucket']);
    assert.equal(j.Resource, 'arn:aws:s3:::b');
    assert.ok(out.includes('              "Action": [\n                "s3:GetObject",\n                "s3:ListBucket"\n              ],'), out);
  });
});

const TF = `resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "research"
  role_arn      = aws_iam_role.r.arn
  instance_type = "ml.t3.medium"

  tags = {
    team = "ml"
  }
}
`;

describe('fixes: HCL writer', () => {
  it('inserts an attribute aligned with its run, realigning the run when the new name is longer', async () => {
    const u = await tf(TF.replace('\n\n  tags = {\n    team = "ml"\n  }\n', '\n'));
    const out = apply(u, setProperty(new FixContext(u), res(u, 'aws_sagemaker_notebook_instance.nb'), 'direct_internet_access', str('Disabled')));
    assert.equal(
      out,
      'resource "aws_sagemaker_notebook_instance" "nb" {\n  name                   = "research"\n  role_arn               = aws_iam_role.r.arn\n  instance_type          = "ml.t3.medium"\n  direct_internet_access = "Disabled"\n}\n',
    );
    const u2 = await tf(TF.replace('\n\n  tags = {\n    team = "ml"\n  }\n', '\n'));
    const out2 = apply(u2, setProperty(new FixContext(u2), res(u2, 'aws_sagemaker_notebook_instance.nb'), 'kms_key_id', attr('aws_kms_key.k', 'arn')));
    assert.ok(out2.includes('  instance_type = "ml.t3.medium"\n  kms_key_id    = aws_kms_key.k.arn\n}'), out2);
  });
  it('inserts after a multi-line attribute without touching it', async () => {
    const u = await tf(TF);
    const out = apply(u, setProperty(new FixContext(u), res(u, 'aws_sagemaker_notebook_instance.nb'), 'root_access', str('Disabled')));
    assert.ok(out.endsWith('    team = "ml"\n  }\n  root_access = "Disabled"\n}\n'), out);
    assert.equal((await tf(out)).issues.length, 0);
  });
  it('replaces a value, and adds variables to variables.tf', async () => {
    const u = await tf({ 'main.tf': TF, 'variables.tf': 'variable "subnet_id" {\n  type = string\n}\n' });
    const ctx = new FixContext(u);
    const out = apply(u, setProperty(ctx, res(u, 'aws_sagemaker_notebook_instance.nb'), 'instance_type', input('itype')));
    assert.ok(out.includes('  instance_type = var.itype\n'), out);
    const r = addInputs(ctx, [{ name: 'SubnetId', description: 'Subnet of the notebook.', cfnType: 'x', tfType: 'string' }], res(u, 'aws_sagemaker_notebook_instance.nb'));
    assert.deepEqual(r.names, ['subnet_id_2']);
    const vars = u.files.find((f) => f.path.endsWith('variables.tf'))!.path;
    const out2 = apply(u, r.edits, vars);
    assert.equal(out2, 'variable "subnet_id" {\n  type = string\n}\n\nvariable "subnet_id_2" {\n  description = "Subnet of the notebook."\n  type        = string\n}\n');
  });
  it('replaces a list item with several in a one-line list', async () => {
    const u = await tf('data "aws_iam_policy_document" "d" {\n  statement {\n    actions   = ["*"]\n    resources = ["*"]\n  }\n}\n');
    const st = res(u, 'data.aws_iam_policy_document.d').properties.entries[0].value as any;
    const item = st.entries[0].value.items[0];
    const out = apply(u, replaceItem(new FixContext(u), item, [str('s3:GetObject'), str('s3:ListBucket')]));
    assert.ok(out.includes('    actions   = ["s3:GetObject", "s3:ListBucket"]\n'), out);
  });
  it('adds a resource block right after the one it serves', async () => {
    const u = await tf(TF + '\nresource "aws_s3_bucket" "b" {}\n');
    const r = addResource(
      new FixContext(u),
      { cfnName: 'K', tfName: 'nb', cfnType: 'AWS::KMS::Key', tfType: 'aws_kms_key', cfn: () => [], tf: () => [['enable_key_rotation', { kind: 'bool', value: true }], ['description', str('Key')]] },
      res(u, 'aws_sagemaker_notebook_instance.nb'),
    );
    const out = apply(u, r.edits);
    assert.ok(out.includes('  }\n}\n\nresource "aws_kms_key" "nb" {\n  enable_key_rotation = true\n  description         = "Key"\n}\n\nresource "aws_s3_bucket"'), out);
    assert.equal((await tf(out)).resources.length, 3);
  });
});

void map;
