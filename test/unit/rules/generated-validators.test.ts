/**
 * The JSON Schema validators compiled ahead of time (`src/rules/validate/generated/`, see
 * `schema-codegen.ts`): the committed code must be what the schemas generate today, the service
 * must use it, and an edited schema must still take effect (compiled at run time instead).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaProblems } from '../../../src/rules/validate/cdsi-schemas';
import {
  compileValidators,
  generateValidatorsModule,
} from '../../../src/rules/validate/schema-codegen';
import {
  CDSI_SCHEMAS,
  CODES_SCHEMAS,
  readSchemaTexts,
} from '../../../src/rules/validate/schema-files';
import * as cdsiGenerated from '../../../src/rules/validate/generated/cdsi-validators';
import {
  cdsiValidators,
  codesValidator,
  selectValidators,
} from '../../../src/rules/validate/schema-validators';
import { REPO_ROOT, RULES_ROOT, VERSION } from './rules-fixture';

const REGENERATE =
  'stale: run `npx tsx src/rules/validate/schema-codegen.ts` and commit the result';

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

describe.each([CDSI_SCHEMAS, CODES_SCHEMAS])('the generated $name validators', (family) => {
  it('are what the schema files in rules/schema generate now', () => {
    const committed = readFileSync(join(REPO_ROOT, family.module), 'utf8');
    const fresh = generateValidatorsModule(family);
    // A plain equality would print 300 kB on failure; say what to do instead.
    expect(committed === fresh ? 'up to date' : REGENERATE).toBe('up to date');
  });
});

describe('the validators the service uses', () => {
  it('are the generated ones while the schemas are unchanged', () => {
    expect(cdsiValidators().source).toBe('generated');
    expect(cdsiValidators().validators['antigen']).toBe(cdsiGenerated.antigen);
    expect(typeof codesValidator('codes-cvx.schema.json')).toBe('function');
    expect(() => codesValidator('cdsi-antigen.schema.json')).toThrow(/no code-table schema/);
  });

  it('are compiled from the files when a schema was edited after generation, and the edit applies', () => {
    const texts = readSchemaTexts(CDSI_SCHEMAS);
    const manifestFile = CDSI_SCHEMAS.exports['manifest'] ?? '';
    // A stricter ruleSetId (CDC's own rule sets only).
    const schema = JSON.parse(texts[manifestFile] ?? '') as {
      properties: Record<string, unknown>;
    };
    schema.properties['ruleSetId'] = { type: 'string', pattern: '^cdc-' };
    const edited = { ...texts, [manifestFile]: JSON.stringify(schema, null, 2) };

    const selected = selectValidators(CDSI_SCHEMAS, cdsiGenerated, edited);
    expect(selected.source).toBe('compiled at run time');
    const manifest = readJson(join(RULES_ROOT, 'cdsi', VERSION, 'manifest.json')) as object;
    const local = { ...manifest, ruleSetId: 'wa-cdsi' };
    const validate = selected.validators['manifest'];
    expect(validate?.(manifest)).toBe(true);
    expect(validate?.(local)).toBe(false);
    expect(validate?.errors?.map((e) => e.instancePath)).toEqual(['/ruleSetId']);
    // …while the generated (unedited) validator accepts it.
    expect(cdsiGenerated.manifest(local)).toBe(true);
  });

  it('report the same errors whether generated or compiled at run time', () => {
    const measles = readJson(
      join(RULES_ROOT, 'cdsi', VERSION, 'antigens', 'measles.json'),
    ) as Record<string, unknown>;
    const bad = JSON.parse(
      JSON.stringify(measles).replace('"4 weeks"', '"4 wekks"').replace('"Y"', '5'),
    ) as unknown;
    const compiled = compileValidators(CDSI_SCHEMAS, readSchemaTexts(CDSI_SCHEMAS));
    const generated = cdsiValidators().validators;
    for (const v of [compiled['antigen'], generated['antigen']]) {
      expect(v?.(bad)).toBe(false);
    }
    expect(generated['antigen']?.errors).toEqual(compiled['antigen']?.errors);
    expect(schemaProblems('antigen', 'measles.json', bad).map((p) => p.message)).toEqual(
      expect.arrayContaining([
        '"4 wekks" is not a valid CDSi duration (e.g. "6 months - 4 days")',
        'must be string, found number',
      ]),
    );
  });
});
