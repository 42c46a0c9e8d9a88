/** Terraform modules over a real JSON-RPC connection to the built server (dist/server.js --stdio). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureServerBuilt, fileUri, LspTestClient } from '../support/lsp-client';
import { byCode, codes, FIXTURES, messageOf, settle } from './helpers';

const MODULE = path.join(FIXTURES, 'tf-notebook');
const MAIN = path.join(MODULE, 'main.tf');
const VARIABLES = path.join(MODULE, 'variables.tf');

describe('LSP: Terraform diagnostics', function () {
  let client: LspTestClient;
  const mainText = readFileSync(MAIN, 'utf8');

  before(async function () {
    this.timeout(120000);
    ensureServerBuilt();
    client = await LspTestClient.start();
  });

  after(async () => {
    await client?.stop();
  });

  it('opening main.tf resolves the variables of variables.tf and terraform.tfvars on disk', async () => {
    const uri = await client.open(MAIN, mainText, 'terraform', 1);
    const p = await client.waitForDiagnostics(uri, (d) => d.version === 1);
    // terraform.tfvars sets var.internet_access (declared in variables.tf) to "Enabled": a definite failure.
    const net = byCode(p, 'SM-NET-01');
    assert.ok(net, codes(p).join(', '));
    assert.equal((net.data as { verdict: string }).verdict, 'fail');
    assert.doesNotMatch(messageOf(net), /^May fail/);
    // var.root_access defaults to "Disabled": no finding.
    assert.ok(!codes(p).includes('SM-ROOT-01'), codes(p).join(', '));
    assert.ok(codes(p).includes('SM-KMS-01'));
    const kms = byCode(p, 'SM-KMS-01')!;
    assert.equal((kms.data as { resource: { address: string } }).resource.address, 'aws_sagemaker_notebook_instance.nb');
    assert.equal(kms.source, 'sageshield');
    // The other file of the module gets a publish too: an empty list, without a version.
    const vars = await client.waitForDiagnostics(fileUri(VARIABLES));
    assert.deepEqual(vars.diagnostics, []);
    assert.equal(vars.version, undefined);
  });

  it('an edit that references an undeclared variable turns the finding into a may-fail', async () => {
    const uri = fileUri(MAIN);
    const before = client.published.length;
    await client.replace(uri, 2, mainText.replace('var.root_access', 'var.unknown_root_access'));
    const p = await client.waitForDiagnostics(uri, (d) => d.version === 2, { after: before });
    const root = byCode(p, 'SM-ROOT-01');
    assert.ok(root, codes(p).join(', '));
    assert.equal((root.data as { verdict: string }).verdict, 'may-fail');
    assert.match(messageOf(root), /^May fail: /);
    // The underline is on the value that decides it.
    assert.equal(root.range.start.line, 5);
  });

  it('the open text of variables.tf overrides the disk for main.tf', async () => {
    const mainUri = fileUri(MAIN);
    const varsUri = fileUri(VARIABLES);
    let before = client.published.length;
    await client.replace(mainUri, 3, mainText);
    await client.waitForDiagnostics(mainUri, (d) => d.version === 3, { after: before });
    before = client.published.length;
    const varsText = readFileSync(VARIABLES, 'utf8').replace('default = "Disabled"', 'default = "Enabled"');
    await client.open(VARIABLES, varsText, 'terraform', 1);
    const p = await client.waitFor(
      () => client.published.slice(before).find((x) => x.uri === mainUri && codes(x).includes('SM-ROOT-01')),
      10000,
      'main.tf with SM-ROOT-01',
    );
    // A failing default can be overridden at deploy time: may-fail.
    assert.equal((byCode(p, 'SM-ROOT-01')!.data as { verdict: string }).verdict, 'may-fail');
    assert.equal(p.version, undefined, 'main.tf was published from the analysis of variables.tf');
    // Closing variables.tf goes back to the disk text: SM-ROOT-01 is gone from main.tf.
    before = client.published.length;
    await client.close(varsUri);
    const back = await client.waitFor(
      () => client.published.slice(before).find((x) => x.uri === mainUri && !codes(x).includes('SM-ROOT-01')),
      10000,
      'main.tf without SM-ROOT-01 again',
    );
    assert.ok(codes(back).includes('SM-NET-01'));
  });

  it('a broken block reports a parse issue and the notebook is still checked', async () => {
    const uri = fileUri(MAIN);
    const before = client.published.length;
    const broken = `${mainText}\nresource "aws_s3_bucket" "half" {\n  bucket = "unfinished\n`;
    await client.replace(uri, 4, broken);
    const p = await client.waitForDiagnostics(uri, (d) => d.version === 4, { after: before });
    assert.ok(codes(p).includes('SS-PARSE'), codes(p).join(', '));
    assert.ok(codes(p).includes('SM-KMS-01'), codes(p).join(', '));
  });

  it('closing the last open file of the module clears every file of it', async () => {
    const mainUri = fileUri(MAIN);
    const varsUri = fileUri(VARIABLES);
    const before = client.published.length;
    await client.close(mainUri);
    await client.waitForDiagnostics(mainUri, (d) => d.diagnostics.length === 0, { after: before });
    await settle(client);
    const lastVars = client.latest(varsUri);
    assert.deepEqual(lastVars?.diagnostics, []);
    assert.deepEqual(client.latest(mainUri)?.diagnostics, []);
  });
});
