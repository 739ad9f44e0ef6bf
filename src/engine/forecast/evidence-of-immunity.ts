/**
 * §7.2 Determine evidence of immunity (table 7-3).
 */
import type { PatientContext } from '../patient-context';
import type { AntigenRules } from '../rule-set';

/** Countries of birth the supporting data may write for the United States. */
const UNITED_STATES = new Set([
  'us',
  'usa',
  'u.s.',
  'u.s.a.',
  'united states',
  'united states of america',
]);

function sameCountry(a: string, b: string): boolean {
  const x = a.trim().toLowerCase();
  const y = b.trim().toLowerCase();
  return x === y || (UNITED_STATES.has(x) && UNITED_STATES.has(y));
}

/**
 * Table 7-3: does the patient have evidence of immunity to the antigen?
 * - yes when an active observation is one of the immunity guidelines (clinical history);
 * - yes when the patient was born before an immunity birth date, has none of its exclusion
 *   conditions, and was born in its country of birth.
 *
 * Deliberate reading: an immunity without a country of birth applies to any country, and a
 * patient whose country of birth is not known is taken to be born in the United States (the
 * schedule is the U.S. ACIP schedule and the CDC test cases never give a country).
 *
 * @param pc - The call context.
 * @param antigen - The antigen's rules.
 */
export function hasEvidenceOfImmunity(pc: PatientContext, antigen: AntigenRules): boolean {
  if (pc.observations.size > 0) {
    for (const code of antigen.immunityGuidelineCodes) {
      if (pc.observations.has(code)) {
        return true;
      }
    }
  }
  for (const immunity of antigen.birthDateImmunity) {
    if (!pc.birthDate.isBefore(immunity.immunityBirthDate)) {
      continue;
    }
    let excluded = false;
    for (const code of immunity.exclusionCodes) {
      if (pc.observations.has(code)) {
        excluded = true;
        break;
      }
    }
    if (excluded) {
      continue;
    }
    if (
      immunity.birthCountry === undefined ||
      sameCountry(pc.birthCountry ?? 'U.S.', immunity.birthCountry)
    ) {
      return true;
    }
  }
  return false;
}
