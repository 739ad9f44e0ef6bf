import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ElementSpec } from '../../../src/rules/import/xml-shape';
import { ANTIGEN_SHAPE, SCHEDULE_SHAPE } from '../../../src/rules/import/xml-shape';
import { RULES_ROOT } from './rules-fixture';

interface SchemaNode {
  type?: string;
  $ref?: string;
  items?: SchemaNode;
  minItems?: number;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: unknown;
}

function readSchema(name: string): SchemaNode & Record<string, unknown> {
  return JSON.parse(readFileSync(join(RULES_ROOT, 'schema', name), 'utf8')) as SchemaNode &
    Record<string, unknown>;
}

/** Lists every difference between an element tree and the schema node describing it. */
function compare(spec: ElementSpec, node: SchemaNode | undefined, path: string): string[] {
  const here = `${path}/${spec.name}`;
  if (node === undefined) {
    return [`${here}: missing in schema`];
  }
  let n = node;
  if (spec.many) {
    if (n.type !== 'array' || n.items === undefined || n.minItems !== spec.min) {
      return [`${here}: should be an array with minItems ${spec.min}`];
    }
    n = n.items;
  }
  if (spec.content === 'text') {
    return n.$ref?.startsWith('#/definitions/') === true
      ? []
      : [`${here}: should $ref a string definition`];
  }
  const out: string[] = [];
  if (n.type !== 'object' || n.additionalProperties !== false) {
    out.push(`${here}: should be an object with additionalProperties false`);
  }
  const names = spec.content.map((c) => c.name);
  if (JSON.stringify(Object.keys(n.properties ?? {})) !== JSON.stringify(names)) {
    out.push(
      `${here}: properties ${Object.keys(n.properties ?? {}).join(',')} ≠ XSD ${names.join(',')}`,
    );
  }
  const required = spec.content.filter((c) => c.min === 1).map((c) => c.name);
  if (JSON.stringify(n.required ?? []) !== JSON.stringify(required)) {
    out.push(`${here}: required ${(n.required ?? []).join(',')} ≠ XSD ${required.join(',')}`);
  }
  for (const c of spec.content) {
    out.push(...compare(c, n.properties?.[c.name], here));
  }
  return out;
}

describe('the CDSi JSON Schemas', () => {
  const antigen = readSchema('cdsi-antigen.schema.json');
  const schedule = readSchema('cdsi-schedule.schema.json');
  const manifest = readSchema('cdsi-manifest.schema.json');

  it('are draft-07 with versionless example.org-style $ids', () => {
    for (const [s, name] of [
      [antigen, 'cdsi-antigen'],
      [schedule, 'cdsi-schedule'],
      [manifest, 'cdsi-manifest'],
    ] as const) {
      expect(s['$schema']).toBe('http://json-schema.org/draft-07/schema#');
      expect(s['$id']).toBe(`https://cdsi-forecaster.example/schema/${name}.schema.json`);
    }
  });

  it('describe exactly the XSD structure (properties in sequence order, required, arrays)', () => {
    expect(compare(ANTIGEN_SHAPE, antigen.properties?.['antigenSupportingData'], '')).toEqual([]);
    expect(compare(SCHEDULE_SHAPE, schedule.properties?.['scheduleSupportingData'], '')).toEqual(
      [],
    );
  });

  it('forbid additional properties on every object', () => {
    const offenders: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (typeof v !== 'object' || v === null) {
        return;
      }
      const o = v as Record<string, unknown>;
      if ('properties' in o && o['additionalProperties'] !== false) {
        offenders.push(path);
      }
      for (const [k, x] of Object.entries(o)) {
        walk(x, `${path}/${k}`);
      }
    };
    for (const s of [antigen, schedule, manifest]) {
      walk(s, String(s['$id']));
    }
    expect(offenders).toEqual([]);
  });
});
