/**
 * Incremental parsing for the language server: keeps, per open file, what the last parse produced, and on the
 * next text re-parses only what changed (the edit is found by diffing the old and new text: common prefix and
 * suffix, so callers need not pass LSP change events).
 *
 * - Terraform: the previous tree-sitter tree per file (`tree.edit` + `parser.parse(text, oldTree)`), and the
 *   model pieces of every top-level block by block text, re-used (ranges shifted) when the block is unchanged.
 *   See `TerraformCache` in terraform.ts.
 * - CloudFormation YAML: an edit inside one entry of `Resources` re-parses that entry alone and splices it into
 *   the previous unit; anything else (an edit that crosses entries, touches another section, a template with
 *   syntax errors before the edit, JSON) is a full parse. See cfn-incremental.ts.
 *
 * The result is always equal to a full parse of the same text (test/unit/incremental proves it on random edits).
 */
import type { SourceFile, Unit } from '../model/types';
import { parseCloudFormation } from './cloudformation';
import { parseTerraformModule, TerraformCache } from './terraform';
import { CfnCache } from './cfn-incremental';

export interface IncrementalStats {
  /** Parses that re-used the previous result. */
  incremental: number;
  /** Parses that started from scratch (first parse, or a fallback). */
  full: number;
}

export class IncrementalParser {
  private readonly tf = new TerraformCache();
  private readonly cfn = new CfnCache();

  /** Same result as `parseCloudFormation(file, text)`. */
  cloudFormation(file: string, text: string): Unit | undefined {
    return this.cfn.parse(file, text, parseCloudFormation);
  }

  /** Same result as `parseTerraformModule(dir, files)` (the parser must be initialised). */
  terraform(dir: string, files: SourceFile[]): Unit {
    return parseTerraformModule(dir, files, this.tf);
  }

  /** Drops what is kept for `file` (document closed). */
  forget(file: string): void {
    this.tf.forget(file);
    this.cfn.forget(file);
  }

  /** Keeps only the files for which `keep` is true (the open documents, the files of their modules). */
  retain(keep: (file: string) => boolean): void {
    this.tf.retain(keep);
    this.cfn.retain(keep);
  }

  /** The Terraform state, to give `setDefaultTerraformCache` (the server's module loader parses through it). */
  get terraformCache(): TerraformCache {
    return this.tf;
  }

  stats(): { terraform: IncrementalStats; cloudformation: IncrementalStats } {
    return { terraform: this.tf.stats(), cloudformation: this.cfn.stats() };
  }

  dispose(): void {
    this.tf.clear();
    this.cfn.clear();
  }
}
