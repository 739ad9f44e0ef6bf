import { fhirDate, readFhirDate, readFhirDateTime } from '../../src/fhir/fhir-date';
import { CalendarDate } from '../../src/calendar';

describe('readFhirDate', () => {
  test.each([
    ['2020-06-02', '2020-06-02'],
    ['2000-02-29', '2000-02-29'],
    ['1900-01-01', '1900-01-01'],
  ])('reads the full date %s by its digits', (text, expected) => {
    const r = readFhirDate(text);
    expect(r).toEqual({ kind: 'date', date: CalendarDate.parse(expected) });
    if (r.kind === 'date') {
      expect(fhirDate(r.date)).toBe(text);
    }
  });

  test.each([
    ['2020', 'year'],
    ['2020-06', 'month'],
  ])('reports the partial date %s as a %s, never guessing a day', (text, precision) => {
    expect(readFhirDate(text)).toEqual({ kind: 'partial', precision });
  });

  test.each([
    ['2019-02-29', 'no such day in the calendar'],
    ['2020-04-31', 'no such day in the calendar'],
    ['2020-13-01', 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)'],
    ['2020-6-2', 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)'],
    ['20200602', 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)'],
    [' 2020-06-02', 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)'],
    ['2020-06-02T10:00:00Z', 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)'],
    ['0000-01-01', 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)'],
    ['0000', 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)'],
    ['2020-00-10', 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)'],
    ['2020-06-00', 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)'],
    ['2020-06-32', 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)'],
    ['2020/06/02', 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)'],
    ['2020-06-02 ', 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)'],
    ['２０２０-06-02', 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)'],
    ['1900-02-29', 'no such day in the calendar'],
  ])('rejects %j: %s', (text, problem) => {
    expect(readFhirDate(text)).toEqual({ kind: 'invalid', problem });
  });

  test.each([[20200602], [null], [{ value: '2020-06-02' }]])(
    'rejects the non-string JSON value %j',
    (value) => {
      expect(readFhirDate(value)).toMatchObject({ kind: 'invalid' });
    },
  );
});

describe('readFhirDateTime', () => {
  test.each([
    ['2020-06-02', '2020-06-02'],
    ['2020-06-02T00:00:00Z', '2020-06-02'],
    // The date part is used as written: no time-zone conversion moves the dose to another day.
    ['2020-06-02T23:30:00-05:00', '2020-06-02'],
    ['2020-06-02T00:30:00+14:00', '2020-06-02'],
    ['2020-06-02T12:00:00.123+01:00', '2020-06-02'],
    ['0001-01-01T00:00:60-14:00', '0001-01-01'],
    ['9999-12-31T23:59:59.5Z', '9999-12-31'],
  ])('takes the date part of %s as written: %s', (text, expected) => {
    expect(readFhirDateTime(text)).toEqual({ kind: 'date', date: CalendarDate.parse(expected) });
  });

  test.each([
    ['2020', 'year'],
    ['2020-06', 'month'],
  ])('reports the partial dateTime %s as a %s', (text, precision) => {
    expect(readFhirDateTime(text)).toEqual({ kind: 'partial', precision });
  });

  test.each([
    // FHIR: if hours and minutes are given, a time zone SHALL be.
    ['2020-06-02T10:00:00'],
    ['2020-06-02T10:00Z'],
    ['2020-06-02 10:00:00Z'],
    ['2020-06-02T24:00:00Z'],
    ['2020-06-02T10:00:00+14:01'],
    ['2020-06-02T10:00:00Z '],
    ['2020-06-02T'],
    ['0000-06-02T10:00:00Z'],
  ])('rejects %j', (text) => {
    expect(readFhirDateTime(text)).toEqual({
      kind: 'invalid',
      problem: 'not a FHIR dateTime (YYYY-MM-DD, optionally with a time and a time zone)',
    });
  });

  test('says when a well-formed dateTime names a day the calendar has not', () => {
    expect(readFhirDateTime('2020-06-31T10:00:00Z')).toEqual({
      kind: 'invalid',
      problem: 'no such day in the calendar',
    });
    expect(readFhirDateTime('2019-02-29T10:00:00Z')).toEqual({
      kind: 'invalid',
      problem: 'no such day in the calendar',
    });
    expect(readFhirDateTime('2019-02-29T10:00:00')).toEqual({
      kind: 'invalid',
      problem: 'not a FHIR dateTime (YYYY-MM-DD, optionally with a time and a time zone)',
    });
  });

  test('does not depend on the process time zone', () => {
    const saved = process.env['TZ'];
    try {
      const readings = ['Pacific/Kiritimati', 'America/Adak', 'UTC'].map((tz) => {
        process.env['TZ'] = tz;
        return readFhirDateTime('2020-12-31T23:59:59-10:00');
      });
      for (const r of readings) {
        expect(r).toEqual({ kind: 'date', date: CalendarDate.parse('2020-12-31') });
      }
    } finally {
      if (saved === undefined) {
        delete process.env['TZ'];
      } else {
        process.env['TZ'] = saved;
      }
    }
  });
});
