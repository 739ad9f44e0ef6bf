/**
 * The fast path of pass 1 (resource-scan.ts): whatever line the byte scanner accepts, `JSON.parse`
 * accepts too and gives the same `resourceType` and patient value; and `partitionChunk` gives the
 * same records, offsets, errors and counts with the scanner as without it — on hand-written edge
 * cases and on thousands of randomly mutated resource lines (seeded, so a failure reproduces).
 */
import { isUtf8 } from 'node:buffer';
import { prng } from '../../bench/population';
import { EXPORT_TYPES, EXPORT_TYPE_NAMES } from '../../src/bulk/export-types';
import {
  partitionChunk,
  type PartitionChunkResult,
  type PartitionChunkTask,
} from '../../src/bulk/partition-chunk';
import { recordPrefix } from '../../src/bulk/partition-record';
import { LineScanner, resourceScanner, type ScannedResource } from '../../src/bulk/resource-scan';
import { partitionOf } from '../../src/bulk/shard';
import { mutate, sampleLines, validMutation } from './export-lines';

/** What `JSON.parse` gives for the two values pass 1 reads, or `invalid`. */
function parsedValues(line: Buffer, element: string): 'invalid' | [unknown, unknown] {
  let resource: unknown;
  try {
    resource = JSON.parse(line.toString('utf8'));
  } catch {
    return 'invalid';
  }
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    return [undefined, undefined];
  }
  const r = resource as Record<string, unknown>;
  const value = r[element];
  const patient =
    element === 'id'
      ? value
      : typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)['reference']
        : undefined;
  return [r['resourceType'], patient];
}

const scanners = new Map<string, ReturnType<typeof resourceScanner>>();
/** The scanner's answer for a whole line. */
function scan(line: Buffer | string, element: string): ScannedResource | undefined {
  const bytes = typeof line === 'string' ? Buffer.from(line) : line;
  let scanner = scanners.get(element);
  if (scanner === undefined) {
    scanner = resourceScanner(element);
    scanners.set(element, scanner);
  }
  // Inside a larger buffer, with bytes before and after that are not the line's.
  const padded = Buffer.concat([Buffer.from('}\n'), bytes, Buffer.from('\n"x}')]);
  return scanner(padded, 2, 2 + bytes.length);
}

/**
 * The safety rule: if the scanner accepts a line, `JSON.parse` accepts it and gives the same
 * values. Returns whether the scanner accepted it.
 */
function agrees(line: Buffer | string, element: string): boolean {
  const bytes = typeof line === 'string' ? Buffer.from(line) : line;
  const got = scan(bytes, element);
  if (got === undefined) {
    return false;
  }
  expect({ line: bytes.toString(), values: parsedValues(bytes, element) }).toEqual({
    line: bytes.toString(),
    values: [got.resourceType, got.patient],
  });
  return true;
}

const IMM = (members: string): string =>
  `{"resourceType":"Immunization",${members},"patient":{"reference":"Patient/p1"}}`;

describe('resourceScanner', () => {
  test.each([
    ['plain', '{"resourceType":"Patient","id":"p1"}', 'id', ['Patient', 'p1']],
    [
      'whitespace around everything',
      ' \t{ "resourceType" :\r"Patient" ,\t"id": "p1" } \r',
      'id',
      ['Patient', 'p1'],
    ],
    [
      'nested patient keys (extension, contained)',
      '{"resourceType":"Immunization","contained":[{"resourceType":"Patient","id":"x","patient":{"reference":"Patient/x"}}],"extension":[{"patient":{"reference":"Patient/y"}}],"patient":{"extension":[{"reference":"Patient/z"}],"reference":"Patient/p1","display":"P"}}',
      'patient',
      ['Immunization', 'Patient/p1'],
    ],
    [
      'patient before resourceType',
      '{"patient":{"reference":"Patient/p1"},"resourceType":"Immunization"}',
      'patient',
      ['Immunization', 'Patient/p1'],
    ],
    [
      'a reference with _history',
      '{"resourceType":"Condition","subject":{"reference":"Patient/p1/_history/2"}}',
      'subject',
      ['Condition', 'Patient/p1/_history/2'],
    ],
    [
      'an absolute reference',
      '{"resourceType":"Observation","subject":{"reference":"https://ehr.example/fhir/Patient/p1"}}',
      'subject',
      ['Observation', 'https://ehr.example/fhir/Patient/p1'],
    ],
    [
      'a reference that is not a Patient',
      '{"resourceType":"Immunization","patient":{"reference":"Group/9"}}',
      'patient',
      ['Immunization', 'Group/9'],
    ],
    [
      'another resource type',
      '{"resourceType":"Observation","id":"p1"}',
      'id',
      ['Observation', 'p1'],
    ],
    [
      'numbers of every shape',
      IMM(
        '"n":[0,-0,1,-1,10,0.5,-0.5,12.25,1e5,1E5,1e+5,1e-5,-1.5E-10,123456789012345678901234567890,1e400]',
      ),
      'patient',
      ['Immunization', 'Patient/p1'],
    ],
    [
      'literals',
      IMM('"l":[true,false,null],"t":true,"f":false,"n":null'),
      'patient',
      ['Immunization', 'Patient/p1'],
    ],
    [
      'empty containers',
      IMM('"o":{},"a":[],"b":[{},[],[[]]],"c":{ },"d":[ ]'),
      'patient',
      ['Immunization', 'Patient/p1'],
    ],
    [
      'escapes in values',
      IMM('"note":"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\\ud800"'),
      'patient',
      ['Immunization', 'Patient/p1'],
    ],
    [
      'escapes in keys deeper than 2',
      IMM('"a":{"b":{"k\\u0065y":1,"reference":"\\u0050"}}'),
      'patient',
      ['Immunization', 'Patient/p1'],
    ],
    [
      'non-ASCII in other strings and keys',
      IMM('"note":"Zoë 日本 😀","clé":"ü"'),
      'patient',
      ['Immunization', 'Patient/p1'],
    ],
    [
      'U+2028 and DEL in a string',
      IMM('"note":"a\u2028b\u007f"'),
      'patient',
      ['Immunization', 'Patient/p1'],
    ],
    ['an empty key and value', IMM('"":""'), 'patient', ['Immunization', 'Patient/p1']],
    [
      'deep nesting',
      IMM(
        `"deep":${'['.repeat(100_000)}1${']'.repeat(100_000)},"o":${'{"a":'.repeat(50_000)}null${'}'.repeat(50_000)}`,
      ),
      'patient',
      ['Immunization', 'Patient/p1'],
    ],
    [
      'a duplicate of a key not read',
      IMM('"status":"a","status":"b"'),
      'patient',
      ['Immunization', 'Patient/p1'],
    ],
  ] as const)('accepts %s, with the values JSON.parse gives', (_name, line, element, expected) => {
    const got = scan(line, element);
    expect(got === undefined ? 'fallback' : [got.resourceType, got.patient]).toEqual(expected);
    expect(agrees(line, element)).toBe(true);
  });

  test.each([
    // Invalid JSON: JSON.parse throws, the scanner falls back.
    ['number 01', IMM('"n":01')],
    ['number 1.', IMM('"n":1.')],
    ['number .5', IMM('"n":.5')],
    ['number -', IMM('"n":-')],
    ['number 1e', IMM('"n":1e')],
    ['number 1e+', IMM('"n":1e+')],
    ['number +1', IMM('"n":+1')],
    ['number -01', IMM('"n":-01')],
    ['number 0x1', IMM('"n":0x1')],
    ['number 1.e5', IMM('"n":1.e5')],
    ['NaN', IMM('"n":NaN')],
    ['Infinity', IMM('"n":Infinity')],
    ['literal tru', IMM('"b":tru')],
    ['literal nul', IMM('"b":nul')],
    ['literal True', IMM('"b":True')],
    ['literal truex', IMM('"b":truex')],
    ['a trailing comma in an object', '{"resourceType":"Patient","id":"p1",}'],
    ['a trailing comma in an array', IMM('"a":[1,]')],
    ['an empty member', '{"resourceType":"Patient",,"id":"p1"}'],
    ['a missing colon', '{"resourceType" "Patient","id":"p1"}'],
    ['a missing comma', '{"resourceType":"Patient" "id":"p1"}'],
    ['an unquoted key', '{resourceType:"Patient","id":"p1"}'],
    ['single quotes', "{'resourceType':'Patient','id':'p1'}"],
    ['a key that is a number', '{"resourceType":"Patient",1:"p1"}'],
    ['garbage after the object', '{"resourceType":"Patient","id":"p1"}x'],
    ['a second object', '{"resourceType":"Patient","id":"p1"}{}'],
    ['an unclosed object', '{"resourceType":"Patient","id":"p1"'],
    ['an unclosed string', '{"resourceType":"Patient","id":"p1}'],
    ['an unclosed deep nesting', `{"resourceType":"Patient","id":"p1","a":${'['.repeat(10_000)}`],
    ['mismatched brackets', IMM('"a":[1}')],
    ['an extra closing bracket', '{"resourceType":"Patient","id":"p1"}}'],
    ['a raw tab in a string', '{"resourceType":"Patient","id":"p1","x":"a\tb"}'],
    ['a raw CR in a string', '{"resourceType":"Patient","id":"p1","x":"a\rb"}'],
    ['a raw NUL in a string', '{"resourceType":"Patient","id":"p1","x":"a\u0000b"}'],
    ['a bad escape', IMM('"x":"\\x41"')],
    ['a short \\u escape', IMM('"x":"\\u00e"')],
    ['a non-hex \\u escape', IMM('"x":"\\u00eg"')],
    ['a backslash at the end', '{"resourceType":"Patient","id":"p1","x":"\\'],
    ['a vertical tab as whitespace', '{"resourceType":"Patient",\u000b"id":"p1"}'],
    ['a no-break space as whitespace', '{"resourceType":"Patient",\u00a0"id":"p1"}'],
    ['a BOM before the object', '\ufeff{"resourceType":"Patient","id":"p1"}'],
    ['a comment', '{"resourceType":"Patient",/* c */"id":"p1"}'],
  ])('falls back on invalid JSON: %s', (_name, line) => {
    expect(() => JSON.parse(line) as unknown).toThrow();
    expect(scan(line, 'id')).toBeUndefined();
    expect(scan(line, 'patient')).toBeUndefined();
  });

  test.each([
    ['an escape in a top-level key', '{"resourceType":"Patient","i\\u0064":"p1"}', 'id'],
    [
      'an escape in another top-level key',
      '{"resourceType":"Patient","id":"p1","x\\u0041":1}',
      'id',
    ],
    [
      'an escape in a key at depth 2',
      '{"resourceType":"Immunization","patient":{"r\\u0065ference":"Patient/p2","reference":"Patient/p1"}}',
      'patient',
    ],
    ['an escaped resourceType key', '{"resource\\u0054ype":"Patient","id":"p1"}', 'id'],
    ['an escape in resourceType', '{"resourceType":"P\\u0061tient","id":"p1"}', 'id'],
    ['an escape in the id', '{"resourceType":"Patient","id":"p\\u0031"}', 'id'],
    [
      'an escape in the reference',
      '{"resourceType":"Immunization","patient":{"reference":"Patient\\/p1"}}',
      'patient',
    ],
    ['non-ASCII in the id', '{"resourceType":"Patient","id":"pé"}', 'id'],
    [
      'non-ASCII in the reference',
      '{"resourceType":"Immunization","patient":{"reference":"Patient/é"}}',
      'patient',
    ],
    [
      'a duplicate resourceType',
      '{"resourceType":"Patient","id":"p1","resourceType":"Condition"}',
      'id',
    ],
    ['a duplicate id', '{"resourceType":"Patient","id":"p1","id":"p2"}', 'id'],
    [
      'a duplicate patient',
      '{"resourceType":"Immunization","patient":{"reference":"Patient/p1"},"patient":{"reference":"Patient/p2"}}',
      'patient',
    ],
    [
      'a duplicate reference',
      '{"resourceType":"Immunization","patient":{"reference":"Patient/p1","reference":"Patient/p2"}}',
      'patient',
    ],
    ['patient not an object', '{"resourceType":"Immunization","patient":"Patient/p1"}', 'patient'],
    [
      'patient an array',
      '{"resourceType":"Immunization","patient":[{"reference":"Patient/p1"}]}',
      'patient',
    ],
    ['patient null', '{"resourceType":"Immunization","patient":null}', 'patient'],
    [
      'reference not a string',
      '{"resourceType":"Immunization","patient":{"reference":{"v":"Patient/p1"}}}',
      'patient',
    ],
    ['reference a number', '{"resourceType":"Immunization","patient":{"reference":1}}', 'patient'],
    [
      '"reference" outside the element',
      '{"resourceType":"Immunization","patient":{},"meta":{"reference":"Patient/p2"}}',
      'patient',
    ],
    ['no reference', '{"resourceType":"Immunization","patient":{"display":"P"}}', 'patient'],
    [
      'no patient',
      '{"resourceType":"Immunization","subject":{"reference":"Patient/p1"}}',
      'patient',
    ],
    ['id an object', '{"resourceType":"Patient","id":{"value":"p1"}}', 'id'],
    ['id a number', '{"resourceType":"Patient","id":1}', 'id'],
    ['no id', '{"resourceType":"Patient"}', 'id'],
    ['resourceType a number', '{"resourceType":1,"id":"p1"}', 'id'],
    ['resourceType an array', '{"resourceType":["Patient"],"id":"p1"}', 'id'],
    ['no resourceType', '{"id":"p1"}', 'id'],
    ['an array at top level', '[{"resourceType":"Patient","id":"p1"}]', 'id'],
    ['a string at top level', '"Patient"', 'id'],
    ['an empty object', '{}', 'id'],
    ['a blank line', ' \t\r', 'id'],
    ['an empty line', '', 'id'],
  ])('falls back on what it does not read exactly: %s', (_name, line, element) => {
    expect(scan(line, element)).toBeUndefined();
  });
});

describe('LineScanner', () => {
  test('gives the positions of the two values in the buffer read', () => {
    const line = '{"resourceType":"Immunization","patient":{"reference":"Patient/p-1.x"}}';
    const bytes = Buffer.from(`xx\n${line}\nyy`);
    const scanner = new LineScanner('patient');
    expect(scanner.scan(bytes, 3, 3 + line.length)).toBe(true);
    expect(bytes.toString('latin1', scanner.typeStart, scanner.typeEnd)).toBe('Immunization');
    expect(bytes.toString('latin1', scanner.patientStart, scanner.patientEnd)).toBe(
      'Patient/p-1.x',
    );
    // The same scanner on other buffers, one after another (it keeps a view of the last one).
    expect(scanner.scan(Buffer.from(line), 0, line.length)).toBe(true);
    scanner.release();
    expect(scanner.scan(Buffer.from(`${line}x`), 0, line.length + 1)).toBe(false);
  });

  // Strings are read four bytes at a time where they can be: a quote, backslash or control byte
  // is found at every place in and across the four-byte words, in keys and values, and at the
  // end of the line.
  test.each([
    ['a closing quote', (s: string) => `"${s}"`, true],
    ['an escape', (s: string) => `"${s}\\n${s}"`, true],
    ['a \\u escape', (s: string) => `"${s}\\u00e9"`, true],
    ['a raw tab', (s: string) => `"${s}\t${s}"`, false],
    ['a raw newline', (s: string) => `"${s}\n"`, false],
    ['a raw NUL', (s: string) => `"${s}\u0000"`, false],
    ['a raw 0x1f', (s: string) => `"${s}\u001f${s}"`, false],
    ['DEL and non-ASCII', (s: string) => `"${s}\u007fé${s}"`, true],
    ['no closing quote', (s: string) => `"${s}`, false],
  ])('finds %s at any offset of a string', (_name, value, valid) => {
    for (let n = 0; n < 12; n++) {
      const s = 'abcdefghijkl'.slice(0, n);
      const v = value(s);
      // (An escaped key at depth 1 or 2 is left to JSON.parse: it could be one of those read.)
      const escaped = v.includes('\\');
      for (const [line, read] of [
        [`{"resourceType":"Patient","id":"p1","note":${v}}`, valid],
        [`{"resourceType":"Patient","id":"p1",${v}:1}`, valid && !escaped],
        [`{"resourceType":"Patient","id":"p1","a":{"b":{${v}:[${v}]}}}`, valid],
        [`{"resourceType":"Patient","note":${v},"id":"p1"}`, valid],
      ] as const) {
        // Inside a larger buffer (agrees), and as the whole buffer.
        const accepted = agrees(line, 'id');
        expect({ line, accepted }).toEqual({ line, accepted: read });
        const bytes = Buffer.from(line);
        expect(new LineScanner('id').scan(bytes, 0, bytes.length)).toBe(read);
      }
    }
  });
});

// --- Random resource lines -------------------------------------------------------------------

describe('resourceScanner on random lines', () => {
  test('every line of a generated export is read, with the values of JSON.parse', () => {
    const lines = sampleLines();
    expect(lines.length).toBeGreaterThan(500);
    for (const { type, line } of lines) {
      expect(agrees(line, EXPORT_TYPES[type])).toBe(true);
    }
  });

  test('a line the scanner accepts is one JSON.parse accepts, with the same values (mutated lines)', () => {
    const random = prng(20261122);
    const lines = sampleLines();
    let accepted = 0;
    let changedAndAccepted = 0;
    let tried = 0;
    for (let n = 0; n < 12_000; n++) {
      const { type, line } = lines[Math.floor(random() * lines.length)]!;
      const original = Buffer.from(line);
      const mutated = random() < 0.2 ? validMutation(original, random) : mutate(original, random);
      if (!isUtf8(mutated)) {
        continue; // the scanner reads valid UTF-8 only (partitionChunk checks it first)
      }
      tried += 1;
      // Each line with the element of its own type and of another (another resource type).
      for (const element of [EXPORT_TYPES[type], random() < 0.5 ? 'id' : 'subject']) {
        if (agrees(mutated, element)) {
          accepted += 1;
          if (!mutated.equals(original)) {
            changedAndAccepted += 1;
          }
        }
      }
    }
    // The mutations reach both sides: many lines still read, many changed ones among them.
    expect(tried).toBeGreaterThan(10_000);
    expect(accepted).toBeGreaterThan(2_000);
    expect(changedAndAccepted).toBeGreaterThan(1_000);
  });
});

// --- partitionChunk with and without the scanner ------------------------------------------

/** A comparable form of a result. */
function resultOf(r: PartitionChunkResult): unknown {
  return { ...r, records: Buffer.from(r.records).toString('latin1') };
}

describe('partitionChunk with the scanner', () => {
  test('gives the same records, offsets, errors and counts as with JSON.parse alone', () => {
    const random = prng(42);
    const lines = sampleLines();
    let chunks = 0;
    let kept = 0;
    let errors = 0;
    for (let c = 0; c < 300; c++) {
      const type = EXPORT_TYPE_NAMES[Math.floor(random() * EXPORT_TYPE_NAMES.length)]!;
      const own = lines.filter((l) => l.type === type);
      const parts: Buffer[] = [];
      const count = 1 + Math.floor(random() * 40);
      for (let n = 0; n < count; n++) {
        const pick = random();
        // Mostly lines of the file's type, some of others.
        const from = random() < 0.8 ? own : lines;
        const line = Buffer.from(from[Math.floor(random() * from.length)]!.line);
        let bytes =
          pick < 0.3 ? line : pick < 0.5 ? validMutation(line, random) : mutate(line, random);
        if (random() < 0.05) {
          bytes = Buffer.from(random() < 0.5 ? '' : ' \t ');
        }
        // Mutations may insert newlines (two lines) or bytes that are not UTF-8 (the chunk
        // then takes the slow path).
        parts.push(bytes, Buffer.from(random() < 0.2 ? '\r\n' : '\n'));
      }
      if (random() < 0.3) {
        parts.pop(); // the last line of a file without a final newline
      }
      const task: PartitionChunkTask = {
        bytes: Buffer.concat(parts),
        firstLine: 1 + Math.floor(random() * 1000),
        fileName: `${type}.ndjson`,
        fileIndex: Math.floor(random() * 3),
        type,
        partitions: 1 + Math.floor(random() * 7),
        shard: random() < 0.3 ? { index: Math.floor(random() * 2), count: 2 } : undefined,
        lineLimit: random() < 0.1 ? 200 : undefined,
      };
      const fast = partitionChunk(task);
      const slow = partitionChunk(task, { scan: false });
      expect(resultOf(fast)).toEqual(resultOf(slow));
      // The byte scanner alone, without the templates in front of it (json-templates.ts).
      expect(resultOf(partitionChunk(task, { templates: false }))).toEqual(resultOf(slow));
      chunks += 1;
      kept += slow.resources;
      errors += slow.errors.length;
    }
    expect(chunks).toBe(300);
    expect(kept).toBeGreaterThan(1_000);
    expect(errors).toBeGreaterThan(1_000);
  });

  test('the edge cases give the same results with and without the scanner', () => {
    const lines = [
      '{"resourceType":"Immunization","patient":{"reference":"Patient/p1/_history/3"}}',
      '{"resourceType":"Immunization","patient":{"reference":"http://x/fhir/Patient/p2"}}',
      '{"resourceType":"Immunization","patient":{"reference":"Patient/p1","reference":"Patient/p2"}}',
      '{"resourceType":"Immunization","patient":{"reference":"Patient/p1"},"patient":{"reference":"Group/1"}}',
      '{"resourceType":"Immunization","patient":{"reference":"Patient\\/p3"}}',
      '{"resourceType":"Immunization","p\\u0061tient":{"reference":"Patient/p4"}}',
      '{"resourceType":"Immunization","patient":"Patient/p5"}',
      '{"resourceType":"Immunization","patient":{"reference":"Patient/p 6"}}',
      '{"resourceType":"Immunization","patient":{"reference":"Patient/Zoë"}}',
      '{"resourceType":"Condition","subject":{"reference":"Patient/p7"}}',
      '{"resourceType":"Immunization","patient":{"reference":"Patient/p8"}}x',
      '[{"resourceType":"Immunization","patient":{"reference":"Patient/p9"}}]',
      '{}',
      ' ',
      `{"resourceType":"Immunization","n":${'['.repeat(20_000)}${']'.repeat(20_000)},"patient":{"reference":"Patient/p10"}}`,
      '{"resourceType":"Immunization","note":"Zoë","patient":{"reference":"Patient/p11"}}',
    ];
    const task: PartitionChunkTask = {
      bytes: Buffer.from(lines.join('\n')),
      firstLine: 1,
      fileName: 'Immunization.ndjson',
      fileIndex: 0,
      type: 'Immunization',
      partitions: 3,
    };
    const fast = partitionChunk(task);
    expect(resultOf(fast)).toEqual(resultOf(partitionChunk(task, { scan: false })));
    // p1 (_history), p2 (absolute), p2 (the last reference), p3 and p4 (escaped), p10, p11.
    expect(fast.resources).toBe(7);
    // A chunk with a byte that is not UTF-8 (read through the text, as before).
    const broken: PartitionChunkTask = {
      ...task,
      bytes: Buffer.concat([Buffer.from(`${lines[0]!}\n`), Buffer.from([0xff]), task.bytes]),
    };
    expect(resultOf(partitionChunk(broken))).toEqual(
      resultOf(partitionChunk(broken, { scan: false })),
    );
  });

  test('writes each kept line as its record: prefix, the line as read, a newline', () => {
    const lines = [
      '{"resourceType":"Immunization","patient":{"reference":"Patient/p1"}}',
      '{"resourceType":"Immunization","patient":{"reference":"https://x/fhir/Patient/p-2"}}',
      '{"resourceType":"Immunization","patient":{"reference":"Patient/p.3/_history/2"}} ',
      '{"resourceType":"Immunization","note":"Zoë\\u00e9","patient":{"reference":"Patient\\/p4"}}',
      'not json',
      '{"resourceType":"Immunization","patient":{"reference":"Patient/p5"}}\r',
    ];
    const ids = ['p1', 'p-2', 'p.3', 'p4', undefined, 'p5'];
    // Line numbers around every change of their number of digits, and past 2^31.
    for (const firstLine of [1, 5, 95, 99_997, 999_999_997, 2_147_483_645, 9_007_199_254_740_985]) {
      for (const scan of [true, false]) {
        const partitions = 3;
        const task: PartitionChunkTask = {
          bytes: Buffer.from(lines.join('\n')),
          firstLine,
          fileName: 'Immunization.003.ndjson',
          fileIndex: 12,
          type: 'Immunization',
          partitions,
        };
        const r = partitionChunk(task, { scan });
        const expected: string[] = Array.from({ length: partitions }, () => '');
        lines.forEach((line, n) => {
          const id = ids[n];
          if (id !== undefined) {
            const p = partitionOf(id, partitions);
            const text = line.endsWith('\r') ? line.slice(0, -1) : line;
            expected[p] = `${expected[p] ?? ''}${recordPrefix(id, 1, 12, firstLine + n)}${text}\n`;
          }
        });
        const records = Buffer.from(r.records);
        expect(
          expected.map((_, p) => records.toString('utf8', r.offsets[p], r.offsets[p + 1])),
        ).toEqual(expected);
        expect(r.errors).toHaveLength(1);
        expect(r.errors[0]).toContain(`Immunization.003.ndjson line ${firstLine + 4}:`);
      }
    }
  });

  test('a chunk of many lines, then a small one: the same results as with JSON.parse alone', () => {
    // 70,000 lines: more than the store of kept lines holds at first, and more than it keeps.
    const many = Array.from(
      { length: 70_000 },
      (_, i) => `{"resourceType":"Patient","id":"p${i}"}`,
    );
    for (const lines of [many, many.slice(0, 3)]) {
      const task: PartitionChunkTask = {
        bytes: Buffer.from(`${lines.join('\n')}\n`),
        firstLine: 1,
        fileName: 'Patient.ndjson',
        fileIndex: 0,
        type: 'Patient',
        partitions: 5,
      };
      const fast = partitionChunk(task);
      expect(fast.patients).toBe(lines.length);
      expect(resultOf(fast)).toEqual(resultOf(partitionChunk(task, { scan: false })));
    }
  });

  test('lines the scanner reads are not parsed with JSON.parse; the others are', () => {
    const lines = sampleLines()
      .filter((l) => l.type === 'Immunization')
      .map((l) => l.line);
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const task: PartitionChunkTask = {
        bytes: Buffer.from(`${lines.join('\n')}\nnot json\n{"resourceType":"Immunization"}\n`),
        firstLine: 1,
        fileName: 'Immunization.ndjson',
        fileIndex: 0,
        type: 'Immunization',
        partitions: 2,
      };
      const r = partitionChunk(task);
      expect(r.resources).toBe(lines.length);
      expect(r.errors).toHaveLength(2);
      expect(parse).toHaveBeenCalledTimes(2); // the two lines in error only
    } finally {
      parse.mockRestore();
    }
  });
});
