import { join } from 'node:path';
import { CalendarDate } from '../../../src/calendar';
import { forecast } from '../../../src/engine';
import { RuleSetError } from '../../../src/rules/problem';
import { compareVersions, loadRuleCatalog } from '../../../src/rules/rule-catalog';
import { findRepoRoot } from '../../../src/rules/repo-root';
import { LONGER_MEASLES_INTERVAL, variants } from './maintain/variant';

const RULES = join(findRepoRoot(__dirname), 'rules');

describe('rule catalog', () => {
  test('loads the committed CDC rule set and code tables, defaulting to the newest release', () => {
    const catalog = loadRuleCatalog(RULES);
    expect(catalog.labels).toContain('cdc-cdsi@4.64');
    expect(catalog.defaultVersion).toBe('4.64');
    expect(catalog.get('4.64')?.id).toBe('cdc-cdsi@4.64');
    expect(catalog.get('9.99')).toBeUndefined();
    expect(catalog.codes?.cvx.get('03')).toBeDefined();
  });

  test('holds a local variant beside the CDC release; the variant is never the default unless configured', () => {
    const v = variants();
    try {
      v.variant('4.64-wa', LONGER_MEASLES_INTERVAL);
      const catalog = loadRuleCatalog(v.root);
      expect(catalog.labels).toEqual(['cdc-cdsi@4.64', 'cdc-cdsi@4.64-wa']);
      expect(catalog.defaultVersion).toBe('4.64');
      expect(loadRuleCatalog(v.root, '4.64-wa').defaultVersion).toBe('4.64-wa');

      // The two versions really answer differently: MMR dose 2 four weeks after dose 1.
      const history = {
        birthDate: CalendarDate.parse('2020-01-01'),
        gender: 'female' as const,
        doses: [
          { id: '1', dateAdministered: CalendarDate.parse('2021-01-05'), cvx: '03' },
          { id: '2', dateAdministered: CalendarDate.parse('2021-02-10'), cvx: '03' },
        ],
        observations: [],
      };
      const statusOfDose2 = (version: string): string | undefined => {
        const rules = catalog.get(version);
        if (rules === undefined) {
          throw new Error(`missing ${version}`);
        }
        const result = forecast(history, rules, CalendarDate.parse('2021-06-01'));
        expect(result.ruleSet).toBe(`cdc-cdsi@${version}`);
        const mmr = result.vaccineGroups.find((g) => g.vaccineGroup === 'MMR');
        return mmr?.doseEvaluations.find((d) => d.doseId === '2')?.status;
      };
      expect(statusOfDose2('4.64')).toBe('Valid');
      expect(statusOfDose2('4.64-wa')).toBe('Not Valid');
    } finally {
      v.cleanup();
    }
  });

  test('refuses a configured default version that is not installed', () => {
    expect(() => loadRuleCatalog(RULES, '3.0')).toThrow(RuleSetError);
    expect(() => loadRuleCatalog(RULES, '3.0')).toThrow(/3\.0 is not installed/);
  });

  test.each([
    ['4.9', '4.64', -1],
    ['4.64', '4.64', 0],
    ['4.64', '4.64-wa', -1],
    ['10.1', '4.64', 1],
  ])('orders version %s vs %s numerically', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});
