// @ts-check
/**
 * Calendar-date helpers for display only (ages, today). The forecast itself — every date and
 * status — comes from the service; nothing here decides what is due.
 */

/** @param {number} n */
const pad = (n) => String(n).padStart(2, '0');

/**
 * Today in the browser's time zone, `YYYY-MM-DD` (the assessment date a user expects).
 *
 * @param {Date} [now]
 */
export function todayIso(now = new Date()) {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * The year, month and day of a valid `YYYY-MM-DD` date, or undefined.
 *
 * @param {unknown} text
 * @returns {[number, number, number] | undefined}
 */
export function dateParts(text) {
  if (typeof text !== 'string') {
    return undefined;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m === null) {
    return undefined;
  }
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  return check.getUTCFullYear() === y && check.getUTCMonth() === mo - 1 && check.getUTCDate() === d
    ? [y, mo, d]
    : undefined;
}

/**
 * True for a real calendar date written `YYYY-MM-DD`.
 *
 * @param {unknown} text
 * @returns {text is string}
 */
export function isIsoDate(text) {
  return dateParts(text) !== undefined;
}

/**
 * Days from one date to another (both valid ISO dates).
 *
 * @param {string} from
 * @param {string} to
 */
function daysBetween(from, to) {
  const [a, b] = [dateParts(from), dateParts(to)];
  if (a === undefined || b === undefined) {
    return NaN;
  }
  return (Date.UTC(b[0], b[1] - 1, b[2]) - Date.UTC(a[0], a[1] - 1, a[2])) / 86_400_000;
}

/**
 * A person's age on a date in the words a clinic uses: weeks and days under 8 weeks, months and
 * days under 2 years, then years and months.
 *
 * @param {string} birthDate
 * @param {string} on
 * @returns {string} e.g. "5 weeks 6 days", "13 months 2 days", "12 years 3 months"
 */
export function ageText(birthDate, on) {
  const b = dateParts(birthDate);
  const d = dateParts(on);
  if (b === undefined || d === undefined) {
    return '';
  }
  const days = daysBetween(birthDate, on);
  if (days < 0) {
    return 'before birth';
  }
  /** @param {number} n @param {string} unit */
  const unit = (n, unit) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (days < 56) {
    const weeks = Math.floor(days / 7);
    return weeks === 0 ? unit(days, 'day') : `${unit(weeks, 'week')} ${unit(days % 7, 'day')}`;
  }
  let months = (d[0] - b[0]) * 12 + (d[1] - b[1]);
  if (d[2] < b[2]) {
    months -= 1;
  }
  if (months < 24) {
    // Days since the last month anniversary (a 31st-born child's anniversary in a short month
    // is the month's last day).
    const y = b[0] + Math.floor((b[1] - 1 + months) / 12);
    const m = ((b[1] - 1 + months) % 12) + 1;
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const anniversary = `${y}-${pad(m)}-${pad(Math.min(b[2], last))}`;
    return `${unit(months, 'month')} ${unit(daysBetween(anniversary, on), 'day')}`;
  }
  return `${unit(Math.floor(months / 12), 'year')} ${unit(months % 12, 'month')}`;
}
