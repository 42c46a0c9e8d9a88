/** Client-side constants: kept free of `vscode` imports so tests can read them. */

export const OUTPUT_CHANNEL_NAME = 'SageShield';

/** Command IDs (package.json `contributes.commands`). */
export const COMMANDS = {
  showOutput: 'sageshield.showOutput',
  restartServer: 'sageshield.restartServer',
} as const;

/** The documents the server is given: CloudFormation candidates (the server keeps only templates) and Terraform. */
export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', language: 'json' },
  { scheme: 'file', language: 'terraform' },
  { scheme: 'file', pattern: '**/*.tf' },
];
