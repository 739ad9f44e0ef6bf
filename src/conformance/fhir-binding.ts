/**
 * The FHIR path of the conformance run (the default): each CDC case becomes a `$immds-forecast`
 * request (`Parameters`), goes through the operation's handler in-process (no HTTP; the request
 * and the answer are round-tripped through JSON text as on the wire), and the FHIR answer is read
 * back into the engine's `ForecastResult` shape that `compare.ts` checks. So every development
 * case exercises the FHIR mapping both ways: input (Patient, Immunization with CVX and MVX,
 * observations as `valueCoding` or as a dated Observation) and output.
 *
 * What is read back, and from where:
 * - vaccine group: `recommendation[].targetDisease.text`;
 * - group status: the ImmDS `forecastStatus` code, mapped back to the CDSi status (and checked
 *   against `forecastStatus.text`);
 * - dose evaluations of the group: the `vaccine-group-dose-evaluation` extension of the
 *   recommendation (status from `doseStatus.text`, checked against its valid/notvalid coding;
 *   reasons from the `urn:cdsi:reason` coding of `doseStatusReason`: code and CDSi wording as
 *   its display, since `text` may be a plain-words explanation), each with its per-antigen
 *   ImmunizationEvaluations (found
 *   through `supportingImmunization`) as `byAntigen`;
 * - forecast: `doseNumberPositiveInt` and the LOINC `dateCriterion` dates, `vaccineCode`;
 * - doses not used: the warnings of the `information` OperationOutcome that carry an engine reason
 *   (`details.coding` system `urn:cdsi:reason`) and point at an input immunization.
 * Not read back: the per-antigen series results (`VaccineGroupResult.antigens` is empty); the
 * comparator does not use them.
 *
 * @packageDocumentation
 */
import type {
  CodeableConcept,
  Extension,
  Immunization,
  ImmunizationEvaluation,
  ImmunizationRecommendation,
  ImmunizationRecommendationRecommendation,
  Observation,
  OperationOutcome,
  Parameters,
  ParametersParameter,
  Patient,
} from 'fhir/r4';
import { CalendarDate } from '../calendar';
import type {
  DoseEvaluation,
  EvaluationStatus,
  Forecast,
  ForecastResult,
  GroupDoseEvaluation,
  Reason,
  SeriesStatus,
  UnusedDose,
  VaccineGroupResult,
} from '../engine/model';
import {
  DATE_CRITERION,
  DOSE_STATUS,
  EXT_GROUP_DOSE_EVALUATION,
  FORECAST_STATUS,
  SYSTEM,
  type ForecastDateField,
} from '../fhir/codes';
import { immdsForecast, ruleSetOf, type ForecastCatalog } from '../fhir/immds-forecast';
import type { CaseSolver } from './compare';
import type { CdcTestCase } from './test-case';
import { doseIdOf, toGender } from './to-history';

/** The id the case's Patient gets in the request. */
const PATIENT_ID = 'patient';

/**
 * The `$immds-forecast` request for a case: assessment date, patient (birth date, gender), one
 * Immunization per dose with id "1".."n" (the ids `doseIdOf` gives, so the comparator matches
 * them), CVX and MVX; each observation as a `valueCoding` (system `urn:cdsi:observation`), or,
 * when the CDC gives it a date, as an Observation with that `effectiveDateTime`; and the rule-set
 * version.
 *
 * @param testCase - The case.
 * @param knowledgeBaseVersion - Rule-set version, e.g. "4.64".
 */
export function caseToParameters(testCase: CdcTestCase, knowledgeBaseVersion: string): Parameters {
  const patientRef = { reference: `Patient/${PATIENT_ID}` };
  const patient: Patient = {
    resourceType: 'Patient',
    id: PATIENT_ID,
    gender: toGender(testCase.gender),
    birthDate: testCase.dob,
  };
  const immunizations = testCase.doses.map((dose, index): Immunization => ({
    resourceType: 'Immunization',
    id: doseIdOf(index),
    status: 'completed',
    vaccineCode: {
      coding: [{ system: SYSTEM.cvx, code: dose.cvx, display: dose.vaccineName }],
    },
    patient: patientRef,
    occurrenceDateTime: dose.date,
    primarySource: false,
    ...(dose.mvx === null || dose.mvx.trim() === ''
      ? {}
      : { manufacturer: { identifier: { system: SYSTEM.mvx, value: dose.mvx } } }),
  }));
  const observations = testCase.observations.map((o): ParametersParameter => {
    const coding = {
      system: SYSTEM.cdsiObservation,
      code: o.code,
      ...(o.text === null ? {} : { display: o.text }),
    };
    if (o.date === null) {
      return { name: 'observation', valueCoding: coding };
    }
    const observation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [coding] },
      subject: patientRef,
      effectiveDateTime: o.date,
    };
    return { name: 'observation', resource: observation };
  });
  const parameter: ParametersParameter[] = [
    { name: 'assessmentDate', valueDate: testCase.assessmentDate },
    { name: 'patient', resource: patient },
    ...immunizations.map((resource) => ({ name: 'immunization', resource })),
    ...observations,
    { name: 'knowledgeBaseVersion', valueString: knowledgeBaseVersion },
  ];
  return { resourceType: 'Parameters', parameter };
}

/** Thrown when the FHIR answer cannot be read back (a mapping defect, not a CDSi difference). */
export class FhirReadBackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FhirReadBackError';
  }
}

const SERIES_STATUS_OF_CODE: ReadonlyMap<string, SeriesStatus> = new Map(
  (Object.entries(FORECAST_STATUS) as [SeriesStatus, { code: string }][]).map(([status, c]) => [
    c.code,
    status,
  ]),
);

function isEvaluationStatus(text: string): text is EvaluationStatus {
  return Object.hasOwn(DOSE_STATUS, text);
}

function idOfReference(reference: string | undefined, type: string): string {
  const prefix = `${type}/`;
  if (reference?.startsWith(prefix) !== true) {
    throw new FhirReadBackError(`expected a reference to a ${type}, got ${String(reference)}`);
  }
  return reference.slice(prefix.length);
}

function dateOf(text: string | undefined, what: string): CalendarDate {
  const date = text === undefined ? undefined : CalendarDate.tryParse(text.slice(0, 10));
  if (date === undefined) {
    throw new FhirReadBackError(`${what} is not a date: ${String(text)}`);
  }
  return date;
}

/**
 * The engine reasons of reason concepts, read from their `urn:cdsi:reason` coding: the code, and
 * the CDSi wording from its display (`text` may be a plain-words explanation instead).
 */
function reasonsOf(concepts: readonly CodeableConcept[]): Reason[] {
  return concepts.map((c) => {
    const coding = c.coding?.find((x) => x.system === SYSTEM.cdsiReason);
    if (coding?.code === undefined || coding.display === undefined) {
      throw new FhirReadBackError('a reason has no engine reason coding with a display');
    }
    return { code: coding.code, text: coding.display, rule: '' };
  });
}

function statusOfDose(concept: CodeableConcept | undefined): EvaluationStatus {
  const text = concept?.text ?? '';
  if (!isEvaluationStatus(text)) {
    throw new FhirReadBackError(`doseStatus.text is not a CDSi evaluation status: ${text}`);
  }
  const code = concept?.coding?.find((c) => c.system === SYSTEM.doseStatus)?.code;
  if (code !== DOSE_STATUS[text].code) {
    throw new FhirReadBackError(`doseStatus ${String(code)} does not agree with its text ${text}`);
  }
  return text;
}

/** Facts about the request's immunizations, by id. */
interface DoseFacts {
  readonly date: CalendarDate;
  readonly cvx: string;
}

function doseFacts(request: Parameters): {
  byId: Map<string, DoseFacts>;
  idOfParameter: Map<number, string>;
} {
  const byId = new Map<string, DoseFacts>();
  const idOfParameter = new Map<number, string>();
  (request.parameter ?? []).forEach((p, index) => {
    const r = p.resource as Immunization | undefined;
    if (p.name === 'immunization' && r?.resourceType === 'Immunization' && r.id !== undefined) {
      const cvx = r.vaccineCode.coding?.find((c) => c.system === SYSTEM.cvx)?.code ?? '';
      byId.set(r.id, { date: dateOf(r.occurrenceDateTime, 'occurrenceDateTime'), cvx });
      idOfParameter.set(index, r.id);
    }
  });
  return { byId, idOfParameter };
}

function sub(ext: Extension, url: string): Extension[] {
  return (ext.extension ?? []).filter((e) => e.url === url);
}

function groupDoseEvaluations(
  rec: ImmunizationRecommendationRecommendation,
  byAntigen: ReadonlyMap<string, DoseEvaluation[]>,
  doses: ReadonlyMap<string, DoseFacts>,
): GroupDoseEvaluation[] {
  return (rec.extension ?? [])
    .filter((e) => e.url === EXT_GROUP_DOSE_EVALUATION)
    .map((ext) => {
      const doseId = idOfReference(
        sub(ext, 'immunizationEvent')[0]?.valueReference?.reference,
        'Immunization',
      );
      const facts = doses.get(doseId);
      if (facts === undefined) {
        throw new FhirReadBackError(`Immunization/${doseId} is not an input immunization`);
      }
      return {
        doseId,
        dateAdministered: facts.date,
        cvx: facts.cvx,
        status: statusOfDose(sub(ext, 'doseStatus')[0]?.valueCodeableConcept),
        reasons: reasonsOf(
          sub(ext, 'doseStatusReason').flatMap((e) =>
            e.valueCodeableConcept === undefined ? [] : [e.valueCodeableConcept],
          ),
        ),
        byAntigen: byAntigen.get(doseId) ?? [],
      };
    });
}

function antigenEvaluation(e: ImmunizationEvaluation, doses: ReadonlyMap<string, DoseFacts>) {
  const doseId = idOfReference(e.immunizationEvent.reference, 'Immunization');
  const facts = doses.get(doseId);
  const antigen = e.targetDisease.text;
  if (facts === undefined || antigen === undefined) {
    throw new FhirReadBackError(`evaluation ${String(e.id)} has no input dose or no antigen`);
  }
  const evaluation: DoseEvaluation = {
    doseId,
    dateAdministered: facts.date,
    cvx: facts.cvx,
    antigen,
    status: statusOfDose(e.doseStatus),
    ...(e.doseNumberPositiveInt === undefined ? {} : { targetDoseNumber: e.doseNumberPositiveInt }),
    reasons: reasonsOf(e.doseStatusReason ?? []),
  };
  return evaluation;
}

function forecastOf(rec: ImmunizationRecommendationRecommendation): Forecast | undefined {
  const dates = new Map<ForecastDateField, CalendarDate>();
  const fields = Object.keys(DATE_CRITERION) as ForecastDateField[];
  for (const criterion of rec.dateCriterion ?? []) {
    const code = criterion.code.coding?.find((c) => c.system === SYSTEM.loinc)?.code;
    const field = fields.find((f) => DATE_CRITERION[f].code === code);
    if (field === undefined) {
      throw new FhirReadBackError(`unknown dateCriterion code ${String(code)}`);
    }
    dates.set(field, dateOf(criterion.value, `dateCriterion ${String(code)}`));
  }
  const earliestDate = dates.get('earliestDate');
  const recommendedDate = dates.get('recommendedDate');
  if (earliestDate === undefined && recommendedDate === undefined) {
    return undefined;
  }
  if (
    earliestDate === undefined ||
    recommendedDate === undefined ||
    rec.doseNumberPositiveInt === undefined
  ) {
    throw new FhirReadBackError('a forecast lacks its earliest or recommended date or dose number');
  }
  const pastDueDate = dates.get('pastDueDate');
  const latestDate = dates.get('latestDate');
  return {
    doseNumber: rec.doseNumberPositiveInt,
    earliestDate,
    recommendedDate,
    ...(pastDueDate === undefined ? {} : { pastDueDate }),
    ...(latestDate === undefined ? {} : { latestDate }),
    recommendedVaccines: (rec.vaccineCode ?? []).flatMap(
      (c) => c.coding?.filter((x) => x.system === SYSTEM.cvx).map((x) => x.code ?? '') ?? [],
    ),
  };
}

function groupResult(
  rec: ImmunizationRecommendationRecommendation,
  evaluations: ReadonlyMap<string, ImmunizationEvaluation>,
  doses: ReadonlyMap<string, DoseFacts>,
): VaccineGroupResult {
  const vaccineGroup = rec.targetDisease?.text;
  if (vaccineGroup === undefined) {
    throw new FhirReadBackError('a recommendation has no targetDisease.text');
  }
  const code = rec.forecastStatus.coding?.find(
    (c) => c.system === SYSTEM.immdsForecastStatus,
  )?.code;
  const status = code === undefined ? undefined : SERIES_STATUS_OF_CODE.get(code);
  if (status === undefined || rec.forecastStatus.text !== status) {
    throw new FhirReadBackError(
      `${vaccineGroup}: forecastStatus ${String(code)} / "${String(rec.forecastStatus.text)}" is not a CDSi series status`,
    );
  }
  const byAntigen = new Map<string, DoseEvaluation[]>();
  for (const ref of rec.supportingImmunization ?? []) {
    const id = idOfReference(ref.reference, 'ImmunizationEvaluation');
    const e = evaluations.get(id);
    if (e === undefined) {
      throw new FhirReadBackError(`ImmunizationEvaluation/${id} is not in the output`);
    }
    const evaluation = antigenEvaluation(e, doses);
    byAntigen.set(evaluation.doseId, [...(byAntigen.get(evaluation.doseId) ?? []), evaluation]);
  }
  const forecast = forecastOf(rec);
  return {
    vaccineGroup,
    status,
    doseEvaluations: groupDoseEvaluations(rec, byAntigen, doses),
    ...(forecast === undefined ? {} : { forecast }),
    antigens: [],
    reasons: reasonsOf(rec.forecastReason ?? []),
  };
}

function unusedDoses(
  information: OperationOutcome | undefined,
  idOfParameter: ReadonlyMap<number, string>,
): UnusedDose[] {
  const unused: UnusedDose[] = [];
  for (const issue of information?.issue ?? []) {
    const code = issue.details?.coding?.find((c) => c.system === SYSTEM.cdsiReason)?.code;
    const match = /^Parameters\.parameter\[(\d+)\]\.resource$/.exec(issue.expression?.[0] ?? '');
    const doseId = match === null ? undefined : idOfParameter.get(Number(match[1]));
    if (code !== undefined && doseId !== undefined && issue.details?.text !== undefined) {
      unused.push({ doseId, reason: { code, text: issue.details.text, rule: '' } });
    }
  }
  return unused;
}

/**
 * Reads a `$immds-forecast` answer back into the engine's result shape (see the module comment).
 *
 * @param request - The request that was sent.
 * @param response - The output Parameters.
 * @throws FhirReadBackError when the answer is not what this implementation writes.
 */
export function readForecastResult(request: Parameters, response: Parameters): ForecastResult {
  const out = response.parameter ?? [];
  const recommendations = out.filter((p) => p.name === 'recommendation');
  const recommendation = recommendations[0]?.resource as ImmunizationRecommendation | undefined;
  if (
    recommendations.length !== 1 ||
    recommendation?.resourceType !== 'ImmunizationRecommendation'
  ) {
    throw new FhirReadBackError('the answer must have exactly one recommendation');
  }
  const evaluations = new Map<string, ImmunizationEvaluation>();
  for (const p of out) {
    const r = p.resource as ImmunizationEvaluation | undefined;
    if (p.name === 'evaluation' && r?.resourceType === 'ImmunizationEvaluation') {
      evaluations.set(r.id ?? '', r);
    }
  }
  const information = out.find((p) => p.name === 'information')?.resource as
    OperationOutcome | undefined;
  const { byId, idOfParameter } = doseFacts(request);
  return {
    assessmentDate: dateOf(recommendation.date, 'recommendation.date'),
    ruleSet: ruleSetOf(response) ?? '',
    vaccineGroups: recommendation.recommendation.map((rec) => groupResult(rec, evaluations, byId)),
    unusedDoses: unusedDoses(information, idOfParameter),
  };
}

/**
 * The FHIR path as a {@link CaseSolver}: case → Parameters → JSON text → `immdsForecast` → JSON
 * text → `ForecastResult`.
 *
 * @param catalog - The loaded rule sets (`loadRuleCatalog`).
 * @param version - The rule-set version every case is run with, e.g. "4.64".
 * @throws (from the solver) Error when the operation rejects the request, FhirReadBackError when
 *   its answer cannot be read back.
 */
export function bindFhirPath(catalog: ForecastCatalog, version: string): CaseSolver {
  return (testCase) => {
    const request = caseToParameters(testCase, version);
    const [outcome, response] = immdsForecast(JSON.parse(JSON.stringify(request)) as unknown, {
      catalog,
    });
    if (response === undefined) {
      const problems = outcome.issue.map(
        (i) =>
          `${i.diagnostics ?? i.code}${i.expression === undefined ? '' : ` at ${i.expression.join(', ')}`}`,
      );
      throw new Error(`the FHIR operation rejected the case: ${problems.join('; ')}`);
    }
    return readForecastResult(request, JSON.parse(JSON.stringify(response)) as Parameters);
  };
}
