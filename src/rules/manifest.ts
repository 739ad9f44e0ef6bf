import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleProblem } from './problem';

/** sha256 (hex) of a file's bytes. */
export function sha256OfFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** sha256 (hex) of a string or buffer. */
export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Serialises JSON the one way every generated table is written: two-space indent, keys in the
 * order given, trailing newline. Importers use only this so re-runs are byte-identical.
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/**
 * Checks that every file listed in a manifest's `files` map exists and has the recorded sha256.
 * `files` maps a path relative to `dir` to its hex sha256.
 *
 * @param dir - folder the manifest lives in
 * @param manifestFile - the manifest's path relative to the rules root, for problem reports
 * @param files - the manifest's `files` map
 */
export function checkManifestHashes(
  dir: string,
  manifestFile: string,
  files: Readonly<Record<string, string>>,
): RuleProblem[] {
  const problems: RuleProblem[] = [];
  for (const [name, expected] of Object.entries(files)) {
    const pointerToEntry = '/files/' + name.replace(/~/g, '~0').replace(/\//g, '~1');
    let actual: string;
    try {
      actual = sha256OfFile(join(dir, name));
    } catch {
      problems.push({
        file: manifestFile,
        pointer: pointerToEntry,
        message: `listed file ${name} is missing`,
      });
      continue;
    }
    if (actual !== expected) {
      problems.push({
        file: manifestFile,
        pointer: pointerToEntry,
        message: `sha256 mismatch for ${name}: manifest says ${expected}, file is ${actual} (was the file edited by hand? re-run the importer)`,
      });
    }
  }
  return problems;
}
