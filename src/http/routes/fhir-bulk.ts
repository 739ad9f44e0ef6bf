/**
 * `POST /fhir/$immds-forecast-bulk`: many `$immds-forecast` inputs in one streamed request.
 *
 * - Request: `application/fhir+ndjson` (also `application/x-ndjson`, `application/ndjson`), one
 *   input Parameters per line. The body is streamed, never held whole: there is no limit on the
 *   body, only on each line (`BODY_LIMIT`); an over-long line is answered by number and skipped.
 * - Query: `assessmentDate` (YYYY-MM-DD; default today in `FORECAST_TIME_ZONE`) and
 *   `knowledgeBaseVersion` (default the service's default rule set), fixed for the whole request.
 *   A line may leave them out or repeat the same values; a line with other values is an error.
 *   Any other query parameter is refused (400), so a misspelt one cannot silently default.
 * - Response: `200`, `application/fhir+ndjson`, streamed: one line per input line, in input
 *   order — the output Parameters, or an OperationOutcome with `id` `line-N` whose diagnostics
 *   start `line N:` (with the FHIRPath of the element at fault when there is one). An empty
 *   input line is answered with such an error too, so output line N always answers input line
 *   N; a final newline does not make an extra line. Problems with the request itself (media
 *   types, query) are answered before streaming, with a 4xx OperationOutcome.
 * - Compression: the answer is ~60 kB of FHIR JSON per patient; when the client accepts it
 *   (`Accept-Encoding`), it is sent `Content-Encoding: br` or `gzip` (~45× / ~20× smaller;
 *   Brotli also costs the server less CPU than gzip, so a client that can should rank it first),
 *   flushed after every batch so that a client reading as it goes is not kept waiting
 *   (`src/bulk/compressed-batches.ts`).
 * - Backpressure both ways (see `src/bulk/pipeline.ts`): a bounded number of lines is in flight;
 *   when the client does not read the answer, the server stops reading the request.
 * - Where the work runs: the executor given (a worker-thread pool), else the request's own
 *   process, one batch per event-loop turn. With `WORKERS` > 1 every core already runs a cluster
 *   worker, so a second level of threads would only compete for the same cores: the pool is for
 *   a single-process deployment that should still use every core on one bulk stream.
 *
 * @packageDocumentation
 */
import { Router } from 'express';
import { parse as parseBytes } from 'bytes';
import type { Request, RequestHandler, Response } from 'express';
import type { ForecastCatalog } from '../../fhir/immds-forecast';
import { OperationOutcomeError, operationOutcome, outcomeIssue } from '../../fhir/outcome';
import { inProcessExecutor, type ForecastExecutor } from '../../bulk/executor';
import type { ItemResult } from '../../bulk/forecast-item';
import { ndjsonLines } from '../../bulk/ndjson-lines';
import { lineItems, runPipeline, type PipelineStats } from '../../bulk/pipeline';
import { CompressedBatches } from '../../bulk/compressed-batches';
import { chooseRun } from '../../bulk/run-settings';
import { writeChunks } from '../../bulk/write-chunks';
import { requireBodyType } from '../body-type';
import { systemClock, type Clock } from '../clock';
import type { ForecastSummary } from '../metrics';

/** FHIR's NDJSON media type (FHIR Bulk Data). */
export const FHIR_NDJSON = 'application/fhir+ndjson';
const NDJSON_TYPES = [FHIR_NDJSON, 'application/x-ndjson', 'application/ndjson'];

/** The paths of the bulk operation (the `$` may also arrive percent-encoded). */
export const FHIR_BULK_PATHS = ['/fhir/$immds-forecast-bulk', '/fhir/%24immds-forecast-bulk'];

const QUERY_NAMES = new Set(['assessmentDate', 'knowledgeBaseVersion']);

/** What the bulk route needs. */
export interface FhirBulkRouteDeps {
  readonly catalog: ForecastCatalog;
  /** Longest input line (bytes, or a size such as `'1mb'`): the service's `BODY_LIMIT`. */
  readonly lineLimit: number | string;
  /** Metrics hook: called with every forecast served (the single-patient route's counter). */
  readonly recordForecast?: ((result: ForecastSummary) => void) | undefined;
  /** Where forecasts run; default the request's own thread. */
  readonly executor?: ForecastExecutor | undefined;
  /** For the default assessment date (today in `timeZone`); default the system clock, UTC. */
  readonly clock?: Clock | undefined;
  readonly timeZone?: string | undefined;
  /** Batching (tests): lines per batch (default 64) and batches in flight. */
  readonly batchItems?: number;
  readonly window?: number;
  /** Called when a request is finished (tests, benchmarks: the pipeline's figures). */
  readonly onFinished?: (stats: PipelineStats) => void;
}

/** Bytes of a size given as a number or as `512kb` / `1mb` (parsed as express's body parsers do). */
function bytesOf(limit: number | string): number {
  const size = parseBytes(limit);
  if (size === null || size <= 0) {
    throw new Error(`Not a size: "${String(limit)}"`);
  }
  return size;
}

function badRequest(diagnostics: string): OperationOutcomeError {
  return new OperationOutcomeError(400, [outcomeIssue('error', 'invalid', diagnostics)]);
}

/** Checks media types before anything is read (406, 415, 400). */
const negotiate: RequestHandler = (req, _res, next) => {
  if (req.accepts(NDJSON_TYPES) === false) {
    throw new OperationOutcomeError(406, [
      outcomeIssue('error', 'not-supported', `This operation answers only ${FHIR_NDJSON}`),
    ]);
  }
  requireBodyType(req, NDJSON_TYPES, {
    missing: 'The request body must be NDJSON: one Parameters resource per line',
    unsupported: `Content-Type must be ${FHIR_NDJSON} (one Parameters resource per line)`,
  });
  next();
};

/**
 * The bulk forecast route.
 *
 * @param deps - Catalog, line limit, metrics hook, executor, clock.
 */
export function fhirBulkRoutes(deps: FhirBulkRouteDeps): Router {
  const router = Router();
  const lineLimit = bytesOf(deps.lineLimit);
  const clock = deps.clock ?? systemClock;
  const timeZone = deps.timeZone ?? 'UTC';
  const executor = deps.executor ?? inProcessExecutor(deps.catalog);

  const handler = async (req: Request, res: Response): Promise<void> => {
    const unknown = Object.keys(req.query).filter((k) => !QUERY_NAMES.has(k));
    if (unknown.length > 0) {
      throw badRequest(
        `Unknown query parameter ${unknown.map((k) => `"${k}"`).join(', ')}; this operation takes assessmentDate and knowledgeBaseVersion`,
      );
    }
    const single = (name: string): string | undefined => {
      const value: unknown = req.query[name];
      if (value !== undefined && typeof value !== 'string') {
        throw badRequest(`Query parameter ${name} must be given once`);
      }
      return value;
    };
    const choice = chooseRun(
      {
        assessmentDate: single('assessmentDate') ?? clock.today(timeZone).toString(),
        version: single('knowledgeBaseVersion'),
      },
      deps.catalog,
      {
        assessmentDate: 'Query parameter assessmentDate',
        version: 'Query parameter knowledgeBaseVersion',
      },
    );
    if (!choice.ok) {
      throw new OperationOutcomeError(
        400,
        choice.problems.map((p) =>
          outcomeIssue('error', p.includes('rule set') ? 'not-supported' : 'value', p),
        ),
      );
    }

    // The client's preference (its q-values; on a tie, the coding it lists first).
    const encoding = req.acceptsEncodings('br', 'gzip', 'identity');
    const codec = encoding === 'br' || encoding === 'gzip' ? encoding : undefined;
    res.status(200).type(FHIR_NDJSON).set('X-Rule-Set', choice.label).vary('Accept-Encoding');
    if (codec !== undefined) {
      res.set('Content-Encoding', codec);
    }
    res.flushHeaders();
    const compressed = codec === undefined ? undefined : new CompressedBatches(res, codec);
    /** Writes a batch's lines; resolves when the response can take more. */
    const write = (lines: readonly Uint8Array[], onWritten: () => void): Promise<void> =>
      compressed === undefined
        ? writeChunks(res, lines, onWritten)
        : compressed.write(lines, onWritten, true);
    /** Ends the answer (after `last`, if given). */
    const end = async (last?: string): Promise<void> => {
      if (compressed === undefined) {
        res.end(last);
        return;
      }
      if (last !== undefined) {
        await compressed.write([Buffer.from(last)]);
      }
      await compressed.end();
    };
    let crashed = 0;
    const sink = async (results: readonly ItemResult[]): Promise<void> => {
      const lines: Buffer[] = [];
      for (const r of results) {
        if (r.out !== undefined) {
          lines.push(r.out);
        }
        if (r.crashed === true) {
          crashed += 1;
        }
        if (r.groups !== undefined && deps.recordForecast !== undefined) {
          const vaccineGroups: { vaccineGroup: string; status: string }[] = [];
          for (let i = 0; i + 1 < r.groups.length; i += 2) {
            vaccineGroups.push({ vaccineGroup: r.groups[i] ?? '', status: r.groups[i + 1] ?? '' });
          }
          deps.recordForecast({ vaccineGroups });
        }
      }
      // The threads reuse the results' memory once the response has written them.
      await write(lines, () => {
        executor.recycle(results);
      });
    };
    // Whether reading the request failed (the upload was cut): the stopped run's last line
    // says so, instead of reporting an internal error.
    const upload = { failed: false };
    async function* uploaded(): AsyncGenerator<Buffer> {
      try {
        for await (const chunk of req) {
          yield chunk as Buffer;
        }
      } catch (err) {
        upload.failed = true;
        throw err;
      }
    }
    try {
      const stats = await runPipeline(lineItems(ndjsonLines(uploaded(), lineLimit), lineLimit), {
        executor,
        run: {
          assessmentDate: choice.assessmentDate,
          version: choice.version,
          output: 'parameters',
        },
        sink,
        ...(deps.batchItems === undefined ? {} : { batchItems: deps.batchItems }),
        ...(deps.window === undefined ? {} : { window: deps.window }),
      });
      deps.onFinished?.(stats);
      if (crashed > 0) {
        // A bug, answered per line as an `exception` outcome; the count only (no patient data).
        req.log.error({ lines: crashed }, 'bulk forecast: lines failed with an internal error');
      }
      await end();
    } catch (err) {
      if (res.destroyed || res.writableEnded) {
        return; // the client went away: nothing to tell it
      }
      // The status is sent already: the last line says the run stopped (no internals in it).
      req.log.error({ err }, 'bulk forecast stopped');
      // Not `req.destroyed`: a run that stops for another reason stops reading, which destroys
      // the request stream too, and was then misreported as a cut upload.
      const aborted = upload.failed;
      await end(
        `${JSON.stringify(
          operationOutcome([
            outcomeIssue(
              'fatal',
              aborted ? 'incomplete' : 'exception',
              aborted
                ? 'The request body ended before it was complete; the lines above are all that were answered'
                : 'Internal server error: the bulk forecast stopped; the lines above are all that were answered',
            ),
          ]),
        )}\n`,
      ).catch(() => {
        res.destroy(); // the answer cannot even be ended: cut it, so the client sees it broken
      });
    }
  };

  router
    .route([...FHIR_BULK_PATHS])
    .post(negotiate, handler)
    .all((_req, res) => {
      res.set('Allow', 'POST');
      throw new OperationOutcomeError(405, [
        outcomeIssue('error', 'not-supported', 'Method not allowed here; use POST'),
      ]);
    });
  return router;
}
