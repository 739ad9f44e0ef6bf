/**
 * CDS Hooks over HTTP (supertest, in-process): discovery without a JWT, CORS preflight, the JWT
 * attack table, the spec's example JWT and key, feedback, 412, and logs without patient data.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { fixedClock } from '../../src/http/clock';
import { createApp } from '../../src/http/create-app';
import { createLogger } from '../../src/http/logging';
import { createCdsTokenVerifier } from '../../src/http/middleware/cds-jwt';
import {
  parseTrustedIssuers,
  loadTrustedIssuers,
  TrustedIssuersError,
} from '../../src/http/cds-trusted-issuers';
import { Readiness } from '../../src/http/readiness';
import type { CdsDeps } from '../../src/http/routes/cds-services';
import { committedCatalog } from '../fhir/builders';
import { fullPrefetch, patientViewCall } from '../cds-hooks/support';
import {
  ecKey,
  hmacWithPublicKey,
  mint,
  rsaKey,
  SPEC_EXAMPLES,
  specExample,
  specKey,
  tamper,
  unsignedToken,
} from './cds-support';

const catalog = committedCatalog();
const BASE = 'https://cds.example.org';
const SERVICE = `${BASE}/cds-services/immunization-forecast`;
const ISS = 'https://ehr.example.org';
// 2026-03-20 15:00 UTC: the assessment date in America/New_York is 2026-03-20.
const NOW_MS = Date.UTC(2026, 2, 20, 15, 0, 0);
const NOW = NOW_MS / 1000;
const es = ecKey('ec-1');
const rs = rsaKey('rsa-1');
const spec = specKey();

const issuers = parseTrustedIssuers({
  issuers: [
    {
      iss: ISS,
      jwks: { keys: [es.publicJwk, rs.publicJwk] },
      jku: ['https://ehr.example.org/jwks'],
    },
    {
      iss: 'https://fhir-ehr.example.com/',
      jwks: { keys: [spec.publicJwk] },
      jku: ['https://fhir-ehr.example.com/jwk_uri'],
    },
  ],
});

const lines: Record<string, unknown>[] = [];
const logger = createLogger({
  level: 'info',
  destination: new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  }),
});

function cds(overrides: Partial<CdsDeps> = {}): CdsDeps {
  return {
    auth: createCdsTokenVerifier({
      issuers,
      nowSeconds: () => NOW,
      // The spec's jku serves the spec's public JWKS; no other URL is reachable.
      fetchJwks: (url) =>
        url === 'https://fhir-ehr.example.com/jwk_uri'
          ? Promise.resolve(specExample('jwks-public.json'))
          : Promise.reject(new Error('no network in this test')),
    }),
    publicBaseUrl: BASE,
    timeZone: 'America/New_York',
    clock: fixedClock(NOW_MS),
    newId: (() => {
      let n = 0;
      return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    })(),
    ...overrides,
  };
}

const app = createApp({ readiness: new Readiness(), catalog, logger, cds: cds() });
const token = (o: Partial<Parameters<typeof mint>[0]> = {}) =>
  mint({ iss: ISS, aud: SERVICE, now: NOW, key: es, ...o });

function call(t: string | undefined, body: object = patientViewCall(fullPrefetch())) {
  const r = request(app)
    .post('/cds-services/immunization-forecast')
    .set('Content-Type', 'application/json');
  return (t === undefined ? r : r.set('Authorization', `Bearer ${t}`)).send(body);
}

describe('discovery and CORS', () => {
  test('GET /cds-services answers the discovery document without a JWT', async () => {
    const res = await request(app).get('/cds-services');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect((res.body as { services: { id: string }[] }).services.map((s) => s.id)).toEqual([
      'immunization-forecast',
      'immunization-order-check',
      'immunization-order-check',
    ]);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  test.each([
    '/cds-services',
    '/cds-services/immunization-forecast',
    '/cds-services/immunization-forecast/feedback',
  ])(
    'preflight on %s is answered without a JWT, allowing Authorization and Content-Type',
    async (path) => {
      const res = await request(app)
        .options(path)
        .set('Origin', 'https://sandbox.cds-hooks.org')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization, content-type');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-headers']).toBe('Authorization, Content-Type');
      expect(res.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    },
  );

  test('with configured origins, only those are echoed', async () => {
    const strict = createApp({
      readiness: new Readiness(),
      catalog,
      cds: cds({ corsOrigins: ['https://ehr.example.org'] }),
    });
    const ok = await request(strict)
      .options('/cds-services')
      .set('Origin', 'https://ehr.example.org');
    expect(ok.headers['access-control-allow-origin']).toBe('https://ehr.example.org');
    const other = await request(strict)
      .options('/cds-services')
      .set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('service call', () => {
  test('with a valid ES384 JWT and full prefetch: 200 and the forecast card', async () => {
    const res = await call(token());
    expect(res.status).toBe(200);
    expect((res.body as { cards: { summary: string }[] }).cards[0]!.summary).toBe(
      '3 vaccines due today: COVID-19, HepA, Influenza',
    );
  });

  test('with a valid RS384 JWT: 200', async () => {
    expect((await call(token({ key: rs }))).status).toBe(200);
  });

  test('"today" is the date in the configured time zone (03:00 UTC on 21 March is still 20 March in New York)', async () => {
    const late = Date.UTC(2026, 2, 21, 3, 0, 0);
    const lateApp = createApp({
      readiness: new Readiness(),
      catalog,
      cds: cds({ auth: 'disabled', clock: fixedClock(late) }),
    });
    const res = await request(lateApp)
      .post('/cds-services/immunization-forecast')
      .send(patientViewCall(fullPrefetch()));
    const card = (res.body as { cards: { detail: string }[] }).cards[0]!;
    expect(card.detail).toMatch(/^Immunization forecast for 2026-03-20 /);
  });

  test('an unknown service is 404; a hook the service does not answer is 400', async () => {
    expect((await request(app).post('/cds-services/nope').send({})).status).toBe(404);
    const res = await call(token(), { ...patientViewCall(fullPrefetch()), hook: 'order-sign' });
    expect(res.status).toBe(400);
    expect((res.body as { resourceType: string }).resourceType).toBe('OperationOutcome');
  });

  test('412 when the immunizations are neither prefetched nor fetchable', async () => {
    const rest = fullPrefetch();
    delete rest['immunizations'];
    const res = await call(token(), patientViewCall(rest));
    expect(res.status).toBe(412);
    expect((res.body as { resourceType: string }).resourceType).toBe('OperationOutcome');
  });

  test('logs the call without patient data', async () => {
    lines.length = 0;
    await call(token());
    const text = JSON.stringify(lines);
    expect(lines.some((l) => l['msg'] === 'cds hook call' && l['cards'] === 1)).toBe(true);
    expect(text).not.toMatch(/2024-03-15|"p1"|female|Patient\/p1/);
  });
});

describe('JWT attacks, each answered 401 with no detail', () => {
  const payload = { iss: ISS, aud: SERVICE, iat: NOW, exp: NOW + 300, jti: 'j-attack' };
  const publicPem = createPublicKey({ key: es.publicJwk as never, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  const specToken = readFileSync(join(SPEC_EXAMPLES, 'jwt-example-token.txt'), 'utf8').trim();
  const replayed = token({ jti: 'used-once' });

  test.each<[string, () => string | undefined, RegExp]>([
    ['no Authorization header', () => undefined, /no bearer token/],
    ['alg none', () => unsignedToken(payload, es.kid), /alg none is not allowed/],
    [
      'HS256 signed with the public key',
      () => hmacWithPublicKey(payload, es.kid, publicPem),
      /alg HS256 is not allowed/,
    ],
    [
      'wrong aud (another service)',
      () => token({ aud: `${BASE}/cds-services/immunization-order-check` }),
      /jwt audience invalid/,
    ],
    [
      'wrong aud (the Host, not the public URL)',
      () => token({ aud: 'http://127.0.0.1/cds-services/immunization-forecast' }),
      /jwt audience invalid/,
    ],
    ['expired', () => token({ iat: NOW - 900, exp: NOW - 600 }), /jwt expired/],
    ['not yet valid (nbf)', () => token({ nbf: NOW + 600, exp: NOW + 900 }), /jwt not active/],
    [
      'issued in the future (iat)',
      () => token({ iat: NOW + 600, exp: NOW + 900 }),
      /iat is in the future/,
    ],
    ['lifetime over an hour', () => token({ exp: NOW + 7200 }), /lifetime is too long/],
    ['replayed jti', () => replayed, /jti replayed/],
    [
      'jku outside the allow-list',
      () => token({ jku: 'https://attacker.example/jwks' }),
      /jku is not in the issuer allow-list/,
    ],
    ['unknown kid', () => token({ kid: 'no-such-kid' }), /kid not found/],
    [
      'unknown iss',
      () => token({ iss: 'https://attacker.example' }),
      /iss is not a trusted issuer/,
    ],
    [
      'tampered payload',
      () => tamper(token(), { aud: SERVICE, iss: ISS, jti: 'changed' }),
      /invalid signature/,
    ],
    [
      'signed by a key not in the JWKS under a trusted kid',
      () => mint({ iss: ISS, aud: SERVICE, now: NOW, key: ecKey(es.kid) }),
      /invalid signature/,
    ],
    ["the spec's example JWT (expired in 2015)", () => specToken, /jwt expired/],
  ])('%s', async (name, make, reason) => {
    if (name === 'replayed jti') {
      expect((await call(replayed)).status).toBe(200);
    }
    lines.length = 0;
    const res = await call(make());
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
    expect(res.headers['www-authenticate']).toBe('Bearer');
    const logged = lines.filter((l) => l['msg'] === 'cds jwt rejected');
    expect(logged).toHaveLength(1);
    expect(String(logged[0]!['reason'])).toMatch(reason);
    expect(JSON.stringify(lines)).not.toContain('eyJ');
  });

  test("a token freshly signed with the spec's example key is accepted when its issuer is trusted", async () => {
    const t = mint({ iss: 'https://fhir-ehr.example.com/', aud: SERVICE, now: NOW, key: spec });
    expect((await call(t)).status).toBe(200);
  });

  test("the spec's example JWT verifies before its expiry (jku allow-listed, JWKS from the spec)", async () => {
    const verifier = createCdsTokenVerifier({
      issuers: parseTrustedIssuers({
        issuers: [
          { iss: 'https://fhir-ehr.example.com/', jku: ['https://fhir-ehr.example.com/jwk_uri'] },
        ],
      }),
      nowSeconds: () => 1422568000,
      fetchJwks: (url) =>
        url === 'https://fhir-ehr.example.com/jwk_uri'
          ? Promise.resolve(specExample('jwks-public.json'))
          : Promise.reject(new Error(url)),
    });
    const result = await verifier.verify(
      specToken,
      'https://cds.example.org/cds-services/some-service',
    );
    expect(result).toEqual({
      ok: true,
      facts: {
        iss: 'https://fhir-ehr.example.com/',
        tenant: '2ddd6c3a-8e9a-44c6-a305-52111ad302a2',
        jti: 'ee22b021-e1b7-4611-ba5b-8eec6a33ac1e',
      },
    });
  });

  test('CDS_AUTH=disabled lets calls through without a JWT', async () => {
    const open = createApp({ readiness: new Readiness(), catalog, cds: cds({ auth: 'disabled' }) });
    expect(
      (
        await request(open)
          .post('/cds-services/immunization-forecast')
          .send(patientViewCall(fullPrefetch()))
      ).status,
    ).toBe(200);
  });

  test('without CDS configuration every call is refused, discovery still answers', async () => {
    const bare = createApp({ readiness: new Readiness(), catalog });
    expect((await request(bare).get('/cds-services')).status).toBe(200);
    const res = await request(bare)
      .post('/cds-services/immunization-forecast')
      .set('Authorization', `Bearer ${token()}`)
      .send(patientViewCall(fullPrefetch()));
    expect(res.status).toBe(401);
  });
});

describe('feedback', () => {
  const FEEDBACK = `${SERVICE}/feedback`;
  const post = (body: unknown, aud = FEEDBACK) =>
    request(app)
      .post('/cds-services/immunization-forecast/feedback')
      .set('Authorization', `Bearer ${token({ aud })}`)
      .send(body as object);

  test.each([
    'feedback-accepted.json',
    'feedback-overridden.json',
    'feedback-overridden-with-reason.json',
  ])('accepts the spec example %s, counts it, and logs it without the comment', async (file) => {
    lines.length = 0;
    const res = await post(specExample(file));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect(lines.some((l) => l['msg'] === 'cds feedback')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('comment entered by the clinician');
    const metrics = await request(app).get('/metrics');
    expect(metrics.text).toMatch(/immunization-forecast/);
  });

  test('refuses an invalid outcome with 400', async () => {
    const res = await post({
      feedback: [{ card: 'c', outcome: 'ignored', outcomeTimestamp: '2020-12-11T00:00:00Z' }],
    });
    expect(res.status).toBe(400);
  });

  test('needs a JWT whose aud is the feedback URL (the service URL is refused)', async () => {
    expect((await post(specExample('feedback-overridden.json'), SERVICE)).status).toBe(401);
  });
});

describe('trusted issuers file', () => {
  test('lists every problem', () => {
    let problems: readonly string[] = [];
    try {
      parseTrustedIssuers({
        issuers: [
          { iss: '', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }] } },
          { iss: 'a', jwksUrl: 'http://example.org/jwks', algorithms: ['HS256'] },
          { iss: 'b', jwks: { keys: [{ ...specKey().publicJwk, d: 'x' }] }, extra: 1 },
          { iss: 'c' },
        ],
      });
    } catch (err) {
      expect(err).toBeInstanceOf(TrustedIssuersError);
      problems = (err as TrustedIssuersError).problems;
    }
    expect(problems).toEqual([
      'issuers[0].iss must be a non-empty string',
      'issuers[0].jwks: key h holds private or symmetric key material; give only the public key',
      'issuers[1].jwksUrl must be an https URL (http only on loopback)',
      'issuers[1].algorithms must be a non-empty array of ES384, RS384, ES256, RS256 (never none or HMAC)',
      'issuers[2]: unknown member "extra" (allowed: iss, jwks, jwksUrl, jku, algorithms, tenants)',
      'issuers[2].jwks: key example-kid holds private or symmetric key material; give only the public key',
      'issuers[3] needs jwks, jwksUrl or jku: where its keys come from',
    ]);
  });

  test('reads a file with the spec public JWKS', () => {
    const text = JSON.stringify({ issuers: [{ iss: 'x', jwks: specExample('jwks-public.json') }] });
    expect(loadTrustedIssuers(text)[0]!.keys.has('example-kid')).toBe(true);
    expect(() => loadTrustedIssuers('{')).toThrow(TrustedIssuersError);
  });
});
