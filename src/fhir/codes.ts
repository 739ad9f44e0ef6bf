/**
 * Code systems, identifiers and the code maps of the FHIR adapter. Every map from an engine type
 * is checked by the compiler to be exhaustive (`satisfies Record<…>`, after medplum's
 * `definitions.ts`): adding a status or a reason code to the engine fails the build here until
 * its FHIR coding is decided.
 *
 * Sources: HL7 ImmDS STU1 1.0.0 (`hl7.fhir.us.immds`), FHIR R4 4.0.1 terminology, the CDC CDSi
 * supporting data 4.64. See `/work/shared/standards/DIGEST.md` §A4.
 *
 * @packageDocumentation
 */
import type { Coding } from 'fhir/r4';
import type { EvaluationStatus, SeriesStatus } from '../engine/model';
import type { ReasonCode } from '../engine/reasons';

// ---------------------------------------------------------------------------------------------
// Code systems and identifiers
// ---------------------------------------------------------------------------------------------

/** Code system URIs used in input and output. */
export const SYSTEM = {
  cvx: 'http://hl7.org/fhir/sid/cvx',
  cpt: 'http://www.ama-assn.org/go/cpt',
  ndc: 'http://hl7.org/fhir/sid/ndc',
  mvx: 'http://hl7.org/fhir/sid/mvx',
  snomed: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  /** CDC PHIN Vocabulary Services (the supporting data's "CDCPHINVS" code system). */
  cdcPhinVs: 'urn:oid:2.16.840.1.114222.4.5.274',
  /** CDSi observation codes exactly as in the supporting data (`"055"`). Ours. */
  cdsiObservation: 'urn:cdsi:observation',
  /** The engine's stable reason codes (`src/engine/reasons.ts`, e.g. `age-too-young`). Ours. */
  cdsiReason: 'urn:cdsi:reason',
  /** `ruleSetId@version` of the rule set that produced an output (`cdc-cdsi@4.64`). Ours. */
  cdsiRuleSet: 'urn:cdsi:rule-set',
  immdsForecastStatus: 'http://hl7.org/fhir/us/immds/CodeSystem/ForecastStatus',
  immdsForecastReason: 'http://hl7.org/fhir/us/immds/CodeSystem/ForecastReason',
  immdsStatusReason: 'http://hl7.org/fhir/us/immds/CodeSystem/StatusReason',
  recommendationStatus: 'http://terminology.hl7.org/CodeSystem/immunization-recommendation-status',
  doseStatus: 'http://terminology.hl7.org/CodeSystem/immunization-evaluation-dose-status',
} as const;

/**
 * Base of this service's canonical URLs (OperationDefinition, extensions). A placeholder under
 * `example.org` until the project has a domain of its own: change it here only.
 */
export const CANONICAL_BASE = 'https://cdsi-forecaster.example.org/fhir';

/** Canonical URL of the HL7 ImmDS operation this service implements (and extends). */
export const IMMDS_OPERATION_URL =
  'http://hl7.org/fhir/us/immds/OperationDefinition/ImmDSForecastOperation';

/** Canonical URL of our OperationDefinition (ImmDS plus the documented extra parameters). */
export const OPERATION_URL = `${CANONICAL_BASE}/OperationDefinition/immds-forecast`;

/**
 * Extension on `ImmunizationRecommendation.recommendation` (one per dose of the vaccine group):
 * the dose's evaluation for the whole vaccine group, i.e. the engine's `GroupDoseEvaluation` —
 * the antigens' evaluations combined (DTaP counts for Diphtheria, Tetanus and Pertussis; a Tdap
 * given as a Td booster is Valid for the group although Extraneous for Pertussis). Sub-extensions:
 * `immunizationEvent` (valueReference, 1..1), `doseStatus` (valueCodeableConcept, 1..1; coding
 * valid/notvalid, `text` the CDSi status), `doseStatusReason` (valueCodeableConcept, 0..*).
 */
export const EXT_GROUP_DOSE_EVALUATION = `${CANONICAL_BASE}/StructureDefinition/vaccine-group-dose-evaluation`;

/** Extension on Patient (input): the place of birth; its `country` feeds CDSi birth-date immunity. */
export const EXT_PATIENT_BIRTH_PLACE = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';

/** The supporting data's code-system names (`codedValue/@codeSystem`) → FHIR system URIs. */
export const SUPPORTING_DATA_SYSTEM: Readonly<Record<string, string>> = {
  SNOMED: SYSTEM.snomed,
  CVX: SYSTEM.cvx,
  CDCPHINVS: SYSTEM.cdcPhinVs,
};

// ---------------------------------------------------------------------------------------------
// Forecast status (ImmDS ForecastStatus first, base R4 second)
// ---------------------------------------------------------------------------------------------

/** ImmDS ForecastStatus codes (CodeSystem-ForecastStatus.json). */
export type ImmdsForecastStatus =
  | 'complete'
  | 'notComplete'
  | 'notRecommended'
  | 'immune'
  | 'contraindicated'
  | 'agedOut'
  | 'conditional';

/** CDSi series status (Logic Specification table 3-3) → ImmDS ForecastStatus coding. */
export const FORECAST_STATUS = {
  'Not Complete': { code: 'notComplete', display: 'Not Complete' },
  Complete: { code: 'complete', display: 'Complete' },
  Immune: { code: 'immune', display: 'Immune' },
  Contraindicated: { code: 'contraindicated', display: 'Contraindicated' },
  'Aged Out': { code: 'agedOut', display: 'Aged Out' },
  'Not Recommended': { code: 'notRecommended', display: 'Not Recommended' },
} as const satisfies Record<
  SeriesStatus,
  { readonly code: ImmdsForecastStatus; readonly display: string }
>;

/** Base R4 `immunization-recommendation-status` codes. */
export type BaseRecommendationStatus =
  'due' | 'overdue' | 'immune' | 'contraindicated' | 'complete';

/** Displays of the base R4 recommendation status codes. */
export const BASE_STATUS_DISPLAY = {
  due: 'Due',
  overdue: 'Overdue',
  immune: 'Immune',
  contraindicated: 'Contraindicated',
  complete: 'Complete',
} as const satisfies Record<BaseRecommendationStatus, string>;

/**
 * The base R4 status for a CDSi series status, where one applies: Complete, Immune and
 * Contraindicated map one to one; Aged Out and Not Recommended have no base code; Not Complete is
 * `overdue` once the assessment date is on or after the past-due date, `due` from the earliest
 * date on, and has no base code before the earliest date (the base code system has no "not yet
 * due").
 *
 * @param status - The CDSi series status.
 * @param timing - Where the assessment date lies relative to the forecast dates.
 */
export function baseRecommendationStatus(
  status: SeriesStatus,
  timing: 'before-earliest' | 'due' | 'overdue' | 'no-forecast',
): BaseRecommendationStatus | undefined {
  switch (status) {
    case 'Complete':
      return 'complete';
    case 'Immune':
      return 'immune';
    case 'Contraindicated':
      return 'contraindicated';
    case 'Aged Out':
    case 'Not Recommended':
      return undefined;
    case 'Not Complete':
      return timing === 'due' || timing === 'overdue' ? timing : undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Dose status and reasons
// ---------------------------------------------------------------------------------------------

/**
 * CDSi evaluation status (table 3-1) → FHIR dose status. R4 has only `valid` and `notvalid`;
 * the CDSi status is kept in `doseStatus.text`. Extraneous and Sub-standard doses do not count
 * towards the series, so they are `notvalid` (an Extraneous dose need not be repeated: the text
 * and the reason say so).
 */
export const DOSE_STATUS = {
  Valid: { code: 'valid', display: 'Valid' },
  'Not Valid': { code: 'notvalid', display: 'Not Valid' },
  Extraneous: { code: 'notvalid', display: 'Not Valid' },
  'Sub-standard': { code: 'notvalid', display: 'Not Valid' },
} as const satisfies Record<
  EvaluationStatus,
  { readonly code: 'valid' | 'notvalid'; readonly display: string }
>;

/** ImmDS StatusReason codes (CodeSystem-StatusReason.json). */
export type ImmdsStatusReason =
  | 'expired'
  | 'tooyoung'
  | 'tooold'
  | 'inappropriate'
  | 'toosoon'
  | 'productconflict'
  | 'quantity'
  | 'recall'
  | 'storage'
  | 'notevaluated';

/** Displays of the ImmDS StatusReason codes. */
export const STATUS_REASON_DISPLAY = {
  expired: 'Past Expiration Date',
  tooyoung: 'Patient Too Young',
  tooold: 'Patient Too Old',
  inappropriate: 'Inappropriate Vaccine',
  toosoon: 'Administered Too Soon',
  productconflict: 'Product Conflict',
  quantity: 'Insufficient Quantity',
  recall: 'Recalled Product',
  storage: 'Adverse Storage Conditions',
  notevaluated: 'Not Evaluated',
} as const satisfies Record<ImmdsStatusReason, string>;

/** ImmDS ForecastReason codes (CodeSystem-ForecastReason.json). */
export type ImmdsForecastReason =
  'complete' | 'notRecommended' | 'maximumAge' | 'seasonalPast' | 'seasonalComplete';

/** Displays of the ImmDS ForecastReason codes. */
export const FORECAST_REASON_DISPLAY = {
  complete: 'Complete',
  notRecommended: 'Not Recommended',
  maximumAge: 'Maximum Age Exceeded',
  seasonalPast: 'Seasonal End Date Passed',
  seasonalComplete: 'Complete for the Season',
} as const satisfies Record<ImmdsForecastReason, string>;

/** The ImmDS codes an engine reason maps to, where one fits. */
interface ReasonCodes {
  /** For `ImmunizationEvaluation.doseStatusReason` (only on a not valid dose). */
  readonly statusReason?: ImmdsStatusReason;
  /** For `ImmunizationRecommendation.recommendation.forecastReason`. */
  readonly forecastReason?: ImmdsForecastReason;
}

/**
 * Engine reason → ImmDS code, where one fits. Every reason is also sent with its engine code
 * (system {@link SYSTEM.cdsiReason}, the CDSi wording as display) and a `text` in plain words, so
 * a reason without an ImmDS code loses nothing. Deliberately unmapped: a sub-standard dose (the engine does not know
 * whether it was expired, recalled or short), the grace-period and "allowable" notes of a valid
 * dose, and "series already complete" (no ImmDS code says "not needed").
 */
export const REASON_CODES = {
  'unknown-vaccine': {},
  'no-antigen-at-age': {},
  'sub-standard': {},
  'inadvertent-vaccine': { statusReason: 'inappropriate' },
  'age-too-young': { statusReason: 'tooyoung' },
  'age-grace-period': {},
  'age-too-old': { statusReason: 'tooold' },
  'interval-too-soon': { statusReason: 'toosoon' },
  'interval-grace-period': {},
  'allowable-interval': {},
  'live-virus-conflict': { statusReason: 'productconflict' },
  'not-preferable-or-allowable': { statusReason: 'inappropriate' },
  'allowable-vaccine': {},
  'series-already-complete': {},
  'target-dose-skipped': {},
  'series-complete': { forecastReason: 'complete' },
  'not-recommended-history': { forecastReason: 'notRecommended' },
  immune: {},
  contraindicated: {},
  'past-seasonal-end': { forecastReason: 'seasonalPast' },
  'aged-out': { forecastReason: 'maximumAge' },
  'cannot-finish': { forecastReason: 'maximumAge' },
  'indication-undetermined': {},
} as const satisfies Record<ReasonCode, ReasonCodes>;

/**
 * The ImmDS codes of an engine reason code (none for a code this build does not know).
 *
 * @param code - An engine reason code.
 */
export function reasonCodes(code: string): ReasonCodes {
  return Object.hasOwn(REASON_CODES, code) ? REASON_CODES[code as ReasonCode] : {};
}

// ---------------------------------------------------------------------------------------------
// Target diseases
// ---------------------------------------------------------------------------------------------

/** The antigens of CDSi supporting data 4.64, as the supporting data spells them. */
export type CdsiAntigen =
  | 'Chikungunya'
  | 'Cholera'
  | 'COVID-19'
  | 'Dengue'
  | 'Diphtheria'
  | 'Ebola'
  | 'HepA'
  | 'HepB'
  | 'Hib'
  | 'HPV'
  | 'Influenza'
  | 'Japanese Encephalitis'
  | 'Measles'
  | 'Meningococcal'
  | 'Meningococcal B'
  | 'Mumps'
  | 'Orthopoxvirus'
  | 'Pertussis'
  | 'Pneumococcal'
  | 'Polio'
  | 'Rabies'
  | 'Rotavirus'
  | 'RSV'
  | 'Rubella'
  | 'TBE'
  | 'Tetanus'
  | 'Typhoid'
  | 'Varicella'
  | 'Yellow Fever'
  | 'Zoster';

/** A SNOMED CT disorder concept. */
interface SnomedConcept {
  readonly code: string;
  readonly display: string;
}

/**
 * CDSi antigen → the SNOMED CT disease it protects against. Every code is taken from the ImmDS
 * `targetDisease` value set (STU1, `ValueSet-targetDisease.json`; a test checks membership), so a
 * receiver that validates against ImmDS accepts it. `null` where that value set has no concept
 * for the antigen's disease (Chikungunya, Ebola) or only outcomes of it (HPV: cervical cancer,
 * genital warts): those antigens are sent as `text` only. Notes:
 * - Diphtheria is 397428000 as in STU1 (the 2.0 ci-build changed it to 397430003);
 * - Meningococcal B uses meningococcal infectious disease (no serogroup-B concept in the set);
 * - COVID-19 uses "Coronavirus infection", the set's only coronavirus concept;
 * - Orthopoxvirus uses smallpox (the vaccine also protects against mpox, not in the set).
 * Antigens a newer rule set adds fall back to `text` only until they are added here.
 */
export const TARGET_DISEASE = {
  Chikungunya: null,
  Cholera: { code: '63650001', display: 'Cholera' },
  'COVID-19': { code: '186747009', display: 'Coronavirus infection' },
  Dengue: { code: '38362002', display: 'Dengue' },
  Diphtheria: { code: '397428000', display: 'Diphtheria' },
  Ebola: null,
  HepA: { code: '40468003', display: 'Viral hepatitis, type A' },
  HepB: { code: '66071002', display: 'Type B viral hepatitis' },
  Hib: { code: '709410003', display: 'Haemophilus influenzae type b infection' },
  HPV: null,
  Influenza: { code: '719590007', display: 'Influenza caused by seasonal influenza virus' },
  'Japanese Encephalitis': { code: '52947006', display: 'Japanese encephalitis virus disease' },
  Measles: { code: '14189004', display: 'Measles' },
  Meningococcal: { code: '23511006', display: 'Meningococcal infectious disease' },
  'Meningococcal B': { code: '23511006', display: 'Meningococcal infectious disease' },
  Mumps: { code: '36989005', display: 'Mumps' },
  Orthopoxvirus: { code: '67924001', display: 'Smallpox' },
  Pertussis: { code: '27836007', display: 'Pertussis' },
  Pneumococcal: { code: '16814004', display: 'Pneumococcal infectious disease' },
  Polio: { code: '721764008', display: 'Infection caused by Human poliovirus' },
  Rabies: { code: '14168008', display: 'Rabies' },
  Rotavirus: { code: '415822001', display: 'Viral gastroenteritis due to Rotavirus' },
  RSV: { code: '55735004', display: 'Respiratory syncytial virus infection' },
  Rubella: { code: '36653000', display: 'Rubella' },
  TBE: { code: '712986001', display: 'Tickborne encephalitis' },
  Tetanus: { code: '76902006', display: 'Tetanus' },
  Typhoid: { code: '4834000', display: 'Typhoid fever' },
  Varicella: { code: '38907003', display: 'Varicella' },
  'Yellow Fever': { code: '16541001', display: 'Yellow fever' },
  Zoster: { code: '4740000', display: 'Herpes zoster' },
} as const satisfies Record<CdsiAntigen, SnomedConcept | null>;

/**
 * The SNOMED CT coding of an antigen's target disease, or undefined when none is known.
 *
 * @param antigen - The CDSi antigen name as in the supporting data.
 */
export function targetDiseaseCoding(antigen: string): Coding | undefined {
  if (!Object.hasOwn(TARGET_DISEASE, antigen)) {
    return undefined;
  }
  const concept = TARGET_DISEASE[antigen as CdsiAntigen];
  return concept === null
    ? undefined
    : { system: SYSTEM.snomed, code: concept.code, display: concept.display };
}

// ---------------------------------------------------------------------------------------------
// Forecast dates
// ---------------------------------------------------------------------------------------------

/** The engine's forecast dates → LOINC `dateCriterion` codes (R4 date-criterion value set). */
export const DATE_CRITERION = {
  earliestDate: { code: '30981-5', display: 'Earliest date to give' },
  recommendedDate: { code: '30980-7', display: 'Date vaccine due' },
  pastDueDate: { code: '59778-1', display: 'Date when overdue for immunization' },
  latestDate: { code: '59777-3', display: 'Latest date to give immunization' },
} as const;

/** One of the forecast dates of {@link DATE_CRITERION}. */
export type ForecastDateField = keyof typeof DATE_CRITERION;
