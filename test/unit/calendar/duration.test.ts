import Ajv from 'ajv';
import {
  CalendarDate,
  DURATION_PATTERN,
  DurationSyntaxError,
  addDuration,
  isDurationText,
  parseDuration,
  parseOptionalDuration,
  subtractDuration,
} from '../../../src/calendar';
import { SUPPORTING_DATA_DURATIONS } from './fixtures/supporting-data-durations';

type Parts = readonly [years: number, months: number, weeks: number, days: number];

function partsOf(text: string): Parts {
  const d = parseDuration(text);
  return [d.years, d.months, d.weeks, d.days];
}

/** Forms seen in CDC's Excel workbooks or plausible hand edits: odd spacing, casing, dashes. */
const ODD_BUT_VALID: readonly (readonly [string, number, number, number, number])[] = [
  ['6 months- 4 days', 0, 6, 0, -4],
  ['6 months -4 days', 0, 6, 0, -4],
  ['6 months-4 days', 0, 6, 0, -4],
  ['6 months  -  4 days', 0, 6, 0, -4],
  ['4 Weeks', 0, 0, 4, 0],
  ['4 WEEKS', 0, 0, 4, 0],
  ['10 Years', 10, 0, 0, 0],
  ['4 Months - 4 days', 0, 4, 0, -4],
  ['11 Years - 4 days', 11, 0, 0, -4],
  ['10 Years + 8 weeks - 4 days', 10, 0, 8, -4],
  ['16  years', 16, 0, 0, 0],
  ['3 months - 4 day', 0, 3, 0, -4],
  ['1 years - 4 days', 1, 0, 0, -4],
  ['0 years', 0, 0, 0, 0],
  ['6weeks', 0, 0, 6, 0],
  ['1 year 6 months', 1, 6, 0, 0],
  ['1 year - 2 months', 1, -2, 0, 0],
  ['28 days - 4 days', 0, 0, 0, 24],
  ['6 weeks \u2013 4 days', 0, 0, 6, -4],
  ['6 weeks \u2212 4 days', 0, 0, 6, -4],
  ['\t6 weeks - 4 days\r\n', 0, 0, 6, -4],
  ['\u00a06 weeks\u00a0', 0, 0, 6, 0],
  ['00006 weeks', 0, 0, 6, 0],
  ['99999 days', 0, 0, 0, 99999],
  ['2 years - 0 days', 2, 0, 0, 0],
];

const GARBAGE: readonly string[] = [
  '',
  ' ',
  'n/a',
  'N/A',
  'abc',
  '6',
  'weeks',
  '6 fortnights',
  '6 w',
  '6 wks',
  '6d',
  '6 weekss',
  '6 week s',
  '-6 weeks',
  '+6 weeks',
  '+ 6 weeks',
  '6 weeks -',
  '6 weeks - ',
  '6 weeks +',
  '6 weeks + - 4 days',
  '6 weeks -- 4 days',
  '6 weeks - - 4 days',
  '6.5 weeks',
  '6,5 weeks',
  '1e3 days',
  '0x10 days',
  '\uff16 weeks',
  '100000 days',
  '6 weeks4 days',
  '6 weeks and 4 days',
  '6 weeks, 4 days',
  '6 weeks; 4 days',
  '6 weeks * 4 days',
  '3 months (- 4 days)',
  '4 weeks (- 4 days on abs min)',
  '4 weeks from Dose 1',
  '6 weeks-4d',
  '2 years - days',
  '4 weeks and n/a',
  '4 weeks or 6 months',
  'n/a 4 weeks',
  'years 6',
  '6 weeks\u0000',
  '6 weeks | 6 weeks',
  '6-12 months',
  '4 months - 4 days | 4 months | 4 months',
  '6 weeks - 4 days - ',
  'P6W',
];

const NOT_APPLICABLE: readonly (string | undefined)[] = [
  undefined,
  '',
  ' ',
  '\r\n',
  'n/a',
  'N/A',
  'N/a',
  ' n/a ',
  'na',
  'NA',
  'not applicable',
  'Not Applicable',
];

describe('parseDuration', () => {
  test.each(SUPPORTING_DATA_DURATIONS)(
    'parses the supporting-data text %j as %i years, %i months, %i weeks, %i days',
    (text, years, months, weeks, days) => {
      expect(partsOf(text)).toEqual([years, months, weeks, days]);
      expect(parseDuration(text).text).toBe(text.trim());
      expect(isDurationText(text)).toBe(true);
    },
  );

  test.each(ODD_BUT_VALID)(
    'accepts the odd-but-valid form %j as %i years, %i months, %i weeks, %i days',
    (text, years, months, weeks, days) => {
      expect(partsOf(text)).toEqual([years, months, weeks, days]);
      expect(isDurationText(text)).toBe(true);
    },
  );

  test('never produces negative zero', () => {
    const d = parseDuration('2 years - 0 days - 0 weeks - 0 months');
    expect(Object.is(d.days, 0)).toBe(true);
    expect(Object.is(d.weeks, 0)).toBe(true);
    expect(Object.is(d.months, 0)).toBe(true);
  });

  test.each(GARBAGE.map((text) => [text]))(
    'rejects %j with a DurationSyntaxError naming the text',
    (text) => {
      expect(isDurationText(text)).toBe(false);
      let caught: unknown;
      try {
        parseDuration(text);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DurationSyntaxError);
      expect(caught).toBeInstanceOf(Error);
      const error = caught as DurationSyntaxError;
      expect(error.name).toBe('DurationSyntaxError');
      expect(error.text).toBe(text);
      expect(error.message).toContain(JSON.stringify(text));
    },
  );

  test('the supporting-data table covers all 133 distinct texts', () => {
    expect(new Set(SUPPORTING_DATA_DURATIONS.map(([text]) => text)).size).toBe(133);
  });
});

describe('parseOptionalDuration', () => {
  test.each(NOT_APPLICABLE.map((text) => [text]))('returns undefined for %j', (text) => {
    expect(parseOptionalDuration(text)).toBeUndefined();
  });

  test.each(SUPPORTING_DATA_DURATIONS)('parses %j', (text, years, months, weeks, days) => {
    expect(parseOptionalDuration(text)).toEqual({ years, months, weeks, days, text: text.trim() });
  });

  test.each(GARBAGE.filter((text) => !NOT_APPLICABLE.includes(text)).map((text) => [text]))(
    'throws DurationSyntaxError for %j',
    (text) => {
      expect(() => parseOptionalDuration(text)).toThrow(DurationSyntaxError);
    },
  );
});

describe('DURATION_PATTERN', () => {
  const withoutFlags = new RegExp(DURATION_PATTERN);
  // ajv compiles JSON Schema `pattern` with the `u` flag.
  const unicode = new RegExp(DURATION_PATTERN, 'u');

  function acceptedByParser(text: string): boolean {
    try {
      parseOptionalDuration(text);
      return true;
    } catch {
      return false;
    }
  }

  test('compiles as a JSON Schema pattern under ajv strict mode', () => {
    const validate = new Ajv({ strict: true }).compile({
      type: 'string',
      pattern: DURATION_PATTERN,
    });
    expect(validate('6 months- 4 days')).toBe(true);
    expect(validate('n/a')).toBe(true);
    expect(validate('')).toBe(true);
    expect(validate('3 months (- 4 days)')).toBe(false);
  });

  // A quadratic backtracking regex would need minutes for these and hit the jest timeout.
  test.each([
    [' '.repeat(200_000) + 'x'],
    ['6 weeks' + ' '.repeat(200_000) + 'x'],
    [' '.repeat(200_000) + 'n/a' + ' '.repeat(200_000) + 'x'],
    ['6 weeks' + ' - 4 days'.repeat(50_000) + ' -'],
  ])('rejects long adversarial text #%# in linear time', (text) => {
    expect(withoutFlags.test(text)).toBe(false);
    expect(unicode.test(text)).toBe(false);
    expect(() => parseOptionalDuration(text)).toThrow(DurationSyntaxError);
  });

  test('is anchored at both ends', () => {
    expect(DURATION_PATTERN.startsWith('^')).toBe(true);
    expect(DURATION_PATTERN.endsWith('$')).toBe(true);
  });

  const corpus = [
    ...SUPPORTING_DATA_DURATIONS.map(([text]) => text),
    ...ODD_BUT_VALID.map(([text]) => text),
    ...GARBAGE,
    ...NOT_APPLICABLE.filter((text): text is string => text !== undefined),
    'n / a',
    'n/a n/a',
    'none',
  ];

  test.each(corpus.map((text) => [text]))('agrees with parseOptionalDuration on %j', (text) => {
    const expected = acceptedByParser(text);
    expect(withoutFlags.test(text)).toBe(expected);
    expect(unicode.test(text)).toBe(expected);
  });
});

describe('addDuration (CALCDT-6)', () => {
  const rows: readonly (readonly [start: string, duration: string, expected: string])[] = [
    // CALCDT-6 example, verbatim: 01/31/2000 + 6 months - 4 days = 07/27/2000.
    ['2000-01-31', '6 months - 4 days', '2000-07-27'],
    // CALCDT-1, CALCDT-2, CALCDT-3, CALCDT-4 and CALCDT-5 examples through durations.
    ['2000-01-01', '3 years', '2003-01-01'],
    ['2000-01-01', '6 months', '2000-07-01'],
    ['2000-11-01', '6 months', '2001-05-01'],
    ['2000-01-01', '3 days', '2000-01-04'],
    ['2000-01-01', '3 weeks', '2000-01-22'],
    ['2000-02-01', '5 weeks', '2000-03-07'],
    ['2001-02-01', '5 weeks', '2001-03-08'],
    ['2000-03-31', '6 months', '2000-10-01'],
    ['2000-08-31', '6 months', '2001-03-01'],
    // Typical supporting-data ages and intervals.
    ['2020-01-15', '6 weeks - 4 days', '2020-02-22'],
    ['2020-01-15', '0 days', '2020-01-15'],
    ['2020-01-31', '2 months - 4 days', '2020-03-27'],
    ['2019-12-31', '2 months - 4 days', '2020-02-26'],
    ['2018-12-31', '2 months - 4 days', '2019-02-25'],
    ['2018-12-30', '2 months', '2019-03-01'],
    ['2000-06-30', '8 months + 1 day', '2001-03-02'],
    ['2000-01-31', '1 month', '2000-03-01'],
    ['2000-02-29', '1 year', '2001-03-01'],
    ['2000-02-29', '4 years', '2004-02-29'],
    ['2000-02-29', '18 years - 4 days', '2018-02-25'],
    ['2000-02-29', '1 year - 4 days', '2001-02-25'],
    ['2000-02-29', '12 months - 4 days', '2001-02-25'],
    ['2000-02-29', '13 months + 4 weeks', '2001-04-26'],
    ['2010-05-31', '10 months + 4 weeks', '2011-04-28'],
    ['2015-03-20', '28 days - 4 days', '2015-04-13'],
    ['2015-12-10', '4 weeks', '2016-01-07'],
    // The combined years+months step rolls forward once (documented ambiguity).
    ['2000-02-29', '1 year 1 month', '2001-03-29'],
    ['2084-02-29', '16 years - 4 months', '2099-10-29'],
    ['2000-01-31', '1 year - 1 month', '2000-12-31'],
    ['2000-03-31', '1 year - 1 month', '2001-03-01'],
    ['2000-02-29', '10 Years + 8 weeks - 4 days', '2010-04-22'],
  ];

  test.each(rows)('%s + %j = %s', (start, text, expected) => {
    const date = CalendarDate.parse(start);
    const result = addDuration(date, parseDuration(text));
    expect(result.toString()).toBe(expected);
    expect(CalendarDate.parse(result.toString()).equals(result)).toBe(true);
    expect(date.toString()).toBe(start);
  });

  test('a hand-built duration with a fractional part is rejected', () => {
    const bad = { years: 0, months: 1.5, weeks: 0, days: 0, text: '1.5 months' };
    expect(() => addDuration(CalendarDate.of(2000, 1, 1), bad)).toThrow(RangeError);
  });
});

describe('subtractDuration', () => {
  const rows: readonly (readonly [start: string, duration: string, expected: string])[] = [
    ['2000-07-27', '6 months - 4 days', '2000-01-31'],
    ['2001-03-31', '1 month', '2001-03-01'],
    ['2000-03-31', '1 month', '2000-03-01'],
    ['2000-03-29', '1 month', '2000-02-29'],
    ['2010-06-15', '18 years', '1992-06-15'],
    ['2001-03-01', '1 year', '2000-03-01'],
    ['2001-02-28', '1 year', '2000-02-28'],
    ['2004-02-29', '1 year', '2003-03-01'],
    ['2018-10-01', '6 years - 4 days', '2012-10-05'],
    ['2020-01-07', '4 weeks', '2019-12-10'],
    ['2020-03-01', '1 day', '2020-02-29'],
    ['2020-01-15', '0 days', '2020-01-15'],
    ['2001-05-31', '1 year 3 months', '2000-03-01'],
  ];

  test.each(rows)('%s - %j = %s', (start, text, expected) => {
    const result = subtractDuration(CalendarDate.parse(start), parseDuration(text));
    expect(result.toString()).toBe(expected);
    expect(CalendarDate.parse(result.toString()).equals(result)).toBe(true);
  });

  test('undoes addDuration for single-step durations when no roll-forward happened', () => {
    // Mixed durations are not inverted: subtracting starts from a date already moved by days.
    const durations = SUPPORTING_DATA_DURATIONS.map(([text]) => parseDuration(text)).filter(
      (d) => d.years * 12 + d.months === 0 || d.weeks * 7 + d.days === 0,
    );
    let start = CalendarDate.of(1999, 1, 1);
    let checked = 0;
    const failures: string[] = [];
    for (let i = 0; i < 730; i += 1) {
      for (const d of durations) {
        if (start.addMonths(d.years * 12 + d.months).day === start.day) {
          checked += 1;
          if (!subtractDuration(addDuration(start, d), d).equals(start)) {
            failures.push(`${start.toString()} ${d.text}`);
          }
        }
      }
      start = start.addDays(1);
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(50000);
  });
});
