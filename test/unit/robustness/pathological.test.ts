/**
 * Hostile inputs generated at test time (never committed): a YAML alias bomb ("billion laughs"), documents nested
 * thousands of levels deep in YAML, JSON and HCL, and long lines. Each must finish quickly, without exhausting
 * memory or the stack, and the resources around the damage must still be checked.
 */
import { strict as assert } from 'node:assert';
import { performance } from 'node:perf_hooks';
import { analyseFiles, assertRangesInside, ensureTerraform } from './harness';

const F = '/virtual/robustness';
const BOUND_MS = 5000;

function heapMb(): number {
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

/** Analyses one generated file, checks time, memory, ranges; returns the outcome. */
function run(format: 'cloudformation' | 'terraform', file: string, text: string) {
  const root = format === 'terraform' ? F : file;
  const files = [{ path: file, text }];
  const heap0 = heapMb();
  const t0 = performance.now();
  const out = analyseFiles(format, root, files);
  const ms = performance.now() - t0;
  const grown = heapMb() - heap0;
  console.log(`      ${file.split('/').pop()}: ${text.length} chars, ${ms.toFixed(0)} ms, heap +${grown.toFixed(0)} MB, ` +
    `${out.findings.length} findings, issues: ${JSON.stringify(out.issues.slice(0, 2).map((i) => i.message))}, rule errors: ${JSON.stringify(out.ruleErrors)}`);
  assert.ok(ms < BOUND_MS, `${file}: ${ms.toFixed(0)} ms`);
  assert.ok(grown < 300, `${file}: heap grew by ${grown.toFixed(0)} MB`);
  assertRangesInside(out, files);
  // Reported cleanly: a message for the user, not an internal error.
  for (const i of out.issues) assert.doesNotMatch(i.message, /call stack|internal error/i, `${file}: issue "${i.message}"`);
  return out;
}

const NOTEBOOK_YAML = `  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::123456789012:role/r
`;

describe('robustness: alias bombs, deep nesting, long lines', function () {
  this.timeout(60000);
  before(() => ensureTerraform());

  it('a YAML alias bomb (billion laughs, 9^9 leaves) in tags and in an IAM policy finishes fast and small', () => {
    let bomb = '  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i <= 8; i++) bomb += `  l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(',')}]\n`;
    const text = `AWSTemplateFormatVersion: '2010-09-09'
Metadata:
${bomb}Resources:
${NOTEBOOK_YAML}      Tags: *l8
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: *l8
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: *l8
                Resource: *l8
`;
    const out = run('cloudformation', `${F}/bomb.yaml`, text);
    assert.ok(out.unit?.resources.some((r) => r.name === 'Notebook'), 'the notebook is still read');
    assert.ok(out.findings.some((f) => f.ruleId === 'SM-KMS-01' && f.resource.name === 'Notebook'), 'and checked');
  });

  it('a self-referencing YAML alias (a merge key into its own map) terminates', () => {
    const text = `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n${NOTEBOOK_YAML}      Tags: &t\n        - Key: k\n          Value: *t\n        - <<: *t\n`;
    const out = run('cloudformation', `${F}/self-alias.yaml`, text);
    assert.ok(out.findings.some((f) => f.ruleId === 'SM-KMS-01'));
  });

  const DEPTH = 5000;

  it(`YAML flow collections nested ${DEPTH} deep: no stack overflow, the notebook is still checked`, () => {
    const text = `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n${NOTEBOOK_YAML}      Tags: ${'['.repeat(DEPTH)}x${']'.repeat(DEPTH)}\n  Deep:\n    Type: AWS::S3::Bucket\n    Properties: ${'{a: '.repeat(DEPTH)}1${'}'.repeat(DEPTH)}\n`;
    const out = run('cloudformation', `${F}/deep.yaml`, text);
    assert.ok(out.findings.some((f) => f.ruleId === 'SM-KMS-01' && f.resource.name === 'Notebook'), JSON.stringify(out.issues.slice(0, 3)));
  });

  it(`YAML block mappings nested 400 deep (indentation grows quadratically)`, () => {
    let deep = '';
    for (let i = 0; i < 400; i++) deep += `${' '.repeat(6 + i)}k${i}:\n`;
    const text = `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n${NOTEBOOK_YAML}      Tags:\n${deep}${' '.repeat(406)}v\n`;
    const out = run('cloudformation', `${F}/deep-block.yaml`, text);
    assert.ok(out.findings.some((f) => f.ruleId === 'SM-KMS-01' && f.resource.name === 'Notebook'));
  });

  it(`JSON nested ${DEPTH} deep: no stack overflow, the notebook is still checked`, () => {
    const deep = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;
    const list = `${'['.repeat(DEPTH)}1${']'.repeat(DEPTH)}`;
    const text = `{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
  "Notebook": {"Type": "AWS::SageMaker::NotebookInstance", "Properties": {"InstanceType": "ml.t3.medium", "RoleArn": "arn:aws:iam::123456789012:role/r", "Tags": ${list}}},
  "Deep": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": ${deep}, "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": ${list}}}]}}
}}\n`;
    const out = run('cloudformation', `${F}/deep.json`, text);
    assert.ok(out.findings.some((f) => f.ruleId === 'SM-KMS-01' && f.resource.name === 'Notebook'), JSON.stringify(out.issues.slice(0, 3)));
  });

  it(`HCL nested ${DEPTH} deep (tuples, objects, parentheses, blocks): no stack overflow, the notebook is still checked`, () => {
    const constructs: Record<string, string> = {
      tuple: `tags = { a = ${'['.repeat(DEPTH)}1${']'.repeat(DEPTH)} }`,
      object: `tags = { a = ${'{ a = '.repeat(DEPTH)}1${' }'.repeat(DEPTH)} }`,
      parentheses: `tags = { a = ${'('.repeat(DEPTH)}1${')'.repeat(DEPTH)} }`,
      blocks: `${'b {\n'.repeat(DEPTH)}${'}\n'.repeat(DEPTH)}`,
      jsonencode: `tags = { a = jsonencode({ Statement = ${'['.repeat(DEPTH)}1${']'.repeat(DEPTH)} }) }`,
    };
    const failures: string[] = [];
    for (const [name, body] of Object.entries(constructs)) {
      const text = `resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "x"
  instance_type = "ml.t3.medium"
  role_arn      = "arn:aws:iam::123456789012:role/r"
  ${body}
}
`;
      try {
        const out = run('terraform', `${F}/main.tf`, text);
        assert.ok(out.findings.some((f) => f.ruleId === 'SM-KMS-01' && f.resource.address === 'aws_sagemaker_notebook_instance.nb'), 'the notebook is not checked');
      } catch (e) {
        failures.push(`${name}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('a 1 MB single-line value and 20,000 short lines finish within the bound', () => {
    const long = `AWSTemplateFormatVersion: '2010-09-09'\nDescription: ${'x'.repeat(1_000_000)}\nResources:\n${NOTEBOOK_YAML}`;
    assert.ok(run('cloudformation', `${F}/long-line.yaml`, long).findings.some((f) => f.ruleId === 'SM-KMS-01'));
    const many = `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n${NOTEBOOK_YAML}${'# comment\n'.repeat(20000)}`;
    assert.ok(run('cloudformation', `${F}/many-lines.yaml`, many).findings.some((f) => f.ruleId === 'SM-KMS-01'));
  });
});
