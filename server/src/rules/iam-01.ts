/** IAM-01: an Allow statement grants every action (`Action: "*"`). */
import { adminVerdict, allowStatements, becauseText, emit, findingAt, fullWildcardAction, hits, rootOnlyStatement, where } from '../iam/checks';
import { POLICY_RESOURCE_TYPES } from '../iam/policies';
import { defineRule } from './types';

export default defineRule({
  meta: {
    id: 'IAM-01',
    title: 'Policy statement allows every action (Action "*")',
    severity: 'high',
    category: 'iam',
    formats: ['cloudformation', 'terraform'],
    resourceTypes: POLICY_RESOURCE_TYPES,
    description:
      'An Allow statement whose Action is "*" grants every current and future AWS action on its resources. ' +
      'List the actions the workload needs instead. Every statement is checked (a missing Effect counts as Allow); ' +
      'Deny statements, trust policies (IAM-09) and KMS key-policy statements that delegate to the account root are not ' +
      'flagged, and a statement that also has Resource "*" is reported once, by IAM-02 (unless IAM-01\'s verdict is stronger).',
    references: ['Checkov CKV_AWS_63, CKV_AWS_49', 'cfn_nag F3, F4, F5', 'CodeGuru restrict-iam-asterisk-action-terraform', 'AWS Security Hub IAM.1', 'NIST SP 800-53 AC-6'],
  },
  check(unit, ctx) {
    for (const { doc, st } of allowStatements(unit, ['identity', 'key', 'resource'])) {
      if (doc.kind === 'key' && rootOnlyStatement(unit, st)) continue;
      for (const h of hits(unit, st.actions, fullWildcardAction)) {
        // IAM-02 reports this element with the same verdict: one finding is enough.
        if (adminVerdict(unit, doc, st, h) === h.judgement.verdict) continue;
        emit(ctx, doc, st, {
          ...findingAt(doc, st, h.node, { action: h.text ?? '*' }),
          verdict: h.judgement.verdict === 'fail' ? 'fail' : 'may-fail',
          message:
            `${where(doc, st)} allows every action (Action "*")${becauseText(h.judgement)}. ` +
            'List only the actions this policy needs (for example sagemaker:CreateTrainingJob, s3:GetObject).',
        });
      }
    }
  },
});
