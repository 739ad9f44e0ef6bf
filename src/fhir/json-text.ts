/**
 * JSON text written by hand for the forecast output (`from-engine.ts`), always pure ASCII.
 *
 * Why not `JSON.stringify` of FHIR objects: an answer is 40–60 kB of JSON, most of it the same
 * coded concepts over and over, and on Node 20 `JSON.stringify` (about 150 MB/s on these
 * answers) then UTF-8 encoding (about 650 MB/s) cost more than the forecast itself. Writing the
 * answer from pieces whose text is computed once, and keeping it ASCII — so that it is encoded as
 * `latin1`, byte for byte the same as UTF-8 for ASCII and about fifteen times faster on Node 20 —
 * is what lets a registry's bulk run reach thousands of patients per second.
 *
 * Non-ASCII characters are written as `\uXXXX` escapes (RFC 8259 §7; Python's `json.dumps` does
 * the same by default): the parsed JSON is identical.
 *
 * @packageDocumentation
 */

/** Printable ASCII without `"` or `\`: written between quotes as is (ids, dates, codes…). */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Any character outside ASCII (UTF-16 code units, so a surrogate pair gives two escapes). */
const NON_ASCII = /[\u0080-\uffff]/g;
const HAS_NON_ASCII = /[\u0080-\uffff]/;

function escapeUnit(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * JSON text (ASCII) → the same JSON with every non-ASCII character escaped.
 *
 * @param json - JSON text, e.g. from `JSON.stringify`.
 */
export function asciiJson(json: string): string {
  if (!HAS_NON_ASCII.test(json)) {
    return json;
  }
  // `replace` keeps the two-bytes-per-character form V8 gave the text: a whole answer holding
  // such a piece would be copied in that form before being encoded. Through latin1 bytes the
  // (now ASCII) text gets one byte per character.
  return Buffer.from(json.replace(NON_ASCII, escapeUnit), 'latin1').toString('latin1');
}

/**
 * A string as JSON text, in ASCII.
 *
 * @param text - Any string.
 */
export function jsonString(text: string): string {
  return PLAIN.test(text) ? `"${text}"` : asciiJson(JSON.stringify(text));
}

/**
 * Any JSON value as JSON text, in ASCII.
 *
 * @param value - A value `JSON.stringify` accepts (not `undefined`).
 */
export function jsonValue(value: unknown): string {
  return asciiJson(JSON.stringify(value));
}
