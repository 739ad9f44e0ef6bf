/**
 * The engine's `ForecastResult` → the `$immds-forecast` output `Parameters`. Pure.
 *
 * Output shape (documented in `operation-definition.ts` and `openapi.yaml`):
 * - `evaluation` (0..*): one ImmunizationEvaluation per input immunization × antigen it counts
 *   for (ids `evaluation-1`, `evaluation-2`, … in output order);
 * - `recommendation` (1..1): one ImmunizationRecommendation (id `recommendation`) with one
 *   `recommendation[]` per CDSi vaccine group of the rule set, in supporting-data order;
 * - `information` (0..1, ours): an OperationOutcome with the warnings (doses not used, codes not
 *   understood) and information (ids given, codes mapped), each pointing at the input element.
 *
 * The rule set used (`ruleSetId@version`) is a `meta.tag` (system `urn:cdsi:rule-set`) on the
 * Parameters and on every ImmunizationRecommendation and ImmunizationEvaluation, and is named by
 * their `authority`.
 *
 * @packageDocumentation
 */
import type {
  CodeableConcept,
  Coding,
  Extension,
  ImmunizationEvaluation,
  ImmunizationRecommendation,
  ImmunizationRecommendationRecommendation,
  ImmunizationRecommendationRecommendationDateCriterion,
  Meta,
  OperationOutcomeIssue,
  Parameters,
  ParametersParameter,
  Reference,
} from 'fhir/r4';
import type { CalendarDate } from '../calendar';
import type {
  DoseEvaluation,
  ForecastResult,
  GroupDoseEvaluation,
  Reason,
  VaccineGroupResult,
} from '../engine/model';
import { canonicalCvx, type RuleSet } from '../engine/rule-set';
import type { CodeTables } from '../rules/codes/types';
import {
  BASE_STATUS_DISPLAY,
  baseRecommendationStatus,
  DATE_CRITERION,
  DOSE_STATUS,
  EXT_GROUP_DOSE_EVALUATION,
  FORECAST_REASON_DISPLAY,
  FORECAST_STATUS,
  reasonCodes,
  STATUS_REASON_DISPLAY,
  SYSTEM,
  targetDiseaseCoding,
  type ForecastDateField,
} from './codes';
import { fhirDate } from './fhir-date';
import { operationOutcome, outcomeIssue } from './outcome';

/** What the output needs besides the engine's result. */
export interface OutputContext {
  readonly ruleSet: RuleSet;
  /** CDC code tables, for CVX displays (optional). */
  readonly codes?: CodeTables;
  /** `Patient/<id>`. */
  readonly patientReference: string;
  /** Dose id → FHIRPath of the input Immunization (for the warnings about unused doses). */
  readonly doseExpressions: ReadonlyMap<string, string>;
  /** Warnings and information from reading the input. */
  readonly notes: readonly OperationOutcomeIssue[];
}

/** The fields every output resource shares (one object each, referenced from every resource). */
interface Common {
  readonly patient: Reference;
  readonly date: string;
  readonly authority: Reference;
}

/**
 * Builds the output Parameters.
 *
 * @param result - What `forecast()` returned.
 * @param ctx - The request's context.
 */
export function toOutputParameters(result: ForecastResult, ctx: OutputContext): Parameters {
  const meta = ruleSetMeta(result.ruleSet);
  const common: Common = {
    patient: { reference: ctx.patientReference },
    date: fhirDate(result.assessmentDate),
    authority: authority(result.ruleSet),
  };
  const evaluations: ImmunizationEvaluation[] = [];
  const recommendations = result.vaccineGroups.map((group) => {
    const first = evaluations.length;
    for (const antigen of group.antigens) {
      for (const e of antigen.doseEvaluations) {
        evaluations.push(
          evaluation(e, `evaluation-${evaluations.length + 1}`, antigen.seriesName, meta, common),
        );
      }
    }
    return recommendation(group, evaluations.slice(first), result.assessmentDate, ctx);
  });
  const immunizationRecommendation: ImmunizationRecommendation = {
    resourceType: 'ImmunizationRecommendation',
    id: 'recommendation',
    meta,
    ...common,
    recommendation: recommendations,
  };

  const parameter: ParametersParameter[] = [
    ...evaluations.map((resource) => ({ name: 'evaluation', resource })),
    { name: 'recommendation', resource: immunizationRecommendation },
  ];
  const information = [...ctx.notes, ...unusedDoseWarnings(result, ctx)];
  if (information.length > 0) {
    parameter.push({ name: 'information', resource: operationOutcome(information) });
  }
  return { resourceType: 'Parameters', meta, parameter };
}

function ruleSetMeta(ruleSet: string): Meta {
  return { tag: [{ system: SYSTEM.cdsiRuleSet, code: ruleSet, display: `CDC CDSi ${ruleSet}` }] };
}

function authority(ruleSet: string): Reference {
  return {
    identifier: { system: SYSTEM.cdsiRuleSet, value: ruleSet },
    display: `CDC CDSi rule set ${ruleSet}`,
  };
}

/** A reason as a CodeableConcept: ImmDS code where one fits, the engine code, the CDSi text. */
function reasonConcept(r: Reason, kind: 'statusReason' | 'forecastReason'): CodeableConcept {
  const coding: Coding[] = [];
  const mapped = reasonCodes(r.code);
  if (kind === 'statusReason' && mapped.statusReason !== undefined) {
    coding.push({
      system: SYSTEM.immdsStatusReason,
      code: mapped.statusReason,
      display: STATUS_REASON_DISPLAY[mapped.statusReason],
    });
  }
  if (kind === 'forecastReason' && mapped.forecastReason !== undefined) {
    coding.push({
      system: SYSTEM.immdsForecastReason,
      code: mapped.forecastReason,
      display: FORECAST_REASON_DISPLAY[mapped.forecastReason],
    });
  }
  coding.push({ system: SYSTEM.cdsiReason, code: r.code, display: r.text });
  return { coding, text: r.text };
}

function doseStatusConcept(status: DoseEvaluation['status']): CodeableConcept {
  const s = DOSE_STATUS[status];
  return {
    coding: [{ system: SYSTEM.doseStatus, code: s.code, display: s.display }],
    text: status,
  };
}

function evaluation(
  e: DoseEvaluation,
  id: string,
  seriesName: string | undefined,
  meta: Meta,
  common: Common,
): ImmunizationEvaluation {
  // Built by assignment rather than conditional spreads (hot path: one per dose × antigen); the
  // key order, and so the JSON, is the same.
  const disease = targetDiseaseCoding(e.antigen);
  const targetDisease: CodeableConcept =
    disease === undefined ? { text: e.antigen } : { coding: [disease], text: e.antigen };
  const out: ImmunizationEvaluation = {
    resourceType: 'ImmunizationEvaluation',
    id,
    meta,
    status: 'completed',
    patient: common.patient,
    date: common.date,
    authority: common.authority,
    targetDisease,
    immunizationEvent: { reference: `Immunization/${e.doseId}` },
    doseStatus: doseStatusConcept(e.status),
  };
  if (e.reasons.length > 0) {
    out.doseStatusReason = e.reasons.map((r) => reasonConcept(r, 'statusReason'));
  }
  if (seriesName !== undefined) {
    out.series = seriesName;
  }
  if (e.targetDoseNumber !== undefined) {
    out.doseNumberPositiveInt = e.targetDoseNumber;
  }
  return out;
}

function groupDoseExtension(d: GroupDoseEvaluation): Extension {
  return {
    url: EXT_GROUP_DOSE_EVALUATION,
    extension: [
      { url: 'immunizationEvent', valueReference: { reference: `Immunization/${d.doseId}` } },
      { url: 'doseStatus', valueCodeableConcept: doseStatusConcept(d.status) },
      ...d.reasons.map((r) => ({
        url: 'doseStatusReason',
        valueCodeableConcept: reasonConcept(r, 'statusReason'),
      })),
    ],
  };
}

function cvxConcept(cvx: string, ctx: OutputContext): CodeableConcept {
  const display =
    ctx.codes?.cvx.get(cvx)?.shortDescription ??
    ctx.ruleSet.vaccineTypes.get(canonicalCvx(cvx))?.shortDescription;
  return {
    coding: [{ system: SYSTEM.cvx, code: cvx, ...(display === undefined ? {} : { display }) }],
  };
}

function timing(group: VaccineGroupResult, assessmentDate: CalendarDate) {
  const f = group.forecast;
  if (f === undefined) {
    return 'no-forecast' as const;
  }
  if (f.pastDueDate !== undefined && assessmentDate.isOnOrAfter(f.pastDueDate)) {
    return 'overdue' as const;
  }
  return assessmentDate.isBefore(f.earliestDate) ? ('before-earliest' as const) : ('due' as const);
}

function recommendation(
  group: VaccineGroupResult,
  evaluations: readonly ImmunizationEvaluation[],
  assessmentDate: CalendarDate,
  ctx: OutputContext,
): ImmunizationRecommendationRecommendation {
  const antigens = ctx.ruleSet.vaccineGroups.find((g) => g.name === group.vaccineGroup)
    ?.antigens ?? [...group.antigens.map((a) => a.antigen)];
  const diseaseCodings = antigens.flatMap((a) => targetDiseaseCoding(a) ?? []);
  const immds = FORECAST_STATUS[group.status];
  const base = baseRecommendationStatus(group.status, timing(group, assessmentDate));
  const statusCodings: Coding[] = [
    { system: SYSTEM.immdsForecastStatus, code: immds.code, display: immds.display },
    ...(base === undefined
      ? []
      : [{ system: SYSTEM.recommendationStatus, code: base, display: BASE_STATUS_DISPLAY[base] }]),
  ];
  const f = group.forecast;
  const dateCriterion: ImmunizationRecommendationRecommendationDateCriterion[] = [];
  if (f !== undefined) {
    const fields: ForecastDateField[] = [
      'earliestDate',
      'recommendedDate',
      'pastDueDate',
      'latestDate',
    ];
    for (const field of fields) {
      const date = f[field];
      if (date !== undefined) {
        const c = DATE_CRITERION[field];
        dateCriterion.push({
          code: { coding: [{ system: SYSTEM.loinc, code: c.code, display: c.display }] },
          value: fhirDate(date),
        });
      }
    }
  }
  const seriesNames = new Set<string>();
  for (const a of group.antigens) {
    if (a.seriesName !== undefined) {
      seriesNames.add(a.seriesName);
    }
  }
  // Built by assignment rather than conditional spreads (hot path: one per vaccine group of every
  // forecast); the key order, and so the JSON, is the same.
  const out: Partial<ImmunizationRecommendationRecommendation> = {};
  if (group.doseEvaluations.length > 0) {
    out.extension = group.doseEvaluations.map(groupDoseExtension);
  }
  const vaccines = f?.recommendedVaccines ?? [];
  if (vaccines.length > 0) {
    out.vaccineCode = vaccines.map((v) => cvxConcept(v, ctx));
  }
  out.targetDisease =
    diseaseCodings.length === 0
      ? { text: group.vaccineGroup }
      : { coding: diseaseCodings, text: group.vaccineGroup };
  out.forecastStatus = { coding: statusCodings, text: group.status };
  if (group.reasons.length > 0) {
    out.forecastReason = group.reasons.map((r) => reasonConcept(r, 'forecastReason'));
  }
  if (dateCriterion.length > 0) {
    out.dateCriterion = dateCriterion;
  }
  if (seriesNames.size > 0) {
    out.series = [...seriesNames].join('; ');
  }
  if (f !== undefined) {
    out.doseNumberPositiveInt = f.doseNumber;
  }
  if (evaluations.length > 0) {
    out.supportingImmunization = evaluations.map((e) => ({
      reference: `ImmunizationEvaluation/${e.id ?? ''}`,
    }));
  }
  return out as ImmunizationRecommendationRecommendation;
}

function unusedDoseWarnings(result: ForecastResult, ctx: OutputContext): OperationOutcomeIssue[] {
  return result.unusedDoses.map((u) => {
    const expression = ctx.doseExpressions.get(u.doseId);
    return {
      ...outcomeIssue(
        'warning',
        'not-supported',
        `Immunization/${u.doseId} was not evaluated: ${u.reason.text}`,
        expression === undefined ? [] : [expression],
      ),
      details: {
        coding: [{ system: SYSTEM.cdsiReason, code: u.reason.code, display: u.reason.text }],
        text: u.reason.text,
      },
    };
  });
}
