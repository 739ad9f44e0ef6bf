import { DEV_CASE_FILES, defaultCaseFiles, loadCorpus } from '../../src/conformance/corpus';
import { parseTestCases, TestCaseFormatError } from '../../src/conformance/test-case';
import { findRepoRoot } from '../../src/rules/repo-root';
import { cdcCase, without } from './case-builders';

const line = (value: unknown): string => JSON.stringify(value);

function parseError(text: string): TestCaseFormatError {
  try {
    parseTestCases(text, 'cases.jsonl');
  } catch (e) {
    if (e instanceof TestCaseFormatError) {
      return e;
    }
    throw e;
  }
  throw new Error('expected a TestCaseFormatError');
}

describe('parseTestCases', () => {
  it('reads one case per line and skips blank lines', () => {
    const a = cdcCase({ id: 'A' });
    const b = cdcCase({ id: 'B' });
    const cases = parseTestCases(`${line(a)}\n\n${line(b)}\n`, 'cases.jsonl');
    expect(cases).toEqual([a, b]);
  });

  it('names the file and line of a line that is not JSON', () => {
    const e = parseError(`${line(cdcCase())}\n{"id": oops}\n`);
    expect(e.message).toMatch(/^cases\.jsonl:2: not valid JSON/);
    expect(e.line).toBe(2);
  });

  it('rejects a line that is not an object', () => {
    expect(parseError('[1, 2]').message).toBe('cases.jsonl:1: expected a JSON object');
  });

  it('names a missing field', () => {
    expect(parseError(line(without(cdcCase(), 'expectedForecast'))).message).toBe(
      'cases.jsonl:1: expectedForecast: missing',
    );
  });

  it('names the path of a malformed nested field', () => {
    const c = cdcCase();
    const bad = { ...c, doses: [c.doses[0], { ...c.doses[1], date: '01/05/2020' }] };
    expect(parseError(line(bad)).message).toBe(
      'cases.jsonl:1: doses[1].date: expected a YYYY-MM-DD date, got "01/05/2020"',
    );
  });

  it('rejects an unknown forecastKind', () => {
    expect(parseError(line({ ...cdcCase(), forecastKind: 'dates-only' })).message).toMatch(
      /forecastKind: expected one of dates, status-only/,
    );
  });

  it('rejects a duplicate id', () => {
    expect(parseError(`${line(cdcCase())}\n${line(cdcCase())}`).message).toBe(
      'cases.jsonl:2: duplicate case id TEST-0001 (first on line 1)',
    );
  });
});

describe('the vendored development files', () => {
  it('load completely, with unique ids (754 healthy + 255 underlying-conditions)', () => {
    const cases = loadCorpus(defaultCaseFiles(findRepoRoot(__dirname)));
    expect(DEV_CASE_FILES).toHaveLength(2);
    expect(cases.filter((c) => c.set === 'healthy')).toHaveLength(754);
    expect(cases.filter((c) => c.set === 'underlying-conditions')).toHaveLength(255);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });
});
