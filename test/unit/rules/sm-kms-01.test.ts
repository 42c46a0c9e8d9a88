import rule from '../../../server/src/rules/sm-kms-01';
import { cfnJson, cfnYaml, check, tf } from '../../support/rule-tester';

const nb = (props: string, head = '') => `${head}
Resources:
  Key:
    Type: AWS::KMS::Key
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
${props}`;

describe('SM-KMS-01 notebook instance KMS key', function () {
  this.timeout(20000); // parsing on a loaded shared machine
  describe('CloudFormation YAML', () => {
    it('fails when KmsKeyId is missing, on the logical ID, with quick-fix data', () => {
      check(rule, cfnYaml(nb(''))).fails({
        resource: 'Nb',
        text: 'Nb',
        message: /KmsKeyId is not set, so an AWS-managed key is used\. Set KmsKeyId to a customer-managed KMS key/,
        data: { property: 'KmsKeyId', missing: true },
      });
    });
    it("fails on '' and on an AWS-managed alias, also inside Fn::Sub", () => {
      check(rule, cfnYaml(nb("      KmsKeyId: ''"))).fails({ text: "''", message: /is empty/ });
      check(rule, cfnYaml(nb('      KmsKeyId: alias/aws/sagemaker'))).fails({ text: 'alias/aws/sagemaker', message: /AWS-managed key/ });
      check(rule, cfnYaml(nb('      KmsKeyId: !Sub arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/sagemaker'))).fails({ message: /AWS-managed/ });
    });
    it('passes on a key resource, a customer alias, a key ARN', () => {
      check(rule, cfnYaml(nb('      KmsKeyId: !GetAtt Key.Arn'))).passes();
      check(rule, cfnYaml(nb('      KmsKeyId: !Ref Key'))).passes();
      check(rule, cfnYaml(nb('      KmsKeyId: alias/ml-notebooks'))).passes();
      check(rule, cfnYaml(nb('      KmsKeyId: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'))).passes();
    });
    it("may fail when a parameter defaults to ''; a required parameter passes (a key must be given)", () => {
      check(rule, cfnYaml(nb('      KmsKeyId: !Ref KmsKey', "Parameters:\n  KmsKey:\n    Type: String\n    Default: ''"))).mayFail({
        text: '!Ref KmsKey',
        message: /may not be encrypted.*parameter KmsKey defaults to ''/,
      });
      check(rule, cfnYaml(nb('      KmsKeyId: !Ref KmsKey', 'Parameters:\n  KmsKey:\n    Type: String'))).passes();
    });
    it('the optional-key pattern: Fn::If HasKey / AWS::NoValue follows the parameter default', () => {
      const head = (d: string) => `Parameters:
  KmsKey:
    Type: String
    Default: '${d}'
Conditions:
  HasKey: !Not [!Equals [!Ref KmsKey, '']]`;
      const p = '      KmsKeyId: !If [HasKey, !Ref KmsKey, !Ref AWS::NoValue]';
      check(rule, cfnYaml(nb(p, head('')))).mayFail({ text: '!Ref AWS::NoValue', message: /defaults to ''; condition HasKey is false/ });
      check(rule, cfnYaml(nb(p, head('alias/ml')))).passes();
    });
  });

  describe('CloudFormation JSON', () => {
    const tpl = (props: object, params?: object) => ({
      ...(params ? { Parameters: params } : {}),
      Resources: {
        Key: { Type: 'AWS::KMS::Key' },
        Nb: { Type: 'AWS::SageMaker::NotebookInstance', Properties: { InstanceType: 'ml.t3.medium', ...props } },
      },
    });
    it('fails when missing and on an AWS-managed alias; passes on Fn::GetAtt; may fail through a default', () => {
      check(rule, cfnJson(tpl({}))).fails({ resource: 'Nb', text: '"Nb"' });
      check(rule, cfnJson(tpl({ KmsKeyId: 'alias/aws/sagemaker' }))).fails({ text: '"alias/aws/sagemaker"' });
      check(rule, cfnJson(tpl({ KmsKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } }))).passes();
      check(rule, cfnJson(tpl({ KmsKeyId: { Ref: 'K' } }, { K: { Type: 'String', Default: 'alias/aws/sagemaker' } }))).mayFail({
        message: /parameter K defaults to 'alias\/aws\/sagemaker'/,
      });
    });
  });

  describe('Terraform', () => {
    const res = (body: string) => `resource "aws_kms_key" "k" {}
resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "nb"
  instance_type = "ml.t3.medium"
${body}
}
`;
    it('fails when missing and on an AWS-managed alias; passes on aws_kms_key.k.arn', async () => {
      check(rule, await tf(res(''))).fails({ resource: 'aws_sagemaker_notebook_instance.nb', message: /kms_key_id is not set.*aws_kms_key\.this\.arn/ });
      check(rule, await tf(res('  kms_key_id = "alias/aws/sagemaker"'))).fails({ text: '"alias/aws/sagemaker"' });
      check(rule, await tf(res('  kms_key_id = aws_kms_key.k.arn'))).passes();
    });
    it('fails on a data.aws_kms_alias that looks up an AWS-managed alias', async () => {
      const ds = 'data "aws_kms_alias" "sm" {\n  name = "alias/aws/sagemaker"\n}\n';
      check(rule, await tf(ds + res('  kms_key_id = data.aws_kms_alias.sm.target_key_arn'))).fails({ message: /looks up 'alias\/aws\/sagemaker'/ });
      const mine = 'data "aws_kms_alias" "sm" {\n  name = "alias/mine"\n}\n';
      check(rule, await tf(mine + res('  kms_key_id = data.aws_kms_alias.sm.target_key_arn'))).passes();
    });
    it('variable default "" may fail; tfvars "" fails; tfvars key passes', async () => {
      const v = 'variable "kms" {\n  type    = string\n  default = ""\n}\n';
      check(rule, await tf(v + res('  kms_key_id = var.kms'))).mayFail({ text: 'var.kms', message: /var.kms defaults to ''/ });
      check(rule, await tf({ 'main.tf': v + res('  kms_key_id = var.kms'), 'terraform.tfvars': 'kms = ""\n' })).fails({ message: /terraform.tfvars sets kms/ });
      check(rule, await tf({ 'main.tf': v + res('  kms_key_id = var.kms'), 'terraform.tfvars': 'kms = "alias/ml"\n' })).passes();
    });
    it('attribute access into a variable or local object resolves', async () => {
      const v = 'variable "cfg" {\n  default = {\n    kms = ""\n  }\n}\n';
      check(rule, await tf(v + res('  kms_key_id = var.cfg.kms'))).mayFail({ message: /var.cfg defaults to/ });
      const l = 'locals {\n  cfg = {\n    kms = "alias/aws/sagemaker"\n  }\n}\n';
      check(rule, await tf(l + res('  kms_key_id = local.cfg.kms'))).fails({ text: 'local.cfg.kms' });
    });
    it('JSON Fn::Sub naming an AWS-managed alias fails', () => {
      const t = { Resources: { Nb: { Type: 'AWS::SageMaker::NotebookInstance', Properties: { KmsKeyId: { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/sagemaker' } } } } };
      check(rule, cfnJson(t)).fails({ resource: 'Nb', message: /AWS-managed key/ });
    });
    it('a conditional with a null branch may fail', async () => {
      check(rule, await tf(res('  kms_key_id = var.encrypt ? aws_kms_key.k.arn : null'))).mayFail({ message: /when var.encrypt is false/ });
    });
  });
});
