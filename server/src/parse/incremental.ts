/**
 * Incremental parsing for the language server: keeps, per open file, what the last parse produced, and on the
 * next text re-parses only what changed (the edit is found by diffing the old and new text: common prefix and
 * suffix, so callers need not pass LSP change events).
 *
 * - Terraform (terraform.ts, `TerraformCache`): the previous tree-sitter tree per file (`tree.edit` +
 *   `parser.parse(text, oldTree)`, then `tree.delete()` of the old one), and the model pieces of every clean
 *   top-level block, re-used when the block lies outside the edited region (copies moved by the line delta when
 *   lines were added or removed). Only new or edited blocks are copied out of wasm and converted; a tree with
 *   errors goes through the same recovery as a full parse, re-using the clean blocks.
 * - CloudFormation YAML (cfn-incremental.ts, `CfnCache`): an edit inside one entry of `Resources` re-parses that
 *   entry alone and splices it into the previous unit; while a typo makes the template unreadable, later edits
 *   are spliced into the last readable version. Anything else is a full parse (see there). JSON: full parse.
 *
 * The result is always equal to a full parse of the same text (test/unit/incremental proves it on random
 * edits). Unchanged resources keep their objects, which is how `IncrementalEngine` knows what to re-check.
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
