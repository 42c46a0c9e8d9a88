// Sums the per-suite counts written by scripts/test.mjs into SAGESHIELD_COUNTS_DIR (or the folder given) and
// prints `N passed, N failed`. Exit 1 when a suite failed or no suite ran.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] || process.env.SAGESHIELD_COUNTS_DIR;
if (!dir || !existsSync(dir)) {
  console.log('0 passed, 1 failed');
  console.error(`no test counts in ${dir}`);
  process.exit(1);
}
let passed = 0;
let failed = 0;
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
for (const f of files) {
  const c = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
  passed += c.passes;
  failed += c.failures;
  console.log(`  ${path.basename(f, '.json')}: ${c.passes} passed, ${c.failures} failed`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
