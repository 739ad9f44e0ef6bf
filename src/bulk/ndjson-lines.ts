/**
 * Splits a byte stream into NDJSON lines without ever holding more than one line (plus one read
 * chunk): a line longer than the limit is reported by number and its bytes are skipped up to the
 * next newline, so one over-long line can neither exhaust memory nor stop the lines after it.
 *
 * Node's `readline` has no line-length limit (it would buffer a newline-free upload whole), hence
 * this small splitter. Lines end with `\n`; a `\r` before it is dropped (CRLF files); a UTF-8 BOM
 * at the start of the stream is dropped; the empty remainder after a final newline is not a line.
 *
 * @packageDocumentation
 */

/** One input line: its text, or the fact that it was longer than the limit. */
export type InputLine =
  | { readonly number: number; readonly text: string; readonly bytes: number }
  | { readonly number: number; readonly tooLong: true; readonly bytes: number };

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * The stream as bytes, without the UTF-8 BOM that may open it (looked for in the first non-empty
 * chunk).
 */
async function* withoutBom(source: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let first = true;
  for await (const raw of source) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    if (first && chunk.length > 0) {
      first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        yield chunk.subarray(3);
        continue;
      }
    }
    yield chunk;
  }
}

/**
 * The unfinished line at the end of the chunks read so far: its bytes (copied: the caller's chunk
 * buffer may be reused by file streams and sockets), or only their count once it is longer than
 * the limit (+1: room for the CR that CRLF files put before the newline) — an over-long line is
 * never held in memory.
 */
class UnfinishedLine {
  pieces: Buffer[] = [];
  bytes = 0;
  overflow = false;

  constructor(private readonly maxLineBytes: number) {}

  /** Adds the rest of a chunk (bytes after its last newline). */
  keep(rest: Buffer): void {
    if (this.overflow || this.bytes + rest.length > this.maxLineBytes + 1) {
      this.overflow = true;
      this.bytes += rest.length;
      this.pieces = [];
    } else {
      this.pieces.push(Buffer.from(rest));
      this.bytes += rest.length;
    }
  }

  /** Forgets it (its line was finished). */
  clear(): void {
    this.pieces = [];
    this.bytes = 0;
    this.overflow = false;
  }
}

/**
 * Yields the lines of a byte stream, numbered from 1 (every physical line counts, blank ones
 * too, so the numbers are those an editor shows).
 *
 * @param source - The bytes (an HTTP request, a file stream, stdin).
 * @param maxLineBytes - Longest line accepted, in bytes (without its newline).
 */
export async function* ndjsonLines(
  source: AsyncIterable<Buffer | string>,
  maxLineBytes: number,
): AsyncGenerator<InputLine> {
  for await (const lines of ndjsonLineBatches(source, maxLineBytes)) {
    for (const line of lines) {
      yield line;
    }
  }
}

/**
 * {@link ndjsonLines}, the lines ended in each chunk of the stream at once (never an empty
 * batch). For readers of many short lines, such as the grouping of a bulk export: one `await`
 * per line (a promise and a trip through the microtask queue each) costs more than the work on
 * a line of a few hundred bytes.
 *
 * @param source - The bytes.
 * @param maxLineBytes - Longest line accepted, in bytes (without its newline).
 */
export async function* ndjsonLineBatches(
  source: AsyncIterable<Buffer | string>,
  maxLineBytes: number,
): AsyncGenerator<InputLine[]> {
  const pending = new UnfinishedLine(maxLineBytes);
  let number = 0;

  const finish = (piece: Buffer): InputLine => {
    number += 1;
    if (pending.overflow) {
      const bytes = pending.bytes + piece.length;
      pending.clear();
      return { number, tooLong: true, bytes };
    }
    let line = pending.pieces.length === 0 ? piece : Buffer.concat([...pending.pieces, piece]);
    pending.clear();
    if (line.length > 0 && line[line.length - 1] === CR) {
      line = line.subarray(0, line.length - 1);
    }
    if (line.length > maxLineBytes) {
      return { number, tooLong: true, bytes: line.length };
    }
    return { number, text: line.toString('utf8'), bytes: line.length };
  };

  for await (const chunk of withoutBom(source)) {
    let start = 0;
    const lines: InputLine[] = [];
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end < 0) {
        break;
      }
      lines.push(finish(chunk.subarray(start, end)));
      start = end + 1;
    }
    if (start < chunk.length) {
      pending.keep(chunk.subarray(start));
    }
    if (lines.length > 0) {
      yield lines;
    }
  }
  if (pending.bytes > 0 || pending.overflow) {
    yield [finish(Buffer.alloc(0))];
  }
}

/**
 * A piece of an NDJSON stream, as {@link ndjsonChunks} cuts it: whole lines as bytes, or a line
 * over the limit (its bytes skipped).
 */
export type LineChunk =
  | {
      readonly kind: 'lines';
      /**
       * Whole lines, each ending with `\n` (the last line of the stream may have none; a `\r`
       * before a newline is still there). A buffer of its own, not shared with other chunks, so
       * that it can be moved to another thread.
       */
      readonly bytes: Buffer;
      /** Number (1-based) of its first line. */
      readonly firstLine: number;
      /** Lines in it. */
      readonly lines: number;
    }
  | { readonly kind: 'too-long'; readonly number: number; readonly bytes: number };

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let i = bytes.indexOf(NEWLINE); i >= 0; i = bytes.indexOf(NEWLINE, i + 1)) {
    count += 1;
  }
  return count;
}

/**
 * The lines of a byte stream cut into chunks of whole lines (as bytes: splitting them into lines
 * and decoding them is left to the reader, which may be another thread) — the same lines, numbers
 * and over-long lines as {@link ndjsonLineBatches}: a line is over the limit as soon as its
 * unfinished part at the end of a chunk of the stream is longer than the limit (+1 for a CR), or
 * when it ends longer than the limit without its CR (which the reader checks). Memory: one line
 * up to the limit plus one chunk of the stream.
 *
 * @param source - The bytes.
 * @param maxLineBytes - Longest line accepted, in bytes (without its newline).
 */
export async function* ndjsonChunks(
  source: AsyncIterable<Buffer | string>,
  maxLineBytes: number,
): AsyncGenerator<LineChunk> {
  const pending = new UnfinishedLine(maxLineBytes);
  let number = 0;

  /** The pending bytes followed by `head`, in a buffer of its own. */
  const linesOf = (head: Buffer, lines: number): LineChunk => {
    const bytes = Buffer.allocUnsafeSlow(pending.bytes + head.length);
    let pos = 0;
    for (const piece of pending.pieces) {
      pos += piece.copy(bytes, pos);
    }
    head.copy(bytes, pos);
    pending.clear();
    const chunk: LineChunk = { kind: 'lines', bytes, firstLine: number + 1, lines };
    number += lines;
    return chunk;
  };

  for await (const chunk of withoutBom(source)) {
    let start = 0;
    if (pending.overflow) {
      const end = chunk.indexOf(NEWLINE);
      if (end < 0) {
        pending.keep(chunk); // counted only
        continue;
      }
      number += 1;
      yield { kind: 'too-long', number, bytes: pending.bytes + end };
      pending.clear();
      start = end + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start) {
      const head = chunk.subarray(start, last + 1);
      yield linesOf(head, countNewlines(head));
      start = last + 1;
    }
    if (start < chunk.length) {
      pending.keep(chunk.subarray(start));
    }
  }
  if (pending.overflow) {
    yield { kind: 'too-long', number: number + 1, bytes: pending.bytes };
  } else if (pending.bytes > 0) {
    yield linesOf(Buffer.alloc(0), 1);
  }
}
