/**
 * A synthetic population for the bulk benchmark and tests: made-up patients aged 0–90 with
 * immunization histories that follow the CDC schedule of their birth cohort — children with the
 * routine infant and preschool series (HepB, RV, DTaP, Hib, PCV, IPV, MMR, VAR, HepA, yearly
 * influenza), adolescents with Tdap, HPV and MenACWY, adults with Td/Tdap every ten years, yearly
 * influenza, a HepB series for some, RZV from 50 and PCV20 at 65. Vaccines appear only from the
 * year they came into use (DTP/OPV before DTaP/IPV, PCV7 before PCV13…); each dose is given with a
 * probability (coverage) and a few days to months late, so some patients are behind. A few
 * patients carry a condition (a history of varicella).
 *
 * Deterministic: a seeded PRNG, so every run builds the same population. Streaming: patients are
 * generated one at a time, so a million never sit in memory.
 *
 * @packageDocumentation
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Condition, Immunization, Parameters, Patient } from 'fhir/r4';
import { CalendarDate } from '../src/calendar';

const CVX = 'http://hl7.org/fhir/sid/cvx';
const SNOMED = 'http://snomed.info/sct';

/** One synthetic patient. */
export interface SyntheticPatient {
  readonly patient: Patient;
  readonly immunizations: Immunization[];
  readonly conditions: Condition[];
}

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A dose of the childhood schedule: vaccine by era, age in days, coverage. */
interface ScheduledDose {
  /** CVX by the year the dose is given: the first entry whose `from` year is ≤ that year. */
  readonly cvx: readonly (readonly [from: number, cvx: string])[];
  readonly ageDays: number;
  readonly coverage: number;
}

const y = (years: number): number => Math.round(years * 365.25);

const CHILDHOOD: readonly ScheduledDose[] = [
  // HepB: birth, 1–2 months, 6 months
  ...[0, 45, 180].map((ageDays) => ({ cvx: [[1991, '08']] as const, ageDays, coverage: 0.92 })),
  // Rotavirus (RotaTeq): 2, 4, 6 months
  ...[60, 120, 180].map((ageDays) => ({ cvx: [[2006, '116']] as const, ageDays, coverage: 0.8 })),
  // DTaP (DTP before 1997): 2, 4, 6, 15 months, 4 years
  ...[60, 120, 180, 450, y(4)].map((ageDays) => ({
    cvx: [
      [1997, '20'],
      [1950, '01'],
    ] as const,
    ageDays,
    coverage: 0.9,
  })),
  // Hib (PedvaxHIB, PRP-OMP): 2, 4, 12 months
  ...[60, 120, 365].map((ageDays) => ({ cvx: [[1990, '49']] as const, ageDays, coverage: 0.88 })),
  // Pneumococcal conjugate (PCV13 from 2010, PCV7 before): 2, 4, 6, 12 months
  ...[60, 120, 180, 365].map((ageDays) => ({
    cvx: [
      [2010, '133'],
      [2000, '100'],
    ] as const,
    ageDays,
    coverage: 0.85,
  })),
  // Polio (IPV from 2000, OPV before): 2, 4, 6 months, 4 years
  ...[60, 120, 180, y(4)].map((ageDays) => ({
    cvx: [
      [2000, '10'],
      [1963, '02'],
    ] as const,
    ageDays,
    coverage: 0.9,
  })),
  // MMR and varicella: 12 months, 4 years
  ...[365, y(4)].map((ageDays) => ({ cvx: [[1971, '03']] as const, ageDays, coverage: 0.9 })),
  ...[365, y(4)].map((ageDays) => ({ cvx: [[1996, '21']] as const, ageDays, coverage: 0.85 })),
  // HepA: 12 and 18 months
  ...[365, 545].map((ageDays) => ({ cvx: [[2006, '83']] as const, ageDays, coverage: 0.75 })),
  // Adolescents: Tdap, HPV (9-valent from 2015), MenACWY
  { cvx: [[2005, '115']], ageDays: y(11), coverage: 0.85 },
  ...[y(11), y(11.5)].map((ageDays) => ({
    cvx: [
      [2015, '165'],
      [2006, '62'],
    ] as const,
    ageDays,
    coverage: 0.6,
  })),
  ...[y(11), y(16)].map((ageDays) => ({ cvx: [[2005, '114']] as const, ageDays, coverage: 0.7 })),
];

/** Options of {@link syntheticPopulation}. */
export interface PopulationOptions {
  /** Assessment date (histories end before it). */
  readonly assessmentDate: string;
  /** PRNG seed (default 42). */
  readonly seed?: number;
  /** Patient id prefix (default `p`). */
  readonly idPrefix?: string;
}

/**
 * Generates `count` patients, one at a time.
 *
 * @param count - Number of patients.
 * @param options - Assessment date, seed.
 */
export function* syntheticPopulation(
  count: number,
  options: PopulationOptions,
): Generator<SyntheticPatient> {
  const random = prng(options.seed ?? 42);
  const assessment = CalendarDate.parse(options.assessmentDate);
  const prefix = options.idPrefix ?? 'p';
  const chance = (p: number): boolean => random() < p;
  const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

  for (let n = 0; n < count; n++) {
    const id = `${prefix}${n}`;
    // Ages 0–90, children a little over-represented (as in a registry: most records are children).
    const ageDays = chance(0.35) ? between(0, y(18)) : between(0, y(90));
    const birth = assessment.addDays(-ageDays);
    const immunizations: Immunization[] = [];
    const give = (date: CalendarDate, cvx: string): void => {
      if (date.isAfter(assessment) || date.isBefore(birth)) {
        return;
      }
      immunizations.push({
        resourceType: 'Immunization',
        id: `${id}-i${immunizations.length + 1}`,
        status: 'completed',
        vaccineCode: { coding: [{ system: CVX, code: cvx }] },
        patient: { reference: `Patient/${id}` },
        occurrenceDateTime: date.toString(),
        primarySource: true,
      });
    };

    // Late by 0–10 days usually, sometimes by months (catch-up).
    const late = (): number => (chance(0.15) ? between(30, 400) : between(0, 10));
    for (const dose of CHILDHOOD) {
      if (!chance(dose.coverage)) {
        continue;
      }
      const date = birth.addDays(dose.ageDays + (dose.ageDays === 0 ? 0 : late()));
      const cvx = dose.cvx.find(([from]) => date.year >= from)?.[1];
      if (cvx !== undefined) {
        give(date, cvx);
      }
    }
    // Influenza: each autumn from 6 months, more often for the young and the old.
    const fluFrom = birth.addMonths(6);
    for (let year = Math.max(fluFrom.year, assessment.year - 20); year <= assessment.year; year++) {
      const age = year - birth.year;
      const p = age < 5 ? 0.6 : age < 18 ? 0.45 : age < 65 ? 0.35 : 0.7;
      const date = CalendarDate.of(year, 10, 1).addDays(between(0, 60));
      if (date.isOnOrAfter(fluFrom) && chance(p)) {
        give(date, year >= 2013 ? '150' : '141');
      }
    }
    // Adults: Td/Tdap every ten years from 21; HepB series for some; RZV from 50; PCV20 at 65.
    for (let age = 21; age <= 90; age += 10) {
      const date = birth.addYears(age).addDays(late());
      if (chance(0.55)) {
        give(date, date.year >= 2005 && chance(0.5) ? '115' : '09');
      }
    }
    if (chance(0.2)) {
      const start = birth.addYears(between(19, 59)).addDays(between(0, 364));
      if (start.year >= 1991) {
        give(start, '43');
        give(start.addMonths(1).addDays(late()), '43');
        give(start.addMonths(6).addDays(late()), '43');
      }
    }
    if (chance(0.35)) {
      const start = birth.addYears(50 + between(0, 15)).addDays(between(0, 364));
      if (start.year >= 2018) {
        give(start, '187');
        give(start.addMonths(2).addDays(late()), '187');
      }
    }
    if (chance(0.6)) {
      const date = birth.addYears(65).addDays(late());
      if (date.year >= 2021) {
        give(date, '216');
      }
    }
    immunizations.sort((a, b) =>
      (a.occurrenceDateTime ?? '').localeCompare(b.occurrenceDateTime ?? ''),
    );

    const conditions: Condition[] = [];
    if (chance(0.02)) {
      // A history of varicella (evidence of immunity; CDSi observation 024).
      conditions.push({
        resourceType: 'Condition',
        id: `${id}-c1`,
        subject: { reference: `Patient/${id}` },
        code: { coding: [{ system: SNOMED, code: '38907003', display: 'Varicella' }] },
      });
    }
    yield {
      patient: {
        resourceType: 'Patient',
        id,
        gender: chance(0.5) ? 'female' : 'male',
        birthDate: birth.toString(),
      },
      immunizations,
      conditions,
    };
  }
}

/**
 * The `$immds-forecast` input of a patient (without assessment date: the bulk run fixes it).
 *
 * @param p - The patient.
 */
export function toParameters(p: SyntheticPatient): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', resource: p.patient },
      ...p.immunizations.map((resource) => ({ name: 'immunization', resource })),
      ...p.conditions.map((resource) => ({ name: 'observation', resource })),
    ],
  };
}

function write(stream: WriteStream, text: string): Promise<void> | undefined {
  return stream.write(text) ? undefined : new Promise((resolve) => stream.once('drain', resolve));
}

function end(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(resolve));
}

/**
 * Writes a population as NDJSON of `$immds-forecast` inputs.
 *
 * @param path - The file.
 * @param count - Patients.
 * @param options - Assessment date, seed.
 */
export async function writeParametersNdjson(
  path: string,
  count: number,
  options: PopulationOptions,
): Promise<void> {
  const out = createWriteStream(path);
  for (const p of syntheticPopulation(count, options)) {
    await write(out, `${JSON.stringify(toParameters(p))}\n`);
  }
  await end(out);
}

/**
 * Writes a population as a FHIR bulk export folder (Patient, Immunization split into files of
 * `perFile` lines — `Immunization.000.ndjson`, … — and Condition).
 *
 * @param dir - The folder (created).
 * @param count - Patients.
 * @param options - Assessment date, seed; `perFile` lines per Immunization file (default 1 000 000).
 */
export async function writeBulkExport(
  dir: string,
  count: number,
  options: PopulationOptions & { readonly perFile?: number },
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const perFile = options.perFile ?? 1_000_000;
  const patients = createWriteStream(join(dir, 'Patient.ndjson'));
  const conditions = createWriteStream(join(dir, 'Condition.ndjson'));
  let immFile = 0;
  let immLines = 0;
  const immName = (i: number): string =>
    join(dir, `Immunization.${String(i).padStart(3, '0')}.ndjson`);
  let immunizations = createWriteStream(immName(0));
  for (const p of syntheticPopulation(count, options)) {
    await write(patients, `${JSON.stringify(p.patient)}\n`);
    for (const c of p.conditions) {
      await write(conditions, `${JSON.stringify(c)}\n`);
    }
    for (const i of p.immunizations) {
      if (immLines === perFile) {
        await end(immunizations);
        immFile += 1;
        immLines = 0;
        immunizations = createWriteStream(immName(immFile));
      }
      immLines += 1;
      await write(immunizations, `${JSON.stringify(i)}\n`);
    }
  }
  await Promise.all([end(patients), end(conditions), end(immunizations)]);
}
