import rule from '../../../server/src/rules/sm-net-03';
import { cfnJson, cfnYaml, check, tf } from '../../support/rule-tester';

const dom = (props: string, head = '') => `${head}
Resources:
  Studio:
    Type: AWS::SageMaker::Domain
    Properties:
      DomainName: d
      AuthMode: IAM
${props}`;

describe('SM-NET-03 Studio domain network access', function () {
  this.timeout(20000); // parsing on a loaded shared machine
  describe('CloudFormation YAML', () => {
    it('fails when AppNetworkAccessType is missing (AWS default PublicInternetOnly)', () => {
      check(rule, cfnYaml(dom(''))).fails({ resource: 'Studio', text: 'Studio', message: /defaults to 'PublicInternetOnly'.*'VpcOnly'/ });
    });
    it('fails on PublicInternetOnly; passes on VpcOnly', () => {
      check(rule, cfnYaml(dom('      AppNetworkAccessType: PublicInternetOnly'))).fails({ text: 'PublicInternetOnly' });
      check(rule, cfnYaml(dom('      AppNetworkAccessType: VpcOnly'))).passes();
    });
    it('Fn::If over a condition decided by a default: passing default passes, failing default may fail', () => {
      const head = (d: string) => `Parameters:
  Env:
    Type: String
    Default: ${d}
Conditions:
  IsProd: !Equals [!Ref Env, prod]`;
      const p = '      AppNetworkAccessType: !If [IsProd, VpcOnly, PublicInternetOnly]';
      check(rule, cfnYaml(dom(p, head('prod')))).passes();
      check(rule, cfnYaml(dom(p, head('dev')))).mayFail({ message: /parameter Env defaults to 'dev'; condition IsProd is false/ });
    });
  });

  describe('CloudFormation JSON', () => {
    const tpl = (props: object, params?: object) => ({
      ...(params ? { Parameters: params } : {}),
      Resources: { Studio: { Type: 'AWS::SageMaker::Domain', Properties: { DomainName: 'd', ...props } } },
    });
    it('fails when missing; passes on VpcOnly; may fail on a required parameter', () => {
      check(rule, cfnJson(tpl({}))).fails({ resource: 'Studio', text: '"Studio"' });
      check(rule, cfnJson(tpl({ AppNetworkAccessType: 'VpcOnly' }))).passes();
      check(rule, cfnJson(tpl({ AppNetworkAccessType: { Ref: 'Access' } }, { Access: { Type: 'String' } }))).mayFail({ message: /Access has no default/ });
    });
  });

  describe('Terraform', () => {
    const res = (body: string) => `resource "aws_sagemaker_domain" "d" {
  domain_name = "d"
  auth_mode   = "IAM"
  vpc_id      = aws_vpc.main.id
${body}
}
`;
    it('fails when missing and on "PublicInternetOnly"; passes on "VpcOnly"', async () => {
      check(rule, await tf(res(''))).fails({ resource: 'aws_sagemaker_domain.d', message: /app_network_access_type is not set/ });
      check(rule, await tf(res('  app_network_access_type = "PublicInternetOnly"'))).fails({ text: '"PublicInternetOnly"' });
      check(rule, await tf(res('  app_network_access_type = "VpcOnly"'))).passes();
    });
    it('may fail on a variable default; a conditional with both branches VpcOnly passes', async () => {
      check(rule, await tf('variable "a" {\n  default = "PublicInternetOnly"\n}\n' + res('  app_network_access_type = var.a'))).mayFail({ text: 'var.a' });
      check(rule, await tf(res('  app_network_access_type = var.x ? "VpcOnly" : "VpcOnly"'))).passes();
    });
  });
});
