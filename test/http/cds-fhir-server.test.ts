/**
 * Missing prefetch fetched with fhir-kit-client from a real FHIR endpoint on loopback (node:http,
 * port 0) that pages its searchsets and checks the bearer token; the timeout; and JWKS fetched
 * from an allow-listed loopback `jku`, cached, and refreshed on an unknown kid.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import { fixedClock } from '../../src/http/clock';
import { createApp } from '../../src/http/create-app';
import { parseTrustedIssuers } from '../../src/http/cds-trusted-issuers';
import { createCdsTokenVerifier } from '../../src/http/middleware/cds-jwt';
import { Readiness } from '../../src/http/readiness';
import { committedCatalog } from '../fhir/builders';
import { patientViewCall, searchset, twoYearOldResources } from '../cds-hooks/support';
import { close, ecKey, json, loopback, mint } from './cds-support';

const catalog = committedCatalog();
const NOW_MS = Date.UTC(2026, 2, 20, 15, 0, 0);
const TOKEN = 'fhir-access-token-123';
const { patient, immunizations } = twoYearOldResources();
const PAGE = 5;

let fhir: { server: Server; base: string };
const seen: { path: string; auth: string | undefined }[] = [];
let delayMs = 0;

beforeAll(async () => {
  fhir = await loopback((req, res, url) => {
    seen.push({ path: `${url.pathname}${url.search}`, auth: req.headers.authorization });
    const answer = () => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        json(res, 401, {
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'login' }],
        });
        return;
      }
      if (url.pathname === '/fhir/Patient/p1') {
        json(res, 200, patient);
      } else if (
        url.pathname === '/fhir/Immunization' &&
        url.searchParams.get('patient') === 'p1'
      ) {
        const page = Number(url.searchParams.get('_page') ?? '0');
        const slice = immunizations.slice(page * PAGE, page * PAGE + PAGE);
        const more = (page + 1) * PAGE < immunizations.length;
        json(
          res,
          200,
          searchset(
            slice,
            more ? `${fhir.base}/fhir/Immunization?patient=p1&_page=${page + 1}` : undefined,
          ),
        );
      } else if (
        ['/fhir/Condition', '/fhir/Observation', '/fhir/AllergyIntolerance'].includes(url.pathname)
      ) {
        json(res, 200, searchset([]));
      } else {
        json(res, 404, {
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'not-found' }],
        });
      }
    };
    if (delayMs > 0) {
      setTimeout(answer, delayMs);
    } else {
      answer();
    }
  });
});

afterAll(async () => {
  await close(fhir.server);
});

function app(fhirTimeoutMs = 2000) {
  return createApp({
    readiness: new Readiness(),
    catalog,
    cds: {
      auth: 'disabled',
      publicBaseUrl: 'https://cds.example.org',
      timeZone: 'America/New_York',
      clock: fixedClock(NOW_MS),
      fhirTimeoutMs,
    },
  });
}

const access = (token = TOKEN) => ({
  fhirServer: `${fhir.base}/fhir`,
  fhirAuthorization: {
    access_token: token,
    token_type: 'Bearer',
    expires_in: 300,
    scope: 'patient/*.read',
    subject: 'cds',
  },
});

describe('prefetch keys fetched from fhirServer with fhir-kit-client', () => {
  test('without prefetch, reads Patient and every page of Immunization with the bearer token', async () => {
    seen.length = 0;
    const res = await request(app())
      .post('/cds-services/immunization-forecast')
      .send(patientViewCall(undefined, access()));
    expect(res.status).toBe(200);
    expect((res.body as { cards: { summary: string }[] }).cards[0]!.summary).toBe(
      '3 vaccines due today: COVID-19, HepA, Influenza',
    );
    const paths = seen.map((s) => s.path);
    expect(paths).toContain('/fhir/Patient/p1');
    expect(paths).toContain('/fhir/Immunization?patient=p1');
    expect(paths).toContain('/fhir/Immunization?patient=p1&_page=4');
    expect(paths).toContain('/fhir/Observation?patient=p1&category=laboratory');
    expect(seen.every((s) => s.auth === `Bearer ${TOKEN}`)).toBe(true);
  });

  test('only the missing keys are fetched', async () => {
    seen.length = 0;
    const prefetch = { patient, immunizations: searchset(immunizations) };
    const res = await request(app())
      .post('/cds-services/immunization-forecast')
      .send(patientViewCall(prefetch, access()));
    expect(res.status).toBe(200);
    expect(seen.map((s) => s.path.split('?')[0]).sort()).toEqual([
      '/fhir/AllergyIntolerance',
      '/fhir/Condition',
      '/fhir/Observation',
    ]);
  });

  test('a rejected token means the data cannot be had: 412', async () => {
    const res = await request(app())
      .post('/cds-services/immunization-forecast')
      .send(patientViewCall(undefined, access('wrong')));
    expect(res.status).toBe(412);
  });

  test('a FHIR server slower than the timeout: 412, in about the timeout', async () => {
    delayMs = 4000;
    try {
      const started = performance.now();
      const res = await request(app(200))
        .post('/cds-services/immunization-forecast')
        .send(patientViewCall(undefined, access()));
      expect(res.status).toBe(412);
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      delayMs = 0;
    }
  });

  test('an unreachable FHIR server: 412', async () => {
    const res = await request(app())
      .post('/cds-services/immunization-forecast')
      .send(patientViewCall(undefined, { ...access(), fhirServer: 'http://127.0.0.1:1/fhir' }));
    expect(res.status).toBe(412);
  });
});

describe('JWKS from an allow-listed jku on loopback', () => {
  test('fetched once, cached, refetched for an unknown kid; other URLs never fetched', async () => {
    const k1 = ecKey('k1');
    const k2 = ecKey('k2');
    let keys = [k1.publicJwk];
    const fetched: string[] = [];
    const jwks = await loopback((_req, res, url) => {
      fetched.push(url.pathname);
      json(res, 200, { keys });
    });
    try {
      const jku = `${jwks.base}/jwks`;
      let now = NOW_MS / 1000;
      const verifier = createCdsTokenVerifier({
        issuers: parseTrustedIssuers({ issuers: [{ iss: 'https://ehr', jku: [jku] }] }),
        nowSeconds: () => now,
        jwksMinRefreshMs: 1000,
      });
      const aud = 'https://cds.example.org/cds-services/immunization-forecast';
      const t = (key: typeof k1, extra = {}) =>
        mint({ iss: 'https://ehr', aud, now, key, jku, ...extra });
      expect((await verifier.verify(t(k1), aud)).ok).toBe(true);
      expect((await verifier.verify(t(k1), aud)).ok).toBe(true);
      expect(fetched).toEqual(['/jwks']);
      keys = [k1.publicJwk, k2.publicJwk];
      now += 2; // past the least refresh interval
      expect((await verifier.verify(t(k2), aud)).ok).toBe(true);
      expect(fetched).toEqual(['/jwks', '/jwks']);
      const other = await verifier.verify(t(k1, { jku: `${jwks.base}/other` }), aud);
      expect(other).toMatchObject({ ok: false, reason: 'jku is not in the issuer allow-list' });
      expect(fetched).toEqual(['/jwks', '/jwks']);
    } finally {
      await close(jwks.server);
    }
  });
});
