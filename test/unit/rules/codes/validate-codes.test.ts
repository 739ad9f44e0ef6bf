import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeNdc } from '../../../../src/rules/codes/ndc';
import { loadCodeTables, validateCodeTables } from '../../../../src/rules/codes/validate-codes';
import { RuleSetError } from '../../../../src/rules/problem';
import {
  COMMITTED_VERSION,
  copyCommittedTables,
  editTable,
  removeTemps,
  RULES_ROOT,
} from './helpers';

afterAll(removeTemps);

const V = COMMITTED_VERSION;
const DIR = `codes/${V}`;

type Json = Record<string, unknown>;
const entries = (data: Json): Json[] => data['entries'] as Json[];

describe('the committed code tables', () => {
  it('are valid', () => {
    expect(validateCodeTables(RULES_ROOT, DIR)).toEqual([]);
  });

  it('accept a bare version label and an absolute folder', () => {
    expect(validateCodeTables(RULES_ROOT, V)).toEqual([]);
    expect(validateCodeTables(RULES_ROOT, join(RULES_ROOT, 'codes', V))).toEqual([]);
  });

  it('load into indexed lookups', () => {
    const t = loadCodeTables(RULES_ROOT, DIR);
    expect(t.version).toBe(V);
    expect(t.manifest.kind).toBe('cdc-code-tables');
    expect(t.cvx.size).toBe(288);
    expect(t.mvx.size).toBe(89);
    expect(t.cvx.get('03')).toMatchObject({ shortDescription: 'MMR', status: 'Active' });
    expect(t.cvx.get('3')).toBeUndefined(); // codes are kept exactly as CDC writes them
    expect(t.mvx.get('PMC')?.manufacturerName).toBe('Sanofi Pasteur');
    expect(t.cptToCvx.get('90707')).toEqual(['03']);
    expect(t.cptToCvx.get('90700')).toEqual(['20', '106']); // CDC maps this CPT code twice
    expect(t.cpt.get('90707')?.description).toMatch(/^Measles, mumps and rubella/);

    const gardasil = t.ndcToCvx.get(normalizeNdc('0006-4109-02') ?? '');
    expect(gardasil?.cvx).toEqual(['62']);
    expect(gardasil?.unitOfSale[0]?.proprietaryName).toBe('GARDASIL');
    expect(gardasil?.unitOfSale[0]?.unitOfUseNdcs).toEqual(['00006-4109-01']);
    expect(t.ndcToCvx.get('58160-0821-43')?.cvx).toEqual(['43', '44']); // Engerix-B
    expect(t.ndcLinks).toHaveLength(580);

    expect(t.vaccineGroupsByCvx.get('94')?.map((g) => g.vaccineGroupName)).toEqual([
      'MMR',
      'VARICELLA',
    ]);
    expect(t.tradenamesByCvx.get('03')?.map((p) => p.productName)).toEqual(['M-M-R II', 'Priorix']);
  });
});

describe('validation failures (on a copy of the committed tables)', () => {
  it('reports an unknown property at the object holding it', () => {
    const root = copyCommittedTables();
    editTable(root, 'cvx.json', (d) => void (entries(d)[0]!['nonVaccine'] = false), true);
    expect(validateCodeTables(root, DIR)).toEqual([
      {
        file: `${DIR}/cvx.json`,
        pointer: '/entries/0',
        message: expect.stringContaining('unknown property "nonVaccine"') as unknown,
      },
    ]);
  });

  it('reports a wrong type', () => {
    const root = copyCommittedTables();
    editTable(root, 'mvx.json', (d) => void (entries(d)[2]!['lastUpdated'] = 20171116), true);
    expect(validateCodeTables(root, DIR)).toEqual([
      {
        file: `${DIR}/mvx.json`,
        pointer: '/entries/2/lastUpdated',
        message: expect.stringContaining('must be string') as unknown,
      },
    ]);
  });

  it('reports a CVX code that keeps no leading zero pattern', () => {
    const root = copyCommittedTables();
    editTable(root, 'cvx.json', (d) => void (entries(d)[0]!['code'] = '0001'), true);
    const problems = validateCodeTables(root, DIR);
    expect(problems.map((p) => [p.file, p.pointer])).toEqual([
      [`${DIR}/cvx.json`, '/entries/0/code'],
    ]);
  });

  it('reports a dangling CVX reference in cpt.json', () => {
    const root = copyCommittedTables();
    editTable(
      root,
      'cpt.json',
      (d) => void ((entries(d)[0]!['mappings'] as Json[])[0]!['cvx'] = '777'),
      true,
    );
    expect(validateCodeTables(root, DIR)).toEqual([
      {
        file: `${DIR}/cpt.json`,
        pointer: '/entries/0/mappings/0/cvx',
        message: 'CVX code 777 is not in cvx.json',
      },
    ]);
  });

  it('reports duplicate codes and NDCs that do not normalise to their entry', () => {
    const root = copyCommittedTables();
    editTable(
      root,
      'mvx.json',
      (d) => void (entries(d)[1]!['code'] = entries(d)[0]!['code']),
      true,
    );
    editTable(
      root,
      'ndc.json',
      (d) => void ((entries(d)[0]!['unitOfUse'] as Json[])[0]!['ndcAsGiven'] = '12345-6789-01'),
      true,
    );
    const problems = validateCodeTables(root, DIR);
    expect(problems.map((p) => [p.file, p.pointer])).toEqual([
      [`${DIR}/mvx.json`, '/entries/1/code'],
      [`${DIR}/ndc.json`, '/entries/0/unitOfUse/0/ndcAsGiven'],
      // the overwritten MVX code (ACA) is now missing for the product name that uses it
      [`${DIR}/tradenames.json`, '/entries/51/mvx'],
    ]);
    expect(problems[0]?.message).toMatch(/^duplicate MVX code AB \(first at \/entries\/0\/code\)/);
  });

  it('reports an edited file whose hash no longer matches the manifest', () => {
    const root = copyCommittedTables();
    editTable(root, 'cvx.json', (d) => void (entries(d)[0]!['shortDescription'] = 'edited'), false);
    expect(validateCodeTables(root, DIR)).toEqual([
      {
        file: `${DIR}/manifest.json`,
        pointer: '/files/cvx.json',
        message: expect.stringMatching(/^sha256 mismatch for cvx\.json/) as unknown,
      },
    ]);
  });

  it('reports missing and unexpected files', () => {
    const root = copyCommittedTables();
    rmSync(join(root, DIR, 'tradenames.json'));
    writeFileSync(join(root, DIR, 'notes.txt'), 'x');
    expect(validateCodeTables(root, DIR)).toEqual([
      {
        file: `${DIR}/manifest.json`,
        pointer: '/files/tradenames.json',
        message: 'listed file tradenames.json is missing',
      },
      {
        file: `${DIR}/notes.txt`,
        pointer: '',
        message: 'unexpected file in a code-table folder (not listed in manifest.json)',
      },
      { file: `${DIR}/tradenames.json`, pointer: '', message: 'file is missing' },
    ]);
  });

  it('reports a folder that does not exist', () => {
    expect(validateCodeTables(RULES_ROOT, 'codes/1999-01-01')).toEqual([
      { file: 'codes/1999-01-01', pointer: '', message: 'code-table folder does not exist' },
    ]);
  });

  it('makes loadCodeTables throw a RuleSetError with every problem', () => {
    const root = copyCommittedTables();
    editTable(
      root,
      'cpt.json',
      (d) => void ((entries(d)[0]!['mappings'] as Json[])[0]!['cvx'] = '777'),
      false,
    );
    let thrown: unknown;
    try {
      loadCodeTables(root, DIR);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(RuleSetError);
    expect((thrown as RuleSetError).problems.map((p) => [p.file, p.pointer])).toEqual([
      [`${DIR}/manifest.json`, '/files/cpt.json'],
      [`${DIR}/cpt.json`, '/entries/0/mappings/0/cvx'],
    ]);
  });
});
