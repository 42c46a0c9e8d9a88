/** SS-SUPPRESS-01: a suppression (`sageshield:ignore` comment or Metadata entry) must say why. */
import type { Resource, Unit } from '../model/types';
import { readSuppressions } from '../suppress';
import type { Suppression } from '../suppress';
import { defineRule } from './types';

function resourceOf(unit: Unit, s: Suppression): Resource | undefined {
  const sc = s.scope;
  if (sc.kind !== 'line') return sc.resource;
  if (sc.resource) return sc.resource;
  const inFile = unit.resources.filter((r) => r.file === s.file);
  return inFile.find((r) => r.range.start.line >= sc.line) ?? inFile[inFile.length - 1] ?? unit.resources[0];
}

export default defineRule({
  meta: {
    id: 'SS-SUPPRESS-01',
    title: 'Suppression without a reason',
    severity: 'low',
    category: 'other',
    formats: ['cloudformation', 'terraform'],
    resourceTypes: [],
    description:
      'A `# sageshield:ignore RULE-ID` comment or a CloudFormation Metadata `sageshield: {ignore: [{id}]}` entry ' +
      'without a reason still hides the finding, but a reviewer cannot tell whether the risk was accepted on purpose. ' +
      'Write the reason after the rule ID (comment) or in `reason:` (Metadata). A suppression that names no rule ID ' +
      'suppresses nothing and is reported too.',
    references: ['docs/rules/SS-SUPPRESS-01.md'],
  },
  check(unit, ctx) {
    for (const s of readSuppressions(unit)) {
      if (s.reason && s.ids.length > 0) continue;
      const resource = resourceOf(unit, s);
      if (!resource) continue;
      const what = s.source === 'comment' ? 'sageshield:ignore comment' : 'Metadata sageshield ignore entry';
      ctx.report({
        resource,
        file: s.file,
        range: s.range,
        verdict: 'fail',
        message:
          s.ids.length === 0
            ? `This ${what} names no rule ID, so it suppresses nothing. Write the rule ID and the reason: sageshield:ignore RULE-ID reason.`
            : `This ${what} suppresses ${s.ids.join(', ')} without a reason. Say why the risk is acceptable` +
              (s.source === 'comment' ? ` after the rule ID (# sageshield:ignore ${s.ids[0]} <reason>).` : ' in its reason field.'),
        data: { ids: s.ids, source: s.source },
      });
    }
  },
});
