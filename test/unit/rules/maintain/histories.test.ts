import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HistoryFormatError,
  loadImpactInputs,
  parseHistories,
} from '../../../../src/rules/maintain/histories';
import { CASES, HISTORIES } from './variant';

const line = (o: object): string => JSON.stringify(o);
const minimal = { id: 'p1', birthDate: '2020-01-15', assessmentDate: '2024-06-01', doses: [] };

describe('patient histories (JSON Lines)', () => {
  it('reads every field into the engine history, dose ids "1".."n" in file order', () => {
    const [input] = parseHistories(
      line({
        id: 'p1',
        birthDate: '2020-01-15',
        gender: 'F',
        assessmentDate: '2024-06-01',
        birthCountry: 'US',
        doses: [
          { date: '2021-01-20', cvx: '03', mvx: 'MSD' },
          { date: '2021-03-01', cvx: '21' },
        ],
        observations: [{ code: '055', date: '2023-01-01' }, { code: '007' }],
      }),
      'h.jsonl',
    );
    expect(input?.id).toBe('p1');
    expect(input?.file).toBe('h.jsonl');
    expect(input?.assessmentDate.toString()).toBe('2024-06-01');
    const h = input!.history;
    expect(h.gender).toBe('female');
    expect(h.birthCountry).toBe('US');
    expect(h.doses.map((d) => [d.id, d.dateAdministered.toString(), d.cvx, d.mvx])).toEqual([
      ['1', '2021-01-20', '03', 'MSD'],
      ['2', '2021-03-01', '21', undefined],
    ]);
    expect(h.observations.map((o) => [o.code, o.date?.toString()])).toEqual([
      ['055', '2023-01-01'],
      ['007', undefined],
    ]);
  });

  it('defaults gender to unknown and observations to none; skips blank lines', () => {
    const inputs = parseHistories(`\n${line(minimal)}\n\n`, 'h.jsonl');
    expect(inputs).toHaveLength(1);
    expect(inputs[0]?.history).toMatchObject({ gender: 'unknown', observations: [], doses: [] });
  });

  it.each([
    [{ ...minimal, dob: '2020-01-01' }, 'h.jsonl:1: unknown field dob (allowed: id, birthDate'],
    [{ ...minimal, birthDate: '01/15/2020' }, 'h.jsonl:1: birthDate: expected a YYYY-MM-DD date'],
    [
      { ...minimal, birthDate: '2020-02-30' },
      'h.jsonl:1: birthDate: 2020-02-30 is not a calendar date',
    ],
    [{ ...minimal, doses: [{ date: '2021-01-01' }] }, 'h.jsonl:1: doses[0].cvx: missing'],
    [
      { ...minimal, doses: [{ date: '2021-01-01', cvx: '03', lot: 'x' }] },
      'h.jsonl:1: doses[0]: unknown field lot',
    ],
    [
      { id: 'p1', birthDate: '2020-01-15', assessmentDate: '2024-06-01' },
      'h.jsonl:1: doses: missing',
    ],
  ])('refuses %j', (record, message) => {
    expect(() => parseHistories(line(record), 'h.jsonl')).toThrow(HistoryFormatError);
    expect(() => parseHistories(line(record), 'h.jsonl')).toThrow(message);
  });

  it('refuses a duplicate id and a line that is not JSON', () => {
    expect(() => parseHistories(`${line(minimal)}\n${line(minimal)}`, 'h.jsonl')).toThrow(
      'h.jsonl:2: duplicate id p1 (first on line 1)',
    );
    expect(() => parseHistories('{nope', 'h.jsonl')).toThrow(/^h\.jsonl:1: not valid JSON/);
  });

  it('reads CDC case files and history files side by side, ids unique across files', () => {
    const inputs = loadImpactInputs([CASES, HISTORIES]);
    expect(inputs.map((i) => [i.id, i.file, i.testCase !== undefined])).toEqual([
      ['FIX-MMR-1', 'cases.jsonl', true],
      ['FIX-MMR-2', 'cases.jsonl', true],
      ['FIX-VAR-1', 'cases.jsonl', true],
      ['FIX-HEPB-1', 'cases.jsonl', true],
      ['child-mmr-one-dose', 'histories.jsonl', false],
      ['child-mmr-two-doses-5-weeks-apart', 'histories.jsonl', false],
      ['child-dtap-three-doses', 'histories.jsonl', false],
      ['adult-health-care-worker', 'histories.jsonl', false],
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'cdsi-hist-'));
    try {
      const dup = join(dir, 'dup.jsonl');
      writeFileSync(dup, line({ ...minimal, id: 'FIX-MMR-1' }) + '\n');
      expect(() => loadImpactInputs([CASES, dup])).toThrow(/id FIX-MMR-1 appears in both/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
