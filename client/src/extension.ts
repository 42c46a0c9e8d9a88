/**
 * The VS Code side of SageShield: starts the language server (dist/server.js) over IPC, and registers the
 * commands. Everything else happens in the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { SETTINGS_SECTION } from '../../server/src/shared/protocol';
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
        client = createClient(context, output!);
        await startClient(client);
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
  );

  client = createClient(context, output);
  await startClient(client);
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop();
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
