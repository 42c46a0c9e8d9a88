/** SM-ROOT-01: notebook users must not have root access. */
import { checkProperty, enumMessage, mustEqual } from '../model/query';
import { defineRule } from './types';

export default defineRule({
  meta: {
    id: 'SM-ROOT-01',
    title: 'Notebook instance gives users root access',
    severity: 'high',
    category: 'root-access',
    formats: ['cloudformation', 'terraform'],
    resourceTypes: ['AWS::SageMaker::NotebookInstance', 'aws_sagemaker_notebook_instance'],
    description:
      'RootAccess (root_access) defaults to Enabled: every notebook user can become root, change the instance, ' +
      'install anything and read the credentials of the execution role from any process. It must be Disabled ' +
      '(lifecycle configuration scripts still run as root).',
    references: ['AWS Security Hub SageMaker.3', 'Checkov CKV_AWS_307', 'NIST SP 800-53 AC-6'],
  },
  check(unit, ctx) {
    for (const f of checkProperty(unit, {
      types: ['AWS::SageMaker::NotebookInstance', 'aws_sagemaker_notebook_instance'],
      property: ['RootAccess', 'root_access'],
      test: mustEqual('Disabled'),
      message: (j) =>
        enumMessage(j, {
          fail: 'Notebook instance gives users root access',
          may: 'Notebook instance may give users root access',
          wanted: 'Disabled',
          awsDefault: 'Enabled',
          risk: 'every notebook user can become root',
        }),
    })) {
      ctx.report(f);
    }
  },
});
