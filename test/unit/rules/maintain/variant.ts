import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RulesCliIo } from '../../../../src/cli/rules-cli';
import { stableJson } from '../../../../src/rules/manifest';
import { rehashRuleSet } from '../../../../src/rules/maintain/rehash';
import { REPO_ROOT, scratchRules, setAt } from '../rules-fixture';

/** Test helpers: local variants of the committed 4.64 rule set, and a CLI output capture. */

export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'rules');
export const CASES = join(FIXTURES, 'cases.jsonl');
export const HISTORIES = join(FIXTURES, 'histories.jsonl');

/** `/antigenSupportingData/series/0/seriesDose/1/interval/0` of measles.json: Measles 2-dose series, dose 2, from previous. */
export const MEASLES_DOSE_2_INTERVAL = '/antigenSupportingData/series/0/seriesDose/1/interval/0';

/** One edit of a JSON file of the variant: JSON pointer → new value (`undefined` deletes). */
export type Edits = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** A temporary rules root with `cdsi/4.64/` (a copy of the committed one) and a variant. */
export interface Variants {
  readonly root: string;
  /** `<root>/cdsi/4.64` */
  readonly base: string;
  /** Creates `<root>/cdsi/<version>` from 4.64 with the edits applied and rehashed. */
  variant(version: string, edits: Edits, rehash?: boolean): string;
  cleanup(): void;
}

/** Makes a scratch rules root for variants. */
export function variants(): Variants {
  const scratch = scratchRules();
  return {
    root: scratch.root,
    base: scratch.dir,
    variant(version, edits, rehash = true) {
      const dir = join(scratch.root, 'cdsi', version);
      cpSync(scratch.dir, dir, { recursive: true });
      for (const [file, changes] of Object.entries(edits)) {
        let doc: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
        for (const [pointer, value] of Object.entries(changes)) {
          doc = setAt(doc, pointer, value);
        }
        writeFileSync(join(dir, file), stableJson(doc));
      }
      if (rehash) {
        rehashRuleSet(dir);
      }
      return dir;
    },
    cleanup: () => {
      scratch.cleanup();
    },
  };
}

/** The edit used by most tests: Measles dose 2 minimum interval 4 weeks → 8 weeks. */
export const LONGER_MEASLES_INTERVAL: Edits = {
  'antigens/measles.json': {
    [`${MEASLES_DOSE_2_INTERVAL}/minInt`]: '8 weeks',
    [`${MEASLES_DOSE_2_INTERVAL}/absMinInt`]: '8 weeks - 4 days',
  },
};

/** Captured CLI output. */
export interface Captured {
  readonly io: RulesCliIo;
  readonly out: string[];
  readonly err: string[];
  readonly progress: string[];
  /** stdout, joined. */
  stdout(): string;
  /** stderr lines, joined. */
  stderr(): string;
}

/** A CLI io that records everything; `tty` says what stderr pretends to be. */
export function capture(tty = false): Captured {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  return {
    io: {
      log: (t) => out.push(t),
      error: (t) => err.push(t),
      progress: { write: (t) => progress.push(t), isTTY: tty },
    },
    out,
    err,
    progress,
    stdout: () => out.join('\n'),
    stderr: () => err.join('\n'),
  };
}
