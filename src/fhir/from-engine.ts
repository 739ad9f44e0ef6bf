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
  SeriesStatus,
  VaccineGroupResult,
} from '../engine/model';
import { explainReason } from '../engine/explain-reason';
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
  type BaseRecommendationStatus,
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

// ---------------------------------------------------------------------------------------------
// Constant parts of the output, built once and shared between answers
// ---------------------------------------------------------------------------------------------
//
// Most of an answer does not depend on the patient: the coded concepts of statuses, reasons,
// date criteria, target diseases and vaccines. They are built once (per rule set where they
// depend on it) and the same object is referenced from every answer. Each is deep-frozen, so a
// caller that tried to modify one answer would get a TypeError instead of silently changing
// later answers (every caller only reads or serializes the output, or copies what it changes).

/** Freezes an object and everything reachable from it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) {
      deepFreeze(v);
    }
  }
  return value;
}

/** The `meta` and `authority` of the output of one rule set (`ruleSetId@version`). */
interface RuleSetStamp {
  readonly ruleSet: string;
  readonly meta: Meta;
  readonly authority: Reference;
}

/** The last stamp per rule-set label (a service loads a handful of rule sets). */
const stamps = new Map<string, RuleSetStamp>();

function stampOf(ruleSet: string): RuleSetStamp {
  let stamp = stamps.get(ruleSet);
  if (stamp === undefined) {
    stamp = deepFreeze({ ruleSet, meta: ruleSetMeta(ruleSet), authority: authority(ruleSet) });
    stamps.set(ruleSet, stamp);
  }
  return stamp;
}

/**
 * Per rule set: the `targetDisease` of each vaccine group (its antigens come from the rule set),
 * and per code tables the `vaccineCode` concept of each CVX (its display comes from the code
 * tables, else from the rule set's vaccine types).
 */
interface RuleSetConcepts {
  readonly groupDiseases: Map<string, CodeableConcept>;
  readonly cvxByCodes: WeakMap<CodeTables, Map<string, CodeableConcept>>;
  /** CVX concepts when the catalog has no code tables. */
  readonly cvxWithoutCodes: Map<string, CodeableConcept>;
}

const conceptsByRuleSet = new WeakMap<RuleSet, RuleSetConcepts>();

function conceptsOf(ruleSet: RuleSet): RuleSetConcepts {
  let concepts = conceptsByRuleSet.get(ruleSet);
  if (concepts === undefined) {
    concepts = { groupDiseases: new Map(), cvxByCodes: new WeakMap(), cvxWithoutCodes: new Map() };
    conceptsByRuleSet.set(ruleSet, concepts);
  }
  return concepts;
}

/** No evaluations (shared; never modified). */
const NO_EVALUATIONS: readonly ImmunizationEvaluation[] = Object.freeze([]);

/** `doseStatus` per CDSi evaluation status. */
const DOSE_STATUS_CONCEPTS = new Map<DoseEvaluation['status'], CodeableConcept>();

/** `targetDisease` of an evaluation, per antigen. */
const ANTIGEN_DISEASES = new Map<string, CodeableConcept>();

/** `forecastStatus` per CDSi series status and base recommendation status ('none': none). */
const FORECAST_STATUS_CONCEPTS: Record<
  SeriesStatus,
  Partial<Record<BaseRecommendationStatus | 'none', CodeableConcept>>
> = {
  'Not Complete': {},
  Complete: {},
  Immune: {},
  Contraindicated: {},
  'Aged Out': {},
  'Not Recommended': {},
};

/** `dateCriterion.code` per forecast date. */
const DATE_CRITERION_CODES = new Map<ForecastDateField, CodeableConcept>();

/**
 * Concepts of reasons without details, per kind. The engine shares one frozen `Reason` per code
 * for those (`reasons.ts`), so keying on the object finds it; a reason object built elsewhere is
 * simply converted (and remembered while it lives).
 */
const REASON_CONCEPTS: Record<
  'statusReason' | 'forecastReason',
  WeakMap<Reason, CodeableConcept>
> = { statusReason: new WeakMap(), forecastReason: new WeakMap() };

/**
 * Builds the output Parameters.
 *
 * @param result - What `forecast()` returned.
 * @param ctx - The request's context.
 */
export function toOutputParameters(result: ForecastResult, ctx: OutputContext): Parameters {
  const stamp = stampOf(result.ruleSet);
  const meta = stamp.meta;
  const common: Common = {
    patient: { reference: ctx.patientReference },
    date: fhirDate(result.assessmentDate),
    authority: stamp.authority,
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
    // Most groups have no dose: no copy for them.
    const own = evaluations.length === first ? NO_EVALUATIONS : evaluations.slice(first);
    return recommendation(group, own, result.assessmentDate, ctx);
  });
  const immunizationRecommendation: ImmunizationRecommendation = {
    resourceType: 'ImmunizationRecommendation',
    id: 'recommendation',
    meta,
    ...common,
    recommendation: recommendations,
  };

  const parameter: ParametersParameter[] = [];
  for (const resource of evaluations) {
    parameter.push({ name: 'evaluation', resource });
  }
  parameter.push({ name: 'recommendation', resource: immunizationRecommendation });
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

/**
 * A reason as a CodeableConcept: ImmDS code where one fits, then the engine code with the CDSi
 * wording as its display (what conformance compares). `text` is the reason in plain words when
 * the engine gave the numbers behind it (`explainReason`), otherwise the CDSi wording.
 */
function reasonConcept(r: Reason, kind: 'statusReason' | 'forecastReason'): CodeableConcept {
  if (r.details !== undefined) {
    return buildReasonConcept(r, kind);
  }
  const cache = REASON_CONCEPTS[kind];
  let concept = cache.get(r);
  if (concept === undefined) {
    concept = deepFreeze(buildReasonConcept(r, kind));
    cache.set(r, concept);
  }
  return concept;
}

function buildReasonConcept(r: Reason, kind: 'statusReason' | 'forecastReason'): CodeableConcept {
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
  return { coding, text: (r.details === undefined ? undefined : explainReason(r)) ?? r.text };
}

function doseStatusConcept(status: DoseEvaluation['status']): CodeableConcept {
  let concept = DOSE_STATUS_CONCEPTS.get(status);
  if (concept === undefined) {
    const s = DOSE_STATUS[status];
    concept = deepFreeze({
      coding: [{ system: SYSTEM.doseStatus, code: s.code, display: s.display }],
      text: status,
    });
    DOSE_STATUS_CONCEPTS.set(status, concept);
  }
  return concept;
}

function antigenDisease(antigen: string): CodeableConcept {
  let concept = ANTIGEN_DISEASES.get(antigen);
  if (concept === undefined) {
    const disease = targetDiseaseCoding(antigen);
    concept = deepFreeze(
      disease === undefined ? { text: antigen } : { coding: [disease], text: antigen },
    );
    ANTIGEN_DISEASES.set(antigen, concept);
  }
  return concept;
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
  const targetDisease = antigenDisease(e.antigen);
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
  const extension: Extension[] = [
    { url: 'immunizationEvent', valueReference: { reference: `Immunization/${d.doseId}` } },
    { url: 'doseStatus', valueCodeableConcept: doseStatusConcept(d.status) },
  ];
  for (const r of d.reasons) {
    extension.push({
      url: 'doseStatusReason',
      valueCodeableConcept: reasonConcept(r, 'statusReason'),
    });
  }
  return { url: EXT_GROUP_DOSE_EVALUATION, extension };
}

function cvxConcept(cvx: string, ctx: OutputContext): CodeableConcept {
  const concepts = conceptsOf(ctx.ruleSet);
  let byCvx: Map<string, CodeableConcept> | undefined;
  if (ctx.codes === undefined) {
    byCvx = concepts.cvxWithoutCodes;
  } else {
    byCvx = concepts.cvxByCodes.get(ctx.codes);
    if (byCvx === undefined) {
      byCvx = new Map();
      concepts.cvxByCodes.set(ctx.codes, byCvx);
    }
  }
  let concept = byCvx.get(cvx);
  if (concept === undefined) {
    concept = deepFreeze(buildCvxConcept(cvx, ctx));
    byCvx.set(cvx, concept);
  }
  return concept;
}

function buildCvxConcept(cvx: string, ctx: OutputContext): CodeableConcept {
  const display =
    ctx.codes?.cvx.get(cvx)?.shortDescription ??
    ctx.ruleSet.vaccineTypes.get(canonicalCvx(cvx))?.shortDescription;
  return {
    coding: [{ system: SYSTEM.cvx, code: cvx, ...(display === undefined ? {} : { display }) }],
  };
}

/**
 * The `targetDisease` of a vaccine group: the diseases of its antigens as the rule set lists
 * them (of the result's antigens for a group the rule set does not have, not remembered).
 */
function groupDisease(group: VaccineGroupResult, ruleSet: RuleSet): CodeableConcept {
  const known = conceptsOf(ruleSet).groupDiseases;
  let concept = known.get(group.vaccineGroup);
  if (concept !== undefined) {
    return concept;
  }
  const rules = ruleSet.vaccineGroups.find((g) => g.name === group.vaccineGroup);
  const antigens = rules?.antigens ?? group.antigens.map((a) => a.antigen);
  const diseaseCodings = antigens.flatMap((a) => targetDiseaseCoding(a) ?? []);
  concept =
    diseaseCodings.length === 0
      ? { text: group.vaccineGroup }
      : { coding: diseaseCodings, text: group.vaccineGroup };
  if (rules !== undefined) {
    known.set(group.vaccineGroup, deepFreeze(concept));
  }
  return concept;
}

/** `forecastStatus`: the ImmDS status, then the base recommendation status when one applies. */
function forecastStatusConcept(
  status: SeriesStatus,
  base: BaseRecommendationStatus | undefined,
): CodeableConcept {
  const byBase = FORECAST_STATUS_CONCEPTS[status];
  const key = base ?? 'none';
  let concept = byBase[key];
  if (concept === undefined) {
    const immds = FORECAST_STATUS[status];
    const coding: Coding[] = [
      { system: SYSTEM.immdsForecastStatus, code: immds.code, display: immds.display },
    ];
    if (base !== undefined) {
      coding.push({
        system: SYSTEM.recommendationStatus,
        code: base,
        display: BASE_STATUS_DISPLAY[base],
      });
    }
    concept = deepFreeze({ coding, text: status });
    byBase[key] = concept;
  }
  return concept;
}

/** The forecast dates in `dateCriterion` order. */
const FORECAST_DATE_FIELDS: readonly ForecastDateField[] = [
  'earliestDate',
  'recommendedDate',
  'pastDueDate',
  'latestDate',
];

function dateCriterionCode(field: ForecastDateField): CodeableConcept {
  let concept = DATE_CRITERION_CODES.get(field);
  if (concept === undefined) {
    const c = DATE_CRITERION[field];
    concept = deepFreeze({ coding: [{ system: SYSTEM.loinc, code: c.code, display: c.display }] });
    DATE_CRITERION_CODES.set(field, concept);
  }
  return concept;
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
  const f = group.forecast;
  const dateCriterion: ImmunizationRecommendationRecommendationDateCriterion[] = [];
  if (f !== undefined) {
    for (const field of FORECAST_DATE_FIELDS) {
      const date = f[field];
      if (date !== undefined) {
        dateCriterion.push({ code: dateCriterionCode(field), value: fhirDate(date) });
      }
    }
  }
  // The distinct series names in antigen order, joined (no Set: a group has one to three).
  let series: string | undefined;
  let seriesNames: string[] | undefined;
  for (const a of group.antigens) {
    const name = a.seriesName;
    if (name === undefined || name === series || seriesNames?.includes(name) === true) {
      continue;
    }
    if (series === undefined) {
      series = name;
    } else {
      (seriesNames ??= [series]).push(name);
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
  out.targetDisease = groupDisease(group, ctx.ruleSet);
  out.forecastStatus = forecastStatusConcept(
    group.status,
    baseRecommendationStatus(group.status, timing(group, assessmentDate)),
  );
  if (group.reasons.length > 0) {
    out.forecastReason = group.reasons.map((r) => reasonConcept(r, 'forecastReason'));
  }
  if (dateCriterion.length > 0) {
    out.dateCriterion = dateCriterion;
  }
  if (series !== undefined) {
    out.series = seriesNames === undefined ? series : seriesNames.join('; ');
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
