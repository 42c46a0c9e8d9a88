/**
 * The same template written differently gives the same findings: a BOM, CRLF line breaks, tabs. And a range never
 * points between the \r and the \n of a CRLF line break.
 */
import { strict as assert } from 'node:assert';
import { LineIndex } from '../../../server/src/parse/lines';
import { parseCloudFormation } from '../../../server/src/parse/cloudformation';
import type { Finding } from '../../../server/src/rules/types';
import { analyseFiles, assertRangesInside, ensureTerraform, loadFixtures, type Fixture } from './harness';

interface Key {
  rule: string;
  resource: string;
  verdict: string;
  message: string;
  range: string;
}

function keys(findings: Finding[], mapRange: (f: Finding) => string): Key[] {
  return findings
    .map((f) => ({ rule: f.ruleId, resource: f.resource.address, verdict: f.verdict, message: f.message, range: mapRange(f) }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

const exact = (f: Finding): string => `${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character}`;
const lines = (f: Finding): string => `${f.range.start.line}-${f.range.end.line}`;

/** The fixtures whose first file is transformed, with the findings of the original. */
function variants(transform: (text: string, fx: Fixture) => string | undefined): Array<{ fx: Fixture; before: ReturnType<typeof analyseFiles>; after: ReturnType<typeof analyseFiles>; text: string }> {
  const out = [];
  for (const fx of loadFixtures()) {
    const original = fx.files[0].text;
    const text = transform(original, fx);
    if (text === undefined || text === original) continue;
    const before = analyseFiles(fx.format, fx.root, fx.files);
    if (before.findings.length === 0) continue; // nothing to compare
    const files = fx.files.map((f, i) => (i === 0 ? { path: f.path, text } : f));
    const after = analyseFiles(fx.format, fx.root, files);
    assertRangesInside(after, files);
    out.push({ fx, before, after, text });
  }
  return out;
}

describe('robustness: BOM, CRLF and tabs', function () {
  this.timeout(60000);
  before(() => ensureTerraform());

  it('CRLF line breaks: the same findings at the same (line, character) ranges', () => {
    const vs = variants((t) => (t.includes('\r') ? undefined : t.replace(/\n/g, '\r\n')));
    assert.ok(vs.length >= 8, `${vs.length} fixtures compared`);
    for (const v of vs) assert.deepEqual(keys(v.after.findings, exact), keys(v.before.findings, exact), v.fx.name);
  });

  it('a BOM: the same findings, ranges on the first line one character to the right', () => {
    const vs = variants((t) => (t.startsWith('\uFEFF') ? undefined : `\uFEFF${t}`));
    assert.ok(vs.length >= 8, `${vs.length} fixtures compared`);
    const shifted = (f: Finding): string =>
      `${f.range.start.line}:${f.range.start.character - (f.range.start.line === 0 ? 1 : 0)}-${f.range.end.line}:${f.range.end.character - (f.range.end.line === 0 ? 1 : 0)}`;
    for (const v of vs) assert.deepEqual(keys(v.after.findings, shifted), keys(v.before.findings, exact), v.fx.name);
  });

  it('tabs: JSON and HCL indented with tabs, YAML with a tab after "key:"; the same findings on the same lines', () => {
    const vs = variants((t, fx) => {
      const yaml = fx.format === 'cloudformation' && !t.trimStart().startsWith('{');
      if (yaml) return t.replace(/^(\s*[A-Za-z][\w:]*):[ ]+(?=[^\s#])/gm, '$1:\t');
      return t.replace(/^( {2})+/gm, (m) => '\t'.repeat(m.length / 2));
    });
    assert.ok(vs.length >= 8, `${vs.length} fixtures compared`);
    const formats = new Set(vs.map((v) => `${v.fx.format}:${v.text.trimStart().startsWith('{')}`));
    assert.ok(formats.size >= 3, `YAML, JSON and HCL all compared: ${[...formats].join(', ')}`);
    for (const v of vs) {
      assert.deepEqual(v.after.issues.map((i) => i.message), v.before.issues.map((i) => i.message), `${v.fx.name}: no new syntax problem`);
      assert.deepEqual(keys(v.after.findings, lines), keys(v.before.findings, lines), v.fx.name);
    }
  });

  it('LineIndex never puts a position between the \\r and the \\n of a CRLF', () => {
    // An LSP position is (line, character) where character <= the line's length; there is no position inside a
    // line break. yaml reported some errors with an end offset at the \n of a \r\n (found by mutations.test.ts).
    const text = 'a\r\nbc\r\n';
    const idx = new LineIndex(text);
    assert.deepEqual(idx.position(2), { line: 0, character: 1 }, 'offset 2 (the \\n after \\r) is the end of line 0, not character 2');
  });

  it('parse issues of a CRLF template (duplicate key, misaligned keys) are ranged inside the text', () => {
    // Both found by mutations.test.ts: yaml ended these issues between the \r and the \n.
    const texts = [
      'Resources:\r\n  Notebook:\r\n  Notebook:\r\n    Type: AWS::SageMaker::NotebookInstance\r\n    Properties:\r\n      InstanceType: ml.t3.medium\r\n',
      'AWSTemplateFormatVersion: "2010-09-09"\r\nResources:\r\n  Role:\r\n    Type: AWS::IAM::Role\r\n    \r\nProperties:\r\n      Path: /\r\n\r\n  Notebook:\r\n    Type: AWS::SageMaker::NotebookInstance\r\n',
    ];
    for (const text of texts) {
      const unit = parseCloudFormation('/virtual/crlf.yaml', text);
      assert.ok(unit && unit.issues.length > 0, JSON.stringify(text));
      assertRangesInside({ findings: [], suppressed: [], issues: unit.issues, ruleErrors: [], ms: 0 }, unit.files);
    }
  });
});
