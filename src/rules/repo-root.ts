import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Finds the repository root: the nearest folder at or above `from` holding a `package.json`.
 * Works the same from `src/…` (ts-jest) and from `dist/src/…` (compiled).
 *
 * @param from - where to start (usually `__dirname`)
 * @throws Error if no `package.json` is found up to the file-system root
 */
export function findRepoRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`no package.json found at or above ${from}`);
    }
    dir = parent;
  }
}

/**
 * The repository's `rules/` folder.
 *
 * @param from - where to start looking for the repository root (usually `__dirname`)
 */
export function defaultRulesRoot(from: string): string {
  return join(findRepoRoot(from), 'rules');
}
