# INSECURE example (do not apply): a SageMaker notebook, Studio domain and endpoint with the mistakes
# SageShield reports. No KMS keys, direct internet access, root access left at its default (Enabled), the
# default VPC, a public Studio domain, and an execution role with wildcard permissions.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

resource "aws_default_vpc" "default" {}

data "aws_vpc" "default" {
  default = true
}

data "aws_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default.id]
  }
}

resource "aws_sagemaker_notebook_instance" "notebook" {
  name                   = "${var.name}-notebook"
  instance_type          = "ml.t3.medium"
  role_arn               = aws_iam_role.sagemaker.arn
  direct_internet_access = "Enabled"
}

resource "aws_sagemaker_domain" "studio" {
  domain_name = "${var.name}-studio"
  auth_mode   = "IAM"
  vpc_id      = aws_default_vpc.default.id
  subnet_ids  = data.aws_subnets.default.ids

  default_user_settings {
    execution_role = aws_iam_role.sagemaker.arn
  }
}

resource "aws_sagemaker_model" "churn" {
  name               = "${var.name}-churn"
  execution_role_arn = aws_iam_role.sagemaker.arn

  primary_container {
    image          = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1.4.0"
    model_data_url = "s3://example-models/churn/model.tar.gz"
  }
}

resource "aws_sagemaker_endpoint_configuration" "churn" {
  name = "${var.name}-churn"

  production_variants {
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.churn.name
    initial_instance_count = 1
    instance_type          = "ml.m5.large"
  }
}
