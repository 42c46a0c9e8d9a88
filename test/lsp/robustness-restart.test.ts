/**
 * A server that dies mid-session: killed with SIGKILL while documents are open and an edit is pending. What the
 * VS Code client does next (restart the server, up to 5 times, and reopen the documents) is the editor suite's
 * business; at the LSP level, a new server given the same open documents must publish the same diagnostics, with
 * no state carried over. And the process ends as the protocol says on `exit` (robustness.test.ts covers
 * shutdown + exit): exit code 0 after `shutdown`, 1 without.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { ExitNotification, ShutdownRequest, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { ensureServerBuilt, LspTestClient } from '../support/lsp-client';
import { codes, docPath, FIXTURES, INSECURE_NOTEBOOK, NOTEBOOK_NO_ROOT } from './helpers';

interface Doc {
  path: string;
  languageId: string;
  text: string;
}

const TF_DIR = path.join(FIXTURES, 'tf-notebook');

function docs(): Doc[] {
  return [
    { path: docPath('restart.yaml'), languageId: 'yaml', text: INSECURE_NOTEBOOK },
    {
      path: docPath('restart.json'),
      languageId: 'json',
      text: JSON.stringify({
        AWSTemplateFormatVersion: '2010-09-09',
        Resources: { Nb: { Type: 'AWS::SageMaker::NotebookInstance', Properties: { InstanceType: 'ml.t3.medium', RoleArn: 'arn:aws:iam::1:role/r', DirectInternetAccess: 'Enabled' } } },
      }, null, 2),
    },
    { path: path.join(TF_DIR, 'main.tf'), languageId: 'terraform', text: readFileSync(path.join(TF_DIR, 'main.tf'), 'utf8') },
  ];
}

/** Opens every document and waits for each one's version-1 publish; returns them by URI. */
async function openAll(client: LspTestClient, list: Doc[]): Promise<Map<string, PublishDiagnosticsParams>> {
  const out = new Map<string, PublishDiagnosticsParams>();
  for (const d of list) {
    const uri = await client.open(d.path, d.text, d.languageId, 1);
    out.set(uri, await client.waitForDiagnostics(uri, (p) => p.version === 1, { timeoutMs: 20000 }));
  }
  return out;
}

function child(client: LspTestClient): ChildProcess {
  return (client as unknown as { child: ChildProcess }).child;
}

function exitCode(client: LspTestClient): Promise<number | null> {
  const c = child(client);
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve(c.exitCode);
  return new Promise((resolve) => c.once('exit', (code) => resolve(code)));
}

describe('LSP robustness: a server killed mid-session, and exit', function () {
  this.timeout(90000);
  before(function () {
    this.timeout(180000);
    ensureServerBuilt();
  });

  it('a new server given the same open documents publishes the same diagnostics as before the crash', async () => {
    const list = docs();
    const first = await LspTestClient.start();
    let second: LspTestClient | undefined;
    try {
      const before = await openAll(first, list);
      assert.ok(codes(before.get([...before.keys()][0])).includes('SM-ROOT-01'));
      assert.ok([...before.values()].every((p) => p.diagnostics.length > 0), 'every document has findings');
      // An edit is pending (scheduled, not yet published) when the server dies.
      const yamlUri = [...before.keys()][0];
      await first.replace(yamlUri, 2, NOTEBOOK_NO_ROOT);
      const pid = first.pid!;
      process.kill(pid, 'SIGKILL');
      await first.waitFor(() => !first.isAlive, 5000, 'the server to die').catch(() => undefined);
      assert.equal(first.isAlive, false);
      assert.throws(() => process.kill(pid, 0), 'the process is gone');

      // The client restarts it and reopens what is open, at the current text (the editor keeps it).
      second = await LspTestClient.start();
      const reopened = list.map((d, i) => (i === 0 ? { ...d, text: NOTEBOOK_NO_ROOT } : d));
      const after = await openAll(second, reopened);
      for (const [uri, p] of after) {
        if (uri === yamlUri) {
          assert.ok(!codes(p).includes('SM-ROOT-01') && codes(p).includes('SM-KMS-01'), `the edit made before the crash counts: ${codes(p).join(', ')}`);
        } else {
          assert.deepEqual(p.diagnostics, before.get(uri)!.diagnostics, `${uri}: same diagnostics after the restart`);
        }
      }
      // The same text as before the edit gives exactly what the first server published.
      await second.replace(yamlUri, 2, INSECURE_NOTEBOOK);
      const again = await second.waitForDiagnostics(yamlUri, (p) => p.version === 2, { timeoutMs: 20000 });
      assert.deepEqual(again.diagnostics, before.get(yamlUri)!.diagnostics);
      const status = await second.request<{ openDocuments: string[] }>('sageshield/status');
      assert.deepEqual([...status.openDocuments].sort(), [...after.keys()].sort(), 'the new server holds exactly the reopened documents');
    } finally {
      await first.stop();
      await second?.stop();
    }
  });

  it('exit after shutdown ends the process with code 0; exit without shutdown with code 1', async () => {
    const clean = await LspTestClient.start();
    const cleanExit = exitCode(clean);
    await clean.connection.sendRequest(ShutdownRequest.type);
    await clean.connection.sendNotification(ExitNotification.type);
    assert.equal(await withTimeout(cleanExit, 5000, 'exit after shutdown'), 0);
    await clean.stop();

    const abrupt = await LspTestClient.start();
    const uri = await abrupt.open(docPath('abrupt.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    await abrupt.waitForDiagnostics(uri, (p) => p.version === 1);
    const abruptExit = exitCode(abrupt);
    await abrupt.connection.sendNotification(ExitNotification.type);
    assert.equal(await withTimeout(abruptExit, 5000, 'exit without shutdown'), 1);
    await abrupt.stop();
  });

  it('the server exits by itself when its input closes (the editor died without saying exit)', async () => {
    const orphan = await LspTestClient.start();
    const ended = exitCode(orphan);
    child(orphan).stdin?.end();
    const code = await withTimeout(ended, 10000, 'exit after stdin closed');
    assert.notEqual(code, undefined);
    assert.equal(orphan.isAlive, false);
    await orphan.stop();
  });
});

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}
