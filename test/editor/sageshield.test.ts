// SageShield in a real VS Code: code-server (installed by scripts/editor-setup.sh, cached outside the repo)
// with the packaged .vsix installed into a clean extensions folder, driven by keyboard through Debian's
// chromium and playwright-core. Expected diagnostics are computed by the CLI on the same file, never
// hard-coded. Run: npm run package && node scripts/test.mjs editor
// Overrides: SAGESHIELD_VSIX (a .vsix to test), SAGESHIELD_CLI (the CLI that computes expectations),
// SAGESHIELD_EDITOR_CACHE (where the setup script caches code-server and Node 24).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EditorSession, ensureVsix, poll, readProc, ROOT, runSetup } from './harness';
import { Workbench, type ProblemRow } from './workbench';

const CLI = process.env.SAGESHIELD_CLI ?? path.join(ROOT, 'dist', 'cli.js');
const CFN = 'cfn/notebook.yaml';
const TF = 'terraform/notebook/main.tf';
const PLAIN = 'config/app-settings.yaml';

interface CliFinding {
  ruleId: string;
  file: string;
  range: { start: { line: number; character: number } };
  fixes?: string[];
}

/**
 * Findings the CLI reports for a workspace file (the same engine as the server), as the expectation, less
 * the rules that the workspace's .vscode/settings.json disables (an editor setting the CLI does not read).
 */
function cliFindings(workspace: string, rel: string): CliFinding[] {
  const abs = path.join(workspace, rel);
  const r = spawnSync(process.execPath, [CLI, 'scan', abs, '--format', 'json'], { cwd: workspace, encoding: 'utf8', maxBuffer: 16 << 20 });
  // Exit 0: nothing at or above --fail-on; 1: findings; 2: usage or I/O error.
  assert.ok(r.status === 0 || r.status === 1, `CLI failed (exit ${r.status}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { findings: CliFinding[] };
  const settingsFile = path.join(workspace, '.vscode', 'settings.json');
  const disabled: string[] = existsSync(settingsFile) ? JSON.parse(readFileSync(settingsFile, 'utf8'))['sageshield.rules.disabled'] ?? [] : [];
  return out.findings.filter((f) => (path.resolve(workspace, f.file) === abs || path.resolve(f.file) === abs) && !disabled.includes(f.ruleId));
}

const codes = (rows: { code?: string; ruleId?: string }[]) => rows.map((r) => r.code ?? r.ruleId ?? '').sort();

describe('SageShield in a real VS Code (code-server + chromium)', function () {
  this.timeout(240000);
  let session: EditorSession;
  let wb: Workbench;
  const suiteStarted = Date.now();

  before(async function () {
    this.timeout(900000); // a cold setup installs code-server (~4 min); a cached one takes about a second
    const tools = runSetup();
    console.log(`      setup: ${tools.setupMs} ms (scripts/editor-setup.sh)`);
    const vsix = ensureVsix();
    session = new EditorSession(tools, vsix);
    await session.start();
    wb = new Workbench(session.page, session.port);
    console.log(`      code-server on 127.0.0.1:${session.port}, ${JSON.stringify(session.timings)}, tmp ${session.tmp}`);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      const saved = await session.saveArtifacts(this.currentTest.fullTitle());
      console.log(`      artifacts of the failure:\n${saved.map((s) => `        ${s}`).join('\n')}`);
    }
  });

  after(async function () {
    this.timeout(60000);
    await session?.stop();
    console.log(`      editor suite wall time: ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s`);
  });

  it('(a) installs from the .vsix into a clean profile and opens the fixture workspace', async () => {
    const installed = session.installedExtensions();
    assert.equal(installed.length, 1, `expected only SageShield in the clean extensions folder, found ${installed.join(', ')}`);
    const pj = JSON.parse(readFileSync(path.join(session.extensionsDir, installed[0], 'package.json'), 'utf8'));
    assert.equal(`${pj.publisher}.${pj.name}`, 'sageshield.sageshield');
    assert.match(installed[0], new RegExp(`^sageshield\\.sageshield-${pj.version.replace(/\./g, '\\.')}`));
    const t = Date.now();
    await wb.open(session.workspace);
    let names: string[] = [];
    await poll('the explorer to list cfn, config and terraform', async () => {
      names = await wb.explorerNames();
      return ['cfn', 'config', 'terraform'].every((n) => names.some((x) => x === n || x.startsWith(`${n} `) || x.startsWith(`${n}/`)));
    }, 60000).catch((e) => assert.fail(`${(e as Error).message}; explorer shows ${JSON.stringify(names)}`));
    console.log(`      workbench ready in ${Date.now() - t} ms`);
  });

  it('(a2) a plain YAML file opened first activates the extension but does not start the server', async () => {
    // VS Code cannot activate on content, so the extension activates for YAML; the client starts the server only
    // once a template or a Terraform file is open (client/src/extension.ts).
    await wb.openFile(PLAIN);
    const log = await poll('the SageShield output channel to say it is waiting', async () => {
      const text = session.readLogs(session.extensionOutputLogs());
      return text.includes('Waiting for a CloudFormation template') ? text : undefined;
    }, 60000);
    assert.ok(!log.includes('Starting the SageShield server'), 'the server started although only a plain YAML file is open');
  });

  it('(b) shows the CloudFormation template findings in the Problems panel', async () => {
    const expected = cliFindings(session.workspace, CFN);
    assert.ok(expected.length > 0, 'the CLI finds nothing in the insecure template: the fixture or the engine is broken');
    const t = Date.now();
    await wb.openFile(CFN);
    const rows = await wb.waitForProblems(CFN, `${expected.length} SageShield diagnostics`, (r) => r.length === expected.length);
    assert.deepEqual(codes(rows), codes(expected));
    for (const f of expected) {
      assert.ok(rows.some((r) => r.code === f.ruleId && r.line === f.range.start.line + 1), `${f.ruleId} at line ${f.range.start.line + 1} is not in the Problems panel`);
    }
    for (const r of rows) assert.match(r.href, /^https?:\/\/\S+/, `${r.code} has no documentation link (codeDescription.href)`);
    assert.ok((await wb.squiggleCount()) > 0, 'no squiggles drawn in the editor');
    console.log(`      ${rows.length} diagnostics (${codes(rows).join(', ')}) in ${Date.now() - t} ms`);
    assert.ok(session.readLogs(session.extensionOutputLogs()).includes('Starting the SageShield server'), 'the server start is logged');
  });

  it('(c) shows the Terraform module findings', async () => {
    const expected = cliFindings(session.workspace, TF);
    assert.ok(expected.length > 0, 'the CLI finds nothing in the insecure module');
    await wb.openFile(TF);
    const rows = await wb.waitForProblems(TF, `${expected.length} SageShield diagnostics`, (r) => r.length === expected.length);
    assert.deepEqual(codes(rows), codes(expected));
  });

  it('(d) a correction typed by hand (RootAccess: Enabled -> Disabled) clears that diagnostic', async () => {
    await wb.openFile(CFN);
    await wb.waitForProblems(CFN, 'an SM-ROOT-01 diagnostic', (r) => r.some((x) => x.code === 'SM-ROOT-01'));
    const lines = readFileSync(path.join(session.workspace, CFN), 'utf8').split('\n');
    const line = lines.findIndex((l) => /^\s*RootAccess: Enabled\s*$/.test(l));
    assert.ok(line >= 0, 'the fixture has no `RootAccess: Enabled` line');
    await wb.goTo(line + 1, lines[line].length + 1); // end of the line
    await session.page.keyboard.press('Control+Shift+ArrowLeft'); // selects "Enabled"
    await session.page.keyboard.type('Disabled');
    // Unsaved: the diagnostic must follow the buffer, not the file on disk.
    const rows = await wb.waitForProblems(CFN, 'SM-ROOT-01 to go', (r) => !r.some((x) => x.code === 'SM-ROOT-01'));
    await wb.save();
    assert.match(readFileSync(path.join(session.workspace, CFN), 'utf8'), /RootAccess: Disabled/);
    const expected = cliFindings(session.workspace, CFN);
    assert.ok(!expected.some((f) => f.ruleId === 'SM-ROOT-01'));
    await wb.waitForProblems(CFN, `the ${expected.length} diagnostics of the saved file`, (r) => r.length === expected.length);
    assert.ok(rows.length > 0, 'every other diagnostic went too');
  });

  it('(e) a rule disabled in the workspace settings disappears', async () => {
    await wb.waitForProblems(CFN, 'an SM-KMS-01 diagnostic', (r) => r.some((x) => x.code === 'SM-KMS-01'));
    mkdirSync(path.join(session.workspace, '.vscode'), { recursive: true });
    writeFileSync(path.join(session.workspace, '.vscode', 'settings.json'), JSON.stringify({ 'sageshield.rules.disabled': ['SM-KMS-01'] }, null, 2));
    const expected = cliFindings(session.workspace, CFN);
    assert.ok(!expected.some((f) => f.ruleId === 'SM-KMS-01'));
    const rows = await wb.waitForProblems(CFN, `SM-KMS-01 to go, ${expected.length} left`, (r) => !r.some((x) => x.code === 'SM-KMS-01') && r.length === expected.length);
    assert.deepEqual(codes(rows), codes(expected));
  });

  it('(f) a YAML file that is not a template gets no SageShield diagnostics, and activation is declared (never `*`)', async () => {
    // The barrier: open the plain file, then make a change in the template and wait until the panel shows it.
    // The server received the plain file before that change, so anything it had to say about it is out by then.
    await wb.openFile(PLAIN);
    assert.equal(await wb.squiggleCount(), 0, 'squiggles in a file that is not a template');
    await wb.openFile(CFN);
    const lines = readFileSync(path.join(session.workspace, CFN), 'utf8').split('\n');
    const line = lines.findIndex((l) => /^\s*DirectInternetAccess: Enabled\s*$/.test(l));
    assert.ok(line >= 0, 'the fixture has no `DirectInternetAccess: Enabled` line');
    await wb.goTo(line + 1, lines[line].length + 1);
    await session.page.keyboard.press('Control+Shift+ArrowLeft');
    await session.page.keyboard.type('Disabled');
    await wb.waitForProblems(CFN, 'SM-NET-01 to go', (r) => !r.some((x) => x.code === 'SM-NET-01'));
    await wb.save();
    assert.deepEqual(await wb.sageshieldProblems(PLAIN), [], 'SageShield reported on a YAML file that is not a template');
    assert.equal(cliFindings(session.workspace, PLAIN).length, 0, 'the CLI reports on a YAML file that is not a template');

    // Activation: the manifest activates on the languages it serves (yaml, json, terraform), so VS Code may
    // activate SageShield for any YAML file; what must not happen is activation on `*` / at startup.
    const hostLog = session.readLogs(session.extensionHostLogs());
    const m = /_doActivateExtension sageshield\.sageshield, startup: (\w+), activationEvent: '([^']+)'/.exec(hostLog);
    assert.ok(m, 'the extension host log does not record SageShield activating');
    const pj = JSON.parse(readFileSync(path.join(session.extensionsDir, session.installedExtensions()[0], 'package.json'), 'utf8'));
    const declared: string[] = pj.activationEvents ?? [];
    assert.ok(!declared.includes('*') && !declared.includes('onStartupFinished'), `activation on ${declared.join(', ')}`);
    assert.ok(declared.includes(m[2]) || /^onLanguage:|^workspaceContains:/.test(m[2]), `activated by an undeclared event ${m[2]}`);
    console.log(`      SageShield activated by ${m[2]} (startup: ${m[1]})`);
  });

  it('(g) a quick-fix applied with the keyboard and saved changes the file on disk', async function () {
    await wb.openFile(CFN);
    // Re-enable SM-KMS-01 (the settings of (e) go): its diagnostic must come back, and it is the one to fix.
    rmSync(path.join(session.workspace, '.vscode', 'settings.json'), { force: true });
    const rows: ProblemRow[] = await wb.waitForProblems(CFN, 'SM-KMS-01 to come back', (r) => r.some((x) => x.code === 'SM-KMS-01'));
    const target = rows.find((r) => r.code === 'SM-KMS-01')!;
    await wb.goTo(target.line, target.column);
    const offered = await wb.codeActionsAtCursor();
    if (offered.length === 0) await session.page.keyboard.press('Escape');
    assert.ok(offered.length > 0, 'Ctrl+. on SM-KMS-01 offers no code action');
    const file = path.join(session.workspace, CFN);
    const before = readFileSync(file, 'utf8');
    const findingsBefore = cliFindings(session.workspace, CFN);
    // The rule the first action fixes: the CLI lists each finding's fix titles; else the diagnostic under the cursor.
    const fixed = findingsBefore.find((f) => (f.fixes ?? []).some((t) => offered[0].includes(t)))?.ruleId ?? target.code;
    const countOf = (fs: CliFinding[]) => fs.filter((f) => f.ruleId === fixed).length;
    await session.page.keyboard.press('Enter'); // the first action has the focus
    await session.page.waitForSelector('.action-widget', { state: 'hidden', timeout: 10000 });
    await session.page.waitForSelector('.tabs-container .tab.active.dirty', { timeout: 10000 });
    await wb.save();
    const after = readFileSync(file, 'utf8');
    assert.notEqual(after, before, `"${offered[0]}" did not change the file on disk`);
    const expected = cliFindings(session.workspace, CFN);
    assert.ok(countOf(expected) < countOf(findingsBefore), `"${offered[0]}" did not fix ${fixed}`);
    await wb.waitForProblems(CFN, `the ${expected.length} diagnostics of the fixed file`, (r) => r.length === expected.length);
    console.log(`      applied "${offered[0]}" (${fixed})`);
  });

  it('(h) the suppress quick-fix leaves the cursor on the reason: typing replaces it, and the diagnostic goes', async function () {
    await wb.openFile(CFN);
    const findingsBefore = cliFindings(session.workspace, CFN);
    const target = findingsBefore.find((f) => f.ruleId === 'SM-ROOT-01') ?? findingsBefore[0];
    assert.ok(target, 'the template still has a finding to suppress');
    const rule = target.ruleId;
    await wb.waitForProblems(CFN, `${rule} in the Problems panel`, (r) => r.some((x) => x.code === rule));
    await wb.goTo(target.range.start.line + 1, target.range.start.character + 1);
    const offered = await wb.codeActionsAtCursor();
    const index = offered.findIndex((t) => t.startsWith(`Suppress ${rule} `));
    assert.ok(index >= 0, `no suppress action for ${rule} in ${JSON.stringify(offered)}`);
    for (let i = 0; i < index; i++) await session.page.keyboard.press('ArrowDown');
    await session.page.keyboard.press('Enter');
    await session.page.waitForSelector('.action-widget', { state: 'hidden', timeout: 10000 });
    await session.page.waitForSelector('.tabs-container .tab.active.dirty', { timeout: 10000 });
    // The placeholder reason is selected (a snippet edit): what is typed replaces it.
    const reason = 'accepted for the sandbox account';
    await session.page.keyboard.type(reason);
    await session.page.keyboard.press('Escape'); // leave snippet mode
    await wb.save();
    const after = readFileSync(path.join(session.workspace, CFN), 'utf8');
    assert.match(after, new RegExp(`# sageshield:ignore ${rule} ${reason}\\r?\\n`), after);
    assert.doesNotMatch(after, /why this is acceptable/);
    const expected = cliFindings(session.workspace, CFN);
    assert.ok(!expected.some((f) => f.ruleId === rule || f.ruleId === 'SS-SUPPRESS-01'), JSON.stringify(expected.map((f) => f.ruleId)));
    await wb.waitForProblems(CFN, `the ${expected.length} diagnostics of the suppressed file`, (r) => r.length === expected.length && !r.some((x) => x.code === rule));
    console.log(`      suppressed ${rule} with "${reason}" typed over the placeholder`);
  });

  it('(i) a language server killed mid-session is restarted by the client: an edit gets its diagnostic, from a new process', async () => {
    await wb.openFile(CFN);
    const file = path.join(session.workspace, CFN);
    const settled = cliFindings(session.workspace, CFN);
    assert.ok(!settled.some((f) => f.ruleId === 'SM-NET-01'), 'SM-NET-01 is already reported before the kill: the edit would prove nothing');
    await wb.waitForProblems(CFN, `the ${settled.length} diagnostics of the saved file, no SM-NET-01`, (r) => r.length === settled.length && !r.some((x) => x.code === 'SM-NET-01'));

    // The server of THIS session: a descendant of the code-server the harness started, in its process group,
    // running dist/server.js from the session's clean extensions folder. Never looked up by name.
    const servers = session.languageServers();
    assert.equal(servers.length, 1, `expected one SageShield server under code-server ${session.codeServerPid}, found ${JSON.stringify(servers)}`);
    const killed = servers[0];
    const again = readProc(killed.pid);
    assert.ok(again && again.pgid === session.codeServerPid && again.cmdline.join(' ') === killed.cmdline.join(' '), `pid ${killed.pid} changed before the kill`);
    const t = Date.now();
    process.kill(killed.pid, 'SIGKILL');
    await poll(`server pid ${killed.pid} to be gone`, () => !session.languageServers().some((p) => p.pid === killed.pid), 15000, 100);

    // The only user action: an edit that brings a finding back (DirectInternetAccess: Disabled -> Enabled).
    const lines = readFileSync(file, 'utf8').split('\n');
    const line = lines.findIndex((l) => /^\s*DirectInternetAccess: Disabled\s*$/.test(l));
    assert.ok(line >= 0, 'the template has no `DirectInternetAccess: Disabled` line (set by (f))');
    await wb.goTo(line + 1, lines[line].length + 1);
    await session.page.keyboard.press('Control+Shift+ArrowLeft'); // selects "Disabled"
    await session.page.keyboard.type('Enabled');
    const rows = await wb.waitForProblems(CFN, 'SM-NET-01 to come back from the restarted server', (r) => r.some((x) => x.code === 'SM-NET-01' && x.line === line + 1), 90000);
    const restartedMs = Date.now() - t;

    const fresh = await poll('a new SageShield server process', () => {
      const now = session.languageServers();
      return now.length === 1 && now[0].pid !== killed.pid ? now[0] : undefined;
    }, 30000, 100);
    assert.notEqual(fresh.pid, killed.pid);
    assert.equal(fresh.pgid, session.codeServerPid, 'the new server is not in the session\'s process group');

    // The restarted server sees the whole buffer, not just the edit: after saving, the panel matches the CLI.
    await wb.save();
    const expected = cliFindings(session.workspace, CFN);
    assert.ok(expected.some((f) => f.ruleId === 'SM-NET-01' && f.range.start.line === line), 'the CLI does not see SM-NET-01 at the edited line');
    const finalRows = await wb.waitForProblems(CFN, `the ${expected.length} diagnostics of the saved file`, (r) => r.length === expected.length);
    assert.deepEqual(codes(finalRows), codes(expected));
    console.log(`      killed server pid ${killed.pid}; new pid ${fresh.pid}; SM-NET-01 back ${restartedMs} ms after the kill (${rows.length} diagnostics)`);
  });
});
