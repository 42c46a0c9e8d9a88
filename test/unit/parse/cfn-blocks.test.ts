import assert from 'node:assert/strict';
import { findChildBlocks, findTopBlocks } from '../../../server/src/parse/cfn-blocks';

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
  });
});
