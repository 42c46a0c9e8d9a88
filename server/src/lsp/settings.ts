/**
 * Settings: pulled per document through `workspace/configuration` (section `sageshield`), cached until the
 * client says the configuration changed. Without the configuration capability, the settings pushed in
 * `workspace/didChangeConfiguration` are used, or the defaults.
 */
import { SEVERITIES, type Severity } from '../rules/types';
import { defaultSettings, SETTINGS_SECTION, type SageShieldSettings } from '../shared/protocol';

/** Turns whatever the client sent into valid settings: unknown or ill-typed values fall back to the defaults. */
export function normalizeSettings(raw: unknown): SageShieldSettings {
  const s = defaultSettings();
  if (!raw || typeof raw !== 'object') return s;
  const r = raw as Record<string, unknown>;
  if (typeof r.enable === 'boolean') s.enable = r.enable;
  if (typeof r.reportMayFail === 'boolean') s.reportMayFail = r.reportMayFail;
  // Both `{rules: {disabled}}` and the flat `{'rules.disabled': ...}` form some clients send.
  const rules = (r.rules && typeof r.rules === 'object' ? r.rules : {}) as Record<string, unknown>;
  const disabled = rules.disabled ?? r['rules.disabled'];
  if (Array.isArray(disabled)) s.rules.disabled = disabled.filter((x): x is string => typeof x === 'string');
  const severity = rules.severity ?? r['rules.severity'];
  if (severity && typeof severity === 'object' && !Array.isArray(severity)) {
    for (const [id, v] of Object.entries(severity as Record<string, unknown>)) {
      if (typeof v === 'string' && (SEVERITIES as string[]).includes(v)) s.rules.severity[id] = v as Severity;
    }
  }
  return s;
}

export interface ConfigurationSource {
  /** `workspace/configuration` for one resource and section. */
  getConfiguration(scopeUri: string, section: string): Promise<unknown>;
}

export class SettingsService {
  private readonly cache = new Map<string, Promise<SageShieldSettings>>();
  private pushed: SageShieldSettings = defaultSettings();

  /** `source` undefined: the client cannot answer `workspace/configuration`. */
  constructor(
    private readonly source: ConfigurationSource | undefined,
    private readonly log: (message: string) => void,
  ) {}

  get pullsConfiguration(): boolean {
    return this.source !== undefined;
  }

  /** Settings for the document `uri`. */
  get(uri: string): Promise<SageShieldSettings> {
    if (!this.source) return Promise.resolve(this.pushed);
    let p = this.cache.get(uri);
    if (!p) {
      p = this.source.getConfiguration(uri, SETTINGS_SECTION).then(
        (raw) => normalizeSettings(raw),
        (e: unknown) => {
          this.log(`workspace/configuration failed for ${uri}: ${e instanceof Error ? e.message : String(e)}; using defaults`);
          this.cache.delete(uri);
          return defaultSettings();
        },
      );
      this.cache.set(uri, p);
    }
    return p;
  }

  /** `workspace/didChangeConfiguration`: forget what was pulled; keep what was pushed (push-only clients). */
  changed(pushedSettings: unknown): void {
    this.cache.clear();
    if (pushedSettings && typeof pushedSettings === 'object') {
      const section = (pushedSettings as Record<string, unknown>)[SETTINGS_SECTION];
      if (section !== undefined) this.pushed = normalizeSettings(section);
    }
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}
