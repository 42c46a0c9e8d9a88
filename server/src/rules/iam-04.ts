/** IAM-04: Resource "*" on actions that support resource-level permissions. */
import { resourceLevelActions } from '../iam/actions';
import { allowStatements, becauseText, emit, findingAt, fullWildcardAction, hasCondition, hits, starResource, where } from '../iam/checks';
import { POLICY_RESOURCE_TYPES } from '../iam/policies';
import { possibleStrings, UNKNOWN, SELF_ACCOUNT } from '../iam/strings';
import { defineRule } from './types';

const MAX_LISTED = 3;

export default defineRule({
  meta: {
    id: 'IAM-04',
    title: 'Resource "*" on actions that can be scoped to specific resources',
    severity: 'medium',
    category: 'iam',
    formats: ['cloudformation', 'terraform'],
    resourceTypes: POLICY_RESOURCE_TYPES,
    description:
      'An identity-policy Allow statement with Resource "*" grants its actions on every resource of the account, although ' +
      'some of them accept resource ARNs (the IAM action catalog says which). Name the resources, for example ' +
      'arn:aws:s3:::my-bucket/* or a SageMaker ARN pattern. Actions that only work on "*" (sagemaker:ListNotebookInstances, ' +
      'ecr:GetAuthorizationToken, ...) are not flagged. A statement with a Condition is reported at low severity.',
    references: ['Checkov CKV_AWS_355, CKV_AWS_356', 'cfn_nag W11, W12, W13', 'NIST SP 800-53 AC-6'],
  },
  check(unit, ctx) {
    for (const { doc, st } of allowStatements(unit, ['identity'])) {
      const stars = hits(unit, st.resources, starResource, { input: 'pass' });
      if (stars.length === 0) continue;
      // Actions that accept resource ARNs; `*` is IAM-01/IAM-02's business.
      const scopedText = (t: string): boolean =>
        !!t && fullWildcardAction(t) === 'pass' && !t.includes(UNKNOWN) && !t.includes(SELF_ACCOUNT) && resourceLevelActions(t).length > 0;
      const actionHits = hits(unit, st.actions, (t) => (scopedText(t) ? 'fail' : 'pass'), { input: 'pass' });
      if (actionHits.length === 0) continue;
      const definite = actionHits.some((h) => h.judgement.verdict === 'fail');
      const scoped = new Set<string>();
      for (const a of st.actions) for (const s of possibleStrings(unit, a.value)) if (scopedText(s.text)) scoped.add(s.text);
      const names = [...scoped];
      if (names.length === 0) continue;
      const listed = names.slice(0, MAX_LISTED).join(', ') + (names.length > MAX_LISTED ? ` and ${names.length - MAX_LISTED} more` : '');
      const conditioned = hasCondition(st);
      for (const r of stars) {
        const verdict = r.judgement.verdict === 'fail' && definite ? 'fail' : 'may-fail';
        emit(ctx, doc, st, {
          ...findingAt(doc, st, r.node, { resource: '*', actions: names, conditioned }),
          verdict,
          severity: conditioned ? 'low' : undefined,
          message:
            `${where(doc, st)} grants ${listed} on Resource "*"${becauseText(r.judgement)}, but ${names.length === 1 ? 'this action accepts' : 'these actions accept'} ` +
            `resource ARNs. Replace "*" with the ARNs of the resources this policy needs` +
            (conditioned ? ' (the statement has a Condition, which may already narrow it).' : '.'),
        });
      }
    }
  },
});
