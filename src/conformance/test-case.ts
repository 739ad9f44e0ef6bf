/**
 * The CDC CDSi test cases as this project receives them: one JSON object per line (JSON Lines),
 * converted from the CDC workbooks. The format is described in `test/cdc/README.md` and in
 * `/work/shared/cdsi/testcases/README.md`; spellings inside the values are the CDC's.
 *
 * {@link parseTestCases} is pure; {@link loadTestCases} only adds the file read.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { FieldReader, isObject } from './json-fields';

/** Which CDC workbook a case comes from. */
export type CaseSet = 'healthy' | 'underlying-conditions';

/** One administered dose of a case, with what the CDC expects its evaluation to be. */
export interface CdcDose {
  /** 1-7, the dose's order in the workbook. */
  readonly doseNumber: number;
  /** Date administered, `YYYY-MM-DD`. */
  readonly date: string;
  readonly vaccineName: string;
  readonly cvx: string;
  /** Manufacturer (MVX), `null` when the workbook does not give one. */
  readonly mvx: string | null;
  /** "Valid" | "Not Valid" | "Extraneous" | …; `null` when the CDC expects nothing. */
  readonly expectedEvaluation: string | null;
  /** e.g. "Age: Too Young"; `null` when none. */
  readonly expectedReason: string | null;
  /** Underlying-conditions set only. */
  readonly seriesType?: string | null;
}

/** A CDSi coded observation of the patient (underlying-conditions set only). */
export interface CdcObservation {
  /** CDSi observation code, e.g. "042". */
  readonly code: string;
  readonly text: string | null;
  /** `YYYY-MM-DD`, or `null` when the CDC gives no date. */
  readonly date: string | null;
}

/** What the CDC expects the forecast of the case's vaccine group to be. */
export interface CdcExpectedForecast {
  /** "Not complete" | "Complete" | "Immune" | "Aged out" | "Contraindicated" | … (CDC spelling). */
  readonly seriesStatus: string;
  readonly forecastNumber: number | null;
  readonly forecastNumberRaw: string | null;
  /** `YYYY-MM-DD` or `null` (none forecast). */
  readonly earliest: string | null;
  readonly recommended: string | null;
  readonly pastDue: string | null;
  /** Always `null` in the CDC files; kept for completeness. */
  readonly vaccineTypes: unknown;
  /** Underlying-conditions set only. */
  readonly administrativeGuidance?: string | null;
}

/** One CDC CDSi test case. */
export interface CdcTestCase {
  /** CDC test id, e.g. "2013-0002" or "2021-UC-0010". */
  readonly id: string;
  readonly set: CaseSet;
  readonly sourceVersion: string;
  readonly title: string;
  readonly description: string | null;
  /** Vaccine group as the workbook writes it (e.g. "DTAP"). */
  readonly group: string;
  /** The CDSi supporting-data vaccine group name (e.g. "DTaP/Tdap/Td"). */
  readonly groupNormalized: string;
  /** Date of birth, `YYYY-MM-DD`. */
  readonly dob: string;
  /** The date to forecast on, `YYYY-MM-DD` (never today's date). */
  readonly assessmentDate: string;
  /** "F" | "M" | … */
  readonly gender: string;
  readonly doses: readonly CdcDose[];
  readonly observations: readonly CdcObservation[];
  readonly expectedForecast: CdcExpectedForecast;
  readonly evaluationTestType: string | null;
  readonly forecastTestType: string | null;
  /** "both": doses with expected evaluations plus a forecast; "forecast": forecast only. */
  readonly testType: 'both' | 'forecast';
  /** "dates": forecast number and dates given; "status-only": terminal status, no dates. */
  readonly forecastKind: 'dates' | 'status-only';
  readonly dateAdded: string | null;
  readonly dateUpdated: string | null;
  readonly reasonForChange: string | null;
  readonly changedInVersion: string | null;
  /** Anything else the workbook had. */
  readonly extra: Readonly<Record<string, unknown>>;
  /** The sheet and row of the workbook the case was converted from. */
  readonly source: { readonly sheet: string; readonly row: number };
}

/** A line of a cases file that is not a well-formed case. Carries the file and 1-based line. */
export class TestCaseFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'TestCaseFormatError';
  }
}

function readDose(r: FieldReader): CdcDose {
  const seriesType = r.optionalStringOrNull('seriesType');
  return {
    doseNumber: r.integer('doseNumber'),
    date: r.date('date'),
    vaccineName: r.string('vaccineName'),
    cvx: r.nonEmptyString('cvx'),
    mvx: r.stringOrNull('mvx'),
    expectedEvaluation: r.stringOrNull('expectedEvaluation'),
    expectedReason: r.stringOrNull('expectedReason'),
    ...(seriesType === undefined ? {} : { seriesType }),
  };
}

function readObservation(r: FieldReader): CdcObservation {
  return {
    code: r.nonEmptyString('code'),
    text: r.stringOrNull('text'),
    date: r.dateOrNull('date'),
  };
}

function readExpectedForecast(r: FieldReader): CdcExpectedForecast {
  const administrativeGuidance = r.optionalStringOrNull('administrativeGuidance');
  return {
    seriesStatus: r.nonEmptyString('seriesStatus'),
    forecastNumber: r.integerOrNull('forecastNumber'),
    forecastNumberRaw: r.stringOrNull('forecastNumberRaw'),
    earliest: r.dateOrNull('earliest'),
    recommended: r.dateOrNull('recommended'),
    pastDue: r.dateOrNull('pastDue'),
    vaccineTypes: r.raw('vaccineTypes'),
    ...(administrativeGuidance === undefined ? {} : { administrativeGuidance }),
  };
}

function readSource(r: FieldReader): CdcTestCase['source'] {
  return { sheet: r.string('sheet'), row: r.integer('row') };
}

function readCase(r: FieldReader): CdcTestCase {
  return {
    id: r.nonEmptyString('id'),
    set: r.oneOf('set', ['healthy', 'underlying-conditions']),
    sourceVersion: r.string('sourceVersion'),
    title: r.string('title'),
    description: r.stringOrNull('description'),
    group: r.string('group'),
    groupNormalized: r.nonEmptyString('groupNormalized'),
    dob: r.date('dob'),
    assessmentDate: r.date('assessmentDate'),
    gender: r.string('gender'),
    doses: r.array('doses').map(readDose),
    observations: r.array('observations').map(readObservation),
    expectedForecast: readExpectedForecast(r.object('expectedForecast')),
    evaluationTestType: r.stringOrNull('evaluationTestType'),
    forecastTestType: r.stringOrNull('forecastTestType'),
    testType: r.oneOf('testType', ['both', 'forecast']),
    forecastKind: r.oneOf('forecastKind', ['dates', 'status-only']),
    dateAdded: r.stringOrNull('dateAdded'),
    dateUpdated: r.stringOrNull('dateUpdated'),
    reasonForChange: r.stringOrNull('reasonForChange'),
    changedInVersion: r.stringOrNull('changedInVersion'),
    extra: r.plainObject('extra'),
    source: readSource(r.object('source')),
  };
}

/**
 * Parses the text of a JSON Lines cases file. Blank lines are ignored; every other line must be
 * one well-formed case, and ids must be unique within the file.
 *
 * @param text - The file's content.
 * @param fileName - Shown in error messages (e.g. `healthy-v4.45.dev.jsonl`).
 * @returns The cases, in file order.
 * @throws TestCaseFormatError naming the file, the 1-based line and the field at fault.
 */
export function parseTestCases(text: string, fileName: string): CdcTestCase[] {
  const cases: CdcTestCase[] = [];
  const lineOfId = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    const lineNo = index + 1;
    if (line.trim() === '') {
      continue;
    }
    const fail = (message: string): never => {
      throw new TestCaseFormatError(fileName, lineNo, message);
    };
    const parsed = parseJson(line, fail);
    const testCase = isObject(parsed)
      ? readCase(new FieldReader(parsed, '', fail))
      : fail('expected a JSON object');
    const earlier = lineOfId.get(testCase.id);
    if (earlier !== undefined) {
      fail(`duplicate case id ${testCase.id} (first on line ${earlier})`);
    }
    lineOfId.set(testCase.id, lineNo);
    cases.push(testCase);
  }
  return cases;
}

function parseJson(line: string, fail: (message: string) => never): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch (e) {
    return fail(`not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

/**
 * Reads and parses a JSON Lines cases file (see {@link parseTestCases}).
 *
 * @param path - Path of the `.jsonl` file.
 * @returns The cases, in file order.
 * @throws TestCaseFormatError for a malformed line; the usual fs errors if unreadable.
 */
export function loadTestCases(path: string): CdcTestCase[] {
  return parseTestCases(readFileSync(path, 'utf8'), basename(path));
}
