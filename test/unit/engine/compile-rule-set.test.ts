import { join } from 'node:path';
import type { RuleSetDuration } from '../../../src/engine/rule-set';
import { RuleSetError } from '../../../src/rules/problem';
import { compileRuleSet, type RawRuleSet } from '../../../src/rules/compile-rule-set';
import { loadRawRuleSet } from '../../../src/rules/load-rule-set';
import { findRepoRoot } from '../../../src/rules/repo-root';

const raw: RawRuleSet = loadRawRuleSet(join(findRepoRoot(__dirname), 'rules'), '4.64');
const rules = compileRuleSet(raw);

/** A deep copy of the raw tables with one antigen file changed. */
function withAntigen(name: string, change: (file: Record<string, unknown>) => void): RawRuleSet {
  const copy = JSON.parse(JSON.stringify(raw)) as { antigens: Record<string, unknown>[] };
  const file = copy.antigens.find((a) => a['antigen'] === name);
  if (file === undefined) {
    throw new Error(`no antigen ${name}`);
  }
  change(file);
  return { ...raw, antigens: copy.antigens as unknown as RawRuleSet['antigens'] };
}

describe('compileRuleSet', () => {
  it('names the rule set ruleSetId@version', () => {
    expect(rules.id).toBe('cdc-cdsi@4.64');
  });

  it('indexes the CVX to antigen map by canonical CVX', () => {
    expect(rules.vaccineTypes.get('3')?.associations.map((a) => a.antigen)).toEqual([
      'Measles',
      'Mumps',
      'Rubella',
    ]);
    const zoster = rules.vaccineTypes.get('121')?.associations;
    expect(zoster?.map((a) => [a.antigen, a.associationEndAge?.text ?? null])).toEqual([
      ['Varicella', '50 years'],
      ['Zoster', null],
    ]);
  });

  it('maps every vaccine group to its antigens', () => {
    expect(rules.vaccineGroups.find((g) => g.name === 'MMR')).toEqual({
      name: 'MMR',
      administerFullVaccineGroup: true,
      antigens: ['Measles', 'Mumps', 'Rubella'],
    });
    expect(rules.vaccineGroupOfAntigen.get('Pertussis')).toBe('DTaP/Tdap/Td');
  });

  it('parses ages, intervals and conditional skips of a series dose', () => {
    const hib = rules.antigens.get('Hib')?.series[0];
    const dose2 = hib?.doses[1];
    expect(hib?.maxAgeToStart).toMatchObject({ months: 7, days: -4 });
    expect(dose2?.ages[0]?.absMinAge).toMatchObject({ weeks: 10, days: -4 });
    expect(dose2?.intervals[0]).toMatchObject({ from: { kind: 'previous' }, priority: false });
    expect(dose2?.conditionalSkips.map((s) => s.context)).toEqual(['Evaluation', 'Forecast']);
    expect(dose2?.conditionalSkips[0]?.sets[0]?.conditions[0]).toMatchObject({
      type: 'Age',
      beginAge: { months: 15, days: -4 },
    });
  });

  it('reads intervals from a target dose, from the most recent vaccine type and with priority', () => {
    const pertussis = rules.antigens.get('Pertussis')?.series[0];
    const dose10 = pertussis?.doses[9];
    const recent = dose10?.intervals.find((i) => i.from.kind === 'mostRecent');
    expect(recent?.priority).toBe(true);
    expect(recent?.from.kind === 'mostRecent' && [...recent.from.cvx]).toEqual([
      '9',
      '28',
      '35',
      '113',
      '138',
      '139',
    ]);
    // Equal lists are one set (the engine memoises each set's doses per patient).
    const sets = new Set<ReadonlySet<string>>();
    for (const series of rules.antigens.get('Pertussis')?.series ?? []) {
      for (const dose of series.doses) {
        for (const i of dose.intervals) {
          if (i.from.kind === 'mostRecent') {
            sets.add(i.from.cvx);
          }
        }
      }
    }
    expect([...sets].map((set) => [...set].join(' '))).toEqual(['9 28 35 113 138 139']);
  });

  it('reads birth-date immunity and its exclusions', () => {
    expect(rules.antigens.get('Measles')?.birthDateImmunity[0]).toMatchObject({
      immunityBirthDate: { year: 1957, month: 1, day: 1 },
    });
    expect([
      ...(rules.antigens.get('Measles')?.birthDateImmunity[0]?.exclusionCodes ?? []),
    ]).toContain('055');
  });

  it('indexes live virus conflicts by the impacted vaccine type', () => {
    const impactingVaricella = rules.liveVirusConflictsByCurrent
      .get('21')
      ?.map((c) => c.previousCvx);
    expect(impactingVaricella).toContain('3');
  });

  it('gives every compiled component of a kind the same keys, empty values included', () => {
    // One object shape per kind keeps the engine's property reads monomorphic (fast); an empty
    // field is present with the value undefined rather than left out.
    const keysOf = (o: object) => Object.keys(o).join(',');
    const ages = new Set<string>();
    const intervals = new Set<string>();
    const conditions = new Set<string>();
    const doses = new Set<string>();
    for (const antigen of rules.antigens.values()) {
      for (const s of antigen.series) {
        for (const d of s.doses) {
          doses.add(keysOf(d));
          d.ages.forEach((a) => ages.add(keysOf(a)));
          d.intervals.forEach((i) => intervals.add(keysOf(i)));
          for (const skip of d.conditionalSkips) {
            for (const set of skip.sets) {
              set.conditions.forEach((c) => conditions.add(keysOf(c)));
            }
          }
        }
      }
    }
    expect([ages.size, intervals.size, conditions.size, doses.size]).toEqual([1, 1, 1, 1]);
    expect([...ages][0]).toBe(
      'absMinAge,minAge,earliestRecAge,latestRecAge,maxAge,effectiveDate,cessationDate',
    );
  });

  it('shares equal durations between components', () => {
    const hib = rules.antigens.get('Hib')?.series[0];
    expect(hib?.doses[1]?.intervals[0]?.absMinInt).toBe(hib?.doses[2]?.intervals[0]?.absMinInt);
  });

  it('lists every distinct duration once, at its slot, for the per-patient age dates', () => {
    const minAge = rules.antigens.get('Hib')?.series[0]?.doses[1]?.ages[0]?.minAge as
      RuleSetDuration | undefined;
    expect(minAge?.text).toBe('10 weeks');
    expect(rules.durations[minAge?.slot ?? -1]).toBe(minAge);
    expect(rules.durations.map((d, i) => d.slot === i)).not.toContain(false);
    const values = rules.durations.map((d) => `${d.years}y${d.months}m${d.weeks}w${d.days}d`);
    expect(new Set(values).size).toBe(values.length);
  });

  it('reports every malformed value with its file and JSON pointer', () => {
    const broken = withAntigen('Hib', (file) => {
      const data = file['antigenSupportingData'] as {
        series: { seriesDose: { age: { minAge: string }[] }[] }[];
      };
      data.series[0]!.seriesDose[0]!.age[0]!.minAge = 'six weeks';
      data.series[0]!.seriesDose[1]!.age[0]!.minAge = '10 wks';
    });
    let error: unknown;
    try {
      compileRuleSet(broken);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RuleSetError);
    expect((error as RuleSetError).problems.map((p) => [p.file, p.pointer])).toEqual([
      ['cdsi/4.64/antigens/hib.json', '/antigenSupportingData/series/0/seriesDose/0/age/0/minAge'],
      ['cdsi/4.64/antigens/hib.json', '/antigenSupportingData/series/0/seriesDose/1/age/0/minAge'],
    ]);
  });
});
