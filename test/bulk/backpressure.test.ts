/**
 * Streaming with backpressure over a real socket: a 100 000-line request is answered line by
 * line with a bounded number of lines in flight, and a client that stops reading the answer makes
 * the server stop reading the request (it must not buffer the rest of the upload or of the
 * answer). Most lines are ones the handler refuses quickly, so the test stays fast; every tenth
 * thousand is a real patient.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import express from 'express';
import { inProcessExecutor } from '../../src/bulk/executor';
import type { PipelineStats } from '../../src/bulk/pipeline';
import { errorHandler } from '../../src/http/middleware/error-handler';
import { fhirBulkRoutes } from '../../src/http/routes/fhir-bulk';
import { committedCatalog } from '../fhir/builders';
import { cheapBadLine, inputLine } from './support';
import { createServer, type Server } from 'node:http';

const catalog = committedCatalog();
const BATCH = 32;
const WINDOW = 2;
let finished: PipelineStats[] = [];
let server: Server;
let port: number;

beforeAll(async () => {
  const app = express();
  app.use(
    fhirBulkRoutes({
      catalog,
      lineLimit: '1mb',
      executor: inProcessExecutor(catalog),
      batchItems: BATCH,
      window: WINDOW,
      onFinished: (s) => finished.push(s),
    }),
  );
  app.use(errorHandler);
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  finished = [];
});

/** A lazily generated body of `count` lines; `sent()` says how many the server has pulled. */
function body(count: number) {
  let produced = 0;
  const stream = Readable.from(
    (function* () {
      for (let i = 1; i <= count; i++) {
        produced = i;
        yield `${i % 10_000 === 0 ? inputLine(`p${i}`, '2024-01-01') : cheapBadLine(i)}\n`;
      }
    })(),
    { objectMode: false, highWaterMark: 1 },
  );
  return { stream, produced: () => produced };
}

function post(stream: Readable): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/fhir/$immds-forecast-bulk?assessmentDate=2026-03-20',
      headers: { 'Content-Type': 'application/fhir+ndjson' },
    });
    req.on('response', resolve);
    req.on('error', reject);
    stream.pipe(req);
  });
}

/** Reads an answer line by line, checking each answers its input line in order. */
async function readAll(res: IncomingMessage, from = 1): Promise<number> {
  let expected = from;
  let rest = '';
  for await (const chunk of res as AsyncIterable<Buffer>) {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      const id = (JSON.parse(line) as { id?: string; parameter?: unknown[] }).id;
      expect(id ?? `patient line ${expected}`).toBe(
        expected % 10_000 === 0 ? `patient line ${expected}` : `line-${expected}`,
      );
      expected += 1;
    }
  }
  expect(rest).toBe('');
  return expected - from;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a 100 000-line stream is answered in order with a bounded number of lines in flight', async () => {
  const { stream } = body(100_000);
  const res = await post(stream);
  expect(res.statusCode).toBe(200);
  expect(await readAll(res)).toBe(100_000);
  expect(finished).toHaveLength(1);
  expect(finished[0]!.items).toBe(100_000);
  // At most WINDOW batches sent and not yet written: never the whole stream.
  expect(finished[0]!.maxItemsInFlight).toBeLessThanOrEqual(WINDOW * BATCH);
}, 60_000);

test('a client that stops reading the answer makes the server stop reading the request', async () => {
  const total = 160_000; // ~21 MB of input, ~40 MB of answers
  const { stream, produced } = body(total);
  const res = await post(stream);
  res.pause();
  // Wait until the server has stopped pulling: no progress for 2 s (at most 60 s).
  let last = -1;
  let still = 0;
  for (let waited = 0; still < 2000 && waited < 60_000; waited += 250) {
    await sleep(250);
    still = produced() === last ? still + 250 : 0;
    last = produced();
  }
  const stalledAt = produced();
  await sleep(1000);
  expect(produced()).toBe(stalledAt); // stopped, not just slow
  // What was pulled is what the socket buffers (a few MB each way, set by the kernel) and the
  // bounded window hold: far from the whole upload.
  expect(stalledAt).toBeLessThan(total / 2);
  expect(finished).toHaveLength(0);
  // The client reads again: everything arrives, in order.
  res.resume();
  expect(await readAll(res)).toBe(total);
  expect(finished[0]!.maxItemsInFlight).toBeLessThanOrEqual(WINDOW * BATCH);
}, 120_000);

test('a client that goes away mid-stream stops the run; the server carries on', async () => {
  const { stream, produced } = body(200_000);
  const res = await post(stream);
  // Read a little of the answer, then cut the connection.
  await new Promise<void>((resolve) => {
    res.once('data', () => {
      resolve();
    });
  });
  res.destroy();
  stream.destroy();
  await sleep(500);
  const after = produced();
  await sleep(500);
  expect(produced()).toBe(after); // nothing more is pulled
  expect(after).toBeLessThan(200_000);
  expect(finished).toHaveLength(0); // the run did not "finish"
  // The next request is served normally.
  const next = body(3);
  const ok = await post(next.stream);
  expect(await readAll(ok)).toBe(3);
  expect(finished).toHaveLength(1);
}, 30_000);
