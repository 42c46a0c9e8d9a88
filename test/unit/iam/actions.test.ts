import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  actionCatalog,
  actionInfo,
  actionMatches,
  catalogCandidates,
  expandAction,
  isKnownService,
  parseCatalog,
  serviceActions,
} from '../../../server/src/iam/actions';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DATA = path.join(ROOT, 'server', 'data', 'iam-actions.json');

describe('iam/actions: catalog data', () => {
  it('is committed, small, and rebuilt byte-for-byte by scripts/data-iam.mjs', function () {
    this.timeout(30000);
    assert.ok(statSync(DATA).size < 700 * 1024, `iam-actions.json is ${statSync(DATA).size} bytes`);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sageshield-iam-'));
    try {
      const out = path.join(dir, 'iam-actions.json');
      execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'data-iam.mjs'), '--out', out], { stdio: 'pipe' });
      assert.ok(readFileSync(out).equals(readFileSync(DATA)), 'a fresh build differs from server/data/iam-actions.json: run npm run data:iam');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is found from source through ../../data', () => {
    assert.ok(catalogCandidates().some((p) => path.resolve(p) === DATA));
    const c = actionCatalog();
    assert.ok(c.byKey.size > 15000, `${c.byKey.size} actions`);
    assert.match(c.source, /^@cloud-copilot\/iam-data@/);
  });

  it('parses the compact format: upper case = resource-level, lower case = wildcard-only', () => {
    const c = parseCatalog(JSON.stringify({ format: 1, source: 'x', services: { svc: { R: 'GetThing GetOther', l: 'ListThings', P: 'PutPolicy' } } }));
    assert.deepEqual(c.services, ['svc']);
    assert.deepEqual(
      serviceActionsOf(c, 'svc'),
      ['GetOther Read scoped', 'GetThing Read scoped', 'ListThings List wildcard-only', 'PutPolicy Permissions management scoped'],
    );
    assert.throws(() => parseCatalog('{"format": 2, "services": {}}'), /unknown format/);
  });
});

function serviceActionsOf(c: ReturnType<typeof parseCatalog>, svc: string): string[] {
  return (c.byService.get(svc) ?? []).map((a) => `${a.name} ${a.accessLevel} ${a.wildcardOnly ? 'wildcard-only' : 'scoped'}`);
}

describe('iam/actions: lookups', () => {
  it('knows wildcard-only and resource-level actions, case-insensitively', () => {
    assert.deepEqual(actionInfo('sagemaker:ListNotebookInstances'), {
      service: 'sagemaker',
      name: 'ListNotebookInstances',
      action: 'sagemaker:ListNotebookInstances',
      accessLevel: 'List',
      wildcardOnly: true,
    });
    assert.equal(actionInfo('ECR:getauthorizationtoken')?.wildcardOnly, true);
    assert.equal(actionInfo('ecr:GetAuthorizationToken')?.accessLevel, 'Read');
    assert.equal(actionInfo('sagemaker:CreateTrainingJob')?.wildcardOnly, false);
    assert.equal(actionInfo('s3:GetObject')?.wildcardOnly, false);
    assert.equal(actionInfo('iam:PassRole')?.accessLevel, 'Write');
    assert.equal(actionInfo('iam:PutRolePolicy')?.accessLevel, 'Permissions management');
    assert.equal(actionInfo('s3:NoSuchAction'), undefined);
    assert.equal(isKnownService('SageMaker'), true);
    assert.equal(isKnownService('nosuchservice'), false);
    assert.ok(serviceActions('kms').length > 30);
  });

  it('expands wildcards the way IAM matches them', () => {
    const pass = expandAction('iam:Pass*').map((a) => a.action);
    assert.deepEqual(pass, ['iam:PassRole']);
    assert.deepEqual(expandAction('iam:PassR?le').map((a) => a.action), ['iam:PassRole']);
    const svc = expandAction('sagemaker:*');
    assert.equal(svc.length, serviceActions('sagemaker').length);
    assert.ok(expandAction('s3:Get*').every((a) => a.name.startsWith('Get')));
    assert.equal(expandAction('*').length, actionCatalog().byKey.size);
    assert.deepEqual(expandAction('iam:PassRole').map((a) => a.action), ['iam:PassRole']);
    assert.deepEqual(expandAction('nosuch:*'), []);
    assert.deepEqual(expandAction('nocolon'), []);
    assert.ok(expandAction('*:GetAuthorizationToken').some((a) => a.action === 'ecr:GetAuthorizationToken'));
  });

  it('matches action patterns case-insensitively, anchored, with regex characters taken literally', () => {
    assert.equal(actionMatches('iam:*', 'iam:PassRole'), true);
    assert.equal(actionMatches('IAM:passrole', 'iam:PassRole'), true);
    assert.equal(actionMatches('iam:*Role', 'iam:PassRole'), true);
    assert.equal(actionMatches('*', 'iam:PassRole'), true);
    assert.equal(actionMatches('iam:Pass', 'iam:PassRole'), false);
    assert.equal(actionMatches('iam:Get*', 'iam:PassRole'), false);
    assert.equal(actionMatches('s3:Get.bject', 's3:GetObject'), false);
  });
});
