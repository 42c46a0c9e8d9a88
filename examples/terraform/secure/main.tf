# Secure example: a SageMaker notebook instance, a Studio domain and an endpoint in a private subnet,
# encrypted with a customer-managed KMS key, without direct internet access or root access, run by a
# least-privilege execution role.

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

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# --- Encryption --------------------------------------------------------------------------------------------
resource "aws_kms_key" "sagemaker" {
  description         = "Encrypts notebook, Studio and endpoint storage"
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DelegateToAccountIam"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
    ]
  })
}

# --- Network: a VPC with a private subnet and no internet gateway -------------------------------------------
resource "aws_vpc" "ml" {
  cidr_block           = "10.40.0.0/16"
  enable_dns_hostnames = true
  enable_dns_support   = true
}

resource "aws_subnet" "private" {
  vpc_id                  = aws_vpc.ml.id
  cidr_block              = "10.40.1.0/24"
  map_public_ip_on_launch = false
}

resource "aws_security_group" "sagemaker" {
  name        = "${var.name}-sagemaker"
  description = "SageMaker notebook, Studio and models: HTTPS inside the VPC only"
  vpc_id      = aws_vpc.ml.id

  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.ml.cidr_block]
  }
}

# --- SageMaker -------------------------------------------------------------------------------------------
resource "aws_sagemaker_notebook_instance" "notebook" {
  name                   = "${var.name}-notebook"
  instance_type          = "ml.t3.medium"
  role_arn               = aws_iam_role.sagemaker.arn
  kms_key_id             = aws_kms_key.sagemaker.arn
  subnet_id              = aws_subnet.private.id
  security_groups        = [aws_security_group.sagemaker.id]
  direct_internet_access = "Disabled"
  root_access            = "Disabled"

  instance_metadata_service_configuration {
    minimum_instance_metadata_service_version = "2"
  }
}

resource "aws_sagemaker_domain" "studio" {
  domain_name             = "${var.name}-studio"
  auth_mode               = "IAM"
  vpc_id                  = aws_vpc.ml.id
  subnet_ids              = [aws_subnet.private.id]
  app_network_access_type = "VpcOnly"
  kms_key_id              = aws_kms_key.sagemaker.arn

  default_user_settings {
    execution_role  = aws_iam_role.sagemaker.arn
    security_groups = [aws_security_group.sagemaker.id]

    sharing_settings {
      notebook_output_option = "Disabled"
    }
  }
}

resource "aws_sagemaker_model" "churn" {
  name                     = "${var.name}-churn"
  execution_role_arn       = aws_iam_role.sagemaker.arn
  enable_network_isolation = true

  primary_container {
    image          = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1.4.0"
    model_data_url = "s3://${aws_s3_bucket.data.bucket}/models/churn/model.tar.gz"
  }

  vpc_config {
    subnets            = [aws_subnet.private.id]
    security_group_ids = [aws_security_group.sagemaker.id]
  }
}

resource "aws_sagemaker_endpoint_configuration" "churn" {
  name        = "${var.name}-churn"
  kms_key_arn = aws_kms_key.sagemaker.arn

  production_variants {
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.churn.name
    initial_instance_count = 2
    instance_type          = "ml.m5.large"
  }

  data_capture_config {
    enable_capture              = true
    initial_sampling_percentage = 20
    destination_s3_uri          = "s3://${aws_s3_bucket.data.bucket}/capture"
    kms_key_id                  = aws_kms_key.sagemaker.arn

    capture_options {
      capture_mode = "Input"
    }
    capture_options {
      capture_mode = "Output"
    }
  }
}
