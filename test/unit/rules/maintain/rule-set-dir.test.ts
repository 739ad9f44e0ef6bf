import { join } from 'node:path';
import {
  loadRuleSetAt,
  locateRuleSet,
  RuleSetArgumentError,
} from '../../../../src/rules/maintain/rule-set-dir';
import { RuleSetError } from '../../../../src/rules/problem';
import { RULES_ROOT } from '../rules-fixture';
import { LONGER_MEASLES_INTERVAL, variants, type Variants } from './variant';

describe('locateRuleSet', () => {
  let v: Variants;
  beforeAll(() => {
    v = variants();
  });
  afterAll(() => {
    v.cleanup();
  });

  it('accepts a version folder, and reports problems relative to the root above cdsi/', () => {
    expect(locateRuleSet(v.base)).toEqual({ dir: v.base, rulesRoot: v.root, version: '4.64' });
  });

  it('accepts a rules root with one version, and needs --version when it has several', () => {
    expect(locateRuleSet(v.root)).toEqual({ dir: v.base, rulesRoot: v.root, version: '4.64' });
    const wa = v.variant('4.64-wa', LONGER_MEASLES_INTERVAL);
    expect(() => locateRuleSet(v.root)).toThrow(
      new RuleSetArgumentError(
        `${v.root} holds several rule sets (4.64, 4.64-wa): name one, e.g. ${join(v.root, 'cdsi', '4.64')} or --version 4.64`,
      ),
    );
    expect(locateRuleSet(v.root, { version: '4.64-wa' }).dir).toBe(wa);
    expect(() => locateRuleSet(v.root, { version: '9.99' })).toThrow(
      /no rule set 9\.99 under cdsi\/ \(found: 4\.64, 4\.64-wa\)/,
    );
    expect(() => locateRuleSet(v.base, { version: '4.64-wa' })).toThrow(/does not apply/);
  });

  it('reads a bare version label as a version of the default rules root', () => {
    expect(locateRuleSet('4.64', { defaultRulesRoot: RULES_ROOT })).toEqual({
      dir: join(RULES_ROOT, 'cdsi', '4.64'),
      rulesRoot: RULES_ROOT,
      version: '4.64',
    });
    expect(() => locateRuleSet('4.99', { defaultRulesRoot: RULES_ROOT })).toThrow(
      /4\.99: no such folder/,
    );
  });

  it('explains what a folder that is neither lacks', () => {
    expect(() => locateRuleSet(join(v.base, 'antigens'))).toThrow(
      /neither a rule-set version folder \(no manifest\.json\) nor a rules root \(no cdsi\/ folder\)/,
    );
    expect(() => locateRuleSet(join(v.base, 'manifest.json'))).toThrow(/is not a folder/);
  });

  it('loads, validates and compiles, labelled ruleSetId@version', () => {
    const loaded = loadRuleSetAt(locateRuleSet(v.base));
    expect(loaded.label).toBe('cdc-cdsi@4.64');
    expect(loaded.compiled.id).toBe('cdc-cdsi@4.64');
    const broken = v.variant('4.64-broken', LONGER_MEASLES_INTERVAL, false);
    expect(() => loadRuleSetAt(locateRuleSet(broken))).toThrow(RuleSetError);
  });
});
