/**
 * `npm run conformance`: runs the CDC CDSi test cases through the FHIR `$immds-forecast`
 * operation (default, `--path fhir`) or straight through the engine (`--path engine`) and reports
 * the pass rate per vaccine group, the failing cases with their differences, and
 * `N passed, M failed`.
 * A measuring tool: it exits 0 whenever it ran, unless `--fail-on-failure`. See `--help`.
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CONFORMANCE_USAGE,
  parseConformanceArgs,
  UsageError,
  type ConformanceOptions,
} from '../conformance/cli-options';
import {
  defaultCaseFiles,
  defaultRulesRoot,
  knownFailuresPath,
  loadCorpus,
} from '../conformance/corpus';
import { runCaseWith, type CaseResult } from '../conformance/compare';
import { loadConformanceRuleSet, runCases } from '../conformance/engine-binding';
import { bindFhirPath } from '../conformance/fhir-binding';
import { parseKnownFailures, updateKnownFailures } from '../conformance/known-failures';
import { formatReport, toJsonReport } from '../conformance/report';
import type { CdcTestCase } from '../conformance/test-case';
import { findRepoRoot } from '../rules/repo-root';
import { loadRuleCatalog } from '../rules/rule-catalog';

/** Exit code when the run could not happen (bad arguments, unreadable cases or rules). */
const EXIT_CANNOT_RUN = 2;

function selectCases(cases: readonly CdcTestCase[], only: readonly string[]): CdcTestCase[] {
  if (only.length === 0) {
    return [...cases];
  }
  const known = new Set(cases.map((c) => c.id));
  const unknown = only.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new UsageError(`--only: no such case id: ${unknown.join(', ')}`);
  }
  const wanted = new Set(only);
  return cases.filter((c) => wanted.has(c.id));
}

function readKnownFailures(
  options: ConformanceOptions,
  repoRoot: string,
): ReadonlyMap<string, string> | undefined {
  const path = options.knownFailures ?? knownFailuresPath(repoRoot);
  if (options.knownFailures === undefined && !existsSync(path)) {
    return undefined;
  }
  return parseKnownFailures(readFileSync(path, 'utf8'), path);
}

function run(options: ConformanceOptions): number {
  const repoRoot = findRepoRoot(__dirname);
  const caseFiles =
    options.caseFiles.length === 0
      ? defaultCaseFiles(repoRoot)
      : options.caseFiles.map((f) => resolve(f));
  const cases = selectCases(loadCorpus(caseFiles), options.only);
  const knownFailures = readKnownFailures(options, repoRoot);

  const rulesRoot = resolve(options.rulesRoot ?? defaultRulesRoot(repoRoot));
  const loadStart = process.hrtime.bigint();
  let runAll: (cases: readonly CdcTestCase[]) => CaseResult[];
  if (options.path === 'fhir') {
    const catalog = loadRuleCatalog(rulesRoot, options.rulesVersion);
    const solve = bindFhirPath(catalog, options.rulesVersion);
    runAll = (cs) => cs.map((c) => runCaseWith(c, solve));
  } else {
    const ruleSet = loadConformanceRuleSet(rulesRoot, options.rulesVersion);
    runAll = (cs) => runCases(cs, ruleSet);
  }
  const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
  console.error(
    `rule set ${options.rulesVersion} from ${rulesRoot} loaded and compiled in ${loadMs.toFixed(0)} ms`,
  );

  const runStart = process.hrtime.bigint();
  const results = runAll(cases);
  const runMs = Number(process.hrtime.bigint() - runStart) / 1e6;
  console.error(
    `${cases.length} cases run through the ${options.path} path in ${runMs.toFixed(0)} ms`,
  );

  if (options.jsonFile !== undefined) {
    const report = toJsonReport(results, { caseFiles, rulesVersion: options.rulesVersion });
    writeFileSync(options.jsonFile, JSON.stringify(report, null, 2) + '\n');
    console.error(`wrote ${options.jsonFile}`);
  }
  if (options.writeKnownFailures !== undefined) {
    const path = options.writeKnownFailures;
    const existing = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    writeFileSync(path, updateKnownFailures(existing, results));
    console.error(`wrote ${path}`);
  }

  console.log(
    formatReport(results, {
      showFailures: !options.quiet,
      ...(knownFailures === undefined ? {} : { knownFailures }),
    }),
  );
  const failed = results.some((r) => !r.passed);
  return options.failOnFailure && failed ? 1 : 0;
}

/**
 * Runs the CLI.
 *
 * @param argv - Arguments after the script path.
 * @returns The process exit code.
 */
export function main(argv: readonly string[]): number {
  try {
    const options = parseConformanceArgs(argv);
    if (options.help) {
      console.log(CONFORMANCE_USAGE);
      return 0;
    }
    return run(options);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`conformance: ${e.message}\n\n${CONFORMANCE_USAGE}`);
    } else {
      console.error(`conformance: ${e instanceof Error ? e.message : String(e)}`);
    }
    return EXIT_CANNOT_RUN;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
