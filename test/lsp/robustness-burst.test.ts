/**
 * Load on the server: 200 incremental edits sent without waiting on a template large enough that each analysis
 * takes longer than the gap between edits; a document far over the CLI's size limit. The last publish must be
 * for the last version and equal what a fresh open of the final text gives; memory must come back near its level;
 * the server must keep answering. (robustness.test.ts covers garbage documents and the lifecycle; cloudformation.test.ts
 * a 20-edit burst of whole-text replacements with the default debounce.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { PublishDiagnosticsParams, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol/node';
import { DEFAULT_MAX_FILE_SIZE } from '../../server/src/audit/workspace';
import { ensureServerBuilt, LspTestClient } from '../support/lsp-client';
import { codes, docPath, INSECURE_NOTEBOOK, settle } from './helpers';

/** Resident memory of a process, in MB, from /proc (Linux); undefined elsewhere. */
function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The insecure notebook plus `n` S3 buckets with a few properties each: analysis takes tens of ms. */
function bigTemplate(n: number): string {
  let s = INSECURE_NOTEBOOK;
  for (let i = 0; i < n; i++) {
    s += `  Bucket${i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub 'data-\${AWS::AccountId}-${i}'\n      Tags:\n        - Key: team\n          Value: ml-${i}\n`;
  }
  return s;
}

/** Diagnostics without what legitimately differs between two URIs. */
function comparable(p: PublishDiagnosticsParams | undefined): unknown[] {
  return (p?.diagnostics ?? []).map((d) => ({ code: d.code, range: d.range, message: d.message, severity: d.severity, data: d.data }));
}

describe('LSP robustness: bursts, memory, huge documents', function () {
  this.timeout(120000);
  let client: LspTestClient;

  before(async function () {
    this.timeout(180000);
    ensureServerBuilt();
    // No debounce: every edit schedules an analysis at once, the hardest case for staleness.
    client = await LspTestClient.start({ debounceMs: 0 });
  });

  after(async () => {
    await client?.stop();
  });

  it('200 incremental edits sent without waiting: only the last version is published last, equal to a fresh open; memory comes back', async () => {
    const base = bigTemplate(300);
    const uri = await client.open(docPath('burst-200.yaml'), base, 'yaml', 1);
    await client.waitForDiagnostics(uri, (d) => d.version === 1, { timeoutMs: 30000 });
    await settle(client);
    const rss0 = rssMb(client.pid);

    // The same edits applied locally give the expected final text.
    const local = TextDocument.create(uri, 'yaml', 1, base);
    const descLine = 1; // `Description: A notebook with every default left alone`
    const rootLine = 7; // `      RoleArn: ...`: RootAccess is inserted above it, then removed, ...
    const start = client.published.length;
    const t0 = Date.now();
    let version = 1;
    for (let i = 0; i < 200; i++) {
      let change: TextDocumentContentChangeEvent;
      if (i % 40 === 39) {
        // Every 40th edit toggles RootAccess: inserted at i=39, 119, 199; removed at i=79, 159. Last: inserted.
        const present = local.getText().includes('RootAccess: Disabled');
        change = present
          ? { range: { start: { line: rootLine, character: 0 }, end: { line: rootLine + 1, character: 0 } }, text: '' }
          : { range: { start: { line: rootLine, character: 0 }, end: { line: rootLine, character: 0 } }, text: '      RootAccess: Disabled\n' };
      } else if (i % 7 === 6) {
        // Backspace at the end of the description line.
        const len = local.getText({ start: { line: descLine, character: 0 }, end: { line: descLine + 1, character: 0 } }).length - 1;
        change = { range: { start: { line: descLine, character: len - 1 }, end: { line: descLine, character: len } }, text: '' };
      } else {
        // Type a character at the end of the description line (some of them YAML-significant).
        const len = local.getText({ start: { line: descLine, character: 0 }, end: { line: descLine + 1, character: 0 } }).length - 1;
        const typed = 'abc:d#e{f}g"h\'i-j é!&*';
        const ch = typed[i % typed.length];
        change = { range: { start: { line: descLine, character: len }, end: { line: descLine, character: len } }, text: ch };
      }
      version++;
      TextDocument.update(local, [change], version);
      void client.change(uri, version, [change]); // not awaited: as fast as the pipe takes them
    }
    const sent = Date.now() - t0;
    const last = await client.waitForDiagnostics(uri, (d) => d.version === 201, { after: start, timeoutMs: 60000 });
    await settle(client);
    const mine = client.diagnosticsFor(uri).slice(-1)[0];
    assert.equal(mine.version, 201, 'nothing is published after the last version');
    const versions = client.published.slice(start).filter((p) => p.uri === uri).map((p) => p.version ?? -1);
    assert.deepEqual([...versions].sort((a, b) => a - b), versions, `publishes in version order: ${versions.join(',')}`);
    assert.ok(codes(last).includes('SM-KMS-01') && !codes(last).includes('SM-ROOT-01'), codes(last).join(', '));

    // A fresh open of the final text gives the same diagnostics.
    const fresh = await client.open(docPath('burst-200-fresh.yaml'), local.getText(), 'yaml', 1);
    const freshP = await client.waitForDiagnostics(fresh, (d) => d.version === 1, { timeoutMs: 30000 });
    assert.deepEqual(comparable(last), comparable(freshP));

    // Memory: two more bursts of whole-text replacements, then compare with the level before the first.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 100; i++) void client.replace(uri, ++version, i % 2 ? base : local.getText());
      await client.waitForDiagnostics(uri, (d) => d.version === version, { timeoutMs: 60000 });
      await settle(client);
    }
    const rss1 = rssMb(client.pid);
    console.log(`      200 edits sent in ${sent} ms; ${versions.length} publishes; server RSS ${rss0?.toFixed(0)} MB before, ${rss1?.toFixed(0)} MB after 400 more edits`);
    if (rss0 !== undefined && rss1 !== undefined) assert.ok(rss1 - rss0 < 150, `RSS grew by ${(rss1 - rss0).toFixed(0)} MB`);
    await client.close(fresh);
    await client.close(uri);
  });

  it(`a template over the CLI's size limit (${DEFAULT_MAX_FILE_SIZE} bytes) does not starve other documents`, async () => {
    // What is right: the server must stay responsive. Either it analyses the huge document without blocking the
    // others for long, or (like the CLI, and CloudFormation itself, which rejects templates over 1 MB) it skips it
    // with one clear diagnostic saying so. Today it parses ~34,000 resources synchronously for ~50 s on this
    // machine, and every other document and request waits behind it.
    const huge = bigTemplate(34000);
    assert.ok(huge.length > DEFAULT_MAX_FILE_SIZE);
    const before = client.published.length;
    const uri = await client.open(docPath('huge.yaml'), huge, 'yaml', 1);
    const t0 = Date.now();
    const small = await client.open(docPath('small-after-huge.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    let smallMs = -1;
    try {
      const smallP = await client.waitForDiagnostics(small, (d) => d.version === 1, { after: before, timeoutMs: 10000 });
      smallMs = Date.now() - t0;
      assert.ok(codes(smallP).includes('SM-KMS-01'));
    } finally {
      console.log(`      ${(huge.length / 1024 / 1024).toFixed(1)} MB template: a small document opened after it got diagnostics ${smallMs >= 0 ? `after ${smallMs} ms` : 'not within 10 s'}`);
    }
    const hugeP = await client.waitForDiagnostics(uri, (d) => d.version === 1, { after: before, timeoutMs: 120000 });
    const skipped = hugeP.diagnostics.some((d) => /size|large|limit|skipped/i.test(typeof d.message === 'string' ? d.message : d.message.value));
    assert.ok(skipped || codes(hugeP).includes('SM-KMS-01'), `analysed, or a clear "skipped" diagnostic: ${codes(hugeP).join(', ')}`);
    await client.close(uri);
    await client.close(small);
    assert.ok(client.isAlive);
  });
});
