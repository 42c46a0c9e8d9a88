/**
 * A small LSP client for tests: spawns the BUILT server bundle (dist/server.js) with `--stdio` (or
 * `--node-ipc`), speaks JSON-RPC to it over the child's pipes (or the Node IPC channel), answers
 * `workspace/configuration` from a settable object, and records every `textDocument/publishDiagnostics`. No sleeps: `waitFor` polls a predicate with a timeout.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  IPCMessageReader,
  IPCMessageWriter,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

export const ROOT = path.resolve(__dirname, '..', '..');
export const SERVER_BUNDLE = path.join(ROOT, 'dist', 'server.js');

/** Builds dist/ when dist/server.js is missing or older than a file under server/src. */
export function ensureServerBuilt(): void {
  const built = existsSync(SERVER_BUNDLE) ? statSync(SERVER_BUNDLE).mtimeMs : 0;
  if (built > 0 && newestMtime(path.join(ROOT, 'server', 'src')) <= built) return;
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(SERVER_BUNDLE)) {
    throw new Error(`build failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (ent.isFile()) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export function fileUri(p: string): string {
  return pathToFileURL(p).href;
}

export interface LspClientOptions {
  /** Advertise `workspace.configuration` (default true). */
  configuration?: boolean;
  /** The `sageshield` section answered to `workspace/configuration`. */
  settings?: Record<string, unknown>;
  /** initializationOptions.debounceMs. */
  debounceMs?: number;
  rootPath?: string;
  /** `stdio` (default: what Neovim/Helix use) or `ipc` (`--node-ipc`: what the VS Code client uses). */
  transport?: 'stdio' | 'ipc';
  /** Extra client capabilities, merged into `workspace` and `textDocument` (e.g. `workspace.applyEdit`). */
  capabilities?: ClientCapabilities;
  /** Extra initializationOptions (merged with debounceMs). */
  initializationOptions?: Record<string, unknown>;
}

export class LspTestClient {
  /** Every publishDiagnostics, in arrival order. */
  readonly published: PublishDiagnosticsParams[] = [];
  readonly logs: string[] = [];
  /** `workspace/configuration` requests received (their scope URIs). */
  readonly configurationRequests: string[] = [];
  settings: Record<string, unknown>;
  /** While set, answers to `workspace/configuration` wait for it (holds the server mid-analysis). */
  configurationGate: Promise<void> | undefined;
  initializeResult: InitializeResult | undefined;
  private stderr = '';
  private exited = false;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly connection: ProtocolConnection,
    settings: Record<string, unknown>,
  ) {
    this.settings = settings;
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString('utf8')));
    child.on('exit', () => (this.exited = true));
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.published.push(p);
    });
    connection.onNotification(LogMessageNotification.type, (p) => {
      this.logs.push(p.message);
    });
    connection.onRequest(ConfigurationRequest.type, async (params) => {
      for (const item of params.items) this.configurationRequests.push(item.scopeUri ?? '');
      if (this.configurationGate) await this.configurationGate;
      return params.items.map((item) => (item.section === 'sageshield' ? this.settings : null));
    });
    connection.onRequest(RegistrationRequest.type, () => undefined);
  }

  static async start(options: LspClientOptions = {}): Promise<LspTestClient> {
    const ipc = options.transport === 'ipc';
    const child = spawn(process.execPath, [SERVER_BUNDLE, ipc ? '--node-ipc' : '--stdio'], {
      cwd: ROOT,
      stdio: ipc ? ['pipe', 'pipe', 'pipe', 'ipc'] : ['pipe', 'pipe', 'pipe'],
    }) as ChildProcessWithoutNullStreams; // stdin/stdout/stderr are pipes either way
    const connection = ipc
      ? createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child))
      : createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const client = new LspTestClient(child, connection, options.settings ?? {});
    connection.listen();
    // Default workspace: the LSP fixtures, so a `.sageshield.json` at the repository root cannot change the results.
    const rootPath = options.rootPath ?? path.join(ROOT, 'test', 'lsp', 'fixtures');
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}) during initialize:\n${client.stderr}`))),
    );
    exited.catch(() => undefined);
    client.initializeResult = await Promise.race([exited, connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: fileUri(rootPath),
      workspaceFolders: [{ uri: fileUri(rootPath), name: path.basename(rootPath) }],
      capabilities: {
        ...options.capabilities,
        workspace: {
          configuration: options.configuration ?? true,
          workspaceFolders: true,
          didChangeConfiguration: { dynamicRegistration: true },
          ...options.capabilities?.workspace,
        },
        textDocument: {
          publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
          ...options.capabilities?.textDocument,
        },
      },
      initializationOptions: { ...options.initializationOptions, ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}) },
    })]);
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isAlive(): boolean {
    return !this.exited;
  }

  get serverStderr(): string {
    return this.stderr;
  }

  async open(filePath: string, text: string, languageId: string, version = 1): Promise<string> {
    const uri = fileUri(filePath);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
    return uri;
  }

  /** Replaces the whole text (a full-content change event). */
  async replace(uri: string, version: number, text: string): Promise<void> {
    await this.change(uri, version, [{ text }]);
  }

  async change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges });
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** Sets the settings answered from now on and tells the server they changed (pull model: `settings` null). */
  async setSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  request<R>(method: string, params?: unknown): Promise<R> {
    return this.connection.sendRequest(method, params ?? {}) as Promise<R>;
  }

  /** Publishes for `uri`, in arrival order. */
  diagnosticsFor(uri: string): PublishDiagnosticsParams[] {
    return this.published.filter((p) => p.uri === uri);
  }

  latest(uri: string): PublishDiagnosticsParams | undefined {
    const all = this.diagnosticsFor(uri);
    return all[all.length - 1];
  }

  /** Polls `predicate` (sync or async) every 10 ms until it gives a truthy value (returned), or fails after `timeoutMs`. */
  async waitFor<T>(
    predicate: () => T | undefined | null | false | Promise<T | undefined | null | false>,
    timeoutMs = 10000,
    what = 'condition',
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await predicate();
      if (v) return v;
      if (this.exited) throw new Error(`server exited while waiting for ${what}; stderr:\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Waits for a publish for `uri` that satisfies `predicate` and arrived after `after` publishes in total. */
  waitForDiagnostics(
    uri: string,
    predicate: (p: PublishDiagnosticsParams) => boolean = () => true,
    options: { after?: number; timeoutMs?: number } = {},
  ): Promise<PublishDiagnosticsParams> {
    const after = options.after ?? 0;
    return this.waitFor(
      () => this.published.slice(after).find((p) => p.uri === uri && predicate(p)),
      options.timeoutMs ?? 10000,
      `diagnostics for ${uri}`,
    );
  }

  /** shutdown + exit, then kill the process by PID if it is still there. */
  async stop(): Promise<void> {
    try {
      if (!this.exited) {
        await Promise.race([
          this.connection.sendRequest(ShutdownRequest.type).then(() => this.connection.sendNotification(ExitNotification.type)),
          new Promise((r) => setTimeout(r, 2000)),
        ]);
        await this.waitFor(() => this.exited, 2000, 'server exit').catch(() => undefined);
      }
    } catch {
      // The connection may be gone already.
    } finally {
      this.connection.dispose();
      if (!this.exited && this.child.pid !== undefined) {
        try {
          process.kill(this.child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
  }
}
