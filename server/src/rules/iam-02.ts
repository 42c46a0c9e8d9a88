/** IAM-02: an Allow statement grants every action on every resource: administrator access. */
import { adminVerdict, allowStatements, becauseText, emit, findingAt, fullWildcardAction, hits, starResourceHit, where } from '../iam/checks';
import { POLICY_RESOURCE_TYPES } from '../iam/policies';
import { defineRule } from './types';

export default defineRule({
  meta: {
    id: 'IAM-02',
    title: 'Policy statement grants full administrator access (Action "*" on Resource "*")',
    severity: 'critical',
    category: 'iam',
    formats: ['cloudformation', 'terraform'],
    resourceTypes: POLICY_RESOURCE_TYPES,
    description:
      'An identity-policy Allow statement with Action "*" and Resource "*" makes the role, user or group an administrator ' +
      'of the account. Grant the actions and resources the workload needs. This statement is reported by IAM-02 only ' +
      '(not also by IAM-01, IAM-04 or IAM-06).',
    references: ['Checkov CKV_AWS_62, CKV_AWS_1', 'KICS 2f37c4a3, 575a2155, 953b3cdb, f62aa827', 'CodeGuru restrict-iam-admin-policy-terraform', 'AWS Security Hub IAM.1', 'CIS AWS Foundations 1.16'],
  },
  check(unit, ctx) {
    for (const { doc, st } of allowStatements(unit, ['identity'])) {
      const actions = hits(unit, st.actions, fullWildcardAction);
      if (actions.length === 0) continue;
      const res = starResourceHit(unit, st);
      if (!res) continue;
      for (const a of actions) {
        const verdict = adminVerdict(unit, doc, st, a);
        if (verdict === 'pass') continue;
        const because = [becauseText(a.judgement), becauseText(res.judgement)].filter((s) => s).join('');
        emit(ctx, doc, st, {
          ...findingAt(doc, st, a.node, { action: '*', resource: '*', resourceRange: res.node.range }),
          verdict,
          message:
            `${where(doc, st)} allows every action on every resource: full administrator access${because}. ` +
            'Replace Action "*" and Resource "*" with the actions and resource ARNs this role needs.',
        });
      }
    }
  },
});
