/**
 * The CDC CDSi conformance ratchet. Runs EVERY development case in test/cdc/ through the real
 * engine and checks it against test/cdc/known-failures.txt:
 * - a case not listed there must pass (the message shows the case's differences);
 * - a case listed there must still fail, so the list only shrinks.
 * See test/cdc/README.md.
 */
import { readFileSync } from 'node:fs';
import {
  describeDifference,
  runCase,
  type CaseEngine,
  type CaseResult,
} from '../../src/conformance/compare';
import {
  DEFAULT_RULES_VERSION,
  defaultCaseFiles,
  defaultRulesRoot,
  knownFailuresPath,
  loadCorpus,
} from '../../src/conformance/corpus';
import { bindEngine, loadConformanceRuleSet } from '../../src/conformance/engine-binding';
import { parseKnownFailures } from '../../src/conformance/known-failures';
import { findRepoRoot } from '../../src/rules/repo-root';

const repoRoot = findRepoRoot(__dirname);
const cases = loadCorpus(defaultCaseFiles(repoRoot));
const knownFailures = parseKnownFailures(
  readFileSync(knownFailuresPath(repoRoot), 'utf8'),
  'test/cdc/known-failures.txt',
);

let engine: CaseEngine;

beforeAll(() => {
  engine = bindEngine(loadConformanceRuleSet(defaultRulesRoot(repoRoot), DEFAULT_RULES_VERSION));
});

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

describe.each(['healthy', 'underlying-conditions'] as const)('CDC CDSi %s cases', (set) => {
  test.each(cases.filter((c) => c.set === set).map((c) => [c.id, c] as const))('%s', (id, c) => {
    const result = runCase(c, engine);
    const reason = knownFailures.get(id);
    if (reason === undefined && !result.passed) {
      throw new Error(explain(result));
    }
    if (reason !== undefined && result.passed) {
      throw new Error(`${id} now passes: remove ${id} from known-failures.txt (was: ${reason})`);
    }
  });
});
