import { Router } from 'express';
import type { Readiness } from '../readiness';

/**
 * `GET /healthz` — the process is alive (liveness probe).
 * `GET /readyz` — the service can take traffic: rule tables loaded and valid, not draining.
 */
export function healthRoutes(readiness: Readiness, ruleSetLabels: () => readonly string[]): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const state = readiness.state;
    res.status(state === 'ready' ? 200 : 503).json({ status: state, ruleSets: ruleSetLabels() });
  });
  return router;
}
