/**
 * CDS Hooks 2.0.1 endpoints. Thin: CORS, authentication, body parsing and logging here;
 * everything else in the framework-free handlers of `src/cds-hooks/`.
 * - `GET /cds-services` — discovery, no JWT (EHRs call it unauthenticated);
 * - `POST /cds-services/{id}` — a hook call (JWT with `aud` = this exact URL);
 * - `POST /cds-services/{id}/feedback` — feedback (JWT with `aud` = the feedback URL);
 * - `OPTIONS` on all three — CORS preflight, answered without a JWT.
 *
 * Logs carry service, hook, hookInstance, counts and prefetch key names — never patient data,
 * tokens or feedback comments.
 */
import { randomUUID } from 'node:crypto';
import express, { Router } from 'express';
import type { RequestHandler } from 'express';
import { readFeedback } from '../../cds-hooks/feedback';
import { handleHookCall } from '../../cds-hooks/immunization-forecast-service';
import type { FhirReader } from '../../cds-hooks/prefetch';
import { DISCOVERY, isServiceId } from '../../cds-hooks/services';
import type { ForecastCatalog } from '../../fhir/to-engine';
import { OperationOutcomeError, outcomeIssue } from '../../fhir/outcome';
import type { Clock } from '../clock';
import { createFhirReader } from '../fhir-reader';
import { requireCdsJwt, type CdsAuth, type CdsLog } from '../middleware/cds-jwt';
import { sendJson } from '../send-json';

/** Default time allowed for all FHIR access of one hook call. */
export const DEFAULT_FHIR_TIMEOUT_MS = 10_000;

/** The CDS Hooks configuration of the app (`AppDeps.cds`). */
export interface CdsDeps {
  /** A JWT verifier (`createCdsTokenVerifier`), or `'disabled'` for local trials only. */
  readonly auth: CdsAuth;
  /** The service's public base URL, e.g. `https://cds.example.org` (JWT `aud`, card links). */
  readonly publicBaseUrl: string;
  /** IANA time zone whose "today" is the assessment date, e.g. `America/New_York`. */
  readonly timeZone: string;
  readonly clock: Clock;
  /** FHIR access for missing prefetch; default fhir-kit-client (`createFhirReader()`). */
  readonly fhirReader?: FhirReader;
  /** Time allowed for all FHIR access of one call; default {@link DEFAULT_FHIR_TIMEOUT_MS}. */
  readonly fhirTimeoutMs?: number;
  /** Origins allowed by CORS; default `*` (the JWT, not cookies, authenticates). */
  readonly corsOrigins?: readonly string[];
  /** Card and suggestion ids; default `crypto.randomUUID`. */
  readonly newId?: () => string;
}

/** What the CDS routes need from the app. */
export interface CdsRouteDeps {
  readonly cds: CdsDeps;
  readonly catalog: ForecastCatalog;
  readonly bodyLimit: number | string;
  /** Counts a feedback outcome (the app's metrics). */
  readonly recordFeedback: (service: string, outcome: string) => void;
}

/** CORS per CDS Hooks (digest B10): every response, and preflight answered without a JWT. */
function cors(origins: readonly string[] | undefined): RequestHandler {
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origins === undefined) {
      res.set('Access-Control-Allow-Origin', '*');
    } else if (origin !== undefined && origins.includes(origin)) {
      res.set('Access-Control-Allow-Origin', origin);
      res.vary('Origin');
    } else {
      res.vary('Origin');
    }
    res.set('Access-Control-Expose-Headers', 'WWW-Authenticate');
    if (req.method === 'OPTIONS') {
      res
        .set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS')
        .set('Access-Control-Allow-Headers', 'Authorization, Content-Type')
        .set('Access-Control-Max-Age', '600')
        .status(204)
        .end();
      return;
    }
    next();
  };
}

/** The `{id}` path parameter. */
function idOf(req: Parameters<RequestHandler>[0]): string {
  const id: unknown = req.params['id'];
  return typeof id === 'string' ? id : '';
}

/** 404 for an id that is not one of our services. */
const knownService: RequestHandler = (req, _res, next) => {
  if (!isServiceId(idOf(req))) {
    throw new OperationOutcomeError(404, [
      outcomeIssue('error', 'not-found', 'No CDS service with this id; see GET /cds-services'),
    ]);
  }
  next();
};

/**
 * The CDS Hooks routes.
 *
 * @param deps - CDS configuration, rule sets, body limit, feedback counter.
 */
export function cdsRoutes(deps: CdsRouteDeps): Router {
  const { cds } = deps;
  const router = Router();
  const reader = cds.fhirReader ?? createFhirReader();
  const newId = cds.newId ?? randomUUID;
  const base = cds.publicBaseUrl.replace(/\/+$/, '');
  const jsonBody = express.json({
    type: ['application/json', 'application/*+json'],
    limit: deps.bodyLimit,
    strict: true,
  });
  // Through the request's logger (req.log, see ../logging.ts), so every line carries the request id.
  const log: CdsLog = (entry, req) => {
    req.log.warn(entry, typeof entry['msg'] === 'string' ? entry['msg'] : 'cds');
  };
  const serviceUrl = (id: string): string => `${base}/cds-services/${encodeURIComponent(id)}`;

  router.use('/cds-services', cors(cds.corsOrigins));

  router.get('/cds-services', (_req, res) => {
    res.status(200).json(DISCOVERY);
  });

  router.post(
    '/cds-services/:id',
    knownService,
    requireCdsJwt(cds.auth, (req) => serviceUrl(idOf(req)), log),
    jsonBody,
    async (req, res) => {
      const id = idOf(req);
      if (!isServiceId(id)) {
        return;
      }
      const result = await handleHookCall(id, req.body as unknown, {
        catalog: deps.catalog,
        reader,
        fhirTimeoutMs: cds.fhirTimeoutMs ?? DEFAULT_FHIR_TIMEOUT_MS,
        publicBaseUrl: base,
        today: cds.clock.today(cds.timeZone),
        newId,
      });
      req.log.info(
        {
          service: id,
          hook: result.hook,
          cards: result.response.cards.length,
          fetched: result.fetched,
          missing: result.missing,
        },
        'cds hook call',
      );
      sendJson(res, 200, 'application/json', result.response);
    },
  );

  router.post(
    '/cds-services/:id/feedback',
    knownService,
    requireCdsJwt(cds.auth, (req) => `${serviceUrl(idOf(req))}/feedback`, log),
    jsonBody,
    (req, res) => {
      const id = idOf(req);
      const feedback = readFeedback(req.body as unknown);
      for (const f of feedback) {
        deps.recordFeedback(id, f.outcome);
        req.log.info(
          {
            service: id,
            card: f.card,
            outcome: f.outcome,
            acceptedSuggestions: f.acceptedSuggestions?.length ?? 0,
            overrideReason: f.overrideReason?.reason?.code,
          },
          'cds feedback',
        );
      }
      res.status(200).json({});
    },
  );

  return router;
}
