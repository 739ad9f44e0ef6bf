/**
 * Turns a CDC test case into the engine's input. Pure: no I/O.
 *
 * @packageDocumentation
 */
import { CalendarDate } from '../calendar';
import type { Gender, PatientHistory } from '../engine/model';
import type { CdcTestCase } from './test-case';

/**
 * The `AdministeredDose.id` given to the case's dose at `index` (0-based): "1", "2", … in the
 * order of the case's doses. The comparator uses the same ids to match evaluations back.
 *
 * @param index - 0-based position of the dose in `CdcTestCase.doses`.
 */
export function doseIdOf(index: number): string {
  return String(index + 1);
}

/**
 * CDC gender → engine gender: "F" → female, "M" → male, anything else → unknown.
 *
 * @param gender - The case's `gender` value.
 */
export function toGender(gender: string): Gender {
  switch (gender.trim().toUpperCase()) {
    case 'F':
      return 'female';
    case 'M':
      return 'male';
    default:
      return 'unknown';
  }
}

/**
 * Builds the engine's `PatientHistory` for a case: birth date and gender; the doses with ids
 * "1".."n" in order, their CVX and MVX (an unspecified MVX is left out); the coded
 * observations, with their date when the CDC gives one.
 *
 * @param testCase - The case.
 * @returns The history to pass to `forecast()`.
 * @throws RangeError if a date in the case is not a real calendar date.
 */
export function toPatientHistory(testCase: CdcTestCase): PatientHistory {
  return {
    birthDate: CalendarDate.parse(testCase.dob),
    gender: toGender(testCase.gender),
    doses: testCase.doses.map((dose, index) => ({
      id: doseIdOf(index),
      dateAdministered: CalendarDate.parse(dose.date),
      cvx: dose.cvx,
      ...(dose.mvx === null || dose.mvx.trim() === '' ? {} : { mvx: dose.mvx }),
    })),
    observations: testCase.observations.map((o) => ({
      code: o.code,
      ...(o.date === null ? {} : { date: CalendarDate.parse(o.date) }),
    })),
  };
}

/**
 * The case's assessment date (the CDC's date, never today's).
 *
 * @param testCase - The case.
 * @throws RangeError if it is not a real calendar date.
 */
export function assessmentDateOf(testCase: CdcTestCase): CalendarDate {
  return CalendarDate.parse(testCase.assessmentDate);
}
