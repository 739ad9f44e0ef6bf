/**
 * Validation and loading of the CDC code tables in `rules/codes/<version>/`.
 *
 * Three layers, every problem collected (none stops at the first):
 * 1. JSON Schema (`rules/schema/codes-*.schema.json`, draft-07, ajv `allErrors` + `strict`);
 * 2. the manifest's sha256 of every table (a hand-edited file is refused);
 * 3. semantic checks: no duplicate keys, every CVX / MVX / NDC reference resolves, every NDC
 *    record's `ndcAsGiven` normalises to its entry's `ndc`, derived fields agree with the rows.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { checkManifestHashes } from '../manifest';
import { pointer, RuleSetError } from '../problem';
import type { RuleProblem } from '../problem';
import { normalizeNdc, NDC11_PATTERN } from './ndc';
import { codesValidator } from '../validate/schema-validators';
import { CODE_TABLE_FILES } from './types';
import type {
  CodeTableFileName,
  CodeTableFiles,
  CodeTables,
  CodesManifest,
  CptEntry,
  NdcEntry,
  TradenameEntry,
  VaccineGroupEntry,
} from './types';

/** Name of the manifest file in a version folder. */
export const CODES_MANIFEST_FILE = 'manifest.json';

const SCHEMA_OF: Readonly<Record<CodeTableFileName | typeof CODES_MANIFEST_FILE, string>> = {
  'cvx.json': 'codes-cvx.schema.json',
  'mvx.json': 'codes-mvx.schema.json',
  'cpt.json': 'codes-cpt.schema.json',
  'ndc.json': 'codes-ndc.schema.json',
  'tradenames.json': 'codes-tradenames.schema.json',
  'vaccine-groups.json': 'codes-vaccine-groups.schema.json',
  'manifest.json': 'codes-manifest.schema.json',
};

type SchemaKey = keyof typeof SCHEMA_OF;

/**
 * Validators, looked up on first use: compiled ahead of time from the schemas (see
 * `src/rules/validate/schema-validators.ts`), or by ajv when the schema files were edited since.
 */
let compiled: ReadonlyMap<SchemaKey, ValidateFunction> | undefined;

function validators(): ReadonlyMap<SchemaKey, ValidateFunction> {
  if (compiled !== undefined) {
    return compiled;
  }
  const map = new Map<SchemaKey, ValidateFunction>();
  for (const [key, schemaFile] of Object.entries(SCHEMA_OF) as [SchemaKey, string][]) {
    map.set(key, codesValidator(schemaFile));
  }
  compiled = map;
  return map;
}

/** Converts one ajv error into a readable message. */
function ajvMessage(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown property ${JSON.stringify(params['additionalProperty'])}`;
    case 'required':
      return `missing required property ${JSON.stringify(params['missingProperty'])}`;
    case 'enum':
      return `must be one of ${JSON.stringify(params['allowedValues'])}`;
    default:
      return e.message ?? `fails schema keyword ${e.keyword}`;
  }
}

/** Schema-validates `data`; problems carry ajv's instancePath as pointer. */
function schemaProblems(key: SchemaKey, file: string, data: unknown): RuleProblem[] {
  const validate = validators().get(key);
  if (validate === undefined) {
    throw new Error(`no schema for ${key}`);
  }
  if (validate(data)) {
    return [];
  }
  return (validate.errors ?? []).map((e) => ({
    file,
    pointer: e.instancePath,
    message: `${ajvMessage(e)} (schema ${SCHEMA_OF[key]})`,
  }));
}

function sameSorted(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function reportDuplicates<T>(
  items: readonly T[],
  key: (item: T) => string,
  onDuplicate: (index: number, firstIndex: number, key: string) => void,
): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first === undefined) {
      seen.set(k, i);
    } else {
      onDuplicate(i, first, k);
    }
  });
}

/** Numeric-first comparison for CVX codes (`"03"` < `"140"`), code-unit order otherwise. */
function compareCvx(a: string, b: string): number {
  const d = Number(a) - Number(b);
  if (d !== 0) {
    return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Schema-validates a manifest already in memory (the importer runs this before writing).
 *
 * @param manifest - the manifest object
 * @param file - path reported in problems
 * @returns schema problems (empty when valid)
 */
export function validateCodesManifestData(manifest: unknown, file: string): RuleProblem[] {
  return schemaProblems(CODES_MANIFEST_FILE, file, manifest);
}

/**
 * Schema and semantic validation of table contents already in memory (the importer runs this
 * before writing anything; {@link validateCodeTables} runs it on the files).
 *
 * Semantic checks run only on tables that passed their schema; cross-table reference checks
 * need the referenced table (cvx.json / mvx.json) to be schema-valid too.
 *
 * @param tables - parsed content of each table file (`undefined` when it could not be read)
 * @param fileOf - maps a table file name to the path reported in problems
 * @returns every problem found (empty when valid)
 */
export function validateCodeTableData(
  tables: Readonly<Partial<Record<CodeTableFileName, unknown>>>,
  fileOf: (name: CodeTableFileName) => string,
): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const valid: Partial<CodeTableFiles> = {};
  const setValid = (name: CodeTableFileName, data: unknown): void => {
    (valid as Record<string, unknown>)[name] = data;
  };
  for (const name of CODE_TABLE_FILES) {
    const data = tables[name];
    if (data === undefined) {
      continue;
    }
    const p = schemaProblems(name, fileOf(name), data);
    problems.push(...p);
    if (p.length === 0) {
      setValid(name, data);
    }
  }
  problems.push(...semanticProblems(valid, fileOf));
  return problems;
}

function semanticProblems(
  t: Partial<CodeTableFiles>,
  fileOf: (name: CodeTableFileName) => string,
): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const cvxCodes = t['cvx.json'] ? new Set(t['cvx.json'].entries.map((e) => e.code)) : undefined;
  const mvxCodes = t['mvx.json'] ? new Set(t['mvx.json'].entries.map((e) => e.code)) : undefined;
  const checkCvx = (file: string, ptr: string, code: string): void => {
    if (cvxCodes !== undefined && !cvxCodes.has(code)) {
      problems.push({ file, pointer: ptr, message: `CVX code ${code} is not in cvx.json` });
    }
  };
  const checkMvx = (file: string, ptr: string, code: string): void => {
    if (mvxCodes !== undefined && !mvxCodes.has(code)) {
      problems.push({ file, pointer: ptr, message: `MVX code ${code} is not in mvx.json` });
    }
  };
  const dup =
    (file: string, what: string, at: (i: number) => string) =>
    (i: number, first: number, key: string): void => {
      problems.push({
        file,
        pointer: at(i),
        message: `duplicate ${what} ${key} (first at ${at(first)})`,
      });
    };

  const cvx = t['cvx.json'];
  if (cvx) {
    const file = fileOf('cvx.json');
    reportDuplicates(
      cvx.entries,
      (e) => e.code,
      dup(file, 'CVX code', (i) => pointer('entries', i, 'code')),
    );
  }
  const mvx = t['mvx.json'];
  if (mvx) {
    const file = fileOf('mvx.json');
    reportDuplicates(
      mvx.entries,
      (e) => e.code,
      dup(file, 'MVX code', (i) => pointer('entries', i, 'code')),
    );
  }
  const cpt = t['cpt.json'];
  if (cpt) {
    checkCpt(cpt.entries, fileOf('cpt.json'), dup, checkCvx);
  }
  const ndc = t['ndc.json'];
  if (ndc) {
    checkNdc(ndc.entries, ndc.links, fileOf('ndc.json'), problems, dup, checkCvx, checkMvx);
  }
  const tradenames = t['tradenames.json'];
  if (tradenames) {
    const file = fileOf('tradenames.json');
    reportDuplicates(
      tradenames.entries,
      (e: TradenameEntry) => `${e.productName} / CVX ${e.cvx} / MVX ${e.mvx ?? '(none)'}`,
      dup(file, 'product name', (i) => pointer('entries', i)),
    );
    tradenames.entries.forEach((e, i) => {
      checkCvx(file, pointer('entries', i, 'cvx'), e.cvx);
      if (e.mvx !== undefined) {
        checkMvx(file, pointer('entries', i, 'mvx'), e.mvx);
      }
    });
  }
  const groups = t['vaccine-groups.json'];
  if (groups) {
    const file = fileOf('vaccine-groups.json');
    reportDuplicates(
      groups.entries,
      (e: VaccineGroupEntry) => `CVX ${e.cvx} in group ${e.vaccineGroupCvx}`,
      dup(file, 'vaccine-group row', (i) => pointer('entries', i)),
    );
    groups.entries.forEach((e, i) => {
      checkCvx(file, pointer('entries', i, 'cvx'), e.cvx);
      checkCvx(file, pointer('entries', i, 'vaccineGroupCvx'), e.vaccineGroupCvx);
    });
  }
  return problems;
}

type DupReporter = (
  file: string,
  what: string,
  at: (i: number) => string,
) => (i: number, first: number, key: string) => void;
type RefCheck = (file: string, ptr: string, code: string) => void;

function checkCpt(
  entries: readonly CptEntry[],
  file: string,
  dup: DupReporter,
  checkCvx: RefCheck,
): void {
  reportDuplicates(
    entries,
    (e) => e.code,
    dup(file, 'CPT code', (i) => pointer('entries', i, 'code')),
  );
  entries.forEach((e, i) => {
    reportDuplicates(
      e.mappings,
      (m) => m.cvx,
      dup(file, `CVX mapping of CPT ${e.code}:`, (j) =>
        pointer('entries', i, 'mappings', j, 'cvx'),
      ),
    );
    e.mappings.forEach((m, j) => {
      checkCvx(file, pointer('entries', i, 'mappings', j, 'cvx'), m.cvx);
    });
  });
}

function checkNdc(
  entries: readonly NdcEntry[],
  links: NonNullable<CodeTableFiles['ndc.json']>['links'],
  file: string,
  problems: RuleProblem[],
  dup: DupReporter,
  checkCvx: RefCheck,
  checkMvx: RefCheck,
): void {
  reportDuplicates(
    entries,
    (e) => e.ndc,
    dup(file, 'NDC', (i) => pointer('entries', i, 'ndc')),
  );
  const byNdc = new Map(entries.map((e) => [e.ndc, e]));
  entries.forEach((e, i) => {
    if (!NDC11_PATTERN.test(e.ndc)) {
      problems.push({
        file,
        pointer: pointer('entries', i, 'ndc'),
        message: `NDC ${e.ndc} is not in the 11-digit 5-4-2 hyphenated form`,
      });
    }
    if (e.unitOfUse.length === 0 && e.unitOfSale.length === 0) {
      problems.push({
        file,
        pointer: pointer('entries', i),
        message: `NDC ${e.ndc} has neither unit-of-use nor unit-of-sale rows`,
      });
    }
    e.cvx.forEach((c, j) => {
      checkCvx(file, pointer('entries', i, 'cvx', j), c);
    });
    e.mvx.forEach((m, j) => {
      checkMvx(file, pointer('entries', i, 'mvx', j), m);
    });
    const rowCvx = [...new Set([...e.unitOfUse, ...e.unitOfSale].map((r) => r.cvx))].sort(
      compareCvx,
    );
    if (!sameSorted(rowCvx, e.cvx)) {
      problems.push({
        file,
        pointer: pointer('entries', i, 'cvx'),
        message: `must list the rows' CVX codes in order: ${JSON.stringify(rowCvx)}`,
      });
    }
    const rows: [
      string,
      readonly (NdcEntry['unitOfUse'][number] | NdcEntry['unitOfSale'][number])[],
    ][] = [
      ['unitOfUse', e.unitOfUse],
      ['unitOfSale', e.unitOfSale],
    ];
    for (const [kind, records] of rows) {
      records.forEach((r, k) => {
        const normalised = normalizeNdc(r.ndcAsGiven);
        if (normalised !== e.ndc) {
          problems.push({
            file,
            pointer: pointer('entries', i, kind, k, 'ndcAsGiven'),
            message: `${r.ndcAsGiven} normalises to ${normalised ?? '(nothing)'}, not to the entry's NDC ${e.ndc}`,
          });
        }
        checkCvx(file, pointer('entries', i, kind, k, 'cvx'), r.cvx);
      });
    }
    e.unitOfUse.forEach((r, k) => {
      r.unitOfSaleNdcs.forEach((n, m) => {
        if ((byNdc.get(n)?.unitOfSale.length ?? 0) === 0) {
          problems.push({
            file,
            pointer: pointer('entries', i, 'unitOfUse', k, 'unitOfSaleNdcs', m),
            message: `linked unit-of-sale NDC ${n} has no unit-of-sale entry`,
          });
        }
      });
    });
    e.unitOfSale.forEach((r, k) => {
      r.unitOfUseNdcs.forEach((n, m) => {
        if ((byNdc.get(n)?.unitOfUse.length ?? 0) === 0) {
          problems.push({
            file,
            pointer: pointer('entries', i, 'unitOfSale', k, 'unitOfUseNdcs', m),
            message: `linked unit-of-use NDC ${n} has no unit-of-use entry`,
          });
        }
      });
    });
  });
  reportDuplicates(
    links,
    (l) => `${l.linkId}|${l.unitOfSaleId}|${l.unitOfUseId}|${l.mvx}`,
    dup(file, 'linker row', (i) => pointer('links', i)),
  );
  links.forEach((l, i) => {
    checkMvx(file, pointer('links', i, 'mvx'), l.mvx);
    if (
      l.unitOfSaleNdc !== undefined &&
      (byNdc.get(l.unitOfSaleNdc)?.unitOfSale.length ?? 0) === 0
    ) {
      problems.push({
        file,
        pointer: pointer('links', i, 'unitOfSaleNdc'),
        message: `unit-of-sale NDC ${l.unitOfSaleNdc} has no unit-of-sale entry`,
      });
    }
    if (l.unitOfUseNdc !== undefined && (byNdc.get(l.unitOfUseNdc)?.unitOfUse.length ?? 0) === 0) {
      problems.push({
        file,
        pointer: pointer('links', i, 'unitOfUseNdc'),
        message: `unit-of-use NDC ${l.unitOfUseNdc} has no unit-of-use entry`,
      });
    }
  });
}

/** Result of reading (and validating) one version folder. */
interface ReadResult {
  readonly problems: RuleProblem[];
  readonly version: string;
  readonly manifest: CodesManifest | undefined;
  readonly tables: Partial<Record<CodeTableFileName, unknown>>;
}

/**
 * Resolves the version folder: absolute, or relative to `rulesRoot` (`codes/2025-12-12`); a bare
 * label without path separators (`2025-12-12`) means `codes/<label>`.
 */
function resolveVersionDir(rulesRoot: string, versionDir: string): string {
  if (!isAbsolute(versionDir) && !/[\\/]/.test(versionDir)) {
    return resolve(rulesRoot, 'codes', versionDir);
  }
  return resolve(rulesRoot, versionDir);
}

function readAndValidate(rulesRoot: string, versionDir: string): ReadResult {
  const root = resolve(rulesRoot);
  const dir = resolveVersionDir(root, versionDir);
  const rel = (p: string): string => relative(root, p).split(sep).join('/');
  const fileOf = (name: string): string => rel(join(dir, name));
  const version = basename(dir);
  const problems: RuleProblem[] = [];
  const tables: Partial<Record<CodeTableFileName, unknown>> = {};

  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    problems.push({ file: rel(dir), pointer: '', message: 'code-table folder does not exist' });
    return { problems, version, manifest: undefined, tables };
  }
  const readJson = (name: string): unknown => {
    const path = join(dir, name);
    if (!existsSync(path)) {
      problems.push({ file: fileOf(name), pointer: '', message: 'file is missing' });
      return undefined;
    }
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as unknown;
    } catch (err) {
      problems.push({
        file: fileOf(name),
        pointer: '',
        message: `not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      });
      return undefined;
    }
  };

  let manifest: CodesManifest | undefined;
  const rawManifest = readJson(CODES_MANIFEST_FILE);
  if (rawManifest !== undefined) {
    const p = schemaProblems(CODES_MANIFEST_FILE, fileOf(CODES_MANIFEST_FILE), rawManifest);
    problems.push(...p);
    if (p.length === 0) {
      manifest = rawManifest as CodesManifest;
      if (manifest.version !== version) {
        problems.push({
          file: fileOf(CODES_MANIFEST_FILE),
          pointer: '/version',
          message: `version ${manifest.version} does not match the folder name ${version}`,
        });
      }
      problems.push(...checkManifestHashes(dir, fileOf(CODES_MANIFEST_FILE), manifest.files));
    }
  }
  const expected = new Set<string>([CODES_MANIFEST_FILE, ...CODE_TABLE_FILES]);
  for (const name of readdirSync(dir).sort()) {
    if (!expected.has(name)) {
      problems.push({
        file: fileOf(name),
        pointer: '',
        message: 'unexpected file in a code-table folder (not listed in manifest.json)',
      });
    }
  }
  for (const name of CODE_TABLE_FILES) {
    const data = readJson(name);
    if (data !== undefined) {
      tables[name] = data;
    }
  }
  problems.push(...validateCodeTableData(tables, fileOf));
  return { problems, version, manifest, tables };
}

/**
 * Validates one version folder of CDC code tables: JSON Schemas, manifest hashes, semantic
 * checks. Problems name files relative to `rulesRoot` (`codes/2025-12-12/cvx.json`) and carry
 * a JSON pointer (ajv's `instancePath` for schema problems). The schemas come from the
 * repository's `rules/schema/` (they describe what this code reads), not from `rulesRoot`.
 *
 * @param rulesRoot - the rules folder (usually `<repo>/rules`)
 * @param versionDir - the version folder: absolute, relative to `rulesRoot`
 *   (`codes/2025-12-12`), or a bare label (`2025-12-12`, meaning `codes/2025-12-12`)
 * @returns every problem found; empty when the tables are valid
 */
export function validateCodeTables(rulesRoot: string, versionDir: string): RuleProblem[] {
  return readAndValidate(rulesRoot, versionDir).problems;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list === undefined) {
      map.set(k, [item]);
    } else {
      list.push(item);
    }
  }
  return map;
}

/**
 * Validates (see {@link validateCodeTables}) and loads one version folder into indexed lookups.
 *
 * @param rulesRoot - the rules folder (usually `<repo>/rules`)
 * @param versionDir - the version folder (same forms as for {@link validateCodeTables})
 * @returns the tables with maps keyed by CVX, MVX, CPT and normalised NDC
 * @throws RuleSetError carrying every problem when the tables are invalid
 */
export function loadCodeTables(rulesRoot: string, versionDir: string): CodeTables {
  const { problems, manifest, tables } = readAndValidate(rulesRoot, versionDir);
  if (problems.length > 0 || manifest === undefined) {
    throw new RuleSetError(problems);
  }
  const t = tables as CodeTableFiles;
  const tradenames = t['tradenames.json'].entries;
  const vaccineGroups = t['vaccine-groups.json'].entries;
  const cpt = t['cpt.json'].entries;
  return {
    version: manifest.version,
    manifest,
    cvx: new Map(t['cvx.json'].entries.map((e) => [e.code, e])),
    mvx: new Map(t['mvx.json'].entries.map((e) => [e.code, e])),
    cpt: new Map(cpt.map((e) => [e.code, e])),
    cptToCvx: new Map(cpt.map((e) => [e.code, e.mappings.map((m) => m.cvx)])),
    ndcToCvx: new Map(t['ndc.json'].entries.map((e) => [e.ndc, e])),
    ndcLinks: t['ndc.json'].links,
    tradenames,
    tradenamesByCvx: groupBy(tradenames, (e) => e.cvx),
    vaccineGroups,
    vaccineGroupsByCvx: groupBy(vaccineGroups, (e) => e.cvx),
  };
}
