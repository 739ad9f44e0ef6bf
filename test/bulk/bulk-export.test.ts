/**
 * Pass 1 of reading a bulk export (partitioning by patient) in chunks of lines, on threads or on
 * the calling thread: the same partition records, line numbers, errors (in line order) and
 * progress as reading the file line by line, wherever the chunks are cut — in the middle of a
 * line, of a multi-byte character, between a CR and its newline, inside an over-long line.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { OperationOutcome } from 'fhir/r4';
import { writeBulkExport } from '../../bench/population';
import { findExportFiles, readExport, type ReadExportOptions } from '../../src/bulk/bulk-export';
import { createThreadPool } from '../../src/bulk/executor';
import type { BulkItem } from '../../src/bulk/forecast-item';
import { patientSources } from '../../src/bulk/partition-record';
import { ndjsonChunks, ndjsonLineBatches } from '../../src/bulk/ndjson-lines';
import {
  partitionChunk,
  tooLongError,
  type PartitionChunkTask,
} from '../../src/bulk/partition-chunk';
import { inShard, type Shard } from '../../src/bulk/shard';
import { EXIT, OUTPUT_FILES, runForecastBulk } from '../../src/cli/forecast-bulk';
import { repoRoot } from '../fhir/builders';
import { twoThreadPool } from './support';

let dir: string;
/** A small export with broken lines, multi-byte text, CRLF and an over-long line inside the files. */
let exp: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bulk-export-test-'));
  exp = join(dir, 'export');
  await writeBulkExport(exp, 150, { assessmentDate: '2026-03-20', seed: 11, perFile: 900 });
  // Broken lines, multi-byte text, CRLF and an over-long line in the middle of the files.
  const imm1 = join(exp, 'Immunization.001.ndjson');
  const lines = readFileSync(imm1, 'utf8').split('\n');
  lines.splice(100, 0, 'not json', '', `${imm('Patient/p3', ',"note":"Zoë"')}\r`);
  lines.splice(300, 0, 'w'.repeat(5000), imm('Group/9'));
  writeFileSync(imm1, lines.join('\n'));
  const pat = join(exp, 'Patient.ndjson');
  writeFileSync(pat, `\ufeff${readFileSync(pat, 'utf8')}{"resourceType":"Patient","id":"p3"}\n`);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** What pass 1 gives for a file: each partition's bytes, the errors, the counts. */
interface Partitioned {
  readonly partitions: Buffer[];
  readonly errors: string[];
  readonly resources: number;
  readonly patients: number;
  readonly bytesRead: number;
  readonly linesRead: number;
}

type FileTask = Omit<PartitionChunkTask, 'bytes' | 'firstLine'>;

function source(chunks: readonly Buffer[]): AsyncIterable<Buffer> {
  return Readable.from(chunks) as AsyncIterable<Buffer>;
}

/** Pass 1's results for one file, gathered chunk by chunk (or line by line). */
class Collected {
  private readonly parts: Buffer[][];
  private readonly errors: string[] = [];
  private resources = 0;
  private patients = 0;
  bytesRead = 0;
  linesRead = 0;

  constructor(private readonly file: FileTask) {
    this.parts = Array.from({ length: file.partitions }, () => []);
  }

  /** A line over the limit: an error, reported by shard 1 only. */
  tooLong(number: number, bytes: number): void {
    this.bytesRead += bytes + 1;
    if (this.file.shard === undefined || this.file.shard.index === 0) {
      this.errors.push(
        tooLongError(`${this.file.fileName} line ${number}`, bytes, this.file.lineLimit ?? 0),
      );
    }
  }

  /** What `partitionChunk` gave for a piece of the file. */
  add(r: ReturnType<typeof partitionChunk>): void {
    this.errors.push(...r.errors);
    this.resources += r.resources;
    this.patients += r.patients;
    for (let p = 0; p < this.file.partitions; p++) {
      this.parts[p]!.push(Buffer.from(r.records.subarray(r.offsets[p], r.offsets[p + 1])));
    }
  }

  result(): Partitioned {
    return {
      partitions: this.parts.map((p) => Buffer.concat(p)),
      errors: this.errors,
      resources: this.resources,
      patients: this.patients,
      bytesRead: this.bytesRead,
      linesRead: this.linesRead,
    };
  }
}

/**
 * The reference, as the pass worked before chunks: the lines one by one as `ndjsonLineBatches`
 * splits and decodes them, each checked and partitioned on its own (its decoded text re-encoded).
 */
async function lineByLine(chunks: readonly Buffer[], file: FileTask): Promise<Partitioned> {
  const got = new Collected(file);
  for await (const batch of ndjsonLineBatches(source(chunks), file.lineLimit ?? 0)) {
    for (const line of batch) {
      if (!('text' in line)) {
        got.tooLong(line.number, line.bytes);
        continue;
      }
      got.bytesRead += line.bytes + 1;
      got.linesRead += 1;
      got.add(
        partitionChunk({ ...file, bytes: Buffer.from(`${line.text}\n`), firstLine: line.number }),
      );
    }
  }
  return got.result();
}

/** The new way: chunks of whole lines cut by `ndjsonChunks`, each partitioned at once. */
async function inChunks(chunks: readonly Buffer[], file: FileTask): Promise<Partitioned> {
  const got = new Collected(file);
  for await (const chunk of ndjsonChunks(source(chunks), file.lineLimit ?? 0)) {
    if (chunk.kind === 'too-long') {
      got.tooLong(chunk.number, chunk.bytes);
      continue;
    }
    expect(chunk.bytes.byteLength).toBe(chunk.bytes.buffer.byteLength); // movable to a thread
    const r = partitionChunk({ ...file, bytes: chunk.bytes, firstLine: chunk.firstLine });
    got.bytesRead += r.bytesRead;
    got.linesRead += r.linesRead;
    got.add(r);
  }
  return got.result();
}

/** The bytes cut every `size` bytes. */
function cut(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    chunks.push(bytes.subarray(i, i + size));
  }
  return chunks;
}

const diagnostics = (errors: readonly string[]): string[] =>
  errors.map((e) => (JSON.parse(e) as OperationOutcome).issue[0]!.diagnostics!);

const imm = (ref: string, extra = ''): string =>
  `{"resourceType":"Immunization","patient":{"reference":"${ref}"}${extra}}`;

const LIMIT = 120;

/** An Immunization file with every kind of line, 1-based line numbers in the comments. */
const EDGES = Buffer.concat([
  Buffer.from('\ufeff'), // a BOM: not part of line 1
  Buffer.from(`${imm('Patient/a')}\r\n`), // 1, CRLF
  Buffer.from('\n'), // 2, blank
  Buffer.from('not json\n'), // 3
  Buffer.from('{"resourceType":"Patient","id":"x"}\n'), // 4, wrong type
  Buffer.from(`${imm('Group/1')}\n`), // 5, no patient
  Buffer.from(`${'y'.repeat(200)}\n`), // 6, over the limit
  Buffer.from(`${imm('Patient/b', ',"note":"Zoë 😀 ✓"')}\n`), // 7, multi-byte characters
  Buffer.from(' \t \r\n'), // 8, blank too
  Buffer.from(`${imm('Patient/c', `,"n":"${'z'.repeat(LIMIT - 74)}"`)}\r\n`), // 9, the limit exactly (CR not counted)
  Buffer.from(`${imm('Patient/d', `,"n":"${'z'.repeat(LIMIT - 73)}"`)}\n`), // 10, one byte over
  Buffer.concat([
    Buffer.from(imm('Patient/e', ',"bad":"')),
    Buffer.from([0xff, 0xc3]),
    Buffer.from('"}\n'),
  ]), // 11, not UTF-8
  Buffer.from('x'.repeat(3 * LIMIT)), // 12, over the limit, then
  Buffer.from(`\n${imm('https://h.example/fhir/Patient/a/_history/3')}`), // 13, no final newline
]);

/**
 * And an over-long line ending with CRLF: counted with its CR when it was already over the limit
 * at the end of a chunk of the stream, without when not (as the line-by-line reading does).
 */
const CRLF_EDGES = Buffer.concat([
  EDGES,
  Buffer.from(`\n${'q'.repeat(150)}\r\n${imm('Patient/f')}\n`),
]);

/** Chunk sizes to try: every small one, then some up to the whole text in one chunk. */
const SIZES = [
  ...Array.from({ length: 24 }, (_, i) => i + 1),
  31,
  47,
  64,
  97,
  128,
  200,
  333,
  500,
  CRLF_EDGES.length + 1,
];

const FILE: FileTask = {
  fileName: 'Immunization.000.ndjson',
  fileIndex: 3,
  type: 'Immunization',
  partitions: 1,
  lineLimit: LIMIT,
};

describe('partitioning a file in chunks', () => {
  test('gives the records and errors expected, wherever the chunks are cut', async () => {
    const line = (n: number): string => EDGES.toString('utf8').slice(1).split(/\r?\n/)[n - 1]!;
    expect(line(9)).toHaveLength(LIMIT);
    const expected = [
      `a\t1\t3\t1\t${line(1)}\n`,
      `b\t1\t3\t7\t${line(7)}\n`,
      `c\t1\t3\t9\t${line(9)}\n`,
      `e\t1\t3\t11\t${line(11)}\n`, // the bytes that are not UTF-8 as U+FFFD, as always
      `a\t1\t3\t13\t${line(13)}\n`,
    ].join('');
    expect(expected).toContain('\ufffd');
    // From 3 bytes: a BOM is dropped when the first chunk holds it whole (as ever; files are read
    // in chunks of a megabyte).
    for (let size = 3; size <= EDGES.length; size += size < 40 ? 1 : 7) {
      const got = await inChunks(cut(EDGES, size), FILE);
      expect(got.partitions[0]!.toString('utf8')).toBe(expected);
      expect(diagnostics(got.errors)).toEqual([
        'Immunization.000.ndjson line 3: the line is not valid JSON',
        'Immunization.000.ndjson line 4: the line is not a resource of type Immunization',
        'Immunization.000.ndjson line 5: Immunization.patient must be a reference to a Patient (Patient/<id>)',
        'Immunization.000.ndjson line 6: the line is 200 bytes long, over the limit of 120; not read',
        `Immunization.000.ndjson line 10: the line is ${LIMIT + 1} bytes long, over the limit of 120; not read`,
        `Immunization.000.ndjson line 12: the line is ${3 * LIMIT} bytes long, over the limit of 120; not read`,
      ]);
      expect([got.resources, got.patients, got.linesRead]).toEqual([5, 0, 10]);
    }
  });

  test('the same as line by line, for every way of cutting the stream, partitions and shards', async () => {
    const shards: (Shard | undefined)[] = [
      undefined,
      { index: 0, count: 2 },
      { index: 1, count: 2 },
    ];
    for (const shard of shards) {
      for (const partitions of [1, 3]) {
        const file = { ...FILE, shard, partitions };
        for (const size of SIZES) {
          const chunks = cut(CRLF_EDGES, size);
          expect(await inChunks(chunks, file)).toEqual(await lineByLine(chunks, file));
        }
      }
    }
  });

  test('a shard keeps its patients only, and only shard 1 reports lines of no patient', async () => {
    const text = Buffer.from(
      Array.from({ length: 40 }, (_, i) => `${imm(`Patient/p${i}`)}\n`).join('') + 'oops\n',
    );
    const whole = await inChunks(cut(text, 100), { ...FILE, partitions: 1 });
    expect(whole.resources).toBe(40);
    let kept = 0;
    for (const index of [0, 1, 2]) {
      const shard = { index, count: 3 };
      const got = await inChunks(cut(text, 100), { ...FILE, shard, partitions: 1 });
      const ids = got.partitions[0]!.toString()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split('\t')[0]!);
      expect(ids.every((id) => inShard(id, shard))).toBe(true);
      expect(got.resources).toBe(ids.length);
      kept += ids.length;
      expect(diagnostics(got.errors)).toEqual(
        index === 0 ? ['Immunization.000.ndjson line 41: the line is not valid JSON'] : [],
      );
    }
    expect(kept).toBe(40);
  });

  test('a chunk of Patient lines counts patients and checks ids', () => {
    const r = partitionChunk({
      bytes: Buffer.from(
        '{"resourceType":"Patient","id":"p1"}\n{"resourceType":"Patient","id":"no id!"}\n{"resourceType":"Patient","id":"p2"}',
      ),
      firstLine: 10,
      fileName: 'Patient.ndjson',
      fileIndex: 0,
      type: 'Patient',
      partitions: 1,
    });
    expect([r.patients, r.resources, r.linesRead]).toEqual([2, 2, 3]);
    expect(Buffer.from(r.records).toString()).toBe(
      'p1\t0\t0\t10\t{"resourceType":"Patient","id":"p1"}\np2\t0\t0\t12\t{"resourceType":"Patient","id":"p2"}\n',
    );
    expect(diagnostics(r.errors)).toEqual([
      'Patient.ndjson line 11: Patient.id is missing or not a FHIR id',
    ]);
  });
});

describe('readExport pass 1', () => {
  const pool = twoThreadPool();

  async function run(
    executor: ReadExportOptions['executor'],
    readChunkBytes: number,
  ): Promise<{
    files: string[];
    /** The errors of pass 1. */
    errors: string[];
    progress: [number, number][];
    summary: object;
    items: BulkItem[];
  }> {
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    const errors: string[] = [];
    const progress: [number, number][] = [];
    const reader = readExport({
      files: findExportFiles(exp).files,
      tmpDir: tmp,
      onError: (t) => void errors.push(t),
      onReadProgress: (b, l) => void progress.push([b, l]),
      partitionBytes: 40_000,
      readChunkBytes,
      lineLimit: 4096,
      executor,
    });
    const summary = await reader.partition();
    const pass1Errors = errors.length;
    const files = Array.from({ length: (summary as { partitions: number }).partitions }, (_, i) =>
      readFileSync(join(tmp, `partition-${i}.tsv`), 'utf8'),
    );
    const items: BulkItem[] = [];
    for await (const item of reader.items()) {
      items.push(item);
    }
    rmSync(tmp, { recursive: true, force: true });
    return { files, errors: errors.slice(0, pass1Errors), progress, summary, items };
  }

  test('threads and this thread write the same partitions, errors, progress and items as line by line', async () => {
    const inline = await run(undefined, 4096);
    const { partitions } = inline.summary as { partitions: number };
    expect(partitions).toBeGreaterThan(10);
    expect(inline.summary).toMatchObject({ patients: 151, partitions });
    // The reference: each file line by line, as read with the same chunk size.
    const files = findExportFiles(exp).files;
    const expected: string[] = Array.from({ length: partitions }, () => '');
    const errors: string[] = [];
    let bytes = 0;
    let lines = 0;
    for (const [fileIndex, f] of files.entries()) {
      const chunks: Buffer[] = [];
      for await (const c of createReadStream(f.path, { highWaterMark: 4096 })) {
        chunks.push(c as Buffer);
      }
      const r = await lineByLine(chunks, {
        fileName: f.name,
        fileIndex,
        type: f.type,
        partitions,
        lineLimit: 4096,
      });
      r.partitions.forEach((p, i) => {
        expected[i] = `${expected[i] ?? ''}${p.toString('utf8')}`;
      });
      errors.push(...r.errors);
      bytes += r.bytesRead;
      lines += r.linesRead;
    }
    expect(inline.files).toEqual(expected);
    expect(inline.errors).toEqual(errors);
    expect(inline.progress.at(-1)).toEqual([bytes, lines]);
    expect(diagnostics(inline.errors)).toEqual([
      'Immunization.001.ndjson line 101: the line is not valid JSON',
      'Immunization.001.ndjson line 301: the line is 5000 bytes long, over the limit of 4096; not read',
      'Immunization.001.ndjson line 302: Immunization.patient must be a reference to a Patient (Patient/<id>)',
    ]);
    // Progress grows chunk by chunk.
    expect(inline.progress.length).toBeGreaterThan(50);

    for (const chunkBytes of [4096, 1000, 1 << 20]) {
      const threads = await run(pool(), chunkBytes);
      expect(threads.files).toEqual(expected);
      expect(threads.errors).toEqual(inline.errors);
      expect(threads.summary).toEqual(inline.summary);
      expect(threads.items).toEqual(inline.items);
      expect(threads.progress.at(-1)).toEqual(inline.progress.at(-1));
    }
    const p3 = inline.items.find((i) => i.kind === 'patient' && i.patientId === 'p3');
    expect(
      p3?.kind === 'patient' && patientSources(p3).resources.map((r) => [r.file, r.line]),
    ).toContainEqual(['Immunization.001.ndjson', 103]);
  }, 60_000);

  test('a partition file that cannot be written stops the pass with its error', async () => {
    await expect(
      readExport({
        files: findExportFiles(exp).files,
        tmpDir: join(dir, 'no-such-folder'),
        onError: () => undefined,
        executor: pool(),
      }).partition(),
    ).rejects.toThrow(/ENOENT/);
  });

  test('a thread pool that is closed fails the pass with its error', async () => {
    const closed = await createThreadPool({ rulesDir: join(repoRoot, 'rules'), threads: 1 });
    await closed.close();
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    await expect(
      readExport({
        files: findExportFiles(exp).files,
        tmpDir: tmp,
        onError: () => undefined,
        executor: closed,
      }).partition(),
    ).rejects.toThrow('the forecast thread pool is closed');
  }, 60_000);
});

test('forecast-bulk writes the same output with --workers 0 as with threads', async () => {
  const outputs: string[][] = [];
  for (const workers of ['0', '2']) {
    const out = join(dir, `out-${workers}`);
    const said: string[] = [];
    const code = await runForecastBulk(
      [exp, '--out', out, '--assessment-date', '2026-03-20', '--workers', workers],
      {
        log: (t) => void said.push(t),
        error: (t) => void said.push(t),
        progress: { write: (t) => void said.push(t), isTTY: false },
        stdin: (async function* () {})(),
      },
    );
    expect(code).toBe(EXIT.inputErrors);
    expect(said.join('\n')).toMatch(/151 patients, [\d,]+ resources/);
    outputs.push(Object.values(OUTPUT_FILES).map((f) => readFileSync(join(out, f), 'utf8')));
  }
  const [inProcess, threads] = outputs;
  expect(threads).toEqual(inProcess);
  expect(diagnostics(inProcess![3]!.trim().split('\n'))).toEqual([
    'Immunization.001.ndjson line 101: the line is not valid JSON',
    // Over the limit of pass 2 only in the tests above; here simply not JSON.
    'Immunization.001.ndjson line 301: the line is not valid JSON',
    'Immunization.001.ndjson line 302: Immunization.patient must be a reference to a Patient (Patient/<id>)',
    'Patient.ndjson line 151: Patient/p3 appears again (first in Patient.ndjson line 4); this copy is not used',
    // The line numbers reach the forecast: the CRLF line with multi-byte text, after a blank one.
    'Immunization (Immunization.001.ndjson line 103): Immunization.status must be completed, entered-in-error or not-done',
  ]);
  // 150 patients (p3 twice), p3 not forecast.
  expect(inProcess![0]!.trim().split('\n')).toHaveLength(149);
}, 120_000);
