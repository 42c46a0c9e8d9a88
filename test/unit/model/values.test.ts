import { strict as assert } from 'node:assert';
import { emptyUnit } from '../../../server/src/model/types';
import type { Format, IfValue, Input, ListValue, MapValue, RefTarget, RefValue, Scalar, Unit, Value, ExprValue } from '../../../server/src/model/types';
import { getAll, getProperty, itemScenarios, judge, scenarios, definiteString, MAX_SCENARIOS } from '../../../server/src/model/values';
import type { Outcome, TestResult } from '../../../server/src/model/values';

// Hand-built model nodes (no parser involved).
const F = '/x/main';
const R = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
const s = (value: Scalar['value']): Scalar => ({ kind: 'scalar', value, file: F, range: R });
const ref = (target: RefTarget, text: string): RefValue => ({ kind: 'ref', target, text, file: F, range: R });
const inRef = (name: string, text = name) => ref({ type: 'input', name }, text);
const list = (...items: Value[]): ListValue => ({ kind: 'list', items, file: F, range: R });
const map = (o: Record<string, Value>, block = false): MapValue => ({
  kind: 'map',
  entries: Object.entries(o).map(([key, value]) => ({ key, keyRange: R, value, block })),
  file: F,
  range: R,
});
const iff = (condition: string | undefined, then: Value, els: Value, conditionText = ''): IfValue => ({
  kind: 'if', condition, conditionText, then, else: els, file: F, range: R,
});
const eq = (a: Value, b: Value): ExprValue => ({ kind: 'expr', fn: 'Fn::Equals', text: 'Fn::Equals', refs: [], args: [a, b], file: F, range: R });

function unit(format: Format, inputs: Partial<Input>[] = []): Unit {
  const u = emptyUnit(format, F);
  for (const i of inputs) u.inputs.set(i.name!, { file: F, range: R, nameRange: R, ...i } as Input);
  return u;
}

const mustBeDisabled = (o: Outcome): TestResult =>
  o.kind === 'literal' ? (o.value === 'Disabled' ? 'pass' : 'fail') : o.kind === 'absent' ? 'fail' : 'unknown';
const mustBePresent = (o: Outcome): TestResult => (o.kind === 'absent' ? 'fail' : o.kind === 'literal' && o.value === '' ? 'fail' : 'pass');

describe('model/values', () => {
  describe('getProperty / getAll', () => {
    const props = map({
      VpcConfig: map({ Subnets: list(s('a'), s('b')) }),
      vpc_config: list(map({ subnet_ids: list(s('x')) }, true), map({ subnet_ids: list(s('y')) }, true)),
    });
    it('follows a dotted path and a string[] path', () => {
      assert.equal((getProperty(props, 'VpcConfig.Subnets') as ListValue).items.length, 2);
      assert.equal((getProperty(props, ['VpcConfig', 'Subnets', '1']) as Scalar).value, 'b');
    });
    it('enters the first map of a repeated block; getAll enters all', () => {
      assert.equal(((getProperty(props, 'vpc_config.subnet_ids') as ListValue).items[0] as Scalar).value, 'x');
      assert.deepEqual(getAll(props, 'vpc_config.subnet_ids').map((v) => ((v as ListValue).items[0] as Scalar).value), ['x', 'y']);
    });
    it('is undefined when a step is missing', () => {
      assert.equal(getProperty(props, 'VpcConfig.Nope'), undefined);
      assert.equal(getProperty(props, 'Nope.Subnets'), undefined);
      assert.equal(getProperty(undefined, 'A'), undefined);
    });
  });

  describe('scenarios', () => {
    it('a missing value is one absent scenario; a literal is itself; null is absent', () => {
      const u = unit('cloudformation');
      assert.deepEqual(scenarios(u, undefined).map((x) => x.outcome.kind), ['absent']);
      assert.equal((scenarios(u, s('v'))[0].outcome as { value: unknown }).value, 'v');
      assert.equal(scenarios(u, s(null))[0].outcome.kind, 'absent');
    });
    it('a parameter default is one assumed scenario', () => {
      const u = unit('cloudformation', [{ name: 'P', default: s('Enabled') }]);
      const sc = scenarios(u, inRef('P'));
      assert.equal(sc.length, 1);
      assert.equal(sc[0].assumed, true);
      assert.deepEqual(sc[0].because, ["parameter P defaults to 'Enabled'"]);
    });
    it('AllowedValues are all scenarios, not assumed', () => {
      const u = unit('cloudformation', [{ name: 'P', default: s('Enabled'), allowedValues: [s('Enabled'), s('Disabled')] }]);
      const sc = scenarios(u, inRef('P'));
      assert.deepEqual(sc.map((x) => (x.outcome as { value: unknown }).value), ['Enabled', 'Disabled']);
      assert.ok(sc.every((x) => !x.assumed));
    });
    it('a parameter without default is opaque; an SSM parameter is opaque', () => {
      const u = unit('cloudformation', [{ name: 'P' }, { name: 'S', type: 'AWS::SSM::Parameter::Value<String>', default: s('/my/key') }]);
      const p = scenarios(u, inRef('P'))[0].outcome;
      assert.equal(p.kind, 'opaque');
      assert.match((p as { why: string }).why, /no default/);
      assert.match((scenarios(u, inRef('S'))[0].outcome as { why: string }).why, /SSM parameter '\/my\/key'/);
    });
    it('terraform: tfvars decides; null default is absent; locals and nested attributes resolve', () => {
      const u = unit('terraform', [{ name: 'a', default: s('Enabled') }, { name: 'n', default: s(null) }, { name: 'o', default: map({ k: s('deep') }) }]);
      u.assignments.set('a', { name: 'a', file: '/x/main/terraform.tfvars', range: R, value: s('Disabled') });
      u.locals.set('l', { name: 'l', file: F, range: R, nameRange: R, value: inRef('a', 'var.a') });
      const a = scenarios(u, ref({ type: 'local', name: 'l' }, 'local.l'));
      assert.equal((a[0].outcome as { value: unknown }).value, 'Disabled');
      assert.equal(a[0].assumed, false);
      assert.deepEqual(a[0].because, ["terraform.tfvars sets a = 'Disabled'"]);
      assert.equal(scenarios(u, inRef('n', 'var.n'))[0].outcome.kind, 'absent');
      assert.equal((scenarios(u, inRef('o', 'var.o.k'))[0].outcome as { value: unknown }).value, 'deep');
      assert.equal(scenarios(u, inRef('o', 'var.o.missing'))[0].outcome.kind, 'opaque');
    });
    it('AWS::NoValue is absent; resource attributes, modules, undefined names are opaque', () => {
      const u = unit('cloudformation');
      assert.equal(scenarios(u, ref({ type: 'pseudo', name: 'AWS::NoValue' }, 'AWS::NoValue'))[0].outcome.kind, 'absent');
      assert.equal(scenarios(u, ref({ type: 'pseudo', name: 'AWS::Region' }, 'AWS::Region'))[0].outcome.kind, 'opaque');
      assert.equal(scenarios(u, ref({ type: 'resource', address: 'Key', attribute: 'Arn' }, 'Key.Arn'))[0].outcome.kind, 'opaque');
      assert.equal(scenarios(u, ref({ type: 'module', name: 'm', output: 'o' }, 'module.m.o'))[0].outcome.kind, 'opaque');
      assert.match((scenarios(u, inRef('Nope'))[0].outcome as { why: string }).why, /not defined/);
    });
    it('local cycles end in an opaque outcome', () => {
      const u = unit('terraform');
      u.locals.set('a', { name: 'a', file: F, range: R, nameRange: R, value: ref({ type: 'local', name: 'b' }, 'local.b') });
      u.locals.set('b', { name: 'b', file: F, range: R, nameRange: R, value: ref({ type: 'local', name: 'a' }, 'local.a') });
      const sc = scenarios(u, ref({ type: 'local', name: 'a' }, 'local.a'));
      assert.equal(sc.length, 1);
      assert.match((sc[0].outcome as { why: string }).why, /refers to itself/);
    });
    it('Fn::If evaluates a condition from parameters consistently, else both branches', () => {
      const u = unit('cloudformation', [{ name: 'Env', allowedValues: [s('dev'), s('prod')] }, { name: 'K', default: s('') }]);
      u.conditions.set('IsProd', { name: 'IsProd', file: F, range: R, value: eq(inRef('Env'), s('prod')) });
      u.conditions.set('HasK', { name: 'HasK', file: F, range: R, value: map({ 'Fn::Not': list(map({ 'Fn::Equals': list(inRef('K'), s('')) })) }) });
      const env = scenarios(u, iff('IsProd', inRef('Env'), s('other')));
      assert.deepEqual(env.map((x) => (x.outcome as { value: unknown }).value).sort(), ['other', 'prod']);
      // the same parameter keeps the same value in one scenario: K = '' -> HasK false -> NoValue
      const k = scenarios(u, iff('HasK', inRef('K'), ref({ type: 'pseudo', name: 'AWS::NoValue' }, 'AWS::NoValue')));
      assert.equal(k.length, 1);
      assert.equal(k[0].outcome.kind, 'absent');
      assert.equal(k[0].assumed, true);
      assert.match(k[0].because.join('; '), /defaults to ''.*condition HasK is false/);
      // undefined condition: both branches
      assert.equal(scenarios(u, iff('Nope', s('a'), s('b'))).length, 2);
    });
    it('terraform conditional gives both branches', () => {
      const u = unit('terraform');
      const sc = scenarios(u, iff(undefined, s('Enabled'), s('Disabled'), 'var.prod'));
      assert.deepEqual(sc.map((x) => x.because[0]), ['when var.prod is true', 'when var.prod is false']);
    });
    it('the number of scenarios is capped', () => {
      const inputs = Array.from({ length: 8 }, (_, i) => ({ name: `P${i}`, allowedValues: [s('a'), s('b')] }));
      const u = unit('cloudformation', inputs);
      let v: Value = s('z');
      for (let i = 0; i < 8; i++) {
        u.conditions.set(`C${i}`, { name: `C${i}`, file: F, range: R, value: eq(inRef(`P${i}`), s('a')) });
        v = iff(`C${i}`, v, v);
      }
      const sc = scenarios(u, v);
      assert.ok(sc.length <= MAX_SCENARIOS);
      assert.equal(sc[sc.length - 1].outcome.kind, 'opaque');
    });
  });

  describe('judge', () => {
    it('literal pass / fail; missing fails', () => {
      const u = unit('cloudformation');
      assert.equal(judge(u, s('Disabled'), mustBeDisabled).verdict, 'pass');
      assert.equal(judge(u, s('Enabled'), mustBeDisabled).verdict, 'fail');
      assert.equal(judge(u, undefined, mustBeDisabled).verdict, 'fail');
    });
    it('a failing default is may-fail and says why; a passing default passes', () => {
      const u = unit('cloudformation', [{ name: 'A', default: s('Enabled') }, { name: 'B', default: s('Disabled') }]);
      const j = judge(u, inRef('A'), mustBeDisabled);
      assert.equal(j.verdict, 'may-fail');
      assert.equal(j.because, "parameter A defaults to 'Enabled'");
      assert.equal(judge(u, inRef('B'), mustBeDisabled).verdict, 'pass');
    });
    it('AllowedValues: all fail -> fail, mixed -> may-fail, all pass -> pass', () => {
      const u = unit('cloudformation', [
        { name: 'F', default: s('Enabled'), allowedValues: [s('Enabled')] },
        { name: 'M', default: s('Disabled'), allowedValues: [s('Enabled'), s('Disabled')] },
        { name: 'P', allowedValues: [s('Disabled')] },
      ]);
      assert.equal(judge(u, inRef('F'), mustBeDisabled).verdict, 'fail');
      assert.equal(judge(u, inRef('M'), mustBeDisabled).verdict, 'may-fail');
      assert.equal(judge(u, inRef('P'), mustBeDisabled).verdict, 'pass');
    });
    it('a required input: presence passes, value check may-fails (never a clean pass)', () => {
      const u = unit('terraform', [{ name: 'r' }]);
      assert.equal(judge(u, inRef('r', 'var.r'), mustBePresent).verdict, 'pass');
      const j = judge(u, inRef('r', 'var.r'), mustBeDisabled);
      assert.equal(j.verdict, 'may-fail');
      assert.match(j.because, /var.r has no default/);
    });
    it('terraform conditional: both fail -> fail; one fails -> may-fail', () => {
      const u = unit('terraform');
      assert.equal(judge(u, iff(undefined, s('Enabled'), s('Enabled'), 'c'), mustBeDisabled).verdict, 'fail');
      assert.equal(judge(u, iff(undefined, s('Enabled'), s('Disabled'), 'c'), mustBeDisabled).verdict, 'may-fail');
    });
    it('definiteString only for a single non-assumed string', () => {
      const u = unit('cloudformation', [{ name: 'A', default: s('x') }]);
      assert.equal(definiteString(u, s('x')), 'x');
      assert.equal(definiteString(u, inRef('A')), undefined);
    });
  });
});

describe('model/values itemScenarios', () => {
  it('opens lists and resolves each item, keeping assumptions', () => {
    const u = unit('cloudformation', [{ name: 'A', default: s('s3:*') }]);
    const its = itemScenarios(u, list(s('s3:GetObject'), inRef('A')));
    assert.deepEqual(its.map((x) => (x.outcome as { value: unknown }).value), ['s3:GetObject', 's3:*']);
    assert.deepEqual(its.map((x) => x.assumed), [false, true]);
    assert.equal(itemScenarios(u, s('x')).length, 1);
  });
});
