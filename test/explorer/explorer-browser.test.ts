/**
 * The forecast explorer in real headless Chromium (Debian's `chromium`, driven by
 * playwright-core): a history entered through the form with the keyboard, a pasted FHIR
 * Parameters (and Bundle), the `#forecast=` link of a CDS Hooks card, errors, and the print
 * view. What the page shows is checked against the service's own `$immds-forecast` answer for the
 * same request, plus fixed facts of these synthetic patients. Skipped, with a message, where no
 * Chromium is installed (`.ci/run` installs it).
 */
import { Writable } from 'node:stream';
import type { ImmunizationEvaluation, Parameters } from 'fhir/r4';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { explanationUrl } from '../../src/cds-hooks/cards';
import { forecast } from '../../src/engine';
import { readForecastRequest } from '../../src/fhir/to-engine';
import { createApp } from '../../src/http/create-app';
import { createLogger } from '../../src/http/logging';
import { Readiness } from '../../src/http/readiness';
import {
  committedCatalog,
  cpt,
  cvx,
  immunization,
  ndc,
  patient,
  recommendationOf,
  request as forecastRequest,
  twoYearOld,
} from '../fhir/builders';
import {
  CHROMIUM_PATH,
  HAS_CHROMIUM,
  launchChromium,
  startApp,
  type RunningApp,
  type RunningBrowser,
} from './support';

const catalog = committedCatalog();
const describeBrowser = HAS_CHROMIUM ? describe : describe.skip;
if (!HAS_CHROMIUM) {
  console.warn(
    `Explorer browser tests skipped: no Chromium at ${CHROMIUM_PATH} (install Debian's chromium, or set CHROMIUM_PATH).`,
  );
}

/** Log lines of the app under test (to show that a link's forecast never reaches a log). */
const logLines: string[] = [];
const logger = createLogger({
  level: 'debug',
  destination: new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  }),
});

/** The service's own answer to a request, for comparing with what the page shows. */
async function serviceAnswer(parameters: object): Promise<Parameters> {
  const app = createApp({ readiness: new Readiness(), catalog });
  const res = await request(app)
    .post('/fhir/$immds-forecast')
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(parameters));
  expect(res.status).toBe(200);
  return res.body as Parameters;
}

/** The forecast dates the service gives a vaccine group, by LOINC code. */
function datesOf(answer: Parameters, group: string): Record<string, string> {
  const rec = recommendationOf(answer).recommendation.find((r) => r.targetDisease?.text === group);
  return Object.fromEntries(
    (rec?.dateCriterion ?? []).map((c) => [c.code.coding?.[0]?.code ?? '', c.value]),
  );
}

/** The cells of the vaccine-group row named `group`, as text. */
async function groupRow(page: Page, group: string): Promise<string[]> {
  const row = page.locator('table.groups tbody tr', {
    has: page.locator('th', { hasText: new RegExp(`^${group.replace(/[/]/g, '\\/')}$`) }),
  });
  return row.locator('th, td').allInnerTexts();
}

/**
 * Runs in the page: the WCAG 2.1 contrast ratio of every visible text element matching a
 * selector against its effective background (the first opaque background up the tree). A string,
 * because the test code is compiled without the DOM library.
 */
const CONTRAST_PROBE = `(selector) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll(selector)]
    .filter((el) => el.offsetParent !== null && el.textContent.trim() !== '')
    .map((el) => {
      const a = lum(rgb(getComputedStyle(el).color).slice(0, 3));
      const b = lum(background(el));
      return { text: el.textContent.trim().slice(0, 40), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
    });
}`;

describeBrowser('forecast explorer in headless Chromium', () => {
  // A real browser typing and waiting for the service: jest's 5 s default is too short on a
  // loaded 2-core CI machine (seen: the first test, on a cold browser, at 5 s).
  jest.setTimeout(30_000);
  let app: RunningApp;
  let chromium: RunningBrowser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    app = await startApp(catalog, { logger });
    chromium = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await chromium.close();
    await app.close();
  });

  beforeEach(async () => {
    page = await chromium.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      // An error answer the test asks for is logged by Chromium as a failed load; anything else
      // (a missing module, a refused inline script or style) is a fault.
      if (m.type() === 'error' && !m.text().includes('status of 400 (Bad Request)')) {
        pageErrors.push(m.text());
      }
    });
  });

  afterEach(async () => {
    await page.close();
    // No script error and no CSP violation (a refused inline script or style logs an error).
    expect(pageErrors.splice(0)).toEqual([]);
  });

  async function open(hash = ''): Promise<void> {
    await page.goto(`${app.baseUrl}/${hash}`);
    await page.waitForSelector('body[data-ready="true"]');
  }

  /** Types into a combobox, moves to the first choice with the keyboard and picks it. */
  async function pick(label: string, text: string, expected: string): Promise<void> {
    const box = page.getByRole('combobox', { name: label, exact: true });
    await box.focus();
    await box.pressSequentially(text);
    await expect(box.getAttribute('aria-expanded')).resolves.toBe('true');
    await box.press('ArrowDown');
    const active = await box.getAttribute('aria-activedescendant');
    expect(active).toBeTruthy();
    await expect(
      page.locator(`[id="${active ?? ''}"]`).getAttribute('aria-selected'),
    ).resolves.toBe('true');
    await box.press('Enter');
    await expect(box.inputValue()).resolves.toBe(expected);
    await expect(box.getAttribute('aria-expanded')).resolves.toBe('false');
  }

  test('a history entered with the keyboard: vaccine groups, dates and a dose reason are shown', async () => {
    await open();
    await expect(page.getByLabel('Assessment date').inputValue()).resolves.toMatch(
      /^\d{4}-\d{2}-\d{2}$/,
    );
    await page.getByLabel('Assessment date').fill('2026-03-20');
    await page.getByLabel('Birth date').fill('2024-03-15');
    await page.getByLabel('Gender').selectOption('female');
    await page.getByLabel('Date given, dose 1').fill('2024-04-12');
    await pick('Vaccine, dose 1', 'dtap', 'DTaP (CVX 20)');
    await page.getByRole('button', { name: 'Add a dose' }).press('Enter');
    await expect(page.locator(':focus').getAttribute('type')).resolves.toBe('date');
    await page.getByLabel('Date given, dose 2').fill('2024-05-17');
    // An NDC typed without hyphens finds the CDC's hyphenated code.
    await pick('Vaccine, dose 2', '58160081052', 'INFANRIX (NDC 58160-0810-52)');
    await page.getByRole('button', { name: 'Add a dose' }).click();
    await page.getByLabel('Date given, dose 3').fill('2025-03-21');
    await pick(
      'Vaccine, dose 3',
      '90707',
      'Measles, mumps and rubella virus vaccine (MMR), live, for subcutaneous use (CPT 90707)',
    );
    // Escape closes an open list without picking.
    const obs = page.getByRole('combobox', { name: 'Add an observation' });
    await obs.pressSequentially('asplen');
    await obs.press('Escape');
    await expect(obs.getAttribute('aria-expanded')).resolves.toBe('false');
    await obs.press('ArrowDown');
    await obs.press('Enter');
    await expect(page.locator('#observation-list').innerText()).resolves.toContain(
      'Anatomical or functional asplenia (160)',
    );
    await page.getByRole('button', { name: 'Show forecast' }).press('Enter');
    await page.waitForSelector('table.groups');

    const answer = await serviceAnswer({
      resourceType: 'Parameters',
      parameter: [
        { name: 'assessmentDate', valueDate: '2026-03-20' },
        { name: 'patient', resource: patient({ id: 'patient' }) },
        { name: 'immunization', resource: immunization('dose-1', '2024-04-12', cvx('20')) },
        {
          name: 'immunization',
          resource: immunization('dose-2', '2024-05-17', ndc('58160-0810-52')),
        },
        { name: 'immunization', resource: immunization('dose-3', '2025-03-21', cpt('90707')) },
        { name: 'observation', valueCoding: { system: 'urn:cdsi:observation', code: '160' } },
      ],
    });
    const dtap = datesOf(answer, 'DTaP/Tdap/Td');
    const [name, status, next, earliest, recommended, pastDue] = await groupRow(
      page,
      'DTaP/Tdap/Td',
    );
    expect([name, status, next]).toEqual(['DTaP/Tdap/Td', 'Overdue', 'Dose 2']);
    expect([earliest, recommended, pastDue]).toEqual([
      dtap['30981-5'],
      dtap['30980-7'],
      dtap['59778-1'],
    ]);
    // Asplenia puts the child on a meningococcal risk series: due now, not at 11 years.
    const [, menStatus, , , menRecommended] = await groupRow(page, 'Meningococcal');
    expect(menStatus).toMatch(/^(Overdue|Due)$/);
    expect(menRecommended).toBe(datesOf(answer, 'Meningococcal')['30980-7']);

    // The first DTaP dose, given at 4 weeks, is not valid: too young, said in plain words.
    const first = page.locator('table.timeline tbody').first();
    const text = await first.innerText();
    expect(text).toContain('2024-04-12');
    expect(text).toContain('4 weeks 0 days');
    expect(text).toContain('Not Valid');
    expect(text).toMatch(/Age: Too Young/);
    const reason = (answer.parameter ?? [])
      .map((p) => p.resource)
      .filter((r): r is ImmunizationEvaluation => r?.resourceType === 'ImmunizationEvaluation')
      .find((r) => r.immunizationEvent.reference === 'Immunization/dose-1');
    const reasonText = reason?.doseStatusReason?.[0]?.text ?? '';
    expect(reasonText).toMatch(/Too Young/);
    expect(text).toContain(reasonText);
    // The NDC and CPT doses are named as the clinic sent them.
    await expect(page.locator('table.timeline').innerText()).resolves.toContain(
      'INFANRIX (NDC 58160-0810-52)',
    );
  });

  test('the form refuses what it cannot send, field by field', async () => {
    await open();
    await page.getByLabel('Date given, dose 1').fill('2024-04-12');
    await page.getByRole('combobox', { name: 'Vaccine, dose 1' }).fill('no such vaccine');
    await page.getByRole('button', { name: 'Show forecast' }).click();
    const errors = page.locator('#form-errors');
    await expect(errors.isVisible()).resolves.toBe(true);
    const text = await errors.innerText();
    expect(text).toContain('Enter the birth date.');
    expect(text).toContain(
      'Dose 1: choose the vaccine from the list (“no such vaccine” is not a choice).',
    );
    await expect(page.getByLabel('Birth date').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('table.groups').count()).resolves.toBe(0);
  });

  test('a pasted FHIR Parameters: the forecast of the service, with its notes', async () => {
    await open();
    const input = twoYearOld();
    input.parameter?.push({
      name: 'immunization',
      resource: immunization('dtap-cpt', '2025-09-19', cpt('90700')),
    });
    await page.getByLabel(/A Parameters for/).fill(JSON.stringify(input, null, 2));
    await page.getByRole('button', { name: 'Forecast pasted FHIR' }).click();
    await page.waitForSelector('table.groups');
    const answer = await serviceAnswer(input);
    for (const group of ['DTaP/Tdap/Td', 'MMR', 'Varicella', 'HepA']) {
      const dates = datesOf(answer, group);
      const [, , , earliest, recommended] = await groupRow(page, group);
      expect([earliest, recommended]).toEqual([dates['30981-5'] ?? '–', dates['30980-7'] ?? '–']);
    }
    const [, hepb] = await groupRow(page, 'HepB');
    expect(hepb).toBe('Complete');
    await expect(page.locator('table.timeline tbody').count()).resolves.toBe(23);
    // The service's warning about the CPT code that maps to two CVX codes is shown.
    await expect(page.locator('.notes').innerText()).resolves.toContain(
      'CPT 90700 maps to CVX 20 and 106',
    );
    await expect(page.locator('.result-head').innerText()).resolves.toContain('cdc-cdsi@4.64');
  });

  test('a pasted Bundle becomes a request; resources the forecast does not use are named', async () => {
    await open();
    const bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        { resource: patient() },
        { resource: immunization('hepa-1', '2025-03-21', cvx('83')) },
        { resource: { resourceType: 'Practitioner', id: 'dr' } },
      ],
    };
    await page.getByLabel('Assessment date').fill('2026-03-20');
    await page.getByLabel(/A Parameters for/).fill(JSON.stringify(bundle));
    await page.getByRole('button', { name: 'Forecast pasted FHIR' }).click();
    await page.waitForSelector('table.groups');
    const notes = await page.locator('.notes').innerText();
    expect(notes).toContain('1 Practitioner resource was left out');
    expect(notes).toContain('Assessment date 2026-03-20 (from the page) was added.');
    const [, status, next] = await groupRow(page, 'HepA');
    expect([status, next]).toEqual(['Due', 'Dose 2']);
  });

  test('bad pasted input: the service’s problem is shown with where it is', async () => {
    await open();
    const bad = forecastRequest('2026-03-20', patient(), {
      name: 'immunization',
      resource: immunization('x', '2024-05', cvx('20')),
    });
    await page.getByLabel(/A Parameters for/).fill(JSON.stringify(bad));
    await page.getByRole('button', { name: 'Forecast pasted FHIR' }).click();
    await page.waitForSelector('.problems');
    await expect(page.locator('#status').innerText()).resolves.toContain('HTTP 400');
    await expect(page.locator('.problems').innerText()).resolves.toContain(
      'Parameters.parameter[2].resource.occurrence',
    );
    await page.getByLabel(/A Parameters for/).fill('{ not json');
    await page.getByRole('button', { name: 'Forecast pasted FHIR' }).click();
    await expect(page.locator('#status').innerText()).resolves.toContain(
      'The pasted text is not JSON',
    );
  });

  test('the #forecast= link of a CDS Hooks card is shown, without the data reaching the server', async () => {
    const read = readForecastRequest(twoYearOld(), catalog);
    if (!read.ok) {
      throw new Error('twoYearOld() must be a valid request');
    }
    const result = forecast(
      read.request.history,
      read.request.ruleSet,
      read.request.assessmentDate,
    );
    const url = explanationUrl(result, app.baseUrl);
    const payload = url.slice(url.indexOf('#forecast=') + '#forecast='.length);
    const requested: string[] = [];
    page.on('request', (r) => requested.push(`${r.method()} ${r.url()}`));
    logLines.splice(0);

    await page.goto(url);
    await page.waitForSelector('table.groups');
    await page.waitForSelector('body[data-ready="true"]');
    await expect(page.locator('.notice').innerText()).resolves.toContain('came with a link');
    const head = await page.locator('.result-head').innerText();
    expect(head).toContain('2026-03-20');
    expect(head).toContain(result.ruleSet);
    for (const g of result.vaccineGroups.filter((x) => x.status !== 'Not Recommended')) {
      const cells = await groupRow(page, g.vaccineGroup);
      expect(cells[0]).toBe(g.vaccineGroup);
      if (g.forecast !== undefined) {
        expect(cells.slice(2, 5)).toEqual([
          `Dose ${g.forecast.doseNumber}`,
          g.forecast.earliestDate.toString(),
          g.forecast.recommendedDate.toString(),
        ]);
      }
    }
    const [, hepb] = await groupRow(page, 'HepB');
    expect(hepb).toBe('Complete');
    // The forecast was read in the browser: no forecast call, no request or log line carries it.
    expect(requested.some((r) => r.includes('immds-forecast'))).toBe(false);
    expect(requested.some((r) => r.includes(payload.slice(0, 24)))).toBe(false);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('')).not.toContain(payload.slice(0, 24));

    // A damaged link says so instead of showing something wrong.
    await page.goto(`${app.baseUrl}/#forecast=not-a-forecast`);
    await expect(page.locator('#status').innerText()).resolves.toContain(
      'The forecast in this link cannot be read',
    );
    await expect(page.locator('table.groups').count()).resolves.toBe(0);
  });

  test('text contrast is at least 4.5:1 everywhere the forecast and the form show text', async () => {
    await open();
    await page.getByLabel('Example patient').selectOption('toddler-early-dose');
    await page.getByRole('button', { name: 'Load example' }).click();
    await page.waitForSelector('table.timeline');
    const box = page.getByRole('combobox', { name: 'Vaccine, dose 1', exact: true });
    await box.fill('');
    await box.pressSequentially('mmr');
    await box.press('ArrowDown');
    const selector =
      '.badge, .help, label, legend, th, td, li, dt, dd, p, button, .combo-badge, .combo-detail, .combo-label, .masthead p, .site-footer p';
    const measured = await page.evaluate<{ text: string; ratio: number }[]>(
      `(${CONTRAST_PROBE})(${JSON.stringify(selector)})`,
    );
    expect(measured.length).toBeGreaterThan(100);
    expect(measured.filter((m) => m.ratio < 4.5)).toEqual([]);
    // Every status badge kind of this forecast was measured.
    const badges = await page.locator('table.groups .badge').allInnerTexts();
    expect(new Set(badges)).toEqual(
      new Set(['Overdue', 'Due', 'Can be given early', 'Not yet due', 'Complete', 'Aged out']),
    );
  });

  test('an example patient loads into the form; the print view shows the forecast alone', async () => {
    await open();
    await page.getByLabel('Example patient').selectOption({
      label: 'Pregnant adult: HPV contraindicated, immune to varicella',
    });
    await page.getByRole('button', { name: 'Load example' }).click();
    await page.waitForSelector('table.groups');
    await expect(page.getByLabel('Birth date').inputValue()).resolves.toBe('1994-05-10');
    await expect(page.locator('#observation-list').innerText()).resolves.toContain(
      'Pregnant (007)',
    );
    const [, varicella] = await groupRow(page, 'Varicella');
    expect(varicella).toBe('Immune');
    const [, hpv, , , , , , hpvNotes] = await groupRow(page, 'HPV');
    expect([hpv, hpvNotes]).toEqual(['Contraindicated', 'Patient has a contraindication']);

    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('#history-form').isVisible()).resolves.toBe(false);
    await expect(page.locator('.masthead').isVisible()).resolves.toBe(false);
    await expect(page.locator('table.groups').isVisible()).resolves.toBe(true);
    await expect(page.locator('.print-title').isVisible()).resolves.toBe(true);
    await page.emulateMedia({ media: 'screen' });
  });
});
