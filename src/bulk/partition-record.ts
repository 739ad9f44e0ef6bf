/**
 * The partition record: one resource line of a bulk export as the first pass writes it to a
 * partition file (partition-chunk.ts) and the second pass reads it back (bulk-export.ts):
 *
 *     <patient id> \t <type index> \t <file index> \t <line number> \t <resource JSON> \n
 *
 * A patient reaches a forecasting thread as the bytes of their records (the Patient's first),
 * copied from the partition file as read: the reading thread only finds each record's patient id
 * to group them, and the forecasting thread decodes them ({@link patientSources}). Why bytes:
 * turned into a string and an object per record on the reading thread, then copied string by
 * string to the thread (structured clone) and rebuilt there, a patient of ~26 resources cost
 * ~0.10 ms of the reading thread's CPU and ~0.055 ms of the forecasting thread's; as bytes,
 * ~0.06 and ~0.02 ms (docs/benchmarks.md, session 6).
 *
 * This module is the one place that knows the record's layout.
 *
 * @packageDocumentation
 */
import type { BulkItem, SourceLine } from './forecast-item';
import { EXPORT_TYPE_NAMES, type ExportType } from './export-types';

/** A patient of a bulk export, as handed to a forecasting thread. */
export type PatientItem = Extract<BulkItem, { kind: 'patient' }>;

const TAB = 9;

/**
 * The text before the resource JSON in a record. The id is a FHIR id (ASCII), so the prefix has
 * as many bytes as characters.
 *
 * @param patientId - The patient's id.
 * @param typeIndex - Index of the resource type in `EXPORT_TYPE_NAMES`.
 * @param fileIndex - Index of the export file in the run's list of files.
 * @param line - Line number (1-based) in that file.
 */
export function recordPrefix(
  patientId: string,
  typeIndex: number,
  fileIndex: number,
  line: number,
): string {
  return `${patientId}\t${typeIndex}\t${fileIndex}\t${line}\t`;
}

/**
 * Where a record's patient id ends (the first tab), and whether it is a Patient, read from the
 * bytes without decoding the record.
 *
 * @param bytes - Bytes holding the record.
 * @param start - Where it starts.
 * @param end - Where it ends (its newline, or the end of the bytes).
 * @returns `undefined` when the record has no type field (a corrupt partition file)
 */
export function recordHead(
  bytes: Uint8Array,
  start: number,
  end: number,
): { readonly idEnd: number; readonly type: ExportType } | undefined {
  const idEnd = bytes.indexOf(TAB, start);
  if (idEnd < 0 || idEnd >= end) {
    return undefined;
  }
  let typeIndex = 0;
  let i = idEnd + 1;
  for (; i < end && bytes[i] !== TAB; i++) {
    typeIndex = typeIndex * 10 + (bytes[i] ?? 0) - 0x30;
  }
  const type = i === idEnd + 1 || i === end ? undefined : EXPORT_TYPE_NAMES[typeIndex];
  return type === undefined ? undefined : { idEnd, type };
}

/**
 * A record (one line of text, without its newline) as the resource line it came from.
 *
 * @param record - The record's text.
 * @param files - The export files' names, by the record's file index.
 * @throws Error when the record is not one (a corrupt partition file)
 */
export function recordSource(record: string, files: readonly string[]): SourceLine {
  return recordLine(record, 0, record.length, files);
}

/** A resource line of a patient item, and where its JSON is in the item's decoded records. */
export interface RecordLine extends SourceLine {
  /** Where `text` starts in the records' text. */
  readonly start: number;
}

/** The record `records.slice(start, end)` as a {@link RecordLine}. */
function recordLine(
  records: string,
  start: number,
  end: number,
  files: readonly string[],
): RecordLine {
  const a = records.indexOf('\t', start);
  const b = a < 0 ? -1 : records.indexOf('\t', a + 1);
  const c = b < 0 ? -1 : records.indexOf('\t', b + 1);
  const d = c < 0 ? -1 : records.indexOf('\t', c + 1);
  const type = b < 0 || b > end ? undefined : EXPORT_TYPE_NAMES[Number(records.slice(a + 1, b))];
  const file = c < 0 || c > end ? undefined : files[Number(records.slice(b + 1, c))];
  if (type === undefined || file === undefined || d < 0 || d >= end) {
    throw new Error('corrupt partition record');
  }
  // Pass 1 drops one CR before a line's newline; a second one belongs to the JSON (whitespace)
  // and is dropped here, as reading the partition file line by line did.
  const jsonEnd = records.charCodeAt(end - 1) === 0x0d ? end - 1 : end;
  return {
    type,
    file,
    line: Number(records.slice(c + 1, d)),
    text: records.slice(d + 1, jsonEnd),
    start: d + 1,
  };
}

/**
 * The Patient and the other resources of a patient item, decoded.
 *
 * @param item - The item (its records: the Patient's first).
 * @returns the lines, and the records' text their `start` is in
 * @throws Error when the records are corrupt
 */
export function patientSources(item: PatientItem): {
  patient: RecordLine;
  resources: RecordLine[];
  text: string;
} {
  const { records } = item;
  const text = Buffer.from(records.buffer, records.byteOffset, records.byteLength).toString('utf8');
  const sources: RecordLine[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) {
      end = text.length;
    }
    sources.push(recordLine(text, start, end, item.files));
    start = end + 1;
  }
  const [patient, ...resources] = sources;
  if (patient?.type !== 'Patient') {
    throw new Error('corrupt patient records: no Patient first');
  }
  return { patient, resources, text };
}

/**
 * A patient item made from resource lines (tests, and any reader that has the lines as text).
 *
 * @param patientId - The patient's id.
 * @param patient - Their Patient line.
 * @param resources - Their other resource lines.
 */
export function patientItem(
  patientId: string,
  patient: SourceLine,
  resources: readonly SourceLine[],
): PatientItem {
  const files: string[] = [];
  let text = '';
  for (const source of [patient, ...resources]) {
    let fileIndex = files.indexOf(source.file);
    if (fileIndex < 0) {
      fileIndex = files.push(source.file) - 1;
    }
    const typeIndex = EXPORT_TYPE_NAMES.indexOf(source.type as ExportType);
    text += `${recordPrefix(patientId, typeIndex, fileIndex, source.line)}${source.text}\n`;
  }
  return { kind: 'patient', patientId, records: Buffer.from(text), files };
}

/**
 * Copies a patient's records into one buffer of its own (not a slice of Node's shared pool: it
 * travels to a thread, and a view of a larger buffer would take all of it along).
 *
 * @param chunks - The buffers the records are in.
 * @param patient - Where the Patient's record is: `[chunk, start, end]`.
 * @param resources - Where the other records are: `[chunk, start, end]` triples.
 * @param bytes - Their total length.
 */
export function gatherRecords(
  chunks: readonly Buffer[],
  patient: readonly [number, number, number],
  resources: readonly number[],
  bytes: number,
): Uint8Array {
  const out = Buffer.allocUnsafeSlow(bytes);
  let pos = chunks[patient[0]]?.copy(out, 0, patient[1], patient[2]) ?? 0;
  for (let i = 0; i < resources.length; i += 3) {
    pos += chunks[resources[i] ?? 0]?.copy(out, pos, resources[i + 1], resources[i + 2]) ?? 0;
  }
  return out;
}
