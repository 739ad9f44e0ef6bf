/**
 * Feedback (CDS Hooks 2.0.1 §Feedback): `{ "feedback": [ … ] }` checked against the spec's
 * rules (cds-fb-1 outcome, cds-fb-2 acceptedSuggestions for accepted, cds-fb-3 overrideReason
 * has a reason or a comment, RFC 3339 UTC timestamp). Every problem is listed in one 400.
 *
 * @packageDocumentation
 */
import type { OperationOutcomeIssue } from 'fhir/r4';
import { isRecord } from '../fhir/json';
import { OperationOutcomeError, outcomeIssue } from '../fhir/outcome';
import type { CdsFeedback } from './types';

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]00:00)$/;

/**
 * Reads a feedback body.
 *
 * @param body - The parsed JSON body.
 * @throws OperationOutcomeError 400 listing every problem.
 */
export function readFeedback(body: unknown): CdsFeedback[] {
  const problems: OperationOutcomeIssue[] = [];
  const fail = (text: string, where: string): void => {
    problems.push(outcomeIssue('error', 'invalid', text, [where]));
  };
  if (!isRecord(body) || !Array.isArray(body['feedback']) || body['feedback'].length === 0) {
    throw new OperationOutcomeError(400, [
      outcomeIssue(
        'error',
        'structure',
        'The body must be {"feedback": [ … ]} with at least one entry',
      ),
    ]);
  }
  const entries = body['feedback'] as unknown[];
  entries.forEach((entry, i) => {
    const at = `feedback[${i}]`;
    if (!isRecord(entry)) {
      fail('Each feedback entry must be a JSON object', at);
      return;
    }
    if (typeof entry['card'] !== 'string' || entry['card'] === '') {
      fail('card (the card uuid) is required', `${at}.card`);
    }
    const outcome = entry['outcome'];
    if (outcome !== 'accepted' && outcome !== 'overridden') {
      fail('outcome must be accepted or overridden (cds-fb-1)', `${at}.outcome`);
    }
    const accepted = entry['acceptedSuggestions'];
    if (outcome === 'accepted') {
      if (
        !Array.isArray(accepted) ||
        accepted.length === 0 ||
        !accepted.every((a) => isRecord(a) && typeof a['id'] === 'string' && a['id'] !== '')
      ) {
        fail(
          'acceptedSuggestions ([{"id": suggestion uuid}]) is required when outcome is accepted (cds-fb-2)',
          `${at}.acceptedSuggestions`,
        );
      }
    }
    const override = entry['overrideReason'];
    if (override !== undefined) {
      const reason = isRecord(override) ? override['reason'] : undefined;
      const comment = isRecord(override) ? override['userComment'] : undefined;
      const reasonOk =
        isRecord(reason) &&
        typeof reason['code'] === 'string' &&
        typeof reason['system'] === 'string';
      if (!isRecord(override) || (!reasonOk && typeof comment !== 'string')) {
        fail(
          'overrideReason must have a reason (Coding with system and code) or a userComment (cds-fb-3)',
          `${at}.overrideReason`,
        );
      }
    }
    const ts = entry['outcomeTimestamp'];
    if (typeof ts !== 'string' || !RFC3339_UTC.test(ts)) {
      fail('outcomeTimestamp must be an RFC 3339 UTC date-time', `${at}.outcomeTimestamp`);
    }
  });
  if (problems.length > 0) {
    throw new OperationOutcomeError(400, problems);
  }
  return entries as CdsFeedback[];
}
