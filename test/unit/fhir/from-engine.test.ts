/**
 * The output writer shares the constant parts of an answer (coded concepts of statuses, reasons,
 * date criteria, target diseases and vaccines) between answers. These tests check that what is
 * shared is keyed by everything it depends on: two rule sets, code tables or statuses that differ
 * give different concepts in the same process, in any order.
 */
import type {
  CodeableConcept,
  ImmunizationEvaluation,
  ImmunizationRecommendation,
  ImmunizationRecommendationRecommendation,
  Parameters,
} from 'fhir/r4';
import { CalendarDate } from '../../../src/calendar';
import type {
  ForecastResult,
  Reason,
  SeriesStatus,
  VaccineGroupResult,
} from '../../../src/engine/model';
import { explainReason } from '../../../src/engine/explain-reason';
import { reason } from '../../../src/engine/reasons';
import { canonicalCvx, type RuleSet } from '../../../src/engine/rule-set';
import {
  parametersJson,
  parseOutput,
  writeForecastOutput,
  type EvaluationLayout,
  type ForecastOutput,
} from '../../../src/fhir/from-engine';
import type { CodeTables } from '../../../src/rules/codes/types';
import { antigen, ruleSet, series } from '../engine/support/rule-set-builder';

const day = (text: string): CalendarDate => CalendarDate.parse(text);

/** A rule set whose vaccine group "G" holds `antigenName`, and whose CVX 03 is `description`. */
function ruleSetWith(antigenName: string, description: string, id: string): RuleSet {
  const rs = ruleSet({
    antigens: [antigen(antigenName, { series: [series({ antigen: antigenName, doses: [] })] })],
    groups: [{ name: 'G', administerFullVaccineGroup: false, antigens: [antigenName] }],
    vaccineTypes: [{ cvx: canonicalCvx('03'), shortDescription: description, associations: [] }],
  });
  return { ...rs, id };
}

const DOSE_DATE = day('2024-01-10');

function group(parts: {
  status: SeriesStatus;
  reasons?: readonly Reason[];
  doseReasons?: readonly Reason[];
  earliest?: string;
  pastDue?: string;
}): VaccineGroupResult {
  const doseEvaluation = {
    doseId: 'd1',
    dateAdministered: DOSE_DATE,
    cvx: '03',
    antigen: 'Measles',
    status: 'Not Valid' as const,
    reasons: parts.doseReasons ?? [],
  };
  return {
    vaccineGroup: 'G',
    status: parts.status,
    doseEvaluations:
      parts.doseReasons === undefined ? [] : [{ ...doseEvaluation, byAntigen: [doseEvaluation] }],
    ...(parts.earliest === undefined
      ? {}
      : {
          forecast: {
            doseNumber: 1,
            earliestDate: day(parts.earliest),
            recommendedDate: day(parts.earliest),
            ...(parts.pastDue === undefined ? {} : { pastDueDate: day(parts.pastDue) }),
            recommendedVaccines: ['03'],
          },
        }),
    antigens: [
      {
        antigen: 'Measles',
        seriesName: 'Measles 2-dose series',
        status: parts.status,
        doseEvaluations: parts.doseReasons === undefined ? [] : [doseEvaluation],
        reasons: parts.reasons ?? [],
      },
    ],
    reasons: parts.reasons ?? [],
  };
}

function write(
  rs: RuleSet,
  vaccineGroup: VaccineGroupResult | readonly VaccineGroupResult[],
  codes?: CodeTables,
  assessmentDate = '2025-01-01',
  layout?: EvaluationLayout,
): ForecastOutput {
  const result: ForecastResult = {
    assessmentDate: day(assessmentDate),
    ruleSet: rs.id,
    vaccineGroups: Array.isArray(vaccineGroup) ? vaccineGroup : [vaccineGroup],
    unusedDoses: [],
  };
  return writeForecastOutput(
    result,
    {
      ruleSet: rs,
      ...(codes === undefined ? {} : { codes }),
      patientReference: 'Patient/p',
      doseExpressions: new Map(),
      notes: [],
    },
    { recommendation: 'recommendation', evaluationPrefix: 'evaluation-' },
    layout,
  );
}

function output(
  rs: RuleSet,
  vaccineGroup: VaccineGroupResult,
  codes?: CodeTables,
  assessmentDate = '2025-01-01',
): Parameters {
  return parseOutput(write(rs, vaccineGroup, codes, assessmentDate));
}

function recommendationOf(p: Parameters): ImmunizationRecommendationRecommendation {
  const resource = p.parameter?.find((x) => x.name === 'recommendation')?.resource as
    ImmunizationRecommendation | undefined;
  const rec = resource?.recommendation[0];
  if (rec === undefined) {
    throw new Error('no recommendation');
  }
  return rec;
}

function evaluationOf(p: Parameters): ImmunizationEvaluation {
  const resource = p.parameter?.find((x) => x.name === 'evaluation')?.resource;
  if (resource?.resourceType !== 'ImmunizationEvaluation') {
    throw new Error('no evaluation');
  }
  return resource as ImmunizationEvaluation;
}

const codesOf = (c: CodeableConcept | undefined) => c?.coding?.map((x) => x.code);

/** Code tables with just a CVX 03 entry. */
function codeTables(description: string): CodeTables {
  return { cvx: new Map([['03', { shortDescription: description }]]) } as unknown as CodeTables;
}

describe('writeForecastOutput: shared constant parts', () => {
  it('gives each rule set its own vaccine group target diseases, vaccine displays and rule-set stamp', () => {
    const measles = ruleSetWith('Measles', 'MMR', 'cdc-cdsi@1');
    const mumps = ruleSetWith('Mumps', 'mumps vaccine', 'cdc-cdsi@2');
    const g = group({ status: 'Not Complete', earliest: '2025-02-01' });
    for (let i = 0; i < 2; i++) {
      const a = output(measles, g);
      const b = output(mumps, g);
      expect(recommendationOf(a).targetDisease?.coding?.map((c) => c.display)).toEqual(['Measles']);
      expect(recommendationOf(b).targetDisease?.coding?.map((c) => c.display)).toEqual(['Mumps']);
      expect(recommendationOf(a).vaccineCode?.[0]?.coding?.[0]?.display).toBe('MMR');
      expect(recommendationOf(b).vaccineCode?.[0]?.coding?.[0]?.display).toBe('mumps vaccine');
      expect(a.meta?.tag?.[0]?.code).toBe('cdc-cdsi@1');
      expect(b.meta?.tag?.[0]?.code).toBe('cdc-cdsi@2');
    }
  });

  it('takes vaccine displays from the code tables given, per code tables', () => {
    const rs = ruleSetWith('Measles', 'from the rule set', 'cdc-cdsi@1');
    const g = group({ status: 'Not Complete', earliest: '2025-02-01' });
    const display = (codes?: CodeTables) =>
      recommendationOf(output(rs, g, codes)).vaccineCode?.[0]?.coding?.[0]?.display;
    expect(display(codeTables('from tables A'))).toBe('from tables A');
    expect(display(codeTables('from tables B'))).toBe('from tables B');
    expect(display()).toBe('from the rule set');
  });

  it('codes the forecast status by status and by timing', () => {
    const rs = ruleSetWith('Measles', 'MMR', 'cdc-cdsi@1');
    const overdue = group({
      status: 'Not Complete',
      earliest: '2024-06-01',
      pastDue: '2024-09-01',
    });
    const due = group({ status: 'Not Complete', earliest: '2024-06-01', pastDue: '2025-09-01' });
    const early = group({ status: 'Not Complete', earliest: '2025-06-01' });
    const complete = group({ status: 'Complete' });
    expect(codesOf(recommendationOf(output(rs, overdue)).forecastStatus)).toEqual([
      'notComplete',
      'overdue',
    ]);
    expect(codesOf(recommendationOf(output(rs, due)).forecastStatus)).toEqual([
      'notComplete',
      'due',
    ]);
    expect(codesOf(recommendationOf(output(rs, early)).forecastStatus)).toEqual(['notComplete']);
    expect(codesOf(recommendationOf(output(rs, complete)).forecastStatus)).toEqual([
      'complete',
      'complete',
    ]);
    expect(recommendationOf(output(rs, complete)).forecastStatus.text).toBe('Complete');
  });

  it('explains a reason with its own numbers, not those of an earlier answer', () => {
    const rs = ruleSetWith('Measles', 'MMR', 'cdc-cdsi@1');
    const tooYoung = (minimumAgeDate: string) =>
      evaluationOf(
        output(
          rs,
          group({
            status: 'Not Complete',
            earliest: '2025-02-01',
            doseReasons: [
              reason('age-too-young', { minimumAge: '1 year', minimumAgeDate, daysEarly: '10' }),
            ],
          }),
        ),
      ).doseStatusReason?.[0]?.text;
    const first = tooYoung('2024-03-01');
    const second = tooYoung('2024-05-01');
    expect(first).toContain('2024-03-01');
    expect(second).toContain('2024-05-01');
    expect(second).not.toContain('2024-03-01');
  });

  it('writes the text of a reason with details whole, escaped, whatever its characters', () => {
    const rs = ruleSetWith('Measles', 'MMR', 'cdc-cdsi@1');
    const details = reason('series-already-complete', {
      series: 'Série "standard" \\ 2',
      completedDate: '2024-03-01',
    });
    const out = write(rs, group({ status: 'Complete', doseReasons: [details] }));
    expect(/[^\x20-\x7e]/.test(out.evaluations)).toBe(false); // ASCII: non-ASCII is written as \uXXXX
    const parsed = (parseOutput(out).parameter?.[0]?.resource as ImmunizationEvaluation)
      .doseStatusReason?.[0];
    expect(parsed?.text).toBe(explainReason(details));
    expect(parsed?.text).toBe(
      'Series Already Complete — the Série "standard" \\ 2 was already complete on 2024-03-01; this dose was not needed',
    );
    expect(parsed?.coding?.map((c) => c.code)).toContain('series-already-complete');
  });

  it('gives every caller its own answer: changing one cannot change the next', () => {
    const rs = ruleSetWith('Measles', 'MMR', 'cdc-cdsi@1');
    const g = group({
      status: 'Not Complete',
      earliest: '2025-02-01',
      reasons: [reason('series-complete')],
      doseReasons: [reason('live-virus-conflict')],
    });
    const first = output(rs, g);
    const before = JSON.stringify(first);
    const rec = recommendationOf(first);
    const shared = [
      rec.forecastStatus,
      rec.targetDisease,
      rec.vaccineCode?.[0],
      rec.forecastReason?.[0],
      rec.dateCriterion?.[0]?.code,
      evaluationOf(first).doseStatus,
      evaluationOf(first).targetDisease,
      evaluationOf(first).doseStatusReason?.[0],
    ];
    for (const concept of shared) {
      (concept as { text?: string }).text = 'changed';
    }
    first.meta = { tag: [{ code: 'changed' }] };
    const second = JSON.stringify(output(rs, g));
    expect(second).toBe(before);
    expect(second).not.toContain('changed');
  });
});

describe('writeForecastOutput: texts written once per status and reasons', () => {
  it("writes each dose's own reasons, whatever reasons an earlier dose of the same status had", () => {
    const rs = ruleSetWith('Measles', 'MMR', 'cdc-cdsi@1');
    const conflict = reason('live-virus-conflict');
    const tooSoon = reason('interval-too-soon');
    const lists: Reason[][] = [[], [conflict], [conflict, tooSoon], [tooSoon], [tooSoon, conflict]];
    for (let round = 0; round < 2; round++) {
      for (const doseReasons of lists) {
        const out = output(rs, group({ status: 'Not Complete', doseReasons }));
        const codes = doseReasons.map((r) => r.code);
        const evaluationCodes = (evaluationOf(out).doseStatusReason ?? []).map(
          (c) => c.coding?.find((x) => x.system === 'urn:cdsi:reason')?.code,
        );
        expect(evaluationCodes).toEqual(codes);
        // The group's own evaluation of the dose (extension) says the same.
        const groupDose = recommendationOf(out).extension?.[0]?.extension ?? [];
        const groupCodes = groupDose
          .filter((x) => x.url === 'doseStatusReason')
          .map((x) => x.valueCodeableConcept?.coding?.find((c) => c.system === 'urn:cdsi:reason'));
        expect(groupCodes.map((c) => c?.code)).toEqual(codes);
      }
    }
  });

  it("writes a group's forecast reasons per list of reasons", () => {
    const rs = ruleSetWith('Measles', 'MMR', 'cdc-cdsi@1');
    const forecastReasons = (reasons: Reason[]) =>
      (
        recommendationOf(output(rs, group({ status: 'Complete', reasons }))).forecastReason ?? []
      ).map((c) => c.coding?.find((x) => x.system === 'urn:cdsi:reason')?.code);
    expect(forecastReasons([reason('series-complete')])).toEqual(['series-complete']);
    expect(forecastReasons([reason('series-complete'), reason('aged-out')])).toEqual([
      'series-complete',
      'aged-out',
    ]);
    expect(forecastReasons([])).toEqual([]);
  });
});

describe('writeForecastOutput: layout of the evaluations', () => {
  const rs = ruleSetWith('Measles', 'MMR', 'cdc-cdsi@1');
  // Two groups: one with a dose and a forecast, one with nothing more than its status.
  const groups = [
    group({ status: 'Not Complete', earliest: '2025-02-01', doseReasons: [] }),
    { ...group({ status: 'Immune' }), vaccineGroup: 'H' },
  ];

  it('writes one evaluation per line for a bulk run: the evaluations of the Parameters', () => {
    const lines = write(rs, groups, undefined, '2025-01-01', 'lines');
    const parameters = write(rs, groups, undefined, '2025-01-01', 'parameters');
    expect(lines.evaluationCount).toBe(1);
    expect(lines.evaluations.endsWith('\n')).toBe(true);
    const parsed = lines.evaluations
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as ImmunizationEvaluation);
    const fromParameters = parseOutput(parameters)
      .parameter?.filter((p) => p.name === 'evaluation')
      .map((p) => p.resource);
    expect(parsed).toEqual(fromParameters);
    expect(parsed[0]?.id).toBe('evaluation-1');
    // The recommendation is the same text in both layouts; it names the evaluation it rests on.
    expect(lines.recommendation).toBe(parameters.recommendation);
    const recommendation = JSON.parse(lines.recommendation) as ImmunizationRecommendation;
    expect(recommendation.recommendation.map((r) => r.forecastStatus.text)).toEqual([
      'Not Complete',
      'Immune',
    ]);
    expect(recommendation.recommendation[0]?.supportingImmunization).toEqual([
      { reference: 'ImmunizationEvaluation/evaluation-1' },
    ]);
  });

  it('refuses to make the output Parameters of evaluations written as lines', () => {
    expect(() => parametersJson(write(rs, groups, undefined, '2025-01-01', 'lines'))).toThrow(
      /written as lines/,
    );
  });
});
