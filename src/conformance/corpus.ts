/**
 * Where the vendored CDC development cases and the ratchet file live, and loading a set of
 * case files as one corpus.
 *
 * @packageDocumentation
 */
import { join } from 'node:path';
import { loadTestCases, type CdcTestCase } from './test-case';

/** The CDC development case files vendored in `test/cdc/`, in run order. */
export const DEV_CASE_FILES: readonly string[] = [
  'healthy-v4.45.dev.jsonl',
  'underlying-conditions-v4.6.dev.jsonl',
];

/** The supporting-data version the development cases match. */
export const DEFAULT_RULES_VERSION = '4.64';

/**
 * Paths of the vendored development case files.
 *
 * @param repoRoot - The folder holding package.json.
 */
export function defaultCaseFiles(repoRoot: string): string[] {
  return DEV_CASE_FILES.map((f) => join(repoRoot, 'test', 'cdc', f));
}

/**
 * Path of the ratchet file, `test/cdc/known-failures.txt`.
 *
 * @param repoRoot - The folder holding package.json.
 */
export function knownFailuresPath(repoRoot: string): string {
  return join(repoRoot, 'test', 'cdc', 'known-failures.txt');
}

/**
 * The rules root (the folder holding `cdsi/<version>/`).
 *
 * @param repoRoot - The folder holding package.json.
 */
export function defaultRulesRoot(repoRoot: string): string {
  return join(repoRoot, 'rules');
}

/**
 * Loads several case files as one corpus, in the order given.
 *
 * @param files - Paths of `.jsonl` case files.
 * @returns All cases.
 * @throws TestCaseFormatError for a malformed line; Error if an id appears in two files.
 */
export function loadCorpus(files: readonly string[]): CdcTestCase[] {
  const fileOfId = new Map<string, string>();
  const cases: CdcTestCase[] = [];
  for (const file of files) {
    for (const c of loadTestCases(file)) {
      const other = fileOfId.get(c.id);
      if (other !== undefined) {
        throw new Error(`case id ${c.id} appears in both ${other} and ${file}`);
      }
      fileOfId.set(c.id, file);
      cases.push(c);
    }
  }
  return cases;
}
