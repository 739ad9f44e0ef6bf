import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runRulesCli, USAGE } from '../../../../src/cli/rules-cli';
import { createProgress } from '../../../../src/rules/maintain/progress';
import { REPO_ROOT } from '../rules-fixture';
import { capture, LONGER_MEASLES_INTERVAL, variants } from './variant';

describe('cdsi-rules (entry point)', () => {
  it('is an executable script for the package bin', () => {
    expect(readFileSync(join(REPO_ROOT, 'src', 'cli', 'rules-cli.ts'), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env node\n/,
    );
  });

  it('prints the overview for --help and help, and exits 2 without a command', () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const c = capture();
      expect(runRulesCli(argv, c.io)).toBe(0);
      expect(c.out).toEqual([USAGE]);
    }
    const none = capture();
    expect(runRulesCli([], none.io)).toBe(2);
    expect(none.err).toEqual([USAGE]);
  });

  it.each(['validate', 'import-cdc', 'rehash', 'test', 'diff', 'docs'])(
    'has --help for %s, the same as help %s, with its exit codes',
    (command) => {
      const a = capture();
      expect(runRulesCli([command, '--help'], a.io)).toBe(0);
      expect(a.stdout()).toMatch(new RegExp(`^Usage: cdsi-rules ${command}`));
      expect(a.stdout()).toMatch(/Exit codes: 0 /);
      const b = capture();
      expect(runRulesCli(['help', command], b.io)).toBe(0);
      expect(b.stdout().trimEnd()).toBe(a.stdout().trimEnd());
    },
  );

  it('exits 2 on an unknown command, option or missing argument', () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /^cdsi-rules: unknown command frobnicate/],
      [['help', 'frobnicate'], /^cdsi-rules: unknown command frobnicate/],
      [['diff', 'rules'], /^cdsi-rules diff: missing <new-dir>/],
      [['diff', 'a', 'b', 'c'], /^cdsi-rules diff: unexpected argument c/],
      [['test', '4.64', '--bogus'], /^cdsi-rules test: Unknown option '--bogus'/],
      [['test', '/no/such/rules'], /^cdsi-rules test: \/no\/such\/rules: no such folder/],
      [['rehash'], /^cdsi-rules rehash: give exactly one version folder/],
      [['diff', '4.64', '4.64', '--tables-only', '--cases', 'x.jsonl'], /exclude each other/],
      [['test', '4.64', '--cases', '/no/such/cases.jsonl'], /ENOENT/],
      [
        ['test', '4.64', '--baseline', '/no/such/report.json'],
        /\/no\/such\/report\.json: no such file/,
      ],
      [['test', '4.64', '--baseline', '/no/such/rules'], /\/no\/such\/rules: no such folder/],
    ];
    for (const [argv, message] of cases) {
      const c = capture();
      expect({ argv, code: runRulesCli(argv, c.io) }).toEqual({ argv, code: 2 });
      expect(c.stderr()).toMatch(message);
      expect(c.out).toEqual([]);
    }
  });

  it('validates a rules root or a single version folder', () => {
    const v = variants();
    try {
      const wa = v.variant('4.64-wa', LONGER_MEASLES_INTERVAL);
      const all = capture();
      expect(runRulesCli(['validate', v.root], all.io)).toBe(0);
      expect(all.out).toEqual([
        'rules OK: cdc-cdsi@4.64 — 30 antigens, 143 series, 484 doses, 218 CVX codes; cdc-cdsi@4.64-wa (variant of 4.64) — 30 antigens, 143 series, 484 doses, 218 CVX codes',
      ]);
      const one = capture();
      expect(runRulesCli(['validate', wa], one.io)).toBe(0);
      expect(one.out).toEqual([
        'rules OK: cdc-cdsi@4.64-wa (variant of 4.64) — 30 antigens, 143 series, 484 doses, 218 CVX codes',
      ]);
      const broken = v.variant('4.64-broken', LONGER_MEASLES_INTERVAL, false);
      const bad = capture();
      expect(runRulesCli(['validate', broken], bad.io)).toBe(1);
      expect(bad.err[bad.err.length - 1]).toBe(`2 problems in ${broken}`);
    } finally {
      v.cleanup();
    }
  });
});

describe('progress', () => {
  it('redraws one line on a terminal and clears it at the end', () => {
    const written: string[] = [];
    const p = createProgress('run', { write: (t) => written.push(t), isTTY: true }, true);
    for (let i = 1; i <= 4; i++) {
      p.update(i, 4);
    }
    p.finish();
    expect(written).toEqual([
      '\r\x1b[Krun: 1/4 (25%)',
      '\r\x1b[Krun: 2/4 (50%)',
      '\r\x1b[Krun: 3/4 (75%)',
      '\r\x1b[Krun: 4/4 (100%)',
      '\r\x1b[K',
    ]);
  });

  it('writes a line per 10 % elsewhere, and nothing when disabled', () => {
    const written: string[] = [];
    const p = createProgress('run', { write: (t) => written.push(t), isTTY: false }, true);
    for (let i = 1; i <= 100; i++) {
      p.update(i, 100);
    }
    p.finish();
    expect(written).toHaveLength(11);
    expect(written[10]).toBe('run: 100/100 (100%)\n');
    const none: string[] = [];
    const q = createProgress('run', { write: (t) => none.push(t), isTTY: true }, false);
    q.update(1, 1);
    q.finish();
    expect(none).toEqual([]);
  });
});
