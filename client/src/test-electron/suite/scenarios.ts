// The real-editor scenarios of test/editor, written against the VS Code API for @vscode/test-electron.
// Expected counts come from the CLI run on the same file, never from a hard-coded number.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';

const root = process.env.SAGESHIELD_ROOT ?? path.resolve(__dirname, '..', '..');
const nodeExe = process.env.SAGESHIELD_NODE ?? 'node';

interface CliFinding { ruleId: string; file: string; range: { start: { line: number } } }

function cliFindings(file: string): CliFinding[] {
  let out: string;
  try {
    out = execFileSync(nodeExe, [path.join(root, 'dist', 'cli.js'), 'scan', file, '--format', 'json'], { cwd: path.dirname(file), encoding: 'utf8' });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? ''); // exit 1 means "findings at or above --fail-on"
  }
  const base = path.basename(file);
  return (JSON.parse(out).findings as CliFinding[]).filter((f) => path.basename(f.file) === base);
}

async function poll<T>(what: string, check: () => T | undefined | false, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'sageshield');
const codeOf = (d: vscode.Diagnostic) => String(typeof d.code === 'object' ? d.code.value : d.code);
const ws = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

export function register(): void {
  describe('SageShield in VS Code (@vscode/test-electron)', () => {
    const cfn = () => vscode.Uri.file(path.join(ws(), 'cfn', 'notebook.yaml'));

    it('(a) is installed and the fixture workspace is open', async () => {
      const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'sageshield');
      assert.ok(ext, 'the SageShield extension is not loaded');
      assert.ok(vscode.workspace.workspaceFolders?.length === 1);
    });

    it('(b) reports the CloudFormation findings the CLI reports', async () => {
      await vscode.window.showTextDocument(cfn());
      const n = cliFindings(cfn().fsPath).length;
      assert.ok(n > 0);
      await poll(`${n} diagnostics`, () => ours(cfn()).length === n);
    });

    it('(c) reports the Terraform module findings', async () => {
      const tf = vscode.Uri.file(path.join(ws(), 'terraform', 'notebook', 'main.tf'));
      await vscode.window.showTextDocument(tf);
      const n = cliFindings(tf.fsPath).length;
      assert.ok(n > 0);
      await poll(`${n} diagnostics`, () => ours(tf).length === n);
    });

    it('(d) drops the root-access diagnostic once RootAccess is typed as Disabled', async () => {
      const editor = await vscode.window.showTextDocument(cfn());
      const line = editor.document.getText().split('\n').findIndex((l) => /RootAccess: Enabled/.test(l));
      const col = editor.document.lineAt(line).text.indexOf('Enabled');
      editor.selection = new vscode.Selection(line, col, line, col + 'Enabled'.length);
      await vscode.commands.executeCommand('type', { text: 'Disabled' });
      await poll('SM-ROOT-01 gone', () => !ours(cfn()).some((d) => codeOf(d) === 'SM-ROOT-01'));
      await editor.document.save();
      const n = cliFindings(cfn().fsPath).length;
      await poll(`${n} diagnostics`, () => ours(cfn()).length === n);
    });

    it('(e) drops a rule disabled in the settings', async () => {
      await poll('an SM-KMS-01 diagnostic', () => ours(cfn()).some((d) => codeOf(d) === 'SM-KMS-01'));
      await vscode.workspace.getConfiguration('sageshield', cfn()).update('rules.disabled', ['SM-KMS-01'], vscode.ConfigurationTarget.WorkspaceFolder);
      await poll('SM-KMS-01 gone', () => !ours(cfn()).some((d) => codeOf(d) === 'SM-KMS-01'));
      const n = cliFindings(cfn().fsPath).filter((f) => f.ruleId !== 'SM-KMS-01').length;
      await poll(`${n} diagnostics`, () => ours(cfn()).length === n);
    });

    it('(f) reports nothing on a YAML file that is not a template', async () => {
      const plain = vscode.Uri.file(path.join(ws(), 'config', 'app-settings.yaml'));
      await vscode.window.showTextDocument(plain);
      // Barrier: re-open the template after the plain file; once its diagnostics are current, the plain file has been seen too.
      await vscode.window.showTextDocument(cfn());
      await poll('template diagnostics', () => ours(cfn()).length > 0);
      assert.deepEqual(ours(plain), []);
    });

    it('(g) applies the first quick-fix and saves it', async function () {
      const uri = cfn();
      const diag = ours(uri)[0];
      assert.ok(diag, 'no diagnostic to fix');
      const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range, vscode.CodeActionKind.QuickFix.value)) ?? [];
      const fix = actions.find((a) => a.edit || a.command);
      assert.ok(fix, 'no quick-fix offered for the diagnostic');
      const before = readFileSync(uri.fsPath, 'utf8');
      if (fix.edit) await vscode.workspace.applyEdit(fix.edit);
      if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
      await (await vscode.workspace.openTextDocument(uri)).save();
      assert.notEqual(readFileSync(uri.fsPath, 'utf8'), before);
    });
  });
}
