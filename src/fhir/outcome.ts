/**
 * FHIR OperationOutcome helpers and the one error type of the service (design guide §0.3, §6.6):
 * every failure leaves the service as an OperationOutcome. No narrative (`text`): it would need
 * HTML escaping and adds nothing a client can act on (design guide §4).
 *
 * @packageDocumentation
 */
import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';

/** An error that becomes a FHIR OperationOutcome with the given HTTP status. */
export class OperationOutcomeError extends Error {
  /**
   * @param status - HTTP status of the response.
   * @param issues - The issues of the OperationOutcome.
   */
  constructor(
    readonly status: number,
    readonly issues: readonly OperationOutcomeIssue[],
  ) {
    super(issues.map((i) => i.diagnostics ?? i.code).join('; '));
    this.name = 'OperationOutcomeError';
  }
}

/**
 * Builds an OperationOutcome from issues.
 *
 * @param issues - At least one issue (FHIR requires `issue` 1..*).
 */
export function operationOutcome(issues: readonly OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [...issues] };
}

/**
 * A single OperationOutcome issue.
 *
 * @param severity - fatal | error | warning | information.
 * @param code - The FHIR issue type (`invalid`, `required`, `not-supported`, …).
 * @param diagnostics - Plain words for the client. Never patient data, never internals.
 * @param expression - FHIRPath expressions of the input elements concerned.
 */
export function outcomeIssue(
  severity: OperationOutcomeIssue['severity'],
  code: OperationOutcomeIssue['code'],
  diagnostics: string,
  expression?: readonly string[],
): OperationOutcomeIssue {
  return expression === undefined || expression.length === 0
    ? { severity, code, diagnostics }
    : { severity, code, diagnostics, expression: [...expression] };
}

/** The OperationOutcome of a successful operation (FHIR's "All OK"). */
export function allOk(): OperationOutcome {
  return operationOutcome([outcomeIssue('information', 'informational', 'All OK')]);
}

/** Issue codes that stand for a status other than 400 (see {@link statusOf}). */
const STATUS_OF_CODE: Readonly<Partial<Record<OperationOutcomeIssue['code'], number>>> = {
  'not-found': 404,
  'too-costly': 413,
  exception: 500,
  transient: 500,
};

/**
 * The HTTP status an OperationOutcome stands for, after medplum's `getStatus`: 200 when no issue
 * is an error; otherwise by the first error's code — `not-found` 404, `too-costly` 413,
 * `exception` and `transient` 500, anything else 400. (406, 405 and 415 are decided by the HTTP
 * layer, which alone knows about media types and methods.)
 *
 * @param outcome - The outcome of a handler.
 */
export function statusOf(outcome: OperationOutcome): number {
  const error = outcome.issue.find((i) => i.severity === 'error' || i.severity === 'fatal');
  return error === undefined ? 200 : (STATUS_OF_CODE[error.code] ?? 400);
}
