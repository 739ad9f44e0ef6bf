/**
 * Builders for CDS Hooks tests: hook requests with prefetch, made from the same synthetic
 * patients as the FHIR tests (test/fhir/builders.ts).
 */
import type { Bundle, FhirResource, Immunization, Parameters, Patient } from 'fhir/r4';
import { twoYearOld } from '../fhir/builders';

/** The two-year-old of test/fhir/builders.ts (born 2024-03-15) as a Patient and Immunizations. */
export function twoYearOldResources(): { patient: Patient; immunizations: Immunization[] } {
  const params: Parameters = twoYearOld();
  const resources = (params.parameter ?? []).flatMap((p) => (p.resource ? [p.resource] : []));
  return {
    patient: resources.find((r): r is Patient => r.resourceType === 'Patient')!,
    immunizations: resources.filter((r): r is Immunization => r.resourceType === 'Immunization'),
  };
}

/** A searchset Bundle of resources. */
export function searchset(resources: readonly FhirResource[], next?: string): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    ...(next === undefined ? {} : { link: [{ relation: 'next', url: next }] }),
    entry: resources.map((resource) => ({ resource, search: { mode: 'match' } })),
  };
}

/** A patient-view call with the given prefetch. */
export function patientViewCall(prefetch: Record<string, unknown> | undefined, extra: object = {}) {
  return {
    hook: 'patient-view',
    hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
    context: { userId: 'Practitioner/example', patientId: 'p1' },
    ...(prefetch === undefined ? {} : { prefetch }),
    ...extra,
  };
}

/** Full prefetch for the two-year-old (no conditions, observations or allergies). */
export function fullPrefetch(): Record<string, unknown> {
  const { patient, immunizations } = twoYearOldResources();
  return {
    patient,
    immunizations: searchset(immunizations),
    conditions: searchset([]),
    observations: searchset([]),
    allergies: searchset([]),
  };
}

/** An order-sign call for draft MedicationRequests coded with CVX codes. */
export function orderSignCall(cvxCodes: readonly string[], prefetch = fullPrefetch()) {
  return {
    hook: 'order-sign',
    hookInstance: '0b5e1a7c-6f0e-4c1e-9d3a-6f1d2b3c4d5e',
    context: {
      userId: 'Practitioner/example',
      patientId: 'p1',
      draftOrders: {
        resourceType: 'Bundle',
        type: 'collection',
        entry: cvxCodes.map((code, i) => ({
          resource: {
            resourceType: 'MedicationRequest',
            id: `order-${i + 1}`,
            status: 'draft',
            intent: 'order',
            subject: { reference: 'Patient/p1' },
            medicationCodeableConcept: {
              coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code }],
            },
          },
        })),
      },
    },
    prefetch,
  };
}
