/** Runs the official SARIF validator (@microsoft/sarif-multitool) on a file and returns its error-level results. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface SarifValidation {
  errors: string[];
  warnings: string[];
  status: number | null;
  output: string;
}

export function validateSarif(file: string, outDir: string): SarifValidation {
  // The package's bin.js runs through a shell, which splits "Sarif;Gh" at the `;`: call the executable directly.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exe: string = require('@microsoft/sarif-multitool');
  const out = path.join(outDir, `${path.basename(file)}.validation.sarif`);
  const r = spawnSync(exe, ['validate', file, '--output', out, '--log', 'ForceOverwrite', '--rule-kind', 'Sarif;Gh'], {
    encoding: 'utf8',
    timeout: 120000,
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  let log: { runs: Array<{ results?: Array<{ level?: string; ruleId: string; message: { text?: string; id?: string; arguments?: string[] } }> }> };
  try {
    log = JSON.parse(readFileSync(out, 'utf8'));
  } catch (e) {
    throw new Error(`sarif-multitool produced no output (status ${r.status}): ${output}\n${String(e)}`);
  }
  const describe = (x: { ruleId: string; message: { text?: string; id?: string; arguments?: string[] } }) =>
    `${x.ruleId} ${x.message.text ?? x.message.id} ${(x.message.arguments ?? []).join(' | ')}`;
  const results = log.runs.flatMap((run) => run.results ?? []);
  return {
    // SARIF's default level for a result is "warning"; the validator marks errors explicitly.
    errors: results.filter((x) => x.level === 'error').map(describe),
    warnings: results.filter((x) => (x.level ?? 'warning') === 'warning').map(describe),
    status: r.status,
    output,
  };
}
