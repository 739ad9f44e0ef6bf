/**
 * `node dist/src/cli/codes-import.js [--source <dir>] [--out <rules-dir>] [--code-version <label>]`
 *
 * Imports CDC's IIS code sets (CVX, MVX, CPT→CVX, NDC→CVX, product names, vaccine groups) into
 * `<rules-dir>/codes/<version>/` and validates the result. Exit code 0 on success, 1 when the
 * sources or the written tables are invalid, 2 on bad usage.
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProblem } from '../rules/problem';
import { CodeImportError, importCodes } from '../rules/codes/import-codes';
import { findRepoRoot } from '../rules/repo-root';
import { validateCodeTables } from '../rules/codes/validate-codes';

const HELP = `Usage: node dist/src/cli/codes-import.js [options]

Imports the CDC IIS code-set files (cvx.xml, mvx.xml, cpt.xml, tradename.xml, vac2vg.xml,
NDC_Unit_use.txt, NDC_Unit_sale.txt, NDC_Linker.txt, described by SOURCE.md) into
<rules-dir>/codes/<version>/ as cvx.json, mvx.json, cpt.json, ndc.json, tradenames.json,
vaccine-groups.json and manifest.json, then validates them.

Options:
  --source <dir>          source folder (default: ../shared/cdsi/codes from the repository root)
  --out <rules-dir>       rules folder (default: rules in the repository root)
  --code-version <label>  version label (default: the snapshot date in SOURCE.md)
  -h, --help              show this help

Relative paths given as options are resolved against the current directory.`;

/**
 * Runs the CLI.
 *
 * @param argv - arguments after `node script`
 * @returns the process exit code
 */
export function main(argv: readonly string[]): number {
  let values: { source?: string; out?: string; 'code-version'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        source: { type: 'string' },
        out: { type: 'string' },
        'code-version': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    console.error(HELP);
    return 2;
  }
  if (values.help === true) {
    console.log(HELP);
    return 0;
  }
  const repoRoot = findRepoRoot(__dirname);
  const sourceDir =
    values.source === undefined
      ? resolve(repoRoot, '..', 'shared', 'cdsi', 'codes')
      : resolve(values.source);
  const rulesRoot = values.out === undefined ? resolve(repoRoot, 'rules') : resolve(values.out);
  const version = values['code-version'];

  try {
    const result = importCodes({
      sourceDir,
      rulesRoot,
      ...(version === undefined ? {} : { version }),
    });
    const c = result.counts;
    console.log(`imported CDC code tables ${result.version} from ${sourceDir}`);
    console.log(`  into ${result.outDir}: ${result.files.join(', ')}`);
    console.log(
      `  CVX ${c.cvx}, MVX ${c.mvx}, CPT ${c.cptCodes} codes (${c.cptMappings} mappings), ` +
        `NDC ${c.ndcs} (${c.ndcUnitOfUseRows} unit-of-use + ${c.ndcUnitOfSaleRows} unit-of-sale rows, ` +
        `${c.ndcLinks} links), product names ${c.tradenames}, vaccine-group rows ${c.vaccineGroups}`,
    );
    const problems = validateCodeTables(rulesRoot, relative(rulesRoot, result.outDir));
    if (problems.length > 0) {
      console.error(`the written tables are invalid (${problems.length} problems):`);
      for (const p of problems) {
        console.error(`  ${formatProblem(p)}`);
      }
      return 1;
    }
    console.log('  validation: OK');
    return 0;
  } catch (err) {
    if (err instanceof CodeImportError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
