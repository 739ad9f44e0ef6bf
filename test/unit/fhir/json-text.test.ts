/**
 * The forecast output is written as ASCII JSON text and sent as `latin1` bytes: these tests
 * check that whatever a string holds, the text is ASCII, valid JSON, and parses back to the
 * same string — so the bytes sent are the UTF-8 of the same JSON.
 */
import { asciiJson, jsonString, jsonValue } from '../../../src/fhir/json-text';

/** ASCII only: its UTF-8 bytes are as many as its UTF-16 code units. */
const isAscii = (text: string): boolean => Buffer.byteLength(text, 'utf8') === text.length;

const samples = [
  '',
  'evaluation-12',
  'Immunization/hepb-1',
  'Age: Too Young — given 10 days before the minimum age',
  'quote " backslash \\ slash /',
  'tab\tnewline\ncarriage\rnul\u0000del\u007f',
  'café, naïve, ß, ÿ',
  'Ω ≥ 5 µg',
  'emoji 💉 and a lone surrogate \ud800 end',
  '\u2028line separator\u2029',
];

describe('jsonString', () => {
  test.each(samples.map((s) => [s]))('%j is ASCII JSON that parses back to itself', (s) => {
    const json = jsonString(s);
    expect(isAscii(json)).toBe(true);
    // A lone surrogate too: JSON.stringify writes it as an escape, which parses back to it.
    expect(JSON.parse(json)).toBe(s);
  });

  test('writes plain strings as they are and escapes the rest as JSON.stringify does, then non-ASCII as \\u', () => {
    expect(jsonString('evaluation-1')).toBe('"evaluation-1"');
    expect(jsonString('a"b')).toBe('"a\\"b"');
    expect(jsonString('é—')).toBe('"\\u00e9\\u2014"');
    expect(jsonString('💉')).toBe('"\\ud83d\\udc89"');
  });
});

describe('jsonValue and asciiJson', () => {
  test('give ASCII JSON equal, once parsed, to JSON.stringify', () => {
    const value = { text: samples, n: 3, nested: [{ display: 'Ω' }, null, true] };
    const json = jsonValue(value);
    expect(isAscii(json)).toBe(true);
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(value)));
    expect(asciiJson(JSON.stringify('—'))).toBe('"\\u2014"');
  });
});
