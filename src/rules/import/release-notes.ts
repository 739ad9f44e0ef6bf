import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/**
 * Reads the version and release date from CDC's `Release Notes.docx`, whose first paragraphs
 * read "Supporting Data Release Notes – 4.64" / "November 10, 2025".
 *
 * A .docx is a zip; this reads the one entry it needs (`word/document.xml`) with `node:zlib`
 * rather than adding a zip dependency.
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
 * Extracts one entry of a zip archive (stored or deflated).
 *
 * @param zip - the whole archive
 * @param entryName - path inside the archive
 * @throws Error if the archive is malformed or has no such entry
 */
export function readZipEntry(zip: Buffer, entryName: string): Buffer {
  // End of central directory record: signature 0x06054b50, at least 22 bytes from the end.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw new Error('not a zip archive (no end-of-central-directory record)');
  }
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) {
      throw new Error('corrupt zip central directory');
    }
    const method = zip.readUInt16LE(p + 10);
    const compressedSize = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const localHeader = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    if (name === entryName) {
      if (zip.readUInt32LE(localHeader) !== 0x04034b50) {
        throw new Error(`corrupt zip local header for ${name}`);
      }
      const dataStart =
        localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) {
        return Buffer.from(data);
      }
      if (method === 8) {
        return inflateRawSync(data);
      }
      throw new Error(`unsupported zip compression method ${method} for ${name}`);
    }
    p += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`no ${entryName} in the archive`);
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
