/**
 * Our `$immds-forecast` OperationDefinition and the server's CapabilityStatement, as data
 * (design guide §3.1: the operation's parameters are declared as an OperationDefinition data
 * object). The definition is the HL7 ImmDS STU1 operation (`base`) plus our documented extra
 * parameters: `observation` and `knowledgeBaseVersion` in, `information` out.
 *
 * @packageDocumentation
 */
import type { CapabilityStatement, OperationDefinition } from 'fhir/r4';
import { EXT_GROUP_DOSE_EVALUATION, IMMDS_OPERATION_URL, OPERATION_URL, SYSTEM } from './codes';

const OUTPUT_NOTES = `Output notes (this implementation):
- The rule set used is a meta.tag (system ${SYSTEM.cdsiRuleSet}, code e.g. cdc-cdsi@4.64) on the
  Parameters, the ImmunizationRecommendation and every ImmunizationEvaluation, and their authority
  names it. The HTTP response also carries it in the X-Rule-Set header.
- The recommendation has one recommendation[] per CDSi vaccine group: targetDisease.text is the
  vaccine-group name of the CDSi supporting data (e.g. DTaP/Tdap/Td) with SNOMED CT codings of its
  antigens' diseases; forecastStatus codes are ImmDS ForecastStatus first, then the base R4
  immunization-recommendation-status where one applies, text the CDSi series status;
  dateCriterion uses LOINC 30981-5 (earliest), 30980-7 (recommended), 59778-1 (past due) and
  59777-3 (latest), each only when CDSi gives that date.
- One evaluation per input immunization and antigen: targetDisease.text is the CDSi antigen;
  doseStatus.text the CDSi evaluation status (Valid, Not Valid, Extraneous, Sub-standard);
  doseStatusReason has an ImmDS StatusReason coding where one fits and the engine's reason code
  (system ${SYSTEM.cdsiReason}) with the CDSi wording as its display; text is the reason in plain
  words when the engine gives the numbers behind it (e.g. "Age: Too Young — given 5 days before
  the minimum age of 6 weeks - 4 days (2024-02-06)"), otherwise the CDSi wording.
- The extension ${EXT_GROUP_DOSE_EVALUATION} on each recommendation[] gives every dose's
  evaluation for the whole vaccine group (the antigens' evaluations combined), with the
  sub-extensions immunizationEvent, doseStatus and doseStatusReason.
- Input resources keep their ids; an input without id gets one (Patient/patient,
  Immunization/immunization-<parameter index>) and an information issue says so.`;

/** Our OperationDefinition of `$immds-forecast` (served at `/fhir/OperationDefinition/immds-forecast`). */
export const IMMDS_FORECAST_OPERATION: OperationDefinition = {
  resourceType: 'OperationDefinition',
  id: 'immds-forecast',
  url: OPERATION_URL,
  name: 'ImmDSForecast',
  title: 'Immunization Decision Support Forecast (CDC CDSi)',
  status: 'active',
  kind: 'operation',
  description:
    'The HL7 ImmDS $immds-forecast operation, answered by the CDC CDSi logic (Logic Specification v4.6) over versioned CDSi supporting data, with the extra parameters observation, knowledgeBaseVersion and information.',
  affectsState: false,
  code: 'immds-forecast',
  comment: OUTPUT_NOTES,
  base: IMMDS_OPERATION_URL,
  system: true,
  type: false,
  instance: false,
  parameter: [
    {
      name: 'assessmentDate',
      use: 'in',
      min: 1,
      max: '1',
      documentation:
        'The date on which to assess the forecast (valueDate, a full date YYYY-MM-DD).',
      type: 'date',
    },
    {
      name: 'patient',
      use: 'in',
      min: 1,
      max: '1',
      documentation:
        'Patient information. birthDate (full date) is required; gender female or male is used (other and unknown count as unknown); the country of the patient-birthPlace extension is used for birth-date evidence of immunity.',
      type: 'Patient',
    },
    {
      name: 'immunization',
      use: 'in',
      min: 0,
      max: '*',
      documentation:
        'Patient immunization history, one Immunization per dose. status completed is evaluated; entered-in-error and not-done are ignored with a warning. The date part of occurrenceDateTime is used as written. vaccineCode: CVX, else NDC (10 or 11 digits, with or without hyphens), else CPT, mapped to CVX by the CDC tables. manufacturer.identifier with system http://hl7.org/fhir/sid/mvx gives the MVX. isSubpotent = true makes the dose Sub-standard.',
      type: 'Immunization',
    },
    {
      name: 'observation',
      use: 'in',
      min: 0,
      max: '*',
      documentation:
        'Extension: a patient condition that CDSi uses (indications, contraindications, evidence of immunity). Either a valueCoding / valueCodeableConcept, or a resource: Condition (code), Observation (code or valueCodeableConcept), AllergyIntolerance (code, reaction.substance), or Immunization with status not-done (statusReason; vaccineCode narrows it). Codes: CDSi observation codes (system urn:cdsi:observation, e.g. 055), or the SNOMED CT (http://snomed.info/sct), CVX (http://hl7.org/fhir/sid/cvx) and CDC PHIN VS (urn:oid:2.16.840.1.114222.4.5.274) codes the CDSi supporting data lists for its observations. The date (onset, effective, recorded, occurrence) is the observation date; an undated observation is always in effect. Codes that name no CDSi observation are ignored with a warning.',
      type: 'Any',
    },
    {
      name: 'knowledgeBaseVersion',
      use: 'in',
      min: 0,
      max: '1',
      documentation:
        'Extension: the CDSi rule-set version to use, e.g. 4.64 or cdc-cdsi@4.64 (see GET /readyz). Default: the service default.',
      type: 'string',
    },
    {
      name: 'evaluation',
      use: 'out',
      min: 0,
      max: '*',
      documentation:
        'The evaluation against a schedule: one ImmunizationEvaluation per input immunization and CDSi antigen.',
      type: 'ImmunizationEvaluation',
    },
    {
      name: 'recommendation',
      use: 'out',
      min: 1,
      max: '1',
      documentation:
        'The decision support engine produced forecast: one recommendation[] per CDSi vaccine group.',
      type: 'ImmunizationRecommendation',
    },
    {
      name: 'information',
      use: 'out',
      min: 0,
      max: '1',
      documentation:
        'Extension: warnings (doses and observations not used, with the reason) and information (ids given to inputs, codes mapped), each with the FHIRPath of the input element; and a business-rule warning per vaccine group whose seasonal recommendation in the rule set ended before the assessment date (expression ImmunizationRecommendation.recommendation[i]: load newer CDC supporting data). Absent when there is nothing to say.',
      type: 'OperationOutcome',
    },
  ],
};

/** The server's CapabilityStatement (served at `/fhir/metadata`). */
export const CAPABILITY_STATEMENT: CapabilityStatement = {
  resourceType: 'CapabilityStatement',
  id: 'cdsi-forecaster',
  name: 'CdsiForecaster',
  title: 'CDSi immunization forecaster',
  status: 'active',
  date: '2026-11-22',
  kind: 'instance',
  software: { name: 'cdsi-forecaster' },
  implementation: {
    description: 'Immunization evaluation and forecast by the CDC CDSi logic (HL7 ImmDS)',
  },
  fhirVersion: '4.0.1',
  format: ['application/fhir+json', 'json'],
  implementationGuide: ['http://hl7.org/fhir/us/immds/ImplementationGuide/hl7.fhir.us.immds'],
  rest: [
    {
      mode: 'server',
      documentation:
        'Stateless: the only interaction is the system-level operation $immds-forecast (POST).',
      operation: [{ name: 'immds-forecast', definition: OPERATION_URL }],
    },
  ],
};
