/**
 * A reason in plain words for a help-desk analyst or a clinic: the CDSi wording followed by what
 * the numbers behind it say, e.g. "Age: Too Young — given 5 days before the minimum age of
 * 6 weeks - 4 days (2024-02-06)". Pure; used by the FHIR output (`CodeableConcept.text`) and
 * available to any other presentation of an engine result.
 */
import type { Reason, ReasonDetails } from './model';

function days(n: string): string {
  return n === '1' ? '1 day' : `${n} days`;
}

function vaccineWords(d: ReasonDetails): string | undefined {
  const cvx = d.cvx;
  if (cvx === undefined) {
    return undefined;
  }
  return d.vaccine === undefined ? `CVX ${cvx}` : `CVX ${cvx} (${d.vaccine})`;
}

/** The plain-words part for a reason code, or `undefined` when the details do not fit it. */
function explanation(code: string, d: ReasonDetails): string | undefined {
  switch (code) {
    case 'age-too-young':
      return d.daysEarly === undefined || d.minimumAge === undefined
        ? undefined
        : `given ${days(d.daysEarly)} before the minimum age of ${d.minimumAge} (${String(d.minimumAgeDate)})`;
    case 'age-too-old':
      if (d.daysLate === undefined || d.maximumAge === undefined) {
        return undefined;
      }
      return d.daysLate === '0'
        ? `given on the day the patient reached the maximum age of ${d.maximumAge} (${String(d.maximumAgeDate)})`
        : `given ${days(d.daysLate)} after the maximum age of ${d.maximumAge} (${String(d.maximumAgeDate)})`;
    case 'interval-too-soon':
      return d.daysEarly === undefined || d.interval === undefined
        ? undefined
        : `given ${days(d.daysEarly)} too soon: at least ${d.interval} after ${String(d.from)} ` +
            `(${String(d.fromDate)}) was needed, so not before ${String(d.allowedDate)}`;
    case 'live-virus-conflict':
      return d.conflictEndDate === undefined
        ? undefined
        : `given before ${d.conflictEndDate}, the end of the live virus conflict with the ` +
            `CVX ${String(d.conflictingCvx)} dose of ${String(d.conflictingDoseDate)}`;
    case 'inadvertent-vaccine': {
      const v = vaccineWords(d);
      return v === undefined
        ? undefined
        : `${v} was given by mistake: it is not meant for this dose`;
    }
    case 'not-preferable-or-allowable': {
      const v = vaccineWords(d);
      return v === undefined
        ? undefined
        : `${v} does not count for this dose at the age it was given`;
    }
    case 'series-already-complete':
      if (d.series === undefined) {
        return undefined;
      }
      return d.completedDate === undefined
        ? `the ${d.series} needed no further dose`
        : `the ${d.series} was already complete on ${d.completedDate}; this dose was not needed`;
    default:
      return undefined;
  }
}

/**
 * The reason in plain words, or `undefined` when it has no details to add to its CDSi wording
 * (`Reason.text`).
 *
 * @param r - A reason from an engine result.
 */
export function explainReason(r: Reason): string | undefined {
  const words = explainReasonWords(r);
  return words === undefined ? undefined : `${r.text}${EXPLANATION_DASH}${words}`;
}

/** What {@link explainReason} puts between the CDSi wording and the words about the numbers. */
export const EXPLANATION_DASH = ' — ';

/**
 * Only the words about the numbers behind a reason (what {@link explainReason} adds after the
 * CDSi wording and {@link EXPLANATION_DASH}), or `undefined` when there are none.
 *
 * @param r - A reason from an engine result.
 */
export function explainReasonWords(r: Reason): string | undefined {
  return r.details === undefined ? undefined : explanation(r.code, r.details);
}
