/** Settings (`sageshield` section) pulled through workspace/configuration, and pushed for clients that cannot. */
import assert from 'node:assert/strict';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { ensureServerBuilt, LspTestClient } from '../support/lsp-client';
import { byCode, codes, docPath, INSECURE_NOTEBOOK, settle } from './helpers';

describe('LSP: settings', function () {
  before(function () {
    this.timeout(120000);
    ensureServerBuilt();
  });

  describe('pulled with workspace/configuration', () => {
    let client: LspTestClient;
    let uri: string;

    before(async () => {
      client = await LspTestClient.start({ settings: { enable: true, rules: { disabled: [], severity: {} }, reportMayFail: true } });
      uri = await client.open(docPath('settings.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
      await client.waitForDiagnostics(uri, (d) => codes(d).includes('SM-ROOT-01'));
    });

    after(async () => {
      await client?.stop();
    });

    it('asks for the settings of the document itself', () => {
      assert.ok(client.configurationRequests.includes(uri), client.configurationRequests.join(', '));
    });

    it('rules.disabled turns a rule off after didChangeConfiguration', async () => {
      const before = client.published.length;
      await client.setSettings({ rules: { disabled: ['SM-ROOT-01'] } });
      const p = await client.waitForDiagnostics(uri, () => true, { after: before });
      assert.ok(!codes(p).includes('SM-ROOT-01'), codes(p).join(', '));
      assert.ok(codes(p).includes('SM-KMS-01'));
      assert.equal(p.version, 1, 'published for the open version');
    });

    it('rules.severity overrides the severity (LSP severity and data)', async () => {
      const before = client.published.length;
      await client.setSettings({ rules: { severity: { 'SM-KMS-01': 'low', 'SM-NET-01': 'medium', 'SM-ROOT-01': 'info' } } });
      const p = await client.waitForDiagnostics(uri, () => true, { after: before });
      const kms = byCode(p, 'SM-KMS-01')!;
      assert.equal(kms.severity, DiagnosticSeverity.Information);
      assert.equal((kms.data as { severity: string }).severity, 'low');
      assert.equal(byCode(p, 'SM-NET-01')!.severity, DiagnosticSeverity.Warning);
      assert.equal(byCode(p, 'SM-ROOT-01')!.severity, DiagnosticSeverity.Hint);
    });

    it('ignores ill-typed values and falls back to the defaults', async () => {
      const before = client.published.length;
      await client.setSettings({ enable: 'yes', rules: { disabled: 'SM-KMS-01', severity: { 'SM-KMS-01': 'severe' } } });
      const p = await client.waitForDiagnostics(uri, () => true, { after: before });
      assert.ok(codes(p).includes('SM-KMS-01'));
      assert.equal(byCode(p, 'SM-KMS-01')!.severity, DiagnosticSeverity.Error);
    });

    it('enable: false clears the diagnostics and true brings them back', async () => {
      let before = client.published.length;
      await client.setSettings({ enable: false });
      const off = await client.waitForDiagnostics(uri, () => true, { after: before });
      assert.deepEqual(off.diagnostics, []);
      before = client.published.length;
      await client.setSettings({ enable: true });
      const on = await client.waitForDiagnostics(uri, () => true, { after: before });
      assert.ok(codes(on).includes('SM-KMS-01'));
    });

    it('reportMayFail: false drops may-fail findings only', async () => {
      const text = INSECURE_NOTEBOOK.replace(
        'Resources:',
        'Parameters:\n  RootAccess:\n    Type: String\n    Default: Enabled\nResources:',
      ).replace('      RoleArn:', '      RootAccess: !Ref RootAccess\n      RoleArn:');
      const mayUri = await client.open(docPath('may-fail.yaml'), text, 'yaml', 1);
      const withMay = await client.waitForDiagnostics(mayUri, (d) => d.version === 1);
      const root = byCode(withMay, 'SM-ROOT-01');
      assert.ok(root, codes(withMay).join(', '));
      assert.equal((root.data as { verdict: string }).verdict, 'may-fail');
      const before = client.published.length;
      await client.setSettings({ reportMayFail: false });
      const without = await client.waitForDiagnostics(mayUri, () => true, { after: before });
      assert.ok(!codes(without).includes('SM-ROOT-01'), codes(without).join(', '));
      assert.ok(codes(without).includes('SM-KMS-01'));
    });
  });

  describe('a client without workspace/configuration', () => {
    let client: LspTestClient;

    before(async () => {
      client = await LspTestClient.start({ configuration: false });
    });

    after(async () => {
      await client?.stop();
    });

    it('uses the defaults, then the settings pushed in didChangeConfiguration', async () => {
      const uri = await client.open(docPath('push.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
      const p = await client.waitForDiagnostics(uri, (d) => d.version === 1);
      assert.ok(codes(p).includes('SM-ROOT-01'));
      const before = client.published.length;
      await client.connection.sendNotification('workspace/didChangeConfiguration', {
        settings: { sageshield: { rules: { disabled: ['SM-ROOT-01', 'SM-NET-01'] } } },
      });
      const q = await client.waitForDiagnostics(uri, () => true, { after: before });
      assert.ok(!codes(q).includes('SM-ROOT-01'));
      assert.ok(!codes(q).includes('SM-NET-01'));
      assert.ok(codes(q).includes('SM-KMS-01'));
      await settle(client);
      assert.equal(client.configurationRequests.length, 0, 'never asked for configuration');
    });
  });
});
