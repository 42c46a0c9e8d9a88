/**
 * A small RuleTester: parse CloudFormation YAML / JSON or a Terraform module from text, run one rule through the
 * engine, and assert findings by verdict, resource and the exact text the finding underlines.
 *
 *   const u = cfnYaml(`Resources: ...`);            // or cfnJson(text), or await tf({ 'main.tf': text })
 *   const f = runRule(rule, u);
 *   expectFinding(f, u, { verdict: 'fail', resource: 'Nb', text: 'Nb', message: /KmsKeyId/ });
 *   expectNoFinding(f, 'Nb');
 *
 * Or in one go: `await check(rule, cfnYaml(text)).fails({ resource: 'Nb', text: "'Enabled'" })`.
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { analyzeUnit } from '../../server/src/engine';
import type { Unit } from '../../server/src/model/types';
import { LineIndex } from '../../server/src/parse/lines';
import { parseCloudFormation } from '../../server/src/parse/cloudformation';
import { initTerraform, parseTerraformModule } from '../../server/src/parse/terraform';
import type { Finding, Rule, Verdict } from '../../server/src/rules/types';

/** A fake absolute folder for virtual test files (never read from disk). */
export const VROOT = path.resolve('/virtual');

/** Parse a CloudFormation YAML template. Throws when the parser returns nothing. */
export function cfnYaml(text: string, file = path.join(VROOT, 'template.yaml')): Unit {
  const u = parseCloudFormation(file, text);
  assert.ok(u, `parseCloudFormation returned no unit for ${file}`);
  return u;
}

/** Parse a CloudFormation JSON template (a JS object is serialised with 2-space indentation). */
export function cfnJson(text: string | object, file = path.join(VROOT, 'template.json')): Unit {
  const src = typeof text === 'string' ? text : JSON.stringify(text, null, 2);
  const u = parseCloudFormation(file, src);
  assert.ok(u, `parseCloudFormation returned no unit for ${file}`);
  return u;
}

/** A CloudFormation JSON template with one `AWS::IAM::Policy` named `logicalId` holding `statements`. */
export function cfnJsonPolicy(logicalId: string, statements: object[]): Unit {
  return cfnJson({
    Resources: {
      [logicalId]: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', PolicyDocument: { Statement: statements } } },
    },
  });
}

let tfReady: Promise<void> | undefined;

/** Parse a Terraform module made of the given files (`{ 'main.tf': ..., 'terraform.tfvars': ... }`). */
export async function tf(files: Record<string, string> | string, dir = path.join(VROOT, 'tf')): Promise<Unit> {
  tfReady ??= initTerraform();
  await tfReady;
  const map = typeof files === 'string' ? { 'main.tf': files } : files;
  return parseTerraformModule(
    dir,
    Object.entries(map).map(([name, text]) => ({ path: path.join(dir, name), text })),
  );
}

/** Run one rule (only that rule) on a unit; may-fail findings included. Rule errors fail the test. */
export function runRule(rule: Rule, unit: Unit): Finding[] {
  const r = analyzeUnit(unit, { rules: [rule] });
  assert.deepEqual(r.ruleErrors, [], `rule ${rule.meta.id} threw`);
  for (const f of r.findings) assert.equal(f.ruleId, rule.meta.id);
  return r.findings;
}

/** The source text a finding underlines. */
export function underlined(unit: Unit, f: { file: string; range: Finding['range'] }): string {
  const src = unit.files.find((x) => x.path === f.file);
  assert.ok(src, `finding file ${f.file} is not one of the unit's files (${unit.files.map((x) => x.path).join(', ')})`);
  const idx = new LineIndex(src.text);
  return src.text.slice(idx.offset(f.range.start), idx.offset(f.range.end));
}

export interface Expect {
  verdict: Verdict;
  /** Resource name (CFN logical ID / TF name) or address (`aws_x.name`). */
  resource?: string;
  /** Exact underlined text. */
  text?: string;
  message?: RegExp;
  /** Subset of `data` that must match. */
  data?: Record<string, unknown>;
}

function describeAll(unit: Unit, findings: Finding[]): string {
  if (findings.length === 0) return '(no findings)';
  return findings
    .map((f) => {
      let t = '?';
      try {
        t = underlined(unit, f);
      } catch {
        /* keep ? */
      }
      return `  ${f.verdict} ${f.resource.address} [${JSON.stringify(t)}] ${f.message}`;
    })
    .join('\n');
}

function matches(unit: Unit, f: Finding, e: Expect): boolean {
  if (f.verdict !== e.verdict) return false;
  if (e.resource && f.resource.name !== e.resource && f.resource.address !== e.resource) return false;
  if (e.message && !e.message.test(f.message)) return false;
  if (e.text !== undefined && underlined(unit, f) !== e.text) return false;
  if (e.data) {
    for (const [k, v] of Object.entries(e.data)) {
      try {
        assert.deepEqual(f.data?.[k], v);
      } catch {
        return false;
      }
    }
  }
  return true;
}

/** Assert exactly one finding matches `e` (and, when `e.resource` is set, that it is the only one on that resource). */
export function expectFinding(findings: Finding[], unit: Unit, e: Expect): Finding {
  const hit = findings.filter((f) => matches(unit, f, e));
  assert.equal(hit.length, 1, `expected one ${e.verdict} finding ${JSON.stringify({ ...e, message: e.message?.source })}; got:\n${describeAll(unit, findings)}`);
  if (e.resource) {
    const onResource = findings.filter((f) => f.resource.name === e.resource || f.resource.address === e.resource);
    assert.equal(onResource.length, 1, `expected only one finding on ${e.resource}; got:\n${describeAll(unit, findings)}`);
  }
  return hit[0];
}

/** Assert no finding (on the resource, when given). */
export function expectNoFinding(findings: Finding[], unit: Unit, resource?: string): void {
  const hit = resource ? findings.filter((f) => f.resource.name === resource || f.resource.address === resource) : findings;
  assert.equal(hit.length, 0, `expected no finding${resource ? ` on ${resource}` : ''}; got:\n${describeAll(unit, hit)}`);
}

/** Fluent form: `check(rule, unit).fails({...}).passes('Other')`. */
export function check(rule: Rule, unit: Unit) {
  const findings = runRule(rule, unit);
  const api = {
    findings,
    unit,
    fails(e: Omit<Expect, 'verdict'> = {}) {
      expectFinding(findings, unit, { ...e, verdict: 'fail' });
      return api;
    },
    mayFail(e: Omit<Expect, 'verdict'> = {}) {
      expectFinding(findings, unit, { ...e, verdict: 'may-fail' });
      return api;
    },
    passes(resource?: string) {
      expectNoFinding(findings, unit, resource);
      return api;
    },
    count(n: number) {
      assert.equal(findings.length, n, `expected ${n} findings; got:\n${describeAll(unit, findings)}`);
      return api;
    },
  };
  return api;
}
