/** SM-NET-01: a notebook instance must not have direct internet access. */
import { checkProperty, enumMessage, mustEqual } from '../model/query';
import { defineRule } from './types';

export default defineRule({
  meta: {
    id: 'SM-NET-01',
    title: 'Notebook instance has direct internet access',
    severity: 'high',
    category: 'network',
    formats: ['cloudformation', 'terraform'],
    resourceTypes: ['AWS::SageMaker::NotebookInstance', 'aws_sagemaker_notebook_instance'],
    description:
      'DirectInternetAccess (direct_internet_access) defaults to Enabled: SageMaker gives the notebook a route to the ' +
      'internet outside your VPC, so data can leave and code can be pulled without passing your network controls. ' +
      'It must be Disabled (the notebook then needs a SubnetId and reaches the internet, if at all, through your VPC).',
    references: ['AWS Security Hub SageMaker.1', 'Checkov CKV_AWS_122', 'KICS 88d55d94', 'NIST SP 800-53 AC-4, SC-7'],
  },
  check(unit, ctx) {
    for (const f of checkProperty(unit, {
      types: ['AWS::SageMaker::NotebookInstance', 'aws_sagemaker_notebook_instance'],
      property: ['DirectInternetAccess', 'direct_internet_access'],
      test: mustEqual('Disabled'),
      message: (j) =>
        enumMessage(j, {
          fail: 'Notebook instance has direct internet access',
          may: 'Notebook instance may have direct internet access',
          wanted: 'Disabled',
          awsDefault: 'Enabled',
          risk: 'SageMaker routes it to the internet outside your VPC',
        }),
    })) {
      ctx.report(f);
    }
  },
});
