/**
 * The `$immds-forecast` operation handler (HL7 ImmDS STU1, FHIR R4): `Parameters` in,
 * `[OperationOutcome, Parameters]` out, or `[OperationOutcome]` for a request it cannot answer.
 * Framework-free after medplum's FHIR router (design guide §3.1): it never sees Express; the
 * HTTP layer turns the outcome into a status (`statusOf`) and sends the resource.
 *
 * The output `information` carries, besides the notes about the input, a `business-rule`
 * warning per vaccine group whose forecast stopped at a season end because the rule set has no
 * season covering the assessment date (`engine/season-coverage.ts`); it points at the group's
 * entry of the output, `ImmunizationRecommendation.recommendation[i]`.
 *
 * @packageDocumentation
 */
import type { OperationOutcome, OperationOutcomeIssue, Parameters } from 'fhir/r4';
import { forecast, seasonCaveats, type ForecastResult, type RuleSet } from '../engine';
import type { CalendarDate } from '../calendar';
import { SYSTEM } from './codes';
import {
  DEFAULT_OUTPUT_IDS,
  parseOutput,
  writeForecastOutput,
  type EvaluationLayout,
  type ForecastOutput,
  type OutputIds,
} from './from-engine';
import { allOk, operationOutcome, outcomeIssue } from './outcome';
import { readForecastRequest, type ForecastCatalog } from './to-engine';

export { IMMDS_FORECAST_OPERATION, CAPABILITY_STATEMENT } from './operation-definition';
export type { ForecastCatalog } from './to-engine';
export {
  parametersJson,
  type EvaluationLayout,
  type ForecastOutput,
  type OutputIds,
} from './from-engine';

/** What the handler depends on. */
export interface ImmdsForecastDeps {
  /** The loaded rule sets and code tables (the service's `RuleCatalog` fits). */
  readonly catalog: ForecastCatalog;
}

/** Medplum's handler shape: the outcome, and the resource when there is one. */
export type HandlerResult = readonly [OperationOutcome] | readonly [OperationOutcome, Parameters];

/** {@link immdsForecastOutput}'s result: the outcome, and the answer as JSON text when there is one. */
export type OutputResult =
  readonly [OperationOutcome] | readonly [OperationOutcome, ForecastOutput];

/**
 * Answers a `$immds-forecast` request with the output written as JSON text (what the HTTP
 * routes and bulk runs send; `parametersJson` joins it into the output Parameters). Never
 * throws for a bad request: every problem is an issue of the returned OperationOutcome, with the
 * FHIRPath of the element at fault.
 *
 * @param body - The request body as parsed JSON (expected: a Parameters resource).
 * @param deps - The rule sets and code tables.
 * @param ids - The ids of the output resources (default `recommendation`, `evaluation-n`).
 * @param layout - How the evaluations are laid out (default: for `parametersJson`).
 * @returns `[allOk, output]`, or `[OperationOutcome]` with the errors.
 */
export function immdsForecastOutput(
  body: unknown,
  deps: ImmdsForecastDeps,
  ids: OutputIds = DEFAULT_OUTPUT_IDS,
  layout: EvaluationLayout = 'parameters',
): OutputResult {
  const read = readForecastRequest(body, deps.catalog);
  if (!read.ok) {
    return [operationOutcome(read.issues)];
  }
  const { request } = read;
  const result = forecast(request.history, request.ruleSet, request.assessmentDate);
  const output = writeForecastOutput(
    result,
    {
      ruleSet: request.ruleSet,
      ...(deps.catalog.codes === undefined ? {} : { codes: deps.catalog.codes }),
      patientReference: request.patientReference,
      doseExpressions: request.doseExpressions,
      notes: [
        ...request.notes,
        ...seasonWarnings(result, request.ruleSet, request.history.birthDate),
      ],
    },
    ids,
    layout,
  );
  return [allOk(), output];
}

/**
 * Answers a `$immds-forecast` request with the output Parameters as an object (for callers that
 * read the answer: tests, the conformance reader).
 *
 * @param body - The request body as parsed JSON (expected: a Parameters resource).
 * @param deps - The rule sets and code tables.
 * @returns `[allOk, output Parameters]`, or `[OperationOutcome]` with the errors.
 */
export function immdsForecast(body: unknown, deps: ImmdsForecastDeps): HandlerResult {
  const answer = immdsForecastOutput(body, deps);
  return answer.length === 1 ? answer : [answer[0], parseOutput(answer[1])];
}

/**
 * The CDC rolls the season dates forward in each release, and FORECASTDTCAN-1 and table 7-10 use
 * them as given: with an old rule set a seasonal group says "Past seasonal recommendation end
 * date". That answer stays as the specification gives it; this warning stands next to it.
 */
function seasonWarnings(
  result: ForecastResult,
  ruleSet: RuleSet,
  birthDate: CalendarDate,
): OperationOutcomeIssue[] {
  return seasonCaveats(result, ruleSet, birthDate).map((c) =>
    outcomeIssue('warning', 'business-rule', c.text, [
      `ImmunizationRecommendation.recommendation[${c.groupIndex}]`,
    ]),
  );
}

/**
 * The `ruleSetId@version` an output was made with (its `urn:cdsi:rule-set` meta tag), e.g. for
 * the `X-Rule-Set` response header.
 *
 * @param parameters - An output of {@link immdsForecast}.
 */
export function ruleSetOf(parameters: Parameters): string | undefined {
  return parameters.meta?.tag?.find((t) => t.system === SYSTEM.cdsiRuleSet)?.code;
}
