import rule from '../../../server/src/rules/sm-kms-03';
import { cfnJson, cfnYaml, check, tf } from '../../support/rule-tester';

const ec = (props: string, instance = 'ml.m5.large', head = '') => `${head}
Resources:
  Cfg:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - ModelName: m
          VariantName: v
          InitialInstanceCount: 1
          InstanceType: ${instance}
${props}`;

describe('SM-KMS-03 endpoint configuration KMS key', function () {
  this.timeout(20000); // parsing on a loaded shared machine
  describe('CloudFormation YAML', () => {
    it('fails when KmsKeyId is missing; passes on a key', () => {
      check(rule, cfnYaml(ec(''))).fails({ resource: 'Cfg', text: 'Cfg', message: /Endpoint storage.*KmsKeyId is not set/, data: { property: 'KmsKeyId', missing: true } });
      check(rule, cfnYaml(ec('      KmsKeyId: !GetAtt Key.Arn'))).passes();
    });
    it('does not report when every variant uses local NVMe storage (AWS rejects a key there)', () => {
      check(rule, cfnYaml(ec('', 'ml.g4dn.xlarge'))).passes();
      check(rule, cfnYaml(ec('', 'ml.m5d.large'))).passes();
    });
    it('may fail through a parameter default', () => {
      check(rule, cfnYaml(ec('      KmsKeyId: !Ref K', 'ml.m5.large', "Parameters:\n  K:\n    Type: String\n    Default: ''"))).mayFail({ message: /K defaults to ''/ });
    });
  });

  describe('CloudFormation JSON', () => {
    const tpl = (props: object, params?: object) => ({
      ...(params ? { Parameters: params } : {}),
      Resources: {
        Cfg: {
          Type: 'AWS::SageMaker::EndpointConfig',
          Properties: { ProductionVariants: [{ ModelName: 'm', VariantName: 'v', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }], ...props },
        },
      },
    });
    it('fails when missing and on an AWS-managed alias; passes on a key ARN; may fail through a default', () => {
      check(rule, cfnJson(tpl({}))).fails({ resource: 'Cfg', text: '"Cfg"' });
      check(rule, cfnJson(tpl({ KmsKeyId: 'alias/aws/sagemaker' }))).fails({ text: '"alias/aws/sagemaker"' });
      check(rule, cfnJson(tpl({ KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abcd' }))).passes();
      check(rule, cfnJson(tpl({ KmsKeyId: { Ref: 'K' } }, { K: { Type: 'String', Default: 'alias/aws/sagemaker' } }))).mayFail({ message: /AWS-managed/ });
    });
  });

  describe('Terraform', () => {
    const res = (body: string, instance = 'ml.m5.large') => `resource "aws_sagemaker_endpoint_configuration" "ec" {
  name = "ec"
  production_variants {
    variant_name           = "v"
    model_name             = "m"
    initial_instance_count = 1
    instance_type          = "${instance}"
  }
${body}
}
`;
    it('fails when kms_key_arn is missing (not kms_key_id); passes on a key', async () => {
      check(rule, await tf(res(''))).fails({ resource: 'aws_sagemaker_endpoint_configuration.ec', message: /kms_key_arn is not set/, data: { property: 'kms_key_arn' } });
      check(rule, await tf(res('  kms_key_arn = aws_kms_key.k.arn'))).passes();
    });
    it('skips local-storage instance types; may fail on a variable default', async () => {
      check(rule, await tf(res('', 'ml.g4dn.xlarge'))).passes();
      check(rule, await tf('variable "k" {\n  default = null\n}\n' + res('  kms_key_arn = var.k'))).mayFail({ message: /var.k defaults to null/ });
    });
  });
});
