/** Scheduling: cancellation of work already started, and re-analysis when module files change on disk. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureServerBuilt, fileUri, LspTestClient } from '../support/lsp-client';
import { codes, docPath, INSECURE_NOTEBOOK, NOTEBOOK_NO_ROOT, settle } from './helpers';

describe('LSP: scheduling', function () {
  let client: LspTestClient;
  let tmp: string;

  before(async function () {
    this.timeout(120000);
    ensureServerBuilt();
    client = await LspTestClient.start({ debounceMs: 0 });
    tmp = mkdtempSync(path.join(os.tmpdir(), 'sageshield-lsp-'));
  });

  after(async () => {
    await client?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('an edit during an analysis cancels it: nothing is published for the older version', async () => {
    let release!: () => void;
    client.configurationGate = new Promise<void>((r) => (release = r));
    const asked = client.configurationRequests.length;
    const uri = await client.open(docPath('cancel.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    // The server has started on version 1 and waits for its settings...
    await client.waitFor(() => client.configurationRequests.length > asked, 10000, 'the configuration request');
    // ...when version 2 arrives.
    await client.replace(uri, 2, NOTEBOOK_NO_ROOT);
    release();
    client.configurationGate = undefined;
    const p = await client.waitForDiagnostics(uri);
    assert.equal(p.version, 2);
    assert.ok(!codes(p).includes('SM-ROOT-01'));
    await settle(client);
    assert.deepEqual(
      client.diagnosticsFor(uri).map((x) => x.version),
      [2],
      'version 1 was never published',
    );
  });

  it('re-analyses an open module when one of its files changes on disk (didChangeWatchedFiles)', async () => {
    const main = path.join(tmp, 'main.tf');
    const vars = path.join(tmp, 'variables.tf');
    const mainText =
      'resource "aws_sagemaker_notebook_instance" "nb" {\n  name          = "x"\n  instance_type = "ml.t3.medium"\n' +
      '  role_arn      = "arn:aws:iam::123456789012:role/r"\n  root_access   = var.root\n}\n';
    writeFileSync(main, mainText);
    writeFileSync(vars, 'variable "root" {\n  default = "Disabled"\n}\n');
    const uri = await client.open(main, mainText, 'terraform', 1);
    const first = await client.waitForDiagnostics(uri, (d) => d.version === 1);
    assert.ok(!codes(first).includes('SM-ROOT-01'), codes(first).join(', '));
    const before = client.published.length;
    writeFileSync(vars, 'variable "root" {\n  default = "Enabled"\n}\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(vars), type: 2 }] });
    const p = await client.waitForDiagnostics(uri, (d) => codes(d).includes('SM-ROOT-01'), { after: before });
    assert.equal(p.version, 1);
  });
});
