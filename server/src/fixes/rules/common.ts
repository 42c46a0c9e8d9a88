/** Helpers shared by the per-rule fixes. */
import { walkValue } from '../../model/walk';
import type { Input, MapValue, Resource, Unit, Value } from '../../model/types';
import type { Finding } from '../../rules/types';
import type { FixContext } from '../ops';
import { hclExpr } from '../hcl';
import { renderJson, toCfnJson } from '../json';
import { yamlInline } from '../yaml';
import type { Fix, NewValue, TextEdit } from '../types';

export type FixProvider = (ctx: FixContext, finding: Finding, res: Resource) => Fix[];

/** The finding's resource: same address, preferring the one whose range holds the finding (duplicates across files). */
export function findingResource(unit: Unit, f: Finding): Resource | undefined {
  const same = unit.resources.filter((r) => r.address === f.resource.address && r.type === f.resource.type);
  const holds = (r: Resource) =>
    r.file === f.file &&
    (r.range.start.line < f.range.start.line || (r.range.start.line === f.range.start.line && r.range.start.character <= f.range.start.character)) &&
    (f.range.start.line < r.range.end.line || (f.range.start.line === r.range.end.line && f.range.start.character <= r.range.end.character));
  return same.find(holds) ?? same.find((r) => r.file === f.file) ?? same[0];
}

/** Does the file have syntax problems? Rule fixes are not offered there (the model may be misread). */
export function fileHasIssues(unit: Unit, file: string): boolean {
  return unit.issues.some((i) => i.file === file);
}

export function entryValue(map: MapValue | undefined, key: string): Value | undefined {
  return map?.entries.find((e) => e.key === key)?.value;
}

/** Walk every value of the unit (resource properties and metadata, locals, conditions, input defaults). */
export function walkValues(unit: Unit, visit: (v: Value) => void): void {
  for (const r of unit.resources) {
    walkValue(r.properties, visit);
    walkValue(r.metadata, visit);
  }
  for (const l of unit.locals.values()) walkValue(l.value, visit);
  for (const c of unit.conditions.values()) walkValue(c.value, visit);
}

/** Names of inputs referenced anywhere in the unit's values (Sub/template text included). */
export function usedInputs(unit: Unit): Set<string> {
  const used = new Set<string>();
  walkValues(unit, (v) => {
    if (v.kind === 'ref' && v.target.type === 'input') used.add(v.target.name);
    if (v.kind === 'expr') {
      for (const m of v.text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)) used.add(m[1]);
      for (const m of v.text.matchAll(/\bvar\.([A-Za-z0-9_-]+)/g)) used.add(m[1]);
    }
  });
  // Terraform: any textual var.x in the files (outputs, module calls, count...) counts as a use.
  if (unit.format === 'terraform') {
    for (const f of unit.files) for (const m of f.text.matchAll(/\bvar\.([A-Za-z0-9_-]+)/g)) used.add(m[1]);
  } else {
    for (const f of unit.files) {
      for (const m of f.text.matchAll(/(?:!Ref\s+|"Ref"\s*:\s*"|\bRef:\s*)([A-Za-z0-9]+)/g)) used.add(m[1]);
      for (const m of f.text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)) used.add(m[1]);
    }
  }
  return used;
}

export function unusedInputs(unit: Unit, test: (i: Input) => boolean): Input[] {
  const used = usedInputs(unit);
  return [...unit.inputs.values()].filter((i) => !used.has(i.name) && test(i));
}

/** Lower-case word tokens of a name (`NotebookKmsKey`, `notebook_kms_key` -> notebook, kms, key). */
export function tokens(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Rank candidates by how many name tokens they share with `hints` (stable for ties). */
export function rankByName<T>(items: T[], name: (t: T) => string, hints: string[]): T[] {
  const h = new Set(hints.flatMap(tokens));
  const score = (t: T) => tokens(name(t)).filter((x) => h.has(x)).length;
  return items.map((t, i) => ({ t, i, s: score(t) })).sort((a, b) => b.s - a.s || a.i - b.i).map((x) => x.t);
}

/** A value exactly as the fix writes it in `file` (one line), for titles. */
export function showValue(ctx: FixContext, v: NewValue, file: string): string {
  const doc = ctx.doc(file);
  if (!doc) return '...';
  switch (ctx.kind(file)) {
    case 'yaml':
      return yamlInline(doc, v);
    case 'json':
      return renderJson(doc, toCfnJson(v), '', true);
    default:
      return hclExpr(doc, v).replace(/\s*\n\s*/g, ' ');
  }
}

/** Copy an existing model value into a NewValue (its source text), for reuse in another place of the same file. */
export function copyValue(ctx: FixContext, v: Value): NewValue | undefined {
  if (v.kind === 'scalar') return v.value === null ? undefined : typeof v.value === 'string' ? { kind: 'str', value: v.value } : typeof v.value === 'boolean' ? { kind: 'bool', value: v.value } : { kind: 'num', value: v.value };
  if (v.kind === 'ref') {
    const t = v.target;
    if (t.type === 'input') return { kind: 'input', name: t.name };
    if (t.type === 'resource' && ctx.unit.format === 'cloudformation') return t.attribute ? { kind: 'attr', address: t.address, attribute: t.attribute } : { kind: 'ref', name: t.address };
    if (t.type === 'pseudo' && ctx.unit.format === 'cloudformation') return { kind: 'ref', name: t.name };
  }
  const doc = ctx.doc(v.file);
  if (!doc) return undefined;
  const text = doc.slice(v.range);
  if (text.includes('\n')) return undefined;
  if (ctx.kind(v.file) === 'json') {
    try {
      return { kind: 'raw', text, json: JSON.parse(text) };
    } catch {
      return undefined;
    }
  }
  return { kind: 'raw', text };
}

export function fix(ruleId: string, title: string, edits: TextEdit[], extra: Partial<Fix> = {}): Fix | undefined {
  if (edits.length === 0) return undefined;
  return { title, ruleId, kind: 'quickfix', edits, ...extra };
}

export function compact<T>(xs: Array<T | undefined>): T[] {
  return xs.filter((x): x is T => x !== undefined);
}
