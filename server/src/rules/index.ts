/**
 * The rule registry: an explicit map from rule ID to rule, sorted by ID. Adding a rule: see
 * docs/architecture.md ("Add a rule"). A test checks that every file in rules/ is registered here.
 */
import type { Rule } from './types';
// --- sagemaker rules (imports) ---
// --- iam rules (imports) ---

const RULES: Rule[] = [
  // --- sagemaker rules ---
  // --- iam rules ---
];

export const RULE_REGISTRY: ReadonlyMap<string, Rule> = new Map(
  [...RULES].sort((a, b) => a.meta.id.localeCompare(b.meta.id)).map((r) => [r.meta.id, r]),
);

export function allRules(): Rule[] {
  return [...RULE_REGISTRY.values()];
}
