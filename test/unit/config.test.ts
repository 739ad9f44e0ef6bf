import { ConfigError, parseConfig } from '../../src/config';

const DEFAULTS = {
  port: 8080,
  host: '0.0.0.0',
  rulesDir: '/srv/app/rules',
  defaultRuleSetVersion: undefined,
  publicBaseUrl: 'http://localhost:8080',
  forecastTimeZone: 'UTC',
  cdsTrustedIssuersFile: undefined,
  cdsAuth: 'jwt',
  bodyLimit: 1024 * 1024,
  logLevel: 'info',
  workers: 4,
  bulkThreads: 0,
  fhirFetchTimeoutMs: 10_000,
  shutdownGraceMs: 25_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    parseConfig(env, '/srv/app', { cpus: 4 });
  } catch (err) {
    if (err instanceof ConfigError) {
      return err.problems;
    }
    throw err;
  }
  return [];
}

describe('parseConfig', () => {
  test('defaults: port 8080 on all interfaces, the shipped rules, newest rule set, one worker per CPU', () => {
    expect(parseConfig({}, '/srv/app', { cpus: 4 })).toEqual(DEFAULTS);
  });

  test('honours every variable (paths relative to the install folder)', () => {
    expect(
      parseConfig(
        {
          PORT: '9000',
          HOST: '127.0.0.1',
          RULES_DIR: 'other-rules',
          DEFAULT_RULE_SET_VERSION: '4.64',
          PUBLIC_BASE_URL: 'https://cdsi.example.org/forecaster/',
          FORECAST_TIME_ZONE: 'America/Chicago',
          CDS_TRUSTED_ISSUERS_FILE: 'config/issuers.json',
          CDS_AUTH: 'disabled',
          BODY_LIMIT: '512kb',
          LOG_LEVEL: 'debug',
          WORKERS: '1',
          BULK_THREADS: '2',
          FHIR_FETCH_TIMEOUT_MS: '3000',
          SHUTDOWN_GRACE_MS: '5000',
          HEADERS_TIMEOUT_MS: '2000',
          REQUEST_TIMEOUT_MS: '4000',
          KEEP_ALIVE_TIMEOUT_MS: '65000',
        },
        '/srv/app',
        { cpus: 4 },
      ),
    ).toEqual({
      port: 9000,
      host: '127.0.0.1',
      rulesDir: '/srv/app/other-rules',
      defaultRuleSetVersion: '4.64',
      publicBaseUrl: 'https://cdsi.example.org/forecaster',
      forecastTimeZone: 'America/Chicago',
      cdsTrustedIssuersFile: '/srv/app/config/issuers.json',
      cdsAuth: 'disabled',
      bodyLimit: 512 * 1024,
      logLevel: 'debug',
      workers: 1,
      bulkThreads: 2,
      fhirFetchTimeoutMs: 3000,
      shutdownGraceMs: 5000,
      headersTimeoutMs: 2000,
      requestTimeoutMs: 4000,
      keepAliveTimeoutMs: 65000,
    });
  });

  test('the default public base URL follows PORT', () => {
    expect(parseConfig({ PORT: '9999' }, '/srv/app').publicBaseUrl).toBe('http://localhost:9999');
  });

  test.each([
    ['BODY_LIMIT', '2mb', 2 * 1024 * 1024],
    ['BODY_LIMIT', '1.5MB', 1.5 * 1024 * 1024],
    ['BODY_LIMIT', '65536', 65536],
    ['BODY_LIMIT', '100kb', 100 * 1024],
  ])('%s=%s is %d bytes', (name, text, bytes) => {
    expect(parseConfig({ [name]: text }, '/srv/app').bodyLimit).toBe(bytes);
  });

  test.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['HOST', ' '],
    ['DEFAULT_RULE_SET_VERSION', '../etc'],
    ['PUBLIC_BASE_URL', 'cdsi.example.org'],
    ['PUBLIC_BASE_URL', 'ftp://cdsi.example.org'],
    ['PUBLIC_BASE_URL', 'https://cdsi.example.org/?x=1'],
    ['PUBLIC_BASE_URL', 'https://user:pw@cdsi.example.org'],
    ['FORECAST_TIME_ZONE', 'Mars/Olympus_Mons'],
    ['FORECAST_TIME_ZONE', ''],
    ['CDS_TRUSTED_ISSUERS_FILE', ''],
    ['CDS_AUTH', 'none'],
    ['BODY_LIMIT', 'lots'],
    ['BODY_LIMIT', '1gb'],
    ['BODY_LIMIT', '10'],
    ['LOG_LEVEL', 'verbose'],
    ['WORKERS', '0'],
    ['WORKERS', 'auto'],
    ['BULK_THREADS', '-1'],
    ['BULK_THREADS', 'all'],
    ['FHIR_FETCH_TIMEOUT_MS', '0'],
    ['SHUTDOWN_GRACE_MS', '-1'],
    ['KEEP_ALIVE_TIMEOUT_MS', '5s'],
  ])('rejects %s=%j, naming the variable', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
  });

  test('HEADERS_TIMEOUT_MS may not exceed REQUEST_TIMEOUT_MS', () => {
    expect(problemsOf({ HEADERS_TIMEOUT_MS: '40000' })).toEqual([
      expect.stringMatching(/HEADERS_TIMEOUT_MS .* REQUEST_TIMEOUT_MS/),
    ]);
  });

  test('lists every problem at once', () => {
    let error: unknown;
    try {
      parseConfig(
        {
          PORT: 'eighty',
          DEFAULT_RULE_SET_VERSION: '../etc',
          FORECAST_TIME_ZONE: 'Nowhere',
          CDS_AUTH: 'off',
          WORKERS: 'many',
        },
        '/srv/app',
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(5);
    for (const name of [
      'PORT',
      'DEFAULT_RULE_SET_VERSION',
      'FORECAST_TIME_ZONE',
      'CDS_AUTH',
      'WORKERS',
    ]) {
      expect((error as ConfigError).message).toContain(name);
    }
  });
});
