// @ts-check
/**
 * FHIR in and out of the page: the `$immds-forecast` request built from the form or from a
 * pasted Parameters or Bundle, and the answer read into what the page shows. The service does
 * all the forecasting; this module only moves data between shapes.
 */
import { isIsoDate } from './dates.js';

/** Code systems (the same URIs as the service's `src/fhir/codes.ts`). */
export const SYSTEM = Object.freeze({
  cvx: 'http://hl7.org/fhir/sid/cvx',
  cpt: 'http://www.ama-assn.org/go/cpt',
  ndc: 'http://hl7.org/fhir/sid/ndc',
  cdsiObservation: 'urn:cdsi:observation',
  cdsiRuleSet: 'urn:cdsi:rule-set',
});

/** LOINC `dateCriterion` codes of the forecast dates. */
const DATE_CODES = Object.freeze({
  '30981-5': 'earliest',
  '30980-7': 'recommended',
  '59778-1': 'pastDue',
  '59777-3': 'latest',
});

/** @typedef {'cvx' | 'cpt' | 'ndc'} VaccineSystem */
/** @typedef {{ date: string, system: VaccineSystem, code: string }} DoseInput */
/**
 * @typedef {object} HistoryInput
 * @property {string} birthDate
 * @property {string} gender `female`, `male` or `unknown`
 * @property {string} assessmentDate
 * @property {DoseInput[]} doses
 * @property {string[]} observations CDSi observation codes
 * @property {string} version rule-set version, `''` for the service's default
 */
/** @typedef {Record<string, unknown>} Json */

/**
 * @param {unknown} x
 * @returns {x is Json}
 */
export function isObj(x) {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
/** @param {unknown} x @returns {unknown[]} */
const arr = (x) => (Array.isArray(x) ? x : []);
/** @param {unknown} x @returns {string | undefined} */
const str = (x) => (typeof x === 'string' ? x : undefined);
/** @param {unknown} x @returns {Json} */
const obj = (x) => (isObj(x) ? x : {});

/**
 * The id of the dose given to the service for form row `index` (0-based).
 *
 * @param {number} index
 */
const doseId = (index) => `dose-${index + 1}`;

/**
 * The `$immds-forecast` request for a history entered in the form.
 *
 * @param {HistoryInput} input
 * @returns {Json}
 */
export function parametersFromHistory(input) {
  const patient = { reference: 'Patient/patient' };
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'assessmentDate', valueDate: input.assessmentDate },
      {
        name: 'patient',
        resource: {
          resourceType: 'Patient',
          id: 'patient',
          gender: input.gender,
          birthDate: input.birthDate,
        },
      },
      ...input.doses.map((d, i) => ({
        name: 'immunization',
        resource: {
          resourceType: 'Immunization',
          id: doseId(i),
          status: 'completed',
          vaccineCode: { coding: [{ system: SYSTEM[d.system], code: d.code }] },
          patient,
          occurrenceDateTime: d.date,
          primarySource: true,
        },
      })),
      ...input.observations.map((code) => ({
        name: 'observation',
        valueCoding: { system: SYSTEM.cdsiObservation, code },
      })),
      ...(input.version === ''
        ? []
        : [{ name: 'knowledgeBaseVersion', valueString: input.version }]),
    ],
  };
}

/**
 * @typedef {object} PasteDefaults
 * @property {string} assessmentDate used when the Parameters has none
 * @property {string} version rule-set version used when the Parameters names none (`''`: default)
 * @property {string} birthDate used for a Bundle without a Patient (`''`: none)
 * @property {string} gender used with `birthDate`
 */

/**
 * The request for pasted FHIR JSON: a `Parameters` is sent as it is (with the assessment date and
 * rule-set version of the page added only when it names none); a `Bundle` (searchset, collection,
 * transaction…) is turned into one: its Patient, its Immunizations (not-done ones as observations,
 * as the service reads them), its Conditions, Observations and AllergyIntolerances.
 *
 * @param {string} text
 * @param {PasteDefaults} defaults
 * @returns {{ parameters: Json, notes: string[] }} notes: what was added or left out, in words
 * @throws {Error} with a message for the user when the text cannot be used
 */
export function parametersFromPaste(text, defaults) {
  /** @type {unknown} */
  let json;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(
      `The pasted text is not JSON (${err instanceof Error ? err.message : 'parse error'}).`,
    );
  }
  if (!isObj(json)) {
    throw new Error('The pasted JSON must be a FHIR Parameters or Bundle resource.');
  }
  /** @type {string[]} */
  const notes = [];
  /** @type {Json[]} */
  let parameter;
  if (json['resourceType'] === 'Parameters') {
    parameter = arr(json['parameter']).filter(isObj);
  } else if (json['resourceType'] === 'Bundle') {
    parameter = bundleParameters(json, defaults, notes);
  } else {
    throw new Error(
      `The pasted resource is a ${str(json['resourceType']) ?? 'JSON object without resourceType'}; paste a Parameters or a Bundle.`,
    );
  }
  const has = /** @param {string} name */ (name) => parameter.some((p) => p['name'] === name);
  /** @type {Json[]} */
  const added = [];
  if (!has('assessmentDate')) {
    added.push({ name: 'assessmentDate', valueDate: defaults.assessmentDate });
    notes.push(`Assessment date ${defaults.assessmentDate} (from the page) was added.`);
  }
  if (!has('knowledgeBaseVersion') && defaults.version !== '') {
    added.push({ name: 'knowledgeBaseVersion', valueString: defaults.version });
    notes.push(`Rule-set version ${defaults.version} (from the page) was added.`);
  }
  const parameters =
    json['resourceType'] === 'Parameters' && added.length === 0
      ? json
      : { resourceType: 'Parameters', parameter: [...added, ...parameter] };
  return { parameters, notes };
}

/**
 * @param {Json} bundle
 * @param {PasteDefaults} defaults
 * @param {string[]} notes
 * @returns {Json[]}
 */
function bundleParameters(bundle, defaults, notes) {
  const resources = arr(bundle['entry'])
    .map((e) => obj(e)['resource'])
    .filter(isObj);
  const patients = resources.filter((r) => r['resourceType'] === 'Patient');
  if (patients.length > 1) {
    throw new Error(`The Bundle holds ${patients.length} Patients; paste one patient's data.`);
  }
  /** @type {Json[]} */
  const parameter = [];
  const patient = patients[0];
  if (patient !== undefined) {
    parameter.push({ name: 'patient', resource: patient });
  } else if (isIsoDate(defaults.birthDate)) {
    parameter.push({
      name: 'patient',
      resource: {
        resourceType: 'Patient',
        id: 'patient',
        gender: defaults.gender,
        birthDate: defaults.birthDate,
      },
    });
    notes.push('The Bundle has no Patient: the birth date and gender of the form were used.');
  } else {
    throw new Error('The Bundle has no Patient: add one, or enter the birth date in the form.');
  }
  /** @type {Map<string, number>} */
  const left = new Map();
  for (const r of resources) {
    const type = str(r['resourceType']) ?? '(no resourceType)';
    if (type === 'Patient') {
      continue;
    }
    if (type === 'Immunization') {
      parameter.push({
        name: r['status'] === 'not-done' ? 'observation' : 'immunization',
        resource: r,
      });
    } else if (type === 'Condition' || type === 'Observation' || type === 'AllergyIntolerance') {
      parameter.push({ name: 'observation', resource: r });
    } else {
      left.set(type, (left.get(type) ?? 0) + 1);
    }
  }
  for (const [type, n] of left) {
    notes.push(
      `${n} ${type} resource${n === 1 ? ' was' : 's were'} left out: the forecast does not use ${type}.`,
    );
  }
  return parameter;
}

/**
 * @typedef {object} DoseRow a dose as sent, for the timeline
 * @property {string} id the id the answer refers to
 * @property {string | undefined} date
 * @property {string | undefined} system FHIR system URI of the first coding
 * @property {string | undefined} code
 */

/**
 * The doses of a request, with the ids the answer will use. An Immunization without an id is
 * named by the service after its parameter index (`immunization-<index>`, see the `information`
 * note it adds).
 *
 * @param {Json} parameters
 * @returns {DoseRow[]}
 */
export function dosesOf(parameters) {
  return arr(parameters['parameter'])
    .map((p, index) => ({ p: obj(p), index }))
    .filter(({ p }) => p['name'] === 'immunization' && isObj(p['resource']))
    .map(({ p, index }) => {
      const r = obj(p['resource']);
      const coding = obj(arr(obj(r['vaccineCode'])['coding'])[0]);
      const occurrence = str(r['occurrenceDateTime']);
      return {
        id: str(r['id']) ?? `immunization-${index}`,
        date: occurrence?.slice(0, 10),
        system: str(coding['system']),
        code: str(coding['code']),
      };
    });
}

/**
 * The patient of a request (birth date, gender), when it has one.
 *
 * @param {Json} parameters
 * @returns {{ birthDate?: string, gender?: string }}
 */
export function patientOf(parameters) {
  const p = arr(parameters['parameter'])
    .map(obj)
    .find((x) => x['name'] === 'patient');
  const r = obj(p?.['resource']);
  const birthDate = str(r['birthDate']);
  const gender = str(r['gender']);
  return {
    ...(birthDate === undefined ? {} : { birthDate }),
    ...(gender === undefined ? {} : { gender }),
  };
}

/**
 * @typedef {object} GroupDose a dose's evaluation for a whole vaccine group
 * @property {string} dose the Immunization id
 * @property {string} status CDSi status (Valid, Not Valid, Extraneous, Sub-standard)
 * @property {string[]} reasons
 */
/**
 * @typedef {object} GroupView one vaccine group of the forecast
 * @property {string} name
 * @property {string} status CDSi status (Not Complete, Complete, Immune, Contraindicated, Aged Out, Not Recommended)
 * @property {number | undefined} doseNumber
 * @property {{ earliest?: string, recommended?: string, pastDue?: string, latest?: string }} dates
 * @property {{ code: string, display: string }[]} vaccines
 * @property {string[]} reasons
 * @property {string | undefined} series
 * @property {GroupDose[]} doses
 * @property {string[]} evaluations ids of the antigen evaluations that support it
 */
/**
 * @typedef {object} EvaluationView one dose × antigen evaluation
 * @property {string} id
 * @property {string} dose
 * @property {string} antigen
 * @property {string} status
 * @property {string[]} reasons
 * @property {string | undefined} series
 * @property {number | undefined} doseNumber
 */
/**
 * @typedef {object} ForecastView
 * @property {string | undefined} ruleSet
 * @property {string | undefined} assessmentDate
 * @property {GroupView[]} groups
 * @property {EvaluationView[]} evaluations
 * @property {{ severity: string, text: string, where: string | undefined }[]} notes
 */

/** @param {unknown} concept @returns {string} */
const textOf = (concept) => {
  const c = obj(concept);
  return str(c['text']) ?? str(obj(arr(c['coding'])[0])['display']) ?? '';
};
/** @param {unknown} ref @returns {string} */
const refId = (ref) => (str(obj(ref)['reference']) ?? '').replace(/^[A-Za-z]+\//, '');
/** @param {unknown} x @returns {number | undefined} */
const num = (x) => (typeof x === 'number' ? x : undefined);

/**
 * Reads an `$immds-forecast` answer.
 *
 * @param {unknown} body
 * @returns {ForecastView}
 * @throws {Error} when the body is not an answer of this operation
 */
export function readAnswer(body) {
  if (!isObj(body) || body['resourceType'] !== 'Parameters') {
    throw new Error('The service did not answer with a FHIR Parameters resource.');
  }
  const params = arr(body['parameter']).map(obj);
  const resources = /** @param {string} name */ (name) =>
    params.filter((p) => p['name'] === name).map((p) => obj(p['resource']));
  const recommendation = resources('recommendation')[0];
  if (recommendation === undefined) {
    throw new Error('The answer holds no ImmunizationRecommendation.');
  }
  const ruleSet = str(
    arr(obj(body['meta'])['tag'])
      .map(obj)
      .find((t) => t['system'] === SYSTEM.cdsiRuleSet)?.['code'],
  );
  const evaluations = resources('evaluation').map((r) => ({
    id: str(r['id']) ?? '',
    dose: refId(r['immunizationEvent']),
    antigen: textOf(r['targetDisease']),
    status: textOf(r['doseStatus']),
    reasons: arr(r['doseStatusReason']).map(textOf),
    series: str(r['series']),
    doseNumber: num(r['doseNumberPositiveInt']),
  }));
  const groups = arr(recommendation['recommendation'])
    .map(obj)
    .map((r) => {
      /** @type {GroupView['dates']} */
      const dates = {};
      for (const c of arr(r['dateCriterion']).map(obj)) {
        const code = str(obj(arr(obj(c['code'])['coding'])[0])['code']) ?? '';
        const field = Object.hasOwn(DATE_CODES, code)
          ? DATE_CODES[/** @type {keyof DATE_CODES} */ (code)]
          : undefined;
        const value = str(c['value']);
        if (field !== undefined && value !== undefined) {
          dates[field] = value.slice(0, 10);
        }
      }
      return {
        name: textOf(r['targetDisease']),
        status: textOf(r['forecastStatus']),
        doseNumber: num(r['doseNumberPositiveInt']),
        dates,
        vaccines: arr(r['vaccineCode']).map((v) => {
          const coding = obj(arr(obj(v)['coding'])[0]);
          return { code: str(coding['code']) ?? '', display: str(coding['display']) ?? '' };
        }),
        reasons: arr(r['forecastReason']).map(textOf),
        series: str(r['series']),
        doses: arr(r['extension'])
          .map(obj)
          .filter((e) => (str(e['url']) ?? '').endsWith('/vaccine-group-dose-evaluation'))
          .map((e) => {
            const parts = arr(e['extension']).map(obj);
            const part = /** @param {string} url */ (url) => parts.filter((x) => x['url'] === url);
            return {
              dose: refId(part('immunizationEvent')[0]?.['valueReference']),
              status: textOf(part('doseStatus')[0]?.['valueCodeableConcept']),
              reasons: part('doseStatusReason').map((x) => textOf(x['valueCodeableConcept'])),
            };
          }),
        evaluations: arr(r['supportingImmunization']).map(refId),
      };
    });
  const notes = resources('information').flatMap((o) =>
    arr(o['issue'])
      .map(obj)
      .map((i) => ({
        severity: str(i['severity']) ?? 'information',
        text: str(i['diagnostics']) ?? textOf(i['details']),
        where: str(arr(i['expression'])[0]),
      })),
  );
  return { ruleSet, assessmentDate: str(recommendation['date']), groups, evaluations, notes };
}

/**
 * The problems of an error answer (an OperationOutcome), in words with where they are.
 *
 * @param {unknown} body
 * @returns {string[]}
 */
export function problemsOf(body) {
  const issues = arr(obj(body)['issue']).map(obj);
  return issues.map((i) => {
    const text = str(i['diagnostics']) ?? textOf(i['details']);
    const where = str(arr(i['expression'])[0]);
    return where === undefined ? text : `${text} (at ${where})`;
  });
}

/** @typedef {'overdue' | 'due' | 'early' | 'later' | 'complete' | 'immune' | 'contraindicated' | 'aged-out' | 'not-recommended' | 'unknown'} StatusKey */

/**
 * A vaccine group's status in the words of the page, from its CDSi status and where the
 * assessment date falls among the dates the service gave (the service's own rule for its
 * `due`/`overdue` codes and for CDS cards: overdue from the past-due date, due from the
 * recommended date, may be given from the earliest date).
 *
 * @param {string} status CDSi status
 * @param {GroupView['dates']} dates
 * @param {string | undefined} assessmentDate
 * @returns {{ key: StatusKey, label: string }}
 */
export function statusOf(status, dates, assessmentDate) {
  switch (status) {
    case 'Not Complete': {
      const on = assessmentDate ?? '';
      if (dates.pastDue !== undefined && on >= dates.pastDue) {
        return { key: 'overdue', label: 'Overdue' };
      }
      if (dates.recommended !== undefined && on >= dates.recommended) {
        return { key: 'due', label: 'Due' };
      }
      if (dates.earliest !== undefined && on >= dates.earliest) {
        return { key: 'early', label: 'Can be given early' };
      }
      return { key: 'later', label: 'Not yet due' };
    }
    case 'Complete':
      return { key: 'complete', label: 'Complete' };
    case 'Immune':
      return { key: 'immune', label: 'Immune' };
    case 'Contraindicated':
      return { key: 'contraindicated', label: 'Contraindicated' };
    case 'Aged Out':
      return { key: 'aged-out', label: 'Aged out' };
    case 'Not Recommended':
      return { key: 'not-recommended', label: 'Not recommended' };
    default:
      return { key: 'unknown', label: status === '' ? 'Unknown' : status };
  }
}
