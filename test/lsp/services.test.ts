/** The language server's services in-process (no connection): debouncer, settings, diagnostic conversion. */
import assert from 'node:assert/strict';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { Debouncer } from '../../server/src/lsp/debouncer';
import { findingToDiagnostic, parseIssueToDiagnostic, toLspSeverity } from '../../server/src/lsp/diagnostics';
import { classifyDocument } from '../../server/src/lsp/documents';
import { normalizeSettings, SettingsService } from '../../server/src/lsp/settings';
import type { Finding } from '../../server/src/rules/types';

function until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (predicate()) resolve();
      else if (Date.now() > deadline) reject(new Error('timed out'));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

describe('LSP services', () => {
  describe('Debouncer', () => {
    it('runs only the last task scheduled for a key, and each key independently', async () => {
      const d = new Debouncer(20);
      const ran: string[] = [];
      for (let i = 0; i < 5; i++) d.schedule('a', () => void ran.push(`a${i}`));
      d.schedule('b', () => void ran.push('b'));
      await until(() => ran.length >= 2 && d.pending === 0);
      assert.deepEqual(ran.sort(), ['a4', 'b']);
      d.dispose();
    });

    it('a token stops being current when the key is scheduled again or cancelled', async () => {
      const d = new Debouncer(0);
      let first: { key: string; seq: number } | undefined;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let sawStale = false;
      d.schedule('k', async (token) => {
        first = token;
        await gate;
        sawStale = !d.isCurrent(token);
      });
      await until(() => first !== undefined);
      assert.ok(d.isCurrent(first!));
      d.schedule('k', () => undefined, 1000);
      release();
      await until(() => sawStale);
      d.cancel('k');
      assert.equal(d.pending, 0);
      d.dispose();
    });

    it('reports a task that throws or rejects instead of losing it', async () => {
      const errors: string[] = [];
      const d = new Debouncer(0, (key, e) => errors.push(`${key}: ${(e as Error).message}`));
      d.schedule('sync', () => {
        throw new Error('boom');
      });
      d.schedule('async', async () => {
        throw new Error('later');
      });
      await until(() => errors.length === 2);
      assert.deepEqual(errors.sort(), ['async: later', 'sync: boom']);
      d.dispose();
    });
  });

  describe('settings', () => {
    it('normalizes nested and flat forms, dropping ill-typed values', () => {
      assert.deepEqual(normalizeSettings(undefined), { enable: true, rules: { disabled: [], severity: {} }, reportMayFail: true });
      assert.deepEqual(
        normalizeSettings({ enable: false, reportMayFail: false, rules: { disabled: ['SM-KMS-01', 3], severity: { 'SM-NET-01': 'low', X: 'bad' } } }),
        { enable: false, rules: { disabled: ['SM-KMS-01'], severity: { 'SM-NET-01': 'low' } }, reportMayFail: false },
      );
      assert.deepEqual(normalizeSettings({ 'rules.disabled': ['IAM-01'] }).rules.disabled, ['IAM-01']);
      assert.deepEqual(normalizeSettings({ enable: 'no', rules: 'x' }).enable, true);
    });

    it('pulls once per document until the configuration changes, and survives a failing pull', async () => {
      let calls = 0;
      let fail = false;
      const s = new SettingsService(
        {
          getConfiguration: async () => {
            calls++;
            if (fail) throw new Error('no');
            return { rules: { disabled: ['A'] } };
          },
        },
        () => undefined,
      );
      assert.deepEqual((await s.get('file:///a.yaml')).rules.disabled, ['A']);
      await s.get('file:///a.yaml');
      assert.equal(calls, 1);
      s.changed(null);
      fail = true;
      assert.deepEqual((await s.get('file:///a.yaml')).rules.disabled, [], 'defaults when the pull fails');
      assert.equal(calls, 2);
    });

    it('without the configuration capability, uses what didChangeConfiguration pushed', async () => {
      const s = new SettingsService(undefined, () => undefined);
      assert.equal((await s.get('file:///x.tf')).enable, true);
      s.changed({ sageshield: { enable: false } });
      assert.equal((await s.get('file:///x.tf')).enable, false);
    });
  });

  describe('diagnostics', () => {
    const range = { start: { line: 2, character: 2 }, end: { line: 2, character: 10 } };
    const finding: Finding = {
      ruleId: 'SM-KMS-01',
      severity: 'medium',
      category: 'encryption',
      verdict: 'may-fail',
      file: '/w/t.yaml',
      range,
      resource: { type: 'AWS::SageMaker::NotebookInstance', name: 'Nb', address: 'Nb' },
      message: 'Notebook instance storage may not be encrypted.',
      fixes: ['Add KmsKeyId'],
      data: { property: 'KmsKeyId' },
    };

    it('maps severities', () => {
      assert.equal(toLspSeverity('critical'), DiagnosticSeverity.Error);
      assert.equal(toLspSeverity('high'), DiagnosticSeverity.Error);
      assert.equal(toLspSeverity('medium'), DiagnosticSeverity.Warning);
      assert.equal(toLspSeverity('low'), DiagnosticSeverity.Information);
      assert.equal(toLspSeverity('info'), DiagnosticSeverity.Hint);
    });

    it('converts a finding with code, docs link, data and a may-fail prefix', () => {
      const d = findingToDiagnostic(finding);
      assert.equal(d.code, 'SM-KMS-01');
      assert.equal(d.source, 'sageshield');
      assert.match(d.codeDescription!.href, /SM-KMS-01\.md$/);
      assert.match(String(d.message), /^May fail: Notebook instance storage/);
      assert.deepEqual(d.range, range);
      assert.deepEqual(d.data, {
        kind: 'finding',
        ruleId: 'SM-KMS-01',
        verdict: 'may-fail',
        severity: 'medium',
        resource: finding.resource,
        fixes: ['Add KmsKeyId'],
        finding: { property: 'KmsKeyId' },
      });
      assert.doesNotMatch(String(findingToDiagnostic({ ...finding, verdict: 'fail' }).message), /^May fail/);
    });

    it('converts a parse issue', () => {
      const d = parseIssueToDiagnostic({ file: '/w/t.yaml', range, message: 'bad indentation' });
      assert.equal(d.code, 'SS-PARSE');
      assert.equal(d.severity, DiagnosticSeverity.Error);
      assert.equal(d.message, 'bad indentation');
    });
  });

  describe('documents', () => {
    it('classifies by path and language', () => {
      assert.equal(classifyDocument('/w/main.tf', 'terraform'), 'terraform');
      assert.equal(classifyDocument('/w/main.TF', 'plaintext'), 'terraform');
      assert.equal(classifyDocument('/w/terraform.tfvars', 'terraform'), 'terraform-vars');
      assert.equal(classifyDocument('/w/prod.auto.tfvars', 'terraform'), 'terraform-vars');
      assert.equal(classifyDocument('/w/template.yaml', 'yaml'), 'cloudformation');
      assert.equal(classifyDocument('/w/stack.template', 'plaintext'), 'cloudformation');
      assert.equal(classifyDocument('/w/readme.md', 'markdown'), 'none');
      assert.equal(classifyDocument(undefined, 'yaml'), 'none');
    });
  });
});
