// @ts-check
/**
 * The forecast as the page shows (and prints) it: a header with the rule set and patient, the
 * vaccine groups with status and dates, the doses in date order with each one's evaluation and
 * reasons, and the service's notes about the input.
 */
import { ageText } from './dates.js';
import { h, time } from './dom.js';
import { statusOf } from './fhir.js';

/** @typedef {import('./fhir.js').ForecastView} ForecastView */
/** @typedef {import('./fhir.js').GroupView} GroupView */
/** @typedef {import('./fhir.js').StatusKey} StatusKey */

/**
 * @typedef {object} RenderContext
 * @property {'form' | 'paste' | 'link'} source
 * @property {{ birthDate?: string, gender?: string }} patient
 * @property {{ id: string, date: string | undefined, vaccine: string }[]} doses as sent, in order
 * @property {string[]} inputNotes what the page added or left out
 * @property {string} [request] the request JSON
 * @property {string} [answer] the answer JSON
 */

/** Order of the groups in the table: what needs action first. */
const ORDER = /** @type {const} */ ([
  'overdue',
  'due',
  'early',
  'later',
  'contraindicated',
  'immune',
  'complete',
  'aged-out',
  'unknown',
]);

/**
 * @param {StatusKey} key
 * @param {string} label
 */
const badge = (key, label) => h('span', { class: `badge status-${key}` }, label);

/** @param {string} status a CDSi dose status */
function evaluationBadge(status) {
  const key = status === 'Valid' ? 'valid' : status === 'Extraneous' ? 'extraneous' : 'notvalid';
  return h('span', { class: `badge eval-${key}` }, status === '' ? 'Unknown' : status);
}

/**
 * @param {string[]} items
 * @returns {HTMLElement | string}
 */
function lines(items) {
  const distinct = items.filter((t, i) => t !== '' && items.indexOf(t) === i);
  if (distinct.length === 0) {
    return '';
  }
  return distinct.length === 1
    ? h('span', {}, distinct[0])
    : h('ul', { class: 'plain' }, ...distinct.map((t) => h('li', {}, t)));
}

/**
 * @param {ForecastView} view
 * @param {RenderContext} ctx
 */
function header(view, ctx) {
  const { birthDate, gender } = ctx.patient;
  const age =
    birthDate !== undefined && view.assessmentDate !== undefined
      ? ageText(birthDate, view.assessmentDate)
      : '';
  /** @type {[string, import('./dom.js').Child][]} */
  const facts = [
    ['Assessment date', time(view.assessmentDate)],
    ['Rule set', view.ruleSet ?? 'not stated'],
  ];
  if (birthDate !== undefined) {
    facts.push(['Birth date', h('span', {}, time(birthDate), age === '' ? '' : ` (age ${age})`)]);
  }
  if (gender !== undefined) {
    facts.push(['Gender', gender]);
  }
  return h(
    'div',
    { class: 'result-head' },
    h(
      'dl',
      { class: 'facts' },
      ...facts.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))),
    ),
    h(
      'div',
      { class: 'no-print' },
      h(
        'button',
        { type: 'button', class: 'secondary', 'data-action': 'print' },
        'Print for the clinic',
      ),
    ),
  );
}

/**
 * @param {GroupView[]} groups
 * @param {string | undefined} on
 */
function summary(groups, on) {
  /** @type {Map<StatusKey, number>} */
  const counts = new Map();
  for (const g of groups) {
    const { key } = statusOf(g.status, g.dates, on);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  /** @type {[StatusKey, string][]} */
  const words = [
    ['overdue', 'overdue'],
    ['due', 'due'],
    ['early', 'can be given early'],
    ['contraindicated', 'contraindicated'],
  ];
  const parts = words.flatMap(([key, word]) => {
    const n = counts.get(key) ?? 0;
    return n === 0 ? [] : [`${n} ${word}`];
  });
  return h(
    'p',
    { class: 'summary' },
    parts.length === 0
      ? 'Nothing is due on the assessment date.'
      : `Vaccine groups: ${parts.join(', ')}.`,
  );
}

/**
 * @param {ForecastView} view
 */
function groupTable(view) {
  const rows = view.groups
    .map((g) => ({ g, s: statusOf(g.status, g.dates, view.assessmentDate) }))
    .filter(({ s }) => s.key !== 'not-recommended')
    .sort(
      (a, b) =>
        ORDER.indexOf(/** @type {never} */ (a.s.key)) -
        ORDER.indexOf(/** @type {never} */ (b.s.key)),
    );
  const notRecommended = view.groups
    .filter((g) => g.status === 'Not Recommended')
    .map((g) => g.name);
  const table = h(
    'table',
    { class: 'data groups' },
    h('caption', { class: 'visually-hidden' }, 'Vaccine groups: status and next dose'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...[
          'Vaccine group',
          'Status',
          'Next dose',
          'Earliest',
          'Recommended',
          'Past due',
          'Vaccines to give',
          'Notes',
        ].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map(({ g, s }) =>
        h(
          'tr',
          { class: `row-${s.key}` },
          h('th', { scope: 'row' }, g.name),
          h('td', {}, badge(s.key, s.label)),
          h('td', { class: 'num' }, g.doseNumber === undefined ? '–' : `Dose ${g.doseNumber}`),
          h('td', {}, time(g.dates.earliest)),
          h('td', {}, time(g.dates.recommended)),
          h('td', {}, time(g.dates.pastDue)),
          h(
            'td',
            {},
            lines(
              g.vaccines.map((v) =>
                v.display === '' ? `CVX ${v.code}` : `${v.display} (CVX ${v.code})`,
              ),
            ),
          ),
          h('td', {}, lines(g.reasons)),
        ),
      ),
    ),
  );
  return h(
    'div',
    {},
    h('div', { class: 'table-scroll' }, table),
    notRecommended.length === 0
      ? null
      : h(
          'p',
          { class: 'help' },
          `Not recommended for this patient: ${notRecommended.join(', ')}.`,
        ),
  );
}

/**
 * @param {ForecastView} view
 * @param {RenderContext} ctx
 */
function timeline(view, ctx) {
  const evaluations = new Map(view.evaluations.map((e) => [e.id, e]));
  const unused = new Map(
    view.notes.flatMap((n) => {
      const m = /^Immunization\/(\S+) was not evaluated: (.*)$/.exec(n.text);
      return m === null ? [] : [[m[1] ?? '', m[2] ?? '']];
    }),
  );
  const doses = [...ctx.doses].sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''));
  const bodies = doses.map((dose) => {
    const groups = view.groups.flatMap((g) => {
      const d = g.doses.find((x) => x.dose === dose.id);
      return d === undefined ? [] : [{ g, d }];
    });
    const age =
      ctx.patient.birthDate !== undefined && dose.date !== undefined
        ? ageText(ctx.patient.birthDate, dose.date)
        : '';
    const n = Math.max(groups.length, 1);
    const lead = [
      h('th', { scope: 'rowgroup', rowspan: n }, time(dose.date)),
      h('td', { rowspan: n }, age),
      h('td', { rowspan: n, class: 'vaccine' }, dose.vaccine),
    ];
    if (groups.length === 0) {
      return h(
        'tbody',
        {},
        h(
          'tr',
          {},
          ...lead,
          h('td', {}, '–'),
          h('td', {}, h('span', { class: 'badge eval-notvalid' }, 'Not evaluated')),
          h(
            'td',
            {},
            unused.get(dose.id) ?? 'The service did not evaluate this dose (see the notes below).',
          ),
        ),
      );
    }
    return h(
      'tbody',
      {},
      ...groups.map(({ g, d }, i) => {
        const antigens = g.evaluations
          .map((id) => evaluations.get(id))
          .filter((e) => e !== undefined && e.dose === dose.id);
        return h(
          'tr',
          {},
          ...(i === 0 ? lead : []),
          h('td', {}, g.name),
          h(
            'td',
            {},
            evaluationBadge(d.status),
            antigens.length === 0
              ? null
              : h(
                  'ul',
                  { class: 'antigens' },
                  ...antigens.map((e) =>
                    h(
                      'li',
                      {},
                      `${e?.antigen ?? ''}: ${e?.status ?? ''}`,
                      e?.doseNumber === undefined ? '' : ` · dose ${e.doseNumber}`,
                      e?.series === undefined ? '' : ` · ${e.series}`,
                    ),
                  ),
                ),
          ),
          h(
            'td',
            { class: 'why' },
            lines([...d.reasons, ...antigens.flatMap((e) => e?.reasons ?? [])]),
          ),
        );
      }),
    );
  });
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data timeline' },
      h(
        'caption',
        { class: 'visually-hidden' },
        'Doses given, in date order, and how each was evaluated',
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Date given', 'Age', 'Vaccine', 'Vaccine group', 'Evaluation', 'Why'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      ...bodies,
    ),
  );
}

/**
 * @param {ForecastView} view
 * @param {RenderContext} ctx
 */
function notes(view, ctx) {
  const items = [
    ...ctx.inputNotes.map((t) => ({ severity: 'page', text: t, where: undefined })),
    ...view.notes,
  ];
  if (items.length === 0) {
    return null;
  }
  return h(
    'section',
    { class: 'notes', 'aria-labelledby': 'notes-h' },
    h('h3', { id: 'notes-h' }, 'Notes about the input'),
    h(
      'ul',
      {},
      ...items.map((n) =>
        h(
          'li',
          { class: `note-${n.severity}` },
          h(
            'span',
            { class: 'note-kind' },
            n.severity === 'page' ? 'Page' : n.severity === 'warning' ? 'Warning' : 'Info',
          ),
          ' ',
          n.text,
          n.where === undefined ? '' : h('span', { class: 'where' }, ` (${n.where})`),
        ),
      ),
    ),
  );
}

/**
 * The whole forecast.
 *
 * @param {ForecastView} view
 * @param {RenderContext} ctx
 * @returns {HTMLElement}
 */
export function renderForecast(view, ctx) {
  return h(
    'article',
    { class: 'forecast' },
    h('p', { class: 'print-only print-title' }, 'Immunization forecast'),
    ctx.source === 'link'
      ? h(
          'p',
          { class: 'notice' },
          'This forecast came with a link from the clinical system. The link carries only the vaccine groups, not the patient or the doses, and it was read in this browser without being sent anywhere. To see how each dose was evaluated, enter the history or paste it.',
        )
      : null,
    header(view, ctx),
    summary(view.groups, view.assessmentDate),
    h('h3', {}, 'Vaccine groups'),
    groupTable(view),
    ctx.source === 'link'
      ? null
      : h(
          'div',
          {},
          h('h3', {}, 'Doses given'),
          ctx.doses.length === 0 ? h('p', {}, 'No doses were given.') : timeline(view, ctx),
        ),
    notes(view, ctx),
    ctx.request === undefined
      ? null
      : h(
          'details',
          { class: 'raw no-print' },
          h('summary', {}, 'FHIR request and answer'),
          h('h4', {}, 'Request'),
          h('pre', {}, ctx.request),
          h('h4', {}, 'Answer'),
          h('pre', {}, ctx.answer ?? ''),
        ),
  );
}
