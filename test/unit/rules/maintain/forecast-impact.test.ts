import { loadConformanceRuleSet } from '../../../../src/conformance/engine-binding';
import type { RuleSet } from '../../../../src/engine/rule-set';
import {
  describeOutcomeChange,
  forecastImpact,
  formatImpact,
} from '../../../../src/rules/maintain/forecast-impact';
import { loadImpactInputs, type ImpactInput } from '../../../../src/rules/maintain/histories';
import { RULES_ROOT, VERSION } from '../rules-fixture';
import { HISTORIES } from './variant';

let rules: RuleSet;
let inputs: ImpactInput[];
beforeAll(() => {
  rules = loadConformanceRuleSet(RULES_ROOT, VERSION);
  inputs = loadImpactInputs([HISTORIES]);
});

describe('forecastImpact', () => {
  it('finds no change between a rule set and itself, and reports progress per patient', () => {
    const progress: number[] = [];
    const report = forecastImpact(inputs, rules, rules, {
      onProgress: (done) => progress.push(done),
    });
    expect(report).toEqual({ inputs: 4, vaccineGroups: 'all', changed: [] });
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(formatImpact(report)).toBe(
      'Forecast impact: 0 of 4 patients change (all vaccine groups)',
    );
  });

  it('runs nothing when no vaccine group can change', () => {
    const broken = {} as RuleSet;
    expect(forecastImpact(inputs, rules, broken, { vaccineGroups: [] }).changed).toEqual([]);
  });

  it('reports a rule set the engine cannot run as a change of every patient', () => {
    const broken = { ...rules, vaccineGroups: undefined } as unknown as RuleSet;
    const report = forecastImpact(inputs.slice(0, 1), rules, broken);
    expect(report.changed).toHaveLength(1);
    const change = report.changed[0]!.changes[0]!;
    expect(change.what).toBe('run');
    expect(change.before).toBe('ran');
    expect(change.after).toMatch(/^engine error: TypeError: /);
  });

  it('words a change as group: what: before → after', () => {
    expect(
      describeOutcomeChange({
        vaccineGroup: 'MMR',
        what: 'earliest date',
        before: null,
        after: '2021-03-12',
      }),
    ).toBe('MMR: earliest date: none → 2021-03-12');
    expect(describeOutcomeChange({ what: 'dose 3 not used', before: 'x', after: null })).toBe(
      'dose 3 not used: x → none',
    );
  });
});
