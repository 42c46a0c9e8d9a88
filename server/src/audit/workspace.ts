/**
 * Workspace scan: file discovery, classification, unit building and analysis. Used by the CLI and by the
 * language server's "audit workspace" command; `loadTerraformModule` is also what the language server uses to
 * build the module of an open `.tf` document (open documents' text overrides the disk).
 *
 * Discovery
 * - Folders are walked recursively. `node_modules`, `.git`, `.terraform` and `cdk.out` are skipped unless
 *   `includeIgnoredDirs` is set (a path given explicitly is always scanned). `exclude` globs (see ./glob.ts)
 *   skip files and folders.
 * - Symbolic links are followed, but every folder and file is visited once, by real path, so link loops end.
 * - `*.tf` files, `terraform.tfvars(.json)` and `*.auto.tfvars(.json)` are grouped by folder: one Terraform module each.
 *   A `.tf` file given explicitly brings its whole folder in as context, but only its own findings are kept.
 * - `*.yaml|*.yml|*.json|*.template` files are read and kept when `isCloudFormationTemplate` says so; every
 *   other file is ignored.
 *
 * Problems (never fatal; the scan goes on)
 * - `errors` (a file that was not analysed at all), by kind:
 *   - `not-found`: a path given to scan does not exist;
 *   - `io`: a candidate file or a folder could not be read (permission denied, dangling symlink, EIO...);
 *   - `too-large`: a candidate file over `maxFileSize` (default 5 MB) was skipped;
 *   - `encoding`: a candidate file is binary (NUL bytes) or not valid UTF-8;
 *   - `parse`: a template or module could not be parsed at all (the parser returned nothing or threw);
 *   - `not-a-template`: a file named explicitly is neither a CloudFormation template nor a Terraform file (so a
 *     gate on one file never passes silently because the file was not recognised).
 * - `warnings`: syntax problems a parser recovered from (`unit.issues`): the file was analysed as far as it
 *   could be read, with the issue's range.
 * - `ruleErrors`: a rule that threw on a unit.
 *
 * Suppressions written in the files (see ../suppress.ts) are applied: covered findings move to `suppressed`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { analyzeUnit, compareFindings, type AnalyzeOptions, type RuleError } from '../engine';
import type { Range, SourceFile, Unit } from '../model/types';
import { isCloudFormationTemplate, parseCloudFormation } from '../parse/cloudformation';
import { initTerraform, isTerraformVarsFile, parseTerraformModule } from '../parse/terraform';
import type { Finding } from '../rules/types';
import { applySuppressions, type SuppressedFinding } from '../suppress';
import { withFixTitles } from '../fixes';
import { GlobSet } from './glob';

export const DEFAULT_IGNORED_DIRS: readonly string[] = ['node_modules', '.git', '.terraform', 'cdk.out'];
export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

export type ScanErrorKind = 'not-found' | 'io' | 'too-large' | 'encoding' | 'parse' | 'not-a-template';

export interface ScanError {
  /** Absolute path. */
  file: string;
  kind: ScanErrorKind;
  message: string;
}

export interface ScanWarning {
  /** Absolute path. */
  file: string;
  range: Range;
  message: string;
}

export interface UnitRuleError extends RuleError {
  /** The unit's root (template file or module folder). */
  unit: string;
}

export interface ScannedUnit {
  format: Unit['format'];
  /** Template file or module folder (absolute). */
  root: string;
  /** Files of the unit (absolute). */
  files: string[];
  resources: number;
}

export interface ScanOptions {
  /** Walk into node_modules, .git, .terraform and cdk.out too. */
  includeIgnoredDirs?: boolean;
  /** Candidate files larger than this (bytes) are skipped and reported. Default 5 MB. */
  maxFileSize?: number;
  /** Globs of files/folders not to scan, relative to `excludeBase`. */
  exclude?: readonly string[];
  /** Folder that `exclude` globs are relative to (default: `cwd`). */
  excludeBase?: string;
  /** More globs, each set relative to its own folder (e.g. the config file's and the command line's). */
  excludeSets?: ReadonlyArray<{ globs: readonly string[]; base: string }>;
  /** Fill `finding.fixes` with the titles of the quick-fixes the editor offers (default true). */
  fixTitles?: boolean;
  /** Stops the scan between files; scanPaths then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Passed to analyzeUnit (disabled rules, severity overrides, may-fail, test rules). */
  analyze?: AnalyzeOptions;
  /** Folder that relative `paths` are resolved against (default: process.cwd()). */
  cwd?: string;
  /** Texts that replace what is on disk (absolute path -> text), e.g. the files `--fix-dry-run` would write. */
  overrides?: ReadonlyMap<string, string>;
  /** Keep the parsed units and their findings in `ScanResult.parsed` (for `--fix`). */
  keepUnits?: boolean;
}

/** A unit as scanned: its findings (unsuppressed, `keep` applied) and the files the scan was asked about. */
export interface ParsedUnit {
  unit: Unit;
  findings: Finding[];
  /** Files that were scan targets (explicit `.tf` files), or undefined when all of the unit's files were. */
  keep?: ReadonlySet<string>;
}

export interface ScanResult {
  /** Sorted by file, position, rule. Files are absolute. */
  findings: Finding[];
  /** Findings covered by a suppression in the files (`# sageshield:ignore RULE reason`, CFN Metadata). */
  suppressed: SuppressedFinding[];
  errors: ScanError[];
  warnings: ScanWarning[];
  ruleErrors: UnitRuleError[];
  units: ScannedUnit[];
  /** With `keepUnits`: the parsed units, in scan order. */
  parsed?: ParsedUnit[];
}

const CFN_EXT = /\.(ya?ml|json|template)$/i;
const TF_FILE = /\.tf$/i;

/** `*.tf`, `terraform.tfvars(.json)`, `*.auto.tfvars(.json)`: the files of a Terraform module. */
export function isTerraformSource(file: string): boolean {
  return TF_FILE.test(path.basename(file)) || isTerraformVarsFile(file);
}

function errno(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err && err.code) {
    switch (err.code) {
      case 'EACCES':
      case 'EPERM':
        return 'permission denied';
      case 'ENOENT':
        return 'no such file (dangling symbolic link?)';
      case 'ELOOP':
        return 'too many levels of symbolic links';
      case 'EISDIR':
        return 'is a directory';
      default:
        return `${err.code}: ${err.message}`;
    }
  }
  return e instanceof Error ? e.message : String(e);
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export type ReadOutcome = { ok: true; text: string } | { ok: false; error: ScanError };

/** Reads a candidate file as UTF-8 text, enforcing the size limit and rejecting binary / invalid UTF-8. */
export async function readSourceFile(file: string, maxFileSize = DEFAULT_MAX_FILE_SIZE): Promise<ReadOutcome> {
  let buf: Buffer;
  try {
    const st = await fs.stat(file);
    if (st.isDirectory()) return { ok: false, error: { file, kind: 'io', message: 'is a directory' } };
    if (!st.isFile()) return { ok: false, error: { file, kind: 'io', message: 'not a regular file' } };
    if (st.size > maxFileSize)
      return { ok: false, error: { file, kind: 'too-large', message: `skipped: ${st.size} bytes is over the ${maxFileSize}-byte limit` } };
    buf = await fs.readFile(file);
  } catch (e) {
    return { ok: false, error: { file, kind: 'io', message: `cannot read: ${errno(e)}` } };
  }
  if (buf.subarray(0, 8192).includes(0)) return { ok: false, error: { file, kind: 'encoding', message: 'skipped: binary file' } };
  try {
    return { ok: true, text: decoder.decode(buf) };
  } catch {
    return { ok: false, error: { file, kind: 'encoding', message: 'skipped: not valid UTF-8 text' } };
  }
}

interface Discovery {
  cfn: Set<string>;
  /** CloudFormation candidates named explicitly (reported when they turn out not to be templates). */
  cfnExplicit: Set<string>;
  /** Module folder -> files found there by walking (absolute). */
  tfDirs: Map<string, Set<string>>;
  /** Module folder -> `.tf` files given explicitly (only their findings are kept) when the folder was not walked. */
  tfExplicit: Map<string, Set<string>>;
  errors: ScanError[];
}

async function discover(paths: string[], opts: ScanOptions): Promise<Discovery> {
  const cwd = opts.cwd ?? process.cwd();
  const ignored = new Set(opts.includeIgnoredDirs ? [] : DEFAULT_IGNORED_DIRS);
  const sets = [{ globs: opts.exclude ?? [], base: opts.excludeBase ?? cwd }, ...(opts.excludeSets ?? [])]
    .filter((x) => x.globs.length > 0)
    .map((x) => ({ set: new GlobSet(x.globs), base: path.resolve(cwd, x.base) }));
  const d: Discovery = { cfn: new Set(), cfnExplicit: new Set(), tfDirs: new Map(), tfExplicit: new Map(), errors: [] };
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();

  const excluded = (abs: string): boolean => sets.some((x) => x.set.matches(path.relative(x.base, abs).split(path.sep).join('/')));

  const addFile = async (abs: string, explicit: boolean): Promise<void> => {
    const base = path.basename(abs);
    const tf = isTerraformSource(base);
    if (!tf && !CFN_EXT.test(base)) {
      if (explicit) d.errors.push({ file: abs, kind: 'not-a-template', message: 'skipped: not a CloudFormation template or Terraform file' });
      return;
    }
    let real: string;
    try {
      real = await fs.realpath(abs);
    } catch (e) {
      d.errors.push({ file: abs, kind: 'io', message: `cannot read: ${errno(e)}` });
      return;
    }
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    if (tf) {
      const dir = path.dirname(abs);
      if (explicit) {
        if (!d.tfExplicit.has(dir)) d.tfExplicit.set(dir, new Set());
        d.tfExplicit.get(dir)!.add(abs);
      } else {
        if (!d.tfDirs.has(dir)) d.tfDirs.set(dir, new Set());
        d.tfDirs.get(dir)!.add(abs);
      }
    } else {
      d.cfn.add(abs);
      if (explicit) d.cfnExplicit.add(abs);
    }
  };

  const walk = async (dir: string): Promise<void> => {
    opts.signal?.throwIfAborted();
    let real: string;
    try {
      real = await fs.realpath(dir);
    } catch (e) {
      d.errors.push({ file: dir, kind: 'io', message: `cannot read folder: ${errno(e)}` });
      return;
    }
    if (seenDirs.has(real)) return; // a symlink loop or a folder reached twice
    seenDirs.add(real);
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      d.errors.push({ file: dir, kind: 'io', message: `cannot read folder: ${errno(e)}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      const abs = path.join(dir, ent.name);
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        try {
          const st = await fs.stat(abs);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (e) {
          // A dangling link or a link loop: an error only when it names a file we would have scanned.
          if (isTerraformSource(ent.name) || CFN_EXT.test(ent.name))
            d.errors.push({ file: abs, kind: 'io', message: `cannot read: ${errno(e)}` });
          continue;
        }
      }
      if (isDir) {
        if (ignored.has(ent.name) || excluded(abs)) continue;
        await walk(abs);
      } else if (isFile) {
        if (excluded(abs)) continue;
        await addFile(abs, false);
      }
    }
  };

  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let st: import('node:fs').Stats;
    try {
      st = await fs.stat(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      d.errors.push(
        code === 'ENOENT'
          ? { file: abs, kind: 'not-found', message: 'no such file or folder' }
          : { file: abs, kind: 'io', message: `cannot read: ${errno(e)}` },
      );
      continue;
    }
    if (st.isDirectory()) await walk(abs);
    else await addFile(abs, true);
  }
  // A folder both walked and named explicitly: the walk wins (all its findings are kept).
  for (const [dir, files] of d.tfExplicit) {
    const walked = d.tfDirs.get(dir);
    if (!walked) continue;
    for (const f of files) walked.add(f);
    d.tfExplicit.delete(dir);
  }
  return d;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

let terraformReady: Promise<void> | undefined;
function ensureTerraform(): Promise<void> {
  if (!terraformReady) {
    terraformReady = initTerraform();
    terraformReady.catch(() => (terraformReady = undefined));
  }
  return terraformReady;
}

export interface LoadedModule {
  /** Undefined when the module could not be parsed at all (see errors). */
  unit?: Unit;
  /** Files that could not be read (or the parser failure). */
  errors: ScanError[];
}

/**
 * Builds the Terraform module of `dir`: every `*.tf`, `terraform.tfvars` and `*.auto.tfvars` in the folder (not
 * below it). `overrides` (absolute path -> text) replaces what is on disk, e.g. the text of open documents;
 * override paths in `dir` that do not exist on disk are added. Initialises the Terraform parser when needed.
 */
export async function loadTerraformModule(
  dir: string,
  overrides: ReadonlyMap<string, string> = new Map(),
  maxFileSize = DEFAULT_MAX_FILE_SIZE,
): Promise<LoadedModule> {
  const abs = path.resolve(dir);
  const names = new Set<string>();
  const errors: ScanError[] = [];
  try {
    for (const ent of await fs.readdir(abs, { withFileTypes: true })) {
      if ((ent.isFile() || ent.isSymbolicLink()) && isTerraformSource(ent.name)) names.add(path.join(abs, ent.name));
    }
  } catch (e) {
    // The folder may not exist yet (an unsaved document): overrides still make a module.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') errors.push({ file: abs, kind: 'io', message: `cannot read folder: ${errno(e)}` });
  }
  for (const p of overrides.keys()) {
    const a = path.resolve(p);
    if (path.dirname(a) === abs && isTerraformSource(a)) names.add(a);
  }
  return buildModule(abs, [...names], overrides, maxFileSize, errors);
}

async function buildModule(
  dir: string,
  files: string[],
  overrides: ReadonlyMap<string, string>,
  maxFileSize: number,
  errors: ScanError[] = [],
): Promise<LoadedModule> {
  const sorted = [...files].sort();
  const sources: SourceFile[] = [];
  const read = await mapLimit(sorted, 16, async (f) => {
    const o = overrides.get(f);
    return o !== undefined ? ({ ok: true, text: o } as ReadOutcome) : readSourceFile(f, maxFileSize);
  });
  read.forEach((r, i) => {
    if (r.ok) sources.push({ path: sorted[i], text: r.text });
    else errors.push(r.error);
  });
  if (sources.length === 0) return { errors };
  try {
    await ensureTerraform();
  } catch (e) {
    errors.push({ file: dir, kind: 'parse', message: `the Terraform parser could not start: ${errno(e)}` });
    return { errors };
  }
  try {
    return { unit: parseTerraformModule(dir, sources), errors };
  } catch (e) {
    errors.push({ file: dir, kind: 'parse', message: `could not be parsed as a Terraform module: ${errno(e)}` });
    return { errors };
  }
}

/** Parses one CloudFormation candidate: a unit, undefined when it is not a template, or an error. */
export function loadCloudFormation(file: string, text: string): { unit?: Unit; error?: ScanError } {
  try {
    if (!isCloudFormationTemplate(file, text)) return {};
  } catch (e) {
    return { error: { file, kind: 'parse', message: `could not be read as a template: ${errno(e)}` } };
  }
  try {
    const unit = parseCloudFormation(file, text);
    if (!unit) return { error: { file, kind: 'parse', message: 'could not be parsed as a CloudFormation template' } };
    return { unit };
  } catch (e) {
    return { error: { file, kind: 'parse', message: `could not be parsed as a CloudFormation template: ${errno(e)}` } };
  }
}

/**
 * Scans files and folders: discovery, parsing, analysis. Never throws for a file problem (see `errors`); rejects
 * only when `signal` is aborted.
 */
export async function scanPaths(paths: readonly string[], opts: ScanOptions = {}): Promise<ScanResult> {
  const maxFileSize = opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const d = await discover(paths.length ? [...paths] : ['.'], opts);
  const result: ScanResult = { findings: [], suppressed: [], errors: d.errors, warnings: [], ruleErrors: [], units: [] };
  const overrides = opts.overrides ?? new Map<string, string>();
  if (opts.keepUnits) result.parsed = [];

  const analyze = (unit: Unit, keep?: Set<string>): void => {
    result.units.push({ format: unit.format, root: unit.root, files: unit.files.map((f) => f.path), resources: unit.resources.length });
    for (const issue of unit.issues)
      if (!keep || keep.has(issue.file)) result.warnings.push({ file: issue.file, range: issue.range, message: issue.message });
    const analysed = analyzeUnit(unit, opts.analyze);
    const { findings, suppressed } = applySuppressions(unit, analysed.findings);
    if (opts.fixTitles !== false) withFixTitles(unit, findings);
    for (const f of findings) if (!keep || keep.has(f.file)) result.findings.push(f);
    result.parsed?.push({ unit, findings: findings.filter((f) => !keep || keep.has(f.file)), keep });
    for (const s of suppressed) if (!keep || keep.has(s.finding.file)) result.suppressed.push(s);
    const ruleErrors = analysed.ruleErrors;
    for (const e of ruleErrors) result.ruleErrors.push({ ...e, unit: unit.root });
  };

  // CloudFormation templates.
  const cfnFiles = [...d.cfn].sort();
  const texts = await mapLimit(cfnFiles, 16, (f): Promise<ReadOutcome> => {
    const o = overrides.get(f);
    return o !== undefined ? Promise.resolve({ ok: true, text: o }) : readSourceFile(f, maxFileSize);
  });
  cfnFiles.forEach((file, i) => {
    opts.signal?.throwIfAborted();
    const r = texts[i];
    if (!r.ok) {
      result.errors.push(r.error);
      return;
    }
    const { unit, error } = loadCloudFormation(file, r.text);
    if (error) result.errors.push(error);
    else if (!unit && d.cfnExplicit.has(file))
      result.errors.push({ file, kind: 'not-a-template', message: 'skipped: not a CloudFormation template (no AWSTemplateFormatVersion, or no Resources with AWS:: types)' });
    if (unit) analyze(unit);
  });

  // Terraform modules.
  const modules: Array<[string, Set<string> | undefined]> = [];
  for (const [dir] of d.tfDirs) modules.push([dir, undefined]);
  for (const [dir, files] of d.tfExplicit) modules.push([dir, files]);
  modules.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [dir, keep] of modules) {
    opts.signal?.throwIfAborted();
    if (keep) {
      // Explicit files: the whole folder is the module (variables, locals), findings kept for `keep` only.
      const loaded = await loadTerraformModule(dir, overrides, maxFileSize);
      for (const e of loaded.errors) if (keep.has(e.file) || e.kind === 'parse') result.errors.push(e);
      if (loaded.unit) analyze(loaded.unit, keep);
      continue;
    }
    const files = [...d.tfDirs.get(dir)!];
    if (!files.some((f) => TF_FILE.test(f))) continue; // tfvars alone are not a module
    const loaded = await buildModule(dir, files, overrides, maxFileSize);
    result.errors.push(...loaded.errors);
    if (loaded.unit) analyze(loaded.unit);
  }

  result.findings.sort(compareFindings);
  result.suppressed.sort((a, b) => compareFindings(a.finding, b.finding));
  result.errors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.message.localeCompare(b.message)));
  result.warnings.sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character),
  );
  return result;
}
