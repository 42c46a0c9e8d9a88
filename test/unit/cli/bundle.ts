/**
 * Finds or builds the CLI bundle for child-process tests: dist/cli.js when it is newer than every source file;
 * else `node scripts/build.mjs`; and when the full build fails (another part of the tree is mid-edit), the CLI
 * alone is bundled with esbuild into a temp folder with the wasm files next to it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../audit/helpers';

function newestSource(dir: string): number {
  let newest = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(ts|json)$/.test(ent.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export function cliBundle(): string {
  const dist = path.join(ROOT, 'dist', 'cli.js');
  const sources = Math.max(newestSource(path.join(ROOT, 'server', 'src')), statSync(path.join(ROOT, 'package.json')).mtimeMs);
  if (existsSync(dist) && statSync(dist).mtimeMs >= sources && existsSync(path.join(ROOT, 'dist', 'tree-sitter-terraform.wasm'))) return dist;
  const full = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 120000 });
  if (full.status === 0 && existsSync(dist)) return dist;
  const out = mkdtempSync(path.join(os.tmpdir(), 'sageshield-cli-'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: [path.join(ROOT, 'server', 'src', 'cli.ts')],
    outfile: path.join(out, 'cli.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    logLevel: 'error',
  });
  copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), path.join(out, 'web-tree-sitter.wasm'));
  const hcl = path.dirname(require.resolve('@tree-sitter-grammars/tree-sitter-hcl/package.json'));
  copyFileSync(path.join(hcl, 'tree-sitter-terraform.wasm'), path.join(out, 'tree-sitter-terraform.wasm'));
  const iam = path.join(ROOT, 'server', 'data', 'iam-actions.json');
  if (existsSync(iam)) copyFileSync(iam, path.join(out, 'iam-actions.json'));
  return path.join(out, 'cli.js');
}
