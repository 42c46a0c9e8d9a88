/**
 * Code actions: the quick-fixes of SageShield's diagnostics ("fix", "suppress with a reason", "show
 * documentation") and `source.fixAll.sageshield`. Built on `fixes/` over the unit of the last analysis.
 *
 * Never stale: a fix is computed against the texts of a unit; an action is offered only when every text of that
 * unit that is open in the editor is the editor's text now, and every file the fix edits still has the text the
 * fix was computed against (`fixBase` / `isStale`). The edits go in `documentChanges` with the version of the open
 * document (null for a module file that is not open), so the client rejects them after any later change.
 *
 * The suppress fix leaves the cursor on the reason: clients that support snippet edits (LSP 3.18
 * `workspace.workspaceEdit.snippetEditSupport`, VS Code) get the reason as a selected snippet placeholder.
 */
import { readFileSync } from 'node:fs';
import type {
  ClientCapabilities,
  CodeAction,
  CodeActionParams,
  Diagnostic,
  OptionalVersionedTextDocumentIdentifier,
  SnippetTextEdit,
  TextDocumentEdit,
  TextEdit as LspTextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver/node';
import { documentationFor, fixAllWith, fixBase, fixesFor, isStale, type Fix, type TextEdit } from '../fixes';
import type { Range, Unit } from '../model/types';
import type { Finding } from '../rules/types';
import { CLIENT_COMMANDS, DIAGNOSTIC_SOURCE, FIX_ALL_KIND, INTERNAL_ERROR_CODE, PARSE_ISSUE_CODE } from '../shared/protocol';
import { REASON_PLACEHOLDER } from '../suppress';
import { pathToUri, uriToPath } from './documents';

/** An open document (the server's `TextDocuments` entries). */
export interface OpenDocument {
  readonly uri: string;
  readonly version: number;
  getText(): string;
}

export interface DocumentStore {
  get(uri: string): OpenDocument | undefined;
  all(): OpenDocument[];
}

export interface AnalysisSnapshot {
  unit: Unit;
  /** The findings published for the unit (suppressions applied, settings applied). */
  findings: Finding[];
}

export interface AnalysisSource {
  lastAnalysis(filePath: string): AnalysisSnapshot | undefined;
}

/** What the client can do with an edit or a command. */
export interface ClientFeatures {
  documentChanges: boolean;
  snippetEdits: boolean;
  /** Client-side commands it implements (`CLIENT_COMMANDS` values). */
  commands: ReadonlySet<string>;
}

export function clientFeatures(caps: ClientCapabilities, clientCommands: unknown): ClientFeatures {
  const we = caps.workspace?.workspaceEdit;
  return {
    documentChanges: we?.documentChanges === true,
    snippetEdits: we?.snippetEditSupport === true,
    commands: new Set(Array.isArray(clientCommands) ? clientCommands.filter((c): c is string => typeof c === 'string') : []),
  };
}

/** A snapshot whose texts are the documents' texts now, for one document. */
interface Current extends AnalysisSnapshot {
  doc: OpenDocument;
  filePath: string;
}

export class CodeActionService {
  constructor(
    private readonly documents: DocumentStore,
    private readonly analyses: AnalysisSource,
    private readonly client: ClientFeatures,
    /** Reads a file that is not open (module files the fixes may edit). */
    private readonly readFile: (file: string) => string | undefined = readOrUndefined,
  ) {}

  /** `textDocument/codeAction`. */
  codeActions(params: CodeActionParams): CodeAction[] {
    const only = params.context.only;
    const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
    const out: CodeAction[] = [];
    if (wants('quickfix')) out.push(...this.quickFixes(params.textDocument.uri, params.context.diagnostics));
    // fix-all re-analyses between fixes: computed only when asked for by kind (on save, or from the menu)
    if (only && wants(FIX_ALL_KIND)) {
      const all = this.fixAllAction(params.textDocument.uri);
      if (all) out.push(all);
    }
    return out;
  }

  /** The edit applying the preferred fix of every finding of the document (never a suppression). */
  fixAllEdit(uri: string, version?: number): { edit?: WorkspaceEdit; fixes: number; reason?: string } {
    const doc = this.documents.get(uri);
    if (!doc) return { fixes: 0, reason: 'unknown-document' };
    if (version !== undefined && doc.version !== version) return { fixes: 0, reason: 'stale' };
    const cur = this.current(uri);
    if (!cur) return { fixes: 0, reason: 'not-analysed' };
    const mine = cur.findings.filter((f) => f.file === cur.filePath && f.ruleId !== 'SS-SUPPRESS-01');
    if (mine.length === 0) return { fixes: 0, reason: 'nothing-to-fix' };
    const result = fixAllWith(cur.unit, mine);
    if (result.edits.length === 0) return { fixes: 0, reason: 'nothing-to-fix' };
    if (isStale(fixBase(cur.unit, result), (f) => this.textOf(f))) return { fixes: 0, reason: 'stale' };
    return { edit: this.workspaceEdit(result.edits), fixes: result.applied.length };
  }

  private fixAllAction(uri: string): CodeAction | undefined {
    const r = this.fixAllEdit(uri);
    if (!r.edit) return undefined;
    return { title: `Fix all SageShield problems (${r.fixes} ${r.fixes === 1 ? 'fix' : 'fixes'})`, kind: FIX_ALL_KIND, edit: r.edit };
  }

  private quickFixes(uri: string, diagnostics: Diagnostic[]): CodeAction[] {
    const ours = diagnostics.filter(isFindingDiagnostic);
    if (ours.length === 0) return [];
    const cur = this.current(uri);
    const fixes: CodeAction[] = [];
    const docs = new Map<string, { diagnostics: Diagnostic[]; finding: Finding }>();
    for (const d of ours) {
      const finding = cur && findingOf(cur, d);
      if (!finding || !cur) continue;
      for (const fx of fixesFor(cur.unit, finding)) {
        // a fix computed against a text the editor no longer has is never offered
        if (isStale(fixBase(cur.unit, fx), (f) => this.textOf(f))) continue;
        fixes.push({
          title: fx.title.includes(fx.ruleId) ? fx.title : `${fx.title} (${fx.ruleId})`,
          kind: 'quickfix',
          diagnostics: [d],
          ...(fx.isPreferred ? { isPreferred: true } : {}),
          edit: this.workspaceEdit(fx.edits, fx),
        });
      }
      const entry = docs.get(finding.ruleId);
      if (entry) entry.diagnostics.push(d);
      else docs.set(finding.ruleId, { diagnostics: [d], finding });
    }
    // Documentation: a client-side command; other clients follow the diagnostic's codeDescription.href.
    if (this.client.commands.has(CLIENT_COMMANDS.openDocs)) {
      for (const { diagnostics: ds, finding } of docs.values()) {
        const { title, url } = documentationFor(finding);
        fixes.push({ title, kind: 'quickfix', diagnostics: ds, command: { title, command: CLIENT_COMMANDS.openDocs, arguments: [url] } });
      }
    }
    return fixes;
  }

  /** The last analysis of the document, if it was made from the texts the editor has now. */
  private current(uri: string): Current | undefined {
    const doc = this.documents.get(uri);
    const filePath = uriToPath(uri);
    if (!doc || !filePath) return undefined;
    const snap = this.analyses.lastAnalysis(filePath);
    if (!snap) return undefined;
    const open = this.openByPath();
    for (const f of snap.unit.files) {
      const d = f.path === filePath ? doc : open.get(f.path);
      if (d && d.getText() !== f.text) return undefined;
    }
    if (!snap.unit.files.some((f) => f.path === filePath)) return undefined;
    return { ...snap, doc, filePath };
  }

  private openByPath(): Map<string, OpenDocument> {
    const m = new Map<string, OpenDocument>();
    for (const d of this.documents.all()) {
      const p = uriToPath(d.uri);
      if (p) m.set(p, d);
    }
    return m;
  }

  /** A file's text now: the open document's, else the disk's. */
  private textOf(file: string): string | undefined {
    const d = this.openByPath().get(file);
    return d ? d.getText() : this.readFile(file);
  }

  /** Fix edits -> a versioned WorkspaceEdit (one TextDocumentEdit per file, in the order of first appearance). */
  private workspaceEdit(edits: TextEdit[], fx?: Fix): WorkspaceEdit {
    const open = this.openByPath();
    const byFile = new Map<string, TextEdit[]>();
    for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
    if (!this.client.documentChanges) {
      const changes: Record<string, LspTextEdit[]> = {};
      for (const [file, es] of byFile) changes[open.get(file)?.uri ?? pathToUri(file)] = es.map(toLsp);
      return { changes };
    }
    const documentChanges: TextDocumentEdit[] = [];
    for (const [file, es] of byFile) {
      const d = open.get(file);
      const textDocument: OptionalVersionedTextDocumentIdentifier = { uri: d?.uri ?? pathToUri(file), version: d ? d.version : null };
      documentChanges.push({ textDocument, edits: es.map((e) => (fx?.cursor && this.client.snippetEdits && fx.cursor.file === file ? toSnippet(e) : toLsp(e))) });
    }
    return { documentChanges };
  }
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function isFindingDiagnostic(d: Diagnostic): boolean {
  return d.source === DIAGNOSTIC_SOURCE && typeof d.code === 'string' && d.code !== PARSE_ISSUE_CODE && d.code !== INTERNAL_ERROR_CODE;
}

/** The published finding a diagnostic stands for: same rule, file and (clamped) range; the resource breaks ties. */
function findingOf(cur: Current, d: Diagnostic): Finding | undefined {
  const same = cur.findings.filter((f) => f.ruleId === d.code && f.file === cur.filePath && sameRange(clamp(f.range), d.range));
  if (same.length <= 1) return same[0];
  const address = (d.data as { resource?: { address?: unknown } } | undefined)?.resource?.address;
  return same.find((f) => f.resource.address === address) ?? same[0];
}

function clamp(r: Range): Range {
  const p = (x: Range['start']) => ({ line: Math.max(0, x.line), character: Math.max(0, x.character) });
  return { start: p(r.start), end: p(r.end) };
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function toLsp(e: TextEdit): LspTextEdit {
  return { range: e.range, newText: e.newText };
}

/** The edit that writes the reason placeholder, as a snippet with the placeholder selected. */
function toSnippet(e: TextEdit): LspTextEdit | SnippetTextEdit {
  const at = e.newText.indexOf(REASON_PLACEHOLDER);
  if (at < 0) return toLsp(e);
  const esc = (s: string) => s.replace(/[\\$}]/g, (c) => `\\${c}`);
  const value = `${esc(e.newText.slice(0, at))}\${1:${esc(REASON_PLACEHOLDER)}}${esc(e.newText.slice(at + REASON_PLACEHOLDER.length))}`;
  return { range: e.range, snippet: { kind: 'snippet', value } };
}
