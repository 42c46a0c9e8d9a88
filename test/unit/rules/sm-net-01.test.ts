import rule from '../../../server/src/rules/sm-net-01';
import { cfnJson, cfnYaml, check, tf } from '../../support/rule-tester';

const nb = (props: string, head = '') => `${head}
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
${props}`;

describe('SM-NET-01 notebook direct internet access', function () {
  this.timeout(20000); // parsing on a loaded shared machine
  describe('CloudFormation YAML', () => {
    it('fails when DirectInternetAccess is missing (AWS default Enabled)', () => {
      check(rule, cfnYaml(nb(''))).fails({ resource: 'Nb', text: 'Nb', message: /DirectInternetAccess is not set and defaults to 'Enabled'.*Set DirectInternetAccess to 'Disabled'/ });
    });
    it('fails on Enabled; passes on Disabled', () => {
      check(rule, cfnYaml(nb("      DirectInternetAccess: 'Enabled'"))).fails({ text: "'Enabled'" });
      check(rule, cfnYaml(nb('      DirectInternetAccess: Disabled'))).passes();
    });
    it('may fail on a parameter default Enabled; mixed AllowedValues may fail', () => {
      check(rule, cfnYaml(nb('      DirectInternetAccess: !Ref Dia', 'Parameters:\n  Dia:\n    Type: String\n    Default: Enabled'))).mayFail({
        text: '!Ref Dia',
        message: /parameter Dia defaults to 'Enabled'/,
      });
      check(rule, cfnYaml(nb('      DirectInternetAccess: !Ref Dia', 'Parameters:\n  Dia:\n    Type: String\n    Default: Disabled\n    AllowedValues: [Enabled, Disabled]'))).mayFail({
        message: /one of its AllowedValues/,
      });
    });
    it('a computed value may fail', () => {
      check(rule, cfnYaml(nb("      DirectInternetAccess: !ImportValue shared-dia"))).mayFail({ message: /cannot be resolved/ });
    });
  });

  describe('CloudFormation JSON', () => {
    const tpl = (props: object, params?: object) => ({
      ...(params ? { Parameters: params } : {}),
      Resources: { Nb: { Type: 'AWS::SageMaker::NotebookInstance', Properties: { InstanceType: 'ml.t3.medium', ...props } } },
    });
    it('fails when missing and on Enabled; passes on Disabled; may fail through a default', () => {
      check(rule, cfnJson(tpl({}))).fails({ resource: 'Nb', text: '"Nb"' });
      check(rule, cfnJson(tpl({ DirectInternetAccess: 'Enabled' }))).fails({ text: '"Enabled"' });
      check(rule, cfnJson(tpl({ DirectInternetAccess: 'Disabled' }))).passes();
      check(rule, cfnJson(tpl({ DirectInternetAccess: { Ref: 'Dia' } }, { Dia: { Type: 'String', Default: 'Enabled' } }))).mayFail({ message: /Dia defaults to 'Enabled'/ });
    });
    it('Fn::If with a condition over AllowedValues: both Disabled passes, one Enabled may fail', () => {
      const params = { Env: { Type: 'String', AllowedValues: ['dev', 'prod'] } };
      const withCond = (v: object) => ({ ...tpl({ DirectInternetAccess: v }, params), Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } } });
      check(rule, cfnJson(withCond({ 'Fn::If': ['IsProd', 'Disabled', 'Disabled'] }))).passes();
      check(rule, cfnJson(withCond({ 'Fn::If': ['IsProd', 'Disabled', 'Enabled'] }))).mayFail({ text: '"Enabled"', message: /Env = 'dev'.*condition IsProd is false/ });
    });
  });

  describe('Terraform', () => {
    const res = (body: string) => `resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "nb"
  instance_type = "ml.t3.medium"
${body}
}
`;
    it('fails when missing and on "Enabled"; passes on "Disabled"', async () => {
      check(rule, await tf(res(''))).fails({ resource: 'aws_sagemaker_notebook_instance.nb', message: /direct_internet_access is not set/ });
      check(rule, await tf(res('  direct_internet_access = "Enabled"'))).fails({ text: '"Enabled"' });
      check(rule, await tf(res('  direct_internet_access = "Disabled"'))).passes();
    });
    it('may fail on a variable default; an auto.tfvars decides', async () => {
      const v = 'variable "dia" {\n  default = "Enabled"\n}\n';
      check(rule, await tf(v + res('  direct_internet_access = var.dia'))).mayFail({ message: /var.dia defaults to 'Enabled'/ });
      check(rule, await tf({ 'main.tf': v + res('  direct_internet_access = var.dia'), 'prod.auto.tfvars': 'dia = "Disabled"\n' })).passes();
    });
    it('a module output may fail', async () => {
      check(rule, await tf(res('  direct_internet_access = module.net.dia'))).mayFail({ message: /module/ });
    });
  });
});
