/**
 * The incremental engine re-checks only what an edit can affect, and its findings equal a full analysis,
 * including when the edit is in a resource that another resource's finding depends on.
 */
import assert from 'node:assert/strict';
import { analyzeUnit } from '../../../server/src/engine';
import { IncrementalEngine } from '../../../server/src/incremental-engine';
import { parseCloudFormation } from '../../../server/src/parse/cloudformation';
import { IncrementalParser } from '../../../server/src/parse/incremental';

const FILE = '/work/incremental-test/engine.yaml';

function template(notebooks: number, roleAction: string, rootAccess: string): string {
  let t = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: sagemaker.amazonaws.com }
            Action: sts:AssumeRole
  RolePolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Roles: [!Ref Role]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: '${roleAction}'
            Resource: '*'
`;
  for (let i = 0; i < notebooks; i++) {
    t += `  Nb${i}:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RootAccess: ${i === 0 ? rootAccess : 'Disabled'}
      DirectInternetAccess: Disabled
`;
  }
  return t;
}

const shape = (u: ReturnType<typeof analyzeUnit>) => u.findings.map((f) => `${f.ruleId} ${f.resource.address} ${f.range.start.line}:${f.range.start.character} ${f.message}`);

describe('incremental engine', () => {
  it('re-checks only the edited resource and its neighbours, with the same findings as a full run', () => {
    const parser = new IncrementalParser();
    const engine = new IncrementalEngine();
    const a = template(40, 's3:GetObject', 'Enabled');
    engine.analyze(FILE, parser.cloudFormation(FILE, a)!);
    // edit one notebook: only it is re-checked
    const b = template(40, 's3:GetObject', 'Disabled');
    const ub = parser.cloudFormation(FILE, b)!;
    const rb = engine.analyze(FILE, ub);
    assert.deepStrictEqual(shape(rb), shape(analyzeUnit(parseCloudFormation(FILE, b)!)));
    assert.equal(engine.stats().incremental, 1);
    assert.equal(engine.stats().lastChecked, 1);
    // edit the policy attached to the role: the policy and the role are re-checked, and the result is right
    const c = template(40, 's3:*', 'Disabled');
    const rc = engine.analyze(FILE, parser.cloudFormation(FILE, c)!);
    assert.deepStrictEqual(shape(rc), shape(analyzeUnit(parseCloudFormation(FILE, c)!)));
    assert.notDeepStrictEqual(shape(rc), shape(rb), 'the wildcard action is reported');
    assert.equal(engine.stats().incremental, 2);
    assert.ok(engine.stats().lastChecked >= 2 && engine.stats().lastChecked < 10, `checked ${engine.stats().lastChecked}`);
  });

  it('runs everything again when the options change', () => {
    const parser = new IncrementalParser();
    const engine = new IncrementalEngine();
    const u = parser.cloudFormation(FILE, template(3, 's3:*', 'Enabled'))!;
    engine.analyze(FILE, u);
    const r = engine.analyze(FILE, u, { disabledRules: ['SM-ROOT-01'] });
    assert.equal(engine.stats().full, 2);
    assert.deepStrictEqual(shape(r), shape(analyzeUnit(u, { disabledRules: ['SM-ROOT-01'] })));
  });
});
