/**
 * The CDC CDSi conformance ratchet. Runs EVERY development case in test/cdc/ and checks it
 * against test/cdc/known-failures.txt:
 * - a case not listed there must pass (the message shows the case's differences);
 * - a case listed there must still fail, so the list only shrinks.
 * By default the cases go through the FHIR $immds-forecast operation (in-process) and are
 * compared from its FHIR answer; CDC_CONFORMANCE_PATH=engine runs them straight through the
 * engine instead. A second test runs both paths and requires the same result for every case.
 * See test/cdc/README.md.
 */
import { readFileSync } from 'node:fs';
import {
  describeDifference,
  runCase,
  runCaseWith,
  type CaseResult,
} from '../../src/conformance/compare';
import {
  DEFAULT_RULES_VERSION,
  defaultCaseFiles,
  defaultRulesRoot,
  knownFailuresPath,
  loadCorpus,
} from '../../src/conformance/corpus';
import { bindEngine } from '../../src/conformance/engine-binding';
import { bindFhirPath } from '../../src/conformance/fhir-binding';
import { parseKnownFailures } from '../../src/conformance/known-failures';
import type { CdcTestCase } from '../../src/conformance/test-case';
import { findRepoRoot } from '../../src/rules/repo-root';
import { loadRuleCatalog } from '../../src/rules/rule-catalog';

type Path = 'fhir' | 'engine';

const repoRoot = findRepoRoot(__dirname);
const cases = loadCorpus(defaultCaseFiles(repoRoot));
const knownFailures = parseKnownFailures(
  readFileSync(knownFailuresPath(repoRoot), 'utf8'),
  'test/cdc/known-failures.txt',
);
const pathSetting = process.env['CDC_CONFORMANCE_PATH'] ?? 'fhir';
if (pathSetting !== 'fhir' && pathSetting !== 'engine') {
  throw new Error(`CDC_CONFORMANCE_PATH must be fhir or engine, got ${pathSetting}`);
}
const ratchetPath: Path = pathSetting;

let run: Record<Path, (c: CdcTestCase) => CaseResult>;
const cache: Record<Path, Map<string, CaseResult>> = { fhir: new Map(), engine: new Map() };

beforeAll(() => {
  // One rule set object for both paths, so they can only differ by the FHIR mapping.
  const catalog = loadRuleCatalog(defaultRulesRoot(repoRoot), DEFAULT_RULES_VERSION);
  const ruleSet = catalog.get(DEFAULT_RULES_VERSION);
  if (ruleSet === undefined) {
    throw new Error(`rule set ${DEFAULT_RULES_VERSION} is not installed`);
  }
  const engine = bindEngine(ruleSet);
  const fhir = bindFhirPath(catalog, DEFAULT_RULES_VERSION);
  run = {
    engine: (c) => runCase(c, engine),
    fhir: (c) => runCaseWith(c, fhir),
  };
});

function resultOf(path: Path, c: CdcTestCase): CaseResult {
  let result = cache[path].get(c.id);
  if (result === undefined) {
    result = run[path](c);
    cache[path].set(c.id, result);
  }
  return result;
}

function explain(r: CaseResult): string {
  const lines = [`${r.id} (${r.set}, ${r.group}) fails:`];
  if (r.error !== undefined) {
    lines.push(`  error: ${r.error}`);
  }
  lines.push(...r.differences.map((d) => `  ${describeDifference(d)}`));
  lines.push(
    '  (fix the engine, or list it in test/cdc/known-failures.txt with the reason: ' +
      '`npm run conformance -- --write-known-failures test/cdc/known-failures.txt`)',
  );
  return lines.join('\n');
}

describe('known-failures.txt', () => {
  it('lists only ids of development cases', () => {
    const ids = new Set(cases.map((c) => c.id));
    const stale = [...knownFailures.keys()].filter((id) => !ids.has(id));
    expect(stale).toEqual([]);
  });
});

describe.each(['healthy', 'underlying-conditions'] as const)(
  `CDC CDSi %s cases (${ratchetPath} path)`,
  (set) => {
    test.each(cases.filter((c) => c.set === set).map((c) => [c.id, c] as const))('%s', (id, c) => {
      const result = resultOf(ratchetPath, c);
      const reason = knownFailures.get(id);
      if (reason === undefined && !result.passed) {
        throw new Error(explain(result));
      }
      if (reason !== undefined && result.passed) {
        throw new Error(`${id} now passes: remove ${id} from known-failures.txt (was: ${reason})`);
      }
    });
  },
);

describe('the FHIR path and the engine path', () => {
  test('give the same result (pass or fail, and every difference) for every development case', () => {
    const disagreements = cases.flatMap((c) => {
      const viaFhir = resultOf('fhir', c);
      const viaEngine = resultOf('engine', c);
      return JSON.stringify(viaFhir) === JSON.stringify(viaEngine)
        ? []
        : [`${c.id}\n  fhir:   ${JSON.stringify(viaFhir)}\n  engine: ${JSON.stringify(viaEngine)}`];
    });
    const passed = (p: Path) => cases.filter((c) => resultOf(p, c).passed).length;
    console.log(
      `CDC development cases passed: ${passed('fhir')}/${cases.length} through FHIR, ` +
        `${passed('engine')}/${cases.length} through the engine`,
    );
    expect(disagreements).toEqual([]);
  });
});
