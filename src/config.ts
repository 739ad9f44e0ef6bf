import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parse as parseBytes } from 'bytes';

/** pino's log levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A log level (`LOG_LEVEL`). */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How CDS Hooks calls are authenticated (`CDS_AUTH`). */
export type CdsAuthMode = 'jwt' | 'disabled';

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
  /**
   * Absolute http(s) URL at which clients reach the service, without a trailing slash
   * (`PUBLIC_BASE_URL`, default `http://localhost:<PORT>`); used for links in CDS cards and the
   * expected JWT `aud`.
   */
  readonly publicBaseUrl: string;
  /** IANA time zone in which "today" is taken for CDS Hooks calls (`FORECAST_TIME_ZONE`, default UTC). */
  readonly forecastTimeZone: string;
  /**
   * Absolute path of the CDS Hooks trusted-issuers JSON file (`CDS_TRUSTED_ISSUERS_FILE`), or
   * undefined when unset (then, with `CDS_AUTH=jwt`, every CDS service call answers 401).
   */
  readonly cdsTrustedIssuersFile: string | undefined;
  /** `jwt` (default): CDS service calls need a trusted JWT; `disabled`: no check (local trials only). */
  readonly cdsAuth: CdsAuthMode;
  /** Largest request body in bytes (`BODY_LIMIT`, default `1mb`). */
  readonly bodyLimit: number;
  /** Log level (`LOG_LEVEL`, default `info`). */
  readonly logLevel: LogLevel;
  /** Number of worker processes (`WORKERS`, default the number of CPUs; 1 = no cluster). */
  readonly workers: number;
  /**
   * Worker threads of each process for `$immds-forecast-bulk` (`BULK_THREADS`, default 0: bulk
   * lines are forecast on the request's thread, a batch per event-loop turn). Set it on a
   * process that serves bulk streams (e.g. `WORKERS=1 BULK_THREADS=<cores>`) so that one stream
   * uses every core; each thread loads its own copy of the rules.
   */
  readonly bulkThreads: number;
  /** Timeout of one FHIR server fetch for CDS Hooks prefetch (`FHIR_FETCH_TIMEOUT_MS`, default 10 000). */
  readonly fhirFetchTimeoutMs: number;
  /** Longest wait for in-flight requests on SIGTERM/SIGINT (`SHUTDOWN_GRACE_MS`, default 25 000). */
  readonly shutdownGraceMs: number;
  /** Longest time to receive a request's headers (`HEADERS_TIMEOUT_MS`, default 10 000). */
  readonly headersTimeoutMs: number;
  /** Longest time to receive a whole request (`REQUEST_TIMEOUT_MS`, default 30 000). */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open (`KEEP_ALIVE_TIMEOUT_MS`, default 5 000). */
  readonly keepAliveTimeoutMs: number;
}

/** Thrown by {@link parseConfig}; lists every problem at once so an operator fixes them in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Facts about the machine that some defaults depend on; tests pass their own. */
export interface ConfigDefaults {
  /** Number of CPUs available (default of `WORKERS`); default `os.availableParallelism()`. */
  readonly cpus?: number;
}

const MIN_BODY_LIMIT = 1024;
const MAX_BODY_LIMIT = 100 * 1024 * 1024;

/**
 * Parses the environment into a {@link Config}. Pure apart from resolving paths against
 * `defaultRoot`; never reads `process.env` itself, and never touches the file system.
 *
 * @param env - the environment (usually `process.env`)
 * @param defaultRoot - the service's installation folder, for default paths
 * @param defaults - machine facts for defaults (CPU count)
 * @throws ConfigError listing every problem
 */
export function parseConfig(
  env: Readonly<Record<string, string | undefined>>,
  defaultRoot: string,
  defaults: ConfigDefaults = {},
): Config {
  const problems: string[] = [];

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const text = env[name];
    if (text === undefined) {
      return fallback;
    }
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${text}"`);
      return fallback;
    }
    return value;
  };

  const port = int('PORT', 8080, 0, 65535);

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

  const publicBaseUrl = parseBaseUrl(env['PUBLIC_BASE_URL'], `http://localhost:${port}`, problems);

  const forecastTimeZone = env['FORECAST_TIME_ZONE'] ?? 'UTC';
  if (!isTimeZone(forecastTimeZone)) {
    problems.push(
      `FORECAST_TIME_ZONE must be an IANA time zone such as America/Chicago, got "${forecastTimeZone}"`,
    );
  }

  const issuersText = env['CDS_TRUSTED_ISSUERS_FILE'];
  if (issuersText?.trim() === '') {
    problems.push('CDS_TRUSTED_ISSUERS_FILE must not be empty (unset it instead)');
  }
  const cdsTrustedIssuersFile =
    issuersText === undefined || issuersText.trim() === ''
      ? undefined
      : resolve(defaultRoot, issuersText);

  const cdsAuth = oneOf(env, 'CDS_AUTH', ['jwt', 'disabled'] as const, 'jwt', problems);

  const bodyLimit = parseSize(env['BODY_LIMIT'], problems);

  const logLevel = oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info', problems);

  const workers = int('WORKERS', Math.max(1, defaults.cpus ?? availableParallelism()), 1, 256);
  const bulkThreads = int('BULK_THREADS', 0, 0, 256);
  const fhirFetchTimeoutMs = int('FHIR_FETCH_TIMEOUT_MS', 10_000, 1, 600_000);
  const shutdownGraceMs = int('SHUTDOWN_GRACE_MS', 25_000, 0, 600_000);
  const headersTimeoutMs = int('HEADERS_TIMEOUT_MS', 10_000, 1, 600_000);
  const requestTimeoutMs = int('REQUEST_TIMEOUT_MS', 30_000, 1, 3_600_000);
  const keepAliveTimeoutMs = int('KEEP_ALIVE_TIMEOUT_MS', 5_000, 1, 600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    problems.push(
      `HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
    );
  }

  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return {
    port,
    host,
    rulesDir,
    defaultRuleSetVersion: versionText,
    publicBaseUrl,
    forecastTimeZone,
    cdsTrustedIssuersFile,
    cdsAuth,
    bodyLimit,
    logLevel,
    workers,
    bulkThreads,
    fhirFetchTimeoutMs,
    shutdownGraceMs,
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs,
  };
}

function oneOf<const T extends string>(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  allowed: readonly T[],
  fallback: T,
  problems: string[],
): T {
  const text = env[name];
  if (text === undefined) {
    return fallback;
  }
  const found = allowed.find((a) => a === text);
  if (found === undefined) {
    problems.push(`${name} must be one of ${allowed.join(', ')}, got "${text}"`);
    return fallback;
  }
  return found;
}

function parseBaseUrl(text: string | undefined, fallback: string, problems: string[]): string {
  if (text === undefined) {
    return fallback;
  }
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    problems.push(
      `PUBLIC_BASE_URL must be an absolute http(s) URL without query, fragment or credentials, got "${text}"`,
    );
    return fallback;
  }
  return url.href.replace(/\/+$/, '');
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.trim() !== '';
  } catch {
    return false;
  }
}

function parseSize(text: string | undefined, problems: string[]): number {
  const fallback = 1024 * 1024;
  if (text === undefined) {
    return fallback;
  }
  // `bytes` is the size parser express's body parsers use, so BODY_LIMIT reads as they would.
  const size = /^\d/.test(text.trim()) ? parseBytes(text.trim()) : null;
  if (size === null || size < MIN_BODY_LIMIT || size > MAX_BODY_LIMIT) {
    problems.push(
      `BODY_LIMIT must be a size from 1kb to 100mb such as 1mb or 512kb, got "${text}"`,
    );
    return fallback;
  }
  return Math.floor(size);
}
