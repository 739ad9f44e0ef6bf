/**
 * Reading a FHIR bulk export (`$export` output: one NDJSON file per resource type, possibly split
 * as `Immunization.000.ndjson`, `Immunization.001.ndjson`, … or `Immunization_1.ndjson`) as one
 * item per patient: the Patient and every Immunization, Condition, Observation and
 * AllergyIntolerance that refers to them.
 *
 * Without holding the population in memory: resources are first spread over temporary partition
 * files by a hash of their patient id (so all of a patient's resources land in one partition),
 * then each partition is read and grouped on its own. Memory is bounded by one partition
 * (~{@link PARTITION_BYTES} of input), whatever the size of the export; disk needs about the
 * size of the export (of the shard) once more.
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
import { FHIR_ID, isRecord } from '../fhir/json';
import { jsonValue } from '../fhir/json-text';
import type { BulkItem, SourceLine } from './forecast-item';
import { ndjsonLineBatches, type InputLine } from './ndjson-lines';
import { inShard, partitionOf, type Shard } from './shard';

/** The resource types read from an export, and the element that names the patient. */
export const EXPORT_TYPES = {
  Patient: 'id',
  Immunization: 'patient',
  Condition: 'subject',
  Observation: 'subject',
  AllergyIntolerance: 'patient',
} as const;
/** A resource type read from an export. */
export type ExportType = keyof typeof EXPORT_TYPES;

/** Target input bytes per partition: the memory bound of the grouping. */
export const PARTITION_BYTES = 32 * 1024 * 1024;
/** Most partitions (open files at once while partitioning). */
const MAX_PARTITIONS = 256;
/** Longest resource line accepted in an export. */
export const EXPORT_LINE_LIMIT = 16 * 1024 * 1024;

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

/** `Patient/<id>` at the end of a reference (relative or absolute, with or without `_history`). */
const PATIENT_REFERENCE =
  /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** The patient id a resource belongs to, or why there is none. */
function patientIdOf(
  type: ExportType,
  resource: Readonly<Record<string, unknown>>,
): string | { problem: string; expression: string } {
  const element = EXPORT_TYPES[type];
  if (element === 'id') {
    const id = resource['id'];
    return typeof id === 'string' && FHIR_ID.test(id)
      ? id
      : { problem: 'Patient.id is missing or not a FHIR id', expression: 'Patient.id' };
  }
  const ref = resource[element];
  const reference = isRecord(ref) ? ref['reference'] : undefined;
  const m = typeof reference === 'string' ? PATIENT_REFERENCE.exec(reference) : null;
  return m === null
    ? {
        problem: `${type}.${element} must be a reference to a Patient (Patient/<id>)`,
        expression: `${type}.${element}.reference`,
      }
    : (m[1] ?? '');
}

/** An error about the export: an OperationOutcome line (ASCII, like all bulk output). */
function exportError(
  where: string,
  code: string,
  diagnostics: string,
  expression?: string,
): string {
  return jsonValue({
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code,
        diagnostics: `${where}: ${diagnostics}`,
        ...(expression === undefined ? {} : { expression: [expression] }),
      },
    ],
  });
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

function writeAsync(stream: WriteStream, text: string): Promise<void> | undefined {
  if (stream.write(text)) {
    return undefined;
  }
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (err: Error): void => {
      stream.off('drain', onDrain);
      reject(err);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
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

function readFile(path: string): ReturnType<typeof createReadStream> {
  return createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
}

/**
 * Characters of partition records gathered before they are written (per partition), and bytes a
 * partition's stream buffers before the reading waits for it: at most 256 × (16 K + 64 K) in
 * memory while partitioning, well under the bound of the grouping pass.
 */
const PARTITION_WRITE_CHARS = 16 * 1024;
const PARTITION_BUFFER_BYTES = 64 * 1024;

function writePartition(
  streams: readonly WriteStream[],
  index: number,
  text: string,
): Promise<void> | undefined {
  const stream = streams[index];
  if (stream === undefined) {
    throw new Error('partition index out of range'); // cannot happen: partitionOf < count
  }
  return writeAsync(stream, text);
}

/**
 * Pass 1: spreads the export's resources over partition files by patient. A partition line is
 * `<patient id>\t<type index>\t<file index>\t<line>\t<resource JSON>`.
 *
 * @returns the partition files and counts
 */
async function partition(
  options: ReadExportOptions,
): Promise<{ summary: PartitionSummary; paths: string[] }> {
  const { files, shard } = options;
  const reportsOrphans = shard === undefined || shard.index === 0;
  const total = files.reduce((n, f) => n + f.bytes, 0) / (shard?.count ?? 1);
  const count = Math.min(
    MAX_PARTITIONS,
    Math.max(1, Math.ceil(total / (options.partitionBytes ?? PARTITION_BYTES))),
  );
  const paths = Array.from({ length: count }, (_, i) => join(options.tmpDir, `partition-${i}.tsv`));
  const streams = paths.map((p) => createWriteStream(p, { highWaterMark: PARTITION_BUFFER_BYTES }));
  // Records waiting for their partition file, written in pieces of ~PARTITION_WRITE_CHARS (one
  // write, one UTF-8 encoding per piece, not per resource).
  const pending: string[] = paths.map(() => '');
  const types = Object.keys(EXPORT_TYPES);
  let patients = 0;
  let resources = 0;
  let bytesRead = 0;
  let linesRead = 0;
  try {
    for (const [fileIndex, file] of files.entries()) {
      const typeIndex = types.indexOf(file.type);
      const where = (line: InputLine): string => `${file.name} line ${line.number}`;
      for await (const batch of ndjsonLineBatches(readFile(file.path), EXPORT_LINE_LIMIT)) {
        for (const line of batch) {
          bytesRead += line.bytes + 1;
          if (!('text' in line)) {
            if (reportsOrphans) {
              await options.onError(
                exportError(
                  where(line),
                  'too-costly',
                  `the line is ${line.bytes} bytes long, over the limit of ${EXPORT_LINE_LIMIT}; not read`,
                ),
              );
            }
            continue;
          }
          linesRead += 1;
          if (line.text.trim() === '') {
            continue; // a blank line in an export file is no resource; nothing is lost
          }
          let resource: unknown;
          try {
            resource = JSON.parse(line.text);
          } catch {
            if (reportsOrphans) {
              await options.onError(
                exportError(where(line), 'structure', 'the line is not valid JSON'),
              );
            }
            continue;
          }
          if (!isRecord(resource) || resource['resourceType'] !== file.type) {
            if (reportsOrphans) {
              await options.onError(
                exportError(
                  where(line),
                  'structure',
                  `the line is not a ${file.type} resource`,
                  'resourceType',
                ),
              );
            }
            continue;
          }
          const id = patientIdOf(file.type, resource);
          if (typeof id !== 'string') {
            if (reportsOrphans) {
              await options.onError(
                exportError(where(line), 'required', id.problem, id.expression),
              );
            }
            continue;
          }
          if (shard !== undefined && !inShard(id, shard)) {
            continue;
          }
          resources += 1;
          if (file.type === 'Patient') {
            patients += 1;
          }
          // The raw line is kept as read (no re-serialisation); it holds no tab or newline
          // unescaped, being one line of JSON.
          const p = partitionOf(id, count);
          const records = `${pending[p] ?? ''}${id}\t${typeIndex}\t${fileIndex}\t${line.number}\t${line.text}\n`;
          if (records.length < PARTITION_WRITE_CHARS) {
            pending[p] = records;
          } else {
            pending[p] = '';
            await writePartition(streams, p, records);
          }
        }
        options.onReadProgress?.(bytesRead, linesRead);
      }
    }
    for (const [p, records] of pending.entries()) {
      if (records !== '') {
        await writePartition(streams, p, records);
      }
    }
  } finally {
    await Promise.all(streams.map(closeStream));
  }
  return { summary: { patients, resources, partitions: count }, paths };
}

interface Group {
  patient: SourceLine | undefined;
  readonly resources: SourceLine[];
}

/**
 * Pass 2: one partition, grouped by patient (in memory: one partition at most).
 */
async function* groupPartition(
  path: string,
  files: readonly ExportFile[],
  onError: ReadExportOptions['onError'],
): AsyncGenerator<BulkItem> {
  const types = Object.keys(EXPORT_TYPES);
  const groups = new Map<string, Group>();
  for await (const batch of ndjsonLineBatches(readFile(path), EXPORT_LINE_LIMIT * 2)) {
    for (const line of batch) {
      if (!('text' in line) || line.text === '') {
        continue;
      }
      const t = line.text;
      const a = t.indexOf('\t');
      const b = t.indexOf('\t', a + 1);
      const c = t.indexOf('\t', b + 1);
      const d = t.indexOf('\t', c + 1);
      const id = t.slice(0, a);
      const type = types[Number(t.slice(a + 1, b))];
      const file = files[Number(t.slice(b + 1, c))];
      if (type === undefined || file === undefined) {
        throw new Error(`corrupt partition file ${path}`); // written by partition() above
      }
      const source: SourceLine = {
        type,
        file: file.name,
        line: Number(t.slice(c + 1, d)),
        text: t.slice(d + 1),
      };
      let group = groups.get(id);
      if (group === undefined) {
        group = { patient: undefined, resources: [] };
        groups.set(id, group);
      }
      if (type !== 'Patient') {
        group.resources.push(source);
      } else if (group.patient === undefined) {
        group.patient = source;
      } else {
        await onError(
          exportError(
            `${source.file} line ${source.line}`,
            'duplicate',
            `Patient/${id} appears again (first in ${group.patient.file} line ${group.patient.line}); this copy is not used`,
            'Patient.id',
          ),
        );
      }
    }
  }
  for (const [patientId, group] of groups) {
    if (group.patient === undefined) {
      for (const r of group.resources) {
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
    yield { kind: 'patient', patientId, patient: group.patient, resources: group.resources };
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
      for (const path of paths) {
        yield* groupPartition(path, options.files, options.onError);
        rmSync(path, { force: true });
      }
    },
  };
}
