/**
 * One item of a bulk run: the run's settings added to (or checked against) each input, errors
 * located by line or by export file and line, and an unexpected failure kept to its item.
 */
import type { OperationOutcome } from 'fhir/r4';
import { forecastItem, safeForecastItem, type RunSettings } from '../../src/bulk/forecast-item';
import { patientItem } from '../../src/bulk/partition-record';
import type { ForecastCatalog } from '../../src/fhir/immds-forecast';
import { committedCatalog, cvx, immunization, patient } from '../fhir/builders';
import { inputLine } from './support';

const catalog = committedCatalog();
const run: RunSettings = { assessmentDate: '2026-03-20', version: '4.64', output: 'parameters' };

test('a line naming another rule-set version is refused, the same one (any spelling) is fine', () => {
  const other = forecastItem(
    {
      kind: 'line',
      line: 4,
      text: inputLine('a', '2024-01-01', [{ name: 'knowledgeBaseVersion', valueString: '4.65' }]),
    },
    run,
    catalog,
  );
  expect(JSON.parse(other.out!.toString())).toMatchObject({
    id: 'line-4',
    issue: [
      {
        code: 'business-rule',
        diagnostics:
          'line 4: knowledgeBaseVersion differs from the rule-set version of the bulk run (4.64); leave it out or send the same version',
        expression: ['Parameters.parameter[2].value'],
      },
    ],
  });
  const same = forecastItem(
    {
      kind: 'line',
      line: 5,
      text: inputLine('a', '2024-01-01', [
        { name: 'knowledgeBaseVersion', valueString: 'cdc-cdsi@4.64' },
      ]),
    },
    run,
    catalog,
  );
  expect(JSON.parse(same.out!.toString())).toMatchObject({ resourceType: 'Parameters' });
});

test('an issue about an exported resource names the resource, its file and line, and a FHIRPath in it', () => {
  const text = (r: object) => JSON.stringify(r);
  const result = forecastItem(
    patientItem(
      'p1',
      { type: 'Patient', file: 'Patient.ndjson', line: 1, text: text(patient({ id: 'p1' })) },
      [
        {
          type: 'Immunization',
          file: 'Immunization.002.ndjson',
          line: 17,
          text: text(immunization('odd', '2024-05-17', cvx('999'))),
        },
      ],
    ),
    { ...run, output: 'resources' },
    catalog,
  );
  const info = JSON.parse(result.information!.toString()) as OperationOutcome;
  expect(info.id).toBe('p1-information');
  expect(info.issue).toContainEqual(
    expect.objectContaining({
      severity: 'warning',
      diagnostics: expect.stringMatching(
        /^Immunization\/odd \(Immunization\.002\.ndjson line 17\): /,
      ) as unknown,
      expression: ['Immunization'],
    }),
  );
  expect(result.recommendation).toBeDefined();

  const bad = forecastItem(
    patientItem(
      'p1',
      { type: 'Patient', file: 'Patient.ndjson', line: 1, text: text(patient({ id: 'p1' })) },
      [
        {
          type: 'Immunization',
          file: 'Immunization.ndjson',
          line: 9,
          text: text(immunization('half', '2024-05', cvx('08'))),
        },
      ],
    ),
    { ...run, output: 'resources' },
    catalog,
  );
  expect(bad.recommendation).toBeUndefined();
  expect(JSON.parse(bad.error!.toString())).toMatchObject({
    id: 'patient-p1',
    issue: [
      {
        severity: 'error',
        diagnostics: expect.stringMatching(
          /^Immunization\/half \(Immunization\.ndjson line 9\): /,
        ) as unknown,
        expression: [expect.stringMatching(/^Immunization\.occurrence/) as unknown],
      },
    ],
  });
});

test('an unexpected failure answers that item alone, without internals', () => {
  const broken: ForecastCatalog = {
    ...catalog,
    labels: catalog.labels,
    defaultVersion: catalog.defaultVersion,
    codes: catalog.codes,
    get: () => {
      throw new Error('secret internal detail for Patient/p-42');
    },
  };
  const result = safeForecastItem(
    { kind: 'line', line: 3, text: inputLine('p-42', '2024-01-01') },
    run,
    broken,
  );
  expect(result.crashed).toBe(true);
  expect(JSON.parse(result.out!.toString())).toEqual({
    resourceType: 'OperationOutcome',
    id: 'line-3',
    issue: [
      {
        severity: 'fatal',
        code: 'exception',
        diagnostics: 'line 3: internal error while forecasting; the other items are not affected',
      },
    ],
  });
});
