import type { ValidateFunction } from 'ajv';
import * as cdsiGenerated from './generated/cdsi-validators';
import * as codesGenerated from './generated/codes-validators';
import type * as codegen from './schema-codegen';
import { CDSI_SCHEMAS, CODES_SCHEMAS, readSchemaTexts, sameSchemas } from './schema-files';
import type { SchemaFamily } from './schema-files';

/**
 * The JSON Schema validators of the rule tables, compiled ahead of time (`schema-codegen.ts`:
 * compiling the schemas with ajv cost ~300 ms of every start-up). The generated code is used
 * only while the schema files on disk are byte-identical to those it was generated from;
 * otherwise the schemas are compiled with ajv, so a schema edit always takes effect. Either way
 * the validators are built once per process and never mutated.
 */

/** How a family's validators were obtained. */
export type ValidatorSource = 'generated' | 'compiled at run time';

/** A family's validators by export name, and how they were obtained. */
export interface SelectedValidators {
  readonly source: ValidatorSource;
  readonly validators: Readonly<Record<string, ValidateFunction>>;
}

interface GeneratedModule {
  readonly SCHEMA_SHA256: Readonly<Record<string, string>>;
}

/**
 * The generated validators when `texts` are the schema texts they were generated from, else
 * `texts` compiled with ajv (loads ajv, which start-up otherwise never needs).
 *
 * @param family - which schemas
 * @param generated - the family's generated module
 * @param texts - the schema texts, by file name, as read from `rules/schema/`
 */
export function selectValidators(
  family: SchemaFamily,
  generated: GeneratedModule,
  texts: Readonly<Record<string, string>>,
): SelectedValidators {
  if (sameSchemas(texts, generated.SCHEMA_SHA256)) {
    const exported = generated as unknown as Readonly<Record<string, ValidateFunction>>;
    const validators: Record<string, ValidateFunction> = {};
    for (const name of Object.keys(family.exports)) {
      const v = exported[name];
      if (typeof v !== 'function') {
        throw new Error(`${family.module} has no validator ${name}: regenerate it`);
      }
      validators[name] = v;
    }
    return { source: 'generated', validators: Object.freeze(validators) };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- ajv only when needed
  const { compileValidators } = require('./schema-codegen') as typeof codegen;
  return {
    source: 'compiled at run time',
    validators: Object.freeze(compileValidators(family, texts)),
  };
}

const selected = new Map<SchemaFamily, SelectedValidators>();

function select(family: SchemaFamily, generated: GeneratedModule): SelectedValidators {
  let s = selected.get(family);
  if (s === undefined) {
    s = selectValidators(family, generated, readSchemaTexts(family));
    selected.set(family, s);
  }
  return s;
}

/** The CDSi validators of this process (`antigen`, `schedule`, `manifest`). */
export function cdsiValidators(): SelectedValidators {
  return select(CDSI_SCHEMAS, cdsiGenerated);
}

/**
 * The code-table validator for a schema file (`codes-cvx.schema.json`, …) of this process.
 *
 * @throws Error for a file that is not a code-table schema
 */
export function codesValidator(schemaFile: string): ValidateFunction {
  const { validators } = select(CODES_SCHEMAS, codesGenerated);
  const name = Object.keys(CODES_SCHEMAS.exports).find(
    (n) => CODES_SCHEMAS.exports[n] === schemaFile,
  );
  const v = name === undefined ? undefined : validators[name];
  if (v === undefined) {
    throw new Error(`no code-table schema ${schemaFile}`);
  }
  return v;
}
