import { strict as assert } from 'node:assert';
import { fullWildcardAction, grantsPassRole, roleWildcardResource, rootPrincipalText, serviceWildcard, starResource } from '../../../server/src/iam/checks';
import { extractPolicies } from '../../../server/src/iam/policies';
import { judgeElement, possibleStrings, SELF_ACCOUNT, showText, templateText, UNKNOWN } from '../../../server/src/iam/strings';
import { cfnYaml, tf } from '../../support/rule-tester';

describe('iam/strings: template texts', () => {
  it('turns !Sub, Fn::Join and Terraform templates into text with markers', async () => {
    const u = cfnYaml(`
Parameters:
  Acct: { Type: String }
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Statement:
          - Principal:
              AWS:
                - !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:root'
                - !Join ['', ['arn:aws:iam::', !Ref AWS::AccountId, ':root']]
                - !Sub 'arn:aws:iam::\${Acct}:role/\${!Literal}'
                - !Ref AWS::AccountId
            Action: kms:*
            Resource: '*'
`);
    const [st] = extractPolicies(u)[0].statements;
    const texts = st.principals.map((p) => templateText(p.value));
    assert.deepEqual(texts, [`arn:aws:iam::${SELF_ACCOUNT}:root`, `arn:aws:iam::${SELF_ACCOUNT}:root`, `arn:aws:iam::${UNKNOWN}:role/\${Literal}`, SELF_ACCOUNT]);
    assert.equal(showText(texts[2]!), 'arn:aws:iam::${...}:role/${Literal}');

    const t = await tf(`
data "aws_caller_identity" "me" {}
resource "aws_kms_key" "k" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { AWS = ["arn:aws:iam::\${data.aws_caller_identity.me.account_id}:root", "arn:aws:iam::\${var.acct}:root"] }, Action = "kms:*", Resource = "*" }]
  })
}
`);
    const tst = extractPolicies(t)[0].statements[0];
    assert.deepEqual(tst.principals.map((p) => templateText(p.value)), [`arn:aws:iam::${SELF_ACCOUNT}:root`, `arn:aws:iam::${UNKNOWN}:root`]);
  });

  it('judges elements through parameters, lists and comma-delimited defaults', async () => {
    const u = cfnYaml(`
Parameters:
  Star: { Type: String, Default: '*' }
  Many: { Type: CommaDelimitedList, Default: 's3:GetObject,*' }
  Free: { Type: String }
  Choice: { Type: String, AllowedValues: ['*', 's3:GetObject'] }
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Action: ['*', !Ref Star, !Ref Many, !Ref Free, !Ref Choice, s3:GetObject]
            Resource: '*'
`);
    const [st] = extractPolicies(u)[0].statements;
    const verdicts = st.actions.map((a) => judgeElement(u, a.value, fullWildcardAction).verdict);
    assert.deepEqual(verdicts, ['fail', 'may-fail', 'may-fail', 'may-fail', 'may-fail', 'pass']);
    assert.equal(judgeElement(u, st.actions[3].value, fullWildcardAction, { input: 'pass' }).verdict, 'pass');
    assert.deepEqual(possibleStrings(u, st.actions[2].value), [
      { text: 's3:GetObject', assumed: true },
      { text: '*', assumed: true },
    ]);

    const t = await tf({
      'main.tf': `
variable "acts" {
  type    = list(string)
  default = ["s3:GetObject"]
}
variable "set" { type = list(string) }
data "aws_iam_policy_document" "d" {
  statement {
    actions   = var.acts
    resources = ["*"]
  }
  statement {
    actions   = var.set
    resources = ["*"]
  }
}
`,
      'terraform.tfvars': 'set = ["*"]\n',
    });
    const [a, b] = extractPolicies(t)[0].statements;
    assert.equal(judgeElement(t, a.actions[0].value, fullWildcardAction).verdict, 'pass');
    assert.equal(judgeElement(t, b.actions[0].value, fullWildcardAction).verdict, 'fail', 'a tfvars assignment decides');
  });
});

describe('iam/checks: text tests', () => {
  it('recognises wildcards', () => {
    assert.equal(fullWildcardAction(' * '), 'fail');
    assert.equal(fullWildcardAction('*:*'), 'fail');
    assert.equal(fullWildcardAction('s3:*'), 'pass');
    assert.equal(fullWildcardAction(UNKNOWN), 'unknown');
    assert.equal(serviceWildcard('SageMaker:*'), 'sagemaker');
    assert.equal(serviceWildcard('s3:Get*'), undefined);
    assert.equal(serviceWildcard('*'), undefined);
    assert.equal(starResource('*'), 'fail');
    assert.equal(starResource('arn:aws:s3:::*'), 'pass');
  });

  it('recognises PassRole grants and role wildcards', () => {
    for (const a of ['iam:PassRole', 'iam:passrole', 'iam:Pass*', 'iam:PassR*', 'iam:*Role', 'iam:*', '*']) assert.equal(grantsPassRole(a), 'fail', a);
    for (const a of ['iam:GetRole', 'iam:Get*', 's3:*']) assert.equal(grantsPassRole(a), 'pass', a);
    assert.equal(grantsPassRole(`${UNKNOWN}:PassRole`), 'unknown');
    for (const r of ['*', 'arn:aws:iam::*:role/*', 'arn:aws:iam::123456789012:role/*', `arn:aws:iam::${SELF_ACCOUNT}:*`, 'arn:aws:iam::*:role*']) {
      assert.equal(roleWildcardResource(r), 'fail', r);
    }
    for (const r of ['arn:aws:iam::123456789012:role/SageMakerExec', 'arn:aws:iam::*:role/sagemaker-*', 'arn:aws:iam::*:role/service-role/*', 'arn:aws:s3:::*']) {
      assert.equal(roleWildcardResource(r), 'pass', r);
    }
  });

  it('recognises account-root principals', () => {
    for (const p of ['arn:aws:iam::123456789012:root', `arn:aws:iam::${SELF_ACCOUNT}:root`, '123456789012', SELF_ACCOUNT, `arn:aws-cn:iam::${UNKNOWN}:root`]) {
      assert.equal(rootPrincipalText(p), true, p);
    }
    for (const p of ['*', 'arn:aws:iam::123456789012:role/Admin', 'arn:aws:iam::123456789012:user/root']) assert.equal(rootPrincipalText(p), false, p);
  });
});
