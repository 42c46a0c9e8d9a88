import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

// The Terraform parser must work inside an esbuild CJS bundle (dist/server.js, dist/cli.js), loading the two
// wasm files from next to the bundle, with no node_modules in reach.
describe('terraform parser in an esbuild CJS bundle', function () {
  this.timeout(60000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sageshield-tf-bundle-'));
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('bundles without import.meta, loads the wasm files beside the bundle and parses', async () => {
    const parserPath = path.resolve(__dirname, '../../../server/src/parse/terraform.ts');
    const entry = path.join(dir, 'entry.ts');
    fs.writeFileSync(
      entry,
      `import { initTerraform, parseTerraformModule, terraformWasmPaths } from ${JSON.stringify(parserPath)};
(async () => {
  await initTerraform();
  await initTerraform();
  const u = parseTerraformModule('/m', [{ path: '/m/main.tf', text: 'resource "aws_kms_key" "k" {\\n  policy = jsonencode({ a = var.x })\\n}\\n' }]);
  console.log(JSON.stringify({ paths: terraformWasmPaths(), addresses: u.resources.map((r) => r.address), encoded: (u.resources[0].properties.entries[0].value as any).encoded }));
})().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
`,
    );
    const out = path.join(dir, 'out', 'bundle.js');
    const result = await esbuild.build({
      entryPoints: [entry],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node18',
      logLevel: 'silent',
      // resolve packages from the repository even though the entry lives in a temp folder
      nodePaths: [path.resolve(__dirname, '../../../node_modules')],
    });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.warnings.map((w) => w.text),
      [],
    );
    const code = fs.readFileSync(out, 'utf8');
    assert.ok(!code.includes('import.meta'), 'the bundle must not contain import.meta (ESM build of web-tree-sitter)');
    const root = path.resolve(__dirname, '../../..');
    fs.copyFileSync(path.join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'), path.join(dir, 'out', 'web-tree-sitter.wasm'));
    fs.copyFileSync(
      path.join(root, 'node_modules/@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm'),
      path.join(dir, 'out', 'tree-sitter-terraform.wasm'),
    );
    // run from the temp folder, where no node_modules can be found
    const run = spawnSync(process.execPath, [out], { cwd: dir, encoding: 'utf8', timeout: 30000 });
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout.trim());
    assert.deepEqual(report.addresses, ['aws_kms_key.k']);
    assert.equal(report.encoded, 'jsonencode');
    assert.equal(report.paths.runtime, path.join(dir, 'out', 'web-tree-sitter.wasm'));
    assert.equal(report.paths.grammar, path.join(dir, 'out', 'tree-sitter-terraform.wasm'));
  });
});
