/**
 * Diagnostics as the user types. One analysis per document, debounced (the delay is injectable); each run
 * is tied to the document version it read, and publishes only if that version is still current and no newer
 * edit was scheduled. CloudFormation: one template file. Terraform: the document's folder is the module,
 * built from the files on disk with the open documents' text in their place, and diagnostics go to every
 * `.tf` file of the module (only the edited document's publish carries a version).
 *
 * Errors in a parser or a rule never escape: they are logged and the server goes on.
 */
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver/node';
import type { Unit } from '../model/types';
import { IncrementalEngine } from '../incremental-engine';
import { IncrementalParser } from '../parse/incremental';
import { setDefaultTerraformCache } from '../parse/terraform';
import { CONFIG_FILE_NAME } from '../audit/config';
import { DEFAULT_MAX_FILE_SIZE, loadTerraformModule } from '../audit/workspace';
import { isCloudFormationTemplate } from '../parse/cloudformation';
import type { Finding } from '../rules/types';
import { applySuppressions } from '../suppress';
import type { SageShieldSettings } from '../shared/protocol';
import { Debouncer, type DebounceToken } from './debouncer';
import { findingToDiagnostic, internalErrorDiagnostic, parseIssueToDiagnostic } from './diagnostics';
import { classifyDocument, pathToUri, uriToPath } from './documents';
import { applyProjectConfig, type ProjectConfigService } from './project-config';
import type { SettingsService } from './settings';

/** Analyses slower than this are logged. */
const SLOW_ANALYSIS_MS = 1000;

export interface OpenDocument {
  readonly uri: string;
  readonly version: number;
  readonly languageId: string;
  getText(): string;
}

export interface DocumentStore {
  get(uri: string): OpenDocument | undefined;
  all(): OpenDocument[];
}

export interface DiagnosticsPublisher {
  publish(uri: string, version: number | undefined, diagnostics: Diagnostic[]): void;
}

export interface DiagnosticsServiceOptions {
  /** Delay after an edit (ms). Opening a document and a settings change analyse at once. */
  debounceMs: number;
  log: (message: string) => void;
  error: (message: string) => void;
  /** `.sageshield.json` lookup; none: editor settings only. */
  projectConfig?: ProjectConfigService;
}

export class DiagnosticsService {
  private readonly debouncer: Debouncer;
  /** URIs that were sent a non-empty list (or a list at all, for Terraform module files). */
  private readonly published = new Set<string>();
  /** Terraform module folder -> URIs published for its files. */
  private readonly modules = new Map<string, Set<string>>();
  /** Runs finished (analysed, skipped as stale, or not a template). */
  private analyses = 0;
  private running = 0;
  /**
   * Incremental re-analysis: the parsers keep per-document state (the Terraform tree, the template's blocks) and
   * the engine re-checks only the resources an edit can affect. Both give the same results as a full run.
   */
  private readonly parser = new IncrementalParser();
  private readonly engine = new IncrementalEngine();
  /** Last analysis per key (template path, or Terraform module folder): the unit and its published findings (code actions). */
  private readonly lastAnalyses = new Map<string, { unit: Unit; findings: Finding[] }>();

  constructor(
    private readonly documents: DocumentStore,
    private readonly settings: SettingsService,
    private readonly publisher: DiagnosticsPublisher,
    private readonly options: DiagnosticsServiceOptions,
  ) {
    this.debouncer = new Debouncer(options.debounceMs, (key, e) => this.options.error(`analysis of ${key} failed: ${describe(e)}`));
    setDefaultTerraformCache(this.parser.terraformCache);
  }

  /**
   * The unit and published findings of the last analysis that read `filePath` (a template, or a file of a
   * Terraform module), whatever version it was: callers compare the unit's texts with the documents now.
   */
  lastAnalysis(filePath: string): { unit: Unit; findings: Finding[] } | undefined {
    const a = this.lastAnalyses.get(filePath) ?? this.lastAnalyses.get(path.dirname(filePath));
    return a && a.unit.files.some((f) => f.path === filePath) ? a : undefined;
  }

  get analysisCount(): number {
    return this.analyses;
  }

  /** Runs scheduled or under way. */
  get pendingCount(): number {
    return this.debouncer.pending + this.running;
  }

  opened(uri: string): void {
    this.schedule(uri, 0);
  }

  changed(uri: string): void {
    this.schedule(uri, this.options.debounceMs);
  }

  closed(uri: string): void {
    this.debouncer.cancel(uri);
    this.settings.forget(uri);
    const filePath = uriToPath(uri);
    const kind = classifyDocument(filePath, '');
    this.clear(uri);
    if (filePath) {
      this.engine.forget(filePath);
      this.engine.forget(path.dirname(filePath));
      this.lastAnalyses.delete(filePath);
    }
    this.retainIncrementalState();
    if (filePath && (kind === 'terraform' || kind === 'terraform-vars')) {
      const dir = path.dirname(filePath);
      const other = this.openModuleDocuments(dir).find((d) => d.uri !== uri);
      if (other) this.schedule(other.uri, 0);
      else this.clearModule(dir);
    }
  }

  /** Settings changed: analyse every open document again. */
  reanalyzeAll(): void {
    for (const d of this.documents.all()) this.schedule(d.uri, 0);
  }

  /**
   * Files changed on disk (watched): a `.sageshield.json` re-analyses everything; module files re-analyse the
   * open Terraform documents of their folders.
   */
  filesChanged(paths: string[]): void {
    if (this.options.projectConfig && paths.some((p) => path.basename(p) === CONFIG_FILE_NAME)) {
      this.options.projectConfig.invalidate();
      this.reanalyzeAll();
      return;
    }
    const dirs = new Set(paths.map((p) => path.dirname(p)));
    for (const dir of dirs) {
      const docs = this.openModuleDocuments(dir);
      if (docs.length > 0) this.schedule(docs[0].uri, this.options.debounceMs);
    }
  }

  dispose(): void {
    this.debouncer.dispose();
    setDefaultTerraformCache(undefined);
    this.parser.dispose();
  }

  /** Keeps parser state only for the open documents and the other files of their Terraform modules. */
  private retainIncrementalState(): void {
    const open = new Set<string>();
    const dirs = new Set<string>();
    for (const d of this.documents.all()) {
      const p = uriToPath(d.uri);
      if (!p) continue;
      open.add(p);
      dirs.add(path.dirname(p));
    }
    this.parser.retain((f) => open.has(f) || (f.endsWith('.tf') && dirs.has(path.dirname(f))));
  }

  private schedule(uri: string, delayMs: number): void {
    this.debouncer.schedule(
      uri,
      async (token) => {
        this.running++;
        const started = Date.now();
        try {
          await this.run(uri, token);
        } finally {
          this.running--;
          this.analyses++;
          const ms = Date.now() - started;
          if (ms >= SLOW_ANALYSIS_MS) this.options.log(`analysis of ${uri} took ${ms} ms`);
        }
      },
      delayMs,
    );
  }

  private isCurrent(token: DebounceToken, doc: OpenDocument, version: number): boolean {
    return this.debouncer.isCurrent(token) && this.documents.get(doc.uri) === doc && doc.version === version;
  }

  private async run(uri: string, token: DebounceToken): Promise<void> {
    const doc = this.documents.get(uri);
    if (!doc) return;
    const version = doc.version;
    const filePath = uriToPath(uri);
    const kind = classifyDocument(filePath, doc.languageId);
    if (kind === 'none' || !filePath) return this.clear(uri, version);
    const editorSettings = await this.settings.get(uri);
    const project = this.options.projectConfig ? await this.options.projectConfig.forFile(filePath) : undefined;
    if (!this.isCurrent(token, doc, version)) return;
    const { settings, excluded } = applyProjectConfig(editorSettings, project, filePath);
    if (!settings.enable || excluded) {
      this.clear(uri, version);
      if (kind !== 'cloudformation') this.clearModule(path.dirname(filePath));
      return;
    }
    const size = tooLarge(doc.getText());
    if (size !== undefined) {
      // like the CLI's --max-file-size: one clear diagnostic instead of minutes of parsing that block the server
      const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
      return this.publish(doc.uri, version, [internalErrorDiagnostic(`the document is ${mb(size)}, over the ${mb(DEFAULT_MAX_FILE_SIZE)} size limit; it was skipped`)]);
    }
    if (kind === 'cloudformation') this.runCloudFormation(doc, filePath, version, settings);
    else await this.runTerraform(doc, filePath, version, settings, token);
  }

  private runCloudFormation(doc: OpenDocument, filePath: string, version: number, settings: SageShieldSettings): void {
    const text = doc.getText();
    let unit: Unit | undefined;
    try {
      unit = isCloudFormationTemplate(filePath, text) ? this.parser.cloudFormation(filePath, text) : undefined;
    } catch (e) {
      this.options.error(`CloudFormation parser failed on ${filePath}: ${describe(e)}`);
      return this.publish(doc.uri, version, [internalErrorDiagnostic(e instanceof Error ? e.message : String(e))]);
    }
    // Not a template (any more): publish nothing, or clear what was published before.
    if (!unit) return this.clear(doc.uri, version);
    const findings = this.analyze(filePath, unit, settings);
    const diagnostics = [
      ...unit.issues.filter((i) => i.file === filePath).map(parseIssueToDiagnostic),
      ...findings.filter((f) => f.file === filePath).map(findingToDiagnostic),
    ];
    this.publish(doc.uri, version, diagnostics);
  }

  private async runTerraform(
    doc: OpenDocument,
    filePath: string,
    version: number,
    settings: SageShieldSettings,
    token: DebounceToken,
  ): Promise<void> {
    const dir = path.dirname(filePath);
    // The open documents of the module, with the versions whose text goes into the unit.
    const openDocs = this.openModuleDocuments(dir);
    const overrides = new Map<string, string>();
    const uriByPath = new Map<string, string>();
    const versions = new Map<string, number>();
    for (const d of openDocs) {
      const p = uriToPath(d.uri);
      if (!p) continue;
      overrides.set(p, d.getText());
      uriByPath.set(p, d.uri);
      versions.set(d.uri, d.version);
    }
    const loaded = await loadTerraformModule(dir, overrides);
    if (!this.isCurrent(token, doc, version)) return;
    // Another document of the module changed (or opened/closed) meanwhile: its own run publishes, with its text.
    const nowOpen = this.openModuleDocuments(dir);
    if (nowOpen.length !== versions.size || nowOpen.some((d) => versions.get(d.uri) !== d.version)) return;
    for (const e of loaded.errors) this.options.error(`${e.file}: ${e.message}`);
    const unit = loaded.unit;
    if (!unit) {
      const message = loaded.errors.map((e) => `${path.basename(e.file)}: ${e.message}`).join('; ') || 'no Terraform files';
      return this.publish(doc.uri, version, [internalErrorDiagnostic(message)]);
    }
    const findings = this.analyze(dir, unit, settings);
    const byFile = new Map<string, Diagnostic[]>();
    for (const f of unit.files) if (f.path.toLowerCase().endsWith('.tf')) byFile.set(f.path, []);
    for (const issue of unit.issues) byFile.get(issue.file)?.push(parseIssueToDiagnostic(issue));
    for (const f of findings) byFile.get(f.file)?.push(findingToDiagnostic(f));

    const previous = this.modules.get(dir) ?? new Set<string>();
    const now = new Set<string>();
    for (const [p, diagnostics] of byFile) {
      const uri = uriByPath.get(p) ?? pathToUri(p);
      now.add(uri);
      this.publish(uri, uri === doc.uri ? version : undefined, diagnostics);
    }
    // Files that left the module (deleted or renamed): clear them.
    for (const uri of previous) if (!now.has(uri)) this.clear(uri);
    this.modules.set(dir, now);
  }

  private analyze(key: string, unit: Unit, settings: SageShieldSettings): Finding[] {
    let result: ReturnType<IncrementalEngine['analyze']>;
    try {
      result = this.engine.analyze(key, unit, {
        disabledRules: settings.rules.disabled,
        severity: settings.rules.severity,
        reportMayFail: settings.reportMayFail,
      });
    } catch (e) {
      this.engine.forget(key);
      this.options.error(`analysis of ${unit.root} failed: ${describe(e)}`);
      return [];
    }
    const { findings, ruleErrors } = result;
    for (const e of ruleErrors) this.options.error(`rule ${e.ruleId} failed on ${unit.root}: ${e.message}`);
    // Suppressed findings are not published (as in the CLI); SS-SUPPRESS-01 reports suppressions without a reason.
    const kept = applySuppressions(unit, findings).findings;
    this.lastAnalyses.set(key, { unit, findings: kept });
    return kept;
  }

  private openModuleDocuments(dir: string): OpenDocument[] {
    return this.documents.all().filter((d) => {
      const p = uriToPath(d.uri);
      if (!p || path.dirname(p) !== dir) return false;
      const kind = classifyDocument(p, d.languageId);
      return kind === 'terraform' || kind === 'terraform-vars';
    });
  }

  private publish(uri: string, version: number | undefined, diagnostics: Diagnostic[]): void {
    this.published.add(uri);
    this.publisher.publish(uri, version, diagnostics);
  }

  /** Publishes an empty list, only if something was published for `uri` before. */
  private clear(uri: string, version?: number): void {
    if (!this.published.delete(uri)) return;
    this.publisher.publish(uri, version, []);
  }

  private clearModule(dir: string): void {
    for (const uri of this.modules.get(dir) ?? []) this.clear(uri);
    this.modules.delete(dir);
    this.lastAnalyses.delete(dir);
  }
}

/** The size in bytes (UTF-8) of a text over the CLI's default size limit; undefined when it is within it. */
function tooLarge(text: string): number | undefined {
  if (text.length * 3 <= DEFAULT_MAX_FILE_SIZE) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > DEFAULT_MAX_FILE_SIZE ? bytes : undefined;
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
