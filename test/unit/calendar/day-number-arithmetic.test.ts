import {
  CalendarDate,
  addDuration,
  addDurationDayNumber,
  parseDuration,
  type Duration,
} from '../../../src/calendar';
import { SUPPORTING_DATA_DURATIONS } from './fixtures/supporting-data-durations';

/** Start dates around the CALCDT-5 edge cases: month ends, Feb 29, year ends. */
const STARTS: readonly CalendarDate[] = [
  '2000-01-31',
  '2000-02-29',
  '2001-02-28',
  '2000-03-31',
  '2001-03-31',
  '2000-06-30',
  '2000-08-31',
  '1999-12-31',
  '2004-01-01',
  '2023-10-15',
].map((t) => CalendarDate.parse(t));

const EXTRA_DURATIONS: readonly Duration[] = [
  '1 year 1 month',
  '8 months + 1 day',
  '6 months - 4 days',
  '1 month',
  '11 months',
  '1 year',
  '28 days',
  '0 days',
].map(parseDuration);

/** A duration going backwards, which the rule tables never have but the arithmetic allows. */
const BACKWARDS: Duration = { years: 0, months: -1, weeks: 0, days: -3, text: 'test' };

describe('addDurationDayNumber (addDuration without creating the date)', () => {
  const durations = [
    ...SUPPORTING_DATA_DURATIONS.map(([text]) => parseDuration(text)),
    ...EXTRA_DURATIONS,
    BACKWARDS,
  ];

  it('gives the day number of addDuration for every supporting-data duration', () => {
    for (const start of STARTS) {
      for (const d of durations) {
        expect([start.toString(), d.text, addDurationDayNumber(start, d)]).toEqual([
          start.toString(),
          d.text,
          addDuration(start, d).dayNumber,
        ]);
      }
    }
  });

  it('rolls a day that does not exist forward once, after the months (CALCDT-5, CALCDT-6)', () => {
    const jan31 = CalendarDate.parse('2001-01-31');
    expect(CalendarDate.fromDayNumber(jan31.shiftedDayNumber(1, 0)).toString()).toBe('2001-03-01');
    expect(CalendarDate.fromDayNumber(jan31.shiftedDayNumber(1, 1)).toString()).toBe('2001-03-02');
    const leapDay = CalendarDate.parse('2000-02-29');
    expect(CalendarDate.fromDayNumber(leapDay.shiftedDayNumber(13, 0)).toString()).toBe(
      '2001-03-29',
    );
    expect(CalendarDate.fromDayNumber(leapDay.shiftedDayNumber(-12, 0)).toString()).toBe(
      '1999-03-01',
    );
  });

  it('throws the RangeError of the date arithmetic outside 0000-01-01..9999-12-31', () => {
    const last = CalendarDate.parse('9999-12-31');
    expect(() => last.shiftedDayNumber(0, 1)).toThrow(RangeError);
    expect(() => last.shiftedDayNumber(1, 0)).toThrow(RangeError);
    expect(() => CalendarDate.parse('0000-01-01').shiftedDayNumber(0, -1)).toThrow(RangeError);
    expect(() => last.shiftedDayNumber(0.5, 0)).toThrow(RangeError);
    expect(() => last.shiftedDayNumber(0, Number.NaN)).toThrow(RangeError);
    expect(last.shiftedDayNumber(-1, 0)).toBe(last.addMonths(-1).dayNumber);
  });
});
