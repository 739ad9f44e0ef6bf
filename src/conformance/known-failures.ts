/**
 * The conformance ratchet file, `test/cdc/known-failures.txt`: the development cases the engine
 * is known to fail, each with a reason. Lines are `<case-id>  <one-line reason>`; blank lines
 * and lines starting with `#` are ignored. Pure: text in, text out.
 *
 * @packageDocumentation
 */
import { describeDifference, type CaseResult } from './compare';

/** The header written into a new ratchet file. */
export const KNOWN_FAILURES_HEADER = `# CDC CDSi development cases the engine is known to fail: the conformance ratchet.
#
# Format: one case per line, \`<case-id>  <one-line reason>\` (the id, spaces, the reason).
# Blank lines and lines starting with # are ignored. The reason names the CDSi rule or the open
# issue behind the failure; "TODO: ..." marks a failure nobody has analysed yet.
#
# test/cdc/cdc-conformance.test.ts runs every development case on every \`npm test\`:
#   - a case not listed here must pass;
#   - a case listed here must still fail. When it starts to pass, the test fails with
#     "remove <id> from known-failures.txt", so this list only ever shrinks.
#
# Regenerate (keeps the reasons of cases still failing, adds "TODO: ..." for new failures,
# drops cases that now pass):
#   npm run build && npm run conformance -- --write-known-failures test/cdc/known-failures.txt
`;

/** Longest reason {@link failureSummary} writes. */
const MAX_SUMMARY_LENGTH = 140;

/** Width the case id is padded to, so reasons line up. */
const ID_WIDTH = 12;

/** A ratchet file with malformed lines; the message lists every one. */
export class KnownFailuresFormatError extends Error {
  constructor(
    readonly fileName: string,
    readonly problems: readonly string[],
  ) {
    super(`${fileName} is malformed:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'KnownFailuresFormatError';
  }
}

type Line =
  | { readonly kind: 'other'; readonly text: string }
  | { readonly kind: 'entry'; readonly text: string; readonly id: string; readonly reason: string };

function classify(text: string): Line {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) {
    return { kind: 'other', text };
  }
  const match = /^(\S+)(?:\s+(.*))?$/.exec(trimmed);
  return { kind: 'entry', text, id: match?.[1] ?? trimmed, reason: (match?.[2] ?? '').trim() };
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}

/**
 * Parses a ratchet file.
 *
 * @param text - The file's content.
 * @param fileName - Shown in error messages.
 * @returns case id → reason, in file order.
 * @throws KnownFailuresFormatError if an entry has no reason or an id is listed twice.
 */
export function parseKnownFailures(
  text: string,
  fileName = 'known-failures.txt',
): Map<string, string> {
  const entries = new Map<string, string>();
  const problems: string[] = [];
  splitLines(text).forEach((raw, index) => {
    const line = classify(raw);
    if (line.kind === 'other') {
      return;
    }
    if (line.reason === '') {
      problems.push(`line ${index + 1}: ${line.id} has no reason (write "<case-id>  <reason>")`);
    } else if (entries.has(line.id)) {
      problems.push(`line ${index + 1}: ${line.id} is listed twice`);
    } else {
      entries.set(line.id, line.reason);
    }
  });
  if (problems.length > 0) {
    throw new KnownFailuresFormatError(fileName, problems);
  }
  return entries;
}

/**
 * A one-line reason for a newly failing case: `TODO: ` and its first difference or its error.
 *
 * @param result - A failed case.
 */
export function failureSummary(result: CaseResult): string {
  const first = result.differences[0];
  const detail = result.error ?? (first === undefined ? 'fails' : describeDifference(first));
  const oneLine = detail.replace(/\s+/g, ' ').trim();
  const clipped =
    oneLine.length > MAX_SUMMARY_LENGTH
      ? `${oneLine.slice(0, MAX_SUMMARY_LENGTH - 3)}...`
      : oneLine;
  return `TODO: ${clipped}`;
}

/**
 * Formats one ratchet entry.
 *
 * @param id - The case id.
 * @param reason - One line.
 */
export function formatEntry(id: string, reason: string): string {
  return `${id.padEnd(ID_WIDTH)}  ${reason}`;
}

/**
 * The new content of the ratchet file after a run. Comments and blank lines are kept; an
 * entry whose case still fails keeps its line (and so its reason); an entry whose case passed is
 * dropped; an entry whose case was not part of this run is kept untouched. Cases that failed and
 * were not listed are appended, in run order, with a `TODO:` reason ({@link failureSummary}).
 *
 * @param existing - The current file's content, or `undefined` when there is none (the new file
 *   then starts with {@link KNOWN_FAILURES_HEADER}).
 * @param results - The run's case results.
 * @throws KnownFailuresFormatError if `existing` is malformed.
 */
export function updateKnownFailures(
  existing: string | undefined,
  results: readonly CaseResult[],
): string {
  const text = existing ?? KNOWN_FAILURES_HEADER;
  parseKnownFailures(text);
  const byId = new Map(results.map((r) => [r.id, r]));
  const kept: string[] = [];
  const listed = new Set<string>();
  for (const raw of splitLines(text)) {
    const line = classify(raw);
    if (line.kind === 'entry') {
      listed.add(line.id);
      if (byId.get(line.id)?.passed === true) {
        continue;
      }
    }
    kept.push(line.text);
  }
  const added = results
    .filter((r) => !r.passed && !listed.has(r.id))
    .map((r) => formatEntry(r.id, failureSummary(r)));
  return [...kept, ...added].join('\n') + '\n';
}
