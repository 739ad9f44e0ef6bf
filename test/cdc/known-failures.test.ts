import type { CaseResult } from '../../src/conformance/compare';
import {
  failureSummary,
  KNOWN_FAILURES_HEADER,
  KnownFailuresFormatError,
  parseKnownFailures,
  updateKnownFailures,
} from '../../src/conformance/known-failures';

const pass = (id: string): CaseResult => ({
  id,
  set: 'healthy',
  group: 'G',
  passed: true,
  differences: [],
});
const fail = (id: string, what = 'series status'): CaseResult => ({
  id,
  set: 'healthy',
  group: 'G',
  passed: false,
  differences: [{ what, expected: 'Complete', actual: 'Not Complete' }],
});

describe('parseKnownFailures', () => {
  it('reads "<id>  <reason>" lines and ignores comments and blank lines', () => {
    const text =
      '# header\n\nA-1  CDSi rule X not implemented\n  # indented comment\nB-2\tissue #12\n';
    expect([...parseKnownFailures(text)]).toEqual([
      ['A-1', 'CDSi rule X not implemented'],
      ['B-2', 'issue #12'],
    ]);
  });

  it('parses the header of a new file as no entries', () => {
    expect(parseKnownFailures(KNOWN_FAILURES_HEADER).size).toBe(0);
  });

  it('rejects entries without a reason and duplicates, listing every problem', () => {
    expect(() => parseKnownFailures('A-1\nB-2  x\nB-2  y\n', 'kf.txt')).toThrow(
      new KnownFailuresFormatError('kf.txt', [
        'line 1: A-1 has no reason (write "<case-id>  <reason>")',
        'line 3: B-2 is listed twice',
      ]),
    );
  });
});

describe('failureSummary', () => {
  it('summarises the first difference on one line', () => {
    expect(failureSummary(fail('A'))).toBe(
      'TODO: series status: expected Complete, got Not Complete',
    );
  });

  it('uses the error when the case could not run, on one clipped line', () => {
    const r: CaseResult = {
      ...fail('A'),
      differences: [],
      error: `engine threw\n${'x'.repeat(300)}`,
    };
    const s = failureSummary(r);
    expect(s).not.toContain('\n');
    expect(s.length).toBeLessThanOrEqual(146);
    expect(s).toMatch(/^TODO: engine threw x+\.\.\.$/);
  });
});

describe('updateKnownFailures', () => {
  it('starts a new file with the header and a TODO per failing case', () => {
    const text = updateKnownFailures(undefined, [pass('A'), fail('B')]);
    expect(text.startsWith(KNOWN_FAILURES_HEADER)).toBe(true);
    expect([...parseKnownFailures(text)]).toEqual([
      ['B', 'TODO: series status: expected Complete, got Not Complete'],
    ]);
  });

  it('keeps reasons of cases still failing, drops passing ones, keeps cases not run', () => {
    const existing = '# mine\nA  reason a\nB  reason b\nZ  not run this time\n';
    const text = updateKnownFailures(existing, [pass('A'), fail('B'), fail('C')]);
    expect(text).toBe(
      '# mine\nB  reason b\nZ  not run this time\n' +
        'C             TODO: series status: expected Complete, got Not Complete\n',
    );
  });
});
