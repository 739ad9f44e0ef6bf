/**
 * Helpers for the bulk tests: NDJSON bodies of `$immds-forecast` inputs, and reading answers.
 * Synthetic patients only.
 */
import { join } from 'node:path';
import type { OperationOutcome, Parameters } from 'fhir/r4';
import { createThreadPool, type ForecastExecutor } from '../../src/bulk/executor';
import { cvx, imm, immunization, patient, recommendationOf, repoRoot } from '../fhir/builders';

/** An input line: patient `id` born `birthDate`, with a HepB dose at birth (no assessment date). */
export function inputLine(id: string, birthDate: string, extra: object[] = []): string {
  const body: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', resource: patient({ id, birthDate }) },
      imm(
        immunization(`${id}-hepb`, birthDate, cvx('08'), {
          patient: { reference: `Patient/${id}` },
        }),
      ),
      ...(extra as Parameters['parameter'] & object[]),
    ],
  };
  return JSON.stringify(body);
}

/** A line the handler refuses quickly (a birth date without day): cheap filler for long streams. */
export function cheapBadLine(n: number): string {
  return `{"resourceType":"Parameters","parameter":[{"name":"patient","resource":{"resourceType":"Patient","id":"q${n}","birthDate":"2024-01"}}]}`;
}

/** The lines of an NDJSON answer, parsed (the final newline does not make a line). */
export function ndjsonOf(text: string): (Parameters | OperationOutcome)[] {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  return lines.map((l) => JSON.parse(l) as Parameters | OperationOutcome);
}

/** The patient reference of an output Parameters. */
export function patientOf(out: Parameters | OperationOutcome): string | undefined {
  return out.resourceType === 'Parameters' ? recommendationOf(out).patient.reference : undefined;
}

/**
 * A pool of 2 worker threads for the tests of the enclosing `describe`: started before them,
 * closed after. Call the returned function inside a test to get it.
 */
export function twoThreadPool(): () => ForecastExecutor {
  let pool: ForecastExecutor | undefined;
  beforeAll(async () => {
    pool = await createThreadPool({ rulesDir: join(repoRoot, 'rules'), threads: 2 });
  }, 60_000);
  afterAll(async () => {
    await pool?.close();
  });
  return () => {
    if (pool === undefined) {
      throw new Error('the thread pool is not started yet');
    }
    return pool;
  };
}
