import type { CaseResult } from '../../src/conformance/compare';
import {
  formatReport,
  formatTable,
  ratchetStatus,
  summarize,
  toJsonReport,
} from '../../src/conformance/report';

const result = (
  id: string,
  set: CaseResult['set'],
  group: string,
  passed: boolean,
): CaseResult => ({
  id,
  set,
  group,
  passed,
  differences: passed ? [] : [{ what: 'earliest date', expected: '2020-01-01', actual: null }],
});

const results: CaseResult[] = [
  result('h1', 'healthy', 'Polio', true),
  result('h2', 'healthy', 'DTaP/Tdap/Td', false),
  result('h3', 'healthy', 'Polio', false),
  result('u1', 'underlying-conditions', 'HepB', true),
];

describe('summarize', () => {
  it('counts per set and per group, groups alphabetical within a set', () => {
    const s = summarize(results);
    expect(s).toMatchObject({ cases: 4, passed: 2, failed: 2 });
    expect(s.bySet).toEqual([
      { set: 'healthy', cases: 3, passed: 1 },
      { set: 'underlying-conditions', cases: 1, passed: 1 },
    ]);
    expect(s.byGroup.map((g) => [g.set, g.group, g.cases, g.passed])).toEqual([
      ['healthy', 'DTaP/Tdap/Td', 1, 0],
      ['healthy', 'Polio', 2, 1],
      ['underlying-conditions', 'HepB', 1, 1],
    ]);
  });
});

describe('formatTable', () => {
  it('has a row per group, a total per set and a grand total', () => {
    const lines = formatTable(summarize(results)).split('\n');
    expect(lines[0]).toMatch(/^set\s+group\s+cases\s+passed\s+%$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ['healthy', 'DTaP/Tdap/Td', '1', '0', '0.0%'],
      ['healthy', 'Polio', '2', '1', '50.0%'],
      ['healthy', '(all groups)', '3', '1', '33.3%'],
      ['underlying-conditions', 'HepB', '1', '1', '100.0%'],
      ['underlying-conditions', '(all groups)', '1', '1', '100.0%'],
      ['(all sets)', '(all groups)', '4', '2', '50.0%'],
    ]);
  });
});

describe('formatReport', () => {
  it('lists the failing cases with their differences and ends with "N passed, M failed"', () => {
    const text = formatReport(results);
    expect(text).toContain(
      'FAIL h2  healthy  DTaP/Tdap/Td\n    earliest date: expected 2020-01-01, got none',
    );
    expect(text).not.toContain('FAIL h1');
    expect(text.split('\n').at(-1)).toBe('2 passed, 2 failed');
  });

  it('leaves the failures out when asked', () => {
    expect(formatReport(results, { showFailures: false })).not.toContain('FAIL');
  });

  it('marks known and new failures and names listed cases that now pass', () => {
    const known = new Map([
      ['h2', 'rule X'],
      ['h1', 'was failing'],
    ]);
    const text = formatReport(results, { knownFailures: known });
    expect(text).toContain('FAIL h2  healthy  DTaP/Tdap/Td  [known: rule X]');
    expect(text).toContain('FAIL h3  healthy  Polio  [NEW]');
    expect(text).toContain('failing, not in known-failures.txt: 1: h3');
    expect(text).toContain('in known-failures.txt, now passing: 1: h1');
    expect(ratchetStatus(results, known)).toEqual({ newFailures: ['h3'], nowPassing: ['h1'] });
    expect(text.split('\n').at(-1)).toBe('2 passed, 2 failed');
  });

  it('ends with "0 passed, 0 failed" for an empty run', () => {
    expect(formatReport([]).split('\n').at(-1)).toBe('0 passed, 0 failed');
  });
});

describe('toJsonReport', () => {
  it('carries the inputs, the summary and every case', () => {
    const r = toJsonReport(results, { caseFiles: ['a.jsonl'], rulesVersion: '4.64' });
    expect(r.caseFiles).toEqual(['a.jsonl']);
    expect(r.rulesVersion).toBe('4.64');
    expect(r.summary.failed).toBe(2);
    expect(r.cases).toHaveLength(4);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
