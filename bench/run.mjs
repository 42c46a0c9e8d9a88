#!/usr/bin/env node
/**
 * SageShield benchmark (`npm run bench`; not part of `npm test`). One command from a fresh clone after `npm ci`:
 * builds dist/, generates the corpora (deterministic seed) into bench/corpora/, measures, writes
 * bench/results.json and bench/results.md, and prints which budgets hold. See bench/README.md.
 *
 * Options: --quick (fewer iterations), --seed N.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeCorpora, prng } from './gen.mjs';

const require = createRequire(import.meta.url);
const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
const DIST = path.join(ROOT, 'dist');
const CORPORA = path.join(BENCH, 'corpora');
const PROBE = path.join(BENCH, 'rss-probe.cjs');
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const SEED = Number(args[args.indexOf('--seed') + 1]) || 42;
/** `--lsp-only NAME[,NAME]`: development aid, measures only the LSP edit latency of those corpora. */
const LSP_ONLY = args.includes('--lsp-only') ? args[args.indexOf('--lsp-only') + 1].split(',') : undefined;
const started = Date.now();
const log = (m) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${m}\n`);

function stats(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { median: r2(q(0.5)), p95: r2(q(0.95)), p99: r2(q(0.99)), max: r2(s[s.length - 1]), n: s.length };
}
const r2 = (x) => Math.round(x * 100) / 100;

// ---------------------------------------------------------------------------------------------------------------
// 1. build

function build() {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
  const esbuild = require('esbuild');
  esbuild.buildSync({
    entryPoints: [path.join(BENCH, 'src', 'parse-bench.ts')],
    outfile: path.join(DIST, 'bench-parse.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 2. parse vs analysis (in-process, bundled)

function parseBench(files) {
  const list = path.join(CORPORA, 'files.json');
  fs.writeFileSync(list, JSON.stringify(files));
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(DIST, 'bench-parse.js'), list, String(QUICK ? 3 : 7)], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`parse bench failed (${r.status})`);
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------------------------------------------------------
// 3. LSP: didChange -> publishDiagnostics for that version, over a real stdio connection to dist/server.js

const rpc = require('vscode-languageserver-protocol/node');

async function startServer({ debounceMs, rssFile }) {
  const t0 = performance.now();
  const extra = process.env.SAGESHIELD_BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []; // e.g. --cpu-prof (development aid)
  const child = spawn(process.execPath, [...extra, '--require', PROBE, path.join(DIST, 'server.js'), '--stdio'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, SAGESHIELD_BENCH_RSS_FILE: rssFile ?? '' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  const waiters = [];
  const published = [];
  conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
    const at = performance.now();
    published.push(p);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (w.uri === p.uri && w.version === p.version) {
        waiters.splice(i, 1);
        w.resolve({ at, p });
      }
    }
  });
  conn.onRequest(rpc.ConfigurationRequest.type, (params) => params.items.map(() => ({})));
  conn.onRequest(rpc.RegistrationRequest.type, () => undefined);
  conn.onNotification(rpc.LogMessageNotification.type, (m) => { if (process.env.BENCH_LOG) process.stderr.write(`server: ${m.message}\n`); });
  conn.listen();
  const rootUri = pathToFileURL(CORPORA).href;
  await conn.sendRequest(rpc.InitializeRequest.type, {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: 'corpora' }],
    capabilities: {
      workspace: { configuration: true, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: true } },
      textDocument: { publishDiagnostics: { versionSupport: true } },
    },
    initializationOptions: debounceMs === undefined ? {} : { debounceMs },
  });
  const initializeMs = performance.now() - t0;
  await conn.sendNotification(rpc.InitializedNotification.type, {});
  const waitVersion = (uri, version, timeoutMs = 120000) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version} in ${timeoutMs} ms\n${stderr.slice(-2000)}`)), timeoutMs);
      waiters.push({ uri, version, resolve: (v) => (clearTimeout(t), resolve(v)) });
    });
  const stop = async () => {
    await Promise.race([conn.sendRequest(rpc.ShutdownRequest.type).then(() => conn.sendNotification(rpc.ExitNotification.type)), new Promise((r) => setTimeout(r, 3000))]);
    await new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), setTimeout(r, 3000))));
    conn.dispose();
    if (child.exitCode === null && child.pid) try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
  };
  return { conn, initializeMs, waitVersion, stop, published };
}

/** Offsets of the non-blank characters of `text`. */
export function nonBlank(text) {
  const out = [];
  for (let i = 0; i < text.length; i++) if (!/\s/.test(text[i])) out.push(i);
  return out;
}

function positionAt(text, offset) {
  let line = 0;
  let last = -1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, character: offset - last - 1 };
}

/**
 * Single-character edits at random places: insert a letter before a non-blank character chosen uniformly among
 * all non-blank characters (typing inside a word, a value or a key), then its undo (delete it again), so the
 * document stays realistic. Both are measured.
 */
async function editLatency(server, file, languageId, edits, seed) {
  const uri = pathToFileURL(file).href;
  let text = fs.readFileSync(file, 'utf8');
  let version = 1;
  const t0 = performance.now();
  const opened = server.waitVersion(uri, version);
  await server.conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
  const first = await opened;
  const openMs = first.at - t0;
  const rnd = prng(seed);
  const lat = [];
  const content = nonBlank(text);
  for (let i = 0; i < edits; i++) {
    const at = content[Math.floor(rnd() * content.length)];
    const pos = positionAt(text, at);
    const letter = 'abcdefghijklmnopqrstuvwxyz'[Math.floor(rnd() * 26)];
    for (const undo of [false, true]) {
      const change = undo
        ? { range: { start: pos, end: { line: pos.line, character: pos.character + 1 } }, text: '' }
        : { range: { start: pos, end: pos }, text: letter };
      text = undo ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + letter + text.slice(at);
      version++;
      const wait = server.waitVersion(uri, version);
      const s = performance.now();
      await server.conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [change] });
      const { at: done } = await wait;
      lat.push(done - s);
    }
  }
  await server.conn.sendNotification(rpc.DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  return { openMs: r2(openMs), ...stats(lat) };
}

async function lspBench(files) {
  // edits (each followed by its undo, also measured): 200-240 samples per budgeted corpus, so that the p95 is
  // not decided by two or three edits
  const targets = [
    ['tf-20k', 'terraform', QUICK ? 10 : 100],
    ['cfn-yaml-2k', 'yaml', QUICK ? 15 : 120],
    ['cfn-yaml-20k', 'yaml', QUICK ? 10 : 100],
    ['tf-2k', 'terraform', QUICK ? 15 : 60],
    ['cfn-json-2k', 'json', QUICK ? 15 : 60],
    ['cfn-json-20k', 'json', QUICK ? 10 : 30],
  ];
  const rssFile = path.join(CORPORA, 'server-rss.txt');
  fs.rmSync(rssFile, { force: true });
  const out = { debounce0: {}, debounceDefault: {} };
  const server = await startServer({ debounceMs: 0, rssFile });
  try {
    for (const [name, lang, n] of targets) {
      log(`lsp edit latency ${name} (${n} edits + undos, debounce 0)`);
      out.debounce0[name] = await editLatency(server, files[name], lang, n, SEED + name.length);
    }
  } finally {
    await server.stop();
  }
  const rss = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : NaN;
  out.serverPeakRssMB = r2(rss / 1048576);
  // for information: the default debounce (150 ms) is a deliberate wait before the same work
  const def = await startServer({});
  try {
    for (const [name, lang] of targets.slice(0, 3)) {
      log(`lsp edit latency ${name} (default debounce)`);
      out.debounceDefault[name] = await editLatency(def, files[name], lang, QUICK ? 4 : 10, SEED + 1);
    }
  } finally {
    await def.stop();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// 4. CLI scan throughput and peak memory; 5. activation

function cliBench(workspace, files, lines) {
  const runs = [];
  let rss = 0;
  for (let i = 0; i < (QUICK ? 1 : 3); i++) {
    const rssFile = path.join(CORPORA, 'cli-rss.txt');
    fs.rmSync(rssFile, { force: true });
    const outFile = path.join(CORPORA, 'scan.json');
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--require', PROBE, path.join(DIST, 'cli.js'), 'scan', workspace, '--format', 'json', '--fail-on', 'none', '--output', outFile], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, SAGESHIELD_BENCH_RSS_FILE: rssFile },
    });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`cli scan failed (${r.status}): ${r.stderr}`);
    runs.push(ms);
    rss = Math.max(rss, Number(fs.readFileSync(rssFile, 'utf8').trim()));
    if (i === 0) {
      const report = JSON.parse(fs.readFileSync(outFile, 'utf8'));
      runs.findings = report.findings.length;
      runs.errors = report.errors?.length ?? 0;
    }
  }
  const s = stats(runs);
  return { files, lines, wallMs: s, filesPerSec: r2(files / (s.median / 1000)), linesPerSec: Math.round(lines / (s.median / 1000)), peakRssMB: r2(rss / 1048576), findings: runs.findings, errors: runs.errors };
}

async function activationBench() {
  // (a) the client bundle's load time, with `vscode` resolved to an empty stub (bench only; VS Code is not here)
  const loads = [];
  for (let i = 0; i < (QUICK ? 3 : 7); i++) {
    const code = `
      const Module = require('module');
      const orig = Module._resolveFilename;
      Module._resolveFilename = function (req, ...rest) { return req === 'vscode' ? 'vscode-stub' : orig.call(this, req, ...rest); };
      require.cache['vscode-stub'] = { id: 'vscode-stub', filename: 'vscode-stub', loaded: true, exports: new Proxy({}, { get: () => new Proxy(function () {}, { get: (t, k) => (k === 'prototype' ? {} : undefined) }) }) };
      const t0 = process.hrtime.bigint();
      const m = require(${JSON.stringify(path.join(DIST, 'client.js'))});
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (typeof m.activate !== 'function') throw new Error('no activate export');
      process.stdout.write(String(ms));`;
    const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`client load failed: ${r.stderr}`);
    loads.push(Number(r.stdout));
  }
  // (b) what activate() waits for: the server process started and answering `initialize`
  const inits = [];
  for (let i = 0; i < (QUICK ? 3 : 7); i++) {
    const s = await startServer({ debounceMs: 0 });
    inits.push(s.initializeMs);
    await s.stop();
  }
  const a = stats(loads);
  const b = stats(inits);
  return { clientLoadMs: a, serverInitializeMs: b, activationMedianMs: r2(a.median + b.median), activationP95Ms: r2(a.p95 + b.p95) };
}

// ---------------------------------------------------------------------------------------------------------------

/** A budget; the note (what bounds it, measured) is kept only when it does not hold. */
function budget(name, limit, value, unit, note) {
  const held = Number.isFinite(value) && value <= limit;
  return { name, limit, value: r2(value), unit, held, ...(note && !held ? { note } : {}) };
}

/** Median wall time of spawning `node -e 0`: the floor under every process-start figure. */
function nodeSpawnMs() {
  const xs = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    xs.push(performance.now() - t0);
  }
  return stats(xs).median;
}

function markdown(results) {
  const L = [];
  L.push(`# SageShield benchmark`, '', `${results.date} on ${results.machine.cpus} x ${results.machine.cpuModel}, Node ${results.machine.node}, load average at start ${results.machine.loadavg.join(' / ')}.`, '');
  L.push('## Budgets', '', '| budget | limit | measured | held | what bounds it (when not held) |', '| --- | --- | --- | --- | --- |');
  for (const b of results.budgets) L.push(`| ${b.name} | ${b.limit} ${b.unit} | ${b.value} ${b.unit} | ${b.held ? 'yes' : '**no**'} | ${b.note ?? ''} |`);
  L.push('', 'Edit-to-diagnostics is measured with `initializationOptions.debounceMs = 0`: the 150 ms default debounce is a deliberate wait, not work (see the information rows below).', '');
  L.push('## Parse and analysis (ms, in-process)', '', '| corpus | lines | resources | bare parse median / p95 | full analysis median / p95 | ratio | rules alone median | incremental re-analysis median / p95 |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [k, v] of Object.entries(results.parse)) {
    L.push(`| ${k} | ${v.lines} | ${v.resources} | ${v.bareParseMs.median} / ${v.bareParseMs.p95} | ${v.fullAnalysisMs.median} / ${v.fullAnalysisMs.p95} | ${v.ratioMedian} | ${v.rulesOnlyMs.median} | ${v.incrementalReanalysisMs.median} / ${v.incrementalReanalysisMs.p95} |`);
  }
  L.push('', '## Edit to diagnostics over LSP (ms)', '', '| corpus | debounce | edits | median | p95 | p99 | max | first analysis on open |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [mode, label] of [['debounce0', '0 ms'], ['debounceDefault', 'default (150 ms), information']]) {
    for (const [k, v] of Object.entries(results.lsp[mode])) L.push(`| ${k} | ${label} | ${v.n} | ${v.median} | ${v.p95} | ${v.p99} | ${v.max} | ${v.openMs} |`);
  }
  L.push(`| server peak RSS | | | ${results.lsp.serverPeakRssMB} MB | | | | |`);
  L.push('', 'Edits: a letter inserted before a non-blank character chosen uniformly, then deleted again (both measured). An edit that makes a YAML template unreadable (a letter typed before a list dash `- `, or into a tag: `!Sxub`) takes a full parse (see the max column); its undo is free.');
  const c = results.cli;
  L.push('', '## CLI workspace scan', '', `${c.files} files, ${c.lines} lines: ${c.wallMs.median} ms median wall (process start included), ${c.filesPerSec} files/s, ${c.linesPerSec} lines/s, peak RSS ${c.peakRssMB} MB, ${c.findings} findings, ${c.errors} errors.`);
  const a = results.activation;
  L.push('', '## Activation', '', `client bundle load (vscode stubbed) median ${a.clientLoadMs.median} ms; server spawn to \`initialize\` response median ${a.serverInitializeMs.median} ms (p95 ${a.serverInitializeMs.p95}); sum ${a.activationMedianMs} ms.`);
  return L.join('\n') + '\n';
}

async function main() {
  log('build');
  build();
  log('generate corpora');
  const gen = writeCorpora(CORPORA, { workspaceFiles: 1000, seed: SEED });
  if (LSP_ONLY) {
    const server = await startServer({ debounceMs: 0 });
    try {
      for (const name of LSP_ONLY) {
        const lang = name.startsWith('tf') ? 'terraform' : name.includes('json') ? 'json' : 'yaml';
        process.stdout.write(`${name}: ${JSON.stringify(await editLatency(server, gen.files[name], lang, QUICK ? 15 : 40, SEED + name.length))}\n`);
      }
    } finally {
      await server.stop();
    }
    return;
  }
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', node: process.version, loadavg: os.loadavg().map(r2) };
  log('parse vs analysis');
  const parse = parseBench(gen.files);
  const lsp = await lspBench(gen.files);
  log('cli scan');
  const cli = cliBench(gen.workspace, gen.workspaceFiles, gen.workspaceLines);
  log('activation');
  const activation = await activationBench();
  const budgets = [];
  const spawnFloor = nodeSpawnMs();
  for (const [k, v] of Object.entries(parse)) {
    const model = v.modelParseMs.median;
    const bare = v.bareParseMs.median;
    const copy = v.treeCopyMs ? `, of which copying the ${v.treeNodes} tree nodes out of wasm ${v.treeCopyMs.median} ms (tf-tree.ts)` : '';
    const note = `bare parse ${bare} ms; text -> model ${model} ms (+${r2(model - bare)} ms${copy}); rules ${v.rulesOnlyMs.median} ms over ${v.resources} resources`;
    budgets.push(budget(`full analysis / bare parse, ${k}`, 1.5, v.ratioMedian, 'x', note));
  }
  const editNote = (k) => {
    const p = parse[k];
    const st = p.incrementalStats;
    const fmt = k.startsWith('tf') ? 'terraform' : 'cloudformation';
    return `in-process re-analysis median ${p.incrementalReanalysisMs.median} / p95 ${p.incrementalReanalysisMs.p95} ms (parser: ${st.parser[fmt].incremental} incremental, ${st.parser[fmt].full} full; engine: ${st.engine.incremental} partial, ${st.engine.full} full runs); a full parse is ${p.modelParseMs.median} ms, all rules ${p.rulesOnlyMs.median} ms`;
  };
  budgets.push(budget('edit-to-diagnostics p95, Terraform 20k lines', 50, lsp.debounce0['tf-20k'].p95, 'ms', editNote('tf-20k')));
  budgets.push(budget('edit-to-diagnostics p95, CloudFormation YAML 2k lines', 30, lsp.debounce0['cfn-yaml-2k'].p95, 'ms', editNote('cfn-yaml-2k')));
  budgets.push(budget('edit-to-diagnostics p95, CloudFormation YAML 20k lines', 80, lsp.debounce0['cfn-yaml-20k'].p95, 'ms', editNote('cfn-yaml-20k')));
  budgets.push(budget('workspace audit (1,000 files) wall time', 10000, cli.wallMs.median, 'ms', `${cli.filesPerSec} files/s, ${cli.linesPerSec} lines/s; starting node alone takes ${spawnFloor} ms here`));
  budgets.push(budget('workspace audit peak RSS', 400, cli.peakRssMB, 'MB'));
  budgets.push(
    budget(
      'activation (client load + server initialize)',
      300,
      activation.activationMedianMs,
      'ms',
      `client bundle load ${activation.clientLoadMs.median} ms + server spawn to initialize ${activation.serverInitializeMs.median} ms; spawning \`node -e 0\` alone takes ${spawnFloor} ms here`,
    ),
  );
  const results = { date: new Date().toISOString(), seed: SEED, quick: QUICK, machine, budgets, parse, lsp, cli, activation, durationSec: Math.round((Date.now() - started) / 1000) };
  fs.writeFileSync(path.join(BENCH, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const md = markdown(results);
  fs.writeFileSync(path.join(BENCH, 'results.md'), md);
  process.stdout.write(md);
  const failed = budgets.filter((b) => !b.held);
  process.stdout.write(`\n${budgets.length - failed.length}/${budgets.length} budgets hold${failed.length ? `; not held: ${failed.map((b) => b.name).join('; ')}` : ''}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(2);
});
