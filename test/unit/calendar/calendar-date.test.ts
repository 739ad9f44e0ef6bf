import { CalendarDate, MAX_DATE, MIN_DATE, daysInMonth, isLeapYear } from '../../../src/calendar';

/** Parses the spec's MM/DD/YYYY notation so the CALCDT examples can be quoted verbatim. */
function us(text: string): CalendarDate {
  const match = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  if (match === null) {
    throw new Error(`bad test date ${text}`);
  }
  return CalendarDate.of(Number(match[3]), Number(match[1]), Number(match[2]));
}

/** Every row also checks the round trip parse(toString(x)) == x for the start and the result. */
function expectRoundTrip(...dates: CalendarDate[]): void {
  for (const date of dates) {
    const text = date.toString();
    expect(text).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const back = CalendarDate.parse(text);
    expect(back.equals(date)).toBe(true);
    expect(back.toString()).toBe(text);
    expect([back.year, back.month, back.day, back.dayNumber]).toEqual([
      date.year,
      date.month,
      date.day,
      date.dayNumber,
    ]);
  }
}

type Unit = 'years' | 'months' | 'weeks' | 'days';

function add(date: CalendarDate, n: number, unit: Unit): CalendarDate {
  switch (unit) {
    case 'years':
      return date.addYears(n);
    case 'months':
      return date.addMonths(n);
    case 'weeks':
      return date.addWeeks(n);
    case 'days':
      return date.addDays(n);
  }
}

describe('CALCDT examples from Logic Specification v4.6 table 3-6, verbatim', () => {
  const rows: readonly (readonly [
    rule: string,
    example: string,
    start: string,
    n: number,
    unit: Unit,
    expected: string,
  ])[] = [
    ['CALCDT-1', '01/01/2000 + 3 years = 01/01/2003', '01/01/2000', 3, 'years', '01/01/2003'],
    ['CALCDT-2', '01/01/2000 + 6 months = 07/01/2000', '01/01/2000', 6, 'months', '07/01/2000'],
    ['CALCDT-2', '11/01/2000 + 6 months = 05/01/2001', '11/01/2000', 6, 'months', '05/01/2001'],
    ['CALCDT-3', '01/01/2000 + 3 days = 01/04/2000', '01/01/2000', 3, 'days', '01/04/2000'],
    ['CALCDT-3', '01/01/2000 + 3 weeks = 01/22/2000', '01/01/2000', 3, 'weeks', '01/22/2000'],
    [
      'CALCDT-3',
      '02/01/2000 + 5 weeks = 03/07/2000 (leap year)',
      '02/01/2000',
      5,
      'weeks',
      '03/07/2000',
    ],
    [
      'CALCDT-3',
      '02/01/2001 + 5 weeks = 03/08/2001 (not a leap year)',
      '02/01/2001',
      5,
      'weeks',
      '03/08/2001',
    ],
    ['CALCDT-4', '01/15/2000 – 4 days = 01/11/2000', '01/15/2000', -4, 'days', '01/11/2000'],
    [
      'CALCDT-5',
      '03/31/2000 + 6 months = 10/01/2000 (September 31 does not exist)',
      '03/31/2000',
      6,
      'months',
      '10/01/2000',
    ],
    // The spec prints the start as "08/31/20010", a typo for 08/31/2000.
    [
      'CALCDT-5',
      '08/31/20010 + 6 months = 03/01/2001 (February 31 does not exist)',
      '08/31/2000',
      6,
      'months',
      '03/01/2001',
    ],
  ];

  test.each(rows)('%s: %s', (_rule, _example, start, n, unit, expected) => {
    const from = us(start);
    const result = add(from, n, unit);
    expect(result.equals(us(expected))).toBe(true);
    expectRoundTrip(from, result);
  });

  test('CALCDT-6: 01/31/2000 + 6 months – 4 days = 07/27/2000 (months first, then days)', () => {
    const result = us('01/31/2000').addMonths(6).addDays(-4);
    expect(result.toString()).toBe('2000-07-27');
    expectRoundTrip(result);
  });
});

describe('CalendarDate arithmetic', () => {
  const rows: readonly (readonly [start: string, n: number, unit: Unit, expected: string])[] = [
    // Month ends: CALCDT-5 rolls forward to the 1st of the next month (not Temporal's clamp).
    ['2001-01-31', 1, 'months', '2001-03-01'],
    ['2000-01-31', 1, 'months', '2000-03-01'],
    ['2001-01-30', 1, 'months', '2001-03-01'],
    ['2000-01-30', 1, 'months', '2000-03-01'],
    ['2000-01-29', 1, 'months', '2000-02-29'],
    ['2001-01-29', 1, 'months', '2001-03-01'],
    ['2001-01-28', 1, 'months', '2001-02-28'],
    ['2001-03-31', 1, 'months', '2001-05-01'],
    ['2001-05-31', 1, 'months', '2001-07-01'],
    ['2001-08-31', 1, 'months', '2001-10-01'],
    ['2001-10-31', 1, 'months', '2001-12-01'],
    ['2001-12-31', 1, 'months', '2002-01-31'],
    ['2001-12-31', 2, 'months', '2002-03-01'],
    ['2001-01-31', 12, 'months', '2002-01-31'],
    ['2001-01-31', 13, 'months', '2002-03-01'],
    ['2001-01-31', 0, 'months', '2001-01-31'],
    ['1999-08-31', 6, 'months', '2000-03-01'],
    // Leap years: 2000 is leap (divisible by 400); 1900 and 2100 are not.
    ['2000-02-29', 1, 'years', '2001-03-01'],
    ['2000-02-29', 4, 'years', '2004-02-29'],
    ['2000-02-29', 100, 'years', '2100-03-01'],
    ['2000-02-29', 400, 'years', '2400-02-29'],
    ['1896-02-29', 4, 'years', '1900-03-01'],
    ['1896-02-29', 104, 'years', '2000-02-29'],
    ['2000-02-28', 1, 'days', '2000-02-29'],
    ['1900-02-28', 1, 'days', '1900-03-01'],
    ['2100-02-28', 1, 'days', '2100-03-01'],
    ['2000-02-29', 12, 'months', '2001-03-01'],
    ['2000-02-29', 48, 'months', '2004-02-29'],
    ['2000-02-29', 1, 'days', '2000-03-01'],
    ['2000-01-01', 366, 'days', '2001-01-01'],
    ['2001-01-01', 365, 'days', '2002-01-01'],
    ['1900-01-01', 365, 'days', '1901-01-01'],
    // Negative offsets: CALCDT-5 applies as written, so a missing day still moves forward.
    ['2001-03-31', -1, 'months', '2001-03-01'],
    ['2000-03-31', -1, 'months', '2000-03-01'],
    ['2000-03-30', -1, 'months', '2000-03-01'],
    ['2000-03-29', -1, 'months', '2000-02-29'],
    ['2001-03-29', -1, 'months', '2001-03-01'],
    ['2001-03-28', -1, 'months', '2001-02-28'],
    ['2000-05-31', -1, 'months', '2000-05-01'],
    ['2000-01-15', -1, 'months', '1999-12-15'],
    ['2000-01-31', -2, 'months', '1999-12-01'],
    ['2000-12-31', -6, 'months', '2000-07-01'],
    ['2000-01-01', -13, 'months', '1998-12-01'],
    ['2000-02-29', -1, 'years', '1999-03-01'],
    ['2000-02-29', -4, 'years', '1996-02-29'],
    ['2000-02-29', -100, 'years', '1900-03-01'],
    ['2000-01-01', -1, 'days', '1999-12-31'],
    ['2000-03-01', -1, 'days', '2000-02-29'],
    ['1900-03-01', -1, 'days', '1900-02-28'],
    ['2000-01-15', -4, 'days', '2000-01-11'],
    ['2000-03-07', -5, 'weeks', '2000-02-01'],
    // Weeks across the year end.
    ['1999-12-25', 1, 'weeks', '2000-01-01'],
    ['2000-12-28', 1, 'weeks', '2001-01-04'],
    ['2001-01-04', -1, 'weeks', '2000-12-28'],
    ['2004-12-31', 52, 'weeks', '2005-12-30'],
    ['2019-12-30', 6, 'weeks', '2020-02-10'],
    ['2019-12-10', 4, 'weeks', '2020-01-07'],
    ['2020-12-31', 1, 'weeks', '2021-01-07'],
    ['1999-12-31', 0, 'weeks', '1999-12-31'],
    // Long spans.
    ['1900-01-01', 1099, 'years', '2999-01-01'],
    ['1900-01-01', 401766, 'days', '2999-12-31'],
    ['2999-12-31', -401766, 'days', '1900-01-01'],
    ['0000-01-01', 1, 'days', '0000-01-02'],
    ['0000-03-01', -1, 'days', '0000-02-29'],
    ['9999-12-30', 1, 'days', '9999-12-31'],
  ];

  test.each(rows)('%s %d %s = %s', (start, n, unit, expected) => {
    const from = CalendarDate.parse(start);
    const result = add(from, n, unit);
    expect(result.toString()).toBe(expected);
    expect(from.toString()).toBe(start);
    expectRoundTrip(from, result);
    if (unit === 'days' || unit === 'weeks') {
      expect(from.daysUntil(result)).toBe(unit === 'days' ? n : n * 7);
      expect(add(result, -n, unit).equals(from)).toBe(true);
    }
  });

  test.each([
    ['addYears', (d: CalendarDate) => d.addYears(1.5)],
    ['addMonths', (d: CalendarDate) => d.addMonths(Number.NaN)],
    ['addWeeks', (d: CalendarDate) => d.addWeeks(Number.POSITIVE_INFINITY)],
    ['addDays', (d: CalendarDate) => d.addDays(0.1)],
    ['addDays beyond 9999-12-31', (d: CalendarDate) => d.addDays(3_000_000)],
    ['addDays before 0000-01-01', (d: CalendarDate) => d.addDays(-800_000)],
    ['addYears beyond 9999', (d: CalendarDate) => d.addYears(8000)],
    ['addMonths before 0000', (d: CalendarDate) => d.addMonths(-2000 * 12 - 1)],
  ] as const)('%s throws RangeError for a bad amount or an out-of-range result', (_name, call) => {
    expect(() => call(CalendarDate.of(2000, 1, 1))).toThrow(RangeError);
  });

  test('adding 0 returns an equal date', () => {
    const d = CalendarDate.of(2000, 2, 29);
    expect(d.addYears(0).equals(d)).toBe(true);
    expect(d.addMonths(0).equals(d)).toBe(true);
    expect(d.addWeeks(0).equals(d)).toBe(true);
    expect(d.addDays(0).equals(d)).toBe(true);
  });

  test('addMonths matches a naive month-by-month reference for every start day of 1999-2001', () => {
    const failures: string[] = [];
    let start = CalendarDate.of(1999, 1, 1);
    while (start.year < 2002) {
      for (let n = -30; n <= 30; n += 1) {
        let y = start.year;
        let m = start.month + n;
        while (m > 12) {
          m -= 12;
          y += 1;
        }
        while (m < 1) {
          m += 12;
          y -= 1;
        }
        const expected =
          start.day <= daysInMonth(y, m)
            ? CalendarDate.of(y, m, start.day)
            : m === 12
              ? CalendarDate.of(y + 1, 1, 1)
              : CalendarDate.of(y, m + 1, 1);
        if (!start.addMonths(n).equals(expected)) {
          failures.push(`${start.toString()} ${n}`);
        }
        if (n % 12 === 0 && !start.addYears(n / 12).equals(expected)) {
          failures.push(`${start.toString()} ${n / 12} years`);
        }
      }
      start = start.addDays(1);
    }
    expect(failures).toEqual([]);
  });
});

describe('dayNumber and fromDayNumber', () => {
  test.each([
    ['1970-01-01', 0],
    ['1970-01-02', 1],
    ['1969-12-31', -1],
    ['2000-01-01', 10957],
    ['2000-03-01', 11017],
    ['1900-01-01', -25567],
    ['2999-12-31', 376199],
    ['0000-01-01', -719528],
    ['9999-12-31', 2932896],
  ] as const)('%s has day number %i', (text, dayNumber) => {
    const date = CalendarDate.parse(text);
    expect(date.dayNumber).toBe(dayNumber);
    expect(CalendarDate.fromDayNumber(dayNumber).toString()).toBe(text);
  });

  test('agrees with naive day-by-day counting from 1899-12-01 to 2101-03-01', () => {
    let year = 1899;
    let month = 12;
    let day = 1;
    let n = CalendarDate.of(year, month, day).dayNumber;
    const failures: string[] = [];
    while (year < 2101 || month < 3) {
      const viaParts = CalendarDate.of(year, month, day);
      const viaNumber = CalendarDate.fromDayNumber(n);
      if (
        viaParts.dayNumber !== n ||
        viaNumber.year !== year ||
        viaNumber.month !== month ||
        viaNumber.day !== day
      ) {
        failures.push(`${year}-${month}-${day}`);
      }
      day += 1;
      if (day > daysInMonth(year, month)) {
        day = 1;
        month += 1;
        if (month > 12) {
          month = 1;
          year += 1;
        }
      }
      n += 1;
    }
    expect(failures).toEqual([]);
  });

  test.each([[1.5], [Number.NaN], [-719529], [2932897]])(
    'fromDayNumber(%d) throws RangeError',
    (n) => {
      expect(() => CalendarDate.fromDayNumber(n)).toThrow(RangeError);
    },
  );
});

describe('of / parse / tryParse / toString', () => {
  test.each([
    [2000, 2, 29, '2000-02-29'],
    [2001, 12, 31, '2001-12-31'],
    [1, 1, 1, '0001-01-01'],
    [0, 1, 1, '0000-01-01'],
    [999, 9, 9, '0999-09-09'],
    [9999, 12, 31, '9999-12-31'],
    [1900, 1, 1, '1900-01-01'],
  ] as const)('of(%i, %i, %i) formats as %s and round-trips', (year, month, day, text) => {
    const date = CalendarDate.of(year, month, day);
    expect(date.toString()).toBe(text);
    expect(date.toJSON()).toBe(text);
    expect(String(date)).toBe(text);
    expect([date.year, date.month, date.day]).toEqual([year, month, day]);
    expect(CalendarDate.parse(text).equals(date)).toBe(true);
    expect(CalendarDate.tryParse(text)?.equals(date)).toBe(true);
  });

  test('equal dates are structurally equal (toEqual), also after toString was called', () => {
    const a = CalendarDate.parse('2000-02-29');
    const b = CalendarDate.of(2000, 2, 28).addDays(1);
    expect(a.toString()).toBe('2000-02-29');
    expect(a).toEqual(b);
    expect(Object.keys(a).sort()).toEqual(['day', 'dayNumber', 'month', 'year']);
  });

  test('JSON.stringify writes YYYY-MM-DD', () => {
    expect(JSON.stringify({ date: CalendarDate.of(2000, 2, 29) })).toBe('{"date":"2000-02-29"}');
  });

  test.each([
    [2001, 2, 29],
    [1900, 2, 29],
    [2100, 2, 29],
    [2000, 2, 30],
    [2000, 4, 31],
    [2000, 6, 31],
    [2000, 9, 31],
    [2000, 11, 31],
    [2000, 0, 1],
    [2000, 13, 1],
    [2000, 1, 0],
    [2000, 1, 32],
    [2000.5, 1, 1],
    [2000, 1.5, 1],
    [2000, 1, 1.5],
    [Number.NaN, 1, 1],
    [-1, 1, 1],
    [10000, 1, 1],
  ])('of(%d, %d, %d) throws RangeError', (year, month, day) => {
    expect(() => CalendarDate.of(year, month, day)).toThrow(RangeError);
  });

  test.each([
    ['2001-02-29'],
    ['1900-02-29'],
    ['2100-02-29'],
    ['2000-02-30'],
    ['2000-04-31'],
    ['2000-13-01'],
    ['2000-00-10'],
    ['2000-01-00'],
    ['2000-01-32'],
    ['2000-1-01'],
    ['2000-01-1'],
    ['20000-01-01'],
    ['200-01-01'],
    ['2000/01/01'],
    ['01/01/2000'],
    ['20000101'],
    [' 2000-01-01'],
    ['2000-01-01 '],
    ['2000-01-01\n'],
    ['2000-01-01T00:00:00Z'],
    ['2000-01-01Z'],
    ['+2000-01-01'],
    ['-2000-01-01'],
    ['+002000-01-01'],
    ['2000-01'],
    ['2000'],
    [''],
    ['abcd-ef-gh'],
    ['\uff12\uff10\uff10\uff10-01-01'],
    ['2000-\u0661\u0662-01'],
  ])('parse(%j) throws RangeError quoting the text; tryParse returns undefined', (text) => {
    expect(CalendarDate.tryParse(text)).toBeUndefined();
    expect(() => CalendarDate.parse(text)).toThrow(RangeError);
    expect(() => CalendarDate.parse(text)).toThrow(JSON.stringify(text));
  });

  test('a very long invalid text is truncated in the message', () => {
    const text = 'x'.repeat(1000);
    expect(() => CalendarDate.parse(text)).toThrow(/^Invalid calendar date "x{40}\.\.\."/);
  });
});

describe('comparison', () => {
  const a = CalendarDate.of(2000, 2, 28);
  const b = CalendarDate.of(2000, 2, 29);
  const b2 = CalendarDate.parse('2000-02-29');

  test.each([
    [a, b, -1],
    [b, a, 1],
    [b, b2, 0],
    [CalendarDate.of(1999, 12, 31), CalendarDate.of(2000, 1, 1), -1],
    [MIN_DATE, MAX_DATE, -1],
  ] as const)('%s vs %s', (x, y, sign) => {
    expect(Math.sign(x.compare(y))).toBe(sign);
    expect(x.equals(y)).toBe(sign === 0);
    expect(x.isBefore(y)).toBe(sign < 0);
    expect(x.isAfter(y)).toBe(sign > 0);
    expect(x.isOnOrBefore(y)).toBe(sign <= 0);
    expect(x.isOnOrAfter(y)).toBe(sign >= 0);
    expect(CalendarDate.min(x, y).equals(sign <= 0 ? x : y)).toBe(true);
    expect(CalendarDate.max(x, y).equals(sign >= 0 ? x : y)).toBe(true);
    expect(x.daysUntil(y)).toBe(y.dayNumber - x.dayNumber);
  });

  test('compare works as a sort comparator', () => {
    const dates = ['2001-01-01', '1999-12-31', '2000-02-29', '1900-01-01'].map((t) =>
      CalendarDate.parse(t),
    );
    expect(dates.sort((x, y) => x.compare(y)).map(String)).toEqual([
      '1900-01-01',
      '1999-12-31',
      '2000-02-29',
      '2001-01-01',
    ]);
  });

  test('daysUntil counts calendar days', () => {
    expect(CalendarDate.of(2000, 1, 1).daysUntil(CalendarDate.of(2001, 1, 1))).toBe(366);
    expect(CalendarDate.of(2001, 1, 1).daysUntil(CalendarDate.of(2000, 1, 1))).toBe(-366);
    expect(CalendarDate.of(1900, 2, 28).daysUntil(CalendarDate.of(1900, 3, 1))).toBe(1);
  });
});

describe('CDSi default dates and helpers', () => {
  test('MIN_DATE is 01/01/1900 and MAX_DATE is 12/31/2999', () => {
    expect(MIN_DATE.toString()).toBe('1900-01-01');
    expect(MAX_DATE.toString()).toBe('2999-12-31');
  });

  test.each([
    [1900, false],
    [2000, true],
    [2100, false],
    [2400, true],
    [2024, true],
    [2023, false],
    [1996, true],
    [0, true],
  ] as const)('isLeapYear(%i) is %s', (year, leap) => {
    expect(isLeapYear(year)).toBe(leap);
    expect(daysInMonth(year, 2)).toBe(leap ? 29 : 28);
  });

  test.each([
    [1, 31],
    [3, 31],
    [4, 30],
    [5, 31],
    [6, 30],
    [7, 31],
    [8, 31],
    [9, 30],
    [10, 31],
    [11, 30],
    [12, 31],
  ] as const)('daysInMonth(2001, %i) is %i', (month, days) => {
    expect(daysInMonth(2001, month)).toBe(days);
  });

  test.each([
    [2001, 0],
    [2001, 13],
    [2001, 1.5],
    [2001.5, 1],
  ])('daysInMonth(%d, %d) throws RangeError', (year, month) => {
    expect(() => daysInMonth(year, month)).toThrow(RangeError);
  });
});
