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

/**
 * How the ImmunizationEvaluations are laid out in {@link ForecastOutput.evaluations}:
 * - `parameters`: each as a parameter of the output Parameters,
 *   `{"name":"evaluation","resource":…},` ({@link parametersJson} puts them in);
 * - `lines`: each on a line of its own (NDJSON: the bulk `resources` output).
 *
 * Why the writer frames them, rather than its callers: an answer's ~40 evaluations were written
 * then framed and joined by the caller, two more pieces each in the text V8 walks again to make
 * bytes of it (see {@link writeForecastOutput}); written framed, the framing is part of pieces
 * written once.
 */
export type EvaluationLayout = 'parameters' | 'lines';

/** What is written before and after each evaluation, per layout. */
const FRAMES: Record<EvaluationLayout, { readonly before: string; readonly after: string }> = {
  parameters: { before: '{"name":"evaluation","resource":', after: '},' },
  lines: { before: '', after: '\n' },
};

/** An answer, as JSON text per resource (ASCII), and what callers need to know of it. */
export interface ForecastOutput {
  /** `ruleSetId@version` of the rule set that made it. */
  readonly ruleSet: string;
  /** JSON of the `meta` shared by the Parameters and every resource. */
  readonly metaJson: string;
  /** How the evaluations are laid out. */
  readonly layout: EvaluationLayout;
  /** JSON of the ImmunizationEvaluations in output order, one after the other, as laid out. */
  readonly evaluations: string;
  /** How many evaluations there are. */
  readonly evaluationCount: number;
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
 * Give two pieces or more: `Array.prototype.join` gives a single piece back as it is, a tree
 * if it was one (V8, seen with `%DebugPrint`); for a single text, {@link kept}.
 */
function flat(...pieces: string[]): string {
  return pieces.join('');
}

/**
 * A text built by `+`, as one flat string to be kept and reused: copied through its latin1 bytes
 * (the output is ASCII, `json-text.ts`: the same characters). For texts written once, not per
 * answer.
 */
function kept(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1');
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
  readonly groupStatusFields: Map<string, Map<SeriesStatus, Map<string, StatusFields>>>;
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
 * The end of an evaluation ({@link evaluationTail}), per layout, series name (JSON), status, dose
 * number and reasons.
 */
type EvaluationTails = Map<string, Map<DoseEvaluation['status'], (ReasonListTexts | undefined)[]>>;

const EVALUATION_TAILS: Record<EvaluationLayout, EvaluationTails> = {
  parameters: new Map(),
  lines: new Map(),
};

/** The end of a group's dose evaluation ({@link groupDoseExtension}), per status and reasons. */
const GROUP_DOSE_TAILS = new Map<DoseEvaluation['status'], ReasonListTexts>();

/**
 * Texts that depend on a list of reasons, one per list of reasons without details: the engine
 * shares one frozen `Reason` per code for those (`reasons.ts`), so a list is found by walking
 * its reasons, one map per reason. A reason with details (its text depends on the dose) is not
 * remembered: its text is written each time.
 *
 * Why: the end of a group's dose evaluation, and of an evaluation with reasons (half of them),
 * were written from ~6-10 pieces each, every time; written once per list, each is one piece of
 * the answer (see {@link writeForecastOutput}).
 */
interface ReasonListTexts {
  /** The text of the list of reasons that leads here. */
  text?: string;
  /** The texts of the lists with one more reason. */
  readonly next: WeakMap<Reason, ReasonListTexts>;
}

function reasonListTexts(): ReasonListTexts {
  return { next: new WeakMap() };
}

/**
 * The text of `reasons`: remembered, or made by `make` (and remembered, flat, if no reason has
 * details).
 */
function textOfReasons(
  texts: ReasonListTexts,
  reasons: readonly Reason[],
  make: () => string,
): string {
  let node = texts;
  for (const r of reasons) {
    if (r.details !== undefined) {
      return make();
    }
    let child = node.next.get(r);
    if (child === undefined) {
      child = reasonListTexts();
      node.next.set(r, child);
    }
    node = child;
  }
  return (node.text ??= kept(make()));
}

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

/**
 * What comes before a recommendation in `ImmunizationRecommendation.recommendation`: `{` for the
 * first, `,{` after another (index 0 and 1).
 */
type Lead = 0 | 1;
const LEADS: Readonly<Record<Lead, string>> = ['{', ',{'];

/** `,"forecastReason":[…]` of a recommendation, per reasons. */
const FORECAST_REASONS = reasonListTexts();

/** `,"series":…` of a recommendation, per series name (or names joined). */
const SERIES_FIELDS = new Map<string, string>();

function seriesField(name: string): string {
  return (
    SERIES_FIELDS.get(name) ?? remember(SERIES_FIELDS, name, flat(',"series":', seriesJson(name)))
  );
}

/**
 * The text before the number of an evaluation in a recommendation's `supportingImmunization`:
 * before the first (the key, and the reference up to the number), before the others (the end
 * of the previous reference too).
 */
interface References {
  readonly first: string;
  readonly next: string;
}

/** The fields every output resource shares, as JSON text. */
interface Common {
  readonly meta: string;
  readonly patient: string;
  readonly date: string;
  readonly authority: string;
  /**
   * What follows an evaluation's number (the end of its `id`) up to its `immunizationEvent`
   * reference, per antigen.
   */
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
 * Making bytes of a rope walks every piece again, so an answer is written from as few pieces as
 * it can be: what does not depend on the patient is written once and kept flat, and what comes
 * between two pieces (commas, brackets, the frame of an evaluation) is part of one of them. An
 * evaluation is eight pieces (up to its number, the number, the fields up to its target disease,
 * the disease, the key of its dose reference, the reference as two pieces, the rest), a group's
 * evaluation of a dose four, a recommendation with nothing but its status one. (Writing and
 * encoding an answer of the synthetic population, ~62 kB, took 98 → 81 µs of CPU in `lines`
 * layout and 108 → 88 µs in `parameters` layout when pieces were merged this way: 3,000
 * patients, medians of 11 alternating rounds in one process.) The evaluation head and the dose
 * reference are not merged further: an answer has ~10 antigens and ~25 doses, each written two to
 * four times, and a map per answer with a flat copy of each text (a head is ~600 characters) cost
 * more than the pieces they save (91 → 84 µs without them, medians of 12 alternating rounds).
 *
 * @param result - What `forecast()` returned.
 * @param ctx - The request's context.
 * @param ids - The ids of the output resources (a bulk run makes them unique per patient).
 * @param layout - How the evaluations are laid out (default: for {@link parametersJson}).
 */
export function writeForecastOutput(
  result: ForecastResult,
  ctx: OutputContext,
  ids: OutputIds = DEFAULT_OUTPUT_IDS,
  layout: EvaluationLayout = 'parameters',
): ForecastOutput {
  const stamp = stampOf(result.ruleSet);
  const patient = flat('{"reference":', jsonString(ctx.patientReference), '}');
  const date = flat('"', fhirDate(result.assessmentDate), '"');
  // From the closing quote of the id to the `targetDisease` key (flat: written per evaluation).
  const evaluationFields = flat(
    '","meta":',
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
      evaluationFields + antigenDisease(antigen) + ',"immunizationEvent":{"reference":',
    doseReference: (doseId) => '"Immunization/' + jsonString(doseId).slice(1),
  };
  let evaluations = '';
  let count = 0;
  // An evaluation's id is the prefix and a number: the prefix is escaped once (escaping is
  // character by character), and written once with what comes before the number, in the
  // evaluation and in its references (`ImmunizationEvaluation/<id>`).
  const prefix = jsonString(ids.evaluationPrefix).slice(1, -1);
  const evaluationStart = flat(
    FRAMES[layout].before,
    '{"resourceType":"ImmunizationEvaluation","id":"',
    prefix,
  );
  const tails = EVALUATION_TAILS[layout];
  const references: References = {
    first: flat(',"supportingImmunization":[{"reference":"ImmunizationEvaluation/', prefix),
    next: flat('"},{"reference":"ImmunizationEvaluation/', prefix),
  };
  let recommendations = '';
  for (const group of result.vaccineGroups) {
    const first = count + 1;
    for (const antigen of group.antigens) {
      const series = antigen.seriesName === undefined ? '' : seriesJson(antigen.seriesName);
      for (const e of antigen.doseEvaluations) {
        count++;
        evaluations += `${evaluationStart}${count}${common.evaluationHead(e.antigen)}${common.doseReference(e.doseId)}${evaluationTail(e, series, layout, tails)}`;
      }
    }
    recommendations += recommendation(
      group,
      recommendations === '' ? 0 : 1,
      references,
      first,
      count,
      common,
      result.assessmentDate,
      ctx,
    );
  }
  const recommendationJson =
    `{"resourceType":"ImmunizationRecommendation","id":${jsonString(ids.recommendation)}` +
    `,"meta":${common.meta},"patient":${common.patient},"date":${common.date}` +
    `,"authority":${common.authority},"recommendation":[${recommendations}]}`;
  return {
    ruleSet: result.ruleSet,
    metaJson: common.meta,
    layout,
    evaluations,
    evaluationCount: count,
    recommendation: recommendationJson,
    information: [...ctx.notes, ...unusedDoseWarnings(result, ctx)],
    vaccineGroups: result.vaccineGroups,
  };
}

/**
 * The output `Parameters` as JSON text (ASCII).
 *
 * @param output - What {@link writeForecastOutput} wrote, in the `parameters` layout.
 */
export function parametersJson(output: ForecastOutput): string {
  if (output.layout !== 'parameters') {
    throw new Error(`parametersJson: the evaluations were written as ${output.layout}`);
  }
  let json = `{"resourceType":"Parameters","meta":${output.metaJson},"parameter":[`;
  json += output.evaluations;
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
 * An ImmunizationEvaluation (ImmDS profile) is written with its keys in the order of the FHIR
 * resource definition: its layout's frame and the start up to its number (the end of its id),
 * the number, the fields up to its `immunizationEvent` reference (per antigen,
 * {@link Common.evaluationHead}), the reference, and the rest from the end of the reference on:
 * this tail depends only on the status, reasons, series and dose number, and is written once
 * for each (unless a reason has details), with the end of its frame.
 *
 * @param series - The series name as JSON text, `''` when none.
 */
function evaluationTail(
  e: DoseEvaluation,
  series: string,
  layout: EvaluationLayout,
  tails: EvaluationTails,
): string {
  const bySeries =
    tails.get(series) ??
    remember(tails, series, new Map<DoseEvaluation['status'], (ReasonListTexts | undefined)[]>());
  const byDoseNumber =
    bySeries.get(e.status) ??
    remember(bySeries, e.status, new Array<ReasonListTexts | undefined>());
  // Index 0: no dose number (dose numbers start at 1).
  const n = e.targetDoseNumber ?? 0;
  const byReasons = byDoseNumber[n] ?? (byDoseNumber[n] = reasonListTexts());
  return textOfReasons(
    byReasons,
    e.reasons,
    () => buildEvaluationTail(e, series) + FRAMES[layout].after,
  );
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

/**
 * The group's evaluation of one dose (extension `vaccine-group-dose-evaluation`, `codes.ts`).
 *
 * @param start - What comes before its dose reference: {@link GROUP_DOSE_EXTENSION_START}, or
 *   for the group's first, {@link GROUP_DOSE_EXTENSIONS_START}.
 */
function groupDoseExtension(d: GroupDoseEvaluation, start: string, common: Common): string {
  const tails =
    GROUP_DOSE_TAILS.get(d.status) ?? remember(GROUP_DOSE_TAILS, d.status, reasonListTexts());
  return (
    start +
    common.doseReference(d.doseId) +
    textOfReasons(tails, d.reasons, () => buildGroupDoseTail(d))
  );
}

/** A group's dose evaluation after its dose reference. */
function buildGroupDoseTail(d: GroupDoseEvaluation): string {
  let json = `}},{"url":"doseStatus","valueCodeableConcept":${doseStatusConcept(d.status)}}`;
  for (const r of d.reasons) {
    json += `,{"url":"doseStatusReason","valueCodeableConcept":${reasonConcept(r, 'statusReason')}}`;
  }
  return `${json}]}`;
}

/** The start of a group's dose evaluation, up to its dose reference (the comma before it). */
const GROUP_DOSE_EXTENSION_START = flat(
  ',{"url":',
  jsonString(EXT_GROUP_DOSE_EVALUATION),
  ',"extension":[{"url":"immunizationEvent","valueReference":{"reference":',
);

/**
 * The same for the first of a group, which opens the recommendation (after its lead) and its
 * `extension` list.
 */
const GROUP_DOSE_EXTENSIONS_START: Readonly<Record<Lead, string>> = [
  flat(LEADS[0], '"extension":[', GROUP_DOSE_EXTENSION_START.slice(1)),
  flat(LEADS[1], '"extension":[', GROUP_DOSE_EXTENSION_START.slice(1)),
];

/** `"vaccineCode":[` opening the recommendation, after its lead. */
const VACCINE_CODES_START: Readonly<Record<Lead, string>> = [
  flat(LEADS[0], '"vaccineCode":['),
  flat(LEADS[1], '"vaccineCode":['),
];

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

/**
 * A recommendation's `targetDisease` and `forecastStatus` (written once per group and status):
 * alone, opening the recommendation (after its lead), and as the whole recommendation.
 */
interface StatusFields {
  readonly alone: string;
  readonly opening: Readonly<Record<Lead, string>>;
  readonly whole: Readonly<Record<Lead, string>>;
}

function groupStatusFields(
  group: VaccineGroupResult,
  base: BaseRecommendationStatus | undefined,
  ruleSet: RuleSet,
): StatusFields {
  const byGroup = conceptsOf(ruleSet).groupStatusFields;
  const byBase = byGroup.get(group.vaccineGroup)?.get(group.status);
  const known = byBase?.get(base ?? 'none');
  if (known !== undefined) {
    return known;
  }
  const alone = flat(
    '"targetDisease":',
    groupDisease(group, ruleSet),
    ',"forecastStatus":',
    forecastStatusConcept(group.status, base),
  );
  const fields: StatusFields = {
    alone,
    opening: [flat(LEADS[0], alone), flat(LEADS[1], alone)],
    whole: [flat(LEADS[0], alone, '}'), flat(LEADS[1], alone, '}')],
  };
  if (ruleSet.vaccineGroups.some((g) => g.name === group.vaccineGroup)) {
    const byStatus =
      byGroup.get(group.vaccineGroup) ??
      remember(byGroup, group.vaccineGroup, new Map<SeriesStatus, Map<string, StatusFields>>());
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

/** `,{"code":…,"value":"` per forecast date: the start of its `dateCriterion` after another. */
const DATE_CRITERION_START = Object.fromEntries(
  FORECAST_DATE_FIELDS.map((field) => {
    const c = DATE_CRITERION[field];
    const code: CodeableConcept = {
      coding: [{ system: SYSTEM.loinc, code: c.code, display: c.display }],
    };
    return [field, flat(',{"code":', jsonValue(code), ',"value":"')];
  }),
) as Record<ForecastDateField, string>;

/** The same for the first: the `dateCriterion` list opens before it. */
const DATE_CRITERIA_START = Object.fromEntries(
  FORECAST_DATE_FIELDS.map((field) => [
    field,
    flat(',"dateCriterion":[', DATE_CRITERION_START[field].slice(1)),
  ]),
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
 * @param references - What comes before each `supportingImmunization` reference's number.
 * @param first - The number of the group's first evaluation.
 * @param last - The number of its last (less than `first`: none).
 */
function recommendation(
  group: VaccineGroupResult,
  lead: Lead,
  references: References,
  first: number,
  last: number,
  common: Common,
  assessmentDate: CalendarDate,
  ctx: OutputContext,
): string {
  const f = group.forecast;
  // Each piece that may come first carries the lead with it: one piece fewer per group.
  let json = '';
  if (group.doseEvaluations.length > 0) {
    let start = GROUP_DOSE_EXTENSIONS_START[lead];
    for (const d of group.doseEvaluations) {
      json += groupDoseExtension(d, start, common);
      start = GROUP_DOSE_EXTENSION_START;
    }
    json += '],';
  }
  const vaccines = f?.recommendedVaccines ?? [];
  if (vaccines.length > 0) {
    json += json === '' ? VACCINE_CODES_START[lead] : '"vaccineCode":[';
    let separator = '';
    for (const v of vaccines) {
      json += separator + cvxConcept(v, ctx);
      separator = ',';
    }
    json += '],';
  }
  // The distinct series names in antigen order, joined (no Set: a group has one to three).
  let names: string[] | undefined;
  for (const a of group.antigens) {
    if (a.seriesName !== undefined && names?.includes(a.seriesName) !== true) {
      (names ??= []).push(a.seriesName);
    }
  }
  const base = baseRecommendationStatus(group.status, timing(group, assessmentDate));
  const fields = groupStatusFields(group, base, ctx.ruleSet);
  if (json !== '') {
    json += fields.alone;
  } else if (group.reasons.length > 0 || f !== undefined || names !== undefined || last >= first) {
    json = fields.opening[lead];
  } else {
    return fields.whole[lead]; // nothing follows the status (a group not recommended, say)
  }
  if (group.reasons.length > 0) {
    json += textOfReasons(FORECAST_REASONS, group.reasons, () =>
      flat(',"forecastReason":[', reasonConcepts(group.reasons, 'forecastReason'), ']'),
    );
  }
  if (f !== undefined) {
    // earliestDate and recommendedDate are always there.
    let starts = DATE_CRITERIA_START;
    for (const field of FORECAST_DATE_FIELDS) {
      const date = f[field];
      if (date !== undefined) {
        json += starts[field] + `${fhirDate(date)}"}`;
        starts = DATE_CRITERION_START;
      }
    }
    json += ']';
  }
  if (names !== undefined) {
    json += seriesField(names.length === 1 ? (names[0] ?? '') : names.join('; '));
  }
  if (f !== undefined) {
    json += `,"doseNumberPositiveInt":${f.doseNumber}`;
  }
  if (last >= first) {
    json += `${references.first}${first}`;
    for (let n = first + 1; n <= last; n++) {
      json += `${references.next}${n}`;
    }
    return json + '"}]}';
  }
  return json + '}';
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
