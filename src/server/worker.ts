/**
 * One serving process (the only process with `WORKERS=1`, else each cluster worker): loads and
 * validates every rule set, builds the app, listens, marks ready; drains on SIGTERM/SIGINT.
 * Loaded by `main.ts` only in a process that serves.
 *
 * At start-up it warns about every rule set whose seasonal recommendations have all ended by
 * today (`FORECAST_TIME_ZONE`): its seasonal forecasts say "Past seasonal recommendation end
 * date" until newer CDC supporting data is loaded.
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createThreadPool, type ForecastExecutor } from '../bulk/executor';
import type { CalendarDate } from '../calendar';
import type { Config } from '../config';
import { endedSeasons } from '../engine/season-coverage';
import { loadTrustedIssuers, TrustedIssuersError } from '../http/cds-trusted-issuers';
import type { TrustedIssuer } from '../http/cds-trusted-issuers';
import { systemClock } from '../http/clock';
import { createApp } from '../http/create-app';
import { createFhirReader } from '../http/fhir-reader';
import { createCdsTokenVerifier, jwtLibrary } from '../http/middleware/cds-jwt';
import type { CdsAuth } from '../http/middleware/cds-jwt';
import type { CdsDeps } from '../http/routes/cds-services';
import type { Logger } from '../http/logging';
import { createMetrics } from '../http/metrics';
import { Readiness } from '../http/readiness';
import { RuleSetError } from '../rules/problem';
import { loadRuleCatalog, type RuleCatalog } from '../rules/rule-catalog';
import { clusterMetricsRender, notifyReady, registerForAggregation } from './cluster';
import { exitWith } from './exit';
import { listen } from './http-server';

/**
 * Logs one `warn` line per loaded rule set that has seasonal recommendations no season of which
 * covers or follows `today` (rule set, date, and per antigen the vaccine group and its last
 * season; no patient data).
 *
 * @param catalog - The loaded rule sets.
 * @param today - Today in the configured time zone.
 * @param logger - The service logger.
 */
export function warnEndedSeasons(catalog: RuleCatalog, today: CalendarDate, logger: Logger): void {
  for (const label of catalog.labels) {
    const ruleSet = catalog.get(label.slice(label.lastIndexOf('@') + 1));
    const ended = ruleSet === undefined ? [] : endedSeasons(ruleSet, today);
    if (ended.length === 0) {
      continue;
    }
    const seasons = ended.map((s) => ({
      vaccineGroup: s.vaccineGroup,
      antigen: s.antigen,
      ...(s.startDate === undefined ? {} : { startDate: s.startDate.toString() }),
      endDate: s.endDate.toString(),
    }));
    logger.warn(
      { ruleSet: label, today: today.toString(), seasons },
      `rule set ${label} has no season covering ${today.toString()} for ` +
        `${ended.map((s) => `${s.vaccineGroup} (last season ended ${s.endDate.toString()})`).join(', ')}: ` +
        'those forecasts say the season has ended; load newer CDC supporting data ' +
        '(npm run rules -- import-cdc)',
    );
  }
}

/**
 * Starts serving.
 *
 * @param config - the parsed configuration
 * @param logger - the service logger
 */
export async function startWorker(config: Config, logger: Logger): Promise<void> {
  const started = process.hrtime.bigint();
  let catalog;
  try {
    catalog = loadRuleCatalog(config.rulesDir, config.defaultRuleSetVersion);
  } catch (err) {
    if (err instanceof RuleSetError) {
      process.stderr.write(`refusing to start: ${err.message}\n`);
      exitWith(logger, 1);
    }
    throw err;
  }
  const defaultRuleSet =
    catalog.labels.find((l) => l.endsWith(`@${catalog.defaultVersion}`)) ?? catalog.defaultVersion;

  const inCluster = cluster.isWorker;
  if (!inCluster || cluster.worker?.id === 1) {
    // Once per service, not once per worker: every worker loads the same rules.
    warnEndedSeasons(catalog, systemClock.today(config.forecastTimeZone), logger);
  }
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
          process.stderr.write(
            `refusing to start: ${config.cdsTrustedIssuersFile}: ${err.message}\n`,
          );
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

  // BULK_THREADS: the bulk route's forecasts run on a thread pool (each thread loads the rules).
  let bulkExecutor: ForecastExecutor | undefined;
  if (config.bulkThreads > 0) {
    try {
      bulkExecutor = await createThreadPool({
        rulesDir: config.rulesDir,
        defaultVersion: config.defaultRuleSetVersion,
        threads: config.bulkThreads,
      });
    } catch (err) {
      process.stderr.write(
        `refusing to start: the bulk forecast threads (BULK_THREADS=${config.bulkThreads}) could not start: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      exitWith(logger, 1);
    }
  }

  const readiness = new Readiness();
  const app = createApp({
    readiness,
    catalog,
    bodyLimit: config.bodyLimit,
    logger,
    metrics,
    cds,
    ...(bulkExecutor === undefined ? {} : { bulkExecutor }),
  });
  const running = await listen(app, config);
  readiness.markReady();
  if (auth !== 'disabled') {
    // Loaded lazily (start-up does not wait for it); load it now, before the first CDS call.
    setImmediate(jwtLibrary);
  }
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
      {
        port: running.port,
        workers: 1,
        bulkThreads: config.bulkThreads,
        ruleSets: catalog.labels,
        defaultRuleSet,
        startupMs,
      },
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
    void running
      .drain({ graceMs: config.shutdownGraceMs, onListenerClosed })
      .then(async (clean) => {
        await bulkExecutor?.close();
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
