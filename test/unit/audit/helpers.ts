/** Shared helpers for the audit and CLI tests: test-only rules, temp folders, snippet expansion. */
import { mkdtempSync, rmSync, cpSync, realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineRule, type Rule } from '../../../server/src/rules/types';

export const ROOT = path.resolve(__dirname, '../../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures/cli');
export const PROJECT = path.join(FIXTURES, 'project');

/** high: a notebook without a KMS key (both formats). */
export const testKmsRule: Rule = defineRule({
  meta: {
    id: 'TEST-KMS-01',
    title: 'Test: notebook without KMS key',
    severity: 'high',
    category: 'encryption',
    formats: ['cloudformation', 'terraform'],
    resourceTypes: ['AWS::SageMaker::NotebookInstance', 'aws_sagemaker_notebook_instance'],
    description: 'Test rule: reports notebooks without a KMS key.',
    references: ['TEST'],
  },
  check(unit, ctx) {
    for (const r of unit.resources) {
      if (r.type !== 'AWS::SageMaker::NotebookInstance' && r.type !== 'aws_sagemaker_notebook_instance') continue;
      if (!r.properties.entries.some((e) => e.key === 'KmsKeyId' || e.key === 'kms_key_id'))
        ctx.report({ resource: r, verdict: 'fail', message: `notebook ${r.name} has no KMS key | "quoted" *md*` });
    }
  },
});

/** low: every IAM role (CFN only). */
export const testRoleRule: Rule = defineRule({
  meta: {
    id: 'TEST-ROLE-01',
    title: 'Test: an IAM role',
    severity: 'low',
    category: 'iam',
    formats: ['cloudformation'],
    resourceTypes: ['AWS::IAM::Role'],
    description: 'Test rule: reports every role.',
  },
  check(unit, ctx) {
    for (const r of unit.resources) if (r.type === 'AWS::IAM::Role') ctx.report({ resource: r, verdict: 'may-fail', message: 'a role' });
  },
});

export const TEST_RULES: Rule[] = [testKmsRule, testRoleRule];

/** A fresh temp folder (real path, so symlinked /tmp does not confuse relative paths). */
export function tempDir(prefix = 'sageshield-'): string {
  return realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A temp copy of the fixture project. */
export function copyProject(): string {
  const dir = tempDir();
  cpSync(PROJECT, dir, { recursive: true });
  return dir;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Expands a VS Code snippet body the way the editor does with default values: `${1:text}` -> text,
 * `${1|a,b|}` -> a, `$1` / `${1}` / `$0` -> '', `\$` -> `$`, `\\` -> `\`, `\}` -> `}`.
 */
export function expandSnippet(body: string | string[]): string {
  const text = Array.isArray(body) ? body.join('\n') : body;
  let out = '';
  let i = 0;
  const parse = (stopAtBrace: boolean): string => {
    let s = '';
    while (i < text.length) {
      const c = text[i];
      if (c === '\\' && i + 1 < text.length && '$}\\'.includes(text[i + 1])) {
        s += text[i + 1];
        i += 2;
      } else if (stopAtBrace && c === '}') {
        i++;
        return s;
      } else if (c === '$' && /[0-9]/.test(text[i + 1] ?? '')) {
        i++;
        while (/[0-9]/.test(text[i] ?? '')) i++;
      } else if (c === '$' && text[i + 1] === '{' && /[0-9]/.test(text[i + 2] ?? '')) {
        i += 2;
        while (/[0-9]/.test(text[i])) i++;
        if (text[i] === '}') i++;
        else if (text[i] === ':') {
          i++;
          s += parse(true);
        } else if (text[i] === '|') {
          const end = text.indexOf('|}', i);
          s += text.slice(i + 1, end).split(',')[0];
          i = end + 2;
        } else throw new Error(`bad placeholder at ${i}`);
      } else if (c === '$') {
        throw new Error(`unescaped $ at offset ${i}: ${JSON.stringify(text.slice(i, i + 30))}`);
      } else {
        s += c;
        i++;
      }
    }
    if (stopAtBrace) throw new Error('unterminated placeholder');
    return s;
  };
  out = parse(false);
  return out;
}
