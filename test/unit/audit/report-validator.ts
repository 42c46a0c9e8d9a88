/** Validates a JSON report against schemas/sageshield-report.schema.json with ajv (strict mode). */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { ROOT } from './helpers';

export function reportValidator(): (data: unknown) => string[] {
  const ajv = new Ajv({ allErrors: true, strict: true });
  ajv.addFormat('uri', (s: string) => {
    try {
      new URL(s);
      return true;
    } catch {
      return false;
    }
  });
  const validate = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'schemas/sageshield-report.schema.json'), 'utf8')));
  return (data) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}
