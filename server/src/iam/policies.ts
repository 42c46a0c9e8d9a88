/**
 * Policy extraction: every IAM policy document a unit holds, in one shape for both formats.
 *
 * CloudFormation: AWS::IAM::Role (Policies[].PolicyDocument, AssumeRolePolicyDocument), AWS::IAM::Policy,
 * AWS::IAM::ManagedPolicy, AWS::IAM::RolePolicy/UserPolicy/GroupPolicy (PolicyDocument), AWS::IAM::User and
 * AWS::IAM::Group (Policies), AWS::KMS::Key / AWS::KMS::ReplicaKey (KeyPolicy), AWS::S3::BucketPolicy
 * (PolicyDocument), AWS::SageMaker::ModelPackageGroup (ModelPackageGroupPolicy).
 * Terraform: aws_iam_policy / aws_iam_role_policy / aws_iam_user_policy / aws_iam_group_policy `policy`,
 * aws_iam_role `inline_policy[].policy` and `assume_role_policy`, aws_kms_key / aws_kms_key_policy `policy`,
 * aws_s3_bucket_policy `policy`, aws_sagemaker_model_package_group_policy `resource_policy`, and every
 * `data "aws_iam_policy_document"` (referenced or not). A policy attribute that references
 * `data.aws_iam_policy_document.x.json` is not a document of its own: it is recorded in the data document's
 * `usedBy`, so each statement is seen (and reported) once, where it is written.
 *
 * Conditional parts (CFN `Fn::If`, Terraform `c ? a : b`) are followed into the branches the files leave possible
 * (conditions are evaluated by ../model/values as far as parameters allow); a document or statement that exists only
 * under an open condition carries `conditional` (why). `AWS::NoValue` drops a part; Terraform locals are followed. Values are kept as model nodes (ranges intact); resolving
 * parameters and variables is the rules' business (see ./values.ts).
 */
import type { MapEntry, MapValue, Resource, Unit, Value } from '../model/types';
import { scenarios } from '../model/values';

export type PolicyKind = 'identity' | 'trust' | 'key' | 'resource';

/** One element of Action / NotAction / Resource / NotResource. */
export interface PolicyItem {
  value: Value;
}

/** One principal: `Principal: "*"` gives type `*`; `{AWS: [a, b]}` gives two with type `AWS`. */
export interface PolicyPrincipal {
  /** `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for a bare `"*"` principal. */
  type: string;
  value: Value;
  /** The node holding the type (the `AWS` key's value list, or the Terraform `principals` block). */
  node: Value;
}

/** One condition test: CFN `{StringEquals: {"iam:PassedToService": [...]}}`, Terraform `condition { ... }`. */
export interface ConditionClause {
  /** `StringEquals`, `ForAnyValue:StringLike`, ... (source text when not a literal). */
  operator: string;
  /** Condition key, e.g. `iam:PassedToService` (source text when not a literal). */
  key: string;
  values: Value[];
  node: Value;
}

export interface Statement {
  /** 0-based position in its document. */
  index: number;
  /** A missing or unreadable Effect counts as Allow; Deny only when every branch says Deny. */
  effect: 'Allow' | 'Deny';
  sid?: string;
  actions: PolicyItem[];
  notActions: PolicyItem[];
  resources: PolicyItem[];
  notResources: PolicyItem[];
  principals: PolicyPrincipal[];
  notPrincipals: PolicyPrincipal[];
  /** The Condition value (CFN/JSON map) or the Terraform `condition` block(s). */
  condition?: Value;
  conditions: ConditionClause[];
  /** Which keys the statement wrote, so "no Action" differs from "Action: []". */
  has: { action: boolean; notAction: boolean; resource: boolean; notResource: boolean; principal: boolean; notPrincipal: boolean };
  /** The statement itself (a JSON map, or a Terraform `statement` block). */
  node: Value;
  /**
   * Set when the statement exists only under some conditions (it sits in a branch of `Fn::If` / `c ? a : b` that the
   * files do not decide): why, for messages. Rules report such a statement as may-fail at most.
   */
  conditional?: string;
}

/** A resource that uses a policy document through a reference (Terraform `data.aws_iam_policy_document.x.json`). */
export interface PolicyUse {
  resource: Resource;
  /** Attribute path in the using resource, e.g. `assume_role_policy`, `inline_policy[0].policy`. */
  path: string;
  kind: PolicyKind;
  node: Value;
}

export interface PolicyDocument {
  kind: PolicyKind;
  /** Where the document is written (the data source itself for `aws_iam_policy_document`). */
  resource: Resource;
  /** Property path of the document inside the resource (`Policies[0].PolicyDocument`, `policy`, `statement`). */
  path: string;
  /** `json`: a JSON-shaped document (CFN, decoded strings, jsonencode); `terraform-data`: statement blocks. */
  syntax: 'json' | 'terraform-data';
  /** The document node (for a data source: its properties). */
  node: Value;
  statements: Statement[];
  /** Terraform: resources that reference this data document (empty otherwise). */
  usedBy: PolicyUse[];
  /** Set when the whole document exists only under some conditions (see `Statement.conditional`). */
  conditional?: string;
}

interface Location {
  path: string[];
  kind: PolicyKind;
  /** Property is a list of maps whose `sub` entry holds the document (CFN `Policies`, TF `inline_policy`). */
  listOf?: { list: string; sub: string };
}

const CFN_LOCATIONS: Record<string, Location[]> = {
  'AWS::IAM::Role': [
    { path: [], kind: 'identity', listOf: { list: 'Policies', sub: 'PolicyDocument' } },
    { path: ['AssumeRolePolicyDocument'], kind: 'trust' },
  ],
  'AWS::IAM::User': [{ path: [], kind: 'identity', listOf: { list: 'Policies', sub: 'PolicyDocument' } }],
  'AWS::IAM::Group': [{ path: [], kind: 'identity', listOf: { list: 'Policies', sub: 'PolicyDocument' } }],
  'AWS::IAM::Policy': [{ path: ['PolicyDocument'], kind: 'identity' }],
  'AWS::IAM::ManagedPolicy': [{ path: ['PolicyDocument'], kind: 'identity' }],
  'AWS::IAM::RolePolicy': [{ path: ['PolicyDocument'], kind: 'identity' }],
  'AWS::IAM::UserPolicy': [{ path: ['PolicyDocument'], kind: 'identity' }],
  'AWS::IAM::GroupPolicy': [{ path: ['PolicyDocument'], kind: 'identity' }],
  'AWS::KMS::Key': [{ path: ['KeyPolicy'], kind: 'key' }],
  'AWS::KMS::ReplicaKey': [{ path: ['KeyPolicy'], kind: 'key' }],
  'AWS::S3::BucketPolicy': [{ path: ['PolicyDocument'], kind: 'resource' }],
  'AWS::SageMaker::ModelPackageGroup': [{ path: ['ModelPackageGroupPolicy'], kind: 'resource' }],
};

const TF_LOCATIONS: Record<string, Location[]> = {
  aws_iam_policy: [{ path: ['policy'], kind: 'identity' }],
  aws_iam_role_policy: [{ path: ['policy'], kind: 'identity' }],
  aws_iam_user_policy: [{ path: ['policy'], kind: 'identity' }],
  aws_iam_group_policy: [{ path: ['policy'], kind: 'identity' }],
  aws_iam_role: [
    { path: ['assume_role_policy'], kind: 'trust' },
    { path: [], kind: 'identity', listOf: { list: 'inline_policy', sub: 'policy' } },
  ],
  aws_kms_key: [{ path: ['policy'], kind: 'key' }],
  aws_kms_key_policy: [{ path: ['policy'], kind: 'key' }],
  aws_s3_bucket_policy: [{ path: ['policy'], kind: 'resource' }],
  aws_sagemaker_model_package_group_policy: [{ path: ['resource_policy'], kind: 'resource' }],
};

export const POLICY_DOCUMENT_DATA = 'aws_iam_policy_document';

/** Resource types that can hold a policy (both formats), for rule metadata. */
export const POLICY_RESOURCE_TYPES: string[] = [
  ...Object.keys(CFN_LOCATIONS),
  ...Object.keys(TF_LOCATIONS),
  POLICY_DOCUMENT_DATA,
];

/** Case-insensitive entry lookup (policy grammar keys are case-sensitive in AWS, but a lenient read is safer). */
export function entry(map: MapValue, key: string): MapEntry | undefined {
  return map.entries.find((e) => e.key === key) ?? map.entries.find((e) => e.key.toLowerCase() === key.toLowerCase());
}

/** One structural alternative of a value, with the condition it depends on (undefined: always there). */
export interface Alternative<V extends Value = Value> {
  value: V;
  conditional?: string;
}

function andCond(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return `${a}; ${b}`;
}

/**
 * The alternatives a value can take structurally, with the condition each depends on: the branches of a conditional
 * that the files leave open (CFN conditions are evaluated as far as parameters allow, see ../model/values), nothing for
 * `AWS::NoValue`, the value of a Terraform local, the argument of `jsonencode(...)`.
 */
export function alternatives(unit: Unit, value: Value | undefined, depth = 0): Alternative[] {
  if (!value || depth > 20) return [];
  switch (value.kind) {
    case 'if': {
      const all = scenarios(unit, value);
      const seen = new Map<Value, { count: number; assumed: boolean; because: string }>();
      for (const sc of all) {
        const o = sc.outcome;
        if (o.kind === 'absent' || !o.node) continue;
        const e = seen.get(o.node) ?? { count: 0, assumed: false, because: sc.because.join('; ') };
        e.count++;
        e.assumed ||= sc.assumed;
        seen.set(o.node, e);
      }
      const out: Alternative[] = [];
      for (const [node, e] of seen) {
        const cond = e.count === all.length && !e.assumed ? undefined : e.because || value.conditionText || 'a condition';
        for (const a of alternatives(unit, node, depth + 1)) out.push({ value: a.value, conditional: andCond(cond, a.conditional) });
      }
      return out;
    }
    case 'ref': {
      const t = value.target;
      if (t.type === 'pseudo' && t.name === 'AWS::NoValue') return [];
      if (t.type === 'local' && unit.format === 'terraform') {
        const local = unit.locals.get(t.name);
        if (local) return alternatives(unit, local.value, depth + 1);
      }
      return [{ value }];
    }
    case 'expr':
      // jsonencode(local.x): the document is the argument.
      if (value.fn === 'jsonencode' && value.args?.length === 1) return alternatives(unit, value.args[0], depth + 1);
      return [{ value }];
    default:
      return [{ value }];
  }
}

/** The values of `alternatives`, without their conditions. */
export function branches(unit: Unit, value: Value | undefined): Value[] {
  return alternatives(unit, value).map((a) => a.value);
}

/** The elements of a string-or-list value, each conditional branch flattened, with their conditions. */
export function listAlternatives(unit: Unit, value: Value | undefined): Alternative[] {
  const out: Alternative[] = [];
  for (const b of alternatives(unit, value)) {
    if (b.value.kind === 'list') {
      for (const item of b.value.items) for (const a of alternatives(unit, item)) out.push({ value: a.value, conditional: andCond(b.conditional, a.conditional) });
    } else out.push(b);
  }
  return out;
}

/** The elements of a string-or-list value, each conditional branch flattened. */
export function listItems(unit: Unit, value: Value | undefined): Value[] {
  return listAlternatives(unit, value).map((a) => a.value);
}

function mapAlternatives(unit: Unit, value: Value | undefined): Alternative<MapValue>[] {
  return listAlternatives(unit, value).filter((a): a is Alternative<MapValue> => a.value.kind === 'map');
}

function maps(unit: Unit, value: Value | undefined): MapValue[] {
  return mapAlternatives(unit, value).map((a) => a.value);
}

function literal(value: Value | undefined): string | undefined {
  return value?.kind === 'scalar' && value.value !== null ? String(value.value) : undefined;
}

function textOf(value: Value): string {
  switch (value.kind) {
    case 'scalar':
      return String(value.value);
    case 'ref':
    case 'expr':
      return value.text;
    case 'if':
      return value.conditionText;
    default:
      return value.kind;
  }
}

function effectOf(unit: Unit, value: Value | undefined): 'Allow' | 'Deny' {
  if (!value) return 'Allow';
  const alts = branches(unit, value);
  if (alts.length > 0 && alts.every((v) => literal(v)?.toLowerCase() === 'deny')) return 'Deny';
  return 'Allow';
}

/**
 * The elements of a string-or-list policy element. Conditionals that choose an element are kept as one item (the
 * rules' value resolution evaluates their condition, so a `*` in one branch can be a may-fail); a conditional that
 * chooses between lists is entered.
 */
export function elements(unit: Unit, value: Value | undefined): Value[] {
  if (!value) return [];
  if (value.kind === 'list') return value.items.filter((i) => !(i.kind === 'ref' && i.target.type === 'pseudo' && i.target.name === 'AWS::NoValue'));
  if (value.kind === 'if') {
    const alts = branches(unit, value);
    if (alts.some((a) => a.kind === 'list')) return alts.flatMap((a) => (a.kind === 'list' ? a.items : [a]));
    return [value];
  }
  if (value.kind === 'ref' && value.target.type === 'pseudo' && value.target.name === 'AWS::NoValue') return [];
  return [value];
}

function items(unit: Unit, value: Value | undefined): PolicyItem[] {
  return elements(unit, value).map((v) => ({ value: v }));
}

function jsonPrincipals(unit: Unit, value: Value | undefined): PolicyPrincipal[] {
  const out: PolicyPrincipal[] = [];
  for (const b of branches(unit, value)) {
    if (b.kind === 'map') {
      for (const e of b.entries) for (const v of elements(unit, e.value)) out.push({ type: e.key, value: v, node: e.value });
    } else {
      // `Principal: "*"` (or something unresolved that stands for the whole principal).
      out.push({ type: '*', value: b, node: b });
    }
  }
  return out;
}

function jsonConditions(unit: Unit, value: Value | undefined): ConditionClause[] {
  const out: ConditionClause[] = [];
  for (const b of branches(unit, value)) {
    if (b.kind !== 'map') continue;
    for (const op of b.entries) {
      for (const m of branches(unit, op.value)) {
        if (m.kind !== 'map') continue;
        for (const k of m.entries) out.push({ operator: op.key, key: k.key, values: elements(unit, k.value), node: k.value });
      }
    }
  }
  return out;
}

function jsonStatement(unit: Unit, node: MapValue, index: number): Statement {
  const get = (k: string) => entry(node, k)?.value;
  const condition = get('Condition');
  return {
    index,
    effect: effectOf(unit, get('Effect')),
    sid: literal(get('Sid')),
    actions: items(unit, get('Action')),
    notActions: items(unit, get('NotAction')),
    resources: items(unit, get('Resource')),
    notResources: items(unit, get('NotResource')),
    principals: jsonPrincipals(unit, get('Principal')),
    notPrincipals: jsonPrincipals(unit, get('NotPrincipal')),
    condition,
    conditions: jsonConditions(unit, condition),
    has: {
      action: !!get('Action'),
      notAction: !!get('NotAction'),
      resource: !!get('Resource'),
      notResource: !!get('NotResource'),
      principal: !!get('Principal'),
      notPrincipal: !!get('NotPrincipal'),
    },
    node,
  };
}

/** Statements of a JSON-shaped document (`{Version, Statement: [...]}` or `Statement: {...}`). */
export function jsonStatements(unit: Unit, doc: MapValue): Statement[] {
  const stmts = entry(doc, 'Statement')?.value;
  return mapAlternatives(unit, stmts).map((a, i) => withCondition(jsonStatement(unit, a.value, i), a.conditional));
}

function withCondition(st: Statement, conditional: string | undefined): Statement {
  if (conditional) st.conditional = conditional;
  return st;
}

function tfPrincipals(unit: Unit, value: Value | undefined): PolicyPrincipal[] {
  const out: PolicyPrincipal[] = [];
  for (const block of maps(unit, value)) {
    const typeValue = entry(block, 'type')?.value;
    const type = literal(typeValue) ?? (typeValue ? textOf(typeValue) : '?');
    for (const v of elements(unit, entry(block, 'identifiers')?.value)) out.push({ type, value: v, node: block });
  }
  return out;
}

function tfConditions(unit: Unit, value: Value | undefined): ConditionClause[] {
  const out: ConditionClause[] = [];
  for (const block of maps(unit, value)) {
    const test = entry(block, 'test')?.value;
    const variable = entry(block, 'variable')?.value;
    out.push({
      operator: test ? (literal(test) ?? textOf(test)) : '?',
      key: variable ? (literal(variable) ?? textOf(variable)) : '?',
      values: elements(unit, entry(block, 'values')?.value),
      node: block,
    });
  }
  return out;
}

function tfStatement(unit: Unit, node: MapValue, index: number): Statement {
  const get = (k: string) => entry(node, k)?.value;
  const condition = get('condition');
  return {
    index,
    effect: effectOf(unit, get('effect')),
    sid: literal(get('sid')),
    actions: items(unit, get('actions')),
    notActions: items(unit, get('not_actions')),
    resources: items(unit, get('resources')),
    notResources: items(unit, get('not_resources')),
    principals: tfPrincipals(unit, get('principals')),
    notPrincipals: tfPrincipals(unit, get('not_principals')),
    condition,
    conditions: tfConditions(unit, condition),
    has: {
      action: !!get('actions'),
      notAction: !!get('not_actions'),
      resource: !!get('resources'),
      notResource: !!get('not_resources'),
      principal: !!get('principals'),
      notPrincipal: !!get('not_principals'),
    },
    node,
  };
}

/** If the value references `data.aws_iam_policy_document.x` (any attribute), the data source's address. */
function dataDocAddress(value: Value): string | undefined {
  const refs = value.kind === 'ref' ? [value] : value.kind === 'expr' ? value.refs : [];
  for (const r of refs) {
    const t = r.target;
    if (t.type === 'resource' && t.address.startsWith(`data.${POLICY_DOCUMENT_DATA}.`)) return t.address;
  }
  return undefined;
}

function valueAt(map: MapValue, path: string[]): Value | undefined {
  let cur: Value | undefined = map;
  for (const key of path) {
    if (!cur || cur.kind !== 'map') return undefined;
    cur = entry(cur, key)?.value;
  }
  return cur;
}

interface Found {
  path: string;
  kind: PolicyKind;
  value: Value;
  conditional?: string;
}

function locate(unit: Unit, resource: Resource, loc: Location): Found[] {
  const out: Found[] = [];
  if (loc.listOf) {
    const list = entry(resource.properties, loc.listOf.list)?.value;
    // Keep the position in the written list for the path, following conditionals inside it.
    const written = list?.kind === 'list' ? list.items : list ? [list] : [];
    written.forEach((item, i) => {
      for (const m of mapAlternatives(unit, item)) {
        const v = entry(m.value, loc.listOf!.sub)?.value;
        if (v) out.push({ path: `${loc.listOf!.list}[${i}].${loc.listOf!.sub}`, kind: loc.kind, value: v, conditional: m.conditional });
      }
    });
  } else {
    const v = valueAt(resource.properties, loc.path);
    if (v) out.push({ path: loc.path.join('.'), kind: loc.kind, value: v });
  }
  return out;
}

function kindOfUnusedDataDoc(statements: Statement[]): PolicyKind {
  const withPrincipals = statements.filter((s) => s.principals.length > 0 || s.notPrincipals.length > 0);
  if (withPrincipals.length === 0) return 'identity';
  const assumeOnly = statements.every((s) =>
    s.actions.every((a) => /^sts:(assumerole|assumerolewithsaml|assumerolewithwebidentity|tagsession|setsourceidentity)$/i.test(literal(a.value) ?? '')),
  );
  return assumeOnly && statements.some((s) => s.actions.length > 0) ? 'trust' : 'resource';
}

interface CacheEntry {
  resources: Resource[];
  locals: Unit['locals'];
  docs: PolicyDocument[];
}

/** One extraction per unit while its resources are the same objects (the IAM rules each ask for it). */
const cache = new WeakMap<Unit, CacheEntry>();

/**
 * Every policy document in the unit, in resource order. The result is shared (memoised per unit while its resource
 * list holds the same objects): do not modify it.
 */
export function extractPolicies(unit: Unit): PolicyDocument[] {
  const hit = cache.get(unit);
  if (hit && hit.locals === unit.locals && hit.resources.length === unit.resources.length && hit.resources.every((r, i) => r === unit.resources[i])) {
    return hit.docs;
  }
  const docs = extractUncached(unit);
  cache.set(unit, { resources: [...unit.resources], locals: unit.locals, docs });
  return docs;
}

function extractUncached(unit: Unit): PolicyDocument[] {
  const docs: PolicyDocument[] = [];
  const table = unit.format === 'cloudformation' ? CFN_LOCATIONS : TF_LOCATIONS;
  const uses = new Map<string, PolicyUse[]>();
  for (const resource of unit.resources) {
    if (resource.mode !== 'managed') continue;
    for (const loc of table[resource.type] ?? []) {
      for (const found of locate(unit, resource, loc)) {
        for (const a of alternatives(unit, found.value)) {
          const alt = a.value;
          if (alt.kind === 'map') {
            const conditional = andCond(found.conditional, a.conditional);
            docs.push({
              kind: found.kind,
              resource,
              path: found.path,
              syntax: 'json',
              node: alt,
              statements: jsonStatements(unit, alt),
              usedBy: [],
              ...(conditional ? { conditional } : {}),
            });
            continue;
          }
          const address = unit.format === 'terraform' ? dataDocAddress(alt) : undefined;
          if (address) {
            const list = uses.get(address) ?? [];
            list.push({ resource, path: found.path, kind: found.kind, node: alt });
            uses.set(address, list);
          }
        }
      }
    }
  }
  if (unit.format === 'terraform') {
    for (const resource of unit.resources) {
      if (resource.mode !== 'data' || resource.type !== POLICY_DOCUMENT_DATA) continue;
      const statements = mapAlternatives(unit, entry(resource.properties, 'statement')?.value).map((a, i) =>
        withCondition(tfStatement(unit, a.value, i), a.conditional),
      );
      const usedBy = uses.get(resource.address) ?? [];
      docs.push({
        kind: usedBy[0]?.kind ?? kindOfUnusedDataDoc(statements),
        resource,
        path: 'statement',
        syntax: 'terraform-data',
        node: resource.properties,
        statements,
        usedBy,
      });
    }
  }
  return docs;
}
