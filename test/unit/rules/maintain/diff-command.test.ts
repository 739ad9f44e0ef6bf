import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runRulesCli } from '../../../../src/cli/rules-cli';
import type { RawScheduleFile } from '../../../../src/rules/raw-types';
import {
  capture,
  CASES,
  HISTORIES,
  LONGER_MEASLES_INTERVAL,
  variants,
  type Variants,
} from './variant';

/**
 * `cdsi-rules diff`: a changed interval shows up in the table diff, and the forecast impact names
 * exactly the patients (CDC-format cases and patient histories) whose results change.
 */
describe('cdsi-rules diff', () => {
  let v: Variants;
  let wa: string;
  beforeAll(() => {
    v = variants();
    wa = v.variant('4.64-wa', LONGER_MEASLES_INTERVAL);
  });
  afterAll(() => {
    v.cleanup();
  });

  it('shows the changed interval and the cases it affects, with before → after, and exits 1', () => {
    const c = capture();
    expect(runRulesCli(['diff', v.base, wa, '--cases', CASES, HISTORIES], c.io)).toBe(1);
    const out = c.stdout();
    expect(out).toContain(
      [
        `old: cdc-cdsi@4.64 (${v.base}) — CDC supporting data 4.64, released 2025-11-10`,
        `new: cdc-cdsi@4.64-wa (${wa}) — local variant of 4.64`,
        '',
        'Rule tables: 2 changes',
        '  Measles',
        '    Measles 2-dose series / Dose 2 / interval from previous dose: absolute minimum interval 4 weeks - 4 days → 8 weeks - 4 days',
        '    Measles 2-dose series / Dose 2 / interval from previous dose: minimum interval 4 weeks → 8 weeks',
        '',
        'Forecast impact: 4 of 8 patients change (vaccine groups MMR)',
        '  FIX-MMR-1  [cases.jsonl; MMR; CDC expectation: pass → FAIL]',
        '    MMR: status: Complete → Not Complete',
        '    MMR: dose 2 (2021-02-01, CVX 03): Valid → Not Valid (Interval: too Soon)',
        '    MMR: forecast dose number: none → 2',
      ].join('\n'),
    );
    expect(out).toContain(
      [
        '  FIX-MMR-2  [cases.jsonl; MMR; CDC expectation: pass → FAIL]',
        '    MMR: earliest date: 2021-02-12 → 2021-03-12',
        '  child-mmr-one-dose  [histories.jsonl]',
        '    MMR: earliest date: 2021-02-12 → 2021-03-12',
        '  child-mmr-two-doses-5-weeks-apart  [histories.jsonl]',
        '    MMR: status: Complete → Not Complete',
        '    MMR: dose 2 (2021-02-05, CVX 94): Valid (Allowable Vaccine) → Not Valid (Interval: too Soon)',
      ].join('\n'),
    );
    for (const unaffected of ['FIX-VAR-1', 'FIX-HEPB-1', 'child-dtap-three-doses']) {
      expect(out).not.toContain(unaffected);
    }
    expect(out.endsWith('CHANGED')).toBe(true);
  });

  it('prints the same diff as JSON, and only JSON, on stdout', () => {
    const c = capture();
    expect(runRulesCli(['diff', v.base, wa, CASES, '--json', '--progress'], c.io)).toBe(1);
    expect(c.out).toHaveLength(1);
    const json = JSON.parse(c.out[0]!) as {
      old: { ruleSet: string };
      new: { ruleSet: string; derivedFrom: string };
      changed: boolean;
      tables: {
        changes: { area: string; series: string; dose: string; field: string; text: string }[];
      };
      impact: {
        inputs: number;
        vaccineGroups: string[];
        changed: {
          id: string;
          conformance: object;
          changes: {
            vaccineGroup: string;
            what: string;
            before: string | null;
            after: string | null;
          }[];
        }[];
      };
    };
    expect(json).toMatchObject({
      old: { ruleSet: 'cdc-cdsi@4.64' },
      new: { ruleSet: 'cdc-cdsi@4.64-wa', derivedFrom: '4.64' },
      changed: true,
    });
    expect(json.tables.changes[1]).toEqual({
      kind: 'changed',
      area: 'Measles',
      series: 'Measles 2-dose series',
      dose: 'Dose 2',
      path: ['interval from previous dose'],
      field: 'minimum interval',
      before: '4 weeks',
      after: '8 weeks',
      text: 'Measles / Measles 2-dose series / Dose 2 / interval from previous dose: minimum interval 4 weeks → 8 weeks',
    });
    expect(json.impact.inputs).toBe(4);
    expect(json.impact.vaccineGroups).toEqual(['MMR']);
    expect(json.impact.changed.map((x) => x.id)).toEqual(['FIX-MMR-1', 'FIX-MMR-2']);
    expect(json.impact.changed[1]).toMatchObject({
      conformance: { before: true, after: false },
      changes: [
        { vaccineGroup: 'MMR', what: 'earliest date', before: '2021-02-12', after: '2021-03-12' },
      ],
    });
    expect(c.progress.join('')).toMatch(
      /running 4 patients on cdc-cdsi@4\.64 and cdc-cdsi@4\.64-wa: 4\/4 \(100%\)/,
    );
  });

  it('exits 0 and says so when nothing differs', () => {
    const same = v.variant('4.64-same', {});
    const c = capture();
    expect(runRulesCli(['diff', v.base, same, '--cases', HISTORIES], c.io)).toBe(0);
    expect(c.stdout()).toContain(
      'Rule tables: no changes\n\nForecast impact: 0 of 4 patients change (no vaccine group can change)',
    );
    expect(c.stdout().endsWith('no difference')).toBe(true);
  });

  it('compares the tables only with --tables-only', () => {
    const c = capture();
    expect(runRulesCli(['diff', v.base, wa, '--tables-only'], c.io)).toBe(1);
    expect(c.stdout()).not.toContain('Forecast impact');
    expect(c.stdout()).toContain('Rule tables: 2 changes');
  });

  it('runs every vaccine group when the schedule changes', () => {
    const groups = (
      JSON.parse(readFileSync(join(v.base, 'schedule.json'), 'utf8')) as RawScheduleFile
    ).scheduleSupportingData.vaccineGroups.vaccineGroup!;
    const mmr = groups.findIndex((g) => g.name === 'MMR');
    const schedule = v.variant('4.64-sched', {
      'schedule.json': {
        [`/scheduleSupportingData/vaccineGroups/vaccineGroup/${mmr}/administerFullVaccineGroup`]:
          'No',
      },
    });
    const c = capture();
    expect(runRulesCli(['diff', v.base, schedule, '--cases', HISTORIES], c.io)).toBe(1);
    expect(c.stdout()).toContain(
      '  Schedule\n    vaccine group MMR: administer full vaccine group Yes → No',
    );
    expect(c.stdout()).toMatch(/Forecast impact: \d+ of 4 patients change \(all vaccine groups\)/);
  });
});
