import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';

/**
 * Reads the version and release date from CDC's `Release Notes.docx`, whose first paragraphs
 * read "Supporting Data Release Notes – 4.64" / "November 10, 2025".
 *
 * A .docx is a zip; this reads the one entry it needs (`word/document.xml`) with fflate.
 */

/** What the release notes say about the release. */
export interface ReleaseInfo {
  /** Supporting-data version from the title, e.g. "4.64". */
  readonly supportingDataVersion: string;
  /** Release date, YYYY-MM-DD. */
  readonly releaseDate: string;
}

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

/**
 * Extracts one entry of a zip archive (fflate does the zip format; a .docx is a zip).
 *
 * @param zip - the whole archive
 * @param entryName - path inside the archive
 * @throws Error if the archive is malformed or has no such entry
 */
export function readZipEntry(zip: Buffer, entryName: string): Buffer {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, { filter: (f) => f.name === entryName });
  } catch (e) {
    throw new Error(`not a readable zip archive (${(e as Error).message})`);
  }
  const data = files[entryName];
  if (data === undefined) {
    throw new Error(`no ${entryName} in the archive`);
  }
  return Buffer.from(data);
}

/**
 * The plain text of a .docx: one line per paragraph, run boundaries joined without spaces.
 *
 * @param docx - the .docx file's bytes
 */
export function docxText(docx: Buffer): string {
  const xml = readZipEntry(docx, 'word/document.xml').toString('utf8');
  return xml
    .replace(/<w:tab\/>/g, '\t')
    .replace(/<\/w:p>/g, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * Finds the supporting-data version and release date at the top of the release notes.
 *
 * @param text - the release notes' text (see {@link docxText})
 * @throws Error if either is missing
 */
export function parseReleaseNotes(text: string): ReleaseInfo {
  const head = text.slice(0, 2000);
  const version = /Release Notes\s*[–—-]\s*(\d+\.\d+)/.exec(head);
  if (version?.[1] === undefined) {
    throw new Error('no "Release Notes – <version>" title found');
  }
  const date = new RegExp(`\\b(${MONTHS.join('|')})\\s+(\\d{1,2})\\s*,\\s*(\\d{4})\\b`).exec(head);
  if (date?.[1] === undefined || date[2] === undefined || date[3] === undefined) {
    throw new Error('no "<Month> <day>, <year>" release date found near the title');
  }
  const month = MONTHS.indexOf(date[1]) + 1;
  const releaseDate = `${date[3]}-${String(month).padStart(2, '0')}-${date[2].padStart(2, '0')}`;
  return { supportingDataVersion: version[1], releaseDate };
}

/**
 * Reads version and release date from a `Release Notes.docx`.
 *
 * @param path - the .docx file
 */
export function readReleaseNotes(path: string): ReleaseInfo {
  return parseReleaseNotes(docxText(readFileSync(path)));
}
