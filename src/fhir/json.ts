/**
 * Narrowing helpers for FHIR JSON received from a client: the body is `unknown` until each
 * element has been checked, so a malformed request becomes an OperationOutcome, never a crash.
 *
 * @packageDocumentation
 */

/**
 * Whether a JSON value is an object (not null, not an array).
 *
 * @param value - Any JSON value.
 */
export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** FHIR `id`: 1-64 letters, digits, `-` and `.` (R4 datatypes). */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * Whether a value is a FHIR `id` — what {@link FHIR_ID} tests, by character codes: the request
 * reader checks the id of every resource it reads, and this costs a fraction of the regex.
 *
 * @param value - Any JSON value.
 */
export function isFhirId(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) {
    return false;
  }
  for (let i = 0; i < value.length; i++) {
    if (!isIdCharCode(value.charCodeAt(i))) {
      return false;
    }
  }
  return true;
}

/**
 * Whether a character code (or a byte of ASCII text) may be in a FHIR `id`: 0-9, A-Z, a-z, `-`,
 * `.` (the character class of {@link FHIR_ID}).
 *
 * @param c - A UTF-16 code unit or a byte.
 */
export function isIdCharCode(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46
  );
}

/**
 * The `coding` array of a CodeableConcept as `{system, code, index}` for each well-formed coding
 * (both strings); malformed codings are skipped.
 *
 * @param concept - A CodeableConcept as received.
 */
export function codingsOf(
  concept: unknown,
): { readonly system: string; readonly code: string; readonly index: number }[] {
  if (!isRecord(concept) || !Array.isArray(concept['coding'])) {
    return [];
  }
  const out: { system: string; code: string; index: number }[] = [];
  concept['coding'].forEach((c: unknown, index) => {
    if (isRecord(c) && typeof c['system'] === 'string' && typeof c['code'] === 'string') {
      out.push({ system: c['system'], code: c['code'].trim(), index });
    }
  });
  return out;
}

/**
 * The code of the first well-formed coding of a CodeableConcept, e.g. the `clinicalStatus` of a
 * Condition.
 *
 * @param concept - A CodeableConcept as received.
 */
export function firstCode(concept: unknown): string | undefined {
  return codingsOf(concept)[0]?.code;
}
