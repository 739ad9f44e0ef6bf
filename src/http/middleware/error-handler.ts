import type { ErrorRequestHandler, RequestHandler } from 'express';
import { OperationOutcomeError, operationOutcome, outcomeIssue } from '../../fhir/outcome';

/** Answers any unmatched route with a FHIR OperationOutcome (404). */
export const notFoundHandler: RequestHandler = (req, res) => {
  res
    .status(404)
    .type('application/fhir+json')
    .json(
      operationOutcome([
        outcomeIssue('error', 'not-found', `No route for ${req.method} ${req.path}`),
      ]),
    );
};

/**
 * The one error middleware: every failure leaves as an OperationOutcome. Known errors keep their
 * status and message; anything else is a 500 with a generic message — never a stack trace or an
 * internal message in a response.
 */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  if (err instanceof OperationOutcomeError) {
    res.status(err.status).type('application/fhir+json').json(operationOutcome(err.issues));
    return;
  }
  const status = httpStatusOf(err);
  if (status !== undefined && status >= 400 && status < 500) {
    // body-parser errors (malformed JSON, too large, wrong charset) carry a safe status and type.
    res
      .status(status)
      .type('application/fhir+json')
      .json(
        operationOutcome([
          outcomeIssue('error', status === 413 ? 'too-costly' : 'invalid', clientMessage(status)),
        ]),
      );
    return;
  }
  // Details go to the log only, on a line carrying the request id (never to the client).
  (req as { log?: { error: (obj: object, msg: string) => void } }).log?.error(
    { err },
    'unhandled error',
  );
  res
    .status(500)
    .type('application/fhir+json')
    .json(operationOutcome([outcomeIssue('fatal', 'exception', 'Internal server error')]));
};

function httpStatusOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'status' in err) {
    const { status } = err;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

function clientMessage(status: number): string {
  switch (status) {
    case 400:
      return 'The request body is not valid JSON';
    case 413:
      return 'The request body is too large';
    case 415:
      return 'Unsupported content type or charset';
    default:
      return 'Bad request';
  }
}
