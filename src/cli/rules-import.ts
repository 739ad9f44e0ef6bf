import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CdsiImportError, importCdsi } from '../rules/import/import-cdsi';
import { CdcSourceError, prepareCdcSource } from '../rules/maintain/cdc-source';
import { formatProblem } from '../rules/problem';
import { defaultRulesRoot } from '../rules/repo-root';
import { readCdsiRuleSet } from '../rules/validate/validate-cdsi';

/**
 * `rules:import` (and `cdsi-rules import-cdc`) — converts a CDC CDSi supporting-data release
 * (the XML folder, a folder holding it, or the release .zip) into `rules/cdsi/<version>/`, then
 * validates the result.
 *
 *     npm run rules:import -- --source /path/to/supporting-data --version 4.64 [--out rules] [--force]
 *     npm run rules -- import-cdc /path/to/supporting-data-4.65.zip --version 4.65
 *
 * Needs the dev dependency fast-xml-parser (a maintainer tool; the service never imports it).
 */

function usage(prog: string): string {
  const pad = ' '.repeat(prog.length + 7);
  return `Usage: ${prog} <folder-or-zip> --version <label> [--out <rules-dir>] [--force]
${pad}[--release-date YYYY-MM-DD] [--supporting-data-version X.YY] [--logic-spec-version X.Y]
       ${prog} --source <folder-or-zip> --version <label> …

Converts a CDC CDSi supporting-data release into <rules-dir>/cdsi/<label>/ (antigens/*.json,
schedule.json, manifest.json with the sha256 of every file), then validates it. The output is
deterministic: importing the same release again gives byte-identical files.

The source is CDC's XML folder (AntigenSupportingData*.xml, ScheduleSupportingData.xml, the two
XSDs and "Release Notes.docx"), a folder holding that folder, or the release .zip as published.

  --source                   the source (instead of the first argument)
  --version                  version label = folder name, e.g. 4.65
  --out                      rules root (default: the repository's rules/)
  --force                    replace an existing version folder (without it the import refuses)
  --release-date             override the date read from the release notes
  --supporting-data-version  override the version read from the release notes
  --logic-spec-version       CDSi Logic Specification version (default 4.6)
  --help                     show this text

Exit codes: 0 imported and valid; 1 the release cannot be imported, the version exists (no
--force), or the imported tables are invalid; 2 usage error.
`;
}

/** Minimal output sink, so tests can capture what the CLI prints. */
export interface CliOutput {
  log(line: string): void;
  error(line: string): void;
}

/**
 * Runs the import CLI.
 *
 * @param argv - arguments after the script name (or after `import-cdc`)
 * @param out - where to print
 * @param prog - the command name shown in the usage text
 * @returns the process exit code (0 success, 1 import problems, 2 usage error)
 */
export function runImportCli(
  argv: readonly string[],
  out: CliOutput = console,
  prog = 'rules-import',
): number {
  const USAGE = usage(prog);
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
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
      allowPositionals: true,
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
  if (positionals.length > 1 || (positionals.length === 1 && values.source !== undefined)) {
    out.error(`give one source, as the first argument or with --source\n\n${USAGE}`);
    return 2;
  }
  const source = values.source ?? positionals[0];
  if (source === undefined || values.version === undefined) {
    out.error(
      `--source and --version are required (the source may also be the first argument)\n\n${USAGE}`,
    );
    return 2;
  }
  const rulesRoot = values.out === undefined ? defaultRulesRoot(__dirname) : resolve(values.out);
  let prepared;
  try {
    prepared = prepareCdcSource(resolve(source));
  } catch (e) {
    if (e instanceof CdcSourceError) {
      out.error(e.message);
      return 1;
    }
    throw e;
  }
  try {
    const r = importCdsi(prepared.dir, rulesRoot, values.version, {
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
    const problems = readCdsiRuleSet(rulesRoot, `cdsi/${values.version}`).problems;
    if (problems.length > 0) {
      for (const p of problems) {
        out.error(formatProblem(p));
      }
      out.error(
        `the imported tables have ${problems.length} problem${problems.length === 1 ? '' : 's'}: the service will refuse them until they are fixed (in the importer or the validator)`,
      );
      return 1;
    }
    return 0;
  } catch (e) {
    if (e instanceof CdsiImportError) {
      out.error(e.message);
      return 1;
    }
    throw e;
  } finally {
    prepared.cleanup();
  }
}

if (require.main === module) {
  process.exitCode = runImportCli(process.argv.slice(2));
}
