/**
 * Public types of the fix layer: text edits and fixes, plus the format-neutral description of a new value
 * (`NewValue`) that per-rule fixes build and the per-format writers (yaml.ts, json.ts, hcl.ts) render.
 */
import type { Position, Range } from '../model/types';

export type { Position, Range };

export interface TextEdit {
  /** Absolute path of the file to edit. */
  file: string;
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  ruleId: string;
  kind: 'quickfix';
  isPreferred?: boolean;
  edits: TextEdit[];
  /** Values only the user can give (new parameters/variables to fill). */
  inputs?: string[];
  /** Where to leave the cursor (suppress fixes: on the reason). */
  cursor?: { file: string; position: Position };
}

/**
 * A value to write, independent of the format.
 * - input: CFN `!Ref Param`, Terraform `var.name`.
 * - attr: CFN `!GetAtt Logical.Attr`, Terraform `type.name.attr`.
 * - ref: CFN `!Ref Name` of a resource or pseudo parameter; Terraform: the address as an expression.
 * - sub: CFN `!Sub 'text'`; Terraform: a template string (the text must already use Terraform syntax).
 * - raw: an expression written as is (Terraform) or a plain scalar (CFN).
 */
export type NewValue =
  | { kind: 'str'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'num'; value: number }
  | { kind: 'input'; name: string }
  | { kind: 'attr'; address: string; attribute: string }
  | { kind: 'ref'; name: string }
  | { kind: 'sub'; cfn: string; tf: string }
  | { kind: 'raw'; text: string; /** CloudFormation JSON: the value to write (else `text` as a string) */ json?: unknown }
  | { kind: 'list'; items: NewValue[] }
  | { kind: 'map'; entries: Array<[string, NewValue]> };

export const str = (value: string): NewValue => ({ kind: 'str', value });
export const bool = (value: boolean): NewValue => ({ kind: 'bool', value });
export const input = (name: string): NewValue => ({ kind: 'input', name });
export const attr = (address: string, attribute: string): NewValue => ({ kind: 'attr', address, attribute });
export const list = (...items: NewValue[]): NewValue => ({ kind: 'list', items });
export const map = (...entries: Array<[string, NewValue]>): NewValue => ({ kind: 'map', entries });
