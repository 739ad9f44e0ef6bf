/**
 * The per-call context of one `forecast()`: the patient, the assessment date, the rule set and
 * a few lookups built once (sorted doses, active observations, age dates), so that every
 * logic step reads them instead of recomputing.
 */
import { addDuration, type CalendarDate, type Duration } from '../calendar';
import type { AdministeredDose, Gender, PatientHistory } from './model';
import { canonicalCvx, type RuleSet, type RuleSetDuration } from './rule-set';

/** An administered dose with its CVX in canonical form and its position in date order. */
export interface PatientDose {
  readonly dose: AdministeredDose;
  readonly id: string;
  /** Canonical CVX (see `canonicalCvx`). */
  readonly cvx: string;
  readonly date: CalendarDate;
  /** Position in the patient's doses sorted by date administered (stable for equal dates). */
  readonly index: number;
}

/** What the engine knows about one coded observation of the patient. */
export interface ActiveObservation {
  readonly code: string;
  /** The most recent observation date, when any observation with this code has one. */
  readonly latestDate?: CalendarDate;
}

/** Everything the logic steps need about the patient and the call. */
export interface PatientContext {
  /** The patient as given. */
  readonly history: PatientHistory;
  readonly birthDate: CalendarDate;
  readonly gender: Gender;
  readonly birthCountry?: string | undefined;
  readonly assessmentDate: CalendarDate;
  readonly ruleSet: RuleSet;
  /** Every administered dose, sorted by date administered (input order for equal dates). */
  readonly doses: readonly PatientDose[];
  /**
   * Active patient observations by code: those without a date, or dated on or before the
   * assessment date (an observation dated later has not happened yet).
   */
  readonly observations: ReadonlyMap<string, ActiveObservation>;
  /**
   * The doses, in date order, whose vaccine type is the conflicting ("previous") type of some
   * live virus conflict of the rule set (§6.7): the only doses a forecast conflict end date
   * (CALCDTCONFLICT-3) can come from. Most patients have few or none.
   */
  readonly conflictingDoses: readonly PatientDose[];
  /**
   * The date of birth plus an age (CALCDTAGE-1..5, CALCDTIND, CALCDTCI, CALCDTPREF,
   * CALCDTALLOW, CALCDTSKIP-3/4 all have this shape). Memoised per duration.
   */
  ageDate(age: Duration): CalendarDate;
  /**
   * The doses (in date order) whose vaccine type is one of `types`: CALCDTINT-8 looks for the
   * most recent one before a position, for every dose of a series. Memoised per set.
   */
  dosesOfTypes(types: ReadonlySet<string>): readonly PatientDose[];
}

const NO_DOSES: readonly PatientDose[] = Object.freeze([]);

/**
 * The conflicting ("previous") vaccine types of the live virus conflicts of a rule set, derived
 * once per rule set from `liveVirusConflictsByCurrent` (the index the conflict steps read).
 */
const conflictingTypes = new WeakMap<RuleSet, ReadonlySet<string>>();

function conflictingTypesOf(ruleSet: RuleSet): ReadonlySet<string> {
  let types = conflictingTypes.get(ruleSet);
  if (types === undefined) {
    const set = new Set<string>();
    for (const conflicts of ruleSet.liveVirusConflictsByCurrent.values()) {
      for (const conflict of conflicts) {
        set.add(conflict.previousCvx);
      }
    }
    types = set;
    conflictingTypes.set(ruleSet, types);
  }
  return types;
}

/**
 * The doses sorted by date administered, input order kept for equal dates (a stable sort). A
 * history usually arrives in date order already: then it is returned as it is, with no sort.
 */
function inDateOrder(doses: readonly AdministeredDose[]): readonly AdministeredDose[] {
  let previous = -Infinity;
  let sorted = true;
  for (const dose of doses) {
    const day = dose.dateAdministered.dayNumber;
    if (day < previous) {
      sorted = false;
      break;
    }
    previous = day;
  }
  if (sorted) {
    return doses;
  }
  return doses
    .map((dose, order) => ({ dose, order }))
    .sort((a, b) => a.dose.dateAdministered.compare(b.dose.dateAdministered) || a.order - b.order)
    .map(({ dose }) => dose);
}

/**
 * Builds the context of one call.
 *
 * @param history - The patient.
 * @param ruleSet - The compiled rule set.
 * @param assessmentDate - The date the forecast is made for.
 */
export function createPatientContext(
  history: PatientHistory,
  ruleSet: RuleSet,
  assessmentDate: CalendarDate,
): PatientContext {
  const doses: PatientDose[] = [];
  const conflicting = conflictingTypesOf(ruleSet);
  let conflictingDoses: PatientDose[] | undefined;
  for (const dose of inDateOrder(history.doses)) {
    const patientDose: PatientDose = {
      dose,
      id: dose.id,
      cvx: canonicalCvx(dose.cvx),
      date: dose.dateAdministered,
      index: doses.length,
    };
    doses.push(patientDose);
    if (conflicting.has(patientDose.cvx)) {
      (conflictingDoses ??= []).push(patientDose);
    }
  }

  const observations = new Map<string, ActiveObservation>();
  for (const o of history.observations) {
    const code = o.code.trim();
    if (o.date !== undefined && o.date.isAfter(assessmentDate)) {
      continue;
    }
    const known = observations.get(code);
    const latest =
      o.date === undefined
        ? known?.latestDate
        : known?.latestDate === undefined || o.date.isAfter(known.latestDate)
          ? o.date
          : known.latestDate;
    observations.set(code, latest === undefined ? { code } : { code, latestDate: latest });
  }

  return new CallContext(
    history,
    ruleSet,
    assessmentDate,
    doses,
    observations,
    conflictingDoses ?? NO_DOSES,
  );
}

/**
 * The one implementation of {@link PatientContext}: a class, so that every context has the same
 * shape and `ageDate` is one shared method (the engine reads the context everywhere).
 */
class CallContext implements PatientContext {
  readonly birthDate: CalendarDate;
  readonly gender: Gender;
  readonly birthCountry: string | undefined;
  /**
   * A patient needs a few hundred age dates, mostly for the same few dozen durations: those of
   * the rule set are kept here by slot (`RuleSet.durations`), computed on first use.
   */
  private readonly ageDates: (CalendarDate | undefined)[];
  /** Age dates of durations the rule set does not list (a rule set built by hand). */
  private otherAgeDates: Map<Duration, CalendarDate> | undefined = undefined;
  private dosesByTypes: Map<ReadonlySet<string>, readonly PatientDose[]> | undefined = undefined;

  constructor(
    readonly history: PatientHistory,
    readonly ruleSet: RuleSet,
    readonly assessmentDate: CalendarDate,
    readonly doses: readonly PatientDose[],
    readonly observations: ReadonlyMap<string, ActiveObservation>,
    readonly conflictingDoses: readonly PatientDose[],
  ) {
    this.birthDate = history.birthDate;
    this.gender = history.gender;
    this.birthCountry = history.birthCountry;
    this.ageDates = new Array<CalendarDate | undefined>(ruleSet.durations.length);
  }

  ageDate(age: Duration): CalendarDate {
    const slot = (age as Partial<RuleSetDuration>).slot;
    if (slot !== undefined && this.ruleSet.durations[slot] === age) {
      let date = this.ageDates[slot];
      if (date === undefined) {
        date = addDuration(this.birthDate, age);
        this.ageDates[slot] = date;
      }
      return date;
    }
    this.otherAgeDates ??= new Map();
    let date = this.otherAgeDates.get(age);
    if (date === undefined) {
      date = addDuration(this.birthDate, age);
      this.otherAgeDates.set(age, date);
    }
    return date;
  }

  dosesOfTypes(types: ReadonlySet<string>): readonly PatientDose[] {
    this.dosesByTypes ??= new Map();
    let doses = this.dosesByTypes.get(types);
    if (doses === undefined) {
      doses = this.doses.filter((dose) => types.has(dose.cvx));
      this.dosesByTypes.set(types, doses);
    }
    return doses;
  }
}
