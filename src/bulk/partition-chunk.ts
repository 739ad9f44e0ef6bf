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
import { FHIR_ID, isIdCharCode, isRecord } from '../fhir/json';
import { jsonValue } from '../fhir/json-text';
import { EXPORT_TYPE_NAMES, EXPORT_TYPES, type ExportType } from './export-types';
import { bytesAre, LineScanner } from './resource-scan';
import { TemplateScanner, type ScannedPositions } from './json-templates';
import { inShard, partitionOf, partitionOfBytes, type Shard } from './shard';

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
      diagnostics: `the line is not a resource of type ${type}`,
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
  EXPORT_TYPE_NAMES.map((t) => [t, new LineScanner(EXPORT_TYPES[t])]),
) as Record<ExportType, LineScanner>;

/**
 * In front of the byte scanner, per resource type: lines read by the template of a line the
 * scanner read before (json-templates.ts) — the same positions, about twice as fast, since the
 * lines of an export file mostly repeat one shape.
 */
const TEMPLATE_SCANNERS = Object.fromEntries(
  EXPORT_TYPE_NAMES.map((t) => [t, new TemplateScanner(EXPORT_TYPES[t])]),
) as Record<ExportType, TemplateScanner>;

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
  /**
   * Whether lines are first read by template (json-templates.ts `TemplateScanner`); default
   * true. The results are the same either way.
   */
  readonly templates?: boolean | undefined;
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

/** The bytes of `\t` and `0` (records are written byte by byte). */
const TAB = 0x09;
const ZERO = 0x30;
const PATIENT_SLASH = Buffer.from('Patient/', 'latin1');
/** The bytes of each export type's name (compared with the scanned `resourceType`). */
const TYPE_BYTES = Object.fromEntries(
  EXPORT_TYPE_NAMES.map((t) => [t, Buffer.from(t, 'latin1')]),
) as Record<ExportType, Buffer>;

/** Whether the bytes `[s, e)` are a FHIR id — what `FHIR_ID` tests, on ASCII bytes. */
function isIdBytes(b: Uint8Array, s: number, e: number): boolean {
  if (e <= s || e - s > 64) {
    return false;
  }
  for (let k = s; k < e; k++) {
    if (!isIdCharCode(b[k] ?? 0)) {
      return false;
    }
  }
  return true;
}

/** Number of decimal digits of a line number (≥ 1): comparisons, not divisions. */
function digitCount(n: number): number {
  if (n < 100_000) {
    return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10_000 ? 4 : 5;
  }
  if (n < 1_000_000_000) {
    return n < 1_000_000 ? 6 : n < 10_000_000 ? 7 : n < 100_000_000 ? 8 : 9;
  }
  return String(n).length;
}

/**
 * Writes the digits of a line number at `pos`.
 *
 * @returns the index after them
 */
function writeDigits(out: Uint8Array, pos: number, number: number): number {
  const after = pos + digitCount(number);
  if (number >= 1_000_000_000) {
    const text = String(number);
    for (let k = 0; k < text.length; k++) {
      out[pos + k] = text.charCodeAt(k);
    }
    return after;
  }
  let n = number;
  for (let k = after - 1; k >= pos; k--) {
    const q = (n / 10) | 0; // (below 2^31: integer division)
    out[k] = ZERO + n - q * 10;
    n = q;
  }
  return after;
}

/**
 * The kept lines of the chunk being partitioned (see {@link partitionChunk}), reused from chunk to
 * chunk of a thread: grown to the most lines a chunk kept (48 bytes a line).
 */
let keptStore = new Float64Array(6 * 1024);
/**
 * Largest store kept from one chunk to the next: 64 K lines (3 MB). A chunk of the bulk reader
 * has at most some 30 K (1 MiB of lines of at least ~36 bytes, and one long line).
 */
const KEPT_STORE_KEPT = 6 * 65_536;

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
 * {@link patientIdOf} as the parsed ones — or, for the common forms (`resourceType` the file's
 * type; the id, or a reference `Patient/<id>`), by the same tests on their bytes — so both paths
 * keep the same lines with the same ids.
 *
 * Per line, the fast path makes no object and no string (about 26 lines per patient; measured
 * in session 7: allocation, string building and copying per line cost as much as the scan): a
 * kept line is six numbers (partition, where its id is, line number, where its bytes are), and
 * the records are written from them into one buffer.
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
  const scanner = allUtf8 && options.scan !== false ? SCANNERS[type] : undefined;
  const templates =
    scanner !== undefined && options.templates !== false ? TEMPLATE_SCANNERS[type] : undefined;
  const typeBytes = TYPE_BYTES[type];
  const idIsElement = EXPORT_TYPES[type] === 'id';
  const errors: string[] = [];
  // The kept lines, in order, six numbers each: partition; id start and end in the chunk (or
  // -1 - its index in `ids`, and 0); line number; line start and end in the chunk (or -1 - its
  // index in `texts`, re-encoded, and 0).
  let kept = keptStore;
  let keptLength = 0;
  const ids: string[] = [];
  const texts: Buffer[] = [];
  const sizes = new Array<number>(partitions).fill(0);
  // `\t<type index>\t<file index>\t`: the part of the prefix every record of the chunk shares.
  const middle = Buffer.from(`\t${typeIndex}\t${task.fileIndex}\t`, 'latin1');
  let resources = 0;
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
    // The id: bytes `[idStart, idEnd)` of the chunk, or a string (idStart -1 - its index in ids).
    let idStart = -1;
    let idEnd = -1;
    // Trusted only when it reads the line and the line is fine; else the slow path below.
    let read: ScannedPositions | undefined;
    if (templates?.scan(chunk, lineStart, lineEnd) === true) {
      read = templates;
    } else if (scanner?.scan(chunk, lineStart, lineEnd) === true) {
      read = scanner;
      templates?.learn(chunk, lineStart, lineEnd, scanner);
    }
    if (read !== undefined) {
      const { typeStart, typeEnd, patientStart, patientEnd } = read;
      if (bytesAre(chunk, typeStart, typeEnd, typeBytes)) {
        if (idIsElement) {
          if (isIdBytes(chunk, patientStart, patientEnd)) {
            idStart = patientStart;
            idEnd = patientEnd;
          }
        } else if (
          patientEnd - patientStart > PATIENT_SLASH.length &&
          bytesAre(chunk, patientStart, patientStart + PATIENT_SLASH.length, PATIENT_SLASH) &&
          isIdBytes(chunk, patientStart + PATIENT_SLASH.length, patientEnd)
        ) {
          // `Patient/<id>`: what PATIENT_REFERENCE reads, as bytes.
          idStart = patientStart + PATIENT_SLASH.length;
          idEnd = patientEnd;
        } else {
          // An absolute reference, one with `_history`, or no patient's: by the pattern.
          const found = patientIdOf(type, type, chunk.toString('latin1', patientStart, patientEnd));
          if (typeof found === 'string') {
            idStart = -1 - ids.length;
            idEnd = 0;
            ids.push(found);
          }
        }
      }
    }
    let textIndex = -1;
    if (idEnd < 0) {
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
      idStart = -1 - ids.length;
      idEnd = 0;
      ids.push(found);
      if (!allUtf8 && !isUtf8(chunk.subarray(lineStart, lineEnd))) {
        textIndex = texts.push(Buffer.from(text)) - 1;
      }
    }
    let p: number;
    let idBytes: number;
    if (idStart >= 0) {
      p = partitionOfBytes(chunk, idStart, idEnd, shard, partitions);
      idBytes = idEnd - idStart;
    } else {
      const id = ids[-1 - idStart] ?? '';
      p = shard !== undefined && !inShard(id, shard) ? -1 : partitionOf(id, partitions);
      // The id is ASCII (a FHIR id), so the prefix is as many bytes as characters.
      idBytes = id.length;
    }
    if (p < 0) {
      continue; // another shard's patient
    }
    resources += 1;
    const text = textIndex < 0 ? undefined : texts[textIndex];
    if (keptLength + 6 > kept.length) {
      const grown = new Float64Array(kept.length * 2);
      grown.set(kept);
      kept = grown;
      keptStore = grown;
    }
    kept[keptLength] = p;
    kept[keptLength + 1] = idStart;
    kept[keptLength + 2] = idEnd;
    kept[keptLength + 3] = number;
    kept[keptLength + 4] = text === undefined ? lineStart : -1 - textIndex;
    kept[keptLength + 5] = text === undefined ? lineEnd : 0;
    keptLength += 6;
    sizes[p] =
      (sizes[p] ?? 0) +
      idBytes +
      middle.length +
      digitCount(number) +
      1 +
      (text === undefined ? bytes : text.length) +
      1;
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
  for (let i = 0; i < keptLength; i += 6) {
    const p = kept[i] ?? 0;
    let pos = at[p] ?? 0;
    // The prefix (ASCII), byte by byte: a loop costs less than a call to `write` or `copy` for
    // the few bytes of each field.
    const idStart = kept[i + 1] ?? 0;
    if (idStart >= 0) {
      const idEnd = kept[i + 2] ?? 0;
      for (let k = idStart; k < idEnd; k++) {
        records[pos++] = chunk[k] ?? 0;
      }
    } else {
      const id = ids[-1 - idStart] ?? '';
      for (let k = 0; k < id.length; k++) {
        records[pos++] = id.charCodeAt(k);
      }
    }
    for (let k = 0; k < middle.length; k++) {
      records[pos++] = middle[k] ?? 0;
    }
    pos = writeDigits(records, pos, kept[i + 3] ?? 0);
    records[pos++] = TAB;
    const lineStart = kept[i + 4] ?? 0;
    if (lineStart >= 0) {
      pos += chunk.copy(records, pos, lineStart, kept[i + 5] ?? 0);
    } else {
      pos += texts[-1 - lineStart]?.copy(records, pos) ?? 0;
    }
    records[pos] = NEWLINE;
    at[p] = pos + 1;
  }
  scanner?.release();
  templates?.release();
  if (keptStore.length > KEPT_STORE_KEPT) {
    keptStore = new Float64Array(6 * 1024); // (not held for the next chunks: an unusual chunk)
  }
  const patients = type === 'Patient' ? resources : 0;
  return { records, offsets, errors, resources, patients, bytesRead, linesRead };
}
