/**
 * NDC (National Drug Code) normalisation. Pure: no I/O, safe for the FHIR adapter to import.
 *
 * An NDC is 10 digits in one of three FDA segment configurations (labeler-product-package
 * 4-4-2, 5-3-2, 5-4-1), or the 11-digit 5-4-2 form HIPAA and CDC use, obtained by left-padding
 * the short segment with one zero. CDC's tables key everything on the 11-digit hyphenated form.
 */

/** Regular expression for the normalised form `LLLLL-PPPP-KK`. */
export const NDC11_PATTERN = /^[0-9]{5}-[0-9]{4}-[0-9]{2}$/;

const HYPHENATED = /^([0-9]{4,5})-([0-9]{3,4})-([0-9]{1,2})$/;
const ELEVEN_DIGITS = /^[0-9]{11}$/;
const TEN_DIGITS = /^[0-9]{10}$/;

/**
 * Normalises an NDC to the 11-digit 5-4-2 hyphenated form (`00006-4109-02`).
 *
 * Accepted (surrounding white space ignored): the hyphenated 10-digit forms 4-4-2
 * (`0006-4109-02`), 5-3-2 (`49281-416-88`) and 5-4-1 (`50090-1502-0`); the 11-digit form with
 * hyphens (`00006-4109-02`) or without (`00006410902`).
 *
 * Returns `undefined` for anything else, including a 10-digit code without hyphens: that one is
 * ambiguous (it could be any of the three configurations) — use {@link ndcCandidates} to try
 * each against a table.
 *
 * @param text - the NDC as received
 * @returns the normalised NDC, or `undefined` when it cannot be normalised
 */
export function normalizeNdc(text: string): string | undefined {
  const s = text.trim();
  if (ELEVEN_DIGITS.test(s)) {
    return `${s.slice(0, 5)}-${s.slice(5, 9)}-${s.slice(9)}`;
  }
  const m = HYPHENATED.exec(s);
  if (m === null) {
    return undefined;
  }
  const [, labeler = '', product = '', pack = ''] = m;
  const shape = `${labeler.length}-${product.length}-${pack.length}`;
  switch (shape) {
    case '5-4-2':
      return s;
    case '4-4-2':
      return `0${labeler}-${product}-${pack}`;
    case '5-3-2':
      return `${labeler}-0${product}-${pack}`;
    case '5-4-1':
      return `${labeler}-${product}-0${pack}`;
    default:
      // e.g. 4-3-2 or 5-3-1: not a 10- or 11-digit NDC configuration.
      return undefined;
  }
}

/**
 * Every normalised NDC the text could denote: one candidate for the forms
 * {@link normalizeNdc} accepts, three for a 10-digit code without hyphens (read as 4-4-2, 5-3-2,
 * 5-4-1, in that order), none otherwise. Callers look each candidate up in the NDC table.
 *
 * @param text - the NDC as received
 * @returns normalised candidates, without duplicates
 */
export function ndcCandidates(text: string): string[] {
  const normalised = normalizeNdc(text);
  if (normalised !== undefined) {
    return [normalised];
  }
  const s = text.trim();
  if (!TEN_DIGITS.test(s)) {
    return [];
  }
  const candidates = [
    `0${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`,
    `${s.slice(0, 5)}-0${s.slice(5, 8)}-${s.slice(8)}`,
    `${s.slice(0, 5)}-${s.slice(5, 9)}-0${s.slice(9)}`,
  ];
  return [...new Set(candidates)];
}
