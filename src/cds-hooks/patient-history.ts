/**
 * Patient data of a hook call → the engine's input, through the same mapping as
 * `$immds-forecast` (`src/fhir/to-engine.ts`), so both interfaces read FHIR alike: the resources
 * are put in a `Parameters` (assessment date, patient, `immunization` for doses given and
 * entered-in-error, `observation` for not-done Immunizations, Conditions, Observations and
 * AllergyIntolerances) and read by `readForecastRequest`.
 *
 * EHR data is messier than a hand-built request: a record the mapping rejects (for example an
 * Immunization without a status) is left out and counted, rather than failing the whole call;
 * only a Patient the engine cannot use (no full birth date) stops the forecast.
 *
 * @packageDocumentation
 */
import type { FhirResource as Resource, OperationOutcomeIssue, ParametersParameter } from 'fhir/r4';
import type { CalendarDate } from '../calendar';
import { fhirDate } from '../fhir/fhir-date';
import { readForecastRequest, type ForecastCatalog, type ForecastRequest } from '../fhir/to-engine';
import type { PatientData } from './prefetch';

/** The engine input of a hook call, or why there is none. */
export type HistoryReading =
  | {
      readonly ok: true;
      readonly request: ForecastRequest;
      /** Records left out because the mapping rejected them. */
      readonly rejected: number;
    }
  | { readonly ok: false; readonly issues: readonly OperationOutcomeIssue[] };

const PARAM_INDEX = /^Parameters\.parameter\[(\d+)\]/;

/**
 * Reads the patient data into a forecast request.
 *
 * @param data - The gathered patient data.
 * @param today - The assessment date.
 * @param catalog - The rule sets (the default version is used).
 * @param extraImmunizations - Doses to add (the order check's draft orders, as Immunizations).
 */
export function readPatientHistory(
  data: PatientData,
  today: CalendarDate,
  catalog: ForecastCatalog,
  extraImmunizations: readonly Resource[] = [],
): HistoryReading {
  const params: ParametersParameter[] = [
    { name: 'assessmentDate', valueDate: fhirDate(today) },
    { name: 'patient', resource: data.patient },
  ];
  for (const r of [...data.immunizations, ...extraImmunizations]) {
    if (r.resourceType === 'Immunization') {
      params.push({ name: r.status === 'not-done' ? 'observation' : 'immunization', resource: r });
    }
  }
  const observationTypes: Readonly<Record<string, readonly Resource[]>> = {
    Condition: data.conditions,
    Observation: data.observations,
    AllergyIntolerance: data.allergies,
  };
  for (const [type, resources] of Object.entries(observationTypes)) {
    for (const r of resources) {
      if (r.resourceType === type) {
        params.push({ name: 'observation', resource: r });
      }
    }
  }

  let excluded = new Set<number>();
  for (let attempt = 0; attempt < 3; attempt++) {
    const parameter = params.filter((_p, i) => !excluded.has(i));
    const indexOf = params.map((_p, i) => i).filter((i) => !excluded.has(i));
    const read = readForecastRequest({ resourceType: 'Parameters', parameter }, catalog);
    if (read.ok) {
      return { ok: true, request: read.request, rejected: excluded.size };
    }
    const atFault = new Set<number>();
    let patientAtFault = false;
    for (const issue of read.issues) {
      const match = PARAM_INDEX.exec(issue.expression?.[0] ?? '');
      const original = match === null ? undefined : indexOf[Number(match[1])];
      if (original === undefined || original < 2) {
        patientAtFault = true;
      } else {
        atFault.add(original);
      }
    }
    if (patientAtFault) {
      return { ok: false, issues: read.issues };
    }
    excluded = new Set([...excluded, ...atFault]);
  }
  return { ok: false, issues: [] };
}
