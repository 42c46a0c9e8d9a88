/**
 * `sageshield scan`: the engine as a command-line gate. See `HELP` for the options and exit codes.
 * `main(argv, io)` is exported for in-process tests; the bundle (dist/cli.js) runs it on process.argv.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, loadConfig, type FailOn } from './audit/config';
import { buildReport, relativePath, renderJson, type Report } from './audit/report-json';
import { renderMarkdown } from './audit/report-markdown';
import { renderSarif } from './audit/report-sarif';
import { renderText } from './audit/report-text';
import { overridesOf, planFixes, unifiedDiff, writeFixes, type FixPlan } from './audit/fix';
import { VERSION } from './audit/version';
import { DEFAULT_MAX_FILE_SIZE, scanPaths } from './audit/workspace';
import { allRules } from './rules';
import { SEVERITIES, type Rule, type Severity } from './rules/types';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

export const HELP = `Usage: sageshield scan [PATH...] [options]

Scans CloudFormation templates (YAML/JSON) and Terraform modules for SageMaker security problems.
PATH is a file or a folder (default: the current folder). Folders are walked recursively, skipping
node_modules, .git, .terraform and cdk.out. All *.tf files of a folder form one Terraform module.

Options:
  -f, --format FORMAT        text (default), json, sarif or markdown
      --fail-on SEVERITY     exit 1 when a finding has this severity or a higher one:
                             critical, high (default), medium, low, info, or none (never)
  -o, --output FILE          write the report to FILE instead of standard output
                             (a one-line summary still goes to standard error)
  -c, --config FILE          read this config file instead of ./.sageshield.json
      --no-may-fail          do not report findings that depend on unresolved values
      --exclude GLOB         skip matching files and folders, relative to the current folder; a GLOB
                             without "/" matches a name at any depth (repeatable; adds to the config's)
      --include-ignored-dirs also walk node_modules, .git, .terraform and cdk.out
      --max-file-size BYTES  skip (and report) candidate files larger than this (default ${DEFAULT_MAX_FILE_SIZE})
      --fix                  apply the preferred fix of every finding, writing the files in place, print
                             per file what changed (rule, resource, fix) and the new parameters/variables
                             you must give a value; then report what remains (the exit code gates on that).
                             Never a suppression; a template or module with syntax errors is left untouched
                             ("not fixed"); only files that were scanned are written (symlinks: the real file)
      --fix-dry-run          as --fix, but print a diff of the changes instead of writing them; the report
                             is what would remain
  -h, --help                 show this help
  -V, --version              show the version

Exit codes:
  0  no finding at or above --fail-on, and every file could be read
  1  at least one finding at or above --fail-on
  2  usage error, invalid config file, a PATH that does not exist, a file or folder that could not
     be read (permission denied, dangling symbolic link), a report that could not be written, or a
     file --fix could not write.
     Takes precedence over 1.
  Templates that cannot be parsed at all, binary or oversized files, and a file named on the command
  line that is not a template are listed under "errors" in the report but do not change the exit code.
  Syntax problems a parser recovered from are "warnings"; the rest of that file is still checked.

Suppressions: "# sageshield:ignore RULE-ID reason" on the line above a resource or property (YAML,
HCL), or CloudFormation resource Metadata {"sageshield": {"ignore": [{"id": ..., "reason": ...}]}}.
Suppressed findings never fail the gate; the JSON and SARIF reports list them.

Config file (.sageshield.json, schema: schemas/sageshield-config.schema.json):
  { "rules": { "disabled": ["SM-ROOT-01"], "severity": { "IAM-04": "low" } },
    "reportMayFail": true, "exclude": ["test/**"], "failOn": "high" }
`;

export interface CliIO {
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
}

export type ReportFormat = 'text' | 'json' | 'sarif' | 'markdown';
const FORMATS: ReportFormat[] = ['text', 'json', 'sarif', 'markdown'];

export interface ScanArgs {
  paths: string[];
  format: ReportFormat;
  failOn?: FailOn;
  output?: string;
  config?: string;
  mayFail: boolean;
  exclude: string[];
  includeIgnoredDirs: boolean;
  maxFileSize: number;
  /** --fix (write) or --fix-dry-run; absent when neither is given. */
  fix?: 'write' | 'dry-run';
}

export class UsageError extends Error {}

export type Command = { kind: 'help' } | { kind: 'version' } | { kind: 'scan'; args: ScanArgs };

/** Parses the command line (without `node` and the script). Throws UsageError. */
export function parseArgs(argv: readonly string[]): Command {
  const args = [...argv];
  if (args.length === 0) throw new UsageError('missing command (try: sageshield scan .)');
  const first = args[0];
  if (first === '-h' || first === '--help' || first === 'help') return { kind: 'help' };
  if (first === '-V' || first === '--version' || first === 'version') return { kind: 'version' };
  if (first !== 'scan') throw new UsageError(`unknown command "${first}" (the command is "scan")`);
  const scan: ScanArgs = { paths: [], format: 'text', mayFail: true, exclude: [], includeIgnoredDirs: false, maxFileSize: DEFAULT_MAX_FILE_SIZE };
  let onlyPaths = false;
  for (let i = 1; i < args.length; i++) {
    let a = args[i];
    if (onlyPaths || !a.startsWith('-') || a === '-') {
      scan.paths.push(a);
      continue;
    }
    if (a === '--') {
      onlyPaths = true;
      continue;
    }
    let inline: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = args[++i];
      if (v === undefined || (v.startsWith('-') && v.length > 1)) throw new UsageError(`${a} needs a value`);
      return v;
    };
    const flag = (): void => {
      if (inline !== undefined) throw new UsageError(`${a} takes no value`);
    };
    switch (a) {
      case '-h':
      case '--help':
        return { kind: 'help' };
      case '-V':
      case '--version':
        return { kind: 'version' };
      case '-f':
      case '--format': {
        const v = value();
        if (!(FORMATS as string[]).includes(v)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${v}")`);
        scan.format = v as ReportFormat;
        break;
      }
      case '--fail-on': {
        const v = value();
        if (!([...SEVERITIES, 'none'] as string[]).includes(v))
          throw new UsageError(`--fail-on must be one of ${[...SEVERITIES, 'none'].join(', ')} (got "${v}")`);
        scan.failOn = v as FailOn;
        break;
      }
      case '-o':
      case '--output':
        scan.output = value();
        break;
      case '-c':
      case '--config':
        scan.config = value();
        break;
      case '--no-may-fail':
        flag();
        scan.mayFail = false;
        break;
      case '--exclude':
        scan.exclude.push(value());
        break;
      case '--include-ignored-dirs':
        flag();
        scan.includeIgnoredDirs = true;
        break;
      case '--max-file-size': {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`--max-file-size must be a positive number of bytes (got "${v}")`);
        scan.maxFileSize = Number(v);
        break;
      }
      case '--fix':
      case '--fix-dry-run': {
        flag();
        const mode = a === '--fix' ? 'write' : 'dry-run';
        if (scan.fix && scan.fix !== mode) throw new UsageError('--fix and --fix-dry-run cannot be used together');
        scan.fix = mode;
        break;
      }
      default:
        throw new UsageError(`unknown option ${a}`);
    }
  }
  if (scan.paths.length === 0) scan.paths.push('.');
  return { kind: 'scan', args: scan };
}

/** True when a finding of `severity` reaches the `failOn` threshold. */
export function reaches(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'none' && SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(failOn);
}

export function render(report: Report, format: ReportFormat, cwd: string): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report, cwd);
    case 'markdown':
      return renderMarkdown(report);
    default:
      return renderText(report);
  }
}

export interface CliDeps {
  /** Rules to run instead of the registry (as AnalyzeOptions.rules). */
  rules?: readonly Rule[];
}

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIO, deps: CliDeps = {}): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseArgs(argv);
  } catch (e) {
    io.stderr(`sageshield: ${e instanceof Error ? e.message : String(e)}\nRun "sageshield --help" for usage.\n`);
    return EXIT_ERROR;
  }
  if (cmd.kind === 'help') {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (cmd.kind === 'version') {
    io.stdout(`${VERSION}\n`);
    return EXIT_OK;
  }
  const a = cmd.args;
  try {
    let loaded;
    try {
      loaded = await loadConfig(io.cwd, a.config);
    } catch (e) {
      if (e instanceof ConfigError) {
        io.stderr(`sageshield: ${e.message}\n`);
        return EXIT_ERROR;
      }
      throw e;
    }
    const cfg = loaded.config;
    const known = new Set((deps.rules ?? allRules()).map((r) => r.meta.id));
    for (const id of [...(cfg.rules?.disabled ?? []), ...Object.keys(cfg.rules?.severity ?? {})])
      if (!known.has(id)) io.stderr(`sageshield: warning: ${loaded.file}: unknown rule ID ${id} (ignored)\n`);
    const failOn: FailOn = a.failOn ?? cfg.failOn ?? 'high';
    const scanOptions: Parameters<typeof scanPaths>[1] = {
      cwd: io.cwd,
      includeIgnoredDirs: a.includeIgnoredDirs,
      maxFileSize: a.maxFileSize,
      // config globs are relative to the config file's folder, --exclude globs to the current folder
      excludeSets: [
        { globs: cfg.exclude ?? [], base: loaded.baseDir },
        { globs: a.exclude, base: io.cwd },
      ],
      analyze: {
        disabledRules: cfg.rules?.disabled,
        severity: cfg.rules?.severity,
        reportMayFail: a.mayFail && cfg.reportMayFail !== false,
        rules: deps.rules,
      },
    };
    // --fix: the fix summary goes where it does not mix with a machine-readable report
    const note = a.format === 'text' && !a.output ? io.stdout : io.stderr;
    let writeFailed = false;
    let overrides: Map<string, string> | undefined;
    if (a.fix) {
      const first = await scanPaths(a.paths, { ...scanOptions, keepUnits: true, fixTitles: false });
      const plan = planFixes(first);
      const failed = a.fix === 'write' ? await writeFixes(plan.files) : [];
      note(renderFixPlan(plan, io.cwd, a.fix === 'dry-run', failed));
      for (const f of failed) io.stderr(`sageshield: ${relativePath(io.cwd, f.file)}: ${f.message}\n`);
      writeFailed = failed.length > 0;
      if (a.fix === 'dry-run') overrides = overridesOf(plan);
    }
    const scan = await scanPaths(a.paths, overrides ? { ...scanOptions, overrides } : scanOptions);
    // Describe the rules that ran, with the severity the config gives them.
    const disabled = new Set(cfg.rules?.disabled ?? []);
    const ran = (deps.rules ?? allRules())
      .filter((r) => !disabled.has(r.meta.id))
      .map((r) => ({ ...r.meta, severity: cfg.rules?.severity?.[r.meta.id] ?? r.meta.severity }));
    const report = buildReport(scan, { cwd: io.cwd, version: VERSION, rules: ran });
    const text = render(report, a.format, io.cwd);
    if (a.output) {
      try {
        await fs.writeFile(path.resolve(io.cwd, a.output), text);
      } catch (e) {
        io.stderr(`sageshield: cannot write ${a.output}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
        return EXIT_ERROR;
      }
      io.stderr(`${summaryLine(report)}\n`);
    } else {
      io.stdout(text);
      if (a.format !== 'text') io.stderr(`${summaryLine(report)}\n`);
    }
    const ioFailure = writeFailed || scan.errors.some((e) => e.kind === 'not-found' || e.kind === 'io');
    if (ioFailure) {
      for (const e of scan.errors.filter((x) => x.kind === 'not-found' || x.kind === 'io'))
        io.stderr(`sageshield: ${relativePath(io.cwd, e.file)}: ${e.message}\n`);
      return EXIT_ERROR;
    }
    return scan.findings.some((f) => reaches(f.severity, failOn)) ? EXIT_FINDINGS : EXIT_OK;
  } catch (e) {
    io.stderr(`sageshield: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT_ERROR;
  }
}

/**
 * What `--fix` did (or, dry run, would do): per file the fixes (rule, resource, title) and, dry run, a diff; the
 * inputs the user must give; what was not fixed and why; findings with no automatic fix.
 */
export function renderFixPlan(plan: FixPlan, cwd: string, dryRun: boolean, failed: ReadonlyArray<{ file: string }> = []): string {
  const rel = (f: string) => relativePath(cwd, f);
  const out: string[] = [];
  const notWritten = new Set(failed.map((f) => f.file));
  for (const f of plan.files) {
    out.push(`${dryRun ? 'would fix' : notWritten.has(f.file) ? 'NOT written' : 'fixed'} ${rel(f.file)}:`);
    const seen = new Set<string>();
    for (const c of f.changes) {
      const line = `  ${c.ruleId} ${c.resource}: ${c.title}`;
      if (!seen.has(line)) out.push(line);
      seen.add(line);
    }
    if (dryRun) out.push(unifiedDiff(rel(f.file), f.before, f.after).trimEnd());
  }
  if (plan.inputs.length) {
    out.push(`inputs you must give a value (new ${[...new Set(plan.inputs.map((i) => `${i.kind}s`))].join(' and ')}):`);
    for (const i of plan.inputs) out.push(`  ${i.kind} ${i.name} in ${rel(i.file)}`);
  }
  for (const n of plan.notFixed) out.push(`not fixed: ${rel(n.file)} ${n.reason}`);
  for (const n of plan.noFix) out.push(`no automatic fix: ${n.ruleId} ${n.resource} in ${rel(n.file)}`);
  const count = plan.files.length - (dryRun ? 0 : notWritten.size);
  out.push(`${dryRun ? 'would change' : 'changed'} ${count} file${count === 1 ? '' : 's'}.`);
  return `${out.join('\n')}\n`;
}

/** The last line of the text report: counts by severity, units, errors. */
export function summaryLine(report: Report): string {
  const lines = renderText(report).trimEnd().split('\n');
  return lines[lines.length - 1];
}

if (require.main === module) {
  // `sageshield scan | head`: a closed pipe ends the run quietly.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  main(process.argv.slice(2), {
    cwd: process.cwd(),
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  }).then((code) => {
    process.exitCode = code;
  });
}
