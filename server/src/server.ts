/**
 * The SageShield language server: LSP wiring only (connection, documents, capabilities, settings,
 * scheduling). The work is in `lsp/` services. Runs over IPC (the VS Code client), `--stdio` (Neovim, Helix,
 * Emacs) or `--socket=N`: `createConnection()` reads the transport from the command line.
 */
import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { clientFeatures, CodeActionService } from './lsp/code-actions';
import { executeCommand, SERVER_COMMANDS } from './lsp/commands';
import { DiagnosticsService } from './lsp/diagnostics-service';
import { uriToPath } from './lsp/documents';
import { ProjectConfigService } from './lsp/project-config';
import { SettingsService } from './lsp/settings';
import { FIX_ALL_KIND, SETTINGS_SECTION, StatusRequest, type SageShieldInitializationOptions, type ServerStatus } from './shared/protocol';

const SERVER_VERSION = '0.1.0';
const DEFAULT_DEBOUNCE_MS = 150;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

const log = (m: string): void => connection.console.log(m);
const error = (m: string): void => connection.console.error(m);

// A bug must never take the server down: log it and go on.
process.on('uncaughtException', (e) => error(`uncaught: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
process.on('unhandledRejection', (e) => error(`unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));

let service: DiagnosticsService | undefined;
let settings: SettingsService | undefined;
let projectConfig: ProjectConfigService | undefined;
let codeActions: CodeActionService | undefined;
let clientAppliesEdits = false;
let dynamicConfigurationRegistration = false;
let workspaceFolderEvents = false;
/** Workspace folder paths: the project config is looked up to the folder that holds a document. */
let roots: string[] = [];

connection.onInitialize((params): InitializeResult => {
  const caps = params.capabilities;
  const init = (params.initializationOptions ?? {}) as SageShieldInitializationOptions;
  const debounceMs =
    typeof init.debounceMs === 'number' && Number.isFinite(init.debounceMs) && init.debounceMs >= 0 ? init.debounceMs : DEFAULT_DEBOUNCE_MS;
  dynamicConfigurationRegistration = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
  settings = new SettingsService(
    caps.workspace?.configuration
      ? { getConfiguration: (scopeUri, section) => connection.workspace.getConfiguration({ scopeUri, section }) }
      : undefined,
    log,
  );
  workspaceFolderEvents = caps.workspace?.workspaceFolders === true;
  roots = (params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: '' }] : []))
    .map((f) => uriToPath(f.uri))
    .filter((p): p is string => p !== undefined);
  projectConfig = new ProjectConfigService(() => roots, log);
  service = new DiagnosticsService(
    documents,
    settings,
    { publish: (uri, version, diagnostics) => void connection.sendDiagnostics({ uri, version, diagnostics }) },
    { debounceMs, log, error, projectConfig },
  );
  codeActions = new CodeActionService(documents, service, clientFeatures(caps, init.clientCommands));
  clientAppliesEdits = caps.workspace?.applyEdit === true;
  log(`SageShield ${SERVER_VERSION} started (debounce ${debounceMs} ms, settings ${settings.pullsConfiguration ? 'pulled' : 'pushed or defaults'})`);
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
      executeCommandProvider: { commands: SERVER_COMMANDS },
    },
    serverInfo: { name: 'sageshield', version: SERVER_VERSION },
  };
});

connection.onInitialized(() => {
  if (dynamicConfigurationRegistration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
  }
  if (workspaceFolderEvents) {
    connection.workspace.onDidChangeWorkspaceFolders((e) => {
      const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
      const added = e.added.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
      roots = [...roots.filter((r) => !removed.has(r)), ...added];
      projectConfig?.invalidate();
      service?.reanalyzeAll();
    });
  }
});

connection.onDidChangeConfiguration((params) => {
  settings?.changed(params.settings);
  projectConfig?.invalidate();
  service?.reanalyzeAll();
});

connection.onDidChangeWatchedFiles((params) => {
  const paths = params.changes.map((c) => uriToPath(c.uri)).filter((p): p is string => p !== undefined);
  service?.filesChanged(paths);
});

// onDidChangeContent also fires right after onDidOpen: the open handler analyses at once, without a delay.
const openedVersion = new Map<string, number>();
documents.onDidOpen((e) => {
  openedVersion.set(e.document.uri, e.document.version);
  service?.opened(e.document.uri);
});
documents.onDidChangeContent((e) => {
  if (openedVersion.get(e.document.uri) === e.document.version) return;
  openedVersion.delete(e.document.uri);
  service?.changed(e.document.uri);
});
documents.onDidClose((e) => {
  openedVersion.delete(e.document.uri);
  service?.closed(e.document.uri);
});

connection.onRequest(StatusRequest.type, (): ServerStatus => ({
  version: SERVER_VERSION,
  openDocuments: documents.keys(),
  analyses: service?.analysisCount ?? 0,
  pending: service?.pendingCount ?? 0,
}));

connection.onCodeAction((params) => {
  try {
    return codeActions?.codeActions(params) ?? [];
  } catch (e) {
    error(`code actions for ${params.textDocument.uri} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return [];
  }
});

connection.onExecuteCommand((params) => {
  if (!codeActions) throw new Error('server not initialised');
  return executeCommand(params, {
    codeActions,
    ...(clientAppliesEdits ? { applyEdit: (label, edit) => connection.workspace.applyEdit({ label, edit }) } : {}),
  });
});

connection.onShutdown(() => service?.dispose());

documents.listen(connection);
connection.listen();
