/**
 * Resource lines for the tests of the byte-level readers of bulk-export lines (resource-scan.ts,
 * json-templates.ts): the lines of a small synthetic export, richer hand-written ones, and seeded
 * random mutations of them (so that a failure reproduces). Synthetic data only.
 */
import { syntheticPopulation } from '../../bench/population';
import type { ExportType } from '../../src/bulk/export-types';

/** Resource lines of every export type, as `writeBulkExport` writes them, plus richer ones. */
export function sampleLines(): { type: ExportType; line: string }[] {
  const out: { type: ExportType; line: string }[] = [];
  for (const p of syntheticPopulation(40, { assessmentDate: '2026-03-20', seed: 7 })) {
    out.push({ type: 'Patient', line: JSON.stringify(p.patient) });
    for (const c of p.conditions) {
      out.push({ type: 'Condition', line: JSON.stringify(c) });
    }
    for (const i of p.immunizations) {
      out.push({ type: 'Immunization', line: JSON.stringify(i) });
    }
  }
  out.push(
    {
      type: 'Patient',
      line: '{"resourceType":"Patient","id":"p-9.x","name":[{"family":"Müller","given":["Zoë"]}],"extension":[{"url":"http://x","valueDecimal":-1.5e-3}],"active":true,"deceasedBoolean":false,"photo":null}',
    },
    {
      type: 'Observation',
      line: '{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"22322-2"}]},"subject":{"reference":"https://ehr.example/fhir/Patient/p3/_history/1","display":"a \\"quoted\\" \\u00e9"},"valueQuantity":{"value":1.25E2,"unit":"[IU]/mL"}}',
    },
    {
      type: 'AllergyIntolerance',
      line: ' {"resourceType" : "AllergyIntolerance", "id":"a1", "patient" : {"reference":"Patient/p4"}, "contained":[{"resourceType":"Patient","id":"c","patient":{"reference":"Patient/zz"}}], "note":[{"text":"\\t日本"}] } ',
    },
  );
  return out;
}

/** Bytes that make or break JSON (and a few others). */
const ALPHABET = Buffer.from('{}[]":,\\/ \t\r-+.0123456789eEtrufalsn"uUaAfF0é');
const SNIPPETS = [
  '"resourceType":"Patient",',
  '"resourceType":"Immunization",',
  '"id":"p7",',
  '"patient":{"reference":"Patient/p8"},',
  '"subject":{"reference":"Patient/p9"},',
  '"reference":"Patient/q",',
  '"x":[1,{"patient":{"reference":"Patient/n"}}],',
  '\\u0041',
  '\\"',
  '"\\u0069d":"p5",',
  '01',
  '1e',
  'tru',
  ',}',
  '\u0001',
  'é',
];

/** A mutated copy of a line: a few deletions, insertions, replacements, copies. */
export function mutate(line: Buffer, random: () => number): Buffer {
  let b = line;
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (b.length + 1));
    const pick = random();
    const byte = (): number =>
      random() < 0.9
        ? (ALPHABET[Math.floor(random() * ALPHABET.length)] ?? 0)
        : Math.floor(random() * 256);
    if (pick < 0.25) {
      b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(random() * 3))]);
    } else if (pick < 0.45) {
      b = Buffer.concat([b.subarray(0, at), Buffer.from([byte()]), b.subarray(at)]);
    } else if (pick < 0.65) {
      b = Buffer.concat([b.subarray(0, at), Buffer.from([byte()]), b.subarray(at + 1)]);
    } else if (pick < 0.85) {
      const s = SNIPPETS[Math.floor(random() * SNIPPETS.length)] ?? '';
      b = Buffer.concat([b.subarray(0, at), Buffer.from(s), b.subarray(at)]);
    } else {
      // A copy of a slice elsewhere (duplicate members, unbalanced brackets).
      const from = Math.floor(random() * b.length);
      const slice = b.subarray(from, from + Math.floor(random() * 40));
      b = Buffer.concat([b.subarray(0, at), slice, b.subarray(at)]);
    }
  }
  return b;
}

/** A mutation that keeps the JSON valid: a value replaced, whitespace added, a member added. */
export function validMutation(line: Buffer, random: () => number): Buffer {
  const resource = JSON.parse(line.toString()) as Record<string, unknown>;
  const values: unknown[] = [
    1,
    -0.5,
    1e21,
    'Zoë',
    'a\\b"c',
    null,
    true,
    [],
    {},
    { patient: { reference: 'Patient/zz' } },
    'Patient/q1',
    { reference: 'Patient/r1' },
    { reference: 'Patient/é' },
  ];
  const keys = ['resourceType', 'id', 'patient', 'subject', 'note', 'extension', 'reference'];
  const key = keys[Math.floor(random() * keys.length)] ?? 'note';
  if (random() < 0.5) {
    resource[key] = values[Math.floor(random() * values.length)];
  }
  const text = JSON.stringify(resource, null, random() < 0.3 ? 1 : undefined).replace(
    /\n/g,
    random() < 0.5 ? '\r' : '\t',
  );
  return Buffer.from(text);
}
