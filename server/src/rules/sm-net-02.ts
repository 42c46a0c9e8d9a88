/**
 * SM-NET-02: a notebook instance must run in a subnet of your own VPC, not without a subnet (SageMaker-managed
 * network) and not in the account's default VPC.
 */
import { becauseText, judgeProperty, prop } from '../model/query';
import type { PropertyJudgement } from '../model/query';
import type { RefValue, Resource, Unit, Value } from '../model/types';
import { findResource, getAll, getProperty, judge, scenarios } from '../model/values';
import type { Outcome, TestResult } from '../model/values';
import { defineRule } from './types';

const MAX_HOPS = 8;

/** yes / maybe / no, combined by "worst". */
type Tri = 'yes' | 'maybe' | 'no';
const worst = (a: Tri, b: Tri): Tri => (a === 'yes' || b === 'yes' ? 'yes' : a === 'maybe' || b === 'maybe' ? 'maybe' : 'no');

/** Does `v` (a boolean-ish value) say true? */
function isTrue(unit: Unit, v: Value | undefined): Tri {
  if (!v) return 'no';
  const j = judge(unit, v, (o) => (o.kind === 'literal' && (o.value === true || o.value === 'true') ? 'fail' : 'pass'));
  return j.verdict === 'fail' ? 'yes' : j.verdict === 'may-fail' ? 'maybe' : 'no';
}

function refsIn(o: Outcome): RefValue[] {
  if (o.kind !== 'opaque') return [];
  const n = o.node;
  return n.kind === 'ref' ? [n] : n.kind === 'expr' ? n.refs : [];
}

/** Does a value (a VPC ID, or a list of them) point at the default VPC? `why` collects what it points at. */
function pointsAtDefaultVpc(unit: Unit, v: Value | undefined, why: string[], hops: number): Tri {
  if (!v || hops > MAX_HOPS) return 'no';
  if (v.kind === 'list') return v.items.reduce<Tri>((acc, i) => worst(acc, pointsAtDefaultVpc(unit, i, why, hops + 1)), 'no');
  const sc = scenarios(unit, v);
  const hits = sc.map((s): Tri => {
    if (s.outcome.kind === 'list') return pointsAtDefaultVpc(unit, s.outcome.node, why, hops + 1);
    let t: Tri = 'no';
    for (const r of refsIn(s.outcome)) {
      if (r.target.type !== 'resource') continue;
      const addr = r.target.address;
      if (addr.startsWith('aws_default_vpc.')) {
        why.push(`${addr} is the default VPC`);
        t = 'yes';
      } else if (addr.startsWith('data.aws_vpc.')) {
        const ds = findResource(unit, addr);
        const d = ds ? isTrue(unit, getProperty(ds.properties, 'default')) : 'no';
        if (d !== 'no') why.push(`${addr} looks up the default VPC`);
        t = worst(t, d);
      }
    }
    return s.assumed && t === 'yes' ? 'maybe' : t;
  });
  if (hits.every((h) => h === 'yes')) return 'yes';
  return hits.some((h) => h !== 'no') ? 'maybe' : 'no';
}

/** Does a Terraform `filter { name = N, values = [...] }` set select the default VPC or default subnets? */
function filtersSelectDefault(unit: Unit, ds: Resource, why: string[], hops: number): Tri {
  let t: Tri = 'no';
  for (const f of getAll(ds.properties, 'filter')) {
    if (f.kind !== 'map') continue;
    const name = getProperty(f, 'name');
    const nameSc = name ? scenarios(unit, name) : [];
    const n = nameSc.length === 1 && nameSc[0].outcome.kind === 'literal' ? nameSc[0].outcome.value : undefined;
    const values = getProperty(f, 'values');
    if (n === 'vpc-id') t = worst(t, pointsAtDefaultVpc(unit, values, why, hops + 1));
    else if (n === 'default-for-az' || n === 'defaultForAz') {
      const items = values?.kind === 'list' ? values.items : values ? [values] : [];
      const d = items.reduce<Tri>((acc, i) => worst(acc, isTrue(unit, i)), 'no');
      if (d !== 'no') why.push(`${ds.address} selects default subnets (default-for-az)`);
      t = worst(t, d);
    }
  }
  return t;
}

/** Is the subnet that `address` names (a resource or data source) in the default VPC? */
function subnetSourceIsDefault(unit: Unit, address: string, why: string[], hops: number): Tri {
  if (hops > MAX_HOPS) return 'no';
  if (address.startsWith('aws_default_subnet.')) {
    why.push(`${address} is a subnet of the default VPC`);
    return 'yes';
  }
  if (address.startsWith('aws_default_vpc.')) {
    why.push(`${address} is the default VPC`);
    return 'yes';
  }
  const r = findResource(unit, address);
  if (!r) return 'no';
  let t: Tri = 'no';
  const inner: string[] = [];
  if (r.type === 'aws_subnet' || r.type === 'aws_subnets' || r.type === 'aws_subnet_ids') {
    t = worst(t, pointsAtDefaultVpc(unit, getProperty(r.properties, 'vpc_id'), inner, hops + 1));
    if (r.mode === 'data') t = worst(t, filtersSelectDefault(unit, r, inner, hops + 1));
    if (r.mode === 'data' && r.type === 'aws_subnet') {
      const d = isTrue(unit, getProperty(r.properties, 'default_for_az'));
      if (d !== 'no') inner.push(`${address} has default_for_az = true`);
      t = worst(t, d);
    }
  }
  if (t !== 'no') why.push(`${address} is ${t === 'yes' ? '' : 'possibly '}in the default VPC (${inner.join('; ')})`);
  return t;
}

/** Why a subnet outcome fails (or may), for the test and the message. */
function subnetProblem(unit: Unit, o: Outcome): { result: TestResult; reason?: string } {
  if (o.kind === 'absent') return { result: 'fail', reason: o.node ? 'resolves to no value' : 'is not set' };
  if (o.kind === 'literal') {
    if (typeof o.value === 'string' && o.value.trim() !== '') return { result: 'pass' };
    return { result: 'fail', reason: typeof o.value === 'string' ? 'is empty' : `is ${String(o.value)}, not a subnet` };
  }
  if (o.kind !== 'opaque') return { result: 'fail', reason: `is a ${o.kind}, not a subnet ID` };
  const why: string[] = [];
  let t: Tri = 'no';
  for (const r of refsIn(o)) if (r.target.type === 'resource') t = worst(t, subnetSourceIsDefault(unit, r.target.address, why, 0));
  if (t === 'no') return { result: 'pass' };
  return { result: t === 'yes' ? 'fail' : 'unknown', reason: `comes from the default VPC: ${why.join('; ')}` };
}

/** Security groups: missing, empty list, or resolves to nothing in every scenario. */
function securityGroupsMissing(unit: Unit, r: Resource): boolean {
  const v = getProperty(r.properties, prop(unit, 'SecurityGroupIds', 'security_groups'));
  if (!v) return true;
  return scenarios(unit, v).every((s) => s.outcome.kind === 'absent' || (s.outcome.kind === 'list' && s.outcome.node.items.length === 0));
}

function message(unit: Unit, j: PropertyJudgement, sgMissing: boolean): string {
  const p = j.property;
  const sg = prop(unit, 'SecurityGroupIds', 'security_groups');
  const reason = (j.outcome && subnetProblem(unit, j.outcome).reason) ?? 'cannot be resolved';
  const sgNote = sgMissing ? ` ${sg} is not set either: give the notebook security groups of that VPC.` : '';
  const fix = `Set ${p} to a private subnet of your own VPC${unit.format === 'terraform' ? ' (aws_subnet.private.id)' : ''}.`;
  const defaultVpc = reason.startsWith('comes from the default VPC');
  if (j.verdict === 'fail') {
    const risk = defaultVpc
      ? 'the default VPC has public subnets, an internet gateway and permissive defaults shared by everything in the account'
      : 'without a subnet the notebook runs in a SageMaker-managed network with direct internet access';
    return `Notebook instance is not in a private VPC subnet: ${p} ${reason}, and ${risk}. ${fix}${sgNote}`;
  }
  return `Notebook instance may not be in a private VPC subnet: ${p} ${reason}${becauseText(j)}. Make sure every deployment gives a subnet of your own VPC, or ${fix[0].toLowerCase()}${fix.slice(1)}${sgNote}`;
}

export default defineRule({
  meta: {
    id: 'SM-NET-02',
    title: 'Notebook instance is not in a VPC subnet of its own',
    severity: 'high',
    category: 'network',
    formats: ['cloudformation', 'terraform'],
    resourceTypes: ['AWS::SageMaker::NotebookInstance', 'aws_sagemaker_notebook_instance'],
    description:
      'Without SubnetId (subnet_id) a notebook instance runs in a SageMaker-managed network with internet access ' +
      'and none of your VPC controls. A subnet of the default VPC (Terraform aws_default_subnet, aws_default_vpc, ' +
      'or data sources that look up the default VPC or default-for-az subnets) is no better. A subnet without ' +
      'SecurityGroupIds (security_groups) gets the VPC\'s default security group.',
    references: ['AWS Security Hub SageMaker.2', 'Checkov CKV_AWS_306', 'KICS 9c7028d9', 'NIST SP 800-53 SC-7'],
  },
  check(unit, ctx) {
    const type = prop(unit, 'AWS::SageMaker::NotebookInstance', 'aws_sagemaker_notebook_instance');
    for (const r of unit.resources) {
      if (r.mode !== 'managed' || r.type !== type) continue;
      const path = prop(unit, 'SubnetId', 'subnet_id');
      const j = judgeProperty(unit, r, path, (o) => subnetProblem(unit, o).result);
      const sgMissing = securityGroupsMissing(unit, r);
      if (j.verdict !== 'pass') {
        ctx.report({
          resource: r,
          range: j.range,
          verdict: j.verdict,
          message: message(unit, j, sgMissing),
          data: {
            property: path,
            missing: j.missing,
            ...(j.literal !== undefined ? { value: j.literal } : {}),
            ...(j.because ? { because: j.because } : {}),
            securityGroupsMissing: sgMissing,
          },
        });
      } else if (sgMissing) {
        const sg = prop(unit, 'SecurityGroupIds', 'security_groups');
        ctx.report({
          resource: r,
          verdict: 'fail',
          message: `Notebook instance has ${path} but no ${sg}: it gets the VPC's default security group, which is shared and often permissive. Set ${sg} to security groups made for the notebook.`,
          data: { property: sg, missing: true },
        });
      }
    }
  },
});
