/** IAM-09: a role's trust policy trusts everyone, allows wildcard actions, or trusts another account without a guard. */
import type { TestResult } from '../model/values';
import { allowStatements, becauseText, conditionKeys, emit, findingAt, fullWildcardAction, hits, serviceWildcard, where } from '../iam/checks';
import { SELF_ACCOUNT, UNKNOWN } from '../iam/strings';
import { defineRule } from './types';

/** Condition keys that guard a cross-account trust (a shared secret, or MFA on the caller). */
const GUARDS = ['sts:externalid', 'aws:multifactorauthpresent', 'aws:multifactorauthage'];

function wildcardPrincipal(text: string): TestResult {
  const t = text.trim();
  if (t === '*') return 'fail';
  if (t === UNKNOWN) return 'unknown';
  return 'pass';
}

/** An AWS principal of another (or an unknown) account: a literal account ID or ARN whose account is not the deployer's. */
function foreignAccount(text: string): TestResult {
  const t = text.trim();
  if (t === '*') return 'pass'; // reported as a wildcard principal
  if (t === UNKNOWN) return 'unknown';
  let account: string | undefined;
  if (/^\d{12}$/.test(t)) account = t;
  else {
    const m = /^arn:[^:]*:(?:iam|sts)::([^:]*):/i.exec(t);
    if (!m) return 'pass';
    account = m[1];
  }
  if (account === SELF_ACCOUNT) return 'pass';
  if (account.includes(UNKNOWN)) return 'unknown';
  return /^\d{12}$/.test(account) ? 'fail' : 'pass';
}

function trustAction(text: string): TestResult {
  const full = fullWildcardAction(text);
  if (full !== 'pass') return full;
  return serviceWildcard(text) ? 'fail' : 'pass';
}

export default defineRule({
  meta: {
    id: 'IAM-09',
    title: 'Role trust policy is too broad',
    severity: 'high',
    category: 'iam',
    formats: ['cloudformation', 'terraform'],
    resourceTypes: ['AWS::IAM::Role', 'aws_iam_role', 'aws_iam_policy_document'],
    description:
      'A role trust policy (AssumeRolePolicyDocument, assume_role_policy) decides who can become the role. It must not ' +
      'trust every principal (Principal "*" or {AWS: "*"}), must not allow wildcard actions (* or sts:*), and a trust of ' +
      'another AWS account needs an sts:ExternalId or MFA condition. A SageMaker execution role should trust only ' +
      'sagemaker.amazonaws.com, ideally with aws:SourceAccount / aws:SourceArn conditions.',
    references: ['Checkov CKV_AWS_60, CKV_AWS_61', 'cfn_nag F2', 'KICS b1ffa705', 'CodeGuru restrict-iam-permissive-role-cloudformation', 'NIST SP 800-53 AC-3'],
  },
  check(unit, ctx) {
    for (const { doc, st } of allowStatements(unit, ['trust'])) {
      const guarded = GUARDS.some((k) => conditionKeys(st).has(k));
      for (const p of st.principals) {
        const type = p.type.toUpperCase();
        if (type !== '*' && type !== 'AWS') continue;
        for (const h of hits(unit, [{ value: p.value }], wildcardPrincipal, { input: 'unknown', attribute: 'pass' })) {
          emit(ctx, doc, st, {
            ...findingAt(doc, st, h.node, { principal: '*', principalType: p.type }),
            verdict: h.judgement.verdict === 'fail' ? 'fail' : 'may-fail',
            message:
              `${where(doc, st)} lets any AWS principal assume this role (Principal ${type === '*' ? '"*"' : '{AWS: "*"}'})${becauseText(h.judgement)}. ` +
              'Trust only the service or the role ARNs that need it (for a SageMaker execution role: Service sagemaker.amazonaws.com).',
          });
        }
        if (type !== 'AWS' || guarded) continue;
        for (const h of hits(unit, [{ value: p.value }], foreignAccount, { input: 'unknown', attribute: 'pass' })) {
          emit(ctx, doc, st, {
            ...findingAt(doc, st, h.node, { principal: h.text, principalType: 'AWS', crossAccount: true }),
            verdict: h.judgement.verdict === 'fail' ? 'fail' : 'may-fail',
            message:
              `${where(doc, st)} trusts ${h.text && h.text !== '${...}' ? h.text : 'an account the files do not name'}${becauseText(h.judgement)} without an sts:ExternalId or MFA condition. ` +
              'Add a Condition (StringEquals sts:ExternalId, or Bool aws:MultiFactorAuthPresent true); if this is your own account, use ${AWS::AccountId} / data.aws_caller_identity.',
          });
        }
      }
      for (const h of hits(unit, st.actions, trustAction)) {
        emit(ctx, doc, st, {
          ...findingAt(doc, st, h.node, { action: h.text }),
          verdict: h.judgement.verdict === 'fail' ? 'fail' : 'may-fail',
          message:
            `${where(doc, st)} of a trust policy allows ${h.text ?? 'a wildcard action'}${becauseText(h.judgement)}. ` +
            'Allow only the assume action the principal needs (sts:AssumeRole, or sts:AssumeRoleWithWebIdentity for federation).',
        });
      }
    }
  },
});
