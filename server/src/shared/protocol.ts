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
