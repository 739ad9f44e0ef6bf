import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CalendarDate } from '../../calendar';
import { FieldReader, isObject } from '../../conformance/json-fields';
import { parseTestCases, type CdcTestCase } from '../../conformance/test-case';
import { assessmentDateOf, toPatientHistory } from '../../conformance/to-history';
import type { Gender, PatientHistory } from '../../engine/model';

/**
 * The inputs of `diff`'s forecast impact: CDC test cases (the conformance corpus format, see
 * `test/cdc/README.md`) or **patient histories**, one JSON object per line (JSON Lines):
 *
 *     {"id": "p-001", "birthDate": "2020-01-15", "gender": "F", "assessmentDate": "2024-06-01",
 *      "doses": [{"date": "2021-01-20", "cvx": "03", "mvx": "MSD"}],
 *      "observations": [{"code": "055", "date": "2023-01-01"}]}
 *
 * - `id` (required, unique in the file), `birthDate` and `assessmentDate` (required,
 *   YYYY-MM-DD);
 * - `gender` (optional): "F" / "female", "M" / "male", anything else or absent = unknown;
 * - `doses` (required, may be empty): `date` (YYYY-MM-DD), `cvx` (as CDC writes it, "03"),
 *   `mvx` (optional); the doses get the ids "1", "2", … in file order;
 * - `observations` (optional): CDSi observation `code` ("055") and optional `date`;
 * - `birthCountry` (optional), for birth-date immunity;
 * - no other fields (a typo must not be silently ignored).
 *
 * A file is read as CDC cases when its first record has an `expectedForecast`, else as patient
 * histories. Blank lines are ignored.
 */

/** One patient to run through both rule sets. */
export interface ImpactInput {
  readonly id: string;
  /** The file it came from (base name). */
  readonly file: string;
  readonly history: PatientHistory;
  readonly assessmentDate: CalendarDate;
  /** Present for a CDC case: lets `diff` say whether the case passes before and after. */
  readonly testCase?: CdcTestCase;
}

/** A malformed line of a histories file; names the file, the 1-based line and the field. */
export class HistoryFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'HistoryFormatError';
  }
}

const HISTORY_FIELDS = [
  'id',
  'birthDate',
  'gender',
  'assessmentDate',
  'doses',
  'observations',
  'birthCountry',
];
const DOSE_FIELDS = ['date', 'cvx', 'mvx'];
const OBSERVATION_FIELDS = ['code', 'date'];

function genderOf(value: string | undefined): Gender {
  switch (value?.trim().toLowerCase() ?? '') {
    case 'f':
    case 'female':
      return 'female';
    case 'm':
    case 'male':
      return 'male';
    default:
      return 'unknown';
  }
}

function calendarDate(text: string, at: string, fail: (m: string) => never): CalendarDate {
  try {
    return CalendarDate.parse(text);
  } catch {
    return fail(`${at}: ${text} is not a calendar date`);
  }
}

function onlyFields(
  obj: Readonly<Record<string, unknown>>,
  allowed: readonly string[],
  at: string,
  fail: (m: string) => never,
): void {
  const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (extra.length > 0) {
    fail(
      `${at}unknown field${extra.length === 1 ? '' : 's'} ${extra.join(', ')} (allowed: ${allowed.join(', ')})`,
    );
  }
}

function optionalString(
  r: FieldReader,
  obj: Readonly<Record<string, unknown>>,
  key: string,
): string | undefined {
  return key in obj ? (r.optionalStringOrNull(key) ?? undefined) : undefined;
}

function readHistory(
  obj: Readonly<Record<string, unknown>>,
  file: string,
  fail: (m: string) => never,
): ImpactInput {
  onlyFields(obj, HISTORY_FIELDS, '', fail);
  const r = new FieldReader(obj, '', fail);
  const id = r.nonEmptyString('id');
  const birthDate = calendarDate(r.date('birthDate'), 'birthDate', fail);
  const assessmentDate = calendarDate(r.date('assessmentDate'), 'assessmentDate', fail);
  const doseItems = Array.isArray(obj['doses']) ? (obj['doses'] as unknown[]) : [];
  const doses = r.array('doses').map((d, i) => {
    const raw = doseItems[i];
    onlyFields(isObject(raw) ? raw : {}, DOSE_FIELDS, `doses[${i}]: `, fail);
    const mvx = optionalString(d, isObject(raw) ? raw : {}, 'mvx');
    return {
      id: String(i + 1),
      dateAdministered: calendarDate(d.date('date'), `doses[${i}].date`, fail),
      cvx: d.nonEmptyString('cvx'),
      ...(mvx === undefined || mvx.trim() === '' ? {} : { mvx }),
    };
  });
  const obsItems = Array.isArray(obj['observations']) ? (obj['observations'] as unknown[]) : [];
  const observations =
    'observations' in obj
      ? r.array('observations').map((o, i) => {
          const raw = obsItems[i];
          const rec = isObject(raw) ? raw : {};
          onlyFields(rec, OBSERVATION_FIELDS, `observations[${i}]: `, fail);
          const date = 'date' in rec ? o.dateOrNull('date') : null;
          return {
            code: o.nonEmptyString('code'),
            ...(date === null ? {} : { date: calendarDate(date, `observations[${i}].date`, fail) }),
          };
        })
      : [];
  const gender = optionalString(r, obj, 'gender');
  const birthCountry = optionalString(r, obj, 'birthCountry');
  return {
    id,
    file,
    assessmentDate,
    history: {
      birthDate,
      gender: genderOf(gender),
      ...(birthCountry === undefined ? {} : { birthCountry }),
      doses,
      observations,
    },
  };
}

/**
 * Parses a patient-histories file (see the module comment).
 *
 * @param text - The file's content.
 * @param file - Its name, for messages and {@link ImpactInput.file}.
 * @throws HistoryFormatError for a malformed line or a duplicate id
 */
export function parseHistories(text: string, file: string): ImpactInput[] {
  const out: ImpactInput[] = [];
  const lineOfId = new Map<string, number>();
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') {
      continue;
    }
    const fail = (message: string): never => {
      throw new HistoryFormatError(file, index + 1, message);
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      fail(`not valid JSON (${(e as Error).message})`);
    }
    const input = isObject(parsed)
      ? readHistory(parsed, file, fail)
      : fail('expected a JSON object');
    const earlier = lineOfId.get(input.id);
    if (earlier !== undefined) {
      fail(`duplicate id ${input.id} (first on line ${earlier})`);
    }
    lineOfId.set(input.id, index + 1);
    out.push(input);
  }
  return out;
}

/**
 * A CDC test case as an impact input.
 *
 * @param testCase - The case.
 * @param file - The file it came from.
 * @throws RangeError if a date of the case is not a calendar date
 */
export function caseInput(testCase: CdcTestCase, file: string): ImpactInput {
  return {
    id: testCase.id,
    file,
    history: toPatientHistory(testCase),
    assessmentDate: assessmentDateOf(testCase),
    testCase,
  };
}

function isCdcCaseFile(text: string): boolean {
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '');
  if (first === undefined) {
    return false;
  }
  try {
    const v: unknown = JSON.parse(first);
    return isObject(v) && 'expectedForecast' in v;
  } catch {
    return false;
  }
}

/**
 * Reads the inputs of a forecast-impact run: CDC case files and patient-history files, in the
 * order given. Ids must be unique across all files.
 *
 * @param files - Paths of `.jsonl` files.
 * @throws TestCaseFormatError / HistoryFormatError for a malformed line; Error for a duplicate id
 *   across files; the usual fs errors
 */
export function loadImpactInputs(files: readonly string[]): ImpactInput[] {
  const fileOfId = new Map<string, string>();
  const out: ImpactInput[] = [];
  for (const path of files) {
    const text = readFileSync(path, 'utf8');
    const name = basename(path);
    const inputs = isCdcCaseFile(text)
      ? parseTestCases(text, name).map((c) => caseInput(c, name))
      : parseHistories(text, name);
    for (const input of inputs) {
      const other = fileOfId.get(input.id);
      if (other !== undefined) {
        throw new Error(`id ${input.id} appears in both ${other} and ${path}`);
      }
      fileOfId.set(input.id, path);
      out.push(input);
    }
  }
  return out;
}
