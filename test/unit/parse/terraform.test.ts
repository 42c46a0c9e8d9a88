import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initTerraform, isTerraformModuleFile, parseTerraformModule } from '../../../server/src/parse/terraform';
import { LineIndex } from '../../../server/src/parse/lines';
import type { ExprValue, IfValue, ListValue, MapValue, Range, RefValue, Resource, Scalar, Unit, Value } from '../../../server/src/model/types';

const DIR = '/ws/mod';
const FILE = path.join(DIR, 'main.tf');
const FIXTURES = path.join(__dirname, '../../fixtures/tf');

function parse(text: string, file = FILE): Unit {
  return parseTerraformModule(DIR, [{ path: file, text }]);
}

function loadDir(dir: string): Unit {
  const files = fs.readdirSync(dir).map((n) => ({ path: path.join(dir, n), text: fs.readFileSync(path.join(dir, n), 'utf8') }));
  return parseTerraformModule(dir, files);
}

/** The LSP range of the nth occurrence of `needle` in `text`. */
function rangeOf(text: string, needle: string, nth = 0): Range {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' #${nth} not in text`);
  }
  return new LineIndex(text).range(at, at + needle.length);
}

function res(u: Unit, address: string): Resource {
  const r = u.resources.find((x) => x.address === address);
  assert.ok(r, `resource ${address} not found in ${u.resources.map((x) => x.address).join(', ')}`);
  return r;
}

function get(m: Value, key: string): Value {
  assert.equal(m.kind, 'map', `expected a map to read '${key}', got ${m.kind}`);
  const e = (m as MapValue).entries.find((x) => x.key === key);
  assert.ok(e, `no entry '${key}' in map (${(m as MapValue).entries.map((x) => x.key).join(', ')})`);
  return e.value;
}

function prop(r: Resource, ...keys: string[]): Value {
  let v: Value = r.properties;
  for (const k of keys) v = /^\d+$/.test(k) ? (v as ListValue).items[Number(k)] : get(v, k);
  return v;
}

function attr(text: string, key: string): Value {
  const u = parse(`resource "t_x" "r" {\n  ${key} = ${text}\n}\n`);
  assert.deepEqual(u.issues, []);
  return prop(res(u, 't_x.r'), key);
}

/** Wraps an expression in a resource and returns its value and the file text. */
function val(expr: string): { v: Value; text: string } {
  const text = `resource "t_x" "r" {\n  a = ${expr}\n}\n`;
  const u = parse(text);
  assert.deepEqual(u.issues, [], `issues for ${expr}`);
  return { v: prop(res(u, 't_x.r'), 'a'), text };
}

describe('terraform parser', () => {
  before(async () => {
    await initTerraform();
  });

  describe('init', () => {
    it('initTerraform is idempotent and concurrent calls share one load', async () => {
      await Promise.all([initTerraform(), initTerraform()]);
      await initTerraform();
      const u = parse('resource "aws_s3_bucket" "b" {}\n');
      assert.equal(u.resources.length, 1);
    });

    it('parseTerraformModule throws a clear error before init (fresh module instance)', () => {
      // Load a second copy of the module, which has not been initialised.
      const modPath = require.resolve('../../../server/src/parse/terraform');
      const cached = require.cache[modPath];
      delete require.cache[modPath];
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const fresh = require('../../../server/src/parse/terraform') as typeof import('../../../server/src/parse/terraform');
        assert.throws(() => fresh.parseTerraformModule(DIR, []), /initTerraform/);
      } finally {
        if (cached) require.cache[modPath] = cached;
      }
    });
  });

  describe('blocks', () => {
    it('maps a managed resource: address, ranges, attributes', () => {
      const text = 'resource "aws_sagemaker_notebook_instance" "nb" {\n  instance_type = "ml.t3.medium"\n  volume_size = 5\n}\n';
      const u = parse(text);
      assert.equal(u.format, 'terraform');
      assert.equal(u.root, DIR);
      const r = res(u, 'aws_sagemaker_notebook_instance.nb');
      assert.equal(r.mode, 'managed');
      assert.equal(r.type, 'aws_sagemaker_notebook_instance');
      assert.equal(r.name, 'nb');
      assert.equal(r.file, FILE);
      assert.equal(r.hasProperties, true);
      assert.deepEqual(r.range, { start: { line: 0, character: 0 }, end: { line: 3, character: 1 } });
      assert.deepEqual(r.nameRange, rangeOf(text, '"aws_sagemaker_notebook_instance" "nb"'));
      const it = prop(r, 'instance_type') as Scalar;
      assert.equal(it.kind, 'scalar');
      assert.equal(it.value, 'ml.t3.medium');
      assert.deepEqual(it.range, rangeOf(text, '"ml.t3.medium"'));
      const e = r.properties.entries[0];
      assert.deepEqual(e.keyRange, rangeOf(text, 'instance_type'));
      assert.equal(e.block, undefined);
      assert.equal((prop(r, 'volume_size') as Scalar).value, 5);
    });

    it('maps a data source with mode data and address data.t.n', () => {
      const u = parse('data "aws_iam_policy_document" "p" {\n  version = "2012-10-17"\n}\n');
      const r = res(u, 'data.aws_iam_policy_document.p');
      assert.equal(r.mode, 'data');
      assert.equal(r.type, 'aws_iam_policy_document');
      assert.equal(r.name, 'p');
    });

    it('nested blocks are entries with block: true whose value is a map', () => {
      const text = 'resource "aws_sagemaker_model" "m" {\n  vpc_config {\n    subnets = ["a"]\n  }\n}\n';
      const u = parse(text);
      const r = res(u, 'aws_sagemaker_model.m');
      const e = r.properties.entries.find((x) => x.key === 'vpc_config')!;
      assert.equal(e.block, true);
      assert.equal(e.value.kind, 'map');
      assert.deepEqual(e.keyRange, rangeOf(text, 'vpc_config'));
      assert.deepEqual(e.value.range, { start: { line: 1, character: 2 }, end: { line: 3, character: 3 } });
      const subnets = prop(r, 'vpc_config', 'subnets') as ListValue;
      assert.equal(subnets.kind, 'list');
      assert.equal((subnets.items[0] as Scalar).value, 'a');
    });

    it('a repeated block type becomes one entry whose value is a list of maps', () => {
      const text =
        'resource "aws_sagemaker_endpoint_configuration" "c" {\n' +
        '  production_variants {\n    variant_name = "a"\n  }\n' +
        '  kms_key_arn = "k"\n' +
        '  production_variants {\n    variant_name = "b"\n  }\n}\n';
      const r = res(parse(text), 'aws_sagemaker_endpoint_configuration.c');
      const entries = r.properties.entries.filter((e) => e.key === 'production_variants');
      assert.equal(entries.length, 1);
      assert.equal(entries[0].block, true);
      const list = entries[0].value as ListValue;
      assert.equal(list.kind, 'list');
      assert.equal(list.items.length, 2);
      assert.deepEqual(
        list.items.map((m) => (get(m, 'variant_name') as Scalar).value),
        ['a', 'b'],
      );
      assert.deepEqual(list.range.start, { line: 1, character: 2 });
      assert.deepEqual(list.range.end, { line: 7, character: 3 });
      // order of entries keeps the first position of the block type
      assert.deepEqual(r.properties.entries.map((e) => e.key), ['production_variants', 'kms_key_arn']);
    });

    it('three repeated blocks give a list of three', () => {
      const r = res(parse('resource "a_b" "c" {\n  x { v = 1 }\n  x { v = 2 }\n  x { v = 3 }\n}\n'), 'a_b.c');
      const l = prop(r, 'x') as ListValue;
      assert.equal(l.items.length, 3);
      assert.equal((get(l.items[2], 'v') as Scalar).value, 3);
    });

    it('dynamic blocks become an ExprValue fn dynamic keyed by the label, with refs and the content map', () => {
      const text =
        'resource "aws_security_group" "sg" {\n' +
        '  dynamic "ingress" {\n    for_each = var.rules\n    content {\n      from_port = ingress.value.port\n      cidr_blocks = [local.cidr]\n    }\n  }\n}\n';
      const r = res(parse(text), 'aws_security_group.sg');
      const e = r.properties.entries.find((x) => x.key === 'ingress')!;
      assert.equal(e.block, true);
      assert.deepEqual(e.keyRange, rangeOf(text, '"ingress"'));
      const d = e.value as ExprValue;
      assert.equal(d.kind, 'expr');
      assert.equal(d.fn, 'dynamic');
      assert.ok(d.text.startsWith('dynamic "ingress"'));
      // the iterator `ingress` is not a resource reference
      assert.deepEqual(
        d.refs.map((x) => x.target),
        [{ type: 'input', name: 'rules' }, { type: 'local', name: 'cidr' }],
      );
      const content = d.args![1] as MapValue;
      assert.equal(content.kind, 'map');
      assert.equal((get(content, 'from_port') as RefValue).target.type, 'external');
    });

    it('variables become inputs with default, type text, sensitive and description', () => {
      const text =
        'variable "kms" {\n  type = string\n  default = null\n  description = "the key"\n  sensitive = true\n}\n' +
        'variable "tags" {\n  type = map(string)\n  default = { env = "dev" }\n}\n';
      const u = parse(text);
      const kms = u.inputs.get('kms')!;
      assert.equal(kms.type, 'string');
      assert.equal((kms.default as Scalar).value, null);
      assert.equal(kms.description, 'the key');
      assert.equal(kms.sensitive, true);
      assert.deepEqual(kms.nameRange, rangeOf(text, '"kms"'));
      assert.equal(kms.file, FILE);
      const tags = u.inputs.get('tags')!;
      assert.equal(tags.type, 'map(string)');
      assert.equal((get(tags.default!, 'env') as Scalar).value, 'dev');
      assert.equal(u.resources.length, 0);
    });

    it('locals become one Local per attribute', () => {
      const text = 'locals {\n  a = "x"\n  b = var.y\n}\nlocals {\n  c = 3\n}\n';
      const u = parse(text);
      assert.deepEqual([...u.locals.keys()], ['a', 'b', 'c']);
      const b = u.locals.get('b')!;
      assert.deepEqual(b.nameRange, rangeOf(text, 'b ='.slice(0, 1), 0));
      assert.deepEqual(b.range, rangeOf(text, 'b = var.y'));
      assert.deepEqual((b.value as RefValue).target, { type: 'input', name: 'y' });
    });

    it('module, provider, terraform and output blocks are not resources', () => {
      const u = parse(
        'terraform {\n  required_version = ">= 1.5"\n}\nprovider "aws" {\n  region = "us-east-1"\n}\n' +
          'module "m" {\n  source = "./m"\n}\noutput "o" {\n  value = 1\n}\n',
      );
      assert.equal(u.resources.length, 0);
      assert.equal(u.issues.length, 0);
    });
  });

  describe('expressions', () => {
    it('literals: string, number, bool, null', () => {
      assert.equal((attr('"s"', 'a') as Scalar).value, 's');
      assert.equal((attr('1.5e2', 'a') as Scalar).value, 150);
      assert.equal((attr('true', 'a') as Scalar).value, true);
      assert.equal((attr('false', 'a') as Scalar).value, false);
      assert.equal((attr('null', 'a') as Scalar).value, null);
      assert.equal((attr('-3', 'a') as Scalar).value, -3);
    });

    it('string escapes are decoded', () => {
      assert.equal((attr('"a\\"b\\\\c\\n\\u00e9"', 'a') as Scalar).value, 'a"b\\c\né');
      assert.equal((attr('"$${literal}"', 'a') as Scalar).value, '${literal}');
    });

    it('tuples -> ListValue and objects -> MapValue (quoted, unquoted and expression keys)', () => {
      const { v, text } = val('{ a = 1, "b-c" = [true, "x"], (var.k) = 2 }');
      const m = v as MapValue;
      assert.equal(m.kind, 'map');
      assert.equal(m.encoded, undefined);
      assert.deepEqual(m.entries.map((e) => e.key), ['a', 'b-c', '(var.k)']);
      assert.deepEqual(m.entries[1].keyRange, rangeOf(text, '"b-c"'));
      const l = get(m, 'b-c') as ListValue;
      assert.equal(l.kind, 'list');
      assert.deepEqual(l.range, rangeOf(text, '[true, "x"]'));
      assert.deepEqual(l.items.map((x) => (x as Scalar).value), [true, 'x']);
    });

    it('var.x -> input ref and local.x -> local ref, with text and range', () => {
      const { v, text } = val('var.kms_key');
      const r = v as RefValue;
      assert.equal(r.kind, 'ref');
      assert.deepEqual(r.target, { type: 'input', name: 'kms_key' });
      assert.equal(r.text, 'var.kms_key');
      assert.deepEqual(r.range, rangeOf(text, 'var.kms_key'));
      assert.deepEqual((val('local.name').v as RefValue).target, { type: 'local', name: 'name' });
    });

    it('resource references: attribute, index, splat, bare address', () => {
      const cases: [string, object][] = [
        ['aws_kms_key.k.arn', { type: 'resource', address: 'aws_kms_key.k', attribute: 'arn' }],
        ['aws_kms_key.k[0].arn', { type: 'resource', address: 'aws_kms_key.k', attribute: 'arn' }],
        ['aws_kms_key.k["x"].arn', { type: 'resource', address: 'aws_kms_key.k', attribute: 'arn' }],
        ['aws_kms_key.k[*].arn', { type: 'resource', address: 'aws_kms_key.k', attribute: 'arn' }],
        ['aws_kms_key.k.*.arn', { type: 'resource', address: 'aws_kms_key.k', attribute: 'arn' }],
        ['aws_kms_key.k', { type: 'resource', address: 'aws_kms_key.k' }],
        ['data.aws_iam_policy_document.p.json', { type: 'resource', address: 'data.aws_iam_policy_document.p', attribute: 'json' }],
        ['module.vpc.subnet_ids', { type: 'module', name: 'vpc', output: 'subnet_ids' }],
      ];
      for (const [expr, target] of cases) {
        const { v, text } = val(expr);
        assert.equal(v.kind, 'ref', expr);
        assert.deepEqual((v as RefValue).target, target, expr);
        assert.equal((v as RefValue).text, expr);
        assert.deepEqual(v.range, rangeOf(text, expr), expr);
      }
    });

    it('each, count, path, self and terraform are external refs', () => {
      for (const e of ['each.value', 'count.index', 'path.module', 'self.id', 'terraform.workspace']) {
        const r = val(e).v as RefValue;
        assert.equal(r.kind, 'ref', e);
        assert.deepEqual(r.target, { type: 'external', text: e });
      }
    });

    it('"${var.x}" (one interpolation) is the ref itself', () => {
      const { v, text } = val('"${var.x}"');
      assert.equal(v.kind, 'ref');
      assert.deepEqual((v as RefValue).target, { type: 'input', name: 'x' });
      assert.deepEqual(v.range, rangeOf(text, 'var.x'));
    });

    it('a template with text is ExprValue template with parts and refs', () => {
      const { v, text } = val('"arn:aws:s3:::${var.bucket}/${local.prefix}/*"');
      const e = v as ExprValue;
      assert.equal(e.kind, 'expr');
      assert.equal(e.fn, 'template');
      assert.deepEqual(e.parts, ['arn:aws:s3:::', '/', '/*']);
      assert.deepEqual(e.refs.map((r) => r.text), ['var.bucket', 'local.prefix']);
      assert.deepEqual(e.refs[1].range, rangeOf(text, 'local.prefix'));
      assert.equal(e.text, '"arn:aws:s3:::${var.bucket}/${local.prefix}/*"');
      assert.deepEqual(e.range, rangeOf(text, e.text));
    });

    it('a template directive is a template expression with refs', () => {
      const e = val('"%{if var.on}yes%{endif}"').v as ExprValue;
      assert.equal(e.fn, 'template');
      assert.deepEqual(e.refs.map((r) => r.text), ['var.on']);
    });

    it('c ? a : b -> IfValue with conditionText', () => {
      const { v, text } = val('var.enabled ? aws_kms_key.k.arn : null');
      const i = v as IfValue;
      assert.equal(i.kind, 'if');
      assert.equal(i.condition, undefined);
      assert.equal(i.conditionText, 'var.enabled');
      assert.deepEqual((i.then as RefValue).target, { type: 'resource', address: 'aws_kms_key.k', attribute: 'arn' });
      assert.equal((i.else as Scalar).value, null);
      assert.deepEqual(i.else.range, rangeOf(text, 'null'));
      assert.deepEqual(i.range, rangeOf(text, 'var.enabled ? aws_kms_key.k.arn : null'));
    });

    it('function calls -> ExprValue fn name with decoded args and refs', () => {
      const e = val('format("%s-%s", var.a, lower(local.b))').v as ExprValue;
      assert.equal(e.kind, 'expr');
      assert.equal(e.fn, 'format');
      assert.equal(e.args!.length, 3);
      assert.equal((e.args![0] as Scalar).value, '%s-%s');
      assert.equal((e.args![2] as ExprValue).fn, 'lower');
      assert.deepEqual(e.refs.map((r) => r.text), ['var.a', 'local.b']);
    });

    it('for, binary, unary, index and splat forms are ExprValues with refs', () => {
      const f = val('[for s in var.subnets : s.id if s.public]').v as ExprValue;
      assert.equal(f.fn, 'for');
      assert.deepEqual(f.refs.map((r) => r.text), ['var.subnets']); // `s` is the iterator, not a resource
      const b = val('var.a + local.b').v as ExprValue;
      assert.equal(b.fn, 'binary');
      assert.deepEqual(b.refs.map((r) => r.text), ['var.a', 'local.b']);
      const u = val('!var.enabled').v as ExprValue;
      assert.equal(u.fn, 'unary');
      assert.deepEqual(u.refs.map((r) => r.target), [{ type: 'input', name: 'enabled' }]);
      const i = val('var.subnets[0]').v as ExprValue;
      assert.equal(i.fn, 'index');
      assert.deepEqual(i.refs.map((r) => r.text), ['var.subnets']);
      const s = val('var.list[*].id').v as ExprValue;
      assert.equal(s.fn, 'splat');
      const p = val('(var.x)').v as RefValue;
      assert.equal(p.kind, 'ref');
    });

    it('legacy index, colon objects, identifier labels', () => {
      const text = 'resource aws_x y {\n  a = aws_x.z.0.id\n  b = { k: 1, "q": var.x }\n}\n';
      const u = parse(text);
      assert.deepEqual(u.issues, []);
      const r = res(u, 'aws_x.y');
      assert.deepEqual(r.nameRange, rangeOf(text, 'aws_x y'));
      assert.deepEqual((prop(r, 'a') as RefValue).target, { type: 'resource', address: 'aws_x.z', attribute: 'id' });
      assert.equal((prop(r, 'b', 'k') as Scalar).value, 1);
      assert.deepEqual((prop(r, 'b', 'q') as RefValue).target, { type: 'input', name: 'x' });
    });

    it('for-expression and dynamic iterators are never resource references', () => {
      const o = val('{ for k, v in var.m : k => v.arn }').v as ExprValue;
      assert.equal(o.fn, 'for');
      assert.deepEqual(o.refs.map((r) => r.text), ['var.m']);
      const t = val('[for s in aws_subnet.s : s.id]').v as ExprValue;
      assert.deepEqual(t.refs.map((r) => r.target), [{ type: 'resource', address: 'aws_subnet.s' }]);
      const text =
        'resource "a_b" "c" {\n  dynamic "rule" {\n    for_each = local.rules\n    iterator = it\n    content {\n      id = it.value.id\n      rule = rule.x\n    }\n  }\n}\n';
      const d = prop(res(parse(text), 'a_b.c'), 'rule') as ExprValue;
      // with `iterator = it`, `it` is the iterator and `rule.x` would be a resource reference
      assert.deepEqual(d.refs.map((r) => r.text), ['local.rules', 'rule.x']);
      const content = d.args![1] as MapValue;
      assert.deepEqual((get(content, 'id') as RefValue).target, { type: 'external', text: 'it.value.id' });
    });

    it('a template of two interpolations has no parts and both refs', () => {
      const e = val('"${var.a}${var.b}"').v as ExprValue;
      assert.equal(e.fn, 'template');
      assert.deepEqual(e.parts, []);
      assert.deepEqual(e.refs.map((r) => r.text), ['var.a', 'var.b']);
    });

    it('jsonencode({...}) -> the decoded map with encoded: jsonencode; jsonencode([...]) -> list', () => {
      const { v, text } = val('jsonencode({ Version = "2012-10-17", Statement = [{ Action = "s3:*", Resource = aws_s3_bucket.b.arn }] })');
      const m = v as MapValue;
      assert.equal(m.kind, 'map');
      assert.equal(m.encoded, 'jsonencode');
      const action = get((get(m, 'Statement') as ListValue).items[0], 'Action') as Scalar;
      assert.equal(action.value, 's3:*');
      assert.deepEqual(action.range, rangeOf(text, '"s3:*"'));
      const resource = get((get(m, 'Statement') as ListValue).items[0], 'Resource') as RefValue;
      assert.deepEqual(resource.target, { type: 'resource', address: 'aws_s3_bucket.b', attribute: 'arn' });
      const l = val('jsonencode(["a"])').v as ListValue;
      assert.equal(l.kind, 'list');
    });
  });

  describe('JSON in strings', () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'policies/main.tf'), 'utf8');
    const file = path.join(FIXTURES, 'policies/main.tf');
    let u: Unit;
    before(() => {
      u = parseTerraformModule(path.dirname(file), [{ path: file, text }]);
    });

    it('a heredoc JSON policy is a json-string map with exact ranges', () => {
      assert.deepEqual(u.issues, []);
      const policy = prop(res(u, 'aws_iam_role_policy.heredoc'), 'policy') as MapValue;
      assert.equal(policy.kind, 'map');
      assert.equal(policy.encoded, 'json-string');
      assert.equal(policy.file, file);
      const st = get(policy, 'Statement') as ListValue;
      const action = get(st.items[0], 'Action') as Scalar;
      assert.equal(action.value, 's3:*');
      assert.deepEqual(action.range, rangeOf(text, '"s3:*"'));
      const actionKey = (st.items[0] as MapValue).entries.find((e) => e.key === 'Action')!;
      assert.deepEqual(actionKey.keyRange, rangeOf(text, '"Action"', 0));
      assert.deepEqual(policy.range.start, rangeOf(text, '{\n      "Version"').start);
    });

    it('inside heredoc JSON, "${ref}" is the ref and "${ref}/*" a template', () => {
      const policy = prop(res(u, 'aws_iam_role_policy.heredoc'), 'policy') as MapValue;
      const st = get(policy, 'Statement') as ListValue;
      const r0 = get(st.items[0], 'Resource') as ExprValue;
      assert.equal(r0.kind, 'expr');
      assert.equal(r0.fn, 'template');
      assert.deepEqual(r0.parts, ['/*']);
      assert.deepEqual(r0.refs.map((r) => r.target), [{ type: 'resource', address: 'aws_s3_bucket.data', attribute: 'arn' }]);
      assert.deepEqual(r0.range, rangeOf(text, '"${aws_s3_bucket.data.arn}/*"'));
      const r1 = get(st.items[1], 'Resource') as RefValue;
      assert.equal(r1.kind, 'ref');
      assert.deepEqual(r1.target, { type: 'resource', address: 'aws_kms_key.k', attribute: 'arn' });
      assert.deepEqual(r1.range, rangeOf(text, 'aws_kms_key.k.arn'));
      const a1 = get(st.items[1], 'Action') as ListValue;
      assert.deepEqual(a1.items[0].range, rangeOf(text, '"kms:Decrypt"'));
    });

    it('a quoted JSON string with escapes maps ranges exactly into the file', () => {
      const policy = prop(res(u, 'aws_iam_role_policy.quoted'), 'policy') as MapValue;
      assert.equal(policy.kind, 'map');
      assert.equal(policy.encoded, 'json-string');
      const st = (get(policy, 'Statement') as ListValue).items[0];
      const action = get(st, 'Action') as Scalar;
      assert.equal(action.value, 'iam:*');
      // `\"iam:*\"` in the file: the range covers the escaped quotes
      assert.deepEqual(action.range, rangeOf(text, '\\"iam:*\\"'));
      const key = (st as MapValue).entries.find((e) => e.key === 'Action')!;
      assert.deepEqual(key.keyRange, rangeOf(text, '\\"Action\\"'));
    });

    it('a quoted JSON string with an interpolation: "${ref}" is the ref, ranged in the file', () => {
      const text = 'resource "a_b" "c" {\n  g = "{\\"Action\\": \\"${var.a}\\", \\"R\\": \\"arn:${var.p}\\"}"\n}\n';
      const g = prop(res(parse(text), 'a_b.c'), 'g') as MapValue;
      assert.equal(g.encoded, 'json-string');
      const a = get(g, 'Action') as RefValue;
      assert.deepEqual(a.target, { type: 'input', name: 'a' });
      assert.deepEqual(a.range, rangeOf(text, 'var.a'));
      const r = get(g, 'R') as ExprValue;
      assert.equal(r.fn, 'template');
      assert.deepEqual(r.parts, ['arn:']);
      assert.deepEqual(r.refs.map((x) => x.text), ['var.p']);
    });

    it('quotes inside an interpolation do not break heredoc JSON', () => {
      const text = 'resource "a_b" "c" {\n  p = <<EOF\n{"Resource": "${aws_s3_bucket.b["x"].arn}", "Action": "s3:GetObject"}\nEOF\n}\n';
      const p = prop(res(parse(text), 'a_b.c'), 'p') as MapValue;
      assert.equal(p.encoded, 'json-string');
      const r = get(p, 'Resource') as RefValue;
      assert.deepEqual(r.target, { type: 'resource', address: 'aws_s3_bucket.b', attribute: 'arn' });
      assert.equal(r.text, 'aws_s3_bucket.b["x"].arn');
      assert.deepEqual(get(p, 'Action').range, rangeOf(text, '"s3:GetObject"'));
    });

    it('an interpolation outside a JSON string leaves a template, not a broken map', () => {
      const e = attr('<<EOF\n{"Statement": ${jsonencode(local.st)}}\nEOF', 'a') as ExprValue;
      assert.equal(e.kind, 'expr');
      assert.equal(e.fn, 'template');
      assert.deepEqual(e.refs.map((r) => r.text), ['local.st']);
    });

    it('jsonencode policy in the fixture is encoded jsonencode', () => {
      const policy = prop(res(u, 'aws_iam_role_policy.encoded'), 'policy') as MapValue;
      assert.equal(policy.encoded, 'jsonencode');
      const action = get((get(policy, 'Statement') as ListValue).items[0], 'Action') as ListValue;
      assert.deepEqual(action.items[0].range, rangeOf(text, '"sagemaker:*"'));
    });

    it('a plain heredoc (not JSON) is a string; <<- strips the indentation', () => {
      const v = attr('<<-EOT\n    hello\n      world\n  EOT', 'a') as Scalar;
      assert.equal(v.kind, 'scalar');
      assert.equal(v.value, 'hello\n  world\n');
      const w = attr('<<EOT\n  keep\nEOT', 'a') as Scalar;
      assert.equal(w.value, '  keep\n');
    });

    it('a heredoc with interpolations that is not JSON is a template', () => {
      const e = attr('<<EOT\n#!/bin/bash\necho ${var.x}\nEOT', 'a') as ExprValue;
      assert.equal(e.kind, 'expr');
      assert.equal(e.fn, 'template');
      assert.deepEqual(e.refs.map((r) => r.text), ['var.x']);
    });

    it('a string starting with { that is not valid JSON stays a string', () => {
      const v = attr('"{not json"', 'a') as Scalar;
      assert.equal(v.kind, 'scalar');
      assert.equal(v.value, '{not json');
    });
  });

  describe('module folder', () => {
    const dir = path.join(FIXTURES, 'module');
    let u: Unit;
    before(() => {
      u = loadDir(dir);
    });

    it('variables in one file and resources in another form one unit', () => {
      assert.equal(u.root, dir);
      assert.deepEqual(u.issues, []);
      assert.deepEqual([...u.inputs.keys()].sort(), ['kms_key_id', 'root_access', 'subnets']);
      assert.equal(u.inputs.get('kms_key_id')!.file, path.join(dir, 'variables.tf'));
      const nb = res(u, 'aws_sagemaker_notebook_instance.nb');
      assert.equal(nb.file, path.join(dir, 'main.tf'));
      assert.deepEqual((prop(nb, 'kms_key_id') as RefValue).target, { type: 'input', name: 'kms_key_id' });
      assert.deepEqual((prop(nb, 'role_arn') as RefValue).target, { type: 'resource', address: 'aws_iam_role.exec', attribute: 'arn' });
      assert.deepEqual(u.resources.map((r) => r.address), ['aws_sagemaker_notebook_instance.nb', 'aws_iam_role.exec', 'data.aws_iam_policy_document.assume']);
      assert.equal(u.files.length, 7); // all files are kept, notes.txt included
      assert.equal(u.locals.get('prefix')!.file, path.join(dir, 'main.tf'));
    });

    it('tfvars precedence: terraform.tfvars, then *.auto.tfvars in lexical order, later wins', () => {
      const kms = u.assignments.get('kms_key_id')!;
      assert.equal((kms.value as Scalar).value, 'from-b-auto');
      assert.equal(kms.file, path.join(dir, 'b.auto.tfvars'));
      const root = u.assignments.get('root_access')!;
      assert.equal((root.value as Scalar).value, 'Enabled');
      assert.equal(root.file, path.join(dir, 'a.auto.tfvars'));
      const bText = fs.readFileSync(path.join(dir, 'b.auto.tfvars'), 'utf8');
      assert.deepEqual(kms.range, rangeOf(bText, 'kms_key_id = "from-b-auto"'));
      assert.deepEqual(kms.value.range, rangeOf(bText, '"from-b-auto"'));
    });

    it('*.auto.tfvars.json is read with jsonc-parser', () => {
      const s = u.assignments.get('subnets')!;
      const l = s.value as ListValue;
      assert.equal(l.kind, 'list');
      assert.equal((l.items[0] as Scalar).value, 'subnet-json');
      const jText = fs.readFileSync(path.join(dir, 'c.auto.tfvars.json'), 'utf8');
      assert.deepEqual(l.items[0].range, rangeOf(jText, '"subnet-json"'));
    });

    it('file order does not matter for tfvars precedence', () => {
      const files = fs.readdirSync(dir).reverse().map((n) => ({ path: path.join(dir, n), text: fs.readFileSync(path.join(dir, n), 'utf8') }));
      const u2 = parseTerraformModule(dir, files);
      assert.equal((u2.assignments.get('kms_key_id')!.value as Scalar).value, 'from-b-auto');
      assert.equal((u2.assignments.get('root_access')!.value as Scalar).value, 'Enabled');
    });
  });

  describe('tfvars', () => {
    it('a syntax error in terraform.tfvars is an issue of that file; the good lines are read', () => {
      const vars = path.join(DIR, 'terraform.tfvars');
      const u = parseTerraformModule(DIR, [
        { path: FILE, text: 'variable "a" {}\n' },
        { path: vars, text: 'a = "one"\n@@@\nb = 2\n' },
      ]);
      assert.equal((u.assignments.get('a')!.value as Scalar).value, 'one');
      assert.ok(u.issues.length >= 1);
      assert.equal(u.issues[0].file, vars);
      assert.equal(u.issues[0].range.start.line, 1);
    });

    it('invalid JSON in *.auto.tfvars.json is an issue, never a throw', () => {
      const vars = path.join(DIR, 'x.auto.tfvars.json');
      const u = parseTerraformModule(DIR, [{ path: vars, text: '{ "a": 1, "b": }' }]);
      assert.ok(u.issues.length >= 1);
      assert.equal(u.issues[0].file, vars);
      assert.match(u.issues[0].message, /invalid JSON/);
      assert.equal((u.assignments.get('a')!.value as Scalar).value, 1);
    });

    it('isTerraformModuleFile names the files of a module', () => {
      for (const f of ['main.tf', 'terraform.tfvars', 'terraform.tfvars.json', 'prod.auto.tfvars', 'x.auto.tfvars.json']) assert.ok(isTerraformModuleFile(`/m/${f}`), f);
      for (const f of ['prod.tfvars', 'main.tf.bak', 'notes.txt', 'x.tfvars.json']) assert.ok(!isTerraformModuleFile(`/m/${f}`), f);
    });

    it('terraform.tfvars.json comes after terraform.tfvars and before *.auto.tfvars', () => {
      const u = parseTerraformModule(DIR, [
        { path: path.join(DIR, 'z.auto.tfvars'), text: 'c = "auto"\n' },
        { path: path.join(DIR, 'terraform.tfvars.json'), text: '{"b": "json", "c": "json"}' },
        { path: path.join(DIR, 'terraform.tfvars'), text: 'a = "hcl"\nb = "hcl"\nc = "hcl"\n' },
        { path: path.join(DIR, 'other.tfvars'), text: 'a = "not auto-loaded"\n' },
      ]);
      assert.equal((u.assignments.get('a')!.value as Scalar).value, 'hcl');
      assert.equal((u.assignments.get('b')!.value as Scalar).value, 'json');
      assert.equal((u.assignments.get('c')!.value as Scalar).value, 'auto');
    });
  });

  describe('comments', () => {
    it('collects #, // and /* */ comments with their marker and exact ranges', () => {
      const text = '# top\nresource "a_b" "c" { // trailing\n  /* block\n  comment */ x = 1\n}\n';
      const u = parse(text);
      assert.deepEqual(u.comments.map((c) => c.text), ['# top', '// trailing', '/* block\n  comment */']);
      assert.deepEqual(u.comments[0].range, rangeOf(text, '# top'));
      assert.deepEqual(u.comments[1].range, rangeOf(text, '// trailing'));
      assert.deepEqual(u.comments[2].range, rangeOf(text, '/* block\n  comment */'));
      assert.equal(u.comments[0].file, FILE);
      assert.equal((prop(res(u, 'a_b.c'), 'x') as Scalar).value, 1);
    });

    it('a file with only comments gives comments and nothing else', () => {
      const u = parse('# one\n// two\n');
      assert.equal(u.comments.length, 2);
      assert.equal(u.resources.length, 0);
      assert.deepEqual(u.issues, []);
    });
  });

  describe('recovery', () => {
    it('an unclosed brace: the resources after it are kept, once each, with an issue', () => {
      const text =
        'resource "aws_s3_bucket" "a" {\n  bucket = "a"\n\n' +
        'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n\n' +
        'resource "aws_s3_bucket" "c" {\n  bucket = "c"\n}\n';
      const u = parse(text);
      assert.deepEqual(u.resources.map((r) => r.address), ['aws_s3_bucket.a', 'aws_s3_bucket.b', 'aws_s3_bucket.c']);
      assert.equal((prop(res(u, 'aws_s3_bucket.b'), 'bucket') as Scalar).value, 'b');
      assert.deepEqual(prop(res(u, 'aws_s3_bucket.c'), 'bucket').range, rangeOf(text, '"c"', 1));
      // the damaged block keeps what could be read, and ends at its last character
      assert.equal((prop(res(u, 'aws_s3_bucket.a'), 'bucket') as Scalar).value, 'a');
      assert.deepEqual(res(u, 'aws_s3_bucket.a').range.end, { line: 1, character: 14 });
      assert.equal(u.issues.length, 1);
      assert.match(u.issues[0].message, /unclosed '\{'/);
      assert.deepEqual(u.issues[0].range, { start: { line: 0, character: 29 }, end: { line: 0, character: 30 } });
      assert.equal(u.issues[0].file, FILE);
    });

    it('an unclosed string: the resources after it are kept', () => {
      const text =
        'resource "aws_s3_bucket" "a" {\n  bucket = "abc\n}\n\n' +
        'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n' +
        'resource "aws_kms_key" "k" {\n  description = "k"\n}\n';
      const u = parse(text);
      const addrs = u.resources.map((r) => r.address);
      assert.deepEqual(addrs.filter((a) => a !== 'aws_s3_bucket.a'), ['aws_s3_bucket.b', 'aws_kms_key.k']);
      assert.equal(new Set(addrs).size, addrs.length);
      assert.equal((prop(res(u, 'aws_kms_key.k'), 'description') as Scalar).value, 'k');
      assert.ok(u.issues.length >= 1);
      assert.ok(u.issues.some((i) => /unclosed '"'/.test(i.message) && i.range.start.line === 1));
    });

    it('a garbage line between blocks: both neighbours are kept and the line is reported', () => {
      const text = 'resource "a_b" "one" {\n  x = 1\n}\n@@@ what is this\nresource "a_b" "two" {\n  y = 2\n}\n';
      const u = parse(text);
      assert.deepEqual(u.resources.map((r) => r.address), ['a_b.one', 'a_b.two']);
      assert.equal(u.issues.length, 1);
      assert.equal(u.issues[0].range.start.line, 3);
      assert.match(u.issues[0].message, /unexpected '@@@ what is this'/);
    });

    it('garbage inside a block body keeps the block and the blocks after it', () => {
      const text = 'resource "a_b" "one" {\n  x = 1\n  ??? = \n  z = 3\n}\nresource "a_b" "two" {\n  y = 2\n}\n';
      const u = parse(text);
      assert.ok(u.issues.length >= 1);
      assert.equal(u.issues[0].range.start.line, 2, JSON.stringify(u.issues));
      assert.match(u.issues[0].message, /unexpected '\?\?\? ='/);
      assert.ok(u.issues.every((i) => !/heredoc|<</.test(i.message)), JSON.stringify(u.issues));
      assert.deepEqual(u.resources.map((r) => r.address), ['a_b.one', 'a_b.two']);
      assert.equal((prop(res(u, 'a_b.one'), 'x') as Scalar).value, 1);
    });

    it('a missing closing bracket in a list is reported', () => {
      const text = 'resource "a_b" "one" {\n  x = ["a", "b"\n}\nresource "a_b" "two" {}\n';
      const u = parse(text);
      assert.ok(u.issues.length >= 1);
      assert.ok(u.resources.some((r) => r.address === 'a_b.two'));
    });

    it('comments after the damage are still collected, once', () => {
      const text = 'resource "a_b" "one" {\n  x = 1\n# sageshield:ignore X-1 ok\nresource "a_b" "two" {\n  y = 2 # inline\n}\n';
      const u = parse(text);
      assert.deepEqual(u.comments.map((c) => c.text), ['# sageshield:ignore X-1 ok', '# inline']);
      assert.deepEqual(u.comments[1].range, rangeOf(text, '# inline'));
    });

    it('an unclosed nested block: later variables and resources are kept', () => {
      const text =
        'resource "aws_sagemaker_model" "m" {\n  vpc_config {\n    subnets = ["a"]\n\n  tags = {}\n}\n\n' +
        'variable "v" {\n  default = 1\n}\n\n' +
        'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n';
      const u = parse(text);
      assert.deepEqual(u.resources.map((r) => r.address), ['aws_sagemaker_model.m', 'aws_s3_bucket.b']);
      assert.equal((u.inputs.get('v')!.default as Scalar).value, 1);
      assert.deepEqual(res(u, 'aws_s3_bucket.b').range, rangeOf(text, 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}'));
      assert.equal(u.issues.length, 1);
      assert.match(u.issues[0].message, /unclosed '\{'/);
    });

    it('damage in one file of a module does not affect the other files', () => {
      const a = path.join(DIR, 'a.tf');
      const b = path.join(DIR, 'b.tf');
      const u = parseTerraformModule(DIR, [
        { path: a, text: 'resource "x_y" "broken" {\n  a = "\n' },
        { path: b, text: 'resource "x_y" "fine" {\n  a = 1\n}\n' },
      ]);
      assert.ok(u.issues.length >= 1);
      assert.ok(u.issues.every((i) => i.file === a));
      assert.equal((prop(res(u, 'x_y.fine'), 'a') as Scalar).value, 1);
    });

    it('random bytes never throw', () => {
      let seed = 7;
      const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
      const alphabet = 'resource data "{}[]()=:,.$%<<EOF\n\t #/*-+?x1é😀';
      for (let n = 0; n < 30; n++) {
        let text = '';
        const len = Math.floor(rnd() * 300);
        for (let i = 0; i < len; i++) text += alphabet[Math.floor(rnd() * alphabet.length)];
        text = 'resource "a_b" "ok" {}\n' + text + '\nresource "a_b" "after" {}\n';
        const u = parse(text);
        const addrs = u.resources.map((r) => r.address);
        assert.equal(new Set(addrs).size, addrs.length, text);
        for (const i of u.issues) assert.ok(i.range.start.line <= i.range.end.line);
      }
    });

    it('an unterminated heredoc is reported at its opener', () => {
      const text = 'resource "a_b" "c" {\n  x = <<EOF\nabc\n';
      const u = parse(text);
      const i = u.issues.find((x) => /unterminated heredoc/.test(x.message));
      assert.ok(i, JSON.stringify(u.issues));
      assert.match(i.message, /'EOF'/);
      assert.deepEqual(i.range, rangeOf(text, '<<EOF'));
      assert.deepEqual(u.resources.map((r) => r.address), ['a_b.c']);
    });

    it('a resource with one label is reported, not thrown', () => {
      const u = parse('resource "aws_s3_bucket" {\n}\n');
      assert.equal(u.resources.length, 0);
      assert.equal(u.issues.length, 1);
    });
  });

  describe('text encodings', () => {
    it('an empty file gives an empty unit', () => {
      const u = parse('');
      assert.equal(u.resources.length, 0);
      assert.deepEqual(u.issues, []);
      assert.equal(u.files.length, 1);
    });

    it('a BOM does not shift ranges or cause issues', () => {
      const text = '\uFEFFresource "a_b" "c" {\n  x = "y"\n}\n';
      const u = parse(text);
      assert.deepEqual(u.issues, []);
      const r = res(u, 'a_b.c');
      assert.deepEqual(r.nameRange, rangeOf(text, '"a_b" "c"'));
      assert.deepEqual(prop(r, 'x').range, rangeOf(text, '"y"'));
    });

    it('CRLF line endings give the same lines and columns', () => {
      const text = 'resource "a_b" "c" {\r\n  x = "y"\r\n  p = <<EOF\r\n{"Action": "s3:*"}\r\nEOF\r\n}\r\n# c\r\n';
      const u = parse(text);
      assert.deepEqual(u.issues, []);
      const r = res(u, 'a_b.c');
      assert.deepEqual(prop(r, 'x').range, { start: { line: 1, character: 6 }, end: { line: 1, character: 9 } });
      const action = get(prop(r, 'p'), 'Action');
      assert.deepEqual(action.range, { start: { line: 3, character: 11 }, end: { line: 3, character: 17 } });
      assert.deepEqual(u.comments[0].range, { start: { line: 6, character: 0 }, end: { line: 6, character: 3 } });
      assert.equal(u.comments[0].text, '# c');
    });

    it('tabs count as one character', () => {
      const text = 'resource "a_b" "c" {\n\tx\t=\t"y"\n}\n';
      const r = res(parse(text), 'a_b.c');
      assert.deepEqual(prop(r, 'x').range, { start: { line: 1, character: 5 }, end: { line: 1, character: 8 } });
    });

    it('non-ASCII characters before a value: columns are UTF-16 code units', () => {
      const text = 'resource "a_b" "c" {\n  tags = { "é😀" = "ü", k = "v" }\n}\n';
      const r = res(parse(text), 'a_b.c');
      const tags = prop(r, 'tags') as MapValue;
      assert.deepEqual(tags.entries.map((e) => e.key), ['é😀', 'k']);
      // `  tags = { "é😀" = "ü", k = ` : é is 1 unit, 😀 is 2 units
      assert.deepEqual(get(tags, 'k').range, rangeOf(text, '"v"'));
      assert.equal(get(tags, 'k').range.start.character, 28);
      assert.deepEqual(get(tags, 'é😀').range, rangeOf(text, '"ü"'));
    });

    it('non-ASCII text inside a JSON heredoc keeps exact ranges', () => {
      const text = 'resource "a_b" "c" {\n  p = <<EOF\n{"Sid": "ñé😀", "Action": "s3:*"}\nEOF\n}\n';
      const r = res(parse(text), 'a_b.c');
      const p = prop(r, 'p') as MapValue;
      assert.equal((get(p, 'Sid') as Scalar).value, 'ñé😀');
      assert.deepEqual(get(p, 'Action').range, rangeOf(text, '"s3:*"'));
    });
  });
});
