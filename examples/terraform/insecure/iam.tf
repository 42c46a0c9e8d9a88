data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "sagemaker" {
  name               = "${var.name}-sagemaker"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

# Everything, everywhere.
resource "aws_iam_role_policy" "admin" {
  name = "admin"
  role = aws_iam_role.sagemaker.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "*"
        Resource = "*"
      },
    ]
  })
}

resource "aws_iam_role_policy" "data" {
  name = "data"
  role = aws_iam_role.sagemaker.id
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        { "Effect": "Allow", "Action": "s3:*", "Resource": "*" },
        { "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*" }
      ]
    }
  POLICY
}
