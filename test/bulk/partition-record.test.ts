/**
 * The partition record, as a patient travels to a forecasting thread: what goes in comes out,
 * whatever the resource text holds.
 */
import type { SourceLine } from '../../src/bulk/forecast-item';
import { EXPORT_TYPE_NAMES } from '../../src/bulk/export-types';
import {
  gatherRecords,
  patientItem,
  patientSources,
  recordHead,
  recordPrefix,
} from '../../src/bulk/partition-record';

const patient: SourceLine = {
  type: 'Patient',
  file: 'Patient.ndjson',
  line: 4,
  text: '{"resourceType":"Patient","id":"p-1","name":[{"family":"Müller 🙂"}]}',
};
const resources: SourceLine[] = [
  {
    type: 'Immunization',
    file: 'Immunization.001.ndjson',
    line: 17,
    // A tab between tokens is JSON whitespace; so is a CR left before the newline by pass 1.
    text: '{"resourceType":"Immunization",\t"id":"i1","patient":{"reference":"Patient/p-1"}} \r',
  },
  {
    type: 'Condition',
    file: 'Condition.ndjson',
    line: 2,
    text: '{"resourceType":"Condition","subject":{"reference":"Patient/p-1"}}',
  },
  { type: 'Immunization', file: 'Immunization.001.ndjson', line: 18, text: '{}' },
];

test('a patient item gives back its lines, files and numbers (non-ASCII, tabs, a trailing CR)', () => {
  const item = patientItem('p-1', patient, resources);
  expect(item.files).toEqual(['Patient.ndjson', 'Immunization.001.ndjson', 'Condition.ndjson']);
  const back = patientSources(item);
  const { start, ...line } = back.patient;
  expect(line).toEqual(patient);
  // The trailing CR is dropped, as reading the partition file line by line did.
  expect(back.resources.map(({ start: _, ...rest }) => rest)).toEqual([
    { ...resources[0], text: resources[0]!.text.slice(0, -1) },
    resources[1],
    resources[2],
  ]);
  // Each line's `start` is where its JSON is in the decoded records (what the JSON reader
  // is given: json-templates.ts).
  expect(back.text.slice(start, start + patient.text.length)).toBe(patient.text);
  for (const r of back.resources) {
    expect(back.text.slice(r.start, r.start + r.text.length)).toBe(r.text);
  }
  expect(back.resources.map((r) => r.start)).toEqual(
    back.resources.map((r) => back.text.indexOf(r.text, start)),
  );
});

test('records are found and gathered from the bytes without decoding them', () => {
  const lines = [
    `${recordPrefix('p-2', EXPORT_TYPE_NAMES.indexOf('Immunization'), 1, 9)}{"resourceType":"Immunization","note":"ñ"}\n`,
    `${recordPrefix('p-1', EXPORT_TYPE_NAMES.indexOf('Patient'), 0, 3)}{"resourceType":"Patient","id":"p-1"}\n`,
  ];
  const chunk = Buffer.from(lines.join(''));
  const second = Buffer.byteLength(lines[0]!);
  expect(recordHead(chunk, 0, second)).toEqual({ idEnd: 3, type: 'Immunization' });
  expect(recordHead(chunk, second, chunk.length)).toEqual({
    idEnd: second + 3,
    type: 'Patient',
  });
  expect(recordHead(Buffer.from('p-1\t9\t0\t1\t{}\n'), 0, 12)).toBeUndefined(); // no such type
  expect(recordHead(Buffer.from('p-1\n'), 0, 4)).toBeUndefined();
  const gathered = gatherRecords([chunk], [0, second, chunk.length], [0, 0, second], chunk.length);
  const sources = patientSources({
    kind: 'patient',
    patientId: 'p-1',
    records: gathered,
    files: ['Patient.ndjson', 'Immunization.ndjson'],
  });
  expect(sources.patient).toMatchObject({ type: 'Patient', file: 'Patient.ndjson', line: 3 });
  expect(sources.resources).toEqual([
    {
      type: 'Immunization',
      file: 'Immunization.ndjson',
      line: 9,
      text: '{"resourceType":"Immunization","note":"ñ"}',
      start: sources.text.indexOf('{"resourceType":"Immunization"'),
    },
  ]);
});

test('corrupt records are refused, not guessed', () => {
  const item = patientItem('p-1', patient, resources);
  expect(() => patientSources({ ...item, files: [] })).toThrow(/corrupt/);
  const noPatientFirst = patientItem('p-1', resources[1]!, [patient]);
  expect(() => patientSources(noPatientFirst)).toThrow(/no Patient first/);
});
