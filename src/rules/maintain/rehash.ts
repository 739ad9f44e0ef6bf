import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { sha256, stableJson } from '../manifest';
import type { RawCdsiManifest } from '../raw-types';
import { CDSI_MANIFEST_FILE } from '../validate/validate-cdsi';

/**
 * `rehash`: brings a version folder's `manifest.json` up to date after a **deliberate** local
 * edit, and records that the folder is a local variant rather than CDC's tables.
 *
 * The usual workflow for a jurisdiction's copy:
 *
 *     cp -r rules/cdsi/4.64 rules/cdsi/4.64-wa     # copy (manifest still says 4.64)
 *     $EDITOR rules/cdsi/4.64-wa/antigens/measles.json
 *     cdsi-rules rehash rules/cdsi/4.64-wa --description "WA: …"
 *
 * Rehash then sets `version` to the folder name, `derivedFrom` to the version it was copied
 * from, recomputes the sha256 of every `.json` file, and rebuilds the antigen → file map from
 * `antigens/*.json`. An unmodified CDC import is never silently turned into something else:
 * editing `cdsi/4.64/` in place and rehashing is refused (copy it to a variant folder instead).
 */

/** Options of {@link rehashRuleSet}. */
export interface RehashOptions {
  /** Record (or replace) `derivedFrom`; default: keep it, or the old `version` after a copy. */
  readonly derivedFrom?: string;
  /** Record (or replace) `description`. */
  readonly description?: string;
}

/** What {@link rehashRuleSet} did. */
export interface RehashResult {
  readonly manifest: RawCdsiManifest;
  /** Whether `manifest.json` was rewritten. */
  readonly written: boolean;
  /** Files whose sha256 changed. */
  readonly changed: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Files in the folder that were not listed because they are not `.json`. */
  readonly ignored: readonly string[];
}

/** A folder that cannot (or must not) be rehashed; the message says why and what to do. */
export class RehashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RehashError';
  }
}

const LABEL = /^[0-9A-Za-z][0-9A-Za-z._-]*$/;

/** Plain code-unit order, as the importer writes manifests (locale-independent). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

function readObject(path: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new RehashError(`${what}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RehashError(`${what}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Rewrites `<versionDir>/manifest.json` (see the module comment). Writes nothing when the
 * manifest is already up to date.
 *
 * @param versionDir - The version folder, e.g. `rules/cdsi/4.64-wa`.
 * @param opts - See {@link RehashOptions}.
 * @throws RehashError when the folder has no readable manifest, an antigen file is unreadable,
 *   or the folder is an unmodified CDC import being edited in place
 */
export function rehashRuleSet(versionDir: string, opts: RehashOptions = {}): RehashResult {
  const manifestPath = join(versionDir, CDSI_MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    throw new RehashError(
      `${versionDir}: no ${CDSI_MANIFEST_FILE} (not a rule-set version folder)`,
    );
  }
  const old = readObject(manifestPath, CDSI_MANIFEST_FILE) as unknown as RawCdsiManifest;
  const oldFiles: Readonly<Record<string, string>> = typeof old.files === 'object' ? old.files : {};
  const version = basename(versionDir);
  if (!LABEL.test(version)) {
    throw new RehashError(`folder name ${JSON.stringify(version)} is not a valid version label`);
  }
  for (const [name, value] of [
    ['--derived-from', opts.derivedFrom],
    ['--description', opts.description],
  ] as const) {
    if (value?.trim() === '') {
      throw new RehashError(`${name} must not be empty`);
    }
  }
  if (opts.derivedFrom !== undefined && !LABEL.test(opts.derivedFrom)) {
    throw new RehashError(`--derived-from ${opts.derivedFrom} is not a valid version label`);
  }

  const all = listFiles(versionDir)
    .filter((f) => f !== CDSI_MANIFEST_FILE)
    .sort(compareStrings);
  const jsonFiles = all.filter((f) => f.endsWith('.json'));
  const files: Record<string, string> = {};
  for (const f of jsonFiles) {
    files[f] = sha256(readFileSync(join(versionDir, f)));
  }
  const antigens: Record<string, string> = {};
  // As the importer writes it: antigens in file-name order without the extension (slug order).
  const antigenFiles = jsonFiles
    .filter((x) => /^antigens\/[^/]+\.json$/.test(x))
    .sort((a, b) => compareStrings(a.slice(0, -5), b.slice(0, -5)));
  for (const f of antigenFiles) {
    const antigen = readObject(join(versionDir, f), f)['antigen'];
    if (typeof antigen !== 'string' || antigen === '') {
      throw new RehashError(`${f}: no "antigen" name`);
    }
    const clash = antigens[antigen];
    if (clash !== undefined) {
      throw new RehashError(`${f} and ${clash} both describe antigen ${antigen}`);
    }
    antigens[antigen] = f;
  }

  const changed = jsonFiles.filter((f) => f in oldFiles && oldFiles[f] !== files[f]);
  const added = jsonFiles.filter((f) => !(f in oldFiles));
  const removed = Object.keys(oldFiles).filter((f) => !(f in files));
  const edited = changed.length + added.length + removed.length > 0;

  let derivedFrom = opts.derivedFrom ?? old.derivedFrom;
  if (derivedFrom === undefined && old.version !== version) {
    derivedFrom = old.version; // a copy of another version's folder
  }
  if (derivedFrom === undefined && edited) {
    throw new RehashError(
      `${version} is an unmodified import (its manifest records no derivedFrom), but ${[...changed, ...added, ...removed].join(', ')} changed. ` +
        `Do not edit imported tables in place: copy the folder to a variant (e.g. cdsi/${version}-local), edit and rehash that. ` +
        `To regenerate CDC's tables, use import-cdc --force.`,
    );
  }
  if (derivedFrom === version) {
    throw new RehashError(
      `a local variant needs its own version label: rename the folder (e.g. ${version}-local) instead of deriving ${version} from itself`,
    );
  }
  const description = opts.description ?? old.description;

  const manifest: RawCdsiManifest = {
    kind: old.kind,
    ruleSetId: old.ruleSetId,
    version,
    ...(derivedFrom === undefined ? {} : { derivedFrom }),
    ...(description === undefined ? {} : { description }),
    source: old.source,
    antigens,
    schedule: old.schedule,
    files,
  };
  const text = stableJson(manifest);
  const written = text !== readFileSync(manifestPath, 'utf8');
  if (written) {
    writeFileSync(manifestPath, text);
  }
  return {
    manifest,
    written,
    changed,
    added,
    removed,
    ignored: all.filter((f) => !f.endsWith('.json')),
  };
}
