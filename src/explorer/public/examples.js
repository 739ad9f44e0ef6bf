// @ts-check
/**
 * Example patients (synthetic: made-up dates, no real person) that show what the page explains.
 * Codes are the ones a clinic sends: CVX, and some CPT and NDC codes.
 */

/**
 * @typedef {object} Example
 * @property {string} id
 * @property {string} title
 * @property {string} birthDate
 * @property {'female' | 'male' | 'unknown'} gender
 * @property {string} assessmentDate
 * @property {import('./fhir.js').DoseInput[]} doses
 * @property {string[]} observations CDSi observation codes
 */

/** @type {readonly Example[]} */
export const EXAMPLES = Object.freeze([
  {
    id: 'toddler-early-dose',
    title: 'Two-year-old girl: first DTaP given too early',
    birthDate: '2024-03-15',
    gender: 'female',
    assessmentDate: '2026-03-20',
    doses: [
      { date: '2024-03-15', system: 'cvx', code: '08' },
      { date: '2024-04-12', system: 'cvx', code: '20' },
      { date: '2024-04-20', system: 'cvx', code: '08' },
      { date: '2024-05-17', system: 'ndc', code: '58160-0810-52' },
      { date: '2024-05-17', system: 'cvx', code: '49' },
      { date: '2024-05-17', system: 'cvx', code: '133' },
      { date: '2024-05-17', system: 'cvx', code: '10' },
      { date: '2024-07-19', system: 'cvx', code: '20' },
      { date: '2024-07-19', system: 'cvx', code: '49' },
      { date: '2024-07-19', system: 'cvx', code: '133' },
      { date: '2024-07-19', system: 'cvx', code: '10' },
      { date: '2024-09-20', system: 'cpt', code: '90744' },
      { date: '2025-03-21', system: 'cvx', code: '03' },
      { date: '2025-03-21', system: 'cvx', code: '21' },
      { date: '2025-04-04', system: 'cvx', code: '83' },
    ],
    observations: [],
  },
  {
    id: 'teen-catch-up',
    title: 'Twelve-year-old boy: second MMR too soon, adolescent vaccines due',
    birthDate: '2013-09-02',
    gender: 'male',
    assessmentDate: '2026-03-20',
    doses: [
      { date: '2013-09-03', system: 'cvx', code: '08' },
      { date: '2013-11-04', system: 'cvx', code: '110' },
      { date: '2014-01-06', system: 'cvx', code: '110' },
      { date: '2014-03-03', system: 'cvx', code: '110' },
      { date: '2014-09-08', system: 'cpt', code: '90707' },
      { date: '2014-09-29', system: 'cvx', code: '03' },
      { date: '2014-09-08', system: 'cvx', code: '21' },
      { date: '2014-12-08', system: 'cvx', code: '20' },
      { date: '2017-09-11', system: 'cvx', code: '130' },
      { date: '2017-09-11', system: 'cvx', code: '21' },
    ],
    observations: [],
  },
  {
    id: 'adult-pregnant',
    title: 'Pregnant adult: HPV contraindicated, immune to varicella',
    birthDate: '1994-05-10',
    gender: 'female',
    assessmentDate: '2026-03-20',
    doses: [
      { date: '1995-06-01', system: 'cvx', code: '03' },
      { date: '2016-08-15', system: 'cvx', code: '115' },
    ],
    observations: ['007', '023'],
  },
  {
    id: 'child-asplenia',
    title: 'Four-year-old with asplenia: risk series apply',
    birthDate: '2021-11-02',
    gender: 'unknown',
    assessmentDate: '2026-03-20',
    doses: [
      { date: '2022-01-04', system: 'cvx', code: '20' },
      { date: '2022-01-04', system: 'cvx', code: '133' },
      { date: '2022-03-08', system: 'cvx', code: '20' },
      { date: '2022-03-08', system: 'cvx', code: '133' },
      { date: '2023-01-10', system: 'cvx', code: '03' },
    ],
    observations: ['160'],
  },
]);
