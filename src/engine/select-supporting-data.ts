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
  const { effectiveDate, cessationDate } = instance;
  return (
    (effectiveDate === undefined || anchor.isOnOrAfter(effectiveDate)) &&
    (cessationDate === undefined || anchor.isOnOrBefore(cessationDate))
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
  for (const i of instances) {
    if (isInEffect(i, anchor)) {
      return i;
    }
  }
  return undefined;
}
