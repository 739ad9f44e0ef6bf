import { antigenSlotsOf } from '../../../src/engine/patient-context';
import { canonicalCvx } from '../../../src/engine/rule-set';
import {
  antigen,
  conflict,
  context,
  dur,
  patient,
  ruleSet,
  series,
} from './support/rule-set-builder';

describe('patient context', () => {
  const rules = ruleSet({ antigens: [antigen('A', { series: [series({ doses: [] })] })] });

  it('computes age dates (CALCDTAGE) from the birth date, once per duration object', () => {
    const pc = context(patient('2020-01-31', []), rules, '2021-01-01');
    const sixMonths = dur('6 months - 4 days');
    expect(pc.ageDate(sixMonths).toString()).toBe('2020-07-27');
    expect(pc.ageDate(sixMonths)).toBe(pc.ageDate(sixMonths));
    // Another object with the same text is another cache entry with the same date.
    expect(pc.ageDate(dur('6 months - 4 days')).toString()).toBe('2020-07-27');
    expect(pc.ageDate(dur('1 year')).toString()).toBe('2021-01-31');
  });

  it('puts the doses in date order, keeping the input order for doses of the same day', () => {
    const given = [
      { date: '2020-05-01', cvx: '3' },
      { date: '2020-03-01', cvx: '1' },
      { date: '2020-05-01', cvx: '03' },
      { date: '2020-04-01', cvx: '1' },
    ];
    const pc = context(patient('2020-01-31', given), rules, '2021-01-01');
    expect(pc.doses.map((d) => [d.id, d.date.toString(), d.cvx, d.index])).toEqual([
      ['2', '2020-03-01', '1', 0],
      ['4', '2020-04-01', '1', 1],
      ['1', '2020-05-01', '3', 2],
      ['3', '2020-05-01', '3', 3],
    ]);
    // Already in date order: the same order, the same positions.
    const inOrder = context(patient('2020-01-31', given.slice(1, 2)), rules, '2021-01-01');
    expect(inOrder.doses.map((d) => [d.id, d.index])).toEqual([['1', 0]]);
  });

  it('keeps the age dates of one patient apart from another', () => {
    const twoMonths = dur('2 months');
    const a = context(patient('2020-01-01', []), rules, '2021-01-01');
    const b = context(patient('2019-05-10', []), rules, '2021-01-01');
    expect(a.ageDate(twoMonths).toString()).toBe('2020-03-01');
    expect(b.ageDate(twoMonths).toString()).toBe('2019-07-10');
    expect(a.ageDate(twoMonths).toString()).toBe('2020-03-01');
  });

  it('keeps the age dates of the rule set durations by slot, apart from other durations', () => {
    // As the compiler makes them: one object per value, numbered by its place in the list.
    const slotted = { ...dur('2 months'), slot: 0 };
    const withDurations = { ...rules, durations: [slotted] };
    // A duration of another rule set can carry the same slot: it is not this rule set's.
    const elsewhere = { ...dur('1 year'), slot: 0 };
    const pc = context(patient('2020-01-31', []), withDurations, '2021-01-01');
    expect(pc.ageDate(slotted).toString()).toBe('2020-03-31');
    expect(pc.ageDate(elsewhere).toString()).toBe('2021-01-31');
    expect(pc.ageDate(slotted).toString()).toBe('2020-03-31');
    expect(pc.ageDate(dur('2 months')).toString()).toBe('2020-03-31');
  });

  it('lists the doses that can end a live virus conflict (CALCDTCONFLICT-3), in date order', () => {
    const withConflicts = ruleSet({
      antigens: [antigen('A', { series: [series({ doses: [] })] })],
      cvx: { '1': ['A'], '3': ['A'], '21': ['A'] },
      conflicts: [conflict('03', '21', '1 day', '24 days', '28 days')],
    });
    const pc = context(
      patient('2020-01-31', [
        { date: '2021-06-01', cvx: '03' },
        { date: '2021-03-01', cvx: '21' },
        { date: '2021-02-01', cvx: '1' },
        { date: '2021-01-01', cvx: '3' },
      ]),
      withConflicts,
      '2022-01-01',
    );
    // MMR (3) is the conflicting type; Varicella (21) is only impacted, vaccine 1 has no conflict.
    expect(pc.conflictingDoses.map((d) => [d.id, d.index])).toEqual([
      ['4', 0],
      ['1', 3],
    ]);
    expect(
      context(patient('2020-01-31', [{ date: '2021-01-01' }]), withConflicts, '2022-01-01')
        .conflictingDoses,
    ).toEqual([]);
  });

  it("gives each dose its rule set's vaccine type, antigen slots and impacting conflicts (§4.2, §6.7)", () => {
    const withConflicts = ruleSet({
      antigens: [
        antigen('A', { series: [series({ doses: [] })] }),
        antigen('B', { series: [series({ antigen: 'B', doses: [] })] }),
      ],
      // 7 is associated with an antigen the rule set has no rules for.
      cvx: { '1': ['A'], '21': ['B', 'A'], '7': ['Other'] },
      // MMR (3) is only a conflicting ("previous") type, not a vaccine type of the rule set.
      conflicts: [conflict('03', '21', '1 day', '24 days', '28 days')],
    });
    const pc = context(
      patient('2020-01-31', [
        { date: '2021-01-01', cvx: '03' },
        { date: '2021-02-01', cvx: '021' },
        { date: '2021-03-01', cvx: '7' },
        { date: '2021-04-01', cvx: '999' },
      ]),
      withConflicts,
      '2022-01-01',
    );
    const slots = antigenSlotsOf(withConflicts);
    // The rule set's antigens first, in order, then the other associated antigens.
    expect([...slots]).toEqual([
      ['A', 0],
      ['B', 1],
      ['Other', 2],
    ]);
    expect(antigenSlotsOf(withConflicts)).toBe(slots);
    expect(
      pc.doses.map((d) => [
        d.cvx,
        d.vaccineType === withConflicts.vaccineTypes.get(d.cvx),
        d.vaccineType?.cvx,
        d.antigenSlots,
        d.conflictsAsCurrent === withConflicts.liveVirusConflictsByCurrent.get(d.cvx),
        d.conflictsAsCurrent?.length,
      ]),
    ).toEqual([
      ['3', true, undefined, [], true, undefined],
      ['21', true, '21', [1, 0], true, 1],
      ['7', true, '7', [2], true, undefined],
      ['999', true, undefined, [], true, undefined],
    ]);
    expect(pc.conflictingDoses.map((d) => d.id)).toEqual(['1']);
  });

  it('lists the doses of a set of vaccine types in date order, once per set (CALCDTINT-8)', () => {
    const pc = context(
      patient('2020-01-31', [
        { date: '2021-06-01', cvx: '09' },
        { date: '2021-03-01', cvx: '1' },
        { date: '2021-02-01', cvx: '113' },
        { date: '2021-01-01', cvx: '9' },
      ]),
      rules,
      '2022-01-01',
    );
    const td = new Set(['9', '113']);
    expect(pc.dosesOfTypes(td).map((d) => [d.id, d.index])).toEqual([
      ['4', 0],
      ['3', 1],
      ['1', 3],
    ]);
    expect(pc.dosesOfTypes(td)).toBe(pc.dosesOfTypes(td));
    // Another set (even an equal one) is looked up on its own.
    expect(pc.dosesOfTypes(new Set(['1'])).map((d) => d.id)).toEqual(['2']);
    expect(pc.dosesOfTypes(new Set(['115']))).toEqual([]);
  });

  it('keeps CVX codes in canonical form: trimmed, leading zeros off, a zero code kept', () => {
    expect(
      ['03', ' 003 ', '3', '0', '00', '000', '010', '0a0', '', ' ', '115'].map(canonicalCvx),
    ).toEqual(['3', '3', '3', '0', '0', '0', '10', 'a0', '', '', '115']);
  });
});
