/**
 * Command-line options of the conformance runner (`npm run conformance`). Pure: parses an
 * argument list, touches nothing.
 *
 * @packageDocumentation
 */
import { DEFAULT_RULES_VERSION } from './corpus';

/**
 * Which way the cases go: `fhir` (the default) turns each case into a `$immds-forecast` request
 * and reads the FHIR answer back (`fhir-binding.ts`); `engine` calls `forecast()` directly.
 */
export type ConformancePath = 'fhir' | 'engine';

/** Parsed options of `conformance`. */
export interface ConformanceOptions {
  readonly path: ConformancePath;
  /** Case files given on the command line; empty means the vendored development files. */
  readonly caseFiles: readonly string[];
  /** Rules root (holding `cdsi/<version>/`); absent means the repository's `rules/`. */
  readonly rulesRoot?: string;
  readonly rulesVersion: string;
  /** Write the JSON report here. */
  readonly jsonFile?: string;
  /** Run only these case ids (empty: all). */
  readonly only: readonly string[];
  /** Leave out the failing-case details. */
  readonly quiet: boolean;
  readonly help: boolean;
  /** Exit with 1 when a case fails (default: exit 0 whenever the run completed). */
  readonly failOnFailure: boolean;
  /** Ratchet file to mark failures as known / new; absent means `test/cdc/known-failures.txt`. */
  readonly knownFailures?: string;
  /** Rewrite this ratchet file from the run. */
  readonly writeKnownFailures?: string;
}

/** A command line the runner does not understand. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `--help` text. */
export const CONFORMANCE_USAGE = `Usage: node dist/src/cli/conformance.js [cases.jsonl ...] [options]

Runs CDC CDSi test cases through the FHIR operation (default) or the engine and reports how
many pass, per vaccine group.
Without case files, runs the development cases vendored in test/cdc/.

Options:
  --path fhir|engine            fhir (default): each case goes through the FHIR $immds-forecast
                                operation (in-process) and is compared from its FHIR answer;
                                engine: cases go straight to forecast()
  --rules DIR                   rules root holding cdsi/<version>/ (default: <repo>/rules)
  --version V                   supporting-data version of the rule set (default: ${DEFAULT_RULES_VERSION})
  --json FILE                   also write the full report (every case's result) as JSON
  --only ID...                  run only these case ids (space- or comma-separated, repeatable)
  --quiet                       leave out the failing cases' details (tables and totals only)
  --known-failures FILE         mark failures as known/new against this ratchet file
                                (default: test/cdc/known-failures.txt, when present)
  --write-known-failures FILE   rewrite the ratchet file from this run: keeps the reasons of
                                cases still failing, adds "TODO: ..." for new failures, drops
                                cases that now pass
  --fail-on-failure             exit 1 when any case fails (default: exit 0 whenever it ran)
  --help                        show this text

The last line of the output is always "N passed, M failed".
Exit codes: 0 ran; 1 ran and a case failed (only with --fail-on-failure); 2 could not run.`;

const VALUE_OPTIONS = [
  '--path',
  '--rules',
  '--version',
  '--json',
  '--known-failures',
  '--write-known-failures',
];

/**
 * Parses the runner's arguments (without `node` and the script path). Options with a value
 * accept `--opt VALUE` and `--opt=VALUE`. After `--only`, every following argument that is not
 * an option and does not end in `.jsonl` is a case id.
 *
 * @param argv - e.g. `process.argv.slice(2)`.
 * @throws UsageError for an unknown option, a missing value or an empty `--only`.
 */
export function parseConformanceArgs(argv: readonly string[]): ConformanceOptions {
  const caseFiles: string[] = [];
  const only: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  let inOnly = false;
  let onlyGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('-') || arg === '-') {
      if (inOnly && !arg.endsWith('.jsonl')) {
        only.push(...arg.split(',').filter((id) => id.trim() !== ''));
      } else {
        caseFiles.push(arg);
      }
      continue;
    }
    inOnly = false;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (VALUE_OPTIONS.includes(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) {
        throw new UsageError(`${name} needs a value`);
      }
      values.set(name, value);
    } else if (name === '--only') {
      inOnly = true;
      onlyGiven = true;
      if (eq !== -1) {
        only.push(
          ...arg
            .slice(eq + 1)
            .split(',')
            .filter((id) => id.trim() !== ''),
        );
      }
    } else if (['--quiet', '--help', '--fail-on-failure'].includes(name) && eq === -1) {
      flags.add(name);
    } else if (arg === '-h') {
      flags.add('--help');
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  if (onlyGiven && only.length === 0 && !flags.has('--help')) {
    throw new UsageError('--only needs at least one case id');
  }
  const path = values.get('--path') ?? 'fhir';
  if (path !== 'fhir' && path !== 'engine') {
    throw new UsageError(`--path must be fhir or engine, got ${path}`);
  }
  const rulesRoot = values.get('--rules');
  const jsonFile = values.get('--json');
  const knownFailures = values.get('--known-failures');
  const writeKnownFailures = values.get('--write-known-failures');
  return {
    path,
    caseFiles,
    rulesVersion: values.get('--version') ?? DEFAULT_RULES_VERSION,
    only,
    quiet: flags.has('--quiet'),
    help: flags.has('--help'),
    failOnFailure: flags.has('--fail-on-failure'),
    ...(rulesRoot === undefined ? {} : { rulesRoot }),
    ...(jsonFile === undefined ? {} : { jsonFile }),
    ...(knownFailures === undefined ? {} : { knownFailures }),
    ...(writeKnownFailures === undefined ? {} : { writeKnownFailures }),
  };
}
