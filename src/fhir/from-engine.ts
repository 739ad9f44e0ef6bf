/**
 * The engine's `ForecastResult` → the `$immds-forecast` output, written as JSON text. Pure.
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
 * Why JSON text rather than FHIR objects given to `JSON.stringify`: see `json-text.ts` — the
 * answer is written from pieces, and most pieces (the coded concepts of statuses, reasons, date
 * criteria, target diseases, vaccines; meta and authority) do not depend on the patient: each is
 * built once as a typed FHIR value, serialised once, and its text reused by every answer. The
 * text is ASCII. Callers that want objects parse it (`parseOutput`); the HTTP routes and bulk
 * runs send it as it is.
 *
 * @packageDocumentation
 */
import type {
  CodeableConcept,
  Coding,
  Meta,
  OperationOutcomeIssue,
  Parameters,
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
import { explainReason, explainReasonWords, EXPLANATION_DASH } from '../engine/explain-reason';
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
import { jsonString, jsonValue } from './json-text';
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

/** The ids of the output resources. */
export interface OutputIds {
  /** Of the ImmunizationRecommendation. */
  readonly recommendation: string;
  /**
   * Of the ImmunizationEvaluations: this prefix and the evaluation's number (from 1, in output
   * order), e.g. `evaluation-` → `evaluation-1`, `evaluation-2`…
   */
  readonly evaluationPrefix: string;
}

/** The ids of a single answer: `recommendation`, `evaluation-1`, `evaluation-2`… */
export const DEFAULT_OUTPUT_IDS: OutputIds = {
  recommendation: 'recommendation',
  evaluationPrefix: 'evaluation-',
};

/** An answer, as JSON text per resource (ASCII), and what callers need to know of it. */
export interface ForecastOutput {
  /** `ruleSetId@version` of the rule set that made it. */
  readonly ruleSet: string;
  /** JSON of the `meta` shared by the Parameters and every resource. */
  readonly metaJson: string;
  /** JSON of each ImmunizationEvaluation, in output order. */
  readonly evaluations: readonly string[];
  /** JSON of the ImmunizationRecommendation. */
  readonly recommendation: string;
  /** The issues of the `information` OperationOutcome (none: no `information`). */
  readonly information: readonly OperationOutcomeIssue[];
  /** Vaccine group and status of each recommendation, in output order (for metrics). */
  readonly vaccineGroups: readonly { readonly vaccineGroup: string; readonly status: string }[];
}

// ---------------------------------------------------------------------------------------------
// Constant parts of the output, written once and shared between answers
// ---------------------------------------------------------------------------------------------
//
// Each cache below is keyed by everything its text depends on: the rule-set label, the compiled
// rule set (a WeakMap, so an unloaded rule set takes its texts with it), the code tables, the
// status, the reason object.

/** Stores `value` under `key` and returns it: `map.get(key) ?? remember(map, key, make(key))`. */
function remember<K, V>(map: Map<K, V> | WeakMap<K & object, V>, key: K, value: V): V {
  (map as Map<K, V>).set(key, value);
  return value;
}

/**
 * The pieces as one flat string. Texts kept and reused (constants, per-answer parts) are made
 * flat: a text built by `+` is a tree of pieces that every answer using it would walk again.
 */
function flat(...pieces: string[]): string {
  return pieces.join('');
}

/** JSON of the `meta` and `authority` of the output of one rule set (`ruleSetId@version`). */
interface RuleSetStamp {
  readonly meta: string;
  readonly authority: string;
}

/** Per rule-set label (a service loads a handful of rule sets). */
const stamps = new Map<string, RuleSetStamp>();

function stampOf(ruleSet: string): RuleSetStamp {
  return stamps.get(ruleSet) ?? remember(stamps, ruleSet, buildStamp(ruleSet));
}

function buildStamp(ruleSet: string): RuleSetStamp {
  return {
    meta: jsonValue({
      tag: [{ system: SYSTEM.cdsiRuleSet, code: ruleSet, display: `CDC CDSi ${ruleSet}` }],
    } satisfies Meta),
    authority: jsonValue({
      identifier: { system: SYSTEM.cdsiRuleSet, value: ruleSet },
      display: `CDC CDSi rule set ${ruleSet}`,
    } satisfies Reference),
  };
}

/**
 * Per rule set: the `targetDisease` of each vaccine group (its antigens come from the rule set),
 * and per code tables the `vaccineCode` concept of each CVX (its display comes from the code
 * tables, else from the rule set's vaccine types).
 */
interface RuleSetConcepts {
  readonly groupDiseases: Map<string, string>;
  /** `"targetDisease":…,"forecastStatus":…` per vaccine group, status and base status. */
  readonly groupStatusFields: Map<string, Map<SeriesStatus, Map<string, string>>>;
  readonly cvxByCodes: WeakMap<CodeTables, Map<string, string>>;
  /** CVX concepts when the catalog has no code tables. */
  readonly cvxWithoutCodes: Map<string, string>;
}

const conceptsByRuleSet = new WeakMap<RuleSet, RuleSetConcepts>();

function conceptsOf(ruleSet: RuleSet): RuleSetConcepts {
  return (
    conceptsByRuleSet.get(ruleSet) ??
    remember(conceptsByRuleSet, ruleSet, {
      groupDiseases: new Map(),
      groupStatusFields: new Map(),
      cvxByCodes: new WeakMap(),
      cvxWithoutCodes: new Map(),
    })
  );
}

/** `doseStatus` per CDSi evaluation status. */
const DOSE_STATUS_CONCEPTS = new Map<DoseEvaluation['status'], string>();

/** A series name (or names joined) as JSON: a rule set has a few hundred. */
const SERIES_JSON = new Map<string, string>();

function seriesJson(name: string): string {
  return SERIES_JSON.get(name) ?? remember(SERIES_JSON, name, jsonString(name));
}

/**
 * The end of an evaluation without reasons ({@link evaluationTail}), per series name (JSON),
 * status and dose number.
 */
const EVALUATION_TAILS = new Map<string, Map<DoseEvaluation['status'], (string | undefined)[]>>();

/** `targetDisease` of an evaluation, per antigen. */
const ANTIGEN_DISEASES = new Map<string, string>();

/** `forecastStatus` per CDSi series status and base recommendation status ('none': none). */
const FORECAST_STATUS_CONCEPTS: Record<
  SeriesStatus,
  Map<BaseRecommendationStatus | 'none', string>
> = {
  'Not Complete': new Map(),
  Complete: new Map(),
  Immune: new Map(),
  Contraindicated: new Map(),
  'Aged Out': new Map(),
  'Not Recommended': new Map(),
};

/**
 * Concepts of reasons without details, per kind. The engine shares one frozen `Reason` per code
 * for those (`reasons.ts`), so keying on the object finds it; a reason object built elsewhere is
 * simply converted (and remembered while it lives).
 */
const REASON_CONCEPTS: Record<'statusReason' | 'forecastReason', WeakMap<Reason, string>> = {
  statusReason: new WeakMap(),
  forecastReason: new WeakMap(),
};

/** Per kind and reason code: a reason-with-details concept up to the words about its numbers. */
const REASON_TEXT_STARTS: Record<'statusReason' | 'forecastReason', Map<string, string>> = {
  statusReason: new Map(),
  forecastReason: new Map(),
};

// ---------------------------------------------------------------------------------------------
// The answer
// ---------------------------------------------------------------------------------------------

/** The fields every output resource shares, as JSON text. */
interface Common {
  readonly meta: string;
  readonly patient: string;
  readonly date: string;
  readonly authority: string;
  /** What follows an evaluation's `id` up to its `immunizationEvent` reference, per antigen. */
  evaluationHead(antigen: string): string;
  /** `"Immunization/<dose id>"`: a dose is referred to once per antigen and once per group. */
  doseReference(doseId: string): string;
}

/**
 * Writes the output of one forecast.
 *
 * The texts are built by concatenation, which V8 keeps as a tree of pieces (a "rope") until the
 * text is read as a whole: callers should turn them into bytes at once (`Buffer.from(text,
 * 'latin1')`) rather than keep them — a rope kept across garbage collections is copied piece by
 * piece. (Concatenating then encoding measured about twice as fast as `Array.prototype.join` then
 * encoding, for 600 pieces of a 64 kB answer; the answer as a whole: docs/benchmarks.md.)
 *
 * @param result - What `forecast()` returned.
 * @param ctx - The request's context.
 * @param ids - The ids of the output resources (a bulk run makes them unique per patient).
 */
export function writeForecastOutput(
  result: ForecastResult,
  ctx: OutputContext,
  ids: OutputIds = DEFAULT_OUTPUT_IDS,
): ForecastOutput {
  const stamp = stampOf(result.ruleSet);
  const patient = flat('{"reference":', jsonString(ctx.patientReference), '}');
  const date = flat('"', fhirDate(result.assessmentDate), '"');
  const doseReferences = new Map<string, string>();
  const evaluationHeads = new Map<string, string>();
  const evaluationFields = flat(
    ',"meta":',
    stamp.meta,
    ',"status":"completed","patient":',
    patient,
    ',"date":',
    date,
    ',"authority":',
    stamp.authority,
    ',"targetDisease":',
  );
  const common: Common = {
    meta: stamp.meta,
    patient,
    date,
    authority: stamp.authority,
    evaluationHead: (antigen) =>
      evaluationHeads.get(antigen) ??
      remember(
        evaluationHeads,
        antigen,
        flat(evaluationFields, antigenDisease(antigen), ',"immunizationEvent":{"reference":'),
      ),
    doseReference: (doseId) =>
      doseReferences.get(doseId) ??
      remember(doseReferences, doseId, jsonString(`Immunization/${doseId}`)),
  };
  const evaluations: string[] = [];
  const evaluationRefs: string[] = [];
  // An evaluation's id is the prefix and a number: the prefix is escaped once (escaping is
  // character by character), and so is its reference, `ImmunizationEvaluation/<id>`.
  const idStart = jsonString(ids.evaluationPrefix).slice(0, -1);
  const refStart = flat('{"reference":"ImmunizationEvaluation/', idStart.slice(1));
  let recommendations = '';
  for (const group of result.vaccineGroups) {
    const first = evaluations.length;
    for (const antigen of group.antigens) {
      const series = antigen.seriesName === undefined ? '' : seriesJson(antigen.seriesName);
      for (const e of antigen.doseEvaluations) {
        const n = evaluations.length + 1;
        evaluations.push(evaluation(e, `${idStart}${n}"`, series, common));
        evaluationRefs.push(`${refStart}${n}"}`);
      }
    }
    recommendations +=
      (recommendations === '' ? '' : ',') +
      recommendation(group, evaluationRefs, first, common, result.assessmentDate, ctx);
  }
  const recommendationJson =
    `{"resourceType":"ImmunizationRecommendation","id":${jsonString(ids.recommendation)}` +
    `,"meta":${common.meta},"patient":${common.patient},"date":${common.date}` +
    `,"authority":${common.authority},"recommendation":[${recommendations}]}`;
  return {
    ruleSet: result.ruleSet,
    metaJson: common.meta,
    evaluations,
    recommendation: recommendationJson,
    information: [...ctx.notes, ...unusedDoseWarnings(result, ctx)],
    vaccineGroups: result.vaccineGroups,
  };
}

/**
 * The output `Parameters` as JSON text (ASCII).
 *
 * @param output - What {@link writeForecastOutput} wrote.
 */
export function parametersJson(output: ForecastOutput): string {
  let json = `{"resourceType":"Parameters","meta":${output.metaJson},"parameter":[`;
  for (const e of output.evaluations) {
    json += `{"name":"evaluation","resource":${e}},`;
  }
  json += `{"name":"recommendation","resource":${output.recommendation}}`;
  if (output.information.length > 0) {
    json += `,{"name":"information","resource":${jsonValue(operationOutcome(output.information))}}`;
  }
  return `${json}]}`;
}

/**
 * The output `Parameters` as an object (tests, the conformance reader; the service sends the
 * text).
 *
 * @param output - What {@link writeForecastOutput} wrote.
 */
export function parseOutput(output: ForecastOutput): Parameters {
  return JSON.parse(parametersJson(output)) as Parameters;
}

// ---------------------------------------------------------------------------------------------
// Pieces
// ---------------------------------------------------------------------------------------------

/**
 * A reason as a CodeableConcept: ImmDS code where one fits, then the engine code with the CDSi
 * wording as its display (what conformance compares). `text` is the reason in plain words when
 * the engine gave the numbers behind it (`explainReason`), otherwise the CDSi wording.
 */
function reasonConcept(r: Reason, kind: 'statusReason' | 'forecastReason'): string {
  if (r.details !== undefined) {
    return reasonConceptWithDetails(r, kind);
  }
  const known = REASON_CONCEPTS[kind];
  return known.get(r) ?? remember(known, r, jsonValue(buildReasonConcept(r, kind)));
}

/**
 * A reason with details: only the end of its `text` (the words about the numbers) depends on the
 * dose; the codings and the start of the text (the CDSi wording and a dash, not ASCII) are
 * written once per code. Escaping is character by character, so the text written in two parts
 * is the text written whole.
 */
function reasonConceptWithDetails(r: Reason, kind: 'statusReason' | 'forecastReason'): string {
  const words = explainReasonWords(r);
  if (words === undefined) {
    return jsonValue(buildReasonConcept(r, kind)); // details that explain nothing: rare
  }
  const starts = REASON_TEXT_STARTS[kind];
  let start = starts.get(r.code);
  if (start === undefined) {
    const concept = jsonValue({ ...buildReasonConcept(r, kind), text: '' });
    // `…,"text":""}` → `…,"text":"` and the escaped wording and dash.
    start = flat(concept.slice(0, -2), jsonString(`${r.text}${EXPLANATION_DASH}`).slice(1, -1));
    starts.set(r.code, start);
  }
  // The words (ASCII unless a vaccine or series name is not), their closing quote, the end.
  return `${start}${jsonString(words).slice(1)}}`;
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

function doseStatusConcept(status: DoseEvaluation['status']): string {
  return (
    DOSE_STATUS_CONCEPTS.get(status) ??
    remember(DOSE_STATUS_CONCEPTS, status, buildDoseStatusConcept(status))
  );
}

function buildDoseStatusConcept(status: DoseEvaluation['status']): string {
  const s = DOSE_STATUS[status];
  return jsonValue({
    coding: [{ system: SYSTEM.doseStatus, code: s.code, display: s.display }],
    text: status,
  } satisfies CodeableConcept);
}

function antigenDisease(antigen: string): string {
  return (
    ANTIGEN_DISEASES.get(antigen) ??
    remember(ANTIGEN_DISEASES, antigen, buildAntigenDisease(antigen))
  );
}

function buildAntigenDisease(antigen: string): string {
  const disease = targetDiseaseCoding(antigen);
  return jsonValue(
    (disease === undefined
      ? { text: antigen }
      : { coding: [disease], text: antigen }) satisfies CodeableConcept,
  );
}

/**
 * One ImmunizationEvaluation (ImmDS profile): keys in the order of the FHIR resource definition.
 *
 * @param id - Its id, as JSON text.
 * @param series - The series name as JSON text, `''` when none.
 */
function evaluation(e: DoseEvaluation, id: string, series: string, common: Common): string {
  return (
    `{"resourceType":"ImmunizationEvaluation","id":${id}${common.evaluationHead(e.antigen)}` +
    `${common.doseReference(e.doseId)}${evaluationTail(e, series)}`
  );
}

/**
 * An evaluation from its `doseStatus` on (with the end of the `immunizationEvent` before it).
 * Without reasons — a valid dose, the most common — it depends only on the status, series and
 * dose number, and is written once.
 */
function evaluationTail(e: DoseEvaluation, series: string): string {
  if (e.reasons.length > 0) {
    return buildEvaluationTail(e, series);
  }
  const bySeries =
    EVALUATION_TAILS.get(series) ??
    remember(EVALUATION_TAILS, series, new Map<DoseEvaluation['status'], (string | undefined)[]>());
  const byDoseNumber =
    bySeries.get(e.status) ?? remember(bySeries, e.status, new Array<string | undefined>());
  // Index 0: no dose number (dose numbers start at 1).
  const n = e.targetDoseNumber ?? 0;
  return byDoseNumber[n] ?? (byDoseNumber[n] = flat(buildEvaluationTail(e, series)));
}

function buildEvaluationTail(e: DoseEvaluation, series: string): string {
  let json = `},"doseStatus":${doseStatusConcept(e.status)}`;
  if (e.reasons.length > 0) {
    json += `,"doseStatusReason":[${reasonConcepts(e.reasons, 'statusReason')}]`;
  }
  if (series !== '') {
    json += `,"series":${series}`;
  }
  if (e.targetDoseNumber !== undefined) {
    json += `,"doseNumberPositiveInt":${e.targetDoseNumber}`;
  }
  return `${json}}`;
}

/** The concepts of reasons, comma-separated. */
function reasonConcepts(
  reasons: readonly Reason[],
  kind: 'statusReason' | 'forecastReason',
): string {
  let json = '';
  for (const r of reasons) {
    json += (json === '' ? '' : ',') + reasonConcept(r, kind);
  }
  return json;
}

/** The group's evaluation of one dose (extension `vaccine-group-dose-evaluation`, `codes.ts`). */
function groupDoseExtension(d: GroupDoseEvaluation, common: Common): string {
  let json =
    `${GROUP_DOSE_EXTENSION_START}${common.doseReference(d.doseId)}}}` +
    `,{"url":"doseStatus","valueCodeableConcept":${doseStatusConcept(d.status)}}`;
  for (const r of d.reasons) {
    json += `,{"url":"doseStatusReason","valueCodeableConcept":${reasonConcept(r, 'statusReason')}}`;
  }
  return `${json}]}`;
}

const GROUP_DOSE_EXTENSION_START = flat(
  '{"url":',
  jsonString(EXT_GROUP_DOSE_EVALUATION),
  ',"extension":[{"url":"immunizationEvent","valueReference":{"reference":',
);

function cvxConcept(cvx: string, ctx: OutputContext): string {
  const concepts = conceptsOf(ctx.ruleSet);
  const byCvx =
    ctx.codes === undefined
      ? concepts.cvxWithoutCodes
      : (concepts.cvxByCodes.get(ctx.codes) ??
        remember(concepts.cvxByCodes, ctx.codes, new Map<string, string>()));
  return byCvx.get(cvx) ?? remember(byCvx, cvx, buildCvxConcept(cvx, ctx));
}

function buildCvxConcept(cvx: string, ctx: OutputContext): string {
  const display =
    ctx.codes?.cvx.get(cvx)?.shortDescription ??
    ctx.ruleSet.vaccineTypes.get(canonicalCvx(cvx))?.shortDescription;
  return jsonValue({
    coding: [{ system: SYSTEM.cvx, code: cvx, ...(display === undefined ? {} : { display }) }],
  } satisfies CodeableConcept);
}

/**
 * The `targetDisease` of a vaccine group: the diseases of its antigens as the rule set lists
 * them (of the result's antigens for a group the rule set does not have, not remembered).
 */
function groupDisease(group: VaccineGroupResult, ruleSet: RuleSet): string {
  const known = conceptsOf(ruleSet).groupDiseases;
  const text = known.get(group.vaccineGroup);
  if (text !== undefined) {
    return text;
  }
  const rules = ruleSet.vaccineGroups.find((g) => g.name === group.vaccineGroup);
  const antigens = rules?.antigens ?? group.antigens.map((a) => a.antigen);
  const diseaseCodings = antigens.flatMap((a) => targetDiseaseCoding(a) ?? []);
  const concept: CodeableConcept =
    diseaseCodings.length === 0
      ? { text: group.vaccineGroup }
      : { coding: diseaseCodings, text: group.vaccineGroup };
  const json = jsonValue(concept);
  if (rules !== undefined) {
    known.set(group.vaccineGroup, json);
  }
  return json;
}

/** A recommendation's `targetDisease` and `forecastStatus` (written once per group and status). */
function groupStatusFields(
  group: VaccineGroupResult,
  base: BaseRecommendationStatus | undefined,
  ruleSet: RuleSet,
): string {
  const byGroup = conceptsOf(ruleSet).groupStatusFields;
  const byBase = byGroup.get(group.vaccineGroup)?.get(group.status);
  const known = byBase?.get(base ?? 'none');
  if (known !== undefined) {
    return known;
  }
  const fields = flat(
    '"targetDisease":',
    groupDisease(group, ruleSet),
    ',"forecastStatus":',
    forecastStatusConcept(group.status, base),
  );
  if (ruleSet.vaccineGroups.some((g) => g.name === group.vaccineGroup)) {
    const byStatus =
      byGroup.get(group.vaccineGroup) ??
      remember(byGroup, group.vaccineGroup, new Map<SeriesStatus, Map<string, string>>());
    const bases = byStatus.get(group.status) ?? remember(byStatus, group.status, new Map());
    bases.set(base ?? 'none', fields);
  }
  return fields;
}

/** `forecastStatus`: the ImmDS status, then the base recommendation status when one applies. */
function forecastStatusConcept(
  status: SeriesStatus,
  base: BaseRecommendationStatus | undefined,
): string {
  const byBase = FORECAST_STATUS_CONCEPTS[status];
  const key = base ?? 'none';
  return byBase.get(key) ?? remember(byBase, key, buildForecastStatusConcept(status, base));
}

function buildForecastStatusConcept(
  status: SeriesStatus,
  base: BaseRecommendationStatus | undefined,
): string {
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
  return jsonValue({ coding, text: status } satisfies CodeableConcept);
}

/** The forecast dates in `dateCriterion` order. */
const FORECAST_DATE_FIELDS: readonly ForecastDateField[] = [
  'earliestDate',
  'recommendedDate',
  'pastDueDate',
  'latestDate',
];

/** `{"code":…,"value":"` per forecast date: the start of its `dateCriterion`. */
const DATE_CRITERION_START = Object.fromEntries(
  FORECAST_DATE_FIELDS.map((field) => {
    const c = DATE_CRITERION[field];
    const code: CodeableConcept = {
      coding: [{ system: SYSTEM.loinc, code: c.code, display: c.display }],
    };
    return [field, flat('{"code":', jsonValue(code), ',"value":"')];
  }),
) as Record<ForecastDateField, string>;

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

/**
 * One `ImmunizationRecommendation.recommendation`: keys in the order of the FHIR resource
 * definition.
 *
 * @param refs - The `supportingImmunization` references (JSON) of the answer so far: the
 *   group's own are those from `firstRef` on.
 */
function recommendation(
  group: VaccineGroupResult,
  refs: readonly string[],
  firstRef: number,
  common: Common,
  assessmentDate: CalendarDate,
  ctx: OutputContext,
): string {
  const f = group.forecast;
  let json = '{';
  if (group.doseEvaluations.length > 0) {
    let extensions = '';
    for (const d of group.doseEvaluations) {
      extensions += (extensions === '' ? '' : ',') + groupDoseExtension(d, common);
    }
    json += `"extension":[${extensions}],`;
  }
  const vaccines = f?.recommendedVaccines ?? [];
  if (vaccines.length > 0) {
    let concepts = '';
    for (const v of vaccines) {
      concepts += (concepts === '' ? '' : ',') + cvxConcept(v, ctx);
    }
    json += `"vaccineCode":[${concepts}],`;
  }
  const base = baseRecommendationStatus(group.status, timing(group, assessmentDate));
  json += groupStatusFields(group, base, ctx.ruleSet);
  if (group.reasons.length > 0) {
    json += `,"forecastReason":[${reasonConcepts(group.reasons, 'forecastReason')}]`;
  }
  if (f !== undefined) {
    // earliestDate and recommendedDate are always there.
    let criteria = '';
    for (const field of FORECAST_DATE_FIELDS) {
      const date = f[field];
      if (date !== undefined) {
        criteria += `${criteria === '' ? '' : ','}${DATE_CRITERION_START[field]}${fhirDate(date)}"}`;
      }
    }
    json += `,"dateCriterion":[${criteria}]`;
  }
  // The distinct series names in antigen order, joined (no Set: a group has one to three).
  let names: string[] | undefined;
  for (const a of group.antigens) {
    if (a.seriesName !== undefined && names?.includes(a.seriesName) !== true) {
      (names ??= []).push(a.seriesName);
    }
  }
  if (names !== undefined) {
    json += `,"series":${seriesJson(names.length === 1 ? (names[0] ?? '') : names.join('; '))}`;
  }
  if (f !== undefined) {
    json += `,"doseNumberPositiveInt":${f.doseNumber}`;
  }
  if (refs.length > firstRef) {
    let supporting = '';
    for (let i = firstRef; i < refs.length; i++) {
      supporting += (i === firstRef ? '' : ',') + (refs[i] ?? '');
    }
    json += `,"supportingImmunization":[${supporting}]`;
  }
  return `${json}}`;
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
