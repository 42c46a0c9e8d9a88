/** Shared bits of the LSP suites: fixture paths, templates, small assertions on publishes. */
import path from 'node:path';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import type { LspTestClient } from '../support/lsp-client';

export const FIXTURES = path.join(__dirname, 'fixtures');

/** A path under the fixtures folder that does not need to exist (CloudFormation documents live in memory). */
export function docPath(name: string): string {
  return path.join(FIXTURES, 'virtual', name);
}

export const INSECURE_NOTEBOOK = `AWSTemplateFormatVersion: '2010-09-09'
Description: A notebook with every default left alone
Resources:
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::123456789012:role/sagemaker
`;

/** The same notebook with RootAccess disabled (SM-ROOT-01 fixed). */
export const NOTEBOOK_NO_ROOT = INSECURE_NOTEBOOK.replace(
  '      RoleArn:',
  '      RootAccess: Disabled\n      RoleArn:',
);

export function codes(p: PublishDiagnosticsParams | undefined): string[] {
  return (p?.diagnostics ?? []).map((d) => String(d.code)).sort();
}

export function byCode(p: PublishDiagnosticsParams | undefined, code: string): Diagnostic | undefined {
  return p?.diagnostics.find((d) => d.code === code);
}

/** Waits until the server has nothing scheduled or running and has finished at least `minRuns` runs. */
export async function settle(client: LspTestClient, minRuns = 0): Promise<void> {
  await client.waitFor(
    async () => {
      const s = await client.request<{ pending: number; analyses: number }>('sageshield/status');
      return s.pending === 0 && s.analyses >= minRuns;
    },
    10000,
    'the server to settle',
  );
}

/** The text of a diagnostic's message (LSP 3.18 allows markup). */
export function messageOf(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}
