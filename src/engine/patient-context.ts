/**
 * The per-call context of one `forecast()`: the patient, the assessment date, the rule set and
 * a few lookups built once (sorted doses, active observations, age dates), so that every
 * logic step reads them instead of recomputing.
 */
import { addDuration, type CalendarDate, type Duration } from '../calendar';
import type { AdministeredDose, Gender, PatientHistory } from './model';
import {
  canonicalCvx,
  type LiveVirusConflict,
  type RuleSet,
  type RuleSetDuration,
  type VaccineType,
} from './rule-set';

/** An administered dose with its CVX in canonical form and its position in date order. */
export interface PatientDose {
  readonly dose: AdministeredDose;
  readonly id: string;
  /** Canonical CVX (see `canonicalCvx`). */
  readonly cvx: string;
  readonly date: CalendarDate;
  /** Position in the patient's doses sorted by date administered (stable for equal dates). */
  readonly index: number;
  /**
   * The rule set's vaccine type of `cvx` (its antigen associations, §4.2), `undefined` when the
   * rule set does not know the code. Looked up once per dose (see {@link DoseTypeFacts}).
   */
  readonly vaccineType: VaccineType | undefined;
  /**
   * The antigen slot (see {@link antigenSlotsOf}) of each association of `vaccineType`, in the
   * same order: §4.2 files the dose's antigen records by slot.
   */
  readonly antigenSlots: readonly number[];
  /**
   * The live virus conflicts in which `cvx` is the impacted ("current") vaccine type (§6.7,
   * `liveVirusConflictsByCurrent`), `undefined` when there is none.
   */
  readonly conflictsAsCurrent: readonly LiveVirusConflict[] | undefined;
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
 * What the rule set says about one vaccine type (canonical CVX) that every dose of that type
 * needs: found with one lookup per dose when the context is built, rather than one lookup per
 * dose and series step (§4.2 organizes every dose, §6.7 looks at every dose of every series).
 */
interface DoseTypeFacts {
  readonly vaccineType: VaccineType | undefined;
  readonly antigenSlots: readonly number[];
  readonly conflictsAsCurrent: readonly LiveVirusConflict[] | undefined;
  /** Whether the type is the conflicting ("previous") type of some live virus conflict. */
  readonly conflictingPrevious: boolean;
}

const UNKNOWN_TYPE: DoseTypeFacts = Object.freeze({
  vaccineType: undefined,
  antigenSlots: Object.freeze([]),
  conflictsAsCurrent: undefined,
  conflictingPrevious: false,
});

/**
 * {@link DoseTypeFacts} by canonical CVX, per rule set (immutable): every vaccine type of the
 * rule set and every type named in a live virus conflict; any other code is unknown to the
 * rule set.
 */
const doseTypeFacts = new WeakMap<RuleSet, ReadonlyMap<string, DoseTypeFacts>>();

function doseTypeFactsOf(ruleSet: RuleSet): ReadonlyMap<string, DoseTypeFacts> {
  let facts = doseTypeFacts.get(ruleSet);
  if (facts === undefined) {
    const map = new Map<string, DoseTypeFacts>();
    const previous = new Set<string>();
    for (const conflicts of ruleSet.liveVirusConflictsByCurrent.values()) {
      for (const conflict of conflicts) {
        previous.add(conflict.previousCvx);
      }
    }
    const codes = new Set([
      ...ruleSet.vaccineTypes.keys(),
      ...ruleSet.liveVirusConflictsByCurrent.keys(),
      ...previous,
    ]);
    const slots = antigenSlotsOf(ruleSet);
    for (const cvx of codes) {
      const vaccineType = ruleSet.vaccineTypes.get(cvx);
      map.set(cvx, {
        vaccineType,
        antigenSlots: (vaccineType?.associations ?? []).map(
          (association) => slots.get(association.antigen) as number,
        ),
        conflictsAsCurrent: ruleSet.liveVirusConflictsByCurrent.get(cvx),
        conflictingPrevious: previous.has(cvx),
      });
    }
    facts = map;
    doseTypeFacts.set(ruleSet, facts);
  }
  return facts;
}

/**
 * A number per antigen of a rule set, from 0: its antigens in rule-set order, then any other
 * antigen a CVX is associated with. The engine files antigen records in an array by slot
 * (`organize-history.ts`) rather than in a map by name, for every patient.
 */
const antigenSlots = new WeakMap<RuleSet, ReadonlyMap<string, number>>();

/**
 * The antigen slots of a rule set (computed once per rule set).
 *
 * @param ruleSet - The compiled rule set.
 */
export function antigenSlotsOf(ruleSet: RuleSet): ReadonlyMap<string, number> {
  let slots = antigenSlots.get(ruleSet);
  if (slots === undefined) {
    const map = new Map<string, number>();
    for (const antigen of ruleSet.antigens.keys()) {
      map.set(antigen, map.size);
    }
    for (const vaccineType of ruleSet.vaccineTypes.values()) {
      for (const association of vaccineType.associations) {
        if (!map.has(association.antigen)) {
          map.set(association.antigen, map.size);
        }
      }
    }
    slots = map;
    antigenSlots.set(ruleSet, slots);
  }
  return slots;
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
  const typeFacts = doseTypeFactsOf(ruleSet);
  let conflictingDoses: PatientDose[] | undefined;
  for (const dose of inDateOrder(history.doses)) {
    const cvx = canonicalCvx(dose.cvx);
    const facts = typeFacts.get(cvx) ?? UNKNOWN_TYPE;
    const patientDose: PatientDose = {
      dose,
      id: dose.id,
      cvx,
      date: dose.dateAdministered,
      index: doses.length,
      vaccineType: facts.vaccineType,
      antigenSlots: facts.antigenSlots,
      conflictsAsCurrent: facts.conflictsAsCurrent,
    };
    doses.push(patientDose);
    if (facts.conflictingPrevious) {
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
