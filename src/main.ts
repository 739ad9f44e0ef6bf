/**
 * Composition root: the only module that reads the environment (`server/worker.ts` listens).
 * parseConfig(process.env) → (cluster primary: fork WORKERS workers) → load and validate every rule
 * set → createApp → listen → ready; SIGTERM/SIGINT → drain → exit.
 * Refuses to start (exit 1, every problem printed) when the configuration or a rule table is invalid.
 *
 * The serving code (`server/worker.ts`: Express, the rules, the engine…) is loaded only in a
 * process that serves: a cluster primary never loads it, so it forks its workers ~0.3 s sooner.
 */
import cluster from 'node:cluster';
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, parseConfig } from './config';
import type { Config } from './config';
import { createLogger } from './http/logging';
import type { Logger } from './http/logging';
import { findRepoRoot } from './rules/repo-root';
import { runPrimary } from './server/cluster';
import { exitWith } from './server/exit';
import type * as workerModule from './server/worker';

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
    // Several processes write to one stdout in cluster mode: one synchronous write per line.
    sync: config.workers > 1,
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see the module comment
  const { startWorker } = require('./server/worker') as typeof workerModule;
  startWorker(config, logger).catch((err: unknown) => {
    logger.fatal({ err }, 'refusing to start');
    console.error(`refusing to start: ${err instanceof Error ? err.message : String(err)}`);
    exitWith(logger, 1);
  });
}

main();
