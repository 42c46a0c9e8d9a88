/** The server survives what editors send it: garbage, odd documents, lifecycle. */
import assert from 'node:assert/strict';
import { ensureServerBuilt, LspTestClient } from '../support/lsp-client';
import { codes, docPath, INSECURE_NOTEBOOK, settle } from './helpers';

/** Deterministic binary-ish text: control characters, NULs, lone surrogates, bits of YAML, HCL and JSON. */
function garbage(seed: number, length: number): string {
  const pieces = ['\u0000', '\uFFFD', '\uD800', '{', '}', '[', ']', ':', '!Ref', '"', "'", '\n', '  ', '${', '<<EOF', '#', '\t', 'Resources', 'AWS::', 'resource', '=', '*', '&a', '|'];
  let x = seed;
  let out = 'AWSTemplateFormatVersion: \n';
  while (out.length < length) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += x % 3 === 0 ? String.fromCharCode(x % 0xffff) : pieces[x % pieces.length];
  }
  return out;
}

describe('LSP: robustness', function () {
  let client: LspTestClient;

  before(async function () {
    this.timeout(120000);
    ensureServerBuilt();
    client = await LspTestClient.start();
  });

  after(async () => {
    await client?.stop();
  });

  it('survives binary-ish documents of every kind and keeps answering', async () => {
    for (let i = 0; i < 6; i++) {
      const text = garbage(i + 1, 3000);
      const yamlUri = await client.open(docPath(`garbage-${i}.yaml`), text, 'yaml', 1);
      await client.open(docPath(`garbage-${i}.json`), text, 'json', 1);
      await client.open(docPath(`garbage-${i}/main.tf`), text, 'terraform', 1);
      await client.replace(yamlUri, 2, garbage(i + 100, 2000));
    }
    await settle(client, 18);
    assert.ok(client.isAlive, client.serverStderr);
    const status = await client.request<{ version: string; openDocuments: string[] }>('sageshield/status');
    assert.ok(status.openDocuments.length >= 18);
    // Every publish is well-formed.
    for (const p of client.published) {
      for (const d of p.diagnostics) {
        assert.equal(d.source, 'sageshield');
        assert.ok(d.range.start.line >= 0 && d.range.start.character >= 0);
      }
    }
    // And real work still happens.
    const uri = await client.open(docPath('after-garbage.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    const p = await client.waitForDiagnostics(uri, (d) => d.version === 1);
    assert.ok(codes(p).includes('SM-KMS-01'));
  });

  it('survives changes for documents it never saw, and closing them', async () => {
    const uri = 'file:///nowhere/never-opened.yaml';
    await client.replace(uri, 5, INSECURE_NOTEBOOK);
    await client.close(uri);
    await settle(client);
    assert.ok(client.isAlive);
    assert.equal(client.diagnosticsFor(uri).length, 0);
  });

  it('answers an unknown request with an error instead of dying', async () => {
    await assert.rejects(client.request('sageshield/noSuchThing', {}));
    const status = await client.request<{ version: string }>('sageshield/status');
    assert.match(status.version, /^\d+\.\d+\.\d+/);
  });

  it('a Terraform file in a folder that does not exist is analysed from its open text', async () => {
    const text = 'resource "aws_sagemaker_notebook_instance" "nb" {\n  name          = "x"\n  instance_type = "ml.t3.medium"\n  role_arn      = "arn:aws:iam::123456789012:role/r"\n}\n';
    const uri = await client.open(docPath('no-such-folder/main.tf'), text, 'terraform', 1);
    const p = await client.waitForDiagnostics(uri, (d) => d.version === 1);
    assert.ok(codes(p).includes('SM-KMS-01'), codes(p).join(', '));
    assert.ok(codes(p).includes('SM-ROOT-01'), codes(p).join(', '));
  });

  it('also runs over Node IPC (--node-ipc, what the VS Code client uses)', async () => {
    const other = await LspTestClient.start({ transport: 'ipc' });
    try {
      assert.equal(other.initializeResult?.serverInfo?.name, 'sageshield');
      const uri = await other.open(docPath('ipc.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
      const p = await other.waitForDiagnostics(uri, (d) => d.version === 1);
      assert.ok(codes(p).includes('SM-KMS-01'));
    } finally {
      await other.stop();
    }
  });

  it('shuts down cleanly on shutdown + exit', async () => {
    const other = await LspTestClient.start();
    const pid = other.pid;
    await other.stop();
    await other.waitFor(() => !other.isAlive, 5000, 'exit');
    assert.ok(pid !== undefined);
    assert.throws(() => process.kill(pid, 0), 'the process is gone');
  });
});
