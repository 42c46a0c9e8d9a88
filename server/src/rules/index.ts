/**
 * The rule registry: an explicit map from rule ID to rule, sorted by ID. Adding a rule: see
 * docs/architecture.md ("Add a rule"). A test checks that every file in rules/ is registered here.
 */
import type { Rule } from './types';
import ssSuppress01 from './ss-suppress-01';
// --- sagemaker rules (imports) ---
import smKms01 from './sm-kms-01';
import smKms02 from './sm-kms-02';
import smKms03 from './sm-kms-03';
import smNet01 from './sm-net-01';
import smNet02 from './sm-net-02';
import smNet03 from './sm-net-03';
import smRoot01 from './sm-root-01';
// --- iam rules (imports) ---
import iam01 from './iam-01';
import iam02 from './iam-02';
import iam03 from './iam-03';
import iam04 from './iam-04';
import iam06 from './iam-06';
import iam09 from './iam-09';

const RULES: Rule[] = [
  // --- sagemaker rules ---
  smKms01,
  smKms02,
  smKms03,
  smNet01,
  smNet02,
  smNet03,
  smRoot01,
  // --- iam rules ---
  iam01,
  iam02,
  iam03,
  iam04,
  iam06,
  iam09,
  ssSuppress01,
];

export const RULE_REGISTRY: ReadonlyMap<string, Rule> = new Map(
  [...RULES].sort((a, b) => a.meta.id.localeCompare(b.meta.id)).map((r) => [r.meta.id, r]),
);

export function allRules(): Rule[] {
  return [...RULE_REGISTRY.values()];
}
