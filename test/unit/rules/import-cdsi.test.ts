import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { antigenSlug, CdsiImportError, importCdsi } from '../../../src/rules/import/import-cdsi';
import { parseReleaseNotes, readReleaseNotes } from '../../../src/rules/import/release-notes';
import { readXml } from '../../../src/rules/import/xml-reader';
import type { ElementSpec } from '../../../src/rules/import/xml-shape';
import { ANTIGEN_SHAPE, SCHEDULE_SHAPE } from '../../../src/rules/import/xml-shape';
import { diffShapes, shapeFromXsd } from '../../../src/rules/import/xsd-shape';
import type { RawAntigenFile, RawScheduleFile } from '../../../src/rules/raw-types';
import { RULES_ROOT, SOURCE_DIR, VERSION } from './rules-fixture';

const committedDir = join(RULES_ROOT, 'cdsi', VERSION);

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? listFiles(join(dir, e.name), `${prefix}${e.name}/`)
        : [`${prefix}${e.name}`],
    )
    .sort();
}

function readCommitted(file: string): unknown {
  return JSON.parse(readFileSync(join(committedDir, file), 'utf8'));
}

describe('importCdsi on the CDC 4.64 package', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'cdsi-import-'));
  });
  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it('regenerates rules/cdsi/4.64 byte for byte (every file, manifest included)', () => {
    const result = importCdsi(SOURCE_DIR, out, VERSION);
    const dir = join(out, 'cdsi', VERSION);
    expect(result.dir).toBe(dir);
    const files = listFiles(dir);
    expect(files).toEqual(listFiles(committedDir));
    for (const f of files) {
      expect({
        f,
        same: readFileSync(join(dir, f)).equals(readFileSync(join(committedDir, f))),
      }).toEqual({ f, same: true });
    }
    expect(result).toMatchObject({
      antigenCount: 30,
      seriesCount: 143,
      doseCount: 484,
      cvxCount: 218,
    });
  });

  it('refuses to overwrite an existing version folder unless forced', () => {
    expect(() => importCdsi(SOURCE_DIR, out, VERSION)).toThrow(/already exists/);
    writeFileSync(join(out, 'cdsi', VERSION, 'stale.json'), '{}');
    importCdsi(SOURCE_DIR, out, VERSION, { force: true });
    expect(existsSync(join(out, 'cdsi', VERSION, 'stale.json'))).toBe(false);
    expect(listFiles(join(out, 'cdsi', VERSION))).toEqual(listFiles(committedDir));
  });

  it('rejects a version label that is not a plain folder name', () => {
    expect(() => importCdsi(SOURCE_DIR, out, '../evil')).toThrow(CdsiImportError);
  });
});

describe('the committed 4.64 tables', () => {
  const measles = readCommitted('antigens/measles.json') as RawAntigenFile;
  const schedule = readCommitted('schedule.json') as RawScheduleFile;

  it('keep an empty element ("") apart from an absent one (no property)', () => {
    // XML: the "Measles 2-dose series" has <indication/>; "Measles risk 2-dose series" has
    // <indication>… <beginAge>18 years</beginAge><endAge/><guidance/></indication>.
    const [standard, , risk2] = measles.antigenSupportingData.series;
    expect(standard?.seriesName).toBe('Measles 2-dose series');
    expect(standard?.indication).toEqual([{}]);
    expect(standard?.indication[0] !== undefined && 'endAge' in standard.indication[0]).toBe(false);
    expect(risk2?.seriesName).toBe('Measles risk 2-dose series');
    expect(risk2?.indication[0]).toMatchObject({ beginAge: '18 years', endAge: '', guidance: '' });
    // <birthCountry/> → "" and <seriesAdminGuidance/> (unbounded) → [""]
    expect(measles.antigenSupportingData.immunity?.dateOfBirth?.[0]?.birthCountry).toBe('');
    expect(standard?.seriesAdminGuidance).toEqual(['']);
  });

  it('keep codes as strings with their leading zeros, decode entities, trim names', () => {
    const cvx = schedule.scheduleSupportingData.cvxToAntigenMap.cvxMap?.map((m) => m.cvx) ?? [];
    expect(cvx.slice(0, 3)).toEqual(['01', '02', '03']);
    expect(JSON.stringify(schedule)).toContain(
      'A new diagnosis of ≥ 1 sexually transmitted disease',
    );
    const zoster = readCommitted('antigens/zoster.json') as RawAntigenFile;
    expect(zoster.antigenSupportingData.series.map((s) => s.vaccineGroup)).toContain('Zoster');
  });

  it('name every antigen after its series targetDisease, with a kebab-case file name', () => {
    const manifest = readCommitted('manifest.json') as { antigens: Record<string, string> };
    expect(Object.keys(manifest.antigens)).toHaveLength(30);
    expect(manifest.antigens['Meningococcal B']).toBe('antigens/meningococcal-b.json');
    expect(manifest.antigens['COVID-19']).toBe('antigens/covid-19.json');
    expect(antigenSlug('Japanese Encephalitis')).toBe('japanese-encephalitis');
  });
});

describe('the importer refuses what it does not know', () => {
  let src: string;
  let out: string;
  const measlesXml = 'AntigenSupportingData- Measles-508.xml';
  beforeEach(() => {
    src = mkdtempSync(join(tmpdir(), 'cdsi-src-'));
    out = mkdtempSync(join(tmpdir(), 'cdsi-out-'));
    cpSync(SOURCE_DIR, src, { recursive: true });
  });
  afterEach(() => {
    rmSync(src, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  function editXml(file: string, edit: (xml: string) => string): void {
    const path = join(src, file);
    writeFileSync(path, edit(readFileSync(path, 'utf8')));
  }

  function importProblems(): string[] {
    try {
      importCdsi(src, out, VERSION);
    } catch (e) {
      expect(e).toBeInstanceOf(CdsiImportError);
      expect(existsSync(join(out, 'cdsi', VERSION))).toBe(false);
      return (e as CdsiImportError).problems.map((p) => `${p.file}: ${p.pointer}: ${p.message}`);
    }
    throw new Error('import unexpectedly succeeded');
  }

  it('reports an unknown element with file, pointer and line', () => {
    editXml(measlesXml, (x) =>
      x.replace(
        '<recurringDose>No</recurringDose>',
        '<recurringDose>No</recurringDose><bogus>1</bogus>',
      ),
    );
    const problems = importProblems();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^AntigenSupportingData- Measles-508\.xml: \/antigenSupportingData\/series\/0\/seriesDose\/0\/bogus: line \d+: unknown element <bogus> in <seriesDose>/,
    );
  });

  it('reports a repeated single element, a missing required one and an attribute', () => {
    editXml(measlesXml, (x) =>
      x
        .replace(
          '<seriesType>Standard</seriesType>',
          '<seriesType>Standard</seriesType><seriesType>Risk</seriesType>',
        )
        .replace(/<recurringDose>No<\/recurringDose>/, '')
        .replace('<doseNumber>Dose 2</doseNumber>', '<doseNumber unit="x">Dose 2</doseNumber>'),
    );
    const problems = importProblems().join('\n');
    expect(problems).toMatch(/series\/0\/seriesType: line \d+: <seriesType> repeated in <series>/);
    expect(problems).toMatch(
      /series\/0\/seriesDose\/0\/recurringDose: line \d+: required element <recurringDose> missing/,
    );
    expect(problems).toMatch(/doseNumber: line \d+: <doseNumber> has attribute\(s\) unit/);
  });

  it('reports elements out of XSD sequence order', () => {
    editXml(measlesXml, (x) =>
      x.replace(
        /(<targetDisease>Measles<\/targetDisease>)(\s*)(<vaccineGroup>MMR<\/vaccineGroup>)/,
        '$3$2$1',
      ),
    );
    expect(importProblems().join('\n')).toMatch(
      /series\/0\/targetDisease: line \d+: <targetDisease> out of XSD sequence order in <series> \(it comes after <vaccineGroup>\)/,
    );
  });

  it('reports malformed XML, undefined entities and mixed-antigen files', () => {
    editXml(measlesXml, (x) => x.replace('</antigenSupportingData>', ''));
    editXml('AntigenSupportingData- Mumps-508.xml', (x) =>
      x.replace('<guidelineTitle>', '<guidelineTitle>&nbsp;'),
    );
    editXml('AntigenSupportingData- Rubella-508.xml', (x) =>
      x.replace('<targetDisease>Rubella</targetDisease>', '<targetDisease>Measles</targetDisease>'),
    );
    const problems = importProblems().join('\n');
    expect(problems).toMatch(/Measles-508\.xml: : line \d+: not well-formed XML/);
    expect(problems).toMatch(/Mumps-508\.xml: .*guidelineTitle: line \d+: undefined entity/);
    expect(problems).toMatch(
      /Rubella-508\.xml: \/antigenSupportingData\/series: every series .* same non-empty targetDisease/,
    );
  });

  it('refuses an XSD that differs from the structure it knows, and unknown XML files', () => {
    editXml('ScheduleSupportingData.xsd', (x) =>
      x.replace(
        '<xs:element type="xs:string" name="clarifyingText"/>',
        '<xs:element type="xs:string" name="clarifyingText"/><xs:element type="xs:string" name="extra"/>',
      ),
    );
    writeFileSync(join(src, 'Other.xml'), '<x/>');
    const problems = importProblems().join('\n');
    expect(problems).toMatch(/ScheduleSupportingData\.xsd: : XSD differs .*observation: sequence/);
    expect(problems).toMatch(/Other\.xml: : unknown XML file/);
  });
});

describe('readXml', () => {
  const spec: ElementSpec = {
    name: 'root',
    min: 1,
    many: false,
    content: [
      { name: 'a', min: 1, many: false, content: 'text' },
      { name: 'b', min: 0, many: true, content: 'text' },
      { name: 'c', min: 0, many: false, content: 'text' },
    ],
  };

  it('maps leaves to trimmed strings, unbounded elements to arrays, empty to "" and absent to nothing', () => {
    const r = readXml(
      't.xml',
      '<?xml version="1.0" encoding="UTF-8"?>\r\n<root>\r\n <a> 007 &amp; &lt;&#x2265;&#8805; </a><b/><b><![CDATA[x<y]]></b>\n</root>',
      spec,
    );
    expect(r.problems).toEqual([]);
    expect(r.value).toEqual({ a: '007 & <≥≥', b: ['', 'x<y'] });
  });

  it('normalises line ends inside text (XML 1.0 §2.11)', () => {
    const r = readXml('t.xml', '<root><a>1\r\n2\r3</a></root>', spec);
    expect(r.value).toEqual({ a: '1\n2\n3' });
  });

  it('reports stray text, comments and a second root', () => {
    const r = readXml('t.xml', '<root>x<a>1</a><!-- c --></root>', spec);
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(
      /unexpected text "x"[\s\S]*unexpected #comment/,
    );
  });
});

describe('XSD shapes', () => {
  it('match the structure the importer knows (raw-types.ts) for both CDC XSDs', () => {
    const antigen = shapeFromXsd(
      readFileSync(join(SOURCE_DIR, 'AntigenSupportingData.xsd'), 'utf8'),
    );
    const schedule = shapeFromXsd(
      readFileSync(join(SOURCE_DIR, 'ScheduleSupportingData.xsd'), 'utf8'),
    );
    expect(diffShapes(ANTIGEN_SHAPE, antigen)).toEqual([]);
    expect(diffShapes(SCHEDULE_SHAPE, schedule)).toEqual([]);
    expect(antigen).toEqual(ANTIGEN_SHAPE);
    expect(schedule).toEqual(SCHEDULE_SHAPE);
  });
});

describe('release notes', () => {
  it('give version 4.64 and release date 2025-11-10', () => {
    expect(readReleaseNotes(join(SOURCE_DIR, 'Release Notes.docx'))).toEqual({
      supportingDataVersion: '4.64',
      releaseDate: '2025-11-10',
    });
  });

  it('are parsed from the title and the first date', () => {
    expect(parseReleaseNotes('Supporting Data Release Notes – 4.65\nAugust 3, 2026\n')).toEqual({
      supportingDataVersion: '4.65',
      releaseDate: '2026-08-03',
    });
    expect(() => parseReleaseNotes('nothing here')).toThrow(/Release Notes/);
  });
});
