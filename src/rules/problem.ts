/**
 * One problem found in a rule table, reported as `file: JSON-pointer: message` so a rule
 * maintainer can jump straight to it. Every validator collects all problems; none stops at
 * the first.
 */
export interface RuleProblem {
  /** Path of the file, relative to the rules root (e.g. `cdsi/4.64/antigens/measles.json`). */
  readonly file: string;
  /** RFC 6901 JSON pointer into the file (`""` for the whole file). */
  readonly pointer: string;
  readonly message: string;
}

/** Formats a problem the way the CLI and the start-up refusal print it. */
export function formatProblem(p: RuleProblem): string {
  return `${p.file}: ${p.pointer === '' ? '/' : p.pointer}: ${p.message}`;
}

/** Thrown when a rule set (or code table set) fails validation; carries every problem found. */
export class RuleSetError extends Error {
  constructor(readonly problems: readonly RuleProblem[]) {
    super(
      `rule tables are invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map(formatProblem).join('\n'),
    );
    this.name = 'RuleSetError';
  }
}

/** Escapes one JSON-pointer reference token (RFC 6901 §3). */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Joins reference tokens into a JSON pointer: `pointer('series', 0, 'seriesDose')` → `/series/0/seriesDose`. */
export function pointer(...tokens: readonly (string | number)[]): string {
  return tokens.map((t) => '/' + pointerToken(t)).join('');
}
