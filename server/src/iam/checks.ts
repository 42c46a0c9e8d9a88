/**
 * Shared tests for the IAM rules (rules/iam-*.ts): what counts as a wildcard action or resource, an account-root
 * principal, an admin statement; and the common shape of an IAM finding.
 */
import type { Judgement, TestResult } from '../model/values';
import type { Unit, Value } from '../model/types';
import type { ReportInput, RuleContext } from '../rules/types';
import { actionMatches } from './actions';
import { extractPolicies, type PolicyDocument, type PolicyItem, type PolicyKind, type Statement } from './policies';
import { judgeElement, SELF_ACCOUNT, showText, UNKNOWN } from './strings';

const MARKERS = new RegExp(`[${UNKNOWN}${SELF_ACCOUNT}]`);

/** `*` (or `*:*`): every action. A whole-interpolation text (`${var.x}`) is unknown. */
export function fullWildcardAction(text: string): TestResult {
  const t = text.trim();
  if (t === '*' || t === '*:*') return 'fail';
  if (t === UNKNOWN) return 'unknown';
  return 'pass';
}

/** `svc:*` (every action of one service): the service prefix, else undefined. */
export function serviceWildcard(text: string): string | undefined {
  const m = /^([A-Za-z0-9\u0001-]+):\*+$/.exec(text.trim());
  return m ? m[1].toLowerCase() : undefined;
}

/** `Resource: "*"`. */
export function starResource(text: string): TestResult {
  const t = text.trim();
  if (t === '*') return 'fail';
  if (t === UNKNOWN) return 'unknown';
  return 'pass';
}

/** An action pattern that grants iam:PassRole (`iam:PassRole`, `iam:Pass*`, `iam:*`, `*`, any case). */
export function grantsPassRole(text: string): TestResult {
  const t = text.trim();
  if (t === UNKNOWN) return 'unknown';
  if (MARKERS.test(t)) {
    // `${var.svc}:PassRole`: decide on the literal part only
    return actionMatches(t.replace(MARKERS, '*'), 'iam:PassRole') ? 'unknown' : 'pass';
  }
  return actionMatches(t, 'iam:PassRole') ? 'fail' : 'pass';
}

/**
 * A resource that covers every role: `*`, `arn:aws:iam::*:role/*`, `arn:aws:iam::123456789012:role/*`,
 * `arn:${AWS::Partition}:iam::${AWS::AccountId}:*`. A path or name prefix (`role/sagemaker-*`) is not.
 */
export function roleWildcardResource(text: string): TestResult {
  const t = text.trim();
  if (t === '*') return 'fail';
  if (t === UNKNOWN) return 'unknown';
  const seg = `[^:]*`;
  if (new RegExp(`^arn:${seg}:iam::${seg}:(\\*|role\\*|role/\\*)$`, 'i').test(t)) return 'fail';
  if (/^arn:\*$/i.test(t) || /^arn:[^:]*:iam::?\*$/i.test(t)) return 'fail';
  return 'pass';
}

/** `arn:aws:iam::<account>:root` or a bare account ID: the account itself as principal. */
export function rootPrincipalText(text: string): boolean {
  const t = text.trim();
  if (t === SELF_ACCOUNT || /^\d{12}$/.test(t)) return true;
  return ROOT_ARN.test(t);
}

const ROOT_ARN = new RegExp(`^arn:[^:]*:iam::(\\d{12}|[${SELF_ACCOUNT}${UNKNOWN}]):root$`, 'i');

/** True when every principal of the statement is an account root (the KMS key-policy delegation pattern). */
export function rootOnlyStatement(unit: Unit, st: Statement): boolean {
  if (st.principals.length === 0 || st.notPrincipals.length > 0) return false;
  return st.principals.every(
    (p) => p.type.toUpperCase() === 'AWS' && judgeElement(unit, p.value, (t) => (rootPrincipalText(t) ? 'fail' : 'pass'), { input: 'pass', other: 'pass' }).verdict === 'fail',
  );
}

/** Condition keys present on the statement (lower case). */
export function conditionKeys(st: Statement): Set<string> {
  return new Set(st.conditions.map((c) => c.key.toLowerCase()));
}

/** True when the statement has a non-empty Condition (or one the files do not spell out, such as `!Ref`). */
export function hasCondition(st: Statement): boolean {
  if (st.conditions.length > 0) return true;
  const c = st.condition;
  if (!c) return false;
  if (c.kind === 'map') return c.entries.length > 0;
  if (c.kind === 'list') return c.items.length > 0;
  return !(c.kind === 'scalar' && c.value === null);
}

export interface ItemHit {
  item: PolicyItem;
  /** What to underline: the deciding literal when it is written inside the item (a branch of a conditional), else the item. */
  node: Value;
  judgement: Judgement;
  /** The matched text, for messages (placeholders shown as `${...}`). */
  text?: string;
  /** The matched text with its placeholder markers (see ./strings). */
  raw?: string;
}

/** The items whose judgement is not a pass, with the text that matched. */
export function hits(unit: Unit, items: PolicyItem[], test: (t: string) => TestResult, opaque?: Parameters<typeof judgeElement>[3]): ItemHit[] {
  const out: ItemHit[] = [];
  for (const item of items) {
    let raw: string | undefined;
    const j = judgeElement(
      unit,
      item.value,
      (t) => {
        const r = test(t);
        if (r !== 'pass' && raw === undefined) raw = t.trim();
        return r;
      },
      opaque,
    );
    if (j.verdict !== 'pass') {
      out.push({ item, node: within(j.node, item.value) ? j.node! : item.value, judgement: j, text: raw === undefined ? undefined : showText(raw), raw });
    }
  }
  return out;
}

function within(node: Value | undefined, outer: Value): boolean {
  if (!node || node.file !== outer.file) return false;
  const a = node.range;
  const b = outer.range;
  const le = (p: { line: number; character: number }, q: { line: number; character: number }) => p.line < q.line || (p.line === q.line && p.character <= q.character);
  return le(b.start, a.start) && le(a.end, b.end);
}

/** The worse of two verdicts (fail only when both are). */
export function both(a: Judgement['verdict'], b: Judgement['verdict']): 'fail' | 'may-fail' | 'pass' {
  if (a === 'pass' || b === 'pass') return 'pass';
  return a === 'fail' && b === 'fail' ? 'fail' : 'may-fail';
}

/** The `Resource: "*"` element IAM-02 pairs with a `"*"` action (a definite one first), if any. */
export function starResourceHit(unit: Unit, st: Statement): ItemHit | undefined {
  const resources = hits(unit, st.resources, starResource, { input: 'pass' });
  return resources.find((r) => r.judgement.verdict === 'fail') ?? resources[0];
}

/**
 * IAM-02's verdict for one `"*"` action element of a statement: fail/may-fail when the statement is an identity-policy
 * Allow with `Resource: "*"`, else pass. IAM-01 and IAM-06 use it to leave admin statements to IAM-02, so an admin
 * statement is reported once.
 */
export function adminVerdict(unit: Unit, doc: PolicyDocument, st: Statement, action: ItemHit): 'fail' | 'may-fail' | 'pass' {
  if (doc.kind !== 'identity' || st.effect !== 'Allow') return 'pass';
  const res = starResourceHit(unit, st);
  return res ? both(action.judgement.verdict, res.judgement.verdict) : 'pass';
}

/** A statement with a `"*"` action element that IAM-02 definitely fails. */
export function isDefiniteAdmin(unit: Unit, doc: PolicyDocument, st: Statement): boolean {
  return hits(unit, st.actions, fullWildcardAction).some((h) => adminVerdict(unit, doc, st, h) === 'fail');
}

/** Allow statements of the unit's documents of the given kinds. */
export function* allowStatements(unit: Unit, kinds: PolicyKind[]): Generator<{ doc: PolicyDocument; st: Statement }> {
  for (const doc of extractPolicies(unit)) {
    if (!kinds.includes(doc.kind)) continue;
    for (const st of doc.statements) if (st.effect === 'Allow') yield { doc, st };
  }
}

/** Where a statement is, for messages: `Policies[0].PolicyDocument statement 2 (Sid "X")`. */
export function where(doc: PolicyDocument, st: Statement): string {
  const base = doc.syntax === 'terraform-data' ? `statement ${st.index + 1}` : `statement ${st.index + 1} of ${doc.path}`;
  return st.sid ? `${base} (Sid "${st.sid}")` : base;
}

/** `because` of a judgement as a message suffix. */
export function becauseText(j: Judgement): string {
  return j.because ? ` (${j.because})` : '';
}

/** The common parts of an IAM finding: where the value is, and the data a quick-fix needs. */
export function findingAt(doc: PolicyDocument, st: Statement, node: Value, data: Record<string, unknown>): Pick<ReportInput, 'resource' | 'range' | 'file' | 'data'> {
  return {
    resource: doc.resource,
    range: node.range,
    file: node.file,
    data: {
      document: doc.resource.address,
      documentKind: doc.kind,
      path: doc.path,
      statement: st.index,
      ...(st.sid ? { sid: st.sid } : {}),
      ...data,
    },
  };
}

/**
 * Report an IAM finding. A statement or document that exists only under a condition the files leave open
 * (`Fn::If`, `c ? a : b`) is a may-fail at most, and the message says which condition.
 */
export function emit(ctx: RuleContext, doc: PolicyDocument, st: Statement, input: ReportInput): void {
  const conditional = [doc.conditional, st.conditional].filter((c): c is string => !!c).join('; ');
  if (!conditional) {
    ctx.report(input);
    return;
  }
  const message = input.message.replace(/^(.*?\.)( |$)/, (_m, first: string, rest: string) => `${first.slice(0, -1)} (only when ${conditional}).${rest}`);
  ctx.report({ ...input, verdict: 'may-fail', message });
}
