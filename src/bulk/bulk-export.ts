/**
 * Reading a FHIR bulk export (`$export` output: one NDJSON file per resource type, possibly split
 * as `Immunization.000.ndjson`, `Immunization.001.ndjson`, … or `Immunization_1.ndjson`) as one
 * item per patient: the Patient and every Immunization, Condition, Observation and
 * AllergyIntolerance that refers to them.
 *
 * Without holding the population in memory: resources are first spread over temporary partition
 * files by a hash of their patient id (so all of a patient's resources land in one partition),
 * then each partition is read and grouped on its own. Memory is bounded by two partitions (the
 * one being forecast and the next, read meanwhile: ~{@link PARTITION_BYTES} of input each),
 * whatever the size of the export; disk needs about the size of the export (of the shard) once
 * more. The first pass's work on each line (parsing,
 * checks, the record to write) is done on the run's worker threads, a chunk of lines at a time
 * (partition-chunk.ts); this thread reads, and writes the records in file order.
 *
 * Nothing is dropped silently: a line that is not JSON, not the file's resource type, or refers
 * to no patient; a second Patient with the same id; a resource of a patient missing from the
 * Patient files — each becomes an OperationOutcome on the error output, naming file and line.
 *
 * @packageDocumentation
 */
import { createReadStream, createWriteStream, readdirSync, rmSync, statSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { ForecastExecutor } from './executor';
import { EXPORT_TYPES, type ExportType } from './export-types';
import type { BulkItem, SourceLine } from './forecast-item';
import { gatherRecords, recordHead, recordSource } from './partition-record';
import { ndjsonChunks } from './ndjson-lines';
import {
  EXPORT_LINE_LIMIT,
  exportError,
  partitionChunk,
  reportsOrphans,
  tooLongError,
  type PartitionChunkResult,
  type PartitionChunkTask,
} from './partition-chunk';
import type { Shard } from './shard';
import { writeChunks } from './write-chunks';

export { EXPORT_LINE_LIMIT } from './partition-chunk';
export { EXPORT_TYPES, type ExportType } from './export-types';

/** Target input bytes per partition: the memory bound of the grouping. */
export const PARTITION_BYTES = 32 * 1024 * 1024;
/** Most partitions (open files at once while partitioning). */
const MAX_PARTITIONS = 256;

/** An export file. */
export interface ExportFile {
  readonly type: ExportType;
  readonly name: string;
  readonly path: string;
  readonly bytes: number;
}

const FILE_NAME = /^([A-Za-z]+)(?:[._-]\d+)?\.ndjson$/;

/**
 * The export files of a folder, by type then name (`Immunization.000.ndjson` before `.001`).
 *
 * @param dir - The export folder.
 * @returns the files read, and the names of the `.ndjson` files of other types (not used).
 */
export function findExportFiles(dir: string): { files: ExportFile[]; ignored: string[] } {
  const files: ExportFile[] = [];
  const ignored: string[] = [];
  for (const name of readdirSync(dir).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))) {
    const m = FILE_NAME.exec(name);
    if (m === null) {
      if (name.endsWith('.ndjson')) {
        ignored.push(name);
      }
      continue;
    }
    const type = m[1] ?? '';
    if (!(type in EXPORT_TYPES)) {
      ignored.push(name);
      continue;
    }
    const path = join(dir, name);
    files.push({ type: type as ExportType, name, path, bytes: statSync(path).size });
  }
  return { files, ignored };
}

/** Options of {@link readExport}. */
export interface ReadExportOptions {
  /** The export's files (see {@link findExportFiles}). */
  readonly files: readonly ExportFile[];
  /** Folder for the temporary partitions (created by the caller, emptied here). */
  readonly tmpDir: string;
  /** Only patients of this shard. Errors not tied to a patient are reported by shard 1 only. */
  readonly shard?: Shard | undefined;
  /** Takes an error line (OperationOutcome JSON); may wait. */
  readonly onError: (text: string) => void | Promise<void>;
  /**
   * Called in the partitioning pass after each chunk of lines read (bytes and lines read so
   * far).
   */
  readonly onReadProgress?: (bytes: number, lines: number) => void;
  /** Partition size target, bytes (tests). */
  readonly partitionBytes?: number;
  /** Bytes read at once from an export file (tests; default 1 MiB). */
  readonly readChunkBytes?: number;
  /** Longest resource line, bytes (tests; default {@link EXPORT_LINE_LIMIT}). */
  readonly lineLimit?: number;
  /**
   * Where the lines are checked and partitioned: the threads of a bulk run (pass 1 then uses
   * every core). Default: the calling thread.
   */
  readonly executor?: Pick<ForecastExecutor, 'parallelism' | 'partitionChunk'> | undefined;
}

/** What the partitioning found. */
export interface PartitionSummary {
  /** Patients of the shard. */
  readonly patients: number;
  /** Resources of the shard (patients included). */
  readonly resources: number;
  /** Partitions used. */
  readonly partitions: number;
}

function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => {
      resolve();
    });
  });
}

/** Bytes read at once from an export or partition file (fewer, larger reads: less per-chunk work). */
const READ_CHUNK_BYTES = 1024 * 1024;

function readFile(
  path: string,
  chunkBytes = READ_CHUNK_BYTES,
): ReturnType<typeof createReadStream> {
  return createReadStream(path, { highWaterMark: chunkBytes });
}

/**
 * Bytes of partition records gathered before they are written (per partition; a chunk's records
 * for a partition that are more are written at once), and bytes a partition's stream buffers
 * before the reading waits for it: at most 256 × (32 K + 64 K) in memory while partitioning
 * (besides the chunks in flight), well under the bound of the grouping pass.
 */
const PARTITION_WRITE_BYTES = 32 * 1024;
const PARTITION_BUFFER_BYTES = 64 * 1024;

/**
 * Writes the chunks' records to the partition files, in the order given. Small pieces are copied
 * and gathered (fewer writes, and a chunk's records buffer is not kept alive by a partition that
 * gets few records).
 */
function partitionWriter(streams: readonly WriteStream[]): {
  write(result: PartitionChunkResult): Promise<void>;
  flush(): Promise<void>;
} {
  const pending: Buffer[][] = streams.map(() => []);
  const pendingBytes: number[] = streams.map(() => 0);
  const send = (p: number, pieces: Buffer[]): Promise<void> => {
    const stream = streams[p];
    if (stream === undefined) {
      throw new Error('partition index out of range'); // cannot happen: partitionOf < count
    }
    return writeChunks(stream, pieces);
  };
  return {
    async write(result) {
      const { records, offsets } = result;
      const bytes = Buffer.isBuffer(records)
        ? records
        : Buffer.from(records.buffer, records.byteOffset, records.byteLength);
      const waits: Promise<void>[] = [];
      for (let p = 0; p < streams.length; p++) {
        const from = offsets[p] ?? 0;
        const to = offsets[p + 1] ?? from;
        if (to === from) {
          continue;
        }
        const piece = bytes.subarray(from, to);
        const list = pending[p] ?? [];
        const size = (pendingBytes[p] ?? 0) + piece.length;
        if (size < PARTITION_WRITE_BYTES) {
          list.push(Buffer.from(piece));
          pendingBytes[p] = size;
          continue;
        }
        list.push(piece);
        pending[p] = [];
        pendingBytes[p] = 0;
        waits.push(send(p, list));
      }
      await Promise.all(waits);
    },
    async flush() {
      await Promise.all(
        pending.map((list, p) => (list.length === 0 ? Promise.resolve() : send(p, list))),
      );
    },
  };
}

const ignore = (): void => undefined;

/**
 * Pass 1: spreads the export's resources over partition files by patient. A partition line is
 * `<patient id>\t<type index>\t<file index>\t<line>\t<resource JSON>`.
 *
 * The reading thread cuts each file into chunks of whole lines (bytes, numbered) and hands them
 * to the executor, whose threads check and partition the lines (partition-chunk.ts); the results
 * are written in chunk order, so the partition files and the errors are the same whichever thread
 * did which chunk, and the same as on one thread. A bounded number of chunks is in flight: a slow
 * disk holds the reading back.
 *
 * @returns the partition files and counts
 */
async function partition(
  options: ReadExportOptions,
): Promise<{ summary: PartitionSummary; paths: string[] }> {
  const { files, shard, executor } = options;
  const lineLimit = options.lineLimit ?? EXPORT_LINE_LIMIT;
  const total = files.reduce((n, f) => n + f.bytes, 0) / (shard?.count ?? 1);
  const count = Math.min(
    MAX_PARTITIONS,
    Math.max(1, Math.ceil(total / (options.partitionBytes ?? PARTITION_BYTES))),
  );
  const paths = Array.from({ length: count }, (_, i) => join(options.tmpDir, `partition-${i}.tsv`));
  const streams = paths.map((p) => createWriteStream(p, { highWaterMark: PARTITION_BUFFER_BYTES }));
  // A write that fails (disk full) stops the pass with its error.
  const failed: { error?: Error } = {};
  for (const stream of streams) {
    stream.on('error', (err) => {
      failed.error ??= err;
    });
  }
  const written = async (writing: Promise<void>): Promise<void> => {
    try {
      await writing;
    } catch (err) {
      throw failed.error ?? err; // rather than "closed before it drained"
    }
    if (failed.error !== undefined) {
      throw failed.error;
    }
  };
  const writer = partitionWriter(streams);
  const work = (task: PartitionChunkTask): Promise<PartitionChunkResult> =>
    executor === undefined
      ? new Promise((resolve) => {
          resolve(partitionChunk(task));
        })
      : executor.partitionChunk(task);
  // Chunks in flight: twice the threads, so that each has the next chunk waiting.
  const window = Math.max(2, 2 * (executor?.parallelism ?? 1));
  const inFlight: Promise<PartitionChunkResult>[] = [];
  const noRecords = new Uint8Array(0);
  const noOffsets = new Array<number>(count + 1).fill(0);
  let patients = 0;
  let resources = 0;
  let bytesRead = 0;
  let linesRead = 0;
  const takeOldest = async (): Promise<void> => {
    const oldest = inFlight.shift();
    if (oldest === undefined) {
      return;
    }
    const result = await oldest;
    for (const error of result.errors) {
      await options.onError(error);
    }
    await written(writer.write(result));
    patients += result.patients;
    resources += result.resources;
    bytesRead += result.bytesRead;
    linesRead += result.linesRead;
    options.onReadProgress?.(bytesRead, linesRead);
  };
  try {
    for (const [fileIndex, file] of files.entries()) {
      const source = readFile(file.path, options.readChunkBytes);
      for await (const chunk of ndjsonChunks(source, lineLimit)) {
        let result: Promise<PartitionChunkResult>;
        if (chunk.kind === 'lines') {
          result = work({
            bytes: chunk.bytes,
            firstLine: chunk.firstLine,
            fileName: file.name,
            fileIndex,
            type: file.type,
            partitions: count,
            shard,
            lineLimit,
          });
          // Awaited in order by takeOldest; until then a failure must not count as unhandled.
          result.catch(ignore);
        } else {
          // Over the limit while being read (its bytes were skipped): no thread needed.
          result = Promise.resolve({
            records: noRecords,
            offsets: noOffsets,
            errors: reportsOrphans(shard)
              ? [tooLongError(`${file.name} line ${chunk.number}`, chunk.bytes, lineLimit)]
              : [],
            resources: 0,
            patients: 0,
            bytesRead: chunk.bytes + 1,
            linesRead: 0,
          });
        }
        inFlight.push(result);
        while (inFlight.length >= window) {
          await takeOldest();
        }
      }
    }
    while (inFlight.length > 0) {
      await takeOldest();
    }
    await written(writer.flush());
  } finally {
    await Promise.all(streams.map(closeStream));
  }
  return { summary: { patients, resources, partitions: count }, paths };
}

/** A patient's records in a partition: `[chunk, start, end]` triples into the chunks read. */
interface Group {
  /** The Patient's record, if any. */
  patient: [number, number, number] | undefined;
  /** The other resources' records, in partition order. */
  readonly resources: number[];
  /** Bytes of all the records. */
  bytes: number;
}

/** A partition file read and grouped by patient. */
interface GroupedPartition {
  /** The partition file's bytes, as read (the groups point into them). */
  readonly chunks: readonly Buffer[];
  readonly groups: Map<string, Group>;
  /** Errors found while reading it (a second Patient with the same id), in line order. */
  readonly errors: readonly string[];
}

const NEWLINE = 0x0a;

/** The record at `[chunk, start, end]` (end: after its newline, if any), decoded. */
function recordAt(
  chunks: readonly Buffer[],
  names: readonly string[],
  chunk = 0,
  start = 0,
  end = 0,
): SourceLine {
  const bytes = chunks[chunk];
  const stop = bytes?.[end - 1] === NEWLINE ? end - 1 : end;
  return recordSource(bytes?.toString('utf8', start, stop) ?? '', names);
}

/** Whether the bytes `[aStart, aEnd)` and `[bStart, bEnd)` are the same. */
function sameBytes(
  bytes: Uint8Array,
  aStart: number,
  aEnd: number,
  bStart: number,
  bEnd: number,
): boolean {
  if (aEnd - aStart !== bEnd - bStart) {
    return false;
  }
  for (let i = aStart, j = bStart; i < aEnd; i++, j++) {
    if (bytes[i] !== bytes[j]) {
      return false;
    }
  }
  return true;
}

/**
 * Pass 2, reading: one partition, grouped by patient. Only each record's patient id is decoded
 * (partition-record.ts: the thread that forecasts a patient decodes their records).
 */
async function groupPartition(path: string, names: readonly string[]): Promise<GroupedPartition> {
  const chunks: Buffer[] = [];
  const groups = new Map<string, Group>();
  const errors: string[] = [];
  const sourceAt = (chunk: number, start: number, end: number): SourceLine =>
    recordAt(chunks, names, chunk, start, end);
  for await (const piece of ndjsonChunks(readFile(path), EXPORT_LINE_LIMIT * 2)) {
    if (piece.kind !== 'lines') {
      throw new Error(`corrupt partition file ${path}`); // records are at most a line and a prefix
    }
    const { bytes } = piece;
    const chunk = chunks.push(bytes) - 1;
    // The record before, when its patient id (`[previousStart, previousIdEnd)` of these bytes) is
    // this one's: a patient's records mostly come one after the other (an export file lists a
    // patient's resources together), and comparing a few bytes costs less than decoding the id
    // and looking it up (~1 µs per record, a fifth of this thread's work in pass 2).
    let previous: Group | undefined;
    let previousStart = 0;
    let previousIdEnd = 0;
    let start = 0;
    while (start < bytes.length) {
      let end = bytes.indexOf(NEWLINE, start);
      end = end < 0 ? bytes.length : end + 1; // with its newline (written by partition() above)
      const head = recordHead(bytes, start, end);
      if (head === undefined) {
        throw new Error(`corrupt partition file ${path}`);
      }
      let group: Group | undefined;
      if (
        previous !== undefined &&
        sameBytes(bytes, previousStart, previousIdEnd, start, head.idEnd)
      ) {
        group = previous;
      } else {
        const id = bytes.toString('latin1', start, head.idEnd);
        group = groups.get(id);
        if (group === undefined) {
          group = { patient: undefined, resources: [], bytes: 0 };
          groups.set(id, group);
        }
        previous = group;
        previousStart = start;
        previousIdEnd = head.idEnd;
      }
      if (head.type !== 'Patient') {
        group.resources.push(chunk, start, end);
        group.bytes += end - start;
      } else if (group.patient === undefined) {
        group.patient = [chunk, start, end];
        group.bytes += end - start;
      } else {
        const first = sourceAt(...group.patient);
        const again = sourceAt(chunk, start, end);
        const id = bytes.toString('latin1', start, head.idEnd);
        errors.push(
          exportError(
            `${again.file} line ${again.line}`,
            'duplicate',
            `Patient/${id} appears again (first in ${first.file} line ${first.line}); this copy is not used`,
            'Patient.id',
          ),
        );
      }
      start = end;
    }
  }
  return { chunks, groups, errors };
}

/**
 * Pass 2, the items of a grouped partition: one per patient; a resource whose patient is not in
 * the export is an error.
 */
async function* partitionItems(
  partition: GroupedPartition,
  names: readonly string[],
  onError: ReadExportOptions['onError'],
): AsyncGenerator<BulkItem> {
  const { chunks } = partition;
  for (const error of partition.errors) {
    await onError(error);
  }
  for (const [patientId, group] of partition.groups) {
    const { patient, resources } = group;
    if (patient === undefined) {
      for (let i = 0; i < resources.length; i += 3) {
        const r = recordAt(chunks, names, resources[i], resources[i + 1], resources[i + 2]);
        await onError(
          exportError(
            `${r.file} line ${r.line}`,
            'not-found',
            `refers to Patient/${patientId}, which is not in the export's Patient files`,
            `${r.type}.${EXPORT_TYPES[r.type as ExportType]}`,
          ),
        );
      }
      continue;
    }
    yield {
      kind: 'patient',
      patientId,
      records: gatherRecords(chunks, patient, resources, group.bytes),
      files: names,
    };
  }
}

/**
 * Reads an export as one item per patient of the shard. Call `partition()` first (the count of
 * patients gives the progress an end), then iterate `items()`; each partition file is deleted
 * once read.
 *
 * @param options - Files, temporary folder, shard, error sink.
 */
export function readExport(options: ReadExportOptions): {
  partition(): Promise<PartitionSummary>;
  items(): AsyncGenerator<BulkItem>;
} {
  let paths: string[] | undefined;
  return {
    async partition() {
      const done = await partition(options);
      paths = done.paths;
      return done.summary;
    },
    async *items() {
      if (paths === undefined) {
        throw new Error('partition() first');
      }
      const { onError } = options;
      // The export files' names, by the file index of the partition records.
      const names = options.files.map((f) => f.name);
      const read = (path: string): Promise<GroupedPartition> => {
        const grouped = groupPartition(path, names);
        grouped.catch(ignore); // awaited below; until then a failure must not count as unhandled
        return grouped;
      };
      let next = paths[0] === undefined ? undefined : read(paths[0]);
      for (let i = 0; next !== undefined; i++) {
        const grouped = await next;
        rmSync(paths[i] ?? '', { force: true });
        // The next partition is read and grouped while this one is forecast: grouping is work of
        // this thread, during which the forecasting threads would otherwise run out of work at
        // every partition boundary.
        const path = paths[i + 1];
        next = path === undefined ? undefined : read(path);
        yield* partitionItems(grouped, names, onError);
      }
    },
  };
}
