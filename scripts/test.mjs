// Runs the named mocha suites (unit, lsp, editor, conformance...), each in its own process, and ends with the
// line `N passed, N failed` summed over them. Exit code 1 if any test failed or a suite could not run.
// Usage: node scripts/test.mjs unit lsp [-- extra mocha args]
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const suites = dash >= 0 ? argv.slice(0, dash) : argv;
const extra = dash >= 0 ? argv.slice(dash + 1) : [];

const SUITES = {
  unit: { spec: 'test/unit/**/*.test.ts', timeout: 20000 },
  lsp: { spec: 'test/lsp/**/*.test.ts', timeout: 30000 },
  editor: { spec: 'test/editor/**/*.test.ts', timeout: 240000 },
};

// SAGESHIELD_COUNTS_DIR lets a caller (.ci/run) run several invocations and sum their counts afterwards
// with scripts/sum-counts.mjs; otherwise each invocation starts from an empty folder.
const countsDir = process.env.SAGESHIELD_COUNTS_DIR || path.join(root, 'out', 'test-counts');
if (!process.env.SAGESHIELD_COUNTS_DIR) rmSync(countsDir, { recursive: true, force: true });
mkdirSync(countsDir, { recursive: true });

let passed = 0;
let failed = 0;
let broken = false;
for (const name of suites) {
  const suite = SUITES[name];
  if (!suite) {
    console.error(`unknown suite "${name}" (known: ${Object.keys(SUITES).join(', ')})`);
    process.exit(2);
  }
  const countsFile = path.join(countsDir, `${name}.json`);
  console.log(`\n=== suite: ${name} ===`);
  const r = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/mocha/bin/mocha.js'),
      '--require', 'tsx/cjs',
      '--reporter', path.join(root, 'test/support/count-reporter.cjs'),
      '--reporter-option', `countsFile=${countsFile}`,
      '--timeout', String(suite.timeout),
      '--exit',
      suite.spec,
      ...extra,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, SAGESHIELD_SUITE: name } },
  );
  if (existsSync(countsFile)) {
    const c = JSON.parse(readFileSync(countsFile, 'utf8'));
    passed += c.passes;
    failed += c.failures;
    console.log(`${name}: ${c.passes} passed, ${c.failures} failed`);
  } else {
    console.log(`${name}: the suite did not run to the end (exit ${r.status ?? r.signal})`);
    broken = true;
    failed += 1;
  }
  if (r.status !== 0 && !existsSync(countsFile)) broken = true;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 || broken ? 1 : 0);
