/**
 * Forecast results → CDS Hooks cards (CDS Hooks 2.0.1 §Card).
 *
 * - One card for the whole patient at `patient-view`: `summary` < 140 characters naming the due
 *   vaccine groups; indicator `warning` when one is overdue, `info` when due; **no card** when
 *   nothing is due (up to date, or only "may be given early").
 * - "Due" on a card means the recommended date has been reached; "overdue" that the past-due
 *   date has. (The FHIR output's base `due` status starts at the earliest date, as R4 has no
 *   "not yet due"; a card interrupts a clinician, so it waits for the recommended date. A
 *   group that may be given early is listed in the detail, not in the summary.)
 * - `detail` is GitHub-flavoured markdown: one table per due vaccine group (dose, earliest,
 *   recommended, past due, reason).
 * - `source.label` names the service and the rule set (`cdc-cdsi@4.64`).
 * - Suggestions: one draft MedicationRequest per due group (`selectionBehavior: any`, as each
 *   can be chosen on its own).
 * - A link to the human-readable explanation, see {@link explanationUrl}.
 * - Season caveats (`engine/season-coverage.ts`): when a group's forecast stopped at a season end
 *   because the rule set has no season covering today, the detail says so first; when nothing
 *   else is due, a `warning` card carries the caveat alone (no card would read as "up to date").
 *
 * @packageDocumentation
 */
import type { MedicationRequest } from 'fhir/r4';
import type { CalendarDate } from '../calendar';
import { canonicalCvx, type RuleSet } from '../engine/rule-set';
import type { ForecastResult, VaccineGroupResult } from '../engine/model';
import type { SeasonCaveat } from '../engine/season-coverage';
import { SYSTEM } from '../fhir/codes';
import type { CdsCard, CdsCoding, CdsSource, CdsSuggestion } from './types';

/** Longest summary we send: the spec wants fewer than 140 characters. */
export const MAX_SUMMARY = 139;

/** What the card builders need besides the forecast. */
export interface CardContext {
  /** Absolute public base URL of the service (no trailing slash), for links. */
  readonly publicBaseUrl: string;
  /** `context.patientId`, for the subject of draft orders. */
  readonly patientId: string;
  readonly ruleSet: RuleSet;
  /** New random ids (UUIDs) for cards and suggestions. */
  newId(): string;
}

/** Where a vaccine group's next dose stands on the assessment date. */
export type Timing = 'overdue' | 'due' | 'early' | 'not-yet';

/** A vaccine group with a dose to give. */
export interface DueGroup {
  readonly group: VaccineGroupResult;
  readonly timing: Timing;
}

/**
 * The timing of a group's next dose, or undefined when no dose is to be given.
 *
 * @param group - A vaccine-group result.
 * @param today - The assessment date.
 */
export function timingOf(group: VaccineGroupResult, today: CalendarDate): Timing | undefined {
  const f = group.forecast;
  if (group.status !== 'Not Complete' || f === undefined) {
    return undefined;
  }
  if (f.pastDueDate !== undefined && today.isOnOrAfter(f.pastDueDate)) {
    return 'overdue';
  }
  if (today.isOnOrAfter(f.recommendedDate)) {
    return 'due';
  }
  return today.isOnOrAfter(f.earliestDate) ? 'early' : 'not-yet';
}

/**
 * The summary line: "4 vaccines due today, 1 overdue: DTaP/Tdap/Td, Polio, MMR, Varicella",
 * shortened with "and N more" to stay under 140 characters.
 *
 * @param due - The due and overdue groups, overdue first.
 */
export function forecastSummary(due: readonly DueGroup[]): string {
  const overdue = due.filter((d) => d.timing === 'overdue').length;
  const head =
    `${due.length} ${due.length === 1 ? 'vaccine' : 'vaccines'} due today` +
    (overdue > 0 ? `, ${overdue} overdue` : '');
  const names = due.map((d) => d.group.vaccineGroup);
  for (let shown = names.length; shown >= 1; shown--) {
    const rest = names.length - shown;
    const text = `${head}: ${names.slice(0, shown).join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`;
    if (text.length <= MAX_SUMMARY) {
      return text;
    }
  }
  return head.slice(0, MAX_SUMMARY);
}

/** Escapes text for a GFM table cell (pipes, line breaks, markdown and HTML specials). */
export function cell(text: string): string {
  return text
    .replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ')
    .trim();
}

const TIMING_WORDS: Readonly<Record<Timing, string>> = {
  overdue: 'overdue',
  due: 'due',
  early: 'may be given now (before the recommended date)',
  'not-yet': 'not yet due',
};

/**
 * The markdown table of one vaccine group.
 *
 * @param group - The group.
 * @param timing - Where its next dose stands.
 */
export function groupTable(group: VaccineGroupResult, timing: Timing): string {
  const f = group.forecast;
  const reasons = [...group.reasons, ...group.antigens.flatMap((a) => a.reasons)]
    .map((r) => r.text)
    .filter((t, i, all) => all.indexOf(t) === i);
  const lines = [
    `#### ${cell(group.vaccineGroup)}: ${TIMING_WORDS[timing]}`,
    '',
    '| Dose | Earliest | Recommended | Past due | Reason |',
    '| --- | --- | --- | --- | --- |',
    `| ${f?.doseNumber ?? '-'} | ${f?.earliestDate.toString() ?? '-'} | ${f?.recommendedDate.toString() ?? '-'} | ${f?.pastDueDate?.toString() ?? '-'} | ${reasons.length > 0 ? cell(reasons.join('; ')) : cell(group.status)} |`,
  ];
  return lines.join('\n');
}

/** A vaccine's display name from the rule set's CVX table. */
function vaccineName(ruleSet: RuleSet, cvx: string): string {
  return ruleSet.vaccineTypes.get(canonicalCvx(cvx))?.shortDescription ?? `CVX ${cvx}`;
}

/**
 * The draft order suggested for a due group: a MedicationRequest (status draft, intent
 * proposal) for the first vaccine the forecast recommends.
 */
function orderSuggestion(d: DueGroup, ctx: CardContext): CdsSuggestion | undefined {
  const f = d.group.forecast;
  const cvx = f?.recommendedVaccines[0];
  if (f === undefined || cvx === undefined) {
    return undefined;
  }
  const name = vaccineName(ctx.ruleSet, cvx);
  const resource: MedicationRequest = {
    resourceType: 'MedicationRequest',
    status: 'draft',
    intent: 'proposal',
    medicationCodeableConcept: { coding: [{ system: SYSTEM.cvx, code: cvx, display: name }] },
    subject: { reference: `Patient/${ctx.patientId}` },
    note: [{ text: `${d.group.vaccineGroup} dose ${f.doseNumber} (${ctx.ruleSet.id})` }],
  };
  return {
    label: `Order ${d.group.vaccineGroup} dose ${f.doseNumber}: ${name}`.slice(0, 200),
    uuid: ctx.newId(),
    actions: [
      {
        type: 'create',
        description: `Draft order for ${name} (CVX ${cvx})`,
        resource,
      },
    ],
  };
}

/**
 * The compact forecast carried in the explanation link's fragment (`#forecast=`, base64url of
 * this JSON). Version 1. No patient identifiers, names or birth date: only the rule set, the
 * assessment date and per group (those not "Not Recommended", to keep the URL short) its status
 * and dates. A URL fragment is never sent to a server,
 * so it reaches no server log (ours or a proxy's); the explorer page reads it in the browser.
 */
export interface ExplanationFragment {
  readonly v: 1;
  /** Rule set, `ruleSetId@version`. */
  readonly rs: string;
  /** Assessment date. */
  readonly d: string;
  /** Groups: name, CDSi status, and for a forecast dose number, earliest, recommended, past due. */
  readonly g: readonly (readonly (string | number)[])[];
}

/**
 * The absolute URL of the human-readable explanation: the forecast explorer page (`GET /`) with
 * the forecast in the fragment, `${publicBaseUrl}/#forecast=<base64url JSON>`.
 *
 * @param result - The forecast.
 * @param publicBaseUrl - The service's public base URL (no trailing slash).
 */
export function explanationUrl(result: ForecastResult, publicBaseUrl: string): string {
  const fragment: ExplanationFragment = {
    v: 1,
    rs: result.ruleSet,
    d: result.assessmentDate.toString(),
    g: result.vaccineGroups
      .filter((g) => g.status !== 'Not Recommended')
      .map((g) => {
        const f = g.forecast;
        return f === undefined
          ? [g.vaccineGroup, g.status]
          : [
              g.vaccineGroup,
              g.status,
              f.doseNumber,
              f.earliestDate.toString(),
              f.recommendedDate.toString(),
              ...(f.pastDueDate === undefined ? [] : [f.pastDueDate.toString()]),
            ];
      }),
  };
  return `${publicBaseUrl}/#forecast=${base64url(JSON.stringify(fragment))}`;
}

/** base64url (RFC 4648 §5) of UTF-8 text, without padding; no Node Buffer needed. */
export function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) {
    binary += String.fromCharCode(b);
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Card `source` of a service. */
export function sourceOf(service: string, ruleSet: RuleSet, publicBaseUrl: string): CdsSource {
  return { label: `${service} (${ruleSet.id})`, url: `${publicBaseUrl}/` };
}

/**
 * The forecast card of `patient-view`, or none when no vaccine is due.
 *
 * @param result - The forecast for today.
 * @param ctx - Link base, patient id, rule set, id generator.
 * @param notes - Lines to add to the detail (data left out, data missing), no patient data.
 * @param caveats - Groups whose season has run out in the rule set (`seasonCaveats`).
 */
export function forecastCard(
  result: ForecastResult,
  ctx: CardContext,
  notes: readonly string[] = [],
  caveats: readonly SeasonCaveat[] = [],
): CdsCard | undefined {
  const timed = result.vaccineGroups.flatMap((group) => {
    const timing = timingOf(group, result.assessmentDate);
    return timing === undefined ? [] : [{ group, timing }];
  });
  const due = [
    ...timed.filter((d) => d.timing === 'overdue'),
    ...timed.filter((d) => d.timing === 'due'),
  ];
  if (due.length === 0 && caveats.length === 0) {
    return undefined;
  }
  const early = timed.filter((d) => d.timing === 'early');
  const detail = [
    `Immunization forecast for ${result.assessmentDate.toString()} by the CDC CDSi logic, rule set ${result.ruleSet}.`,
    ...(caveats.length > 0
      ? ['#### Season data out of date', ...caveats.map((c) => `- ${cell(c.text)}`)]
      : []),
    ...due.map((d) => groupTable(d.group, d.timing)),
    ...(early.length > 0
      ? ['#### May be given early', ...early.map((d) => groupTable(d.group, d.timing))]
      : []),
    ...(notes.length > 0 ? ['#### Notes', ...notes.map((n) => `- ${n}`)] : []),
  ].join('\n\n');
  const suggestions = due.flatMap((d) => orderSuggestion(d, ctx) ?? []);
  return {
    uuid: ctx.newId(),
    summary: due.length > 0 ? forecastSummary(due) : seasonSummary(caveats, result.ruleSet),
    detail,
    indicator: due.length === 0 || due.some((d) => d.timing === 'overdue') ? 'warning' : 'info',
    source: sourceOf('CDSi immunization forecast', ctx.ruleSet, ctx.publicBaseUrl),
    ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'any' as const } : {}),
    links: [
      {
        label: 'Explain this forecast',
        url: explanationUrl(result, ctx.publicBaseUrl),
        type: 'absolute',
      },
    ],
  };
}

/**
 * The summary of a card that carries only season caveats: "Influenza, RSV not forecast: rule set
 * cdc-cdsi@4.64 has no season covering today".
 */
function seasonSummary(caveats: readonly SeasonCaveat[], ruleSet: string): string {
  const text = `${caveats.map((c) => c.vaccineGroup).join(', ')} not forecast: rule set ${ruleSet} has no season covering today`;
  return text.length <= MAX_SUMMARY
    ? text
    : `${caveats.length} vaccine groups not forecast: rule set ${ruleSet} has no season covering today`.slice(
        0,
        MAX_SUMMARY,
      );
}

/** Why an ordered dose would not count. */
export type OrderProblem =
  | 'too-young'
  | 'too-soon'
  | 'live-virus-conflict'
  | 'series-complete'
  | 'immune'
  | 'contraindicated'
  | 'not-valid'
  | 'not-for-age';

/** The override reasons offered on an order warning (CDS Hooks Codings, `display` required). */
export const OVERRIDE_REASONS: readonly CdsCoding[] = [
  {
    system: 'https://cdsi-forecaster.example.org/fhir/CodeSystem/cds-override-reason',
    code: 'history-incomplete',
    display: 'Immunization history in the record is incomplete or wrong',
  },
  {
    system: 'https://cdsi-forecaster.example.org/fhir/CodeSystem/cds-override-reason',
    code: 'accelerated-schedule',
    display: 'Accelerated schedule (outbreak, travel, or public-health guidance)',
  },
  {
    system: 'https://cdsi-forecaster.example.org/fhir/CodeSystem/cds-override-reason',
    code: 'will-repeat',
    display: 'Dose given knowing it will not count; a valid dose is planned',
  },
  {
    system: 'https://cdsi-forecaster.example.org/fhir/CodeSystem/cds-override-reason',
    code: 'clinical-judgement',
    display: 'Clinical judgement (reason documented in the chart)',
  },
];

/** One problem of one ordered vaccine, in words. */
export interface OrderFinding {
  /** `Type/id` of the draft order, when it has an id. */
  readonly orderRef: string | undefined;
  /** Display name of the vaccine ordered. */
  readonly vaccine: string;
  readonly vaccineGroup: string;
  readonly problem: OrderProblem;
  /** Earliest date a dose would count, when the forecast gives one. */
  readonly earliest?: CalendarDate;
  /** The CDSi reason texts behind the finding. */
  readonly reasons: readonly string[];
}

const PROBLEM_WORDS: Readonly<Record<OrderProblem, string>> = {
  'too-young': 'patient is younger than the minimum age',
  'too-soon': 'too soon after the previous dose (minimum interval)',
  'live-virus-conflict': 'within the live-virus conflict window of another live vaccine',
  'series-complete': 'series already complete',
  immune: 'patient has evidence of immunity',
  contraindicated: 'patient has a contraindication',
  'not-valid': 'dose would not be valid',
  'not-for-age': 'vaccine counts for no antigen at this age',
};

/**
 * The warning card of one ordered vaccine that would not count: one line says why; the detail
 * gives the CDSi reasons and the earliest date a dose would count; override reasons are
 * offered; the suggestion removes the draft order when it has an id.
 *
 * @param finding - What is wrong with the order.
 * @param ctx - Link base, rule set, id generator.
 */
export function orderWarningCard(finding: OrderFinding, ctx: CardContext): CdsCard {
  const why = PROBLEM_WORDS[finding.problem];
  const when = finding.earliest === undefined ? '' : `; counts from ${finding.earliest.toString()}`;
  let summary = `${finding.vaccineGroup} dose would not count: ${why}${when}`;
  if (summary.length > MAX_SUMMARY) {
    summary = `${finding.vaccineGroup} dose would not count: ${why}`.slice(0, MAX_SUMMARY);
  }
  const detail = [
    `**${cell(finding.vaccine)}** would not count towards the ${cell(finding.vaccineGroup)} series today: ${why}.`,
    ...(finding.earliest === undefined
      ? []
      : [`The earliest date a dose would count is ${finding.earliest.toString()}.`]),
    ...(finding.reasons.length > 0
      ? [`CDSi reasons: ${finding.reasons.map(cell).join('; ')}.`]
      : []),
    `Rule set ${ctx.ruleSet.id}.`,
  ].join('\n\n');
  const suggestions: CdsSuggestion[] =
    finding.orderRef === undefined
      ? []
      : [
          {
            label: `Remove the ${finding.vaccineGroup} order`,
            uuid: ctx.newId(),
            actions: [
              {
                type: 'delete',
                description: `Remove the draft order ${finding.orderRef}`,
                resourceId: finding.orderRef,
              },
            ],
          },
        ];
  return {
    uuid: ctx.newId(),
    summary,
    detail,
    indicator: 'warning',
    source: sourceOf('CDSi vaccine order check', ctx.ruleSet, ctx.publicBaseUrl),
    ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'at-most-one' as const } : {}),
    overrideReasons: OVERRIDE_REASONS,
  };
}

/**
 * The card shown when no forecast can be made from the patient record (e.g. no full birth
 * date): a clinician must not read "no card" as "up to date".
 *
 * @param problems - What is wrong, in words (from the mapping; no patient data).
 * @param ctx - Rule set, link base, id generator.
 */
export function unavailableCard(problems: readonly string[], ctx: CardContext): CdsCard {
  return {
    uuid: ctx.newId(),
    summary: 'No immunization forecast: the patient record cannot be evaluated',
    detail: ['The forecast needs:', ...problems.map((p) => `- ${p}`)].join('\n'),
    indicator: 'info',
    source: sourceOf('CDSi immunization forecast', ctx.ruleSet, ctx.publicBaseUrl),
  };
}
