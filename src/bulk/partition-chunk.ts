/**
 * The per-line work of pass 1 of reading a bulk export (see bulk-export.ts), on one chunk of an
 * export file: whole lines, cut at a newline by the reading thread. Each line is checked (JSON, the
 * file's resource type, a patient reference), kept or not by the shard, and becomes a partition
 * record (partition-record.ts).
 *
 * Pure and synchronous, so that it runs the same on a worker thread (the pool of a bulk run: pass
 * 1 then uses every core) and on the calling thread (`--workers 0`): one implementation of the
 * line checks. The result is bytes ready to write, grouped by partition, plus the errors in line
 * order; the caller writes the chunks' results in chunk order, so the partition files and the
 * error lines do not depend on which thread did which chunk.
 *
 * @packageDocumentation
 */
import { isUtf8 } from 'node:buffer';
import { FHIR_ID, isRecord } from '../fhir/json';
import { jsonValue } from '../fhir/json-text';
import { EXPORT_TYPE_NAMES, EXPORT_TYPES, type ExportType } from './export-types';
import { recordPrefix } from './partition-record';
import { resourceScanner, type ResourceScanner } from './resource-scan';
import { inShard, partitionOf, type Shard } from './shard';

/** Longest resource line accepted in an export. */
export const EXPORT_LINE_LIMIT = 16 * 1024 * 1024;

/** `Patient/<id>` at the end of a reference (relative or absolute, with or without `_history`). */
const PATIENT_REFERENCE =
  /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** Why a line is not kept: an issue of its error. */
interface LineProblem {
  readonly code: 'structure' | 'required';
  readonly diagnostics: string;
  readonly expression: string;
}

/**
 * The patient id a resource line belongs to, or why there is none — from the two values pass 1
 * reads of it, whether `JSON.parse` or the scanner (resource-scan.ts) read them.
 *
 * @param type - The file's resource type.
 * @param resourceType - The resource's top-level `resourceType` (`undefined` if it is no object).
 * @param patient - The value naming its patient: top-level `id` for a Patient, else the
 * `reference` of the top-level element of {@link EXPORT_TYPES} (`undefined` if that is no object).
 */
function patientIdOf(
  type: ExportType,
  resourceType: unknown,
  patient: unknown,
): string | LineProblem {
  if (resourceType !== type) {
    return {
      code: 'structure',
      diagnostics: `the line is not a ${type} resource`,
      expression: 'resourceType',
    };
  }
  const element = EXPORT_TYPES[type];
  if (element === 'id') {
    return typeof patient === 'string' && FHIR_ID.test(patient)
      ? patient
      : {
          code: 'required',
          diagnostics: 'Patient.id is missing or not a FHIR id',
          expression: 'Patient.id',
        };
  }
  const m = typeof patient === 'string' ? PATIENT_REFERENCE.exec(patient) : null;
  return m === null
    ? {
        code: 'required',
        diagnostics: `${type}.${element} must be a reference to a Patient (Patient/<id>)`,
        expression: `${type}.${element}.reference`,
      }
    : (m[1] ?? '');
}

/** {@link patientIdOf} for a line as `JSON.parse` gave it. */
function parsedPatientIdOf(type: ExportType, resource: unknown): string | LineProblem {
  if (!isRecord(resource)) {
    return patientIdOf(type, undefined, undefined);
  }
  const element = EXPORT_TYPES[type];
  const value = resource[element];
  const patient = element === 'id' ? value : isRecord(value) ? value['reference'] : undefined;
  return patientIdOf(type, resource['resourceType'], patient);
}

/** The fast path's scanner of each export type (see resource-scan.ts). */
const SCANNERS = Object.fromEntries(
  EXPORT_TYPE_NAMES.map((t) => [t, resourceScanner(EXPORT_TYPES[t])]),
) as Record<ExportType, ResourceScanner>;

/**
 * An error about the export: an OperationOutcome line (ASCII, like all bulk output).
 *
 * @param where - `<file> line <n>`.
 * @param code - The issue type.
 * @param diagnostics - What is wrong.
 * @param expression - FHIRPath of the element at fault, if any.
 */
export function exportError(
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

/**
 * The error of a line over {@link EXPORT_LINE_LIMIT} (its text is not read).
 *
 * @param where - `<file> line <n>`.
 * @param bytes - Its length.
 * @param limit - The limit it is over.
 */
export function tooLongError(where: string, bytes: number, limit = EXPORT_LINE_LIMIT): string {
  return exportError(
    where,
    'too-costly',
    `the line is ${bytes} bytes long, over the limit of ${limit}; not read`,
  );
}

/** Whether errors not tied to a patient of the shard are reported (by shard 1 only, or unsharded). */
export function reportsOrphans(shard: Shard | undefined): boolean {
  return shard === undefined || shard.index === 0;
}

/** A chunk of an export file to partition. Structured-cloneable (it travels to a thread). */
export interface PartitionChunkTask {
  /**
   * Whole lines, each ending with `\n` — but for the last chunk of a file, whose last line may
   * have none. No BOM (the reader drops it).
   */
  readonly bytes: Uint8Array;
  /** Number (1-based) of the chunk's first line in its file. */
  readonly firstLine: number;
  /** The file's name (for the errors). */
  readonly fileName: string;
  /** Its index in the export's files (in the records). */
  readonly fileIndex: number;
  /** Its resource type. */
  readonly type: ExportType;
  /** Number of partitions. */
  readonly partitions: number;
  /** Only the patients of this shard. */
  readonly shard?: Shard | undefined;
  /** Longest line read, bytes without newline (default {@link EXPORT_LINE_LIMIT}). */
  readonly lineLimit?: number | undefined;
}

/** How {@link partitionChunk} reads the lines (for tests). */
export interface PartitionChunkOptions {
  /**
   * Whether lines go through the byte scanner first (resource-scan.ts); default true. `false`:
   * every line is decoded and parsed with `JSON.parse`. The results are the same either way.
   */
  readonly scan?: boolean | undefined;
}

/** What a chunk gave. Structured-cloneable (it travels back from a thread). */
export interface PartitionChunkResult {
  /**
   * The partition records, UTF-8, grouped by partition: those of partition `p` are
   * `records[offsets[p] .. offsets[p + 1]]`, in line order.
   */
  readonly records: Uint8Array;
  /** `partitions + 1` offsets into `records`. */
  readonly offsets: readonly number[];
  /** Error lines (OperationOutcome JSON), in line order. */
  readonly errors: readonly string[];
  /** Resources kept (of the shard). */
  readonly resources: number;
  /** Of which Patients. */
  readonly patients: number;
  /** Bytes of the lines read, counting one newline each (progress). */
  readonly bytesRead: number;
  /** Lines read, over-long ones not counted (progress). */
  readonly linesRead: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Checks and partitions the lines of a chunk.
 *
 * A line is dropped with an error (unless another shard reports it, see {@link reportsOrphans})
 * when it is over the limit, not JSON, not a resource of the file's type, or names no patient;
 * a blank line is skipped silently (no resource is lost). A `\r` before the newline is dropped.
 *
 * Fast path: a line that the byte scanner (resource-scan.ts) reads, and whose values name a
 * patient, is kept without being decoded or parsed. Every other line — not JSON, or anything the
 * scanner does not read exactly, or a line with an error — is decoded and parsed with
 * `JSON.parse`, which gives the errors. The scanner's values are checked by the same
 * {@link patientIdOf} as the parsed ones, so both paths keep the same lines with the same ids.
 *
 * @param task - The chunk and where it comes from.
 * @param options - Whether to use the scanner (tests compare with and without).
 */
export function partitionChunk(
  task: PartitionChunkTask,
  options: PartitionChunkOptions = {},
): PartitionChunkResult {
  const { type, shard, partitions } = task;
  const limit = task.lineLimit ?? EXPORT_LINE_LIMIT;
  const report = reportsOrphans(shard);
  const typeIndex = EXPORT_TYPE_NAMES.indexOf(type);
  const chunk = Buffer.isBuffer(task.bytes)
    ? task.bytes
    : Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  // Lines are copied as read (no re-serialisation). Bytes that are not UTF-8 would be replaced
  // by U+FFFD in the text, so such a line is written as its text re-encoded — the record it had
  // when records were built from the decoded text.
  const allUtf8 = isUtf8(chunk);
  // The scanner passes bytes ≥ 0x80 inside strings unchecked: only on valid UTF-8.
  const scan = allUtf8 && options.scan !== false ? SCANNERS[type] : undefined;
  const errors: string[] = [];
  // The kept lines, in order: partition, record prefix, line start and end (or re-encoded text).
  const parts: number[] = [];
  const prefixes: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const texts: (Buffer | undefined)[] = [];
  const sizes = new Array<number>(partitions).fill(0);
  let resources = 0;
  let patients = 0;
  let bytesRead = 0;
  let linesRead = 0;
  const where = (n: number): string => `${task.fileName} line ${n}`;
  let number = task.firstLine - 1;
  let start = 0;
  while (start < chunk.length) {
    let end = chunk.indexOf(NEWLINE, start);
    if (end < 0) {
      end = chunk.length; // the last line of a file without a final newline
    }
    number += 1;
    const lineStart = start;
    let lineEnd = end;
    start = end + 1;
    if (lineEnd > lineStart && chunk[lineEnd - 1] === CR) {
      lineEnd -= 1;
    }
    const bytes = lineEnd - lineStart;
    bytesRead += bytes + 1;
    if (bytes > limit) {
      if (report) {
        errors.push(tooLongError(where(number), bytes, limit));
      }
      continue;
    }
    linesRead += 1;
    let id: string | undefined;
    // Trusted only when it reads the line and the line is fine; else the slow path below.
    const scanned = scan?.(chunk, lineStart, lineEnd);
    if (scanned !== undefined) {
      const found = patientIdOf(type, scanned.resourceType, scanned.patient);
      id = typeof found === 'string' ? found : undefined;
    }
    let reencoded: Buffer | undefined;
    if (id === undefined) {
      const text = chunk.toString('utf8', lineStart, lineEnd);
      if (text.trim() === '') {
        continue; // a blank line in an export file is no resource; nothing is lost
      }
      let resource: unknown;
      try {
        resource = JSON.parse(text);
      } catch {
        if (report) {
          errors.push(exportError(where(number), 'structure', 'the line is not valid JSON'));
        }
        continue;
      }
      const found = parsedPatientIdOf(type, resource);
      if (typeof found !== 'string') {
        if (report) {
          errors.push(exportError(where(number), found.code, found.diagnostics, found.expression));
        }
        continue;
      }
      id = found;
      reencoded =
        allUtf8 || isUtf8(chunk.subarray(lineStart, lineEnd)) ? undefined : Buffer.from(text);
    }
    if (shard !== undefined && !inShard(id, shard)) {
      continue;
    }
    resources += 1;
    if (type === 'Patient') {
      patients += 1;
    }
    const p = partitionOf(id, partitions);
    // The id is ASCII (a FHIR id), so the prefix is as many bytes as characters.
    const prefix = recordPrefix(id, typeIndex, task.fileIndex, number);
    parts.push(p);
    prefixes.push(prefix);
    starts.push(lineStart);
    ends.push(lineEnd);
    texts.push(reencoded);
    sizes[p] = (sizes[p] ?? 0) + prefix.length + (reencoded?.length ?? bytes) + 1;
  }

  const offsets = new Array<number>(partitions + 1);
  offsets[0] = 0;
  for (let p = 0; p < partitions; p++) {
    offsets[p + 1] = (offsets[p] ?? 0) + (sizes[p] ?? 0);
  }
  // A buffer of its own (not a slice of Node's shared pool), so that it can be moved to the
  // reading thread rather than copied.
  const records = Buffer.allocUnsafeSlow(offsets[partitions] ?? 0);
  const at = offsets.slice(0, partitions);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] ?? 0;
    let pos = at[p] ?? 0;
    // The prefix is ASCII: its characters are its bytes (a loop costs less than a call to
    // `write` for some twenty characters).
    const prefix = prefixes[i] ?? '';
    for (let k = 0; k < prefix.length; k++) {
      records[pos++] = prefix.charCodeAt(k);
    }
    const reencoded = texts[i];
    pos +=
      reencoded === undefined
        ? chunk.copy(records, pos, starts[i], ends[i])
        : reencoded.copy(records, pos);
    records[pos] = NEWLINE;
    at[p] = pos + 1;
  }
  return { records, offsets, errors, resources, patients, bytesRead, linesRead };
}
