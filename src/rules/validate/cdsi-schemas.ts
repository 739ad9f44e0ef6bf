import type { ErrorObject, ValidateFunction } from 'ajv';
import type { RuleProblem } from '../problem';
import { cdsiValidators } from './schema-validators';

/**
 * Schema validation of the CDSi rule tables (`rules/schema/cdsi-*.schema.json`, draft-07) with
 * ajv `strict` and `allErrors`, and messages a rule maintainer can act on. The validators are
 * compiled ahead of time (see `schema-validators.ts`); they are never mutated.
 */

/** Which schema a file is checked against. */
export type CdsiSchemaKind = 'antigen' | 'schedule' | 'manifest';

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

function validators(): Readonly<Record<string, ValidateFunction>> {
  return cdsiValidators().validators;
}

/** The value at an ajv `instancePath` (a JSON pointer) of `data`. */
function valueAt(data: unknown, instancePath: string): unknown {
  let value = data;
  if (instancePath === '') {
    return value;
  }
  for (const raw of instancePath.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof value !== 'object' || value === null) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[token];
  }
  return value;
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
function message(e: ErrorObject, data: unknown): string {
  const value = valueAt(data, e.instancePath);
  const params = e.params as Record<string, unknown>;
  const definition = /^#\/definitions\/([^/]+)\//.exec(e.schemaPath)?.[1];
  const label = definition === undefined ? undefined : DEFINITION_LABELS[definition];
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown property ${JSON.stringify(params['additionalProperty'])}`;
    case 'required':
      return `missing required property ${JSON.stringify(params['missingProperty'])}`;
    case 'type':
      return `must be ${String(params['type'])}, found ${describe(value)}`;
    case 'pattern':
    case 'enum':
      if (label !== undefined) {
        return `${describe(value)} is not a valid ${label}`;
      }
      return e.keyword === 'enum'
        ? `${describe(value)} must be one of ${JSON.stringify(params['allowedValues'])}`
        : `${describe(value)} must match ${String(params['pattern'])}`;
    case 'const':
      return `must be ${JSON.stringify(params['allowedValue'])}, found ${describe(value)}`;
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
  if (validate === undefined) {
    throw new Error(`no schema for ${kind}`);
  }
  if (validate(data)) {
    return [];
  }
  const errors = validate.errors ?? [];
  // A value of the wrong type also fails its enum/pattern; report only the type error then.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  return errors
    .filter((e) => e.keyword === 'type' || !wrongType.has(e.instancePath))
    .map((e) => ({ file, pointer: e.instancePath, message: message(e, data) }));
}
