/** Which open documents SageShield analyses, and URI <-> path helpers. */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type DocumentKind = 'cloudformation' | 'terraform' | 'terraform-vars' | 'none';

const CFN_EXTENSIONS = new Set(['.yaml', '.yml', '.json', '.template', '.cfn']);

/** The file path of a `file:` URI, or undefined for other schemes (untitled, git...). */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function pathToUri(p: string): string {
  return pathToFileURL(p).href;
}

/**
 * What a document is, from its path and language: a `.tf` file is Terraform, tfvars feed their module, a
 * YAML/JSON file is a CloudFormation candidate (the text decides later, with `isCloudFormationTemplate`).
 */
export function classifyDocument(filePath: string | undefined, languageId: string): DocumentKind {
  if (!filePath) return 'none';
  const base = path.basename(filePath).toLowerCase();
  const ext = path.extname(base);
  if (ext === '.tf') return 'terraform';
  if (isTerraformVarsFile(base)) return 'terraform-vars';
  if (languageId === 'terraform') return 'none';
  if (CFN_EXTENSIONS.has(ext) || languageId === 'yaml' || languageId === 'json') return 'cloudformation';
  return 'none';
}

/** Files Terraform loads with a module: every `*.tf`, `terraform.tfvars` and `*.auto.tfvars`. */
export function isTerraformModuleFile(name: string): boolean {
  const base = path.basename(name).toLowerCase();
  return base.endsWith('.tf') || isTerraformVarsFile(base);
}

function isTerraformVarsFile(base: string): boolean {
  return base === 'terraform.tfvars' || base.endsWith('.auto.tfvars');
}
