import type {
  ImmunizationEvaluation,
  OperationDefinition,
  Parameters,
  ParametersParameter,
} from 'fhir/r4';
import { CalendarDate } from '../../src/calendar';
import { forecast } from '../../src/engine';
import type { DoseEvaluation } from '../../src/engine/model';
import { EXT_GROUP_DOSE_EVALUATION, SYSTEM } from '../../src/fhir/codes';
import {
  CAPABILITY_STATEMENT,
  IMMDS_FORECAST_OPERATION,
  immdsForecast,
  ruleSetOf,
} from '../../src/fhir/immds-forecast';
import { readForecastRequest } from '../../src/fhir/to-engine';
import { fhirValidator } from '../support/fhir-schema';
import {
  committedCatalog,
  cvx,
  datesOf,
  evaluationsOf,
  fixture,
  groupOf,
  imm,
  immunization,
  informationOf,
  outParams,
  patient,
  recommendationOf,
  request,
  twoYearOld,
} from './builders';

const catalog = committedCatalog();
const ruleSet = catalog.get(catalog.defaultVersion)!;
const validator = fhirValidator();

function answer(body: unknown): Parameters {
  const [outcome, parameters] = immdsForecast(body, { catalog });
  expect(outcome.issue).toEqual([
    { severity: 'information', code: 'informational', diagnostics: 'All OK' },
  ]);
  expect(validator.errors(parameters)).toEqual([]);
  return parameters!;
}

describe('the ImmDS example request', () => {
  const out = answer(fixture('immds-parameters-in-example.json'));

  test('gets exactly one recommendation and only the documented out-parameters', () => {
    expect(outParams(out, 'recommendation')).toHaveLength(1);
    const names = new Set(out.parameter!.map((p) => p.name));
    expect(
      [...names].every((n) => ['evaluation', 'recommendation', 'information'].includes(n)),
    ).toBe(true);
  });

  test('has one recommendation per CDSi vaccine group, named as in the supporting data', () => {
    const rec = recommendationOf(out);
    expect(rec.recommendation.map((r) => r.targetDisease?.text)).toEqual(
      ruleSet.vaccineGroups.map((g) => g.name),
    );
    expect(rec).toMatchObject({
      id: 'recommendation',
      patient: { reference: 'Patient/ImmDSPatientExample' },
      date: '2020-06-02',
      authority: { identifier: { system: SYSTEM.cdsiRuleSet, value: 'cdc-cdsi@4.64' } },
    });
  });

  test('evaluates the input dose for HepB, referring to the input Immunization by its id', () => {
    expect(evaluationsOf(out)).toEqual([
      expect.objectContaining({
        status: 'completed',
        patient: { reference: 'Patient/ImmDSPatientExample' },
        date: '2020-06-02',
        targetDisease: {
          coding: [{ system: SYSTEM.snomed, code: '66071002', display: 'Type B viral hepatitis' }],
          text: 'HepB',
        },
        immunizationEvent: { reference: 'Immunization/ImmDSImmunizationExample' },
        doseStatus: {
          coding: [{ system: SYSTEM.doseStatus, code: 'valid', display: 'Valid' }],
          text: 'Valid',
        },
        doseNumberPositiveInt: 1,
      }),
    ]);
  });

  test('names the rule set in a meta tag of every output resource', () => {
    const tag = {
      system: SYSTEM.cdsiRuleSet,
      code: 'cdc-cdsi@4.64',
      display: 'CDC CDSi cdc-cdsi@4.64',
    };
    expect(out.meta?.tag).toEqual([tag]);
    for (const p of out.parameter!) {
      if (p.name !== 'information') {
        expect(p.resource?.meta?.tag).toEqual([tag]);
      }
    }
    expect(ruleSetOf(out)).toBe('cdc-cdsi@4.64');
  });

  test('has no information parameter when there is nothing to say', () => {
    expect(outParams(out, 'information')).toEqual([]);
  });
});

describe("a two-year-old's routine history", () => {
  const body = twoYearOld();
  const out = answer(body);
  const read = readForecastRequest(body, catalog);
  if (!read.ok) {
    throw new Error('the two-year-old request must be valid');
  }
  const result = forecast(read.request.history, ruleSet, read.request.assessmentDate);

  test('gives one evaluation per dose and antigen, e.g. a DTaP dose for Diphtheria, Pertussis and Tetanus', () => {
    const dtap1 = evaluationsOf(out).filter(
      (e) => e.immunizationEvent.reference === 'Immunization/dtap-1',
    );
    expect(dtap1.map((e) => [e.targetDisease.text, e.targetDisease.coding?.[0]?.code])).toEqual([
      ['Diphtheria', '397428000'],
      ['Pertussis', '27836007'],
      ['Tetanus', '76902006'],
    ]);
  });

  test("matches the engine's evaluation of every dose for every antigen", () => {
    const expected = result.vaccineGroups.flatMap((g) =>
      g.antigens.flatMap((a) => a.doseEvaluations.map((e) => ({ e, series: a.seriesName }))),
    );
    const actual = evaluationsOf(out);
    expect(actual).toHaveLength(expected.length);
    expected.forEach(({ e, series }, i) => {
      expect(summary(actual[i]!)).toEqual(summaryOf(e, series));
    });
  });

  test('gives each vaccine group the combined status of each of its doses in an extension', () => {
    for (const group of result.vaccineGroups) {
      const ext = (groupOf(out, group.vaccineGroup).extension ?? []).filter(
        (x) => x.url === EXT_GROUP_DOSE_EVALUATION,
      );
      expect(
        ext.map((x) => [
          x.extension?.find((s) => s.url === 'immunizationEvent')?.valueReference?.reference,
          x.extension?.find((s) => s.url === 'doseStatus')?.valueCodeableConcept?.text,
        ]),
      ).toEqual(group.doseEvaluations.map((d) => [`Immunization/${d.doseId}`, d.status]));
    }
  });

  test('supports each recommendation with the evaluations of its own antigens', () => {
    const byId = new Map(evaluationsOf(out).map((e) => [`ImmunizationEvaluation/${e.id!}`, e]));
    const dtap = groupOf(out, 'DTaP/Tdap/Td');
    const antigens = new Set(
      dtap.supportingImmunization!.map((r) => byId.get(r.reference!)?.targetDisease.text),
    );
    expect(antigens).toEqual(new Set(['Diphtheria', 'Pertussis', 'Tetanus']));
    expect(dtap.supportingImmunization).toHaveLength(12);
  });

  test('a complete series is complete in ImmDS and base R4 terms, with the reason', () => {
    const hepb = groupOf(out, 'HepB');
    expect(hepb.forecastStatus).toEqual({
      coding: [
        { system: SYSTEM.immdsForecastStatus, code: 'complete', display: 'Complete' },
        { system: SYSTEM.recommendationStatus, code: 'complete', display: 'Complete' },
      ],
      text: 'Complete',
    });
    expect(hepb.forecastReason).toEqual([
      {
        coding: [
          { system: SYSTEM.immdsForecastReason, code: 'complete', display: 'Complete' },
          {
            system: SYSTEM.cdsiReason,
            code: 'series-complete',
            display: 'Patient series is complete',
          },
        ],
        text: 'Patient series is complete',
      },
    ]);
    expect(hepb.dateCriterion).toBeUndefined();
    expect(hepb.doseNumberPositiveInt).toBeUndefined();
  });

  test('a due dose has its dose number and the LOINC dates the engine gives, and no others', () => {
    const mmr = groupOf(out, 'MMR');
    const engine = result.vaccineGroups.find((g) => g.vaccineGroup === 'MMR')!.forecast!;
    expect(mmr.forecastStatus.coding?.map((c) => c.code)).toEqual(['notComplete', 'due']);
    expect(mmr.doseNumberPositiveInt).toBe(engine.doseNumber);
    expect(datesOf(mmr)).toEqual({
      '30981-5': engine.earliestDate.toString(),
      '30980-7': engine.recommendedDate.toString(),
      ...(engine.pastDueDate === undefined ? {} : { '59778-1': engine.pastDueDate.toString() }),
      ...(engine.latestDate === undefined ? {} : { '59777-3': engine.latestDate.toString() }),
    });
    expect(mmr.targetDisease).toEqual({
      coding: [
        { system: SYSTEM.snomed, code: '14189004', display: 'Measles' },
        { system: SYSTEM.snomed, code: '36989005', display: 'Mumps' },
        { system: SYSTEM.snomed, code: '36653000', display: 'Rubella' },
      ],
      text: 'MMR',
    });
  });
});

/** The parts of an ImmunizationEvaluation that come from the engine. */
function summary(e: ImmunizationEvaluation) {
  return {
    dose: e.immunizationEvent.reference,
    antigen: e.targetDisease.text,
    status: e.doseStatus.text,
    valid: e.doseStatus.coding?.[0]?.code,
    reasons: (e.doseStatusReason ?? []).map((r) => [
      r.text,
      r.coding?.find((c) => c.system === SYSTEM.cdsiReason)?.code,
    ]),
    series: e.series,
    doseNumber: e.doseNumberPositiveInt,
  };
}

function summaryOf(e: DoseEvaluation, series: string | undefined) {
  return {
    dose: `Immunization/${e.doseId}`,
    antigen: e.antigen,
    status: e.status,
    valid: e.status === 'Valid' ? 'valid' : 'notvalid',
    reasons: e.reasons.map((r) => [r.text, r.code]),
    series,
    doseNumber: e.targetDoseNumber,
  };
}

describe('doses that do not count', () => {
  test('a dose given too young is notvalid, with the ImmDS reason tooyoung and the CDSi wording', () => {
    const out = answer(
      request('2026-03-20', patient(), imm(immunization('mmr-early', '2024-09-15', cvx('03')))),
    );
    const measles = evaluationsOf(out).find((e) => e.targetDisease.text === 'Measles')!;
    expect(measles.doseStatus).toEqual({
      coding: [{ system: SYSTEM.doseStatus, code: 'notvalid', display: 'Not Valid' }],
      text: 'Not Valid',
    });
    expect(measles.doseStatusReason).toContainEqual({
      coding: [
        { system: SYSTEM.immdsStatusReason, code: 'tooyoung', display: 'Patient Too Young' },
        { system: SYSTEM.cdsiReason, code: 'age-too-young', display: 'Age: Too Young' },
      ],
      text: 'Age: Too Young — given 177 days before the minimum age of 12 months - 4 days (2025-03-11)',
    });
    expect(measles.doseNumberPositiveInt).toBeUndefined();
  });

  test('a dose given too soon says in plain words by how much; the codings keep the CDSi wording', () => {
    const out = answer(
      request(
        '2026-03-20',
        patient(),
        imm(immunization('hepb-1', '2024-06-01', cvx('08'))),
        imm(immunization('hepb-2', '2024-06-11', cvx('08'))),
      ),
    );
    const tooSoon = {
      coding: [
        { system: SYSTEM.immdsStatusReason, code: 'toosoon', display: 'Administered Too Soon' },
        { system: SYSTEM.cdsiReason, code: 'interval-too-soon', display: 'Interval: too Soon' },
      ],
      text:
        'Interval: too Soon — given 14 days too soon: at least 4 weeks - 4 days after the ' +
        'previous dose (2024-06-01) was needed, so not before 2024-06-25',
    };
    const second = evaluationsOf(out).find(
      (e) => e.immunizationEvent.reference === 'Immunization/hepb-2',
    )!;
    expect(second.doseStatusReason).toEqual([tooSoon]);
    // The vaccine group's own evaluation of the dose carries the same reason.
    const groupDose = groupOf(out, 'HepB').extension!.find(
      (x) =>
        x.url === EXT_GROUP_DOSE_EVALUATION &&
        x.extension?.[0]?.valueReference?.reference === 'Immunization/hepb-2',
    )!;
    expect(
      groupDose
        .extension!.filter((x) => x.url === 'doseStatusReason')
        .map((x) => x.valueCodeableConcept),
    ).toEqual([tooSoon]);
    // A valid dose has no reason at all.
    const first = evaluationsOf(out).find(
      (e) => e.immunizationEvent.reference === 'Immunization/hepb-1',
    )!;
    expect(first.doseStatusReason).toBeUndefined();
  });

  test('a dose marked isSubpotent is Sub-standard and notvalid', () => {
    const out = answer(
      request(
        '2026-03-20',
        patient(),
        imm(immunization('hepb-1', '2024-03-15', cvx('08'), { isSubpotent: true })),
      ),
    );
    expect(evaluationsOf(out)[0]!.doseStatus).toMatchObject({
      coding: [{ code: 'notvalid' }],
      text: 'Sub-standard',
    });
  });

  test('a dose the engine cannot use is named in an information warning at the input Immunization', () => {
    const out = answer(
      request('2026-03-20', patient(), imm(immunization('mystery', '2025-01-10', cvx('9999')))),
    );
    expect(evaluationsOf(out)).toEqual([]);
    expect(informationOf(out)).toEqual([
      {
        severity: 'warning',
        code: 'not-supported',
        diagnostics:
          'Immunization/mystery was not evaluated: Vaccine (CVX) is not in the CVX to antigen map',
        expression: ['Parameters.parameter[2].resource'],
        details: {
          coding: [
            {
              system: SYSTEM.cdsiReason,
              code: 'unknown-vaccine',
              display: 'Vaccine (CVX) is not in the CVX to antigen map',
            },
          ],
          text: 'Vaccine (CVX) is not in the CVX to antigen map',
        },
      },
    ]);
  });
});

describe('statuses that depend on the dates', () => {
  test('a series past its past-due date is overdue in base R4 terms', () => {
    const out = answer(request('2026-03-20', patient()));
    const hepb = groupOf(out, 'HepB');
    expect(hepb.forecastStatus.coding?.map((c) => c.code)).toEqual(['notComplete', 'overdue']);
  });

  test('evidence of immunity given as an Immunization not done (history of varicella) makes Varicella immune', () => {
    const notDone = immunization('var-history', '2025-03-21', cvx('21'), {
      status: 'not-done',
      statusReason: { coding: [{ system: SYSTEM.snomed, code: '38907003' }] },
    });
    const observation: ParametersParameter = { name: 'observation', resource: notDone };
    const out = answer(request('2026-03-20', patient(), observation));
    expect(groupOf(out, 'Varicella').forecastStatus).toMatchObject({
      coding: [
        { system: SYSTEM.immdsForecastStatus, code: 'immune' },
        { system: SYSTEM.recommendationStatus, code: 'immune' },
      ],
      text: 'Immune',
    });
  });
});

describe('errors', () => {
  test('a bad request gets only an OperationOutcome, which validates', () => {
    const result = immdsForecast({ resourceType: 'Parameters', parameter: [] }, { catalog });
    expect(result).toHaveLength(1);
    expect(validator.errors(result[0])).toEqual([]);
    expect(result[0].issue.map((i) => i.severity)).toEqual(['error', 'error']);
  });
});

describe('the OperationDefinition and CapabilityStatement', () => {
  test('are valid FHIR R4', () => {
    expect(validator.errors(IMMDS_FORECAST_OPERATION)).toEqual([]);
    expect(validator.errors(CAPABILITY_STATEMENT)).toEqual([]);
  });

  test('our operation is the ImmDS one (every ImmDS parameter unchanged) plus documented extras', () => {
    const immds = fixture('immds-operation-definition.json') as OperationDefinition;
    const pick = (p: NonNullable<OperationDefinition['parameter']>[number]) => ({
      name: p.name,
      use: p.use,
      min: p.min,
      max: p.max,
      type: p.type,
    });
    const ours = new Map((IMMDS_FORECAST_OPERATION.parameter ?? []).map((p) => [p.name, pick(p)]));
    for (const p of immds.parameter ?? []) {
      expect(ours.get(p.name)).toEqual(pick(p));
    }
    expect(IMMDS_FORECAST_OPERATION).toMatchObject({
      base: immds.url,
      code: immds.code,
      system: true,
      type: false,
      instance: false,
    });
    const extras = [...ours.keys()].filter(
      (n) => !(immds.parameter ?? []).some((p) => p.name === n),
    );
    expect(extras).toEqual(['observation', 'knowledgeBaseVersion', 'information']);
  });

  test('the CapabilityStatement names the operation by our definition', () => {
    expect(CAPABILITY_STATEMENT.rest?.[0]?.operation).toEqual([
      { name: 'immds-forecast', definition: IMMDS_FORECAST_OPERATION.url },
    ]);
  });
});

describe('assessment dates are calendar dates', () => {
  test('the output date is the assessment date exactly as given', () => {
    const out = answer(request('2026-02-28', patient()));
    expect(recommendationOf(out).date).toBe(CalendarDate.parse('2026-02-28').toString());
  });
});

describe('a rule set whose seasons have ended (the season dates are as the CDC published them)', () => {
  /** The season warnings of an answer, with the group their expression points at. */
  function seasonWarnings(out: Parameters): { group: string | undefined; text: string }[] {
    const groups = recommendationOf(out).recommendation;
    return informationOf(out)
      .filter((i) => i.code === 'business-rule')
      .map((i) => {
        expect(i.severity).toBe('warning');
        const index = /^ImmunizationRecommendation\.recommendation\[(\d+)\]$/.exec(
          i.expression?.[0] ?? '',
        );
        return { group: groups[Number(index?.[1])]?.targetDisease?.text, text: i.diagnostics! };
      });
  }

  test('no warning while the influenza season of 4.64 covers the assessment date', () => {
    const out = answer(request('2026-03-20', patient()));
    expect(groupOf(out, 'Influenza').forecastStatus.text).toBe('Not Complete');
    expect(seasonWarnings(out)).toEqual([]);
  });

  test('after the season end the forecast is left as the spec gives it, with a warning naming the group and the dates', () => {
    const out = answer(request('2026-11-22', patient()));
    expect(groupOf(out, 'Influenza').forecastStatus.text).toBe('Not Recommended');
    expect(groupOf(out, 'Influenza').forecastReason?.[0]?.text).toBe(
      'Past seasonal recommendation end date',
    );
    expect(seasonWarnings(out)).toEqual([
      {
        group: 'Influenza',
        text:
          'Rule set cdc-cdsi@4.64 has no Influenza season covering 2026-11-22 (its last season ' +
          'ran 2025-07-01 to 2026-06-30): the Influenza forecast says the season has ended. ' +
          'Load newer CDC supporting data.',
      },
    ]);
  });

  test('an infant gets the RSV warning too, with the latest RSV season', () => {
    const out = answer(request('2026-11-22', patient({ birthDate: '2026-09-01' })));
    expect(seasonWarnings(out).map((w) => w.group)).toContain('RSV');
    expect(seasonWarnings(out).find((w) => w.group === 'RSV')?.text).toContain(
      'its last season ran 2025-10-01 to 2026-03-31',
    );
  });
});
