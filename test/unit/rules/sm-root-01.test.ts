import rule from '../../../server/src/rules/sm-root-01';
import { cfnJson, cfnYaml, check, tf } from '../../support/rule-tester';

const nb = (props: string, head = '') => `${head}
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
${props}`;

describe('SM-ROOT-01 notebook root access', function () {
  this.timeout(20000); // parsing on a loaded shared machine
  describe('CloudFormation YAML', () => {
    it('fails when RootAccess is missing (AWS default Enabled), on the logical ID', () => {
      check(rule, cfnYaml(nb(''))).fails({ resource: 'Nb', text: 'Nb', message: /RootAccess is not set and defaults to 'Enabled'/, data: { property: 'RootAccess', missing: true } });
    });
    it('fails on a resource without Properties, and on a half-typed empty value', () => {
      check(rule, cfnYaml('Resources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n')).fails({ resource: 'Nb', text: 'Nb', data: { missing: true } });
      check(rule, cfnYaml(nb('      RootAccess:'))).fails({ resource: 'Nb', message: /resolves to no value/ });
    });
    it('fails on Enabled, underlining the value', () => {
      check(rule, cfnYaml(nb('      RootAccess: Enabled'))).fails({ resource: 'Nb', text: 'Enabled', data: { value: 'Enabled', missing: false } });
    });
    it('passes on Disabled', () => {
      check(rule, cfnYaml(nb('      RootAccess: Disabled'))).passes();
    });
    it('may fail when a parameter defaults to Enabled, and says so', () => {
      const head = 'Parameters:\n  Root:\n    Type: String\n    Default: Enabled';
      check(rule, cfnYaml(nb('      RootAccess: !Ref Root', head))).mayFail({ resource: 'Nb', text: '!Ref Root', message: /parameter Root defaults to 'Enabled'/ });
    });
    it('passes when the parameter defaults to Disabled; fails when every AllowedValue is Enabled', () => {
      check(rule, cfnYaml(nb('      RootAccess: !Ref Root', 'Parameters:\n  Root:\n    Type: String\n    Default: Disabled'))).passes();
      check(rule, cfnYaml(nb('      RootAccess: !Ref Root', 'Parameters:\n  Root:\n    Type: String\n    AllowedValues: [Enabled]'))).fails({ resource: 'Nb' });
    });
    it('may fail on a required parameter (never a clean pass)', () => {
      check(rule, cfnYaml(nb('      RootAccess: !Ref Root', 'Parameters:\n  Root:\n    Type: String'))).mayFail({ message: /Root has no default/ });
    });
    it('Fn::If on a condition decided by AllowedValues: mixed -> may fail; NoValue branch counts as missing', () => {
      const head = `Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
Conditions:
  IsProd: !Equals [!Ref Env, prod]`;
      check(rule, cfnYaml(nb('      RootAccess: !If [IsProd, Disabled, !Ref AWS::NoValue]', head))).mayFail({ resource: 'Nb', message: /unset/ });
      check(rule, cfnYaml(nb('      RootAccess: !If [IsProd, Disabled, Disabled]', head))).passes();
    });
  });

  describe('CloudFormation JSON', () => {
    const tpl = (props: object, params?: object) => ({
      ...(params ? { Parameters: params } : {}),
      Resources: { Nb: { Type: 'AWS::SageMaker::NotebookInstance', Properties: { InstanceType: 'ml.t3.medium', ...props } } },
    });
    it('fails when missing and on Enabled; passes on Disabled', () => {
      check(rule, cfnJson(tpl({}))).fails({ resource: 'Nb', text: '"Nb"' });
      check(rule, cfnJson(tpl({ RootAccess: 'Enabled' }))).fails({ text: '"Enabled"' });
      check(rule, cfnJson(tpl({ RootAccess: 'Disabled' }))).passes();
    });
    it('may fail through a parameter default', () => {
      check(rule, cfnJson(tpl({ RootAccess: { Ref: 'Root' } }, { Root: { Type: 'String', Default: 'Enabled' } }))).mayFail({
        message: /parameter Root defaults to 'Enabled'/,
      });
    });
  });

  describe('Terraform', () => {
    const res = (body: string) => `resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "nb"
  role_arn      = "arn:aws:iam::123456789012:role/x"
  instance_type = "ml.t3.medium"
${body}
}
`;
    it('fails when root_access is missing, on the block labels', async () => {
      const f = check(rule, await tf(res(''))).fails({ resource: 'aws_sagemaker_notebook_instance.nb', message: /root_access is not set/ });
      void f;
    });
    it('fails on "Enabled", passes on "Disabled"', async () => {
      check(rule, await tf(res('  root_access = "Enabled"'))).fails({ text: '"Enabled"' });
      check(rule, await tf(res('  root_access = "Disabled"'))).passes();
    });
    it('variable default Enabled -> may fail; tfvars decides', async () => {
      const v = 'variable "root" {\n  default = "Enabled"\n}\n';
      check(rule, await tf(v + res('  root_access = var.root'))).mayFail({ text: 'var.root', message: /var.root defaults to 'Enabled'/ });
      check(rule, await tf({ 'main.tf': v + res('  root_access = var.root'), 'terraform.tfvars': 'root = "Disabled"\n' })).passes();
      check(rule, await tf({ 'main.tf': v + res('  root_access = var.root'), 'terraform.tfvars': 'root = "Enabled"\n' })).fails({ message: /terraform.tfvars sets root/ });
    });
    it('null default counts as missing (may fail: it can be overridden); locals resolve', async () => {
      check(rule, await tf('variable "root" {\n  default = null\n}\n' + res('  root_access = var.root'))).mayFail({ message: /unset/ });
      check(rule, await tf('locals {\n  root = "Disabled"\n}\n' + res('  root_access = local.root'))).passes();
      check(rule, await tf('locals {\n  root = "Enabled"\n}\n' + res('  root_access = local.root'))).fails({});
    });
    it('conditional with one Enabled branch may fail; required variable may fail', async () => {
      check(rule, await tf(res('  root_access = var.dev ? "Enabled" : "Disabled"'))).mayFail({ message: /when var.dev is true/ });
      check(rule, await tf('variable "root" {}\n' + res('  root_access = var.root'))).mayFail({ message: /var.root has no default/ });
    });
  });
});
