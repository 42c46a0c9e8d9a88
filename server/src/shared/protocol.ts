/**
 * Protocol types shared by the language server and the VS Code client (and by other editors' configs).
 * No `vscode` import: only the LSP protocol package, which both the client and the server library bundle.
 */
import { RequestType0 } from 'vscode-languageserver-protocol';
import type { Severity } from '../rules/types';

/**
 * The `sageshield` settings section (package.json `contributes.configuration`).
 * Adding a setting: declare it in package.json (scope `resource` unless it is about the window), add it here
 * and to `defaultSettings`, read it in `lsp/settings.ts` `normalizeSettings` (ill-typed values fall back to the
 * default), use it in `lsp/diagnostics-service.ts`, and test it over the wire in `test/lsp/settings.test.ts`.
 */
export interface SageShieldSettings {
  /** Analyse CloudFormation and Terraform files in this folder. */
  enable: boolean;
  rules: {
    /** Rule IDs not to report. */
    disabled: string[];
    /** Severity override per rule ID. */
    severity: Record<string, Severity>;
  };
  /** Report may-fail findings. */
  reportMayFail: boolean;
}

export const SETTINGS_SECTION = 'sageshield';

export function defaultSettings(): SageShieldSettings {
  return { enable: true, rules: { disabled: [], severity: {} }, reportMayFail: true };
}

/** Options the client may pass in `initialize` (`initializationOptions`). */
export interface SageShieldInitializationOptions {
  /** Delay before analysing after an edit, in ms (default 150). Tests set it. */
  debounceMs?: number;
  /** Client-side commands the client implements (`CLIENT_COMMANDS` values); code actions use only these. */
  clientCommands?: string[];
}

/** Diagnostic `source` for everything SageShield publishes. */
export const DIAGNOSTIC_SOURCE = 'sageshield';
/** Diagnostic `code` for a syntax problem found while parsing. */
export const PARSE_ISSUE_CODE = 'SS-PARSE';
/** Diagnostic `code` for an internal error while analysing a file (a parser crashed). */
export const INTERNAL_ERROR_CODE = 'SS-INTERNAL';

/** `Diagnostic.data` of a rule finding: what a code action needs to act on it. */
export interface FindingDiagnosticData {
  kind: 'finding';
  ruleId: string;
  verdict: 'fail' | 'may-fail';
  /** The tool severity (the LSP severity is coarser). */
  severity: Severity;
  resource: { type: string; name: string; address: string };
  /** Titles of the fixes known for the finding. */
  fixes: string[];
  /** The rule's own data for its fix. */
  finding?: Record<string, unknown>;
}

/** `Diagnostic.data` of a parse issue. */
export interface ParseIssueDiagnosticData {
  kind: 'parse-issue';
}

/** Result of `sageshield/status`. */
export interface ServerStatus {
  version: string;
  /** URIs of the documents the server holds open. */
  openDocuments: string[];
  /** Analysis runs finished since start (all documents; includes runs that found the document stale or not a template). */
  analyses: number;
  /** Analysis runs scheduled or under way. */
  pending: number;
}

/** Request `sageshield/status`: the server's state, for the client and for tests. */
export namespace StatusRequest {
  export const method = 'sageshield/status' as const;
  export const type = new RequestType0<ServerStatus, void>(method);
}

// ---- Code actions and commands (lsp/code-actions.ts, lsp/commands.ts, client/src/extension.ts) ----

/** Code action kind of "fix everything SageShield can fix in this file" (`editor.codeActionsOnSave`). */
export const FIX_ALL_KIND = 'source.fixAll.sageshield';

/**
 * Server-side command (`workspace/executeCommand`, declared in `executeCommandProvider`): applies the preferred
 * fix of every finding of a document through `workspace/applyEdit`. Arguments: one `FixAllCommandArgs`.
 */
export const SERVER_FIX_ALL_COMMAND = 'sageshield.fixAll';

export interface FixAllCommandArgs {
  uri: string;
  /** The document version the user saw; the command does nothing when the document has changed since. */
  version?: number;
}

export interface FixAllCommandResult {
  applied: boolean;
  /** Fixes applied (0 when nothing could be fixed). */
  fixes: number;
  /** Why nothing was applied: 'stale' (the document changed), 'unknown-document', 'not-analysed', 'nothing-to-fix', 'rejected', 'unsupported'. */
  reason?: string;
}

/**
 * Client-side commands (VS Code client, `client/src/extension.ts`): never declared by the server. A client tells
 * the server which of them it implements in `initializationOptions.clientCommands`; the server puts them in code
 * actions only then.
 */
export const CLIENT_COMMANDS = {
  /** Opens a rule's documentation. Arguments: [url: string]. */
  openDocs: 'sageshield.openDocs',
  /** "SageShield: Fix All in File": runs `SERVER_FIX_ALL_COMMAND` on the active editor's document. */
  fixAllInFile: 'sageshield.fixAllInFile',
} as const;
