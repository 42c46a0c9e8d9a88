/** SM-KMS-02: a SageMaker Studio domain's EFS home volume must be encrypted with a customer-managed KMS key. */
import { checkProperty, kmsMessage, notCustomerKey } from '../model/query';
import { defineRule } from './types';

export default defineRule({
  meta: {
    id: 'SM-KMS-02',
    title: 'Studio domain storage is not encrypted with a customer-managed KMS key',
    severity: 'high',
    category: 'encryption',
    formats: ['cloudformation', 'terraform'],
    resourceTypes: ['AWS::SageMaker::Domain', 'aws_sagemaker_domain'],
    description:
      'A Studio domain without KmsKeyId (kms_key_id) encrypts the EFS volume that holds every user\'s home directory ' +
      'with an AWS-managed key. An empty value or an AWS-managed alias (alias/aws/...) is the same.',
    references: ['Checkov CKV_AWS_187', 'NIST SP 800-53 SC-28'],
  },
  check(unit, ctx) {
    for (const f of checkProperty(unit, {
      types: ['AWS::SageMaker::Domain', 'aws_sagemaker_domain'],
      property: ['KmsKeyId', 'kms_key_id'],
      test: (o, u) => (notCustomerKey(u, o) ? 'fail' : 'pass'),
      message: (j, _r, u) => kmsMessage(u, j, 'Studio domain storage (EFS home directories)'),
    })) {
      ctx.report(f);
    }
  },
});
