// Keyboard-first helpers over the VS Code workbench page (code-server in chromium). Selectors are the
// workbench's own classes; every wait polls with a timeout, none sleeps a fixed time.
import type { Page } from 'playwright-core';
import { poll } from './harness';

export interface ProblemRow {
  code: string;
  href: string; // the code's link (the diagnostic's codeDescription.href), '' when it has none
  source: string;
  file: string; // workspace-relative, as the Problems table shows it
  line: number; // 1-based, as shown
  column: number;
  message: string;
  severity: string;
  hasFixes: boolean; // the row's "Show fixes" light bulb is enabled
}

interface RawRow { code: string; href: string; source: string; fileLabel: string; position: string; message: string; severity: string; hasFixes: boolean }

const READ_PROBLEMS = `(() => {
  const panel = document.querySelector('.markers-panel');
  if (!panel) return { rows: [], label: '' };
  const text = (el) => ((el && el.textContent) || '').trim();
  const rows = [...panel.querySelectorAll('.monaco-list-row')].map((r) => ({
    code: text(r.querySelector('.code .code-label')) || text(r.querySelector('.code .monaco-link')),
    href: (r.querySelector('.code a.monaco-link') || { getAttribute: () => '' }).getAttribute('href') || '',
    source: text(r.querySelector('.source')) || text(r.querySelector('.code .source-label')),
    fileLabel: text(r.querySelector('.file .file-label')),
    position: text(r.querySelector('.file .file-position')),
    message: text(r.querySelector('.message')),
    severity: (r.querySelector('.marker-icon') || { getAttribute: () => '' }).getAttribute('title') || '',
    hasFixes: !!r.querySelector('.markers-panel-action-quickfix:not(.disabled)'),
  }));
  const l = panel.querySelector('#markers-panel-arialabel');
  return { rows, label: (l && l.getAttribute('aria-label')) || '' };
})()`;

export class Workbench {
  constructor(readonly page: Page, readonly port: number) {}

  async open(folder: string): Promise<void> {
    await this.page.goto(`http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(folder)}`);
    await this.page.waitForSelector('.monaco-workbench .explorer-folders-view', { timeout: 90000 });
  }

  /** Names shown in the explorer tree (top level of the folder). */
  async explorerNames(): Promise<string[]> {
    return this.page.$$eval('.explorer-folders-view .monaco-list-row', (rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
  }

  /** Opens a file with Quick Open (Ctrl+P) by its workspace-relative path; waits until its tab is active. */
  async openFile(relPath: string): Promise<void> {
    const base = relPath.split('/').pop()!;
    const activeTab = `.tabs-container .tab.active[aria-label*="${base}"]`;
    await poll(`Quick Open to open ${relPath}`, async () => {
      await this.focusEditorArea();
      await this.page.keyboard.press('Control+P');
      const input = await this.page.waitForSelector('.quick-input-widget .quick-input-box input', { state: 'visible', timeout: 15000 });
      await input.fill(relPath);
      // Pressing Enter before the result row exists (and has the focus) opens nothing: wait for it first.
      await this.page.waitForSelector(`.quick-input-list .monaco-list-row.focused[aria-label*="${base}"]`, { timeout: 20000 });
      await this.page.keyboard.press('Enter');
      const opened = await this.page.waitForSelector(activeTab, { timeout: 5000 }).then(() => true, () => false);
      if (!opened && (await this.page.$('.quick-input-widget:visible'))) await this.page.keyboard.press('Escape');
      return opened;
    }, 45000, 100);
    await this.page.waitForSelector('.editor-instance .monaco-editor.focused', { timeout: 10000 });
  }

  /** Puts the keyboard focus in the active editor (Ctrl+1: focus the first editor group). */
  async focusEditorArea(): Promise<void> {
    if (!(await this.page.$('.editor-instance .monaco-editor'))) return;
    await this.page.keyboard.press('Control+1');
    await poll('editor focus', async () => (await this.page.$('.editor-instance .monaco-editor.focused')) !== null, 10000, 100);
  }

  /** Moves the cursor with Go to Line (Ctrl+G), 1-based line and column. */
  async goTo(line: number, column = 1): Promise<void> {
    await this.focusEditorArea();
    await this.page.keyboard.press('Control+G');
    const input = await this.page.waitForSelector('.quick-input-widget .quick-input-box input', { state: 'visible', timeout: 10000 });
    await input.fill(`:${line}:${column}`); // the Go to Line picker is Quick Open with a ':' prefix
    await this.page.keyboard.press('Enter');
    await this.page.waitForSelector('.quick-input-widget', { state: 'hidden', timeout: 10000 });
    await poll(`cursor at ${line}:${column}`, async () => {
      const label = await this.page.$eval('.statusbar [id="status.editor.selection"]', (e) => e.textContent ?? '').catch(() => '');
      return new RegExp(`Ln ${line}, Col ${column}\\b`).test(label);
    }, 10000, 100);
  }

  /** Saves the active editor with Ctrl+S and waits until its tab is no longer dirty. */
  async save(): Promise<void> {
    await this.focusEditorArea();
    await this.page.keyboard.press('Control+S');
    await this.page.waitForSelector('.tabs-container .tab.active:not(.dirty)', { timeout: 15000 });
  }

  /** Opens the Problems panel (Ctrl+Shift+M) and returns the focus to the editor. */
  async showProblems(): Promise<void> {
    if (!(await this.page.$('.markers-panel:visible'))) {
      await this.page.keyboard.press('Control+Shift+M');
      await this.page.waitForSelector('.markers-panel', { state: 'visible', timeout: 15000 });
    }
    await this.focusEditorArea();
  }

  /** Every row of the Problems table. Fails if the table shows fewer rows than it says it holds (virtualised list clipped). */
  async problems(): Promise<ProblemRow[]> {
    await this.showProblems();
    // A string, not a function: tsx's keepNames would wrap inner functions in a `__name` helper the page lacks.
    const { rows, label } = (await this.page.evaluate(READ_PROBLEMS)) as { rows: RawRow[]; label: string };
    const shown = /Showing (\d+) problems?/.exec(label);
    if (shown && Number(shown[1]) > rows.length) throw new Error(`the Problems table renders ${rows.length} of ${shown[1]} rows: make the viewport taller`);
    return rows.map((r) => {
      const m = /Ln (\d+), Col (\d+)/.exec(r.position);
      return { code: r.code, href: r.href, source: r.source, file: r.fileLabel, line: m ? Number(m[1]) : 0, column: m ? Number(m[2]) : 0, message: r.message, severity: r.severity, hasFixes: r.hasFixes };
    });
  }

  /** SageShield's rows (source `sageshield`) for one workspace-relative file. */
  async sageshieldProblems(relPath: string): Promise<ProblemRow[]> {
    return (await this.problems()).filter((p) => p.source === 'sageshield' && p.file === relPath);
  }

  /** Polls the Problems panel until `accept` holds for SageShield's rows of `relPath`; returns those rows. */
  async waitForProblems(relPath: string, what: string, accept: (rows: ProblemRow[]) => boolean, timeoutMs = 60000): Promise<ProblemRow[]> {
    let last: ProblemRow[] = [];
    try {
      return await poll(`${what} (Problems panel, ${relPath})`, async () => {
        last = await this.sageshieldProblems(relPath);
        return accept(last) ? last : undefined;
      }, timeoutMs, 250);
    } catch (e) {
      throw new Error(`${(e as Error).message}; last rows: ${JSON.stringify(last.map((r) => `${r.code}@${r.line}:${r.column}`))}`);
    }
  }

  /** Squiggles drawn in the active editor (warnings, errors, infos). */
  async squiggleCount(): Promise<number> {
    return this.page.$$eval('.editor-instance .monaco-editor .view-overlays [class*="squiggly-"]', (els) => els.length);
  }

  /**
   * Ctrl+. at the cursor: returns the titles offered by the code action widget, or [] when the editor
   * says that no code actions are available.
   */
  async codeActionsAtCursor(): Promise<string[]> {
    await this.focusEditorArea();
    await this.page.keyboard.press('Control+.');
    return poll('the code action widget or the "no code actions" message', async () => {
      const titles = await this.page.$$eval('.action-widget .monaco-list-row.action', (rows) => rows.map((r) => (r.getAttribute('aria-label') ?? r.textContent ?? '').trim()));
      if (titles.length > 0) return titles;
      const msg = await this.page.$eval('.monaco-editor-overlaymessage', (e) => e.textContent ?? '').catch(() => '');
      if (/no code actions/i.test(msg)) return [] as string[];
      return undefined;
    }, 20000, 150);
  }
}
