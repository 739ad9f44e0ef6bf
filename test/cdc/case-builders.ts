/**
 * Builders for hand-made CDC cases and engine results, so the conformance comparator can be
 * tested without the engine. Synthetic data only: nothing here depends on a CDC case id or date.
 */
import { CalendarDate } from '../../src/calendar';
import type { CdcDose, CdcTestCase } from '../../src/conformance/test-case';
import type {
  EvaluationStatus,
  Forecast,
  ForecastResult,
  GroupDoseEvaluation,
  Reason,
  SeriesStatus,
  VaccineGroupResult,
} from '../../src/engine/model';

export const date = (text: string): CalendarDate => CalendarDate.parse(text);

export function cdcDose(overrides: Partial<CdcDose> = {}): CdcDose {
  return {
    doseNumber: 1,
    date: '2020-03-01',
    vaccineName: 'DTaP, unspecified formulation',
    cvx: '107',
    mvx: null,
    expectedEvaluation: 'Valid',
    expectedReason: null,
    ...overrides,
  };
}

/** A "dates" case: DTaP, two valid doses, dose 3 forecast. */
export function cdcCase(overrides: Partial<CdcTestCase> = {}): CdcTestCase {
  return {
    id: 'TEST-0001',
    set: 'healthy',
    sourceVersion: 'test',
    title: 'synthetic case',
    description: null,
    group: 'DTAP',
    groupNormalized: 'DTaP/Tdap/Td',
    dob: '2020-01-01',
    assessmentDate: '2020-06-01',
    gender: 'F',
    doses: [
      cdcDose({ doseNumber: 1, date: '2020-03-01' }),
      cdcDose({ doseNumber: 2, date: '2020-05-01' }),
    ],
    observations: [],
    expectedForecast: {
      seriesStatus: 'Not complete',
      forecastNumber: 3,
      forecastNumberRaw: '3',
      earliest: '2020-05-29',
      recommended: '2020-07-01',
      pastDue: '2020-08-29',
      vaccineTypes: null,
    },
    evaluationTestType: null,
    forecastTestType: null,
    testType: 'both',
    forecastKind: 'dates',
    dateAdded: null,
    dateUpdated: null,
    reasonForChange: null,
    changedInVersion: null,
    extra: {},
    source: { sheet: 'test', row: 1 },
    ...overrides,
  };
}

export function reason(text: string): Reason {
  return { code: text.toUpperCase().replace(/[^A-Z]+/g, '_'), text, rule: 'TEST' };
}

export function groupDose(
  doseId: string,
  dateText: string,
  status: EvaluationStatus = 'Valid',
  reasons: readonly Reason[] = [],
): GroupDoseEvaluation {
  return {
    doseId,
    dateAdministered: date(dateText),
    cvx: '107',
    status,
    reasons,
    byAntigen: [],
  };
}

export function forecastOf(
  doseNumber: number,
  earliest: string,
  recommended: string,
  pastDue?: string,
): Forecast {
  return {
    doseNumber,
    earliestDate: date(earliest),
    recommendedDate: date(recommended),
    ...(pastDue === undefined ? {} : { pastDueDate: date(pastDue) }),
    recommendedVaccines: [],
  };
}

export function groupResult(overrides: Partial<VaccineGroupResult> = {}): VaccineGroupResult {
  return {
    vaccineGroup: 'DTaP/Tdap/Td',
    status: 'Not Complete',
    doseEvaluations: [groupDose('1', '2020-03-01'), groupDose('2', '2020-05-01')],
    forecast: forecastOf(3, '2020-05-29', '2020-07-01', '2020-08-29'),
    antigens: [],
    reasons: [],
    ...overrides,
  };
}

export function forecastResult(
  groups: readonly VaccineGroupResult[] = [groupResult()],
  overrides: Partial<ForecastResult> = {},
): ForecastResult {
  return {
    assessmentDate: date('2020-06-01'),
    ruleSet: 'test@0',
    vaccineGroups: groups,
    unusedDoses: [],
    ...overrides,
  };
}

const ENGINE_STATUS: Readonly<Record<string, SeriesStatus>> = {
  notcomplete: 'Not Complete',
  complete: 'Complete',
  immune: 'Immune',
  contraindicated: 'Contraindicated',
  agedout: 'Aged Out',
  notrecommended: 'Not Recommended',
};

const ENGINE_EVALUATION: Readonly<Record<string, EvaluationStatus>> = {
  valid: 'Valid',
  notvalid: 'Not Valid',
  extraneous: 'Extraneous',
  'sub-standard': 'Sub-standard',
};

function lookup<T>(table: Readonly<Record<string, T>>, cdcText: string): T {
  const value = table[cdcText.toLowerCase().replace(/\s+/g, '')];
  if (value === undefined) {
    throw new Error(`no engine spelling for CDC value ${JSON.stringify(cdcText)}`);
  }
  return value;
}

/**
 * A fake engine that answers exactly what the case expects, in the engine's own spellings
 * ("Not Complete", "Aged Out"). Every case should pass against it.
 */
export function echoResult(c: CdcTestCase): ForecastResult {
  const e = c.expectedForecast;
  const forecast =
    e.forecastNumber !== null && e.earliest !== null && e.recommended !== null
      ? forecastOf(e.forecastNumber, e.earliest, e.recommended, e.pastDue ?? undefined)
      : undefined;
  const group: VaccineGroupResult = {
    vaccineGroup: c.groupNormalized,
    status: lookup(ENGINE_STATUS, e.seriesStatus),
    doseEvaluations: c.doses.map((d, i) =>
      groupDose(
        String(i + 1),
        d.date,
        lookup(ENGINE_EVALUATION, d.expectedEvaluation ?? 'Valid'),
        d.expectedReason === null ? [] : [reason(d.expectedReason)],
      ),
    ),
    ...(forecast === undefined ? {} : { forecast }),
    antigens: [],
    reasons: [],
  };
  return forecastResult([group], { assessmentDate: date(c.assessmentDate) });
}

/** A shallow copy of `obj` without `key`. */
export function without<T extends object, K extends keyof T & string>(obj: T, key: K): Omit<T, K> {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key)) as Omit<T, K>;
}
