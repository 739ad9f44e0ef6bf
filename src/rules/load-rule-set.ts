import { RuleSetError } from './problem';
import type { RuleProblem } from './problem';
import type { RawAntigenFile, RawCdsiManifest, RawScheduleFile } from './raw-types';
import { readCdsiRuleSet } from './validate/validate-cdsi';
import { versionFolders } from './validate/validate-rules-root';

/**
 * Loading of the raw CDSi rule tables — together with the code-table loader, the only place the
 * service reads rule tables from disk. Every rule set is validated before it is returned
 * (schema, manifest hashes, semantic checks); an invalid one is refused with every problem.
 */

/** One validated CDSi rule set, as stored (see `raw-types.ts`). */
export interface RawRuleSet {
  readonly manifest: RawCdsiManifest;
  /** In manifest order (sorted by file name). */
  readonly antigens: readonly RawAntigenFile[];
  readonly schedule: RawScheduleFile;
}

/**
 * Reads and validates `<rulesRoot>/cdsi/<version>/`.
 *
 * @param rulesRoot - the rules folder (usually `<repo>/rules`)
 * @param version - the version label, e.g. "4.64" (or a folder path, as for `validateCdsiRuleSet`)
 * @throws RuleSetError carrying every problem when the rule set is invalid
 */
export function loadRawRuleSet(rulesRoot: string, version: string): RawRuleSet {
  const r = readCdsiRuleSet(rulesRoot, version);
  if (r.problems.length > 0 || r.manifest === undefined || r.schedule === undefined) {
    throw new RuleSetError(
      r.problems.length > 0
        ? r.problems
        : [{ file: `cdsi/${version}`, pointer: '', message: 'rule set could not be read' }],
    );
  }
  return { manifest: r.manifest, antigens: r.antigens, schedule: r.schedule };
}

/**
 * Reads and validates every CDSi rule set under `<rulesRoot>/cdsi/`, in version-folder order.
 *
 * @param rulesRoot - the rules folder (usually `<repo>/rules`)
 * @throws RuleSetError carrying every problem of every version (also when there is no rule set)
 */
export function loadAllRawRuleSets(rulesRoot: string): RawRuleSet[] {
  const problems: RuleProblem[] = [];
  const sets: RawRuleSet[] = [];
  const versions = versionFolders(rulesRoot, 'cdsi');
  if (versions.length === 0) {
    problems.push({
      file: 'cdsi',
      pointer: '',
      message: 'no CDSi rule set found (expected cdsi/<version>/)',
    });
  }
  for (const v of versions) {
    try {
      sets.push(loadRawRuleSet(rulesRoot, v));
    } catch (e) {
      if (!(e instanceof RuleSetError)) {
        throw e;
      }
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) {
    throw new RuleSetError(problems);
  }
  return sets;
}
