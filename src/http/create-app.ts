import express from 'express';
import type { Express } from 'express';
import type { RuleCatalog } from '../rules/rule-catalog';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import type { Readiness } from './readiness';
import { fhirRoutes } from './routes/fhir';
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

  app.use(healthRoutes(deps.readiness, () => deps.catalog.labels));
  app.use(fhirRoutes({ catalog: deps.catalog, bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT }));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
