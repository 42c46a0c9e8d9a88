/** Every rule file is registered, documented and named by a test; metadata is complete and IDs are unique. */
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULE_REGISTRY, allRules } from '../../../server/src/rules';
import { SEVERITIES } from '../../../server/src/rules/types';

const root = path.resolve(__dirname, '../../..');
const rulesDir = path.join(root, 'server/src/rules');
const NOT_RULES = new Set(['index.ts', 'types.ts']);

describe('rule registry', () => {
  const files = fs.readdirSync(rulesDir).filter((f) => f.endsWith('.ts') && !NOT_RULES.has(f) && !f.startsWith('_'));

  it('registers every rule file under its own ID', () => {
    const registered = new Set(allRules().map((r) => r.meta.id.toLowerCase()));
    const missing = files.map((f) => f.replace(/\.ts$/, '')).filter((id) => !registered.has(id));
    assert.deepStrictEqual(missing, []);
    assert.strictEqual(RULE_REGISTRY.size, files.length);
  });

  for (const rule of allRules()) {
    const { id } = rule.meta;
    it(`${id}: complete metadata, a docs page and a test file`, () => {
      assert.match(id, /^[A-Z]+(-[A-Z]+)*-\d{2}$/);
      assert.ok(rule.meta.title.length > 5, 'title');
      assert.ok(SEVERITIES.includes(rule.meta.severity), 'severity');
      assert.ok(rule.meta.formats.length > 0, 'formats');
      assert.ok(rule.meta.description.length > 20, 'description');
      const doc = path.join(root, 'docs/rules', `${id}.md`);
      assert.ok(fs.existsSync(doc), `docs/rules/${id}.md`);
      assert.ok(fs.readFileSync(doc, 'utf8').includes(id), 'the docs page names the rule ID');
      const testDir = path.join(root, 'test/unit');
      const tests = (fs.readdirSync(testDir, { recursive: true }) as string[]).filter(
        (f) => f.endsWith('.test.ts') && !f.endsWith('registry.test.ts'),
      );
      assert.ok(
        tests.includes(path.join('rules', `${id.toLowerCase()}.test.ts`)) ||
          tests.some((f) => fs.readFileSync(path.join(testDir, f), 'utf8').includes(`'${id}'`)),
        `test/unit/rules/${id.toLowerCase()}.test.ts, or a test file under test/unit naming '${id}'`,
      );
    });
  }
});
