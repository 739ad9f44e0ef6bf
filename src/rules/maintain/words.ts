import type {
  RawConditionalSkip,
  RawConditionalSkipCondition,
  RawInterval,
  RawObservationRef,
} from '../raw-types';

/**
 * Plain-words renderings of rule-table values, shared by `diff` and `docs` so that both speak
 * the same language to a help desk: durations stay as CDC writes them ("4 weeks - 4 days"),
 * dates become YYYY-MM-DD, empty values say so.
 */

/** True for `undefined`, `""`, `{}`, `[]` and containers of nothing but those. */
export function isBlank(value: unknown): boolean {
  if (value === undefined || value === null || value === '') {
    return true;
  }
  if (Array.isArray(value)) {
    return value.every(isBlank);
  }
  if (typeof value === 'object') {
    return Object.values(value).every(isBlank);
  }
  return false;
}

/** Non-blank items of an optional list (CDC writes `<interval/>` for "no interval"). */
export function present<T>(list: readonly T[] | undefined): T[] {
  return (list ?? []).filter((x) => !isBlank(x));
}

/** A CDC date `YYYYMMDD` as `YYYY-MM-DD`; anything else unchanged. */
export function cdcDate(value: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  return m === null ? value : `${m[1] ?? ''}-${m[2] ?? ''}-${m[3] ?? ''}`;
}

/** A CDC date `MM/DD/YYYY` (immunity birth dates) as `YYYY-MM-DD`; anything else unchanged. */
export function usDate(value: string): string {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value);
  return m === null ? value : `${m[3] ?? ''}-${m[1] ?? ''}-${m[2] ?? ''}`;
}

/** Trimmed text, or undefined when empty / absent / "n/a". */
export function given(value: string | undefined): string | undefined {
  const t = value?.trim();
  return t === undefined || t === '' || t.toLowerCase() === 'n/a' ? undefined : t;
}

/**
 * An age/date range in words: "from 12 months", "before 13 years", "from 4 years, before 13 years".
 * CDSi end ages and dates are exclusive, hence "before".
 */
export function range(begin: string | undefined, end: string | undefined): string | undefined {
  const b = given(begin);
  const e = given(end);
  if (b !== undefined && e !== undefined) {
    return `from ${b}, before ${e}`;
  }
  if (b !== undefined) {
    return `from ${b}`;
  }
  return e === undefined ? undefined : `before ${e}`;
}

/** A validity window: "effective 2023-01-01, ceased 2024-06-30"; undefined when open. */
export function window(
  effective: string | undefined,
  cessation: string | undefined,
): string | undefined {
  const parts = [
    given(effective) === undefined ? undefined : `effective ${cdcDate(effective ?? '')}`,
    given(cessation) === undefined ? undefined : `ceased ${cdcDate(cessation ?? '')}`,
  ].filter((p) => p !== undefined);
  return parts.length === 0 ? undefined : parts.join(', ');
}

/** A CDC CVX list "207; 221" as ["207", "221"]. */
export function cvxList(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[;,]/)
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

function observation(ref: RawObservationRef | undefined): string | undefined {
  const code = given(ref?.code);
  if (code === undefined) {
    return undefined;
  }
  const text = given(ref?.text);
  return text === undefined ? `observation ${code}` : `observation ${code} (${text})`;
}

/**
 * Where an interval is measured from: "previous dose", "dose 1", "most recent CVX 207, 221",
 * "observation 080 (…)".
 */
export function intervalFrom(
  i: Pick<RawInterval, 'fromPrevious' | 'fromTargetDose' | 'fromMostRecent' | 'fromRelevantObs'>,
): string {
  if (given(i.fromPrevious)?.toUpperCase() === 'Y') {
    return 'previous dose';
  }
  const target = given(i.fromTargetDose);
  if (target !== undefined) {
    return `dose ${target}`;
  }
  const recent = cvxList(i.fromMostRecent);
  if (recent.length > 0) {
    return `most recent CVX ${recent.join(', ')}`;
  }
  return observation(i.fromRelevantObs) ?? 'unspecified';
}

/** One conditional-skip condition in words (Logic Specification glossary, tables 6-6 .. 6-9). */
export function describeCondition(c: RawConditionalSkipCondition): string {
  const type = given(c.conditionType) ?? 'condition';
  const t = type.toLowerCase();
  const ages = range(c.beginAge, c.endAge);
  const dates = range(
    given(c.startDate) === undefined ? undefined : cdcDate(c.startDate ?? ''),
    given(c.endDate) === undefined ? undefined : cdcDate(c.endDate ?? ''),
  );
  if (t === 'age') {
    return `age ${ages ?? 'any'}`;
  }
  if (t === 'interval') {
    return `at least ${given(c.interval) ?? '?'} since the last valid dose`;
  }
  if (t === 'completed series') {
    return `a series of series group ${given(c.seriesGroups) ?? '?'} is complete`;
  }
  if (t.startsWith('vaccine count')) {
    const logic = given(c.doseCountLogic)?.toLowerCase() ?? 'equal to';
    const kind = given(c.doseType)?.toLowerCase() === 'valid' ? 'valid' : 'total (valid or not)';
    const of = cvxList(c.vaccineTypes);
    const parts = [
      `number of ${kind} doses`,
      of.length === 0 ? undefined : `of CVX ${of.join(', ')}`,
      ages === undefined ? undefined : `given at age ${ages}`,
      dates === undefined ? undefined : `given ${dates}`,
      `is ${logic} ${given(c.doseCount) ?? '?'}`,
    ];
    return parts.filter((p) => p !== undefined).join(' ');
  }
  const rest = [ages, dates, given(c.interval)].filter((p) => p !== undefined);
  return `${type}${rest.length === 0 ? '' : ` (${rest.join(', ')})`}`;
}

/** "Evaluation", "Forecast", "Both" → when a conditional skip applies, in words. */
export function skipContext(context: string | undefined): string {
  switch (given(context)?.toLowerCase() ?? '') {
    case 'evaluation':
      return 'when evaluating a dose given';
    case 'forecast':
      return 'when forecasting';
    case 'both':
      return 'when evaluating and when forecasting';
    default:
      return `context ${context ?? '?'}`;
  }
}

/** A whole conditional skip in one sentence (sets joined by the set logic). */
export function describeSkip(skip: RawConditionalSkip): string {
  const sets = present(skip.set).map((s) => {
    const conditions = present(s.condition).map(describeCondition);
    const logic = given(s.conditionLogic)?.toUpperCase() === 'OR' ? ' or ' : ' and ';
    const w = window(s.effectiveDate, s.cessationDate);
    const body = conditions.length > 1 ? `(${conditions.join(logic)})` : (conditions[0] ?? '?');
    return w === undefined ? body : `${body} [${w}]`;
  });
  const setLogic = given(skip.setLogic)?.toUpperCase() === 'AND' ? ' and ' : ' or ';
  return `skip ${skipContext(skip.context)} if ${sets.join(setLogic)}`;
}

/** A value as shown in a diff line. */
export function shown(value: unknown): string {
  if (value === undefined) {
    return '(absent)';
  }
  if (value === '') {
    return '(empty)';
  }
  if (typeof value === 'string') {
    return value;
  }
  return JSON.stringify(value);
}
