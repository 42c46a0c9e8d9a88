/** SM-NET-03: a Studio domain must send app traffic through the VPC only. */
import { checkProperty, enumMessage, mustEqual } from '../model/query';
import { defineRule } from './types';

export default defineRule({
  meta: {
    id: 'SM-NET-03',
    title: 'Studio domain apps have public internet access',
    severity: 'high',
    category: 'network',
    formats: ['cloudformation', 'terraform'],
    resourceTypes: ['AWS::SageMaker::Domain', 'aws_sagemaker_domain'],
    description:
      'AppNetworkAccessType (app_network_access_type) defaults to PublicInternetOnly: Studio apps reach the internet ' +
      'through a SageMaker-managed network, bypassing your VPC\'s security groups, endpoints and flow logs. ' +
      'It must be VpcOnly.',
    references: ['AWS Config sagemaker-domain-in-vpc', 'NIST SP 800-53 AC-4, SC-7'],
  },
  check(unit, ctx) {
    for (const f of checkProperty(unit, {
      types: ['AWS::SageMaker::Domain', 'aws_sagemaker_domain'],
      property: ['AppNetworkAccessType', 'app_network_access_type'],
      test: mustEqual('VpcOnly'),
      message: (j) =>
        enumMessage(j, {
          fail: 'Studio domain apps have public internet access',
          may: 'Studio domain apps may have public internet access',
          wanted: 'VpcOnly',
          awsDefault: 'PublicInternetOnly',
          risk: 'Studio apps reach the internet outside your VPC',
        }),
    })) {
      ctx.report(f);
    }
  },
});
