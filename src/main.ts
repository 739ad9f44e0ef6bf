/**
 * Composition root: the only module that reads the environment and listens.
 * parseConfig(process.env) → (cluster primary: fork WORKERS workers) → load and validate every rule
 * set → createApp → listen → ready; SIGTERM/SIGINT → drain → exit.
 * Refuses to start (exit 1, every problem printed) when the configuration or a rule table is invalid.
 */
import cluster from 'node:cluster';
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, parseConfig } from './config';
import type { Config } from './config';
import { loadTrustedIssuers, TrustedIssuersError } from './http/cds-trusted-issuers';
import type { TrustedIssuer } from './http/cds-trusted-issuers';
import { systemClock } from './http/clock';
import { createApp } from './http/create-app';
import { createFhirReader } from './http/fhir-reader';
import { createCdsTokenVerifier } from './http/middleware/cds-jwt';
import type { CdsAuth } from './http/middleware/cds-jwt';
import type { CdsDeps } from './http/routes/cds-services';
import { createLogger } from './http/logging';
import type { Logger } from './http/logging';
import { createMetrics } from './http/metrics';
import { Readiness } from './http/readiness';
import { RuleSetError } from './rules/problem';
import { loadRuleCatalog } from './rules/rule-catalog';
import { findRepoRoot } from './rules/repo-root';
import {
  clusterMetricsRender,
  notifyReady,
  registerForAggregation,
  runPrimary,
} from './server/cluster';
import { listen } from './server/http-server';

function exitWith(logger: Logger | undefined, code: number): never {
  logger?.flush();
  process.exit(code);
}

/** Start-up checks that need the file system (parseConfig itself stays pure). */
function preflight(config: Config): string[] {
  const problems: string[] = [];
  if (config.cdsTrustedIssuersFile !== undefined) {
    try {
      accessSync(config.cdsTrustedIssuersFile, constants.R_OK);
    } catch {
      problems.push(
        `CDS_TRUSTED_ISSUERS_FILE names a file that does not exist or cannot be read: ${config.cdsTrustedIssuersFile}`,
      );
    }
  }
  return problems;
}

/** Warnings about a configuration that starts but is probably not what the operator wants. */
function warnings(config: Config, logger: Logger): void {
  if (config.cdsAuth === 'disabled') {
    logger.warn(
      'CDS_AUTH=disabled: CDS Hooks calls are NOT authenticated; use this for local trials only',
    );
  } else if (config.cdsTrustedIssuersFile === undefined) {
    logger.warn(
      'CDS_TRUSTED_ISSUERS_FILE is not set: no issuer is trusted, every CDS Hooks service call will answer 401',
    );
  }
}

async function startWorker(config: Config, logger: Logger): Promise<void> {
  const started = process.hrtime.bigint();
  let catalog;
  try {
    catalog = loadRuleCatalog(config.rulesDir, config.defaultRuleSetVersion);
  } catch (err) {
    if (err instanceof RuleSetError) {
      console.error(`refusing to start: ${err.message}`);
      exitWith(logger, 1);
    }
    throw err;
  }
  const defaultRuleSet =
    catalog.labels.find((l) => l.endsWith(`@${catalog.defaultVersion}`)) ?? catalog.defaultVersion;

  const inCluster = cluster.isWorker;
  const metrics = createMetrics({
    ruleSets: catalog.labels,
    defaultRuleSet,
    processMetrics: true,
    ...(inCluster ? { render: clusterMetricsRender() } : {}),
  });
  if (inCluster) {
    registerForAggregation(metrics.registry);
  }

  // CDS Hooks: the JWT verifier trusts exactly the issuers of CDS_TRUSTED_ISSUERS_FILE (none when
  // unset: every call answers 401, warned about at start-up); an invalid file refuses the start.
  let auth: CdsAuth = 'disabled';
  if (config.cdsAuth === 'jwt') {
    let issuers: TrustedIssuer[] = [];
    if (config.cdsTrustedIssuersFile !== undefined) {
      try {
        issuers = loadTrustedIssuers(readFileSync(config.cdsTrustedIssuersFile, 'utf8'));
      } catch (err) {
        if (err instanceof TrustedIssuersError) {
          console.error(`refusing to start: ${config.cdsTrustedIssuersFile}: ${err.message}`);
          exitWith(logger, 1);
        }
        throw err;
      }
    }
    auth = createCdsTokenVerifier({ issuers, nowSeconds: () => systemClock.nowSeconds() });
  }
  const cds: CdsDeps = {
    auth,
    publicBaseUrl: config.publicBaseUrl,
    timeZone: config.forecastTimeZone,
    clock: systemClock,
    fhirReader: createFhirReader(),
    fhirTimeoutMs: config.fhirFetchTimeoutMs,
  };

  const readiness = new Readiness();
  const app = createApp({ readiness, catalog, bodyLimit: config.bodyLimit, logger, metrics, cds });
  const running = await listen(app, config);
  readiness.markReady();
  const startupMs = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
  if (inCluster) {
    notifyReady({
      cdsi: 'ready',
      port: running.port,
      ruleSets: catalog.labels,
      defaultRuleSet,
      startupMs,
    });
  } else {
    logger.info(
      { port: running.port, workers: 1, ruleSets: catalog.labels, defaultRuleSet, startupMs },
      'listening',
    );
  }

  let stopping = false;
  const shutdown = (reason: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    readiness.markDraining();
    logger.info({ reason, graceMs: config.shutdownGraceMs }, 'shutting down');
    const onListenerClosed = (): void => {
      logger.info('listener closed: new connections are refused');
    };
    void running.drain({ graceMs: config.shutdownGraceMs, onListenerClosed }).then((clean) => {
      if (clean) {
        logger.info('stopped');
      } else {
        logger.warn('grace period over: open connections were cut');
      }
      exitWith(logger, clean ? 0 : 1);
    });
  };
  process.on('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.on('SIGINT', () => {
    shutdown('SIGINT');
  });
  if (inCluster) {
    // The primary is gone (killed): nobody will forward signals any more.
    process.on('disconnect', () => {
      shutdown('primary gone');
    });
  }
}

function main(): void {
  const root = findRepoRoot(dirname(__filename));
  let config;
  try {
    config = parseConfig(process.env, root);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      exitWith(undefined, 1);
    }
    throw err;
  }
  const logger = createLogger({
    level: config.logLevel,
    ...(cluster.isWorker ? { base: { worker: cluster.worker?.id } } : {}),
  });

  if (cluster.isPrimary) {
    const problems = preflight(config);
    if (problems.length > 0) {
      console.error(new ConfigError(problems).message);
      exitWith(logger, 1);
    }
    warnings(config, logger);
    if (config.workers > 1) {
      runPrimary({ workers: config.workers, shutdownGraceMs: config.shutdownGraceMs, logger });
      return;
    }
  }
  startWorker(config, logger).catch((err: unknown) => {
    logger.fatal({ err }, 'refusing to start');
    console.error(`refusing to start: ${err instanceof Error ? err.message : String(err)}`);
    exitWith(logger, 1);
  });
}

main();
