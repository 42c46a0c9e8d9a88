/**
 * The VS Code side of SageShield: starts the language server (dist/server.js) over IPC, and registers the
 * commands. Everything else happens in the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  SERVER_FIX_ALL_COMMAND,
  SETTINGS_SECTION,
  type FixAllCommandArgs,
  type FixAllCommandResult,
  type SageShieldInitializationOptions,
} from '../../server/src/shared/protocol';
import { isCloudFormationTemplate, isTerraformPath } from '../../server/src/shared/detect';
import { COMMANDS, DOCUMENT_SELECTOR, OUTPUT_CHANNEL_NAME } from './constants';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.showOutput, () => output?.show(true)),
    vscode.commands.registerCommand(COMMANDS.restartServer, async () => {
      if (!client) {
        await startOnce(context);
        return;
      }
      output?.info('Restarting the SageShield server...');
      try {
        await client.restart();
      } catch (e) {
        output?.error(`Restart failed: ${e instanceof Error ? e.message : String(e)}`);
        void vscode.window.showErrorMessage('SageShield: the server could not be restarted. See the SageShield output.');
      }
    }),
    // Code actions' "Show documentation for RULE".
    vscode.commands.registerCommand(COMMANDS.openDocs, async (url: unknown) => {
      if (typeof url === 'string' && /^https?:\/\//.test(url)) await vscode.env.openExternal(vscode.Uri.parse(url));
    }),
    vscode.commands.registerCommand(COMMANDS.fixAllInFile, fixAllInFile),
  );

  // Activation happens for any YAML/JSON file (VS Code cannot activate on content); the server starts only once
  // a document it serves is open: a Terraform file or a CloudFormation template (also one typed into a new file).
  if (vscode.workspace.textDocuments.some(isServed)) {
    await startOnce(context);
    return;
  }
  output.info('Waiting for a CloudFormation template or a Terraform file before starting the server.');
  const waiters: vscode.Disposable[] = [];
  const maybeStart = (doc: vscode.TextDocument) => {
    if (client || !isServed(doc)) return;
    for (const w of waiters) w.dispose();
    void startOnce(context);
  };
  waiters.push(
    vscode.workspace.onDidOpenTextDocument(maybeStart),
    vscode.workspace.onDidChangeTextDocument((e) => maybeStart(e.document)),
  );
  context.subscriptions.push(...waiters);
}

/** A document the server analyses: a `.tf`/`.tfvars` file, or a YAML/JSON CloudFormation template. */
function isServed(doc: vscode.TextDocument): boolean {
  if (doc.uri.scheme !== 'file') return false;
  if (isTerraformPath(doc.fileName) || doc.languageId === 'terraform') return true;
  return (doc.languageId === 'yaml' || doc.languageId === 'json') && isCloudFormationTemplate(doc.fileName, doc.getText());
}

async function startOnce(context: vscode.ExtensionContext): Promise<void> {
  if (client) return;
  client = createClient(context, output!);
  output?.info('Starting the SageShield server.');
  await startClient(client);
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop();
}

/** Applies every preferred fix of the active document, through the server (the edit is tied to the version shown). */
async function fixAllInFile(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor) return;
  const args: FixAllCommandArgs = { uri: editor.document.uri.toString(), version: editor.document.version };
  try {
    const r = (await client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_FIX_ALL_COMMAND, arguments: [args] })) as
      | FixAllCommandResult
      | undefined;
    if (r && !r.applied) {
      const why: Record<string, string> = {
        stale: 'the file changed meanwhile; try again',
        'nothing-to-fix': 'nothing to fix',
        'not-analysed': 'the file has not been analysed yet',
      };
      void vscode.window.showInformationMessage(`SageShield: ${why[r.reason ?? ''] ?? `no fix applied (${r.reason ?? 'unknown'})`}.`);
    }
  } catch (e) {
    output?.error(`Fix all failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function createClient(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    synchronize: {
      configurationSection: SETTINGS_SECTION,
      // Module files that are not open still change the module (variables, tfvars); the project config too.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.tf,terraform.tfvars,*.auto.tfvars,.sageshield.json}'),
    },
    outputChannel: channel,
    traceOutputChannel: channel,
    // The client-side commands the server may put in code actions.
    initializationOptions: { clientCommands: [COMMANDS.openDocs] } satisfies SageShieldInitializationOptions,
  };
  return new LanguageClient('sageshield', 'SageShield', serverOptions, clientOptions);
}

async function startClient(c: LanguageClient): Promise<void> {
  try {
    await c.start();
  } catch (e) {
    output?.error(`The SageShield server did not start: ${e instanceof Error ? e.message : String(e)}`);
    void vscode.window.showErrorMessage('SageShield: the language server did not start. See the SageShield output.');
  }
}
