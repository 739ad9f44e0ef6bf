/**
 * Structured JSON logs (pino) and the request log (pino-http).
 *
 * Privacy rule: a request log line carries the method, the route *pattern*, the status, the
 * duration, the request id and the rule-set label — never a body, a raw URL or query string, or
 * a header. Patient names, identifiers, birth dates, addresses and CDS Hooks `patientId`s arrive
 * only in bodies (and, for a FHIR read, in URLs), so they cannot reach the log through this module.
 * Code that logs on its own must keep to the same rule.
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { LogLevel } from '../config';

export type { Logger } from 'pino';

/** Response header (and log field `requestId`) carrying the request id. */
export const REQUEST_ID_HEADER = 'X-Request-Id';
/** An incoming `X-Request-Id` is reused only when it looks like an id (no spaces, no markup). */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Routes logged at `debug` rather than `info`: probes and scrapes every few seconds are noise. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** Label used for requests that matched no route (the raw path is never logged). */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * Builds the service logger: JSON lines, ISO timestamps, no pid/hostname noise.
 *
 * @param options - `level`, and `destination` (default stdout); tests pass a stream that collects lines.
 */
export function createLogger(options: {
  readonly level: LogLevel;
  readonly destination?: DestinationStream;
  /** Fields on every line (e.g. `{ worker: 2 }`). */
  readonly base?: Record<string, unknown>;
}): Logger {
  return pino(
    {
      level: options.level,
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that discards everything (the default of `createApp`, so tests stay quiet). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * The route pattern a request matched (`/fhir/$immds-forecast`, `/cds-services/:id`), for logs and
 * metrics labels; never the raw URL. Routers must be mounted at the root with full paths (all of
 * ours are) or the mount prefix is lost.
 *
 * @param req - the request, after routing
 */
export function routeOf(req: IncomingMessage): string {
  const route = (req as Partial<Pick<Request, 'route' | 'baseUrl'>>).route as
    { path?: unknown } | undefined;
  const path: unknown = route?.path;
  const first: unknown = Array.isArray(path) ? path[0] : path;
  if (typeof first !== 'string') {
    return UNMATCHED_ROUTE;
  }
  return `${(req as Partial<Request>).baseUrl ?? ''}${first}`;
}

/**
 * The request id: a sane incoming `X-Request-Id` (so a trace crosses services), else a fresh UUID.
 * Sets the response header.
 */
function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id =
    typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** The one request-log line's fields: nothing from the body, URL or headers. */
function requestFields(req: IncomingMessage, res: ServerResponse, durationMs: unknown) {
  const ruleSet = res.getHeader('X-Rule-Set');
  return {
    method: req.method,
    route: routeOf(req),
    status: res.statusCode,
    durationMs,
    ...(typeof ruleSet === 'string' ? { ruleSet } : {}),
  };
}

/**
 * Request logging middleware: assigns the request id (header `X-Request-Id`), gives the request a
 * child logger `req.log` whose every line carries `requestId`, and logs one line per finished
 * request (`request completed`, or `request failed` at `error` for a 5xx).
 *
 * @param logger - the service logger
 */
export function requestLogging(logger: Logger): RequestHandler {
  const middleware = pinoHttp({
    logger,
    genReqId: requestIdOf,
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    // Only used if someone logs `{ req }` or `{ res }` themselves: keep those safe too.
    serializers: {
      req: (req: { method?: string }) => ({ method: req.method }),
      res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
    },
    customLogLevel: (req, res, err) => {
      if (err !== undefined || res.statusCode >= 500) {
        return 'error';
      }
      return QUIET_ROUTES.has(routeOf(req)) ? 'debug' : 'info';
    },
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    customSuccessObject: (req, res, val: { responseTime?: unknown }) =>
      requestFields(req, res, val.responseTime),
    customErrorObject: (req, res, _err, val: { responseTime?: unknown }) =>
      requestFields(req, res, val.responseTime),
  });
  return (req, res, next) => {
    middleware(req, res, next);
  };
}
