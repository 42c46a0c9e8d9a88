/**
 * Reading the strings of a policy element (an action, a resource ARN, a principal) for the IAM rules, on top of
 * the model's value resolution (`../model/values`): parameters, variables, tfvars, locals and conditionals are
 * resolved there; here, templates (`!Sub`, `Fn::Join`, `"arn:aws:iam::${...}:root"`) become text with a marker
 * in place of each interpolation, so a rule can still judge `arn:aws:iam::${AWS::AccountId}:role/*`.
 */
import { judge, type Judgement, type Outcome, type TestResult } from '../model/values';
import type { RefValue, Unit, Value } from '../model/types';

/** Stands for an interpolation whose value is unknown in a template text. */
export const UNKNOWN = '\u0001';
/** Stands for the deploying account's ID (`${AWS::AccountId}`, `data.aws_caller_identity.x.account_id`). */
export const SELF_ACCOUNT = '\u0002';
/** Stands for the partition (`${AWS::Partition}`, `data.aws_partition.x.partition`). */
export const PARTITION = 'aws';

/** True for a reference to the deploying account's ID. */
export function isSelfAccountRef(ref: RefValue): boolean {
  const t = ref.target;
  if (t.type === 'pseudo') return t.name === 'AWS::AccountId';
  if (t.type === 'resource') return /^data\.aws_caller_identity\./.test(t.address) && t.attribute === 'account_id';
  return /^\$?\{?\s*data\.aws_caller_identity\.[\w-]+\.account_id\s*\}?$/.test(ref.text.trim());
}

function isPartitionRef(ref: RefValue): boolean {
  const t = ref.target;
  if (t.type === 'pseudo') return t.name === 'AWS::Partition';
  if (t.type === 'resource') return /^data\.aws_partition\./.test(t.address) && t.attribute === 'partition';
  return false;
}

function placeholderFor(name: string): string {
  const n = name.trim();
  if (n === 'AWS::AccountId' || /^data\.aws_caller_identity\.[\w-]+\.account_id$/.test(n)) return SELF_ACCOUNT;
  if (n === 'AWS::Partition' || /^data\.aws_partition\.[\w-]+\.partition$/.test(n)) return PARTITION;
  return UNKNOWN;
}

/** Replace `${...}` interpolations (HCL or Fn::Sub) by placeholders; `${!x}` (Sub escape) stays literal. */
function fillTemplate(t: string): string {
  return t.replace(/\$\{(!?)([^}]*)\}|%\{[^}]*\}/g, (all, bang: string | undefined, inner: string | undefined) => {
    if (all.startsWith('%')) return UNKNOWN;
    if (bang) return `\${${inner}}`;
    return placeholderFor(inner ?? '');
  });
}

/**
 * The text of a template-like value with placeholders for what it interpolates, or undefined when the value is
 * not a template: `!Sub 'arn:aws:iam::${AWS::AccountId}:root'` -> `arn:aws:iam::\u0002:root`.
 */
export function templateText(v: Value): string | undefined {
  if (v.kind === 'ref') {
    if (isSelfAccountRef(v)) return SELF_ACCOUNT;
    if (isPartitionRef(v)) return PARTITION;
    return undefined;
  }
  if (v.kind !== 'expr') return undefined;
  if (v.fn === 'Fn::Sub') {
    const t = v.args?.[0];
    if (t?.kind === 'scalar' && typeof t.value === 'string') return fillTemplate(t.value);
    return undefined;
  }
  if (v.fn === 'template') {
    let t = v.text.trim();
    if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) t = t.slice(1, -1);
    else return v.parts ? fillTemplate(v.parts.join(UNKNOWN)) : undefined;
    return fillTemplate(t);
  }
  if (v.fn === 'Fn::Join') {
    const [delim, list] = v.args ?? [];
    if (delim?.kind !== 'scalar' || list?.kind !== 'list') return undefined;
    return list.items
      .map((i) => (i.kind === 'scalar' ? String(i.value ?? '') : (templateText(i) ?? UNKNOWN)))
      .join(String(delim.value ?? ''));
  }
  return undefined;
}

/** How to judge a value the files do not determine (a variable without default, a function call). */
export interface OpaqueOptions {
  /** A parameter/variable without a value in the files. Default: 'unknown' (may-fail). */
  input?: TestResult;
  /** A resource attribute (`!GetAtt R.Arn`, `aws_x.y.arn`): never a wildcard. Default: 'pass'. */
  attribute?: TestResult;
  /** Anything else (a function call, a module output). Default: 'unknown'. */
  other?: TestResult;
}

/**
 * Judge one policy element: `test(text)` says whether one string is a problem (`fail`), is not (`pass`), or depends on
 * an interpolation (`unknown`; template texts carry UNKNOWN / SELF_ACCOUNT markers). Lists are judged item by item
 * (any failing item fails); a comma-separated literal (a CloudFormation CommaDelimitedList default) is split.
 * The verdicts are those of `judge`: a failing parameter default gives may-fail.
 */
export function judgeElement(unit: Unit, value: Value, test: (text: string) => TestResult, opaque: OpaqueOptions = {}): Judgement {
  let seen: Set<Value> | undefined;
  const testOutcome = (o: Outcome): TestResult => {
    switch (o.kind) {
      case 'absent':
      case 'map':
        return 'pass';
      case 'literal': {
        if (typeof o.value !== 'string') return 'pass';
        // one item (no comma): the same as splitting it
        if (!o.value.includes(',')) return combine([test(o.value.trim())]);
        return combine(o.value.split(',').map((s) => test(s.trim())));
      }
      case 'list': {
        if (!seen) seen = new Set<Value>();
        if (seen.has(o.node)) return 'unknown';
        seen.add(o.node);
        const rs: TestResult[] = o.node.items.map((item) => {
          const j = judge(unit, item, testOutcome);
          return j.verdict === 'may-fail' ? 'unknown' : j.verdict;
        });
        return combine(rs);
      }
      case 'opaque': {
        const text = templateText(o.node);
        if (text !== undefined) return test(text);
        const n = o.node;
        if (n.kind === 'ref') {
          if (n.target.type === 'input') return opaque.input ?? 'unknown';
          if (n.target.type === 'resource') return opaque.attribute ?? 'pass';
        }
        return opaque.other ?? 'unknown';
      }
    }
  };
  return judge(unit, value, testOutcome);
}

function combine(rs: TestResult[]): TestResult {
  if (rs.includes('fail')) return 'fail';
  if (rs.includes('unknown')) return 'unknown';
  return 'pass';
}

/** Every definite or assumed string a value can be (literals, list items, templates with placeholders). */
export function possibleStrings(unit: Unit, value: Value): { text: string; assumed: boolean }[] {
  const out: { text: string; assumed: boolean }[] = [];
  const visit = (v: Value, assumed: boolean, depth: number): void => {
    if (depth > 8) return;
    for (const s of judge(unit, v, () => 'pass').scenarios) {
      const o = s.outcome;
      const a = assumed || s.assumed;
      if (o.kind === 'literal' && typeof o.value === 'string') for (const p of o.value.split(',')) out.push({ text: p.trim(), assumed: a });
      else if (o.kind === 'list') for (const item of o.node.items) visit(item, a, depth + 1);
      else if (o.kind === 'opaque') {
        const t = templateText(o.node);
        if (t !== undefined) out.push({ text: t, assumed: a });
      }
    }
  };
  visit(value, false, 0);
  return out;
}

/** Display of a template text for messages: markers shown as `${...}`. */
export function showText(text: string): string {
  return text.split(UNKNOWN).join('${...}').split(SELF_ACCOUNT).join('${AccountId}');
}
