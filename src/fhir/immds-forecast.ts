/**
 * The `$immds-forecast` operation handler (HL7 ImmDS STU1, FHIR R4): `Parameters` in,
 * `[OperationOutcome, Parameters]` out, or `[OperationOutcome]` for a request it cannot answer.
 * Framework-free after medplum's FHIR router (design guide §3.1): it never sees Express; the
 * HTTP layer turns the outcome into a status (`statusOf`) and sends the resource.
 *
 * @packageDocumentation
 */
import type { OperationOutcome, Parameters } from 'fhir/r4';
import { forecast } from '../engine';
import { SYSTEM } from './codes';
import { toOutputParameters } from './from-engine';
import { allOk, operationOutcome } from './outcome';
import { readForecastRequest, type ForecastCatalog } from './to-engine';

export { IMMDS_FORECAST_OPERATION, CAPABILITY_STATEMENT } from './operation-definition';
export type { ForecastCatalog } from './to-engine';

/** What the handler depends on. */
export interface ImmdsForecastDeps {
  /** The loaded rule sets and code tables (the service's `RuleCatalog` fits). */
  readonly catalog: ForecastCatalog;
}

/** Medplum's handler shape: the outcome, and the resource when there is one. */
export type HandlerResult = readonly [OperationOutcome] | readonly [OperationOutcome, Parameters];

/**
 * Answers a `$immds-forecast` request. Never throws for a bad request: every problem is an issue
 * of the returned OperationOutcome, with the FHIRPath of the element at fault.
 *
 * @param body - The request body as parsed JSON (expected: a Parameters resource).
 * @param deps - The rule sets and code tables.
 * @returns `[allOk, output Parameters]`, or `[OperationOutcome]` with the errors.
 */
export function immdsForecast(body: unknown, deps: ImmdsForecastDeps): HandlerResult {
  const read = readForecastRequest(body, deps.catalog);
  if (!read.ok) {
    return [operationOutcome(read.issues)];
  }
  const { request } = read;
  const result = forecast(request.history, request.ruleSet, request.assessmentDate);
  const parameters = toOutputParameters(result, {
    ruleSet: request.ruleSet,
    ...(deps.catalog.codes === undefined ? {} : { codes: deps.catalog.codes }),
    patientReference: request.patientReference,
    doseExpressions: request.doseExpressions,
    notes: request.notes,
  });
  return [allOk(), parameters];
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
