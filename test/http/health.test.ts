import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/http/create-app';
import { Readiness } from '../../src/http/readiness';
import { findRepoRoot } from '../../src/rules/repo-root';
import { loadRuleCatalog } from '../../src/rules/rule-catalog';

// The committed rules, loaded once for the file.
const catalog = loadRuleCatalog(join(findRepoRoot(__dirname), 'rules'));

function appWith(readiness: Readiness) {
  return createApp({ readiness, catalog });
}

describe('health endpoints', () => {
  test('GET /healthz answers 200 while the process is alive, even before the rules are loaded', async () => {
    const res = await request(appWith(new Readiness())).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  test('GET /readyz answers 503 while starting, 200 once ready, 503 again while draining', async () => {
    const readiness = new Readiness();
    const app = appWith(readiness);
    expect((await request(app).get('/readyz')).status).toBe(503);
    readiness.markReady();
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', ruleSets: ['cdc-cdsi@4.64'] });
    readiness.markDraining();
    expect((await request(app).get('/readyz')).status).toBe(503);
  });

  test('an unknown route gets a FHIR OperationOutcome 404, not an HTML page', async () => {
    const res = await request(appWith(new Readiness())).get('/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/fhir\+json/);
    expect(res.body).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'not-found' }],
    });
  });
});
