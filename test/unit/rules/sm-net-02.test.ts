import rule from '../../../server/src/rules/sm-net-02';
import { cfnJson, cfnYaml, check, tf } from '../../support/rule-tester';

const nb = (props: string, head = '') => `${head}
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
${props}`;
const SG = '      SecurityGroupIds: [sg-0123456789abcdef0]';

describe('SM-NET-02 notebook subnet / default VPC', function () {
  this.timeout(20000); // parsing on a loaded shared machine
  describe('CloudFormation YAML', () => {
    it('fails when SubnetId is missing, and mentions missing SecurityGroupIds', () => {
      check(rule, cfnYaml(nb(''))).fails({
        resource: 'Nb',
        text: 'Nb',
        message: /SubnetId is not set.*SageMaker-managed network.*SecurityGroupIds is not set either/,
        data: { property: 'SubnetId', missing: true, securityGroupsMissing: true },
      });
    });
    it("fails on SubnetId ''", () => {
      check(rule, cfnYaml(nb(`      SubnetId: ''\n${SG}`))).fails({ text: "''", message: /is empty/ });
    });
    it('passes on a subnet resource or a required AWS::EC2::Subnet::Id parameter (the deployer picks it)', () => {
      check(rule, cfnYaml(nb(`      SubnetId: !Ref Private\n${SG}`, 'Parameters:\n  Private:\n    Type: AWS::EC2::Subnet::Id'))).passes();
      check(rule, cfnYaml(nb(`      SubnetId: !ImportValue net-private-a\n${SG}`))).passes();
      check(rule, cfnYaml(nb(`      SubnetId: subnet-0abc\n${SG}`))).passes();
    });
    it("may fail when the subnet parameter defaults to ''", () => {
      check(rule, cfnYaml(nb(`      SubnetId: !Ref Sub\n${SG}`, "Parameters:\n  Sub:\n    Type: String\n    Default: ''"))).mayFail({
        text: '!Ref Sub',
        message: /parameter Sub defaults to ''/,
      });
    });
    it('fails (on the name) when SubnetId is set but SecurityGroupIds is not', () => {
      check(rule, cfnYaml(nb('      SubnetId: subnet-0abc'))).fails({ resource: 'Nb', text: 'Nb', message: /default security group/, data: { property: 'SecurityGroupIds', missing: true } });
    });
  });

  describe('CloudFormation JSON', () => {
    const tpl = (props: object, params?: object) => ({
      ...(params ? { Parameters: params } : {}),
      Resources: { Nb: { Type: 'AWS::SageMaker::NotebookInstance', Properties: { InstanceType: 'ml.t3.medium', ...props } } },
    });
    it('fails when missing; passes with subnet and groups; may fail through a default', () => {
      check(rule, cfnJson(tpl({}))).fails({ resource: 'Nb', text: '"Nb"' });
      check(rule, cfnJson(tpl({ SubnetId: 'subnet-1', SecurityGroupIds: ['sg-1'] }))).passes();
      check(rule, cfnJson(tpl({ SubnetId: { Ref: 'S' }, SecurityGroupIds: ['sg-1'] }, { S: { Type: 'String', Default: '' } }))).mayFail({ message: /S defaults to ''/ });
    });
  });

  describe('Terraform', () => {
    const res = (subnet: string, sg = '  security_groups = [aws_security_group.nb.id]') => `resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "nb"
  instance_type = "ml.t3.medium"
${subnet}
${sg}
}
`;
    const A = 'aws_sagemaker_notebook_instance.nb';
    it('fails when subnet_id is missing', async () => {
      check(rule, await tf(res('', ''))).fails({ resource: A, message: /subnet_id is not set.*security_groups is not set either/ });
    });
    it('passes on a subnet of a VPC of its own', async () => {
      const main = 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\nresource "aws_subnet" "p" {\n  vpc_id = aws_vpc.main.id\n}\n';
      check(rule, await tf(main + res('  subnet_id = aws_subnet.p.id'))).passes();
      const byVar = 'variable "vpc_id" {}\ndata "aws_subnets" "p" {\n  filter {\n    name   = "vpc-id"\n    values = [var.vpc_id]\n  }\n}\n';
      check(rule, await tf(byVar + res('  subnet_id = data.aws_subnets.p.ids[0]'))).passes();
    });
    it('default VPC shape 1: aws_default_subnet', async () => {
      check(rule, await tf(res('  subnet_id = aws_default_subnet.a.id'))).fails({ text: 'aws_default_subnet.a.id', message: /default VPC: aws_default_subnet.a is a subnet of the default VPC/ });
    });
    it('default VPC shape 2: an aws_subnet in aws_default_vpc', async () => {
      const src = 'resource "aws_default_vpc" "d" {}\nresource "aws_subnet" "s" {\n  vpc_id = aws_default_vpc.d.id\n}\n';
      check(rule, await tf(src + res('  subnet_id = aws_subnet.s.id'))).fails({ message: /aws_subnet.s is in the default VPC \(aws_default_vpc.d is the default VPC\)/ });
    });
    it('default VPC shape 3: data aws_subnet with default_for_az = true', async () => {
      const src = 'data "aws_subnet" "az" {\n  availability_zone = "eu-west-1a"\n  default_for_az    = true\n}\n';
      check(rule, await tf(src + res('  subnet_id = data.aws_subnet.az.id'))).fails({ message: /default_for_az/ });
    });
    it('default VPC shape 4: data aws_subnets filtered on data aws_vpc { default = true }', async () => {
      const src = `data "aws_vpc" "default" {
  default = true
}
data "aws_subnets" "all" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default.id]
  }
}
`;
      check(rule, await tf(src + res('  subnet_id = tolist(data.aws_subnets.all.ids)[0]'))).fails({ message: /data.aws_vpc.default looks up the default VPC/ });
    });
    it('default VPC shape 5: data aws_subnet_ids on the default VPC through a local, in another file', async () => {
      const net = `data "aws_vpc" "default" {
  default = true
}
locals {
  vpc = data.aws_vpc.default.id
}
data "aws_subnet_ids" "all" {
  vpc_id = local.vpc
}
`;
      check(rule, await tf({ 'network.tf': net, 'main.tf': res('  subnet_id = element(tolist(data.aws_subnet_ids.all.ids), 0)') })).fails({ resource: A });
    });
    it('default VPC shape 6: data aws_subnet filtered on default-for-az; shape 7: subnet_id through a local', async () => {
      const src = 'data "aws_subnet" "d" {\n  filter {\n    name   = "default-for-az"\n    values = ["true"]\n  }\n}\n';
      check(rule, await tf(src + res('  subnet_id = data.aws_subnet.d.id'))).fails({ message: /default-for-az/ });
      check(rule, await tf('locals {\n  subnet = aws_default_subnet.a.id\n}\n' + res('  subnet_id = local.subnet'))).fails({ text: 'local.subnet' });
    });
    it('default VPC chosen by a variable default: may fail', async () => {
      const src = `variable "use_default_vpc" {
  default = true
}
data "aws_vpc" "v" {
  default = var.use_default_vpc
}
data "aws_subnets" "s" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.v.id]
  }
}
`;
      check(rule, await tf(src + res('  subnet_id = data.aws_subnets.s.ids[0]'))).mayFail({ message: /possibly in the default VPC/ });
    });
    it('a conditional between a private and a default subnet may fail', async () => {
      check(rule, await tf(res('  subnet_id = var.dev ? aws_default_subnet.a.id : aws_subnet.p.id'))).mayFail({ message: /when var.dev is true/ });
    });
    it('fails on the name when subnet_id is set but security_groups is not', async () => {
      check(rule, await tf(res('  subnet_id = aws_subnet.p.id', ''))).fails({ resource: A, message: /no security_groups/, data: { property: 'security_groups', missing: true } });
    });
  });
});
