/**
 * Importer of CDC's IIS standard code sets (CVX, MVX, CPT→CVX, NDC→CVX, product names, vaccine
 * groups) from the folder described by its `SOURCE.md` into `rules/codes/<version>/`.
 *
 * Deterministic: the same sources give byte-identical files (entries sorted by code, objects
 * built with a fixed key order, written with `stableJson`, no timestamps).
 *
 * Version label: the snapshot date of the mirrored sources, read from the commit message quoted
 * in SOURCE.md ("codebase updates for December 12, 2025" → `2025-12-12`). Falls back to the
 * newest "last changed" date of the table in SOURCE.md; can be overridden.
 *
 * Nothing is silently dropped. Every source row becomes part of an entry; a row that cannot be
 * parsed, an unknown XML element or field, a field count other than expected, a record count
 * that disagrees with SOURCE.md, or an unexpected file in the source folder makes the import fail
 * with `file record/line: message`. Known CDC oddities are kept, and flagged where the data
 * cannot show them by itself:
 * - a CPT code mapped to several CVX codes (one entry, several `mappings`);
 * - an NDC mapped to several CVX codes (Engerix-B: 43 and 44; entry `cvx` lists both, one
 *   record per source row);
 * - the same NDC listed twice in one file with a different NoInner flag (Ixiaro; two records);
 * - CDC row ids reused for different NDCs (unit-of-use id 3007): linker rows are resolved by
 *   the labeler of the other side and flagged `…-ambiguous-resolved-by-labeler`;
 * - linker rows naming ids that are in neither NDC file: kept in `links` with
 *   `…-id-not-found` flags;
 * - identical duplicate rows in tradename.xml: kept once with `sourceRowCount`;
 * - empty marketing start dates, 13-digit GTINs: kept as they are (optional / allowed).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sha256, stableJson } from '../manifest';
import { formatProblem } from '../problem';
import { normalizeNdc } from './ndc';
import type {
  ActiveStatus,
  CodeTableFiles,
  CodesManifest,
  CodesSource,
  CodesSourceFile,
  CptEntry,
  CptMapping,
  CvxEntry,
  CvxStatus,
  MvxEntry,
  NdcEntry,
  NdcLink,
  NdcLinkOddity,
  NdcUnitOfSaleRecord,
  NdcUnitOfUseRecord,
  TradenameEntry,
  VaccineGroupEntry,
} from './types';
import { CODE_TABLE_FILES } from './types';
import {
  CODES_MANIFEST_FILE,
  validateCodeTableData,
  validateCodesManifestData,
} from './validate-codes';

export { ndcCandidates, normalizeNdc } from './ndc';

/** The CDC source files the importer reads, besides `SOURCE.md`. */
export const CODE_SOURCE_FILES = [
  'cpt.xml',
  'cvx.xml',
  'mvx.xml',
  'tradename.xml',
  'vac2vg.xml',
  'NDC_Unit_use.txt',
  'NDC_Unit_sale.txt',
  'NDC_Linker.txt',
] as const;

/** One of {@link CODE_SOURCE_FILES}. */
export type CodeSourceFileName = (typeof CODE_SOURCE_FILES)[number];

/** Thrown when the sources cannot be imported; carries every problem found (`file where: message`). */
export class CodeImportError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `cannot import the CDC code tables (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.join('\n'),
    );
    this.name = 'CodeImportError';
  }
}

/** Collects problems; `check()` throws them all at the end of a phase. */
class Problems {
  readonly list: string[] = [];
  add(file: string, where: string, message: string): void {
    this.list.push(`${file}${where === '' ? '' : ' ' + where}: ${message}`);
  }
  check(): void {
    if (this.list.length > 0) {
      throw new CodeImportError(this.list);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Small value parsers

const VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z._-]*$/;
const CVX_PATTERN = /^[0-9]{1,3}$/;
const MVX_PATTERN = /^[A-Z]{2,3}$/;
const CPT_PATTERN = /^[0-9]{4}[0-9A-Z]$/;
const DIGITS = /^[0-9]+$/;
const GTIN_PATTERN = /^[0-9]{8,14}$/;
const CVX_STATUSES: readonly CvxStatus[] = [
  'Active',
  'Inactive',
  'Non-US',
  'Never Active',
  'Pending',
];
const ACTIVE_STATUSES: readonly ActiveStatus[] = ['Active', 'Inactive'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function isValidDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || y < 1800 || y > 2999) {
    return false;
  }
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
  return d <= days;
}

function isoDate(y: number, m: number, d: number): string | undefined {
  return isValidDate(y, m, d)
    ? `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
    : undefined;
}

/** `M/D/YYYY` (the XML files) → `YYYY-MM-DD`. */
function parseUsDate(v: string): string | undefined {
  const m = /^([0-9]{1,2})\/([0-9]{1,2})\/([0-9]{4})$/.exec(v);
  return m ? isoDate(Number(m[3]), Number(m[1]), Number(m[2])) : undefined;
}

/** `YYYYMMDD` (NDC marketing dates) → `YYYY-MM-DD`. */
function parseCompactDate(v: string): string | undefined {
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2})$/.exec(v);
  return m ? isoDate(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
}

/** `YYYY-MM-DD 00:00:00` (NDC last-updated stamps; the time is always midnight) → `YYYY-MM-DD`. */
function parseStamp(v: string): string | undefined {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?: 00:00:00(?:\.0+)?)?$/.exec(v);
  return m ? isoDate(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
}

/** Reads named, trimmed fields of one source record, reporting bad values. */
class FieldReader {
  constructor(
    private readonly problems: Problems,
    private readonly file: string,
    private readonly where: string,
    private readonly get: (field: string) => string,
  ) {}

  private bad(field: string, value: string, expected: string): void {
    this.problems.add(
      this.file,
      this.where,
      `${field} ${JSON.stringify(value)} is not ${expected}`,
    );
  }

  /** Reports the field's value as not being what was expected. */
  invalid(field: string, expected: string): void {
    this.bad(field, this.raw(field), expected);
  }

  /** Trimmed value; '' when empty. */
  raw(field: string): string {
    return this.get(field).trim();
  }

  /** Non-empty trimmed text. */
  text(field: string): string {
    const v = this.raw(field);
    if (v === '') {
      this.problems.add(this.file, this.where, `${field} is empty`);
    }
    return v;
  }

  optional(field: string): string | undefined {
    const v = this.raw(field);
    return v === '' ? undefined : v;
  }

  matching(field: string, pattern: RegExp, expected: string): string {
    const v = this.raw(field);
    if (!pattern.test(v)) {
      this.bad(field, v, expected);
    }
    return v;
  }

  optionalMatching(field: string, pattern: RegExp, expected: string): string | undefined {
    const v = this.raw(field);
    if (v === '') {
      return undefined;
    }
    if (!pattern.test(v)) {
      this.bad(field, v, expected);
    }
    return v;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T {
    const v = this.raw(field);
    if (!(allowed as readonly string[]).includes(v)) {
      this.bad(field, v, `one of ${allowed.join(', ')}`);
    }
    return v as T;
  }

  date(field: string, parse: (v: string) => string | undefined, format: string): string {
    const v = this.raw(field);
    const d = parse(v);
    if (d === undefined) {
      this.bad(field, v, `a valid ${format} date`);
      return '';
    }
    return d;
  }

  optionalDate(
    field: string,
    parse: (v: string) => string | undefined,
    format: string,
  ): string | undefined {
    return this.raw(field) === '' ? undefined : this.date(field, parse, format);
  }
}

/** `{...(v !== undefined ? { key: v } : {})}` keeping the key order of the literal. */
function opt<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

// ---------------------------------------------------------------------------------------------
// Ordering (deterministic, locale-independent)

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Numeric codes (CVX, CDC ids) by value, ties by text (`"3"` before `"03"` never arises). */
function compareNumeric(a: string, b: string): number {
  return Number(a) - Number(b) || compareStrings(a, b);
}

/** Comparator chain with a final tie-break on the serialised object (total order). */
function byKeys<T>(...keys: ((a: T, b: T) => number)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const k of keys) {
      const d = k(a, b);
      if (d !== 0) {
        return d;
      }
    }
    return compareStrings(JSON.stringify(a), JSON.stringify(b));
  };
}

// ---------------------------------------------------------------------------------------------
// SOURCE.md

/** What SOURCE.md says, parsed. */
export interface SourceDescription {
  readonly title: string;
  readonly repository: string;
  readonly repositoryUrl: string;
  readonly commit: string;
  readonly commitMessage: string;
  /** From the commit message, `YYYY-MM-DD`; undefined when the message has no date. */
  readonly snapshotDate: string | undefined;
  readonly pathInRepository: string;
  /** Per source file: last-changed date and stated record count. */
  readonly files: ReadonlyMap<string, { readonly lastChanged: string; readonly records: number }>;
}

/**
 * Parses the provenance file SOURCE.md (title, repository, commit, snapshot date, and the table
 * of files with their last-changed dates and record counts).
 *
 * @param text - content of SOURCE.md
 * @throws CodeImportError when a required item cannot be found
 */
export function parseSourceMd(text: string): SourceDescription {
  const problems = new Problems();
  const need = (re: RegExp, what: string): string => {
    const m = re.exec(text);
    if (m?.[1] === undefined) {
      problems.add('SOURCE.md', '', `cannot find ${what}`);
      return '';
    }
    return m[1].trim();
  };
  const title = need(/^#\s+(.+)$/m, 'the title (a "# " heading)');
  const repository = need(/Repository:\s*`([^`]+)`/, 'the repository (Repository: `owner/name`)');
  const github = /Repository:\s*`[^`]+`\s*\(GitHub\)/.test(text);
  if (repository !== '' && !github) {
    problems.add('SOURCE.md', '', 'the repository is not marked "(GitHub)"; cannot derive its URL');
  }
  const commit = need(/commit\s+`([0-9a-f]{7,40})`/, 'the commit (commit `<sha>`)');
  const commitMessage = need(
    /commit\s+`[0-9a-f]{7,40}`\s*\(\s*"([^"]+)"\s*\)/,
    'the commit message ("…" after the commit)',
  );
  const path = need(/Path in the repository:\s*`([^`]+)`/, 'the path in the repository');
  const dateMatch = new RegExp(`(${MONTHS.join('|')})\\s+([0-9]{1,2}),\\s*([0-9]{4})`).exec(
    commitMessage,
  );
  const snapshotDate = dateMatch
    ? isoDate(Number(dateMatch[3]), MONTHS.indexOf(dateMatch[1] ?? '') + 1, Number(dateMatch[2]))
    : undefined;
  const files = new Map<string, { lastChanged: string; records: number }>();
  const row = /^\|\s*`([^`]+)`\s*\|.*\|\s*([0-9]{4}-[0-9]{2}-[0-9]{2})\s*\|\s*([0-9]+)\s*\|\s*$/gm;
  for (const m of text.matchAll(row)) {
    const [, name = '', changed = '', records = ''] = m;
    const lastChanged = parseStamp(changed);
    if (lastChanged === undefined) {
      problems.add('SOURCE.md', `table row ${name}`, `invalid date ${changed}`);
      continue;
    }
    if (files.has(name)) {
      problems.add('SOURCE.md', `table row ${name}`, 'file listed twice');
    }
    files.set(name, { lastChanged, records: Number(records) });
  }
  for (const name of CODE_SOURCE_FILES) {
    if (!files.has(name)) {
      problems.add('SOURCE.md', '', `the file table has no row for ${name}`);
    }
  }
  problems.check();
  return {
    title,
    repository,
    repositoryUrl: `https://github.com/${repository}`,
    commit,
    commitMessage,
    snapshotDate,
    pathInRepository: path.replace(/<[^>]*>$/, ''),
    files,
  };
}

// ---------------------------------------------------------------------------------------------
// XML

interface XmlRecord {
  /** 1-based position of the record element. */
  readonly index: number;
  readonly fields: ReadonlyMap<string, string>;
}

type XmlNode = Readonly<Record<string, unknown>>;

function isRecord(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Splits a preserveOrder node into its tag (or `#text`), children, text and attribute flag. */
function describeNode(
  node: unknown,
): { tag: string; children: readonly unknown[]; text: string; hasAttributes: boolean } | undefined {
  if (!isRecord(node)) {
    return undefined;
  }
  const keys = Object.keys(node).filter((k) => k !== ':@');
  const tag = keys[0];
  if (keys.length !== 1 || tag === undefined) {
    return undefined;
  }
  const value = node[tag];
  if (tag === '#text') {
    return { tag, children: [], text: String(value), hasAttributes: false };
  }
  return {
    tag,
    children: Array.isArray(value) ? (value as unknown[]) : [],
    text: '',
    hasAttributes: ':@' in node,
  };
}

/** Decodes the bytes per the XML declaration (ISO-8859-1 or UTF-8). */
function decodeXml(bytes: Buffer, file: string, problems: Problems): string {
  const head = bytes.subarray(0, 200).toString('latin1');
  const enc = /^<\?xml[^>]*encoding=["']([^"']+)["']/.exec(head)?.[1]?.toUpperCase() ?? 'UTF-8';
  if (enc === 'ISO-8859-1' || enc === 'LATIN1') {
    return bytes.toString('latin1');
  }
  if (enc !== 'UTF-8') {
    problems.add(file, '', `unsupported XML encoding ${enc}`);
    return '';
  }
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD')) {
    problems.add(file, '', 'not valid UTF-8');
  }
  return text;
}

/** The first entity reference that is neither one of XML's five nor a character reference. */
function undefinedEntity(text: string): { name: string; line: number } | undefined {
  for (const m of text.matchAll(/&([^;&\s<]*);/g)) {
    const name = m[1] ?? '';
    if (!/^(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+)$/.test(name)) {
      const line = text.slice(0, m.index).split('\n').length;
      return { name: `&${name};`, line };
    }
  }
  return undefined;
}

/**
 * Reads `<root><record>…</record>…</root>` where each record is either a sequence of
 * `<Name>n</Name><Value>v</Value>` pairs or of child elements. Every expected field must appear
 * exactly once; anything else fails.
 */
function readXmlRecords(
  sourceDir: string,
  file: CodeSourceFileName,
  rootTag: string,
  recordTag: string,
  layout: 'name-value' | 'elements',
  fieldNames: readonly string[],
  problems: Problems,
): XmlRecord[] {
  const text = decodeXml(readFileSync(join(sourceDir, file)), file, problems);
  const entity = undefinedEntity(text);
  if (entity !== undefined) {
    problems.add(
      file,
      `line ${entity.line}`,
      `undefined entity ${entity.name} (only XML's own are allowed)`,
    );
    return [];
  }
  // fast-xml-parser's XMLParser accepts mismatched and unclosed tags, so well-formedness is checked
  // first. The bundled validator is deprecated in favour of the separate fast-xml-validator package,
  // which is not a dependency of this project; the bundled one still works in v5.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    problems.add(file, `line ${valid.err.line}`, `not well-formed XML: ${valid.err.msg}`);
    return [];
  }
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: true,
  });
  const top = parser.parse(text) as unknown;
  const topNodes = Array.isArray(top) ? (top as unknown[]) : [];
  const roots = topNodes
    .map(describeNode)
    .filter(
      (n) => n !== undefined && n.tag !== '?xml' && !(n.tag === '#text' && n.text.trim() === ''),
    );
  const root = roots[0];
  if (roots.length !== 1 || root?.tag !== rootTag) {
    problems.add(file, '', `expected a single <${rootTag}> root element`);
    return [];
  }
  const elementText = (children: readonly unknown[], where: string, name: string): string => {
    let s = '';
    for (const c of children) {
      const d = describeNode(c);
      if (d?.tag !== '#text') {
        problems.add(file, where, `<${name}> contains markup (<${d?.tag ?? '?'}>), expected text`);
        continue;
      }
      s += d.text;
    }
    return s;
  };

  const records: XmlRecord[] = [];
  let index = 0;
  for (const child of root.children) {
    const d = describeNode(child);
    if (d?.tag === '#text' && d.text.trim() === '') {
      continue;
    }
    if (d?.tag !== recordTag) {
      problems.add(file, '', `unexpected content in <${rootTag}>: <${d?.tag ?? '?'}>`);
      continue;
    }
    index += 1;
    const where = `record ${index} (<${recordTag}> #${index})`;
    if (d.hasAttributes) {
      problems.add(file, where, 'unexpected attributes');
    }
    const fields = new Map<string, string>();
    let pendingName: string | undefined;
    const put = (name: string, value: string): void => {
      if (!fieldNames.includes(name)) {
        problems.add(file, where, `unknown field ${JSON.stringify(name)}`);
      } else if (fields.has(name)) {
        problems.add(file, where, `field ${JSON.stringify(name)} appears twice`);
      } else {
        fields.set(name, value);
      }
    };
    for (const c of d.children) {
      const e = describeNode(c);
      if (e?.tag === '#text') {
        if (e.text.trim() !== '') {
          problems.add(file, where, `stray text ${JSON.stringify(e.text.trim())}`);
        }
        continue;
      }
      if (e === undefined) {
        problems.add(file, where, 'unreadable node');
        continue;
      }
      if (e.hasAttributes) {
        problems.add(file, where, `unexpected attributes on <${e.tag}>`);
      }
      const value = elementText(e.children, where, e.tag);
      if (layout === 'elements') {
        put(e.tag, value);
      } else if (e.tag === 'Name') {
        if (pendingName !== undefined) {
          problems.add(file, where, `<Name>${pendingName}</Name> has no <Value>`);
        }
        pendingName = value.trim();
      } else if (e.tag === 'Value') {
        if (pendingName === undefined) {
          problems.add(file, where, '<Value> without a preceding <Name>');
        } else {
          put(pendingName, value);
        }
        pendingName = undefined;
      } else {
        problems.add(file, where, `unexpected element <${e.tag}>`);
      }
    }
    if (pendingName !== undefined) {
      problems.add(file, where, `<Name>${pendingName}</Name> has no <Value>`);
    }
    for (const name of fieldNames) {
      if (!fields.has(name)) {
        problems.add(file, where, `missing field ${JSON.stringify(name)}`);
      }
    }
    records.push({ index, fields });
  }
  return records;
}

function reader(problems: Problems, file: string, r: XmlRecord): FieldReader {
  return new FieldReader(problems, file, `record ${r.index}`, (f) => r.fields.get(f) ?? '');
}

// ---------------------------------------------------------------------------------------------
// Pipe-delimited NDC files

interface PipeRow {
  readonly line: number;
  readonly fields: readonly string[];
}

function readPipeRows(
  sourceDir: string,
  file: CodeSourceFileName,
  fieldCount: number,
  problems: Problems,
): PipeRow[] {
  const text = readFileSync(join(sourceDir, file)).toString('utf8');
  if (text.includes('\uFFFD')) {
    problems.add(file, '', 'not valid UTF-8/ASCII');
  }
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  const rows: PipeRow[] = [];
  lines.forEach((l, i) => {
    const fields = l.split('|');
    if (l.trim() === '') {
      problems.add(file, `line ${i + 1}`, 'blank line');
    } else if (fields.length !== fieldCount) {
      problems.add(
        file,
        `line ${i + 1}`,
        `expected ${fieldCount} |-separated fields, found ${fields.length}`,
      );
    } else {
      rows.push({ line: i + 1, fields });
    }
  });
  return rows;
}

function pipeReader(
  problems: Problems,
  file: string,
  row: PipeRow,
  names: readonly string[],
): FieldReader {
  return new FieldReader(problems, file, `line ${row.line}`, (f) => {
    const i = names.indexOf(f);
    if (i < 0) {
      throw new Error(`internal: unknown field ${f}`);
    }
    return row.fields[i] ?? '';
  });
}

// ---------------------------------------------------------------------------------------------
// Tables

function buildCvx(sourceDir: string, problems: Problems): { entries: CvxEntry[]; rows: number } {
  const file = 'cvx.xml';
  const names = [
    'ShortDescription',
    'FullVaccinename',
    'CVXCode',
    'Notes',
    'Status',
    'LastUpdated',
  ];
  const records = readXmlRecords(
    sourceDir,
    file,
    'CVXCodes',
    'CVXInfo',
    'elements',
    names,
    problems,
  );
  const entries = records.map((r): CvxEntry => {
    const f = reader(problems, file, r);
    return {
      code: f.matching('CVXCode', CVX_PATTERN, 'a 1-3 digit CVX code'),
      shortDescription: f.text('ShortDescription'),
      fullVaccineName: f.text('FullVaccinename'),
      ...opt('notes', f.optional('Notes')),
      status: f.oneOf('Status', CVX_STATUSES),
      lastUpdated: f.date('LastUpdated', parseUsDate, 'M/D/YYYY'),
    };
  });
  return {
    entries: entries.sort(byKeys((a, b) => compareNumeric(a.code, b.code))),
    rows: records.length,
  };
}

function buildMvx(sourceDir: string, problems: Problems): { entries: MvxEntry[]; rows: number } {
  const file = 'mvx.xml';
  const names = ['MVX_CODE', 'Manufacturer Name', 'Notes', 'Status', 'Last Updated'];
  const records = readXmlRecords(
    sourceDir,
    file,
    'MVXCodes',
    'MVXInfo',
    'name-value',
    names,
    problems,
  );
  const entries = records.map((r): MvxEntry => {
    const f = reader(problems, file, r);
    return {
      code: f.matching('MVX_CODE', MVX_PATTERN, 'a 2-3 letter MVX code'),
      manufacturerName: f.text('Manufacturer Name'),
      ...opt('notes', f.optional('Notes')),
      status: f.oneOf('Status', ACTIVE_STATUSES),
      lastUpdated: f.date('Last Updated', parseUsDate, 'M/D/YYYY'),
    };
  });
  return {
    entries: entries.sort(byKeys((a, b) => compareStrings(a.code, b.code))),
    rows: records.length,
  };
}

function buildCpt(sourceDir: string, problems: Problems): { entries: CptEntry[]; rows: number } {
  const file = 'cpt.xml';
  const names = [
    'CPT Code',
    'CPT Desc',
    'Status',
    'Comments',
    'Vaccine Name',
    'CVX Code',
    'LastUpdated',
  ];
  const records = readXmlRecords(
    sourceDir,
    file,
    'CPTCodes',
    'CPTInfo',
    'name-value',
    names,
    problems,
  );
  const byCode = new Map<string, { description: string; index: number; mappings: CptMapping[] }>();
  for (const r of records) {
    const f = reader(problems, file, r);
    const code = f.matching('CPT Code', CPT_PATTERN, 'a 5-character CPT code');
    const description = f.text('CPT Desc');
    const mapping: CptMapping = {
      cvx: f.matching('CVX Code', CVX_PATTERN, 'a 1-3 digit CVX code'),
      vaccineName: f.text('Vaccine Name'),
      ...opt('status', f.optional('Status')),
      ...opt('comments', f.optional('Comments')),
      lastUpdated: f.date('LastUpdated', parseUsDate, 'M/D/YYYY'),
    };
    const existing = byCode.get(code);
    if (existing === undefined) {
      byCode.set(code, { description, index: r.index, mappings: [mapping] });
      continue;
    }
    // Known CDC oddity: one CPT code on several rows, one per CVX code.
    if (existing.description !== description) {
      problems.add(
        file,
        `record ${r.index}`,
        `CPT ${code} has a different CPT Desc than record ${existing.index}`,
      );
    }
    if (existing.mappings.some((m) => m.cvx === mapping.cvx)) {
      problems.add(file, `record ${r.index}`, `CPT ${code} → CVX ${mapping.cvx} is listed twice`);
    }
    existing.mappings.push(mapping);
  }
  const entries = [...byCode.entries()].map(([code, e]): CptEntry => ({
    code,
    description: e.description,
    mappings: e.mappings.sort(byKeys((a, b) => compareNumeric(a.cvx, b.cvx))),
  }));
  return {
    entries: entries.sort(byKeys((a, b) => compareStrings(a.code, b.code))),
    rows: records.length,
  };
}

function buildTradenames(
  sourceDir: string,
  problems: Problems,
): { entries: TradenameEntry[]; rows: number } {
  const file = 'tradename.xml';
  const names = [
    'CDC Product Name',
    'Short Description',
    'CVXCode',
    'Manufacturer',
    'MVX Code',
    'MVX Status',
    'Product name Status',
    'Last Updated',
  ];
  const records = readXmlRecords(
    sourceDir,
    file,
    'productnames',
    'prodInfo',
    'name-value',
    names,
    problems,
  );
  const byJson = new Map<string, { entry: TradenameEntry; count: number }>();
  for (const r of records) {
    const f = reader(problems, file, r);
    const entry: TradenameEntry = {
      productName: f.text('CDC Product Name'),
      shortDescription: f.text('Short Description'),
      cvx: f.matching('CVXCode', CVX_PATTERN, 'a 1-3 digit CVX code'),
      ...opt('manufacturer', f.optional('Manufacturer')),
      ...opt('mvx', f.optionalMatching('MVX Code', MVX_PATTERN, 'a 2-3 letter MVX code')),
      mvxStatus: f.oneOf('MVX Status', ACTIVE_STATUSES),
      productNameStatus: f.oneOf('Product name Status', ACTIVE_STATUSES),
      lastUpdated: f.date('Last Updated', parseUsDate, 'M/D/YYYY'),
    };
    // Known CDC oddity: identical rows (PREVNAR 7 / 100 / WAL twice) — kept once, counted.
    const key = JSON.stringify(entry);
    const seen = byJson.get(key);
    if (seen === undefined) {
      byJson.set(key, { entry, count: 1 });
    } else {
      seen.count += 1;
    }
  }
  const entries = [...byJson.values()].map(({ entry, count }) =>
    count > 1 ? { ...entry, sourceRowCount: count } : entry,
  );
  return {
    entries: entries.sort(
      byKeys(
        (a, b) => compareNumeric(a.cvx, b.cvx),
        (a, b) => compareStrings(a.productName, b.productName),
        (a, b) => compareStrings(a.mvx ?? '', b.mvx ?? ''),
      ),
    ),
    rows: records.length,
  };
}

function buildVaccineGroups(
  sourceDir: string,
  problems: Problems,
): { entries: VaccineGroupEntry[]; rows: number } {
  const file = 'vac2vg.xml';
  const names = [
    'ShortDescription',
    'CVXCode',
    'Status',
    'Vaccine Group Name',
    'CVX for Vaccine Group',
  ];
  const records = readXmlRecords(
    sourceDir,
    file,
    'VGCodes',
    'CVXVGInfo',
    'name-value',
    names,
    problems,
  );
  const entries = records.map((r): VaccineGroupEntry => {
    const f = reader(problems, file, r);
    return {
      cvx: f.matching('CVXCode', CVX_PATTERN, 'a 1-3 digit CVX code'),
      shortDescription: f.text('ShortDescription'),
      status: f.oneOf('Status', CVX_STATUSES),
      vaccineGroupName: f.text('Vaccine Group Name'),
      vaccineGroupCvx: f.matching('CVX for Vaccine Group', CVX_PATTERN, 'a 1-3 digit CVX code'),
    };
  });
  return {
    entries: entries.sort(
      byKeys(
        (a, b) => compareNumeric(a.cvx, b.cvx),
        (a, b) => compareNumeric(a.vaccineGroupCvx, b.vaccineGroupCvx),
      ),
    ),
    rows: records.length,
  };
}

/** Field layout of NDC_Unit_use.txt (read off the data; no header is shipped). */
const USE_FIELDS = [
  'id',
  'labeler',
  'product',
  'package',
  'proprietaryName',
  'genericName',
  'labelerName',
  'startDate',
  'endDate',
  'packageDescription',
  'gtin',
  'cvx',
  'cvxShortDescription',
  'noInner',
  'ndc',
  'lastUpdated',
  'gtin2',
] as const;

/** Field layout of NDC_Unit_sale.txt. */
const SALE_FIELDS = [
  'id',
  'labeler',
  'product',
  'package',
  'proprietaryName',
  'genericName',
  'labelerName',
  'startDate',
  'endDate',
  'packageDescription',
  'route',
  'lastUpdated',
  'cvx',
  'cvxShortDescription',
  'ndc',
  'gtin',
] as const;

/** Field layout of NDC_Linker.txt. */
const LINK_FIELDS = ['linkId', 'saleId', 'useId', 'mvx'] as const;

type UseRowData = Omit<NdcUnitOfUseRecord, 'unitOfSaleNdcs'>;
type SaleRowData = Omit<NdcUnitOfSaleRecord, 'unitOfUseNdcs'>;

interface ParsedRow<T> {
  readonly line: number;
  readonly ndc: string;
  readonly data: T;
  readonly linked: Set<string>;
}

/** Common NDC fields; checks the hyphenated NDC against the separate segment fields. */
function ndcCommon(f: FieldReader):
  | {
      ndc: string;
      base: Omit<SaleRowData, 'route' | 'cvx' | 'cvxShortDescription' | 'gtin' | 'lastUpdated'>;
    }
  | undefined {
  const ndcAsGiven = f.text('ndc');
  const labelerCode = f.matching('labeler', /^[0-9]{1,5}$/, 'a labeler code of 1-5 digits');
  const productCode = f.matching('product', /^[0-9]{1,4}$/, 'a product code of 1-4 digits');
  const packageCode = f.matching('package', /^[0-9]{1,2}$/, 'a package code of 1-2 digits');
  const ndc = normalizeNdc(ndcAsGiven);
  const base = {
    cdcId: f.matching('id', DIGITS, 'a numeric CDC id'),
    ndcAsGiven,
    labelerCode,
    productCode,
    packageCode,
    proprietaryName: f.text('proprietaryName'),
    genericName: f.text('genericName'),
    labelerName: f.text('labelerName'),
    ...opt('startDate', f.optionalDate('startDate', parseCompactDate, 'YYYYMMDD')),
    ...opt('endDate', f.optionalDate('endDate', parseCompactDate, 'YYYYMMDD')),
    ...opt('packageDescription', f.optional('packageDescription')),
  };
  if (ndc === undefined) {
    f.invalid('ndc', 'an NDC that can be normalised to 5-4-2');
    return undefined;
  }
  const segments = `${labelerCode.padStart(5, '0')}-${productCode.padStart(4, '0')}-${packageCode.padStart(2, '0')}`;
  if (segments !== ndc) {
    f.invalid(
      'ndc',
      `consistent with the segment fields ${labelerCode}|${productCode}|${packageCode}`,
    );
  }
  return { ndc, base };
}

function parseUseRows(sourceDir: string, problems: Problems): ParsedRow<UseRowData>[] {
  const file = 'NDC_Unit_use.txt';
  const out: ParsedRow<UseRowData>[] = [];
  for (const row of readPipeRows(sourceDir, file, USE_FIELDS.length, problems)) {
    const f = pipeReader(problems, file, row, USE_FIELDS);
    const common = ndcCommon(f);
    const gtin = f.optionalMatching('gtin', GTIN_PATTERN, 'a GTIN of 8-14 digits');
    if (f.raw('gtin2') !== (gtin ?? '')) {
      problems.add(
        file,
        `line ${row.line}`,
        `the two GTIN fields differ (${gtin ?? ''} / ${f.raw('gtin2')})`,
      );
    }
    const cvx = f.matching('cvx', CVX_PATTERN, 'a 1-3 digit CVX code');
    const cvxShortDescription = f.text('cvxShortDescription');
    const noInner = f.oneOf('noInner', ['True', 'False'] as const) === 'True';
    const lastUpdated = f.date('lastUpdated', parseStamp, 'YYYY-MM-DD 00:00:00');
    if (common === undefined) {
      continue;
    }
    out.push({
      line: row.line,
      ndc: common.ndc,
      data: {
        ...common.base,
        cvx,
        cvxShortDescription,
        ...opt('gtin', gtin),
        noInner,
        lastUpdated,
      },
      linked: new Set(),
    });
  }
  return out;
}

function parseSaleRows(sourceDir: string, problems: Problems): ParsedRow<SaleRowData>[] {
  const file = 'NDC_Unit_sale.txt';
  const out: ParsedRow<SaleRowData>[] = [];
  for (const row of readPipeRows(sourceDir, file, SALE_FIELDS.length, problems)) {
    const f = pipeReader(problems, file, row, SALE_FIELDS);
    const common = ndcCommon(f);
    const route = f.text('route');
    const cvx = f.matching('cvx', CVX_PATTERN, 'a 1-3 digit CVX code');
    const cvxShortDescription = f.text('cvxShortDescription');
    const gtin = f.optionalMatching('gtin', GTIN_PATTERN, 'a GTIN of 8-14 digits');
    const lastUpdated = f.date('lastUpdated', parseStamp, 'YYYY-MM-DD 00:00:00');
    if (common === undefined) {
      continue;
    }
    out.push({
      line: row.line,
      ndc: common.ndc,
      data: { ...common.base, route, cvx, cvxShortDescription, ...opt('gtin', gtin), lastUpdated },
      linked: new Set(),
    });
  }
  return out;
}

interface ParsedLink {
  readonly line: number;
  readonly linkId: string;
  readonly saleId: string;
  readonly useId: string;
  readonly mvx: string;
}

function parseLinks(sourceDir: string, problems: Problems): ParsedLink[] {
  const file = 'NDC_Linker.txt';
  const out: ParsedLink[] = [];
  const seen = new Map<string, number>();
  for (const row of readPipeRows(sourceDir, file, LINK_FIELDS.length, problems)) {
    const f = pipeReader(problems, file, row, LINK_FIELDS);
    const link = {
      line: row.line,
      linkId: f.matching('linkId', DIGITS, 'a numeric link id'),
      saleId: f.matching('saleId', DIGITS, 'a numeric unit-of-sale id'),
      useId: f.matching('useId', DIGITS, 'a numeric unit-of-use id'),
      mvx: f.matching('mvx', MVX_PATTERN, 'a 2-3 letter MVX code'),
    };
    const key = `${link.linkId}|${link.saleId}|${link.useId}|${link.mvx}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.add(file, `line ${row.line}`, `exact duplicate of line ${first}`);
    }
    seen.set(key, row.line);
    out.push(link);
  }
  return out;
}

/** Distinct NDCs of the rows with `id`; if several, keeps those with the given labeler. */
function resolveId<T extends { cdcId: string }>(
  rows: readonly ParsedRow<T>[],
  id: string,
  labelerHint: string | undefined,
): { ndc: string | undefined; ambiguous: boolean; candidates: string[] } {
  const candidates = [...new Set(rows.filter((r) => r.data.cdcId === id).map((r) => r.ndc))].sort();
  if (candidates.length <= 1) {
    return { ndc: candidates[0], ambiguous: false, candidates };
  }
  const narrowed = candidates.filter(
    (n) => labelerHint !== undefined && n.slice(0, 5) === labelerHint,
  );
  return { ndc: narrowed.length === 1 ? narrowed[0] : undefined, ambiguous: true, candidates };
}

function buildNdc(
  sourceDir: string,
  problems: Problems,
): { entries: NdcEntry[]; links: NdcLink[]; rows: Record<string, number> } {
  const useRows = parseUseRows(sourceDir, problems);
  const saleRows = parseSaleRows(sourceDir, problems);
  const parsedLinks = parseLinks(sourceDir, problems);

  // Identical rows (same NDC, every field equal) would be indistinguishable: refuse them.
  const reportExactDuplicates = (file: string, rows: readonly ParsedRow<object>[]): void => {
    const seen = new Map<string, number>();
    for (const r of rows) {
      const key = JSON.stringify(r.data);
      const first = seen.get(key);
      if (first !== undefined) {
        problems.add(file, `line ${r.line}`, `exact duplicate of line ${first}`);
      }
      seen.set(key, r.line);
    }
  };
  reportExactDuplicates('NDC_Unit_use.txt', useRows);
  reportExactDuplicates('NDC_Unit_sale.txt', saleRows);

  const mvxByNdc = new Map<string, Set<string>>();
  const addMvx = (ndc: string, mvx: string): void => {
    const set = mvxByNdc.get(ndc) ?? new Set<string>();
    set.add(mvx);
    mvxByNdc.set(ndc, set);
  };
  const links: NdcLink[] = [];
  for (const l of parsedLinks) {
    const oddities: NdcLinkOddity[] = [];
    let sale = resolveId(saleRows, l.saleId, undefined);
    const use = resolveId(useRows, l.useId, sale.ndc?.slice(0, 5));
    if (sale.ambiguous) {
      sale = resolveId(saleRows, l.saleId, use.ndc?.slice(0, 5));
    }
    for (const [side, r, idFound, idAmbiguous] of [
      [
        'unit-of-sale',
        sale,
        'unit-of-sale-id-not-found',
        'unit-of-sale-id-ambiguous-resolved-by-labeler',
      ],
      [
        'unit-of-use',
        use,
        'unit-of-use-id-not-found',
        'unit-of-use-id-ambiguous-resolved-by-labeler',
      ],
    ] as const) {
      if (r.candidates.length === 0) {
        oddities.push(idFound);
      } else if (r.ambiguous) {
        if (r.ndc === undefined) {
          problems.add(
            'NDC_Linker.txt',
            `line ${l.line}`,
            `${side} id is used by several NDCs (${r.candidates.join(', ')}) and the labeler of the other side does not tell them apart`,
          );
        } else {
          oddities.push(idAmbiguous);
        }
      }
    }
    if (sale.ndc !== undefined) {
      addMvx(sale.ndc, l.mvx);
    }
    if (use.ndc !== undefined) {
      addMvx(use.ndc, l.mvx);
    }
    if (sale.ndc !== undefined && use.ndc !== undefined) {
      for (const r of saleRows) {
        if (r.data.cdcId === l.saleId && r.ndc === sale.ndc) {
          r.linked.add(use.ndc);
        }
      }
      for (const r of useRows) {
        if (r.data.cdcId === l.useId && r.ndc === use.ndc) {
          r.linked.add(sale.ndc);
        }
      }
    }
    links.push({
      linkId: l.linkId,
      unitOfSaleId: l.saleId,
      unitOfUseId: l.useId,
      mvx: l.mvx,
      ...opt('unitOfSaleNdc', sale.ndc),
      ...opt('unitOfUseNdc', use.ndc),
      ...opt('oddities', oddities.length > 0 ? oddities : undefined),
    });
  }

  const groups = new Map<string, { use: NdcUnitOfUseRecord[]; sale: NdcUnitOfSaleRecord[] }>();
  const group = (ndc: string): { use: NdcUnitOfUseRecord[]; sale: NdcUnitOfSaleRecord[] } => {
    const g = groups.get(ndc) ?? { use: [], sale: [] };
    groups.set(ndc, g);
    return g;
  };
  const sortedNdcs = (s: ReadonlySet<string>): string[] => [...s].sort(compareStrings);
  for (const r of useRows) {
    group(r.ndc).use.push({ ...r.data, unitOfSaleNdcs: sortedNdcs(r.linked) });
  }
  for (const r of saleRows) {
    group(r.ndc).sale.push({ ...r.data, unitOfUseNdcs: sortedNdcs(r.linked) });
  }
  const recordOrder = byKeys<NdcUnitOfUseRecord | NdcUnitOfSaleRecord>(
    (a, b) => compareNumeric(a.cdcId, b.cdcId),
    (a, b) => compareNumeric(a.cvx, b.cvx),
  );
  const entries = [...groups.entries()].map(([ndc, g]): NdcEntry => {
    const unitOfUse = g.use.sort(recordOrder);
    const unitOfSale = g.sale.sort(recordOrder);
    const cvx = [...new Set([...unitOfUse, ...unitOfSale].map((r) => r.cvx))].sort(compareNumeric);
    return {
      ndc,
      cvx,
      mvx: [...(mvxByNdc.get(ndc) ?? [])].sort(compareStrings),
      unitOfUse,
      unitOfSale,
    };
  });
  return {
    entries: entries.sort(byKeys((a, b) => compareStrings(a.ndc, b.ndc))),
    links: links.sort(
      byKeys(
        (a, b) => compareNumeric(a.linkId, b.linkId),
        (a, b) => compareNumeric(a.unitOfSaleId, b.unitOfSaleId),
        (a, b) => compareNumeric(a.unitOfUseId, b.unitOfUseId),
        (a, b) => compareStrings(a.mvx, b.mvx),
      ),
    ),
    rows: {
      'NDC_Unit_use.txt': useRows.length,
      'NDC_Unit_sale.txt': saleRows.length,
      'NDC_Linker.txt': parsedLinks.length,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Public API

/** Options of {@link buildCodeTables} and {@link importCodes}. */
export interface BuildCodeTablesOptions {
  /** Version label overriding the one derived from SOURCE.md. */
  readonly version?: string;
}

/** Record counts of an import. */
export interface CodeTableCounts {
  readonly cvx: number;
  readonly mvx: number;
  readonly cptCodes: number;
  readonly cptMappings: number;
  readonly ndcs: number;
  readonly ndcUnitOfUseRows: number;
  readonly ndcUnitOfSaleRows: number;
  readonly ndcLinks: number;
  readonly tradenames: number;
  readonly vaccineGroups: number;
}

/** The generated tables, in memory, with their serialised file contents. */
export interface BuiltCodeTables {
  readonly version: string;
  readonly tables: CodeTableFiles;
  readonly manifest: CodesManifest;
  /** File name (`cvx.json`, …, `manifest.json`) → exact bytes to write. */
  readonly contents: ReadonlyMap<string, string>;
  readonly counts: CodeTableCounts;
}

/**
 * Reads and converts the CDC sources into the six tables plus manifest, without writing
 * anything; the result has already passed schema and semantic validation.
 *
 * @param sourceDir - folder with SOURCE.md and the eight CDC files
 * @param options - optional version override
 * @throws CodeImportError listing every problem when the sources cannot be imported faithfully
 */
export function buildCodeTables(
  sourceDir: string,
  options: BuildCodeTablesOptions = {},
): BuiltCodeTables {
  const dir = resolve(sourceDir);
  const problems = new Problems();
  if (!existsSync(join(dir, 'SOURCE.md'))) {
    throw new CodeImportError([`${dir}: no SOURCE.md (is this the CDC code-set folder?)`]);
  }
  const known = new Set<string>(['SOURCE.md', ...CODE_SOURCE_FILES]);
  for (const name of readdirSync(dir).sort()) {
    if (!name.startsWith('.') && !known.has(name)) {
      problems.add(
        name,
        '',
        'unexpected file in the source folder (the importer does not know it)',
      );
    }
  }
  for (const name of CODE_SOURCE_FILES) {
    if (!existsSync(join(dir, name))) {
      problems.add(name, '', 'source file is missing');
    }
  }
  problems.check();
  const source = parseSourceMd(readFileSync(join(dir, 'SOURCE.md'), 'utf8'));
  const latestChange = [...source.files.values()]
    .map((f) => f.lastChanged)
    .sort()
    .pop();
  const version = options.version ?? source.snapshotDate ?? latestChange;
  if (version === undefined || !VERSION_PATTERN.test(version)) {
    throw new CodeImportError([
      `SOURCE.md: no usable version label (${version ?? 'none'}); pass one explicitly`,
    ]);
  }

  const cvx = buildCvx(dir, problems);
  const mvx = buildMvx(dir, problems);
  const cpt = buildCpt(dir, problems);
  const ndc = buildNdc(dir, problems);
  const tradenames = buildTradenames(dir, problems);
  const groups = buildVaccineGroups(dir, problems);
  problems.check();

  const rowCounts: Record<CodeSourceFileName, number> = {
    'cvx.xml': cvx.rows,
    'mvx.xml': mvx.rows,
    'cpt.xml': cpt.rows,
    'tradename.xml': tradenames.rows,
    'vac2vg.xml': groups.rows,
    'NDC_Unit_use.txt': ndc.rows['NDC_Unit_use.txt'] ?? 0,
    'NDC_Unit_sale.txt': ndc.rows['NDC_Unit_sale.txt'] ?? 0,
    'NDC_Linker.txt': ndc.rows['NDC_Linker.txt'] ?? 0,
  };
  const sourceFiles: Record<string, CodesSourceFile> = {};
  for (const name of [...CODE_SOURCE_FILES].sort(compareStrings)) {
    const stated = source.files.get(name);
    if (stated === undefined) {
      continue; // parseSourceMd already refused this
    }
    if (stated.records !== rowCounts[name]) {
      problems.add(
        name,
        '',
        `SOURCE.md states ${stated.records} records but ${rowCounts[name]} were read`,
      );
    }
    sourceFiles[name] = {
      lastChanged: stated.lastChanged,
      records: stated.records,
      sha256: sha256(readFileSync(join(dir, name))),
    };
  }
  problems.check();

  const tables: CodeTableFiles = {
    'cvx.json': { entries: cvx.entries },
    'mvx.json': { entries: mvx.entries },
    'cpt.json': { entries: cpt.entries },
    'ndc.json': { entries: ndc.entries, links: ndc.links },
    'tradenames.json': { entries: tradenames.entries },
    'vaccine-groups.json': { entries: groups.entries },
  };
  const fileOf = (name: string): string => `codes/${version}/${name}`;
  const tableProblems = validateCodeTableData(tables, fileOf);
  if (tableProblems.length > 0) {
    throw new CodeImportError(tableProblems.map(formatProblem));
  }

  const contents = new Map<string, string>();
  const hashes: Record<string, string> = {};
  for (const name of [...CODE_TABLE_FILES].sort(compareStrings)) {
    const text = stableJson(tables[name]);
    contents.set(name, text);
    hashes[name] = sha256(text);
  }
  const codesSource: CodesSource = {
    title: source.title,
    repository: source.repository,
    repositoryUrl: source.repositoryUrl,
    commit: source.commit,
    commitMessage: source.commitMessage,
    snapshotDate: source.snapshotDate ?? latestChange ?? version,
    pathInRepository: source.pathInRepository,
    files: sourceFiles,
  };
  const manifest: CodesManifest = {
    kind: 'cdc-code-tables',
    version,
    source: codesSource,
    files: hashes,
  };
  const manifestProblems = validateCodesManifestData(manifest, fileOf(CODES_MANIFEST_FILE));
  if (manifestProblems.length > 0) {
    throw new CodeImportError(manifestProblems.map(formatProblem));
  }
  contents.set(CODES_MANIFEST_FILE, stableJson(manifest));

  return {
    version,
    tables,
    manifest,
    contents,
    counts: {
      cvx: cvx.entries.length,
      mvx: mvx.entries.length,
      cptCodes: cpt.entries.length,
      cptMappings: cpt.rows,
      ndcs: ndc.entries.length,
      ndcUnitOfUseRows: rowCounts['NDC_Unit_use.txt'],
      ndcUnitOfSaleRows: rowCounts['NDC_Unit_sale.txt'],
      ndcLinks: ndc.links.length,
      tradenames: tradenames.entries.length,
      vaccineGroups: groups.entries.length,
    },
  };
}

/** Options of {@link importCodes}. */
export interface ImportCodesOptions extends BuildCodeTablesOptions {
  /** Folder with SOURCE.md and the CDC files. */
  readonly sourceDir: string;
  /** Rules folder; tables go to `<rulesRoot>/codes/<version>/`. */
  readonly rulesRoot: string;
}

/** What {@link importCodes} wrote. */
export interface ImportCodesResult {
  readonly version: string;
  /** Absolute path of the version folder written. */
  readonly outDir: string;
  /** File names written, sorted. */
  readonly files: readonly string[];
  readonly counts: CodeTableCounts;
}

/**
 * Imports the CDC sources into `<rulesRoot>/codes/<version>/` (six tables and `manifest.json`),
 * overwriting those files. Nothing is written when the sources are invalid.
 *
 * @param options - source folder, rules folder, optional version override
 * @throws CodeImportError listing every problem when the sources cannot be imported faithfully
 */
export function importCodes(options: ImportCodesOptions): ImportCodesResult {
  const built = buildCodeTables(
    options.sourceDir,
    options.version === undefined ? {} : { version: options.version },
  );
  const outDir = resolve(options.rulesRoot, 'codes', built.version);
  mkdirSync(outDir, { recursive: true });
  const files = [...built.contents.keys()].sort(compareStrings);
  for (const name of files) {
    writeFileSync(join(outDir, name), built.contents.get(name) ?? '');
  }
  return { version: built.version, outDir, files, counts: built.counts };
}
