/** The project config file `.sageshield.json` applies to open documents, and is re-read when it changes. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { ensureServerBuilt, fileUri, LspTestClient } from '../support/lsp-client';
import { byCode, codes, INSECURE_NOTEBOOK } from './helpers';

describe('LSP: project config (.sageshield.json)', function () {
  let client: LspTestClient;
  let root: string;
  let configFile: string;
  let uri: string;

  async function writeConfig(config: unknown): Promise<number> {
    writeFileSync(configFile, typeof config === 'string' ? config : JSON.stringify(config));
    const before = client.published.length;
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(configFile), type: 2 }] });
    return before;
  }

  before(async function () {
    this.timeout(120000);
    ensureServerBuilt();
    root = mkdtempSync(path.join(os.tmpdir(), 'sageshield-cfg-'));
    mkdirSync(path.join(root, 'stacks', 'ml'), { recursive: true });
    configFile = path.join(root, '.sageshield.json');
    writeFileSync(configFile, JSON.stringify({ rules: { disabled: ['SM-ROOT-01'] } }));
    client = await LspTestClient.start({ rootPath: root });
  });

  after(async () => {
    await client?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the nearest config up to the workspace folder disables a rule', async () => {
    uri = await client.open(path.join(root, 'stacks', 'ml', 'notebook.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    const p = await client.waitForDiagnostics(uri, (d) => d.version === 1);
    assert.ok(!codes(p).includes('SM-ROOT-01'), codes(p).join(', '));
    assert.ok(codes(p).includes('SM-KMS-01'));
  });

  it('a changed config is read again: severity overrides apply', async () => {
    const before = await writeConfig({ rules: { severity: { 'SM-KMS-01': 'low' } } });
    const p = await client.waitForDiagnostics(uri, (d) => codes(d).includes('SM-ROOT-01'), { after: before });
    assert.equal(byCode(p, 'SM-KMS-01')!.severity, DiagnosticSeverity.Information);
  });

  it('exclude globs silence the files they match', async () => {
    const before = await writeConfig({ exclude: ['stacks/ml/**'] });
    const p = await client.waitForDiagnostics(uri, () => true, { after: before });
    assert.deepEqual(p.diagnostics, []);
  });

  it('an invalid config is ignored (and logged), not fatal', async () => {
    const before = await writeConfig('{ "rules": { "disabled": "SM-KMS-01" ');
    const p = await client.waitForDiagnostics(uri, (d) => d.diagnostics.length > 0, { after: before });
    assert.ok(codes(p).includes('SM-KMS-01'));
    assert.ok(codes(p).includes('SM-ROOT-01'));
    assert.ok(client.logs.some((l) => l.includes('.sageshield.json')), client.logs.join('\n'));
  });
});

describe('LSP: project config and workspace folders', function () {
  let client: LspTestClient;
  let root: string;

  before(async function () {
    this.timeout(120000);
    ensureServerBuilt();
    root = mkdtempSync(path.join(os.tmpdir(), 'sageshield-wsf-'));
    mkdirSync(path.join(root, 'stacks'), { recursive: true });
    writeFileSync(path.join(root, '.sageshield.json'), JSON.stringify({ rules: { disabled: ['SM-KMS-01'] } }));
    client = await LspTestClient.start(); // the workspace folder is elsewhere
  });

  after(async () => {
    await client?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('looks above a document only inside a workspace folder, and follows folder changes', async () => {
    const uri = await client.open(path.join(root, 'stacks', 'nb.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    const outside = await client.waitForDiagnostics(uri, (d) => d.version === 1);
    assert.ok(codes(outside).includes('SM-KMS-01'), 'the config two folders up is not read outside the workspace');
    const before = client.published.length;
    await client.connection.sendNotification('workspace/didChangeWorkspaceFolders', {
      event: { added: [{ uri: fileUri(root), name: 'tmp' }], removed: [] },
    });
    const inside = await client.waitForDiagnostics(uri, () => true, { after: before });
    assert.ok(!codes(inside).includes('SM-KMS-01'), codes(inside).join(', '));
    assert.ok(codes(inside).includes('SM-ROOT-01'));
  });
});
