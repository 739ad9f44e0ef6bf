import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DURATION_PATTERN, parseOptionalDuration } from '../../../src/calendar/duration';
import { loadAllRawRuleSets, loadRawRuleSet } from '../../../src/rules/load-rule-set';
import { RuleSetError } from '../../../src/rules/problem';
import type { RuleProblem } from '../../../src/rules/problem';
import { validateCdsiRuleSet } from '../../../src/rules/validate/validate-cdsi';
import { validateRulesRoot } from '../../../src/rules/validate/validate-rules-root';
import { getAt, RULES_ROOT, scratchRules, VERSION } from './rules-fixture';
import type { ScratchRules } from './rules-fixture';

const MEASLES = 'antigens/measles.json';
const MEASLES_FILE = `cdsi/${VERSION}/${MEASLES}`;
const DOSE0 = '/antigenSupportingData/series/0/seriesDose/0';

describe('the committed rules', () => {
  it('pass validation (CDSi 4.64 and every code-table version)', () => {
    expect(validateCdsiRuleSet(RULES_ROOT, VERSION)).toEqual([]);
    expect(validateRulesRoot(RULES_ROOT)).toEqual([]);
  });

  it('load as 30 antigens, 143 series, 484 doses and 218 CVX codes', () => {
    const rs = loadRawRuleSet(RULES_ROOT, VERSION);
    expect(rs.manifest).toMatchObject({
      kind: 'cdsi-rule-set',
      ruleSetId: 'cdc-cdsi',
      version: '4.64',
      source: {
        publisher: 'CDC',
        supportingDataVersion: '4.64',
        releaseDate: '2025-11-10',
        logicSpecVersion: '4.6',
      },
    });
    const series = rs.antigens.flatMap((a) => a.antigenSupportingData.series);
    expect(rs.antigens).toHaveLength(30);
    expect(series).toHaveLength(143);
    expect(series.reduce((n, s) => n + s.seriesDose.length, 0)).toBe(484);
    expect(rs.schedule.scheduleSupportingData.cvxToAntigenMap.cvxMap).toHaveLength(218);
    expect(loadAllRawRuleSets(RULES_ROOT).map((r) => r.manifest.version)).toContain('4.64');
  });
});

describe('the schema duration pattern', () => {
  const schema = JSON.parse(
    readFileSync(join(RULES_ROOT, 'schema', 'cdsi-antigen.schema.json'), 'utf8'),
  ) as { definitions: { duration: { pattern: string } } };
  const scheduleSchema = JSON.parse(
    readFileSync(join(RULES_ROOT, 'schema', 'cdsi-schedule.schema.json'), 'utf8'),
  ) as { definitions: { duration: { pattern: string } } };

  it('is DURATION_PATTERN from src/calendar/duration.ts, verbatim, in both schemas', () => {
    expect(schema.definitions.duration.pattern).toBe(DURATION_PATTERN);
    expect(scheduleSchema.definitions.duration.pattern).toBe(DURATION_PATTERN);
  });

  it('accepts every duration value of the 4.64 data, as parseOptionalDuration does', () => {
    const keys =
      /^(beginAge|endAge|minAgeToStart|maxAgeToStart|absMinAge|minAge|earliestRecAge|latestRecAge|maxAge|absMinInt|minInt|earliestRecInt|latestRecInt|interval|conflictBeginInterval|minConflictEndInterval|conflictEndInterval|associationBeginAge|associationEndAge)$/;
    const values = new Set<string>();
    const walk = (v: unknown, key: string): void => {
      if (Array.isArray(v)) {
        v.forEach((x) => {
          walk(x, key);
        });
      } else if (typeof v === 'object' && v !== null) {
        for (const [k, x] of Object.entries(v)) {
          walk(x, k);
        }
      } else if (typeof v === 'string' && keys.test(key)) {
        values.add(v);
      }
    };
    const rs = loadRawRuleSet(RULES_ROOT, VERSION);
    walk(rs.antigens, '');
    walk(rs.schedule, '');
    expect(values.size).toBeGreaterThan(100);
    const schemaRe = new RegExp(schema.definitions.duration.pattern, 'u');
    const calendarRe = new RegExp(DURATION_PATTERN, 'u');
    for (const v of values) {
      expect({ v, schema: schemaRe.test(v), calendar: calendarRe.test(v) }).toEqual({
        v,
        schema: true,
        calendar: true,
      });
      expect(() => parseOptionalDuration(v)).not.toThrow();
    }
    expect(schemaRe.test('6 wekks')).toBe(false);
  });
});

describe('a mutated copy of the rules', () => {
  let rules: ScratchRules;
  beforeEach(() => {
    rules = scratchRules();
  });
  afterEach(() => {
    rules.cleanup();
  });

  const problems = (): RuleProblem[] => validateCdsiRuleSet(rules.root, VERSION);
  const only = (): RuleProblem => {
    const found = problems();
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('still passes unmutated', () => {
    expect(problems()).toEqual([]);
    expect(validateRulesRoot(rules.root)).toEqual([]);
  });

  it('reports a number where a string belongs', () => {
    rules.mutate(MEASLES, `${DOSE0}/recurringDose`, 5);
    expect(only()).toEqual({
      file: MEASLES_FILE,
      pointer: `${DOSE0}/recurringDose`,
      message: 'must be string, found number',
    });
  });

  it('reports a dangling CVX reference', () => {
    rules.mutate(MEASLES, `${DOSE0}/preferableVaccine/0/cvx`, '999');
    expect(only()).toEqual({
      file: MEASLES_FILE,
      pointer: `${DOSE0}/preferableVaccine/0/cvx`,
      message: "preferableVaccine CVX 999 is not in the schedule's cvxToAntigenMap",
    });
  });

  it('reports a broken duration', () => {
    rules.mutate(MEASLES, `${DOSE0}/age/0/minAge`, '6 wekks');
    expect(only()).toEqual({
      file: MEASLES_FILE,
      pointer: `${DOSE0}/age/0/minAge`,
      message: '"6 wekks" is not a valid CDSi duration (e.g. "6 months - 4 days")',
    });
  });

  it('reports a hand-edited file whose sha256 no longer matches the manifest', () => {
    const data = rules.read(MEASLES);
    rules.write(MEASLES, data, false);
    const path = join(rules.dir, MEASLES);
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace('Measles 2-dose series', 'Measles 2-dose series (edited)'),
    );
    const p = only();
    expect(p).toMatchObject({
      file: `cdsi/${VERSION}/manifest.json`,
      pointer: '/files/antigens~1measles.json',
    });
    expect(p.message).toMatch(/^sha256 mismatch for antigens\/measles\.json/);
  });

  it('reports an unknown property', () => {
    rules.mutate(MEASLES, '/antigenSupportingData/series/0/seriesNickname', 'x');
    expect(only()).toEqual({
      file: MEASLES_FILE,
      pointer: '/antigenSupportingData/series/0',
      message: 'unknown property "seriesNickname"',
    });
  });

  it('reports a missing required property', () => {
    rules.mutate(MEASLES, `${DOSE0}/doseNumber`, undefined);
    expect(only()).toEqual({
      file: MEASLES_FILE,
      pointer: DOSE0,
      message: 'missing required property "doseNumber"',
    });
  });

  it('reports dose numbers that do not run 1, 2, …', () => {
    rules.mutate(MEASLES, '/antigenSupportingData/series/0/seriesDose/1/doseNumber', 'Dose 3');
    expect(only()).toMatchObject({
      file: MEASLES_FILE,
      pointer: '/antigenSupportingData/series/0/seriesDose/1/doseNumber',
      message: expect.stringMatching(/expected "Dose 2", found "Dose 3"/) as unknown,
    });
  });

  it('reports fromTargetDose pointing at the same or a later dose', () => {
    const at = '/antigenSupportingData/series/0/seriesDose/1/interval/0/fromTargetDose';
    expect(getAt(rules.read(MEASLES), at)).toBeDefined();
    rules.mutate(MEASLES, at, '2');
    expect(only()).toMatchObject({
      file: MEASLES_FILE,
      pointer: at,
      message: expect.stringMatching(/does not name an earlier dose/) as unknown,
    });
  });

  it('reports an unknown observation code', () => {
    const at = '/antigenSupportingData/series/1/indication/0/observationCode/code';
    rules.mutate(MEASLES, at, '999');
    expect(only()).toMatchObject({
      file: MEASLES_FILE,
      pointer: at,
      message: expect.stringMatching(/observation code 999 is not in the schedule/) as unknown,
    });
  });

  it('reports begin ages after end ages', () => {
    const at = '/antigenSupportingData/series/1/indication/0';
    rules.mutate(MEASLES, `${at}/beginAge`, '13 months');
    expect(only()).toMatchObject({
      file: MEASLES_FILE,
      pointer: `${at}/beginAge`,
      message: expect.stringMatching(
        /beginAge "13 months" comes after endAge "12 months"/,
      ) as unknown,
    });
  });

  it('reports an unknown vaccine group and an antigen without a file', () => {
    rules.mutate(MEASLES, '/antigenSupportingData/series/0/vaccineGroup', 'MMRX');
    rules.mutate(
      'schedule.json',
      '/scheduleSupportingData/vaccineGroupToAntigenMap/vaccineGroupMap/0/antigen/0',
      'Plague',
    );
    const found = problems();
    expect(found).toEqual([
      {
        file: MEASLES_FILE,
        pointer: '/antigenSupportingData/series/0/vaccineGroup',
        message: 'vaccine group "MMRX" is not in the schedule\'s vaccineGroups',
      },
      {
        file: `cdsi/${VERSION}/schedule.json`,
        pointer: '/scheduleSupportingData/vaccineGroupToAntigenMap/vaccineGroupMap/0/antigen/0',
        message: 'antigen "Plague" has no antigen file in this rule set',
      },
    ]);
  });

  it('reports a live-virus conflict naming an unmapped CVX', () => {
    const at = '/scheduleSupportingData/liveVirusConflicts/liveVirusConflict/0/current/cvx';
    rules.mutate('schedule.json', at, '998');
    expect(only()).toMatchObject({ file: `cdsi/${VERSION}/schedule.json`, pointer: at });
  });

  it('reports a manifest version that differs from the folder and unlisted files', () => {
    rules.write('manifest.json', { ...(rules.read('manifest.json') as object), version: '4.63' });
    writeFileSync(join(rules.dir, 'antigens', 'extra.json'), '{}');
    expect(problems()).toEqual([
      {
        file: `cdsi/${VERSION}/manifest.json`,
        pointer: '/version',
        message: 'version "4.63" does not match the folder name "4.64"',
      },
      {
        file: `cdsi/${VERSION}/antigens/extra.json`,
        pointer: '',
        message: 'file is not listed in manifest.json "files" (re-run the importer)',
      },
    ]);
  });

  it('makes loadRawRuleSet and loadAllRawRuleSets throw RuleSetError with every problem', () => {
    rules.mutate(MEASLES, `${DOSE0}/recurringDose`, 5);
    rules.mutate(MEASLES, `${DOSE0}/age/0/minAge`, '6 wekks');
    expect(() => loadRawRuleSet(rules.root, VERSION)).toThrow(RuleSetError);
    for (const load of [
      () => loadRawRuleSet(rules.root, VERSION),
      () => loadAllRawRuleSets(rules.root),
    ]) {
      try {
        load();
        throw new Error('expected a RuleSetError');
      } catch (e) {
        expect(e).toBeInstanceOf(RuleSetError);
        expect((e as RuleSetError).problems.map((p) => p.pointer)).toEqual([
          `${DOSE0}/age/0/minAge`,
          `${DOSE0}/recurringDose`,
        ]);
        expect((e as RuleSetError).message).toContain(
          `${MEASLES_FILE}: ${DOSE0}/recurringDose: must be string, found number`,
        );
      }
    }
  });

  it('reports a rules root without any CDSi rule set', () => {
    expect(() => loadAllRawRuleSets(join(rules.root, 'nowhere'))).toThrow(/no CDSi rule set found/);
  });
});
