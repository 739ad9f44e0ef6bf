/**
 * Composition root: the only module that reads the environment and listens.
 * parseConfig(process.env) → load and validate every rule set → createApp → listen.
 * Refuses to start (exit 1, every problem printed) when the configuration or a rule table is invalid.
 */
import { dirname } from 'node:path';
import { ConfigError, parseConfig } from './config';
import { createApp } from './http/create-app';
import { Readiness } from './http/readiness';
import { RuleSetError } from './rules/problem';
import { loadRuleCatalog } from './rules/rule-catalog';
import { findRepoRoot } from './rules/repo-root';

function main(): void {
  const root = findRepoRoot(dirname(__filename));
  let config;
  try {
    config = parseConfig(process.env, root);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  let catalog;
  try {
    catalog = loadRuleCatalog(config.rulesDir, config.defaultRuleSetVersion);
  } catch (err) {
    if (err instanceof RuleSetError) {
      console.error(`refusing to start: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }

  const readiness = new Readiness();
  const app = createApp({ readiness, catalog });
  const server = app.listen(config.port, config.host, () => {
    readiness.markReady();
    const address = server.address();
    console.log(
      JSON.stringify({
        level: 'info',
        msg: 'listening',
        port: typeof address === 'object' && address !== null ? address.port : config.port,
        ruleSets: catalog.labels,
        defaultRuleSet: catalog.defaultVersion,
      }),
    );
  });

  const shutdown = (signal: string): void => {
    readiness.markDraining();
    console.log(JSON.stringify({ level: 'info', msg: 'shutting down', signal }));
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.on('SIGINT', () => {
    shutdown('SIGINT');
  });
}

main();
