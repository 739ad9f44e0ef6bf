import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runRulesCli } from '../../../../src/cli/rules-cli';
import { capture, CASES, LONGER_MEASLES_INTERVAL, variants, type Variants } from './variant';

/**
 * `cdsi-rules test`: the fixture cases all pass with the committed 4.64 tables; the variant
 * with a longer Measles dose-2 interval (an injected regression) makes the two MMR cases fail.
 */
describe('cdsi-rules test', () => {
  let v: Variants;
  let wa: string;
  beforeAll(() => {
    v = variants();
    wa = v.variant('4.64-wa', LONGER_MEASLES_INTERVAL);
  });
  afterAll(() => {
    v.cleanup();
  });

  it('passes the candidate and prints the per-group table when nothing regresses', () => {
    const c = capture();
    expect(runRulesCli(['test', v.base, '--cases', CASES], c.io)).toBe(0);
    expect(c.stdout()).toContain(
      [
        'set      group         cases  passed       %',
        'healthy  HepB              1       1  100.0%',
        'healthy  MMR               2       2  100.0%',
        'healthy  Varicella         1       1  100.0%',
        'healthy  (all groups)      4       4  100.0%',
      ].join('\n'),
    );
    expect(c.out[c.out.length - 1]).toMatch(
      /4 passed, 0 failed; 0 regressions against every case passing$/,
    );
    expect(c.stderr()).toMatch(/^loaded cdc-cdsi@4\.64 from /);
  });

  it('exits 1 on an injected regression and names the cases with their differences', () => {
    const c = capture();
    expect(runRulesCli(['test', wa, '--cases', CASES], c.io)).toBe(1);
    const out = c.stdout();
    expect(out).toContain('REGRESSIONS — passed in the baseline, fail now: 2');
    expect(out).toContain(
      [
        'FAIL FIX-MMR-1  healthy  MMR',
        '    dose 2 (2021-02-01, CVX 03) evaluation: expected Valid, got Not Valid',
        '    series status: expected Complete, got Not Complete',
        'FAIL FIX-MMR-2  healthy  MMR',
        '    earliest date: expected 2021-02-12, got 2021-03-12',
      ].join('\n'),
    );
    expect(out).toMatch(/2 passed, 2 failed; 2 regressions against every case passing$/);
  });

  it('compares with a saved report, which --report and --json both write', () => {
    const report = join(v.root, 'baseline.json');
    const c = capture();
    expect(
      runRulesCli(['test', v.base, '--cases', CASES, '--report', report, '--json'], c.io),
    ).toBe(0);
    expect(c.out).toHaveLength(1);
    const printed = JSON.parse(c.out[0]!) as Record<string, unknown>;
    expect(JSON.parse(readFileSync(report, 'utf8'))).toEqual(printed);
    expect(printed).toMatchObject({
      ruleSet: 'cdc-cdsi@4.64',
      rulesVersion: '4.64',
      summary: { cases: 4, passed: 4, failed: 0 },
      regressions: [],
    });

    const r = capture();
    expect(runRulesCli(['test', wa, '--cases', CASES, '--baseline', report, '--quiet'], r.io)).toBe(
      1,
    );
    expect(r.stdout()).toContain(
      'REGRESSIONS — passed in the baseline, fail now: 2\n  FIX-MMR-1\n  FIX-MMR-2',
    );
    expect(r.stdout()).toMatch(
      new RegExp(`2 regressions against report ${report.replace(/[.\\]/g, '\\$&')}$`),
    );
  });

  it('compares with another rule set run on the same cases', () => {
    const c = capture();
    expect(runRulesCli(['test', wa, CASES, '--baseline', v.base, '--json'], c.io)).toBe(1);
    const report = JSON.parse(c.stdout()) as { regressions: string[]; baseline: string };
    expect(report.regressions).toEqual(['FIX-MMR-1', 'FIX-MMR-2']);
    expect(report.baseline).toBe(`cdc-cdsi@4.64 (${v.base})`);
    // The other way round the candidate fixes what the baseline breaks.
    const back = capture();
    expect(runRulesCli(['test', v.base, CASES, '--baseline', wa], back.io)).toBe(0);
    expect(back.stdout()).toContain(
      'Fixed — failed in the baseline, pass now: 2: FIX-MMR-1 FIX-MMR-2',
    );
  });

  it('accepts failures listed in a known-failures file', () => {
    const kf = join(v.root, 'known-failures.txt');
    writeFileSync(
      kf,
      '# accepted\nFIX-MMR-1  longer interval in WA\nFIX-MMR-2  longer interval in WA\n',
    );
    const c = capture();
    expect(runRulesCli(['test', wa, '--cases', CASES, '--known-failures', kf], c.io)).toBe(0);
    expect(c.out[c.out.length - 1]).toMatch(
      /0 regressions against every case passing except those in .*known-failures\.txt$/,
    );
  });

  it('shows progress on stderr only, so --json stays parseable', () => {
    const c = capture(false);
    expect(runRulesCli(['test', v.base, '--cases', CASES, '--json', '--progress'], c.io)).toBe(0);
    expect(() => JSON.parse(c.stdout()) as unknown).not.toThrow();
    expect(c.progress.join('')).toContain('running 4 cases on cdc-cdsi@4.64: 4/4 (100%)\n');
    const tty = capture(true);
    expect(runRulesCli(['test', v.base, '--cases', CASES, '--quiet'], tty.io)).toBe(0);
    expect(tty.progress[tty.progress.length - 1]).toBe('\r\x1b[K');
  });

  it('refuses an invalid candidate with its problems (exit 2: could not run)', () => {
    const broken = v.variant('4.64-broken', LONGER_MEASLES_INTERVAL, false);
    const c = capture();
    expect(runRulesCli(['test', broken, '--cases', CASES], c.io)).toBe(2);
    expect(c.stderr()).toContain(
      'cdsi/4.64-broken/manifest.json: /version: version "4.64" does not match the folder name "4.64-broken"',
    );
    expect(c.stderr()).toMatch(
      /cdsi-rules test: the rule set is invalid \(2 problems\); see cdsi-rules validate$/,
    );
    expect(c.out).toEqual([]);
  });
});
