import type { RuleSet } from '../engine/rule-set';
import { loadCodeTables } from './codes/validate-codes';
import type { CodeTables } from './codes/types';
import { compileRuleSet } from './compile-rule-set';
import { loadAllRawRuleSets } from './load-rule-set';
import { RuleSetError } from './problem';
import type { RuleProblem } from './problem';
import { versionFolders } from './validate/validate-rules-root';

/**
 * Every rule set the service can answer with, loaded, validated and compiled once at start-up.
 * Requests choose a version; those that name none get the default.
 */
export interface RuleCatalog {
  /** `ruleSetId@version` of every loaded CDSi rule set, in version order. */
  readonly labels: readonly string[];
  /** Version used when a request names none. */
  readonly defaultVersion: string;
  /** The compiled rule set of a version, or undefined when it is not loaded. */
  get(version: string): RuleSet | undefined;
  /** The newest code tables (CVX, MVX, CPT, NDC), or undefined when none are installed. */
  readonly codes: CodeTables | undefined;
}

/**
 * Loads every CDSi rule set and the newest code tables under `rulesRoot`, validating each
 * (schema, manifest hashes, semantics) and compiling the CDSi tables for the engine.
 *
 * @param rulesRoot - root of the rule tables (`cdsi/<version>/`, `codes/<version>/`)
 * @param defaultVersion - version to use when a request names none; default the newest CDC
 *   release (a variant with `derivedFrom` in its manifest is never the default)
 * @throws RuleSetError with every problem of every table when anything is invalid
 */
export function loadRuleCatalog(rulesRoot: string, defaultVersion?: string): RuleCatalog {
  const problems: RuleProblem[] = [];
  const compiled = new Map<string, RuleSet>();
  const cdcReleases: string[] = [];
  try {
    for (const raw of loadAllRawRuleSets(rulesRoot)) {
      compiled.set(raw.manifest.version, compileRuleSet(raw));
      if (raw.manifest.derivedFrom === undefined) {
        cdcReleases.push(raw.manifest.version);
      }
    }
  } catch (err) {
    if (!(err instanceof RuleSetError)) {
      throw err;
    }
    problems.push(...err.problems);
  }

  let codes: CodeTables | undefined;
  const codeVersions = versionFolders(rulesRoot, 'codes');
  for (const v of codeVersions) {
    try {
      const tables = loadCodeTables(rulesRoot, `codes/${v}`);
      codes = tables; // versions are sorted: the last one loaded is the newest
    } catch (err) {
      if (!(err instanceof RuleSetError)) {
        throw err;
      }
      problems.push(...err.problems);
    }
  }

  const versions = [...compiled.keys()].sort(compareVersions);
  // The default is the newest CDC release, never a local variant ("4.64-wa" sorts after "4.64"
  // but must be chosen explicitly, by configuration or per request).
  const releases = cdcReleases.sort(compareVersions);
  const chosen = defaultVersion ?? releases[releases.length - 1] ?? versions[versions.length - 1];
  if (chosen !== undefined && !compiled.has(chosen) && problems.length === 0) {
    problems.push({
      file: 'cdsi',
      pointer: '',
      message: `default rule-set version ${chosen} is not installed (installed: ${versions.join(', ')})`,
    });
  }
  if (problems.length > 0 || chosen === undefined) {
    throw new RuleSetError(problems);
  }
  return {
    labels: versions.flatMap((v) => compiled.get(v)?.id ?? []),
    defaultVersion: chosen,
    get: (version) => compiled.get(version),
    codes,
  };
}

/** Orders version labels numerically where they are numbers ("4.9" < "4.64"), else as text. */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
