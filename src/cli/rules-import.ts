import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CdsiImportError, importCdsi } from '../rules/import/import-cdsi';
import { defaultRulesRoot } from '../rules/repo-root';

/**
 * `rules:import` — converts a CDC CDSi supporting-data XML package into `rules/cdsi/<version>/`.
 *
 *     npm run rules:import -- --source /path/to/supporting-data --version 4.64 [--out rules] [--force]
 *
 * Needs the dev dependency fast-xml-parser (a maintainer tool; the service never imports it).
 */

const USAGE = `Usage: rules-import --source <dir> --version <label> [--out <rules-dir>] [--force]
           [--release-date YYYY-MM-DD] [--supporting-data-version X.YY] [--logic-spec-version X.Y]

Converts the CDC CDSi supporting-data XML in <dir> into <rules-dir>/cdsi/<label>/
(antigens/*.json, schedule.json, manifest.json). Output is deterministic.

  --source                   folder with CDC's AntigenSupportingData*.xml, ScheduleSupportingData.xml,
                             the two XSDs and "Release Notes.docx"
  --version                  version label = folder name, e.g. 4.64
  --out                      rules root (default: the repository's rules/)
  --force                    replace an existing version folder
  --release-date             override the date read from the release notes
  --supporting-data-version  override the version read from the release notes
  --logic-spec-version       CDSi Logic Specification version (default 4.6)
  --help                     show this text
`;

/** Minimal output sink, so tests can capture what the CLI prints. */
export interface CliOutput {
  log(line: string): void;
  error(line: string): void;
}

/**
 * Runs the import CLI.
 *
 * @param argv - arguments after the script name
 * @param out - where to print
 * @returns the process exit code (0 success, 1 import problems, 2 usage error)
 */
export function runImportCli(argv: readonly string[], out: CliOutput = console): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        source: { type: 'string' },
        version: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean', default: false },
        'release-date': { type: 'string' },
        'supporting-data-version': { type: 'string' },
        'logic-spec-version': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (e) {
    out.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out.log(USAGE);
    return 0;
  }
  if (values.source === undefined || values.version === undefined) {
    out.error(`--source and --version are required\n\n${USAGE}`);
    return 2;
  }
  const rulesRoot = values.out === undefined ? defaultRulesRoot(__dirname) : resolve(values.out);
  try {
    const r = importCdsi(resolve(values.source), rulesRoot, values.version, {
      force: values.force,
      ...(values['release-date'] === undefined ? {} : { releaseDate: values['release-date'] }),
      ...(values['supporting-data-version'] === undefined
        ? {}
        : { supportingDataVersion: values['supporting-data-version'] }),
      ...(values['logic-spec-version'] === undefined
        ? {}
        : { logicSpecVersion: values['logic-spec-version'] }),
    });
    out.log(
      `wrote ${r.dir}: ${r.manifest.ruleSetId}@${r.manifest.version} (CDC supporting data ${r.manifest.source.supportingDataVersion}, released ${r.manifest.source.releaseDate}) — ${r.antigenCount} antigens, ${r.seriesCount} series, ${r.doseCount} doses, ${r.cvxCount} CVX codes`,
    );
    return 0;
  } catch (e) {
    if (e instanceof CdsiImportError) {
      out.error(e.message);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  process.exitCode = runImportCli(process.argv.slice(2));
}
