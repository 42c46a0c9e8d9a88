// The real-editor harness: code-server (VS Code in the browser, installed by scripts/editor-setup.sh and
// cached outside the repository) with the packaged .vsix installed into a clean extensions folder, driven
// through Debian's chromium by playwright-core. Every process it starts is started in its own process
// group and stopped by that group's id; nothing is ever killed by name.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '..', '..');
export const VSIX = process.env.SAGESHIELD_VSIX ?? path.join(ROOT, 'sageshield-0.1.0.vsix');
export const RESULTS_DIR = path.join(ROOT, 'test-results', 'editor');
export const FIXTURE_WORKSPACE = path.join(ROOT, 'test', 'fixtures', 'editor-workspace');

export interface Tools {
  codeServer: string;
  node24Bin: string;
  chromium: string;
  setupMs: number;
}

/** Runs scripts/editor-setup.sh (about a second when its cache is warm) and reads the paths it prints. */
export function runSetup(): Tools {
  const started = Date.now();
  // Its progress (stderr) streams to the test output; a cold install takes about 4 minutes.
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'editor-setup.sh')], { encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`scripts/editor-setup.sh failed (exit ${r.status}):\n${r.stdout}`);
  const value = (key: string): string => {
    const m = new RegExp(`^${key}=(.+)$`, 'm').exec(r.stdout);
    if (!m) throw new Error(`scripts/editor-setup.sh printed no ${key}= line:\n${r.stdout}`);
    return m[1].trim();
  };
  return { codeServer: value('CODE_SERVER'), node24Bin: value('NODE24_BIN'), chromium: value('CHROMIUM'), setupMs: Date.now() - started };
}

/**
 * The .vsix to test (`npm run package` normally made it). Missing: build and package it. Older than the
 * bundles, package.json or .vscodeignore: package it again (vsce only, a few seconds).
 */
export function ensureVsix(): string {
  if (process.env.SAGESHIELD_VSIX) {
    if (!existsSync(VSIX)) throw new Error(`SAGESHIELD_VSIX=${VSIX} does not exist`);
    return VSIX;
  }
  const opts = { cwd: ROOT, encoding: 'utf8' as const, maxBuffer: 64 << 20 };
  const bundles = ['client.js', 'server.js', 'cli.js'].map((f) => path.join(ROOT, 'dist', f));
  if (!bundles.every(existsSync)) {
    console.log('      dist/ is not built: npm run build');
    const b = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], opts);
    if (b.status !== 0) throw new Error(`build failed:\n${b.stdout}\n${b.stderr}`);
  }
  const inputs = [...bundles, path.join(ROOT, 'package.json'), path.join(ROOT, '.vscodeignore')].filter(existsSync);
  const stale = existsSync(VSIX) && inputs.some((f) => statSync(f).mtimeMs > statSync(VSIX).mtimeMs);
  if (existsSync(VSIX) && !stale) return VSIX;
  console.log(`      ${path.basename(VSIX)} ${stale ? 'is older than dist/ or the manifest' : 'is missing'}: vsce package`);
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const p = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', VSIX], opts);
  if (p.status !== 0 || !existsSync(VSIX)) throw new Error(`vsce package failed:\n${p.stdout}\n${p.stderr}`);
  return VSIX;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a value that is not undefined/false, or throws after `timeoutMs`. */
export async function poll<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Lists files under `dir` recursively (absolute paths). */
export function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** Sends SIGTERM to a process group, then SIGKILL if it is still there after `graceMs`. */
export async function killGroup(pgid: number | undefined, graceMs = 3000): Promise<void> {
  if (!pgid) return;
  const alive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive()) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string; // R, S, Z...
  cmdline: string[];
}

/** A process's parent, group, state and command line from /proc, or undefined if it is gone. */
export function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses, so split after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a.length > 0);
    return { pid, ppid: Number(f[1]), pgid: Number(f[2]), state: f[0], cmdline };
  } catch {
    return undefined;
  }
}

export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'editor.minimap.enabled': false,
  'files.autoSave': 'off',
  'problems.defaultViewMode': 'table',
  'editor.lightbulb.enabled': 'off',
};

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export class EditorSession {
  readonly tmp: string;
  readonly workspace: string;
  readonly userData: string;
  readonly extensionsDir: string;
  readonly serverLog: string;
  port = 0;
  private codeServer?: ChildProcess;
  private browserServer?: BrowserServer;
  private browser?: Browser;
  page!: Page;
  timings: Record<string, number> = {};

  constructor(private readonly tools: Tools, private readonly vsix: string) {
    this.tmp = mkdtempSync(path.join(os.tmpdir(), 'sageshield-editor-'));
    this.workspace = path.join(this.tmp, 'workspace');
    this.userData = path.join(this.tmp, 'user-data');
    this.extensionsDir = path.join(this.tmp, 'extensions');
    this.serverLog = path.join(this.tmp, 'code-server.log');
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PATH: `${this.tools.node24Bin}${path.delimiter}${process.env.PATH ?? ''}`,
      XDG_CONFIG_HOME: path.join(this.tmp, 'xdg-config'),
      XDG_DATA_HOME: path.join(this.tmp, 'xdg-data'),
      XDG_CACHE_HOME: path.join(this.tmp, 'xdg-cache'),
      XDG_STATE_HOME: path.join(this.tmp, 'xdg-state'),
      HOME: path.join(this.tmp, 'home'),
      // Keep code-server from reading or proxying anything of the machine it runs on.
      VSCODE_PROXY_URI: '',
    };
  }

  /** Copies the fixture workspace, installs the .vsix into a clean extensions folder and starts code-server. */
  async start(): Promise<void> {
    let t = Date.now();
    cpSync(FIXTURE_WORKSPACE, this.workspace, { recursive: true });
    for (const d of ['xdg-config', 'xdg-data', 'xdg-cache', 'xdg-state', 'home', 'user-data/User', 'extensions']) mkdirSync(path.join(this.tmp, d), { recursive: true });
    writeFileSync(path.join(this.userData, 'User', 'settings.json'), JSON.stringify(QUIET_SETTINGS, null, 2));

    const install = spawnSync(this.tools.codeServer, ['--user-data-dir', this.userData, '--extensions-dir', this.extensionsDir, '--install-extension', this.vsix], {
      env: this.env(), encoding: 'utf8', timeout: 120000,
    });
    if (install.status !== 0) throw new Error(`code-server --install-extension failed (exit ${install.status}):\n${install.stdout}\n${install.stderr}`);
    this.timings.installExtensionMs = Date.now() - t;

    t = Date.now();
    this.port = await freePort();
    const log = createWriteStream(this.serverLog);
    // detached: the child calls setsid(), so its pid is the id of a new process group that holds the
    // extension host and the language server too; stop() kills that group.
    this.codeServer = spawn(this.tools.codeServer, [
      '--bind-addr', `127.0.0.1:${this.port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--disable-getting-started-override',
      '--user-data-dir', this.userData, '--extensions-dir', this.extensionsDir, this.workspace,
    ], { env: this.env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.codeServer.stdout?.pipe(log);
    this.codeServer.stderr?.pipe(log);
    const cs = this.codeServer;
    await poll('code-server /healthz', async () => {
      if (cs.exitCode !== null) throw new Error(`code-server exited (${cs.exitCode}); log: ${this.serverLog}`);
      const res = await fetch(`http://127.0.0.1:${this.port}/healthz`);
      return res.status === 200;
    }, 60000, 150);
    this.timings.codeServerStartMs = Date.now() - t;

    t = Date.now();
    this.browserServer = await chromium.launchServer({ executablePath: this.tools.chromium, headless: true, args: CHROMIUM_ARGS });
    this.browser = await chromium.connect(this.browserServer.wsEndpoint());
    const context = await this.browser.newContext({ viewport: { width: 1600, height: 1100 } });
    this.page = await context.newPage();
    this.timings.browserStartMs = Date.now() - t;
  }

  /** The pid of the code-server this session started: also the id of its process group and session (setsid). */
  get codeServerPid(): number | undefined {
    return this.codeServer?.pid;
  }

  /**
   * The processes descended from this session's code-server (found by walking parent pids under /proc, never
   * by name), with their process group and command line. Processes that end during the walk are left out.
   */
  descendants(): ProcInfo[] {
    const root = this.codeServer?.pid;
    if (!root) return [];
    const all = new Map<number, ProcInfo>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const info = readProc(Number(name));
      if (info) all.set(info.pid, info);
    }
    const out: ProcInfo[] = [];
    const frontier = [root];
    while (frontier.length > 0) {
      const parent = frontier.pop()!;
      for (const p of all.values()) {
        if (p.ppid === parent && !out.includes(p)) {
          out.push(p);
          frontier.push(p.pid);
        }
      }
    }
    return out;
  }

  /**
   * SageShield language servers started by this session: descendants of its code-server, in its process
   * group, whose command line runs `dist/server.js` of the extension installed in this session's clean
   * extensions folder.
   */
  languageServers(): ProcInfo[] {
    const root = this.codeServer?.pid;
    const serverJs = this.installedExtensions().map((n) => path.join(this.extensionsDir, n, 'dist', 'server.js'));
    return this.descendants().filter((p) => p.pgid === root && p.state !== 'Z' && p.cmdline.some((a) => serverJs.includes(a)));
  }

  /** Extension installed by --install-extension, as `publisher.name-version` folders. */
  installedExtensions(): string[] {
    return readdirSync(this.extensionsDir).filter((n) => !n.startsWith('.') && n !== 'extensions.json');
  }

  /** Log files written under the user-data folder's logs/ (extension host, output channels). */
  logFiles(): string[] {
    return walk(path.join(this.userData, 'logs')).filter((f) => f.endsWith('.log'));
  }

  /** The SageShield output channel's log file(s) (a file named after the channel, under logs/). */
  extensionOutputLogs(): string[] {
    return this.logFiles().filter((f) => /sageshield/i.test(path.basename(f)));
  }

  /** The remote extension host log (records which extensions activated and why). */
  extensionHostLogs(): string[] {
    return this.logFiles().filter((f) => /remoteexthost\.log$|exthost\.log$/i.test(path.basename(f)));
  }

  readLogs(files: string[]): string {
    return files.map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : '')).join('\n');
  }

  /** On failure: a screenshot, the code-server log and every log under the user-data folder go to test-results/editor/. */
  async saveArtifacts(label: string): Promise<string[]> {
    const dir = path.join(RESULTS_DIR, label.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80));
    mkdirSync(dir, { recursive: true });
    const saved: string[] = [];
    try {
      if (this.page && !this.page.isClosed()) {
        const shot = path.join(dir, 'screenshot.png');
        await this.page.screenshot({ path: shot, timeout: 10000 });
        saved.push(shot);
      }
    } catch (e) {
      console.log(`      (screenshot failed: ${(e as Error).message})`);
    }
    if (existsSync(this.serverLog)) {
      copyFileSync(this.serverLog, path.join(dir, 'code-server.log'));
      saved.push(path.join(dir, 'code-server.log'));
    }
    for (const f of this.logFiles()) {
      if (statSync(f).size === 0) continue;
      const rel = path.relative(path.join(this.userData, 'logs'), f).replace(/[\\/]/g, '__');
      copyFileSync(f, path.join(dir, rel));
      saved.push(path.join(dir, rel));
    }
    return saved;
  }

  async stop(): Promise<void> {
    try {
      await this.browser?.close();
    } catch {
      /* the browser may already be gone */
    }
    const chromiumPid = this.browserServer?.process().pid;
    try {
      await this.browserServer?.close();
    } catch {
      /* ignore */
    }
    // playwright starts chromium in its own process group (detached); code-server got one from setsid.
    await killGroup(chromiumPid);
    await killGroup(this.codeServer?.pid);
    // Failures copied their artifacts to test-results/editor/ already; SAGESHIELD_EDITOR_KEEP=1 keeps the folder.
    if (!process.env.SAGESHIELD_EDITOR_KEEP) rmSync(this.tmp, { recursive: true, force: true });
  }
}
