/**
 * A small glob matcher for `exclude` patterns (gitignore-like), matched against forward-slash paths relative
 * to a base folder:
 * - `*` matches within one path segment, `?` one character, `**` any number of segments, `{a,b}` either.
 * - A pattern without a `/` (other than a trailing one) matches a file or folder name at any depth
 *   (`node_modules`, `*.test.yaml`); a leading `/` anchors it to the base folder.
 * - A pattern that matches a folder excludes everything below it.
 */

function escapeRe(c: string): string {
  return /[\\^$.+()|[\]{}]/.test(c) ? `\\${c}` : c;
}

export function globToRegExp(pattern: string): RegExp {
  let p = pattern.trim().replace(/\\/g, '/');
  if (p.startsWith('./')) p = p.slice(2);
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  let anchored = false;
  if (p.startsWith('/')) {
    anchored = true;
    p = p.slice(1);
  }
  if (!anchored && !p.includes('/')) p = `**/${p}`;
  let re = '';
  let inBrace = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') {
      if (p[i + 1] === '*') {
        const atStart = i === 0 || p[i - 1] === '/';
        const atEnd = i + 2 === p.length || p[i + 2] === '/';
        if (atStart && atEnd) {
          if (i + 2 === p.length) {
            re += '.*';
            i += 1;
          } else {
            re += '(?:[^/]*(?:/[^/]*)*/)?';
            i += 2; // also consume the slash
          }
          continue;
        }
        re += '[^/]*';
        i += 1;
        continue;
      }
      re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      inBrace++;
      re += '(?:';
    } else if (c === '}' && inBrace > 0) {
      inBrace--;
      re += ')';
    } else if (c === ',' && inBrace > 0) re += '|';
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

export class GlobSet {
  private readonly res: RegExp[];
  constructor(patterns: readonly string[]) {
    this.res = patterns.filter((p) => p.trim().length > 0).map(globToRegExp);
  }
  get empty(): boolean {
    return this.res.length === 0;
  }
  /** True when `rel` (forward slashes, relative to the base) or one of its parent folders matches. */
  matches(rel: string): boolean {
    if (this.res.length === 0 || rel === '' || rel.startsWith('../')) return false;
    const parts = rel.split('/');
    for (let n = 1; n <= parts.length; n++) {
      const prefix = parts.slice(0, n).join('/');
      if (this.res.some((r) => r.test(prefix))) return true;
    }
    return false;
  }
}
