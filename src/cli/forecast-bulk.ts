#!/usr/bin/env node
/**
 * `forecast-bulk` — forecasts a whole population, using every core.
 *
 *     npm run forecast-bulk -- <input> --out <folder> [options]     (in this repository, after npm run build)
 *     npx forecast-bulk <input> --out <folder> [options]
 *
 * Input: an NDJSON file of `$immds-forecast` input Parameters (or `-` for stdin), or a folder of
 * FHIR bulk-export files. Output folder: `ImmunizationRecommendation.ndjson`,
 * `ImmunizationEvaluation.ndjson`, `information.ndjson` (notes about the input of patients that
 * were forecast) and `errors.ndjson` (OperationOutcome: inputs that got no forecast, by line or
 * file and line) — with `--compress gzip|br`, the same as `.ndjson.gz` / `.ndjson.br`. See
 * {@link USAGE}.
 *
 * Exit codes: 0 every patient forecast; 1 some inputs had errors (see errors.ndjson); 2 usage
 * error, or the run could not be done (unreadable input, invalid rules, output exists…).
 *
 * @packageDocumentation
 */
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { consoleIo } from './console-io';
import { findExportFiles, readExport } from '../bulk/bulk-export';
import { createThreadPool, inProcessExecutor, type ForecastExecutor } from '../bulk/executor';
import type { BulkItem, ItemResult, RunSettings } from '../bulk/forecast-item';
import { ndjsonLines } from '../bulk/ndjson-lines';
import { lineItems, runPipeline } from '../bulk/pipeline';
import { createRateProgress } from '../bulk/progress';
import { chooseRun } from '../bulk/run-settings';
import { parseShard, type Shard } from '../bulk/shard';
import { CODEC_SUFFIX, CODECS, CompressedBatches, type Codec } from '../bulk/compressed-batches';
import { writeChunks } from '../bulk/write-chunks';
import { dateInZone } from '../http/clock';
import type { ProgressSink } from '../rules/maintain/progress';
import { formatProblem, RuleSetError } from '../rules/problem';
import { findRepoRoot } from '../rules/repo-root';
import { loadRuleCatalog, type RuleCatalog } from '../rules/rule-catalog';

/** Exit codes. */
export const EXIT = { ok: 0, inputErrors: 1, usage: 2 } as const;

/** Longest NDJSON input line (one patient's Parameters). */
const LINE_LIMIT = 16 * 1024 * 1024;

/** The output files, in the output folder (with `--compress`: each name + `.gz` or `.br`). */
export const OUTPUT_FILES = {
  recommendations: 'ImmunizationRecommendation.ndjson',
  evaluations: 'ImmunizationEvaluation.ndjson',
  information: 'information.ndjson',
  errors: 'errors.ndjson',
} as const;

export const USAGE = `Usage: forecast-bulk <input> --out <folder> [options]
       (in this repository: npm run build && npm run forecast-bulk -- <input> --out <folder> …)

Forecasts every patient of <input> with the CDSi engine, on every core.

<input> is one of
  a file of NDJSON, one $immds-forecast input Parameters per line (- reads stdin);
  a folder of FHIR bulk-export files: Patient.ndjson and Immunization.ndjson, optionally
  Condition.ndjson, Observation.ndjson, AllergyIntolerance.ndjson (also split as
  Immunization.000.ndjson, Immunization.001.ndjson, … or Immunization_1.ndjson). Resources are
  grouped by patient (Immunization.patient, Condition.subject, …); a patient without
  immunizations is forecast too.

Output, in --out (created if needed):
  ImmunizationRecommendation.ndjson   one per patient
  ImmunizationEvaluation.ndjson       one per dose and antigen
  information.ndjson                  notes about the input of patients that were forecast
                                      (doses not used, codes mapped), OperationOutcome
  errors.ndjson                       inputs that got no forecast, OperationOutcome naming the
                                      line (NDJSON input) or the file and line (export)

Options:
  --out DIR               output folder (required); refuses to overwrite output files unless --force
  --assessment-date D     assessment date of every forecast, YYYY-MM-DD (default: today, UTC)
  --rule-version V        rule-set version, e.g. 4.64 or cdc-cdsi@4.64 (default: the newest CDC release)
  --rules-dir DIR         root of the rule tables (default: the rules shipped with the package)
  --workers N             worker threads (default: the number of CPUs; 0 = this thread only)
  --shard i/n             only the patients whose id hashes to shard i of n (1 ≤ i ≤ n), so that n
                          machines split a population with no coordination (a stable hash of Patient.id)
  --tmp-dir DIR           where a bulk export is partitioned (default: the system's temp folder;
                          needs about the size of the export)
  --compress gzip|br      write the four files compressed: <name>.ndjson.gz (gzip, ~20× smaller)
                          or <name>.ndjson.br (Brotli, ~45× smaller, less CPU than gzip); the
                          FHIR output is ~60 kB per patient uncompressed
  --force                 overwrite existing output files
  --quiet                 no progress on stderr
  --help                  this text

Assessment date and rule version are fixed for the whole run: an NDJSON line naming others is an
error. Progress (patients/s, ETA) goes to stderr.

Exit codes: 0 every patient forecast; 1 some inputs had errors (see errors.ndjson);
2 usage error, or the run could not be done; 130 / 143 stopped by SIGINT (Ctrl-C) / SIGTERM
(the temporary partitions are removed; the output files are incomplete).`;

/** Where the CLI writes; tests pass their own. */
export interface BulkCliIo {
  /** `--help`, to stdout. */
  log(text: string): void;
  /** A line of the summary or a problem, to stderr. */
  error(text: string): void;
  /** Raw stderr for progress. */
  readonly progress: ProgressSink;
  /** stdin, for `-`. */
  readonly stdin: AsyncIterable<Buffer | string>;
}

const processIo: BulkCliIo = { ...consoleIo, stdin: process.stdin };

class UsageError extends Error {}

interface Options {
  readonly input: string;
  readonly out: string;
  readonly assessmentDate: string;
  readonly ruleVersion: string | undefined;
  readonly rulesDir: string;
  readonly workers: number;
  readonly shard: Shard | undefined;
  readonly tmpDir: string;
  readonly force: boolean;
  readonly quiet: boolean;
  readonly compress: Codec | undefined;
}

function parseOptions(argv: readonly string[]): Options | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string' },
        'assessment-date': { type: 'string' },
        'rule-version': { type: 'string' },
        'rules-dir': { type: 'string' },
        workers: { type: 'string' },
        shard: { type: 'string' },
        'tmp-dir': { type: 'string' },
        force: { type: 'boolean' },
        quiet: { type: 'boolean' },
        compress: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  if (v.help === true) {
    return 'help';
  }
  if (parsed.positionals.length !== 1) {
    throw new UsageError(
      parsed.positionals.length === 0
        ? 'give one input (a file, - for stdin, or an export folder)'
        : 'give only one input',
    );
  }
  if (v.out === undefined) {
    throw new UsageError('--out <folder> is required');
  }
  let workers = availableParallelism();
  if (v.workers !== undefined) {
    if (!/^\d+$/.test(v.workers) || Number(v.workers) > 256) {
      throw new UsageError(`--workers must be a whole number from 0 to 256, not "${v.workers}"`);
    }
    workers = Number(v.workers);
  }
  const compress = CODECS.find((c) => c === v.compress);
  if (v.compress !== undefined && compress === undefined) {
    throw new UsageError(`--compress must be ${CODECS.join(' or ')}, not "${v.compress}"`);
  }
  let shard: Shard | undefined;
  if (v.shard !== undefined) {
    const s = parseShard(v.shard);
    if (typeof s === 'string') {
      throw new UsageError(s);
    }
    shard = s;
  }
  return {
    input: parsed.positionals[0] ?? '-',
    out: resolve(v.out),
    // "Today" as a calendar date in UTC, taken once: the run's assessment date.
    assessmentDate: v['assessment-date'] ?? dateInZone(Date.now(), 'UTC').toString(),
    ruleVersion: v['rule-version'],
    rulesDir: resolve(v['rules-dir'] ?? join(findRepoRoot(__dirname), 'rules')),
    workers,
    shard,
    tmpDir: resolve(v['tmp-dir'] ?? tmpdir()),
    force: v.force === true,
    quiet: v.quiet === true,
    compress,
  };
}

function loadCatalog(rulesDir: string): RuleCatalog {
  try {
    return loadRuleCatalog(rulesDir);
  } catch (err) {
    if (err instanceof RuleSetError) {
      throw new UsageError(
        `invalid rules in ${rulesDir}:\n${err.problems.map(formatProblem).join('\n')}`,
      );
    }
    throw new UsageError(
      `cannot load the rules in ${rulesDir}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** An output file of a run. */
interface OutputFile {
  /**
   * Writes pieces in order; resolves when the file can take more. `onWritten`: once the pieces'
   * memory may be reused (see writeChunks).
   */
  write(pieces: readonly Uint8Array[], onWritten?: () => void): Promise<void>;
  /** Ends the file; resolves once it is written and closed. */
  close(): Promise<void>;
}

function openOutput(path: string, codec: Codec | undefined): OutputFile {
  const file = createWriteStream(path);
  if (codec !== undefined) {
    const batches = new CompressedBatches(file, codec);
    return {
      write: (pieces, onWritten) => batches.write(pieces, onWritten),
      close: () => batches.end(),
    };
  }
  return {
    write: (pieces, onWritten) => writeChunks(file, pieces, onWritten),
    close: () =>
      new Promise((resolveClose, reject) => {
        file.once('error', reject);
        file.end(() => {
          resolveClose();
        });
      }),
  };
}

/** The output file names of a run. */
function outputNames(codec: Codec | undefined): Record<keyof typeof OUTPUT_FILES, string> {
  const suffix = codec === undefined ? '' : CODEC_SUFFIX[codec];
  return {
    recommendations: OUTPUT_FILES.recommendations + suffix,
    evaluations: OUTPUT_FILES.evaluations + suffix,
    information: OUTPUT_FILES.information + suffix,
    errors: OUTPUT_FILES.errors + suffix,
  };
}

/** Counts the bytes that pass (progress of a file input). */
async function* counted(
  source: AsyncIterable<Buffer | string>,
  onBytes: (n: number) => void,
): AsyncGenerator<Buffer | string> {
  for await (const chunk of source) {
    onBytes(chunk.length);
    yield chunk;
  }
}

/**
 * Runs the command.
 *
 * @param argv - The arguments after the program name.
 * @param io - Where to write (default stderr / stdin).
 * @returns the exit code
 */
export async function runForecastBulk(
  argv: readonly string[],
  io: BulkCliIo = processIo,
): Promise<number> {
  let options: Options | 'help';
  let executor: ForecastExecutor | undefined;
  let tmp: string | undefined;
  let stopOnSignal: (() => void) | undefined;
  try {
    options = parseOptions(argv);
    if (options === 'help') {
      io.log(USAGE);
      return EXIT.ok;
    }
    const o = options;
    const started = performance.now();
    const isStdin = o.input === '-';
    if (!isStdin && !existsSync(o.input)) {
      throw new UsageError(`${o.input}: no such file or folder`);
    }
    const isExport = !isStdin && statSync(o.input).isDirectory();
    const exportFiles = isExport ? findExportFiles(o.input) : undefined;
    if (exportFiles !== undefined) {
      if (!exportFiles.files.some((f) => f.type === 'Patient')) {
        throw new UsageError(
          `${o.input}: no Patient.ndjson (or Patient.000.ndjson…) in this bulk-export folder`,
        );
      }
      for (const name of exportFiles.ignored) {
        io.error(
          `note: ${name} is not used (only Patient, Immunization, Condition, Observation, AllergyIntolerance are)`,
        );
      }
    }

    // Loaded here to check the options; with worker threads each thread loads its own, and this
    // copy is dropped once the pool is up (less memory for the run).
    let catalog: RuleCatalog | undefined = loadCatalog(o.rulesDir);
    const choice = chooseRun(
      { assessmentDate: o.assessmentDate, version: o.ruleVersion },
      catalog,
      {
        assessmentDate: '--assessment-date',
        version: '--rule-version',
      },
    );
    if (!choice.ok) {
      throw new UsageError(choice.problems.join('\n'));
    }

    mkdirSync(o.out, { recursive: true });
    const names = outputNames(o.compress);
    const existing = Object.values(names).filter((f) => existsSync(join(o.out, f)));
    if (existing.length > 0 && !o.force) {
      throw new UsageError(
        `${o.out} already holds ${existing.join(', ')}; use --force to overwrite`,
      );
    }
    const files = {
      recommendations: openOutput(join(o.out, names.recommendations), o.compress),
      evaluations: openOutput(join(o.out, names.evaluations), o.compress),
      information: openOutput(join(o.out, names.information), o.compress),
      errors: openOutput(join(o.out, names.errors), o.compress),
    };

    executor =
      o.workers === 0
        ? inProcessExecutor(catalog)
        : await createThreadPool({ rulesDir: o.rulesDir, threads: o.workers });
    catalog = undefined;

    const run: RunSettings = {
      assessmentDate: choice.assessmentDate,
      version: choice.version,
      output: 'resources',
      // An export is sharded while it is read; NDJSON lines in the worker (the id is inside).
      shard: isExport ? undefined : o.shard,
    };
    // Created when forecasting starts (after grouping an export), so that patients/s and the
    // ETA are those of the forecasting.
    let progress = createRateProgress('patients', io.progress, false);
    let forecast = 0;
    let failed = 0;
    let skipped = 0;
    let crashed = 0;
    let fraction: () => number | undefined = () => undefined;
    const sink = async (results: readonly ItemResult[]): Promise<void> => {
      const rec: Buffer[] = [];
      const ev: Buffer[] = [];
      const info: Buffer[] = [];
      const err: Buffer[] = [];
      for (const r of results) {
        if (r.skipped === true) {
          skipped += 1;
          continue;
        }
        if (r.recommendation !== undefined) {
          forecast += 1;
          rec.push(r.recommendation);
        }
        if (r.evaluations !== undefined && r.evaluations.length > 0) {
          ev.push(r.evaluations);
        }
        if (r.information !== undefined) {
          info.push(r.information);
        }
        if (r.crashed === true) {
          crashed += 1;
        }
        if (r.error !== undefined) {
          failed += 1;
          err.push(r.error);
        }
      }
      // The threads reuse the results' memory once all four files have written them.
      let writing = 4;
      const written = (): void => {
        writing -= 1;
        if (writing === 0) {
          executor?.recycle(results);
        }
      };
      await Promise.all([
        files.recommendations.write(rec, written),
        files.evaluations.write(ev, written),
        files.information.write(info, written),
        files.errors.write(err, written),
      ]);
      progress.update(forecast + failed, fraction());
    };

    let exportErrors = 0;
    let items: AsyncIterable<BulkItem>;
    if (exportFiles !== undefined) {
      tmp = mkdtempSync(join(o.tmpDir, 'forecast-bulk-'));
      stopOnSignal = removeOnSignal(tmp, io);
      const grouping = createRateProgress(
        'resources read (grouping by patient)',
        io.progress,
        !o.quiet,
      );
      const total = exportFiles.files.reduce((n, f) => n + f.bytes, 0);
      const reader = readExport({
        files: exportFiles.files,
        tmpDir: tmp,
        shard: o.shard,
        // The threads (already started) check and partition the lines: pass 1 uses every core.
        executor,
        onError: (text) => {
          exportErrors += 1;
          return files.errors.write([Buffer.from(`${text}\n`, 'latin1')]);
        },
        onReadProgress: (bytes, lines) => {
          grouping.update(lines, total === 0 ? undefined : bytes / total);
        },
      });
      if (!o.quiet) {
        io.error(`forecast-bulk: grouping ${exportFiles.files.length} export file(s) by patient…`);
      }
      const summary = await reader.partition();
      grouping.finish();
      if (!o.quiet) {
        io.error(
          `forecast-bulk: ${summary.patients.toLocaleString('en-US')} patients, ${summary.resources.toLocaleString('en-US')} resources${o.shard === undefined ? '' : ` in shard ${o.shard.index + 1}/${o.shard.count}`} (${summary.partitions} partition(s)); forecasting…`,
        );
      }
      fraction = () =>
        summary.patients === 0 ? undefined : (forecast + failed) / summary.patients;
      items = reader.items();
      progress = createRateProgress('patients', io.progress, !o.quiet);
    } else {
      const size = isStdin ? undefined : statSync(o.input).size;
      let bytes = 0;
      const source = counted(isStdin ? io.stdin : createReadStream(o.input), (n) => {
        bytes += n;
      });
      fraction = () => (size === undefined || size === 0 ? undefined : bytes / size);
      items = lineItems(ndjsonLines(source, LINE_LIMIT), LINE_LIMIT);
      progress = createRateProgress('patients', io.progress, !o.quiet);
    }

    await runPipeline(items, { executor, run, sink });
    progress.finish();
    await Promise.all(Object.values(files).map((f) => f.close()));

    const seconds = (performance.now() - started) / 1000;
    const errors = failed + exportErrors;
    io.error(
      `forecast-bulk: ${forecast.toLocaleString('en-US')} patients forecast, ${errors.toLocaleString('en-US')} error(s)` +
        (skipped > 0 ? `, ${skipped.toLocaleString('en-US')} lines of other shards skipped` : '') +
        ` in ${seconds.toFixed(1)} s (${Math.round(forecast / Math.max(seconds, 0.001)).toLocaleString('en-US')} patients/s overall);` +
        ` assessment date ${choice.assessmentDate}, ${choice.label}` +
        (o.shard === undefined ? '' : `, shard ${o.shard.index + 1}/${o.shard.count}`) +
        `; output in ${o.out}`,
    );
    if (crashed > 0) {
      io.error(
        `forecast-bulk: ${crashed.toLocaleString('en-US')} of the errors are internal errors (a bug: please report it); see the "exception" outcomes in ${names.errors}`,
      );
    }
    return errors > 0 ? EXIT.inputErrors : EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) {
      io.error(`forecast-bulk: ${err.message}`);
      io.error('Run forecast-bulk --help for the options.');
      return EXIT.usage;
    }
    io.error(`forecast-bulk: the run stopped: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.usage;
  } finally {
    stopOnSignal?.();
    await executor?.close();
    if (tmp !== undefined) {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
}

/**
 * Until the returned function is called: on SIGINT or SIGTERM (Ctrl-C, `kill`, a Kubernetes pod
 * stopped), removes the temporary folder and ends the process with the usual status (128 + the
 * signal's number). Without this, a stopped run left its partition files behind — about the size
 * of the export (gigabytes) in the temp folder, each time.
 */
function removeOnSignal(folder: string, io: BulkCliIo): () => void {
  const stop = (signal: NodeJS.Signals): void => {
    rmSync(folder, { recursive: true, force: true });
    io.error(
      `forecast-bulk: stopped by ${signal}; temporary files removed; the output files are incomplete`,
    );
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
}

if (require.main === module) {
  void runForecastBulk(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
