import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { checkManifestHashes } from '../manifest';
import type { RuleProblem } from '../problem';
import { pointer } from '../problem';
import type { RawAntigenFile, RawCdsiManifest, RawScheduleFile } from '../raw-types';
import { schemaProblems } from './cdsi-schemas';
import type { CheckedAntigen, CheckedSchedule } from './cdsi-semantics';
import { cdsiSemanticProblems } from './cdsi-semantics';

/**
 * Validation of one CDSi rule-set version folder (`rules/cdsi/<version>/`): JSON Schema,
 * manifest (hashes, listed files, names) and semantic checks. Every problem is collected.
 */

/** Name of the manifest in a version folder. */
export const CDSI_MANIFEST_FILE = 'manifest.json';

/** A rule set as read from disk, with every problem found while reading and validating it. */
export interface CdsiReadResult {
  readonly problems: readonly RuleProblem[];
  /** Present only when the manifest is schema-valid. */
  readonly manifest: RawCdsiManifest | undefined;
  /** Schema-valid antigen files, in manifest order. */
  readonly antigens: readonly RawAntigenFile[];
  /** Present only when schema-valid. */
  readonly schedule: RawScheduleFile | undefined;
}

/**
 * Resolves a version folder: absolute, relative to `rulesRoot` (`cdsi/4.64`), or a bare label
 * without path separators (`4.64`, meaning `cdsi/4.64`).
 */
function resolveVersionDir(rulesRoot: string, versionDir: string): string {
  if (!isAbsolute(versionDir) && !/[\\/]/.test(versionDir)) {
    return resolve(rulesRoot, 'cdsi', versionDir);
  }
  return resolve(rulesRoot, versionDir);
}

/** Lists every file under `dir`, as `/`-separated paths relative to it, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      out.push(...listFiles(join(dir, entry.name), rel));
    } else {
      out.push(rel);
    }
  }
  return out.sort();
}

/**
 * Reads and validates one CDSi version folder; the loader uses the parsed files it returns.
 *
 * @param rulesRoot - the rules root (file names in problems are relative to it)
 * @param versionDir - see {@link validateCdsiRuleSet}
 */
export function readCdsiRuleSet(rulesRoot: string, versionDir: string): CdsiReadResult {
  const root = resolve(rulesRoot);
  const dir = resolveVersionDir(root, versionDir);
  const rel = (name: string): string => relative(root, join(dir, name)).split(sep).join('/');
  const problems: RuleProblem[] = [];
  const none: CdsiReadResult = { problems, manifest: undefined, antigens: [], schedule: undefined };

  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    problems.push({ file: rel(''), pointer: '', message: 'rule-set folder does not exist' });
    return none;
  }
  const readJson = (name: string): unknown => {
    const path = join(dir, name);
    if (!existsSync(path)) {
      problems.push({ file: rel(name), pointer: '', message: 'file is missing' });
      return undefined;
    }
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as unknown;
    } catch (e) {
      problems.push({
        file: rel(name),
        pointer: '',
        message: `not valid JSON: ${(e as Error).message}`,
      });
      return undefined;
    }
  };

  const rawManifest = readJson(CDSI_MANIFEST_FILE);
  if (rawManifest === undefined) {
    return none;
  }
  const manifestFile = rel(CDSI_MANIFEST_FILE);
  const manifestSchema = schemaProblems('manifest', manifestFile, rawManifest);
  if (manifestSchema.length > 0) {
    problems.push(...manifestSchema);
    return none;
  }
  const manifest = rawManifest as RawCdsiManifest;
  const folder = basename(dir);
  if (manifest.version !== folder) {
    problems.push({
      file: manifestFile,
      pointer: '/version',
      message: `version "${manifest.version}" does not match the folder name "${folder}"`,
    });
  }
  problems.push(...checkManifestHashes(dir, manifestFile, manifest.files));
  for (const name of listFiles(dir)) {
    if (name !== CDSI_MANIFEST_FILE && !(name in manifest.files)) {
      problems.push({
        file: rel(name),
        pointer: '',
        message: 'file is not listed in manifest.json "files" (re-run the importer)',
      });
    }
  }
  const listed = (path: string, at: string): void => {
    if (!(path in manifest.files)) {
      problems.push({
        file: manifestFile,
        pointer: at,
        message: `${path} is not listed in "files"`,
      });
    }
  };

  const referenced = new Set([...Object.values(manifest.antigens), manifest.schedule]);
  for (const name of Object.keys(manifest.files)) {
    if (!referenced.has(name)) {
      problems.push({
        file: manifestFile,
        pointer: pointer('files', name),
        message: `${name} is neither an antigen file nor the schedule of this rule set`,
      });
    }
  }

  const antigens: CheckedAntigen[] = [];
  for (const [name, path] of Object.entries(manifest.antigens)) {
    const at = pointer('antigens', name);
    listed(path, at);
    const data = readJson(path);
    if (data === undefined) {
      continue;
    }
    const found = schemaProblems('antigen', rel(path), data);
    problems.push(...found);
    if (found.length > 0) {
      continue;
    }
    const antigen = data as RawAntigenFile;
    if (antigen.antigen !== name) {
      problems.push({
        file: rel(path),
        pointer: '/antigen',
        message: `antigen "${antigen.antigen}" differs from its manifest entry "${name}" (${manifestFile})`,
      });
    }
    antigens.push({ file: rel(path), data: antigen });
  }

  let schedule: CheckedSchedule | undefined;
  listed(manifest.schedule, '/schedule');
  const rawSchedule = readJson(manifest.schedule);
  if (rawSchedule !== undefined) {
    const found = schemaProblems('schedule', rel(manifest.schedule), rawSchedule);
    problems.push(...found);
    if (found.length === 0) {
      schedule = { file: rel(manifest.schedule), data: rawSchedule as RawScheduleFile };
    }
  }

  problems.push(
    ...cdsiSemanticProblems(antigens, schedule, new Set(Object.keys(manifest.antigens))),
  );
  return {
    problems,
    manifest,
    antigens: antigens.map((a) => a.data),
    schedule: schedule?.data,
  };
}

/**
 * Validates one CDSi rule-set version folder: every file against its JSON Schema, the
 * manifest (sha256 of every file, no unlisted files, version = folder name) and the semantic
 * checks of {@link cdsiSemanticProblems}. Semantic checks run on schema-valid files only.
 *
 * @param rulesRoot - the rules root; problems name files relative to it (`cdsi/4.64/antigens/measles.json`)
 * @param versionDir - the version folder: absolute, relative to `rulesRoot` (`cdsi/4.64`), or a
 *   bare label (`4.64`, meaning `cdsi/4.64`)
 * @returns every problem found; empty when the rule set is valid
 */
export function validateCdsiRuleSet(rulesRoot: string, versionDir: string): RuleProblem[] {
  return [...readCdsiRuleSet(rulesRoot, versionDir).problems];
}
