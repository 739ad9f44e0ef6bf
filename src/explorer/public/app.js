// @ts-check
/**
 * The forecast explorer page: wires the form, the paste box, the examples and the link fragment
 * to the service's `POST /fhir/$immds-forecast`, and shows the answer.
 */
import { combobox } from './combobox.js';
import { isIsoDate, todayIso } from './dates.js';
import { byId, h } from './dom.js';
import { EXAMPLES } from './examples.js';
import {
  dosesOf,
  parametersFromHistory,
  parametersFromPaste,
  patientOf,
  problemsOf,
  readAnswer,
  SYSTEM,
} from './fhir.js';
import { readFragment } from './fragment.js';
import { renderForecast } from './render.js';

/** @typedef {import('./fhir.js').VaccineSystem} VaccineSystem */
/**
 * @typedef {object} Vaccine a searchable vaccine code (`GET /explorer/catalog.json`)
 * @property {VaccineSystem} system
 * @property {string} code
 * @property {string} name
 * @property {string[]} cvx
 * @property {string} [terms]
 */
/** @typedef {{ code: string, title: string, uses: string[] }} Observation */
/**
 * @typedef {object} Catalog
 * @property {string} ruleSet
 * @property {string} version
 * @property {{ version: string, label: string, default: boolean }[]} versions
 * @property {Vaccine[]} vaccines
 * @property {Observation[]} observations
 */
/** @typedef {import('./combobox.js').ComboOption<Vaccine>} VaccineOption */
/** @typedef {import('./combobox.js').ComboOption<Observation>} ObservationOption */

const FORECAST_URL = '/fhir/$immds-forecast';

const els = {
  version: byId('version', HTMLSelectElement),
  assessmentDate: byId('assessment-date', HTMLInputElement),
  example: byId('example', HTMLSelectElement),
  loadExample: byId('load-example', HTMLButtonElement),
  historyForm: byId('history-form', HTMLFormElement),
  formErrors: byId('form-errors', HTMLDivElement),
  birthDate: byId('birth-date', HTMLInputElement),
  gender: byId('gender', HTMLSelectElement),
  doseRows: byId('dose-rows', HTMLTableSectionElement),
  addDose: byId('add-dose', HTMLButtonElement),
  observationList: byId('observation-list', HTMLUListElement),
  observationSearch: byId('observation-search', HTMLInputElement),
  clear: byId('clear-history', HTMLButtonElement),
  pasteForm: byId('paste-form', HTMLFormElement),
  fhirText: byId('fhir-text', HTMLTextAreaElement),
  results: byId('results', HTMLElement),
  status: byId('status', HTMLParagraphElement),
  output: byId('output', HTMLDivElement),
};

/** @type {{ catalog: Catalog | undefined, last: 'form' | 'paste' | undefined }} */
const state = { catalog: undefined, last: undefined };

/** @type {{ row: HTMLTableRowElement, date: HTMLInputElement, vaccine: import('./combobox.js').Combobox<Vaccine> }[]} */
const doseRows = [];
/** @type {Observation[]} */
const chosenObservations = [];

// ------------------------------------------------------------------------------------------
// Catalog and search
// ------------------------------------------------------------------------------------------

/** @param {string} text */
const norm = (text) =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');

/** @type {WeakMap<object, string>} */
const haystacks = new WeakMap();

/**
 * @param {object} item
 * @param {() => string} make
 */
function haystack(item, make) {
  let text = haystacks.get(item);
  if (text === undefined) {
    text = norm(make());
    haystacks.set(item, text);
  }
  return text;
}

const SYSTEM_NAMES = /** @type {const} */ ({ cvx: 'CVX', cpt: 'CPT', ndc: 'NDC' });
const SYSTEM_RANK = /** @type {const} */ ({ cvx: 0, cpt: 1, ndc: 2 });

/** @param {string} code */
const stripZeros = (code) => code.replace(/^0+(?=\d)/, '');

/**
 * The name of a CVX code in the catalog.
 *
 * @param {string} cvx
 */
function cvxName(cvx) {
  return state.catalog?.vaccines.find(
    (v) => v.system === 'cvx' && stripZeros(v.code) === stripZeros(cvx),
  )?.name;
}

/**
 * @param {Vaccine} v
 * @returns {VaccineOption}
 */
function vaccineOption(v) {
  const system = SYSTEM_NAMES[v.system];
  const maps =
    v.system === 'cvx'
      ? undefined
      : `→ ${v.cvx.map((c) => `CVX ${c}${cvxName(c) === undefined ? '' : ` ${cvxName(c) ?? ''}`}`).join(', ')}`;
  const detail = [maps, v.terms].filter((t) => t !== undefined && t !== '').join(' · ');
  return {
    label: v.name,
    badge: `${system} ${v.code}`,
    ...(detail === '' ? {} : { detail: detail.length > 140 ? `${detail.slice(0, 139)}…` : detail }),
    text: `${v.name} (${system} ${v.code})`,
    value: v,
  };
}

/**
 * Vaccines matching a query: every word must appear in the code, name or product names; exact
 * codes first, then codes and names that start with the query, CVX before CPT before NDC.
 *
 * @param {string} query
 * @returns {VaccineOption[]}
 */
function searchVaccines(query) {
  const catalog = state.catalog;
  if (catalog === undefined) {
    return [];
  }
  const q = norm(query.trim());
  const words = q.split(/\s+/).filter((w) => w !== '');
  const digits = q.replace(/[\s-]/g, '');
  /** @type {{ v: Vaccine, score: number, i: number }[]} */
  const found = [];
  catalog.vaccines.forEach((v, i) => {
    const hay = haystack(v, () =>
      [
        SYSTEM_NAMES[v.system],
        v.code,
        v.code.replace(/-/g, ''),
        stripZeros(v.code),
        v.name,
        v.terms ?? '',
      ].join(' '),
    );
    if (!words.every((w) => hay.includes(w))) {
      return;
    }
    const code = v.code.toLowerCase();
    const exact =
      code === q || code.replace(/-/g, '') === digits || stripZeros(code) === stripZeros(q);
    const score = exact ? 0 : code.startsWith(q) ? 1 : norm(v.name).startsWith(q) ? 2 : 3;
    found.push({ v, score: score * 10 + SYSTEM_RANK[v.system], i });
  });
  found.sort((a, b) => a.score - b.score || a.i - b.i);
  return found.map(({ v }) => vaccineOption(v));
}

const USE_WORDS = /** @type {Record<string, string>} */ ({
  indication: 'risk condition',
  contraindication: 'contraindication',
  immunity: 'evidence of immunity',
});

/**
 * @param {Observation} o
 * @returns {ObservationOption}
 */
function observationOption(o) {
  const uses = o.uses.map((u) => USE_WORDS[u] ?? u).join(', ');
  return {
    label: o.title,
    badge: `CDSi ${o.code}`,
    ...(uses === '' ? {} : { detail: uses }),
    text: `${o.title} (${o.code})`,
    value: o,
  };
}

/**
 * @param {string} query
 * @returns {ObservationOption[]}
 */
function searchObservations(query) {
  const catalog = state.catalog;
  if (catalog === undefined) {
    return [];
  }
  const q = norm(query.trim());
  const words = q.split(/\s+/).filter((w) => w !== '');
  return catalog.observations
    .filter((o) => !chosenObservations.some((c) => c.code === o.code))
    .map((o, i) => ({
      o,
      i,
      hay: haystack(o, () => `${o.code} ${stripZeros(o.code)} ${o.title} ${o.uses.join(' ')}`),
    }))
    .filter(({ hay }) => words.every((w) => hay.includes(w)))
    .map(({ o, i }) => ({
      o,
      i,
      score: o.code === q || stripZeros(o.code) === q ? 0 : norm(o.title).startsWith(q) ? 1 : 2,
    }))
    .sort((a, b) => a.score - b.score || a.i - b.i)
    .map(({ o }) => observationOption(o));
}

/**
 * Loads the search lists of a rule-set version.
 *
 * @param {string} version `''` for the default
 */
async function loadCatalog(version) {
  const url = `/explorer/catalog.json${version === '' ? '' : `?version=${encodeURIComponent(version)}`}`;
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!res.ok) {
    throw new Error(`The vaccine and observation lists could not be loaded (HTTP ${res.status}).`);
  }
  /** @type {unknown} */
  const json = await res.json();
  state.catalog = /** @type {Catalog} */ (json);
  if (els.version.options.length <= 1) {
    els.version.replaceChildren(
      ...state.catalog.versions.map((v) =>
        h(
          'option',
          { value: v.default ? '' : v.version, selected: v.version === state.catalog?.version },
          `${v.label}${v.default ? ' (default)' : ''}`,
        ),
      ),
    );
  }
}

/**
 * The catalog entry for a code, or a bare entry when the catalog does not list it.
 *
 * @param {VaccineSystem} system
 * @param {string} code
 * @returns {Vaccine}
 */
function vaccineByCode(system, code) {
  return (
    state.catalog?.vaccines.find(
      (v) => v.system === system && (v.code === code || stripZeros(v.code) === stripZeros(code)),
    ) ?? {
      system,
      code,
      name: `${SYSTEM_NAMES[system]} ${code}`,
      cvx: [],
    }
  );
}

/**
 * Words for a dose's vaccine code as sent (any system).
 *
 * @param {string | undefined} system
 * @param {string | undefined} code
 */
function vaccineWords(system, code) {
  const key = /** @type {VaccineSystem | undefined} */ (
    Object.keys(SYSTEM_NAMES).find((k) => SYSTEM[/** @type {VaccineSystem} */ (k)] === system)
  );
  if (code === undefined) {
    return 'no vaccine code';
  }
  return key === undefined
    ? `${system ?? 'no system'} ${code}`
    : vaccineOption(vaccineByCode(key, code)).text;
}

// ------------------------------------------------------------------------------------------
// The form
// ------------------------------------------------------------------------------------------

function renumberDoses() {
  doseRows.forEach((d, i) => {
    const n = i + 1;
    const [numCell] = d.row.cells;
    if (numCell !== undefined) {
      numCell.textContent = String(n);
    }
    const dateLabel = d.row.querySelector('label.date-label');
    const vaccineLabel = d.row.querySelector('label.vaccine-label');
    const remove = d.row.querySelector('button');
    if (dateLabel !== null) {
      dateLabel.textContent = `Date given, dose ${n}`;
    }
    if (vaccineLabel !== null) {
      vaccineLabel.textContent = `Vaccine, dose ${n}`;
    }
    if (remove !== null) {
      remove.setAttribute('aria-label', `Remove dose ${n}`);
    }
  });
}

/**
 * Adds a dose row.
 *
 * @param {{ date: string, vaccine: Vaccine } | undefined} [dose]
 * @returns {HTMLInputElement} the row's date input
 */
function addDoseRow(dose) {
  const key = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
  const date = h('input', { type: 'date', id: `dose-date-${key}`, required: true });
  const vaccineInput = h('input', {
    type: 'text',
    id: `dose-vaccine-${key}`,
    'aria-describedby': 'dose-help',
  });
  const remove = h('button', { type: 'button', class: 'icon-button' }, '✕');
  const row = h(
    'tr',
    {},
    h('td', { class: 'num' }),
    h('td', {}, h('label', { for: date.id, class: 'visually-hidden date-label' }), date),
    h(
      'td',
      { class: 'vaccine-cell' },
      h('label', {
        for: vaccineInput.id,
        id: `${vaccineInput.id}-label`,
        class: 'visually-hidden vaccine-label',
      }),
      vaccineInput,
    ),
    h('td', {}, remove),
  );
  els.doseRows.append(row);
  const vaccine = combobox({ input: vaccineInput, search: searchVaccines, noun: 'vaccine' });
  const entry = { row, date, vaccine };
  doseRows.push(entry);
  remove.addEventListener('click', () => {
    const i = doseRows.indexOf(entry);
    doseRows.splice(i, 1);
    row.remove();
    renumberDoses();
    const next = doseRows[Math.min(i, doseRows.length - 1)];
    (next?.date ?? els.addDose).focus();
  });
  if (dose !== undefined) {
    date.value = dose.date;
    vaccine.set(vaccineOption(dose.vaccine));
  }
  renumberDoses();
  return date;
}

function renderObservations() {
  els.observationList.replaceChildren(
    ...chosenObservations.map((o, i) =>
      h(
        'li',
        { class: 'chip' },
        h('span', {}, `${o.title} (${o.code})`),
        h(
          'button',
          {
            type: 'button',
            class: 'icon-button',
            'aria-label': `Remove observation ${o.title}`,
            'data-index': i,
          },
          '✕',
        ),
      ),
    ),
  );
  els.observationList.hidden = chosenObservations.length === 0;
}

els.observationList.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button') : null;
  if (button === null) {
    return;
  }
  chosenObservations.splice(Number(button.dataset['index']), 1);
  renderObservations();
  els.observationSearch.focus();
});

const observationBox = combobox({
  input: els.observationSearch,
  search: searchObservations,
  noun: 'observation',
  onChange: (option) => {
    if (option !== undefined) {
      chosenObservations.push(option.value);
      renderObservations();
      observationBox.set(undefined);
    }
  },
});

/**
 * Shows the form's problems, each linked to its field, and marks the fields.
 *
 * @param {{ field: HTMLElement, text: string }[]} problems
 */
function showFormErrors(problems) {
  for (const el of els.historyForm.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
  }
  if (problems.length === 0) {
    els.formErrors.hidden = true;
    els.formErrors.replaceChildren();
    return;
  }
  for (const p of problems) {
    p.field.setAttribute('aria-invalid', 'true');
  }
  els.formErrors.replaceChildren(
    h(
      'p',
      {},
      problems.length === 1
        ? 'Please correct this:'
        : `Please correct these ${problems.length} things:`,
    ),
    h('ul', {}, ...problems.map((p) => h('li', {}, h('a', { href: `#${p.field.id}` }, p.text)))),
  );
  els.formErrors.hidden = false;
  els.formErrors.focus();
}

/** @returns {import('./fhir.js').HistoryInput | undefined} */
function readForm() {
  /** @type {{ field: HTMLElement, text: string }[]} */
  const problems = [];
  if (!isIsoDate(els.assessmentDate.value)) {
    problems.push({ field: els.assessmentDate, text: 'Enter the assessment date.' });
  }
  if (!isIsoDate(els.birthDate.value)) {
    problems.push({ field: els.birthDate, text: 'Enter the birth date.' });
  } else if (
    isIsoDate(els.assessmentDate.value) &&
    els.birthDate.value > els.assessmentDate.value
  ) {
    problems.push({ field: els.birthDate, text: 'The birth date is after the assessment date.' });
  }
  /** @type {import('./fhir.js').DoseInput[]} */
  const doses = [];
  doseRows.forEach((d, i) => {
    const picked = d.vaccine.value();
    const vaccineInput = d.row.querySelector('input[role="combobox"]');
    const typed = vaccineInput instanceof HTMLInputElement ? vaccineInput.value.trim() : '';
    if (d.date.value === '' && picked === undefined && typed === '') {
      return; // an untouched row is not a dose
    }
    if (!isIsoDate(d.date.value)) {
      problems.push({ field: d.date, text: `Dose ${i + 1}: enter the date it was given.` });
    }
    if (picked === undefined && vaccineInput instanceof HTMLElement) {
      problems.push({
        field: vaccineInput,
        text:
          typed === ''
            ? `Dose ${i + 1}: choose the vaccine.`
            : `Dose ${i + 1}: choose the vaccine from the list (“${typed}” is not a choice).`,
      });
    }
    if (picked !== undefined && isIsoDate(d.date.value)) {
      doses.push({ date: d.date.value, system: picked.value.system, code: picked.value.code });
    }
  });
  showFormErrors(problems);
  if (problems.length > 0) {
    return undefined;
  }
  return {
    birthDate: els.birthDate.value,
    gender: els.gender.value,
    assessmentDate: els.assessmentDate.value,
    doses,
    observations: chosenObservations.map((o) => o.code),
    version: els.version.value,
  };
}

// ------------------------------------------------------------------------------------------
// Calling the service and showing the answer
// ------------------------------------------------------------------------------------------

/** @param {string} text */
function setStatus(text) {
  els.status.textContent = text;
}

/**
 * Posts a request and shows the forecast.
 *
 * @param {Record<string, unknown>} parameters
 * @param {'form' | 'paste'} source
 * @param {string[]} inputNotes
 */
async function runForecast(parameters, source, inputNotes) {
  state.last = source;
  setStatus('Asking the service for a forecast…');
  els.output.replaceChildren();
  const request = JSON.stringify(parameters, null, 2);
  /** @type {Response} */
  let res;
  /** @type {unknown} */
  let body;
  try {
    res = await fetch(FORECAST_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/fhir+json', Accept: 'application/fhir+json' },
      body: JSON.stringify(parameters),
    });
    body = await res.json();
  } catch (err) {
    setStatus(
      `The service could not be reached: ${err instanceof Error ? err.message : String(err)}`,
    );
    return;
  }
  if (!res.ok) {
    const problems = problemsOf(body);
    setStatus(`The service could not make a forecast (HTTP ${res.status}).`);
    els.output.replaceChildren(
      h(
        'div',
        { class: 'error-summary' },
        h('p', {}, 'The service found these problems in the request:'),
        h('ul', { class: 'problems' }, ...problems.map((p) => h('li', {}, p))),
      ),
      h('details', { class: 'raw' }, h('summary', {}, 'FHIR request'), h('pre', {}, request)),
    );
    return;
  }
  const view = readAnswer(body);
  const patient = patientOf(parameters);
  const doses = dosesOf(parameters).map((d) => ({
    id: d.id,
    date: d.date,
    vaccine: vaccineWords(d.system, d.code),
  }));
  els.output.replaceChildren(
    renderForecast(view, {
      source,
      patient,
      doses,
      inputNotes,
      request,
      answer: JSON.stringify(body, null, 2),
    }),
  );
  setStatus(
    `Forecast for ${view.assessmentDate ?? 'the assessment date'} by rule set ${view.ruleSet ?? 'unknown'}.`,
  );
  els.results.focus();
}

els.historyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = readForm();
  if (input !== undefined) {
    void runForecast(parametersFromHistory(input), 'form', []);
  }
});

els.pasteForm.addEventListener('submit', (event) => {
  event.preventDefault();
  try {
    const { parameters, notes } = parametersFromPaste(els.fhirText.value, {
      assessmentDate: els.assessmentDate.value,
      version: els.version.value,
      birthDate: els.birthDate.value,
      gender: els.gender.value,
    });
    els.fhirText.removeAttribute('aria-invalid');
    void runForecast(parameters, 'paste', notes);
  } catch (err) {
    els.fhirText.setAttribute('aria-invalid', 'true');
    setStatus(err instanceof Error ? err.message : String(err));
    els.output.replaceChildren();
    els.fhirText.focus();
  }
});

els.addDose.addEventListener('click', () => {
  addDoseRow().focus();
});

els.clear.addEventListener('click', () => {
  els.birthDate.value = '';
  els.gender.value = 'female';
  doseRows.splice(0).forEach((d) => {
    d.row.remove();
  });
  chosenObservations.splice(0);
  renderObservations();
  addDoseRow();
  showFormErrors([]);
  els.birthDate.focus();
});

els.output.addEventListener('click', (event) => {
  if (event.target instanceof HTMLElement && event.target.dataset['action'] === 'print') {
    window.print();
  }
});

els.version.addEventListener('change', () => {
  void (async () => {
    try {
      await loadCatalog(els.version.value);
      setStatus(`Rule set ${state.catalog?.ruleSet ?? ''} chosen.`);
      if (state.last === 'form') {
        els.historyForm.requestSubmit();
      } else if (state.last === 'paste') {
        els.pasteForm.requestSubmit();
      }
    } catch (err) {
      setStatus(err instanceof Error ? err.message : String(err));
    }
  })();
});

/** @param {import('./examples.js').Example} example */
function loadExample(example) {
  els.birthDate.value = example.birthDate;
  els.gender.value = example.gender;
  els.assessmentDate.value = example.assessmentDate;
  doseRows.splice(0).forEach((d) => {
    d.row.remove();
  });
  for (const d of example.doses) {
    addDoseRow({ date: d.date, vaccine: vaccineByCode(d.system, d.code) });
  }
  chosenObservations.splice(0);
  for (const code of example.observations) {
    const o = state.catalog?.observations.find((x) => x.code === code);
    chosenObservations.push(o ?? { code, title: `Observation ${code}`, uses: [] });
  }
  renderObservations();
  els.historyForm.requestSubmit();
}

els.loadExample.addEventListener('click', () => {
  const example = EXAMPLES.find((e) => e.id === els.example.value);
  if (example === undefined) {
    setStatus('Choose an example patient first.');
    els.example.focus();
    return;
  }
  loadExample(example);
});

/** Shows the forecast a CDS Hooks card linked to, if the address carries one. */
function showFragment() {
  const read = readFragment(window.location.hash);
  if (read === undefined) {
    return;
  }
  state.last = undefined;
  if ('error' in read) {
    setStatus(read.error);
    els.output.replaceChildren();
    return;
  }
  els.output.replaceChildren(
    renderForecast(read.view, { source: 'link', patient: {}, doses: [], inputNotes: [] }),
  );
  setStatus(
    `Forecast from a link: ${read.view.assessmentDate ?? ''}, rule set ${read.view.ruleSet ?? ''}.`,
  );
  els.results.focus();
}

// ------------------------------------------------------------------------------------------
// Start
// ------------------------------------------------------------------------------------------

els.assessmentDate.value = todayIso();
els.example.append(...EXAMPLES.map((e) => h('option', { value: e.id }, e.title)));
renderObservations();
addDoseRow();
window.addEventListener('hashchange', showFragment);
showFragment();
loadCatalog('').then(
  () => {
    document.body.dataset['ready'] = 'true';
  },
  (/** @type {unknown} */ err) => {
    setStatus(err instanceof Error ? err.message : String(err));
  },
);
