/**
 * The service's clock, injected so tests fix "now" (design guide §3.2, §4: no `Date.now()` in
 * code under test). "Today" is the calendar date in a configured IANA time zone, computed with
 * `Intl.DateTimeFormat(…).formatToParts`; the engine only ever sees the resulting CalendarDate.
 */
import { CalendarDate } from '../calendar';

/** What the HTTP layer asks of time. */
export interface Clock {
  /** Today's date in an IANA time zone, e.g. `America/Chicago`. */
  today(timeZone: string): CalendarDate;
  /** Now, in seconds since the epoch (JWT `exp`, `iat`). */
  nowSeconds(): number;
}

/**
 * Whether a time zone name is one this runtime knows (for configuration checks).
 *
 * @param timeZone - An IANA time-zone name.
 */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The calendar date of an instant in a time zone.
 *
 * @param epochMs - The instant, in milliseconds since the epoch.
 * @param timeZone - An IANA time-zone name.
 */
export function dateInZone(epochMs: number, timeZone: string): CalendarDate {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(epochMs);
  const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return CalendarDate.of(part('year'), part('month'), part('day'));
}

/** The real clock. */
export const systemClock: Clock = {
  today: (timeZone) => dateInZone(Date.now(), timeZone),
  nowSeconds: () => Math.floor(Date.now() / 1000),
};

/**
 * A clock stopped at an instant (tests, benchmarks).
 *
 * @param epochMs - The instant.
 */
export function fixedClock(epochMs: number): Clock {
  return {
    today: (timeZone) => dateInZone(epochMs, timeZone),
    nowSeconds: () => Math.floor(epochMs / 1000),
  };
}
