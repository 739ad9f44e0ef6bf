import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { antigenSlug } from '../import/import-cdsi';
import type { RawRuleSet } from '../load-rule-set';
import type {
  RawAge,
  RawAllowableVaccine,
  RawAntigenFile,
  RawCvxMap,
  RawInterval,
  RawPreferableVaccine,
  RawSeries,
  RawSeriesDose,
} from '../raw-types';
import {
  anchorOf,
  extensionOf,
  renderPage,
  type Block,
  type Cell,
  type DocFormat,
  type DocPage,
  type Inline,
} from './doc-render';
import {
  cdcDate,
  describeSkip,
  given,
  intervalFrom,
  present,
  range,
  usDate,
  window,
} from './words';

/**
 * `docs`: human-readable schedule documentation generated from the rule tables, for help-desk
 * staff who explain to clinics how the forecast is calculated. One page per vaccine group
 * (antigens, vaccines, immunity, contraindications, series, and per dose: ages, intervals,
 * vaccines, conditional skips), an index with the glossary and the live-virus conflicts, and a
 * page of the coded observations. Deterministic: the same tables give the same files.
 */

/** One generated file. */
export interface DocFile {
  readonly name: string;
  readonly content: string;
}

const GLOSSARY: readonly (readonly [string, string])[] = [
  [
    'Series',
    'a sequence of doses that protects against one antigen (disease). A patient can have several candidate series; the forecaster evaluates all that apply and selects the best one (CDSi Logic Specification chapter 8).',
  ],
  [
    'Standard / Risk / Evaluation Only',
    'a standard series applies to everyone; a risk series only to patients with one of its indications (coded observations, e.g. asplenia); an evaluation-only series is used to judge doses already given, never to recommend new ones.',
  ],
  [
    'Absolute minimum age / interval',
    'the earliest a dose can be given and still count. It is usually the minimum minus a 4-day grace period. A dose given earlier is "Not Valid" (too young / too soon).',
  ],
  [
    'Minimum age / interval',
    'the forecast\'s "earliest date" is the latest of the minimum age date and all minimum interval dates (and the end of a live-virus conflict).',
  ],
  [
    'Earliest recommended age / interval',
    'the forecast\'s "recommended date" is the earliest recommended age date; only when the dose has none, the latest of its earliest recommended interval dates (never before the earliest date). CDSi FORECASTDT-2.',
  ],
  [
    'Latest recommended age / interval',
    'the dose is overdue from the day before: the forecast\'s "past-due date" is the latest recommended age date minus one day (or, without one, the latest of the latest recommended interval dates minus one day). CDSi FORECASTDT-3.',
  ],
  [
    'Maximum age',
    'a dose given at or after this age does not count for this dose of the series, and none is recommended.',
  ],
  [
    'Preferable vaccine',
    'a vaccine the forecast recommends for the dose. Allowable vaccine: a vaccine that counts as valid if it was given, but is not recommended.',
  ],
  [
    'Conditional skip',
    'a rule that lets the dose be skipped (e.g. for older patients, or when enough doses were given) — when evaluating doses already given, when forecasting, or both.',
  ],
  [
    'Ages and intervals',
    'are written as CDC writes them, e.g. "12 months - 4 days". They are calendar arithmetic on the birth date or the previous dose: "4 years" means the 4th birthday. Ranges are "from X, before Y": the end is excluded.',
  ],
];

interface Context {
  readonly raw: RawRuleSet;
  readonly label: string;
  readonly cvx: ReadonlyMap<string, RawCvxMap>;
  readonly observations: ReadonlyMap<string, string>;
}

function p(...content: Inline[]): Block {
  return { kind: 'paragraph', content };
}

function vaccineName(ctx: Context, cvx: string | undefined, fallback?: string): string {
  const code = cvx ?? '?';
  const name = given(fallback) ?? ctx.cvx.get(code)?.shortDescription;
  return name === undefined ? `CVX ${code}` : `${name} (CVX ${code})`;
}

function observationName(ctx: Context, code: string | undefined, title?: string): Inline[] {
  const c = code ?? '?';
  const t = given(title) ?? ctx.observations.get(c);
  return [
    {
      text: `${c}${t === undefined ? '' : ` ${t}`}`,
      page: 'observations',
      fragment: `observation-${c}`,
    },
  ];
}

function ageLines(a: RawAge): string[] {
  const lines: string[] = [];
  const min = given(a.minAge);
  const abs = given(a.absMinAge);
  if (min !== undefined || abs !== undefined) {
    lines.push(
      `minimum ${min ?? 'none'}${abs === undefined || abs === min ? '' : ` (absolute minimum ${abs})`}`,
    );
  }
  const rec = [given(a.earliestRecAge), given(a.latestRecAge)];
  if (rec[0] !== undefined || rec[1] !== undefined) {
    lines.push(
      [
        rec[0] === undefined ? undefined : `earliest recommended ${rec[0]}`,
        rec[1] === undefined ? undefined : `latest recommended ${rec[1]}`,
      ]
        .filter((x) => x !== undefined)
        .join(', '),
    );
  }
  const max = given(a.maxAge);
  if (max !== undefined) {
    lines.push(`maximum ${max} (not valid from then on)`);
  }
  const w = window(a.effectiveDate, a.cessationDate);
  if (w !== undefined) {
    lines.push(`(${w})`);
  }
  return lines;
}

function intervalLine(i: RawInterval): string {
  const parts: string[] = [];
  const min = given(i.minInt);
  const abs = given(i.absMinInt);
  if (min !== undefined || abs !== undefined) {
    parts.push(
      `minimum ${min ?? 'none'}${abs === undefined || abs === min ? '' : ` (absolute minimum ${abs})`}`,
    );
  }
  if (given(i.earliestRecInt) !== undefined) {
    parts.push(`earliest recommended ${i.earliestRecInt ?? ''}`);
  }
  if (given(i.latestRecInt) !== undefined) {
    parts.push(`latest recommended ${i.latestRecInt ?? ''}`);
  }
  if (given(i.intervalPriority) !== undefined) {
    parts.push(`priority: ${i.intervalPriority ?? ''}`);
  }
  const w = window(i.effectiveDate, i.cessationDate);
  if (w !== undefined) {
    parts.push(w);
  }
  return parts.join('; ') || 'no limits';
}

function vaccineLine(ctx: Context, v: RawAllowableVaccine | RawPreferableVaccine): string {
  const r = range(v.beginAge, v.endAge);
  const extra: string[] = [];
  if ('tradeName' in v && given(v.tradeName) !== undefined) {
    extra.push(`trade name ${v.tradeName ?? ''}`);
  }
  if ('mvx' in v && given(v.mvx) !== undefined) {
    extra.push(`MVX ${v.mvx ?? ''}`);
  }
  if ('volume' in v && given(v.volume) !== undefined) {
    extra.push(`${v.volume ?? ''} mL`);
  }
  if ('forecastVaccineType' in v && given(v.forecastVaccineType)?.toUpperCase() === 'Y') {
    extra.push('named in the forecast');
  }
  return `${vaccineName(ctx, v.cvx, v.vaccineType)}${r === undefined ? '' : `, ${r}`}${extra.length === 0 ? '' : ` — ${extra.join(', ')}`}`;
}

function doseItems(ctx: Context, d: RawSeriesDose): Inline[][] {
  const items: Inline[][] = [];
  for (const a of present(d.age)) {
    items.push([{ strong: 'Age: ' }, ageLines(a).join('; ') || 'no limits']);
  }
  for (const i of present(d.interval)) {
    items.push([{ strong: `Interval from ${intervalFrom(i)}: ` }, intervalLine(i)]);
  }
  for (const i of present(d.allowableInterval)) {
    const w = window(i.effectiveDate, i.cessationDate);
    items.push([
      { strong: `Allowable interval from ${intervalFrom(i)}: ` },
      `absolute minimum ${given(i.absMinInt) ?? 'none'}${w === undefined ? '' : ` (${w})`}`,
    ]);
  }
  const preferable = present(d.preferableVaccine);
  if (preferable.length > 0) {
    items.push([
      { strong: 'Recommended vaccines: ' },
      preferable.map((v) => vaccineLine(ctx, v)).join('; '),
    ]);
  }
  const allowable = present(d.allowableVaccine);
  if (allowable.length > 0) {
    items.push([
      { strong: 'Also counted if given (allowable): ' },
      allowable.map((v) => vaccineLine(ctx, v)).join('; '),
    ]);
  }
  const inadvertent = present(d.inadvertentVaccine);
  if (inadvertent.length > 0) {
    items.push([
      { strong: 'Given by mistake (inadvertent, never valid): ' },
      inadvertent.map((v) => vaccineName(ctx, v.cvx, v.vaccineType)).join('; '),
    ]);
  }
  for (const skip of present(d.conditionalSkip)) {
    const descriptions = present(skip.set)
      .map((s) => given(s.setDescription))
      .filter((x) => x !== undefined);
    items.push([
      { strong: 'Conditional skip: ' },
      `${describeSkip(skip)}.`,
      descriptions.length === 0 ? '' : ` CDC: “${descriptions.join('” / “')}”`,
    ]);
  }
  if (given(d.recurringDose)?.toLowerCase() === 'yes') {
    items.push([
      { strong: 'Recurring: ' },
      'this dose repeats (e.g. every season or every 10 years).',
    ]);
  }
  const season = d.seasonalRecommendation;
  if (given(season?.startDate) !== undefined || given(season?.endDate) !== undefined) {
    items.push([
      { strong: 'Season: ' },
      range(cdcDate(season?.startDate ?? ''), cdcDate(season?.endDate ?? '')) ?? '',
    ]);
  }
  return items;
}

function seriesBlocks(ctx: Context, s: RawSeries): Block[] {
  const sel = s.selectSeries;
  const facts: Inline[][] = [
    [{ strong: 'Type: ' }, s.seriesType],
    [
      { strong: 'Selection: ' },
      [
        given(sel.defaultSeries)?.toLowerCase() === 'yes' ? 'default series' : undefined,
        given(sel.productPath)?.toLowerCase() === 'yes' ? 'product path' : undefined,
        `series group ${sel.seriesGroup}${given(sel.seriesGroupName) === undefined ? '' : ` (${sel.seriesGroupName})`}`,
        `priority ${sel.seriesPriority}`,
        given(sel.seriesPreference) === undefined
          ? undefined
          : `preference ${sel.seriesPreference}`,
        range(sel.minAgeToStart, sel.maxAgeToStart) === undefined
          ? undefined
          : `start ${range(sel.minAgeToStart, sel.maxAgeToStart) ?? ''}`,
      ]
        .filter((x) => x !== undefined)
        .join('; '),
    ],
  ];
  const genders = s.requiredGender.map((g) => g.trim()).filter((g) => g !== '');
  if (genders.length > 0) {
    facts.push([{ strong: 'Only for gender: ' }, genders.join(', ')]);
  }
  if (given(s.equivalentSeriesGroups) !== undefined) {
    facts.push([{ strong: 'Equivalent series groups: ' }, s.equivalentSeriesGroups]);
  }
  for (const i of present(s.indication)) {
    const r = range(i.beginAge, i.endAge);
    facts.push([
      { strong: 'Indication: ' },
      ...observationName(ctx, i.observationCode?.code, i.observationCode?.text),
      r === undefined ? '' : ` (${r})`,
      given(i.description) === undefined ? '' : ` — ${i.description ?? ''}`,
      given(i.guidance) === undefined ? '' : ` Guidance: ${i.guidance ?? ''}`,
    ]);
  }
  for (const g of s.seriesAdminGuidance.filter((x) => x.trim() !== '')) {
    facts.push([{ strong: 'Administration guidance: ' }, g]);
  }
  const blocks: Block[] = [
    { kind: 'heading', level: 4, text: s.seriesName, id: anchorOf(`series ${s.seriesName}`) },
    { kind: 'list', items: facts },
  ];
  for (const d of s.seriesDose) {
    blocks.push({
      kind: 'heading',
      level: 5,
      text: `${s.seriesName} — ${d.doseNumber}`,
      id: anchorOf(`${s.seriesName} ${d.doseNumber}`),
    });
    blocks.push({ kind: 'list', items: doseItems(ctx, d) });
  }
  return blocks;
}

function antigenBlocks(ctx: Context, a: RawAntigenFile): Block[] {
  const data = a.antigenSupportingData;
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: a.antigen, id: anchorOf(`antigen ${a.antigen}`) },
  ];

  const immunity: Inline[][] = [];
  for (const c of present(data.immunity?.clinicalHistory)) {
    immunity.push([
      'Clinical history: ',
      ...observationName(ctx, c.guidelineCode, c.guidelineTitle),
    ]);
  }
  for (const d of present(data.immunity?.dateOfBirth)) {
    const excl = present(d.exclusion).map((e) => `${e.exclusionTitle} (${e.exclusionCode})`);
    immunity.push([
      `Born before ${usDate(d.immunityBirthDate)}${given(d.birthCountry) === undefined ? '' : ` in ${d.birthCountry}`}`,
      excl.length === 0 ? '' : `, except: ${excl.join(', ')}`,
    ]);
  }
  blocks.push({
    kind: 'heading',
    level: 3,
    text: 'Evidence of immunity',
    id: anchorOf(`${a.antigen} immunity`),
  });
  blocks.push(
    immunity.length === 0
      ? p('None in the tables: only vaccination counts.')
      : { kind: 'list', items: immunity },
  );

  const rows: Cell[][] = [];
  for (const c of present(data.contraindications.vaccineGroup?.contraindication)) {
    rows.push([
      [observationName(ctx, c.observationCode, c.observationTitle)],
      [['every vaccine of the group']],
      [[range(c.beginAge, c.endAge) ?? 'any age']],
      [
        [c.contraindicationText],
        ...(given(c.contraindicationGuidance) === undefined ? [] : [[c.contraindicationGuidance]]),
      ],
    ]);
  }
  for (const c of present(data.contraindications.vaccine?.contraindication)) {
    const vaccines = present(c.contraindicatedVaccine);
    rows.push([
      [observationName(ctx, c.observationCode, c.observationTitle)],
      vaccines.map((v) => [vaccineName(ctx, v.cvx, v.vaccineType)]),
      vaccines.map((v) => [range(v.beginAge, v.endAge) ?? 'any age']),
      [
        [c.contraindicationText],
        ...(given(c.contraindicationGuidance) === undefined ? [] : [[c.contraindicationGuidance]]),
      ],
    ]);
  }
  blocks.push({
    kind: 'heading',
    level: 3,
    text: 'Contraindications',
    id: anchorOf(`${a.antigen} contraindications`),
  });
  blocks.push(
    rows.length === 0
      ? p('None in the tables.')
      : { kind: 'table', header: ['Observation', 'Vaccines', 'Ages', 'Text'], rows },
  );

  blocks.push({ kind: 'heading', level: 3, text: 'Series', id: anchorOf(`${a.antigen} series`) });
  blocks.push({
    kind: 'table',
    header: ['Series', 'Type', 'Doses', 'Series group', 'Priority', 'Default'],
    rows: data.series.map((s) => [
      [[{ text: s.seriesName, page: '', fragment: anchorOf(`series ${s.seriesName}`) }]],
      [[s.seriesType]],
      [[String(s.seriesDose.length)]],
      [[s.selectSeries.seriesGroup]],
      [[s.selectSeries.seriesPriority]],
      [[s.selectSeries.defaultSeries]],
    ]),
  });
  for (const s of data.series) {
    blocks.push(...seriesBlocks(ctx, s));
  }
  return blocks;
}

function withPage(blocks: Block[], page: string): Block[] {
  const fix = (i: Inline): Inline =>
    typeof i === 'object' && 'page' in i && i.page === '' ? { ...i, page } : i;
  return blocks.map((b) => {
    switch (b.kind) {
      case 'paragraph':
      case 'note':
        return { ...b, content: b.content.map(fix) };
      case 'list':
        return { ...b, items: b.items.map((x) => x.map(fix)) };
      case 'table':
        return { ...b, rows: b.rows.map((r) => r.map((c) => c.map((l) => l.map(fix)))) };
      case 'heading':
        return b;
    }
  });
}

function provenance(ctx: Context): Block {
  const m = ctx.raw.manifest;
  return {
    kind: 'note',
    content: [
      `Generated from the rule tables ${ctx.label} (${m.source.publisher} supporting data ${m.source.supportingDataVersion}, released ${m.source.releaseDate}, for the CDSi Logic Specification ${m.source.logicSpecVersion}${m.derivedFrom === undefined ? '' : `; a local variant of ${m.derivedFrom}${m.description === undefined ? '' : `: ${m.description}`}`}) by "cdsi-rules docs". Do not edit: regenerate.`,
    ],
  };
}

function groupPage(
  ctx: Context,
  name: string,
  page: string,
  full: string | undefined,
  antigens: readonly RawAntigenFile[],
): DocPage {
  const names = antigens.map((a) => a.antigen);
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: name },
    provenance(ctx),
    p({ text: '← all vaccine groups', page: 'index' }),
    p(
      { strong: 'Antigens: ' },
      ...names.flatMap((n, i): Inline[] => [
        ...(i === 0 ? [] : [', ']),
        { text: n, page, fragment: anchorOf(`antigen ${n}`) },
      ]),
      '.',
    ),
  ];
  if (full !== undefined) {
    blocks.push(
      p(
        { strong: 'Administer full vaccine group: ' },
        full.toLowerCase() === 'yes'
          ? 'Yes — the group is forecast as a whole: when any of its antigens needs a dose, a vaccine containing all of them is recommended.'
          : 'No — each antigen is forecast on its own; the group forecast follows the antigen that needs a dose first.',
      ),
    );
  }
  const cvx = [...ctx.cvx.values()].filter((m) =>
    m.association.some((x) => names.includes(x.antigen)),
  );
  blocks.push({ kind: 'heading', level: 2, text: 'Vaccines (CVX)', id: 'vaccines' });
  blocks.push({
    kind: 'table',
    header: ['CVX', 'Vaccine', 'Counts for'],
    rows: cvx.map((m) => [
      [[m.cvx]],
      [[m.shortDescription]],
      m.association.map((x) => [
        `${x.antigen}${range(x.associationBeginAge, x.associationEndAge) === undefined ? '' : ` (${range(x.associationBeginAge, x.associationEndAge) ?? ''})`}`,
      ]),
    ]),
  });
  for (const a of antigens) {
    blocks.push(...antigenBlocks(ctx, a));
  }
  return { name: page, title: `${name} — ${ctx.label}`, blocks: withPage(blocks, page) };
}

function observationsPage(ctx: Context): DocPage {
  const obs = ctx.raw.schedule.scheduleSupportingData.observations.observation ?? [];
  return {
    name: 'observations',
    title: `Coded observations — ${ctx.label}`,
    blocks: [
      { kind: 'heading', level: 1, text: 'Coded observations' },
      provenance(ctx),
      p({ text: '← all vaccine groups', page: 'index' }),
      p(
        'Conditions, risks and history items the forecaster understands (CDSi observation codes). They select risk series (indications), block vaccines (contraindications) or prove immunity.',
      ),
      ...obs.flatMap((o): Block[] => [
        {
          kind: 'heading',
          level: 3,
          text: `${o.observationCode} ${o.observationTitle}`,
          id: `observation-${o.observationCode}`,
        },
        {
          kind: 'list',
          items: [
            [{ strong: 'Group: ' }, o.group],
            ...(given(o.indicationText) === undefined
              ? []
              : [[{ strong: 'Indication: ' }, o.indicationText]]),
            ...(given(o.contraindicationText) === undefined
              ? []
              : [[{ strong: 'Contraindication: ' }, o.contraindicationText]]),
            ...(given(o.clarifyingText) === undefined
              ? []
              : [[{ strong: 'Note: ' }, o.clarifyingText]]),
            ...o.codedValues
              .flatMap((c) => c.codedValue ?? [])
              .map((c): Inline[] => [{ strong: `${c.codeSystem} ${c.code}: ` }, c.text]),
          ],
        },
      ]),
    ],
  };
}

/**
 * Builds the documentation pages of a rule set.
 *
 * @param raw - The rule set's tables.
 * @param label - `ruleSetId@version`, shown on every page.
 * @returns `index`, one page per vaccine group, and `observations`.
 */
export function buildScheduleDocs(raw: RawRuleSet, label: string): DocPage[] {
  const schedule = raw.schedule.scheduleSupportingData;
  const ctx: Context = {
    raw,
    label,
    cvx: new Map((schedule.cvxToAntigenMap.cvxMap ?? []).map((m) => [m.cvx, m])),
    observations: new Map(
      (schedule.observations.observation ?? []).map((o) => [o.observationCode, o.observationTitle]),
    ),
  };
  const byAntigen = new Map(raw.antigens.map((a) => [a.antigen, a]));
  const full = new Map(
    (schedule.vaccineGroups.vaccineGroup ?? []).map((g) => [g.name, g.administerFullVaccineGroup]),
  );
  const pages: DocPage[] = [];
  const taken = new Set(['index', 'observations']);
  const pageName = (name: string): string => {
    const base = antigenSlug(name) || 'group';
    let n = base;
    for (let i = 2; taken.has(n); i++) {
      n = `${base}-${i}`;
    }
    taken.add(n);
    return n;
  };
  const rows: Cell[][] = [];
  const groups = (schedule.vaccineGroupToAntigenMap.vaccineGroupMap ?? []).map((m) => ({
    name: m.name,
    antigens: (m.antigen ?? []).flatMap((x) => byAntigen.get(x) ?? []),
  }));
  const orphans = raw.antigens.filter((a) => !groups.some((g) => g.antigens.includes(a)));
  if (orphans.length > 0) {
    groups.push({ name: 'Antigens in no vaccine group', antigens: orphans });
  }
  for (const g of groups) {
    const page = pageName(g.name);
    pages.push(groupPage(ctx, g.name, page, full.get(g.name), g.antigens));
    rows.push([
      [[{ text: g.name, page }]],
      [[g.antigens.map((a) => a.antigen).join(', ')]],
      [[String(g.antigens.reduce((n, a) => n + a.antigenSupportingData.series.length, 0))]],
    ]);
  }

  const conflicts = schedule.liveVirusConflicts.liveVirusConflict ?? [];
  const index: DocPage = {
    name: 'index',
    title: `Immunization schedule — ${label}`,
    blocks: [
      { kind: 'heading', level: 1, text: `Immunization schedule — ${label}` },
      provenance(ctx),
      p(
        'How the forecaster evaluates the doses a patient received and forecasts the next ones, vaccine group by vaccine group, exactly as the rule tables say. The logic that applies these tables is the CDC CDSi Logic Specification.',
      ),
      { kind: 'heading', level: 2, text: 'Vaccine groups' },
      { kind: 'table', header: ['Vaccine group', 'Antigens', 'Series'], rows },
      p(
        { text: 'Coded observations', page: 'observations' },
        ' (conditions, risks, contraindications).',
      ),
      { kind: 'heading', level: 2, text: 'How to read these pages' },
      { kind: 'list', items: GLOSSARY.map(([term, text]) => [{ strong: `${term}: ` }, text]) },
      { kind: 'heading', level: 2, text: 'Live-virus conflicts' },
      p(
        'Two live vaccines not given on the same day must be spaced: a dose of the second vaccine given in the conflict window after the first is not valid. The window ends at the minimum end when the first dose was valid (or not yet evaluated), otherwise at the (later) end (CDSi CALCDTCONFLICT-1/2).',
      ),
      {
        kind: 'table',
        header: [
          'First vaccine',
          'Then',
          'Not valid from',
          'until, first dose valid',
          'until, otherwise',
        ],
        rows: conflicts.map((c) => [
          [[vaccineName(ctx, c.previous.cvx, c.previous.vaccineType)]],
          [[vaccineName(ctx, c.current.cvx, c.current.vaccineType)]],
          [[c.conflictBeginInterval]],
          [[c.minConflictEndInterval]],
          [[c.conflictEndInterval]],
        ]),
      },
    ],
  };
  return [index, ...pages, observationsPage(ctx)];
}

/**
 * Renders pages and writes them into a folder (created if needed).
 *
 * @param pages - From {@link buildScheduleDocs}.
 * @param outDir - The output folder.
 * @param format - Markdown or HTML.
 * @returns The files written (names relative to `outDir`).
 */
export function writeDocs(pages: readonly DocPage[], outDir: string, format: DocFormat): DocFile[] {
  mkdirSync(outDir, { recursive: true });
  return pages.map((page) => {
    const name = `${page.name}.${extensionOf(format)}`;
    const content = renderPage(page, format);
    writeFileSync(join(outDir, name), content);
    return { name, content };
  });
}
