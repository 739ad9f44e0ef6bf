import { runImportCli } from '../../../src/cli/rules-import';
import { runValidateCli } from '../../../src/cli/rules-validate';
import { scratchRules, SOURCE_DIR } from './rules-fixture';

function capture(): {
  log: string[];
  error: string[];
  out: { log(l: string): void; error(l: string): void };
} {
  const log: string[] = [];
  const error: string[] = [];
  return {
    log,
    error,
    out: {
      log: (l) => log.push(l),
      error: (l) => error.push(l),
    },
  };
}

describe('rules-validate CLI', () => {
  it('prints one summary line and exits 0 for valid rules', () => {
    const rules = scratchRules();
    try {
      const c = capture();
      expect(runValidateCli([rules.root], c.out)).toBe(0);
      expect(c.error).toEqual([]);
      expect(c.log).toEqual([
        'rules OK: cdc-cdsi@4.64 — 30 antigens, 143 series, 484 doses, 218 CVX codes',
      ]);
    } finally {
      rules.cleanup();
    }
  });

  it('validates the repository rules by default', () => {
    const c = capture();
    expect(runValidateCli([], c.out)).toBe(0);
    expect(c.log[0]).toMatch(/^rules OK: cdc-cdsi@4\.64 — 30 antigens/);
  });

  it('prints every problem as file: pointer: message and a count, and exits 1', () => {
    const rules = scratchRules();
    try {
      const dose = '/antigenSupportingData/series/0/seriesDose/0';
      rules.mutate('antigens/measles.json', `${dose}/recurringDose`, 5);
      rules.mutate('antigens/measles.json', `${dose}/age/0/minAge`, '6 wekks');
      rules.mutate('antigens/mumps.json', `${dose}/preferableVaccine/0/cvx`, '999');
      const c = capture();
      expect(runValidateCli([rules.root], c.out)).toBe(1);
      expect(c.log).toEqual([]);
      expect(c.error).toEqual([
        `cdsi/4.64/antigens/measles.json: ${dose}/age/0/minAge: "6 wekks" is not a valid CDSi duration (e.g. "6 months - 4 days")`,
        `cdsi/4.64/antigens/measles.json: ${dose}/recurringDose: must be string, found number`,
        `cdsi/4.64/antigens/mumps.json: ${dose}/preferableVaccine/0/cvx: preferableVaccine CVX 999 is not in the schedule's cvxToAntigenMap`,
        `3 problems in ${rules.root}`,
      ]);
    } finally {
      rules.cleanup();
    }
  });

  it('prints usage for --help and rejects unknown options', () => {
    const c = capture();
    expect(runValidateCli(['--help'], c.out)).toBe(0);
    expect(c.log[0]).toMatch(/^Usage: rules-validate/);
    expect(runValidateCli(['--bogus'], c.out)).toBe(2);
  });
});

describe('rules-import CLI', () => {
  it('prints usage for --help and requires --source and --version', () => {
    const c = capture();
    expect(runImportCli(['--help'], c.out)).toBe(0);
    expect(c.log[0]).toMatch(/^Usage: rules-import/);
    expect(runImportCli(['--version', '4.64'], c.out)).toBe(2);
    expect(c.error.join('\n')).toMatch(/--source and --version are required/);
  });

  it('refuses to overwrite the committed version without --force', () => {
    const c = capture();
    expect(runImportCli(['--source', SOURCE_DIR, '--version', '4.64'], c.out)).toBe(1);
    expect(c.error.join('\n')).toMatch(/already exists \(use force to replace it\)/);
  });
});
