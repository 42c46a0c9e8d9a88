/** Code actions and the fix-all command over a real JSON-RPC connection to the built server (dist/server.js --stdio). */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApplyWorkspaceEditRequest,
  CodeActionRequest,
  ExecuteCommandRequest,
  type ApplyWorkspaceEditParams,
  type CodeAction,
  type Diagnostic,
  type PublishDiagnosticsParams,
  type TextDocumentEdit,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { docsUrl } from '../../server/src/rules/types';
import { ensureServerBuilt, fileUri, LspTestClient } from '../support/lsp-client';
import { codes, docPath, FIXTURES, INSECURE_NOTEBOOK } from './helpers';

const OPEN_DOCS = 'sageshield.openDocs';
const FIX_ALL_KIND = 'source.fixAll.sageshield';
const REASON = 'reason: why this is acceptable';

const isSuppress = (a: CodeAction) => a.title.startsWith('Suppress ');
const isDocs = (a: CodeAction) => a.command?.command === OPEN_DOCS;
const isFix = (a: CodeAction) => a.edit !== undefined && !isSuppress(a);

function docEdits(edit: WorkspaceEdit | undefined): TextDocumentEdit[] {
  assert.ok(edit?.documentChanges, 'a versioned WorkspaceEdit (documentChanges)');
  return edit.documentChanges as TextDocumentEdit[];
}

/** Applies the TextDocumentEdit of `uri` to `text` (LSP semantics: ranges against the original text). */
function applyTo(text: string, uri: string, edit: WorkspaceEdit | undefined): string {
  const edits = docEdits(edit)
    .filter((c) => c.textDocument.uri === uri)
    .flatMap((c) => c.edits as TextEdit[]);
  return TextDocument.applyEdits(TextDocument.create(uri, 'text', 0, text), edits);
}

/** Writes the edits for files that are not open (version null) to disk; returns how many files. */
function applyToDisk(edit: WorkspaceEdit | undefined): number {
  let n = 0;
  for (const c of docEdits(edit).filter((x) => x.textDocument.version === null)) {
    const file = fileURLToPath(c.textDocument.uri);
    writeFileSync(file, TextDocument.applyEdits(TextDocument.create(c.textDocument.uri, 'text', 0, readFileSync(file, 'utf8')), c.edits as TextEdit[]));
    n++;
  }
  return n;
}

const sameRange = (a: Diagnostic, b: Diagnostic) => JSON.stringify(a.range) === JSON.stringify(b.range);

describe('LSP: code actions', function () {
  let client: LspTestClient;
  const applyRequests: ApplyWorkspaceEditParams[] = [];

  before(async function () {
    this.timeout(120000);
    ensureServerBuilt();
    client = await LspTestClient.start({
      debounceMs: 20,
      capabilities: { workspace: { applyEdit: true, workspaceEdit: { documentChanges: true } } },
      initializationOptions: { clientCommands: [OPEN_DOCS] },
    });
    client.connection.onRequest(ApplyWorkspaceEditRequest.type, (p) => {
      applyRequests.push(p);
      return { applied: true };
    });
  });

  after(async () => {
    await client?.stop();
  });

  const actions = (uri: string, diagnostics: Diagnostic[], only?: string[]) =>
    client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics, ...(only ? { only } : {}) },
    }) as Promise<CodeAction[]>;

  /** Replaces the text with version `version` and waits for that version's diagnostics. */
  async function setText(uri: string, version: number, text: string): Promise<PublishDiagnosticsParams> {
    const after = client.published.length;
    await client.replace(uri, version, text);
    return client.waitForDiagnostics(uri, (p) => p.version === version, { after });
  }

  it('declares quickfix and source.fixAll.sageshield, and only the server command sageshield.fixAll', () => {
    const caps = client.initializeResult!.capabilities;
    const provider = caps.codeActionProvider as { codeActionKinds?: string[] };
    assert.deepEqual(provider.codeActionKinds, ['quickfix', FIX_ALL_KIND]);
    assert.deepEqual(caps.executeCommandProvider?.commands, ['sageshield.fixAll']);
  });

  it('CloudFormation: every diagnostic has a fix, a suppress action and a docs action, versioned', async () => {
    const uri = await client.open(docPath('ca-insecure.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    const p = await client.waitForDiagnostics(uri, (d) => d.version === 1 && d.diagnostics.length > 0);
    assert.ok(p.diagnostics.length >= 3, codes(p).join(', '));
    for (const d of p.diagnostics) {
      const got = await actions(uri, [d]);
      const fixes = got.filter(isFix);
      assert.ok(fixes.length >= 1, `${d.code}: no fix in ${got.map((a) => a.title).join(' | ')}`);
      assert.ok(fixes.some((a) => a.isPreferred), `${d.code}: no preferred fix`);
      for (const a of got) {
        assert.equal(a.kind, 'quickfix');
        assert.deepEqual(a.diagnostics, [d]);
        assert.ok(a.title.includes(String(d.code)), a.title);
      }
      for (const a of got.filter((x) => x.edit)) {
        for (const c of docEdits(a.edit)) assert.deepEqual(c.textDocument, { uri, version: 1 });
      }
      const sup = got.filter(isSuppress);
      assert.equal(sup.length, 1, `${d.code}: one suppress action`);
      assert.ok(!sup[0].isPreferred);
      const docs = got.filter(isDocs);
      assert.equal(docs.length, 1);
      assert.equal(docs[0].title, `Show documentation for ${d.code}`);
      assert.deepEqual(docs[0].command!.arguments, [docsUrl(String(d.code))]);
      assert.equal(docs[0].command!.arguments![0], d.codeDescription?.href);
    }
    // Two diagnostics of the same rule would share one docs action; several rules get one each.
    const all = await actions(uri, p.diagnostics);
    assert.equal(all.filter(isDocs).length, new Set(p.diagnostics.map((d) => d.code)).size);
  });

  it('CloudFormation: applying the preferred fix removes that diagnostic and adds none', async () => {
    const uri = fileUri(docPath('ca-apply.yaml'));
    await client.open(docPath('ca-apply.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    let version = 1;
    const first = await client.waitForDiagnostics(uri, (d) => d.version === 1 && d.diagnostics.length > 0);
    for (const original of first.diagnostics) {
      // back to the insecure text, then fix this one diagnostic
      const p = version === 1 ? first : await setText(uri, ++version, INSECURE_NOTEBOOK);
      const d = p.diagnostics.find((x) => x.code === original.code && sameRange(x, original))!;
      const fix = (await actions(uri, [d])).find((a) => isFix(a) && a.isPreferred)!;
      assert.ok(fix, `${d.code}: preferred fix`);
      const fixedText = applyTo(INSECURE_NOTEBOOK, uri, fix.edit);
      assert.notEqual(fixedText, INSECURE_NOTEBOOK);
      const after = await setText(uri, ++version, fixedText);
      assert.ok(!after.diagnostics.some((x) => x.code === d.code), `"${fix.title}" left ${d.code}: ${codes(after).join(', ')}`);
      for (const c of codes(after)) assert.ok(codes(p).includes(c), `"${fix.title}" added ${c}`);
    }
  });

  it('a code action request after a newer version never returns edits for the old version', async () => {
    const uri = await client.open(docPath('ca-stale.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    const p1 = await client.waitForDiagnostics(uri, (d) => d.version === 1 && d.diagnostics.length > 0);
    const d1 = p1.diagnostics.find((d) => d.code === 'SM-ROOT-01')!;
    // Version 2 moves everything one line down; the request follows the change at once (before its analysis).
    const after = client.published.length;
    await client.replace(uri, 2, `# a comment\n${INSECURE_NOTEBOOK}`);
    // The server has analysed version 1 only: it offers no edit at all (computing one for version 1 and stamping
    // it with version 2 would corrupt the file).
    const stale = await actions(uri, [d1]);
    assert.deepEqual(stale.filter((x) => x.edit).map((a) => a.title), []);
    const p2 = await client.waitForDiagnostics(uri, (d) => d.version === 2, { after });
    const d2 = p2.diagnostics.find((d) => d.code === 'SM-ROOT-01')!;
    assert.equal(d2.range.start.line, d1.range.start.line + 1);
    const fresh = await actions(uri, [d2]);
    const fix = fresh.find((a) => isFix(a) && a.isPreferred)!;
    assert.ok(fix);
    for (const c of docEdits(fix.edit)) assert.deepEqual(c.textDocument, { uri, version: 2 });
    assert.match(applyTo(`# a comment\n${INSECURE_NOTEBOOK}`, uri, fix.edit), /RootAccess: Disabled/);
  });

  it('the suppress action writes `# sageshield:ignore RULE reason`, the diagnostic goes; without a reason SS-SUPPRESS-01 comes', async () => {
    const uri = await client.open(docPath('ca-suppress.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    const p = await client.waitForDiagnostics(uri, (d) => d.version === 1 && d.diagnostics.length > 0);
    const root = p.diagnostics.find((d) => d.code === 'SM-ROOT-01')!;
    const sup = (await actions(uri, [root])).find(isSuppress)!;
    const text = applyTo(INSECURE_NOTEBOOK, uri, sup.edit);
    assert.match(text, /^ {2}# sageshield:ignore SM-ROOT-01 reason: why this is acceptable\n {2}Notebook:/m);
    const after = await setText(uri, 2, text);
    assert.ok(!codes(after).includes('SM-ROOT-01'), codes(after).join(', '));
    assert.deepEqual(codes(after), codes(p).filter((c) => c !== 'SM-ROOT-01'));
    // A suppression without a reason still suppresses, and SS-SUPPRESS-01 says so; its fix writes a reason.
    const bare = text.replace(` ${REASON}`, '');
    const p3 = await setText(uri, 3, bare);
    assert.ok(!codes(p3).includes('SM-ROOT-01'));
    const ss = p3.diagnostics.find((d) => d.code === 'SS-SUPPRESS-01');
    assert.ok(ss, codes(p3).join(', '));
    const reasonFix = (await actions(uri, [ss])).find((a) => isFix(a) && a.isPreferred)!;
    assert.ok(reasonFix, 'SS-SUPPRESS-01 offers to add a reason');
    const p4 = await setText(uri, 4, applyTo(bare, uri, reasonFix.edit));
    assert.deepEqual(codes(p4), codes(after));
  });

  it('source.fixAll.sageshield leaves only may-fail or unfixable findings, and writes no suppression', async () => {
    const uri = await client.open(docPath('ca-fixall.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    const p = await client.waitForDiagnostics(uri, (d) => d.version === 1 && d.diagnostics.length > 0);
    // Not computed unless asked for by kind.
    assert.ok(!(await actions(uri, p.diagnostics)).some((a) => a.kind === FIX_ALL_KIND));
    assert.ok(!(await actions(uri, p.diagnostics, ['quickfix'])).some((a) => a.kind === FIX_ALL_KIND));
    const got = await actions(uri, [], [FIX_ALL_KIND]);
    assert.equal(got.length, 1);
    // A parent kind ('source', 'source.fixAll') asks for it too.
    assert.deepEqual((await actions(uri, [], ['source.fixAll'])).map((a) => a.kind), [FIX_ALL_KIND]);
    assert.equal(got[0].kind, FIX_ALL_KIND);
    for (const c of docEdits(got[0].edit)) assert.deepEqual(c.textDocument, { uri, version: 1 });
    const fixed = applyTo(INSECURE_NOTEBOOK, uri, got[0].edit);
    assert.doesNotMatch(fixed, /sageshield:ignore/);
    const after = await setText(uri, 2, fixed);
    assert.ok(after.diagnostics.length < p.diagnostics.length, codes(after).join(', '));
    for (const d of after.diagnostics) {
      const verdict = (d.data as { verdict?: string } | undefined)?.verdict;
      const fixable = (await actions(uri, [d])).some(isFix);
      assert.ok(verdict === 'may-fail' || !fixable, `${d.code} is left although it is a fixable failure`);
    }
  });

  it('workspace/executeCommand sageshield.fixAll sends a versioned workspace/applyEdit; a stale version sends none', async () => {
    const uri = await client.open(docPath('ca-command.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    await client.waitForDiagnostics(uri, (d) => d.version === 1 && d.diagnostics.length > 0);
    const before = applyRequests.length;
    const stale = await client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'sageshield.fixAll', arguments: [{ uri, version: 0 }] });
    assert.deepEqual(stale, { applied: false, fixes: 0, reason: 'stale' });
    assert.equal(applyRequests.length, before);
    const r = (await client.connection.sendRequest(ExecuteCommandRequest.type, {
      command: 'sageshield.fixAll',
      arguments: [{ uri, version: 1 }],
    })) as { applied: boolean; fixes: number };
    assert.equal(r.applied, true);
    assert.ok(r.fixes >= 2, JSON.stringify(r));
    assert.equal(applyRequests.length, before + 1);
    const req = applyRequests[before];
    for (const c of docEdits(req.edit)) assert.deepEqual(c.textDocument, { uri, version: 1 });
    // The same edit as source.fixAll.
    const viaAction = (await actions(uri, [], [FIX_ALL_KIND]))[0];
    assert.equal(applyTo(INSECURE_NOTEBOOK, uri, req.edit), applyTo(INSECURE_NOTEBOOK, uri, viaAction.edit));
    await assert.rejects(client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'sageshield.fixAll', arguments: [] }));
  });

  describe('Terraform module', () => {
    let dir: string;
    let main: string;
    let mainUri: string;
    let mainText: string;

    before(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'sageshield-ca-'));
      cpSync(path.join(FIXTURES, 'tf-notebook'), dir, { recursive: true });
      main = path.join(dir, 'main.tf');
      mainUri = fileUri(main);
      mainText = readFileSync(main, 'utf8');
    });

    after(async () => {
      await client.close(mainUri);
      rmSync(dir, { recursive: true, force: true });
    });

    it('every diagnostic has a fix, a suppress and a docs action; the preferred fix removes it (edits to closed files carry version null)', async () => {
      await client.open(main, mainText, 'terraform', 1);
      const p = await client.waitForDiagnostics(mainUri, (d) => d.version === 1 && d.diagnostics.length > 0);
      assert.ok(codes(p).includes('SM-NET-01'), codes(p).join(', '));
      for (const d of p.diagnostics) {
        const got = await actions(mainUri, [d]);
        assert.ok(got.some(isFix), `${d.code}: ${got.map((a) => a.title).join(' | ')}`);
        assert.equal(got.filter(isSuppress).length, 1);
        assert.equal(got.filter(isDocs).length, 1);
        for (const a of got.filter((x) => x.edit)) {
          for (const c of docEdits(a.edit)) {
            if (c.textDocument.uri === mainUri) assert.equal(c.textDocument.version, 1);
            else assert.equal(c.textDocument.version, null, `${c.textDocument.uri} is not open`);
          }
        }
      }
      const net = p.diagnostics.find((d) => d.code === 'SM-NET-01')!;
      const fix = (await actions(mainUri, [net])).find((a) => isFix(a) && a.isPreferred)!;
      // The fix declares its new variables in variables.tf, which is not open: that edit has version null.
      const closed = docEdits(fix.edit).filter((c) => c.textDocument.version === null).map((c) => path.basename(fileURLToPath(c.textDocument.uri)));
      assert.deepEqual(closed, ['variables.tf']);
      applyToDisk(fix.edit);
      const after = await setText(mainUri, 2, applyTo(mainText, mainUri, fix.edit));
      assert.ok(!codes(after).includes('SM-NET-01'), codes(after).join(', '));
      for (const c of codes(after)) assert.ok(codes(p).includes(c), `"${fix.title}" added ${c}`);
      mainText = applyTo(mainText, mainUri, fix.edit);
    });

    it('the suppress action writes `# sageshield:ignore RULE reason` in HCL and the diagnostic goes', async () => {
      const p = client.latest(mainUri)!;
      const kms = p.diagnostics.find((d) => d.code === 'SM-KMS-01')!;
      assert.ok(kms, codes(p).join(', '));
      const sup = (await actions(mainUri, [kms])).find(isSuppress)!;
      const text = applyTo(mainText, mainUri, sup.edit);
      assert.match(text, /^# sageshield:ignore SM-KMS-01 reason: why this is acceptable\nresource "aws_sagemaker_notebook_instance" "nb"/m);
      const after = await setText(mainUri, 3, text);
      assert.ok(!codes(after).includes('SM-KMS-01'), codes(after).join(', '));
      assert.ok(!codes(after).includes('SS-SUPPRESS-01'));
    });

    it('source.fixAll.sageshield on a fresh copy: versioned for main.tf, null for closed module files; only unfixable findings stay', async () => {
      const dir2 = mkdtempSync(path.join(os.tmpdir(), 'sageshield-ca-'));
      try {
        cpSync(path.join(FIXTURES, 'tf-notebook'), dir2, { recursive: true });
        const main2 = path.join(dir2, 'main.tf');
        const text = readFileSync(main2, 'utf8');
        const uri = await client.open(main2, text, 'terraform', 1);
        const p = await client.waitForDiagnostics(uri, (d) => d.version === 1 && d.diagnostics.length > 0);
        const [all] = await actions(uri, [], [FIX_ALL_KIND]);
        assert.ok(all, 'a fix-all action');
        for (const c of docEdits(all.edit)) assert.equal(c.textDocument.version, c.textDocument.uri === uri ? 1 : null, c.textDocument.uri);
        assert.ok(docEdits(all.edit).some((c) => c.textDocument.uri === uri));
        applyToDisk(all.edit);
        const after = await setText(uri, 2, applyTo(text, uri, all.edit));
        assert.ok(after.diagnostics.length < p.diagnostics.length, codes(after).join(', '));
        for (const d of after.diagnostics) {
          const verdict = (d.data as { verdict?: string } | undefined)?.verdict;
          assert.ok(verdict === 'may-fail' || !(await actions(uri, [d])).some(isFix), `${d.code} is left although it is a fixable failure`);
        }
        await client.close(uri);
      } finally {
        rmSync(dir2, { recursive: true, force: true });
      }
    });
  });
});

describe('LSP: code actions for a client with snippet edits and no client commands', function () {
  let client: LspTestClient;

  before(async function () {
    this.timeout(120000);
    ensureServerBuilt();
    client = await LspTestClient.start({
      debounceMs: 20,
      capabilities: { workspace: { workspaceEdit: { documentChanges: true, snippetEditSupport: true } } },
    });
  });

  after(async () => {
    await client?.stop();
  });

  it('the suppress edit selects the reason (snippet placeholder); no docs action without the client command; no applyEdit capability: the command says so', async () => {
    const uri = await client.open(docPath('ca-snippet.yaml'), INSECURE_NOTEBOOK, 'yaml', 1);
    const p = await client.waitForDiagnostics(uri, (d) => d.version === 1 && d.diagnostics.length > 0);
    const root = p.diagnostics.find((d) => d.code === 'SM-ROOT-01')!;
    const got = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: root.range,
      context: { diagnostics: [root] },
    })) as CodeAction[];
    assert.ok(!got.some((a) => a.command), 'no command the client did not declare');
    const sup = got.find(isSuppress)!;
    const edits = docEdits(sup.edit)[0].edits as Array<{ snippet?: { kind: string; value: string } }>;
    assert.equal(edits.length, 1);
    assert.equal(edits[0].snippet?.kind, 'snippet');
    assert.match(edits[0].snippet!.value, /# sageshield:ignore SM-ROOT-01 \$\{1:reason: why this is acceptable\}\n/);
    // The other fixes are plain edits.
    const fix = got.find((a) => isFix(a) && a.isPreferred)!;
    assert.ok((docEdits(fix.edit)[0].edits as TextEdit[]).every((e) => typeof e.newText === 'string'));
    const r = await client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'sageshield.fixAll', arguments: [{ uri, version: 1 }] });
    assert.deepEqual(r, { applied: false, fixes: 0, reason: 'unsupported' });
  });
});
