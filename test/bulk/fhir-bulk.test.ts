/**
 * `POST /fhir/$immds-forecast-bulk` in-process (supertest): one answer line per input line, in
 * order; bad lines answered by number while the others are forecast; the request's settings;
 * media types; metrics; the same answers as the single-patient operation; compressed answers.
 */
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import express from 'express';
import type { OperationOutcome, Parameters } from 'fhir/r4';
import request from 'supertest';
import { inProcessExecutor, type ForecastExecutor } from '../../src/bulk/executor';
import type { PipelineStats } from '../../src/bulk/pipeline';
import { fixedClock } from '../../src/http/clock';
import { createApp } from '../../src/http/create-app';
import { createMetrics } from '../../src/http/metrics';
import { errorHandler } from '../../src/http/middleware/error-handler';
import { Readiness } from '../../src/http/readiness';
import { fhirBulkRoutes } from '../../src/http/routes/fhir-bulk';
import { committedCatalog, recommendationOf, twoYearOld } from '../fhir/builders';
import { fhirValidator } from '../support/fhir-schema';
import { cheapBadLine, inputLine, ndjsonOf, patientOf, twoThreadPool } from './support';

const catalog = committedCatalog();
const validator = fhirValidator();
const metrics = createMetrics({ ruleSets: catalog.labels });
const app = createApp({ readiness: new Readiness(), catalog, metrics, bodyLimit: 4096 });
const BULK = '/fhir/$immds-forecast-bulk';
const NDJSON = 'application/fhir+ndjson';

function post(body: string, query = '?assessmentDate=2026-03-20', type = NDJSON) {
  return request(app).post(`${BULK}${query}`).set('Content-Type', type).send(body);
}

const outcome = (x: Parameters | OperationOutcome) => x as OperationOutcome;

describe('POST /fhir/$immds-forecast-bulk', () => {
  test('answers one output Parameters per line, in input order, streamed as FHIR NDJSON', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `p${i}`);
    // Different ages, so that lines take different times; the order must still be the input's.
    const body =
      ids.map((id, i) => inputLine(id, `${2025 - (i % 20)}-0${1 + (i % 9)}-15`)).join('\n') + '\n';
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+ndjson/);
    expect(res.headers['x-rule-set']).toBe('cdc-cdsi@4.64');
    const out = ndjsonOf(res.text);
    expect(out.map(patientOf)).toEqual(ids.map((id) => `Patient/${id}`));
    for (const p of out) {
      expect(validator.errors(p)).toEqual([]);
      expect(recommendationOf(p as Parameters).date).toBe('2026-03-20');
    }
  });

  test('answers bad lines by number, with the FHIRPath at fault, and forecasts the others', async () => {
    const lines = [
      inputLine('a', '2024-01-01'), // 1
      '{"resourceType":"Parameters", oops', // 2: not JSON
      '', // 3: empty
      inputLine('b', '2024-02-30'), // 4: no such date
      '[1,2]', // 5: not a Parameters
      inputLine('c', '2020-05-05', [{ name: 'assessmentDate', valueDate: '2025-01-01' }]), // 6
      inputLine('d', '2020-05-05', [{ name: 'assessmentDate', valueDate: '2026-03-20' }]), // 7: same date: fine
      inputLine('e', '2019-07-07'), // 8
    ];
    const res = await post(`${lines.join('\r\n')}\r\n`);
    expect(res.status).toBe(200);
    const out = ndjsonOf(res.text);
    expect(out).toHaveLength(8);
    expect(out.map(patientOf)).toEqual([
      'Patient/a',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'Patient/d',
      'Patient/e',
    ]);
    const bad = (n: number) => outcome(out[n - 1]!);
    expect(bad(2)).toMatchObject({
      id: 'line-2',
      issue: [{ severity: 'error', code: 'structure' }],
    });
    expect(bad(2).issue[0]!.diagnostics).toBe(
      'line 2: the line is not valid JSON (at character 31)',
    );
    expect(bad(3).issue[0]!.diagnostics).toMatch(/^line 3: the line is empty/);
    expect(bad(4).id).toBe('line-4');
    expect(bad(4).issue[0]).toMatchObject({
      expression: ['Parameters.parameter[0].resource.birthDate'],
      diagnostics: expect.stringMatching(/^line 4: /) as unknown,
    });
    expect(bad(5).issue[0]!.diagnostics).toMatch(
      /^line 5: The request body must be a FHIR Parameters/,
    );
    expect(bad(6).issue[0]).toMatchObject({
      code: 'business-rule',
      expression: ['Parameters.parameter[2].value'],
      diagnostics: expect.stringContaining(
        'line 6: assessmentDate differs from the assessment date of the bulk run (2026-03-20)',
      ) as unknown,
    });
    for (const o of out) {
      expect(validator.errors(o)).toEqual([]);
    }
    expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  test('answers a line over the limit (BODY_LIMIT) by number without reading it, and goes on', async () => {
    const long = inputLine('big', '2024-01-01', [
      { name: 'observation', valueString: 'x'.repeat(6000) },
    ]);
    const res = await post(
      [inputLine('a', '2024-01-01'), long, inputLine('b', '2024-01-01')].join('\n'),
    );
    const out = ndjsonOf(res.text);
    expect(out.map(patientOf)).toEqual(['Patient/a', undefined, 'Patient/b']);
    expect(outcome(out[1]!)).toMatchObject({
      id: 'line-2',
      issue: [
        {
          code: 'too-costly',
          diagnostics: `line 2 is ${long.length} bytes long, over the limit of 4096 bytes; it was not read`,
        },
      ],
    });
  });

  test('gives the same answer as $immds-forecast for the same input', async () => {
    const plain = createApp({ readiness: new Readiness(), catalog });
    const single = await request(plain)
      .post('/fhir/$immds-forecast')
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(twoYearOld()));
    const bulk = await request(plain)
      .post(`${BULK}?assessmentDate=2026-03-20&knowledgeBaseVersion=cdc-cdsi@4.64`)
      .set('Content-Type', NDJSON)
      .send(`${JSON.stringify(twoYearOld())}\n`);
    expect(ndjsonOf(bulk.text)).toEqual([single.body]);
  });

  test('counts every forecast line in cdsi_forecasts_total, like the single-patient operation', async () => {
    const count = async () =>
      (await metrics.registry.getSingleMetric('cdsi_forecasts_total')!.get()).values.reduce(
        (n, v) => n + v.value,
        0,
      );
    const before = await count();
    await post([inputLine('a', '2024-01-01'), 'nope', inputLine('b', '2020-01-01')].join('\n'));
    const groups = catalog.get('4.64')!.vaccineGroups.length;
    expect((await count()) - before).toBe(2 * groups);
  });

  test('refuses bad settings and media types before reading a line', async () => {
    const body = `${inputLine('a', '2024-01-01')}\n`;
    const expectOutcome = (res: request.Response, status: number, text: RegExp) => {
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
      expect((res.body as OperationOutcome).issue[0]!.diagnostics).toMatch(text);
    };
    expectOutcome(
      await post(body, '?assessmentDate=2026-03'),
      400,
      /assessmentDate must be a full date/,
    );
    expectOutcome(
      await post(body, '?assessmentDate=2026-03-20&knowledgeBaseVersion=9.99'),
      400,
      /knowledgeBaseVersion "9.99" is not a loaded rule set/,
    );
    expectOutcome(
      await post(body, '?assesmentDate=2026-03-20'),
      400,
      /Unknown query parameter "assesmentDate"/,
    );
    expectOutcome(
      await post(body, '?assessmentDate=2026-03-20&assessmentDate=2026-03-21'),
      400,
      /given once/,
    );
    expectOutcome(
      await post(body, undefined, 'application/fhir+json'),
      415,
      /Content-Type must be application\/fhir\+ndjson/,
    );
    expectOutcome(
      await request(app)
        .post(BULK)
        .set('Content-Type', NDJSON)
        .set('Accept', 'application/fhir+xml')
        .send(body),
      406,
      /answers only application\/fhir\+ndjson/,
    );
    const get = await request(app).get(BULK);
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST');
    expect((await post(body, '?assessmentDate=2026-03-20', 'application/x-ndjson')).status).toBe(
      200,
    );
  });

  test('without assessmentDate, assesses as of today in the configured time zone', async () => {
    const bare = express();
    // 2026-07-01T02:00Z is still 30 June in Chicago.
    bare.use(
      fhirBulkRoutes({
        catalog,
        lineLimit: '1mb',
        clock: fixedClock(Date.UTC(2026, 6, 1, 2)),
        timeZone: 'America/Chicago',
      }),
    );
    bare.use(errorHandler);
    const res = await request(bare)
      .post(BULK)
      .set('Content-Type', NDJSON)
      .send(inputLine('a', '2024-01-01'));
    expect(recommendationOf(ndjsonOf(res.text)[0] as Parameters).date).toBe('2026-06-30');
  });
});

describe('with a pool of worker threads', () => {
  const pool = twoThreadPool();

  test('keeps the input order across threads and batches, bad lines included', async () => {
    let stats: PipelineStats | undefined;
    const pooled = express();
    pooled.use(
      fhirBulkRoutes({
        catalog,
        lineLimit: '1mb',
        executor: pool(),
        batchItems: 3,
        onFinished: (s) => (stats = s),
      }),
    );
    // Batches of 3 with very different costs (a 2-year-old's history vs. a refused line), so
    // threads finish out of order.
    const lines = Array.from({ length: 60 }, (_, i) =>
      i % 4 === 0
        ? JSON.stringify(twoYearOld()).replace('"id":"p1"', `"id":"t${i}"`)
        : i % 4 === 1
          ? cheapBadLine(i)
          : inputLine(`p${i}`, '2023-05-05'),
    );
    const res = await request(pooled)
      .post(`${BULK}?assessmentDate=2026-03-20`)
      .set('Content-Type', NDJSON)
      .send(lines.join('\n'));
    const out = ndjsonOf(res.text);
    expect(out.map((o) => patientOf(o) ?? o.id)).toEqual(
      lines.map((_, i) =>
        i % 4 === 0 ? `Patient/t${i}` : i % 4 === 1 ? `line-${i + 1}` : `Patient/p${i}`,
      ),
    );
    expect(stats).toMatchObject({ items: 60, batches: 20 });
    // Threads still compiling: seconds on a loaded 2-core host, like the other thread-pool tests.
  }, 60_000);
});

/** Posts to the bulk route over a socket and returns the answer's bytes as sent (not decompressed). */
function rawPost(
  port: number,
  body: string,
  acceptEncoding: string,
): Promise<{ headers: Record<string, string | string[] | undefined>; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `${BULK}?assessmentDate=2026-03-20`,
        headers: { 'Content-Type': NDJSON, 'Accept-Encoding': acceptEncoding },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ headers: res.headers, bytes: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('compressed answers (Accept-Encoding)', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  // 30 patients and two bad lines: the error lines travel compressed too.
  const lines = Array.from({ length: 32 }, (_, i) =>
    i === 5
      ? '{"resourceType":"Parameters", oops'
      : i === 20
        ? ''
        : inputLine(`z${i}`, `${2025 - i}-02-03`),
  );
  const body = `${lines.join('\n')}\n`;

  test.each([
    ['br', brotliDecompressSync],
    ['gzip', gunzipSync],
  ] as const)(
    '%s: the same lines as uncompressed, in far fewer bytes',
    async (codec, decompress) => {
      const plain = await rawPost(port, body, 'identity');
      expect(plain.headers['content-encoding']).toBeUndefined();
      const packed = await rawPost(port, body, codec);
      expect(packed.headers['content-encoding']).toBe(codec);
      expect(packed.headers['vary']).toMatch(/Accept-Encoding/);
      expect(decompress(packed.bytes).equals(plain.bytes)).toBe(true);
      const out = ndjsonOf(plain.bytes.toString());
      expect(out).toHaveLength(32);
      expect(out[5]).toMatchObject({ id: 'line-6' });
      expect(patientOf(out[31]!)).toBe('Patient/z31');
      expect(packed.bytes.length).toBeLessThan(plain.bytes.length / 5);
    },
    30_000,
  );

  test.each(['identity', 'br', 'gzip'])(
    'an internal error after some lines ends the %s answer with an exception line',
    async (accept) => {
      // An executor whose second batch fails, as a bug would.
      const inner = inProcessExecutor(catalog);
      let batches = 0;
      const failing: ForecastExecutor = {
        ...inner,
        run: (items, run) =>
          ++batches === 2 ? Promise.reject(new Error('boom')) : inner.run(items, run),
      };
      const broken = createApp({
        readiness: new Readiness(),
        catalog,
        metrics: createMetrics({ ruleSets: catalog.labels }),
        bulkExecutor: failing,
      }).listen(0, '127.0.0.1');
      await new Promise((resolve) => broken.once('listening', resolve));
      try {
        // 100 lines: the first batch of 64 is answered, the second fails.
        const res = await rawPost(
          (broken.address() as AddressInfo).port,
          Array.from({ length: 100 }, (_, i) => inputLine(`q${i}`, '2024-01-01')).join('\n'),
          accept,
        );
        const text =
          accept === 'br'
            ? brotliDecompressSync(res.bytes).toString()
            : accept === 'gzip'
              ? gunzipSync(res.bytes).toString()
              : res.bytes.toString();
        expect(res.headers['content-encoding']).toBe(accept === 'identity' ? undefined : accept);
        const out = ndjsonOf(text);
        expect(out).toHaveLength(65);
        expect(patientOf(out[63]!)).toBe('Patient/q63');
        expect(out[64]).toMatchObject({
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'fatal', code: 'exception' }],
        });
        expect(text).not.toContain('boom'); // no internals in the answer
      } finally {
        broken.closeAllConnections();
        await new Promise((resolve) => broken.close(resolve));
      }
    },
    30_000,
  );

  test.each([
    ['br, gzip', 'br'],
    ['gzip, deflate, br', 'gzip'], // on a tie, the first the client lists
    ['gzip;q=0.5, br', 'br'], // the client's q-values first
    ['gzip;q=1.0, br;q=0.5', 'gzip'],
    ['deflate', undefined], // not offered: identity
    ['identity', undefined],
  ])('Accept-Encoding %j is answered with %s', async (accept, codec) => {
    const res = await rawPost(port, `${inputLine('a', '2024-01-01')}\n`, accept);
    expect(res.headers['content-encoding']).toBe(codec);
  });
});
