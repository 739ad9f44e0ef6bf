/**
 * Multi-core: with `WORKERS` > 1 the primary process forks that many workers (node:cluster);
 * each worker loads the rules and serves on the shared port (the primary hands out connections
 * round-robin). The primary serves nothing itself.
 *
 * - Start-up: the primary logs `listening` once every worker is ready. A worker that exits before
 *   it is ready (invalid rules, port in use…) stops the whole service with exit code 1.
 * - A worker that dies later is replaced (at most {@link MAX_RESTARTS} times a minute).
 * - Shutdown: SIGTERM/SIGINT on the primary is forwarded to every worker, which drains like a
 *   single process does; the primary exits when all workers have exited — 0 if they all
 *   exited 0 — or kills them at the grace deadline (+2 s) and exits 1.
 * - Metrics: a worker asked for `GET /metrics` asks the primary, which aggregates every worker's
 *   registry (prom-client `AggregatorRegistry`), so a scrape sees the whole service.
 *
 * @packageDocumentation
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Logger } from '../http/logging';

/** Messages between the primary and its workers. */
export type ClusterMessage =
  | {
      readonly cdsi: 'ready';
      readonly port: number;
      readonly ruleSets: readonly string[];
      readonly defaultRuleSet: string;
      readonly startupMs: number;
    }
  | { readonly cdsi: 'metrics-request'; readonly id: number }
  | { readonly cdsi: 'metrics-response'; readonly id: number; readonly text?: string };

const MAX_RESTARTS = 5;

function isMessage(value: unknown): value is ClusterMessage {
  return typeof value === 'object' && value !== null && 'cdsi' in value;
}

/** Options of {@link runPrimary}. */
export interface PrimaryOptions {
  readonly workers: number;
  readonly shutdownGraceMs: number;
  readonly logger: Logger;
  /** Called instead of `process.exit` (tests). */
  readonly exit?: (code: number) => void;
}

/**
 * Runs the cluster primary: forks the workers, supervises them, forwards shutdown signals.
 *
 * @param options - worker count, grace period, logger
 */
export function runPrimary(options: PrimaryOptions): void {
  const { logger } = options;
  const exit =
    options.exit ??
    ((code: number) => {
      logger.flush();
      process.exit(code);
    });
  const aggregator = new AggregatorRegistry();
  const ready = new Set<number>();
  const exitCodes: number[] = [];
  let stopping = false;
  let listening = false;
  let startupFailed = false;
  const restarts: number[] = [];

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (!isMessage(message)) {
        return;
      }
      if (message.cdsi === 'ready') {
        ready.add(worker.id);
        if (!listening && ready.size === options.workers) {
          listening = true;
          logger.info(
            {
              port: message.port,
              workers: options.workers,
              ruleSets: message.ruleSets,
              defaultRuleSet: message.defaultRuleSet,
              startupMs: message.startupMs,
            },
            'listening',
          );
        }
      } else if (message.cdsi === 'metrics-request') {
        aggregator.clusterMetrics().then(
          (text) => worker.send({ cdsi: 'metrics-response', id: message.id, text }),
          (err: unknown) => {
            logger.error({ err }, 'metrics aggregation failed');
            worker.send({ cdsi: 'metrics-response', id: message.id });
          },
        );
      }
    });
    return worker;
  };

  const living = (): Worker[] =>
    Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

  const stop = (reason: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ reason, workers: living().length }, 'shutting down');
    for (const worker of living()) {
      worker.process.kill('SIGTERM');
    }
    setTimeout(() => {
      logger.error('workers did not stop within the grace period; killing them');
      for (const worker of living()) {
        worker.process.kill('SIGKILL');
      }
      exit(1);
    }, options.shutdownGraceMs + 2000).unref();
  };

  cluster.on('exit', (worker, code, signal) => {
    const wasReady = ready.delete(worker.id);
    exitCodes.push(code);
    if (!stopping && !wasReady) {
      startupFailed = true;
      logger.error({ worker: worker.id, code, signal }, 'a worker failed to start');
      stop('worker start-up failure');
    } else if (!stopping) {
      const t = Date.now();
      restarts.push(t);
      while (restarts.length > 0 && (restarts[0] ?? t) < t - 60_000) {
        restarts.shift();
      }
      if (restarts.length > MAX_RESTARTS) {
        logger.error({ worker: worker.id, code, signal }, 'workers keep dying; stopping');
        startupFailed = true;
        stop('too many worker restarts');
      } else {
        logger.error({ worker: worker.id, code, signal }, 'a worker died; starting a new one');
        fork();
      }
    }
    if (stopping && living().length === 0) {
      const clean = !startupFailed && exitCodes.slice(-options.workers).every((c) => c === 0);
      logger.info({ clean }, 'stopped');
      exit(clean ? 0 : 1);
    }
  });

  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
  process.on('SIGINT', () => {
    stop('SIGINT');
  });

  for (let i = 0; i < options.workers; i += 1) {
    fork();
  }
}

/**
 * Worker side: tells the primary this worker is ready.
 *
 * @param message - the `ready` message
 */
export function notifyReady(message: Extract<ClusterMessage, { cdsi: 'ready' }>): void {
  process.send?.(message);
}

/**
 * Worker side: a `render` for `createMetrics` that asks the primary for the cluster-wide
 * metrics; falls back to this worker's own registry if the primary does not answer in 2 s.
 */
export function clusterMetricsRender(): (own: Registry) => Promise<string> {
  let nextId = 0;
  const pending = new Map<number, (text: string | undefined) => void>();
  process.on('message', (message: unknown) => {
    if (isMessage(message) && message.cdsi === 'metrics-response') {
      pending.get(message.id)?.(message.text);
      pending.delete(message.id);
    }
  });
  return async (own) => {
    nextId += 1;
    const id = nextId;
    const text = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve(undefined);
      }, 2000);
      pending.set(id, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
      process.send?.({ cdsi: 'metrics-request', id });
    });
    return text ?? own.metrics();
  };
}

/**
 * Worker side: the registry the primary's aggregation collects from this worker. Call once at
 * start-up, before the first scrape.
 *
 * @param registry - this worker's registry
 */
export function registerForAggregation(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
}
