import type { Request } from 'express';
import { OperationOutcomeError, outcomeIssue } from '../fhir/outcome';

/** What to tell a client whose request body is missing or of a type the route does not read. */
export interface BodyTypeMessages {
  /** No body at all (400 `required`). */
  readonly missing: string;
  /** A body of another media type (415 `not-supported`). */
  readonly unsupported: string;
}

/**
 * Checks the request's Content-Type before anything is read, so a wrong body is refused with an
 * OperationOutcome rather than parsed: 400 when there is no body, 415 when it is of another type.
 *
 * @param req - The request.
 * @param types - The media types the route reads.
 * @param messages - The diagnostics for each refusal.
 * @throws OperationOutcomeError 400 or 415.
 */
export function requireBodyType(
  req: Request,
  types: readonly string[],
  messages: BodyTypeMessages,
): void {
  const is = req.is([...types]);
  if (is === null) {
    throw new OperationOutcomeError(400, [outcomeIssue('error', 'required', messages.missing)]);
  }
  if (is === false) {
    throw new OperationOutcomeError(415, [
      outcomeIssue('error', 'not-supported', messages.unsupported),
    ]);
  }
}
