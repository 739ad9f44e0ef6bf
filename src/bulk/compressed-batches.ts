/**
 * Compressed bulk output (`forecast-bulk --compress gzip|br`, and the bulk route's answer when the
 * client accepts it): one gzip or Brotli stream per output, fed a batch at a time.
 *
 * Why: the answers are ~60 kB of FHIR JSON per patient (60 GB per million) that repeats itself
 * patient after patient. zlib's fastest gzip level shrinks it ~21× at ~500 MB/s of one core,
 * Brotli's fastest quality ~45× at ~1.5 GB/s (both measured on the answers, docs/benchmarks.md,
 * session 12). Brotli costs the least CPU and disk; gzip is what every tool reads.
 *
 * Why batches: a compression stream compresses each written chunk as one job on libuv's thread
 * pool, and with a chunk per patient the jobs' own cost halved gzip's rate (~300 against ~500
 * MB/s for the same bytes in 4 MB pieces). So a batch's pieces are first copied into one buffer.
 * Two such buffers are used in turn (a batch is gathered while the compressor still reads the one
 * before) and kept for the whole run: a fresh 8 MB buffer per batch would make V8 count gigabytes
 * of external memory and collect the main thread's heap for it (see batch-arena.ts).
 *
 * @packageDocumentation
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  constants,
  createBrotliCompress,
  createGzip,
  type BrotliCompress,
  type Gzip,
} from 'node:zlib';
import { writeChunks } from './write-chunks';

/** The compressions offered: HTTP `Content-Encoding` names. */
export const CODECS = ['gzip', 'br'] as const;
/** A compression of bulk output. */
export type Codec = (typeof CODECS)[number];

/** File name suffix of each compression. */
export const CODEC_SUFFIX: Readonly<Record<Codec, string>> = { gzip: '.gz', br: '.br' };

/** Size of the compressor's output pieces (zlib's default, 16 kB, means four times the writes). */
const OUTPUT_CHUNK_BYTES = 64 * 1024;

/**
 * The compressor of a codec, at its fastest setting: gzip level 1 (level 6: ~30× for about three
 * times the CPU), Brotli quality 1 (quality 2: ~50× for about four times the CPU).
 */
function compressor(codec: Codec): Gzip | BrotliCompress {
  return codec === 'gzip'
    ? createGzip({ level: 1, chunkSize: OUTPUT_CHUNK_BYTES })
    : createBrotliCompress({
        chunkSize: OUTPUT_CHUNK_BYTES,
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 1,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        },
      });
}

const ignore = (): void => undefined;

/** A compression stream in front of `out`, fed whole batches. */
export class CompressedBatches {
  /** The compression stream; its output goes to `out`. */
  private readonly stream: Gzip | BrotliCompress;
  /** Settles when `out` has taken the last byte (rejects when either stream fails). */
  private readonly done: Promise<void>;
  /** The two gathering buffers, used in turn. */
  private readonly scratch: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
  /** Resolves once the compressor no longer needs `scratch[i]` (read, or the stream is gone). */
  private readonly read: [Promise<void>, Promise<void>] = [Promise.resolve(), Promise.resolve()];
  private turn: 0 | 1 = 0;

  /**
   * @param out - Where the compressed bytes go (a file stream, an HTTP response). Its
   * backpressure reaches the writer; when it fails or closes early, the compression stream is
   * destroyed and the next write rejects.
   * @param codec - The compression.
   */
  constructor(out: Writable, codec: Codec) {
    this.stream = compressor(codec);
    this.done = pipeline(this.stream, out);
    this.done.catch(ignore); // reported by end(); a failed write rejects on its own
  }

  /**
   * Writes a batch's pieces, in order, as one chunk. The pieces are copied first. Resolves when
   * the stream has room again (as {@link writeChunks}); rejects when it is closed.
   *
   * @param pieces - The batch's bytes for this output.
   * @param onWritten - Called once the pieces are copied: their memory may be reused (the same
   * contract as {@link writeChunks}'s).
   * @param flush - Also push out what the compressor holds (an HTTP answer streamed to a client
   * that waits for it; costs a few bytes of ratio per batch).
   */
  async write(pieces: readonly Uint8Array[], onWritten?: () => void, flush = false): Promise<void> {
    let bytes = 0;
    for (const p of pieces) {
      bytes += p.byteLength;
    }
    if (bytes === 0) {
      onWritten?.();
      return;
    }
    const i = this.turn;
    this.turn = i === 0 ? 1 : 0;
    await this.read[i]; // the compressor is done with this buffer (it held the batch before last)
    const stream = this.stream;
    if (stream.destroyed || stream.writableEnded) {
      throw new Error('the output is closed');
    }
    let buffer = this.scratch[i];
    if (buffer.length < bytes) {
      buffer = Buffer.allocUnsafeSlow(Math.max(bytes, 2 * buffer.length));
      this.scratch[i] = buffer;
    }
    let at = 0;
    for (const p of pieces) {
      buffer.set(p, at);
      at += p.byteLength;
    }
    onWritten?.();
    let onRead = ignore;
    this.read[i] = new Promise((resolve) => {
      // A stream calls a write's callback once it has consumed the chunk; if it is destroyed
      // first, it never does, and 'close' frees the buffer instead.
      onRead = () => {
        stream.off('close', onRead);
        resolve();
      };
      stream.once('close', onRead);
    });
    const room = writeChunks(stream, [buffer.subarray(0, bytes)], onRead);
    if (flush) {
      stream.flush();
    }
    await room;
  }

  /**
   * Ends the stream (its trailer follows the last batch) and resolves once `out` has everything
   * — for a file stream, once it is closed.
   *
   * @throws the first error of either stream
   */
  async end(): Promise<void> {
    this.stream.end();
    await this.done;
  }
}
