import type { CodeSystem, ValueSet } from 'fhir/r4';
import {
  baseRecommendationStatus,
  DOSE_STATUS,
  FORECAST_REASON_DISPLAY,
  FORECAST_STATUS,
  REASON_CODES,
  STATUS_REASON_DISPLAY,
  SYSTEM,
  TARGET_DISEASE,
  targetDiseaseCoding,
} from '../../src/fhir/codes';
import { REASONS } from '../../src/engine/reasons';
import { committedCatalog, fixture } from './builders';

const catalog = committedCatalog();
const ruleSet = catalog.get(catalog.defaultVersion)!;

function codesOf(file: string): Map<string, string | undefined> {
  const cs = fixture(file) as CodeSystem;
  return new Map((cs.concept ?? []).map((c) => [c.code, c.display]));
}

describe('target diseases', () => {
  const valueSet = fixture('immds-valueset-target-disease.json') as ValueSet;
  const immdsSnomed = new Map(
    (valueSet.compose?.include ?? [])
      .filter((i) => i.system === SYSTEM.snomed)
      .flatMap((i) => i.concept ?? [])
      .map((c) => [c.code, c.display]),
  );

  test('every SNOMED CT code is in the ImmDS targetDisease value set, with its display', () => {
    for (const [antigen, concept] of Object.entries(TARGET_DISEASE)) {
      if (concept !== null) {
        expect([antigen, immdsSnomed.get(concept.code)]).toEqual([antigen, concept.display]);
      }
    }
  });

  test('every antigen of the committed rule set has an entry (a code, or null on purpose)', () => {
    const missing = [...ruleSet.antigens.keys()].filter((a) => !Object.hasOwn(TARGET_DISEASE, a));
    expect(missing).toEqual([]);
  });

  test('an antigen with a concept gets a SNOMED CT coding; one without gets none', () => {
    expect(targetDiseaseCoding('Measles')).toEqual({
      system: 'http://snomed.info/sct',
      code: '14189004',
      display: 'Measles',
    });
    expect(targetDiseaseCoding('HPV')).toBeUndefined();
    expect(targetDiseaseCoding('An antigen of a future rule set')).toBeUndefined();
  });
});

describe('status and reason codes', () => {
  test('every forecast status code is an ImmDS ForecastStatus code with its display', () => {
    const immds = codesOf('immds-codesystem-forecast-status.json');
    for (const c of Object.values(FORECAST_STATUS)) {
      expect(immds.get(c.code)).toBe(c.display);
    }
  });

  test('every ImmDS StatusReason and ForecastReason display matches the IG', () => {
    const status = codesOf('immds-codesystem-status-reason.json');
    const forecast = codesOf('immds-codesystem-forecast-reason.json');
    expect(Object.fromEntries(status)).toEqual(STATUS_REASON_DISPLAY);
    expect(Object.fromEntries(forecast)).toEqual(FORECAST_REASON_DISPLAY);
  });

  test('only Valid is a valid dose; Not Valid, Extraneous and Sub-standard do not count', () => {
    expect(Object.fromEntries(Object.entries(DOSE_STATUS).map(([k, v]) => [k, v.code]))).toEqual({
      Valid: 'valid',
      'Not Valid': 'notvalid',
      Extraneous: 'notvalid',
      'Sub-standard': 'notvalid',
    });
  });

  test('every engine reason has a decided ImmDS mapping (possibly none)', () => {
    expect(Object.keys(REASON_CODES).sort()).toEqual(Object.keys(REASONS).sort());
  });

  test.each([
    ['age-too-young', 'tooyoung'],
    ['age-too-old', 'tooold'],
    ['interval-too-soon', 'toosoon'],
    ['live-virus-conflict', 'productconflict'],
    ['not-preferable-or-allowable', 'inappropriate'],
  ] as const)('the evaluation reason %s is the ImmDS StatusReason %s', (reason, code) => {
    expect(REASON_CODES[reason]).toEqual({ statusReason: code });
  });
});

describe('baseRecommendationStatus', () => {
  test.each([
    ['Complete', 'no-forecast', 'complete'],
    ['Immune', 'no-forecast', 'immune'],
    ['Contraindicated', 'no-forecast', 'contraindicated'],
    ['Aged Out', 'no-forecast', undefined],
    ['Not Recommended', 'no-forecast', undefined],
    ['Not Complete', 'before-earliest', undefined],
    ['Not Complete', 'due', 'due'],
    ['Not Complete', 'overdue', 'overdue'],
    ['Not Complete', 'no-forecast', undefined],
  ] as const)('%s (%s) → %s', (status, timing, expected) => {
    expect(baseRecommendationStatus(status, timing)).toBe(expected);
  });
});
