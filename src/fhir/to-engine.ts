/**
 * The `$immds-forecast` input (`Parameters`) → the engine's input (`PatientHistory`, assessment
 * date, rule set). Pure: the rule sets and code tables come in as {@link ForecastCatalog}.
 *
 * Everything wrong with the request is collected (not just the first problem) and reported as
 * OperationOutcome issues whose `expression` is the FHIRPath of the element at fault, e.g.
 * `Parameters.parameter[2].resource.occurrence`. A dose the engine cannot use is not an error:
 * it is left out and named in a warning, so nothing is dropped silently.
 *
 * Input accepted (ImmDS STU1 plus our documented extensions, see `operation-definition.ts`):
 * - `assessmentDate` (valueDate, 1..1, a full date);
 * - `patient` (Patient, 1..1): `birthDate` (full date, required), `gender` (female, male;
 *   other and unknown are "unknown" for CDSi), the `patient-birthPlace` extension's country;
 * - `immunization` (Immunization, 0..*): `status` completed (entered-in-error and not-done are
 *   ignored with a warning); `occurrenceDateTime` (date part as written; `occurrenceString` is
 *   ignored with a warning); `vaccineCode` CVX, NDC or CPT (see `vaccine-codes.ts`); MVX as
 *   `manufacturer.identifier`; `isSubpotent` (→ CDSi dose condition, "Sub-standard");
 * - `observation` (0..*, ours): `valueCoding`/`valueCodeableConcept`, or a Condition,
 *   Observation, AllergyIntolerance, or an Immunization with status not-done and a reason
 *   (see `observation-codes.ts`);
 * - `knowledgeBaseVersion` (valueString, 0..1, ours): rule-set version (`4.64` or
 *   `cdc-cdsi@4.64`); default the service's default version.
 * Any other parameter name is an error: a misspelt `immunizations` must not silently give a
 * forecast for an unvaccinated child.
 *
 * @packageDocumentation
 */
import type { OperationOutcomeIssue } from 'fhir/r4';
import type { CalendarDate } from '../calendar';
import type { AdministeredDose, Gender, PatientHistory, PatientObservation } from '../engine/model';
import type { RuleSet } from '../engine/rule-set';
import type { CodeTables } from '../rules/codes/types';
import { EXT_PATIENT_BIRTH_PLACE, SYSTEM } from './codes';
import { readFhirDate, readFhirDateTime, type FhirDateReading } from './fhir-date';
import { codingsOf, firstCode, isFhirId, isRecord } from './json';
import {
  mapObservationCodings,
  observationCodeIndex,
  type ObservationCodeIndex,
  type ObservationCoding,
} from './observation-codes';
import { outcomeIssue } from './outcome';
import { readVaccineCode } from './vaccine-codes';

/** The rule sets and code tables the operation can use (the service's `RuleCatalog`). */
export interface ForecastCatalog {
  /** `ruleSetId@version` of every loaded rule set. */
  readonly labels: readonly string[];
  /** Version used when a request names none. */
  readonly defaultVersion: string;
  /** The compiled rule set of a version. */
  get(version: string): RuleSet | undefined;
  /** CDC code tables (for NDC and CPT codes); absent: only CVX codes are understood. */
  readonly codes: CodeTables | undefined;
}

/** A valid request, ready for `forecast()`. */
export interface ForecastRequest {
  readonly ruleSet: RuleSet;
  readonly assessmentDate: CalendarDate;
  readonly history: PatientHistory;
  /** `Patient/<id>` for the output (the input id, or `Patient/patient` when it had none). */
  readonly patientReference: string;
  /** Dose id (the Immunization id used in the output) → FHIRPath of the input Immunization. */
  readonly doseExpressions: ReadonlyMap<string, string>;
  /** Warnings and information for the `information` out-parameter. */
  readonly notes: readonly OperationOutcomeIssue[];
}

/** The result of reading a request. */
export type ReadRequestResult =
  | { readonly ok: true; readonly request: ForecastRequest }
  | { readonly ok: false; readonly issues: readonly OperationOutcomeIssue[] };

/** The parameter names this operation reads. */
const KNOWN_NAMES = [
  'assessmentDate',
  'patient',
  'immunization',
  'observation',
  'knowledgeBaseVersion',
] as const;
type KnownName = (typeof KNOWN_NAMES)[number];

interface Param {
  readonly index: number;
  readonly path: string;
  readonly name: KnownName;
  readonly value: Readonly<Record<string, unknown>>;
}

/** Collects errors and notes while the request is read. */
class Issues {
  readonly errors: OperationOutcomeIssue[] = [];
  readonly notes: OperationOutcomeIssue[] = [];

  error(code: OperationOutcomeIssue['code'], diagnostics: string, expression?: string): void {
    this.errors.push(
      outcomeIssue('error', code, diagnostics, expression === undefined ? [] : [expression]),
    );
  }

  warning(code: OperationOutcomeIssue['code'], diagnostics: string, expression: string): void {
    this.notes.push(outcomeIssue('warning', code, diagnostics, [expression]));
  }

  information(diagnostics: string, expression: string): void {
    this.notes.push(outcomeIssue('information', 'informational', diagnostics, [expression]));
  }

  /** A FHIR date reading that must be a full date; reports the problem, returns the date. */
  fullDate(reading: FhirDateReading, what: string, expression: string): CalendarDate | undefined {
    switch (reading.kind) {
      case 'date':
        return reading.date;
      case 'partial':
        this.error(
          'value',
          `${what} must be a full date (YYYY-MM-DD); a ${reading.precision} alone is not enough for CDSi`,
          expression,
        );
        return undefined;
      case 'invalid':
        this.error('value', `${what} is ${reading.problem}`, expression);
        return undefined;
    }
  }
}

/**
 * Reads and checks a `$immds-forecast` request.
 *
 * @param body - The request body as parsed JSON (anything).
 * @param catalog - The loaded rule sets and code tables.
 * @returns The engine input and notes, or every problem found.
 */
export function readForecastRequest(body: unknown, catalog: ForecastCatalog): ReadRequestResult {
  const issues = new Issues();
  if (!isRecord(body)) {
    issues.error(
      'structure',
      'The request body must be a FHIR Parameters resource (a JSON object)',
    );
    return { ok: false, issues: issues.errors };
  }
  if (body['resourceType'] !== 'Parameters') {
    issues.error(
      'structure',
      'The request body must be a FHIR Parameters resource (resourceType "Parameters")',
      'resourceType',
    );
    return { ok: false, issues: issues.errors };
  }
  const byName = readParams(body['parameter'], issues);

  const ruleSet = readRuleSet(byName.knowledgeBaseVersion, catalog, issues);
  const assessmentDate = readAssessmentDate(byName.assessmentDate, issues);
  const patient = readPatient(byName.patient, assessmentDate, issues);
  const doses = readImmunizations(
    byName.immunization,
    { birthDate: patient?.birthDate, assessmentDate },
    ruleSet,
    catalog.codes,
    issues,
  );
  const observations = readObservations(byName.observation, ruleSet, issues);

  if (ruleSet === undefined && issues.errors.length === 0) {
    // The catalog always has its default version; this is a server fault, not the client's.
    issues.errors.push(outcomeIssue('fatal', 'exception', 'No rule set is loaded'));
  }
  if (
    issues.errors.length > 0 ||
    assessmentDate === undefined ||
    patient === undefined ||
    ruleSet === undefined
  ) {
    return { ok: false, issues: issues.errors };
  }
  const engineDoses: AdministeredDose[] = [];
  const doseExpressions = new Map<string, string>();
  for (const d of doses) {
    engineDoses.push(d.dose);
    doseExpressions.set(d.dose.id, d.expression);
  }
  return {
    ok: true,
    request: {
      ruleSet,
      assessmentDate,
      history: {
        birthDate: patient.birthDate,
        gender: patient.gender,
        ...(patient.birthCountry === undefined ? {} : { birthCountry: patient.birthCountry }),
        doses: engineDoses,
        observations,
      },
      patientReference: `Patient/${patient.id}`,
      doseExpressions,
      notes: issues.notes,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

/** The well-formed parameters of each known name, in request order. */
type ParamsByName = Record<KnownName, Param[]>;

function readParams(parameter: unknown, issues: Issues): ParamsByName {
  const byName: ParamsByName = {
    assessmentDate: [],
    patient: [],
    immunization: [],
    observation: [],
    knowledgeBaseVersion: [],
  };
  if (parameter === undefined) {
    return byName;
  }
  if (!Array.isArray(parameter)) {
    issues.error('structure', 'Parameters.parameter must be an array', 'Parameters.parameter');
    return byName;
  }
  // A plain loop, not forEach and filter: this runs for every resource of every bulk patient.
  for (let index = 0; index < parameter.length; index++) {
    const p: unknown = parameter[index];
    if (p === undefined && !(index in parameter)) {
      continue; // a hole of a sparse array (never in JSON), skipped as forEach would
    }
    const path = `Parameters.parameter[${index}]`;
    if (!isRecord(p)) {
      issues.error('structure', 'Each parameter must be a JSON object', path);
      continue;
    }
    const name = p['name'];
    if (typeof name !== 'string') {
      issues.error('required', 'Each parameter must have a name', `${path}.name`);
      continue;
    }
    if (!(KNOWN_NAMES as readonly string[]).includes(name)) {
      issues.error(
        'not-supported',
        `Unknown parameter "${name}"; this operation takes ${KNOWN_NAMES.join(', ')}`,
        `${path}.name`,
      );
      continue;
    }
    let forms = 0;
    for (const k of Object.keys(p)) {
      if (k === 'resource' || k === 'part' || k.startsWith('value')) {
        forms += 1;
      }
    }
    if (forms !== 1) {
      issues.error(
        'invariant',
        `Parameter "${name}" must have exactly one of value[x], resource or part (inv-1)`,
        path,
      );
      continue;
    }
    byName[name as KnownName].push({ index, path, name: name as KnownName, value: p });
  }
  return byName;
}

/** The only parameter of a 1..1 or 0..1 name; reports duplicates (and absence when required). */
function single(params: readonly Param[], name: string, issues: Issues, required: boolean) {
  if (params.length === 0 && required) {
    issues.error('required', `Parameter "${name}" is required`, 'Parameters.parameter');
  }
  for (const extra of params.slice(1)) {
    issues.error('structure', `Parameter "${name}" must be given only once`, extra.path);
  }
  return params[0];
}

function readRuleSet(
  params: readonly Param[],
  catalog: ForecastCatalog,
  issues: Issues,
): RuleSet | undefined {
  const param = single(params, 'knowledgeBaseVersion', issues, false);
  const fallback = catalog.get(catalog.defaultVersion);
  if (param === undefined) {
    return fallback;
  }
  const value = param.value['valueString'];
  if (typeof value !== 'string') {
    issues.error('structure', 'knowledgeBaseVersion must be a valueString', param.path);
    return fallback;
  }
  const text = value.trim();
  const at = text.lastIndexOf('@');
  const version = at === -1 ? text : text.slice(at + 1);
  const ruleSet = catalog.get(version);
  if (ruleSet === undefined || (at !== -1 && ruleSet.id !== text)) {
    issues.error(
      'not-supported',
      `Unknown knowledgeBaseVersion "${text}"; available: ${catalog.labels.join(', ')}`,
      `${param.path}.value`,
    );
    return fallback;
  }
  return ruleSet;
}

function readAssessmentDate(params: readonly Param[], issues: Issues): CalendarDate | undefined {
  const param = single(params, 'assessmentDate', issues, true);
  if (param === undefined) {
    return undefined;
  }
  if (!('valueDate' in param.value)) {
    issues.error('structure', 'assessmentDate must be a valueDate', param.path);
    return undefined;
  }
  return issues.fullDate(
    readFhirDate(param.value['valueDate']),
    'assessmentDate',
    `${param.path}.value`,
  );
}

// ---------------------------------------------------------------------------------------------
// Patient
// ---------------------------------------------------------------------------------------------

interface PatientInput {
  readonly id: string;
  readonly birthDate: CalendarDate;
  readonly gender: Gender;
  readonly birthCountry?: string;
}

const GENDERS: Readonly<Record<string, Gender>> = {
  female: 'female',
  male: 'male',
  other: 'unknown',
  unknown: 'unknown',
};

function readPatient(
  params: readonly Param[],
  assessmentDate: CalendarDate | undefined,
  issues: Issues,
): PatientInput | undefined {
  const param = single(params, 'patient', issues, true);
  if (param === undefined) {
    return undefined;
  }
  const path = `${param.path}.resource`;
  const patient = param.value['resource'];
  if (!isRecord(patient) || patient['resourceType'] !== 'Patient') {
    issues.error('structure', 'Parameter "patient" must hold a Patient resource', path);
    return undefined;
  }
  const id = readId(patient['id'], `${path}.id`, issues) ?? 'patient';
  if (patient['id'] === undefined) {
    issues.information(
      'The Patient has no id; the output refers to it as Patient/patient',
      `${path}.id`,
    );
  }
  let birthDate: CalendarDate | undefined;
  if (patient['birthDate'] === undefined) {
    issues.error('required', 'Patient.birthDate is required', `${path}.birthDate`);
  } else {
    birthDate = issues.fullDate(
      readFhirDate(patient['birthDate']),
      'Patient.birthDate',
      `${path}.birthDate`,
    );
  }
  if (birthDate !== undefined && assessmentDate?.isBefore(birthDate) === true) {
    issues.error(
      'business-rule',
      'Patient.birthDate is after the assessmentDate',
      `${path}.birthDate`,
    );
  }
  const genderText = patient['gender'];
  let gender: Gender = 'unknown';
  if (genderText !== undefined) {
    const g = typeof genderText === 'string' ? GENDERS[genderText] : undefined;
    if (g === undefined) {
      issues.error(
        'value',
        'Patient.gender must be one of female, male, other, unknown',
        `${path}.gender`,
      );
    } else {
      gender = g;
    }
  }
  const birthCountry = readBirthCountry(patient['extension']);
  if (birthDate === undefined) {
    return undefined;
  }
  return { id, birthDate, gender, ...(birthCountry === undefined ? {} : { birthCountry }) };
}

function readBirthCountry(extensions: unknown): string | undefined {
  if (!Array.isArray(extensions)) {
    return undefined;
  }
  for (const e of extensions as unknown[]) {
    if (isRecord(e) && e['url'] === EXT_PATIENT_BIRTH_PLACE && isRecord(e['valueAddress'])) {
      const country = e['valueAddress']['country'];
      if (typeof country === 'string' && country.trim() !== '') {
        return country.trim();
      }
    }
  }
  return undefined;
}

/** A valid FHIR id, or undefined (absent, or reported as invalid). */
function readId(id: unknown, expression: string, issues: Issues): string | undefined {
  if (id === undefined) {
    return undefined;
  }
  if (!isFhirId(id)) {
    issues.error('value', 'id must be 1-64 letters, digits, "-" or "."', expression);
    return undefined;
  }
  return id;
}

// ---------------------------------------------------------------------------------------------
// Immunizations
// ---------------------------------------------------------------------------------------------

/** A dose as read; its id is set once every Immunization's id is known. */
interface ReadDose {
  id: string;
  readonly dateAdministered: CalendarDate;
  readonly cvx: string;
  mvx?: string;
  doseCondition?: boolean;
}

interface DoseInput {
  readonly dose: AdministeredDose;
  /** FHIRPath of the input Immunization. */
  readonly expression: string;
}

interface DateBounds {
  readonly birthDate: CalendarDate | undefined;
  readonly assessmentDate: CalendarDate | undefined;
}

function readImmunizations(
  params: readonly Param[],
  bounds: DateBounds,
  ruleSet: RuleSet | undefined,
  codes: CodeTables | undefined,
  issues: Issues,
): DoseInput[] {
  const given = new Set<string>();
  const read: DoseInput[] = [];
  /** The doses read from an Immunization without id, by their place in `read`. */
  const unnamed: { readonly at: number; readonly param: Param }[] = [];
  for (const param of params) {
    const path = `${param.path}.resource`;
    const imm = param.value['resource'];
    if (!isRecord(imm) || imm['resourceType'] !== 'Immunization') {
      issues.error('structure', 'Parameter "immunization" must hold an Immunization', path);
      continue;
    }
    const id = readId(imm['id'], `${path}.id`, issues);
    if (id !== undefined) {
      if (given.has(id)) {
        issues.error('business-rule', `Two Immunizations have the id "${id}"`, `${path}.id`);
      }
      given.add(id);
    }
    const dose = readImmunization(imm, id ?? '', path, bounds, ruleSet, codes, issues);
    if (dose !== undefined) {
      if (id === undefined) {
        unnamed.push({ at: read.length, param });
      }
      read.push({ dose, expression: path });
    }
  }
  // Ids for the doses without one, now that every id given is known (in request order).
  for (const { at, param } of unnamed) {
    const input = read[at];
    if (input === undefined) {
      continue; // cannot happen: `at` is an index of `read`
    }
    let generated = `immunization-${param.index}`;
    while (given.has(generated)) {
      generated = `${generated}-x`;
    }
    given.add(generated);
    (input.dose as ReadDose).id = generated;
    issues.information(
      `The Immunization has no id; the output refers to it as Immunization/${generated}`,
      `${input.expression}.id`,
    );
  }
  return read;
}

/**
 * One Immunization → a dose with the given id, or undefined (an error was reported, or it is not
 * usable).
 */
function readImmunization(
  imm: Readonly<Record<string, unknown>>,
  id: string,
  path: string,
  bounds: DateBounds,
  ruleSet: RuleSet | undefined,
  codes: CodeTables | undefined,
  issues: Issues,
): ReadDose | undefined {
  const status = imm['status'];
  if (status === 'entered-in-error' || status === 'not-done') {
    issues.warning(
      'business-rule',
      `Immunization with status ${status} is not a dose given; it was not evaluated`,
      `${path}.status`,
    );
    return undefined;
  }
  if (status !== 'completed') {
    issues.error(
      status === undefined ? 'required' : 'value',
      'Immunization.status must be completed, entered-in-error or not-done',
      `${path}.status`,
    );
  }

  let date: CalendarDate | undefined;
  let dateUsable = true;
  if (imm['occurrenceDateTime'] !== undefined) {
    date = issues.fullDate(
      readFhirDateTime(imm['occurrenceDateTime']),
      'Immunization.occurrenceDateTime',
      `${path}.occurrence`,
    );
  } else if (imm['occurrenceString'] !== undefined) {
    issues.warning(
      'not-supported',
      'Immunization.occurrenceString gives no date; CDSi needs the date the dose was given, so the dose was not evaluated',
      `${path}.occurrence`,
    );
    dateUsable = false;
  } else {
    issues.error('required', 'Immunization.occurrenceDateTime is required', `${path}.occurrence`);
  }
  if (date !== undefined && bounds.birthDate !== undefined && date.isBefore(bounds.birthDate)) {
    issues.error(
      'business-rule',
      "Immunization.occurrenceDateTime is before the patient's birthDate",
      `${path}.occurrence`,
    );
  }
  if (
    date !== undefined &&
    bounds.assessmentDate !== undefined &&
    date.isAfter(bounds.assessmentDate)
  ) {
    issues.error(
      'business-rule',
      'Immunization.occurrenceDateTime is after the assessmentDate',
      `${path}.occurrence`,
    );
  }

  const subpotent = imm['isSubpotent'];
  if (subpotent !== undefined && typeof subpotent !== 'boolean') {
    issues.error('value', 'Immunization.isSubpotent must be true or false', `${path}.isSubpotent`);
  }
  const mvx = readMvx(imm['manufacturer']);

  if (ruleSet === undefined || date === undefined || !dateUsable) {
    return undefined;
  }
  if (imm['vaccineCode'] === undefined) {
    issues.error('required', 'Immunization.vaccineCode is required', `${path}.vaccineCode`);
    return undefined;
  }
  const vaccine = readVaccineCode(imm['vaccineCode'], `${path}.vaccineCode`, codes, ruleSet);
  if (!vaccine.ok) {
    issues.warning(
      'not-supported',
      `${vaccine.problem}; the dose was not evaluated`,
      vaccine.expression,
    );
    return undefined;
  }
  if (vaccine.note !== undefined) {
    issues.warning('informational', vaccine.note, vaccine.expression);
  }
  // Built in place, not with spreads: the properties keep the order id, date, cvx, mvx,
  // doseCondition.
  const dose: ReadDose = { id, dateAdministered: date, cvx: vaccine.cvx };
  if (mvx !== undefined) {
    dose.mvx = mvx;
  }
  if (subpotent === true) {
    dose.doseCondition = true;
  }
  return dose;
}

function readMvx(manufacturer: unknown): string | undefined {
  if (!isRecord(manufacturer) || !isRecord(manufacturer['identifier'])) {
    return undefined;
  }
  const identifier = manufacturer['identifier'];
  const value = identifier['value'];
  return identifier['system'] === SYSTEM.mvx && typeof value === 'string' && value.trim() !== ''
    ? value.trim()
    : undefined;
}

// ---------------------------------------------------------------------------------------------
// Observations
// ---------------------------------------------------------------------------------------------

/** What an `observation` parameter says, before mapping. */
interface ObservationInput {
  readonly findings: readonly ObservationCoding[];
  readonly vaccines: readonly ObservationCoding[];
  /** The date and the FHIRPath of the element it came from. */
  readonly date?: { readonly value: unknown; readonly expression: string };
  /** Set when the resource says the condition does not hold (refuted, resolved, …). */
  readonly inactive?: string;
}

function codings(concept: unknown): ObservationCoding[] {
  return codingsOf(concept).map(({ system, code }) => ({ system, code }));
}

/** The first present date element of a resource, in the order given. */
function dateOf(
  resource: Readonly<Record<string, unknown>>,
  path: string,
  elements: readonly (readonly [key: string, fhirPath: string])[],
): ObservationInput['date'] {
  for (const [key, fhirPath] of elements) {
    if (resource[key] !== undefined) {
      return { value: resource[key], expression: `${path}.${fhirPath}` };
    }
  }
  const period = resource['effectivePeriod'];
  if (isRecord(period) && period['start'] !== undefined) {
    return { value: period['start'], expression: `${path}.effective.start` };
  }
  return undefined;
}

function readObservationResource(
  resource: Readonly<Record<string, unknown>>,
  path: string,
  issues: Issues,
): ObservationInput | undefined {
  switch (resource['resourceType']) {
    case 'Condition': {
      const clinical = firstCode(resource['clinicalStatus']);
      const verification = firstCode(resource['verificationStatus']);
      const inactive =
        clinical !== undefined && ['inactive', 'remission', 'resolved'].includes(clinical)
          ? `clinicalStatus ${clinical}`
          : verification !== undefined && ['refuted', 'entered-in-error'].includes(verification)
            ? `verificationStatus ${verification}`
            : undefined;
      return {
        findings: codings(resource['code']),
        vaccines: [],
        ...optionalDate(
          dateOf(resource, path, [
            ['onsetDateTime', 'onset'],
            ['recordedDate', 'recordedDate'],
          ]),
        ),
        ...(inactive === undefined ? {} : { inactive }),
      };
    }
    case 'Observation': {
      const status = resource['status'];
      const inactive =
        status === 'entered-in-error' || status === 'cancelled' ? `status ${status}` : undefined;
      return {
        findings: [...codings(resource['code']), ...codings(resource['valueCodeableConcept'])],
        vaccines: [],
        ...optionalDate(
          dateOf(resource, path, [
            ['effectiveDateTime', 'effective'],
            ['effectiveInstant', 'effective'],
            ['issued', 'issued'],
          ]),
        ),
        ...(inactive === undefined ? {} : { inactive }),
      };
    }
    case 'AllergyIntolerance': {
      const clinical = firstCode(resource['clinicalStatus']);
      const verification = firstCode(resource['verificationStatus']);
      const inactive =
        clinical !== undefined && ['inactive', 'resolved'].includes(clinical)
          ? `clinicalStatus ${clinical}`
          : verification !== undefined && ['refuted', 'entered-in-error'].includes(verification)
            ? `verificationStatus ${verification}`
            : undefined;
      const reactions = Array.isArray(resource['reaction'])
        ? (resource['reaction'] as unknown[])
        : [];
      return {
        findings: [
          ...codings(resource['code']),
          ...reactions.flatMap((r) => (isRecord(r) ? codings(r['substance']) : [])),
        ],
        vaccines: [],
        ...optionalDate(
          dateOf(resource, path, [
            ['onsetDateTime', 'onset'],
            ['recordedDate', 'recordedDate'],
          ]),
        ),
        ...(inactive === undefined ? {} : { inactive }),
      };
    }
    case 'Immunization': {
      if (resource['status'] !== 'not-done') {
        issues.error(
          'business-rule',
          'An Immunization given as "observation" must have status not-done (a dose given is an "immunization" parameter)',
          `${path}.status`,
        );
        return undefined;
      }
      return {
        findings: codings(resource['statusReason']),
        vaccines: codings(resource['vaccineCode']),
        ...optionalDate(dateOf(resource, path, [['occurrenceDateTime', 'occurrence']])),
      };
    }
    default:
      issues.error(
        'not-supported',
        'Parameter "observation" takes a valueCoding, a valueCodeableConcept, or a Condition, Observation, AllergyIntolerance or Immunization (not-done) resource',
        `${path}.resourceType`,
      );
      return undefined;
  }
}

function optionalDate(date: ObservationInput['date']): Pick<ObservationInput, 'date'> {
  return date === undefined ? {} : { date };
}

function readObservations(
  params: readonly Param[],
  ruleSet: RuleSet | undefined,
  issues: Issues,
): PatientObservation[] {
  const observations: PatientObservation[] = [];
  if (params.length === 0) {
    return observations;
  }
  const index: ObservationCodeIndex | undefined =
    ruleSet === undefined ? undefined : observationCodeIndex(ruleSet);
  for (const param of params) {
    let input: ObservationInput | undefined;
    let where = param.path;
    if ('valueCoding' in param.value) {
      const c = param.value['valueCoding'];
      input = { findings: isRecord(c) ? codings({ coding: [c] }) : [], vaccines: [] };
      where = `${param.path}.value`;
    } else if ('valueCodeableConcept' in param.value) {
      input = { findings: codings(param.value['valueCodeableConcept']), vaccines: [] };
      where = `${param.path}.value`;
    } else if (isRecord(param.value['resource'])) {
      where = `${param.path}.resource`;
      input = readObservationResource(param.value['resource'], where, issues);
    } else {
      issues.error(
        'structure',
        'Parameter "observation" must be a valueCoding, a valueCodeableConcept or a resource',
        param.path,
      );
    }
    if (input === undefined || index === undefined) {
      continue;
    }
    const date =
      input.date === undefined
        ? undefined
        : issues.fullDate(
            readFhirDateTime(input.date.value),
            'The observation date',
            input.date.expression,
          );
    if (input.inactive !== undefined) {
      issues.warning(
        'business-rule',
        `The observation has ${input.inactive}; it was not used`,
        where,
      );
      continue;
    }
    const codes = mapObservationCodings(input.findings, input.vaccines, index);
    if (codes.length === 0) {
      issues.warning(
        'not-supported',
        'No CDSi observation has these codes (CDSi observation codes, or the SNOMED CT, CVX and PHIN VS codes the CDSi supporting data lists); the observation was not used',
        where,
      );
      continue;
    }
    const direct = input.findings.every((c) => c.system === SYSTEM.cdsiObservation);
    if (!direct) {
      issues.information(`Read as CDSi observation ${codes.join(', ')}`, where);
    }
    for (const code of codes) {
      observations.push(date === undefined ? { code } : { code, date });
    }
  }
  return observations;
}
