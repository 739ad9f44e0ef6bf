/**
 * Codes a caller sends for a patient condition (SNOMED CT, CVX, CDC PHIN VS, or a CDSi
 * observation code) → CDSi observation codes, by the coded values the supporting data lists for
 * each observation (`ScheduleSupportingData/observations/observation/codedValues`). Pure.
 *
 * Mapping rules (ours; the supporting data gives the codes, not how to combine them):
 * - a CDSi observation code (system `urn:cdsi:observation`, e.g. `"055"`; `"55"` is read as
 *   `"055"`) names that observation;
 * - a SNOMED CT or PHIN VS code ("finding" codes) names every observation that lists it — e.g.
 *   SNOMED 31323000 lists both "013 Severe Combined Immunodeficiency" and "147 T-lymphocyte
 *   complete defects", and PHIN VS VXC20 (severe allergic reaction to a previous dose) lists the
 *   27 vaccine-specific allergy observations;
 * - a CVX code ("vaccine" code) names every observation that lists it: the supporting data lists
 *   CVX codes only on the "severe allergic reaction after previous dose of …" observations, so
 *   CVX 110 (DTaP-HepB-IPV) names the Polio, Pertussis, Diphtheria, Tetanus and Hepatitis B ones;
 * - when both finding and vaccine codes are given (an AllergyIntolerance coded VXC20 with the
 *   vaccine as substance), the observations named by both are used; if none is, the finding
 *   codes alone decide;
 * - vaccine codes alone do not name an observation where they only say which vaccine a finding
 *   is about (an Immunization not given: its `statusReason` must name the finding).
 *
 * @packageDocumentation
 */
import { canonicalCvx, type RuleSet } from '../engine/rule-set';
import { SUPPORTING_DATA_SYSTEM, SYSTEM } from './codes';

/** Lookup of CDSi observations by the codes the supporting data lists for them. */
export interface ObservationCodeIndex {
  /**
   * The CDSi observation codes that list a code (in supporting-data order).
   *
   * @param system - FHIR system URI (SNOMED CT, CVX or PHIN VS).
   * @param code - The code.
   */
  lookup(system: string, code: string): readonly string[];
  /**
   * The CDSi observation code a caller wrote (`"55"` → `"055"`), if the rule set has it.
   *
   * @param code - The code as sent with system `urn:cdsi:observation`.
   */
  observation(code: string): string | undefined;
}

/**
 * Normalises a CDSi observation code: trimmed, digits left-padded to three (`"55"` → `"055"`).
 *
 * @param code - The code as sent.
 */
export function normalizeObservationCode(code: string): string {
  const trimmed = code.trim();
  return /^[0-9]{1,2}$/.test(trimmed) ? trimmed.padStart(3, '0') : trimmed;
}

function key(system: string, code: string): string {
  return `${system}|${system === SYSTEM.cvx ? canonicalCvx(code) : code.trim()}`;
}

/** One index per compiled rule set (rule sets are immutable once loaded). */
const INDEXES = new WeakMap<RuleSet, ObservationCodeIndex>();

/**
 * The index of a rule set's observations (about 500 codes), built on first use and then reused
 * for every request on the same rule set.
 *
 * @param ruleSet - The compiled rule set.
 */
export function observationCodeIndex(ruleSet: RuleSet): ObservationCodeIndex {
  let index = INDEXES.get(ruleSet);
  if (index === undefined) {
    index = buildObservationCodeIndex(ruleSet);
    INDEXES.set(ruleSet, index);
  }
  return index;
}

function buildObservationCodeIndex(ruleSet: RuleSet): ObservationCodeIndex {
  const byCode = new Map<string, string[]>();
  for (const obs of ruleSet.observations.values()) {
    for (const value of obs.codedValues) {
      const system = SUPPORTING_DATA_SYSTEM[value.codeSystem];
      if (system === undefined) {
        continue;
      }
      const k = key(system, value.code);
      const list = byCode.get(k);
      if (list === undefined) {
        byCode.set(k, [obs.code]);
      } else if (!list.includes(obs.code)) {
        list.push(obs.code);
      }
    }
  }
  return {
    lookup: (system, code) => byCode.get(key(system, code)) ?? [],
    observation: (code) => {
      const normalized = normalizeObservationCode(code);
      return ruleSet.observations.has(normalized) ? normalized : undefined;
    },
  };
}

/** A coding as read from the input, with its role (see the module comment). */
export interface ObservationCoding {
  readonly system: string;
  readonly code: string;
}

/**
 * The CDSi observation codes that a set of codings names (see the module comment).
 *
 * @param findings - Codings that state the condition (CDSi, SNOMED CT, PHIN VS; CVX codings
 *   here count as vaccine codes).
 * @param vaccines - Codings that only say which vaccine the condition is about.
 * @param index - The rule set's observation index.
 * @returns The CDSi codes, in first-seen order; empty when nothing maps.
 */
export function mapObservationCodings(
  findings: readonly ObservationCoding[],
  vaccines: readonly ObservationCoding[],
  index: ObservationCodeIndex,
): string[] {
  const finding: string[] = [];
  const vaccine: string[] = [];
  const add = (list: string[], codes: readonly string[]): void => {
    for (const c of codes) {
      if (!list.includes(c)) {
        list.push(c);
      }
    }
  };
  for (const c of findings) {
    if (c.system === SYSTEM.cdsiObservation) {
      const code = index.observation(c.code);
      add(finding, code === undefined ? [] : [code]);
    } else if (c.system === SYSTEM.cvx) {
      add(vaccine, index.lookup(c.system, c.code));
    } else if (c.system === SYSTEM.snomed || c.system === SYSTEM.cdcPhinVs) {
      add(finding, index.lookup(c.system, c.code));
    }
  }
  const narrowing: string[] = [];
  for (const c of vaccines) {
    if (c.system === SYSTEM.cvx) {
      add(narrowing, index.lookup(c.system, c.code));
    }
  }
  if (finding.length === 0) {
    return vaccine;
  }
  const about = [...vaccine, ...narrowing];
  if (about.length === 0) {
    return finding;
  }
  const both = finding.filter((c) => about.includes(c));
  return both.length > 0 ? both : finding;
}
