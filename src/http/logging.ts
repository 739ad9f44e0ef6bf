/**
 * Structured JSON logs (pino) and the request log.
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
import type { LogLevel } from '../config';

export type { Logger } from 'pino';

declare module 'http' {
  interface IncomingMessage {
    /** The request id (also in the `X-Request-Id` header and on every log line of the request). */
    id: string;
    /** A logger whose every line carries the request's `requestId`. */
    log: Logger;
  }
}

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
  /**
   * Write each line with its own synchronous write (default false). Needed when several
   * processes share stdout (cluster mode): one write per line of less than 4 kB is atomic on a
   * pipe, while the asynchronous writer joins lines into larger writes that could interleave
   * with another process's.
   */
  readonly sync?: boolean;
}): Logger {
  return pino(
    {
      level: options.level,
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    // Asynchronous by default: a request never waits for stdout (a slow log reader would
    // otherwise stall the event loop on a full pipe), and lines written meanwhile go out in one
    // write. pino flushes what is left synchronously when the process exits.
    options.destination ?? pino.destination({ dest: 1, sync: options.sync ?? false }),
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

const BASE_LOGGER = Symbol('baseLogger');
const REQUEST_LOGGER = Symbol('requestLogger');

interface LazyLog {
  [BASE_LOGGER]?: Logger;
  [REQUEST_LOGGER]?: Logger;
  readonly id: string;
}

/**
 * Defines `log` once on the requests' prototype (Express's per-app request object): the child
 * logger carrying the request id is built on first use only — most requests never log but the
 * request line — and defining an accessor on every request object was measurable under load.
 */
function installLogGetter(proto: object): void {
  if (Object.prototype.hasOwnProperty.call(proto, 'log')) {
    return;
  }
  Object.defineProperty(proto, 'log', {
    configurable: true,
    get(this: LazyLog): Logger | undefined {
      const base = this[BASE_LOGGER];
      if (base === undefined) {
        return undefined;
      }
      let child = this[REQUEST_LOGGER];
      if (child === undefined) {
        child = base.child({ requestId: this.id });
        this[REQUEST_LOGGER] = child;
      }
      return child;
    },
    set(this: LazyLog, value: Logger) {
      this[REQUEST_LOGGER] = value;
    },
  });
}

/**
 * Request logging middleware: assigns the request id (header `X-Request-Id`), gives the request a
 * child logger `req.log` whose every line carries `requestId`, and logs one line per request when
 * the answer is sent: `request completed` (at `debug` for probes and scrapes, else `info`),
 * `request failed` at `error` for a 5xx, or `request aborted` at `warn` when the connection
 * closed before the answer was sent. The line holds `requestId`, method, route pattern, status,
 * `durationMs` and the rule set — nothing from the body, URL or headers.
 *
 * Hand-written rather than pino-http: pino-http built two child loggers and serialised the
 * request on every request, ~25 % of the CPU time of a `/healthz` answer. Here `req.log` is
 * created only when a handler logs.
 *
 * @param logger - the service logger
 */
export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const start = performance.now();
    const id = requestIdOf(req, res);
    req.id = id;
    const lazy = req as LazyLog;
    lazy[BASE_LOGGER] = logger;
    installLogGetter(Object.getPrototypeOf(req) as object);
    // One listener: a response emits 'close' after 'finish', or alone when the connection broke.
    res.once('close', () => {
      const status = res.statusCode;
      const route = routeOf(req);
      let level: 'warn' | 'error' | 'debug' | 'info';
      let msg = 'request completed';
      if (!res.writableFinished) {
        level = 'warn';
        msg = 'request aborted';
      } else if (status >= 500) {
        level = 'error';
        msg = 'request failed';
      } else {
        level = QUIET_ROUTES.has(route) ? 'debug' : 'info';
      }
      if (!logger.isLevelEnabled(level)) {
        return;
      }
      const ruleSet = res.getHeader('X-Rule-Set');
      logger[level](
        {
          requestId: id,
          method: req.method,
          route,
          status,
          durationMs: Math.round((performance.now() - start) * 10) / 10,
          ...(typeof ruleSet === 'string' ? { ruleSet } : {}),
        },
        msg,
      );
    });
    next();
  };
}
