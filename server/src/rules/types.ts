/**
 * Rule contract. A rule reads the model (`../model`) only: no syntax trees, no raw text, no LSP types.
 * Each rule lives in its own file under `rules/`, exports a `Rule`, and is listed in `rules/index.ts`.
 */
import type { Format, Range, Resource, Unit } from '../model/types';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export type Category = 'encryption' | 'network' | 'iam' | 'root-access' | 'secrets' | 'monitoring' | 'other';

/** fail: the files say the resource is insecure. may-fail: it depends on a value the files do not determine. */
export type Verdict = 'fail' | 'may-fail';

export interface RuleMeta {
  /** Stable ID from the rule catalog (`SM-KMS-01`). Never renamed once released. */
  id: string;
  title: string;
  severity: Severity;
  category: Category;
  formats: Format[];
  /** Resource types the rule reads, both formats (`AWS::SageMaker::NotebookInstance`, `aws_sagemaker_notebook_instance`). */
  resourceTypes: string[];
  /** One paragraph: what is checked and why. */
  description: string;
  /** AWS Security Hub controls, peer check IDs, CIS/NIST references. */
  references?: string[];
}

export interface FindingResource {
  type: string;
  name: string;
  address: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  category: Category;
  verdict: Verdict;
  /** Absolute path. */
  file: string;
  range: Range;
  resource: FindingResource;
  message: string;
  /** Titles of the fixes offered for this finding (filled by `fixes/` when it knows one). */
  fixes: string[];
  /** What a quick-fix needs to act: rule-specific, JSON-serialisable. */
  data?: Record<string, unknown>;
}

export interface ReportInput {
  resource: Resource;
  /** Defaults to the resource's name range (a missing property). */
  range?: Range;
  /** Defaults to the resource's file. */
  file?: string;
  verdict: Verdict;
  message: string;
  data?: Record<string, unknown>;
  /** This finding's severity when it differs from the rule's default (a user's per-rule override still wins). */
  severity?: Severity;
}

export interface RuleContext {
  report(input: ReportInput): void;
}

export interface Rule {
  meta: RuleMeta;
  check(unit: Unit, ctx: RuleContext): void;
}

export const DOCS_BASE = 'https://github.com/sageshield/sageshield/blob/main/docs/rules/';

export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE}${ruleId}.md`;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}
