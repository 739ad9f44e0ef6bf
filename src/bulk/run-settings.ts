/**
 * The assessment date and rule-set version of a bulk run, fixed once for the whole run (HTTP
 * query parameters, CLI options) and checked before any line is read.
 *
 * @packageDocumentation
 */
import type { ForecastCatalog } from '../fhir/immds-forecast';
import { readFhirDate } from '../fhir/fhir-date';

/** A run's assessment date and bare rule-set version, or what is wrong with them. */
export type RunChoice =
  | {
      readonly ok: true;
      readonly assessmentDate: string;
      readonly version: string;
      readonly label: string;
    }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Checks the requested assessment date and rule-set version.
 *
 * @param requested - `assessmentDate` (YYYY-MM-DD) and `version` (`4.64` or `cdc-cdsi@4.64`);
 *   an absent version is the catalog's default.
 * @param catalog - The loaded rule sets.
 * @param names - How the caller calls the two settings (query parameters, CLI options), for messages.
 */
export function chooseRun(
  requested: { readonly assessmentDate: string; readonly version?: string | undefined },
  catalog: ForecastCatalog,
  names: { readonly assessmentDate: string; readonly version: string },
): RunChoice {
  const problems: string[] = [];
  const reading = readFhirDate(requested.assessmentDate);
  if (reading.kind !== 'date') {
    problems.push(
      `${names.assessmentDate} must be a full date (YYYY-MM-DD)${reading.kind === 'invalid' ? `: it is ${reading.problem}` : ''}`,
    );
  }
  const text = (requested.version ?? catalog.defaultVersion).trim();
  const at = text.lastIndexOf('@');
  const version = text.slice(at + 1);
  const ruleSet = catalog.get(version);
  if (ruleSet === undefined || (at !== -1 && ruleSet.id !== text)) {
    problems.push(
      `${names.version} "${text}" is not a loaded rule set; available: ${catalog.labels.join(', ')}`,
    );
  }
  if (problems.length > 0 || ruleSet === undefined || reading.kind !== 'date') {
    return { ok: false, problems };
  }
  return { ok: true, assessmentDate: reading.date.toString(), version, label: ruleSet.id };
}
