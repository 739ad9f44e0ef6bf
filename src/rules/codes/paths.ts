import { join } from 'node:path';
import { findRepoRoot } from '../repo-root';

/** Folder holding the JSON Schemas (`<repo>/rules/schema`). */
export function codesSchemaDir(): string {
  return join(findRepoRoot(__dirname), 'rules', 'schema');
}
