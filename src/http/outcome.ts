import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';

/** An error that becomes a FHIR OperationOutcome with the given HTTP status. */
export class OperationOutcomeError extends Error {
  constructor(
    readonly status: number,
    readonly issues: readonly OperationOutcomeIssue[],
  ) {
    super(issues.map((i) => i.diagnostics ?? i.code).join('; '));
    this.name = 'OperationOutcomeError';
  }
}

/** Builds an OperationOutcome from issues. No narrative: it would need escaping and adds nothing. */
export function operationOutcome(issues: readonly OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [...issues] };
}

/** A single-issue OperationOutcome. */
export function outcomeIssue(
  severity: OperationOutcomeIssue['severity'],
  code: OperationOutcomeIssue['code'],
  diagnostics: string,
  expression?: readonly string[],
): OperationOutcomeIssue {
  return expression === undefined
    ? { severity, code, diagnostics }
    : { severity, code, diagnostics, expression: [...expression] };
}
