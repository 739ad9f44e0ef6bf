import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runRulesCli } from '../../../../src/cli/rules-cli';
import { RehashError, rehashRuleSet } from '../../../../src/rules/maintain/rehash';
import type { RawCdsiManifest } from '../../../../src/rules/raw-types';
import { validateCdsiRuleSet } from '../../../../src/rules/validate/validate-cdsi';
import { RULES_ROOT, VERSION } from '../rules-fixture';
import { capture, LONGER_MEASLES_INTERVAL, variants, type Variants } from './variant';

const committedManifest = readFileSync(join(RULES_ROOT, 'cdsi', VERSION, 'manifest.json'), 'utf8');

function manifestOf(dir: string): RawCdsiManifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as RawCdsiManifest;
}

describe('rehash', () => {
  let v: Variants;
  beforeEach(() => {
    v = variants();
  });
  afterEach(() => {
    v.cleanup();
  });

  it('leaves an unmodified import byte for byte as it is', () => {
    const r = rehashRuleSet(v.base);
    expect(r).toMatchObject({ written: false, changed: [], added: [], removed: [] });
    expect(readFileSync(join(v.base, 'manifest.json'), 'utf8')).toBe(committedManifest);
  });

  it('turns an edited copy into a valid variant that records where it comes from', () => {
    const dir = v.variant('4.64-wa', LONGER_MEASLES_INTERVAL, false);
    expect(validateCdsiRuleSet(v.root, dir).map((p) => p.message)).toEqual([
      'version "4.64" does not match the folder name "4.64-wa"',
      expect.stringMatching(/^sha256 mismatch for antigens\/measles.json/),
    ]);
    const r = rehashRuleSet(dir, { description: 'WA: MMR dose 2 at 8 weeks' });
    expect(r).toMatchObject({ written: true, changed: ['antigens/measles.json'], added: [] });
    const m = manifestOf(dir);
    expect(Object.keys(m)).toEqual([
      'kind',
      'ruleSetId',
      'version',
      'derivedFrom',
      'description',
      'source',
      'antigens',
      'schedule',
      'files',
    ]);
    expect(m).toMatchObject({
      version: '4.64-wa',
      derivedFrom: '4.64',
      description: 'WA: MMR dose 2 at 8 weeks',
      source: { supportingDataVersion: '4.64' },
    });
    expect(validateCdsiRuleSet(v.root, dir)).toEqual([]);
    // Idempotent; a later edit keeps derivedFrom and description.
    expect(rehashRuleSet(dir).written).toBe(false);
    const file = join(dir, 'antigens', 'mumps.json');
    writeFileSync(file, readFileSync(file, 'utf8') + '\n'); // any byte change
    expect(rehashRuleSet(dir)).toMatchObject({ changed: ['antigens/mumps.json'] });
    expect(manifestOf(dir)).toMatchObject({
      derivedFrom: '4.64',
      description: 'WA: MMR dose 2 at 8 weeks',
    });
  });

  it('refuses to rehash an imported rule set edited in place', () => {
    const file = join(v.base, 'antigens', 'measles.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"4 weeks"', '"5 weeks"'));
    expect(() => rehashRuleSet(v.base)).toThrow(RehashError);
    expect(() => rehashRuleSet(v.base)).toThrow(/Do not edit imported tables in place/);
    expect(() => rehashRuleSet(v.base, { derivedFrom: VERSION })).toThrow(
      /needs its own version label/,
    );
    expect(readFileSync(join(v.base, 'manifest.json'), 'utf8')).toBe(committedManifest);
  });

  it('rebuilds the antigen map and file list from the folder', () => {
    const dir = v.variant('4.64-x', {});
    renameSync(join(dir, 'antigens', 'cholera.json'), join(dir, 'antigens', 'cholera-local.json'));
    rmSync(join(dir, 'antigens', 'ebola.json'));
    writeFileSync(join(dir, 'NOTES.md'), 'local notes\n');
    const r = rehashRuleSet(dir);
    expect(r).toMatchObject({
      added: ['antigens/cholera-local.json'],
      removed: ['antigens/cholera.json', 'antigens/ebola.json'],
      ignored: ['NOTES.md'],
    });
    const m = manifestOf(dir);
    expect(m.antigens['Cholera']).toBe('antigens/cholera-local.json');
    expect(m.antigens['Ebola']).toBeUndefined();
    expect(Object.keys(m.files)).not.toContain('NOTES.md');
  });

  it('via the CLI: rehashes, validates and reports; refuses with exit 1', () => {
    const dir = v.variant('4.64-wa', LONGER_MEASLES_INTERVAL, false);
    const ok = capture();
    expect(runRulesCli(['rehash', dir, '--description', 'test'], ok.io)).toBe(0);
    expect(ok.out).toEqual([
      `rehashed ${dir}: cdc-cdsi@4.64-wa (derived from 4.64); changed: antigens/measles.json`,
      'rules OK: cdc-cdsi@4.64-wa',
    ]);
    const again = capture();
    expect(runRulesCli(['rehash', dir], again.io)).toBe(0);
    expect(again.out[0]).toBe(`${dir}: manifest already up to date`);

    const file = join(v.base, 'antigens', 'measles.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"4 weeks"', '"5 weeks"'));
    const refused = capture();
    expect(runRulesCli(['rehash', v.base], refused.io)).toBe(1);
    expect(refused.stderr()).toMatch(/copy the folder to a variant \(e\.g\. cdsi\/4\.64-local\)/);
  });
});
