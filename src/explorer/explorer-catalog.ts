/**
 * The explorer page's search lists for one rule-set version (`GET /explorer/catalog.json`):
 * the vaccines a dose can be recorded with (CVX, CPT and NDC codes, with names and CDC product
 * names to search by) and the CDSi observations (risk conditions, contraindications, evidence
 * of immunity). Pure: built from the loaded {@link RuleCatalog}, once per version.
 *
 * Only codes the rule set can evaluate are listed: a CVX code the CDC's CVX-to-antigen map
 * knows, and the CPT and NDC codes that map to one. (Any other code can still be tried by
 * pasting a FHIR request; the service then names the dose it could not use.)
 *
 * @packageDocumentation
 */
import { canonicalCvx, type RuleSet } from '../engine/rule-set';
import type { CodeTables } from '../rules/codes/types';
import type { RuleCatalog } from '../rules/rule-catalog';

/** Code systems of a dose's vaccine code, as the page names them. */
export type VaccineCodeSystem = 'cvx' | 'cpt' | 'ndc';

/** One searchable vaccine code. */
export interface ExplorerVaccine {
  readonly system: VaccineCodeSystem;
  /** The code as CDC writes it (`"03"`, `"90707"`, `"58160-0810-52"`). */
  readonly code: string;
  /** Display name (CVX short description, CPT descriptor, NDC proprietary name). */
  readonly name: string;
  /** The CVX codes it stands for (the CVX itself for a CVX code). */
  readonly cvx: readonly string[];
  /** More words to search by: full vaccine name, CDC product names, generic name. */
  readonly terms?: string;
}

/** What an observation is used for in the rule set (some are several things). */
export type ObservationUse = 'indication' | 'contraindication' | 'immunity';

/** One searchable CDSi observation. */
export interface ExplorerObservation {
  /** CDSi observation code (`"055"`). */
  readonly code: string;
  readonly title: string;
  readonly uses: readonly ObservationUse[];
}

/** Content of `catalog.json`. */
export interface ExplorerCatalog {
  /** `ruleSetId@version` the lists were made from. */
  readonly ruleSet: string;
  readonly version: string;
  /** Every loaded version, for the rule-version selector. */
  readonly versions: readonly {
    readonly version: string;
    readonly label: string;
    readonly default: boolean;
  }[];
  /** Version of the CDC code tables (CVX, CPT, NDC names), when installed. */
  readonly codesVersion?: string;
  readonly vaccines: readonly ExplorerVaccine[];
  readonly observations: readonly ExplorerObservation[];
}

/** The version part of a label `ruleSetId@version`. */
function versionOf(label: string): string {
  return label.slice(label.lastIndexOf('@') + 1);
}

/** Joins the distinct non-empty words, or undefined when there are none beyond `name`. */
function termsOf(name: string, words: readonly (string | undefined)[]): string | undefined {
  const seen = new Set<string>([name.toLowerCase()]);
  const out: string[] = [];
  for (const w of words) {
    if (w !== undefined && w !== '' && !seen.has(w.toLowerCase())) {
      seen.add(w.toLowerCase());
      out.push(w);
    }
  }
  return out.length === 0 ? undefined : out.join(' · ');
}

function vaccinesOf(ruleSet: RuleSet, codes: CodeTables | undefined): ExplorerVaccine[] {
  const known = (cvx: string): boolean => ruleSet.vaccineTypes.has(canonicalCvx(cvx));
  const cvxEntries = [...ruleSet.vaccineTypes.values()].map((vt) => {
    // CDC's code tables write two-digit codes with a leading zero ("03"); the rule set does not.
    const entry = codes?.cvx.get(vt.cvx.padStart(2, '0')) ?? codes?.cvx.get(vt.cvx);
    const code = entry?.code ?? vt.cvx;
    const name = entry?.shortDescription ?? vt.shortDescription;
    const terms = termsOf(name, [
      entry?.fullVaccineName,
      ...(codes?.tradenamesByCvx.get(code) ?? []).map((t) => t.productName),
    ]);
    return {
      system: 'cvx' as const,
      code,
      name,
      cvx: [code],
      ...(terms === undefined ? {} : { terms }),
    };
  });
  cvxEntries.sort((a, b) => Number(a.code) - Number(b.code));
  if (codes === undefined) {
    return cvxEntries;
  }
  const cpt = [...codes.cpt.values()]
    .filter((e) => e.mappings.some((m) => known(m.cvx)))
    .map((e) => {
      const terms = termsOf(
        e.description,
        e.mappings.map((m) => m.vaccineName),
      );
      return {
        system: 'cpt' as const,
        code: e.code,
        name: e.description,
        cvx: e.mappings.map((m) => m.cvx),
        ...(terms === undefined ? {} : { terms }),
      };
    });
  const ndc = [...codes.ndcToCvx.values()]
    .filter((e) => e.cvx.some(known))
    .map((e) => {
      const row = e.unitOfUse[0] ?? e.unitOfSale[0];
      const name = row?.proprietaryName ?? e.ndc;
      const terms = termsOf(name, [row?.genericName]);
      return {
        system: 'ndc' as const,
        code: e.ndc,
        name,
        cvx: [...e.cvx],
        ...(terms === undefined ? {} : { terms }),
      };
    });
  return [...cvxEntries, ...cpt, ...ndc];
}

function observationsOf(ruleSet: RuleSet): ExplorerObservation[] {
  const uses = new Map<string, Set<ObservationUse>>();
  const add = (code: string, use: ObservationUse): void => {
    const set = uses.get(code) ?? new Set<ObservationUse>();
    set.add(use);
    uses.set(code, set);
  };
  for (const antigen of ruleSet.antigens.values()) {
    antigen.immunityGuidelineCodes.forEach((c) => {
      add(c, 'immunity');
    });
    antigen.antigenContraindications.forEach((c) => {
      add(c.observationCode, 'contraindication');
    });
    antigen.vaccineContraindications.forEach((c) => {
      add(c.observationCode, 'contraindication');
    });
    for (const series of antigen.series) {
      series.indications.forEach((i) => {
        add(i.observationCode, 'indication');
      });
    }
  }
  const order: readonly ObservationUse[] = ['indication', 'contraindication', 'immunity'];
  return [...ruleSet.observations.values()].map((o) => {
    const used = uses.get(o.code);
    return { code: o.code, title: o.title, uses: order.filter((u) => used?.has(u) === true) };
  });
}

/**
 * The explorer's search lists for a version.
 *
 * @param catalog - The loaded rule sets and code tables.
 * @param version - A version (`4.64`) or label (`cdc-cdsi@4.64`); default the catalog's default.
 * @returns The lists, or undefined when that version is not loaded.
 */
export function explorerCatalog(
  catalog: RuleCatalog,
  version: string = catalog.defaultVersion,
): ExplorerCatalog | undefined {
  const ruleSet = catalog.get(version) ?? catalog.get(versionOf(version));
  if (ruleSet === undefined) {
    return undefined;
  }
  return {
    ruleSet: ruleSet.id,
    version: ruleSet.version,
    versions: catalog.labels.map((label) => ({
      version: versionOf(label),
      label,
      default: versionOf(label) === catalog.defaultVersion,
    })),
    ...(catalog.codes === undefined ? {} : { codesVersion: catalog.codes.version }),
    vaccines: vaccinesOf(ruleSet, catalog.codes),
    observations: observationsOf(ruleSet),
  };
}
