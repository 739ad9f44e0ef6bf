import type { RawRuleSet } from '../load-rule-set';
import type {
  RawAge,
  RawAllowableInterval,
  RawAllowableVaccine,
  RawAntigenFile,
  RawConditionalSkip,
  RawConditionalSkipCondition,
  RawConditionalSkipSet,
  RawCvxMap,
  RawInadvertentVaccine,
  RawIndication,
  RawInterval,
  RawLiveVirusConflict,
  RawObservation,
  RawPreferableVaccine,
  RawSeries,
  RawSeriesDose,
} from '../raw-types';
import {
  describeCondition,
  describeSkip,
  given,
  intervalFrom,
  isBlank,
  present,
  range,
  shown,
  window,
} from './words';

/**
 * A readable, semantic diff of two CDSi rule sets: not a JSON diff, but what changed for whom,
 * located by antigen → series → dose → item → field, e.g.
 *
 *     Measles / Measles 2-dose series / Dose 2 / interval from previous dose: minimum interval 4 weeks → 28 days
 *     Schedule / CVX 999: added — Test vaccine (antigens: Measles)
 *
 * List items are matched by what identifies them (series by name, doses by number, vaccines by
 * CVX, intervals by where they are measured from, conditional-skip sets and conditions by id,
 * observations by code), not by position, so an inserted vaccine does not shift every line.
 * Blank placeholders (`<interval/>` → `[{}]`) count as absent. Fields this module does not know
 * (a future schema addition) are still compared, under their JSON name.
 */

/** What happened to the thing a change is about. */
export type ChangeKind = 'added' | 'removed' | 'changed';

/** One difference between the old and the new tables. */
export interface TableChange {
  readonly kind: ChangeKind;
  /** "Schedule" (ScheduleSupportingData) or the antigen, e.g. "Measles". */
  readonly area: string;
  /** Series name, when the change is inside a series. */
  readonly series?: string;
  /** "Dose 2", when the change is inside a series dose. */
  readonly dose?: string;
  /** Readable location below area / series / dose, e.g. `["interval from previous dose"]`. */
  readonly path: readonly string[];
  /** The field, e.g. "minimum interval"; absent when a whole item was added or removed. */
  readonly field?: string;
  /** Old value (changed), or a summary of what was removed. */
  readonly before?: string;
  /** New value (changed), or a summary of what was added. */
  readonly after?: string;
}

/** The area name of the schedule tables. */
export const SCHEDULE_AREA = 'Schedule';

// ---------------------------------------------------------------------------------------------
// Structure of the tables, as far as the diff needs it
// ---------------------------------------------------------------------------------------------

type Spec = LeafSpec | SetSpec | ObjectSpec | ListSpec;
interface LeafSpec {
  readonly kind: 'leaf';
}
/** A list of strings compared as a set (guidance texts, genders, antigen names). */
interface SetSpec {
  readonly kind: 'set';
}
interface ObjectSpec {
  readonly kind: 'object';
  readonly fields: readonly FieldSpec[];
}
interface FieldSpec {
  readonly name: string;
  readonly label: string;
  readonly spec: Spec;
  /** Nested object or list whose items appear without a path segment of their own. */
  readonly inline: boolean;
}
interface ListSpec {
  readonly kind: 'list';
  readonly key: (item: unknown) => string;
  readonly summary: (item: unknown) => string;
  readonly item: Spec;
  /** Items of this list are series or doses: they fill those columns instead of the path. */
  readonly level?: 'series' | 'dose';
}

const LEAF: LeafSpec = { kind: 'leaf' };
const SET: SetSpec = { kind: 'set' };

function field(name: string, label: string, spec: Spec = LEAF): FieldSpec {
  return { name, label, spec, inline: false };
}
function inline(name: string, spec: Spec): FieldSpec {
  return { name, label: name, spec, inline: true };
}
function object(...fields: FieldSpec[]): ObjectSpec {
  return { kind: 'object', fields };
}
function list<T>(
  key: (item: T) => string,
  item: Spec,
  summary: (item: T) => string = () => '',
  level?: 'series' | 'dose',
): ListSpec {
  return {
    kind: 'list',
    key: key as (item: unknown) => string,
    summary: summary as (item: unknown) => string,
    item,
    ...(level === undefined ? {} : { level }),
  };
}
function parts(...p: (string | undefined)[]): string {
  return p.filter((x) => x !== undefined && x !== '').join(', ');
}
const EFFECTIVE = [
  field('effectiveDate', 'effective date'),
  field('cessationDate', 'cessation date'),
];

const AGE = object(
  field('absMinAge', 'absolute minimum age'),
  field('minAge', 'minimum age'),
  field('earliestRecAge', 'earliest recommended age'),
  field('latestRecAge', 'latest recommended age'),
  field('maxAge', 'maximum age'),
  ...EFFECTIVE,
);
function ageSummary(a: RawAge): string {
  return parts(
    given(a.absMinAge) && `absolute minimum ${a.absMinAge ?? ''}`,
    given(a.minAge) && `minimum ${a.minAge ?? ''}`,
    given(a.earliestRecAge) && `earliest recommended ${a.earliestRecAge ?? ''}`,
    given(a.latestRecAge) && `latest recommended ${a.latestRecAge ?? ''}`,
    given(a.maxAge) && `maximum ${a.maxAge ?? ''}`,
    window(a.effectiveDate, a.cessationDate),
  );
}

const INTERVAL = object(
  field('fromPrevious', 'from previous dose'),
  field('fromTargetDose', 'from target dose'),
  field('fromMostRecent', 'from most recent CVX'),
  field(
    'fromRelevantObs',
    'from observation',
    object(field('code', 'observation code'), field('text', 'observation text')),
  ),
  field('absMinInt', 'absolute minimum interval'),
  field('minInt', 'minimum interval'),
  field('earliestRecInt', 'earliest recommended interval'),
  field('latestRecInt', 'latest recommended interval'),
  field('intervalPriority', 'interval priority'),
  ...EFFECTIVE,
);
function intervalSummary(i: RawInterval): string {
  return parts(
    given(i.absMinInt) && `absolute minimum ${i.absMinInt ?? ''}`,
    given(i.minInt) && `minimum ${i.minInt ?? ''}`,
    given(i.earliestRecInt) && `earliest recommended ${i.earliestRecInt ?? ''}`,
    given(i.latestRecInt) && `latest recommended ${i.latestRecInt ?? ''}`,
    given(i.intervalPriority) && `priority ${i.intervalPriority ?? ''}`,
    window(i.effectiveDate, i.cessationDate),
  );
}

const ALLOWABLE_INTERVAL = object(
  field('fromPrevious', 'from previous dose'),
  field('fromTargetDose', 'from target dose'),
  field('absMinInt', 'absolute minimum interval'),
  ...EFFECTIVE,
);

const VACCINE_FIELDS = [
  field('vaccineType', 'vaccine type'),
  field('cvx', 'CVX'),
  field('beginAge', 'begin age'),
  field('endAge', 'end age'),
];
function vaccineSummary(v: RawAllowableVaccine): string {
  return parts(given(v.vaccineType), range(v.beginAge, v.endAge));
}
const PREFERABLE_VACCINE = object(
  ...VACCINE_FIELDS,
  field('tradeName', 'trade name'),
  field('mvx', 'MVX'),
  field('volume', 'volume (mL)'),
  field('forecastVaccineType', 'forecast vaccine type'),
);
function preferableSummary(v: RawPreferableVaccine): string {
  return parts(
    vaccineSummary(v),
    given(v.tradeName),
    given(v.volume) && `${v.volume ?? ''} mL`,
    given(v.forecastVaccineType)?.toUpperCase() === 'Y' ? 'forecast vaccine type' : undefined,
  );
}

const CONDITION = object(
  field('conditionID', 'condition id'),
  field('conditionType', 'type'),
  field('startDate', 'start date'),
  field('endDate', 'end date'),
  field('beginAge', 'begin age'),
  field('endAge', 'end age'),
  field('interval', 'interval'),
  field('doseCount', 'dose count'),
  field('doseType', 'dose type'),
  field('doseCountLogic', 'dose count logic'),
  field('vaccineTypes', 'vaccine types'),
  field('seriesGroups', 'series groups'),
);
const SKIP_SET = object(
  field('setID', 'set id'),
  field('setDescription', 'description'),
  ...EFFECTIVE,
  field('conditionLogic', 'condition logic'),
  inline(
    'condition',
    list<RawConditionalSkipCondition>(
      (c) => `condition ${c.conditionID ?? '?'}`,
      CONDITION,
      describeCondition,
    ),
  ),
);
const CONDITIONAL_SKIP = object(
  field('context', 'context'),
  field('setLogic', 'set logic'),
  inline(
    'set',
    list<RawConditionalSkipSet>(
      (s) => `set ${s.setID ?? '?'}`,
      SKIP_SET,
      (s) => parts(given(s.setDescription), present(s.condition).map(describeCondition).join('; ')),
    ),
  ),
);

const DOSE = object(
  field('doseNumber', 'dose number'),
  inline(
    'age',
    list<RawAge>(() => 'age', AGE, ageSummary),
  ),
  inline(
    'interval',
    list<RawInterval>((i) => `interval from ${intervalFrom(i)}`, INTERVAL, intervalSummary),
  ),
  inline(
    'allowableInterval',
    list<RawAllowableInterval>(
      (i) => `allowable interval from ${intervalFrom(i)}`,
      ALLOWABLE_INTERVAL,
      (i) => parts(given(i.absMinInt) && `absolute minimum ${i.absMinInt ?? ''}`),
    ),
  ),
  inline(
    'preferableVaccine',
    list<RawPreferableVaccine>(
      (v) => `preferable vaccine CVX ${v.cvx ?? '?'}`,
      PREFERABLE_VACCINE,
      preferableSummary,
    ),
  ),
  inline(
    'allowableVaccine',
    list<RawAllowableVaccine>(
      (v) => `allowable vaccine CVX ${v.cvx ?? '?'}`,
      object(...VACCINE_FIELDS),
      vaccineSummary,
    ),
  ),
  inline(
    'inadvertentVaccine',
    list<RawInadvertentVaccine>(
      (v) => `inadvertent vaccine CVX ${v.cvx ?? '?'}`,
      object(...VACCINE_FIELDS.slice(0, 2)),
      (v) => given(v.vaccineType) ?? '',
    ),
  ),
  inline(
    'conditionalSkip',
    list<RawConditionalSkip>(
      (s) => `conditional skip (${given(s.context) ?? '?'})`,
      CONDITIONAL_SKIP,
      describeSkip,
    ),
  ),
  field('recurringDose', 'recurring dose'),
  field(
    'seasonalRecommendation',
    'seasonal recommendation',
    object(field('startDate', 'start date'), field('endDate', 'end date')),
  ),
);
function doseSummary(d: RawSeriesDose): string {
  const age = present(d.age)[0];
  const interval = present(d.interval)[0];
  return parts(
    age === undefined ? undefined : `age ${ageSummary(age)}`,
    interval === undefined
      ? undefined
      : `interval from ${intervalFrom(interval)} ${intervalSummary(interval)}`,
    `vaccines ${present(d.preferableVaccine)
      .map((v) => v.cvx ?? '?')
      .join(', ')}`,
  );
}

const INDICATION = object(
  field(
    'observationCode',
    'observation',
    object(field('code', 'observation code'), field('text', 'observation text')),
  ),
  field('description', 'description'),
  field('beginAge', 'begin age'),
  field('endAge', 'end age'),
  field('guidance', 'guidance'),
);

const SERIES = object(
  field('seriesName', 'series name'),
  field('targetDisease', 'target disease'),
  field('vaccineGroup', 'vaccine group'),
  field('seriesAdminGuidance', 'administration guidance', SET),
  field('seriesType', 'series type'),
  field('equivalentSeriesGroups', 'equivalent series groups'),
  field('requiredGender', 'required gender', SET),
  field(
    'selectSeries',
    'series selection',
    object(
      field('defaultSeries', 'default series'),
      field('productPath', 'product path'),
      field('seriesGroupName', 'series group name'),
      field('seriesGroup', 'series group'),
      field('seriesPriority', 'series priority'),
      field('seriesPreference', 'series preference'),
      field('minAgeToStart', 'minimum age to start'),
      field('maxAgeToStart', 'maximum age to start'),
    ),
  ),
  inline(
    'indication',
    list<RawIndication>(
      (i) => `indication ${i.observationCode?.code ?? '?'}`,
      INDICATION,
      (i) => parts(given(i.observationCode?.text), range(i.beginAge, i.endAge)),
    ),
  ),
  inline(
    'seriesDose',
    list<RawSeriesDose>((d) => d.doseNumber, DOSE, doseSummary, 'dose'),
  ),
);
function seriesSummary(s: RawSeries): string {
  return parts(
    given(s.seriesType),
    `${s.seriesDose.length} dose${s.seriesDose.length === 1 ? '' : 's'}`,
    `vaccine group ${s.vaccineGroup}`,
  );
}

const CONTRAINDICATION_FIELDS = [
  field('observationCode', 'observation code'),
  field('observationTitle', 'title'),
  field('contraindicationText', 'text'),
  field('contraindicationGuidance', 'guidance'),
];
interface Contraindication {
  readonly observationCode: string;
  readonly observationTitle: string;
  readonly beginAge?: string;
  readonly endAge?: string;
}

const ANTIGEN = object(
  field('antigen', 'antigen'),
  field('sourceFile', 'source XML file'),
  inline(
    'antigenSupportingData',
    object(
      field(
        'immunity',
        'immunity',
        object(
          inline(
            'clinicalHistory',
            list<{ guidelineCode: string; guidelineTitle: string }>(
              (c) => `clinical history ${c.guidelineCode}`,
              object(field('guidelineCode', 'code'), field('guidelineTitle', 'title')),
              (c) => c.guidelineTitle,
            ),
          ),
          inline(
            'dateOfBirth',
            list<{ immunityBirthDate: string; birthCountry: string }>(
              (d) => `birth-date immunity${given(d.birthCountry) ? ` (${d.birthCountry})` : ''}`,
              object(
                field('immunityBirthDate', 'born before'),
                field('birthCountry', 'birth country'),
                inline(
                  'exclusion',
                  list<{ exclusionCode: string; exclusionTitle: string }>(
                    (e) => `exclusion ${e.exclusionCode}`,
                    object(field('exclusionCode', 'code'), field('exclusionTitle', 'title')),
                    (e) => e.exclusionTitle,
                  ),
                ),
              ),
              (d) => `born before ${d.immunityBirthDate}`,
            ),
          ),
        ),
      ),
      inline(
        'contraindications',
        object(
          inline(
            'vaccineGroup',
            object(
              inline(
                'contraindication',
                list<Contraindication>(
                  (c) => `vaccine-group contraindication ${c.observationCode}`,
                  object(
                    ...CONTRAINDICATION_FIELDS,
                    field('beginAge', 'begin age'),
                    field('endAge', 'end age'),
                  ),
                  (c) => parts(c.observationTitle, range(c.beginAge, c.endAge)),
                ),
              ),
            ),
          ),
          inline(
            'vaccine',
            object(
              inline(
                'contraindication',
                list<Contraindication>(
                  (c) => `vaccine contraindication ${c.observationCode}`,
                  object(
                    ...CONTRAINDICATION_FIELDS,
                    inline(
                      'contraindicatedVaccine',
                      list<RawAllowableVaccine>(
                        (v) => `contraindicated CVX ${v.cvx ?? '?'}`,
                        object(...VACCINE_FIELDS),
                        vaccineSummary,
                      ),
                    ),
                  ),
                  (c) => c.observationTitle,
                ),
              ),
            ),
          ),
        ),
      ),
      inline(
        'series',
        list<RawSeries>((s) => s.seriesName, SERIES, seriesSummary, 'series'),
      ),
    ),
  ),
);

const VACCINE_REF = object(field('vaccineType', 'vaccine type'), field('cvx', 'CVX'));
const SCHEDULE = object(
  field('sourceFile', 'source XML file'),
  inline(
    'scheduleSupportingData',
    object(
      inline(
        'liveVirusConflicts',
        object(
          inline(
            'liveVirusConflict',
            list<RawLiveVirusConflict>(
              (c) => `live-virus conflict CVX ${c.previous.cvx} → CVX ${c.current.cvx}`,
              object(
                field('previous', 'previous', VACCINE_REF),
                field('current', 'current', VACCINE_REF),
                field('conflictBeginInterval', 'conflict begin interval'),
                field('minConflictEndInterval', 'minimum conflict end interval'),
                field('conflictEndInterval', 'conflict end interval'),
              ),
              (c) =>
                `${c.previous.vaccineType} then ${c.current.vaccineType}: conflict ${c.conflictBeginInterval} to ${c.conflictEndInterval} (minimum ${c.minConflictEndInterval})`,
            ),
          ),
        ),
      ),
      inline(
        'vaccineGroups',
        object(
          inline(
            'vaccineGroup',
            list<{ name: string; administerFullVaccineGroup: string }>(
              (g) => `vaccine group ${g.name}`,
              object(
                field('name', 'name'),
                field('administerFullVaccineGroup', 'administer full vaccine group'),
              ),
              (g) => `administer full vaccine group: ${g.administerFullVaccineGroup}`,
            ),
          ),
        ),
      ),
      inline(
        'vaccineGroupToAntigenMap',
        object(
          inline(
            'vaccineGroupMap',
            list<{ name: string; antigen?: readonly string[] }>(
              (m) => `vaccine group ${m.name}`,
              object(field('name', 'name'), field('antigen', 'antigen', SET)),
              (m) => `antigens ${(m.antigen ?? []).join(', ')}`,
            ),
          ),
        ),
      ),
      inline(
        'cvxToAntigenMap',
        object(
          inline(
            'cvxMap',
            list<RawCvxMap>(
              (m) => `CVX ${m.cvx}`,
              object(
                field('cvx', 'CVX'),
                field('shortDescription', 'description'),
                inline(
                  'association',
                  list<RawCvxMap['association'][number]>(
                    (a) => `association with ${a.antigen}`,
                    object(
                      field('antigen', 'antigen'),
                      field('associationBeginAge', 'begin age'),
                      field('associationEndAge', 'end age'),
                    ),
                    (a) => range(a.associationBeginAge, a.associationEndAge) ?? 'any age',
                  ),
                ),
              ),
              (m) =>
                `${m.shortDescription} (antigens: ${m.association.map((a) => a.antigen).join(', ')})`,
            ),
          ),
        ),
      ),
      inline(
        'observations',
        object(
          inline(
            'observation',
            list<RawObservation>(
              (o) => `observation ${o.observationCode}`,
              object(
                field('observationCode', 'code'),
                field('observationTitle', 'title'),
                field('group', 'group'),
                field('indicationText', 'indication text'),
                field('contraindicationText', 'contraindication text'),
                field('clarifyingText', 'clarifying text'),
                inline(
                  'codedValues',
                  list<unknown>(
                    () => 'coded values',
                    object(
                      inline(
                        'codedValue',
                        list<{ code: string; codeSystem: string; text: string }>(
                          (v) => `${v.codeSystem} ${v.code}`,
                          object(
                            field('code', 'code'),
                            field('codeSystem', 'code system'),
                            field('text', 'text'),
                          ),
                          (v) => v.text,
                        ),
                      ),
                    ),
                  ),
                ),
              ),
              (o) => o.observationTitle,
            ),
          ),
        ),
      ),
    ),
  ),
);

// ---------------------------------------------------------------------------------------------
// The diff
// ---------------------------------------------------------------------------------------------

interface Where {
  readonly area: string;
  readonly series?: string;
  readonly dose?: string;
  readonly path: readonly string[];
}

/**
 * Deep equality of parsed JSON, ignoring the order of object keys.
 *
 * @param a - A JSON value.
 * @param b - Another JSON value.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return false;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => jsonEqual(x, b[i]))
    );
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.length === kb.length && ka.every((k) => k in rb && jsonEqual(ra[k], rb[k]));
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function keyed(items: readonly unknown[], key: (item: unknown) => string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const item of items.filter((x) => !isBlank(x))) {
    const base = key(item);
    let k = base;
    for (let n = 2; out.has(k); n++) {
      k = `${base} #${n}`;
    }
    out.set(k, item);
  }
  return out;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '')
    : [];
}

class Differ {
  readonly changes: TableChange[] = [];

  private push(where: Where, change: Omit<TableChange, 'area' | 'path' | 'series' | 'dose'>): void {
    this.changes.push({ ...where, ...change });
  }

  node(spec: Spec, before: unknown, after: unknown, where: Where, label: string | undefined): void {
    switch (spec.kind) {
      case 'leaf':
        if (!jsonEqual(before, after)) {
          this.push(where, {
            kind: 'changed',
            field: label ?? 'value',
            before: shown(before),
            after: shown(after),
          });
        }
        return;
      case 'set': {
        const b = stringsOf(before);
        const a = stringsOf(after);
        for (const v of b.filter((x) => !a.includes(x))) {
          this.push(where, { kind: 'removed', field: label ?? 'value', before: v });
        }
        for (const v of a.filter((x) => !b.includes(x))) {
          this.push(where, { kind: 'added', field: label ?? 'value', after: v });
        }
        return;
      }
      case 'object':
        this.object(spec, before, after, where);
        return;
      case 'list':
        this.list(spec, before, after, where);
        return;
    }
  }

  private object(spec: ObjectSpec, before: unknown, after: unknown, where: Where): void {
    const b = asRecord(before);
    const a = asRecord(after);
    for (const f of spec.fields) {
      if (f.spec.kind === 'leaf' || f.spec.kind === 'set' || f.inline) {
        this.node(f.spec, b[f.name], a[f.name], where, f.label);
      } else {
        this.node(
          f.spec,
          b[f.name],
          a[f.name],
          { ...where, path: [...where.path, f.label] },
          undefined,
        );
      }
    }
    const known = new Set(spec.fields.map((f) => f.name));
    const unknown = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter(
      (k) => !known.has(k),
    );
    for (const k of unknown.sort()) {
      this.node(LEAF, b[k], a[k], where, k);
    }
  }

  private list(spec: ListSpec, before: unknown, after: unknown, where: Where): void {
    const b = keyed(Array.isArray(before) ? before : [], spec.key);
    const a = keyed(Array.isArray(after) ? after : [], spec.key);
    const at = (k: string): Where =>
      spec.level === 'series'
        ? { ...where, series: k }
        : spec.level === 'dose'
          ? { ...where, dose: k }
          : { ...where, path: [...where.path, k] };
    for (const [k, item] of b) {
      if (a.has(k)) {
        this.node(spec.item, item, a.get(k), at(k), undefined);
      } else {
        this.push(at(k), { kind: 'removed', before: spec.summary(item) });
      }
    }
    for (const [k, item] of a) {
      if (!b.has(k)) {
        this.push(at(k), { kind: 'added', after: spec.summary(item) });
      }
    }
  }
}

function antigenSummary(a: RawAntigenFile): string {
  const series = a.antigenSupportingData.series;
  return `${series.length} series (${series.map((s) => s.seriesName).join('; ')})`;
}

function byName(files: readonly RawAntigenFile[]): Map<string, RawAntigenFile> {
  return new Map(files.map((f) => [f.antigen, f]));
}

/**
 * Compares the tables of two rule sets (schedule and antigen files; the manifest's identity and
 * provenance are not table content and are left out).
 *
 * @param before - The old rule set.
 * @param after - The new rule set.
 * @returns Every change: the schedule's first, then per antigen in name order.
 */
export function diffRuleTables(
  before: Pick<RawRuleSet, 'antigens' | 'schedule'>,
  after: Pick<RawRuleSet, 'antigens' | 'schedule'>,
): TableChange[] {
  const d = new Differ();
  d.node(SCHEDULE, before.schedule, after.schedule, { area: SCHEDULE_AREA, path: [] }, undefined);
  const b = byName(before.antigens);
  const a = byName(after.antigens);
  const names = [...new Set([...b.keys(), ...a.keys()])].sort((x, y) =>
    x.localeCompare(y, 'en', { sensitivity: 'base' }),
  );
  for (const name of names) {
    const old = b.get(name);
    const now = a.get(name);
    const where: Where = { area: name, path: [] };
    if (old === undefined && now !== undefined) {
      d.changes.push({ ...where, kind: 'added', after: antigenSummary(now) });
    } else if (old !== undefined && now === undefined) {
      d.changes.push({ ...where, kind: 'removed', before: antigenSummary(old) });
    } else {
      d.node(ANTIGEN, old, now, where, undefined);
    }
  }
  return d.changes;
}

/**
 * The vaccine groups whose results can differ between two rule sets: every group when the
 * schedule tables differ; otherwise the groups of the antigens whose files differ (the engine
 * computes a vaccine group from its own antigens only). Empty when the tables are equal.
 *
 * @param before - The old rule set.
 * @param after - The new rule set.
 * @returns Group names, or "all".
 */
export function affectedVaccineGroups(
  before: Pick<RawRuleSet, 'antigens' | 'schedule'>,
  after: Pick<RawRuleSet, 'antigens' | 'schedule'>,
): 'all' | string[] {
  if (!jsonEqual(before.schedule, after.schedule)) {
    return 'all';
  }
  const b = byName(before.antigens);
  const a = byName(after.antigens);
  const changed = new Set(
    [...new Set([...b.keys(), ...a.keys()])].filter((n) => !jsonEqual(b.get(n), a.get(n))),
  );
  const maps = after.schedule.scheduleSupportingData.vaccineGroupToAntigenMap.vaccineGroupMap ?? [];
  return maps.filter((m) => (m.antigen ?? []).some((x) => changed.has(x))).map((m) => m.name);
}

/**
 * One change as a line, e.g.
 * `Measles / Measles 2-dose series / Dose 2 / interval from previous dose: minimum interval 4 weeks → 28 days`.
 *
 * @param c - The change.
 * @param withArea - Start with the area (default true; false under an area heading).
 */
export function describeTableChange(c: TableChange, withArea = true): string {
  const at = [withArea ? c.area : undefined, c.series, c.dose, ...c.path]
    .filter((x) => x !== undefined)
    .join(' / ');
  const head = at === '' ? '' : `${at}: `;
  switch (c.kind) {
    case 'changed':
      return `${head}${c.field ?? 'value'} ${c.before ?? ''} → ${c.after ?? ''}`;
    case 'added':
    case 'removed': {
      const what = c.kind === 'added' ? c.after : c.before;
      if (c.field !== undefined) {
        return `${head}${c.field} ${c.kind}: ${what ?? ''}`;
      }
      return `${head}${c.kind}${what === undefined || what === '' ? '' : ` — ${what}`}`;
    }
  }
}

/**
 * The table changes as text, grouped under the schedule and each antigen.
 *
 * @param changes - From {@link diffRuleTables}.
 */
export function formatTableChanges(changes: readonly TableChange[]): string {
  if (changes.length === 0) {
    return 'Rule tables: no changes';
  }
  const lines = [`Rule tables: ${changes.length} change${changes.length === 1 ? '' : 's'}`];
  let area: string | undefined;
  for (const c of changes) {
    if (c.area !== area) {
      area = c.area;
      lines.push(`  ${area}`);
    }
    lines.push(`    ${describeTableChange(c, false)}`);
  }
  return lines.join('\n');
}
