/**
 * The format-neutral model. Parsers (`../parse`) build it from text; rules (`../rules`) read it.
 * Nothing here knows about syntax trees, LSP or VS Code.
 *
 * Every node carries the file it came from and its 0-based LSP range in that file (UTF-16 columns).
 */

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Format = 'cloudformation' | 'terraform';

interface NodeBase {
  /** Absolute path of the file the node was read from. */
  file: string;
  range: Range;
}

/** A literal: string, number, boolean or null (YAML `~`, HCL `null`). */
export interface Scalar extends NodeBase {
  kind: 'scalar';
  value: string | number | boolean | null;
}

export interface ListValue extends NodeBase {
  kind: 'list';
  items: Value[];
}

export interface MapEntry {
  key: string;
  keyRange: Range;
  value: Value;
  /** Terraform: the entry is a nested block (`vpc_config { ... }`), not an attribute. */
  block?: boolean;
}

export interface MapValue extends NodeBase {
  kind: 'map';
  entries: MapEntry[];
  /**
   * Set when the map was decoded from text that encodes it: a JSON policy in a string or heredoc
   * (`'json-string'`), or a Terraform `jsonencode({...})` call (`'jsonencode'`). Ranges of the decoded
   * nodes still point into the file.
   */
  encoded?: 'json-string' | 'jsonencode';
}

/**
 * What a reference points at.
 * - input: a CloudFormation parameter or a Terraform variable (`var.x`).
 * - local: a Terraform local (`local.x`).
 * - resource: a resource or data source of the same template/module: CFN logical ID (with `attribute` for
 *   `Fn::GetAtt`), Terraform `aws_x.name` or `data.aws_x.name` (with `attribute` such as `arn`, `id`).
 * - pseudo: a CloudFormation pseudo parameter (`AWS::Region`, `AWS::NoValue`, ...).
 * - module: a Terraform module output (`module.m.out`).
 * - external: anything else that names a value outside the files (`Fn::ImportValue`, `each.value`, ...).
 */
export type RefTarget =
  | { type: 'input'; name: string }
  | { type: 'local'; name: string }
  | { type: 'resource'; address: string; attribute?: string }
  | { type: 'pseudo'; name: string }
  | { type: 'module'; name: string; output?: string }
  | { type: 'external'; text: string };

/** `!Ref X`, `!GetAtt X.Arn`, `var.x`, `aws_kms_key.k.arn`, `"${var.x}"` (a template that is one reference). */
export interface RefValue extends NodeBase {
  kind: 'ref';
  target: RefTarget;
  /** Source text of the reference, for messages. */
  text: string;
}

/**
 * A conditional: CloudFormation `Fn::If [Cond, A, B]` (`condition` is the condition's name) or a Terraform
 * `c ? a : b` (`condition` undefined; `conditionText` says what it tests).
 */
export interface IfValue extends NodeBase {
  kind: 'if';
  condition?: string;
  conditionText: string;
  then: Value;
  else: Value;
}

/**
 * A computed value the model cannot evaluate in general: `Fn::Sub`, `Fn::Join`, `Fn::FindInMap`, a Terraform
 * template with text around interpolations, a function call. It is present (not null) but its exact value is
 * unknown. `refs` lists the references inside it; `fn` names the function or form (`Fn::Sub`, `format`, `template`).
 * `parts`, when set, holds the literal text pieces of a template or Sub (useful for ARN patterns).
 */
export interface ExprValue extends NodeBase {
  kind: 'expr';
  fn: string;
  text: string;
  refs: RefValue[];
  parts?: string[];
  /** Arguments, when the expression is a call whose arguments the parser decoded. */
  args?: Value[];
}

export type Value = Scalar | ListValue | MapValue | RefValue | IfValue | ExprValue;

/** A CloudFormation parameter or a Terraform variable. */
export interface Input {
  name: string;
  file: string;
  range: Range;
  nameRange: Range;
  /** CFN `Type` (`String`, `AWS::EC2::Subnet::Id`, ...) or TF `type` source text. */
  type?: string;
  default?: Value;
  /** CFN `AllowedValues`; TF validation blocks are not read. */
  allowedValues?: Value[];
  sensitive?: boolean;
  description?: string;
}

/** A Terraform local value. */
export interface Local {
  name: string;
  file: string;
  range: Range;
  nameRange: Range;
  value: Value;
}

/** A CloudFormation condition (`Conditions:` section). */
export interface ConditionDef {
  name: string;
  file: string;
  range: Range;
  value: Value;
}

/** A value given to a Terraform variable by a `terraform.tfvars` / `*.auto.tfvars` file. */
export interface InputAssignment {
  name: string;
  file: string;
  range: Range;
  value: Value;
}

export interface Resource {
  /** Terraform data sources are `data`; everything else (and every CFN resource) is `managed`. */
  mode: 'managed' | 'data';
  /** `AWS::SageMaker::NotebookInstance` or `aws_sagemaker_notebook_instance`. */
  type: string;
  /** CFN logical ID or Terraform name. */
  name: string;
  /** CFN logical ID; Terraform `aws_x.name` or `data.aws_x.name`. */
  address: string;
  file: string;
  /** The whole resource (CFN: the logical ID entry; TF: the block). */
  range: Range;
  /** What to underline when a property is missing: the logical ID or the Terraform block's labels. */
  nameRange: Range;
  /**
   * CFN `Properties` (an empty map, ranged on the name, when absent); Terraform: the block body, with
   * attributes and nested blocks as entries. A repeated nested block becomes a list of maps.
   */
  properties: MapValue;
  /** True when `Properties` was written in the file (CFN); always true for Terraform. */
  hasProperties: boolean;
  /** CFN resource `Metadata`. */
  metadata?: MapValue;
  /** CFN resource `Condition`. */
  condition?: string;
}

/** A comment, for suppressions (`# sageshield:ignore RULE reason`). `range` covers the comment text. */
export interface Comment {
  file: string;
  range: Range;
  text: string;
}

/** A syntax problem found while parsing. Parsing goes on; what could be read is in the unit. */
export interface ParseIssue {
  file: string;
  range: Range;
  message: string;
}

export interface SourceFile {
  path: string;
  text: string;
}

/**
 * What rules analyse together: one CloudFormation template file, or one Terraform module (all `*.tf` files of
 * a folder, with its `*.tfvars`).
 */
export interface Unit {
  format: Format;
  /** Template file path, or the module's folder. */
  root: string;
  files: SourceFile[];
  inputs: Map<string, Input>;
  locals: Map<string, Local>;
  conditions: Map<string, ConditionDef>;
  /** Terraform: values from auto-loaded tfvars files, by variable name (last file wins, as Terraform does). */
  assignments: Map<string, InputAssignment>;
  resources: Resource[];
  comments: Comment[];
  issues: ParseIssue[];
}

export function emptyUnit(format: Format, root: string): Unit {
  return {
    format,
    root,
    files: [],
    inputs: new Map(),
    locals: new Map(),
    conditions: new Map(),
    assignments: new Map(),
    resources: [],
    comments: [],
    issues: [],
  };
}
