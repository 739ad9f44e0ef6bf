import { Readable } from 'node:stream';
import { ndjsonLineBatches, ndjsonLines, type InputLine } from '../../src/bulk/ndjson-lines';
import {
  inShard,
  parseShard,
  partitionOf,
  partitionOfBytes,
  shardOf,
  stableHash,
  stableHashOfBytes,
} from '../../src/bulk/shard';

async function lines(chunks: (string | Buffer)[], max = 100): Promise<InputLine[]> {
  const out: InputLine[] = [];
  for await (const l of ndjsonLines(Readable.from(chunks) as AsyncIterable<string | Buffer>, max)) {
    out.push(l);
  }
  return out;
}

describe('ndjsonLines', () => {
  test('splits lines across chunks, numbers every physical line, drops CR and a BOM', async () => {
    expect(await lines(['\ufeff{"a"', ':1}\r\n\n{"b":2}\n', '{"c"', ':3}'])).toEqual([
      { number: 1, text: '{"a":1}', bytes: 7 },
      { number: 2, text: '', bytes: 0 },
      { number: 3, text: '{"b":2}', bytes: 7 },
      { number: 4, text: '{"c":3}', bytes: 7 },
    ]);
    expect(await lines(['x\n'])).toEqual([{ number: 1, text: 'x', bytes: 1 }]);
  });

  test('keeps a multi-byte character split between chunks, and counts the line in bytes', async () => {
    const bytes = Buffer.from('{"n":"Zoë"}\n');
    expect(await lines([bytes.subarray(0, 9), bytes.subarray(9)])).toEqual([
      { number: 1, text: '{"n":"Zoë"}', bytes: 12 },
    ]);
  });

  test('reports a line over the limit by number and size, without keeping it, and goes on', async () => {
    const chunks = ['ok\n', 'y'.repeat(60), 'y'.repeat(60), 'y'.repeat(60), '\nnext\n'];
    expect(await lines(chunks)).toEqual([
      { number: 1, text: 'ok', bytes: 2 },
      { number: 2, tooLong: true, bytes: 180 },
      { number: 3, text: 'next', bytes: 4 },
    ]);
    expect(await lines(['z'.repeat(101), '\n'])).toEqual([
      { number: 1, tooLong: true, bytes: 101 },
    ]);
    expect(await lines(['z'.repeat(100), '\r\n'])).toEqual([
      { number: 1, text: 'z'.repeat(100), bytes: 100 },
    ]);
  });
  test('in batches: the lines each chunk ends, the same lines, never an empty batch', async () => {
    const chunks = [
      '\ufeff{"a"',
      ':1}\r\n\n{"b":2}\n',
      '{"c"',
      ':3}\nok\n',
      'y'.repeat(150),
      '\nlast',
    ];
    const batches: InputLine[][] = [];
    for await (const batch of ndjsonLineBatches(
      Readable.from(chunks) as AsyncIterable<string | Buffer>,
      100,
    )) {
      batches.push(batch);
    }
    expect(batches).toEqual([
      [
        { number: 1, text: '{"a":1}', bytes: 7 },
        { number: 2, text: '', bytes: 0 },
        { number: 3, text: '{"b":2}', bytes: 7 },
      ],
      [
        { number: 4, text: '{"c":3}', bytes: 7 },
        { number: 5, text: 'ok', bytes: 2 },
      ],
      [{ number: 6, tooLong: true, bytes: 150 }],
      [{ number: 7, text: 'last', bytes: 4 }],
    ]);
    expect(batches.flat()).toEqual(await lines(chunks));
  });
});

describe('shards', () => {
  test('are stable (FNV-1a of the id, MurmurHash3 finaliser) and spread evenly', () => {
    // Values from an independent implementation (Python), so a change of hash is caught: it
    // would move patients between the shards of machines running different versions.
    expect(stableHash('p1')).toBe(0x4f120a39);
    expect(stableHash('Patient-007')).toBe(0x6a55f9de);
    expect(shardOf('p1', 1000)).toBe(329);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      counts[shardOf(`patient-${i}`, 4)]! += 1;
    }
    for (const c of counts) {
      expect(c).toBeGreaterThan(850);
    }
    // Partitions use other bits: one shard's patients still fill every partition.
    const parts = new Set<number>();
    for (let i = 0; i < 4000; i++) {
      if (shardOf(`patient-${i}`, 4) === 0) {
        parts.add(partitionOf(`patient-${i}`, 8));
      }
    }
    expect(parts.size).toBe(8);
  });

  test('hash an id the same from its bytes (pass 1 does not decode it) as from its text', () => {
    const ids = ['p1', 'Patient-007', 'a', 'A.b-9', 'x'.repeat(64)];
    for (let i = 0; i < 2000; i++) {
      ids.push(`p${i}`, `${i}-${(i * 7919).toString(36)}.Z`);
    }
    for (const id of ids) {
      // Inside a larger buffer, between bytes that are not the id's.
      const bytes = Buffer.from(`"Patient/${id}"`, 'latin1');
      const start = 9;
      const end = start + id.length;
      expect(stableHashOfBytes(bytes, start, end)).toBe(stableHash(id));
      expect(stableHashOfBytes(bytes, start, end, 0x2f4a1a8d)).toBe(stableHash(id, 0x2f4a1a8d));
      for (const shard of [undefined, { index: 0, count: 1 }, { index: 1, count: 3 }]) {
        const expected =
          shard !== undefined && !inShard(id, shard) ? -1 : partitionOf(id, 1 + (id.length % 9));
        expect(partitionOfBytes(bytes, start, end, shard, 1 + (id.length % 9))).toBe(expected);
      }
    }
  });

  test('--shard is i/n counted from 1', () => {
    expect(parseShard('1/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard('4/4')).toEqual({ index: 3, count: 4 });
    expect(parseShard('5/4')).toMatch(/need 1 ≤ i ≤ n/);
    expect(parseShard('1-4')).toMatch(/must be i\/n/);
  });
});
