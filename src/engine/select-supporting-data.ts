/**
 * §3.3 Selecting supporting data: which instance of a logical component with effective and
 * cessation dates (age, preferable interval, allowable interval, conditional skip set) applies.
 */
import type { CalendarDate } from '../calendar';
import type { EffectiveWindow } from './rule-set';

/**
 * RELEVANT-1 (evaluation, anchor = date administered) and RELEVANT-2 (forecast and best-series
 * selection, anchor = assessment date): an instance applies when both dates are "n/a", or when
 * the anchor is on or after the effective date and on or before the cessation date (table 3-4
 * assumes 1900-01-01 and 2999-12-31 for an empty one).
 *
 * @param instance - The logical component instance.
 * @param anchor - Date administered or assessment date.
 */
export function isInEffect(instance: EffectiveWindow, anchor: CalendarDate): boolean {
  return windowContains(instance.effectiveDate, instance.cessationDate, anchor);
}

/**
 * RELEVANT-1/RELEVANT-2 on the two dates of an instance (see {@link isInEffect}).
 *
 * Hot callers that see one kind of component (ages, conditional skip sets) read the two dates
 * themselves and call this: V8 keeps one record of the object shapes a property read has seen
 * per function, shared by every caller it is inlined into, and `isInEffect` sees the ages,
 * intervals, allowable intervals and skip sets of the whole rule set (four shapes, each read a
 * chain of shape checks). Reading the dates where the shape is always the same saved about 3 %
 * of the engine's CPU time (eight same-process A/B runs on the synthetic population).
 *
 * @param effectiveDate - Effective date; `undefined` for "n/a".
 * @param cessationDate - Cessation date; `undefined` for "n/a".
 * @param anchor - Date administered or assessment date.
 */
export function windowContains(
  effectiveDate: CalendarDate | undefined,
  cessationDate: CalendarDate | undefined,
  anchor: CalendarDate,
): boolean {
  return (
    (effectiveDate === undefined || anchor.dayNumber >= effectiveDate.dayNumber) &&
    (cessationDate === undefined || anchor.dayNumber <= cessationDate.dayNumber)
  );
}

/**
 * The instances in effect on `anchor` (RELEVANT-1/RELEVANT-2), in supporting-data order.
 *
 * @param instances - All instances of a logical component of one series dose.
 * @param anchor - Date administered or assessment date.
 */
export function inEffect<T extends EffectiveWindow>(
  instances: readonly T[],
  anchor: CalendarDate,
): readonly T[] {
  // Most components have one instance without dates: avoid allocating in that case.
  let all = true;
  for (const i of instances) {
    if (!isInEffect(i, anchor)) {
      all = false;
      break;
    }
  }
  return all ? instances : instances.filter((i) => isInEffect(i, anchor));
}

/**
 * The first instance in effect on `anchor`, for components of which one instance applies at a
 * time (the age component).
 *
 * @param instances - All instances of the component.
 * @param anchor - Date administered or assessment date.
 */
export function firstInEffect<T extends EffectiveWindow>(
  instances: readonly T[],
  anchor: CalendarDate,
): T | undefined {
  // Only ages come here: the dates are read in this function (see windowContains).
  for (let k = 0; k < instances.length; k++) {
    const i = instances[k] as T;
    if (windowContains(i.effectiveDate, i.cessationDate, anchor)) {
      return i;
    }
  }
  return undefined;
}
