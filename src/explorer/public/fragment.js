// @ts-check
/**
 * The forecast a CDS Hooks card links to: `/#forecast=<base64url of JSON>`, format v1 (see the
 * service's `src/cds-hooks/cards.ts`, `ExplanationFragment`):
 * `{ "v": 1, "rs": "cdc-cdsi@4.64", "d": "2026-03-20", "g": [[group, status, doseNumber,
 * earliest, recommended, pastDue?], [group, status], …] }`. A URL fragment never leaves the
 * browser, so this data reaches no server and no log; it names no patient.
 */
import { isIsoDate } from './dates.js';

/** @typedef {import('./fhir.js').ForecastView} ForecastView */

/**
 * Decodes base64url (RFC 4648 §5, padding optional) to UTF-8 text.
 *
 * @param {string} data
 */
function fromBase64url(data) {
  if (!/^[A-Za-z0-9_-]*$/.test(data)) {
    throw new Error('it is not base64url');
  }
  const b64 = data.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/**
 * Reads the forecast of a location hash.
 *
 * @param {string} hash `location.hash`
 * @returns {{ view: ForecastView } | { error: string } | undefined} undefined when the hash holds
 *   no forecast
 */
export function readFragment(hash) {
  const m = /^#forecast=(.*)$/.exec(hash);
  if (m === null) {
    return undefined;
  }
  try {
    /** @type {unknown} */
    const json = JSON.parse(fromBase64url(m[1] ?? ''));
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new Error('it is not a JSON object');
    }
    const f = /** @type {Record<string, unknown>} */ (json);
    if (f['v'] !== 1) {
      throw new Error(
        `format version ${JSON.stringify(f['v'])} is not known (this page reads version 1)`,
      );
    }
    const rs = f['rs'];
    const d = f['d'];
    const g = f['g'];
    if (typeof rs !== 'string' || !isIsoDate(d) || !Array.isArray(g)) {
      throw new Error('the rule set, the assessment date or the groups are missing');
    }
    /** @type {unknown[]} */
    const rows = g;
    const groups = rows.map((row, i) => {
      if (!Array.isArray(row)) {
        throw new Error(`group ${i + 1} is not [name, status, …]`);
      }
      /** @type {unknown[]} */
      const cells = row;
      const [name, status, doseNumber, earliest, recommended, pastDue] = cells;
      if (typeof name !== 'string' || typeof status !== 'string') {
        throw new Error(`group ${i + 1} is not [name, status, …]`);
      }
      /** @type {import('./fhir.js').GroupView['dates']} */
      const dates = {};
      if (isIsoDate(earliest)) {
        dates.earliest = earliest;
      }
      if (isIsoDate(recommended)) {
        dates.recommended = recommended;
      }
      if (isIsoDate(pastDue)) {
        dates.pastDue = pastDue;
      }
      return {
        name,
        status,
        doseNumber: typeof doseNumber === 'number' ? doseNumber : undefined,
        dates,
        vaccines: [],
        reasons: [],
        series: undefined,
        doses: [],
        evaluations: [],
      };
    });
    return { view: { ruleSet: rs, assessmentDate: d, groups, evaluations: [], notes: [] } };
  } catch (err) {
    return {
      error: `The forecast in this link cannot be read: ${err instanceof Error ? err.message : String(err)}.`,
    };
  }
}
