/**
 * Value resolution and verdicts. Rules ask here what a property's value can be; this module follows references
 * through the files (CFN parameters, conditions, `AWS::NoValue`; Terraform variables, tfvars, locals) and says
 * when it cannot.
 *
 * Vocabulary
 * - An *outcome* is one concrete result of a value: a literal, absent (not set / `AWS::NoValue` / `null`), a list
 *   or map, or *opaque* (present, but its value is not in the files: a resource attribute, a required input, a
 *   module output, a function call).
 * - A *scenario* is one outcome together with the assumptions that lead to it (`because`), and whether it rests on
 *   a default that a deploy can override (`assumed`).
 * - `judge` turns the scenarios of a value and a rule's test into a verdict.
 *
 * Semantics (DESIGN "Values and verdicts"; docs/architecture.md "Verdicts"):
 * - CFN parameter with AllowedValues: every allowed value is a scenario (not assumed): all fail -> fail, all pass
 *   -> pass, mixed -> may-fail.
 * - CFN parameter / TF variable with a Default (no AllowedValues): the default is one *assumed* scenario. A
 *   failing default gives may-fail (a deploy can override it); a passing default passes.
 * - A parameter/variable without a default is opaque (present): presence checks pass, value checks may-fail.
 *   `AWS::SSM::Parameter::Value<...>` parameters are opaque (their default names an SSM parameter, not a value).
 * - Terraform: a tfvars assignment (`unit.assignments`) decides the value (not assumed). A `null` default or value
 *   is absent.
 * - Locals resolve to their value. `AWS::NoValue` is absent. Scalar `null` is absent in both formats.
 * - CFN `Fn::If`: the condition is evaluated per scenario of the parameters it reads (Fn::Equals/Not/And/Or/
 *   Condition over literals and parameters), and the *same* parameter keeps the same value throughout one
 *   scenario. If the condition cannot be evaluated, both branches are scenarios. A condition decided by a default
 *   is assumed like the default itself.
 * - Terraform `c ? a : b`: both branches are scenarios.
 * - Resource attributes (`!GetAtt K.Arn`, `!Ref Key`, `aws_kms_key.k.arn`) are opaque but present. References to
 *   names the files do not define, module outputs, `Fn::ImportValue` and function calls are opaque. `Fn::Sub` /
 *   templates without references resolve to their text.
 * - The number of scenarios is capped (`MAX_SCENARIOS`); beyond it an opaque scenario stands for the rest.
 *   Reference cycles end in an opaque outcome.
 */
import type { IfValue, Input, ListValue, MapEntry, MapValue, RefValue, Resource, Unit, Value } from './types';

export type Literal = string | number | boolean | null;

/** One concrete outcome of a value. `node` is where the outcome was read (possibly in another section/file). */
export type Outcome =
  | { kind: 'literal'; value: Literal; node: Value }
  | { kind: 'absent'; node?: Value }
  | { kind: 'list'; node: ListValue }
  | { kind: 'map'; node: MapValue }
  | { kind: 'opaque'; why: string; node: Value };

export interface Scenario {
  outcome: Outcome;
  /** The assumptions behind this outcome, for messages: `parameter KmsKey defaults to ''`. */
  because: string[];
  /** True when the outcome rests on a default value that a deploy can override (`-var`, parameter override). */
  assumed: boolean;
}

export type TestResult = 'pass' | 'fail' | 'unknown';
export type JudgeVerdict = 'pass' | 'fail' | 'may-fail';

export interface Judgement {
  verdict: JudgeVerdict;
  /** Why, for messages: the assumptions of the scenario that decided (empty for a plain literal). */
  because: string;
  /** The node of the deciding outcome (the failing or unknown one; for a pass, the first scenario's). */
  node?: Value;
  /** The deciding outcome. */
  outcome?: Outcome;
  scenarios: Scenario[];
}

export const MAX_SCENARIOS = 64;
const MAX_DEPTH = 32;

// ---------------------------------------------------------------------------------------------------------------
// Property paths

function splitPath(path: string | string[]): string[] {
  return Array.isArray(path) ? path : path.split('.').filter((s) => s.length > 0);
}

/** The entry named `key` in a map (first one if repeated), or undefined. */
export function getEntry(map: MapValue | undefined, key: string): MapEntry | undefined {
  return map?.entries.find((e) => e.key === key);
}

/**
 * The value at a dotted path (`'VpcConfig.Subnets'`) in a map. A Terraform repeated block (a list of maps) on the way
 * is entered at its first map; a numeric segment indexes a list. Does not follow references (use `scenarios` on the
 * result). Undefined when any step is missing.
 */
export function getProperty(map: MapValue | undefined, path: string | string[]): Value | undefined {
  let cur: Value | undefined = map;
  for (const seg of splitPath(path)) {
    if (!cur) return undefined;
    if (cur.kind === 'list') {
      if (/^\d+$/.test(seg)) {
        cur = cur.items[Number(seg)];
        continue;
      }
      const first: Value | undefined = cur.items.find((i) => i.kind === 'map');
      if (!first) return undefined;
      cur = first;
    }
    if (cur.kind !== 'map') return undefined;
    cur = getEntry(cur, seg)?.value;
  }
  return cur;
}

/** Every value at a path, entering every map of every list on the way (Terraform repeated blocks, CFN lists). */
export function getAll(map: MapValue | undefined, path: string | string[]): Value[] {
  let cur: Value[] = map ? [map] : [];
  for (const seg of splitPath(path)) {
    const next: Value[] = [];
    const visit = (v: Value): void => {
      if (v.kind === 'list') {
        if (/^\d+$/.test(seg)) {
          const it = v.items[Number(seg)];
          if (it) next.push(it);
        } else v.items.forEach(visit);
      } else if (v.kind === 'map') {
        for (const e of v.entries) if (e.key === seg) next.push(e.value);
      }
    };
    cur.forEach(visit);
    cur = next;
  }
  return cur;
}

/** A resource or data source of the unit by address (`MyBucket`, `aws_kms_key.k`, `data.aws_vpc.default`). */
export function findResource(unit: Unit, address: string): Resource | undefined {
  return unit.resources.find((r) => r.address === address);
}

/** Resources of the given types (both formats may be given at once). */
export function resourcesOfType(unit: Unit, ...types: string[]): Resource[] {
  return unit.resources.filter((r) => types.includes(r.type));
}

/** The resource a reference points at, if it is one of the unit's resources. */
export function referencedResource(unit: Unit, ref: RefValue): Resource | undefined {
  return ref.target.type === 'resource' ? findResource(unit, ref.target.address) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Display

/** Short display of a literal for messages: strings quoted. */
export function show(v: Literal): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

/** Short display of a value node for messages. */
export function showValue(v: Value): string {
  switch (v.kind) {
    case 'scalar':
      return show(v.value);
    case 'ref':
    case 'expr':
      return v.text;
    case 'if':
      return v.condition ? `Fn::If ${v.condition}` : v.conditionText ? `${v.conditionText} ? ... : ...` : 'a conditional';
    case 'list':
      return `[${v.items.map(showValue).join(', ')}]`;
    case 'map':
      return '{...}';
  }
}

/** Display of an outcome for messages: `'Enabled'`, `not set`, or why it is unknown. */
export function describeOutcome(o: Outcome): string {
  switch (o.kind) {
    case 'literal':
      return show(o.value);
    case 'absent':
      return 'not set';
    case 'list':
      return 'a list';
    case 'map':
      return 'a map';
    case 'opaque':
      return o.why;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Resolution

type InputChoice =
  | { kind: 'value'; value: Value; because: string; assumed: boolean }
  | { kind: 'opaque'; why: string };

type Env = ReadonlyMap<string, InputChoice>;

interface Branch {
  outcome: Outcome;
  because: string[];
  assumed: boolean;
  env: Env;
}

interface Ctx {
  unit: Unit;
  /** Names (`local:x`, `input:x`, `cond:x`) being resolved, to stop cycles. */
  stack: string[];
}

function inputLabel(unit: Unit, name: string): string {
  return unit.format === 'cloudformation' ? `parameter ${name}` : `var.${name}`;
}

function basename(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}

/** The values an input can take, as far as the files say. */
function inputChoices(unit: Unit, name: string): InputChoice[] | undefined {
  const label = inputLabel(unit, name);
  const assignment = unit.format === 'terraform' ? unit.assignments.get(name) : undefined;
  if (assignment) {
    return [{ kind: 'value', value: assignment.value, because: `${basename(assignment.file)} sets ${name} = ${showValue(assignment.value)}`, assumed: false }];
  }
  const input: Input | undefined = unit.inputs.get(name);
  if (!input) return undefined;
  if (input.type && /^AWS::SSM::Parameter::Value</.test(input.type)) {
    const from = input.default ? ` ${showValue(input.default)}` : '';
    return [{ kind: 'opaque', why: `${label} is read from SSM parameter${from} at deploy time` }];
  }
  if (input.allowedValues && input.allowedValues.length > 0) {
    return input.allowedValues.map((v) => ({
      kind: 'value' as const,
      value: v,
      because: `${label} = ${showValue(v)} (one of its AllowedValues)`,
      assumed: false,
    }));
  }
  if (input.default) {
    return [{ kind: 'value', value: input.default, because: `${label} defaults to ${showValue(input.default)}`, assumed: true }];
  }
  return [{ kind: 'opaque', why: `${label} has no default: its value is given at deploy time` }];
}

/** `var.x.a.b` -> ['a', 'b'] (Terraform attribute access after the referenced name). */
function tailPath(ref: RefValue, prefix: string, name: string): string[] {
  const head = `${prefix}${name}`;
  const t = ref.text.trim().replace(/^\$\{\s*/, '').replace(/\s*\}$/, '');
  if (!t.startsWith(head)) return [];
  const rest = t.slice(head.length);
  const out: string[] = [];
  const re = /\.([A-Za-z_][\w-]*)|\[\s*"([^"]*)"\s*\]|\[\s*(\d+)\s*\]/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(rest))) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function outcomeOf(v: Value): Outcome | undefined {
  switch (v.kind) {
    case 'scalar':
      return v.value === null ? { kind: 'absent', node: v } : { kind: 'literal', value: v.value, node: v };
    case 'list':
      return { kind: 'list', node: v };
    case 'map':
      return { kind: 'map', node: v };
    default:
      return undefined;
  }
}

function leaf(outcome: Outcome, env: Env, because: string[] = [], assumed = false): Branch[] {
  return [{ outcome, because, assumed, env }];
}

function cap(branches: Branch[], node: Value, env: Env): Branch[] {
  if (branches.length <= MAX_SCENARIOS) return branches;
  const kept = branches.slice(0, MAX_SCENARIOS - 1);
  kept.push({ outcome: { kind: 'opaque', why: 'too many combinations of inputs to enumerate', node }, because: [], assumed: false, env });
  return kept;
}

function withBecause(branches: Branch[], because: string[], assumed: boolean): Branch[] {
  if (because.length === 0 && !assumed) return branches;
  return branches.map((b) => ({ ...b, because: [...because, ...b.because], assumed: b.assumed || assumed }));
}

/** Navigate an attribute path into a resolved map/list outcome, branch by branch. */
function navigate(ctx: Ctx, branches: Branch[], path: string[], ref: RefValue): Branch[] {
  if (path.length === 0) return branches;
  const out: Branch[] = [];
  for (const b of branches) {
    if (b.outcome.kind === 'map' || b.outcome.kind === 'list') {
      let cur: Value | undefined = b.outcome.node;
      for (const seg of path) {
        if (!cur) break;
        if (cur.kind === 'list' && /^\d+$/.test(seg)) cur = cur.items[Number(seg)];
        else if (cur.kind === 'map') cur = getEntry(cur, seg)?.value;
        else cur = undefined;
      }
      if (cur) out.push(...withBecause(resolve(ctx, cur, b.env), b.because, b.assumed));
      else out.push({ ...b, outcome: { kind: 'opaque', why: `${ref.text} is not in the value the files give`, node: ref } });
    } else if (b.outcome.kind === 'opaque') {
      out.push({ ...b, outcome: { ...b.outcome, node: ref } });
    } else {
      out.push({ ...b, outcome: { kind: 'opaque', why: `${ref.text} reads an attribute of a non-object value`, node: ref } });
    }
  }
  return out;
}

function resolveRef(ctx: Ctx, ref: RefValue, env: Env): Branch[] {
  const { unit } = ctx;
  const t = ref.target;
  switch (t.type) {
    case 'input': {
      const key = `input:${t.name}`;
      let choices: InputChoice[] | undefined;
      const bound = env.get(key);
      if (bound) choices = [bound];
      else choices = inputChoices(unit, t.name);
      if (!choices) return leaf({ kind: 'opaque', why: `${ref.text} is not defined in the files`, node: ref }, env);
      if (ctx.stack.includes(key)) return leaf({ kind: 'opaque', why: `${ref.text} refers to itself`, node: ref }, env);
      const path = unit.format === 'terraform' ? tailPath(ref, 'var.', t.name) : [];
      const out: Branch[] = [];
      for (const c of choices) {
        const env2 = new Map(env);
        env2.set(key, c);
        if (c.kind === 'opaque') {
          out.push({ outcome: { kind: 'opaque', why: c.why, node: ref }, because: [], assumed: false, env: env2 });
          continue;
        }
        ctx.stack.push(key);
        try {
          const inner = withBecause(resolve(ctx, c.value, env2), [c.because], c.assumed);
          out.push(...navigate(ctx, inner, path, ref));
        } finally {
          ctx.stack.pop();
        }
      }
      return out;
    }
    case 'local': {
      const key = `local:${t.name}`;
      const local = unit.locals.get(t.name);
      if (!local) return leaf({ kind: 'opaque', why: `${ref.text} is not defined in the files`, node: ref }, env);
      if (ctx.stack.includes(key)) return leaf({ kind: 'opaque', why: `${ref.text} refers to itself`, node: ref }, env);
      ctx.stack.push(key);
      try {
        return navigate(ctx, resolve(ctx, local.value, env), tailPath(ref, 'local.', t.name), ref);
      } finally {
        ctx.stack.pop();
      }
    }
    case 'pseudo':
      if (t.name === 'AWS::NoValue') return leaf({ kind: 'absent', node: ref }, env);
      return leaf({ kind: 'opaque', why: `${t.name} is known only at deploy time`, node: ref }, env);
    case 'resource': {
      const exists = findResource(unit, t.address);
      const what = t.attribute ? `${t.address}.${t.attribute}` : t.address;
      return leaf({ kind: 'opaque', why: exists ? `${what} is known only after deploy` : `${what} is not defined in the files`, node: ref }, env);
    }
    case 'module':
      return leaf({ kind: 'opaque', why: `${ref.text} is an output of module ${t.name}`, node: ref }, env);
    case 'external':
      return leaf({ kind: 'opaque', why: `${ref.text} is not defined in the files`, node: ref }, env);
  }
}

// --- CloudFormation conditions ---------------------------------------------------------------------------------

interface CondBranch {
  result: boolean | undefined;
  because: string[];
  assumed: boolean;
  env: Env;
}

/** `{Fn::Equals: [...]}` (a one-entry map) or an ExprValue with `fn` and `args`: the intrinsic's name and arguments. */
function intrinsic(v: Value): { fn: string; args: Value[] } | undefined {
  if (v.kind === 'expr') return { fn: v.fn, args: v.args ?? [] };
  if (v.kind === 'map' && v.entries.length === 1) {
    const e = v.entries[0];
    if (e.key.startsWith('Fn::') || e.key === 'Condition') {
      return { fn: e.key, args: e.value.kind === 'list' ? e.value.items : [e.value] };
    }
  }
  return undefined;
}

function literalKey(o: Outcome): string | undefined {
  if (o.kind !== 'literal') return undefined;
  return o.value === null ? '' : String(o.value);
}

function evalCondition(ctx: Ctx, v: Value, env: Env, depth: number): CondBranch[] {
  const unknown: CondBranch[] = [{ result: undefined, because: [], assumed: false, env }];
  if (depth > MAX_DEPTH) return unknown;
  if (v.kind === 'scalar') {
    if (typeof v.value === 'boolean') return [{ result: v.value, because: [], assumed: false, env }];
    if (v.value === 'true' || v.value === 'false') return [{ result: v.value === 'true', because: [], assumed: false, env }];
    return unknown;
  }
  const f = intrinsic(v);
  if (!f) return unknown;
  const fn = f.fn.replace(/^!/, '');
  if (fn === 'Condition' || fn === 'Fn::Condition') {
    const a = f.args[0];
    const name = a && a.kind === 'scalar' ? String(a.value) : a && a.kind === 'ref' && a.target.type !== 'external' ? ('name' in a.target ? a.target.name : undefined) : undefined;
    return name ? evalNamedCondition(ctx, name, env, depth + 1) : unknown;
  }
  if (fn === 'Fn::Equals' || fn === 'Equals') {
    if (f.args.length !== 2) return unknown;
    const out: CondBranch[] = [];
    for (const a of resolve(ctx, f.args[0], env)) {
      for (const b of resolve(ctx, f.args[1], a.env)) {
        const ka = literalKey(a.outcome);
        const kb = literalKey(b.outcome);
        out.push({
          result: ka !== undefined && kb !== undefined ? ka === kb : undefined,
          because: [...a.because, ...b.because],
          assumed: a.assumed || b.assumed,
          env: b.env,
        });
        if (out.length >= MAX_SCENARIOS) return out;
      }
    }
    return out;
  }
  if (fn === 'Fn::Not' || fn === 'Not') {
    if (f.args.length !== 1) return unknown;
    return evalCondition(ctx, f.args[0], env, depth + 1).map((c) => ({ ...c, result: c.result === undefined ? undefined : !c.result }));
  }
  if (fn === 'Fn::And' || fn === 'Fn::Or' || fn === 'And' || fn === 'Or') {
    const isAnd = fn.endsWith('And');
    let acc: CondBranch[] = [{ result: isAnd, because: [], assumed: false, env }];
    for (const arg of f.args) {
      const next: CondBranch[] = [];
      for (const c of acc) {
        // short-circuit: the result is already decided
        if (c.result === !isAnd) {
          next.push(c);
          continue;
        }
        for (const d of evalCondition(ctx, arg, c.env, depth + 1)) {
          let result: boolean | undefined;
          if (d.result === !isAnd) result = !isAnd;
          else if (c.result === undefined || d.result === undefined) result = undefined;
          else result = isAnd;
          next.push({ result, because: [...c.because, ...d.because], assumed: c.assumed || d.assumed, env: d.env });
        }
      }
      acc = next.slice(0, MAX_SCENARIOS);
    }
    return acc;
  }
  return unknown;
}

function evalNamedCondition(ctx: Ctx, name: string, env: Env, depth: number): CondBranch[] {
  const key = `cond:${name}`;
  const def = ctx.unit.conditions.get(name);
  if (!def || ctx.stack.includes(key)) return [{ result: undefined, because: [], assumed: false, env }];
  ctx.stack.push(key);
  try {
    return evalCondition(ctx, def.value, env, depth);
  } finally {
    ctx.stack.pop();
  }
}

function resolveIf(ctx: Ctx, v: IfValue, env: Env): Branch[] {
  if (v.condition) {
    const out: Branch[] = [];
    for (const c of evalNamedCondition(ctx, v.condition, env, 0)) {
      if (c.result === undefined) {
        out.push(...withBecause(resolve(ctx, v.then, c.env), [...c.because, `condition ${v.condition} is true`], c.assumed));
        out.push(...withBecause(resolve(ctx, v.else, c.env), [...c.because, `condition ${v.condition} is false`], c.assumed));
      } else {
        out.push(...withBecause(resolve(ctx, c.result ? v.then : v.else, c.env), [...c.because, `condition ${v.condition} is ${c.result}`], c.assumed));
      }
    }
    return out;
  }
  const what = v.conditionText || 'the condition';
  return [
    ...withBecause(resolve(ctx, v.then, env), [`when ${what} is true`], false),
    ...withBecause(resolve(ctx, v.else, env), [`when ${what} is false`], false),
  ];
}

function resolve(ctx: Ctx, v: Value, env: Env): Branch[] {
  if (ctx.stack.length > MAX_DEPTH) return leaf({ kind: 'opaque', why: 'references nest too deeply', node: v }, env);
  const direct = outcomeOf(v);
  if (direct) return leaf(direct, env);
  switch (v.kind) {
    case 'ref':
      return cap(resolveRef(ctx, v, env), v, env);
    case 'if':
      return cap(resolveIf(ctx, v, env), v, env);
    case 'expr': {
      if (v.fn === 'attr' && v.refs.length === 1 && (v.refs[0].target.type === 'input' || v.refs[0].target.type === 'local')) {
        // Terraform attribute access on a variable or local: `var.cfg.kms_key`, `local.net["subnet"]`
        const r = v.refs[0];
        const rest = v.text.trim().startsWith(r.text) ? v.text.trim().slice(r.text.length) : undefined;
        if (rest !== undefined) {
          const path = tailPath({ ...r, text: `x${rest}` }, '', 'x');
          return navigate(ctx, resolveRef(ctx, r, env), path, r).map((b) =>
            b.outcome.node === r && b.outcome.kind === 'opaque' ? { ...b, outcome: { ...b.outcome, node: v } } : b,
          );
        }
      }
      if ((v.fn === 'Fn::Sub' || v.fn === 'template') && v.refs.length === 0 && v.parts) {
        return leaf({ kind: 'literal', value: v.parts.join(''), node: v }, env);
      }
      return leaf({ kind: 'opaque', why: `${v.text.length > 60 ? v.fn : v.text} is computed at deploy time`, node: v }, env);
    }
    default:
      return leaf({ kind: 'opaque', why: 'unrecognised value', node: v }, env);
  }
}

/**
 * Every outcome a value can have under the inputs the files leave open, with the assumptions behind each.
 * `undefined` (a property not written) gives one `absent` scenario. Bounded by `MAX_SCENARIOS`.
 */
export function scenarios(unit: Unit, value: Value | undefined): Scenario[] {
  if (!value) return [{ outcome: { kind: 'absent' }, because: [], assumed: false }];
  // a literal, list or map is its own single outcome (what `resolve` gives it, without the set-up)
  const direct = outcomeOf(value);
  if (direct) return [{ outcome: direct, because: [], assumed: false }];
  const ctx: Ctx = { unit, stack: [] };
  return cap(resolve(ctx, value, new Map()), value, new Map()).map((b) => ({ outcome: b.outcome, because: b.because, assumed: b.assumed }));
}

/**
 * A verdict for a value: `test` says pass/fail/unknown for one outcome.
 * - every scenario passes -> pass;
 * - every scenario fails and none rests on an overridable default -> fail;
 * - otherwise (a failing default, mixed branches, an unknown) -> may-fail.
 * `because` and `node` come from the first non-passing scenario (a definite failure is preferred).
 */
export function judge(unit: Unit, value: Value | undefined, test: (o: Outcome) => TestResult): Judgement {
  const all = scenarios(unit, value);
  if (all.length === 1) {
    // the common case, the same as below: the one scenario decides
    const s = all[0];
    const r = test(s.outcome);
    const opaqueWhy = r === 'unknown' && s.outcome.kind === 'opaque' ? s.outcome.why : undefined;
    return {
      verdict: r === 'pass' ? 'pass' : r === 'fail' && !s.assumed ? 'fail' : 'may-fail',
      because: opaqueWhy === undefined ? (s.because.length === 0 ? '' : s.because.join('; ')) : [...s.because, opaqueWhy].join('; '),
      node: s.outcome.node,
      outcome: s.outcome,
      scenarios: all,
    };
  }
  const results = all.map((s) => ({ s, r: test(s.outcome) }));
  const pick = (p: (x: { s: Scenario; r: TestResult }) => boolean) => results.find(p);
  let verdict: JudgeVerdict;
  if (results.every((x) => x.r === 'pass')) verdict = 'pass';
  else if (results.every((x) => x.r === 'fail' && !x.s.assumed)) verdict = 'fail';
  else verdict = 'may-fail';
  const decider =
    verdict === 'pass'
      ? results[0]
      : pick((x) => x.r === 'fail' && !x.s.assumed) ?? pick((x) => x.r === 'fail') ?? pick((x) => x.r === 'unknown');
  const because: string[] = decider ? [...decider.s.because] : [];
  if (decider && decider.r === 'unknown' && decider.s.outcome.kind === 'opaque') because.push(decider.s.outcome.why);
  return {
    verdict,
    because: because.join('; '),
    node: decider?.s.outcome.node,
    outcome: decider?.s.outcome,
    scenarios: all,
  };
}

/**
 * Scenarios of the *items* of a list-valued property: each list outcome is opened and every item resolved (an item
 * may itself be a parameter or a conditional). Non-list outcomes are returned as they are (a single string is one
 * item). The result is the union over all scenarios, each item scenario keeping the list's assumptions. Bounded.
 */
export function itemScenarios(unit: Unit, value: Value | undefined): Scenario[] {
  const out: Scenario[] = [];
  for (const s of scenarios(unit, value)) {
    if (s.outcome.kind !== 'list') {
      out.push(s);
      continue;
    }
    for (const item of s.outcome.node.items) {
      for (const i of scenarios(unit, item)) {
        out.push({ outcome: i.outcome, because: [...s.because, ...i.because], assumed: s.assumed || i.assumed });
        if (out.length >= MAX_SCENARIOS * 4) return out;
      }
    }
  }
  return out;
}

/** The value's single definite literal string, or undefined when it is not exactly one non-assumed string. */
export function definiteString(unit: Unit, value: Value | undefined): string | undefined {
  const s = scenarios(unit, value);
  if (s.length === 1 && !s[0].assumed && s[0].outcome.kind === 'literal' && typeof s[0].outcome.value === 'string') {
    return s[0].outcome.value;
  }
  return undefined;
}

/** True when the node lies inside the resource's range in the same file (it can be underlined in place). */
export function isInside(node: { file: string; range: Resource['range'] } | undefined, resource: Resource): boolean {
  if (!node || node.file !== resource.file) return false;
  const a = node.range;
  const b = resource.range;
  const le = (p: { line: number; character: number }, q: { line: number; character: number }) =>
    p.line < q.line || (p.line === q.line && p.character <= q.character);
  return le(b.start, a.start) && le(a.end, b.end);
}

/** @internal exported for tests */
export const _internal = { tailPath, intrinsic };
