/**
 * Request bodies for the HTTP benchmark and the runtime tests: `$immds-forecast` Parameters for a
 * typical two-year-old and for an adult with a long history, and a CDS Hooks `patient-view`
 * request with full prefetch. All data is made up; the patient carries a name, an identifier,
 * a birth date and an address so the log-privacy test can look for them.
 *
 * @packageDocumentation
 */
import type { Bundle, Immunization, Parameters, Patient } from 'fhir/r4';

const CVX = 'http://hl7.org/fhir/sid/cvx';

/** Values that must never appear in a log line. */
export const PATIENT_SECRETS = {
  family: 'Zyxwvutsrq',
  given: 'Quillonetta',
  identifier: 'MRN-4419-7731-XQ',
  street: '8421 Wintergreen Hollow',
  city: 'Plumbridgeton',
} as const;

function patient(id: string, birthDate: string, gender: 'female' | 'male'): Patient {
  return {
    resourceType: 'Patient',
    id,
    gender,
    birthDate,
    name: [{ family: PATIENT_SECRETS.family, given: [PATIENT_SECRETS.given] }],
    identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5', value: PATIENT_SECRETS.identifier }],
    address: [{ line: [PATIENT_SECRETS.street], city: PATIENT_SECRETS.city, postalCode: '99501' }],
  };
}

function immunization(patientId: string, id: string, date: string, cvx: string): Immunization {
  return {
    resourceType: 'Immunization',
    id,
    status: 'completed',
    vaccineCode: { coding: [{ system: CVX, code: cvx }] },
    patient: { reference: `Patient/${patientId}` },
    occurrenceDateTime: date,
    primarySource: true,
  };
}

const CHILD_DOSES: readonly (readonly [string, string, string])[] = [
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
  ['pcv-3', '2024-09-20', '215'],
];

function adultDoses(): (readonly [string, string, string])[] {
  const doses: (readonly [string, string, string])[] = [
    ['mmr-1', '1961-09-01', '03'],
    ['mmr-2', '1965-09-01', '03'],
    ['td-1', '1996-05-10', '09'],
    ['hepb-1', '1999-02-01', '43'],
    ['hepb-2', '1999-03-01', '43'],
    ['hepb-3', '1999-08-01', '43'],
    ['hepa-1', '2004-01-15', '52'],
    ['hepa-2', '2004-08-15', '52'],
    ['tdap-1', '2008-06-02', '115'],
    ['td-2', '2018-06-04', '113'],
    ['zos-1', '2019-10-01', '187'],
    ['zos-2', '2020-01-10', '187'],
    ['pcv-1', '2025-10-01', '216'],
  ];
  for (let year = 2001; year <= 2025; year += 1) {
    doses.push([`flu-${year}`, `${year}-10-15`, '141']);
  }
  return doses;
}

function parameters(
  p: Patient,
  assessmentDate: string,
  doses: readonly (readonly [string, string, string])[],
): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'assessmentDate', valueDate: assessmentDate },
      { name: 'patient', resource: p },
      ...doses.map(([id, date, cvx]) => ({
        name: 'immunization',
        resource: immunization(p.id ?? 'p', id, date, cvx),
      })),
    ],
  };
}

/** `$immds-forecast` input: a two-year-old (born 2024-03-15, assessed 2026-03-20), 15 doses. */
export function childForecastRequest(): Parameters {
  return parameters(patient('child-1', '2024-03-15', 'female'), '2026-03-20', CHILD_DOSES);
}

/** `$immds-forecast` input: a 65-year-old with 38 doses over 64 years (yearly flu since 2001). */
export function adultForecastRequest(): Parameters {
  return parameters(patient('adult-1', '1960-07-04', 'male'), '2026-03-20', adultDoses());
}

/**
 * A CDS Hooks `patient-view` request for the two-year-old, with full prefetch (`patient`,
 * `immunizations`, and empty condition/observation/allergy bundles).
 *
 * @param baseUrl - the FHIR server named in the request (never called with full prefetch)
 */
export function patientViewRequest(baseUrl = 'https://ehr.example.org/fhir'): unknown {
  const p = patient('child-1', '2024-03-15', 'female');
  const bundle = (resources: readonly Immunization[]): Bundle => ({
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    entry: resources.map((resource) => ({ resource })),
  });
  return {
    hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
    fhirServer: baseUrl,
    hook: 'patient-view',
    context: { userId: 'Practitioner/example', patientId: p.id },
    prefetch: {
      patient: p,
      immunizations: bundle(
        CHILD_DOSES.map(([id, date, cvx]) => immunization(p.id ?? 'p', id, date, cvx)),
      ),
      conditions: bundle([]),
      observations: bundle([]),
      allergies: bundle([]),
    },
  };
}
