/**
 * Bare parse vs full analysis, per corpus file, in one process (bundled by bench/run.mjs into dist/ with
 * esbuild, so it runs the same code as the server). Prints one JSON object on stdout.
 *
 * bare parse: the syntax library alone (yaml Parser+Composer with the short-form tags, jsonc-parser parseTree,
 * tree-sitter parse + tree.delete()). full analysis: text -> model (our parser) -> rules (analyzeUnit).
 * Also: rules alone on the parsed unit, and the server's incremental path (IncrementalParser + IncrementalEngine:
 * one re-analysis after inserting a letter at a random non-blank place, and one after its undo).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Composer, Parser } from 'yaml';
import { parseTree } from 'jsonc-parser/lib/esm/main.js';
import TreeSitter = require('web-tree-sitter');
import { analyzeUnit } from '../../server/src/engine';
import { parseCloudFormation } from '../../server/src/parse/cloudformation';
import { initTerraform, parseTerraformModule, terraformWasmPaths } from '../../server/src/parse/terraform';
import { SHORT_FORM_TAGS } from '../../server/src/parse/cfn-raw';
import { IncrementalParser } from '../../server/src/parse/incremental';
import { IncrementalEngine } from '../../server/src/incremental-engine';
import { snapshot } from '../../server/src/parse/tf-tree';

function stats(xs: number[]): { median: number; p95: number; n: number } {
  const s = xs.slice().sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { median: round(q(0.5)), p95: round(q(0.95)), n: s.length };
}
const round = (x: number) => Math.round(x * 100) / 100;

function time(n: number, warm: number, f: () => void): number[] {
  for (let i = 0; i < warm; i++) f();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f();
    out.push(performance.now() - t0);
  }
  return out;
}

const tags = SHORT_FORM_TAGS.flatMap((t) => [
  { tag: `!${t}`, resolve: (v: unknown) => v },
  { tag: `!${t}`, collection: 'seq' as const, resolve: (v: unknown) => v },
  { tag: `!${t}`, collection: 'map' as const, resolve: (v: unknown) => v },
]);

function bareYaml(text: string): void {
  const tokens = new Parser().parse(text);
  const composer = new Composer({ customTags: tags as never, strict: false });
  for (const d of composer.compose(tokens, true, text.length)) void d;
}

async function main(): Promise<void> {
  const [, , corporaJson, iterations] = process.argv;
  const files = JSON.parse(fs.readFileSync(corporaJson, 'utf8')) as Record<string, string>;
  const n20 = Number(iterations ?? 7);
  await initTerraform();
  const { runtime, grammar } = terraformWasmPaths();
  void runtime;
  const lang = await TreeSitter.Language.load(grammar);
  const ts = new TreeSitter.Parser();
  ts.setLanguage(lang);
  const out: Record<string, unknown> = {};
  for (const [name, file] of Object.entries(files)) {
    const text = fs.readFileSync(file, 'utf8');
    const big = text.length > 300_000;
    const n = big ? n20 : n20 * 3;
    const warm = big ? 1 : 3;
    let bare: () => void;
    let full: () => void;
    let parseOnly: () => unknown;
    if (name.startsWith('tf')) {
      bare = () => ts.parse(text)!.delete();
      parseOnly = () => parseTerraformModule(path.dirname(file), [{ path: file, text }]);
    } else if (name.includes('json')) {
      bare = () => parseTree(text, [], { allowTrailingComma: true });
      parseOnly = () => parseCloudFormation(file, text);
    } else {
      bare = () => bareYaml(text);
      parseOnly = () => parseCloudFormation(file, text);
    }
    full = () => analyzeUnit(parseOnly() as never);
    const bareT = time(n, warm, bare);
    const parseT = time(n, warm, () => parseOnly());
    const fullT = time(n, warm, full);
    const unit = parseOnly() as Parameters<typeof analyzeUnit>[0];
    const rulesT = time(n, warm, () => analyzeUnit(unit));
    const findings = analyzeUnit(unit).findings.length;
    // Terraform: the cost of copying the tree out of wasm (tf-tree.ts), which the model conversion reads
    let treeCopyMs: ReturnType<typeof stats> | undefined;
    let treeNodes: number | undefined;
    if (name.startsWith('tf')) {
      const tree = ts.parse(text)!;
      try {
        treeCopyMs = stats(time(n, warm, () => snapshot(tree)));
        treeNodes = tree.rootNode.descendantCount;
      } finally {
        tree.delete();
      }
    }
    const b = stats(bareT);
    const f = stats(fullT);
    // incremental: one re-analysis after inserting a letter before a uniformly chosen non-blank character, then one after its undo
    const inc = new IncrementalParser();
    const engine = new IncrementalEngine();
    const format = name.startsWith('tf') ? 'terraform' : 'cloudformation';
    const analyse = (t: string) =>
      engine.analyze(file, format === 'terraform' ? inc.terraform(path.dirname(file), [{ path: file, text: t }]) : inc.cloudFormation(file, t)!);
    analyse(text);
    const rnd = mulberry(7);
    const incT: number[] = [];
    let cur = text;
    const content: number[] = [];
    for (let i = 0; i < cur.length; i++) if (!/\s/.test(cur[i])) content.push(i);
    for (let i = 0; i < n * 2; i++) {
      const at = content[Math.floor(rnd() * content.length)];
      const next = cur.slice(0, at) + 'x' + cur.slice(at);
      const t0 = performance.now();
      analyse(next);
      incT.push(performance.now() - t0);
      const t1 = performance.now();
      analyse(cur);
      incT.push(performance.now() - t1);
    }
    const incStats = { parser: inc.stats(), engine: engine.stats() };
    inc.dispose();
    out[name] = {
      lines: text.split('\n').length,
      resources: unit.resources.length,
      findings,
      bareParseMs: b,
      modelParseMs: stats(parseT),
      fullAnalysisMs: f,
      rulesOnlyMs: stats(rulesT),
      ...(treeCopyMs ? { treeCopyMs, treeNodes } : {}),
      ratioMedian: round(f.median / b.median),
      incrementalReanalysisMs: stats(incT),
      incrementalStats: incStats,
    };
    process.stderr.write(`parse-bench ${name}: bare ${b.median} ms, full ${f.median} ms, incremental ${stats(incT).median} ms\n`);
  }
  process.stdout.write(JSON.stringify(out));
}

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
