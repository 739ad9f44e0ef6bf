import {
  compareCase,
  normalizeReason,
  normalizeStatus,
  runCase,
  type CaseResult,
} from '../../src/conformance/compare';
import { defaultCaseFiles, loadCorpus } from '../../src/conformance/corpus';
import { findRepoRoot } from '../../src/rules/repo-root';
import {
  cdcCase,
  cdcDose,
  echoResult,
  forecastOf,
  forecastResult,
  groupDose,
  groupResult,
  reason,
  without,
} from './case-builders';

const whats = (r: CaseResult): string[] => r.differences.map((d) => d.what);

describe('compareCase', () => {
  it('passes when the engine answers what the case expects, in its own spellings', () => {
    const r = compareCase(cdcCase(), forecastResult());
    expect(r).toEqual({
      id: 'TEST-0001',
      set: 'healthy',
      group: 'DTaP/Tdap/Td',
      passed: true,
      differences: [],
    });
  });

  it('finds the vaccine group case-insensitively', () => {
    const r = compareCase(
      cdcCase(),
      forecastResult([groupResult({ vaccineGroup: 'dtap/TDAP/td' })]),
    );
    expect(r.passed).toBe(true);
  });

  it('fails when the vaccine group is not in the result', () => {
    const r = compareCase(cdcCase(), forecastResult([groupResult({ vaccineGroup: 'Polio' })]));
    expect(r.passed).toBe(false);
    expect(r.differences).toEqual([
      { what: 'vaccine group in result', expected: 'DTaP/Tdap/Td', actual: 'only Polio' },
    ]);
  });

  it('fails on a different series status', () => {
    const r = compareCase(
      cdcCase({ forecastKind: 'status-only' }),
      forecastResult([groupResult({ status: 'Complete' })]),
    );
    expect(r.passed).toBe(false);
    expect(r.differences).toEqual([
      { what: 'series status', expected: 'Not complete', actual: 'Complete' },
    ]);
  });

  it.each([
    ['Not complete', 'Not Complete'],
    ['Aged out', 'Aged Out'],
    ['Not  Complete', 'Not Complete'],
  ] as const)('accepts CDC status %j for engine status %j', (cdc, engine) => {
    const c = cdcCase({
      forecastKind: 'status-only',
      expectedForecast: { ...cdcCase().expectedForecast, seriesStatus: cdc },
    });
    expect(compareCase(c, forecastResult([groupResult({ status: engine })])).passed).toBe(true);
  });

  it('fails on a different earliest date and names both dates', () => {
    const g = groupResult({ forecast: forecastOf(3, '2020-05-30', '2020-07-01', '2020-08-29') });
    const r = compareCase(cdcCase(), forecastResult([g]));
    expect(r.differences).toEqual([
      { what: 'earliest date', expected: '2020-05-29', actual: '2020-05-30' },
    ]);
  });

  it('fails on a different forecast dose number', () => {
    const g = groupResult({ forecast: forecastOf(4, '2020-05-29', '2020-07-01', '2020-08-29') });
    expect(whats(compareCase(cdcCase(), forecastResult([g])))).toEqual(['forecast dose number']);
  });

  it('fails when the CDC expects no past-due date and the engine gives one', () => {
    const c = cdcCase({ expectedForecast: { ...cdcCase().expectedForecast, pastDue: null } });
    const r = compareCase(c, forecastResult());
    expect(r.differences).toEqual([
      { what: 'past-due date', expected: null, actual: '2020-08-29' },
    ]);
  });

  it('fails when the CDC expects a past-due date and the engine gives none', () => {
    const g = groupResult({ forecast: forecastOf(3, '2020-05-29', '2020-07-01') });
    const r = compareCase(cdcCase(), forecastResult([g]));
    expect(r.differences).toEqual([
      { what: 'past-due date', expected: '2020-08-29', actual: null },
    ]);
  });

  it('fails on every forecast field when the engine forecasts nothing for a dates case', () => {
    const r = compareCase(cdcCase(), forecastResult([without(groupResult(), 'forecast')]));
    expect(whats(r)).toEqual([
      'forecast dose number',
      'earliest date',
      'recommended date',
      'past-due date',
    ]);
  });

  it('compares no dates for a status-only case', () => {
    const c = cdcCase({
      forecastKind: 'status-only',
      expectedForecast: {
        ...cdcCase().expectedForecast,
        seriesStatus: 'Complete',
        forecastNumber: null,
        earliest: null,
        recommended: null,
        pastDue: null,
      },
    });
    const g = groupResult({ status: 'Complete' });
    expect(compareCase(c, forecastResult([g])).passed).toBe(true);
  });

  it('fails on a different dose evaluation', () => {
    const g = groupResult({
      doseEvaluations: [groupDose('1', '2020-03-01'), groupDose('2', '2020-05-01', 'Not Valid')],
    });
    const r = compareCase(cdcCase(), forecastResult([g]));
    expect(r.differences).toEqual([
      { what: 'dose 2 (2020-05-01, CVX 107) evaluation', expected: 'Valid', actual: 'Not Valid' },
    ]);
  });

  it('counts a dose the engine does not list for the group as a mismatch', () => {
    const g = groupResult({ doseEvaluations: [groupDose('1', '2020-03-01')] });
    const r = compareCase(cdcCase(), forecastResult([g]));
    expect(r.differences).toEqual([
      { what: 'dose 2 (2020-05-01, CVX 107) evaluation', expected: 'Valid', actual: null },
    ]);
  });

  it("judges a dose of another vaccine by its evaluation in that vaccine's group", () => {
    const c = cdcCase({
      doses: [
        cdcDose(),
        cdcDose({ doseNumber: 2, date: '2020-05-01' }),
        cdcDose({
          doseNumber: 3,
          date: '2020-05-15',
          cvx: '21',
          expectedEvaluation: 'Not Valid',
          expectedReason: 'Live Virus Conflict',
        }),
      ],
    });
    const varicella = (status: 'Valid' | 'Not Valid', reasons = [reason('Live virus conflict')]) =>
      groupResult({
        vaccineGroup: 'Varicella',
        doseEvaluations: [groupDose('3', '2020-05-15', status, reasons)],
      });
    expect(compareCase(c, forecastResult([groupResult(), varicella('Not Valid')])).passed).toBe(
      true,
    );
    expect(compareCase(c, forecastResult([groupResult(), varicella('Valid')])).differences).toEqual(
      [
        {
          what: 'dose 3 (2020-05-15, CVX 21) evaluation',
          expected: 'Not Valid',
          actual: 'Valid (in Varicella)',
        },
      ],
    );
    expect(
      compareCase(c, forecastResult([groupResult(), varicella('Not Valid', [reason('Too soon')])]))
        .differences,
    ).toEqual([
      {
        what: 'dose 3 (2020-05-15, CVX 21) reason',
        expected: 'Live Virus Conflict',
        actual: 'Too soon (in Varicella)',
      },
    ]);
  });

  it("uses the case group's evaluation of a dose it lists, whatever other groups say", () => {
    const other = groupResult({
      vaccineGroup: 'Polio',
      doseEvaluations: [groupDose('2', '2020-05-01', 'Not Valid')],
    });
    expect(compareCase(cdcCase(), forecastResult([groupResult(), other])).passed).toBe(true);
  });

  it('says so when a missing dose is among the unused doses', () => {
    const g = groupResult({ doseEvaluations: [groupDose('1', '2020-03-01')] });
    const result = forecastResult([g], {
      unusedDoses: [{ doseId: '2', reason: reason('CVX maps to no antigen') }],
    });
    expect(compareCase(cdcCase(), result).differences[0]?.actual).toBe(
      'not used (CVX maps to no antigen)',
    );
  });

  it('does not require a dose whose evaluation the CDC does not give', () => {
    const c = cdcCase({
      doses: [cdcDose(), cdcDose({ doseNumber: 2, date: '2020-05-01', expectedEvaluation: null })],
    });
    const g = groupResult({ doseEvaluations: [groupDose('1', '2020-03-01')] });
    expect(compareCase(c, forecastResult([g])).passed).toBe(true);
  });

  it.each([
    ['Interval: too Soon', 'Interval too soon'],
    ['Age: Too Young', 'age: too young'],
    ['Not a preferable or allowable vaccine', 'Not a preferable or allowable vaccine.'],
  ])('accepts expected reason %j for engine text %j', (expected, actual) => {
    const c = cdcCase({
      doses: [
        cdcDose(),
        cdcDose({
          doseNumber: 2,
          date: '2020-05-01',
          expectedEvaluation: 'Not Valid',
          expectedReason: expected,
        }),
      ],
    });
    const g = groupResult({
      doseEvaluations: [
        groupDose('1', '2020-03-01'),
        groupDose('2', '2020-05-01', 'Not Valid', [reason('Something else'), reason(actual)]),
      ],
    });
    expect(compareCase(c, forecastResult([g])).passed).toBe(true);
  });

  it('fails when no actual reason matches the expected one', () => {
    const c = cdcCase({
      doses: [
        cdcDose(),
        cdcDose({
          doseNumber: 2,
          date: '2020-05-01',
          expectedEvaluation: 'Not Valid',
          expectedReason: 'Age: Too Young',
        }),
      ],
    });
    const g = groupResult({
      doseEvaluations: [
        groupDose('1', '2020-03-01'),
        groupDose('2', '2020-05-01', 'Not Valid', [
          reason('Age: Too Old'),
          reason('Interval: too soon'),
        ]),
      ],
    });
    expect(compareCase(c, forecastResult([g])).differences).toEqual([
      {
        what: 'dose 2 (2020-05-01, CVX 107) reason',
        expected: 'Age: Too Young',
        actual: 'Age: Too Old; Interval: too soon',
      },
    ]);
  });

  it('fails when the engine gives no reason where the CDC expects one', () => {
    const c = cdcCase({
      doses: [cdcDose({ expectedEvaluation: 'Not Valid', expectedReason: 'Age: Too Young' })],
    });
    const g = groupResult({ doseEvaluations: [groupDose('1', '2020-03-01', 'Not Valid')] });
    expect(compareCase(c, forecastResult([g])).differences).toEqual([
      { what: 'dose 1 (2020-03-01, CVX 107) reason', expected: 'Age: Too Young', actual: null },
    ]);
  });
});

describe('normalizeStatus and normalizeReason', () => {
  it('ignore case and spaces; reasons also punctuation', () => {
    expect(normalizeStatus(' Not  complete ')).toBe(normalizeStatus('Not Complete'));
    expect(normalizeStatus('Not Valid')).not.toBe(normalizeStatus('Valid'));
    expect(normalizeReason('Interval: too Soon')).toBe(normalizeReason('Interval too soon'));
    expect(normalizeReason('Age: Too Young')).not.toBe(normalizeReason('Age: Too Old'));
  });
});

describe('runCase', () => {
  it('turns an engine exception into a failed case with the message', () => {
    const r = runCase(cdcCase(), () => {
      throw new TypeError('boom');
    });
    expect(r.passed).toBe(false);
    expect(r.differences).toEqual([]);
    expect(r.error).toMatch(/^engine threw TypeError: boom/);
  });

  it('reports a case whose dates are not real dates instead of throwing', () => {
    const r = runCase(cdcCase({ dob: '2020-02-30' }), () => forecastResult());
    expect(r.passed).toBe(false);
    expect(r.error).toMatch(/^case input unusable: RangeError: .*2020-02-30/);
  });

  it('passes the history and the assessment date to the engine', () => {
    const seen: string[] = [];
    runCase(cdcCase(), (history, assessmentDate) => {
      seen.push(
        history.birthDate.toString(),
        assessmentDate.toString(),
        history.doses.map((d) => d.id).join(','),
      );
      return forecastResult();
    });
    expect(seen).toEqual(['2020-01-01', '2020-06-01', '1,2']);
  });
});

describe('the comparator against the whole development corpus', () => {
  const cases = loadCorpus(defaultCaseFiles(findRepoRoot(__dirname)));

  it('passes every case when the engine answers exactly what the CDC expects', () => {
    const failing = cases.map((c) => compareCase(c, echoResult(c))).filter((r) => !r.passed);
    expect(failing).toEqual([]);
  });

  it('passes no case when the engine returns no vaccine group', () => {
    const passing = cases.filter((c) => compareCase(c, forecastResult([])).passed);
    expect(passing.map((c) => c.id)).toEqual([]);
  });

  it('fails every case whose series status is changed', () => {
    const passing = cases.filter((c) => {
      const echoed = echoResult(c);
      const group = echoed.vaccineGroups[0]!;
      const status = group.status === 'Complete' ? 'Not Complete' : 'Complete';
      return compareCase(c, { ...echoed, vaccineGroups: [{ ...group, status }] }).passed;
    });
    expect(passing.map((c) => c.id)).toEqual([]);
  });

  it('fails every dates case whose recommended date is one day off', () => {
    const passing = cases
      .filter((c) => c.forecastKind === 'dates')
      .filter((c) => {
        const echoed = echoResult(c);
        const group = echoed.vaccineGroups[0]!;
        const f = group.forecast!;
        const moved = { ...f, recommendedDate: f.recommendedDate.addDays(1) };
        return compareCase(c, { ...echoed, vaccineGroups: [{ ...group, forecast: moved }] }).passed;
      });
    expect(passing.map((c) => c.id)).toEqual([]);
  });

  it('fails every case with doses when the last dose is left out', () => {
    const passing = cases
      .filter((c) => (c.doses.at(-1)?.expectedEvaluation ?? null) !== null)
      .filter((c) => {
        const echoed = echoResult(c);
        const group = echoed.vaccineGroups[0]!;
        const doseEvaluations = group.doseEvaluations.slice(0, -1);
        return compareCase(c, { ...echoed, vaccineGroups: [{ ...group, doseEvaluations }] }).passed;
      });
    expect(passing.map((c) => c.id)).toEqual([]);
  });
});
