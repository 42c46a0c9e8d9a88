/**
 * Workspace audit: discovery and scanning (./workspace), the project config file (./config), and the reports
 * (JSON contract, SARIF, Markdown, text). Used by the CLI (../cli.ts) and the language server.
 */
export {
  scanPaths,
  loadTerraformModule,
  loadCloudFormation,
  readSourceFile,
  isTerraformSource,
  DEFAULT_IGNORED_DIRS,
  DEFAULT_MAX_FILE_SIZE,
} from './workspace';
export type { ScanOptions, ScanResult, ScanError, ScanErrorKind, ScanWarning, ScannedUnit, LoadedModule } from './workspace';
export { loadConfig, parseConfig, validateConfig, ConfigError, CONFIG_FILE_NAME } from './config';
export type { SageShieldConfig, LoadedConfig, FailOn } from './config';
export { buildReport, renderJson, relativePath } from './report-json';
export type { Report, ReportFinding, ReportError, ReportWarning, ReportRule, ReportSuppressed } from './report-json';
export { renderSarif, sarifLevel, SECURITY_SEVERITY } from './report-sarif';
export { renderMarkdown } from './report-markdown';
export { renderText } from './report-text';
export { VERSION } from './version';
