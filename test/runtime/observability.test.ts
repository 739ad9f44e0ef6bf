/**
 * In-process runtime behaviour of the app: request ids, log privacy, metrics, security headers,
 * body limit and error bodies. Logs are captured through a logger injected into `createApp`.
 */
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import request from 'supertest';
import {
  PATIENT_SECRETS,
  adultForecastRequest,
  childForecastRequest,
  patientViewRequest,
} from '../../bench/http-fixtures';
import { createApp } from '../../src/http/create-app';
import { createMetrics } from '../../src/http/metrics';
import { Readiness } from '../../src/http/readiness';
import type { RuleCatalog } from '../../src/rules/rule-catalog';
import { committedCatalog } from '../fhir/builders';
import { capturingLogger } from './helpers';

const catalog = committedCatalog();
const FORECAST = '/fhir/$immds-forecast';
const FHIR_JSON = 'application/fhir+json';

function ready(): Readiness {
  const r = new Readiness();
  r.markReady();
  return r;
}

/** A catalog whose rule lookup throws: the forecast route then fails with an unexpected error. */
function brokenCatalog(): RuleCatalog {
  return {
    labels: catalog.labels,
    defaultVersion: catalog.defaultVersion,
    codes: catalog.codes,
    get: () => {
      throw new Error('internal detail: /srv/app/secret-path exploded');
    },
  };
}

describe('request ids', () => {
  const app = createApp({ readiness: ready(), catalog });

  test('every response carries a fresh X-Request-Id when the client sends none', async () => {
    const a = await request(app).get('/healthz');
    const b = await request(app).get('/healthz');
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers['x-request-id']).not.toBe(a.headers['x-request-id']);
  });

  test('a sane incoming X-Request-Id is kept; an insane one is replaced', async () => {
    const kept = await request(app).get('/healthz').set('X-Request-Id', 'edge-7f3a.42');
    expect(kept.headers['x-request-id']).toBe('edge-7f3a.42');
    const replaced = await request(app)
      .get('/healthz')
      .set('X-Request-Id', '<script>alert(1)</script>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('logs', () => {
  test('never contain a patient name, identifier, birth date, address or CDS patientId; every request line has the request id', async () => {
    const { logger, lines } = capturingLogger();
    const app = createApp({ readiness: ready(), catalog, logger });

    const forecast = await request(app)
      .post(FORECAST)
      .set('Content-Type', FHIR_JSON)
      .set('X-Request-Id', 'req-forecast-1')
      .send(childForecastRequest());
    expect(forecast.status).toBe(200);
    await request(app).post(FORECAST).set('Content-Type', FHIR_JSON).send(adultForecastRequest());
    // A CDS Hooks call (answered 401, 404 or 200 depending on the wiring; its body must not leak).
    await request(app)
      .post('/cds-services/immunization-forecast')
      .set('Content-Type', 'application/json')
      .send(patientViewRequest() as object);
    await request(app)
      .post('/cds-services/immunization-forecast/feedback')
      .set('Content-Type', 'application/json')
      .send({ feedback: [{ card: 'x', outcome: 'accepted', patientId: 'child-1' }] });
    // Patient data in a query string and a path, and an invalid body echoing patient data.
    await request(app).get(`/fhir/Patient?identifier=${PATIENT_SECRETS.identifier}`);
    await request(app).get(`/fhir/Patient/${PATIENT_SECRETS.family}`);
    await request(app)
      .post(FORECAST)
      .set('Content-Type', FHIR_JSON)
      .send({ resourceType: 'Parameters', parameter: [{ name: PATIENT_SECRETS.street }] });
    await request(app)
      .post(FORECAST)
      .set('Content-Type', FHIR_JSON)
      .send(`{"name": "${PATIENT_SECRETS.given}", broken`);

    const log = lines();
    expect(log.length).toBeGreaterThanOrEqual(8);
    const text = log.join('\n');
    for (const secret of [
      ...Object.values(PATIENT_SECRETS),
      '2024-03-15', // birth date of the child
      '1960-07-04', // birth date of the adult
      'child-1', // Patient.id = CDS context.patientId
      'adult-1',
    ]) {
      expect(text).not.toContain(secret);
    }

    const parsed = log.map((l) => JSON.parse(l) as Record<string, unknown>);
    // Every line, including the CDS routes' own ('cds jwt rejected', 'cds hook call'), carries the
    // request id.
    expect(parsed.length).toBeGreaterThanOrEqual(8);
    for (const line of parsed) {
      expect({ line, requestId: typeof line['requestId'] }).toMatchObject({ requestId: 'string' });
    }
    expect(parsed[0]).toMatchObject({
      level: 'info',
      msg: 'request completed',
      requestId: 'req-forecast-1',
      method: 'POST',
      route: '/fhir/$immds-forecast',
      status: 200,
      ruleSet: 'cdc-cdsi@4.64',
      durationMs: expect.any(Number) as unknown,
    });
    expect(parsed.find((l) => l['status'] === 404)).toMatchObject({ route: '(unmatched)' });
  });

  test('an unexpected error is logged with the request id, and the client gets a generic 500', async () => {
    const { logger, lines } = capturingLogger();
    const app = createApp({ readiness: ready(), catalog: brokenCatalog(), logger });
    const res = await request(app)
      .post(FORECAST)
      .set('Content-Type', FHIR_JSON)
      .set('X-Request-Id', 'req-boom')
      .send(childForecastRequest());
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toMatch(/secret-path|exploded|\bat \S+ \(/);
    expect(res.body).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'exception', diagnostics: 'Internal server error' }],
    });
    const parsed = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    const error = parsed.find((l) => l['msg'] === 'unhandled error');
    expect(error).toMatchObject({ level: 'error', requestId: 'req-boom' });
    expect(JSON.stringify(error)).toMatch(/exploded/);
    expect(parsed.find((l) => l['msg'] === 'request failed')).toMatchObject({
      requestId: 'req-boom',
      status: 500,
    });
  });

  test('a request the client abandons before the answer is logged as aborted, without its body', async () => {
    const { logger, lines } = capturingLogger();
    const app = createApp({ readiness: ready(), catalog, logger });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    const body = JSON.stringify(childForecastRequest());
    // Headers and half the body, then the client goes away.
    const socket = connect(port, '127.0.0.1');
    socket.write(
      `POST ${FORECAST} HTTP/1.1\r\nHost: x\r\nContent-Type: ${FHIR_JSON}\r\n` +
        `X-Request-Id: req-gone\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
        body.slice(0, body.length / 2),
    );
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    const until = Date.now() + 5000;
    while (!lines().some((l) => l.includes('req-gone')) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => server.close(r));
    const line = lines()
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['requestId'] === 'req-gone');
    expect(line).toMatchObject({
      level: 'warn',
      msg: 'request aborted',
      method: 'POST',
      route: FORECAST,
      durationMs: expect.any(Number) as unknown,
    });
    expect(JSON.stringify(line)).not.toContain(PATIENT_SECRETS.family);
  });
});

describe('GET /metrics', () => {
  test('Prometheus text: duration by route pattern and status, forecasts by group and status, feedback, rule sets', async () => {
    const metrics = createMetrics({ ruleSets: catalog.labels, defaultRuleSet: 'cdc-cdsi@4.64' });
    const app = createApp({ readiness: ready(), catalog, metrics });
    await request(app).post(FORECAST).set('Content-Type', FHIR_JSON).send(childForecastRequest());
    await request(app).post('/fhir/%24immds-forecast').set('Content-Type', FHIR_JSON).send('{}');
    await request(app).get('/fhir/Patient/some-id?x=1');
    metrics.recordCdsFeedback('immunization-forecast', 'overridden');
    metrics.recordCdsFeedback('immunization-forecast', 'nonsense');

    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/fhir\/\$immds-forecast",status="200"\} 1/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/fhir\/\$immds-forecast",status="400"\} 1/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\(unmatched\)",status="404"\} 1/,
    );
    expect(text).not.toContain('some-id');
    expect(text).toMatch(/cdsi_forecasts_total\{vaccine_group="MMR",status="\w[^"]*"\} 1/);
    expect(text).toMatch(/cdsi_forecasts_total\{vaccine_group="DTaP\/Tdap\/Td",status="[^"]+"\} 1/);
    expect(text).toContain(
      'cdsi_cds_feedback_total{service="immunization-forecast",outcome="overridden"} 1',
    );
    expect(text).toContain(
      'cdsi_cds_feedback_total{service="immunization-forecast",outcome="other"} 1',
    );
    expect(text).toContain('cdsi_rule_set_info{rule_set="cdc-cdsi@4.64",default="true"} 1');
  });

  test('each app instance has its own registry; process metrics when enabled', async () => {
    const a = createApp({ readiness: ready(), catalog });
    const b = createApp({
      readiness: ready(),
      catalog,
      metrics: createMetrics({ ruleSets: catalog.labels, processMetrics: true }),
    });
    await request(a).get('/healthz');
    await request(a).get('/healthz');
    const textA = (await request(a).get('/metrics')).text;
    const textB = (await request(b).get('/metrics')).text;
    expect(textA).toMatch(/route="\/healthz",status="200"\} 2/);
    expect(textB).not.toMatch(/route="\/healthz"/);
    expect(textA).not.toContain('process_resident_memory_bytes');
    expect(textB).toContain('process_resident_memory_bytes');
    expect(textB).toContain('nodejs_eventloop_lag_seconds');
  });
});

describe('security headers, body limit, error bodies', () => {
  test('helmet headers on every answer, no X-Powered-By', async () => {
    const app = createApp({ readiness: ready(), catalog });
    for (const path of ['/healthz', '/fhir/metadata', '/nope']) {
      const res = await request(app).get(path);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  test('a body over the configured limit gets 413 as an OperationOutcome', async () => {
    const app = createApp({ readiness: ready(), catalog, bodyLimit: 2048 });
    const res = await request(app)
      .post(FORECAST)
      .set('Content-Type', FHIR_JSON)
      .send(adultForecastRequest());
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/application\/fhir\+json/);
    expect(res.body).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'too-costly' }],
    });
    const small = await request(app)
      .post(FORECAST)
      .set('Content-Type', FHIR_JSON)
      .send({ resourceType: 'Parameters' });
    expect(small.status).not.toBe(413);
  });

  test.each([
    [
      'malformed JSON',
      (app: ReturnType<typeof createApp>) =>
        request(app).post(FORECAST).set('Content-Type', FHIR_JSON).send('{"a": nope'),
    ],
    [
      'wrong content type',
      (app: ReturnType<typeof createApp>) =>
        request(app).post(FORECAST).set('Content-Type', 'text/xml').send('<Parameters/>'),
    ],
    [
      'bad charset',
      (app: ReturnType<typeof createApp>) =>
        request(app)
          .post(FORECAST)
          .set('Content-Type', 'application/fhir+json; charset=klingon')
          .send('{}'),
    ],
    ['unknown route', (app: ReturnType<typeof createApp>) => request(app).delete('/x/y')],
    ['wrong method', (app: ReturnType<typeof createApp>) => request(app).put('/fhir/metadata')],
    [
      'unexpected error',
      (_app: ReturnType<typeof createApp>) =>
        request(createApp({ readiness: ready(), catalog: brokenCatalog() }))
          .post(FORECAST)
          .set('Content-Type', FHIR_JSON)
          .send(childForecastRequest()),
    ],
  ])('no stack trace or internal message in the answer: %s', async (_name, send) => {
    const res = await send(createApp({ readiness: ready(), catalog }));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome' });
    expect(res.text).not.toMatch(
      /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|\.js:\d+|Error:|secret-path/,
    );
  });
});
