import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildCodeTables,
  CodeImportError,
  importCodes,
  parseSourceMd,
} from '../../../../src/rules/codes/import-codes';
import type { ImportCodesResult } from '../../../../src/rules/codes/import-codes';
import { CODES_SOURCE, COMMITTED_VERSION, RULES_ROOT, removeTemps, tempDir } from './helpers';

afterAll(removeTemps);

/** Copy of the CDC sources that a test may damage. */
function copySources(): string {
  const dir = tempDir('codes-src-');
  cpSync(CODES_SOURCE, dir, { recursive: true });
  return dir;
}

function importError(sourceDir: string): CodeImportError {
  try {
    buildCodeTables(sourceDir);
  } catch (err) {
    if (err instanceof CodeImportError) {
      return err;
    }
    throw err;
  }
  throw new Error('expected the import to fail');
}

describe('importCodes', () => {
  let result: ImportCodesResult;
  beforeAll(() => {
    result = importCodes({ sourceDir: CODES_SOURCE, rulesRoot: tempDir('codes-out-') });
  });

  it('finds the CDC sources', () => {
    expect(existsSync(join(CODES_SOURCE, 'SOURCE.md'))).toBe(true);
  });

  it('regenerates the committed tables byte for byte', () => {
    expect(result.version).toBe(COMMITTED_VERSION);
    const committedDir = join(RULES_ROOT, 'codes', COMMITTED_VERSION);
    const committed = readdirSync(committedDir).sort();
    expect(readdirSync(result.outDir).sort()).toEqual(committed);
    expect(result.files).toEqual(committed);
    for (const name of committed) {
      const fresh = readFileSync(join(result.outDir, name));
      const kept = readFileSync(join(committedDir, name));
      expect({ name, same: fresh.equals(kept) }).toEqual({ name, same: true });
    }
  });

  it('gives the same bytes when run again in the same process', () => {
    const again = buildCodeTables(CODES_SOURCE);
    for (const [name, text] of again.contents) {
      expect({ name, text }).toEqual({
        name,
        text: readFileSync(join(result.outDir, name), 'utf8'),
      });
    }
  });

  it('keeps every source record', () => {
    expect(result.counts).toEqual({
      cvx: 288,
      mvx: 89,
      cptCodes: 158,
      cptMappings: 168,
      ndcs: 1000,
      ndcUnitOfUseRows: 510,
      ndcUnitOfSaleRows: 560,
      ndcLinks: 580,
      tradenames: 222, // 223 rows, one identical duplicate kept once with sourceRowCount 2
      vaccineGroups: 256,
    });
  });

  it('accepts an explicit version label', () => {
    expect(buildCodeTables(CODES_SOURCE, { version: 'test-1' }).manifest.version).toBe('test-1');
  });
});

describe('parseSourceMd', () => {
  it('derives the snapshot date and the file table', () => {
    const s = parseSourceMd(readFileSync(join(CODES_SOURCE, 'SOURCE.md'), 'utf8'));
    expect(s.snapshotDate).toBe('2025-12-12');
    expect(s.commit).toBe('641f2ea42152f864dda760d9a3abda06fa9b6255');
    expect(s.repositoryUrl).toBe('https://github.com/immregistries/codebase');
    expect(s.pathInRepository).toBe('cdc-source/');
    expect(s.files.get('NDC_Unit_use.txt')).toEqual({ lastChanged: '2025-12-09', records: 510 });
    expect(s.files.size).toBe(8);
  });

  it('refuses a SOURCE.md without the file table', () => {
    expect(() => parseSourceMd('# title\n')).toThrow(CodeImportError);
  });
});

describe('importer failures (nothing is dropped silently)', () => {
  it('fails on an NDC row with a missing field', () => {
    const dir = copySources();
    const file = join(dir, 'NDC_Unit_use.txt');
    const lines = readFileSync(file, 'utf8').split('\r\n');
    lines[2] = (lines[2] ?? '').split('|').slice(1).join('|');
    writeFileSync(file, lines.join('\r\n'));
    expect(importError(dir).problems).toEqual([
      'NDC_Unit_use.txt line 3: expected 17 |-separated fields, found 16',
    ]);
  });

  it('fails on an NDC that cannot be normalised or does not match its segments', () => {
    const dir = copySources();
    const file = join(dir, 'NDC_Unit_sale.txt');
    const lines = readFileSync(file, 'utf8').split('\r\n');
    const f = (lines[0] ?? '').split('|');
    f[14] = '4928-425-50';
    lines[0] = f.join('|');
    const g = (lines[1] ?? '').split('|');
    g[14] = '49281-0644-15';
    lines[1] = g.join('|');
    writeFileSync(file, lines.join('\r\n'));
    const problems = importError(dir).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^NDC_Unit_sale\.txt line 1: ndc "4928-425-50" is not an NDC that can be normalised/,
    );
    expect(problems[1]).toMatch(
      /^NDC_Unit_sale\.txt line 2: ndc "49281-0644-15" is not consistent with the segment fields 49281\|643\|15/,
    );
  });

  it('fails on a bad date and an unknown status', () => {
    const dir = copySources();
    const file = join(dir, 'cvx.xml');
    const xml = readFileSync(file, 'utf8')
      .replace('<LastUpdated>3/20/2011</LastUpdated>', '<LastUpdated>2/30/2011</LastUpdated>')
      .replace('<Status>Inactive</Status>', '<Status>Retired</Status>');
    writeFileSync(file, xml);
    expect(importError(dir).problems).toEqual([
      'cvx.xml record 1: LastUpdated "2/30/2011" is not a valid M/D/YYYY date',
      'cvx.xml record 2: Status "Retired" is not one of Active, Inactive, Non-US, Never Active, Pending',
    ]);
  });

  it('fails on an unknown XML field', () => {
    const dir = copySources();
    const file = join(dir, 'mvx.xml');
    const xml = readFileSync(file, 'utf8').replace(
      '<Name>Notes</Name>',
      '<Name>Country</Name>\n    <Value>US</Value>\n    <Name>Notes</Name>',
    );
    writeFileSync(file, xml);
    expect(importError(dir).problems).toEqual([
      'mvx.xml record 1 (<MVXInfo> #1): unknown field "Country"',
    ]);
  });

  it('fails when fewer records are read than SOURCE.md states', () => {
    const dir = copySources();
    const file = join(dir, 'cvx.xml');
    const xml = readFileSync(file, 'utf8');
    const last = xml.lastIndexOf('<CVXInfo>');
    writeFileSync(file, xml.slice(0, last) + xml.slice(xml.indexOf('</CVXInfo>', last) + 10));
    expect(importError(dir).problems).toEqual([
      'cvx.xml: SOURCE.md states 288 records but 287 were read',
    ]);
  });

  it('fails on a file it does not know', () => {
    const dir = copySources();
    writeFileSync(join(dir, 'cvx.txt'), 'x');
    expect(importError(dir).problems).toEqual([
      'cvx.txt: unexpected file in the source folder (the importer does not know it)',
    ]);
  });

  it('fails on an entity XML does not define (instead of keeping it as text)', () => {
    const dir = copySources();
    const file = join(dir, 'cpt.xml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('<Value>IG</Value>', '<Value>I&nbsp;G</Value>'),
    );
    expect(importError(dir).problems).toEqual([
      "cpt.xml line 13: undefined entity &nbsp; (only XML's own are allowed)",
    ]);
  });

  it('fails on malformed XML', () => {
    const dir = copySources();
    const file = join(dir, 'vac2vg.xml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('</CVXVGInfo>', '</CVXVGInf>'));
    const problems = importError(dir).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^vac2vg\.xml line \d+: not well-formed XML/);
  });
});
