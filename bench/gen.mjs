/**
 * Deterministic corpus generator for the benchmark: realistic SageMaker CloudFormation (YAML, JSON) and
 * Terraform, at a target line count, and a mixed workspace of many small files. Same seed, same bytes.
 * Output goes to bench/corpora/ (git-ignored).
 */
import fs from 'node:fs';
import path from 'node:path';

/** mulberry32: a small seeded PRNG. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (rnd, xs) => xs[Math.floor(rnd() * xs.length)];
const INSTANCE = ['ml.t3.medium', 'ml.m5.large', 'ml.m5.xlarge', 'ml.c5.2xlarge', 'ml.g4dn.xlarge'];

// ---------------------------------------------------------------------------------------------------------------
// CloudFormation as a JS object (JSON output) and as YAML text with short-form tags

/** One "stack slice" of related resources, i = its number. Returns [logicalId, resourceObject] pairs. */
function cfnGroup(i, rnd) {
  const insecure = rnd() < 0.4;
  const key = `Key${i}`;
  const role = `Role${i}`;
  const out = [];
  out.push([key, { Type: 'AWS::KMS::Key', Properties: { Description: `Key ${i} for notebook storage`, EnableKeyRotation: true,
    KeyPolicy: { Version: '2012-10-17', Statement: [{ Sid: 'Root', Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' }] } } }]);
  out.push([role, { Type: 'AWS::IAM::Role', Properties: {
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    Policies: [{ PolicyName: `policy-${i}`, PolicyDocument: { Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Action: insecure ? 's3:*' : ['s3:GetObject', 's3:PutObject'], Resource: insecure ? '*' : `arn:aws:s3:::bucket-${i}/*` },
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/sagemaker/*` } },
    ] } }] } }]);
  const kind = i % 4;
  if (kind === 0 || kind === 2) {
    const props = { InstanceType: pick(rnd, INSTANCE), RoleArn: { 'Fn::GetAtt': [role, 'Arn'] } };
    if (!insecure) Object.assign(props, { KmsKeyId: { Ref: key }, DirectInternetAccess: 'Disabled', RootAccess: 'Disabled', SubnetId: { Ref: 'SubnetId' }, SecurityGroupIds: [{ Ref: 'SecurityGroupId' }] });
    else if (rnd() < 0.5) props.DirectInternetAccess = 'Enabled';
    out.push([`Notebook${i}`, { Type: 'AWS::SageMaker::NotebookInstance', Properties: props }]);
  } else if (kind === 1) {
    const props = { DomainName: `studio-${i}`, AuthMode: 'IAM', VpcId: { Ref: 'VpcId' }, SubnetIds: [{ Ref: 'SubnetId' }],
      DefaultUserSettings: { ExecutionRole: { 'Fn::GetAtt': [role, 'Arn'] } } };
    if (!insecure) Object.assign(props, { KmsKeyId: { Ref: key }, AppNetworkAccessType: 'VpcOnly' });
    out.push([`Domain${i}`, { Type: 'AWS::SageMaker::Domain', Properties: props }]);
  } else {
    out.push([`Model${i}`, { Type: 'AWS::SageMaker::Model', Properties: { ExecutionRoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
      PrimaryContainer: { Image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/model-${i}:1.0`, ModelDataUrl: `s3://models-${i}/model.tar.gz` } } }]);
    const cfg = { ProductionVariants: [{ VariantName: 'primary', ModelName: { 'Fn::GetAtt': [`Model${i}`, 'ModelName'] }, InitialInstanceCount: 1, InstanceType: pick(rnd, INSTANCE) }] };
    if (!insecure) cfg.KmsKeyId = { Ref: key };
    out.push([`EndpointConfig${i}`, { Type: 'AWS::SageMaker::EndpointConfig', Properties: cfg }]);
  }
  return out;
}

const PARAMETERS = {
  VpcId: { Type: 'AWS::EC2::VPC::Id', Description: 'VPC for notebooks', Default: 'vpc-0a1b2c3d4e5f60718' },
  SubnetId: { Type: 'AWS::EC2::Subnet::Id', Description: 'Private subnet', Default: 'subnet-0123456789abcdef0' },
  SecurityGroupId: { Type: 'AWS::EC2::SecurityGroup::Id', Description: 'Security group', Default: 'sg-0123456789abcdef0' },
  Environment: { Type: 'String', AllowedValues: ['dev', 'prod'], Default: 'dev' },
};

function cfnTemplate(groups, seed) {
  const rnd = prng(seed);
  const Resources = {};
  for (let i = 0; i < groups; i++) for (const [k, v] of cfnGroup(i, rnd)) Resources[k] = v;
  return { AWSTemplateFormatVersion: '2010-09-09', Description: 'Generated SageShield benchmark template', Parameters: PARAMETERS,
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Environment' }, 'prod'] } }, Resources };
}

/** YAML with short-form intrinsics (!Ref, !GetAtt, !Sub) and comments, the way people write templates. */
function toYaml(v, indent) {
  const pad = ' '.repeat(indent);
  if (v === null || typeof v !== 'object') return scalar(v);
  if (Array.isArray(v)) {
    return v.map((x) => {
      const s = toYamlBlock(x, indent + 2);
      return `\n${pad}- ${s.replace(/^\s+/, '')}`;
    }).join('');
  }
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === 'Ref') return `!Ref ${v.Ref}`;
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') return `!GetAtt ${v['Fn::GetAtt'].join('.')}`;
  if (keys.length === 1 && keys[0] === 'Fn::Sub') return `!Sub ${scalar(v['Fn::Sub'])}`;
  if (keys.length === 1 && keys[0] === 'Fn::Equals') return `!Equals [${v['Fn::Equals'].map((x) => toYaml(x, 0)).join(', ')}]`;
  return keys.map((k) => {
    const x = v[k];
    const s = toYaml(x, indent + 2);
    const nested = x !== null && typeof x === 'object' && !isIntrinsic(x);
    return `\n${pad}${k}:${nested ? '' : ' '}${s}`;
  }).join('');
}
function toYamlBlock(x, indent) {
  if (x !== null && typeof x === 'object' && !Array.isArray(x) && !isIntrinsic(x)) {
    // first key on the dash line
    return toYaml(x, indent).replace(/^\n\s*/, '');
  }
  return toYaml(x, indent);
}
function isIntrinsic(x) {
  if (Array.isArray(x)) return false;
  const k = Object.keys(x);
  return k.length === 1 && (k[0] === 'Ref' || k[0].startsWith('Fn::'));
}
function scalar(v) {
  if (typeof v === 'string') return /^[A-Za-z0-9][A-Za-z0-9 ._\/-]*$/.test(v) && !/^(true|false|yes|no|null|\d+(\.\d+)?|\d{4}-\d\d-\d\d)$/i.test(v) && !v.includes(': ') ? v : `'${v.replace(/'/g, "''")}'`;
  return String(v);
}

function yamlText(t) {
  let out = `AWSTemplateFormatVersion: '2010-09-09'\nDescription: ${t.Description}\n\nParameters:${toYaml(t.Parameters, 2)}\n\nConditions:${toYaml(t.Conditions, 2)}\n\nResources:`;
  let n = 0;
  for (const [k, v] of Object.entries(t.Resources)) {
    if (n++ % 6 === 0) out += `\n  # --- group ${n} ----------------------------------------------------------------`;
    out += `\n  ${k}:${toYaml(v, 4)}\n`;
  }
  return out + '\nOutputs:\n  FirstRole:\n    Value: !GetAtt Role0.Arn\n';
}

/** Grows the number of groups until the text reaches `lines` lines (approximately, from above). */
function sized(lines, make) {
  let groups = Math.max(1, Math.round(lines / 60));
  let text = make(groups);
  const count = (s) => s.split('\n').length;
  const per = count(text) / groups;
  groups = Math.max(1, Math.round(lines / per));
  text = make(groups);
  while (count(text) < lines) text = make(++groups);
  return text;
}

export function cfnYaml(lines, seed = 1) {
  return sized(lines, (g) => yamlText(cfnTemplate(g, seed)));
}

export function cfnJson(lines, seed = 2) {
  return sized(lines, (g) => JSON.stringify(cfnTemplate(g, seed), null, 2) + '\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Terraform

function tfGroup(i, rnd) {
  const insecure = rnd() < 0.4;
  const kind = i % 4;
  let s = `
resource "aws_kms_key" "k${i}" {
  description         = "Key ${i} for notebook storage"
  enable_key_rotation = true
  tags = {
    Name  = "k${i}"
    Owner = var.owner
  }
}

data "aws_iam_policy_document" "assume${i}" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "r${i}" {
  name               = "\${var.name}-role-${i}"
  assume_role_policy = data.aws_iam_policy_document.assume${i}.json
}

# Inline policy for role ${i}
resource "aws_iam_role_policy" "p${i}" {
  name = "policy-${i}"
  role = aws_iam_role.r${i}.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ${insecure ? '"s3:*"' : '["s3:GetObject", "s3:PutObject"]'}
        Resource = ${insecure ? '"*"' : `"arn:aws:s3:::bucket-${i}/*"`}
      },
    ]
  })
}
`;
  if (kind === 0 || kind === 2) {
    s += `
resource "aws_sagemaker_notebook_instance" "nb${i}" {
  name          = "\${var.name}-nb-${i}"
  instance_type = "${pick(rnd, INSTANCE)}"
  role_arn      = aws_iam_role.r${i}.arn
${insecure ? (rnd() < 0.5 ? '  direct_internet_access = "Enabled"\n' : '') : `  kms_key_id             = aws_kms_key.k${i}.arn
  direct_internet_access = "Disabled"
  root_access            = "Disabled"
  subnet_id              = var.subnet_id
  security_groups        = [var.security_group_id]
`}}
`;
  } else if (kind === 1) {
    s += `
resource "aws_sagemaker_domain" "d${i}" {
  domain_name = "\${var.name}-studio-${i}"
  auth_mode   = "IAM"
  vpc_id      = var.vpc_id
  subnet_ids  = [var.subnet_id]
${insecure ? '' : `  kms_key_id              = aws_kms_key.k${i}.arn
  app_network_access_type = "VpcOnly"
`}
  default_user_settings {
    execution_role = aws_iam_role.r${i}.arn
  }
}
`;
  } else {
    s += `
resource "aws_sagemaker_model" "m${i}" {
  name               = "\${var.name}-model-${i}"
  execution_role_arn = aws_iam_role.r${i}.arn

  primary_container {
    image          = "123456789012.dkr.ecr.us-east-1.amazonaws.com/model-${i}:1.0"
    model_data_url = "s3://models-${i}/model.tar.gz"
  }
}

resource "aws_sagemaker_endpoint_configuration" "ec${i}" {
  name = "\${var.name}-ec-${i}"
${insecure ? '' : `  kms_key_arn = aws_kms_key.k${i}.arn\n`}
  production_variants {
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.m${i}.name
    initial_instance_count = 1
    instance_type          = "${pick(rnd, INSTANCE)}"
  }
}
`;
  }
  return s;
}

const TF_HEAD = `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "name" {
  type    = string
  default = "bench"
}

variable "owner" {
  type    = string
  default = "ml-platform"
}

variable "vpc_id" {
  type = string
}

variable "subnet_id" {
  type = string
}

variable "security_group_id" {
  type = string
}

locals {
  common_tags = { Project = var.name }
}
`;

export function terraform(lines, seed = 3) {
  return sized(lines, (g) => {
    const rnd = prng(seed);
    let s = TF_HEAD;
    for (let i = 0; i < g; i++) s += tfGroup(i, rnd);
    return s;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Files on disk

/**
 * Writes the corpora under `dir` (bench/corpora) and returns their paths. The workspace: `files` files in
 * nested folders, a mix of YAML and JSON templates (40-150 lines), Terraform modules of 1-3 files, and
 * unrelated files (README, package.json, Python) the scanner must skip.
 */
export function writeCorpora(dir, { workspaceFiles = 1000, seed = 42 } = {}) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const out = {
    'cfn-yaml-2k': path.join(dir, 'cfn-2k.yaml'),
    'cfn-yaml-20k': path.join(dir, 'cfn-20k.yaml'),
    'cfn-json-2k': path.join(dir, 'cfn-2k.template.json'),
    'cfn-json-20k': path.join(dir, 'cfn-20k.template.json'),
    'tf-2k': path.join(dir, 'tf-2k', 'main.tf'),
    'tf-20k': path.join(dir, 'tf-20k', 'main.tf'),
  };
  fs.writeFileSync(out['cfn-yaml-2k'], cfnYaml(2000, seed + 1));
  fs.writeFileSync(out['cfn-yaml-20k'], cfnYaml(20000, seed + 2));
  fs.writeFileSync(out['cfn-json-2k'], cfnJson(2000, seed + 3));
  fs.writeFileSync(out['cfn-json-20k'], cfnJson(20000, seed + 4));
  for (const k of ['tf-2k', 'tf-20k']) fs.mkdirSync(path.dirname(out[k]), { recursive: true });
  fs.writeFileSync(out['tf-2k'], terraform(2000, seed + 5));
  fs.writeFileSync(out['tf-20k'], terraform(20000, seed + 6));

  const ws = path.join(dir, 'workspace');
  const rnd = prng(seed + 7);
  let written = 0;
  let lines = 0;
  let team = 0;
  while (written < workspaceFiles) {
    const folder = path.join(ws, `team-${team % 20}`, `service-${team}`);
    team++;
    fs.mkdirSync(folder, { recursive: true });
    const r = rnd();
    const put = (name, text) => {
      fs.writeFileSync(path.join(folder, name), text);
      written++;
      lines += text.split('\n').length;
    };
    if (r < 0.35) put('template.yaml', cfnYaml(40 + Math.floor(rnd() * 110), seed + team));
    else if (r < 0.5) put('stack.template.json', cfnJson(60 + Math.floor(rnd() * 120), seed + team));
    else if (r < 0.85) {
      const n = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < n && written < workspaceFiles; k++) put(k === 0 ? 'main.tf' : `part${k}.tf`, terraform(50 + Math.floor(rnd() * 120), seed + team * 7 + k));
    } else {
      const other = pick(rnd, ['README.md', 'package.json', 'train.py', 'config.yaml']);
      const text = other === 'README.md' ? `# Service ${team}\n\nNothing to see.\n` : other === 'package.json' ? `{"name": "svc-${team}", "version": "1.0.0"}\n`
        : other === 'train.py' ? `import sagemaker\n\nprint("train ${team}")\n` : `replicas: 3\nimage: svc-${team}\n`;
      put(other, text);
    }
  }
  return { files: out, workspace: ws, workspaceFiles: written, workspaceLines: lines };
}
