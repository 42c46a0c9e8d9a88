// Runs the real-editor scenarios inside a locally installed VS Code through @vscode/test-electron, for
// machines that have VS Code (it cannot be downloaded here; there, test/editor runs them in code-server).
//   SAGESHIELD_VSCODE_PATH=/path/to/code npx tsx client/src/test-electron/runTest.ts
// Needs a built extension (npm run build). Without SAGESHIELD_VSCODE_PATH it says so once and exits 0.
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

async function main(): Promise<number> {
  const exe = process.env.SAGESHIELD_VSCODE_PATH;
  if (!exe) {
    console.log('SAGESHIELD_VSCODE_PATH not set: skipping @vscode/test-electron suite');
    return 0;
  }
  const root = path.resolve(__dirname, '..', '..', '..');
  const esbuild = await import('esbuild');
  const { runTests } = await import('@vscode/test-electron');
  // The suite runs inside VS Code's extension host, which loads JavaScript: bundle it under out/ so that
  // `require('mocha')` resolves from the repository's node_modules.
  const suite = path.join(root, 'out', 'test-electron', 'suite.js');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'suite', 'index.ts')], outfile: suite, bundle: true, platform: 'node',
    format: 'cjs', target: 'node18', external: ['vscode', 'mocha'], logLevel: 'warning',
  });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sageshield-electron-'));
  const workspace = path.join(tmp, 'workspace');
  cpSync(path.join(root, 'test', 'fixtures', 'editor-workspace'), workspace, { recursive: true });
  return runTests({
    vscodeExecutablePath: exe,
    extensionDevelopmentPath: root,
    extensionTestsPath: suite,
    extensionTestsEnv: { SAGESHIELD_ROOT: root, SAGESHIELD_NODE: process.execPath },
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--user-data-dir', path.join(tmp, 'user-data')],
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
