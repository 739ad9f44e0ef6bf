import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { unzipSync } from 'fflate';
import { SCHEDULE_XML } from '../import/import-cdsi';
import { readZipEntry } from '../import/release-notes';

/**
 * The CDC supporting-data release as `import-cdc` receives it: the folder of XML files, a
 * folder holding that folder (the release unpacked as is), or the release `.zip` itself. In every
 * case the files that count are those next to `ScheduleSupportingData.xml`.
 *
 * Zip archives are read with fflate (see `readZipEntry` in `../import/release-notes.ts`).
 */

/** A source folder ready for the importer. */
export interface PreparedSource {
  /** Folder holding `ScheduleSupportingData.xml`, the antigen XML, the XSDs, the release notes. */
  readonly dir: string;
  /** What was given, for messages. */
  readonly origin: string;
  /** Removes the temporary folder a zip was extracted into (no-op for a folder). */
  cleanup(): void;
}

/** A source that cannot be used; the message says why. */
export class CdcSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CdcSourceError';
  }
}

/** The names of the file entries of a zip archive (directories excluded), in archive order. */
export function listZipEntries(zip: Buffer): string[] {
  const names: string[] = [];
  try {
    // The filter sees every entry's name without inflating any; returning false extracts nothing.
    unzipSync(zip, {
      filter: (f) => {
        if (!f.name.endsWith('/')) {
          names.push(f.name);
        }
        return false;
      },
    });
  } catch (e) {
    throw new CdcSourceError(`not a readable zip archive (${(e as Error).message})`);
  }
  return names;
}

const WANTED = /\.(xml|xsd|docx)$/i;

function isJunk(name: string): boolean {
  return name.startsWith('__MACOSX/') || posix.basename(name).startsWith('._');
}

function fromZip(path: string): PreparedSource {
  const zip = readFileSync(path);
  const names = listZipEntries(zip).filter((n) => !isJunk(n));
  const schedules = names.filter((n) => posix.basename(n) === SCHEDULE_XML);
  const first = schedules[0];
  if (first === undefined || schedules.length > 1) {
    throw new CdcSourceError(
      first === undefined
        ? `${path}: no ${SCHEDULE_XML} in the archive`
        : `${path}: several ${SCHEDULE_XML} in the archive (${schedules.join(', ')})`,
    );
  }
  const prefix = posix.dirname(first) === '.' ? '' : `${posix.dirname(first)}/`;
  const entries = names.filter(
    (n) => n.startsWith(prefix) && !n.slice(prefix.length).includes('/') && WANTED.test(n),
  );
  const dir = mkdtempSync(join(tmpdir(), 'cdsi-release-'));
  try {
    for (const name of entries) {
      writeFileSync(join(dir, posix.basename(name)), readZipEntry(zip, name));
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new CdcSourceError(`${path}: ${(e as Error).message}`);
  }
  return {
    dir,
    origin: path,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function findScheduleFolder(dir: string, depth: number): string[] {
  if (existsSync(join(dir, SCHEDULE_XML))) {
    return [dir];
  }
  if (depth === 0) {
    return [];
  }
  return readdirSync(dir)
    .filter((name) => name !== '__MACOSX' && statSync(join(dir, name)).isDirectory()) // follows links
    .flatMap((name) => findScheduleFolder(join(dir, name), depth - 1));
}

/**
 * Makes a CDC release usable by the importer (see the module comment).
 *
 * @param path - A folder or a `.zip` file.
 * @throws CdcSourceError when the path is missing or holds no (or more than one) release
 */
export function prepareCdcSource(path: string): PreparedSource {
  if (!existsSync(path)) {
    throw new CdcSourceError(`${path}: no such file or folder`);
  }
  if (statSync(path).isFile()) {
    return fromZip(path);
  }
  const found = findScheduleFolder(path, 2);
  const only = found[0];
  if (only === undefined || found.length > 1) {
    throw new CdcSourceError(
      only === undefined
        ? `${path}: no ${SCHEDULE_XML} in this folder or the two levels below it`
        : `${path}: several releases found (${found.join(', ')}); pass one of them`,
    );
  }
  return { dir: only, origin: path, cleanup: () => undefined };
}
