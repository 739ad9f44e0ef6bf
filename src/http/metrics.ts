/**
 * Prometheus metrics (prom-client), one registry per app instance (never prom-client's global
 * registry, so tests and several apps in one process do not collide).
 *
 * - `http_request_duration_seconds{method,route,status}` — histogram; `route` is the route
 *   pattern, never the raw URL;
 * - `cdsi_forecasts_total{vaccine_group,status}` — one per vaccine group of every forecast served;
 * - `cdsi_cds_feedback_total{service,outcome}` — CDS Hooks feedback outcomes;
 * - `cdsi_rule_set_info{rule_set,default}` — 1 per loaded rule set;
 * - prom-client's default process metrics (CPU, memory, event loop lag, GC), when enabled.
 *
 * In cluster mode (`WORKERS` > 1) a worker answering `GET /metrics` asks the primary, which
 * aggregates every worker's registry (prom-client `AggregatorRegistry`): counters and histograms
 * are summed, the rule-set info is taken from the first worker (see `src/server/cluster.ts`).
 *
 * @packageDocumentation
 */
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { routeOf } from './logging';

/** The part of a forecast the metrics look at (the engine's `ForecastResult` fits). */
export interface ForecastSummary {
  readonly vaccineGroups: readonly { readonly vaccineGroup: string; readonly status: string }[];
}

/** CDS Hooks feedback outcomes (CDS Hooks 2.0 §feedback `outcome`); anything else counts as `other`. */
export type CdsFeedbackOutcome = 'accepted' | 'overridden';

/** The metrics of one app instance, and the hooks handlers call. */
export interface AppMetrics {
  /** The registry holding this instance's metrics. */
  readonly registry: Registry;
  /** Counts one forecast: one increment per vaccine group, by group and status. */
  readonly recordForecast: (result: ForecastSummary) => void;
  /**
   * Counts one CDS Hooks feedback outcome.
   *
   * @param service - the CDS service id (a known id only: it is a label, keep it bounded)
   * @param outcome - `accepted` or `overridden`
   */
  readonly recordCdsFeedback: (service: string, outcome: string) => void;
  /** Records one finished HTTP request. */
  readonly observeRequest: (method: string, route: string, status: number, seconds: number) => void;
  /** The exposition text for `GET /metrics`. */
  readonly render: () => Promise<string>;
  /** Content type of {@link render}'s text. */
  readonly contentType: string;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** `ruleSetId@version` of every loaded rule set. */
  readonly ruleSets: readonly string[];
  /** Label of the default rule set. */
  readonly defaultRuleSet?: string | undefined;
  /** Collect prom-client's default process metrics (default false; `main.ts` turns them on). */
  readonly processMetrics?: boolean;
  /** Overrides {@link AppMetrics.render} (cluster workers ask the primary to aggregate). */
  readonly render?: (own: Registry) => Promise<string>;
}

/** Buckets (s) around the targets: p99 under 20 ms for a forecast. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * Builds the metrics of one app instance in a fresh registry.
 *
 * @param options - rule sets for the info gauge; process metrics on or off
 */
export function createMetrics(options: MetricsOptions): AppMetrics {
  const registry = new Registry();
  if (options.processMetrics === true) {
    collectDefaultMetrics({ register: registry });
  }
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route pattern, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  // Forecasts are counted in plain maps and handed to prom-client when scraped: a forecast
  // touches ~20 vaccine groups, and as many prom-client label look-ups per request cost more
  // (~25 µs) than these map updates.
  const forecastCounts = new Map<string, Map<string, number>>();
  new Counter({
    name: 'cdsi_forecasts_total',
    help: 'Vaccine-group forecasts served, by vaccine group and CDSi status',
    labelNames: ['vaccine_group', 'status'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [vaccineGroup, byStatus] of forecastCounts) {
        for (const [status, n] of byStatus) {
          this.inc({ vaccine_group: vaccineGroup, status }, n);
        }
      }
    },
  });
  const feedback = new Counter({
    name: 'cdsi_cds_feedback_total',
    help: 'CDS Hooks feedback received, by service and outcome',
    labelNames: ['service', 'outcome'] as const,
    registers: [registry],
  });
  const ruleSetInfo = new Gauge({
    name: 'cdsi_rule_set_info',
    help: 'Loaded CDSi rule sets (value 1); default="true" marks the default one',
    labelNames: ['rule_set', 'default'] as const,
    registers: [registry],
    aggregator: 'first',
  });
  for (const label of options.ruleSets) {
    ruleSetInfo.set({ rule_set: label, default: String(label === options.defaultRuleSet) }, 1);
  }

  const render = options.render;
  return {
    registry,
    contentType: registry.contentType,
    recordForecast: (result) => {
      for (const g of result.vaccineGroups) {
        let byStatus = forecastCounts.get(g.vaccineGroup);
        if (byStatus === undefined) {
          byStatus = new Map();
          forecastCounts.set(g.vaccineGroup, byStatus);
        }
        byStatus.set(g.status, (byStatus.get(g.status) ?? 0) + 1);
      }
    },
    recordCdsFeedback: (service, outcome) => {
      feedback.inc({
        service,
        outcome: outcome === 'accepted' || outcome === 'overridden' ? outcome : 'other',
      });
    },
    observeRequest: (method, route, status, seconds) => {
      duration.observe({ method, route, status: String(status) }, seconds);
    },
    render: () => (render === undefined ? registry.metrics() : render(registry)),
  };
}

/**
 * Middleware timing every request into the duration histogram, labelled with the route pattern.
 *
 * @param metrics - the app's metrics
 */
export function requestMetrics(metrics: AppMetrics): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.observeRequest(req.method, routeOf(req), res.statusCode, seconds);
    });
    next();
  };
}

/**
 * `GET /metrics` handler: Prometheus text exposition.
 *
 * @param metrics - the app's metrics
 */
export function metricsHandler(metrics: AppMetrics): RequestHandler {
  return async (_req, res) => {
    const text = await metrics.render();
    res.status(200).type(metrics.contentType).send(text);
  };
}
