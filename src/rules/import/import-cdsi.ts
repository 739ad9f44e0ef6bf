import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { sha256, stableJson } from '../manifest';
import type { RuleProblem } from '../problem';
import { formatProblem } from '../problem';
import type {
  RawAntigenFile,
  RawAntigenSupportingData,
  RawCdsiManifest,
  RawScheduleFile,
  RawScheduleSupportingData,
} from '../raw-types';
import { readReleaseNotes } from './release-notes';
import { readXml } from './xml-reader';
import type { ElementSpec } from './xml-shape';
import { ANTIGEN_SHAPE, SCHEDULE_SHAPE } from './xml-shape';
import { diffShapes, shapeFromXsd } from './xsd-shape';

/**
 * Converts the CDC CDSi supporting-data XML package into the versioned JSON rule tables
 * `rules/cdsi/<version>/` (see `rules/README.md` and `../raw-types.ts`).
 *
 * The output is deterministic — same input, byte-identical output — and the import is
 * all-or-nothing: every problem in the source is collected and reported in one
 * {@link CdsiImportError}, and nothing is written unless there are none.
 */

/** Logic Specification version the tables produced by this importer are meant for. */
export const DEFAULT_LOGIC_SPEC_VERSION = '4.6';
/** Identifier of the CDC rule set in manifests and on every output. */
export const CDSI_RULE_SET_ID = 'cdc-cdsi';

/** Name of the schedule XML in a CDC package. */
export const SCHEDULE_XML = 'ScheduleSupportingData.xml';
const ANTIGEN_XML_PREFIX = 'AntigenSupportingData';
const ANTIGEN_XSD = 'AntigenSupportingData.xsd';
const SCHEDULE_XSD = 'ScheduleSupportingData.xsd';
const RELEASE_NOTES = 'Release Notes.docx';

/** Options of {@link importCdsi}. */
export interface ImportCdsiOptions {
  /** Replace an existing `cdsi/<version>/` folder (default: refuse). */
  readonly force?: boolean;
  /** Release date (YYYY-MM-DD); default: read from `Release Notes.docx`. */
  readonly releaseDate?: string;
  /** CDC supporting-data version; default: read from `Release Notes.docx`. */
  readonly supportingDataVersion?: string;
  /** Logic Specification version; default {@link DEFAULT_LOGIC_SPEC_VERSION}. */
  readonly logicSpecVersion?: string;
}

/** What {@link importCdsi} wrote. */
export interface ImportCdsiResult {
  /** The version folder written. */
  readonly dir: string;
  readonly manifest: RawCdsiManifest;
  readonly antigenCount: number;
  readonly seriesCount: number;
  readonly doseCount: number;
  readonly cvxCount: number;
}

/** The source package cannot be imported; carries every problem found. */
export class CdsiImportError extends Error {
  constructor(readonly problems: readonly RuleProblem[]) {
    super(
      `cannot import the CDC supporting data (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map(formatProblem).join('\n'),
    );
    this.name = 'CdsiImportError';
  }
}

/**
 * File-name slug of an antigen: lower case, runs of anything but letters and digits → "-".
 *
 * @example antigenSlug('Meningococcal B') === 'meningococcal-b'; antigenSlug('COVID-19') === 'covid-19'
 */
export function antigenSlug(antigen: string): string {
  return antigen
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Plain code-unit comparison: locale-independent, so output order never depends on the machine. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function readUtf8(path: string): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
}

function checkXsd(sourceDir: string, xsdName: string, known: ElementSpec): RuleProblem[] {
  const path = join(sourceDir, xsdName);
  if (!existsSync(path)) {
    return [{ file: xsdName, pointer: '', message: 'missing from the source folder' }];
  }
  try {
    return diffShapes(known, shapeFromXsd(readUtf8(path))).map((d) => ({
      file: xsdName,
      pointer: '',
      message: `XSD differs from the structure this importer knows (src/rules/raw-types.ts): ${d}`,
    }));
  } catch (e) {
    return [{ file: xsdName, pointer: '', message: `cannot read: ${(e as Error).message}` }];
  }
}

interface ConvertedAntigen {
  readonly slug: string;
  readonly file: RawAntigenFile;
}

function convertAntigen(
  sourceDir: string,
  xmlName: string,
  problems: RuleProblem[],
): ConvertedAntigen | undefined {
  let text: string;
  try {
    text = readUtf8(join(sourceDir, xmlName));
  } catch (e) {
    problems.push({ file: xmlName, pointer: '', message: `cannot read: ${(e as Error).message}` });
    return undefined;
  }
  const { value, problems: found } = readXml(xmlName, text, ANTIGEN_SHAPE);
  problems.push(...found);
  if (found.length > 0) {
    return undefined;
  }
  const data = value as unknown as RawAntigenSupportingData;
  const diseases = [...new Set(data.series.map((s) => s.targetDisease))];
  const antigen = diseases[0];
  if (diseases.length !== 1 || antigen === undefined || antigen === '') {
    problems.push({
      file: xmlName,
      pointer: '/antigenSupportingData/series',
      message: `every series of an antigen file must have the same non-empty targetDisease; found ${diseases.map((d) => JSON.stringify(d)).join(', ')}`,
    });
    return undefined;
  }
  return {
    slug: antigenSlug(antigen),
    file: { antigen, sourceFile: xmlName, antigenSupportingData: data },
  };
}

/**
 * Imports a CDC supporting-data package into `<outRulesRoot>/cdsi/<version>/`.
 *
 * Reads `AntigenSupportingData*.xml` (one antigen each), `ScheduleSupportingData.xml`, the two
 * XSDs (checked against the structure this importer knows) and `Release Notes.docx` (version
 * and release date, unless given in `opts`). Any other `.xml` file in `sourceDir` is an error.
 *
 * @param sourceDir - folder holding CDC's XML files (e.g. `…/supporting-data`)
 * @param outRulesRoot - the rules root (the repo's `rules/`)
 * @param version - version label and folder name, e.g. "4.64"
 * @param opts - see {@link ImportCdsiOptions}
 * @throws CdsiImportError listing every problem; nothing is written then
 */
export function importCdsi(
  sourceDir: string,
  outRulesRoot: string,
  version: string,
  opts: ImportCdsiOptions = {},
): ImportCdsiResult {
  if (!/^[0-9A-Za-z][0-9A-Za-z._-]*$/.test(version)) {
    throw new CdsiImportError([
      { file: '', pointer: '', message: `invalid version label ${JSON.stringify(version)}` },
    ]);
  }
  const outDir = join(outRulesRoot, 'cdsi', version);
  if (existsSync(outDir) && opts.force !== true) {
    throw new CdsiImportError([
      {
        file: `cdsi/${version}`,
        pointer: '',
        message: `${outDir} already exists (use force to replace it)`,
      },
    ]);
  }

  if (!existsSync(sourceDir) || !statSync(sourceDir).isDirectory()) {
    throw new CdsiImportError([
      { file: sourceDir, pointer: '', message: 'source folder does not exist' },
    ]);
  }
  const problems: RuleProblem[] = [];
  problems.push(...checkXsd(sourceDir, ANTIGEN_XSD, ANTIGEN_SHAPE));
  problems.push(...checkXsd(sourceDir, SCHEDULE_XSD, SCHEDULE_SHAPE));

  let releaseDate = opts.releaseDate;
  let supportingDataVersion = opts.supportingDataVersion;
  if (releaseDate === undefined || supportingDataVersion === undefined) {
    try {
      const notes = readReleaseNotes(join(sourceDir, RELEASE_NOTES));
      releaseDate ??= notes.releaseDate;
      supportingDataVersion ??= notes.supportingDataVersion;
    } catch (e) {
      problems.push({
        file: RELEASE_NOTES,
        pointer: '',
        message: `cannot read version/release date (${(e as Error).message}); pass them explicitly`,
      });
    }
  }
  if (
    releaseDate !== undefined &&
    !/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(releaseDate)
  ) {
    problems.push({
      file: RELEASE_NOTES,
      pointer: '',
      message: `release date ${releaseDate} is not YYYY-MM-DD`,
    });
  }

  const xmlFiles = readdirSync(sourceDir)
    .filter((f) => f.toLowerCase().endsWith('.xml'))
    .sort(compareStrings);
  const antigenXml = xmlFiles.filter((f) => f.startsWith(ANTIGEN_XML_PREFIX));
  for (const f of xmlFiles) {
    if (f !== SCHEDULE_XML && !f.startsWith(ANTIGEN_XML_PREFIX)) {
      problems.push({ file: f, pointer: '', message: 'unknown XML file in the source folder' });
    }
  }
  if (antigenXml.length === 0) {
    problems.push({
      file: '',
      pointer: '',
      message: `no ${ANTIGEN_XML_PREFIX}*.xml in ${sourceDir}`,
    });
  }

  const antigens: ConvertedAntigen[] = [];
  for (const f of antigenXml) {
    const a = convertAntigen(sourceDir, f, problems);
    if (a !== undefined) {
      const clash = antigens.find((o) => o.slug === a.slug);
      if (clash !== undefined) {
        problems.push({
          file: f,
          pointer: '',
          message: `antigen "${a.file.antigen}" (file name ${a.slug}.json) clashes with ${clash.file.sourceFile} ("${clash.file.antigen}")`,
        });
      } else {
        antigens.push(a);
      }
    }
  }
  antigens.sort((a, b) => compareStrings(a.slug, b.slug));

  let schedule: RawScheduleFile | undefined;
  if (!xmlFiles.includes(SCHEDULE_XML)) {
    problems.push({ file: SCHEDULE_XML, pointer: '', message: 'missing from the source folder' });
  } else {
    let text: string | undefined;
    try {
      text = readUtf8(join(sourceDir, SCHEDULE_XML));
    } catch (e) {
      problems.push({
        file: SCHEDULE_XML,
        pointer: '',
        message: `cannot read: ${(e as Error).message}`,
      });
    }
    if (text !== undefined) {
      const { value, problems: found } = readXml(SCHEDULE_XML, text, SCHEDULE_SHAPE);
      problems.push(...found);
      schedule = {
        sourceFile: SCHEDULE_XML,
        scheduleSupportingData: value as unknown as RawScheduleSupportingData,
      };
    }
  }

  if (
    problems.length > 0 ||
    schedule === undefined ||
    releaseDate === undefined ||
    supportingDataVersion === undefined
  ) {
    throw new CdsiImportError(problems);
  }

  // Serialise everything first, then write into a fresh sibling folder and swap it in.
  const contents = new Map<string, string>();
  for (const a of antigens) {
    contents.set(`antigens/${a.slug}.json`, stableJson(a.file));
  }
  contents.set('schedule.json', stableJson(schedule));
  const files: Record<string, string> = {};
  for (const path of [...contents.keys()].sort(compareStrings)) {
    files[path] = sha256(contents.get(path) ?? '');
  }
  const antigenMap: Record<string, string> = {};
  for (const a of antigens) {
    antigenMap[a.file.antigen] = `antigens/${a.slug}.json`;
  }
  const manifest: RawCdsiManifest = {
    kind: 'cdsi-rule-set',
    ruleSetId: CDSI_RULE_SET_ID,
    version,
    source: {
      publisher: 'CDC',
      supportingDataVersion,
      releaseDate,
      logicSpecVersion: opts.logicSpecVersion ?? DEFAULT_LOGIC_SPEC_VERSION,
    },
    antigens: antigenMap,
    schedule: 'schedule.json',
    files,
  };
  contents.set('manifest.json', stableJson(manifest));

  const staging = `${outDir}.importing-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const [path, text] of contents) {
      const target = join(staging, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
    }
    rmSync(outDir, { recursive: true, force: true });
    renameSync(staging, outDir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }

  const series = antigens.flatMap((a) => a.file.antigenSupportingData.series);
  return {
    dir: outDir,
    manifest,
    antigenCount: antigens.length,
    seriesCount: series.length,
    doseCount: series.reduce((n, s) => n + s.seriesDose.length, 0),
    cvxCount: schedule.scheduleSupportingData.cvxToAntigenMap.cvxMap?.length ?? 0,
  };
}
