/** IAM-06: iam:PassRole on every role (Resource "*" or a role-wildcard ARN). */
import { adminVerdict, allowStatements, becauseText, both, conditionKeys, emit, findingAt, fullWildcardAction, grantsPassRole, hits, roleWildcardResource, where } from '../iam/checks';
import { POLICY_RESOURCE_TYPES } from '../iam/policies';
import { defineRule } from './types';

export default defineRule({
  meta: {
    id: 'IAM-06',
    title: 'iam:PassRole allowed on every role',
    severity: 'high',
    category: 'iam',
    formats: ['cloudformation', 'terraform'],
    resourceTypes: POLICY_RESOURCE_TYPES,
    description:
      'iam:PassRole (also granted by iam:Pass*, iam:*Role, iam:* and *) on Resource "*" or on a role wildcard such as ' +
      'arn:aws:iam::*:role/* lets the holder hand any role, including an administrator role, to SageMaker, EC2 or Lambda ' +
      'and act with its permissions: a privilege escalation. Name the execution roles that may be passed. When an ' +
      'iam:PassedToService condition restricts the services, the finding is medium instead of high.',
    references: ['cfn_nag F38, F39, F40', 'KICS e39bee8c', 'Trivy AWS-0342', 'Checkov CKV_AWS_286, CKV_AWS_110', 'NIST SP 800-53 AC-6'],
  },
  check(unit, ctx) {
    for (const { doc, st } of allowStatements(unit, ['identity'])) {
      const actions = hits(unit, st.actions, grantsPassRole, { input: 'pass' });
      if (actions.length === 0) continue;
      const resources = hits(unit, st.resources, roleWildcardResource, { input: 'pass' });
      if (resources.length === 0) continue;
      const res = resources.find((r) => r.judgement.verdict === 'fail') ?? resources[0];
      const restricted = conditionKeys(st).has('iam:passedtoservice');
      for (const a of actions) {
        // `"*"` on `Resource "*"` is an admin statement: IAM-02 reports it.
        if (a.raw !== undefined && fullWildcardAction(a.raw) === 'fail' && adminVerdict(unit, doc, st, a) !== 'pass') continue;
        const verdict = both(a.judgement.verdict, res.judgement.verdict);
        if (verdict === 'pass') continue;
        const action = a.text ?? 'iam:PassRole';
        const via = /^iam:passrole$/i.test(action) ? 'iam:PassRole' : `iam:PassRole (through ${fullWildcardAction(action) === 'fail' ? '"*"' : action})`;
        emit(ctx, doc, st, {
          ...findingAt(doc, st, a.node, { action, resource: res.text ?? '*', resourceRange: res.node.range, passedToService: restricted }),
          verdict,
          severity: restricted ? 'medium' : undefined,
          message:
            `${where(doc, st)} allows ${via} on ${res.text === '*' ? 'every role (Resource "*")' : `every role (${res.text ?? 'a role wildcard'})`}` +
            `${becauseText(a.judgement)}${becauseText(res.judgement)}. ` +
            'Set Resource to the ARNs of the execution roles this principal may pass' +
            (restricted ? ' (an iam:PassedToService condition limits the services, not the roles).' : ', and add an iam:PassedToService condition (for example sagemaker.amazonaws.com).'),
        });
      }
    }
  },
});
