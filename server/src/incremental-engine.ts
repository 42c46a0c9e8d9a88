/**
 * Incremental analysis for the language server: re-runs the rules only on the resources an edit can affect.
 *
 * Between two analyses of the same document (key), a resource is unchanged when the new unit holds the very
 * same object as the previous one (the incremental parsers re-use the model objects of untouched blocks). The
 * changed set C is every address whose object changed, appeared or disappeared. A rule's finding on resource r
 * is assumed to depend on r and on the resources within three references of r, in either direction (a notebook,
 * its role, the attachments to that role and the policies they attach; a key and whatever uses it). So the
 * findings to recompute are those of A = N3(C), and the rules run on a sub-unit holding N3(A) (what A's findings
 * can read); findings of every other resource are kept from the previous run (their resources, hence their
 * ranges, did not change). A rule that reads further than that must declare no resource types (below).
 *
 * Everything else decides a full run: the first analysis, other options, any change of the unit's inputs,
 * locals, conditions or tfvars assignments, a duplicate address, or an affected part larger than half the unit.
 * Rules that declare no resource types always run on the whole unit: SS-SUPPRESS-01 reads the comments and
 * positions (only it and `applySuppressions`, which runs after the engine on the whole unit, read comments, so
 * an edit inside a comment re-checks nothing else).
 *
 * The result equals `analyzeUnit` on the whole unit (test/unit/incremental proves it on random edits).
 */
import { finishFindings, runRules, type AnalyzeOptions, type AnalyzeResult, type RuleError } from './engine';
import type { Resource, Unit, Value } from './model/types';
import { allRules } from './rules';
import type { Finding } from './rules/types';

interface Previous {
  unit: Unit;
  options: string;
  findings: Finding[];
}

export interface IncrementalEngineStats {
  full: number;
  incremental: number;
  /** Resources re-checked by the last incremental run. */
  lastChecked: number;
}

/** Radius (in references) of what a finding depends on. */
const DEPENDENCY_HOPS = 3;

export class IncrementalEngine {
  /** Per key, the last two analyses, newest first: an edit is often compared best with the one before last
   * (a typo made the template unreadable, then was undone: the parser splices into the last readable version). */
  private readonly previous = new Map<string, Previous[]>();
  private readonly refsCache = new WeakMap<Resource, string[]>();
  private counts: IncrementalEngineStats = { full: 0, incremental: 0, lastChecked: 0 };

  /** Same result as `analyzeUnit(unit, options)`. `key` names the document (or module) analysed. */
  analyze(key: string, unit: Unit, options: AnalyzeOptions = {}): AnalyzeResult {
    const opts = JSON.stringify([options.disabledRules ?? [], options.severity ?? {}, options.reportMayFail ?? true, options.rules?.map((r) => r.meta.id) ?? null]);
    const history = this.previous.get(key) ?? [];
    let result: AnalyzeResult | undefined;
    for (const prev of history) {
      if (prev.options === opts) result = this.incremental(prev, unit, options);
      if (result) break;
    }
    const out = result ?? this.full(unit, options);
    const latest: Previous = { unit, options: opts, findings: out.findings };
    this.previous.set(key, history[0] && history[0].unit !== unit ? [latest, history[0]] : [latest]);
    return out;
  }

  forget(key: string): void {
    this.previous.delete(key);
  }

  retain(keep: ReadonlySet<string>): void {
    for (const k of [...this.previous.keys()]) if (!keep.has(k)) this.previous.delete(k);
  }

  stats(): IncrementalEngineStats {
    return { ...this.counts };
  }

  private full(unit: Unit, options: AnalyzeOptions): AnalyzeResult {
    this.counts.full++;
    const { findings, ruleErrors } = runRules(unit, options);
    return { findings: finishFindings(unit, findings), ruleErrors };
  }

  private incremental(prev: Previous, unit: Unit, options: AnalyzeOptions): AnalyzeResult | undefined {
    const old = prev.unit;
    if (old === unit) return { findings: prev.findings, ruleErrors: [] };
    if (old.format !== unit.format || old.root !== unit.root) return undefined;
    if (!sameMap(old.inputs, unit.inputs) || !sameMap(old.locals, unit.locals) || !sameMap(old.conditions, unit.conditions) || !sameMap(old.assignments, unit.assignments)) return undefined;
    const before = byAddress(old.resources);
    const now = byAddress(unit.resources);
    if (!before || !now) return undefined;
    const changed = new Set<string>();
    for (const [a, r] of now) if (before.get(a) !== r) changed.add(a);
    for (const a of before.keys()) if (!now.has(a)) changed.add(a);
    // the whole-unit rules always run; with nothing else changed, the other findings stay
    const rules = options.rules ?? allRules();
    const global = rules.filter((r) => r.meta.resourceTypes.length === 0);
    const local = rules.filter((r) => r.meta.resourceTypes.length > 0);
    const isGlobal = new Set(global.map((r) => r.meta.id));

    // undirected reference graph, with the old references of changed resources (a reference that went away
    // can change the findings of what it pointed at)
    const graph = new Map<string, Set<string>>();
    const link = (a: string, b: string) => {
      if (a === b) return;
      let s = graph.get(a);
      if (!s) graph.set(a, (s = new Set()));
      s.add(b);
      let t = graph.get(b);
      if (!t) graph.set(b, (t = new Set()));
      t.add(a);
    };
    for (const r of unit.resources) for (const to of this.refs(r)) link(r.address, to);
    for (const a of changed) {
      const r = before.get(a);
      if (r) for (const to of this.refs(r)) link(a, to);
    }
    const affected = grow(changed, graph, DEPENDENCY_HOPS);
    const context = grow(affected, graph, DEPENDENCY_HOPS);
    if (context.size * 2 > unit.resources.length) return undefined;
    this.counts.incremental++;
    this.counts.lastChecked = affected.size;

    const ruleErrors: RuleError[] = [];
    const findings: Finding[] = prev.findings.filter((f) => !isGlobal.has(f.ruleId) && !affected.has(f.resource.address));
    if (context.size > 0) {
      const sub: Unit = { ...unit, resources: unit.resources.filter((r) => context.has(r.address)) };
      const part = runRules(sub, { ...options, rules: local });
      for (const f of part.findings) if (affected.has(f.resource.address)) findings.push(f);
      ruleErrors.push(...part.ruleErrors);
    }
    if (global.length > 0) {
      const g = runRules(unit, { ...options, rules: global });
      findings.push(...g.findings);
      ruleErrors.push(...g.ruleErrors);
    }
    return { findings: finishFindings(unit, findings), ruleErrors };
  }

  /** Addresses of the resources `r` references (any value kind, nested). */
  private refs(r: Resource): string[] {
    let out = this.refsCache.get(r);
    if (!out) {
      const set = new Set<string>();
      collect(r.properties, set, 0);
      if (r.metadata) collect(r.metadata, set, 0);
      out = [...set];
      this.refsCache.set(r, out);
    }
    return out;
  }
}

function collect(v: Value, out: Set<string>, depth: number): void {
  if (depth > 200) return;
  switch (v.kind) {
    case 'ref':
      if (v.target.type === 'resource') out.add(v.target.address);
      return;
    case 'list':
      for (const x of v.items) collect(x, out, depth + 1);
      return;
    case 'map':
      for (const e of v.entries) collect(e.value, out, depth + 1);
      return;
    case 'if':
      collect(v.then, out, depth + 1);
      collect(v.else, out, depth + 1);
      return;
    case 'expr':
      for (const x of v.refs) collect(x, out, depth + 1);
      for (const x of v.args ?? []) collect(x, out, depth + 1);
      return;
    default:
      return;
  }
}

function grow(seed: ReadonlySet<string>, graph: ReadonlyMap<string, ReadonlySet<string>>, hops: number): Set<string> {
  const out = new Set(seed);
  let frontier = [...seed];
  for (let h = 0; h < hops && frontier.length > 0; h++) {
    const next: string[] = [];
    for (const a of frontier) {
      for (const b of graph.get(a) ?? []) {
        if (out.has(b)) continue;
        out.add(b);
        next.push(b);
      }
    }
    frontier = next;
  }
  return out;
}

/** Address -> resource; undefined when an address repeats (then only a full run is safe). */
function byAddress(resources: readonly Resource[]): Map<string, Resource> | undefined {
  const m = new Map<string, Resource>();
  for (const r of resources) {
    if (m.has(r.address)) return undefined;
    m.set(r.address, r);
  }
  return m;
}

function sameMap<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  const ai = a.entries();
  for (const [k, v] of b) {
    const n = ai.next();
    if (n.done || n.value[0] !== k || n.value[1] !== v) return false;
  }
  return true;
}
