import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { RuleSet } from '../../engine/rule-set';
import { compileRuleSet } from '../compile-rule-set';
import { loadRawRuleSet, type RawRuleSet } from '../load-rule-set';
import { compareVersions } from '../rule-catalog';
import { CDSI_MANIFEST_FILE } from '../validate/validate-cdsi';
import { versionFolders } from '../validate/validate-rules-root';

/**
 * Where a maintainer's "rules dir" argument points. The rule-maintenance commands accept three
 * spellings, tried in this order:
 *
 * 1. a **version folder** — a folder holding `manifest.json` (`rules/cdsi/4.64`,
 *    `/tmp/x/cdsi/4.64-wa`);
 * 2. a **rules root** — a folder holding `cdsi/<version>/` (`rules`); with one version it is
 *    that one, with several the version must be named (`--version`);
 * 3. a bare **version label** that is not an existing path (`4.64`), meaning
 *    `<default rules root>/cdsi/4.64`.
 */

/** A CDSi rule-set version folder, located. */
export interface RuleSetLocation {
  /** The version folder, absolute. */
  readonly dir: string;
  /**
   * The rules root problems are reported against: the folder above `cdsi/` when the version
   * folder sits in one (problems read `cdsi/4.64/antigens/measles.json`), else its parent.
   */
  readonly rulesRoot: string;
  /** The version label = the folder name. */
  readonly version: string;
}

/** A rules-dir argument that names no rule set; the message says what was expected. */
export class RuleSetArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleSetArgumentError';
  }
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function versionFolder(dir: string): RuleSetLocation {
  const parent = dirname(dir);
  return {
    dir,
    rulesRoot: basename(parent) === 'cdsi' ? dirname(parent) : parent,
    version: basename(dir),
  };
}

function inRoot(root: string, arg: string, version: string | undefined): RuleSetLocation {
  const versions = versionFolders(root, 'cdsi').sort(compareVersions);
  if (version !== undefined) {
    if (!versions.includes(version)) {
      throw new RuleSetArgumentError(
        `${arg}: no rule set ${version} under cdsi/ (found: ${versions.join(', ') || 'none'})`,
      );
    }
    return versionFolder(join(root, 'cdsi', version));
  }
  const only = versions[0];
  if (only === undefined) {
    throw new RuleSetArgumentError(`${arg}: no rule set under cdsi/`);
  }
  if (versions.length > 1) {
    throw new RuleSetArgumentError(
      `${arg} holds several rule sets (${versions.join(', ')}): name one, e.g. ${join(arg, 'cdsi', only)} or --version ${only}`,
    );
  }
  return versionFolder(join(root, 'cdsi', only));
}

/**
 * Resolves a rules-dir argument (see the module comment) to a version folder.
 *
 * @param arg - The argument as typed.
 * @param opts - `version` picks one of several rule sets of a rules root; `defaultRulesRoot`
 *   is where a bare version label is looked up (the repository's `rules/`).
 * @throws RuleSetArgumentError when the argument names no rule set
 */
export function locateRuleSet(
  arg: string,
  opts: { readonly version?: string | undefined; readonly defaultRulesRoot?: string } = {},
): RuleSetLocation {
  const path = resolve(arg);
  if (isDir(path)) {
    if (existsSync(join(path, CDSI_MANIFEST_FILE))) {
      if (opts.version !== undefined && opts.version !== basename(path)) {
        throw new RuleSetArgumentError(
          `${arg} is the version folder of ${basename(path)}; --version ${opts.version} does not apply`,
        );
      }
      return versionFolder(path);
    }
    if (isDir(join(path, 'cdsi'))) {
      return inRoot(path, arg, opts.version);
    }
    throw new RuleSetArgumentError(
      `${arg} is neither a rule-set version folder (no ${CDSI_MANIFEST_FILE}) nor a rules root (no cdsi/ folder)`,
    );
  }
  const root = opts.defaultRulesRoot;
  if (
    !existsSync(path) &&
    root !== undefined &&
    /^[0-9A-Za-z][0-9A-Za-z._-]*$/.test(arg) &&
    isDir(join(root, 'cdsi', arg))
  ) {
    return versionFolder(join(resolve(root), 'cdsi', arg));
  }
  throw new RuleSetArgumentError(
    existsSync(path) ? `${arg} is not a folder` : `${arg}: no such folder`,
  );
}

/** A located rule set, validated and compiled. */
export interface LoadedRuleSet {
  readonly location: RuleSetLocation;
  readonly raw: RawRuleSet;
  readonly compiled: RuleSet;
  /** `ruleSetId@version`, e.g. "cdc-cdsi@4.64-wa". */
  readonly label: string;
}

/**
 * Loads, validates and compiles the rule set of a version folder.
 *
 * @param location - From {@link locateRuleSet}.
 * @throws RuleSetError with every problem when the tables are invalid
 */
export function loadRuleSetAt(location: RuleSetLocation): LoadedRuleSet {
  const raw = loadRawRuleSet(location.rulesRoot, location.dir);
  const compiled = compileRuleSet(raw);
  return { location, raw, compiled, label: compiled.id };
}
