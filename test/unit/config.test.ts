import { ConfigError, parseConfig } from '../../src/config';

describe('parseConfig', () => {
  test('defaults: port 8080 on all interfaces, the shipped rules folder, newest rule set', () => {
    expect(parseConfig({}, '/srv/app')).toEqual({
      port: 8080,
      host: '0.0.0.0',
      rulesDir: '/srv/app/rules',
      defaultRuleSetVersion: undefined,
    });
  });

  test('honours PORT, HOST, RULES_DIR (relative to the install folder) and DEFAULT_RULE_SET_VERSION', () => {
    expect(
      parseConfig(
        {
          PORT: '9000',
          HOST: '127.0.0.1',
          RULES_DIR: 'other-rules',
          DEFAULT_RULE_SET_VERSION: '4.64',
        },
        '/srv/app',
      ),
    ).toEqual({
      port: 9000,
      host: '127.0.0.1',
      rulesDir: '/srv/app/other-rules',
      defaultRuleSetVersion: '4.64',
    });
  });

  test('lists every problem at once', () => {
    let error: unknown;
    try {
      parseConfig({ PORT: 'eighty', DEFAULT_RULE_SET_VERSION: '../etc' }, '/srv/app');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(2);
    expect((error as ConfigError).message).toMatch(/PORT/);
    expect((error as ConfigError).message).toMatch(/DEFAULT_RULE_SET_VERSION/);
  });
});
