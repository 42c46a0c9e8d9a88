import assert from 'node:assert/strict';
import { detab, findChildBlocks, findTopBlocks } from '../../../server/src/parse/cfn-blocks';

describe('CloudFormation block layout (cfn-blocks)', () => {
  it('finds YAML top-level sections and each resource, by lines', () => {
    const text =
      '# c\nAWSTemplateFormatVersion: x\nResources:\n  # comment\n  A:\n    Type: AWS::S3::Bucket\n  "B":\n    Type: AWS::KMS::Key\nOutputs: {}\n';
    const tops = findTopBlocks(text, 0, false);
    assert.deepEqual(
      tops.map((b) => b.key),
      ['AWSTemplateFormatVersion', 'Resources', 'Outputs'],
    );
    const res = tops[1];
    assert.equal(text.slice(res.start, res.end), 'Resources:\n  # comment\n  A:\n    Type: AWS::S3::Bucket\n  "B":\n    Type: AWS::KMS::Key\n');
    const children = findChildBlocks(text, res, false);
    assert.deepEqual(
      children.map((c) => [c.key, text.slice(c.keyStart, c.keyEnd)]),
      [
        ['A', 'A'],
        ['B', '"B"'],
      ],
    );
    assert.equal(text.slice(children[0].start, children[0].end), '  A:\n    Type: AWS::S3::Bucket\n');
  });

  it('stops at a second YAML document and ignores flow-style sections', () => {
    const text = 'Resources: {A: {Type: AWS::S3::Bucket}}\n---\nOther: 1\n';
    const tops = findTopBlocks(text, 0, false);
    assert.deepEqual(
      tops.map((b) => b.key),
      ['Resources'],
    );
    assert.equal(tops[0].end, text.indexOf('---'));
    assert.deepEqual(findChildBlocks(text, tops[0], false), []);
  });

  it('finds JSON sections and resources by indentation, even when brackets do not balance', () => {
    const text = '{\n  "Resources": {\n    "A": { "Type": "x", "P": [1,\n    },\n    "B": { "Type": "y" }\n  },\n  "Outputs": {}\n}\n';
    const tops = findTopBlocks(text, 0, true);
    assert.deepEqual(
      tops.map((b) => b.key),
      ['Resources', 'Outputs'],
    );
    const children = findChildBlocks(text, tops[0], true);
    assert.deepEqual(
      children.map((c) => c.key),
      ['A', 'B'],
    );
    assert.equal(text.slice(children[0].start, children[0].end).trim(), '"A": { "Type": "x", "P": [1,\n    },');
  });

  it('gives up on minified JSON (nothing to cut by)', () => {
    assert.deepEqual(findTopBlocks('{"Resources":{"A":{}}}', 0, true), []);
    assert.deepEqual(findTopBlocks('{"Resources":{"A":{}}}\n', 0, true), []);
  });

  it('JSON with the first key on the brace line: `{"Resources": {` then one entry per line', () => {
    const text = '{"Resources": {\n  "A": {"Type": "x", "P": [1}},\n  "B": {"Type": "y"}\n},\n"Outputs": {\n  "O": {}\n}}\n';
    const tops = findTopBlocks(text, 0, true);
    assert.deepEqual(
      tops.map((b) => [b.key, b.indent]),
      [
        ['Resources', 0],
        ['Outputs', 0],
      ],
    );
    assert.equal(tops[0].keyStart, 1);
    const children = findChildBlocks(text, tops[0], true);
    assert.deepEqual(
      children.map((c) => c.key),
      ['A', 'B'],
    );
    assert.equal(text.slice(children[1].start, children[1].end), '"B": {"Type": "y"}\n},\n');
  });

  it('JSON with `{ "AWSTemplateFormatVersion": "x",` (and more keys) on the brace line, the rest one per line', () => {
    const text = '{ "AWSTemplateFormatVersion": "x", "Description": "d, {",\n  "Resources": {\n    "A": {}\n  }\n}\n';
    const tops = findTopBlocks(text, 0, true);
    assert.deepEqual(
      tops.map((b) => b.key),
      ['AWSTemplateFormatVersion', 'Description', 'Resources'],
    );
    assert.deepEqual(
      findChildBlocks(text, tops[2], true).map((c) => c.key),
      ['A'],
    );
    // two levels opened on the first line: not recognised
    assert.deepEqual(findTopBlocks('{"Resources": {"A": {\n  "Type": "x"\n}}}\n', 0, true), []);
  });

  it('YAML: an entry indented with tabs, or a key between the entries\' column and their content\'s, starts an entry', () => {
    const text = 'Resources:\n  A:\n    Type: x\n\tB:\n\t\tType: y\n   C:\n    Type: z\n  D:\n    P:\n\tnot: an entry\n';
    const res = findTopBlocks(text, 0, false)[0];
    const children = findChildBlocks(text, res, false);
    assert.deepEqual(
      children.map((c) => [c.key, c.misplaced?.tabs]),
      [
        ['A', undefined],
        ['B', true],
        ['C', false],
        ['D', undefined],
      ],
    );
    assert.match(children[2].misplaced!.message, /column 4; the others start at column 3/);
    const b = children[1];
    const fixed = detab(text, b.start, b.end);
    assert.equal(fixed.length, text.length);
    assert.equal(fixed.slice(b.start, b.end), ' B:\n  Type: y\n');
    assert.equal(fixed.slice(0, b.start), text.slice(0, b.start));
  });
});
