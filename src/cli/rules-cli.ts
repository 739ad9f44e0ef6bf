#!/usr/bin/env node
/**
 * `cdsi-rules` — the rule maintainers' command line: one entry point with subcommands.
 *
 *     npm run rules -- <command> [options]        (in this repository, after npm run build)
 *     npx cdsi-rules <command> [options]          (in a rules repository that installs this package)
 *
 * Commands: validate, import-cdc, rehash, test, diff, docs (see {@link USAGE} and each
 * command's `--help`). Exit codes: 0 ok / nothing changed; 1 invalid rules, a regression, or a
 * change found; 2 usage error or the command could not run (missing file, unreadable cases,
 * invalid rule set given to test / diff / docs).
 *
 * Reports go to stdout; progress, timings and problems to stderr, so `--json` output can be
 * piped as is.
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CaseResult } from '../conformance/compare';
import { defaultCaseFiles, knownFailuresPath, loadCorpus } from '../conformance/corpus';
import { runCases } from '../conformance/engine-binding';
import { formatFailures, formatTable, summarize, toJsonReport } from '../conformance/report';
import type { CdcTestCase } from '../conformance/test-case';
import {
  BaselineError,
  baselineOfKnownFailures,
  baselineOfResults,
  compareWithBaseline,
  readBaselineReport,
  type Baseline,
} from '../rules/maintain/baseline';
import type { DocFormat } from '../rules/maintain/doc-render';
import {
  describeOutcomeChange,
  forecastImpact,
  formatImpact,
  type ImpactReport,
} from '../rules/maintain/forecast-impact';
import { loadImpactInputs } from '../rules/maintain/histories';
import { createProgress, type Progress, type ProgressSink } from '../rules/maintain/progress';
import { RehashError, rehashRuleSet } from '../rules/maintain/rehash';
import {
  loadRuleSetAt,
  locateRuleSet,
  RuleSetArgumentError,
  type LoadedRuleSet,
  type RuleSetLocation,
} from '../rules/maintain/rule-set-dir';
import { buildScheduleDocs, writeDocs } from '../rules/maintain/schedule-docs';
import {
  affectedVaccineGroups,
  describeTableChange,
  diffRuleTables,
  formatTableChanges,
} from '../rules/maintain/table-diff';
import { formatProblem, RuleSetError } from '../rules/problem';
import { findRepoRoot } from '../rules/repo-root';
import { readCdsiRuleSet } from '../rules/validate/validate-cdsi';
import { consoleIo } from './console-io';
import { runImportCli } from './rules-import';
import { runValidateCli } from './rules-validate';

const PROG = 'cdsi-rules';

/** Exit codes of every command. */
export const EXIT = { ok: 0, changed: 1, usage: 2 } as const;

/** Where the CLI writes; tests pass their own. */
export interface RulesCliIo {
  /** One line (or block of lines) of the report, to stdout. */
  log(text: string): void;
  /** One line of problems or notes, to stderr. */
  error(text: string): void;
  /** Raw stderr for progress. */
  readonly progress: ProgressSink;
}

const processIo: RulesCliIo = consoleIo;

/** The top-level `--help`. */
export const USAGE = `Usage: ${PROG} <command> [options]        (in this repository: npm run rules -- <command> …)

Tools for the people who keep the forecaster's rule tables right.

Commands:
  validate [rules-dir]                     validate rule sets (schema, manifest hashes, cross-references)
  import-cdc <folder-or-zip> --version X   import a CDC supporting-data release as <rules>/cdsi/X/
  rehash <version-dir>                     update a variant's manifest after a deliberate local edit
  test <rules-dir>                         run the CDC test cases; fail on a regression against a baseline
  diff <old-dir> <new-dir>                 what changed in the tables, and whose forecast it changes
  docs <rules-dir> --out <folder>          human-readable schedule documentation (Markdown or HTML)
  help [command]                           this text, or a command's (also: <command> --help)

A <rules-dir> is a version folder (rules/cdsi/4.64), a rules root holding cdsi/<version>/
(rules; when it holds several versions, name one with --version or give the version folder),
or a bare version label of this package's rules/ (4.64).

Exit codes: 0 ok / nothing changed; 1 invalid rules, a regression, or a change found;
2 usage error, or the command could not run (missing file, malformed cases, invalid rule set).`;

const TEST_USAGE = `Usage: ${PROG} test <rules-dir> [--version V] [--cases FILE ...] [--baseline REPORT.json | RULES-DIR]
                       [--known-failures FILE] [--report FILE] [--json] [--quiet] [--progress]

Runs CDC CDSi test cases against a candidate rule set and prints the pass rate per vaccine
group. Exits 1 when a case that passes in the baseline fails with the candidate — so a
maintainer's CI catches a regression.

  --cases FILE           CDC test cases, JSON Lines (repeatable; further .jsonl arguments count
                         too). Default: the CDC development cases vendored with this package
                         (test/cdc/*.jsonl).
  --baseline X           what must keep passing:
                           REPORT.json  a report of an earlier run (--report / --json here, or
                                        npm run conformance -- --json): its passing cases;
                           RULES-DIR    another rule set: the cases that pass with it (run now).
                         Default: every case passes except those in --known-failures.
  --known-failures FILE  the cases allowed to fail when there is no --baseline (format of
                         test/cdc/known-failures.txt). Default: that file, for the default cases.
  --version V            pick a version when <rules-dir> is a rules root with several
  --report FILE          also write the run as a JSON report (usable as a later --baseline)
  --json                 print the JSON report on stdout instead of the text report
  --quiet                leave out the differences of the regressed cases
  --progress             show progress on stderr even when it is not a terminal
  --help                 show this text

Exit codes: 0 no regression; 1 regression(s); 2 usage error / could not run.`;

const DIFF_USAGE = `Usage: ${PROG} diff <old-dir> <new-dir> [--cases FILE ...] [--tables-only] [--json] [--progress]

Compares two rule sets. First the tables, semantically and located by antigen / series / dose /
item, e.g.
  Measles / Measles 2-dose series / Dose 2 / interval from previous dose: minimum interval 4 weeks → 28 days
(added and removed CVX codes and mappings, changed ages, intervals, vaccines, conditional skips,
contraindications, observations…). Then the forecast impact: every patient is evaluated and
forecast with both rule sets, and those whose results differ are listed with before → after per
vaccine group (status, selected series, dose evaluations, forecast dose number and dates,
recommended vaccines). For a CDC case it also says whether it matches CDC's expectation before
and after. Only the vaccine groups the table changes can affect are computed.

  --cases FILE      patients: CDC test cases or patient histories, JSON Lines (repeatable; further
                    .jsonl arguments count too). Default: the CDC development cases vendored
                    with this package. A patient-history line is
                    {"id": "p1", "birthDate": "2020-01-15", "gender": "F", "assessmentDate": "2024-06-01",
                     "doses": [{"date": "2021-01-20", "cvx": "03", "mvx": "MSD"}],
                     "observations": [{"code": "055", "date": "2023-01-01"}]}
                    (gender, mvx, observations, observation date and birthCountry optional).
  --tables-only     compare the tables only
  --json            print the whole diff as JSON on stdout
  --progress        show progress on stderr even when it is not a terminal
  --help            show this text

Exit codes: 0 no difference; 1 the tables or some forecast differ; 2 usage error / could not run.`;

const DOCS_USAGE = `Usage: ${PROG} docs <rules-dir> --out <folder> [--format markdown|html] [--version V]

Generates human-readable schedule documentation from the rule tables, for help-desk staff who
explain to clinics how the forecast is calculated: index.<ext> (vaccine groups, glossary,
live-virus conflicts), one page per vaccine group (vaccines, evidence of immunity,
contraindications, series; per dose: ages, intervals, vaccines, conditional skips) and
observations.<ext>. Existing files of the same names are overwritten.

  --out DIR        output folder (created if needed)
  --format F       markdown (default) or html (self-contained pages)
  --version V      pick a version when <rules-dir> is a rules root with several
  --help           show this text

Exit codes: 0 written; 2 usage error / could not run (e.g. invalid rule set).`;

const REHASH_USAGE = `Usage: ${PROG} rehash <version-dir> [--derived-from V] [--description TEXT]

After a deliberate local edit of a copied rule set (a jurisdiction's variant), updates its
manifest.json: version = folder name, derivedFrom = the version it was copied from, the sha256
of every .json file, the antigen → file map. Then validates the folder.

  cp -r rules/cdsi/4.64 rules/cdsi/4.64-wa
  (edit rules/cdsi/4.64-wa/antigens/*.json)
  ${PROG} rehash rules/cdsi/4.64-wa --description "WA: MMR dose 2 interval per state rule"

An unmodified CDC import edited in place is refused: copy it to a variant folder first
(re-import CDC tables with import-cdc --force).

  --derived-from V     record the origin explicitly (default: kept, or the copied manifest's version)
  --description TEXT   record who maintains the variant and what differs
  --help               show this text

Exit codes: 0 rehashed (or already up to date) and valid; 1 refused, or invalid after rehash;
2 usage error.`;

/** A command line that cannot be understood. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

function parse<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: O,
  usage: string,
): ReturnType<
  typeof parseArgs<{ options: O; allowPositionals: true; strict: true; args: string[] }>
> {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message, usage);
  }
}

/**
 * A path as reports show it: relative to the working directory when it is below it (so a
 * committed baseline report is the same on every machine), else absolute.
 */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function repoRoot(): string {
  return findRepoRoot(__dirname);
}

function locate(arg: string, version?: string): RuleSetLocation {
  return locateRuleSet(arg, { version, defaultRulesRoot: resolve(repoRoot(), 'rules') });
}

function load(at: RuleSetLocation, io: RulesCliIo): LoadedRuleSet {
  const start = process.hrtime.bigint();
  const loaded = loadRuleSetAt(at);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  io.error(
    `loaded ${loaded.label} from ${shownPath(at.dir)} (validated and compiled in ${ms.toFixed(0)} ms)`,
  );
  return loaded;
}

/** Splits positionals into the `n` leading arguments and trailing `.jsonl` case files. */
function splitPositionals(
  positionals: readonly string[],
  names: readonly string[],
  usage: string,
): { args: string[]; caseFiles: string[] } {
  const args = positionals.slice(0, names.length);
  if (args.length < names.length) {
    throw new UsageError(`missing ${names.slice(args.length).join(' and ')}`, usage);
  }
  const rest = positionals.slice(names.length);
  const stray = rest.filter((p) => !p.endsWith('.jsonl'));
  if (stray.length > 0) {
    throw new UsageError(
      `unexpected argument${stray.length === 1 ? '' : 's'} ${stray.join(' ')}`,
      usage,
    );
  }
  return { args, caseFiles: rest };
}

function progressOf(io: RulesCliIo, label: string, forced: boolean | undefined): Progress {
  return createProgress(label, io.progress, forced === true || io.progress.isTTY);
}

function runWithProgress(
  cases: readonly CdcTestCase[],
  rules: LoadedRuleSet,
  progress: Progress,
): CaseResult[] {
  const results: CaseResult[] = [];
  const chunk = 25;
  for (let i = 0; i < cases.length; i += chunk) {
    results.push(...runCases(cases.slice(i, i + chunk), rules.compiled));
    progress.update(results.length, cases.length);
  }
  progress.finish();
  return results;
}

// ---------------------------------------------------------------------------------------------
// test
// ---------------------------------------------------------------------------------------------

function runTest(argv: readonly string[], io: RulesCliIo): number {
  const { values, positionals } = parse(
    argv,
    {
      version: { type: 'string' },
      cases: { type: 'string', multiple: true },
      baseline: { type: 'string' },
      'known-failures': { type: 'string' },
      report: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      progress: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    TEST_USAGE,
  );
  if (values.help) {
    io.log(TEST_USAGE);
    return EXIT.ok;
  }
  const { args, caseFiles: extra } = splitPositionals(positionals, ['<rules-dir>'], TEST_USAGE);
  const given = [...(values.cases ?? []), ...extra];
  const caseFiles =
    given.length === 0 ? defaultCaseFiles(repoRoot()) : given.map((f) => resolve(f));
  // The baseline is checked before anything runs: a typo must not cost a whole run.
  const b = values.baseline;
  let report: Baseline | undefined;
  let otherAt: RuleSetLocation | undefined;
  if (b !== undefined) {
    if (existsSync(b) && statSync(b).isFile()) {
      report = readBaselineReport(b);
    } else if (!existsSync(b) && b.endsWith('.json')) {
      throw new BaselineError(`${b}: no such file`);
    } else {
      otherAt = locate(b);
    }
  }
  const candidate = load(locate(args[0] ?? '', values.version), io);
  const cases = loadCorpus(caseFiles);
  const results = runWithProgress(
    cases,
    candidate,
    progressOf(io, `running ${cases.length} cases on ${candidate.label}`, values.progress),
  );

  let baseline: Baseline;
  let baselineName: string;
  if (b !== undefined) {
    if (report !== undefined) {
      baseline = report;
      baselineName = `report ${b}`;
    } else {
      const other = load(otherAt ?? locate(b), io);
      baseline = baselineOfResults(
        runWithProgress(
          cases,
          other,
          progressOf(io, `running ${cases.length} cases on ${other.label}`, values.progress),
        ),
      );
      baselineName = `${other.label} (${shownPath(other.location.dir)})`;
    }
  } else {
    const kfGiven = values['known-failures'];
    const kf =
      kfGiven === undefined
        ? given.length === 0
          ? knownFailuresPath(repoRoot())
          : undefined
        : resolve(kfGiven);
    const text = kf !== undefined && existsSync(kf) ? readFileSync(kf, 'utf8') : undefined;
    if (kfGiven !== undefined && text === undefined) {
      throw new BaselineError(`${kfGiven}: no such file`);
    }
    baseline = baselineOfKnownFailures(
      cases.map((c) => c.id),
      text,
      kf,
    );
    baselineName =
      text === undefined
        ? 'every case passing'
        : `every case passing except those in ${shownPath(kf ?? '')}`;
  }
  const cmp = compareWithBaseline(results, baseline);
  const summary = summarize(results);
  const json = {
    ...toJsonReport(results, {
      caseFiles: caseFiles.map(shownPath),
      rulesVersion: candidate.location.version,
    }),
    ruleSet: candidate.label,
    rulesDir: shownPath(candidate.location.dir),
    baseline: baselineName,
    regressions: cmp.regressions.map((r) => r.id),
    fixed: cmp.fixed,
    notInBaseline: cmp.notInBaseline,
  };
  if (values.report !== undefined) {
    writeFileSync(values.report, JSON.stringify(json, null, 2) + '\n');
    io.error(`wrote ${values.report}`);
  }
  const n = cmp.regressions.length;
  if (values.json) {
    io.log(JSON.stringify(json, null, 2));
  } else {
    const sections = [
      `${candidate.label} (${shownPath(candidate.location.dir)}) — ${cases.length} cases from ${caseFiles.map(shownPath).join(', ')}`,
      formatTable(summary),
    ];
    if (n > 0) {
      sections.push(
        `REGRESSIONS — passed in the baseline, fail now: ${n}` +
          (values.quiet
            ? `\n${cmp.regressions.map((r) => `  ${r.id}`).join('\n')}`
            : `\n${formatFailures(cmp.regressions)}`),
      );
    }
    if (cmp.fixed.length > 0) {
      sections.push(
        `Fixed — failed in the baseline, pass now: ${cmp.fixed.length}: ${cmp.fixed.join(' ')}`,
      );
    }
    if (cmp.notInBaseline.length > 0) {
      const failing = results.filter((r) => !r.passed && cmp.notInBaseline.includes(r.id)).length;
      sections.push(`Not in the baseline: ${cmp.notInBaseline.length} cases (${failing} failing)`);
    }
    sections.push(
      `${summary.passed} passed, ${summary.failed} failed; ${n} regression${n === 1 ? '' : 's'} against ${baselineName}`,
    );
    io.log(sections.join('\n\n'));
  }
  return n > 0 ? EXIT.changed : EXIT.ok;
}

// ---------------------------------------------------------------------------------------------
// diff
// ---------------------------------------------------------------------------------------------

function describeRuleSet(r: LoadedRuleSet): string {
  const m = r.raw.manifest;
  const origin =
    m.derivedFrom === undefined
      ? `${m.source.publisher} supporting data ${m.source.supportingDataVersion}, released ${m.source.releaseDate}`
      : `local variant of ${m.derivedFrom}${m.description === undefined ? '' : `: ${m.description}`}`;
  return `${r.label} (${shownPath(r.location.dir)}) — ${origin}`;
}

function ruleSetJson(r: LoadedRuleSet): object {
  const m = r.raw.manifest;
  return {
    ruleSet: r.label,
    dir: shownPath(r.location.dir),
    source: m.source,
    ...(m.derivedFrom === undefined ? {} : { derivedFrom: m.derivedFrom }),
    ...(m.description === undefined ? {} : { description: m.description }),
  };
}

function runDiff(argv: readonly string[], io: RulesCliIo): number {
  const { values, positionals } = parse(
    argv,
    {
      cases: { type: 'string', multiple: true },
      'tables-only': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      progress: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    DIFF_USAGE,
  );
  if (values.help) {
    io.log(DIFF_USAGE);
    return EXIT.ok;
  }
  const { args, caseFiles: extra } = splitPositionals(
    positionals,
    ['<old-dir>', '<new-dir>'],
    DIFF_USAGE,
  );
  const given = [...(values.cases ?? []), ...extra];
  if (values['tables-only'] && given.length > 0) {
    throw new UsageError('--tables-only and --cases exclude each other', DIFF_USAGE);
  }
  const before = load(locate(args[0] ?? ''), io);
  const after = load(locate(args[1] ?? ''), io);
  const changes = diffRuleTables(before.raw, after.raw);

  let impact: ImpactReport | undefined;
  let caseFiles: string[] = [];
  if (!values['tables-only']) {
    caseFiles = given.length === 0 ? defaultCaseFiles(repoRoot()) : given.map((f) => resolve(f));
    const inputs = loadImpactInputs(caseFiles);
    const groups = affectedVaccineGroups(before.raw, after.raw);
    const progress = progressOf(
      io,
      `running ${inputs.length} patients on ${before.label} and ${after.label}`,
      values.progress,
    );
    impact = forecastImpact(inputs, before.compiled, after.compiled, {
      vaccineGroups: groups,
      onProgress: (done, total) => {
        progress.update(done, total);
      },
    });
    progress.finish();
  }
  const changed = changes.length > 0 || (impact?.changed.length ?? 0) > 0;

  if (values.json) {
    io.log(
      JSON.stringify(
        {
          old: ruleSetJson(before),
          new: ruleSetJson(after),
          changed,
          tables: { changes: changes.map((c) => ({ ...c, text: describeTableChange(c) })) },
          impact:
            impact === undefined
              ? null
              : {
                  caseFiles: caseFiles.map(shownPath),
                  inputs: impact.inputs,
                  vaccineGroups: impact.vaccineGroups,
                  changed: impact.changed.map((c) => ({
                    ...c,
                    changes: c.changes.map((x) => ({ ...x, text: describeOutcomeChange(x) })),
                  })),
                },
        },
        null,
        2,
      ),
    );
  } else {
    const sections = [
      `old: ${describeRuleSet(before)}\nnew: ${describeRuleSet(after)}`,
      formatTableChanges(changes),
    ];
    if (impact !== undefined) {
      sections.push(
        `${formatImpact(impact)}\n  (patients from ${caseFiles.map(shownPath).join(', ')})`,
      );
    }
    sections.push(changed ? 'CHANGED' : 'no difference');
    io.log(sections.join('\n\n'));
  }
  return changed ? EXIT.changed : EXIT.ok;
}

// ---------------------------------------------------------------------------------------------
// docs, rehash
// ---------------------------------------------------------------------------------------------

function runDocs(argv: readonly string[], io: RulesCliIo): number {
  const { values, positionals } = parse(
    argv,
    {
      out: { type: 'string' },
      format: { type: 'string', default: 'markdown' },
      version: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    DOCS_USAGE,
  );
  if (values.help) {
    io.log(DOCS_USAGE);
    return EXIT.ok;
  }
  const { args, caseFiles } = splitPositionals(positionals, ['<rules-dir>'], DOCS_USAGE);
  if (caseFiles.length > 0) {
    throw new UsageError(`unexpected argument ${caseFiles.join(' ')}`, DOCS_USAGE);
  }
  if (values.out === undefined) {
    throw new UsageError('--out is required', DOCS_USAGE);
  }
  const format = ({ markdown: 'markdown', md: 'markdown', html: 'html' } as const)[
    values.format as 'markdown' | 'md' | 'html'
  ] as DocFormat | undefined;
  if (format === undefined) {
    throw new UsageError(`--format must be markdown or html, not ${values.format}`, DOCS_USAGE);
  }
  const rules = load(locate(args[0] ?? '', values.version), io);
  const files = writeDocs(buildScheduleDocs(rules.raw, rules.label), resolve(values.out), format);
  io.log(`wrote ${files.length} ${format} files for ${rules.label} to ${resolve(values.out)}`);
  return EXIT.ok;
}

function runRehash(argv: readonly string[], io: RulesCliIo): number {
  const { values, positionals } = parse(
    argv,
    {
      'derived-from': { type: 'string' },
      description: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    REHASH_USAGE,
  );
  if (values.help) {
    io.log(REHASH_USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    throw new UsageError('give exactly one version folder', REHASH_USAGE);
  }
  const at = locate(positionals[0] ?? '');
  let r;
  try {
    r = rehashRuleSet(at.dir, {
      ...(values['derived-from'] === undefined ? {} : { derivedFrom: values['derived-from'] }),
      ...(values.description === undefined ? {} : { description: values.description }),
    });
  } catch (e) {
    if (e instanceof RehashError) {
      io.error(e.message);
      return EXIT.changed;
    }
    throw e;
  }
  const m = r.manifest;
  const what = [
    r.changed.length === 0 ? undefined : `changed: ${r.changed.join(', ')}`,
    r.added.length === 0 ? undefined : `added: ${r.added.join(', ')}`,
    r.removed.length === 0 ? undefined : `removed: ${r.removed.join(', ')}`,
  ].filter((x) => x !== undefined);
  io.log(
    r.written
      ? `rehashed ${at.dir}: ${m.ruleSetId}@${m.version}${m.derivedFrom === undefined ? '' : ` (derived from ${m.derivedFrom})`}${what.length === 0 ? '' : `; ${what.join('; ')}`}`
      : `${at.dir}: manifest already up to date`,
  );
  for (const f of r.ignored) {
    io.error(`not listed (only .json files belong in a rule set): ${f}`);
  }
  const problems = readCdsiRuleSet(at.rulesRoot, at.dir).problems;
  for (const p of problems) {
    io.error(formatProblem(p));
  }
  if (problems.length > 0) {
    io.error(
      `${problems.length} problem${problems.length === 1 ? '' : 's'}: the service will refuse this rule set`,
    );
    return EXIT.changed;
  }
  io.log(`rules OK: ${m.ruleSetId}@${m.version}`);
  return EXIT.ok;
}

// ---------------------------------------------------------------------------------------------
// dispatch
// ---------------------------------------------------------------------------------------------

type Command = (argv: readonly string[], io: RulesCliIo) => number;

const COMMANDS: Readonly<Record<string, { run: Command; usage: () => string }>> = {
  validate: {
    run: (argv, io) => runValidateCli(argv, io, `${PROG} validate`),
    usage: () => captureUsage((io) => runValidateCli(['--help'], io, `${PROG} validate`)),
  },
  'import-cdc': {
    run: (argv, io) => runImportCli(argv, io, `${PROG} import-cdc`),
    usage: () => captureUsage((io) => runImportCli(['--help'], io, `${PROG} import-cdc`)),
  },
  rehash: { run: runRehash, usage: () => REHASH_USAGE },
  test: { run: runTest, usage: () => TEST_USAGE },
  diff: { run: runDiff, usage: () => DIFF_USAGE },
  docs: { run: runDocs, usage: () => DOCS_USAGE },
};

function captureUsage(f: (io: { log(l: string): void; error(l: string): void }) => number): string {
  const lines: string[] = [];
  f({ log: (l) => lines.push(l), error: (l) => lines.push(l) });
  return lines.join('\n');
}

/**
 * Runs `cdsi-rules`.
 *
 * @param argv - The arguments after the script (`<command> [options]`).
 * @param io - Where to write (default: stdout / stderr).
 * @returns The exit code (see {@link EXIT}).
 */
export function runRulesCli(argv: readonly string[], io: RulesCliIo = processIo): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic === undefined ? undefined : COMMANDS[topic];
    if (topic !== undefined && command === undefined) {
      io.error(`${PROG}: unknown command ${topic}\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (name === undefined) {
      io.error(USAGE);
      return EXIT.usage;
    }
    io.log(command === undefined ? USAGE : command.usage());
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.error(`${PROG}: unknown command ${name}\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.error(`${PROG} ${name}: ${e.message}\n\n${e.usage}`);
    } else if (e instanceof RuleSetError) {
      for (const p of e.problems) {
        io.error(formatProblem(p));
      }
      io.error(
        `${PROG} ${name}: the rule set is invalid (${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}); see ${PROG} validate`,
      );
    } else if (e instanceof Error) {
      const known =
        e instanceof RuleSetArgumentError ||
        e instanceof BaselineError ||
        ['TestCaseFormatError', 'HistoryFormatError', 'KnownFailuresFormatError'].includes(
          e.name,
        ) ||
        'code' in e;
      io.error(`${PROG} ${name}: ${known ? e.message : (e.stack ?? e.message)}`);
    } else {
      io.error(`${PROG} ${name}: ${String(e)}`);
    }
    return EXIT.usage;
  }
}

if (require.main === module) {
  process.exitCode = runRulesCli(process.argv.slice(2));
}
