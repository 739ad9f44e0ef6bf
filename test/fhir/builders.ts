/**
 * Builders for `$immds-forecast` requests and helpers to look into answers. Synthetic patients
 * only. The committed rules are loaded once per test file that calls {@link committedCatalog}.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  Immunization,
  ImmunizationEvaluation,
  ImmunizationRecommendation,
  ImmunizationRecommendationRecommendation,
  OperationOutcome,
  OperationOutcomeIssue,
  Parameters,
  ParametersParameter,
  Patient,
} from 'fhir/r4';
import { SYSTEM } from '../../src/fhir/codes';
import { findRepoRoot } from '../../src/rules/repo-root';
import { loadRuleCatalog, type RuleCatalog } from '../../src/rules/rule-catalog';

export const repoRoot = findRepoRoot(__dirname);

/** The committed rules and code tables (about 1 s): call once per test file. */
export function committedCatalog(): RuleCatalog {
  return loadRuleCatalog(join(repoRoot, 'rules'));
}

/** A fixture of test/fhir/fixtures/ as parsed JSON. */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));
}

export function patient(overrides: Partial<Patient> = {}): Patient {
  return {
    resourceType: 'Patient',
    id: 'p1',
    gender: 'female',
    birthDate: '2024-03-15',
    ...overrides,
  };
}

export const cvx = (code: string) => ({ coding: [{ system: SYSTEM.cvx, code }] });
export const ndc = (code: string) => ({ coding: [{ system: SYSTEM.ndc, code }] });
export const cpt = (code: string) => ({ coding: [{ system: SYSTEM.cpt, code }] });

export function immunization(
  id: string | undefined,
  date: string,
  vaccineCode: Immunization['vaccineCode'],
  overrides: Partial<Immunization> = {},
): Immunization {
  return {
    resourceType: 'Immunization',
    ...(id === undefined ? {} : { id }),
    status: 'completed',
    vaccineCode,
    patient: { reference: 'Patient/p1' },
    occurrenceDateTime: date,
    primarySource: true,
    ...overrides,
  };
}

/** A Parameters request: assessment date, patient, then the other parameters as given. */
export function request(
  assessmentDate: string,
  p: Patient,
  ...rest: ParametersParameter[]
): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'assessmentDate', valueDate: assessmentDate },
      { name: 'patient', resource: p },
      ...rest,
    ],
  };
}

export const imm = (i: Immunization): ParametersParameter => ({
  name: 'immunization',
  resource: i,
});

/**
 * A two-year-old girl (born 2024-03-15, assessed 2026-03-20) with the routine childhood doses
 * of her first two years, all as CVX codes.
 */
export function twoYearOld(): Parameters {
  const doses: [string, string, string][] = [
    ['hepb-1', '2024-03-15', '08'],
    ['hepb-2', '2024-04-19', '08'],
    ['dtap-1', '2024-05-17', '20'],
    ['hib-1', '2024-05-17', '49'],
    ['ipv-1', '2024-05-17', '10'],
    ['pcv-1', '2024-05-17', '215'],
    ['rv-1', '2024-05-17', '119'],
    ['dtap-2', '2024-07-19', '20'],
    ['hib-2', '2024-07-19', '49'],
    ['ipv-2', '2024-07-19', '10'],
    ['pcv-2', '2024-07-19', '215'],
    ['rv-2', '2024-07-19', '119'],
    ['hepb-3', '2024-09-20', '08'],
    ['dtap-3', '2024-09-20', '20'],
    ['ipv-3', '2024-09-20', '10'],
    ['pcv-3', '2024-09-20', '215'],
    ['mmr-1', '2025-03-21', '03'],
    ['var-1', '2025-03-21', '21'],
    ['hepa-1', '2025-03-21', '83'],
    ['hib-3', '2025-03-21', '49'],
    ['pcv-4', '2025-03-21', '215'],
    ['dtap-4', '2025-06-20', '20'],
  ];
  return request(
    '2026-03-20',
    patient(),
    ...doses.map(([id, date, code]) => imm(immunization(id, date, cvx(code)))),
  );
}

// ---------------------------------------------------------------------------------------------
// Looking into answers
// ---------------------------------------------------------------------------------------------

export function outParams(p: Parameters | undefined, name: string): ParametersParameter[] {
  return (p?.parameter ?? []).filter((x) => x.name === name);
}

export function recommendationOf(p: Parameters | undefined): ImmunizationRecommendation {
  const [only] = outParams(p, 'recommendation');
  return only!.resource as ImmunizationRecommendation;
}

export function groupOf(
  p: Parameters | undefined,
  vaccineGroup: string,
): ImmunizationRecommendationRecommendation {
  const found = recommendationOf(p).recommendation.find(
    (r) => r.targetDisease?.text === vaccineGroup,
  );
  if (found === undefined) {
    throw new Error(`no recommendation for ${vaccineGroup}`);
  }
  return found;
}

export function evaluationsOf(p: Parameters | undefined): ImmunizationEvaluation[] {
  return outParams(p, 'evaluation').map((x) => x.resource as ImmunizationEvaluation);
}

export function informationOf(p: Parameters | undefined): OperationOutcomeIssue[] {
  const [only] = outParams(p, 'information');
  return only === undefined ? [] : (only.resource as OperationOutcome).issue;
}

/** The `dateCriterion` of a recommendation as LOINC code → date. */
export function datesOf(r: ImmunizationRecommendationRecommendation): Record<string, string> {
  return Object.fromEntries(
    (r.dateCriterion ?? []).map((c) => [c.code.coding?.[0]?.code ?? '', c.value]),
  );
}
