import express from 'express';
import type { Express } from 'express';
import type { RuleCatalog } from '../rules/rule-catalog';
import { requestLogging, silentLogger, type Logger } from './logging';
import { createMetrics, metricsHandler, requestMetrics, type AppMetrics } from './metrics';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { securityHeaders } from './middleware/security-headers';
import type { Readiness } from './readiness';
import { systemClock } from './clock';
import { createCdsTokenVerifier } from './middleware/cds-jwt';
import { explorerRoutes } from '../explorer/explorer-routes';
import { cdsRoutes, type CdsDeps } from './routes/cds-services';
import { fhirRoutes } from './routes/fhir';
import { fhirBulkRoutes } from './routes/fhir-bulk';
import type { ForecastExecutor } from '../bulk/executor';
import { healthRoutes } from './routes/health';

/** Default largest request body: 1 MB, far above a lifetime of immunizations. */
export const DEFAULT_BODY_LIMIT = '1mb';

/** Everything the app depends on; built by `main.ts`, or by a test. */
export interface AppDeps {
  readonly readiness: Readiness;
  /** The loaded, validated rule sets and code tables (`loadRuleCatalog`). */
  readonly catalog: RuleCatalog;
  /** Largest request body accepted, in bytes or as `'1mb'`; default {@link DEFAULT_BODY_LIMIT}. */
  readonly bodyLimit?: number | string;
  /** Request and error logger; default silent (tests pass one writing to a collecting stream). */
  readonly logger?: Logger;
  /** Metrics (and the `recordForecast`/`recordCdsFeedback` hooks); default a fresh registry. */
  readonly metrics?: AppMetrics;
  /**
   * CDS Hooks configuration (auth, public base URL, time zone, clock, FHIR access). Absent: the
   * CDS routes still answer discovery, and refuse every call with 401 (no trusted issuer).
   */
  readonly cds?: CdsDeps;
  /** Where `$immds-forecast-bulk` forecasts run (a worker-thread pool); default the request's thread. */
  readonly bulkExecutor?: ForecastExecutor;
}

/** The CDS configuration when none is given: every call refused (no issuer is trusted). */
function refuseAllCds(): CdsDeps {
  return {
    auth: createCdsTokenVerifier({ issuers: [], nowSeconds: () => systemClock.nowSeconds() }),
    publicBaseUrl: 'http://localhost',
    timeZone: 'UTC',
    clock: systemClock,
  };
}

/**
 * Builds the Express app without listening, so tests drive it in-process with supertest.
 * Express is a thin shell: routes delegate to framework-free handlers.
 *
 * @param deps - The app's dependencies.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const metrics =
    deps.metrics ??
    createMetrics({
      ruleSets: deps.catalog.labels,
      defaultRuleSet: deps.catalog.labels.find((l) =>
        l.endsWith(`@${deps.catalog.defaultVersion}`),
      ),
    });

  app.use(requestLogging(deps.logger ?? silentLogger()));
  app.use(requestMetrics(metrics));
  app.use(securityHeaders());
  app.get('/metrics', metricsHandler(metrics));
  app.use(healthRoutes(deps.readiness, () => deps.catalog.labels));
  app.use(
    fhirRoutes({
      catalog: deps.catalog,
      bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
      recordForecast: metrics.recordForecast,
    }),
  );
  app.use(
    fhirBulkRoutes({
      catalog: deps.catalog,
      lineLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
      recordForecast: metrics.recordForecast,
      executor: deps.bulkExecutor,
      clock: deps.cds?.clock,
      timeZone: deps.cds?.timeZone,
    }),
  );
  app.use(
    cdsRoutes({
      cds: deps.cds ?? refuseAllCds(),
      catalog: deps.catalog,
      bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
      recordFeedback: (service, outcome) => {
        metrics.recordCdsFeedback(service, outcome);
      },
    }),
  );
  app.use(explorerRoutes({ catalog: deps.catalog }));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
