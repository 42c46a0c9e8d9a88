/** SM-KMS-01: a SageMaker notebook instance's ML storage volume must be encrypted with a customer-managed KMS key. */
import { checkProperty, kmsMessage, notCustomerKey } from '../model/query';
import { defineRule } from './types';

export default defineRule({
  meta: {
    id: 'SM-KMS-01',
    title: 'Notebook instance storage is not encrypted with a customer-managed KMS key',
    severity: 'high',
    category: 'encryption',
    formats: ['cloudformation', 'terraform'],
    resourceTypes: ['AWS::SageMaker::NotebookInstance', 'aws_sagemaker_notebook_instance'],
    description:
      'A notebook instance without KmsKeyId (kms_key_id) encrypts its ML storage volume with an AWS-managed key: ' +
      'you cannot control its key policy, rotation or revocation. An empty value or an AWS-managed alias (alias/aws/...) is the same.',
    references: [
      'AWS Config sagemaker-notebook-instance-kms-key-configured',
      'Checkov CKV_AWS_22',
      'cfn_nag W1201',
      'KICS 709e6da6, f3674e0c',
      'NIST SP 800-53 SC-28',
    ],
  },
  check(unit, ctx) {
    for (const f of checkProperty(unit, {
      types: ['AWS::SageMaker::NotebookInstance', 'aws_sagemaker_notebook_instance'],
      property: ['KmsKeyId', 'kms_key_id'],
      test: (o, u) => (notCustomerKey(u, o) ? 'fail' : 'pass'),
      message: (j, _r, u) => kmsMessage(u, j, 'Notebook instance storage'),
    })) {
      ctx.report(f);
    }
  },
});
