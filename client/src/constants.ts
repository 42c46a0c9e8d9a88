/** Client-side constants: kept free of `vscode` imports so tests can read them. */

export const OUTPUT_CHANNEL_NAME = 'SageShield';

/** Command IDs (package.json `contributes.commands`). */
export const COMMANDS = {
  showOutput: 'sageshield.showOutput',
  restartServer: 'sageshield.restartServer',
  /** "SageShield: Fix All in File" (runs the server's `sageshield.fixAll` on the active document). */
  fixAllInFile: 'sageshield.fixAllInFile',
  /** Internal (code actions, not in the command palette): opens a rule's documentation URL. */
  openDocs: 'sageshield.openDocs',
} as const;

/** The documents the server is given: CloudFormation candidates (the server keeps only templates) and Terraform. */
export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', language: 'json' },
  { scheme: 'file', language: 'terraform' },
  { scheme: 'file', pattern: '**/*.tf' },
];
