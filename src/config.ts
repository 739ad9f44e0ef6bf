import { resolve } from 'node:path';

/** The service's configuration, parsed once at start-up from the environment (see README). */
export interface Config {
  /** TCP port to listen on (`PORT`, default 8080). */
  readonly port: number;
  /** Interface to bind (`HOST`, default all interfaces). */
  readonly host: string;
  /** Root folder of the rule tables (`RULES_DIR`, default the `rules/` folder shipped with the service). */
  readonly rulesDir: string;
  /** Rule-set version used when a request names none (`DEFAULT_RULE_SET_VERSION`, default the newest loaded). */
  readonly defaultRuleSetVersion: string | undefined;
}

/** Thrown by {@link parseConfig}; lists every problem at once so an operator fixes them in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment into a {@link Config}. Pure apart from resolving paths against
 * `defaultRoot`; never reads `process.env` itself.
 *
 * @param env - the environment (usually `process.env`)
 * @param defaultRoot - the service's installation folder, for default paths
 * @throws ConfigError listing every problem
 */
export function parseConfig(
  env: Readonly<Record<string, string | undefined>>,
  defaultRoot: string,
): Config {
  const problems: string[] = [];

  const portText = env['PORT'] ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 0 || port > 65535) {
    problems.push(`PORT must be a whole number from 0 to 65535, got "${portText}"`);
  }

  const host = env['HOST'] ?? '0.0.0.0';
  if (host.trim() === '') {
    problems.push('HOST must not be empty');
  }

  const rulesDir = resolve(defaultRoot, env['RULES_DIR'] ?? 'rules');

  const versionText = env['DEFAULT_RULE_SET_VERSION'];
  if (versionText !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(versionText)) {
    problems.push(
      `DEFAULT_RULE_SET_VERSION must be a rule-set folder name such as 4.64, got "${versionText}"`,
    );
  }

  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return { port, host, rulesDir, defaultRuleSetVersion: versionText };
}
