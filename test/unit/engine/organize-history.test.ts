import { organizeHistory } from '../../../src/engine/organize-history';
import { antigenSlotsOf } from '../../../src/engine/patient-context';
import {
  antigen,
  context,
  dur,
  patient,
  ruleSet,
  series,
  seriesDose,
} from './support/rule-set-builder';

describe('organize immunization history (§4.2)', () => {
  const rules = ruleSet({
    antigens: ['D', 'T', 'P', 'Varicella', 'Zoster'].map((a) =>
      antigen(a, { series: [series({ antigen: a, doses: [seriesDose(1)] })] }),
    ),
    cvx: { '107': ['D', 'T', 'P'], '9': ['D', 'T'] },
    vaccineTypes: [
      {
        cvx: '121',
        shortDescription: 'Zoster live',
        associations: [
          {
            antigen: 'Varicella',
            associationBeginAge: dur('0 days'),
            associationEndAge: dur('50 years'),
          },
          { antigen: 'Zoster', associationBeginAge: dur('50 years') },
        ],
      },
    ],
  });

  it('breaks a combination vaccine into one record per antigen, sorted by date within each antigen', () => {
    const pc = context(
      patient('2020-01-01', [
        { date: '2020-06-01', cvx: '107' },
        { date: '2020-04-01', cvx: '09' },
      ]),
      rules,
      '2021-01-01',
    );
    const organized = organizeHistory(pc);
    expect(organized.byAntigen.get('D')?.map((r) => r.patientDose.id)).toEqual(['2', '1']);
    expect(organized.byAntigen.get('P')?.map((r) => r.patientDose.id)).toEqual(['1']);
    expect(organized.unused).toEqual([]);
  });

  it('associates a CVX with an antigen only within the association ages', () => {
    const young = organizeHistory(
      context(patient('1980-01-01', [{ date: '2020-01-01', cvx: '121' }]), rules, '2021-01-01'),
    );
    expect(young.byAntigen.has('Varicella')).toBe(true);
    expect(young.byAntigen.has('Zoster')).toBe(false);
    const old = organizeHistory(
      context(patient('1960-01-01', [{ date: '2020-01-01', cvx: '121' }]), rules, '2021-01-01'),
    );
    expect(old.byAntigen.has('Zoster')).toBe(true);
    expect(old.byAntigen.has('Varicella')).toBe(false);
  });

  it('files the records by antigen slot: the same lists as by name', () => {
    const pc = context(
      patient('1960-01-01', [
        { date: '2020-06-01', cvx: '107' },
        { date: '2020-04-01', cvx: '09' },
        { date: '2020-05-01', cvx: '121' },
      ]),
      rules,
      '2021-01-01',
    );
    const organized = organizeHistory(pc);
    const slots = antigenSlotsOf(rules);
    const bySlot = ['D', 'T', 'P', 'Varicella', 'Zoster'].map((a) => {
      const records = organized.bySlot[slots.get(a) as number];
      expect(records).toBe(organized.byAntigen.get(a));
      return [a, records?.map((r) => `${r.patientDose.id}:${r.antigen}`)];
    });
    expect(bySlot).toEqual([
      ['D', ['2:D', '1:D']],
      ['T', ['2:T', '1:T']],
      ['P', ['1:P']],
      ['Varicella', undefined],
      ['Zoster', ['3:Zoster']],
    ]);
    expect([...organized.byAntigen.keys()].sort()).toEqual(['D', 'P', 'T', 'Zoster']);
  });

  it('counts a dose for an associated antigen that has no rules (not reported unused)', () => {
    const withOther = ruleSet({
      antigens: [antigen('A', { series: [series({ doses: [seriesDose(1)] })] })],
      cvx: { '1': ['A'], '5': ['Other'] },
    });
    const organized = organizeHistory(
      context(patient('2020-01-01', [{ date: '2020-06-01', cvx: '5' }]), withOther, '2021-01-01'),
    );
    expect(organized.unused).toEqual([]);
    expect(organized.byAntigen.get('Other')?.map((r) => r.patientDose.id)).toEqual(['1']);
    expect(organized.bySlot[antigenSlotsOf(withOther).get('Other') as number]).toHaveLength(1);
  });

  it('reports a dose of an unknown CVX as unused instead of dropping it', () => {
    const organized = organizeHistory(
      context(patient('2020-01-01', [{ date: '2020-06-01', cvx: '999' }]), rules, '2021-01-01'),
    );
    expect(organized.byAntigen.size).toBe(0);
    expect(organized.unused.map((u) => [u.doseId, u.reason.code, u.reason.details])).toEqual([
      ['1', 'unknown-vaccine', { cvx: '999' }],
    ]);
  });
});
