/**
 * The project config file (`.sageshield.json`, see audit/config.ts) for open documents: the nearest one in
 * the document's folder or above it, up to the workspace folder that holds the document (only the
 * document's own folder when it is outside every workspace folder). Combined with the editor settings:
 * disabled rules add up, the editor's severity overrides win, may-fail findings are reported only when
 * both allow them, and `exclude` globs silence the files they match.
 */
import path from 'node:path';
import { ConfigError, CONFIG_FILE_NAME, loadConfig, type LoadedConfig } from '../audit/config';
import { GlobSet } from '../audit/glob';
import type { SageShieldSettings } from '../shared/protocol';

export class ProjectConfigService {
  private readonly cache = new Map<string, Promise<LoadedConfig | undefined>>();

  constructor(
    private readonly workspaceRoots: () => readonly string[],
    private readonly log: (message: string) => void,
  ) {}

  /** The config that applies to `filePath`, or undefined (none, or invalid: logged). */
  forFile(filePath: string): Promise<LoadedConfig | undefined> {
    const dir = path.dirname(filePath);
    let p = this.cache.get(dir);
    if (!p) {
      p = this.find(dir);
      this.cache.set(dir, p);
    }
    return p;
  }

  /** A config file changed (or the settings did): read them again. */
  invalidate(): void {
    this.cache.clear();
  }

  static isConfigFile(filePath: string): boolean {
    return path.basename(filePath) === CONFIG_FILE_NAME;
  }

  private async find(dir: string): Promise<LoadedConfig | undefined> {
    const root = this.workspaceRoots()
      .filter((r) => dir === r || dir.startsWith(r.endsWith(path.sep) ? r : r + path.sep))
      .sort((a, b) => b.length - a.length)[0];
    for (let d = dir; ; d = path.dirname(d)) {
      try {
        const loaded = await loadConfig(d);
        if (loaded.file) return loaded;
      } catch (e) {
        this.log(e instanceof ConfigError ? `${e.message}\n(ignored until it is fixed)` : `cannot read ${CONFIG_FILE_NAME} in ${d}: ${String(e)}`);
        return undefined;
      }
      if (!root || d === root || path.dirname(d) === d) return undefined;
    }
  }
}

/** Editor settings combined with the project config for one file; `excluded` when an `exclude` glob matches it. */
export function applyProjectConfig(
  settings: SageShieldSettings,
  project: LoadedConfig | undefined,
  filePath: string,
): { settings: SageShieldSettings; excluded: boolean } {
  if (!project) return { settings, excluded: false };
  const c = project.config;
  const rel = path.relative(project.baseDir, filePath).split(path.sep).join('/');
  const excludes = new GlobSet(c.exclude ?? []);
  return {
    settings: {
      enable: settings.enable,
      rules: {
        disabled: [...new Set([...(c.rules?.disabled ?? []), ...settings.rules.disabled])],
        severity: { ...(c.rules?.severity ?? {}), ...settings.rules.severity },
      },
      reportMayFail: settings.reportMayFail && c.reportMayFail !== false,
    },
    excluded: !rel.startsWith('..') && !excludes.empty && excludes.matches(rel),
  };
}
