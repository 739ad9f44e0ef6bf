import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Finds the repository root: the nearest folder at or above `startDir` that holds a
 * `package.json`. Works both from `src/…` (ts-jest) and from `dist/src/…` (compiled).
 *
 * @param startDir - where to start looking (defaults to this module's folder)
 * @throws Error when no `package.json` is found up to the file-system root
 */
export function findRepoRoot(startDir: string = __dirname): string {
  let dir = startDir;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`cannot find the repository root (no package.json above ${startDir})`);
    }
    dir = parent;
  }
}

/** Folder holding the JSON Schemas (`<repo>/rules/schema`). */
export function codesSchemaDir(): string {
  return join(findRepoRoot(), 'rules', 'schema');
}
