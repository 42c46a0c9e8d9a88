/** IAM-03: an Allow statement grants every action of a service (`sagemaker:*`, `iam:*`, `s3:*`, ...). */
import { allowStatements, becauseText, emit, findingAt, hits, rootOnlyStatement, serviceWildcard, where } from '../iam/checks';
import { POLICY_RESOURCE_TYPES } from '../iam/policies';
import type { Severity } from './types';
import { defineRule } from './types';

/** Services whose full wildcard lets the holder change permissions, keys or identities. */
const SENSITIVE = new Set(['iam', 'kms', 'sts']);

export default defineRule({
  meta: {
    id: 'IAM-03',
    title: 'Policy statement allows every action of a service (svc:*)',
    severity: 'medium',
    category: 'iam',
    formats: ['cloudformation', 'terraform'],
    resourceTypes: POLICY_RESOURCE_TYPES,
    description:
      'An Allow statement with a service-wide wildcard such as sagemaker:*, s3:* or iam:* grants every current and future ' +
      'action of that service, including deletes and permission changes. The finding is high for iam:*, kms:* and sts:*, ' +
      'medium otherwise. KMS key-policy statements that delegate kms:* to the account root are not flagged.',
    references: ['cfn_nag F3, F4, F5', 'AWS Security Hub IAM.21', 'NIST SP 800-53 AC-6'],
  },
  check(unit, ctx) {
    for (const { doc, st } of allowStatements(unit, ['identity', 'key', 'resource'])) {
      if (doc.kind === 'key' && rootOnlyStatement(unit, st)) continue;
      for (const h of hits(unit, st.actions, (t) => (serviceWildcard(t) ? 'fail' : 'pass'), { input: 'pass' })) {
        const text = h.text ?? 'svc:*';
        const svc = serviceWildcard(h.raw ?? text) ?? text.split(':')[0].toLowerCase();
        const severity: Severity = SENSITIVE.has(svc) ? 'high' : 'medium';
        emit(ctx, doc, st, {
          ...findingAt(doc, st, h.node, { action: text, service: svc }),
          verdict: h.judgement.verdict === 'fail' ? 'fail' : 'may-fail',
          severity,
          message:
            `${where(doc, st)} allows every ${svc} action (${text})${becauseText(h.judgement)}. ` +
            `List the ${svc} actions this policy needs instead of the service wildcard.`,
        });
      }
    }
  },
});
