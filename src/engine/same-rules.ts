/**
 * Structural equality of values read from the rule set (series, series doses and their
 * components), for the shortcuts that reuse the work done for one series or antigen for another
 * one with the same rules (`twin-antigens.ts`, `evaluate-and-forecast.ts`).
 */
import { CalendarDate } from '../calendar';

const NONE: ReadonlySet<string> = new Set();

/**
 * Whether two values read from the rule set are the same once the vaccine types (canonical
 * CVX) in `ignored`, none by default, are left out. Vaccine types appear in a series in two
 * kinds of places that are consulted solely for a dose of that type: the allowable vaccines of
 * a series dose (table 6-29), and the sets of CVX codes (inadvertent vaccines, table 6-13;
 * conditional skip vaccine types, CONDSKIP-1; the vaccine types an interval is measured from,
 * CALCDTINT-8). Everything else — preferable vaccines included, since they make the forecast's
 * recommended vaccines (FORECASTRECVAC-1) — must be equal. Dates compare by value.
 */
export function sameRules(
  a: unknown,
  b: unknown,
  ignored: ReadonlySet<string> = NONE,
  key = '',
): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return false;
  }
  if (a instanceof Map || b instanceof Map) {
    // No series component is a map; were one added, it would need its own comparison.
    return false;
  }
  if (a instanceof CalendarDate || b instanceof CalendarDate) {
    return a instanceof CalendarDate && b instanceof CalendarDate && a.equals(b);
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set)) {
      return false;
    }
    const left = [...(a as Set<unknown>)].filter((x) => !ignored.has(x as string));
    const right = [...(b as Set<unknown>)].filter((x) => !ignored.has(x as string));
    return left.length === right.length && left.every((x) => b.has(x));
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b))) {
      return false;
    }
    const keep = (v: unknown): boolean =>
      key !== 'allowableVaccines' || !ignored.has((v as { cvx: string }).cvx);
    const left = a.filter(keep);
    const right = b.filter(keep);
    return left.length === right.length && left.every((x, i) => sameRules(x, right[i], ignored));
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) {
    return false;
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return (
    keysA.length === keysB.length &&
    keysA.every(
      (k) =>
        Object.prototype.hasOwnProperty.call(b, k) &&
        sameRules((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], ignored, k),
    )
  );
}
