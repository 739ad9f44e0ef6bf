/**
 * Engine benchmark: how long one `forecast()` takes on the CDC development cases.
 *
 * Loads and compiles the rule set once (timed separately), converts every case to engine input
 * up front, warms up, then times each `forecast()` call with `process.hrtime.bigint()` over
 * several rounds, on one core (Node runs the engine on its single main thread).
 *
 * With `--fhir`, also times the FHIR path of each case the same way: the `$immds-forecast`
 * handler (`immdsForecastOutput`: read the request, `forecast()`, write the output as JSON text)
 * plus encoding it to bytes, i.e. what the HTTP route does besides Express itself.
 *
 * Usage: `npm run bench:engine [-- --rounds N --warmup N --fhir]`. Results go in
 * docs/benchmarks.md.
 *
 * @packageDocumentation
 */
import { availableParallelism, cpus } from 'node:os';
import type { CalendarDate } from '../src/calendar';
import {
  DEFAULT_RULES_VERSION,
  defaultCaseFiles,
  defaultRulesRoot,
  loadCorpus,
} from '../src/conformance/corpus';
import { loadConformanceRuleSet } from '../src/conformance/engine-binding';
import { caseToParameters } from '../src/conformance/fhir-binding';
import { assessmentDateOf, toPatientHistory } from '../src/conformance/to-history';
import { forecast } from '../src/engine';
import type { PatientHistory } from '../src/engine/model';
import type { RuleSet } from '../src/engine/rule-set';
import {
  immdsForecastOutput,
  parametersJson,
  type ForecastCatalog,
} from '../src/fhir/immds-forecast';
import { findRepoRoot } from '../src/rules/repo-root';
import { loadRuleCatalog } from '../src/rules/rule-catalog';
import { mean, percentile } from './stats';

interface Input {
  readonly id: string;
  readonly history: PatientHistory;
  readonly assessmentDate: CalendarDate;
  /** The case as a `$immds-forecast` request body, as parsed from the wire (`--fhir`). */
  readonly request: unknown;
}

function intOption(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i === -1) {
    return fallback;
  }
  const value = Number(argv[i + 1]);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} needs a whole number, got ${String(argv[i + 1])}`);
  }
  return value;
}

function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Runs every input's FHIR request once through the handler and encodes the answer as the
 * service sends it (ASCII JSON text → bytes); returns
 * per-call times (ms) and the number of requests that got no answer (or threw).
 */
function fhirRound(
  inputs: readonly Input[],
  catalog: ForecastCatalog,
): { times: number[]; errors: number } {
  const times: number[] = [];
  let errors = 0;
  let sink = 0;
  const deps = { catalog };
  for (const input of inputs) {
    const start = process.hrtime.bigint();
    try {
      const [, output] = immdsForecastOutput(input.request, deps);
      if (output === undefined) {
        errors += 1;
      } else {
        sink += Buffer.from(parametersJson(output), 'latin1').length;
      }
    } catch {
      errors += 1;
    }
    times.push(msSince(start));
  }
  if (sink < 0) {
    console.log(sink);
  }
  return { times, errors };
}

function summary(times: readonly number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  return (
    `median ${percentile(sorted, 50).toFixed(3)}, ` +
    `p95 ${percentile(sorted, 95).toFixed(3)}, mean ${mean(sorted).toFixed(3)}, ` +
    `max ${(sorted[sorted.length - 1] ?? 0).toFixed(3)}`
  );
}

/** Runs every input once; returns per-call times (ms) and the number of calls that threw. */
function round(inputs: readonly Input[], ruleSet: RuleSet): { times: number[]; errors: number } {
  const times: number[] = [];
  let errors = 0;
  let sink = 0;
  for (const input of inputs) {
    const start = process.hrtime.bigint();
    try {
      sink += forecast(input.history, ruleSet, input.assessmentDate).vaccineGroups.length;
    } catch {
      errors += 1;
    }
    times.push(msSince(start));
  }
  if (sink < 0) {
    console.log(sink);
  }
  return { times, errors };
}

function main(argv: readonly string[]): void {
  const rounds = Math.max(1, intOption(argv, '--rounds', 5));
  const warmup = intOption(argv, '--warmup', 2);
  const withFhir = argv.includes('--fhir');
  const repoRoot = findRepoRoot(__dirname);

  const loadStart = process.hrtime.bigint();
  const ruleSet = loadConformanceRuleSet(defaultRulesRoot(repoRoot), DEFAULT_RULES_VERSION);
  const loadMs = msSince(loadStart);

  const inputs: Input[] = [];
  let unusable = 0;
  for (const c of loadCorpus(defaultCaseFiles(repoRoot))) {
    try {
      inputs.push({
        id: c.id,
        history: toPatientHistory(c),
        assessmentDate: assessmentDateOf(c),
        request: withFhir
          ? (JSON.parse(JSON.stringify(caseToParameters(c, DEFAULT_RULES_VERSION))) as unknown)
          : undefined,
      });
    } catch {
      unusable += 1;
    }
  }

  for (let i = 0; i < warmup; i++) {
    round(inputs, ruleSet);
  }
  const times: number[] = [];
  let errors = 0;
  let totalMs = 0;
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    const r = round(inputs, ruleSet);
    totalMs += msSince(start);
    times.push(...r.times);
    errors += r.errors;
  }

  const cpu = cpus()[0]?.model.trim() ?? 'unknown';
  console.log('engine benchmark: forecast() on the CDC development cases');
  console.log(
    `machine: ${availableParallelism()} cores, ${cpu}, node ${process.version}, ${process.platform} ${process.arch}`,
  );
  console.log(`rule set ${DEFAULT_RULES_VERSION}: load + compile ${loadMs.toFixed(1)} ms`);
  console.log(
    `cases: ${inputs.length}${unusable > 0 ? ` (${unusable} unusable, skipped)` : ''}; ` +
      `warm-up rounds: ${warmup}; timed rounds: ${rounds}; one core`,
  );
  console.log(`per case (ms): ${summary(times)}`);
  console.log(`throughput: ${((times.length / totalMs) * 1000).toFixed(0)} cases/s`);
  if (errors > 0) {
    console.log(`forecast() threw on ${errors / rounds} cases per round (timed anyway)`);
  }
  if (withFhir) {
    benchFhir(repoRoot, inputs, rounds, warmup);
  }
}

/** `--fhir`: the same rounds through the `$immds-forecast` handler and `JSON.stringify`. */
function benchFhir(
  repoRoot: string,
  inputs: readonly Input[],
  rounds: number,
  warmup: number,
): void {
  const catalog = loadRuleCatalog(defaultRulesRoot(repoRoot), DEFAULT_RULES_VERSION);
  for (let i = 0; i < warmup; i++) {
    fhirRound(inputs, catalog);
  }
  const times: number[] = [];
  let errors = 0;
  for (let i = 0; i < rounds; i++) {
    const r = fhirRound(inputs, catalog);
    times.push(...r.times);
    errors += r.errors;
  }
  console.log(`FHIR handler + JSON.stringify per case (ms): ${summary(times)}`);
  if (errors > 0) {
    console.log(`the handler gave no answer for ${errors / rounds} cases per round (timed anyway)`);
  }
}

try {
  main(process.argv.slice(2));
} catch (e) {
  console.error(`engine-bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
