/** CloudFormation documents over a real JSON-RPC connection to the built server (dist/server.js --stdio). */
import assert from 'node:assert/strict';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { docsUrl } from '../../server/src/rules/types';
import { ensureServerBuilt, LspTestClient } from '../support/lsp-client';
import { byCode, codes, docPath, INSECURE_NOTEBOOK, messageOf, NOTEBOOK_NO_ROOT, settle } from './helpers';

describe('LSP: CloudFormation diagnostics', function () {
  let client: LspTestClient;

  before(async function () {
    this.timeout(120000);
    ensureServerBuilt();
    client = await LspTestClient.start();
  });

  after(async () => {
    await client?.stop();
  });

  it('reports the insecure notebook with code, source, docs link and data', async () => {
    const uri = await client.open(docPath('insecure-notebook.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    const p = await client.waitForDiagnostics(uri, (d) => d.version === 1 && d.diagnostics.length > 0);
    for (const id of ['SM-KMS-01', 'SM-NET-01', 'SM-ROOT-01']) assert.ok(codes(p).includes(id), `${id} in ${codes(p).join(', ')}`);
    for (const d of p.diagnostics) {
      assert.equal(d.source, 'sageshield');
      assert.equal(d.codeDescription?.href, docsUrl(String(d.code)));
      const data = d.data as { kind: string; ruleId: string; verdict: string; severity: string; resource: { name: string; type: string } };
      assert.equal(data.kind, 'finding');
      assert.equal(data.ruleId, d.code);
      assert.ok(['fail', 'may-fail'].includes(data.verdict));
      assert.equal(data.resource.name, 'Notebook');
      assert.equal(data.resource.type, 'AWS::SageMaker::NotebookInstance');
      // A missing property underlines the logical ID (line 3: `  Notebook:`).
      assert.equal(d.range.start.line, 3);
    }
    const kms = byCode(p, 'SM-KMS-01')!;
    assert.equal((kms.data as { severity: string }).severity, 'high');
    assert.equal(kms.severity, DiagnosticSeverity.Error);
    assert.equal((kms.data as { verdict: string }).verdict, 'fail');
    assert.doesNotMatch(messageOf(kms), /^May fail/);
  });

  it('after an edit that fixes RootAccess, publishes for the new version without SM-ROOT-01', async () => {
    const uri = await client.open(docPath('edit-notebook.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    const first = await client.waitForDiagnostics(uri, (d) => d.version === 1);
    assert.ok(codes(first).includes('SM-ROOT-01'));
    const before = client.published.length;
    await client.replace(uri, 2, NOTEBOOK_NO_ROOT);
    const second = await client.waitForDiagnostics(uri, () => true, { after: before });
    assert.equal(second.version, 2, 'the first publish after the edit is for version 2');
    assert.ok(!codes(second).includes('SM-ROOT-01'), codes(second).join(', '));
    assert.ok(codes(second).includes('SM-KMS-01'));
    assert.ok(codes(second).includes('SM-NET-01'));
  });

  it('applies incremental edits (range changes) to the document', async () => {
    const uri = await client.open(docPath('incremental.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    await client.waitForDiagnostics(uri, (d) => d.version === 1);
    const before = client.published.length;
    // Insert `      DirectInternetAccess: Disabled\n` at the start of line 6 (`      InstanceType: ...`).
    await client.change(uri, 2, [
      { range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } }, text: '      DirectInternetAccess: Disabled\n' },
    ]);
    const p = await client.waitForDiagnostics(uri, (d) => d.version === 2, { after: before });
    assert.ok(!codes(p).includes('SM-NET-01'), codes(p).join(', '));
    assert.ok(codes(p).includes('SM-ROOT-01'));
  });

  it('after a burst of 20 quick edits, the last publish is for the last version and none is stale', async () => {
    const uri = await client.open(docPath('burst.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    await client.waitForDiagnostics(uri, (d) => d.version === 1);
    const start = client.published.length;
    for (let v = 2; v <= 21; v++) {
      // Odd versions keep root access enabled, even ones disable it; the last (21) is insecure.
      await client.replace(uri, v, v % 2 === 0 ? NOTEBOOK_NO_ROOT : INSECURE_NOTEBOOK);
    }
    const last = await client.waitForDiagnostics(uri, (d) => d.version === 21, { after: start });
    assert.ok(codes(last).includes('SM-ROOT-01'));
    await settle(client);
    const after = client.published.slice(start).filter((p) => p.uri === uri);
    assert.equal(after[after.length - 1].version, 21, 'nothing arrives after the last version');
    const versions = after.map((p) => p.version ?? -1);
    assert.deepEqual([...versions].sort((a, b) => a - b), versions, `versions arrive in order: ${versions.join(',')}`);
    // The debouncer coalesces the burst: far fewer analyses than edits.
    assert.ok(after.length < 20, `${after.length} publishes for 20 edits`);
  });

  it('analyses JSON templates too', async () => {
    const json = JSON.stringify(
      {
        AWSTemplateFormatVersion: '2010-09-09',
        Resources: {
          Notebook: {
            Type: 'AWS::SageMaker::NotebookInstance',
            Properties: { InstanceType: 'ml.t3.medium', RoleArn: 'arn:aws:iam::123456789012:role/sm', RootAccess: 'Disabled' },
          },
        },
      },
      null,
      2,
    );
    const uri = await client.open(docPath('notebook.template.json'), json, 'json', 1);
    const p = await client.waitForDiagnostics(uri, (d) => d.version === 1);
    assert.ok(codes(p).includes('SM-KMS-01'));
    assert.ok(!codes(p).includes('SM-ROOT-01'));
  });

  it('publishes nothing at all for YAML and JSON that are not templates', async () => {
    const yamlUri = await client.open(docPath('docker-compose.yaml'), 'services:\n  web:\n    image: nginx\n', 'yaml', 1);
    const jsonUri = await client.open(docPath('tsconfig.json'), '{ "compilerOptions": { "strict": true } }\n', 'json', 1);
    await client.replace(yamlUri, 2, 'services:\n  web:\n    image: nginx:1.27\n');
    // A template opened after them: once it is published and the server is idle, the others were handled.
    const marker = await client.open(docPath('marker.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    await client.waitForDiagnostics(marker, (d) => d.version === 1);
    await settle(client);
    assert.equal(client.diagnosticsFor(yamlUri).length, 0);
    assert.equal(client.diagnosticsFor(jsonUri).length, 0);
  });

  it('clears the diagnostics once when a template stops being one', async () => {
    const uri = await client.open(docPath('stops-being-template.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    await client.waitForDiagnostics(uri, (d) => d.version === 1 && d.diagnostics.length > 0);
    const before = client.published.length;
    await client.replace(uri, 2, 'just: a config file\n');
    const p = await client.waitForDiagnostics(uri, () => true, { after: before });
    assert.deepEqual(p.diagnostics, []);
    await client.replace(uri, 3, 'just: another config file\n');
    await settle(client);
    assert.equal(client.diagnosticsFor(uri).length, 2, 'one publish for the template, one to clear it');
  });

  it('reports a parse issue and still the rules on the intact resource of a half-typed template', async () => {
    const text = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Intact:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::123456789012:role/sagemaker
  HalfTyped:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: [ml.t3.medium
      RoleArn: "arn:aws:iam::123456789012:role/sagemaker
`;
    const uri = await client.open(docPath('half-typed.yaml'), text, 'yaml', 1);
    const p = await client.waitForDiagnostics(uri, (d) => d.version === 1);
    const parse = byCode(p, 'SS-PARSE');
    assert.ok(parse, `a parse issue in ${codes(p).join(', ')}`);
    assert.equal(parse.source, 'sageshield');
    assert.equal(parse.severity, DiagnosticSeverity.Error);
    assert.ok(parse.range.start.line >= 7, `the issue is in the broken part (line ${parse.range.start.line})`);
    const intact = p.diagnostics.filter((d) => (d.data as { resource?: { name: string } } | undefined)?.resource?.name === 'Intact');
    assert.ok(
      intact.some((d) => d.code === 'SM-KMS-01'),
      `SM-KMS-01 on Intact in ${p.diagnostics.map((d) => `${d.code}@${d.range.start.line}`).join(', ')}`,
    );
  });

  it('publishes an empty list when a template is closed', async () => {
    const uri = await client.open(docPath('to-close.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    await client.waitForDiagnostics(uri, (d) => d.version === 1 && d.diagnostics.length > 0);
    const before = client.published.length;
    await client.close(uri);
    const p = await client.waitForDiagnostics(uri, () => true, { after: before });
    assert.deepEqual(p.diagnostics, []);
  });

  it('ignores documents that are not files (untitled:)', async () => {
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: 'untitled:Untitled-1', languageId: 'yaml', version: 1, text: INSECURE_NOTEBOOK },
    });
    const marker = await client.open(docPath('marker-2.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    await client.waitForDiagnostics(marker, (d) => d.version === 1);
    await settle(client);
    assert.equal(client.diagnosticsFor('untitled:Untitled-1').length, 0);
  });
});
