import { CalendarDate } from '../../calendar/calendar-date';
import { addDuration, DurationSyntaxError, parseOptionalDuration } from '../../calendar/duration';
import type { Duration } from '../../calendar/duration';
import { pointer } from '../problem';
import type { RuleProblem } from '../problem';
import type { RawAntigenFile, RawScheduleFile, RawSeries } from '../raw-types';

/**
 * Semantic checks of a CDSi rule set — what JSON Schema cannot express: cross-references
 * between files, dose numbering, and duration arithmetic. They run on schema-valid files only,
 * so the raw types can be trusted here.
 */

/** A schema-valid antigen file and the path to report it under. */
export interface CheckedAntigen {
  readonly file: string;
  readonly data: RawAntigenFile;
}

/** A schema-valid schedule file and the path to report it under. */
export interface CheckedSchedule {
  readonly file: string;
  readonly data: RawScheduleFile;
}

/** Fixed birth date for comparing ages: "begin" must come before "end" when both apply to it. */
const REFERENCE_DATE = CalendarDate.of(2000, 1, 1);

/** Leaf properties that hold a CDSi duration (an age or an interval). */
const DURATION_KEYS: ReadonlySet<string> = new Set([
  'beginAge',
  'endAge',
  'minAgeToStart',
  'maxAgeToStart',
  'absMinAge',
  'minAge',
  'earliestRecAge',
  'latestRecAge',
  'maxAge',
  'absMinInt',
  'minInt',
  'earliestRecInt',
  'latestRecInt',
  'interval',
  'conflictBeginInterval',
  'minConflictEndInterval',
  'conflictEndInterval',
  'associationBeginAge',
  'associationEndAge',
]);

/**
 * Pairs of duration properties of one object where the first must not come after the second.
 * Equality is allowed: CDC ships degenerate ranges on purpose (in 4.64 two Pneumococcal
 * indications have beginAge = endAge = "19 years", i.e. they never apply).
 */
const ORDERED_PAIRS: readonly (readonly [string, string])[] = [
  ['beginAge', 'endAge'],
  ['minAgeToStart', 'maxAgeToStart'],
  ['associationBeginAge', 'associationEndAge'],
  ['absMinAge', 'minAge'],
  ['minAge', 'maxAge'],
  ['earliestRecAge', 'latestRecAge'],
  ['absMinInt', 'minInt'],
  ['earliestRecInt', 'latestRecInt'],
  ['conflictBeginInterval', 'conflictEndInterval'],
];

/**
 * Live vaccines that appear in CDC's live-virus-conflict table but have no CDSi antigen, so
 * they are (correctly) absent from the cvxToAntigenMap: a patient's BCG dose still makes a
 * later live vaccine given too soon invalid. Matched on CVX and vaccine type together; every
 * other live-virus-conflict CVX must be in the cvxToAntigenMap.
 */
export const LIVE_VIRUS_CONFLICT_CVX_WITHOUT_ANTIGEN: ReadonlyMap<string, string> = new Map([
  ['19', 'BCG'],
  ['125', 'H1N1 LAIV'],
]);

type Path = readonly (string | number)[];

/**
 * Walks every object of a JSON value, depth first, in property order.
 * `visit` gets the object and its path; the path array is reused while walking (start-up
 * validates ~40 000 objects), so `visit` must copy it to keep it.
 */
function walkObjects(
  value: unknown,
  path: (string | number)[],
  visit: (obj: Readonly<Record<string, unknown>>, path: Path) => void,
): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null) {
        path.push(i);
        walkObjects(v, path, visit);
        path.pop();
      }
    }
  } else if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>;
    visit(obj, path);
    for (const k in obj) {
      const v = obj[k];
      if (typeof v === 'object' && v !== null) {
        path.push(k);
        walkObjects(v, path, visit);
        path.pop();
      }
    }
  }
}

/** A duration text parsed once: the same few dozen texts recur thousands of times. */
type ParsedDuration =
  | {
      readonly ok: true;
      readonly duration: Duration | undefined;
      readonly fromReference: CalendarDate | undefined;
    }
  | { readonly ok: false; readonly message: string };

function parseCached(cache: Map<string, ParsedDuration>, text: string): ParsedDuration {
  let parsed = cache.get(text);
  if (parsed === undefined) {
    try {
      const duration = parseOptionalDuration(text);
      parsed = {
        ok: true,
        duration,
        fromReference: duration === undefined ? undefined : addDuration(REFERENCE_DATE, duration),
      };
    } catch (e) {
      if (!(e instanceof DurationSyntaxError)) {
        throw e;
      }
      parsed = { ok: false, message: e.message };
    }
    cache.set(text, parsed);
  }
  return parsed;
}

/** Parses every duration of `root` and checks begin/end ordering; returns the problems. */
function durationProblems(file: string, root: unknown, rootPath: Path): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const cache = new Map<string, ParsedDuration>();
  walkObjects(root, [...rootPath], (obj, path) => {
    let parsed: Map<string, { duration: Duration; fromReference: CalendarDate }> | undefined;
    for (const key in obj) {
      const value = obj[key];
      if (typeof value !== 'string' || !DURATION_KEYS.has(key)) {
        continue;
      }
      const p = parseCached(cache, value);
      if (!p.ok) {
        problems.push({ file, pointer: pointer(...path, key), message: p.message });
      } else if (p.duration !== undefined && p.fromReference !== undefined) {
        parsed ??= new Map();
        parsed.set(key, { duration: p.duration, fromReference: p.fromReference });
      }
    }
    if (parsed === undefined || parsed.size < 2) {
      return;
    }
    for (const [first, second] of ORDERED_PAIRS) {
      const a = parsed.get(first);
      const b = parsed.get(second);
      if (a === undefined || b === undefined) {
        continue;
      }
      if (a.fromReference.compare(b.fromReference) > 0) {
        problems.push({
          file,
          pointer: pointer(...path, first),
          message: `${first} "${a.duration.text}" comes after ${second} "${b.duration.text}" (applied to a birth date of ${REFERENCE_DATE.toString()})`,
        });
      }
    }
  });
  return problems;
}

/** Splits a CVX list such as "03; 94;121" into codes. */
function cvxList(text: string): string[] {
  return text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

interface Indexes {
  readonly cvx: ReadonlySet<string>;
  readonly observations: ReadonlySet<string>;
  readonly vaccineGroups: ReadonlySet<string>;
}

function seriesProblems(
  file: string,
  series: RawSeries,
  path: Path,
  idx: Indexes | undefined,
): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const add = (p: Path, message: string): void => {
    problems.push({ file, pointer: pointer(...p), message });
  };
  const checkCvx = (code: string, p: Path, what: string): void => {
    if (idx !== undefined && !idx.cvx.has(code)) {
      add(p, `${what} CVX ${code} is not in the schedule's cvxToAntigenMap`);
    }
  };
  const checkObs = (code: string, p: Path, what: string): void => {
    if (idx !== undefined && code !== '' && !idx.observations.has(code)) {
      add(p, `${what} observation code ${code} is not in the schedule's observations`);
    }
  };

  if (idx !== undefined && !idx.vaccineGroups.has(series.vaccineGroup)) {
    add(
      [...path, 'vaccineGroup'],
      `vaccine group "${series.vaccineGroup}" is not in the schedule's vaccineGroups`,
    );
  }
  series.indication.forEach((ind, i) => {
    if (ind.observationCode?.code !== undefined) {
      checkObs(
        ind.observationCode.code,
        [...path, 'indication', i, 'observationCode', 'code'],
        'indication',
      );
    }
  });
  series.seriesDose.forEach((dose, d) => {
    const dp = [...path, 'seriesDose', d];
    const expected = `Dose ${d + 1}`;
    if (dose.doseNumber !== expected) {
      add(
        [...dp, 'doseNumber'],
        `dose numbers must run "Dose 1", "Dose 2", … in order; expected "${expected}", found "${dose.doseNumber}"`,
      );
    }
    const checkTarget = (ref: string | undefined, p: Path): void => {
      if (ref === undefined || ref === '') {
        return;
      }
      const n = Number(ref);
      if (!Number.isInteger(n) || n < 1 || n > d) {
        add(
          p,
          `fromTargetDose ${ref} does not name an earlier dose of this series (dose ${d + 1} can refer to 1…${d})`,
        );
      }
    };
    dose.interval?.forEach((iv, i) => {
      checkTarget(iv.fromTargetDose, [...dp, 'interval', i, 'fromTargetDose']);
      if (iv.fromMostRecent !== undefined) {
        for (const code of cvxList(iv.fromMostRecent)) {
          checkCvx(code, [...dp, 'interval', i, 'fromMostRecent'], 'fromMostRecent');
        }
      }
      if (iv.fromRelevantObs?.code !== undefined) {
        checkObs(
          iv.fromRelevantObs.code,
          [...dp, 'interval', i, 'fromRelevantObs', 'code'],
          'fromRelevantObs',
        );
      }
    });
    dose.allowableInterval?.forEach((iv, i) => {
      checkTarget(iv.fromTargetDose, [...dp, 'allowableInterval', i, 'fromTargetDose']);
    });
    for (const key of ['preferableVaccine', 'allowableVaccine', 'inadvertentVaccine'] as const) {
      dose[key]?.forEach((v, i) => {
        if (v.cvx !== undefined) {
          checkCvx(v.cvx, [...dp, key, i, 'cvx'], key);
        }
      });
    }
    dose.conditionalSkip?.forEach((skip, s) => {
      skip.set?.forEach((set, t) => {
        set.condition?.forEach((c, k) => {
          if (c.vaccineTypes !== undefined) {
            for (const code of cvxList(c.vaccineTypes)) {
              checkCvx(
                code,
                [...dp, 'conditionalSkip', s, 'set', t, 'condition', k, 'vaccineTypes'],
                'conditional-skip vaccineTypes',
              );
            }
          }
        });
      });
    });
  });
  return problems;
}

function antigenProblems(a: CheckedAntigen, idx: Indexes | undefined): RuleProblem[] {
  const { file, data } = a;
  const problems: RuleProblem[] = [];
  const root = ['antigenSupportingData'];
  const asd = data.antigenSupportingData;
  const checkObs = (code: string, p: Path, what: string): void => {
    if (idx !== undefined && !idx.observations.has(code)) {
      problems.push({
        file,
        pointer: pointer(...p),
        message: `${what} observation code ${code} is not in the schedule's observations`,
      });
    }
  };
  asd.immunity?.clinicalHistory?.forEach((h, i) => {
    checkObs(
      h.guidelineCode,
      [...root, 'immunity', 'clinicalHistory', i, 'guidelineCode'],
      'immunity guideline',
    );
  });
  asd.immunity?.dateOfBirth?.forEach((b, i) => {
    b.exclusion?.forEach((x, j) => {
      checkObs(
        x.exclusionCode,
        [...root, 'immunity', 'dateOfBirth', i, 'exclusion', j, 'exclusionCode'],
        'immunity exclusion',
      );
    });
  });
  asd.contraindications.vaccineGroup?.contraindication?.forEach((c, i) => {
    checkObs(
      c.observationCode,
      [...root, 'contraindications', 'vaccineGroup', 'contraindication', i, 'observationCode'],
      'contraindication',
    );
  });
  asd.contraindications.vaccine?.contraindication?.forEach((c, i) => {
    const cp = [...root, 'contraindications', 'vaccine', 'contraindication', i];
    checkObs(c.observationCode, [...cp, 'observationCode'], 'contraindication');
    c.contraindicatedVaccine?.forEach((v, j) => {
      if (idx !== undefined && !idx.cvx.has(v.cvx)) {
        problems.push({
          file,
          pointer: pointer(...cp, 'contraindicatedVaccine', j, 'cvx'),
          message: `contraindicated vaccine CVX ${v.cvx} is not in the schedule's cvxToAntigenMap`,
        });
      }
    });
  });
  asd.series.forEach((s, i) => {
    const sp = [...root, 'series', i];
    if (s.targetDisease !== data.antigen) {
      problems.push({
        file,
        pointer: pointer(...sp, 'targetDisease'),
        message: `targetDisease "${s.targetDisease}" differs from the file's antigen "${data.antigen}"`,
      });
    }
    problems.push(...seriesProblems(file, s, sp, idx));
  });
  problems.push(...durationProblems(file, asd, root));
  return problems;
}

function scheduleProblems(
  s: CheckedSchedule,
  idx: Indexes,
  antigenNames: ReadonlySet<string> | undefined,
): RuleProblem[] {
  const { file, data } = s;
  const problems: RuleProblem[] = [];
  const root = ['scheduleSupportingData'];
  const ssd = data.scheduleSupportingData;
  const add = (p: Path, message: string): void => {
    problems.push({ file, pointer: pointer(...p), message });
  };
  const duplicates = <T>(
    items: readonly T[] | undefined,
    key: (t: T) => string,
    p: Path,
    what: string,
  ): void => {
    const seen = new Set<string>();
    items?.forEach((item, i) => {
      const k = key(item);
      if (seen.has(k)) {
        add([...p, i], `duplicate ${what} ${JSON.stringify(k)}`);
      }
      seen.add(k);
    });
  };
  duplicates(
    ssd.cvxToAntigenMap.cvxMap,
    (m) => m.cvx,
    [...root, 'cvxToAntigenMap', 'cvxMap'],
    'CVX',
  );
  duplicates(
    ssd.observations.observation,
    (o) => o.observationCode,
    [...root, 'observations', 'observation'],
    'observation code',
  );
  duplicates(
    ssd.vaccineGroups.vaccineGroup,
    (g) => g.name,
    [...root, 'vaccineGroups', 'vaccineGroup'],
    'vaccine group',
  );
  duplicates(
    ssd.vaccineGroupToAntigenMap.vaccineGroupMap,
    (g) => g.name,
    [...root, 'vaccineGroupToAntigenMap', 'vaccineGroupMap'],
    'vaccine group map',
  );

  ssd.liveVirusConflicts.liveVirusConflict?.forEach((c, i) => {
    for (const side of ['previous', 'current'] as const) {
      const { cvx, vaccineType } = c[side];
      if (!idx.cvx.has(cvx) && LIVE_VIRUS_CONFLICT_CVX_WITHOUT_ANTIGEN.get(cvx) !== vaccineType) {
        add(
          [...root, 'liveVirusConflicts', 'liveVirusConflict', i, side, 'cvx'],
          `live-virus conflict CVX ${cvx} (${vaccineType}) is not in the cvxToAntigenMap`,
        );
      }
    }
  });
  ssd.vaccineGroupToAntigenMap.vaccineGroupMap?.forEach((g, i) => {
    const gp = [...root, 'vaccineGroupToAntigenMap', 'vaccineGroupMap', i];
    if (!idx.vaccineGroups.has(g.name)) {
      add([...gp, 'name'], `vaccine group "${g.name}" is not in vaccineGroups`);
    }
    g.antigen?.forEach((a, j) => {
      if (antigenNames !== undefined && !antigenNames.has(a)) {
        add([...gp, 'antigen', j], `antigen "${a}" has no antigen file in this rule set`);
      }
    });
  });
  ssd.cvxToAntigenMap.cvxMap?.forEach((m, i) => {
    m.association.forEach((a, j) => {
      if (antigenNames !== undefined && !antigenNames.has(a.antigen)) {
        add(
          [...root, 'cvxToAntigenMap', 'cvxMap', i, 'association', j, 'antigen'],
          `antigen "${a.antigen}" has no antigen file in this rule set`,
        );
      }
    });
  });
  problems.push(...durationProblems(file, ssd, root));
  return problems;
}

/**
 * Semantic checks of one CDSi rule set.
 *
 * - every CVX a series, contraindication, live-virus conflict or skip condition names is in the
 *   schedule's cvxToAntigenMap;
 * - every observation code (immunity, contraindications, indications, fromRelevantObs) is in the
 *   schedule's observations;
 * - every antigen of a vaccineGroupMap and of a CVX association has an antigen file, and every
 *   series' vaccineGroup is a vaccine group;
 * - dose numbers run "Dose 1", "Dose 2", … and `fromTargetDose` names an earlier dose;
 * - every duration parses, and begin ages/intervals come before end ones (applied to 2000-01-01);
 * - no duplicate CVX, observation or vaccine-group entries.
 *
 * @param antigens - the schema-valid antigen files
 * @param schedule - the schedule, if schema-valid (cross-references are skipped otherwise)
 * @param allAntigenNames - names of every antigen of the rule set (also those that failed their
 *   schema), or `undefined` if they are not known
 */
export function cdsiSemanticProblems(
  antigens: readonly CheckedAntigen[],
  schedule: CheckedSchedule | undefined,
  allAntigenNames: ReadonlySet<string> | undefined,
): RuleProblem[] {
  let idx: Indexes | undefined;
  if (schedule !== undefined) {
    const ssd = schedule.data.scheduleSupportingData;
    idx = {
      cvx: new Set((ssd.cvxToAntigenMap.cvxMap ?? []).map((m) => m.cvx)),
      observations: new Set((ssd.observations.observation ?? []).map((o) => o.observationCode)),
      vaccineGroups: new Set((ssd.vaccineGroups.vaccineGroup ?? []).map((g) => g.name)),
    };
  }
  const problems: RuleProblem[] = [];
  for (const a of antigens) {
    problems.push(...antigenProblems(a, idx));
  }
  if (schedule !== undefined && idx !== undefined) {
    problems.push(...scheduleProblems(schedule, idx, allAntigenNames));
  }
  return problems;
}
