/**
 * IAM fixes: concrete actions instead of wildcards, ARNs of the files' resources instead of Resource "*", and
 * iam:PassRole restricted to the files' roles with an iam:PassedToService condition.
 */
import { walkValue } from '../../model/walk';
import type { MapEntry, MapValue, Range, Resource, Unit, Value } from '../../model/types';
import { actionMatches, expandAction, serviceActions } from '../../iam/actions';
import type { PolicyDocument, Statement } from '../../iam/policies';
import { extractPolicies } from '../../iam/policies';
import type { Finding } from '../../rules/types';
import type { Doc } from '../doc';
import { hclAddBlocks, hclAligned, hclExpr, hclSetAttributes } from '../hcl';
import type { FixContext } from '../ops';
import { addInputs, insertItemAfter, removeItems, replaceItem, replaceValue, setInMap } from '../ops';
import { indentOf, uniqueName } from '../text';
import type { Fix, NewValue, TextEdit } from '../types';
import { input, list, map, str } from '../types';
import { yamlReplaceEntryValue } from '../yaml';
import { compact, fix } from './common';
import { accountRoot } from './sagemaker';

const cfn = (u: Unit) => u.format === 'cloudformation';

interface Located {
  doc: PolicyDocument;
  st: Statement;
  /** The policy is JSON text inside a Terraform string or heredoc. */
  encoded: boolean;
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function locate(unit: Unit, f: Finding): Located | undefined {
  const d = f.data ?? {};
  for (const doc of extractPolicies(unit)) {
    if (doc.resource.address !== d.document || doc.path !== d.path) continue;
    const st = doc.statements.find((s) => s.index === d.statement && (s.node.file === f.file));
    if (!st) continue;
    const encoded = doc.node.kind === 'map' && doc.node.encoded === 'json-string';
    return { doc, st, encoded };
  }
  return undefined;
}

/** The map entry of a statement holding `node` as its value or as an item of its list value. */
function entryOf(st: Statement, node: Value): { entry?: MapEntry; item: boolean } {
  if (st.node.kind !== 'map') return { item: false };
  for (const e of st.node.entries) {
    if (e.value === node) return { entry: e, item: false };
    if (e.value.kind === 'list' && e.value.items.includes(node)) return { entry: e, item: true };
  }
  return { item: false };
}

/** Replace one element (an action or a resource) of a statement with several values. */
function replaceElement(ctx: FixContext, loc: Located, node: Value, values: NewValue[]): TextEdit[] {
  const { entry, item } = entryOf(loc.st, node);
  if (item && entry && entry.value.kind === 'list' && entry.value.items.length === 1 && !loc.encoded && ctx.kind(node.file) === 'hcl') {
    // the only item of a Terraform list: rewrite the list, one item per line when it gets long
    return replaceValue(ctx, entry.value, list(...values));
  }
  if (item || (node.kind === 'scalar' && !entry)) return replaceItem(ctx, node, values, loc.encoded);
  if (!entry) return [];
  const v: NewValue = values.length === 1 ? values[0] : list(...values);
  if (!loc.encoded && ctx.kind(node.file) === 'yaml') {
    const doc = ctx.doc(node.file)!;
    const flowParent = /[{[]/.test(doc.line(entry.keyRange.start.line).slice(0, entry.keyRange.start.character));
    if (!flowParent) return yamlReplaceEntryValue(doc, entry, v);
  }
  return replaceValue(ctx, node, v, loc.encoded);
}

// ---------------------------------------------------------------------------------------------------------------
// Action catalog

const READ_LEVELS = new Set(['List', 'Read']);

/** The read-only (List/Read) actions of a service, compacted to `svc:Verb*` where every such action is read-only. */
export function readOnlyActions(service: string): string[] {
  const all = serviceActions(service);
  if (all.length === 0) return [];
  const read = all.filter((a) => READ_LEVELS.has(a.accessLevel));
  const out: string[] = [];
  const done = new Set<string>();
  for (const a of read) {
    const verb = /^[A-Z][a-z]+/.exec(a.name)?.[0];
    if (verb && !done.has(verb)) {
      const matching = all.filter((x) => x.name.startsWith(verb));
      if (matching.length > 1 && matching.every((x) => READ_LEVELS.has(x.accessLevel))) {
        done.add(verb);
        out.push(`${a.service}:${verb}*`);
        continue;
      }
    }
    if (verb && done.has(verb)) continue;
    out.push(a.action);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Resources of the files and their ARNs

const CFN_ARNS: Record<string, { service: string; arn: (n: string) => NewValue[] }> = {
  'AWS::S3::Bucket': { service: 's3', arn: (n) => [{ kind: 'attr', address: n, attribute: 'Arn' }, { kind: 'sub', cfn: `\${${n}.Arn}/*`, tf: '' }] },
  'AWS::KMS::Key': { service: 'kms', arn: (n) => [{ kind: 'attr', address: n, attribute: 'Arn' }] },
  'AWS::SageMaker::NotebookInstance': { service: 'sagemaker', arn: (n) => [{ kind: 'ref', name: n }] },
  'AWS::SageMaker::Model': { service: 'sagemaker', arn: (n) => [{ kind: 'ref', name: n }] },
  'AWS::SageMaker::EndpointConfig': { service: 'sagemaker', arn: (n) => [{ kind: 'ref', name: n }] },
  'AWS::SageMaker::Endpoint': { service: 'sagemaker', arn: (n) => [{ kind: 'ref', name: n }] },
  'AWS::SageMaker::Domain': { service: 'sagemaker', arn: (n) => [{ kind: 'attr', address: n, attribute: 'DomainArn' }] },
  'AWS::Logs::LogGroup': { service: 'logs', arn: (n) => [{ kind: 'attr', address: n, attribute: 'Arn' }] },
  'AWS::ECR::Repository': { service: 'ecr', arn: (n) => [{ kind: 'attr', address: n, attribute: 'Arn' }] },
  'AWS::SNS::Topic': { service: 'sns', arn: (n) => [{ kind: 'ref', name: n }] },
  'AWS::SQS::Queue': { service: 'sqs', arn: (n) => [{ kind: 'attr', address: n, attribute: 'Arn' }] },
  'AWS::DynamoDB::Table': { service: 'dynamodb', arn: (n) => [{ kind: 'attr', address: n, attribute: 'Arn' }] },
  'AWS::SecretsManager::Secret': { service: 'secretsmanager', arn: (n) => [{ kind: 'ref', name: n }] },
};

const TF_ARNS: Record<string, string> = {
  aws_s3_bucket: 's3',
  aws_kms_key: 'kms',
  aws_sagemaker_notebook_instance: 'sagemaker',
  aws_sagemaker_model: 'sagemaker',
  aws_sagemaker_endpoint_configuration: 'sagemaker',
  aws_sagemaker_endpoint: 'sagemaker',
  aws_sagemaker_domain: 'sagemaker',
  aws_cloudwatch_log_group: 'logs',
  aws_ecr_repository: 'ecr',
  aws_sns_topic: 'sns',
  aws_sqs_queue: 'sqs',
  aws_dynamodb_table: 'dynamodb',
  aws_secretsmanager_secret: 'secretsmanager',
};

interface Target {
  resource: Resource;
  service: string;
  arns: NewValue[];
}

/** Does `r` reference `name` (CFN logical ID / TF address) anywhere in its properties? */
function references(unit: Unit, r: Resource, name: string): boolean {
  let hit = false;
  const visit = (v: Value) => {
    if (v.kind === 'ref' && v.target.type === 'resource' && (v.target.address === name || v.target.address.startsWith(`${name}.`))) hit = true;
    if (v.kind === 'expr' && (v.text.includes(`\${${name}`) || v.text.includes(name))) hit = hit || v.refs.some((x) => x.target.type === 'resource' && x.target.address === name);
  };
  walkValue(r.properties, visit);
  return hit;
}

/** The resources that reference `owner`, directly or through other resources. */
function dependents(unit: Unit, owner: Resource): Set<Resource> {
  const name = (r: Resource) => (cfn(unit) ? r.name : r.address);
  const out = new Set<Resource>();
  const todo = [owner];
  while (todo.length > 0) {
    const cur = todo.pop()!;
    for (const r of unit.resources) {
      if (r === owner || out.has(r) || !references(unit, r, name(cur))) continue;
      out.add(r);
      todo.push(r);
    }
  }
  return out;
}

/** Resources of the files with a known ARN, except those that would make a dependency cycle with the policy. */
function targets(unit: Unit, policyOwner: Resource, services?: Set<string>): Target[] {
  const out: Target[] = [];
  // Resources that use the policy's owner, directly or through others (an endpoint config whose model uses the
  // role), would form a dependency cycle.
  const users = dependents(unit, policyOwner);
  for (const r of unit.resources) {
    if (r.mode !== 'managed' || r === policyOwner) continue;
    if (users.has(r)) continue;
    if (cfn(unit)) {
      const t = CFN_ARNS[r.type];
      if (!t || (services && !services.has(t.service))) continue;
      out.push({ resource: r, service: t.service, arns: t.arn(r.name) });
    } else {
      const s = TF_ARNS[r.type];
      if (!s || (services && !services.has(s))) continue;
      const arns: NewValue[] = [{ kind: 'attr', address: r.address, attribute: 'arn' }];
      if (s === 's3') arns.push({ kind: 'sub', cfn: '', tf: `\${${r.address}.arn}/*` });
      out.push({ resource: r, service: s, arns });
    }
  }
  return out;
}

function serviceOfArnText(t: string): string | undefined {
  return /^arn:[^:]*:([a-z0-9-]+):/.exec(t)?.[1];
}

/** Services the statement's resources belong to (literal ARNs, or references to resources of the files). */
function resourceServices(unit: Unit, st: Statement): Set<string> {
  const out = new Set<string>();
  for (const r of st.resources) {
    const v = r.value;
    if (v.kind === 'scalar' && typeof v.value === 'string') {
      const s = serviceOfArnText(v.value);
      if (s) out.add(s);
    }
    const refs = v.kind === 'ref' ? [v] : v.kind === 'expr' ? v.refs : [];
    for (const x of refs) {
      if (x.target.type !== 'resource') continue;
      const addr = x.target.address;
      const res = unit.resources.find((q) => q.address === addr || q.name === addr);
      const s = res && (cfn(unit) ? CFN_ARNS[res.type]?.service : TF_ARNS[res.type]);
      if (s) out.add(s);
    }
    if (v.kind === 'expr') for (const p of v.parts ?? []) {
      const s = serviceOfArnText(p);
      if (s) out.add(s);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

function actionNode(loc: Located, f: Finding): Value | undefined {
  return loc.st.actions.find((a) => sameRange(a.value.range, f.range))?.value;
}

function isStarResource(v: Value): boolean {
  return v.kind === 'scalar' && v.value === '*';
}

/** CFN logical ID, Terraform address: how a resource is named in a title. */
function label(unit: Unit, r: Resource): string {
  return cfn(unit) ? r.name : r.address;
}

function short(list: string[], n = 3): string {
  return list.slice(0, n).join(', ') + (list.length > n ? `, ... (${list.length} in all)` : '');
}

/** IAM-03: `svc:*` -> the service's read-only actions. */
function serviceWildcardFix(ctx: FixContext, f: Finding, loc: Located): Fix | undefined {
  const node = actionNode(loc, f);
  const svc = typeof f.data?.service === 'string' ? f.data.service : undefined;
  if (!node || !svc || node.kind !== 'scalar') return undefined;
  const actions = readOnlyActions(svc);
  if (actions.length === 0) return undefined;
  return fix(f.ruleId, `Replace ${String(node.value)} with the read-only ${svc} actions (${short(actions)})`, replaceElement(ctx, loc, node, actions.map(str)));
}

/** IAM-01: `*` -> read-only actions of the services of the statement's resources. */
function actionStarFix(ctx: FixContext, f: Finding, loc: Located): Fix | undefined {
  const node = actionNode(loc, f);
  if (!node || node.kind !== 'scalar') return undefined;
  if (loc.st.resources.some((r) => isStarResource(r.value))) return undefined;
  const services = [...resourceServices(ctx.unit, loc.st)].sort();
  const actions = services.flatMap(readOnlyActions);
  if (actions.length === 0) return undefined;
  return fix(
    f.ruleId,
    `Replace "*" with the read-only actions of ${services.join(', ')} (the services of this statement's resources: ${short(actions)})`,
    replaceElement(ctx, loc, node, actions.map(str)),
  );
}

/** IAM-02: `Action "*"` on `Resource "*"` -> read-only access to the resources in the files. */
function adminFix(ctx: FixContext, f: Finding, loc: Located): Fix | undefined {
  const node = actionNode(loc, f);
  if (!node || node.kind !== 'scalar' || loc.st.actions.length !== 1) return undefined;
  const stars = loc.st.resources.filter((r) => isStarResource(r.value));
  if (stars.length !== 1 || loc.st.resources.length !== 1) return undefined;
  const ts = targets(ctx.unit, loc.doc.resource);
  if (ts.length === 0) return undefined;
  const services = [...new Set(ts.map((t) => t.service))].sort();
  const actions = services.flatMap(readOnlyActions);
  if (actions.length === 0) return undefined;
  const edits = [...replaceElement(ctx, loc, node, actions.map(str)), ...replaceElement(ctx, loc, stars[0].value, ts.flatMap((t) => t.arns))];
  return fix(
    f.ruleId,
    `Replace Action "*" and Resource "*" with read-only access (${short(actions)}) to ${ts.map((t) => label(ctx.unit, t.resource)).join(', ')}`,
    edits,
  );
}

/** IAM-04: `Resource "*"` -> the ARNs of the files' resources of the statement's services. */
function scopeResourceFix(ctx: FixContext, f: Finding, loc: Located): Fix | undefined {
  const node = loc.st.resources.find((r) => sameRange(r.value.range, f.range))?.value;
  if (!node) return undefined;
  const actions = Array.isArray(f.data?.actions) ? (f.data.actions as string[]) : [];
  // every action must accept resource ARNs, else scoping would break the wildcard-only ones
  const literal = loc.st.actions.map((a) => (a.value.kind === 'scalar' ? String(a.value.value) : undefined));
  if (literal.some((a) => a === undefined)) return undefined;
  if (literal.some((a) => !actions.includes(a!))) return scopeSplitFix(ctx, f, loc, actions);
  const services = new Set(actions.map((a) => a.split(':')[0].toLowerCase()));
  const ts = targets(ctx.unit, loc.doc.resource, services);
  if (ts.length > 0) {
    return fix(
      f.ruleId,
      `Replace Resource "*" with the ARNs of ${ts.map((t) => label(ctx.unit, t.resource)).join(', ')}`,
      replaceElement(ctx, loc, node, ts.flatMap((t) => t.arns)),
    );
  }
  if (services.size !== 1) return undefined;
  return arnInputFix(ctx, f, loc, node, [...services][0]);
}

const ARN_INPUTS: Record<string, { name: string; what: string }> = {
  s3: { name: 'BucketArn', what: 'the S3 bucket' },
  iam: { name: 'PassedRoleArn', what: 'the IAM role that may be passed' },
  kms: { name: 'KmsKeyArn', what: 'the KMS key' },
  sagemaker: { name: 'SagemakerResourceArn', what: 'the SageMaker resource' },
};

/** A new parameter/variable for the ARN of a resource of `service` (the user fills it in), and the ARNs to write. */
function arnInput(ctx: FixContext, loc: Located, service: string): { arns: NewValue[]; edits: TextEdit[]; inputs: string[]; shown: string } | undefined {
  const spec = ARN_INPUTS[service] ?? { name: `${service[0].toUpperCase()}${service.slice(1)}ResourceArn`, what: `the ${service} resource` };
  const added = addInputs(ctx, [{ name: spec.name, description: `ARN of ${spec.what} (used by the policy of ${loc.doc.resource.name}).`, cfnType: 'String', tfType: 'string' }], loc.doc.resource);
  if (added.edits.length === 0) return undefined;
  const n = added.names[0];
  const arns: NewValue[] = [input(n)];
  if (service === 's3') arns.push({ kind: 'sub', cfn: `\${${n}}/*`, tf: `\${var.${n}}/*` });
  const shown = ctx.unit.format === 'cloudformation' ? `parameter ${n}` : `variable ${n}`;
  return { arns, edits: added.edits, inputs: added.names, shown };
}

/** Scope a `*` resource to a new parameter/variable that holds the ARN (the user fills it in). */
function arnInputFix(ctx: FixContext, f: Finding, loc: Located, node: Value, service: string): Fix | undefined {
  const a = arnInput(ctx, loc, service);
  if (!a) return undefined;
  const edits = replaceElement(ctx, loc, node, a.arns);
  if (edits.length === 0) return undefined;
  return fix(f.ruleId, `Replace Resource "*" with the ARN in a new ${a.shown}${service === 's3' ? ' (bucket and its objects)' : ''}`, [...edits, ...a.edits], { inputs: a.inputs });
}

/**
 * IAM-04 on a statement that also grants actions that only work on "*": the actions that accept ARNs move to a new
 * statement right after it (same Effect), scoped to the files' resources of their services (or a new input); the
 * others keep Resource "*". Same limits as the PassRole split (no Condition, no NotResource, a Statement list).
 */
function scopeSplitFix(ctx: FixContext, f: Finding, loc: Located, scoped: string[]): Fix | undefined {
  const move = loc.st.actions.map((a) => a.value).filter((v) => v.kind === 'scalar' && scoped.includes(String(v.value)));
  if (move.length === 0 || loc.st.resources.length !== 1) return undefined;
  const moved = move.map((m) => String((m as { value: unknown }).value));
  const services = new Set(moved.map((a) => a.split(':')[0].toLowerCase()));
  const ts = targets(ctx.unit, loc.doc.resource, services);
  let arns: NewValue[];
  let onto: string;
  let extra: TextEdit[] = [];
  let inputs: string[] | undefined;
  if (ts.length > 0) {
    arns = ts.flatMap((t) => t.arns);
    onto = `the ARNs of ${ts.map((t) => label(ctx.unit, t.resource)).join(', ')}`;
  } else {
    if (services.size !== 1) return undefined;
    const a = arnInput(ctx, loc, [...services][0]);
    if (!a) return undefined;
    arns = a.arns;
    onto = `the ARN in a new ${a.shown}`;
    extra = a.edits;
    inputs = a.inputs;
  }
  const edits = splitStatement(ctx, loc, move, moved, arns, 'Scoped', false);
  if (!edits) return undefined;
  return fix(
    f.ruleId,
    `Move the actions that accept resource ARNs (${short(moved)}) to a statement of their own on ${onto}; the others keep Resource "*"`,
    [...edits, ...extra],
    inputs ? { inputs } : {},
  );
}

/** Where iam:PassRole may go: the files' roles (except the policy's own and those that would make a cycle), else a new input. */
function passTargets(ctx: FixContext, loc: Located): { arns: NewValue[]; to: string; edits: TextEdit[]; inputs?: string[] } | undefined {
  const unit = ctx.unit;
  const roleType = cfn(unit) ? 'AWS::IAM::Role' : 'aws_iam_role';
  const roles = unit.resources.filter((r) => r.mode === 'managed' && r.type === roleType && r !== loc.doc.resource && !references(unit, r, cfn(unit) ? loc.doc.resource.name : loc.doc.resource.address));
  if (roles.length > 0) {
    const arns: NewValue[] = roles.map((r) => (cfn(unit) ? { kind: 'attr', address: r.name, attribute: 'Arn' } : { kind: 'attr', address: r.address, attribute: 'arn' }));
    return { arns, to: roles.map((r) => label(unit, r)).join(', '), edits: [] };
  }
  const added = addInputs(ctx, [{ name: 'PassedRoleArn', description: `ARN of the execution role that ${loc.doc.resource.name} may pass to SageMaker.`, cfnType: 'String', tfType: 'string' }], loc.doc.resource);
  if (added.edits.length === 0) return undefined;
  return { arns: [input(added.names[0])], to: `the role in a new ${cfn(unit) ? 'parameter' : 'variable'} ${added.names[0]}`, edits: added.edits, inputs: added.names };
}

/** Does an action pattern grant iam:PassRole and nothing else (iam:PassRole, iam:Pass*)? */
function onlyPassRole(t: string): boolean {
  if (/^iam:PassRole$/i.test(t)) return true;
  if (!/^iam:[\w*?]*$/i.test(t) || !actionMatches(t, 'iam:PassRole')) return false;
  const granted = expandAction(t);
  return granted.length > 0 && granted.every((x) => /^iam:PassRole$/i.test(x.action));
}

/** IAM-06: PassRole on `*` -> the files' roles, with iam:PassedToService. */
function passRoleFix(ctx: FixContext, f: Finding, loc: Located): Fix | undefined {
  const rr = f.data?.resourceRange as Range | undefined;
  const resNode = rr ? loc.st.resources.find((r) => sameRange(r.value.range, rr))?.value : undefined;
  if (!resNode) return undefined;
  // every action must be iam:PassRole (or iam:GetRole), or a pattern that grants it (iam:Pass*, iam:*Role): patterns
  // are narrowed to iam:PassRole, since the statement is about to name roles. A statement that also grants other
  // actions is split: PassRole moves to a statement of its own.
  const narrow: Value[] = [];
  let shared = false;
  for (const a of loc.st.actions) {
    const t = a.value.kind === 'scalar' ? String(a.value.value) : undefined;
    if (!t) return undefined;
    if (/^iam:(PassRole|GetRole)$/i.test(t)) continue;
    if (/^iam:[\w*?]*$/i.test(t) && actionMatches(t, 'iam:PassRole')) narrow.push(a.value);
    else shared = true;
  }
  if (shared) return splitFix(ctx, f, loc);
  if (loc.st.resources.length !== 1) return undefined;
  const target = passTargets(ctx, loc);
  if (!target) return undefined;
  const edits = replaceElement(ctx, loc, resNode, target.arns);
  if (edits.length === 0) return undefined;
  edits.push(...target.edits);
  for (const n of narrow) {
    const e = replaceElement(ctx, loc, n, [str('iam:PassRole')]);
    if (e.length === 0) return undefined;
    edits.push(...e);
  }
  let cond = '';
  if (f.data?.passedToService !== true) {
    const c = addPassedToService(ctx, loc);
    if (c.length === 0) return undefined;
    edits.push(...c);
    cond = ' and add the condition iam:PassedToService = sagemaker.amazonaws.com';
  }
  const narrowed = narrow.length ? `, replace ${narrow.map((n) => (n.kind === 'scalar' ? String(n.value) : '')).join(', ')} with iam:PassRole` : '';
  return fix(f.ruleId, `Restrict iam:PassRole to ${target.to}${narrowed}${cond}`, edits, target.inputs ? { inputs: target.inputs } : {});
}

/**
 * IAM-06 on a statement that also grants other actions: iam:PassRole (and patterns granting only it) leaves the
 * statement, and a new statement right after it (same Effect) allows iam:PassRole on the files' roles (or a new
 * input) with iam:PassedToService = sagemaker.amazonaws.com. The rest of the statement is left to its own findings.
 * Not offered when the statement has a condition (the new statement could not keep it as written), NotResource,
 * or a pattern that grants PassRole together with other actions (iam:*Role, iam:*).
 */
function splitFix(ctx: FixContext, f: Finding, loc: Located): Fix | undefined {
  const move: Value[] = [];
  for (const a of loc.st.actions) {
    const t = a.value.kind === 'scalar' ? String(a.value.value) : '';
    if (onlyPassRole(t)) move.push(a.value);
    else if (/^iam:/i.test(t) && actionMatches(t, 'iam:PassRole')) return undefined;
  }
  if (move.length === 0 || !splittable(loc)) return undefined;
  const target = passTargets(ctx, loc);
  if (!target) return undefined;
  const edits = splitStatement(ctx, loc, move, ['iam:PassRole'], target.arns, 'PassRole', true);
  if (!edits) return undefined;
  const moved = move.map((m) => (m.kind === 'scalar' ? String(m.value) : '')).join(', ');
  return fix(
    f.ruleId,
    `Move ${moved} to a statement of its own on ${target.to}, with the condition iam:PassedToService = sagemaker.amazonaws.com`,
    [...edits, ...target.edits],
    target.inputs ? { inputs: target.inputs } : {},
  );
}

/** Can a statement be split: no Condition (a new statement could not keep it as written), no NotResource, in a list. */
function splittable(loc: Located): boolean {
  const st = loc.st.node;
  if (st.kind !== 'map' || loc.st.condition || loc.st.conditions.length > 0 || loc.st.notResources.length > 0) return false;
  if (loc.doc.syntax === 'terraform-data') return true;
  const stmts = loc.doc.node.kind === 'map' ? loc.doc.node.entries.find((e) => e.key === 'Statement')?.value : undefined;
  return !!stmts && stmts.kind === 'list' && stmts.items.includes(st);
}

/**
 * Split a statement: remove the action nodes `move` from its action list, and add right after it a statement with
 * the same Effect (and a Sid derived from its own, when it has one) granting `actions` on `resources`, with
 * iam:PassedToService = sagemaker.amazonaws.com when `passedToService`. Undefined when it cannot be done safely.
 */
function splitStatement(ctx: FixContext, loc: Located, move: Value[], actions: string[], resources: NewValue[], sidSuffix: string, passedToService: boolean): TextEdit[] | undefined {
  const st = loc.st.node;
  if (st.kind !== 'map' || !splittable(loc)) return undefined;
  const actionsEntry = st.entries.find((e) => e.value.kind === 'list' && move.every((m) => (e.value as { items: Value[] }).items.includes(m)));
  if (!actionsEntry || actionsEntry.value.kind !== 'list') return undefined;
  const removed = removeItems(ctx, actionsEntry.value, move);
  if (removed.length === 0) return undefined;
  const data = loc.doc.syntax === 'terraform-data';
  const sidKey = data ? 'sid' : 'Sid';
  const sidOf = (s: Statement) => (s.node.kind === 'map' ? s.node.entries.find((e) => e.key === sidKey)?.value : undefined);
  const sidNode = sidOf(loc.st);
  let sid: string | undefined;
  if (sidNode) {
    const base = `${sidNode.kind === 'scalar' ? String(sidNode.value).replace(/[^A-Za-z0-9]/g, '') : ''}${sidSuffix}`;
    const taken = loc.doc.statements.map((s) => sidOf(s)).map((v) => (v?.kind === 'scalar' ? String(v.value) : ''));
    sid = uniqueName(base, taken);
  }
  let inserted: TextEdit[];
  if (data) {
    const doc = ctx.doc(st.file);
    if (!doc) return undefined;
    const attrs: Array<[string, NewValue]> = [];
    if (sid) attrs.push(['sid', str(sid)]);
    if (st.entries.some((e) => e.key === 'effect')) attrs.push(['effect', str(loc.st.effect)]);
    attrs.push(['actions', list(...actions.map(str))], ['resources', list(...resources)]);
    inserted = hclStatementAfter(doc, st, attrs, passedToService);
  } else {
    const effect = st.entries.find((e) => e.key === 'Effect')?.value;
    const entries: Array<[string, NewValue]> = [];
    if (sid) entries.push(['Sid', str(sid)]);
    entries.push(
      ['Effect', str(effect?.kind === 'scalar' ? String(effect.value) : loc.st.effect)],
      ['Action', actions.length === 1 ? str(actions[0]) : list(...actions.map(str))],
      ['Resource', resources.length === 1 ? resources[0] : list(...resources)],
    );
    if (passedToService) entries.push(['Condition', map(['StringEquals', map(['iam:PassedToService', str('sagemaker.amazonaws.com')])])]);
    inserted = insertItemAfter(ctx, st, map(...entries), loc.encoded);
  }
  return inserted.length === 0 ? undefined : [...removed, ...inserted];
}

/** A new `statement { ... }` block (with an iam:PassedToService condition when asked) after a Terraform statement block. */
function hclStatementAfter(doc: Doc, st: MapValue, attrs: Array<[string, NewValue]>, passedToService: boolean): TextEdit[] {
  const indent = indentOf(doc.line(st.range.start.line));
  const inner = indent + doc.unit;
  const innermost = inner + doc.unit;
  const cond: Array<[string, NewValue]> = [['test', str('StringEquals')], ['variable', str('iam:PassedToService')], ['values', list(str('sagemaker.amazonaws.com'))]];
  const lines = [
    `${indent}statement {`,
    ...hclAligned(attrs.map(([k, v]) => [k, hclExpr(doc, v, inner)]), inner),
    ...(passedToService ? [`${inner}condition {`, ...hclAligned(cond.map(([k, v]) => [k, hclExpr(doc, v, innermost)]), innermost), `${inner}}`] : []),
    `${indent}}`,
  ];
  const last = doc.lastContentLine(st.range);
  const next = last + 1 < doc.lineCount ? doc.line(last + 1) : '';
  // a blank line between statement blocks, unless the next block follows without one
  const blank = /^\s*statement\s*\{/.test(next) ? '' : doc.eol;
  const at = doc.endOfLine(last);
  return [doc.insertAt(at, `${doc.eol}${blank}${lines.join(doc.eol)}`)];
}

function addPassedToService(ctx: FixContext, loc: Located): TextEdit[] {
  return addCondition(ctx, loc, 'StringEquals', 'iam:PassedToService', str('sagemaker.amazonaws.com'));
}

/** Add `Condition: {op: {key: value}}` to a statement (merging into an existing Condition / operator). */
function addCondition(ctx: FixContext, loc: Located, op: string, key: string, value: NewValue): TextEdit[] {
  const st = loc.st.node;
  if (st.kind !== 'map') return [];
  if (loc.doc.syntax === 'terraform-data') {
    if (loc.st.conditions.some((c) => c.key.toLowerCase() === key.toLowerCase())) return [];
    const doc = ctx.doc(st.file);
    return doc ? hclAddNestedBlock(doc, st, 'condition', [['test', str(op)], ['variable', str(key)], ['values', list(value)]]) : [];
  }
  const set = (m: MapValue, k: string, v: NewValue) => (loc.encoded ? jsonTextSetInMap(ctx, m, k, v) : setInMap(ctx, m, k, v));
  const cond = st.entries.find((e) => e.key === 'Condition');
  if (!cond) return set(st, 'Condition', map([op, map([key, value])]));
  if (cond.value.kind !== 'map') return [];
  const o = cond.value.entries.find((e) => e.key === op);
  if (!o) return set(cond.value, op, map([key, value]));
  if (o.value.kind !== 'map' || o.value.entries.some((e) => e.key === key)) return [];
  return set(o.value, key, value);
}

function plain(v: NewValue): unknown {
  if (v.kind === 'map') return Object.fromEntries(v.entries.map(([k, x]) => [k, plain(x)]));
  if (v.kind === 'list') return v.items.map(plain);
  if (v.kind === 'str') return v.value;
  return null;
}

/** Add a key to a JSON object written inside a Terraform string/heredoc (plain JSON text). */
function jsonTextSetInMap(ctx: FixContext, m: MapValue, key: string, v: NewValue): TextEdit[] {
  const doc = ctx.doc(m.file);
  const last = m.entries[m.entries.length - 1];
  if (!doc || !last) return [];
  const multi = m.range.start.line !== m.range.end.line;
  if (!multi) return [doc.insertAt(doc.offset(last.value.range.end), `, ${JSON.stringify(key)}: ${JSON.stringify(plain(v)).replace(/":/g, '": ')}`)];
  const indent = indentOf(doc.line(last.keyRange.start.line));
  const body = JSON.stringify(plain(v), null, doc.unit).split('\n').join(doc.eol + indent);
  return [doc.insertAt(doc.offset(last.value.range.end), `,${doc.eol}${indent}${JSON.stringify(key)}: ${body}`)];
}

/** Add a nested block (`condition { ... }`) at the end of a Terraform block body. */
function hclAddNestedBlock(doc: Doc, body: MapValue, name: string, attrs: Array<[string, NewValue]>): TextEdit[] {
  const last = body.entries[body.entries.length - 1];
  if (!last) return [];
  const indent = ' '.repeat(last.keyRange.start.character);
  const lastLine = doc.lastContentLine(last.value.range);
  const inner = indent + doc.unit;
  const lines = [`${indent}${name} {`, ...hclAligned(attrs.map(([k, v]) => [k, hclExpr(doc, v, inner)]), inner), `${indent}}`];
  return [doc.insertAt(doc.afterLine(lastLine), lines.join(doc.eol) + doc.eol)];
}

// ---------------------------------------------------------------------------------------------------------------
// IAM-02 on a SageMaker execution role: the baseline such a role needs

/** Roles a policy document belongs to: its owner when that is a role, else the roles its owner references. */
function rolesOf(unit: Unit, doc: PolicyDocument): Resource[] {
  const roleType = cfn(unit) ? 'AWS::IAM::Role' : 'aws_iam_role';
  const owners = [doc.resource, ...doc.usedBy.map((u) => u.resource)];
  const out = new Set<Resource>();
  for (const o of owners) {
    if (o.type === roleType) out.add(o);
    for (const r of unit.resources) if (r.type === roleType && references(unit, o, cfn(unit) ? r.name : r.address)) out.add(r);
  }
  return [...out];
}

function isSageMakerRole(unit: Unit, role: Resource): boolean {
  const f = unit.files.find((x) => x.path === role.file);
  if (f) {
    const lines = f.text.split(/\r?\n|\r/).slice(role.range.start.line, role.range.end.line + 1).join('\n');
    if (lines.includes('sagemaker.amazonaws.com')) return true;
  }
  const name = cfn(unit) ? role.name : role.address;
  return unit.resources.some((r) => /^(AWS::SageMaker::|aws_sagemaker_)/.test(r.type) && references(unit, r, name));
}

/** A Terraform data source of `type` (the module's, or a new `current` one added at the end of `near`'s file). */
function tfData(ctx: FixContext, near: Resource, type: string): { address: string; edits: TextEdit[] } {
  const found = ctx.unit.resources.find((r) => r.mode === 'data' && r.type === type);
  if (found) return { address: found.address, edits: [] };
  const doc = ctx.doc(near.file)!;
  return { address: `data.${type}.current`, edits: hclAddBlocks(doc, [`data "${type}" "current" {}`]) };
}

function baselineFix(ctx: FixContext, f: Finding, loc: Located): Fix | undefined {
  const unit = ctx.unit;
  if (loc.doc.syntax !== 'json' || loc.doc.node.kind !== 'map') return undefined;
  const stmts = loc.doc.node.entries.find((e) => e.key === 'Statement')?.value;
  if (!stmts || stmts.kind !== 'list' || !stmts.items.includes(loc.st.node)) return undefined;
  if (!rolesOf(unit, loc.doc).some((r) => isSageMakerRole(unit, r))) return undefined;
  const added = addInputs(ctx, [{ name: 'DataBucketArn', description: `ARN of the S3 bucket the SageMaker jobs of ${loc.doc.resource.name} read and write.`, cfnType: 'String', tfType: 'string' }], loc.doc.resource);
  if (added.edits.length === 0) return undefined;
  const bucket = added.names[0];
  const edits: TextEdit[] = [...added.edits];
  let logs: NewValue;
  let repos: NewValue;
  if (cfn(unit)) {
    logs = { kind: 'sub', cfn: 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/sagemaker/*', tf: '' };
    repos = { kind: 'sub', cfn: 'arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*', tf: '' };
  } else {
    const acct = tfData(ctx, loc.doc.resource, 'aws_caller_identity');
    const region = tfData(ctx, loc.doc.resource, 'aws_region');
    edits.push(...acct.edits, ...region.edits);
    const base = `arn:aws:%s:\${${region.address}.name}:\${${acct.address}.account_id}`;
    logs = { kind: 'sub', cfn: '', tf: `${base.replace('%s', 'logs')}:log-group:/aws/sagemaker/*` };
    repos = { kind: 'sub', cfn: '', tf: `${base.replace('%s', 'ecr')}:repository/*` };
  }
  const b: NewValue = input(bucket);
  const objects: NewValue = { kind: 'sub', cfn: `\${${bucket}}/*`, tf: `\${var.${bucket}}/*` };
  const stmt = (sid: string, actions: string[], resources: NewValue[]): NewValue =>
    map(['Sid', str(sid)], ['Effect', str('Allow')], ['Action', actions.length === 1 ? str(actions[0]) : list(...actions.map(str))], ['Resource', resources.length === 1 ? resources[0] : list(...resources)]);
  const statements = [
    stmt('DataBucket', ['s3:GetObject', 's3:PutObject', 's3:ListBucket'], [b, objects]),
    stmt('SageMakerLogs', ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], [logs]),
    stmt('EcrLogin', ['ecr:GetAuthorizationToken'], [str('*')]),
    stmt('PullImages', ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], [repos]),
  ];
  const replaced = replaceItem(ctx, loc.st.node, statements, loc.encoded);
  if (replaced.length === 0) return undefined;
  return fix(
    f.ruleId,
    `Replace the administrator statement with what a SageMaker execution role needs: S3 on the bucket in a new ${cfn(unit) ? 'parameter' : 'variable'} ${bucket}, CloudWatch Logs under /aws/sagemaker/, ECR image pull`,
    [...replaced, ...edits],
    { inputs: added.names },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// IAM-09: trust policies

/** Is the role used by a SageMaker resource of the files, or does its trust already name SageMaker? */
function sagemakerRole(unit: Unit, loc: Located): boolean {
  const role = loc.doc.resource;
  if (loc.st.principals.some((p) => p.type.toLowerCase() === 'service' && p.value.kind === 'scalar' && String(p.value.value).startsWith('sagemaker.'))) return true;
  const name = cfn(unit) ? role.name : role.address;
  const users = loc.doc.usedBy.map((u) => u.resource);
  return unit.resources.some(
    (r) => /^(AWS::SageMaker::|aws_sagemaker_)/.test(r.type) && (references(unit, r, name) || users.some((u) => references(unit, r, cfn(unit) ? u.name : u.address))),
  );
}

function trustFix(ctx: FixContext, f: Finding, loc: Located): Fix | undefined {
  const unit = ctx.unit;
  const d = f.data ?? {};
  // a wildcard action in a trust policy -> sts:AssumeRole
  if (typeof d.action === 'string' || (d.action === undefined && d.principal === undefined)) {
    const node = actionNode(loc, f);
    if (!node) return undefined;
    const federated = loc.st.principals.some((p) => p.type.toLowerCase() === 'federated');
    const action = federated ? 'sts:AssumeRoleWithWebIdentity' : 'sts:AssumeRole';
    return fix(f.ruleId, `Replace ${node.kind === 'scalar' ? String(node.value) : 'the wildcard'} with ${action}`, replaceElement(ctx, loc, node, [str(action)]));
  }
  if (d.crossAccount === true) {
    const added = addInputs(ctx, [{ name: 'ExternalId', description: `External ID the trusted account must pass to assume ${loc.doc.resource.name}.`, cfnType: 'String', tfType: 'string' }], loc.doc.resource);
    if (added.edits.length === 0) return undefined;
    const c = addCondition(ctx, loc, 'StringEquals', 'sts:ExternalId', input(added.names[0]));
    if (c.length === 0) return undefined;
    return fix(f.ruleId, `Require sts:ExternalId (from a new ${cfn(unit) ? 'parameter' : 'variable'} ${added.names[0]}) to assume this role`, [...c, ...added.edits], { inputs: added.names });
  }
  if (d.principal !== '*') return undefined;
  const p = loc.st.principals.find((x) => sameRange(x.value.range, f.range) || x.value === undefined);
  const sm = sagemakerRole(unit, loc);
  if (loc.doc.syntax === 'terraform-data') {
    const block = p?.node;
    if (!block || block.kind !== 'map') return undefined;
    const doc = ctx.doc(block.file);
    if (!doc) return undefined;
    if (sm) {
      return fix(f.ruleId, 'Trust only sagemaker.amazonaws.com (principals type "Service")', hclSetAttributes(doc, block, [['type', str('Service')], ['identifiers', list(str('sagemaker.amazonaws.com'))]]));
    }
    const root = accountRoot(ctx, loc.doc.resource);
    const edits = hclSetAttributes(doc, block, [['identifiers', list(root.value)]]);
    return fix(f.ruleId, 'Trust only this account (its root principal) instead of "*"', [...edits, ...root.edits]);
  }
  const st = loc.st.node;
  if (st.kind !== 'map') return undefined;
  const entry = st.entries.find((e) => e.key === 'Principal');
  if (!entry) return undefined;
  if (sm) {
    const v = map(['Service', str('sagemaker.amazonaws.com')]);
    return fix(f.ruleId, 'Trust only sagemaker.amazonaws.com (Principal Service)', replaceEntry(ctx, loc, entry, v));
  }
  const root = accountRoot(ctx, loc.doc.resource);
  const v = map(['AWS', root.value]);
  return fix(f.ruleId, 'Trust only this account (its root principal) instead of "*"', [...replaceEntry(ctx, loc, entry, v), ...root.edits]);
}

/** Replace a statement entry's whole value (block style in YAML). */
function replaceEntry(ctx: FixContext, loc: Located, entry: MapEntry, v: NewValue): TextEdit[] {
  if (!loc.encoded && ctx.kind(entry.value.file) === 'yaml') {
    const doc = ctx.doc(entry.value.file)!;
    const flowParent = /[{[]/.test(doc.line(entry.keyRange.start.line).slice(0, entry.keyRange.start.character));
    if (!flowParent) return yamlReplaceEntryValue(doc, entry, v);
  }
  return replaceValue(ctx, entry.value, v, loc.encoded);
}

export function iamFixes(ctx: FixContext, f: Finding, _res: Resource): Fix[] {
  const loc = locate(ctx.unit, f);
  if (!loc) return [];
  let x: Fix | undefined;
  switch (f.ruleId) {
    case 'IAM-01':
      x = actionStarFix(ctx, f, loc);
      break;
    case 'IAM-02': {
      const a = adminFix(ctx, f, loc);
      const b = baselineFix(ctx, f, loc);
      const fixes = compact([a, b]);
      if (fixes[0]) fixes[0].isPreferred = true;
      return fixes;
    }
    case 'IAM-03':
      x = serviceWildcardFix(ctx, f, loc);
      break;
    case 'IAM-04':
      x = scopeResourceFix(ctx, f, loc);
      break;
    case 'IAM-06':
      x = passRoleFix(ctx, f, loc);
      break;
    case 'IAM-09':
      x = trustFix(ctx, f, loc);
      break;
  }
  if (x) x.isPreferred = true;
  return compact([x]);
}
