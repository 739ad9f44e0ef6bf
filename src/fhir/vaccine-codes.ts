/**
 * `Immunization.vaccineCode` → the CVX code the engine evaluates. Pure: the CDC code tables and
 * the rule set are passed in.
 *
 * Which coding is used, in this order (the first that gives a CVX wins; the others are ignored):
 * 1. a CVX coding (`http://hl7.org/fhir/sid/cvx`) — US Core's required vaccine code;
 * 2. an NDC coding (`http://hl7.org/fhir/sid/ndc`) in any of the usual forms: 11 digits with or
 *    without hyphens, the 10-digit hyphenated 4-4-2 / 5-3-2 / 5-4-1 forms, or 10 digits without
 *    hyphens (each of the three readings is looked up; see `src/rules/codes/ndc.ts`);
 * 3. a CPT coding (`http://www.ama-assn.org/go/cpt`), through CDC's CPT → CVX map.
 *
 * CDC maps some CPT codes (10 in the 2025-12-12 tables, e.g. 90700 → DTaP 20 and 106) and some
 * NDCs (Engerix-B → 43 and 44) to two CVX codes. Our rule: keep the candidates the rule set's
 * CVX → antigen map knows; if one is left, use it; if several are left and they count for the same
 * antigens, use the first in CDC's order and say so in a warning (the products differ in ways
 * CDSi may care about, such as the adult HepB formulation of a 2-dose adolescent series, so the
 * client should send the CVX code); if they count for different antigens, the dose is not used.
 * When the rule set knows none of the candidates, the first is passed on and the engine reports
 * it as a vaccine it cannot use.
 *
 * @packageDocumentation
 */
import { canonicalCvx, type RuleSet } from '../engine/rule-set';
import type { CodeTables } from '../rules/codes/types';
import { ndcCandidates } from '../rules/codes/ndc';
import { SYSTEM } from './codes';
import { codingsOf, isRecord } from './json';

/** How a vaccine code was read. */
export type VaccineCodeReading =
  | {
      readonly ok: true;
      /** CVX code as the engine gets it (as sent, or as CDC writes it for a mapped code). */
      readonly cvx: string;
      /** FHIRPath of the coding used. */
      readonly expression: string;
      /** Something the client should know (e.g. a CPT code with two CVX codes). */
      readonly note?: string;
    }
  | {
      readonly ok: false;
      /** Why no CVX code could be found (shown to the client). */
      readonly problem: string;
      readonly expression: string;
    };

interface IndexedCoding {
  readonly system: string;
  readonly code: string;
  readonly expression: string;
}

function indexedCodings(concept: unknown, path: string): IndexedCoding[] {
  return codingsOf(concept).map((c) => ({
    system: c.system,
    code: c.code,
    expression: `${path}.coding[${c.index}]`,
  }));
}

/** The antigens a CVX counts for in the rule set, as a sortable key (undefined: unknown CVX). */
function antigenKey(ruleSet: RuleSet, cvx: string): string | undefined {
  const type = ruleSet.vaccineTypes.get(canonicalCvx(cvx));
  return type === undefined
    ? undefined
    : [...new Set(type.associations.map((a) => a.antigen))].sort().join('|');
}

/**
 * Chooses one CVX among the candidates of a mapped code (see the module comment).
 *
 * @param candidates - CVX codes in CDC's order.
 * @param ruleSet - The rule set the dose will be evaluated with.
 * @param what - The code as shown in messages, e.g. "CPT 90700".
 */
export function chooseCvx(
  candidates: readonly string[],
  ruleSet: RuleSet,
  what: string,
): { cvx: string; note?: string } | { problem: string } {
  const first = candidates[0];
  if (first === undefined) {
    return { problem: `${what} maps to no CVX code in the CDC tables` };
  }
  if (candidates.length === 1) {
    return { cvx: first };
  }
  const known = candidates.filter((c) => antigenKey(ruleSet, c) !== undefined);
  const chosen = known[0];
  if (chosen === undefined) {
    return { cvx: first };
  }
  const list = candidates.join(' and ');
  if (known.length === 1) {
    return {
      cvx: chosen,
      note: `${what} maps to CVX ${list}; evaluated as CVX ${chosen}, the only one the rule set knows`,
    };
  }
  const keys = new Set(known.map((c) => antigenKey(ruleSet, c)));
  if (keys.size > 1) {
    return {
      problem: `${what} maps to CVX ${list}, which count for different antigens; send the CVX code`,
    };
  }
  return {
    cvx: chosen,
    note: `${what} maps to CVX ${list}; evaluated as CVX ${chosen} (send the CVX code for an exact evaluation)`,
  };
}

/**
 * Reads the CVX code of an `Immunization.vaccineCode`.
 *
 * @param concept - The `vaccineCode` value as received.
 * @param path - FHIRPath of `vaccineCode`, for messages.
 * @param codes - The CDC code tables (needed for NDC and CPT; absent: only CVX is understood).
 * @param ruleSet - The rule set the dose will be evaluated with.
 */
export function readVaccineCode(
  concept: unknown,
  path: string,
  codes: CodeTables | undefined,
  ruleSet: RuleSet,
): VaccineCodeReading {
  const cvx = firstCvx(concept, path);
  if (cvx !== undefined) {
    return cvx;
  }
  const codings = indexedCodings(concept, path);
  const problems: { problem: string; expression: string }[] = [];
  for (const coding of codings.filter((c) => c.system === SYSTEM.ndc)) {
    const read = readNdc(coding, codes, ruleSet);
    if (read.ok) {
      return read;
    }
    problems.push(read);
  }
  for (const coding of codings.filter((c) => c.system === SYSTEM.cpt)) {
    const read = readCpt(coding, codes, ruleSet);
    if (read.ok) {
      return read;
    }
    problems.push(read);
  }
  const first = problems[0];
  if (first !== undefined) {
    return { ok: false, ...first };
  }
  return {
    ok: false,
    problem: 'vaccineCode has no CVX, NDC or CPT coding',
    expression: path,
  };
}

/**
 * The first well-formed CVX coding with a code (the usual case, looked for without building the
 * list of all codings: this runs for every dose of every patient of a bulk run).
 */
function firstCvx(concept: unknown, path: string): VaccineCodeReading | undefined {
  if (!isRecord(concept)) {
    return undefined;
  }
  const list = concept['coding'];
  if (!Array.isArray(list)) {
    return undefined;
  }
  for (let index = 0; index < list.length; index++) {
    const c: unknown = list[index];
    if (isRecord(c) && c['system'] === SYSTEM.cvx) {
      const code = c['code'];
      if (typeof code === 'string') {
        const cvx = code.trim();
        if (cvx !== '') {
          return { ok: true, cvx, expression: `${path}.coding[${index}]` };
        }
      }
    }
  }
  return undefined;
}

function fromChoice(choice: ReturnType<typeof chooseCvx>, expression: string): VaccineCodeReading {
  if ('problem' in choice) {
    return { ok: false, problem: choice.problem, expression };
  }
  return choice.note === undefined
    ? { ok: true, cvx: choice.cvx, expression }
    : { ok: true, cvx: choice.cvx, expression, note: choice.note };
}

function readNdc(
  coding: IndexedCoding,
  codes: CodeTables | undefined,
  ruleSet: RuleSet,
): VaccineCodeReading {
  const what = `NDC ${coding.code}`;
  if (codes === undefined) {
    return {
      ok: false,
      problem: `${what} cannot be mapped: no CDC code tables are installed`,
      expression: coding.expression,
    };
  }
  const candidates = ndcCandidates(coding.code);
  if (candidates.length === 0) {
    return {
      ok: false,
      problem: `${what} is not an NDC in a 10- or 11-digit form`,
      expression: coding.expression,
    };
  }
  const cvx = new Set<string>();
  for (const ndc of candidates) {
    for (const c of codes.ndcToCvx.get(ndc)?.cvx ?? []) {
      cvx.add(c);
    }
  }
  if (cvx.size === 0) {
    return {
      ok: false,
      problem: `${what} is not in the CDC NDC tables`,
      expression: coding.expression,
    };
  }
  return fromChoice(chooseCvx([...cvx], ruleSet, what), coding.expression);
}

function readCpt(
  coding: IndexedCoding,
  codes: CodeTables | undefined,
  ruleSet: RuleSet,
): VaccineCodeReading {
  const what = `CPT ${coding.code}`;
  if (codes === undefined) {
    return {
      ok: false,
      problem: `${what} cannot be mapped: no CDC code tables are installed`,
      expression: coding.expression,
    };
  }
  const cvx = codes.cptToCvx.get(coding.code);
  if (cvx === undefined || cvx.length === 0) {
    return {
      ok: false,
      problem: `${what} is not in the CDC CPT to CVX map`,
      expression: coding.expression,
    };
  }
  return fromChoice(chooseCvx(cvx, ruleSet, what), coding.expression);
}
