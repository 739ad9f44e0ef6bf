import express, { Router } from 'express';
import type { Request, RequestHandler, Response } from 'express';
import type { Resource } from 'fhir/r4';
import {
  CAPABILITY_STATEMENT,
  IMMDS_FORECAST_OPERATION,
  immdsForecastOutput,
  parametersJson,
  type ForecastCatalog,
} from '../../fhir/immds-forecast';
import { OperationOutcomeError, outcomeIssue, statusOf } from '../../fhir/outcome';
import type { ForecastSummary } from '../metrics';
import { requireBodyType } from '../body-type';
import { sendAsciiJson, sendJson } from '../send-json';

/** The FHIR JSON media type; `application/json` is accepted and answered too. */
export const FHIR_JSON = 'application/fhir+json';
const MEDIA_TYPES = [FHIR_JSON, 'application/json'];

/** The paths of the FHIR endpoints (the `$` may also arrive percent-encoded). */
export const FHIR_PATHS = {
  metadata: '/fhir/metadata',
  operationDefinition: '/fhir/OperationDefinition/immds-forecast',
  forecast: ['/fhir/$immds-forecast', '/fhir/%24immds-forecast'],
} as const;

/** What the FHIR routes need. */
export interface FhirRouteDeps {
  readonly catalog: ForecastCatalog;
  /** Largest request body accepted (bytes, or a size such as `'1mb'`). */
  readonly bodyLimit: number | string;
  /** Metrics hook: called with every forecast served (default: none). */
  readonly recordForecast?: (result: ForecastSummary) => void;
}

/**
 * The media type to answer with: `_format` (json, application/json, application/fhir+json) if
 * given, else the best of `Accept` (FHIR JSON when the client accepts anything).
 *
 * @throws OperationOutcomeError 406 when the client accepts neither JSON type (e.g. XML).
 */
function responseType(req: Request): string {
  const format = req.query['_format'];
  if (typeof format === 'string') {
    if (format === 'json' || format === FHIR_JSON) {
      return FHIR_JSON;
    }
    if (format === 'application/json') {
      return 'application/json';
    }
  } else {
    const accepted = req.accepts(MEDIA_TYPES);
    if (typeof accepted === 'string') {
      return accepted;
    }
  }
  throw new OperationOutcomeError(406, [
    outcomeIssue(
      'error',
      'not-supported',
      'This server answers only application/fhir+json or application/json',
    ),
  ]);
}

function send(req: Request, res: Response, status: number, resource: Resource): void {
  sendJson(res, status, responseType(req), resource);
}

/** Rejects, before parsing, a body that is not FHIR JSON or plain JSON (415) or is missing (400). */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  responseType(req);
  requireBodyType(req, MEDIA_TYPES, {
    missing: 'The request body must be a FHIR Parameters resource',
    unsupported: 'Content-Type must be application/fhir+json or application/json',
  });
  next();
};

function methodNotAllowed(allow: string): RequestHandler {
  return (_req, res) => {
    res.set('Allow', allow);
    throw new OperationOutcomeError(405, [
      outcomeIssue('error', 'not-supported', `Method not allowed here; use ${allow}`),
    ]);
  };
}

/**
 * The FHIR endpoints. Thin: parsing and content negotiation here, everything else in the
 * framework-free handler (`src/fhir/immds-forecast.ts`).
 * - `GET /fhir/metadata` — CapabilityStatement naming the operation;
 * - `GET /fhir/OperationDefinition/immds-forecast` — our OperationDefinition;
 * - `POST /fhir/$immds-forecast` — the operation (header `X-Rule-Set: ruleSetId@version`).
 *
 * @param deps - The rule catalog and the body limit.
 */
export function fhirRoutes(deps: FhirRouteDeps): Router {
  const router = Router();
  const jsonBody = express.json({ type: MEDIA_TYPES, limit: deps.bodyLimit, strict: true });

  router
    .route(FHIR_PATHS.metadata)
    .get((req, res) => {
      send(req, res, 200, CAPABILITY_STATEMENT);
    })
    .all(methodNotAllowed('GET'));

  router
    .route(FHIR_PATHS.operationDefinition)
    .get((req, res) => {
      send(req, res, 200, IMMDS_FORECAST_OPERATION);
    })
    .all(methodNotAllowed('GET'));

  router
    .route([...FHIR_PATHS.forecast])
    .post(requireJsonBody, jsonBody, (req, res) => {
      const [outcome, output] = immdsForecastOutput(req.body as unknown, deps);
      if (output === undefined) {
        send(req, res, statusOf(outcome), outcome);
        return;
      }
      deps.recordForecast?.(output);
      res.set('X-Rule-Set', output.ruleSet);
      sendAsciiJson(res, 200, responseType(req), parametersJson(output));
    })
    .all(methodNotAllowed('POST'));

  return router;
}
