/** Fixes for the SageMaker property rules: KMS keys, network isolation, root access. */
import type { Input, Resource, Unit, Value } from '../../model/types';
import { getProperty } from '../../model/values';
import type { Finding } from '../../rules/types';
import type { FixContext, NewInput } from '../ops';
import { addInputs, addResource, setProperties } from '../ops';
import { hclAddBlocks, hclExpr } from '../hcl';
import type { Fix, NewValue, TextEdit } from '../types';
import { attr, input, list, map, str } from '../types';
import { compact, copyValue, fix, rankByName, showValue, unusedInputs } from './common';

const cfn = (u: Unit) => u.format === 'cloudformation';

// ---------------------------------------------------------------------------------------------------------------
// KMS

const KMS_PROPERTY: Record<string, [string, string]> = {
  'SM-KMS-01': ['KmsKeyId', 'kms_key_id'],
  'SM-KMS-02': ['KmsKeyId', 'kms_key_id'],
  'SM-KMS-03': ['KmsKeyId', 'kms_key_arn'],
};

/** Where the resource names the execution role SageMaker uses it with (for the key policy). */
function executionRole(unit: Unit, res: Resource): Value | undefined {
  const paths = cfn(unit)
    ? ['RoleArn', 'ExecutionRoleArn', 'DefaultUserSettings.ExecutionRole']
    : ['role_arn', 'execution_role_arn', 'default_user_settings.execution_role'];
  for (const p of paths) {
    const v = getProperty(res.properties, p);
    if (v) return v;
  }
  return undefined;
}

function badKeyDefault(i: Input): boolean {
  const d = i.default;
  if (!d) return false;
  if (d.kind !== 'scalar') return true;
  return typeof d.value !== 'string' || d.value.trim() === '' || /(^|:)alias\/aws\//.test(d.value);
}

function keyHints(res: Resource): string[] {
  return [res.name, res.type.replace(/^AWS::SageMaker::|^aws_sagemaker_/, ''), 'sagemaker'];
}

export function kmsFixes(ctx: FixContext, f: Finding, res: Resource): Fix[] {
  const unit = ctx.unit;
  const names = KMS_PROPERTY[f.ruleId];
  const property = typeof f.data?.property === 'string' ? f.data.property : names ? names[cfn(unit) ? 0 : 1] : undefined;
  if (!property || property.includes('.')) return [];
  const out: Array<Fix | undefined> = [];
  // 1. keys the files already have, and parameters/variables that hold a key ARN but are declared and unused,
  //    ranked together by how well their names match the resource (keys first on a tie)
  const keyType = cfn(unit) ? 'AWS::KMS::Key' : 'aws_kms_key';
  const candidates: Array<{ name: string; value: NewValue; label: string }> = [
    ...unit.resources
      .filter((r) => r.mode === 'managed' && r.type === keyType)
      .map((k) => {
        const value = cfn(unit) ? attr(k.name, 'Arn') : attr(k.address, 'arn');
        return { name: k.name, value, label: `the existing KMS key ${k.name} (${showValue(ctx, value, res.file)})` };
      }),
    ...unusedInputs(unit, (i) => /kms|cmk/i.test(i.name) || /key_?(arn|id)$/i.test(i.name))
      .filter((i) => !badKeyDefault(i))
      .map((i) => ({ name: i.name, value: input(i.name), label: `the unused ${cfn(unit) ? 'parameter' : 'variable'} ${i.name} (${showValue(ctx, input(i.name), res.file)})` })),
  ];
  for (const c of rankByName(candidates, (c) => c.name, keyHints(res)).slice(0, 4)) {
    out.push(fix(f.ruleId, `Set ${property} to ${c.label}`, setProperties(ctx, res, [[property, c.value]])));
  }
  // 3. a new customer-managed key
  out.push(newKeyFix(ctx, f, res, property));
  const fixes = compact(out);
  if (fixes[0]) fixes[0].isPreferred = true;
  return fixes;
}

/**
 * The deploying account's root principal ARN: CFN `!Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'`;
 * Terraform a template over data.aws_caller_identity (added at the end of `near`'s file when the module has none).
 */
export function accountRoot(ctx: FixContext, near: Resource): { value: NewValue; edits: TextEdit[] } {
  const unit = ctx.unit;
  if (cfn(unit)) return { value: { kind: 'sub', cfn: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root', tf: '' }, edits: [] };
  const edits: TextEdit[] = [];
  const caller = unit.resources.find((r) => r.mode === 'data' && r.type === 'aws_caller_identity');
  let callerAddr = caller?.address;
  if (!callerAddr) {
    const doc = ctx.doc(near.file)!;
    callerAddr = 'data.aws_caller_identity.current';
    edits.push(...hclAddBlocks(doc, ['data "aws_caller_identity" "current" {}']));
  }
  const part = unit.resources.find((r) => r.mode === 'data' && r.type === 'aws_partition');
  const partition = part ? `\${${part.address}.partition}` : 'aws';
  return { value: { kind: 'sub', cfn: '', tf: `arn:${partition}:iam::\${${callerAddr}.account_id}:root` }, edits };
}

const KEY_USE_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:CreateGrant',
];

function newKeyFix(ctx: FixContext, f: Finding, res: Resource, property: string): Fix | undefined {
  const unit = ctx.unit;
  const role = executionRole(unit, res);
  const roleValue = role ? copyValue(ctx, role) : undefined;
  const root = accountRoot(ctx, res);
  const edits: TextEdit[] = root.edits;
  const account = root.value;
  const statements: NewValue[] = [
    map(
      ['Sid', str('AllowAccountAdministration')],
      ['Effect', str('Allow')],
      ['Principal', map(['AWS', account])],
      ['Action', str('kms:*')],
      ['Resource', str('*')],
    ),
  ];
  if (roleValue) {
    statements.push(
      map(
        ['Sid', str('AllowSageMakerExecutionRole')],
        ['Effect', str('Allow')],
        ['Principal', map(['AWS', roleValue])],
        ['Action', list(...KEY_USE_ACTIONS.map(str))],
        ['Resource', str('*')],
      ),
    );
  }
  const policy = map(['Version', str('2012-10-17')], ['Statement', list(...statements)]);
  const what = `${res.name}`;
  const added = addResource(
    ctx,
    {
      cfnName: `${res.name}KmsKey`,
      tfName: res.name,
      cfnType: 'AWS::KMS::Key',
      tfType: 'aws_kms_key',
      cfn: () => [
        ['Description', str(`Customer-managed key for ${what}`)],
        ['EnableKeyRotation', { kind: 'bool', value: true }],
        ['KeyPolicy', policy],
      ],
      tf: () => [
        ['description', str(`Customer-managed key for ${res.address}`)],
        ['enable_key_rotation', { kind: 'bool', value: true }],
        ['policy', { kind: 'raw', text: `jsonencode(${hclPolicy(ctx, res.file, policy)})` }],
      ],
    },
    res,
  );
  if (added.edits.length === 0) return undefined;
  const ref = cfn(unit) ? attr(added.name, 'Arn') : attr(`aws_kms_key.${added.name}`, 'arn');
  const set = setProperties(ctx, res, [[property, ref]]);
  if (set.length === 0) return undefined;
  const roleNote = roleValue ? ', a key policy for the account and the execution role' : ', a key policy for the account';
  return fix(
    f.ruleId,
    `Add a customer-managed KMS key ${added.name} (rotation on${roleNote}) and set ${property} to ${showValue(ctx, ref, res.file)}`,
    [...set, ...added.edits, ...edits],
  );
}

/** The HCL object expression of a policy (for jsonencode), indented as an attribute of a top-level block. */
function hclPolicy(ctx: FixContext, file: string, v: NewValue): string {
  const doc = ctx.doc(file)!;
  return hclExpr(doc, v, doc.unit);
}

// ---------------------------------------------------------------------------------------------------------------
// Network

interface Choice {
  value: NewValue;
  label: string;
}

function subnetChoice(ctx: FixContext, res: Resource): { choice?: Choice; input?: NewInput } {
  const unit = ctx.unit;
  const inDefaultVpc = (r: Resource) => {
    const v = getProperty(r.properties, cfn(unit) ? 'VpcId' : 'vpc_id');
    const refs = v?.kind === 'ref' ? [v] : v?.kind === 'expr' ? v.refs : [];
    return refs.some((x) => x.target.type === 'resource' && /^(aws_default_vpc\.|data\.aws_vpc\.)/.test(x.target.address));
  };
  const subs = unit.resources.filter((r) => r.mode === 'managed' && r.type === (cfn(unit) ? 'AWS::EC2::Subnet' : 'aws_subnet') && !inDefaultVpc(r));
  const ranked = rankByName(subs, (r) => r.name.replace(/public/i, ''), ['private', res.name]).filter(
    (r) => !/public/i.test(r.name) || subs.length === 1,
  );
  if (ranked[0]) {
    const r = ranked[0];
    const value: NewValue = cfn(unit) ? { kind: 'ref', name: r.name } : attr(r.address, 'id');
    return { choice: { value, label: `subnet ${r.name}` } };
  }
  const unused = unusedInputs(unit, (i) => (cfn(unit) ? i.type === 'AWS::EC2::Subnet::Id' || (/subnet/i.test(i.name) && !/ids|list/i.test(`${i.name} ${i.type}`)) : /subnet/i.test(i.name) && !/list|set/.test(i.type ?? '')));
  if (unused[0]) return { choice: { value: input(unused[0].name), label: `the unused ${cfn(unit) ? 'parameter' : 'variable'} ${unused[0].name}` } };
  return { input: { name: 'SubnetId', description: `Private subnet of your VPC for ${res.name}.`, cfnType: 'AWS::EC2::Subnet::Id', tfType: 'string' } };
}

function securityGroupChoice(ctx: FixContext, res: Resource): { choice?: Choice; input?: NewInput } {
  const unit = ctx.unit;
  const sgs = unit.resources.filter((r) => r.mode === 'managed' && r.type === (cfn(unit) ? 'AWS::EC2::SecurityGroup' : 'aws_security_group'));
  const ranked = rankByName(sgs, (r) => r.name, [res.name, 'sagemaker', 'notebook']);
  if (ranked[0]) {
    const r = ranked[0];
    const value = list(cfn(unit) ? attr(r.name, 'GroupId') : attr(r.address, 'id'));
    return { choice: { value, label: `security group ${r.name}` } };
  }
  const unused = unusedInputs(unit, (i) => /security_?group|sg/i.test(i.name) || /SecurityGroup::Id/.test(i.type ?? ''));
  if (unused[0]) {
    const i = unused[0];
    const isList = cfn(unit) ? /^List</.test(i.type ?? '') || /CommaDelimitedList/.test(i.type ?? '') : /list|set/.test(i.type ?? '');
    return { choice: { value: isList ? input(i.name) : list(input(i.name)), label: `the unused ${cfn(unit) ? 'parameter' : 'variable'} ${i.name}` } };
  }
  return {
    input: { name: 'SecurityGroupIds', description: `Security groups of ${res.name} (in the subnet's VPC).`, cfnType: 'List<AWS::EC2::SecurityGroup::Id>', tfType: 'list(string)' },
  };
}

/** Set the network properties `pairs` plus a subnet and security groups (existing, unused inputs, or new inputs). */
function networkFix(
  ctx: FixContext,
  f: Finding,
  res: Resource,
  opts: { base: Array<[string, NewValue]>; baseTitle: string; subnet: 'missing' | 'replace' | 'keep'; sg: boolean },
): Fix | undefined {
  const unit = ctx.unit;
  const subnetKey = cfn(unit) ? 'SubnetId' : 'subnet_id';
  const sgKey = cfn(unit) ? 'SecurityGroupIds' : 'security_groups';
  const pairs: Array<[string, NewValue]> = [...opts.base];
  const parts: string[] = opts.baseTitle ? [opts.baseTitle] : [];
  const newInputs: NewInput[] = [];
  const pending: Array<{ key: string; wrap: (name: string) => NewValue; label: string }> = [];
  if (opts.subnet !== 'keep') {
    const s = subnetChoice(ctx, res);
    if (s.choice) {
      pairs.push([subnetKey, s.choice.value]);
      parts.push(`set ${subnetKey} to ${s.choice.label}`);
    } else if (s.input) {
      newInputs.push(s.input);
      pending.push({ key: subnetKey, wrap: (n) => input(n), label: subnetKey });
    }
  }
  if (opts.sg) {
    const g = securityGroupChoice(ctx, res);
    if (g.choice) {
      pairs.push([sgKey, g.choice.value]);
      parts.push(`set ${sgKey} to ${g.choice.label}`);
    } else if (g.input) {
      newInputs.push(g.input);
      pending.push({ key: sgKey, wrap: (n) => input(n), label: sgKey });
    }
  }
  const edits: TextEdit[] = [];
  let inputs: string[] | undefined;
  if (newInputs.length > 0) {
    const added = addInputs(ctx, newInputs, res);
    if (added.edits.length === 0) return undefined;
    edits.push(...added.edits);
    inputs = added.names;
    pending.forEach((p, i) => pairs.push([p.key, p.wrap(added.names[i])]));
    parts.push(
      `set ${pending.map((p) => p.label).join(' and ')} from new ${cfn(unit) ? 'parameter' : 'variable'}${added.names.length > 1 ? 's' : ''} ${added.names.join(', ')}`,
    );
  }
  const set = setProperties(ctx, res, pairs);
  if (set.length === 0) return undefined;
  const title = parts.join(', ');
  return fix(f.ruleId, title[0].toUpperCase() + title.slice(1), [...edits, ...set], inputs ? { inputs } : {});
}

function hasValue(res: Resource, key: string): boolean {
  const v = getProperty(res.properties, key);
  return v !== undefined && !(v.kind === 'scalar' && (v.value === null || v.value === ''));
}

export function net01Fixes(ctx: FixContext, f: Finding, res: Resource): Fix[] {
  const unit = ctx.unit;
  const key = cfn(unit) ? 'DirectInternetAccess' : 'direct_internet_access';
  const subnetKey = cfn(unit) ? 'SubnetId' : 'subnet_id';
  const sgKey = cfn(unit) ? 'SecurityGroupIds' : 'security_groups';
  const x = networkFix(ctx, f, res, {
    base: [[key, str('Disabled')]],
    baseTitle: `set ${key} to Disabled`,
    subnet: hasValue(res, subnetKey) ? 'keep' : 'missing',
    sg: !hasValue(res, sgKey),
  });
  if (x) x.isPreferred = true;
  return compact([x]);
}

export function net02Fixes(ctx: FixContext, f: Finding, res: Resource): Fix[] {
  const unit = ctx.unit;
  const subnetKey = cfn(unit) ? 'SubnetId' : 'subnet_id';
  const sgKey = cfn(unit) ? 'SecurityGroupIds' : 'security_groups';
  const property = typeof f.data?.property === 'string' ? f.data.property : subnetKey;
  const x =
    property === sgKey
      ? networkFix(ctx, f, res, { base: [], baseTitle: '', subnet: 'keep', sg: true })
      : networkFix(ctx, f, res, { base: [], baseTitle: '', subnet: hasValue(res, subnetKey) ? 'replace' : 'missing', sg: !hasValue(res, sgKey) });
  if (x) x.isPreferred = true;
  return compact([x]);
}

function enumFix(ctx: FixContext, f: Finding, res: Resource, keys: [string, string], wanted: string): Fix[] {
  const key = keys[cfn(ctx.unit) ? 0 : 1];
  const x = fix(f.ruleId, `Set ${key} to ${wanted}`, setProperties(ctx, res, [[key, str(wanted)]]), { isPreferred: true });
  return compact([x]);
}

export function net03Fixes(ctx: FixContext, f: Finding, res: Resource): Fix[] {
  return enumFix(ctx, f, res, ['AppNetworkAccessType', 'app_network_access_type'], 'VpcOnly');
}

export function root01Fixes(ctx: FixContext, f: Finding, res: Resource): Fix[] {
  return enumFix(ctx, f, res, ['RootAccess', 'root_access'], 'Disabled');
}
