/**
 * Incremental CloudFormation parsing (one `Resources` entry re-parsed and spliced in) gives the same unit and,
 * through the incremental engine, the same findings as a full parse, after each of many random edits (seeded).
 */
import assert from 'node:assert/strict';
import { parseCloudFormation } from '../../../server/src/parse/cloudformation';
import { IncrementalParser } from '../../../server/src/parse/incremental';
import { IncrementalEngine } from '../../../server/src/incremental-engine';
import { assertSameAnalysis, prng, randomEdit } from './support';

const FILE = '/work/incremental-test/template.yaml';

function group(i: number): string {
  return `  # --- group ${i}
  Key${i}:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:root'
            Action: 'kms:*'
            Resource: '*'

  Role${i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: sagemaker.amazonaws.com }
            Action: sts:AssumeRole
      Policies:
        - PolicyName: p${i}
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: ${i % 2 ? "'s3:*'" : '[s3:GetObject]'}
                Resource: '*'

  Notebook${i}:
    Type: AWS::SageMaker::NotebookInstance
    Condition: IsProd
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: !GetAtt Role${i}.Arn
      KmsKeyId: ${i % 2 ? `!Ref Key${i}` : '!If [IsProd, !Ref SharedKey, !Ref AWS::NoValue]'}
      DirectInternetAccess: ${i % 3 ? 'Disabled' : 'Enabled'}
      SubnetId: !Ref SubnetId
      Tags:
        - Key: team
          Value: ml # inline comment
`;
}

const BASE = `AWSTemplateFormatVersion: '2010-09-09'
Description: incremental test
Parameters:
  SubnetId:
    Type: AWS::EC2::Subnet::Id
    Default: subnet-0123456789abcdef0
  Env:
    Type: String
    AllowedValues: [dev, prod]
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  SharedKey:
    Type: AWS::KMS::Key
${[0, 1, 2, 3, 4].map(group).join('\n')}
Outputs:
  Out:
    Value: !Ref SharedKey
`;

describe('incremental CloudFormation parsing', function () {
  this.timeout(60000);

  it('equals a full parse after each of 400 random edits to a YAML template (seeded)', () => {
    const inc = new IncrementalParser();
    const engine = new IncrementalEngine();
    const rnd = prng(7031);
    let text = BASE;
    const started = Date.now();
    let edits = 0;
    for (; edits < 400 && Date.now() - started < 20000; edits++) {
      // letters mostly (typing), structure sometimes; back to the clean base now and then
      const r = rnd();
      text = r < 0.08 ? BASE : randomEdit(rnd, text, r < 0.7 ? 'abcxyz019' : 'a :-#\n\'"!{}[],');
      assertSameAnalysis(engine, FILE, inc.cloudFormation(FILE, text), parseCloudFormation(FILE, text), `after edit ${edits}`);
    }
    assert.ok(edits >= 50, `only ${edits} edits in the time box`);
    const s = inc.stats().cloudformation;
    assert.ok(s.incremental > 20, `spliced ${s.incremental} times`);
    assert.ok(engine.stats().incremental > 0, 'some analyses re-checked part of the unit');
  });

  it('splices an edit inside one resource, moves what follows when lines are added, and keeps other objects', () => {
    const inc = new IncrementalParser();
    const before = inc.cloudFormation(FILE, BASE)!;
    const edited = BASE.replace('      InstanceType: ml.t3.medium\n      RoleArn: !GetAtt Role2.Arn', '      InstanceType: ml.t3.large\n\n      RoleArn: !GetAtt Role2.Arn');
    const after = inc.cloudFormation(FILE, edited)!;
    assertSameAnalysis(new IncrementalEngine(), FILE, after, parseCloudFormation(FILE, edited), 'after the edit');
    assert.equal(inc.stats().cloudformation.incremental, 1);
    const i = after.resources.findIndex((r) => r.name === 'Notebook2');
    assert.equal(after.resources[i - 1], before.resources[i - 1], 'an entry before the edit is the same object');
    assert.equal(after.resources[i + 1].range.start.line, before.resources[i + 1].range.start.line + 1);
  });

  it('after a typo that breaks the template, the undo is spliced into the last readable version', () => {
    const inc = new IncrementalParser();
    const engine = new IncrementalEngine();
    const readable = inc.cloudFormation(FILE, BASE)!;
    engine.analyze(FILE, readable);
    const typo = BASE.replace('          - Effect: Allow\n            Principal: { Service', '          x- Effect: Allow\n            Principal: { Service');
    assert.notEqual(typo, BASE);
    const broken = inc.cloudFormation(FILE, typo)!;
    assert.ok(broken.issues.length > 0, 'the typo is a syntax error');
    assertSameAnalysis(engine, FILE, broken, parseCloudFormation(FILE, typo), 'with the typo');
    // typing on: the text differs from the readable version inside one other entry
    const fixed = BASE.replace('InstanceType: ml.t3.medium', 'InstanceType: ml.t3.mediu');
    const fixedUnit = inc.cloudFormation(FILE, fixed);
    assertSameAnalysis(engine, FILE, fixedUnit, parseCloudFormation(FILE, fixed), 'after another edit');
    assert.deepStrictEqual(inc.stats().cloudformation, { full: 2, incremental: 1 });
    assert.equal(engine.stats().incremental, 1, 'compared with the analysis before the typo');
    // a typo undone: the readable version itself, not parsed again
    const typo2 = fixed.replace('          - Effect: Allow\n            Principal: { Service', '          x- Effect: Allow\n            Principal: { Service');
    assert.ok(inc.cloudFormation(FILE, typo2)!.issues.length > 0);
    assert.equal(inc.cloudFormation(FILE, fixed), fixedUnit);
    assert.notEqual(fixedUnit, readable);
    assert.deepStrictEqual(inc.stats().cloudformation, { full: 3, incremental: 2 });
  });

  it('equals a full parse after random edits to a JSON template (always a full parse)', () => {
    const inc = new IncrementalParser();
    const engine = new IncrementalEngine();
    const json = JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: { Nb: { Type: 'AWS::SageMaker::NotebookInstance', Properties: { InstanceType: 'ml.t3.medium', RoleArn: { 'Fn::GetAtt': ['R', 'Arn'] } } }, R: { Type: 'AWS::IAM::Role', Properties: {} } } }, null, 2);
    const file = '/work/incremental-test/template.json';
    const rnd = prng(99);
    let text = json;
    for (let n = 0; n < 100; n++) {
      text = rnd() < 0.1 ? json : randomEdit(rnd, text, 'a1 :"{}[],\n');
      assertSameAnalysis(engine, file, inc.cloudFormation(file, text), parseCloudFormation(file, text), `after edit ${n}`);
    }
  });
});
