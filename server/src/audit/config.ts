/**
 * The project config file `.sageshield.json` (schema: schemas/sageshield-config.schema.json).
 *
 * ```json
 * { "rules": { "disabled": ["SM-ROOT-01"], "severity": { "IAM-04": "low" } },
 *   "reportMayFail": true, "exclude": ["**\/test/**"], "failOn": "high" }
 * ```
 * The validator below mirrors the schema (a unit test checks both agree with ajv), so the CLI and the
 * language server need no schema library at run time.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SEVERITIES, type Severity } from '../rules/types';

export const CONFIG_FILE_NAME = '.sageshield.json';

export type FailOn = Severity | 'none';

export interface SageShieldConfig {
  rules?: {
    /** Rule IDs not to run. */
    disabled?: string[];
    /** Severity override per rule ID. */
    severity?: Record<string, Severity>;
  };
  /** Report may-fail findings (default true). */
  reportMayFail?: boolean;
  /** Globs of files and folders not to scan, relative to the config file's folder. */
  exclude?: string[];
  /** Default for `--fail-on`. */
  failOn?: FailOn;
}

export interface LoadedConfig {
  config: SageShieldConfig;
  /** Absolute path of the file read, or undefined when no config file was found. */
  file?: string;
  /** Folder that `exclude` globs are relative to. */
  baseDir: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid config ${file}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export const RULE_ID_PATTERN = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Problems found in a parsed config value (empty when valid). Mirrors the JSON schema. */
export function validateConfig(value: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(value)) return ['the config must be a JSON object'];
  const known = new Set(['$schema', 'rules', 'reportMayFail', 'exclude', 'failOn']);
  for (const k of Object.keys(value)) if (!known.has(k)) problems.push(`unknown property "${k}" (known: ${[...known].join(', ')})`);
  if ('$schema' in value && typeof value.$schema !== 'string') problems.push('"$schema" must be a string');
  if ('rules' in value) {
    const rules = value.rules;
    if (!isObject(rules)) problems.push('"rules" must be an object');
    else {
      for (const k of Object.keys(rules)) if (k !== 'disabled' && k !== 'severity') problems.push(`unknown property "rules.${k}" (known: disabled, severity)`);
      if ('disabled' in rules) {
        const d = rules.disabled;
        if (!Array.isArray(d)) problems.push('"rules.disabled" must be an array of rule IDs');
        else
          d.forEach((id, i) => {
            if (typeof id !== 'string' || !RULE_ID_PATTERN.test(id)) problems.push(`"rules.disabled[${i}]" must be a rule ID such as "SM-KMS-01"`);
          });
      }
      if ('severity' in rules) {
        const s = rules.severity;
        if (!isObject(s)) problems.push('"rules.severity" must be an object mapping rule IDs to severities');
        else
          for (const [id, sev] of Object.entries(s)) {
            if (!RULE_ID_PATTERN.test(id)) problems.push(`"rules.severity": "${id}" is not a rule ID such as "SM-KMS-01"`);
            if (typeof sev !== 'string' || !(SEVERITIES as string[]).includes(sev))
              problems.push(`"rules.severity.${id}" must be one of ${SEVERITIES.join(', ')}`);
          }
      }
    }
  }
  if ('reportMayFail' in value && typeof value.reportMayFail !== 'boolean') problems.push('"reportMayFail" must be true or false');
  if ('exclude' in value) {
    const e = value.exclude;
    if (!Array.isArray(e)) problems.push('"exclude" must be an array of glob strings');
    else
      e.forEach((g, i) => {
        if (typeof g !== 'string' || g.length === 0) problems.push(`"exclude[${i}]" must be a non-empty glob string`);
      });
  }
  if ('failOn' in value) {
    const f = value.failOn;
    if (typeof f !== 'string' || !([...SEVERITIES, 'none'] as string[]).includes(f))
      problems.push(`"failOn" must be one of ${[...SEVERITIES, 'none'].join(', ')}`);
  }
  return problems;
}

/** Parses and validates config text; throws ConfigError. */
export function parseConfig(text: string, file: string): SageShieldConfig {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ConfigError(file, [`not valid JSON: ${e instanceof Error ? e.message : String(e)}`]);
  }
  const problems = validateConfig(value);
  if (problems.length) throw new ConfigError(file, problems);
  return value as SageShieldConfig;
}

/**
 * Reads the config: `explicit` when given (it must exist), else `.sageshield.json` in `cwd` when present,
 * else an empty config. Throws ConfigError for a missing explicit file or an invalid one.
 */
export async function loadConfig(cwd: string, explicit?: string): Promise<LoadedConfig> {
  const file = explicit ? path.resolve(cwd, explicit) : path.join(cwd, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!explicit && code === 'ENOENT') return { config: {}, baseDir: cwd };
    throw new ConfigError(file, [`cannot read the config file: ${code ?? String(e)}`]);
  }
  return { config: parseConfig(text, file), file, baseDir: path.dirname(file) };
}
