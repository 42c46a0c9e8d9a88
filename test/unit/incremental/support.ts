/** Shared helpers for the incremental tests: a seeded PRNG and random single-edit generators. */
import assert from 'node:assert/strict';
import type { Unit } from '../../../server/src/model/types';
import { analyzeUnit } from '../../../server/src/engine';
import type { IncrementalEngine } from '../../../server/src/incremental-engine';
import type { Finding } from '../../../server/src/rules/types';

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One random edit: insert or delete one character, or replace a short run, at a random place. Characters
 * include structure (braces, quotes, colons, newlines, indentation) so some edits break the syntax.
 */
export function randomEdit(rnd: () => number, text: string, alphabet: string): string {
  const at = Math.floor(rnd() * (text.length + 1));
  const r = rnd();
  const ch = alphabet[Math.floor(rnd() * alphabet.length)];
  if (r < 0.5 || text.length === 0) return text.slice(0, at) + ch + text.slice(at);
  if (r < 0.8) return text.slice(0, at) + text.slice(at + 1);
  const len = 1 + Math.floor(rnd() * 6);
  return text.slice(0, at) + ch + text.slice(at + len);
}

/** The unit as plain data (Maps as entry lists), for deep comparison. */
export function plain(unit: Unit | undefined): unknown {
  if (!unit) return unit;
  return {
    ...unit,
    inputs: [...unit.inputs],
    locals: [...unit.locals],
    conditions: [...unit.conditions],
    assignments: [...unit.assignments],
  };
}

const shape = (fs: Finding[]) => fs.map((f) => ({ ruleId: f.ruleId, severity: f.severity, verdict: f.verdict, file: f.file, range: f.range, resource: f.resource, message: f.message, data: f.data }));

/**
 * Same model as a full parse, and the incremental engine (fed the incremental unit) gives the same findings
 * (rule, range, resource, message, data) as `analyzeUnit` on the full parse.
 */
export function assertSameAnalysis(engine: IncrementalEngine, key: string, incremental: Unit | undefined, full: Unit | undefined, what: string): void {
  assert.deepStrictEqual(plain(incremental), plain(full), `model differs ${what}`);
  if (incremental && full) {
    assert.deepStrictEqual(shape(engine.analyze(key, incremental).findings), shape(analyzeUnit(full).findings), `findings differ ${what}`);
  } else {
    engine.forget(key);
  }
}
