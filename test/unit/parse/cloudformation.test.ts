import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCloudFormationTemplate, parseCloudFormation } from '../../../server/src/parse/cloudformation';
import { LineIndex } from '../../../server/src/parse/lines';
import smRoot01 from '../../../server/src/rules/sm-root-01';
import { cfnJson, cfnYaml, check } from '../../support/rule-tester';
import type { ExprValue, IfValue, MapValue, Range, RefValue, Resource, Unit, Value } from '../../../server/src/model/types';

const FIX = path.join(__dirname, '..', '..', 'fixtures', 'cfn');

function fixture(name: string): { file: string; text: string } {
  const file = path.join(FIX, name);
  return { file, text: fs.readFileSync(file, 'utf8') };
}

function parse(text: string, file = '/w/template.yaml'): Unit {
  const unit = parseCloudFormation(file, text);
  assert.ok(unit, 'expected a template');
  return unit;
}

/** The source text a range covers. */
function textOf(text: string, range: Range): string {
  const li = new LineIndex(text);
  return text.slice(li.offset(range.start), li.offset(range.end));
}

function resource(unit: Unit, name: string): Resource {
  const r = unit.resources.find((x) => x.name === name);
  assert.ok(r, `resource ${name} not found; have ${unit.resources.map((x) => x.name).join(', ')}`);
  return r;
}

function get(map: MapValue, key: string): Value {
  const e = map.entries.find((x) => x.key === key);
  assert.ok(e, `key ${key} not found; have ${map.entries.map((x) => x.key).join(', ')}`);
  return e.value;
}

function as<K extends Value['kind']>(v: Value, kind: K): Extract<Value, { kind: K }> {
  assert.equal(v.kind, kind, `expected ${kind}, got ${JSON.stringify(v).slice(0, 300)}`);
  return v as Extract<Value, { kind: K }>;
}

/** A YAML template with one resource `R` whose Properties are `body` (lines indented by 6 spaces). */
function yamlProps(body: string, head = ''): { text: string; unit: Unit; p: (k: string) => Value } {
  const text =
    `AWSTemplateFormatVersion: "2010-09-09"\n${head}Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n` +
    body
      .split('\n')
      .map((l) => (l ? `      ${l}` : l))
      .join('\n') +
    '\n';
  const unit = parse(text);
  return { text, unit, p: (k: string) => get(resource(unit, 'R').properties, k) };
}

const PARAMS = 'Parameters:\n  Key:\n    Type: String\n';

describe('CloudFormation parser', () => {
  describe('template detection', () => {
    it('recognises templates by AWSTemplateFormatVersion or Resources with AWS::/Alexa::/Custom:: types', () => {
      assert.equal(isCloudFormationTemplate('/a/t.yaml', 'AWSTemplateFormatVersion: "2010-09-09"\n'), true);
      assert.equal(isCloudFormationTemplate('/a/t.yml', 'Resources:\n  B:\n    Type: AWS::S3::Bucket\n'), true);
      assert.equal(isCloudFormationTemplate('/a/t.json', '{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}'), true);
      assert.equal(isCloudFormationTemplate('/a/t.template', 'Resources:\n  C:\n    Type: Custom::Thing\n'), true);
      assert.equal(isCloudFormationTemplate('/a/skill.json', '{"Resources": {"S": {"Type": "Alexa::ASK::Skill"}}}'), true);
      assert.ok(parseCloudFormation('/a/t.yml', 'Resources:\n  B:\n    Type: AWS::S3::Bucket\n'));
      assert.ok(parseCloudFormation('/a/t.template', 'Resources:\n  C:\n    Type: Custom::Thing\n'));
    });

    it('leaves docker-compose-like YAML alone', () => {
      const compose = 'version: "3.8"\nservices:\n  web:\n    image: nginx\n    ports: ["80:80"]\n';
      assert.equal(isCloudFormationTemplate('/a/docker-compose.yml', compose), false);
      assert.equal(parseCloudFormation('/a/docker-compose.yml', compose), undefined);
    });

    it('leaves package.json-like JSON alone', () => {
      const pkg = '{"name": "x", "version": "1.0.0", "scripts": {"test": "mocha"}, "dependencies": {"yaml": "2.9.1"}}';
      assert.equal(isCloudFormationTemplate('/a/package.json', pkg), false);
      assert.equal(parseCloudFormation('/a/package.json', pkg), undefined);
    });

    it('returns undefined when the words appear but the parsed root is not a template', () => {
      // mentions both words, but Resources is not a map of typed resources
      const text = 'kind: Config\nResources:\n  - name: x\n    Type: AWS::S3::Bucket\n';
      assert.equal(isCloudFormationTemplate('/a/x.yaml', text), true);
      assert.equal(parseCloudFormation('/a/x.yaml', text), undefined);
      // documentation and code files are never templates
      assert.equal(isCloudFormationTemplate('/a/README.md', 'AWSTemplateFormatVersion: "2010-09-09"\n'), false);
      assert.equal(isCloudFormationTemplate('/a/main.tf', 'Resources = "AWS::S3::Bucket" # AWSTemplateFormatVersion'), false);
    });
  });

  describe('short-form tags', () => {
    it('!Ref resolves parameters, pseudo parameters and resources, ranged on the whole tag', () => {
      const { text, p } = yamlProps('A: !Ref Key\nB: !Ref AWS::Region\nC: !Ref AWS::NoValue\nD: !Ref Other', PARAMS);
      const a = as(p('A'), 'ref');
      assert.deepEqual(a.target, { type: 'input', name: 'Key' });
      assert.equal(a.text, '!Ref Key');
      assert.equal(textOf(text, a.range), '!Ref Key');
      assert.deepEqual(as(p('B'), 'ref').target, { type: 'pseudo', name: 'AWS::Region' });
      assert.deepEqual(as(p('C'), 'ref').target, { type: 'pseudo', name: 'AWS::NoValue' });
      const d = as(p('D'), 'ref');
      assert.deepEqual(d.target, { type: 'resource', address: 'Other' });
      assert.equal(textOf(text, d.range), '!Ref Other');
    });

    it('!GetAtt in scalar (A.B, A.B.C) and sequence form', () => {
      const { text, p } = yamlProps('A: !GetAtt Role.Arn\nB: !GetAtt [Role, Arn]\nC: !GetAtt Db.Endpoint.Address\nD: !GetAtt\n  - Role\n  - RoleId');
      const a = as(p('A'), 'ref');
      assert.deepEqual(a.target, { type: 'resource', address: 'Role', attribute: 'Arn' });
      assert.equal(textOf(text, a.range), '!GetAtt Role.Arn');
      const b = as(p('B'), 'ref');
      assert.deepEqual(b.target, { type: 'resource', address: 'Role', attribute: 'Arn' });
      assert.equal(textOf(text, b.range), '!GetAtt [Role, Arn]');
      assert.deepEqual(as(p('C'), 'ref').target, { type: 'resource', address: 'Db', attribute: 'Endpoint.Address' });
      const d = as(p('D'), 'ref');
      assert.deepEqual(d.target, { type: 'resource', address: 'Role', attribute: 'RoleId' });
      assert.equal(textOf(text, d.range), '!GetAtt\n        - Role\n        - RoleId');
    });

    it('tags directly after a flow indicator keep their ranges', () => {
      const { text, p } = yamlProps('A: [!Ref Key,!GetAtt Role.Arn]\nB: {x: !Ref Key}', PARAMS);
      const a = as(p('A'), 'list');
      assert.deepEqual(
        a.items.map((i) => textOf(text, i.range)),
        ['!Ref Key', '!GetAtt Role.Arn'],
      );
      assert.equal(textOf(text, get(as(p('B'), 'map'), 'x').range), '!Ref Key');
    });

    it('an unknown tag and an empty !Ref give an issue or an unknown value, not a crash', () => {
      const { unit, p } = yamlProps('A: !Reff Key\nB: !Ref\nC: x');
      assert.ok(unit.issues.some((i) => /tag/i.test(i.message) && i.range.start.line === 5));
      assert.equal(as(p('A'), 'scalar').value, 'Key');
      assert.equal(as(p('B'), 'expr').fn, 'Ref');
    });

    it('!GetAtt with a computed attribute keeps the resource as a reference inside an expression', () => {
      const { p } = yamlProps('A: !GetAtt [Role, !Ref Key]', PARAMS);
      const a = as(p('A'), 'expr');
      assert.equal(a.fn, 'Fn::GetAtt');
      assert.deepEqual(
        a.refs.map((r) => r.target),
        [{ type: 'resource', address: 'Role' }, { type: 'input', name: 'Key' }],
      );
    });

    it('!If in flow and block sequence form', () => {
      const { text, p } = yamlProps('A: !If [IsProd, !Ref Key, !Ref AWS::NoValue]\nB: !If\n  - IsProd\n  - x\n  - 3', PARAMS);
      const a = as(p('A'), 'if');
      assert.equal(a.condition, 'IsProd');
      assert.equal(a.conditionText, 'IsProd');
      assert.deepEqual(as(a.then, 'ref').target, { type: 'input', name: 'Key' });
      assert.deepEqual(as(a.else, 'ref').target, { type: 'pseudo', name: 'AWS::NoValue' });
      assert.equal(textOf(text, a.range), '!If [IsProd, !Ref Key, !Ref AWS::NoValue]');
      assert.equal(textOf(text, a.else.range), '!Ref AWS::NoValue');
      const b = as(p('B'), 'if');
      assert.equal(as(b.then, 'scalar').value, 'x');
      assert.equal(as(b.else, 'scalar').value, 3);
      assert.ok(textOf(text, b.range).startsWith('!If\n'));
      assert.ok(textOf(text, b.range).endsWith('- 3'));
    });

    it('!Sub string: literal parts, references with exact ranges, ${!Literal}', () => {
      const { text, p } = yamlProps('A: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/${!NotARef}/${Role.Arn}-${Key}"', PARAMS);
      const a = as(p('A'), 'expr');
      assert.equal(a.fn, 'Fn::Sub');
      assert.deepEqual(a.parts, ['arn:', ':s3:::', '/${NotARef}/', '-', '']);
      assert.deepEqual(
        a.refs.map((r) => r.target),
        [
          { type: 'pseudo', name: 'AWS::Partition' },
          { type: 'resource', address: 'Bucket' },
          { type: 'resource', address: 'Role', attribute: 'Arn' },
          { type: 'input', name: 'Key' },
        ],
      );
      assert.deepEqual(
        a.refs.map((r) => textOf(text, r.range)),
        ['${AWS::Partition}', '${Bucket}', '${Role.Arn}', '${Key}'],
      );
      assert.ok(textOf(text, a.range).startsWith('!Sub "arn:'));
    });

    it('!Sub with a variables map: names bound by the map are not references, refs in the map are', () => {
      const { p } = yamlProps(
        'A: !Sub\n  - "${Name}-${Bucket}-${Lit}"\n  - Name: !Ref Key\n    Lit: literal\nB: !Sub ["arn:${P}:s3:::${B}", {P: aws, B: data}]\nC: !Sub ["${AZ}", {AZ: !Select [0, !GetAZs ""]}]',
        PARAMS,
      );
      const a = as(p('A'), 'expr');
      assert.deepEqual(a.parts, ['', '-', '-literal'], 'literal variables are substituted into the parts');
      const targets = a.refs.map((r) => r.target);
      assert.deepEqual(targets, [
        { type: 'input', name: 'Key' },
        { type: 'resource', address: 'Bucket' },
      ]);
      const b = as(p('B'), 'expr');
      assert.deepEqual(b.refs, []);
      assert.deepEqual(b.parts, ['arn:aws:s3:::data'], 'fully literal: one part, no refs');
      const c = as(p('C'), 'expr');
      assert.deepEqual(c.refs, []);
      assert.equal(c.parts, undefined, 'a computed variable without refs leaves parts out');
    });

    it('!Sub whose template is not verbatim in the source ranges its refs on the whole node', () => {
      const { text, p } = yamlProps('A: !Sub >\n  arn:${AWS::Partition}:x\n  ${Bucket}');
      const a = as(p('A'), 'expr');
      assert.equal(a.refs.length, 2);
      for (const r of a.refs) assert.deepEqual(r.range, a.range);
      assert.ok(textOf(text, a.range).startsWith('!Sub >'));
    });

    it('every other short form becomes an ExprValue with its long name, args and refs', () => {
      const cases: [string, string, number][] = [
        ['!Join [":", [a, !Ref Key]]', 'Fn::Join', 1],
        ['!Select [0, !GetAZs ""]', 'Fn::Select', 0],
        ['!Split [",", !Ref Key]', 'Fn::Split', 1],
        ['!FindInMap [Map, !Ref AWS::Region, Ami]', 'Fn::FindInMap', 1],
        ['!Base64 {"Fn::Sub": "x${Key}"}', 'Fn::Base64', 1],
        ['!Base64 plain', 'Fn::Base64', 0],
        ['!GetAZs ""', 'Fn::GetAZs', 0],
        ['!Cidr [!GetAtt Vpc.CidrBlock, 6, 5]', 'Fn::Cidr', 1],
        ['!Equals [!Ref Key, prod]', 'Fn::Equals', 1],
        ['!Not [!Condition IsProd]', 'Fn::Not', 0],
        ['!And [!Condition A, !Equals [!Ref Key, x]]', 'Fn::And', 1],
        ['!Or [!Condition A, !Condition B]', 'Fn::Or', 0],
        ['!Condition IsProd', 'Condition', 0],
        ['!Transform {Name: AWS::Include, Parameters: {Location: !Ref Key}}', 'Fn::Transform', 1],
        ['!ToJsonString {a: !Ref Key}', 'Fn::ToJsonString', 1],
        ['!Length [1, 2]', 'Fn::Length', 0],
      ];
      const body = cases.map(([src], i) => `K${i}: ${src}`).join('\n');
      const { text, p } = yamlProps(body, PARAMS);
      cases.forEach(([src, fn, nrefs], i) => {
        const v = as(p(`K${i}`), 'expr') as ExprValue;
        assert.equal(v.fn, fn, src);
        assert.equal(v.refs.length, nrefs, `${src}: refs ${JSON.stringify(v.refs.map((r) => r.target))}`);
        assert.ok(v.args && v.args.length > 0, src);
        assert.equal(textOf(text, v.range), src, 'range covers the tag and its argument');
        assert.ok(v.text.length > 0);
      });
    });

    it('!ImportValue of a name is an external reference; of a computed name an expression', () => {
      const { text, p } = yamlProps('A: !ImportValue net-Subnet\nB: !ImportValue\n  Fn::Sub: "${Key}-Subnet"', PARAMS);
      const a = as(p('A'), 'ref');
      assert.deepEqual(a.target, { type: 'external', text: 'net-Subnet' });
      assert.equal(textOf(text, a.range), '!ImportValue net-Subnet');
      const b = as(p('B'), 'expr');
      assert.equal(b.fn, 'Fn::ImportValue');
      assert.deepEqual(b.refs[0].target, { type: 'input', name: 'Key' });
    });

    it('short forms nest: refs are collected recursively through Join, Sub and If', () => {
      const { p } = yamlProps('A: !Join ["", [!Sub "${Bucket}", !If [C, !GetAtt Role.Arn, !Ref Key], {x: !Ref Other}]]', PARAMS);
      const a = as(p('A'), 'expr');
      assert.deepEqual(
        a.refs.map((r) => r.target),
        [
          { type: 'resource', address: 'Bucket' },
          { type: 'resource', address: 'Role', attribute: 'Arn' },
          { type: 'input', name: 'Key' },
          { type: 'resource', address: 'Other' },
        ],
      );
    });

    it('map-form tags (!Sub over a map-less argument, !Base64 over a long form) keep their ranges', () => {
      const { text, p } = yamlProps('A: !Base64\n  Fn::Join: ["", [a, b]]');
      const a = as(p('A'), 'expr');
      assert.equal(a.fn, 'Fn::Base64');
      assert.equal(as(a.args![0], 'expr').fn, 'Fn::Join');
      assert.equal(textOf(text, a.range), '!Base64\n        Fn::Join: ["", [a, b]]');
    });
  });

  describe('long forms', () => {
    it('YAML long forms map like the short ones', () => {
      const { text, p } = yamlProps(
        'A: {Ref: Key}\nB:\n  Fn::GetAtt: [Role, Arn]\nC:\n  Fn::If: [IsProd, a, b]\nD: {"Fn::Sub": "${Bucket}"}\nE: {Fn::Join: ["", [!Ref Key]]}\nF: {Condition: IsProd}\nG: {Condition: IsProd, Other: 1}',
        PARAMS,
      );
      const a = as(p('A'), 'ref');
      assert.deepEqual(a.target, { type: 'input', name: 'Key' });
      assert.equal(textOf(text, a.range), '{Ref: Key}');
      assert.equal(a.text, '!Ref Key');
      assert.deepEqual(as(p('B'), 'ref').target, { type: 'resource', address: 'Role', attribute: 'Arn' });
      assert.equal(as(p('C'), 'if').condition, 'IsProd');
      assert.deepEqual(as(p('D'), 'expr').refs[0].target, { type: 'resource', address: 'Bucket' });
      assert.equal(as(p('E'), 'expr').fn, 'Fn::Join');
      assert.equal(as(p('F'), 'expr').fn, 'Condition');
      assert.equal(as(p('G'), 'map').entries.length, 2, 'a map with more keys is a plain map');
    });

    it('JSON long forms with exact ranges', () => {
      const { file, text } = fixture('notebook.json');
      const unit = parse(text, file);
      const nb = resource(unit, 'Notebook');
      const kms = as(get(nb.properties, 'KmsKeyId'), 'ref');
      assert.deepEqual(kms.target, { type: 'input', name: 'KeyArn' });
      assert.equal(textOf(text, kms.range), '{ "Ref": "KeyArn" }');
      const role = as(get(nb.properties, 'RoleArn'), 'ref');
      assert.deepEqual(role.target, { type: 'resource', address: 'NotebookRole', attribute: 'Arn' });
      assert.equal(textOf(text, role.range), '{ "Fn::GetAtt": ["NotebookRole", "Arn"] }');
      const subnet = as(get(nb.properties, 'SubnetId'), 'ref');
      assert.deepEqual(subnet.target, { type: 'external', text: 'network-PrivateSubnet' });
      const rt = as(get(nb.properties, 'RootAccess'), 'scalar');
      assert.equal(textOf(text, rt.range), '"Disabled"');
      const policies = as(get(resource(unit, 'NotebookRole').properties, 'Policies'), 'list');
      const doc = as(get(as(policies.items[0], 'map'), 'PolicyDocument'), 'map');
      const stmt = as(as(get(doc, 'Statement'), 'list').items[0], 'map');
      const resSub = as(get(stmt, 'Resource'), 'expr');
      assert.equal(resSub.fn, 'Fn::Sub');
      assert.deepEqual(resSub.parts, ['arn:', ':s3:::data/*']);
      assert.equal(textOf(text, resSub.refs[0].range), '${AWS::Partition}');
      assert.equal(unit.issues.length, 0);
    });
  });

  describe('scalars and maps', () => {
    it('YAML plain booleans, numbers and null keep their JS types; quoted stay strings', () => {
      const { p } = yamlProps('A: true\nB: false\nC: 20\nD: 1.5\nE: ~\nF: "20"\nG: \'true\'\nH: 2010-09-09\nI: 0123\nJ: 123456789012345678901\nK: 123456789012');
      assert.equal(as(p('A'), 'scalar').value, true);
      assert.equal(as(p('B'), 'scalar').value, false);
      assert.equal(as(p('C'), 'scalar').value, 20);
      assert.equal(as(p('D'), 'scalar').value, 1.5);
      assert.equal(as(p('E'), 'scalar').value, null);
      assert.equal(as(p('F'), 'scalar').value, '20');
      assert.equal(as(p('G'), 'scalar').value, 'true');
      assert.equal(as(p('H'), 'scalar').value, '2010-09-09');
      assert.equal(as(p('I'), 'scalar').value, '0123', 'a leading zero (account IDs) keeps the text');
      assert.equal(as(p('J'), 'scalar').value, '123456789012345678901', 'beyond 2^53 keeps the text');
      assert.equal(as(p('K'), 'scalar').value, 123456789012);
    });

    it('map entries carry key ranges; lists carry item ranges', () => {
      const { text, p } = yamlProps('Tags:\n  - Key: team\n    Value: "ml"\n  - {Key: env, Value: dev}');
      const tags = as(p('Tags'), 'list');
      assert.equal(tags.items.length, 2);
      const first = as(tags.items[0], 'map');
      assert.equal(textOf(text, first.entries[1].keyRange), 'Value');
      assert.equal(textOf(text, first.entries[1].value.range), '"ml"');
      assert.equal(textOf(text, tags.items[1].range), '{Key: env, Value: dev}');
      assert.equal(textOf(text, first.range), 'Key: team\n          Value: "ml"');
    });

    it('the range of a KmsKeyId value covers exactly its text (plain, quoted, JSON)', () => {
      const plain = yamlProps('KmsKeyId: arn:aws:kms:us-east-1:111122223333:key/abc  # note');
      assert.equal(textOf(plain.text, plain.p('KmsKeyId').range), 'arn:aws:kms:us-east-1:111122223333:key/abc');
      const quoted = yamlProps("KmsKeyId: 'alias/ml'");
      assert.equal(textOf(quoted.text, quoted.p('KmsKeyId').range), "'alias/ml'");
      const json = '{\n  "Resources": {\n    "R": {\n      "Type": "AWS::SageMaker::NotebookInstance",\n      "Properties": { "KmsKeyId": "alias/x" }\n    }\n  }\n}\n';
      const unit = parse(json, '/w/t.json');
      const v = get(resource(unit, 'R').properties, 'KmsKeyId');
      assert.equal(textOf(json, v.range), '"alias/x"');
      const entry = resource(unit, 'R').properties.entries[0];
      assert.equal(textOf(json, entry.keyRange), '"KmsKeyId"');
    });
  });

  describe('sections', () => {
    it('parameters become inputs with type, default, allowed values, NoEcho and description', () => {
      const { file, text } = fixture('notebook.yaml');
      const unit = parse(text, file);
      const key = unit.inputs.get('KeyArn');
      assert.ok(key);
      assert.equal(key.type, 'String');
      assert.equal(key.description, 'KMS key for the notebook volume');
      assert.equal(as(key.default!, 'scalar').value, '');
      assert.equal(textOf(text, key.nameRange), 'KeyArn');
      assert.ok(textOf(text, key.range).startsWith('KeyArn:\n    Type: String'));
      assert.ok(textOf(text, key.range).endsWith('Default: ""'));
      assert.equal(key.sensitive, undefined);
      const env = unit.inputs.get('Env');
      assert.deepEqual(
        env?.allowedValues?.map((v) => as(v, 'scalar').value),
        ['dev', 'prod'],
      );
      const json = fixture('notebook.json');
      assert.equal(parse(json.text, json.file).inputs.get('KeyArn')?.sensitive, true, 'NoEcho "true"');
    });

    it('conditions are read with their values', () => {
      const { file, text } = fixture('notebook.yaml');
      const unit = parse(text, file);
      assert.deepEqual([...unit.conditions.keys()], ['IsProd', 'HasKey']);
      const isProd = unit.conditions.get('IsProd')!;
      const eq = as(isProd.value, 'expr');
      assert.equal(eq.fn, 'Fn::Equals');
      assert.deepEqual(eq.refs[0].target, { type: 'input', name: 'Env' });
      assert.equal(textOf(text, isProd.range), 'IsProd: !Equals [!Ref Env, prod]');
      assert.equal(isProd.file, file);
    });

    it('resources carry type, names, ranges, metadata and condition', () => {
      const { file, text } = fixture('notebook.yaml');
      const unit = parse(text, file);
      assert.equal(unit.format, 'cloudformation');
      assert.equal(unit.root, file);
      assert.deepEqual(unit.files, [{ path: file, text }]);
      assert.deepEqual(
        unit.resources.map((r) => [r.name, r.type]),
        [
          ['NotebookRole', 'AWS::IAM::Role'],
          ['Notebook', 'AWS::SageMaker::NotebookInstance'],
        ],
      );
      const nb = resource(unit, 'Notebook');
      assert.equal(nb.mode, 'managed');
      assert.equal(nb.address, 'Notebook');
      assert.equal(nb.file, file);
      assert.equal(nb.condition, 'IsProd');
      assert.equal(nb.hasProperties, true);
      assert.equal(textOf(text, nb.nameRange), 'Notebook');
      assert.ok(textOf(text, nb.range).startsWith('Notebook:\n    Type: AWS::SageMaker::NotebookInstance'));
      assert.ok(textOf(text, nb.range).endsWith('VolumeSizeInGB: 20'));
      assert.equal(as(get(nb.metadata!, 'Owner'), 'scalar').value, 'ml-team');
      const kms = as(get(nb.properties, 'KmsKeyId'), 'if');
      assert.equal(textOf(text, kms.range), '!If [HasKey, !Ref KeyArn, !Ref AWS::NoValue]');
      assert.equal(as(get(nb.properties, 'VolumeSizeInGB'), 'scalar').value, 20);
      for (const i of unit.issues) assert.fail(`unexpected issue ${i.message}`);
    });

    it('a resource without Properties has an empty map ranged on its name', () => {
      const text = 'Resources:\n  Key:\n    Type: AWS::KMS::Key\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n';
      const unit = parse(text);
      const key = resource(unit, 'Key');
      assert.equal(key.hasProperties, false);
      assert.equal(key.properties.entries.length, 0);
      assert.deepEqual(key.properties.range, key.nameRange);
      const b = resource(unit, 'B');
      assert.equal(b.hasProperties, true, 'Properties: written but empty (being typed)');
      assert.equal(b.properties.entries.length, 0);
    });

    it('CDK output (*.template.json) with Metadata and Parameters after Resources', () => {
      const { file, text } = fixture('cdk.template.json');
      const unit = parse(text, file);
      const bucket = resource(unit, 'TrainingBucketA1B2C3D4');
      assert.equal(as(get(bucket.metadata!, 'aws:cdk:path'), 'scalar').value, 'MlStack/TrainingBucket/Resource');
      const sse = as(get(bucket.properties, 'BucketEncryption'), 'map');
      const conf = as(get(sse, 'ServerSideEncryptionConfiguration'), 'list');
      const byDefault = as(get(as(conf.items[0], 'map'), 'ServerSideEncryptionByDefault'), 'map');
      assert.deepEqual(as(get(byDefault, 'KMSMasterKeyID'), 'ref').target, {
        type: 'resource',
        address: 'Key961B73FD',
        attribute: 'Arn',
      });
      assert.equal(unit.inputs.get('BootstrapVersion')?.type, 'AWS::SSM::Parameter::Value<String>');
      assert.equal(as(get(resource(unit, 'Key961B73FD').properties, 'EnableKeyRotation'), 'scalar').value, true);
    });

    it('SAM templates (Transform: AWS::Serverless-2016-10-31) parse normally', () => {
      const { file, text } = fixture('sam.yaml');
      const unit = parse(text, file);
      assert.deepEqual(
        unit.resources.map((r) => r.type),
        ['AWS::Serverless::Function', 'AWS::SageMaker::Endpoint'],
      );
      const pol = as(get(resource(unit, 'InferenceFn').properties, 'Policies'), 'list');
      const stmt = as(as(get(as(pol.items[0], 'map'), 'Statement'), 'list').items[0], 'map');
      const sub = as(get(stmt, 'Resource'), 'expr');
      assert.deepEqual(sub.refs.map((r) => (r.target.type === 'resource' ? r.target.address : r.target.type)), [
        'pseudo',
        'pseudo',
        'pseudo',
        'Endpoint',
      ]);
      assert.equal(unit.issues.length, 0);
    });
  });

  describe('IAM policies in strings', () => {
    it('a JSON policy in a YAML quoted string is decoded with exact ranges', () => {
      const { text, p } = yamlProps('PolicyDocument: \'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}\'');
      const doc = as(p('PolicyDocument'), 'map');
      assert.equal(doc.encoded, 'json-string');
      assert.ok(textOf(text, doc.range).startsWith('\'{"Version"'));
      const stmt = as(as(get(doc, 'Statement'), 'list').items[0], 'map');
      const action = get(stmt, 'Action');
      assert.equal(as(action, 'scalar').value, '*');
      assert.equal(textOf(text, action.range), '"*"');
      assert.equal(textOf(text, stmt.entries[1].keyRange), '"Action"');
    });

    it('a policy in an escaped JSON string or a block scalar is decoded with every range on the string', () => {
      const json =
        '{"Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": "{\\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": \\"s3:*\\"}]}"}}}}';
      const unit = parse(json, '/w/t.json');
      const doc = as(get(resource(unit, 'P').properties, 'PolicyDocument'), 'map');
      assert.equal(doc.encoded, 'json-string');
      const stmt = as(as(get(doc, 'Statement'), 'list').items[0], 'map');
      assert.equal(as(get(stmt, 'Action'), 'scalar').value, 's3:*');
      assert.deepEqual(get(stmt, 'Action').range, doc.range);
      assert.ok(textOf(json, doc.range).startsWith('"{\\"Statement'));
      const folded = yamlProps('Doc: >\n  {\n    "Statement": [{"Effect": "Deny", "Action": "*"}]\n  }');
      const block = as(folded.p('Doc'), 'map');
      assert.equal(block.encoded, 'json-string');
      assert.deepEqual(as(get(block, 'Statement'), 'list').items[0].range, block.range);
    });

    it('a policy in a literal block scalar (|) is decoded with exact ranges, CRLF too', () => {
      for (const eol of ['\n', '\r\n']) {
        const { text, p } = yamlProps('Doc: |\n  {\n    "Statement": [\n      {"Effect": "Deny", "Action": "*"}\n    ]\n  }'.replace(/\n/g, eol));
        const doc = as(p('Doc'), 'map');
        assert.equal(doc.encoded, 'json-string');
        assert.ok(textOf(text, doc.range).startsWith('|'));
        const stmt = as(as(get(doc, 'Statement'), 'list').items[0], 'map');
        assert.equal(textOf(text, stmt.range), '{"Effect": "Deny", "Action": "*"}');
        assert.equal(textOf(text, get(stmt, 'Action').range), '"*"');
        assert.equal(textOf(text, get(doc, 'Statement').range).replace(/\r/g, ''), '[\n            {"Effect": "Deny", "Action": "*"}\n          ]');
      }
    });

    it('!Sub over a literal block scalar gives each reference its exact range', () => {
      const { text, p } = yamlProps('A: !Sub |\n  line1 ${Bucket}\n    more ${AWS::Region}');
      const a = as(p('A'), 'expr');
      assert.deepEqual(
        a.refs.map((r) => textOf(text, r.range)),
        ['${Bucket}', '${AWS::Region}'],
      );
    });

    it('strings that are not JSON policies stay strings', () => {
      const { p } = yamlProps('A: \'{"Name": "x"}\'\nB: \'{"Statement": [\'\nC: "{not json Statement}"');
      assert.equal(as(p('A'), 'scalar').value, '{"Name": "x"}');
      assert.equal(p('B').kind, 'scalar');
      assert.equal(p('C').kind, 'scalar');
    });
  });

  describe('comments', () => {
    it('YAML whole-line and trailing comments, not # inside strings', () => {
      const text =
        '# head\nAWSTemplateFormatVersion: "2010-09-09"\nResources:\n  # sageshield:ignore SM-001 reason\n  B:\n    Type: AWS::S3::Bucket # trailing\n    Properties:\n      Name: "a # b"\n      Url: http://x/#frag\n';
      const unit = parse(text);
      assert.deepEqual(
        unit.comments.map((c) => c.text),
        ['# head', '# sageshield:ignore SM-001 reason', '# trailing'],
      );
      for (const c of unit.comments) assert.equal(textOf(text, c.range), c.text);
      assert.equal(unit.comments[1].range.start.line, 3);
      assert.equal(unit.comments[1].range.start.character, 2);
    });

    it('JSON comments (jsonc) are collected', () => {
      const text = '{\n  // line comment\n  "Resources": { /* block */ "B": {"Type": "AWS::S3::Bucket"} }\n}\n';
      const unit = parse(text, '/w/t.json');
      assert.deepEqual(
        unit.comments.map((c) => c.text),
        ['// line comment', '/* block */'],
      );
      for (const c of unit.comments) assert.equal(textOf(text, c.range), c.text);
      assert.equal(unit.resources.length, 1);
    });
  });

  describe('tolerance', () => {
    it('YAML: an unterminated quote in one resource keeps the other resources', () => {
      const { file, text } = fixture('broken-resource.yaml');
      const unit = parse(text, file);
      assert.ok(unit.issues.length > 0);
      assert.deepEqual(
        unit.resources.map((r) => r.name),
        ['First', 'Broken', 'Last'],
      );
      // the issue points at the quote left open, not at the end of the file
      assert.equal(unit.issues.length, 1);
      assert.equal(textOf(text, unit.issues[0].range), '"ml.t3.medium');
      assert.match(unit.issues[0].message, /quote/);
      const last = resource(unit, 'Last');
      assert.equal(last.type, 'AWS::SageMaker::Model');
      const role = as(get(last.properties, 'ExecutionRoleArn'), 'ref');
      assert.equal(textOf(text, role.range), '!GetAtt Role.Arn');
      assert.equal(textOf(text, last.nameRange), 'Last');
    });

    it('YAML: a badly indented line inside one resource keeps the others', () => {
      const text =
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: x\n     Bad: [\n  B:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      KmsKeyId: !Ref K\n';
      const unit = parse(text);
      assert.ok(unit.issues.length > 0);
      const b = resource(unit, 'B');
      assert.equal(b.type, 'AWS::SageMaker::NotebookInstance');
      assert.equal(textOf(text, get(b.properties, 'KmsKeyId').range), '!Ref K');
      assert.ok(unit.resources.some((r) => r.name === 'A'));
    });

    it('JSON: a missing ] mid-file keeps every resource', () => {
      const { file, text } = fixture('broken-bracket.json');
      const unit = parse(text, file);
      assert.ok(unit.issues.length > 0);
      assert.deepEqual(
        unit.resources.map((r) => [r.name, r.type]),
        [
          ['First', 'AWS::SageMaker::NotebookInstance'],
          ['Second', 'AWS::S3::Bucket'],
          ['Third', 'AWS::SageMaker::Model'],
        ],
      );
      assert.equal(unit.issues[0].range.start.line, 7, 'first issue where the ] is missing');
      assert.ok(unit.issues.some((i) => /closing bracket/i.test(i.message)));
      assert.ok(!unit.issues.some((i) => /end of file/i.test(i.message)), 'no echo of the damage at the end');
      const third = resource(unit, 'Third');
      const role = as(get(third.properties, 'ExecutionRoleArn'), 'ref');
      assert.equal(textOf(text, role.range), '{ "Fn::GetAtt": ["Role", "Arn"] }');
      assert.equal(textOf(text, third.nameRange), '"Third"');
    });

    it('JSON: a missing } inside one resource keeps the following resources', () => {
      const text =
        '{\n  "Resources": {\n    "A": {\n      "Type": "AWS::S3::Bucket",\n      "Properties": { "BucketName": "x"\n    },\n    "B": {\n      "Type": "AWS::KMS::Key"\n    },\n    "C": {\n      "Type": "AWS::SageMaker::Model",\n      "Properties": { "ExecutionRoleArn": "arn" }\n    }\n  },\n  "Parameters": { "P": { "Type": "String" } }\n}\n';
      const unit = parse(text, '/w/t.json');
      assert.ok(unit.issues.length > 0);
      assert.deepEqual(
        unit.resources.map((r) => r.name),
        ['A', 'B', 'C'],
      );
      assert.equal(as(get(resource(unit, 'C').properties, 'ExecutionRoleArn'), 'scalar').value, 'arn');
      assert.ok(unit.inputs.has('P'));
    });

    it('JSON: a missing final } is harmless', () => {
      const { file, text } = fixture('notebook.json');
      const cut = text.slice(0, text.lastIndexOf('}'));
      const unit = parse(cut, file);
      assert.deepEqual(
        unit.resources.map((r) => r.name),
        ['Notebook', 'NotebookRole'],
      );
      assert.ok(unit.issues.length > 0);
    });

    it('YAML: a broken Parameters section still gives the resources, and their refs still resolve', () => {
      const text =
        'AWSTemplateFormatVersion: x\nParameters:\n  Key:\n    Type: String\n    Description: "oops\n  Other:\n    Type: String\nResources:\n  A:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      KmsKeyId: !Ref Key\n';
      const unit = parse(text);
      assert.ok(unit.inputs.has('Key'));
      const kms = as(get(resource(unit, 'A').properties, 'KmsKeyId'), 'ref');
      assert.deepEqual(kms.target, { type: 'input', name: 'Key' });
    });

    it('minified JSON with an error (no line layout to recover by) does not throw', () => {
      const text = '{"AWSTemplateFormatVersion":"x","Resources":{"A":{"Type":"AWS::S3::Bucket","Properties":{"L":["a"}},"B":{"Type":"AWS::KMS::Key"}}}';
      const unit = parse(text, '/w/t.json');
      assert.ok(unit.issues.length > 0);
      assert.ok(unit.resources.some((r) => r.name === 'A'));
    });

    it('a 2,000-line template parses without blowing up (YAML, and YAML with an error)', function () {
      this.timeout(20000);
      let text = 'AWSTemplateFormatVersion: x\nResources:\n';
      for (let i = 0; i < 200; i++) {
        text += `  R${i}:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      KmsKeyId: !Ref K\n      RoleArn: !GetAtt Role.Arn # c\n      Tags:\n        - {Key: a, Value: !Sub "x-\${AWS::Region}"}\n      RootAccess: Disabled\n      VolumeSizeInGB: 5\n      DirectInternetAccess: Disabled\n`;
      }
      const t0 = Date.now();
      assert.equal(parse(text).resources.length, 200);
      const broken = text.replace('RootAccess: Disabled', 'RootAccess: "Disabled');
      const unit = parse(broken);
      assert.equal(unit.resources.length, 200);
      assert.equal(unit.issues.length, 1);
      assert.ok(Date.now() - t0 < 10000, `took ${Date.now() - t0} ms`);
    });

    it('empty, comment-only, whitespace and non-map files do not throw and are not templates', () => {
      for (const [file, text] of [
        ['/w/a.yaml', ''],
        ['/w/a.yaml', '# only a comment\n'],
        ['/w/a.yaml', '   \n\t\n'],
        ['/w/a.json', ''],
        ['/w/a.json', '// c'],
        ['/w/a.yaml', '- AWSTemplateFormatVersion: x\n- Resources: {}\n'],
        ['/w/a.json', '["AWSTemplateFormatVersion"]'],
        ['/w/a.yaml', 'AWSTemplateFormatVersion'],
      ]) {
        assert.equal(parseCloudFormation(file, text), undefined, JSON.stringify(text));
      }
    });

    it('duplicate keys give an issue and the last one wins (YAML and JSON)', () => {
      const y = 'AWSTemplateFormatVersion: x\nResources:\n  A:\n    Type: AWS::S3::Bucket\n  A:\n    Type: AWS::KMS::Key\n';
      const uy = parse(y);
      assert.equal(uy.issues.length, 1);
      assert.match(uy.issues[0].message, /duplicate key "A"/i);
      assert.equal(uy.issues[0].range.start.line, 4, 'on the repeated key');
      assert.equal(textOf(y, uy.issues[0].range), 'A');
      // with CRLF line ends, no range ends between \r and \n
      const crlf = parse(y.replace(/\n/g, '\r\n'));
      assert.equal(textOf(crlf.files[0].text, crlf.issues[0].range), 'A');
      assert.ok(uy.resources.some((r) => r.type === 'AWS::KMS::Key'));
      const j = '{"AWSTemplateFormatVersion": "x", "Resources": {"A": {"Type": "AWS::S3::Bucket"}, "A": {"Type": "AWS::KMS::Key"}}}';
      const uj = parse(j, '/w/t.json');
      assert.ok(uj.issues.some((i) => /duplicate key "A"/i.test(i.message) && textOf(j, i.range) === '"A"' && i.range.start.character > 60));
      assert.deepEqual(
        uj.resources.map((r) => r.type),
        ['AWS::KMS::Key'],
      );
    });

    it('YAML anchors, aliases and merge keys resolve to the anchored node', () => {
      const { text, p } = yamlProps('Tags: &tags\n  - {Key: a, Value: b}\nOther: *tags\nBase: &base {x: 1, y: 2}\nMerged:\n  <<: *base\n  y: 3');
      const other = as(p('Other'), 'list');
      assert.equal(other.items.length, 1);
      assert.equal(textOf(text, other.range), '*tags', 'the aliased value is ranged where it is used');
      assert.equal(textOf(text, other.items[0].range), '{Key: a, Value: b}');
      const merged = as(p('Merged'), 'map');
      assert.deepEqual(
        merged.entries.map((e) => [e.key, as(e.value, 'scalar').value]),
        [
          ['y', 3],
          ['x', 1],
        ],
      );
    });

    it('an alias bomb is capped with an issue, quickly', () => {
      const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
      for (let i = 1; i < 9; i++) {
        const prev = String.fromCharCode(96 + i);
        const cur = String.fromCharCode(97 + i);
        lines.push(`${cur}: &${cur} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
      }
      const text = `AWSTemplateFormatVersion: x\nBomb:\n${lines.map((l) => `  ${l}`).join('\n')}\nResources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: *i\n`;
      const t0 = Date.now();
      const unit = parse(text);
      assert.ok(Date.now() - t0 < 2000, 'took too long');
      assert.ok(unit.issues.some((i) => /alias/i.test(i.message)));
      assert.equal(resource(unit, 'R').type, 'AWS::S3::Bucket');
    });

    it('a resource or parameter given by an alias has sane ranges', () => {
      const text =
        'AWSTemplateFormatVersion: x\nParameters:\n  P: &p {Type: String}\n  Q: *p\nResources:\n  A: &r\n    Type: AWS::S3::Bucket\n  B: *r\n';
      const unit = parse(text);
      const b = resource(unit, 'B');
      assert.equal(b.type, 'AWS::S3::Bucket');
      assert.equal(textOf(text, b.range), 'B: *r');
      assert.equal(unit.inputs.get('Q')?.type, 'String');
      assert.equal(textOf(text, unit.inputs.get('Q')!.range), 'Q: *p');
    });

    it('JSON and YAML nested 50,000 deep: no stack overflow, the resources are still read', function () {
      this.timeout(20000);
      const D = 50000;
      const j = `{\n  "Resources": {\n    "N": {"Type": "AWS::SageMaker::NotebookInstance", "Properties": {"A": ${'['.repeat(D)}1${']'.repeat(D)}, "KmsKeyId": "k"}},\n    "M": {"Type": "AWS::S3::Bucket"}\n  }\n}\n`;
      const uj = parse(j, '/w/t.json');
      assert.deepEqual(
        uj.resources.map((r) => r.name),
        ['N', 'M'],
      );
      assert.equal(as(get(resource(uj, 'N').properties, 'KmsKeyId'), 'scalar').value, 'k');
      assert.ok(uj.issues.some((i) => /nested deeper/.test(i.message)));
      assert.ok(!uj.issues.some((i) => /internal/i.test(i.message)));
      const y = `Resources:\n  N:\n    Type: AWS::S3::Bucket\n    Properties:\n      A: ${'['.repeat(D)}1${']'.repeat(D)}\n  M:\n    Type: AWS::KMS::Key\n`;
      const uy = parse(y);
      assert.deepEqual(
        uy.resources.map((r) => r.name),
        ['N', 'M'],
      );
      assert.ok(!uy.issues.some((i) => /internal/i.test(i.message)));
    });

    it('a self-referencing alias does not loop', () => {
      const text = 'AWSTemplateFormatVersion: x\nResources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties: &p\n      Self: *p\n';
      const unit = parse(text);
      assert.equal(resource(unit, 'R').type, 'AWS::S3::Bucket');
    });

    it('multi-document YAML: the first document is used, the rest gives an issue', () => {
      const text = 'AWSTemplateFormatVersion: x\nResources:\n  A:\n    Type: AWS::S3::Bucket\n---\nResources:\n  B:\n    Type: AWS::S3::Bucket\n';
      const unit = parse(text);
      assert.deepEqual(
        unit.resources.map((r) => r.name),
        ['A'],
      );
      const issue = unit.issues.find((i) => /first YAML document/.test(i.message));
      assert.ok(issue);
      assert.equal(issue.range.start.line, 4);
    });

    it('a UTF-8 BOM keeps positions right (YAML and JSON)', () => {
      const y = '\uFEFFAWSTemplateFormatVersion: x\nResources:\n  A:\n    Type: AWS::S3::Bucket\n';
      const uy = parse(y);
      assert.equal(uy.issues.length, 0);
      assert.equal(textOf(y, resource(uy, 'A').nameRange), 'A');
      const j = '\uFEFF{"Resources": {"A": {"Type": "AWS::S3::Bucket"}}}';
      const uj = parse(j, '/w/t.json');
      assert.equal(textOf(j, resource(uj, 'A').nameRange), '"A"');
    });

    it('CRLF line ends and tabs inside values give correct ranges', () => {
      const text = 'AWSTemplateFormatVersion: x\r\nResources:\r\n  A:\r\n    Type: AWS::SageMaker::NotebookInstance\r\n    Properties:\r\n      KmsKeyId: !Ref\tKey\r\n      Name: "a\tb"  # c\r\n';
      const unit = parse(text);
      const a = resource(unit, 'A');
      const kms = get(a.properties, 'KmsKeyId');
      assert.equal(kms.range.start.line, 5);
      assert.equal(textOf(text, kms.range), '!Ref\tKey');
      assert.equal(textOf(text, get(a.properties, 'Name').range), '"a\tb"');
      assert.equal(unit.comments[0].text, '# c');
      assert.equal(textOf(text, a.range).split('\r\n').length, 5);
    });

    it('a .yaml file in flow style starting with { is read as YAML when it is not JSON', () => {
      const text = '{AWSTemplateFormatVersion: x, Resources: {A: {Type: AWS::S3::Bucket, Properties: {K: !Ref P}}}}\n';
      const unit = parse(text, '/w/t.yaml');
      assert.equal(unit.issues.length, 0);
      assert.equal(textOf(text, get(resource(unit, 'A').properties, 'K').range), '!Ref P');
    });

    it('recovery works with CRLF line ends and a BOM', () => {
      for (const name of ['broken-resource.yaml', 'broken-bracket.json']) {
        const { file, text } = fixture(name);
        const crlf = `\uFEFF${text.replace(/\n/g, '\r\n')}`;
        const unit = parse(crlf, file);
        assert.equal(unit.resources.length, 3, name);
        const last = unit.resources[2];
        assert.match(textOf(crlf, last.nameRange), /^"?(Last|Third)"?$/);
        assert.ok(textOf(crlf, last.range).endsWith(name.endsWith('.json') ? '}' : 'Role.Arn'));
      }
    });

    it('no issue or comment range starts or ends between \\r and \\n', () => {
      const text = 'AWSTemplateFormatVersion: x\r\nResources: # c\r\n  A:\r\n  A:\r\n    Type: AWS::S3::Bucket\r\n    Properties:\r\n      X: "open\r\n  B:\r\n    Type: AWS::S3::Bucket\r\n';
      const unit = parse(text);
      const li = new LineIndex(text);
      for (const r of [...unit.issues.map((i) => i.range), ...unit.comments.map((c) => c.range)]) {
        for (const p of [r.start, r.end]) {
          const o = li.offset(p);
          assert.ok(!(text[o] === '\n' && text[o - 1] === '\r'), `position ${JSON.stringify(p)} is inside a CRLF`);
        }
      }
      assert.ok(unit.issues.length >= 2);
    });

    it('tab-indented YAML does not throw and reports an issue', () => {
      const text = 'AWSTemplateFormatVersion: x\nResources:\n\tA:\n\t\tType: AWS::S3::Bucket\n  B:\n    Type: AWS::KMS::Key\n';
      const unit = parseCloudFormation('/w/t.yaml', text);
      assert.ok(unit);
      assert.ok(unit.issues.length > 0);
    });

    it('every prefix of the fixtures (a file being typed) parses without throwing', function () {
      this.timeout(30000);
      for (const name of ['notebook.yaml', 'notebook.json', 'sam.yaml', 'cdk.template.json']) {
        const { file, text } = fixture(name);
        for (let i = 0; i <= text.length; i += 5) {
          const unit = parseCloudFormation(file, text.slice(0, i));
          if (unit) {
            for (const r of unit.resources) assert.equal(typeof r.name, 'string');
            assert.ok(Array.isArray(unit.issues));
          }
        }
      }
    });

    it('random one-character edits of the fixtures never break the parser (seeded)', function () {
      this.timeout(60000);
      let seed = 12345;
      const rnd = (n: number): number => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const noise = ['{', '}', '[', ']', '"', "'", ':', '-', '#', '!', '&', '*', '\t', '\n', ' ', ',', '|', '\\'];
      let parsed = 0;
      for (const name of ['notebook.yaml', 'notebook.json', 'sam.yaml', 'broken-bracket.json']) {
        const { file, text } = fixture(name);
        const original = parse(text, file).resources.length;
        for (let k = 0; k < 60; k++) {
          const at = rnd(text.length);
          // an edit in a line's indentation may legitimately restructure the file (YAML, or JSON laid out by hand)
          const lineStart = text.lastIndexOf('\n', at - 1) + 1;
          const inIndent = /^[ \t]*$/.test(text.slice(lineStart, at + 1));
          const edited = rnd(2) === 0 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + noise[rnd(noise.length)] + text.slice(at);
          const unit = parseCloudFormation(file, edited);
          if (!unit || inIndent || !/(^|")Resources"?:/m.test(edited)) continue;
          parsed++;
          assert.ok(!unit.issues.some((i) => i.message.startsWith('Internal parser error')), `${name} edit at ${at}: ${unit.issues[0]?.message}`);
          // one edit damages at most the resource it falls in (or turns one into two / merges two)
          assert.ok(unit.resources.length >= original - 1, `${name} edit at ${at}: ${unit.resources.length} < ${original} - 1`);
        }
      }
      assert.ok(parsed > 150);
    });

    it('a resource being typed (only its name, or Type without value) does not hide later ones', () => {
      const text = 'AWSTemplateFormatVersion: x\nResources:\n  New:\n  Half:\n    Type:\n  Done:\n    Type: AWS::S3::Bucket\n';
      const unit = parse(text);
      assert.deepEqual(
        unit.resources.map((r) => [r.name, r.type]),
        [
          ['Half', ''],
          ['Done', 'AWS::S3::Bucket'],
        ],
      );
    });
  });

  describe('recovery of half-typed templates (intact resources keep their findings)', () => {
    const NB = 'AWS::SageMaker::NotebookInstance';
    /** A notebook that SM-ROOT-01 fails on its `RootAccess: Enabled` value. */
    const nbYaml = (name: string) => `  ${name}:\n    Type: ${NB}\n    Properties:\n      RootAccess: Enabled\n`;
    const nbJson = (name: string, extra = '') =>
      `    "${name}": {\n      "Type": "${NB}",\n      "Properties": {${extra}\n        "RootAccess": "Enabled"\n      }\n    }`;
    const jsonTemplate = (...resources: string[]) =>
      `{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {\n${resources.join(',\n')}\n  }\n}\n`;
    const H = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n";

    /** The single issue of the unit: its text from its start to the end of its line, and its message. */
    function onlyIssue(unit: Unit, text: string): { at: string; line: number; message: string } {
      assert.equal(unit.issues.length, 1, `expected one issue; got ${JSON.stringify(unit.issues.map((i) => [i.range.start, i.message]))}`);
      const i = unit.issues[0];
      const start = new LineIndex(text).offset(i.range.start);
      return { at: text.slice(start).split('\n')[0], line: i.range.start.line, message: i.message };
    }

    /** SM-ROOT-01 fails on each named resource's `RootAccess` value (the intact resources). */
    function rootFails(unit: Unit, ...names: string[]): void {
      const c = check(smRoot01, unit);
      for (const n of names) c.fails({ resource: n, text: unit.files[0].path.endsWith('.json') ? '"Enabled"' : 'Enabled' });
    }

    it('JSON with the first key on the brace line: the resources after a damaged one are read', () => {
      const text = [
        '{"Resources": {',
        '  "Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}}]}},',
        '  "Notebook": {"Type": "AWS::SageMaker::NotebookInstance", "Properties": {"InstanceType": "ml.t3.medium", "RoleArn": "x", "RootAccess": "Disabled"}}',
        '}}',
        '',
      ].join('\n');
      const unit = cfnJson(text);
      const nb = resource(unit, 'Notebook');
      assert.deepEqual(
        nb.properties.entries.map((e) => [e.key, (e.value as { value?: unknown }).value]),
        [
          ['InstanceType', 'ml.t3.medium'],
          ['RoleArn', 'x'],
          ['RootAccess', 'Disabled'],
        ],
      );
      assert.equal(resource(unit, 'Role').type, 'AWS::IAM::Role');
      check(smRoot01, unit).passes('Notebook');
      // one issue for the damaged resource (no cascade of "Comma expected"), on the `}` that should be a `]`
      const issue = onlyIssue(unit, text);
      assert.equal(issue.line, 1);
      assert.ok(issue.at.startsWith('}]}},'), issue.at);
      assert.match(issue.message, /Expected \] to close the \[ opened on line 2, found \}/);
      // and with RootAccess Enabled the notebook's finding is there
      rootFails(cfnJson(text.replace('"Disabled"', '"Enabled"')), 'Notebook');
    });

    it('JSON: `{ "AWSTemplateFormatVersion": ...,` on the brace line, then one key per line', () => {
      const text = `{ "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {\n${nbJson('A', '\n        "SecurityGroupIds": ["a", "b"},')},\n${nbJson('B')}\n  }\n}\n`;
      const unit = cfnJson(text);
      rootFails(unit, 'B');
      const issue = onlyIssue(unit, text);
      assert.ok(issue.at.startsWith('},'), issue.at);
      assert.match(issue.message, /Expected \]/);
    });

    it('JSON: `{"Parameters": {` with the next sections at the parameters\' indentation', () => {
      const text = `{"Parameters": {\n  "P": {"Type": "String", "Default": [1}\n  },\n  "Resources": {\n${nbJson('A')}\n  }\n}\n`;
      const unit = cfnJson(text);
      rootFails(unit, 'A');
      assert.equal(onlyIssue(unit, text).line, 1);
    });

    it('JSON: a list left open before the next key says so, on that key', () => {
      const text = jsonTemplate(nbJson('A', '\n        "SecurityGroupIds": ["a", "b",'), nbJson('B'));
      const unit = cfnJson(text);
      rootFails(unit, 'B');
      const issue = onlyIssue(unit, text);
      assert.equal(issue.at.trim(), '"RootAccess": "Enabled"');
      assert.match(issue.message, /Closing bracket \] expected: the \[ opened on line 7 is not closed/);
    });

    it('JSON: a trailing comma is reported where it is, and nothing is lost', () => {
      const text = jsonTemplate(nbJson('A').replace('"Enabled"', '"Enabled",'), nbJson('B'));
      const unit = cfnJson(text);
      rootFails(unit, 'A', 'B');
      const issue = onlyIssue(unit, text);
      assert.equal(issue.at, ',');
      assert.match(issue.message, /Trailing comma/);
      // commas inside strings and comments are not trailing commas
      assert.deepEqual(cfnJson(jsonTemplate(nbJson('C', '\n        "Description": "a, }",'))).issues, []);
    });

    it('JSON: a missing colon keeps the other properties and resources', () => {
      const text = jsonTemplate(nbJson('A', '\n        "InstanceType" "ml.t3.medium",'), nbJson('B'));
      const unit = cfnJson(text);
      rootFails(unit, 'A', 'B');
      const issue = onlyIssue(unit, text);
      assert.equal(issue.at, '"ml.t3.medium",');
      assert.match(issue.message, /Colon expected/);
    });

    it('JSON: a file cut off in the middle of a resource keeps the resources before', () => {
      const full = jsonTemplate(nbJson('A'), nbJson('B'), nbJson('C'));
      const text = full.slice(0, full.indexOf('"Properties": {', full.indexOf('"C"')) + 15);
      const unit = cfnJson(text);
      rootFails(unit, 'A', 'B');
      assert.equal(resource(unit, 'C').type, NB);
      assert.match(onlyIssue(unit, text).message, /Closing brace \} expected/);
    });

    it('the CLI fixture broken.yaml: the resource after the damaged line is read, the issue is on the [', () => {
      const file = path.join(__dirname, '..', '..', 'fixtures', 'cli', 'project', 'cfn', 'broken.yaml');
      const text = fs.readFileSync(file, 'utf8');
      const unit = cfnYaml(text, file);
      assert.deepEqual(
        unit.resources.map((r) => [r.name, r.properties.entries.map((e) => e.key)]),
        [
          ['Broken', ['InstanceType', 'RoleArn']],
          ['Notebook2', ['InstanceType']],
        ],
      );
      check(smRoot01, unit).fails({ resource: 'Broken', text: 'Broken' }).fails({ resource: 'Notebook2', text: 'Notebook2' });
      const issue = onlyIssue(unit, text);
      assert.equal(issue.at, '[ml.t3.medium');
      assert.match(issue.message, /Unclosed \[/);
    });

    it('YAML: an unclosed flow sequence as the last line of a resource', () => {
      const text = `${H}  A:\n    Type: ${NB}\n    Properties:\n      RootAccess: Enabled\n      SecurityGroupIds: [sg-1, sg-2\n${nbYaml('B')}`;
      const unit = cfnYaml(text);
      rootFails(unit, 'A', 'B');
      const issue = onlyIssue(unit, text);
      assert.equal(issue.at, '[sg-1, sg-2');
    });

    it('YAML: a key typed without its value at the end of a resource', () => {
      const text = `${H}${nbYaml('A')}      KmsKeyId\n${nbYaml('B')}`;
      const unit = cfnYaml(text);
      rootFails(unit, 'A', 'B');
      assert.equal(onlyIssue(unit, text).at, 'KmsKeyId');
    });

    it('YAML: an unclosed !Sub "... keeps the resources after it', () => {
      const text = `${H}  A:\n    Type: ${NB}\n    Properties:\n      RoleArn: !Sub "arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/x\n${nbYaml('B')}`;
      const unit = cfnYaml(text);
      rootFails(unit, 'B');
      const issue = onlyIssue(unit, text);
      assert.ok(issue.at.startsWith('"arn:'), issue.at);
      assert.match(issue.message, /quote/);
    });

    it('YAML: a resource indented with tabs is read, with one issue on its first line', () => {
      const text = `${H}${nbYaml('A')}\tB:\n\t\tType: ${NB}\n\t\tProperties:\n\t\t\tRootAccess: Enabled\n${nbYaml('C')}`;
      const unit = cfnYaml(text);
      rootFails(unit, 'A', 'B', 'C');
      const b = resource(unit, 'B');
      assert.equal(textOf(text, b.nameRange), 'B');
      const issue = onlyIssue(unit, text);
      assert.equal(issue.at, '\tB:');
      assert.match(issue.message, /Tabs/);
      // a template indented with tabs throughout
      const tabs = `Resources:\n\tA:\n\t\tType: ${NB}\n\t\tProperties:\n\t\t\tRootAccess: Enabled\n`;
      const all = cfnYaml(tabs);
      rootFails(all, 'A');
      assert.equal(onlyIssue(all, tabs).at, '\tA:');
    });

    it('YAML: a resource key typed one column off is read, with an issue on it', () => {
      const text = `${H}${nbYaml('A')}   B:\n    Type: ${NB}\n${nbYaml('C')}`;
      const unit = cfnYaml(text);
      assert.deepEqual(
        unit.resources.map((r) => r.name),
        ['A', 'B', 'C'],
      );
      check(smRoot01, unit).fails({ resource: 'A', text: 'Enabled' }).fails({ resource: 'C', text: 'Enabled' }).fails({ resource: 'B', text: 'B' });
      const issue = onlyIssue(unit, text);
      assert.equal(issue.at, '   B:');
      assert.match(issue.message, /column 4; the others start at column 3/);
    });
  });

  describe('IfValue and RefValue shapes', () => {
    it('every node carries the file path', () => {
      const { file, text } = fixture('notebook.yaml');
      const unit = parse(text, file);
      const walk = (v: Value): void => {
        assert.equal(v.file, file);
        if (v.kind === 'list') v.items.forEach(walk);
        if (v.kind === 'map') v.entries.forEach((e) => walk(e.value));
        if (v.kind === 'if') [v.then, v.else].forEach(walk);
        if (v.kind === 'expr') (v.args ?? []).forEach(walk);
      };
      for (const r of unit.resources) walk(r.properties);
      const kms = get(resource(unit, 'Notebook').properties, 'KmsKeyId') as IfValue;
      const then = kms.then as RefValue;
      assert.equal(then.text, '!Ref KeyArn');
    });
  });
});
