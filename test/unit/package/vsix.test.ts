// Packaging: builds a .vsix from the current tree (into a temporary folder, so .vscodeignore as it is now is
// what gets tested), lists its contents by reading the zip central directory, and checks them against what the
// manifest needs at run time: main, snippets, jsonValidation schemas, the server bundle and the wasm files;
// and that nothing else is in it (no sources, tests, node_modules, source maps, examples, docs, scripts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';

const ROOT = path.resolve(__dirname, '..', '..', '..');

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Reads a zip's central directory (no zip64: a .vsix is far below 4 GB and 65535 entries). */
export function listZip(buf: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file: no end-of-central-directory record');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry at ${p}`);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    entries.push({
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      localHeaderOffset: buf.readUInt32LE(p + 42),
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

export function readZipEntry(buf: Buffer, e: ZipEntry): Buffer {
  const lh = e.localHeaderOffset;
  if (buf.readUInt32LE(lh) !== 0x04034b50) throw new Error(`bad local header for ${e.name}`);
  const start = lh + 30 + buf.readUInt16LE(lh + 26) + buf.readUInt16LE(lh + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  if (e.method === 0) return Buffer.from(data);
  if (e.method === 8) return inflateRawSync(data);
  throw new Error(`unsupported compression method ${e.method} for ${e.name}`);
}

describe('package: the .vsix', function () {
  let tmp = '';
  let vsixPath = '';
  let zip: Buffer;
  let entries: ZipEntry[] = [];
  let files: string[] = []; // paths inside the extension folder, e.g. dist/client.js
  let manifest: any;

  before(function () {
    this.timeout(300000);
    const opts = { cwd: ROOT, encoding: 'utf8' as const, maxBuffer: 64 << 20 };
    if (!existsSync(path.join(ROOT, 'dist', 'client.js')) || !existsSync(path.join(ROOT, 'dist', 'server.js'))) {
      const b = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], opts);
      assert.equal(b.status, 0, `npm run build failed:\n${b.stdout}\n${b.stderr}`);
    }
    tmp = mkdtempSync(path.join(os.tmpdir(), 'sageshield-vsix-'));
    vsixPath = path.join(tmp, 'sageshield.vsix');
    const started = Date.now();
    const p = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--out', vsixPath], opts);
    assert.equal(p.status, 0, `vsce package failed:\n${p.stdout}\n${p.stderr}`);
    zip = readFileSync(vsixPath);
    entries = listZip(zip);
    files = entries.filter((e) => e.name.startsWith('extension/')).map((e) => e.name.slice('extension/'.length));
    const pj = entries.find((e) => e.name === 'extension/package.json');
    assert.ok(pj, 'extension/package.json is not in the .vsix');
    manifest = JSON.parse(readZipEntry(zip, pj).toString('utf8'));
    const total = entries.reduce((s, e) => s + e.size, 0);
    console.log(`      .vsix: ${(statSync(vsixPath).size / 1024).toFixed(1)} KB packed, ${(total / 1024).toFixed(1)} KB unpacked, ${files.length} files, vsce ${Date.now() - started} ms`);
    for (const e of entries.filter((x) => x.name.startsWith('extension/')).sort((a, b) => b.size - a.size)) {
      console.log(`        ${(e.size / 1024).toFixed(1).padStart(9)} KB  ${e.name.slice('extension/'.length)}`);
    }
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const norm = (p: string) => path.posix.normalize(p.replace(/^\.\//, ''));

  it('holds the manifest entry point, the language server bundle and the CLI', () => {
    assert.equal(manifest.name, 'sageshield');
    assert.ok(files.includes(norm(manifest.main)), `main ${manifest.main} is not packaged`);
    assert.ok(files.includes('dist/server.js'), 'dist/server.js (the language server) is not packaged');
    assert.ok(files.includes('dist/cli.js'), 'dist/cli.js is not packaged');
  });

  it('holds the wasm files the parsers load next to the bundles, and the IAM data when it is built', () => {
    for (const f of ['dist/web-tree-sitter.wasm', 'dist/tree-sitter-terraform.wasm']) assert.ok(files.includes(f), `${f} is not packaged`);
    if (existsSync(path.join(ROOT, 'dist', 'iam-actions.json'))) assert.ok(files.includes('dist/iam-actions.json'), 'dist/iam-actions.json is built but not packaged');
  });

  it('holds every snippets file and jsonValidation schema the manifest names', () => {
    const snippets: { path: string }[] = manifest.contributes?.snippets ?? [];
    const schemas: { url: string }[] = (manifest.contributes?.jsonValidation ?? []).filter((j: { url: string }) => !/^https?:/.test(j.url));
    assert.ok(snippets.length + schemas.length > 0, 'the manifest contributes no snippets or schemas: nothing to check');
    for (const s of snippets) assert.ok(files.includes(norm(s.path)), `snippets file ${s.path} is not packaged`);
    for (const j of schemas) assert.ok(files.includes(norm(j.url)), `schema ${j.url} is not packaged`);
  });

  it('holds the readme, changelog and licence', () => {
    assert.ok(files.some((f) => /^readme\.md$/i.test(f)), 'README.md is not packaged');
    assert.ok(files.some((f) => /^changelog\.md$/i.test(f)), 'CHANGELOG.md is not packaged');
    assert.ok(files.some((f) => /^license(\.txt|\.md)?$/i.test(f)), 'LICENSE is not packaged');
  });

  it('holds nothing else: no sources, tests, node_modules, source maps, examples, docs, scripts, bench or CI files', () => {
    const forbidden = files.filter((f) =>
      /\.ts$|\.map$|\.tsbuildinfo$/.test(f) ||
      /^(node_modules|src|client|server|test|tests|test-results|examples|docs|scripts|bench|out|\.ci|\.github|\.vscode)\//.test(f) ||
      /^\.|\/\./.test(f) ||
      /\.vsix$/.test(f),
    );
    assert.deepEqual(forbidden, [], `files that should not be packaged: ${forbidden.join(', ')}`);
    const allowed = /^(package\.json|readme\.md|changelog\.md|license(\.txt|\.md)?|dist\/[^/]+\.(js|wasm|json)|snippets\/[^/]+\.code-snippets|schemas\/[^/]+\.json)$/i;
    const unexpected = files.filter((f) => !allowed.test(f));
    assert.deepEqual(unexpected, [], `files outside the allow-list: ${unexpected.join(', ')}`);
  });

  it('stays small (under 15 MB packed)', () => {
    const size = statSync(vsixPath).size;
    assert.ok(size < 15 * 1024 * 1024, `the .vsix is ${(size / 1048576).toFixed(1)} MB`);
  });
});
