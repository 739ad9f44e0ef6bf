/**
 * §6.3 Evaluate for inadvertent vaccine (table 6-13).
 */
import type { SeriesDose } from '../rule-set';

/**
 * Table 6-13: the dose was an inadvertent administration for the target dose when its vaccine
 * type is one of the target dose's inadvertent vaccines. Its evaluation status is then
 * 'Not Valid' (reason "Inadvertent Vaccine") and the target dose stays 'Not Satisfied'.
 *
 * @param seriesDose - The series dose tracked by the target dose.
 * @param cvx - Canonical CVX of the dose administered.
 */
export function isInadvertentAdministration(seriesDose: SeriesDose, cvx: string): boolean {
  return seriesDose.inadvertentVaccines.has(cvx);
}
