/**
 * Queries over the model that several rules share: judge one property of a resource and work out what to underline.
 * Pure model code (no rule registry, no LSP): rules turn the result into a finding.
 */
import type { Range, Resource, Unit, Value } from './types';
import { getProperty, isInside, judge, show } from './values';
import type { Judgement, Outcome, TestResult } from './values';

export interface PropertyJudgement extends Judgement {
  /** The property's name as written in this format (`KmsKeyId` / `kms_key_id`). */
  property: string;
  /** The value as written in the resource (undefined when the property is missing). */
  value?: Value;
  /** The property is not written at all. */
  missing: boolean;
  /** What to underline: the deciding node when it lies in the resource, else the property value, else the name. */
  range: Range;
  /** The deciding outcome's literal, when it has one (`'Enabled'`), for `data`. */
  literal?: string | number | boolean | null;
}

/** Judge `resource.properties[path]` with `test`; `path` is dotted (`VpcConfig.Subnets`). */
export function judgeProperty(
  unit: Unit,
  resource: Resource,
  path: string,
  test: (o: Outcome) => TestResult,
): PropertyJudgement {
  const value = getProperty(resource.properties, path);
  const j = judge(unit, value, test);
  let range = resource.nameRange;
  if (j.node && isInside(j.node, resource)) range = j.node.range;
  else if (value && value.file === resource.file) range = value.range;
  // the fields of `j` written out (an object spread here was the single most expensive line of the rules)
  return {
    verdict: j.verdict,
    because: j.because,
    node: j.node,
    outcome: j.outcome,
    scenarios: j.scenarios,
    property: path,
    value,
    missing: value === undefined,
    range,
    literal: j.outcome?.kind === 'literal' ? j.outcome.value : undefined,
  };
}

/** `'Enabled'`, `not set`, `AWS::NoValue`: how the deciding outcome reads in a message. */
export function outcomeText(j: Judgement): string {
  const o = j.outcome;
  if (!o) return 'not set';
  if (o.kind === 'literal') return show(o.value);
  if (o.kind === 'absent') return o.node ? 'not set (AWS::NoValue / null)' : 'not set';
  if (o.kind === 'opaque') return o.why;
  return `a ${o.kind}`;
}

/** A standard `may-fail` sentence tail: `(parameter P defaults to 'x')`. */
export function becauseText(j: Judgement): string {
  return j.because ? ` (${j.because})` : '';
}

/** Picks the CFN or Terraform spelling of a property for the unit's format. */
export function prop(unit: Unit, cfn: string, tf: string): string {
  return unit.format === 'cloudformation' ? cfn : tf;
}

/** Test for "must equal `wanted`": absent and other literals fail, unresolved values are unknown. */
export function mustEqual(wanted: string): (o: Outcome) => TestResult {
  return (o) => {
    if (o.kind === 'literal') return o.value === wanted ? 'pass' : 'fail';
    if (o.kind === 'absent' || o.kind === 'list' || o.kind === 'map') return 'fail';
    return 'unknown';
  };
}

const AWS_MANAGED_ALIAS = /(^|:)alias\/aws\//;

/**
 * Why a KMS key value is not a customer-managed key, or undefined when it is (or may be) one. Fails: not set, empty,
 * an AWS-managed alias (`alias/aws/sagemaker`, also inside `Fn::Sub`/templates, and Terraform `data.aws_kms_alias` /
 * `data.aws_kms_key` looked up by such an alias), a list/map/number. Opaque references (a key resource's ARN, a
 * required input) count as a key: the check is about presence.
 */
export function notCustomerKey(unit: Unit, o: Outcome): string | undefined {
  switch (o.kind) {
    case 'absent':
      return o.node ? 'resolves to no value, so an AWS-managed key is used' : 'is not set, so an AWS-managed key is used';
    case 'list':
    case 'map':
      return `is a ${o.kind}, not a key`;
    case 'literal':
      if (typeof o.value !== 'string') return `is ${show(o.value)}, not a key`;
      if (o.value.trim() === '') return 'is empty, so an AWS-managed key is used';
      if (AWS_MANAGED_ALIAS.test(o.value)) return `is ${show(o.value)}, an AWS-managed key`;
      return undefined;
    case 'opaque': {
      const n = o.node;
      if (n.kind === 'expr' && n.parts?.some((p) => AWS_MANAGED_ALIAS.test(p) || /alias\/aws\/?$/.test(p))) {
        return `is ${n.text}, an AWS-managed key`;
      }
      if (n.kind === 'ref' && n.target.type === 'resource' && /^data\.aws_kms_(alias|key)\./.test(n.target.address)) {
        const ds = unit.resources.find((r) => r.address === (n.target as { address: string }).address);
        const by = ds && (getProperty(ds.properties, 'name') ?? getProperty(ds.properties, 'key_id'));
        const sc = by ? judge(unit, by, (x) => (x.kind === 'literal' && typeof x.value === 'string' && AWS_MANAGED_ALIAS.test(x.value) ? 'fail' : 'pass')) : undefined;
        if (sc && sc.verdict === 'fail' && sc.outcome?.kind === 'literal') {
          return `reads ${n.text}, which looks up ${show(sc.outcome.value)}, an AWS-managed key`;
        }
      }
      return undefined;
    }
  }
}

/** What a property check found on one resource (structurally a rules `ReportInput`). */
export interface PropertyFinding {
  resource: Resource;
  range: Range;
  verdict: 'fail' | 'may-fail';
  message: string;
  data: Record<string, unknown>;
}

export interface PropertyCheckSpec {
  /** Resource types: CloudFormation, Terraform. */
  types: readonly [string, string];
  /** Property path: CloudFormation, Terraform. */
  property: readonly [string, string];
  test: (o: Outcome, unit: Unit, resource: Resource) => TestResult;
  /** The finding's message for a failing or may-failing judgement. */
  message: (j: PropertyJudgement, resource: Resource, unit: Unit) => string;
  /** Resources the check does not apply to. */
  skip?: (resource: Resource, unit: Unit) => boolean;
}

/** Judge one property on every managed resource of the spec's types; returns the non-passing ones. */
export function checkProperty(unit: Unit, spec: PropertyCheckSpec): PropertyFinding[] {
  const out: PropertyFinding[] = [];
  const type = unit.format === 'cloudformation' ? spec.types[0] : spec.types[1];
  const path = unit.format === 'cloudformation' ? spec.property[0] : spec.property[1];
  for (const r of unit.resources) {
    if (r.mode !== 'managed' || r.type !== type) continue;
    if (spec.skip?.(r, unit)) continue;
    const j = judgeProperty(unit, r, path, (o) => spec.test(o, unit, r));
    if (j.verdict === 'pass') continue;
    out.push({
      resource: r,
      range: j.range,
      verdict: j.verdict,
      message: spec.message(j, r, unit),
      data: {
        property: path,
        missing: j.missing,
        ...(j.literal !== undefined ? { value: j.literal } : {}),
        ...(j.because ? { because: j.because } : {}),
      },
    });
  }
  return out;
}

/** Message for the KMS rules: what is wrong with the key value and what to do. `what` is `Notebook instance storage`. */
export function kmsMessage(unit: Unit, j: PropertyJudgement, what: string): string {
  const p = j.property;
  const reason = (j.outcome && notCustomerKey(unit, j.outcome)) ?? 'is not a customer-managed key';
  const example = unit.format === 'cloudformation' ? '!GetAtt MyKey.Arn' : 'aws_kms_key.this.arn';
  const fix = `Set ${p} to a customer-managed KMS key (for example ${example}).`;
  if (j.verdict === 'fail') {
    return `${what} is not encrypted with a customer-managed KMS key: ${p} ${reason}${becauseText(j)}. ${fix}`;
  }
  return (
    `${what} may not be encrypted with a customer-managed KMS key: ${p} ${reason}${becauseText(j)}. ` +
    `Make sure every deployment gives a customer-managed key, or ${fix[0].toLowerCase()}${fix.slice(1)}`
  );
}

/** Message for "must be X" rules: what is set, what AWS does by default, what to set. */
export function enumMessage(
  j: PropertyJudgement,
  opts: {
    /** `Notebook instance gives users root access` */
    fail: string;
    /** `Notebook instance may give users root access` */
    may: string;
    wanted: string;
    awsDefault: string;
    /** `every notebook user can become root` */
    risk: string;
  },
): string {
  const p = j.property;
  if (j.verdict === 'fail') {
    const got = j.missing
      ? `${p} is not set and defaults to '${opts.awsDefault}'`
      : j.outcome?.kind === 'absent'
        ? `${p} resolves to no value and defaults to '${opts.awsDefault}'${becauseText(j)}`
        : `${p} is ${outcomeText(j)}${becauseText(j)}`;
    return `${opts.fail}: ${got}, so ${opts.risk}. Set ${p} to '${opts.wanted}'.`;
  }
  const o = j.outcome;
  const got =
    o?.kind === 'opaque'
      ? `${p} cannot be resolved from the files (${j.because || o.why})`
      : o?.kind === 'absent'
        ? `${p} would be unset, so AWS uses '${opts.awsDefault}'${becauseText(j)}`
        : `${p} would be ${outcomeText(j)}${becauseText(j)}`;
  return `${opts.may}: ${got}. Anything but '${opts.wanted}' means ${opts.risk}; make sure every deployment sets ${p} to '${opts.wanted}'.`;
}
