import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleProblem } from '../problem';
import { findRepoRoot } from '../repo-root';

/**
 * The JSON Schemas of the CDSi rule tables (`rules/schema/cdsi-*.schema.json`, draft-07),
 * compiled once per process with ajv `strict` and `allErrors`; the compiled validators are
 * never mutated.
 */

/** Which schema a file is checked against. */
export type CdsiSchemaKind = 'antigen' | 'schedule' | 'manifest';

const SCHEMA_FILES: Readonly<Record<CdsiSchemaKind, string>> = {
  antigen: 'cdsi-antigen.schema.json',
  schedule: 'cdsi-schedule.schema.json',
  manifest: 'cdsi-manifest.schema.json',
};

/** Human names of the schemas' string definitions, for messages like `"6 wekks" is not a valid duration`. */
const DEFINITION_LABELS: Readonly<Record<string, string>> = {
  duration: 'CDSi duration (e.g. "6 months - 4 days")',
  date: 'date (YYYYMMDD)',
  usDate: 'date (MM/DD/YYYY)',
  cvx: 'CVX code (1–3 digits)',
  cvxList: 'CVX code list ("03; 94")',
  yn: 'flag (Y or N)',
  yesNo: 'flag (Yes or No)',
  yesNoOrEmpty: 'flag (Yes, No or empty)',
  doseNumber: 'dose number ("Dose 1")',
  targetDoseRef: 'target dose number (1, 2, …)',
  observationCode: 'observation code (3 digits)',
  code3: 'code (3 digits)',
  name: 'name (non-empty, no surrounding spaces)',
  relativeJsonPath: 'relative path of a .json file',
};

let compiled: Readonly<Record<CdsiSchemaKind, ValidateFunction>> | undefined;

/** The folder holding the JSON Schemas (`<repo>/rules/schema`). */
export function schemaDir(): string {
  return join(findRepoRoot(__dirname), 'rules', 'schema');
}

function validators(): Readonly<Record<CdsiSchemaKind, ValidateFunction>> {
  if (compiled === undefined) {
    const ajv = new Ajv({ strict: true, allErrors: true, verbose: true });
    const compile = (kind: CdsiSchemaKind): ValidateFunction =>
      ajv.compile(
        JSON.parse(readFileSync(join(schemaDir(), SCHEMA_FILES[kind]), 'utf8')) as object,
      );
    compiled = Object.freeze({
      antigen: compile('antigen'),
      schedule: compile('schedule'),
      manifest: compile('manifest'),
    });
  }
  return compiled;
}

function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'array';
  }
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

/** Turns one ajv error into a message a rule maintainer can act on. */
function message(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  const definition = /^#\/definitions\/([^/]+)\//.exec(e.schemaPath)?.[1];
  const label = definition === undefined ? undefined : DEFINITION_LABELS[definition];
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown property ${JSON.stringify(params['additionalProperty'])}`;
    case 'required':
      return `missing required property ${JSON.stringify(params['missingProperty'])}`;
    case 'type':
      return `must be ${String(params['type'])}, found ${describe(e.data)}`;
    case 'pattern':
    case 'enum':
      if (label !== undefined) {
        return `${describe(e.data)} is not a valid ${label}`;
      }
      return e.keyword === 'enum'
        ? `${describe(e.data)} must be one of ${JSON.stringify(params['allowedValues'])}`
        : `${describe(e.data)} must match ${String(params['pattern'])}`;
    case 'const':
      return `must be ${JSON.stringify(params['allowedValue'])}, found ${describe(e.data)}`;
    case 'propertyNames':
      return `invalid property name ${JSON.stringify(params['propertyName'])}`;
    default:
      return e.message ?? `fails schema keyword ${e.keyword}`;
  }
}

/**
 * Schema-validates one parsed file.
 *
 * @param kind - which schema applies
 * @param file - path reported in problems (relative to the rules root)
 * @param data - the parsed JSON
 * @returns one problem per schema violation; `pointer` is ajv's `instancePath`
 */
export function schemaProblems(kind: CdsiSchemaKind, file: string, data: unknown): RuleProblem[] {
  const validate = validators()[kind];
  if (validate(data)) {
    return [];
  }
  const errors = validate.errors ?? [];
  // A value of the wrong type also fails its enum/pattern; report only the type error then.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  return errors
    .filter((e) => e.keyword === 'type' || !wrongType.has(e.instancePath))
    .map((e) => ({ file, pointer: e.instancePath, message: message(e) }));
}
