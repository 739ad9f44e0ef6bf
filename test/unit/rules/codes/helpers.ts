import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256, stableJson } from '../../../../src/rules/manifest';
import { findRepoRoot } from '../../../../src/rules/repo-root';

/** Repository root. */
export const REPO_ROOT = findRepoRoot(__dirname);
/** The shipped rules folder. */
export const RULES_ROOT = join(REPO_ROOT, 'rules');
/** The CDC code-set sources (CI has ../shared beside the clone). */
export const CODES_SOURCE = join(REPO_ROOT, '..', 'shared', 'cdsi', 'codes');
/** Version of the committed code tables. */
export const COMMITTED_VERSION = '2025-12-12';

const temps: string[] = [];

/** A fresh temporary folder, removed by {@link removeTemps}. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** Removes every folder made by {@link tempDir}. */
export function removeTemps(): void {
  for (const dir of temps.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Copies the committed code tables into a temporary rules root; returns that root. */
export function copyCommittedTables(): string {
  const root = tempDir('codes-rules-');
  cpSync(join(RULES_ROOT, 'codes', COMMITTED_VERSION), join(root, 'codes', COMMITTED_VERSION), {
    recursive: true,
  });
  return root;
}

/**
 * Edits one JSON file of a copied version folder. With `rehash` the manifest's sha256 is updated
 * too, so only the edit itself is wrong.
 */
export function editTable(
  root: string,
  file: string,
  edit: (data: Record<string, unknown>) => void,
  rehash: boolean,
): void {
  const dir = join(root, 'codes', COMMITTED_VERSION);
  const data = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
  edit(data);
  const text = stableJson(data);
  writeFileSync(join(dir, file), text);
  if (rehash) {
    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      files: Record<string, string>;
    };
    manifest.files[file] = sha256(text);
    writeFileSync(manifestPath, stableJson(manifest));
  }
}
