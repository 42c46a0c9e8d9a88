/** SM-KMS-03: an endpoint configuration's ML storage volumes must be encrypted with a customer-managed KMS key. */
import { checkProperty, kmsMessage, notCustomerKey } from '../model/query';
import type { Resource, Unit } from '../model/types';
import { definiteString, getAll, getProperty } from '../model/values';
import { defineRule } from './types';

/**
 * Instance families with local NVMe instance storage (`ml.m5d`, `ml.c5d`, `ml.r5d`, `ml.g4dn`, `ml.p4d`...): their
 * storage is hardware-encrypted and CreateEndpointConfig rejects a KmsKeyId when any variant uses one.
 */
const LOCAL_STORAGE = /^ml\.[a-z]+\d+[a-z]*d[ne]?\./;

/** True when every production variant definitely runs on an instance type with local storage. */
function onlyLocalStorage(r: Resource, unit: Unit): boolean {
  const cfn = unit.format === 'cloudformation';
  const variants = getAll(r.properties, cfn ? 'ProductionVariants' : 'production_variants');
  const maps = variants.flatMap((v) => (v.kind === 'list' ? v.items : [v])).filter((v) => v.kind === 'map');
  if (maps.length === 0) return false;
  return maps.every((m) => {
    const t = definiteString(unit, getProperty(m.kind === 'map' ? m : undefined, cfn ? 'InstanceType' : 'instance_type'));
    return t !== undefined && LOCAL_STORAGE.test(t);
  });
}

export default defineRule({
  meta: {
    id: 'SM-KMS-03',
    title: 'Endpoint configuration storage is not encrypted with a customer-managed KMS key',
    severity: 'high',
    category: 'encryption',
    formats: ['cloudformation', 'terraform'],
    resourceTypes: ['AWS::SageMaker::EndpointConfig', 'aws_sagemaker_endpoint_configuration'],
    description:
      'An endpoint configuration without KmsKeyId (kms_key_arn) encrypts the ML storage volumes of the hosting ' +
      'instances with an AWS-managed key. An empty value or an AWS-managed alias (alias/aws/...) is the same. ' +
      'Not reported when every production variant uses an instance type with local NVMe storage (ml.m5d, ml.g4dn...), ' +
      'which AWS encrypts in hardware and for which it rejects a KmsKeyId.',
    references: [
      'AWS Config sagemaker-endpoint-configuration-kms-key-configured',
      'Checkov CKV_AWS_98',
      'cfn_nag W1200',
      'KICS 44034eda, 58b35504',
      'NIST SP 800-53 SC-28',
    ],
  },
  check(unit, ctx) {
    for (const f of checkProperty(unit, {
      types: ['AWS::SageMaker::EndpointConfig', 'aws_sagemaker_endpoint_configuration'],
      property: ['KmsKeyId', 'kms_key_arn'],
      test: (o, u) => (notCustomerKey(u, o) ? 'fail' : 'pass'),
      skip: onlyLocalStorage,
      message: (j, _r, u) => kmsMessage(u, j, 'Endpoint storage'),
    })) {
      ctx.report(f);
    }
  },
});
