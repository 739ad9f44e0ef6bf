/**
 * The template readers of export lines and of bulk request lines (json-templates.ts): whatever
 * they read, they read as `JSON.parse` does — the same value, key order included, or the same
 * error — on the lines of a generated export or request, hand-written edge cases, and thousands
 * of seeded random mutations read after the templates of the originals were learned. The counts
 * show the templates did the reading.
 */
import { isUtf8 } from 'node:buffer';
import { prng, syntheticPopulation, toParameters } from '../../bench/population';
import { EXPORT_TYPES, type ExportType } from '../../src/bulk/export-types';
import { JsonTemplates, ParametersTemplates, TemplateScanner } from '../../src/bulk/json-templates';
import { LineScanner } from '../../src/bulk/resource-scan';
import { mutate, sampleLines, validMutation } from './export-lines';

/** Characters put in place of a letter or digit: quotes, escapes, controls, number syntax. */
const REPLACEMENTS = [
  '"',
  '\\',
  '\u0001',
  '\t',
  ' ',
  'é',
  '-',
  '+',
  '.',
  'e',
  'E',
  '0',
  '7',
  'x',
  '}',
  ',',
];

/**
 * A copy of a line with one to three of its letters or digits replaced: mostly inside values
 * (the shape stays, a template reads the line), sometimes in a key or a literal.
 */
function editCharacters(line: Buffer, random: () => number): Buffer {
  let text = line.toString();
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * text.length);
    if (/[A-Za-z0-9]/.test(text.charAt(at))) {
      const r = REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)] ?? 'x';
      text = `${text.slice(0, at)}${r}${text.slice(at + 1)}`;
    }
  }
  return Buffer.from(text);
}

/** Templates tried on every line (the correctness tests; the default gives up on mixed shapes). */
const EVERY_LINE = { adaptive: false } as const;

/** A valid mutation (15 %), a random one (35 %), or letters and digits edited (50 %). */
function anyMutation(line: Buffer, random: () => number): Buffer {
  const pick = random();
  return pick < 0.15
    ? validMutation(line, random)
    : pick < 0.5
      ? mutate(line, random)
      : editCharacters(line, random);
}

type Outcome = { value: unknown } | { error: string };

/**
 * Reads a line as a forecasting thread does: from the text of a patient's records (a record
 * prefix before it, another record after it), decoded from their bytes.
 */
function read(reader: JsonTemplates, line: Buffer | string): Outcome {
  const before = Buffer.from('p1\t1\t0\t7\t');
  const bytes = Buffer.concat([before, Buffer.from(line), Buffer.from('\np1\t1\t0\t8\t{"a":1}')]);
  const text = bytes.toString('utf8');
  const start = before.length;
  const end = text.indexOf('\np1\t1\t0\t8\t');
  try {
    return { value: reader.parse(text, start, end) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

function parsed(line: Buffer | string): Outcome {
  try {
    return { value: JSON.parse(line.toString()) as unknown };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** `depth` empty arrays nested in each other, as JSON. */
function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** How deep a value of {@link nested} is (counted without recursion: it can be very deep). */
function depthOf(value: unknown): number {
  let depth = 0;
  let v = value;
  while (Array.isArray(v)) {
    depth++;
    if (v.length === 0) {
      return depth;
    }
    expect(v).toHaveLength(1);
    v = v[0] as unknown;
  }
  return -1;
}

/** The same outcome: equal values (types, -0, key order) or the same error. */
function expectSame(actual: Outcome, expected: Outcome): void {
  expect(actual).toStrictEqual(expected);
  if ('value' in actual && 'value' in expected) {
    expect(JSON.stringify(actual.value)).toBe(JSON.stringify(expected.value));
  }
}

describe('JsonTemplates', () => {
  test('every line of a generated export reads as JSON.parse reads it, most by a template', () => {
    const readers = new Map<string, JsonTemplates>();
    const lines = sampleLines();
    for (const { type, line } of lines) {
      const reader = readers.get(type) ?? new JsonTemplates(EVERY_LINE);
      readers.set(type, reader);
      expectSame(read(reader, line), parsed(line));
    }
    const hits = [...readers.values()].reduce((n, r) => n + r.stats.hits, 0);
    expect(hits).toBeGreaterThan(lines.length * 0.8);
  });

  test('values of a learned shape: strings and numbers read exactly, anything doubtful by JSON.parse', () => {
    const reader = new JsonTemplates(EVERY_LINE);
    const line = (s: string, n: string): string => `{"s":"${s}","n":${n},"b":[true,null],"o":{}}`;
    expectSame(read(reader, line('x', '1')), parsed(line('x', '1')));
    expect(reader.stats.learned).toBe(1);
    const strings = [
      '',
      'plain',
      'a b',
      '\u007f',
      'é',
      '日本',
      '\\"',
      '\\u0041',
      '\\n',
      '\t',
      '\u0001',
      'a"b',
      '"',
    ];
    const numbers = [
      '0',
      '-0',
      '7',
      '-12',
      '1.5',
      '1e5',
      '1E+5',
      '2.5e-3',
      '1e400',
      '-1e-400',
      '123456789012345678901234567890',
      '01',
      '1.',
      '.5',
      '+1',
      '-',
      '1e',
      '1e+',
      '0x1',
      '1_0',
      'Infinity',
      'NaN',
      '--1',
      '1..2',
      'tru',
    ];
    for (const s of strings) {
      for (const n of numbers) {
        expectSame(read(reader, line(s, n)), parsed(line(s, n)));
      }
    }
    // Only the plain values were read by the template: ASCII strings without escapes, valid
    // numbers (one shape, so nothing else was learned).
    expect(reader.stats.learned).toBe(1);
    expect(reader.stats.hits).toBeGreaterThan(4 * 10);
  });

  test('the lines of another shape, with whitespace or a key twice, go through JSON.parse', () => {
    const reader = new JsonTemplates(EVERY_LINE);
    const lines = [
      '{"a":"x","b":[1,2]}',
      '{"a":"y","b":[1,2,3]}',
      '{"a":"y","b":[1]}',
      '{"a": "x","b":[1,2]}',
      '{"a":"x","b":[1,2]} ',
      '{"a":"x","a":"z","b":[1,2]}',
      '{"b":[1,2],"a":"x"}',
      '{"a":"x","b":[1,2]}{"a":"x","b":[1,2]}',
      '{"a":"x","b":[1,2]',
      '{"a":"x","b":[1,2],}',
      '{"a":"x","b":{"0":1,"1":2}}',
    ];
    for (const l of [...lines, ...lines]) {
      expectSame(read(reader, l), parsed(l));
    }
  });

  test('a __proto__ key is an own property, as JSON.parse makes it, never the prototype', () => {
    const reader = new JsonTemplates(EVERY_LINE);
    const line = '{"__proto__":{"polluted":"yes"},"a":"b"}';
    for (let i = 0; i < 3; i++) {
      const outcome = read(reader, line);
      expectSame(outcome, parsed(line));
      const value = (outcome as { value: object }).value;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(reader.stats.learned).toBe(0);
  });

  test('a value nested thousands of levels deep reads as JSON.parse reads it (not learned)', () => {
    const reader = new JsonTemplates(EVERY_LINE);
    for (const depth of [60, 70, 20_000]) {
      const line = `{"a":${nested(depth)}}`;
      for (let i = 0; i < 2; i++) {
        const outcome = read(reader, line) as { value: { a: unknown } };
        expect(Object.keys(outcome.value)).toEqual(['a']);
        expect(depthOf(outcome.value.a)).toBe(depth);
      }
    }
    // The shallow one was learned and read again by its template; the deep ones were not.
    expect(reader.stats).toEqual({ hits: 1, learned: 1 });
  });

  test('each line gets objects of its own', () => {
    const reader = new JsonTemplates(EVERY_LINE);
    const line = '{"a":{"b":["c"]}}';
    const first = read(reader, line) as { value: { a: { b: string[] } } };
    first.value.a.b.push('changed');
    expectSame(read(reader, line), parsed(line));
    expect(reader.stats.hits).toBe(1);
  });

  test('a line whose bytes are not one character each is read by JSON.parse, with the right offsets', () => {
    const reader = new JsonTemplates(EVERY_LINE);
    const plain = '{"family":"Muller","given":["Zoe"]}';
    const accented = '{"family":"Müller","given":["Zoë"]}';
    expectSame(read(reader, plain), parsed(plain));
    expectSame(read(reader, accented), parsed(accented));
    expectSame(read(reader, plain), parsed(plain));
    expect(reader.stats.hits).toBe(1);
  });

  test('an export whose lines never repeat a shape stops learning', () => {
    const reader = new JsonTemplates(EVERY_LINE);
    for (let i = 0; i < 500; i++) {
      const line = `{"k${i}":"v"}`;
      expectSame(read(reader, line), parsed(line));
    }
    expect(reader.stats.hits).toBe(0);
    expect(reader.stats.learned).toBeLessThanOrEqual(8);
  });

  test('mutated lines read after their originals: the same value or error as JSON.parse', () => {
    const random = prng(20261123);
    const lines = sampleLines();
    const readers = new Map<string, JsonTemplates>();
    let changedAndHit = 0;
    let tried = 0;
    for (let n = 0; n < 12_000; n++) {
      const { type, line } = lines[Math.floor(random() * lines.length)]!;
      const reader = readers.get(type) ?? new JsonTemplates(EVERY_LINE);
      readers.set(type, reader);
      const original = Buffer.from(line);
      read(reader, original); // the template of the original, if it has one, is learned
      const mutated = anyMutation(original, random);
      if (!isUtf8(mutated)) {
        continue; // pass 1 lets only valid UTF-8 through to the forecasting threads
      }
      tried++;
      const hits = reader.stats.hits;
      expectSame(read(reader, mutated), parsed(mutated));
      if (reader.stats.hits > hits && !mutated.equals(original)) {
        changedAndHit++;
      }
    }
    expect(tried).toBeGreaterThan(8_000);
    // Many changed lines were read by a template (values edited within the shape).
    expect(changedAndHit).toBeGreaterThan(1_000);
  });

  test('lines of many shapes mixed go to JSON.parse after a trial, one shape keeps the templates', () => {
    // Five optional members, each line with a random choice of them: 32 shapes, evenly mixed.
    const random = prng(5);
    const optional: [string, string][] = [
      ['lotNumber', '"L1"'],
      ['primarySource', 'true'],
      ['note', '[{"text":"n"}]'],
      ['doseQuantity', '{"value":0.5,"unit":"mL"}'],
      ['site', '{"text":"arm"}'],
    ];
    const mixed = new JsonTemplates();
    const single = new JsonTemplates();
    for (let i = 0; i < 2_000; i++) {
      const members = optional.filter(() => random() < 0.5).map(([k, v]) => `,"${k}":${v}`);
      const line = `{"resourceType":"Immunization","id":"i${i}"${members.join('')}}`;
      expectSame(read(mixed, line), parsed(line));
      const plain = `{"resourceType":"Immunization","id":"i${i}"}`;
      expectSame(read(single, plain), parsed(plain));
    }
    // The mixed reader gave up after its first window of 64 lines (it tries again after
    // 16,384); the single-shape one read all but its first line by template.
    expect(mixed.stats.hits).toBeLessThan(64);
    expect(single.stats.hits).toBe(1_999);
  });
});

describe('TemplateScanner (pass 1)', () => {
  /** The positions a scanner set, or false. */
  function positions(
    scanner: TemplateScanner | LineScanner,
    read: boolean,
  ): false | [number, number, number, number] {
    return read && [scanner.typeStart, scanner.typeEnd, scanner.patientStart, scanner.patientEnd];
  }

  test('a line a template reads, the byte scanner reads too, at the same positions (mutated lines)', () => {
    const random = prng(20261124);
    const lines = sampleLines();
    const scanners = new Map<ExportType, { templates: TemplateScanner; bytes: LineScanner }>();
    let readByTemplate = 0;
    let changedAndRead = 0;
    for (let n = 0; n < 12_000; n++) {
      const { type, line } = lines[Math.floor(random() * lines.length)]!;
      const pair = scanners.get(type) ?? {
        templates: new TemplateScanner(EXPORT_TYPES[type], EVERY_LINE),
        bytes: new LineScanner(EXPORT_TYPES[type]),
      };
      scanners.set(type, pair);
      // The original, as pass 1 reads it: by template, else by the byte scanner (then learned).
      const original = Buffer.from(line);
      if (!pair.templates.scan(original, 0, original.length)) {
        if (pair.bytes.scan(original, 0, original.length)) {
          pair.templates.learn(original, 0, original.length, pair.bytes);
        }
      }
      const mutated = anyMutation(original, random);
      if (!isUtf8(mutated)) {
        continue; // pass 1 scans valid UTF-8 only
      }
      // Somewhere inside a larger buffer, as in a chunk.
      const chunk = Buffer.concat([Buffer.from('{"a":1}\n'), mutated, Buffer.from('\n{}')]);
      const start = 8;
      const end = start + mutated.length;
      const byTemplate = pair.templates.scan(chunk, start, end);
      if (byTemplate) {
        readByTemplate++;
        if (!mutated.equals(original)) {
          changedAndRead++;
        }
        expect(positions(pair.bytes, pair.bytes.scan(chunk, start, end))).toEqual(
          positions(pair.templates, true),
        );
      }
    }
    expect(readByTemplate).toBeGreaterThan(2_000);
    expect(changedAndRead).toBeGreaterThan(1_000);
  });

  test('a line nested thousands of levels deep is read by the byte scanner, not learned', () => {
    const templates = new TemplateScanner('patient', EVERY_LINE);
    const bytes = new LineScanner('patient');
    const line = Buffer.from(
      `{"resourceType":"Immunization","patient":{"reference":"Patient/a"},"note":${nested(20_000)}}`,
    );
    for (let i = 0; i < 2; i++) {
      expect(templates.scan(line, 0, line.length)).toBe(false);
      expect(bytes.scan(line, 0, line.length)).toBe(true);
      templates.learn(line, 0, line.length, bytes);
    }
    expect(templates.stats.learned).toBe(0);
  });

  test('learns only lines whose template gives the byte scanner positions', () => {
    const templates = new TemplateScanner('patient', EVERY_LINE);
    const bytes = new LineScanner('patient');
    const learn = (line: string): void => {
      const b = Buffer.from(line);
      expect(bytes.scan(b, 0, b.length)).toBe(true);
      templates.learn(b, 0, b.length, bytes);
    };
    // The template of a line the byte scanner read, checked against its positions.
    learn(
      '{"resourceType":"Immunization","patient":{"display":"x","reference":"Patient/a"},"x":1}',
    );
    expect(templates.stats.learned).toBe(1);
    const read = (line: string): boolean => {
      const b = Buffer.from(line);
      return templates.scan(b, 0, b.length);
    };
    expect(
      read(
        '{"resourceType":"Immunization","patient":{"display":"y","reference":"Patient/b"},"x":2}',
      ),
    ).toBe(true);
    expect(templates.patientStart).toBe(
      '{"resourceType":"Immunization","patient":{"display":"y","reference":"'.length,
    );
    // Another shape, an escape, a non-ASCII value: not by template.
    expect(read('{"resourceType":"Immunization","patient":{"reference":"Patient/b"},"x":2}')).toBe(
      false,
    );
    expect(
      read(
        '{"resourceType":"Immunization","patient":{"display":"\\u0041","reference":"Patient/b"},"x":2}',
      ),
    ).toBe(false);
    expect(
      read(
        '{"resourceType":"Immunization","patient":{"display":"é","reference":"Patient/b"},"x":2}',
      ),
    ).toBe(false);
    // A line whose patient is not where the scanner reads it is not learned.
    const other = new TemplateScanner('patient', EVERY_LINE);
    const b = Buffer.from('{"resourceType":"Immunization","patient":{"reference":"Patient/a"}}');
    other.learn(b, 0, b.length, { typeStart: 0, typeEnd: 0, patientStart: 0, patientEnd: 0 });
    expect(other.stats.learned).toBe(0);
  });
});

describe('ParametersTemplates (bulk request lines)', () => {
  /** Request lines of the bench population, as a registry would send them. */
  function requestLines(count: number): string[] {
    const lines: string[] = [];
    for (const p of syntheticPopulation(count, { assessmentDate: '2026-11-01', seed: 9 })) {
      lines.push(JSON.stringify(toParameters(p)));
    }
    return lines;
  }

  function readLine(reader: ParametersTemplates, line: string): Outcome {
    try {
      return { value: reader.parse(line) };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }

  test('request lines read as JSON.parse reads them, nearly every parameter by a template', () => {
    const reader = new ParametersTemplates(EVERY_LINE);
    const lines = requestLines(300);
    let parameters = 0;
    for (const line of lines) {
      expectSame(readLine(reader, line), parsed(line));
      parameters += (JSON.parse(line) as { parameter: unknown[] }).parameter.length;
    }
    expect(parameters).toBeGreaterThan(1_000);
    expect(reader.stats.hits).toBeGreaterThan(parameters * 0.9);
    expect(reader.stats.learned).toBeLessThan(20);
  });

  test('other layouts, broken or truncated lines, non-ASCII: the same value or error', () => {
    const reader = new ParametersTemplates(EVERY_LINE);
    const [line = ''] = requestLines(1);
    const head = '{"resourceType":"Parameters","parameter":[';
    const first = line.slice(head.length, line.indexOf(',{"name"'));
    const variants = [
      line,
      line,
      `${head}]}`,
      `${head}${first}]}`,
      `${head}${first},${first}]}`,
      `${head}${first}]} `,
      `${head}${first}]}x`,
      `${head}${first}]]`,
      `${head}${first}]`,
      `${head}${first},]}`,
      `${head}${first} ,${first}]}`,
      `${head}${first}, ${first}]}`,
      `${head}${first}${first}]}`,
      `${head}${first}x${first}]}`,
      `${head}${first}]x${first}]}`,
      head,
      `${head}${first}`,
      line.slice(0, 50),
      line.slice(0, -1),
      '{"resourceType":"Parameters","id":"x","parameter":[]}',
      `{"resourceType":"Parameters","parameter":[${first}],"parameter":[]}`,
      `{"resourceType":"Parameters","parameter":[${first}],"id":"x"}`,
      `{"resourceType":"Parameters","parameter":{}}`,
      `{ "resourceType":"Parameters","parameter":[${first}]}`,
      line.replace('"p0"', '"p\\u00e9"'),
      line.replace('"p0"', '"pé"'),
      line.replace('"p0"', '"p\\ud800"'),
      line.replace('"p0"', `"p${String.fromCharCode(0xd800)}"`),
      line.replace('"p0"', `"p${String.fromCharCode(0x122)}"`),
      line.replace('"male"', '"ma\\"le"'),
      line.replace('"resource":{', '"resource":{"__proto__":{"polluted":"yes"},'),
      line.replace('"p0"', `"p${'0'.repeat(1024 * 1024)}"`),
      '',
      'x',
    ];
    // A value whose characters beyond Latin-1 would, cut to one byte each, look like the members
    // after it (U+0122 → `"`): the line has no gender, its id says so in its text.
    const disguised = line.replace(
      /"id":"p0","gender":"(\w+)"/,
      (_, gender: string) => `"id":"p0\u0122,\u0122gender\u0122:\u0122${gender}"`,
    );
    expect(disguised).not.toBe(line);
    variants.push(disguised);
    for (const v of [...variants, ...variants]) {
      expectSame(readLine(reader, v), parsed(v));
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(reader.stats.hits).toBeGreaterThan(10);
  });

  test('a parameter nested thousands of levels deep reads as JSON.parse reads it', () => {
    const reader = new ParametersTemplates(EVERY_LINE);
    const line = `{"resourceType":"Parameters","parameter":[{"name":"a","part":${nested(20_000)}}]}`;
    for (let i = 0; i < 2; i++) {
      const { value } = readLine(reader, line) as {
        value: { resourceType: string; parameter: { name: string; part: unknown }[] };
      };
      expect(value.resourceType).toBe('Parameters');
      expect(value.parameter).toHaveLength(1);
      expect(value.parameter[0]?.name).toBe('a');
      expect(depthOf(value.parameter[0]?.part)).toBe(20_000);
    }
    expect(reader.stats.learned).toBe(0);
  });

  test('each line gets objects of its own', () => {
    const reader = new ParametersTemplates(EVERY_LINE);
    const [line = ''] = requestLines(1);
    for (let i = 0; i < 3; i++) {
      const outcome = readLine(reader, line) as { value: { parameter: { name: string }[] } };
      expect(outcome.value).toStrictEqual(JSON.parse(line));
      outcome.value.parameter.push({ name: 'changed' });
      (outcome.value.parameter[0] as { name: string }).name = 'changed';
    }
    expect(reader.stats.hits).toBeGreaterThan(10);
  });

  test('mutated request lines read after their originals: the same value or error as JSON.parse', () => {
    const random = prng(20261122);
    const lines = requestLines(40);
    const reader = new ParametersTemplates(EVERY_LINE);
    let changedAndHit = 0;
    for (let n = 0; n < 3_000; n++) {
      const line = lines[Math.floor(random() * lines.length)] ?? '';
      readLine(reader, line);
      const original = Buffer.from(line);
      // A mutation at a random place, or within one parameter (most of a line is parameters).
      const mutated = anyMutation(original, random).toString();
      const hits = reader.stats.hits;
      const before = (JSON.parse(line) as { parameter: unknown[] }).parameter.length;
      expectSame(readLine(reader, mutated), parsed(mutated));
      if (reader.stats.hits - hits >= before && mutated !== line) {
        changedAndHit++;
      }
    }
    // Many changed lines were read by templates throughout (values edited within the shape).
    expect(changedAndHit).toBeGreaterThan(300);
  });

  test('lines that fail late, or have another layout, go to JSON.parse after a trial', () => {
    // Five parameters of one shape, then one of a shape never seen before, in every line.
    const late = new ParametersTemplates();
    const same = '{"name":"immunization","resource":{"resourceType":"Immunization","id":"i"}}';
    for (let i = 0; i < 2_000; i++) {
      const line = `{"resourceType":"Parameters","parameter":[${`${same},`.repeat(5)}{"name":"x","v${i}":1}]}`;
      expectSame(readLine(late, line), parsed(line));
    }
    // The first window's lines read their five parameters by template, then the reader stopped
    // trying (until 16,384 lines later); it learned the one shape and, unpaid, no more.
    expect(late.stats.hits).toBeLessThanOrEqual(64 * 5);
    expect(late.stats.learned).toBeLessThanOrEqual(8);
    // Lines of another layout (`id` first) cannot be read by template: after a window of them
    // the reader stops looking, even at lines it could read.
    const other = new ParametersTemplates();
    const plain = `{"resourceType":"Parameters","parameter":[${same}]}`;
    const read = (line: string): void => {
      expectSame(readLine(other, line), parsed(line));
    };
    read(plain);
    read(plain);
    expect(other.stats.hits).toBe(1);
    for (let i = 0; i < 100; i++) {
      read(`{"resourceType":"Parameters","id":"r${i}","parameter":[${same}]}`);
    }
    for (let i = 0; i < 10; i++) {
      read(plain);
    }
    expect(other.stats.hits).toBe(1);
  });

  test('parameters of many shapes go to JSON.parse after a trial', () => {
    const reader = new ParametersTemplates();
    for (let i = 0; i < 2_000; i++) {
      const line = `{"resourceType":"Parameters","parameter":[{"name":"k${i}","value${i}":"v"}]}`;
      expectSame(readLine(reader, line), parsed(line));
    }
    expect(reader.stats.hits).toBe(0);
    expect(reader.stats.learned).toBeLessThanOrEqual(8);
  });
});
