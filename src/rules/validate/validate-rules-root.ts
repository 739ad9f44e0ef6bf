import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateCodeTables } from '../codes/validate-codes';
import type { RuleProblem } from '../problem';
import { validateCdsiRuleSet } from './validate-cdsi';

/** The version folders directly under `<rulesRoot>/<kind>/`, sorted; empty if there is none. */
export function versionFolders(rulesRoot: string, kind: 'cdsi' | 'codes'): string[] {
  const dir = join(resolve(rulesRoot), kind);
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/**
 * Validates everything under a rules root: every CDSi rule set (`cdsi/<version>/`, see
 * {@link validateCdsiRuleSet}) and every code-table set (`codes/<version>/`, see
 * `validateCodeTables`). A root without any CDSi rule set is a problem too.
 *
 * @param rulesRoot - the rules folder (usually `<repo>/rules`)
 * @returns every problem of every version; empty when all are valid
 */
export function validateRulesRoot(rulesRoot: string): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const cdsi = versionFolders(rulesRoot, 'cdsi');
  if (cdsi.length === 0) {
    problems.push({
      file: 'cdsi',
      pointer: '',
      message: 'no CDSi rule set found (expected cdsi/<version>/)',
    });
  }
  for (const v of cdsi) {
    problems.push(...validateCdsiRuleSet(rulesRoot, `cdsi/${v}`));
  }
  for (const v of versionFolders(rulesRoot, 'codes')) {
    problems.push(...validateCodeTables(rulesRoot, `codes/${v}`));
  }
  return problems;
}
