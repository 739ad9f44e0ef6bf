/**
 * The framework-free CDS services: cards of the forecast at patient-view, prefetch handling,
 * and order-check warnings per reason. Realistic CDC schedules: the two-year-old of
 * test/fhir/builders.ts (born 2024-03-15).
 */
import type { Bundle, Condition, Immunization, OperationOutcome, Resource } from 'fhir/r4';
import { CalendarDate } from '../../src/calendar';
import {
  cell,
  forecastCard,
  forecastSummary,
  MAX_SUMMARY,
  type DueGroup,
} from '../../src/cds-hooks/cards';
import { readFeedback } from '../../src/cds-hooks/feedback';
import {
  handleHookCall,
  type CdsHandlerDeps,
} from '../../src/cds-hooks/immunization-forecast-service';
import type { FhirReader } from '../../src/cds-hooks/prefetch';
import { DISCOVERY } from '../../src/cds-hooks/services';
import type { CdsCard } from '../../src/cds-hooks/types';
import { forecast, seasonCaveats } from '../../src/engine';
import type { VaccineGroupResult } from '../../src/engine/model';
import { OperationOutcomeError } from '../../src/fhir/outcome';
import { readForecastRequest } from '../../src/fhir/to-engine';
import { committedCatalog, cvx, immunization, patient, twoYearOld } from '../fhir/builders';
import {
  fullPrefetch,
  orderSignCall,
  patientViewCall,
  searchset,
  twoYearOldResources,
} from './support';

const catalog = committedCatalog();

function deps(today = '2026-03-20', reader?: FhirReader): CdsHandlerDeps {
  let n = 0;
  return {
    catalog,
    reader,
    fhirTimeoutMs: 2000,
    publicBaseUrl: 'https://cds.example.org',
    today: CalendarDate.parse(today),
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  };
}

async function cardsOf(body: unknown, today?: string, reader?: FhirReader): Promise<CdsCard[]> {
  const id =
    (body as { hook: string }).hook === 'patient-view'
      ? 'immunization-forecast'
      : 'immunization-order-check';
  return [...(await handleHookCall(id, body, deps(today, reader))).response.cards];
}

/** Spec rules every card must meet (digest B12 item 8). */
function expectSpecCard(card: CdsCard): void {
  expect(card.summary.length).toBeLessThan(140);
  expect(['info', 'warning', 'critical']).toContain(card.indicator);
  expect(card.source.label).toMatch(/cdc-cdsi@4\.64/);
  if (card.suggestions !== undefined) {
    expect(card.selectionBehavior).toBeDefined();
    for (const s of card.suggestions) {
      for (const a of s.actions ?? []) {
        expect(a.description.length).toBeGreaterThan(0);
      }
    }
  }
  for (const r of card.overrideReasons ?? []) {
    expect(r.display).toBeTruthy();
  }
  expect(JSON.stringify(card)).not.toMatch(/null|""|\[\]|\{\}/);
}

describe('discovery', () => {
  test('lists the forecast on patient-view and the order check on order-select and order-sign, with prefetch templates', () => {
    expect(DISCOVERY.services.map((s) => [s.id, s.hook])).toEqual([
      ['immunization-forecast', 'patient-view'],
      ['immunization-order-check', 'order-select'],
      ['immunization-order-check', 'order-sign'],
    ]);
    for (const s of DISCOVERY.services) {
      expect(s.prefetch).toMatchObject({
        patient: 'Patient/{{context.patientId}}',
        immunizations: 'Immunization?patient={{context.patientId}}',
      });
      for (const template of Object.values(s.prefetch ?? {})) {
        expect(template.match(/\{\{[^}]*\}\}/g)).toEqual(['{{context.patientId}}']);
      }
    }
  });
});

describe('patient-view forecast card', () => {
  test('for the two-year-old: one info card naming the due vaccine groups, under 140 characters', async () => {
    const [card, ...rest] = await cardsOf(patientViewCall(fullPrefetch()));
    expect(rest).toEqual([]);
    expect(card!.summary).toBe('3 vaccines due today: COVID-19, HepA, Influenza');
    expect(card!.indicator).toBe('info');
    expectSpecCard(card!);
  });

  test('detail has a markdown table per due group with dose, earliest, recommended, past due and reason', async () => {
    const [card] = await cardsOf(patientViewCall(fullPrefetch()));
    expect(card!.detail).toContain('#### HepA: due');
    expect(card!.detail).toContain('| Dose | Earliest | Recommended | Past due | Reason |');
    expect(card!.detail).toContain('| 2 | 2025-09-21 | 2025-09-21 | 2026-11-17 |');
    // MMR dose 2 may be given, but is not due before age 4: listed, not in the summary.
    expect(card!.detail).toContain('#### MMR: may be given now');
  });

  test('is a warning once a dose is past due (HepA dose 2 after 2026-11-17)', async () => {
    const [card] = await cardsOf(patientViewCall(fullPrefetch()), '2026-11-20');
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toMatch(/^\d+ vaccines due today, 1 overdue: HepA/);
  });

  test('at two months: DTaP, Hib, PCV, Polio and Rotavirus due, with a draft order where the forecast names a vaccine', async () => {
    const { patient: p, immunizations } = twoYearOldResources();
    const [card] = await cardsOf(
      patientViewCall({
        ...fullPrefetch(),
        patient: p,
        immunizations: searchset(immunizations.filter((i) => i.occurrenceDateTime! < '2024-05-17')),
      }),
      '2024-05-17',
    );
    expect(card!.summary).toBe(
      '5 vaccines due today: DTaP/Tdap/Td, Hib, Pneumococcal, Polio, Rotavirus',
    );
    expect(card!.selectionBehavior).toBe('any');
    expect(card!.suggestions!.map((s) => s.label)).toEqual([
      'Order Pneumococcal dose 1: Pneumococcal conjugate PCV 15',
    ]);
    expect(card!.suggestions![0]!.actions![0]).toMatchObject({
      type: 'create',
      resource: {
        resourceType: 'MedicationRequest',
        status: 'draft',
        intent: 'proposal',
        subject: { reference: 'Patient/p1' },
        medicationCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx' }] },
      },
    });
    expectSpecCard(card!);
  });

  test('links to the explanation at the public base URL with the forecast in the fragment, no patient data', async () => {
    const [card] = await cardsOf(patientViewCall(fullPrefetch()));
    const link = card!.links![0]!;
    expect(link.type).toBe('absolute');
    expect(link.url.startsWith('https://cds.example.org/#forecast=')).toBe(true);
    const json = Buffer.from(link.url.split('#forecast=')[1]!, 'base64url').toString('utf8');
    const fragment = JSON.parse(json) as { v: number; rs: string; d: string; g: unknown[][] };
    expect(fragment).toMatchObject({ v: 1, rs: 'cdc-cdsi@4.64', d: '2026-03-20' });
    expect(fragment.g).toContainEqual([
      'HepA',
      'Not Complete',
      2,
      '2025-09-21',
      '2025-09-21',
      '2026-11-17',
    ]);
    expect(json).not.toMatch(/p1|2024-03-15|female/);
  });

  test('no card when the patient is up to date (a newborn with HepB and nirsevimab at birth)', async () => {
    const cards = await cardsOf(
      patientViewCall({
        patient: patient({ birthDate: '2026-03-10' }),
        immunizations: searchset([
          immunization('hepb-1', '2026-03-10', cvx('08')),
          immunization('rsv-1', '2026-03-10', cvx('306')),
        ]),
        conditions: null,
        observations: null,
        allergies: null,
      }),
    );
    expect(cards).toEqual([]);
  });

  test('a patient without a full birth date gets an info card saying no forecast can be made', async () => {
    const cards = await cardsOf(
      patientViewCall({ ...fullPrefetch(), patient: patient({ birthDate: '2024-03' }) }),
    );
    expect(cards).toHaveLength(1);
    expect(cards[0]!.summary).toMatch(/^No immunization forecast/);
    expectSpecCard(cards[0]!);
  });
});

describe('summary text', () => {
  const group = (name: string): VaccineGroupResult => ({
    vaccineGroup: name,
    status: 'Not Complete',
    doseEvaluations: [],
    antigens: [],
    reasons: [],
  });

  test('stays under 140 characters, ending with "and N more"', () => {
    const many: DueGroup[] = Array.from({ length: 12 }, (_v, i) => ({
      group: group(`Vaccine group with a long name ${i}`),
      timing: i === 0 ? 'overdue' : 'due',
    }));
    const text = forecastSummary(many);
    expect(text.length).toBeLessThanOrEqual(MAX_SUMMARY);
    expect(text).toMatch(/^12 vaccines due today, 1 overdue: .* and \d+ more$/);
  });

  test('markdown table cells escape pipes and HTML', () => {
    expect(cell('a|b <script>')).toBe('a\\|b \\<script\\>');
  });
});

describe('prefetch handling', () => {
  const noReader = undefined;

  test('null means no data: no FHIR access, the forecast is made without it', async () => {
    const reader = failingReader();
    const cards = await cardsOf(
      patientViewCall(
        { ...fullPrefetch(), conditions: null, observations: null, allergies: null },
        fhirAccess(),
      ),
      undefined,
      reader,
    );
    expect(cards[0]!.summary).toBe('3 vaccines due today: COVID-19, HepA, Influenza');
    expect(reader.calls).toEqual([]);
  });

  test('an OperationOutcome value is refetched from the FHIR server', async () => {
    const { immunizations } = twoYearOldResources();
    const reader = recordingReader({ 'Immunization?patient=p1': immunizations });
    const outcome: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'exception' }],
    };
    const cards = await cardsOf(
      patientViewCall({ ...fullPrefetch(), immunizations: outcome }, fhirAccess()),
      undefined,
      reader,
    );
    expect(reader.calls).toEqual(['Immunization?patient=p1']);
    expect(cards[0]!.summary).toBe('3 vaccines due today: COVID-19, HepA, Influenza');
  });

  test('OperationOutcome entries of a searchset Bundle are skipped', async () => {
    const { immunizations } = twoYearOldResources();
    const bundle: Bundle = searchset(immunizations);
    bundle.entry!.push({
      resource: {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'warning', code: 'incomplete' }],
      } as OperationOutcome,
      search: { mode: 'outcome' },
    });
    const cards = await cardsOf(patientViewCall({ ...fullPrefetch(), immunizations: bundle }));
    expect(cards[0]!.summary).toBe('3 vaccines due today: COVID-19, HepA, Influenza');
  });

  test('missing immunizations without fhirServer: 412', async () => {
    const rest = fullPrefetch();
    delete rest['immunizations'];
    const failure = await handleHookCall(
      'immunization-forecast',
      patientViewCall(rest),
      deps(),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OperationOutcomeError);
    expect((failure as OperationOutcomeError).status).toBe(412);
  });

  test('missing optional keys without fhirServer: forecast made, the card says what was not checked', async () => {
    const { patient: p, immunizations } = fullPrefetch();
    const [card] = await cardsOf(
      patientViewCall({ patient: p, immunizations }),
      undefined,
      noReader,
    );
    expect(card!.detail).toMatch(
      /Not available, so not taken into account: conditions, observations, allergies/,
    );
  });

  test('a Patient with another id does not satisfy the template: without FHIR access, 412', async () => {
    const failure = await handleHookCall(
      'immunization-forecast',
      patientViewCall({ ...fullPrefetch(), patient: patient({ id: 'someone-else' }) }),
      deps(),
    ).catch((e: unknown) => e);
    expect((failure as OperationOutcomeError).status).toBe(412);
  });

  test('a paged prefetch Bundle is completed from the FHIR server', async () => {
    const { immunizations } = twoYearOldResources();
    const reader = recordingReader({ next: immunizations.slice(10) });
    const cards = await cardsOf(
      patientViewCall(
        {
          ...fullPrefetch(),
          immunizations: searchset(
            immunizations.slice(0, 10),
            'https://ehr.example.org/fhir/page2',
          ),
        },
        fhirAccess(),
      ),
      undefined,
      reader,
    );
    expect(reader.calls).toEqual(['next']);
    expect(cards[0]!.summary).toBe('3 vaccines due today: COVID-19, HepA, Influenza');
  });

  test('a record the mapping rejects is left out and counted, not fatal', async () => {
    const { immunizations } = twoYearOldResources();
    const broken = { ...immunizations[0]!, status: undefined } as unknown as Immunization;
    const [card] = await cardsOf(
      patientViewCall({
        ...fullPrefetch(),
        immunizations: searchset([broken, ...immunizations.slice(1)]),
      }),
    );
    expect(card!.detail).toMatch(/1 record was left out/);
  });
});

describe('order check', () => {
  /** The two-year-old's history up to a date. */
  function historyUntil(date: string, without: string[] = []): Record<string, unknown> {
    const { patient: p, immunizations } = twoYearOldResources();
    return {
      ...fullPrefetch(),
      patient: p,
      immunizations: searchset(
        immunizations.filter((i) => i.occurrenceDateTime! <= date && !without.includes(i.id!)),
      ),
    };
  }

  function withCondition(code: string): Record<string, unknown> {
    const condition: Condition = {
      resourceType: 'Condition',
      id: `c-${code}`,
      subject: { reference: 'Patient/p1' },
      code: { coding: [{ system: 'urn:cdsi:observation', code }] },
      recordedDate: '2025-06-01',
    };
    return { ...fullPrefetch(), conditions: searchset([condition]) };
  }

  test('a valid order gets no card (HepA dose 2 for the two-year-old)', async () => {
    expect(await cardsOf(orderSignCall(['83']))).toEqual([]);
  });

  test('an order that is not a vaccine is ignored', async () => {
    const call = orderSignCall([]);
    (call.context.draftOrders.entry as unknown[]).push({
      resource: {
        resourceType: 'MedicationRequest',
        id: 'amox',
        status: 'draft',
        intent: 'order',
        subject: { reference: 'Patient/p1' },
        medicationCodeableConcept: {
          coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '308182' }],
        },
      },
    });
    expect(await cardsOf(call)).toEqual([]);
  });

  test.each<[string, string[], string, Record<string, unknown>, RegExp]>([
    [
      'too young: DTaP dose 5 before age 4',
      ['20'],
      '2026-03-20',
      fullPrefetch(),
      /younger than the minimum age; counts from 2028-03-15/,
    ],
    [
      'interval too soon: DTaP dose 2 two weeks after dose 1',
      ['20'],
      '2024-06-01',
      historyUntil('2024-06-01'),
      /too soon after the previous dose \(minimum interval\); counts from 2024-06-14/,
    ],
    [
      'live-virus conflict: varicella 11 days after MMR',
      ['21'],
      '2025-04-01',
      historyUntil('2025-04-01', ['var-1']),
      /live-virus conflict window/,
    ],
    [
      'series complete: HepB after three valid doses',
      ['08'],
      '2026-03-20',
      fullPrefetch(),
      /series already complete/,
    ],
    [
      'immune: varicella with a verified history of varicella',
      ['21'],
      '2026-03-20',
      withCondition('024'),
      /evidence of immunity/,
    ],
    [
      'contraindicated: HepA after a severe allergic reaction to HepA',
      ['83'],
      '2026-03-20',
      withCondition('096'),
      /contraindication/,
    ],
  ])('warns when the dose would not count — %s', async (_name, codes, today, prefetch, why) => {
    const cards = await cardsOf(orderSignCall(codes, prefetch), today);
    expect(cards).toHaveLength(1);
    const card = cards[0]!;
    expect(card.indicator).toBe('warning');
    expect(card.summary).toMatch(why);
    expect(card.summary).not.toContain('\n');
    expect(card.overrideReasons!.length).toBeGreaterThan(0);
    expect(card.selectionBehavior).toBe('at-most-one');
    expect(card.suggestions![0]!.actions![0]).toMatchObject({
      type: 'delete',
      resourceId: 'MedicationRequest/order-1',
    });
    expectSpecCard(card);
  });

  test('order-select checks only the newly selected orders', async () => {
    const call = orderSignCall(['83', '20']);
    const select = {
      ...call,
      hook: 'order-select',
      context: { ...call.context, selections: ['MedicationRequest/order-1'] },
    };
    expect(await cardsOf(select)).toEqual([]);
    select.context.selections = ['MedicationRequest/order-2'];
    expect((await cardsOf(select)).map((c) => c.summary)).toEqual([
      expect.stringMatching(/^DTaP\/Tdap\/Td dose would not count/),
    ]);
  });

  test('a hook the service does not answer is a 400', async () => {
    const failure = await handleHookCall(
      'immunization-order-check',
      patientViewCall(fullPrefetch()),
      deps(),
    ).catch((e: unknown) => e);
    expect((failure as OperationOutcomeError).status).toBe(400);
  });
});

describe('feedback', () => {
  test('accepts the spec examples', () => {
    expect(
      readFeedback({
        feedback: [
          {
            card: 'c1',
            outcome: 'accepted',
            acceptedSuggestions: [{ id: 's1' }],
            outcomeTimestamp: '2021-12-11T10:05:31Z',
          },
          {
            card: 'c2',
            outcome: 'overridden',
            overrideReason: {
              reason: { code: 'd7ecf885', system: 'https://example.com' },
              userComment: 'x',
            },
            outcomeTimestamp: '2020-12-11T00:00:00Z',
          },
        ],
      }),
    ).toHaveLength(2);
  });

  test.each([
    [
      'an unknown outcome',
      { card: 'c', outcome: 'ignored', outcomeTimestamp: '2020-12-11T00:00:00Z' },
    ],
    [
      'accepted without acceptedSuggestions',
      { card: 'c', outcome: 'accepted', outcomeTimestamp: '2020-12-11T00:00:00Z' },
    ],
    [
      'an empty overrideReason',
      {
        card: 'c',
        outcome: 'overridden',
        overrideReason: {},
        outcomeTimestamp: '2020-12-11T00:00:00Z',
      },
    ],
    [
      'a timestamp that is not RFC 3339 UTC',
      { card: 'c', outcome: 'overridden', outcomeTimestamp: '11/12/2020' },
    ],
  ])('refuses %s', (_name, entry) => {
    expect(() => readFeedback({ feedback: [entry] })).toThrow(OperationOutcomeError);
  });
});

// ---------------------------------------------------------------------------------------------

function fhirAccess() {
  return {
    fhirServer: 'https://ehr.example.org/fhir',
    fhirAuthorization: {
      access_token: 'opaque-token',
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'patient/*.read',
      subject: 'cds-client',
    },
  };
}

/** A reader answering searches from a table (`next` for the pages after a Bundle). */
function recordingReader(table: Record<string, Resource[]>): FhirReader & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    read: (_a, url) => {
      calls.push(url);
      return Promise.resolve(table[url]?.[0] ?? null);
    },
    search: (_a, url) => {
      calls.push(url);
      return Promise.resolve(table[url] ?? []);
    },
    nextPages: () => {
      calls.push('next');
      return Promise.resolve(table['next'] ?? []);
    },
  } as FhirReader & { calls: string[] };
}

function failingReader(): FhirReader & { calls: string[] } {
  const calls: string[] = [];
  const fail = (url: string) => {
    calls.push(url);
    return Promise.reject(new Error('no'));
  };
  return {
    calls,
    read: (_a, u) => fail(u),
    search: (_a, u) => fail(u),
    nextPages: () => fail('next'),
  };
}

describe('patient-view card when the rule set has no season covering today', () => {
  const caveat =
    'Rule set cdc-cdsi@4.64 has no Influenza season covering 2026-11-20 (its last season ran ' +
    '2025-07-01 to 2026-06-30): the Influenza forecast says the season has ended. Load newer ' +
    'CDC supporting data.';

  test('in season the card has no season caveat', async () => {
    const [card] = await cardsOf(patientViewCall(fullPrefetch()));
    expect(card!.detail).not.toContain('Season data out of date');
  });

  test('after the influenza season end the card says so first, for Influenza only', async () => {
    const [card] = await cardsOf(patientViewCall(fullPrefetch()), '2026-11-20');
    expectSpecCard(card!);
    const detail = card!.detail!;
    expect(detail).toContain(`#### Season data out of date\n\n- ${caveat}`);
    expect(detail.indexOf('Season data out of date')).toBeLessThan(detail.indexOf('#### HepA'));
    // The two-year-old is past the infant RSV series' maximum age: newer dates would not help.
    expect(detail).not.toContain('no RSV season');
  });

  test('with nothing else due, a warning card carries the caveat (no card would read as up to date)', () => {
    const read = readForecastRequest(twoYearOld(), catalog);
    if (!read.ok) throw new Error('request not read');
    const full = forecast(
      read.request.history,
      read.request.ruleSet,
      CalendarDate.parse('2026-11-20'),
    );
    // Only the Influenza group, as if every other vaccine were up to date.
    const result = {
      ...full,
      vaccineGroups: full.vaccineGroups.filter((g) => g.vaccineGroup === 'Influenza'),
    };
    const ctx = {
      publicBaseUrl: 'https://cds.example.org',
      patientId: 'p1',
      ruleSet: read.request.ruleSet,
      newId: () => '00000000-0000-4000-8000-000000000001',
    };
    expect(forecastCard(result, ctx)).toBeUndefined();
    const card = forecastCard(
      result,
      ctx,
      [],
      seasonCaveats(result, read.request.ruleSet, read.request.history.birthDate),
    );
    expectSpecCard(card!);
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toBe(
      'Influenza not forecast: rule set cdc-cdsi@4.64 has no season covering today',
    );
    expect(card!.detail).toContain(caveat);
    expect(card!.suggestions).toBeUndefined();
  });
});
