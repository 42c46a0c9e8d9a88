/**
 * Property tests (fast-check, fixed seeds, bounded runs): the project's fixtures mutated character by character and
 * line by line. For every mutant: parse -> analyse -> suppressions -> fix titles never throws, no rule throws, it
 * finishes within a bound, every finding and parse issue is ranged inside its file, and analysing the same text
 * again gives identical results.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { analyseFiles, assertRangesInside, ensureTerraform, loadFixtures, snapshot, withText, type Fixture } from './harness';

/** Per analysis, on a loaded 2-core machine (a fixture analyses in a few ms). */
const BOUND_MS = 2000;
const RUNS = Number(process.env.SAGESHIELD_ROBUSTNESS_RUNS ?? 300);
/** Fixed seeds; SAGESHIELD_ROBUSTNESS_SEED explores others (then replay a failure with the seed and path it prints). */
const SEED_OFFSET = Number(process.env.SAGESHIELD_ROBUSTNESS_SEED ?? 0);

/** Characters that mean something to YAML, JSON or HCL, whitespace, and awkward Unicode (incl. lone surrogates). */
const CHARS = [
  '"', "'", '{', '}', '[', ']', ':', ',', '\t', '\n', '\r', '\r\n', '!', '&', '*', '#', '-', '|', '>', '?', '%', '@', '`',
  '$', '${', '%{', '=', '\\', '/', '/*', '<<EOF\n', ' ', '  ', '0', 'é', '€', '😀', '\uD83D', '\uDE00', '\uFEFF', '\u0000',
  '\u2028', '\u00A0', '!Ref ', '!GetAtt ', '!Sub ', '&a ', '*a', '<<: *a', '...', '---',
];

type CharOp = { op: 'insert' | 'replace' | 'delete'; at: number; s: string };
const charOp: fc.Arbitrary<CharOp> = fc.record({
  op: fc.constantFrom('insert' as const, 'replace' as const, 'delete' as const),
  at: fc.nat(),
  s: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...CHARS) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) }),
});

function applyCharOp(text: string, m: CharOp): string {
  const at = text.length === 0 ? 0 : m.at % (text.length + 1);
  switch (m.op) {
    case 'insert':
      return text.slice(0, at) + m.s + text.slice(at);
    case 'replace':
      return text.slice(0, at) + m.s + text.slice(at + 1);
    case 'delete':
      return text.slice(0, at) + text.slice(at + 1 + (m.s.length > 1 ? m.s.length : 0));
  }
}

type LineOp = { op: 'delete' | 'duplicate' | 'swap' | 'indent' | 'indent-tab' | 'dedent' | 'truncate' | 'move'; a: number; b: number };
const lineOp: fc.Arbitrary<LineOp> = fc.record({
  op: fc.constantFrom('delete' as const, 'duplicate' as const, 'swap' as const, 'indent' as const, 'indent-tab' as const, 'dedent' as const, 'truncate' as const, 'move' as const),
  a: fc.nat(),
  b: fc.nat(),
});

function applyLineOp(text: string, m: LineOp): string {
  if (m.op === 'truncate') return text.slice(0, text.length === 0 ? 0 : m.a % (text.length + 1));
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const a = m.a % lines.length;
  const b = m.b % lines.length;
  switch (m.op) {
    case 'delete':
      lines.splice(a, 1);
      break;
    case 'duplicate':
      lines.splice(a, 0, lines[a]);
      break;
    case 'swap':
      [lines[a], lines[b]] = [lines[b], lines[a]];
      break;
    case 'move': {
      const [l] = lines.splice(a, 1);
      lines.splice(b % (lines.length + 1), 0, l);
      break;
    }
    case 'indent':
      lines[a] = `  ${lines[a]}`;
      break;
    case 'indent-tab':
      lines[a] = `\t${lines[a]}`;
      break;
    case 'dedent':
      lines[a] = lines[a].replace(/^( {1,2}|\t)/, '');
      break;
  }
  return lines.join(eol);
}

interface Case {
  fx: Fixture;
  file: number;
  text: string;
}

/** Runs every invariant on one mutant; the message names the fixture so a failure can be replayed by hand. */
function check(c: Case): void {
  const files = withText(c.fx, c.file, c.text);
  const label = `${c.fx.name} (${c.fx.files[c.file].path}) mutated to ${JSON.stringify(c.text.length > 400 ? `${c.text.slice(0, 400)}...` : c.text)}`;
  let first;
  try {
    first = analyseFiles(c.fx.format, c.fx.root, files);
  } catch (e) {
    assert.fail(`threw ${(e as Error)?.stack ?? e} on ${label}`);
  }
  assert.ok(first.ms < BOUND_MS, `took ${first.ms.toFixed(0)} ms (bound ${BOUND_MS}) on ${label}`);
  assert.deepEqual(first.ruleErrors, [], `a rule threw on ${label}`);
  try {
    assertRangesInside(first, files);
  } catch (e) {
    assert.fail(`${(e as Error).message} on ${label}`);
  }
  const second = analyseFiles(c.fx.format, c.fx.root, files.map((f) => ({ ...f })));
  assert.equal(snapshot(second), snapshot(first), `not deterministic on ${label}`);
}

describe('robustness: mutated fixtures (fast-check)', function () {
  this.timeout(120000);
  let fixtures: Fixture[];
  let caseOf: <T>(ops: fc.Arbitrary<T[]>, apply: (t: string, op: T) => string) => fc.Arbitrary<Case>;

  before(async () => {
    await ensureTerraform();
    fixtures = loadFixtures();
    caseOf = (ops, apply) =>
      fc
        .record({ fx: fc.constantFrom(...fixtures), pick: fc.nat(), ops })
        .map(({ fx, pick, ops: list }) => {
          const file = pick % fx.files.length;
          return { fx, file, text: list.reduce(apply, fx.files[file].text) };
        });
  });

  it('finds the fixtures to mutate: CloudFormation YAML and JSON, Terraform modules, snippets', () => {
    const names = fixtures.map((f) => f.name);
    assert.ok(fixtures.filter((f) => f.format === 'cloudformation').length >= 10, names.join(', '));
    assert.ok(fixtures.filter((f) => f.format === 'terraform').length >= 4, names.join(', '));
    assert.ok(names.some((n) => n.startsWith('examples/')) && names.some((n) => n.startsWith('snippet ')));
  });

  it('the unmutated fixtures keep every invariant', () => {
    for (const fx of fixtures) check({ fx, file: 0, text: fx.files[0].text });
  });

  it('character mutations: insert / replace / delete quotes, braces, colons, tabs, newlines, tags, anchors, non-ASCII, surrogate halves', () => {
    fc.assert(fc.property(caseOf(fc.array(charOp, { minLength: 1, maxLength: 4 }), applyCharOp), check), { seed: 20261203 + SEED_OFFSET, numRuns: RUNS });
  });

  it('structural mutations: delete, duplicate, swap, move, indent (spaces or tab), dedent a line, truncate', () => {
    fc.assert(fc.property(caseOf(fc.array(lineOp, { minLength: 1, maxLength: 3 }), applyLineOp), check), { seed: 5 + SEED_OFFSET, numRuns: RUNS });
  });

  it('both at once, many edits deep', () => {
    const op = fc.oneof(
      charOp.map((m) => (t: string) => applyCharOp(t, m)),
      lineOp.map((m) => (t: string) => applyLineOp(t, m)),
    );
    fc.assert(
      fc.property(caseOf(fc.array(op, { minLength: 5, maxLength: 20 }), (t, f) => f(t)), check),
      { seed: 42 + SEED_OFFSET, numRuns: Math.ceil(RUNS / 2) },
    );
  });
});
