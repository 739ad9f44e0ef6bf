import { join } from 'node:path';
import { forecast } from '../../../src/engine';
import { evaluateAndForecastAntigen } from '../../../src/engine/evaluate-and-forecast';
import type {
  PatientHistory,
  PatientObservation,
  VaccineGroupResult,
} from '../../../src/engine/model';
import { organizeHistory } from '../../../src/engine/organize-history';
import { createPatientContext } from '../../../src/engine/patient-context';
import type { AntigenRules, RuleSet } from '../../../src/engine/rule-set';
import { findTwins } from '../../../src/engine/twin-antigens';
import { evaluateVaccineGroup } from '../../../src/engine/vaccine-group';
import { compileRuleSet } from '../../../src/rules/compile-rule-set';
import { loadRawRuleSet } from '../../../src/rules/load-rule-set';
import { findRepoRoot } from '../../../src/rules/repo-root';
import {
  age,
  antigen,
  day,
  dur,
  interval,
  patient,
  ruleSet,
  series,
  seriesDose,
  type DoseSpec,
} from './support/rule-set-builder';

const cdsi: RuleSet = compileRuleSet(
  loadRawRuleSet(join(findRepoRoot(__dirname), 'rules'), '4.64'),
);

function groupAntigens(rules: RuleSet, group: string): AntigenRules[] {
  const g = rules.vaccineGroups.find((v) => v.name === group);
  return (g?.antigens ?? []).map((a) => rules.antigens.get(a) as AntigenRules);
}

/** The DTaP/Tdap/Td group computed antigen by antigen, with no outcome reused. */
function dtapInFull(history: PatientHistory, assessment: string): VaccineGroupResult {
  const pc = createPatientContext(history, cdsi, day(assessment));
  const byAntigen = organizeHistory(pc).byAntigen;
  const group = cdsi.vaccineGroups.find((g) => g.name === 'DTaP/Tdap/Td');
  if (group === undefined) {
    throw new Error('no DTaP group');
  }
  const outcomes = groupAntigens(cdsi, group.name).map((rules) =>
    evaluateAndForecastAntigen(pc, rules, byAntigen.get(rules.antigen) ?? []),
  );
  return evaluateVaccineGroup(pc, group, outcomes);
}

function dtap(history: PatientHistory, assessment: string): VaccineGroupResult {
  const result = forecast(history, cdsi, day(assessment), { vaccineGroups: ['DTaP/Tdap/Td'] });
  return result.vaccineGroups[0] as VaccineGroupResult;
}

function antigenResult(group: VaccineGroupResult, name: string) {
  const a = group.antigens.find((r) => r.antigen === name);
  return {
    series: a?.seriesName,
    status: a?.status,
    doses: a?.doseEvaluations.map((e) => [e.cvx, e.status, e.targetDoseNumber ?? null]),
    next: a?.forecast?.doseNumber,
    recommended: a?.forecast?.recommendedDate.toString(),
    vaccines: a?.forecast?.recommendedVaccines,
  };
}

describe('twin antigens (Tetanus is Diphtheria plus the tetanus-only vaccines)', () => {
  it('finds Tetanus the twin of Diphtheria in the CDSi rule set, told apart by TT vaccines only', () => {
    const twins = findTwins(cdsi, groupAntigens(cdsi, 'DTaP/Tdap/Td'));
    expect(groupAntigens(cdsi, 'DTaP/Tdap/Td').map((a) => a.antigen)).toEqual([
      'Diphtheria',
      'Pertussis',
      'Tetanus',
    ]);
    expect(twins[0]).toBeUndefined();
    expect(twins[1]).toBeUndefined();
    expect(twins[2]?.of).toBe(0);
    expect([...(twins[2]?.distinguishing ?? [])].sort()).toEqual(['112', '142', '35']);
    // Measles, Mumps and Rubella have series of their own: no twins.
    expect(findTwins(cdsi, groupAntigens(cdsi, 'MMR')).every((t) => t === undefined)).toBe(true);
  });

  it('does not take antigens for twins when a rule other than a one-antigen vaccine type differs', () => {
    const dose = (minAge: string, preferable: readonly string[], allowable: readonly string[]) =>
      seriesDose(1, { ages: [age({ minAge })], preferable, allowable });
    const make = (name: string, d: ReturnType<typeof dose>) =>
      antigen(name, { series: [series({ antigen: name, name: `${name} series`, doses: [d] })] });
    const rules = (b: ReturnType<typeof dose>) =>
      ruleSet({
        antigens: [make('A', dose('6 weeks', ['1'], ['1'])), make('B', b)],
        cvx: { '1': ['A', 'B'], '2': ['B'] },
      });
    const twinsWith = (b: ReturnType<typeof dose>) => {
      const r = rules(b);
      return findTwins(r, [...r.antigens.values()]);
    };
    // An extra allowable vaccine that counts for B only: twins.
    expect(twinsWith(dose('6 weeks', ['1'], ['1', '2']))[1]?.of).toBe(0);
    // An extra preferable vaccine changes B's recommended vaccines: not twins.
    expect(twinsWith(dose('6 weeks', ['1', '2'], ['1', '2']))[1]).toBeUndefined();
    // Another minimum age: not twins.
    expect(twinsWith(dose('8 weeks', ['1'], ['1', '2']))[1]).toBeUndefined();
  });

  const adult: DoseSpec[] = [
    { date: '1990-03-01', cvx: '01' },
    { date: '1990-05-01', cvx: '01' },
    { date: '1990-07-01', cvx: '01' },
    { date: '1991-04-01', cvx: '01' },
    { date: '1994-01-15', cvx: '01' },
    { date: '2001-02-01', cvx: '09' },
    { date: '2012-03-01', cvx: '115' },
  ];
  const infant: DoseSpec[] = [
    { date: '2025-03-01', cvx: '20' },
    { date: '2025-05-01', cvx: '110' },
  ];
  const cases: readonly [string, PatientHistory, string][] = [
    ['an adult with DTP, Td and Tdap', patient('1990-01-01', adult), '2026-11-01'],
    ['an infant with two DTaP doses', patient('2025-01-01', infant), '2025-07-15'],
    ['a child with no dose', patient('2024-01-01'), '2026-11-01'],
    [
      'an adult who also had a TT dose (tetanus only)',
      patient('1990-01-01', [...adult, { date: '2020-06-01', cvx: '35' }]),
      '2026-11-01',
    ],
    [
      'an infant with an observation that contraindicates DTaP-Hib-IPV for Tetanus only',
      patient('2025-01-01', infant, { observations: [{ code: '098' }] }),
      '2025-07-15',
    ],
  ];

  it.each(cases)('gives %s the same group result as computing every antigen', (_, history, on) => {
    expect(dtap(history, on)).toEqual(dtapInFull(history, on));
  });

  it('computes Tetanus in full when the patient has a tetanus-only dose (it counts for Tetanus)', () => {
    const [, history, on] = cases[3] as [string, PatientHistory, string];
    const group = dtap(history, on);
    const tetanus = antigenResult(group, 'Tetanus');
    expect(tetanus.series).toBe('Tetanus standard series');
    expect(tetanus.doses).toHaveLength(8);
    expect(antigenResult(group, 'Diphtheria').doses).toHaveLength(7);
    // The TT dose is a valid decennial booster for Tetanus: its next dose is ten years on.
    expect(tetanus.recommended).toBe('2030-06-01');
    expect(antigenResult(group, 'Diphtheria').recommended).toBe('2022-03-01');
  });

  it('computes a twin in full when its antigen facts differ (contraindication, table 7-5)', () => {
    const doses = [seriesDose(1, { ages: [age({ minAge: '6 weeks' })], allowable: ['1'] })];
    const rules = ruleSet({
      antigens: [
        antigen('A', { series: [series({ antigen: 'A', doses })] }),
        antigen('B', {
          series: [series({ antigen: 'B', doses })],
          antigenContraindications: [
            { observationCode: '999', observationTitle: 'x', text: 'x', guidance: '' },
          ],
        }),
      ],
      cvx: { '1': ['A', 'B'] },
      groups: [{ name: 'AB', administerFullVaccineGroup: false, antigens: ['A', 'B'] }],
    });
    expect(findTwins(rules, [...rules.antigens.values()])[1]?.of).toBe(0);
    const statuses = (observations: PatientObservation[]) =>
      forecast(
        patient('2020-01-01', [], { observations }),
        rules,
        day('2020-06-01'),
      ).vaccineGroups[0]?.antigens.map((a) => [a.antigen, a.status]);
    expect(statuses([])).toEqual([
      ['A', 'Not Complete'],
      ['B', 'Not Complete'],
    ]);
    expect(statuses([{ code: '999' }])).toEqual([
      ['A', 'Not Complete'],
      ['B', 'Contraindicated'],
    ]);
  });

  it('computes a twin in full when the history has a distinguishing vaccine neither antigen counts', () => {
    // CVX 2 counts for B only, and only before 1 year of age; B measures its second dose from
    // the most recent dose of CVX 1 or 2 (CALCDTINT-8, searched in the whole history), A from
    // the most recent CVX 1. A CVX 2 dose given at 2 years counts for neither antigen, yet moves
    // B's interval reference.
    const doses = (from: readonly string[]) => [
      seriesDose(1, { ages: [age({ minAge: '6 weeks' })] }),
      seriesDose(2, {
        intervals: [interval({ kind: 'mostRecent', cvx: new Set(from) }, { minInt: '4 weeks' })],
      }),
    ];
    const rules = ruleSet({
      antigens: [
        antigen('A', { series: [series({ antigen: 'A', doses: doses(['1']) })] }),
        antigen('B', { series: [series({ antigen: 'B', doses: doses(['1', '2']) })] }),
      ],
      cvx: { '1': ['A', 'B'] },
      vaccineTypes: [
        {
          cvx: '2',
          shortDescription: 'vaccine 2',
          associations: [{ antigen: 'B', associationEndAge: dur('1 year') }],
        },
      ],
      groups: [{ name: 'AB', administerFullVaccineGroup: false, antigens: ['A', 'B'] }],
    });
    expect(findTwins(rules, [...rules.antigens.values()])[1]?.of).toBe(0);
    const history = patient('2020-01-01', [
      { date: '2022-01-01', cvx: '1' },
      { date: '2022-06-01', cvx: '2' },
    ]);
    const result = forecast(history, rules, day('2022-07-01'));
    expect(
      result.vaccineGroups[0]?.antigens.map((a) => [
        a.antigen,
        a.forecast?.earliestDate.toString(),
      ]),
    ).toEqual([
      ['A', '2022-01-29'],
      ['B', '2022-06-29'],
    ]);
  });

  it('shows the twin under its own name and series, with the same evaluations', () => {
    const [, history, on] = cases[0] as [string, PatientHistory, string];
    const group = dtap(history, on);
    const diphtheria = antigenResult(group, 'Diphtheria');
    const tetanus = antigenResult(group, 'Tetanus');
    expect(diphtheria.series).toBe('Diphtheria standard series');
    expect(tetanus.series).toBe('Tetanus standard series');
    expect(tetanus).toEqual({ ...diphtheria, series: 'Tetanus standard series' });
    for (const e of group.antigens.find((a) => a.antigen === 'Tetanus')?.doseEvaluations ?? []) {
      expect(e.antigen).toBe('Tetanus');
    }
  });
});
