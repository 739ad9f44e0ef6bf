import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCodeTables } from '../rules/codes/validate-codes';
import { formatProblem } from '../rules/problem';
import { defaultRulesRoot } from '../rules/repo-root';
import { readCdsiRuleSet } from '../rules/validate/validate-cdsi';
import { validateRulesRoot, versionFolders } from '../rules/validate/validate-rules-root';

/**
 * `rules:validate` — validates every rule set under a rules folder (CDSi rule sets and code
 * tables) and prints either one summary line (exit 0) or every problem as
 * `file: JSON-pointer: message` and a count (exit 1).
 *
 *     npm run rules:validate [-- <rules-dir>]
 */

const USAGE = `Usage: rules-validate [rules-dir]

Validates every rule set under rules-dir (default: the repository's rules/):
cdsi/<version>/ (JSON Schema, manifest sha256, cross-references, doses, durations) and
codes/<version>/. Prints one summary line and exits 0, or prints every problem as
"file: JSON-pointer: message" and exits 1.

  --help   show this text
`;

/** Minimal output sink, so tests can capture what the CLI prints. */
export interface CliOutput {
  log(line: string): void;
  error(line: string): void;
}

function summary(rulesRoot: string): string {
  const parts: string[] = [];
  for (const v of versionFolders(rulesRoot, 'cdsi')) {
    const r = readCdsiRuleSet(rulesRoot, `cdsi/${v}`);
    const series = r.antigens.flatMap((a) => a.antigenSupportingData.series);
    const doses = series.reduce((n, s) => n + s.seriesDose.length, 0);
    const cvx = r.schedule?.scheduleSupportingData.cvxToAntigenMap.cvxMap?.length ?? 0;
    parts.push(
      `${r.manifest?.ruleSetId ?? 'cdsi'}@${v} — ${r.antigens.length} antigens, ${series.length} series, ${doses} doses, ${cvx} CVX codes`,
    );
  }
  for (const v of versionFolders(rulesRoot, 'codes')) {
    const t = loadCodeTables(rulesRoot, `codes/${v}`);
    parts.push(
      `codes@${v} — ${t.cvx.size} CVX, ${t.mvx.size} MVX, ${t.cpt.size} CPT, ${t.ndcToCvx.size} NDC`,
    );
  }
  return `rules OK: ${parts.join('; ')}`;
}

/**
 * Runs the validate CLI.
 *
 * @param argv - arguments after the script name
 * @param out - where to print
 * @returns the process exit code (0 valid, 1 problems found, 2 usage error)
 */
export function runValidateCli(argv: readonly string[], out: CliOutput = console): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { help: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    out.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    out.log(USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    out.error(`at most one rules folder may be given\n\n${USAGE}`);
    return 2;
  }
  const dir = parsed.positionals[0];
  const rulesRoot = dir === undefined ? defaultRulesRoot(__dirname) : resolve(dir);
  const problems = validateRulesRoot(rulesRoot);
  if (problems.length > 0) {
    for (const p of problems) {
      out.error(formatProblem(p));
    }
    out.error(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${rulesRoot}`);
    return 1;
  }
  out.log(summary(rulesRoot));
  return 0;
}

if (require.main === module) {
  process.exitCode = runValidateCli(process.argv.slice(2));
}
