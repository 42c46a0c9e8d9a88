/** Property tests: judge/scenarios invariants over random value trees, parameters, locals and conditions. */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { emptyUnit } from '../../../server/src/model/types';
import type { Input, Scalar, Unit, Value } from '../../../server/src/model/types';
import { judge, MAX_SCENARIOS, scenarios } from '../../../server/src/model/values';
import type { Outcome, TestResult } from '../../../server/src/model/values';

const F = '/p/main';
const R = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
const NAMES = ['a', 'b', 'c'];

const scalar = fc.constantFrom<Scalar['value']>('Enabled', 'Disabled', '', null).map((value): Value => ({ kind: 'scalar', value, file: F, range: R }));
const ref = fc.oneof(
  fc.constantFrom(...NAMES).map((name): Value => ({ kind: 'ref', target: { type: 'input', name }, text: name, file: F, range: R })),
  fc.constantFrom(...NAMES).map((name): Value => ({ kind: 'ref', target: { type: 'local', name }, text: `local.${name}`, file: F, range: R })),
  fc.constant<Value>({ kind: 'ref', target: { type: 'pseudo', name: 'AWS::NoValue' }, text: 'AWS::NoValue', file: F, range: R }),
  fc.constant<Value>({ kind: 'ref', target: { type: 'resource', address: 'K', attribute: 'Arn' }, text: 'K.Arn', file: F, range: R }),
);
const { value } = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    ref,
    fc.record({ c: fc.constantFrom(...NAMES, undefined), t: tie('value'), e: tie('value') }).map(
      ({ c, t, e }): Value => ({ kind: 'if', condition: c, conditionText: c ?? 'x', then: t, else: e, file: F, range: R }),
    ),
  ),
}));
const inputSpec = fc.record({ def: fc.option(scalar, { nil: undefined }), allowed: fc.option(fc.array(scalar, { maxLength: 3 }), { nil: undefined }) });

function build(format: 'cloudformation' | 'terraform', inputs: { def?: Value; allowed?: Value[] }[], locals: Value[], conds: Value[]): Unit {
  const u = emptyUnit(format, F);
  NAMES.forEach((name, i) => {
    const spec = inputs[i];
    u.inputs.set(name, { name, file: F, range: R, nameRange: R, default: spec.def, allowedValues: spec.allowed } as Input);
    // locals may refer to each other (cycles included)
    u.locals.set(name, { name, file: F, range: R, nameRange: R, value: locals[i] });
    u.conditions.set(name, {
      name, file: F, range: R,
      value: { kind: 'expr', fn: 'Fn::Equals', text: 'eq', refs: [], args: [conds[i], { kind: 'scalar', value: 'Enabled', file: F, range: R }], file: F, range: R },
    });
  });
  return u;
}

const valueCheck = (o: Outcome): TestResult =>
  o.kind === 'literal' ? (o.value === 'Disabled' ? 'pass' : 'fail') : o.kind === 'opaque' ? 'unknown' : 'fail';

describe('model/values properties', function () {
  this.timeout(20000); // parsing on a loaded shared machine
  it('bounded, never a clean pass over an unknown, fail only when no scenario is assumed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'cloudformation' | 'terraform'>('cloudformation', 'terraform'),
        fc.tuple(inputSpec, inputSpec, inputSpec),
        fc.tuple(value, value, value),
        fc.tuple(value, value, value),
        value,
        (format, inputs, locals, conds, v) => {
          const u = build(format, inputs, locals, conds);
          const sc = scenarios(u, v);
          assert.ok(sc.length >= 1 && sc.length <= MAX_SCENARIOS);
          const j = judge(u, v, valueCheck);
          const results = sc.map((s) => valueCheck(s.outcome));
          if (j.verdict === 'pass') assert.ok(results.every((r) => r === 'pass'));
          if (results.some((r) => r === 'unknown')) assert.notEqual(j.verdict, 'pass');
          if (j.verdict === 'fail') assert.ok(sc.every((s) => !s.assumed) && results.every((r) => r === 'fail'));
          if (j.verdict === 'may-fail') assert.ok(j.because.length > 0 || results.some((r) => r === 'pass'));
        },
      ),
      { numRuns: 250 },
    );
  });
});
