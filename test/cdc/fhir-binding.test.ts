import { join } from 'node:path';
import type { ImmunizationRecommendation, Observation, Parameters } from 'fhir/r4';
import { runCaseWith } from '../../src/conformance/compare';
import {
  bindFhirPath,
  caseToParameters,
  FhirReadBackError,
  readForecastResult,
} from '../../src/conformance/fhir-binding';
import { assessmentDateOf, toPatientHistory } from '../../src/conformance/to-history';
import { forecast } from '../../src/engine';
import type { ForecastResult } from '../../src/engine/model';
import { immdsForecast } from '../../src/fhir/immds-forecast';
import { findRepoRoot } from '../../src/rules/repo-root';
import { loadRuleCatalog } from '../../src/rules/rule-catalog';
import { fhirValidator } from '../support/fhir-schema';
import { cdcCase, cdcDose } from './case-builders';

const catalog = loadRuleCatalog(join(findRepoRoot(__dirname), 'rules'), '4.64');
const ruleSet = catalog.get('4.64')!;

const synthetic = cdcCase({
  set: 'underlying-conditions',
  doses: [
    cdcDose({ doseNumber: 1, date: '2020-03-01', cvx: '20', mvx: 'SKB' }),
    cdcDose({ doseNumber: 2, date: '2020-05-01', cvx: '20', mvx: null }),
  ],
  observations: [
    { code: '042', text: 'Smoke cigarettes', date: null },
    { code: '007', text: 'Pregnant', date: '2020-04-01' },
  ],
});

function answerTo(request: Parameters): Parameters {
  const [outcome, out] = immdsForecast(request, { catalog });
  if (out === undefined) {
    throw new Error(JSON.stringify(outcome));
  }
  return out;
}

/** What the comparator reads, without the parts the FHIR answer does not carry. */
function comparable(r: ForecastResult) {
  return {
    assessmentDate: r.assessmentDate.toString(),
    ruleSet: r.ruleSet,
    unusedDoses: r.unusedDoses.map((u) => [u.doseId, u.reason.code, u.reason.text]),
    groups: r.vaccineGroups.map((g) => ({
      group: g.vaccineGroup,
      status: g.status,
      doses: g.doseEvaluations.map((d) => [
        d.doseId,
        d.dateAdministered.toString(),
        d.status,
        d.reasons.map((x) => [x.code, x.text]),
        d.byAntigen.map((a) => [a.antigen, a.status, a.targetDoseNumber]),
      ]),
      forecast:
        g.forecast === undefined
          ? null
          : {
              doseNumber: g.forecast.doseNumber,
              earliest: g.forecast.earliestDate.toString(),
              recommended: g.forecast.recommendedDate.toString(),
              pastDue: g.forecast.pastDueDate?.toString(),
              latest: g.forecast.latestDate?.toString(),
              vaccines: g.forecast.recommendedVaccines,
            },
      reasons: g.reasons.map((x) => [x.code, x.text]),
    })),
  };
}

describe('caseToParameters', () => {
  const request = caseToParameters(synthetic, '4.64');

  test('builds a valid FHIR request', () => {
    expect(fhirValidator().errors(request)).toEqual([]);
  });

  test('gives the doses the ids the comparator expects, with CVX and MVX', () => {
    const imms = request.parameter!.filter((p) => p.name === 'immunization');
    expect(imms.map((p) => p.resource)).toEqual([
      expect.objectContaining({
        id: '1',
        occurrenceDateTime: '2020-03-01',
        manufacturer: { identifier: { system: 'http://hl7.org/fhir/sid/mvx', value: 'SKB' } },
      }),
      expect.not.objectContaining({ manufacturer: expect.anything() as unknown }) as unknown,
    ]);
  });

  test('sends an undated observation as a valueCoding and a dated one as an Observation', () => {
    const obs = request.parameter!.filter((p) => p.name === 'observation');
    expect(obs[0]).toEqual({
      name: 'observation',
      valueCoding: { system: 'urn:cdsi:observation', code: '042', display: 'Smoke cigarettes' },
    });
    expect((obs[1]!.resource as Observation).effectiveDateTime).toBe('2020-04-01');
  });
});

describe('readForecastResult', () => {
  test("reads back what the engine answered, dose evaluations combined per group as the engine's", () => {
    const request = caseToParameters(synthetic, '4.64');
    const direct = forecast(toPatientHistory(synthetic), ruleSet, assessmentDateOf(synthetic));
    const viaFhir = readForecastResult(request, answerTo(request));
    const expected = comparable(direct);
    // The FHIR answer does not carry the rule ids of reasons, nor the per-antigen series results.
    expect(comparable(viaFhir)).toEqual(expected);
  });

  test('refuses an answer whose forecastStatus code and text disagree', () => {
    const request = caseToParameters(synthetic, '4.64');
    // A copy, as a client has it: the answer's constant concepts are shared and frozen.
    const out = structuredClone(answerTo(request));
    const rec = out.parameter!.find((p) => p.name === 'recommendation')!
      .resource as ImmunizationRecommendation;
    rec.recommendation[0]!.forecastStatus.text = 'Complete';
    expect(() => readForecastResult(request, out)).toThrow(FhirReadBackError);
  });
});

describe('bindFhirPath', () => {
  test('a case the operation rejects fails with the operation’s reasons', () => {
    const solve = bindFhirPath(catalog, '4.64');
    const result = runCaseWith(cdcCase({ assessmentDate: '2019-01-01' }), solve);
    expect(result.passed).toBe(false);
    expect(result.error).toMatch(
      /^Error: the FHIR operation rejected the case: Patient\.birthDate is after the assessmentDate at Parameters\.parameter\[1\]\.resource\.birthDate/,
    );
  });
});
