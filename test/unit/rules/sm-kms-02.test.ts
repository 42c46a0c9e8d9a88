import rule from '../../../server/src/rules/sm-kms-02';
import { cfnJson, cfnYaml, check, tf } from '../../support/rule-tester';

const dom = (props: string, head = '') => `${head}
Resources:
  Key:
    Type: AWS::KMS::Key
  Studio:
    Type: AWS::SageMaker::Domain
    Properties:
      DomainName: d
${props}`;

describe('SM-KMS-02 Studio domain KMS key', function () {
  this.timeout(20000); // parsing on a loaded shared machine
  describe('CloudFormation YAML', () => {
    it('fails when KmsKeyId is missing; fails on an AWS-managed alias ARN', () => {
      check(rule, cfnYaml(dom(''))).fails({ resource: 'Studio', text: 'Studio', message: /Studio domain storage.*KmsKeyId is not set/ });
      check(rule, cfnYaml(dom('      KmsKeyId: arn:aws:kms:us-east-1:123456789012:alias/aws/sagemaker'))).fails({ message: /AWS-managed key/ });
    });
    it('passes on a key; may fail on a failing parameter default', () => {
      check(rule, cfnYaml(dom('      KmsKeyId: !GetAtt Key.KeyId'))).passes();
      check(rule, cfnYaml(dom('      KmsKeyId: !Ref K', "Parameters:\n  K:\n    Type: String\n    Default: ''"))).mayFail({ text: '!Ref K', message: /K defaults to ''/ });
    });
    it('an SSM-parameter key is resolved at deploy time and passes', () => {
      check(rule, cfnYaml(dom('      KmsKeyId: !Ref K', 'Parameters:\n  K:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /ml/kms'))).passes();
    });
  });

  describe('CloudFormation JSON', () => {
    const tpl = (props: object, params?: object) => ({
      ...(params ? { Parameters: params } : {}),
      Resources: { Key: { Type: 'AWS::KMS::Key' }, Studio: { Type: 'AWS::SageMaker::Domain', Properties: { DomainName: 'd', ...props } } },
    });
    it('fails when missing and on ""; passes on Ref Key; may fail through a default', () => {
      check(rule, cfnJson(tpl({}))).fails({ resource: 'Studio', text: '"Studio"' });
      check(rule, cfnJson(tpl({ KmsKeyId: '' }))).fails({ text: '""', message: /is empty/ });
      check(rule, cfnJson(tpl({ KmsKeyId: { Ref: 'Key' } }))).passes();
      check(rule, cfnJson(tpl({ KmsKeyId: { Ref: 'K' } }, { K: { Type: 'String', Default: '' } }))).mayFail({ message: /K defaults to ''/ });
    });
  });

  describe('Terraform', () => {
    const res = (body: string) => `resource "aws_sagemaker_domain" "d" {
  domain_name = "d"
${body}
}
`;
    it('fails when missing; passes on a key; may fail on a variable default', async () => {
      check(rule, await tf(res(''))).fails({ resource: 'aws_sagemaker_domain.d', message: /kms_key_id is not set/ });
      check(rule, await tf(res('  kms_key_id = aws_kms_key.k.arn'))).passes();
      check(rule, await tf('variable "k" {\n  default = "alias/aws/sagemaker"\n}\n' + res('  kms_key_id = var.k'))).mayFail({ message: /var.k defaults to 'alias\/aws\/sagemaker'/ });
    });
    it('locals resolve (local pointing at an AWS-managed alias fails)', async () => {
      check(rule, await tf('locals {\n  k = "alias/aws/sagemaker"\n}\n' + res('  kms_key_id = local.k'))).fails({ text: 'local.k' });
    });
  });
});
