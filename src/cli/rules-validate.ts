import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCodeTables } from '../rules/codes/validate-codes';
import { locateRuleSet } from '../rules/maintain/rule-set-dir';
import { formatProblem, type RuleProblem } from '../rules/problem';
import { defaultRulesRoot } from '../rules/repo-root';
import { CDSI_MANIFEST_FILE, readCdsiRuleSet } from '../rules/validate/validate-cdsi';
import { validateRulesRoot, versionFolders } from '../rules/validate/validate-rules-root';

/**
 * `rules:validate` (and `cdsi-rules validate`) — validates every rule set under a rules folder
 * (CDSi rule sets and code tables), or one version folder, and prints either one summary line
 * (exit 0) or every problem as `file: JSON-pointer: message` and a count (exit 1).
 *
 *     npm run rules:validate [-- <rules-dir | version-dir>]
 */

function usage(prog: string): string {
  return `Usage: ${prog} [rules-dir]

Validates every rule set under rules-dir (default: the repository's rules/):
cdsi/<version>/ (JSON Schema, manifest sha256, cross-references, doses, durations) and
codes/<version>/. rules-dir may also be one version folder (rules/cdsi/4.64-wa): then only
that rule set is validated. Prints one summary line and exits 0, or prints every problem as
"file: JSON-pointer: message" and exits 1.

  --help   show this text

Exit codes: 0 valid; 1 problems found; 2 usage error.
`;
}

/** Minimal output sink, so tests can capture what the CLI prints. */
export interface CliOutput {
  log(line: string): void;
  error(line: string): void;
}

function cdsiSummary(rulesRoot: string, versionDir: string): string {
  const r = readCdsiRuleSet(rulesRoot, versionDir);
  const series = r.antigens.flatMap((a) => a.antigenSupportingData.series);
  const doses = series.reduce((n, s) => n + s.seriesDose.length, 0);
  const cvx = r.schedule?.scheduleSupportingData.cvxToAntigenMap.cvxMap?.length ?? 0;
  const derived =
    r.manifest?.derivedFrom === undefined ? '' : ` (variant of ${r.manifest.derivedFrom})`;
  return `${r.manifest?.ruleSetId ?? 'cdsi'}@${basename(versionDir)}${derived} — ${r.antigens.length} antigens, ${series.length} series, ${doses} doses, ${cvx} CVX codes`;
}

function summary(rulesRoot: string): string {
  const parts: string[] = [];
  for (const v of versionFolders(rulesRoot, 'cdsi')) {
    parts.push(cdsiSummary(rulesRoot, `cdsi/${v}`));
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
 * @param argv - arguments after the script name (or after `validate`)
 * @param out - where to print
 * @param prog - the command name shown in the usage text
 * @returns the process exit code (0 valid, 1 problems found, 2 usage error)
 */
export function runValidateCli(
  argv: readonly string[],
  out: CliOutput = console,
  prog = 'rules-validate',
): number {
  const USAGE = usage(prog);
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
  if (dir !== undefined && existsSync(join(dir, CDSI_MANIFEST_FILE))) {
    const at = locateRuleSet(dir);
    const problems = readCdsiRuleSet(at.rulesRoot, at.dir).problems;
    return report(problems, at.dir, () => `rules OK: ${cdsiSummary(at.rulesRoot, at.dir)}`, out);
  }
  const rulesRoot = dir === undefined ? defaultRulesRoot(__dirname) : resolve(dir);
  return report(validateRulesRoot(rulesRoot), rulesRoot, () => summary(rulesRoot), out);
}

function report(
  problems: readonly RuleProblem[],
  where: string,
  ok: () => string,
  out: CliOutput,
): number {
  if (problems.length > 0) {
    for (const p of problems) {
      out.error(formatProblem(p));
    }
    out.error(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${where}`);
    return 1;
  }
  out.log(ok());
  return 0;
}

if (require.main === module) {
  process.exitCode = runValidateCli(process.argv.slice(2));
}
