import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256, stableJson } from '../../../src/rules/manifest';
import { findRepoRoot } from '../../../src/rules/repo-root';

/** Test helpers: a scratch copy of the committed CDSi rule set that tests may mutate. */

export const REPO_ROOT = findRepoRoot(__dirname);
export const RULES_ROOT = join(REPO_ROOT, 'rules');
export const VERSION = '4.64';
/** CDC supporting-data XML package (override with CDSI_SUPPORTING_DATA). */
export const SOURCE_DIR =
  process.env['CDSI_SUPPORTING_DATA'] ?? join(REPO_ROOT, '..', 'shared', 'cdsi', 'supporting-data');

/** A temporary rules root holding a copy of `cdsi/4.64/` (only; no code tables). */
export interface ScratchRules {
  readonly root: string;
  readonly dir: string;
  /** Reads a JSON file of the version folder. */
  read(file: string): unknown;
  /** Writes a JSON file of the version folder; with `rehash`, updates its manifest sha256. */
  write(file: string, data: unknown, rehash?: boolean): void;
  /** Sets (or with `undefined` deletes) one value of a file and updates the manifest sha256. */
  mutate(file: string, pointer: string, value: unknown): void;
  cleanup(): void;
}

/** Copies the committed `rules/cdsi/4.64/` into a fresh temporary rules root. */
export function scratchRules(): ScratchRules {
  const root = mkdtempSync(join(tmpdir(), 'cdsi-rules-'));
  const dir = join(root, 'cdsi', VERSION);
  cpSync(join(RULES_ROOT, 'cdsi', VERSION), dir, { recursive: true });
  const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));
  return {
    root,
    dir,
    read,
    write(file, data, rehash = true) {
      const text = stableJson(data);
      writeFileSync(join(dir, file), text);
      if (rehash && file !== 'manifest.json') {
        const manifest = read('manifest.json') as { files: Record<string, string> };
        manifest.files[file] = sha256(text);
        writeFileSync(join(dir, 'manifest.json'), stableJson(manifest));
      }
    },
    mutate(file, pointer, value) {
      this.write(file, setAt(read(file), pointer, value));
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Returns a copy of `doc` with the value at the JSON pointer replaced (`undefined` deletes it).
 * The parent must exist.
 */
export function setAt(doc: unknown, pointer: string, value: unknown): unknown {
  const copy = structuredClone(doc);
  const tokens = pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = tokens.pop();
  let node: unknown = copy;
  for (const t of tokens) {
    node = (node as Record<string, unknown>)[t];
  }
  if (last === undefined || typeof node !== 'object' || node === null) {
    throw new Error(`no parent for ${pointer}`);
  }
  const parent = node as Record<string, unknown>;
  if (value === undefined) {
    delete parent[last]; // eslint-disable-line @typescript-eslint/no-dynamic-delete
  } else {
    parent[last] = value;
  }
  return copy;
}

/** The value at a JSON pointer. */
export function getAt(doc: unknown, pointer: string): unknown {
  let node: unknown = doc;
  for (const t of pointer.split('/').slice(1)) {
    node = (node as Record<string, unknown>)[t.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}
