import {
  determineForecastNeed,
  forecastNeedBeforeCandidate,
  forecastNeedFromCandidate,
  type ForecastNeedFacts,
} from '../../../../src/engine/forecast/forecast-need';
import { day } from '../support/rule-set-builder';

const base: ForecastNeedFacts = {
  hasNotSatisfiedTargetDose: true,
  hasSatisfiedTargetDose: false,
  immune: false,
  contraindicated: false,
  assessmentDate: day('2025-01-01'),
  seasonalEndDate: undefined,
  maximumAgeDate: undefined,
  candidateEarliestDate: day('2025-02-01'),
};

describe('determine forecast need (§7.4, table 7-10)', () => {
  it('needs another dose when a target dose is not satisfied and nothing prevents it', () => {
    expect(determineForecastNeed(base)).toEqual({ need: true });
  });

  it.each([
    [
      { hasNotSatisfiedTargetDose: false, hasSatisfiedTargetDose: true },
      'Complete',
      'series-complete',
    ],
    [{ hasNotSatisfiedTargetDose: false }, 'Not Recommended', 'not-recommended-history'],
    [{ immune: true }, 'Immune', 'immune'],
    [{ contraindicated: true }, 'Contraindicated', 'contraindicated'],
    [{ seasonalEndDate: day('2024-12-31') }, 'Not Recommended', 'past-seasonal-end'],
    [{ maximumAgeDate: day('2025-01-01') }, 'Aged Out', 'aged-out'],
    [{ maximumAgeDate: day('2025-02-01') }, 'Aged Out', 'cannot-finish'],
    [{ candidateEarliestDate: undefined }, 'Aged Out', 'cannot-finish'],
  ] as const)('gives %o the status %s', (facts, status, reason) => {
    expect(determineForecastNeed({ ...base, ...facts })).toEqual({ need: false, status, reason });
  });

  it('leaves only the last rule to the candidate earliest date (computed only when needed)', () => {
    const { candidateEarliestDate, ...withoutCandidate } = base;
    expect(forecastNeedBeforeCandidate(withoutCandidate)).toBeUndefined();
    expect(forecastNeedFromCandidate(candidateEarliestDate, undefined)).toEqual({ need: true });
    expect(forecastNeedFromCandidate(undefined, undefined)).toMatchObject({
      reason: 'cannot-finish',
    });
    expect(
      forecastNeedBeforeCandidate({ ...withoutCandidate, maximumAgeDate: day('2024-06-01') }),
    ).toMatchObject({ reason: 'aged-out' });
  });

  it('reads the table left to right: a complete series is complete even with a contraindication', () => {
    const facts = {
      ...base,
      hasNotSatisfiedTargetDose: false,
      hasSatisfiedTargetDose: true,
      contraindicated: true,
    };
    expect(determineForecastNeed(facts)).toMatchObject({ status: 'Complete' });
  });
});
