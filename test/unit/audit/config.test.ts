import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { ConfigError, loadConfig, parseConfig, validateConfig } from '../../../server/src/audit/config';
import { globToRegExp, GlobSet } from '../../../server/src/audit/glob';
import { removeDir, ROOT, tempDir } from './helpers';

const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas/sageshield-config.schema.json'), 'utf8'));

describe('audit/config', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);

  const valid: unknown[] = [
    {},
    { $schema: './schemas/sageshield-config.schema.json' },
    { rules: { disabled: ['SM-ROOT-01', 'IAM-04'], severity: { 'SM-KMS-01': 'medium', 'IAM-02': 'critical' } } },
    { reportMayFail: false, exclude: ['test/**', '*.generated.yaml'], failOn: 'none' },
    { rules: {}, failOn: 'info' },
  ];
  const invalid: unknown[] = [
    [],
    'x',
    null,
    { unknown: 1 },
    { rules: { disabled: 'SM-ROOT-01' } },
    { rules: { disabled: ['sm-root-01'] } },
    { rules: { disabled: [1] } },
    { rules: { severity: { 'SM-KMS-01': 'severe' } } },
    { rules: { severity: { notarule: 'low' } } },
    { rules: { extra: true } },
    { rules: [] },
    { reportMayFail: 'yes' },
    { exclude: 'test/**' },
    { exclude: [''] },
    { failOn: 'warning' },
  ];

  it('the hand-written validator and the JSON schema (ajv) agree', () => {
    for (const v of valid) {
      assert.equal(validate(v), true, `schema accepts ${JSON.stringify(v)}: ${JSON.stringify(validate.errors)}`);
      assert.deepEqual(validateConfig(v), [], `validator accepts ${JSON.stringify(v)}`);
    }
    for (const v of invalid) {
      assert.equal(validate(v), false, `schema rejects ${JSON.stringify(v)}`);
      assert.ok(validateConfig(v).length > 0, `validator rejects ${JSON.stringify(v)}`);
    }
  });

  it('parseConfig names the problem', () => {
    assert.throws(() => parseConfig('{ "rules": { "disabled": "x" } }', '/p/.sageshield.json'), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /\/p\/\.sageshield\.json/);
      assert.match(e.message, /rules\.disabled/);
      return true;
    });
    assert.throws(() => parseConfig('{ not json', 'c.json'), /not valid JSON/);
    assert.deepEqual(parseConfig('\uFEFF{"failOn":"low"}', 'c.json'), { failOn: 'low' });
  });

  it('loadConfig: the cwd file when present, none when absent, an explicit file must exist', async () => {
    const dir = tempDir();
    try {
      assert.deepEqual(await loadConfig(dir), { config: {}, baseDir: dir });
      await assert.rejects(loadConfig(dir, 'missing.json'), ConfigError);
      writeFileSync(path.join(dir, '.sageshield.json'), '{"reportMayFail": false}');
      const l = await loadConfig(dir);
      assert.deepEqual(l.config, { reportMayFail: false });
      assert.equal(l.file, path.join(dir, '.sageshield.json'));
      writeFileSync(path.join(dir, 'bad.json'), '{"failOn": "sometimes"}');
      await assert.rejects(loadConfig(dir, 'bad.json'), /failOn/);
    } finally {
      removeDir(dir);
    }
  });
});

describe('audit/glob', () => {
  const cases: Array<[string, string, boolean]> = [
    ['*.yaml', 'a.yaml', true],
    ['*.yaml', 'dir/sub/a.yaml', true],
    ['*.yaml', 'a.yml', false],
    ['/*.yaml', 'dir/a.yaml', false],
    ['/*.yaml', 'a.yaml', true],
    ['test/**', 'test/a/b.tf', true],
    ['test/**', 'src/test/a.tf', false],
    ['**/test/**', 'src/test/a.tf', true],
    ['src/*.tf', 'src/a.tf', true],
    ['src/*.tf', 'src/x/a.tf', false],
    ['src/**/*.tf', 'src/a.tf', true],
    ['src/**/*.tf', 'src/x/y/a.tf', true],
    ['*.{yaml,json}', 'x/t.json', true],
    ['t?.json', 't1.json', true],
    ['t?.json', 't12.json', false],
    ['a.b', 'axb', false],
    ['./build/', 'build', true],
  ];
  it('matches like gitignore', () => {
    for (const [g, p, want] of cases) assert.equal(globToRegExp(g).test(p), want, `${g} vs ${p}`);
  });
  it('a matching folder excludes what is below it; paths outside the base never match', () => {
    const set = new GlobSet(['generated', 'tf/module-a']);
    assert.equal(set.matches('x/generated/t.yaml'), true);
    assert.equal(set.matches('tf/module-a/main.tf'), true);
    assert.equal(set.matches('tf/module-b/main.tf'), false);
    assert.equal(set.matches('../generated/t.yaml'), false);
    assert.equal(new GlobSet([]).matches('a'), false);
  });
});
