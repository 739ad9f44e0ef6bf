import express from 'express';
import type { Express } from 'express';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import type { Readiness } from './readiness';
import { healthRoutes } from './routes/health';

/** What the HTTP layer needs from the loaded rule sets. */
export interface RuleSetCatalog {
  /** `ruleSetId@version` of every loaded rule set, e.g. `["cdc-cdsi@4.64"]`. */
  readonly labels: readonly string[];
}

/** Everything the app depends on; built by `main.ts`, or by a test with test doubles. */
export interface AppDeps {
  readonly readiness: Readiness;
  readonly ruleSets: RuleSetCatalog;
}

/**
 * Builds the Express app without listening, so tests drive it in-process with supertest.
 * Express is a thin shell: routes delegate to framework-free handlers.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(healthRoutes(deps.readiness, () => deps.ruleSets.labels));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
