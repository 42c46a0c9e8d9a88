import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { scanPaths, type ScanResult } from '../../../server/src/audit/workspace';
import { RULE_REGISTRY } from '../../../server/src/rules';
import { expandSnippet, removeDir, ROOT, tempDir } from '../audit/helpers';

const EXPECTED_RULES = ['IAM-01', 'IAM-02', 'IAM-03', 'IAM-04', 'IAM-06', 'IAM-09', 'SM-KMS-01', 'SM-KMS-02', 'SM-KMS-03', 'SM-NET-01', 'SM-NET-02', 'SM-NET-03', 'SM-ROOT-01'];

function describeFindings(r: ScanResult): string[] {
  return [
    ...r.findings.map((f) => `${path.basename(f.file)}:${f.range.start.line + 1} ${f.ruleId} ${f.message}`),
    ...r.errors.map((e) => `error ${e.file}: ${e.message}`),
    ...r.warnings.map((w) => `warning ${w.file}:${w.range.start.line + 1}: ${w.message}`),
  ];
}

describe('examples and snippets (real rules)', function () {
  this.timeout(60000);

  it('the rules the examples are written against are registered', () => {
    for (const id of EXPECTED_RULES) assert.ok(RULE_REGISTRY.has(id), id);
  });

  for (const example of ['cloudformation/secure-notebook.yaml', 'cloudformation/secure-endpoint.json', 'terraform/secure']) {
    it(`examples/${example} scans clean: no finding, no may-fail, no error, no warning`, async () => {
      const r = await scanPaths([path.join(ROOT, 'examples', example)]);
      assert.equal(r.units.length, 1);
      assert.ok(r.units[0].resources >= 5, 'a realistic setup');
      assert.deepEqual(describeFindings(r), []);
      assert.deepEqual(r.suppressed, [], 'clean without suppressions');
    });
  }

  const insecure: Record<string, string[]> = {
    'cloudformation/insecure-notebook.yaml': ['SM-KMS-01', 'SM-KMS-02', 'SM-NET-01', 'SM-NET-02', 'SM-NET-03', 'SM-ROOT-01', 'IAM-01', 'IAM-02', 'IAM-03', 'IAM-04', 'IAM-06'],
    'cloudformation/insecure-endpoint.json': ['SM-KMS-03', 'IAM-03', 'IAM-04', 'IAM-06'],
    'terraform/insecure': ['SM-KMS-01', 'SM-KMS-02', 'SM-KMS-03', 'SM-NET-01', 'SM-NET-02', 'SM-NET-03', 'SM-ROOT-01', 'IAM-02', 'IAM-03', 'IAM-04', 'IAM-06'],
  };
  for (const [example, ids] of Object.entries(insecure)) {
    it(`examples/${example} shows ${ids.join(', ')}`, async () => {
      const r = await scanPaths([path.join(ROOT, 'examples', example)]);
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.warnings, []);
      const found = new Set(r.findings.map((f) => f.ruleId));
      assert.deepEqual(ids.filter((id) => !found.has(id)), [], `found: ${[...found].join(', ')}`);
      assert.ok(r.findings.every((f) => f.verdict === 'fail'), 'insecure by what the files say, not by unresolved values');
    });
  }

  it('findings carry the titles of the quick-fixes the editor offers (fixes[]), unless fixTitles is false', async () => {
    const file = path.join(ROOT, 'examples', 'cloudformation', 'insecure-notebook.yaml');
    const r = await scanPaths([file]);
    const root = r.findings.find((f) => f.ruleId === 'SM-ROOT-01')!;
    assert.ok(root.fixes.some((t) => /RootAccess/.test(t) && /Disabled/.test(t)), JSON.stringify(root.fixes));
    assert.ok(r.findings.every((f) => f.fixes.length > 0), 'at least the suppress fix');
    const bare = await scanPaths([file], { fixTitles: false });
    assert.ok(bare.findings.length === r.findings.length && bare.findings.every((f) => f.fixes.length === 0));
  });

  const snippetFiles: Array<[string, string]> = [
    ['cloudformation-yaml.code-snippets', 'template.yaml'],
    ['cloudformation-json.code-snippets', 'template.json'],
    ['terraform.code-snippets', 'main.tf'],
  ];
  for (const [file, target] of snippetFiles) {
    it(`snippets/${file}: every snippet expands to a file that scans clean`, async () => {
      const snippets = JSON.parse(readFileSync(path.join(ROOT, 'snippets', file), 'utf8')) as Record<string, { prefix: string | string[]; body: string[]; description: string }>;
      assert.ok(Object.keys(snippets).length >= 1);
      for (const [name, s] of Object.entries(snippets)) {
        assert.ok(s.prefix.length > 0 && s.description.length > 0, name);
        const text = expandSnippet(s.body);
        assert.ok(!/\$\{?\d/.test(text), `${name}: placeholders left`);
        if (target.endsWith('.json')) JSON.parse(text); // valid JSON once expanded
        const dir = tempDir();
        try {
          mkdirSync(path.join(dir, 'snippet'));
          writeFileSync(path.join(dir, 'snippet', target), text);
          const r = await scanPaths([path.join(dir, 'snippet')]);
          assert.equal(r.units.length, 1, `${name}: recognised as ${target}`);
          assert.ok(r.units[0].resources >= 3, `${name}: key, role, notebook`);
          assert.deepEqual(describeFindings(r), [], name);
        } finally {
          removeDir(dir);
        }
      }
    });
  }

  it('expandSnippet follows the snippet syntax', () => {
    assert.equal(expandSnippet(['a ${1:x} $2 ${3} \\$ \\\\ ${4|p,q|} $0']), 'a x   $ \\ p ');
    assert.throws(() => expandSnippet('cost $5USD ${AWS::Region}'), /unescaped \$/);
  });
});
