/**
 * Which files SageShield serves, decided from the path and text alone (a few regular expressions, no parse).
 * Shared by the server (which documents to analyse) and the client (when to start the server at all: VS Code
 * has no content-based activation, so the client activates on YAML/JSON but starts the server only once a
 * Terraform file or a CloudFormation template is open).
 */

/** Extensions that are never templates even when they mention CloudFormation (docs, code, Terraform). */
const NOT_TEMPLATE_EXT = /\.(md|markdown|rst|adoc|html?|tf|tfvars|hcl|[cm]?[jt]sx?|py|java|go|rb|sh|ps1|cs|kt|rs)$/i;

const CFN_TYPE = /["']?Type["']?\s*:\s*["']?(AWS|Alexa|Custom)::[A-Za-z0-9]/;

/**
 * Does this YAML/JSON text look like a CloudFormation template? True when it mentions
 * `AWSTemplateFormatVersion`, or has a `Resources` key and a `Type: AWS::...` (or `Alexa::`/`Custom::`) entry.
 */
export function isCloudFormationTemplate(path: string, text: string): boolean {
  if (NOT_TEMPLATE_EXT.test(path)) return false;
  if (text.includes('AWSTemplateFormatVersion')) return true;
  return /(^|[\s{,"'])Resources["']?\s*:/m.test(text) && CFN_TYPE.test(text);
}

/** A Terraform file of a module (`*.tf`) or its variable values (`*.tfvars`). */
export function isTerraformPath(path: string): boolean {
  return /\.(tf|tfvars)$/i.test(path);
}
