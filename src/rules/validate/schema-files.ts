import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../repo-root';

/**
 * The JSON Schema files of the rule tables (`rules/schema/*.schema.json`), grouped in the two
 * families that are compiled together (the CDSi tables; the code tables, which share
 * `codes-common.schema.json`), and their hashes. Shared by the validators and the code generator
 * (`schema-codegen.ts`) without loading ajv.
 */

/** One family of schemas, compiled by one ajv instance into one generated module. */
export interface SchemaFamily {
  readonly name: 'cdsi' | 'codes';
  /** Export name in the generated module → schema file it validates against. */
  readonly exports: Readonly<Record<string, string>>;
  /** Schema files added for `$ref`s only (not exported). */
  readonly shared: readonly string[];
  /** Whether the schemas use `format` (ajv-formats). */
  readonly formats: boolean;
  /** The generated module, relative to the repository root. */
  readonly module: string;
}

/** The CDSi rule-set schemas (antigen files, schedule, manifest). */
export const CDSI_SCHEMAS: SchemaFamily = {
  name: 'cdsi',
  exports: {
    antigen: 'cdsi-antigen.schema.json',
    schedule: 'cdsi-schedule.schema.json',
    manifest: 'cdsi-manifest.schema.json',
  },
  shared: [],
  formats: false,
  module: 'src/rules/validate/generated/cdsi-validators.ts',
};

/** The CDC code-table schemas (CVX, MVX, CPT, NDC, trade names, vaccine groups, manifest). */
export const CODES_SCHEMAS: SchemaFamily = {
  name: 'codes',
  exports: {
    cvx: 'codes-cvx.schema.json',
    mvx: 'codes-mvx.schema.json',
    cpt: 'codes-cpt.schema.json',
    ndc: 'codes-ndc.schema.json',
    tradenames: 'codes-tradenames.schema.json',
    vaccineGroups: 'codes-vaccine-groups.schema.json',
    manifest: 'codes-manifest.schema.json',
  },
  shared: ['codes-common.schema.json'],
  formats: true,
  module: 'src/rules/validate/generated/codes-validators.ts',
};

/** The folder holding the JSON Schemas (`<repo>/rules/schema`). */
export function schemaDir(): string {
  return join(findRepoRoot(__dirname), 'rules', 'schema');
}

/** Every schema file of a family (shared ones first), by file name. */
export function familyFiles(family: SchemaFamily): string[] {
  return [...family.shared, ...Object.values(family.exports)];
}

/** The text of every schema file of a family, as on disk, by file name. */
export function readSchemaTexts(family: SchemaFamily): Record<string, string> {
  const dir = schemaDir();
  const texts: Record<string, string> = {};
  for (const file of familyFiles(family)) {
    texts[file] = readFileSync(join(dir, file), 'utf8');
  }
  return texts;
}

/** sha256 (hex) of each schema text, by file name; the generated modules record these. */
export function schemaHashes(texts: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, text] of Object.entries(texts)) {
    out[file] = createHash('sha256').update(text).digest('hex');
  }
  return out;
}

/** True when `texts` are exactly the schema texts whose hashes a generated module recorded. */
export function sameSchemas(
  texts: Readonly<Record<string, string>>,
  recorded: Readonly<Record<string, string>>,
): boolean {
  const now = schemaHashes(texts);
  const files = Object.keys(now);
  return (
    files.length === Object.keys(recorded).length && files.every((f) => recorded[f] === now[f])
  );
}
