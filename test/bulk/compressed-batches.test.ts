/**
 * Compressed bulk output (src/bulk/compressed-batches.ts): what is written decompresses to the
 * batches in order, although the writer reuses its two buffers and the caller reuses its own
 * memory at once; a flushed batch can be read before the end; a stalled output stops the writer
 * instead of letting it buffer; a closed output makes the next write fail.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import {
  brotliDecompressSync,
  constants,
  gunzipSync,
  type BrotliOptions,
  type ZlibOptions,
} from 'node:zlib';
import { CODECS, CompressedBatches, type Codec } from '../../src/bulk/compressed-batches';

/** An output that keeps what it is given. */
function collector(): { out: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { out, bytes: () => Buffer.concat(chunks) };
}

function decompress(codec: Codec, bytes: Buffer, partial = false): Buffer {
  if (codec === 'gzip') {
    const o: ZlibOptions = partial ? { finishFlush: constants.Z_SYNC_FLUSH } : {};
    return gunzipSync(bytes, o);
  }
  const o: BrotliOptions = partial ? { finishFlush: constants.BROTLI_OPERATION_FLUSH } : {};
  return brotliDecompressSync(bytes, o);
}

/** A line of FHIR-like text, different for each n. */
const line = (n: number) =>
  `{"resourceType":"ImmunizationEvaluation","id":"p${n}-e1","doseNumberPositiveInt":${n % 7}}\n`;

describe.each(CODECS)('%s', (codec) => {
  test('batches decompress to their bytes in order, although every buffer is reused', async () => {
    const { out, bytes } = collector();
    const writer = new CompressedBatches(out, codec);
    const arena = Buffer.alloc(256 * 1024); // the caller's memory, overwritten after each write
    let expected = '';
    let n = 0;
    // Sizes that grow and shrink, so that both gathering buffers are grown and then reused.
    for (const lines of [3, 200, 1, 900, 50, 0, 400, 2, 700]) {
      const pieces: Uint8Array[] = [];
      let at = 0;
      for (let i = 0; i < lines; i++) {
        const text = line(n++);
        const written = arena.write(text, at, 'latin1');
        pieces.push(arena.subarray(at, at + written));
        at += written;
        expected += text;
      }
      await writer.write(pieces);
      arena.fill(0x78); // reused at once, as a worker thread reuses its arena
    }
    await writer.end();
    expect(decompress(codec, bytes()).toString('latin1')).toBe(expected);
    expect(bytes().length).toBeLessThan(expected.length / 5);
  });

  test('a flushed batch can be read before the output ends (a streamed HTTP answer)', async () => {
    const { out, bytes } = collector();
    const writer = new CompressedBatches(out, codec);
    await writer.write([Buffer.from(line(1) + line(2))], undefined, true);
    // Wait until the compressor has pushed the flushed bytes through to the output.
    for (let i = 0; i < 100 && bytes().length === 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(decompress(codec, bytes(), true).toString()).toBe(line(1) + line(2));
    await writer.end();
    expect(decompress(codec, bytes()).toString()).toBe(line(1) + line(2));
  });

  test('a stalled output stops the writer; it goes on once the output drains', async () => {
    const held: (() => void)[] = [];
    const out = new Writable({
      highWaterMark: 1024,
      write(_chunk, _enc, cb) {
        held.push(cb); // stalled: never done until released
      },
    });
    const writer = new CompressedBatches(out, codec);
    // Random bytes do not compress: the compressor's output fills what the stalled output holds.
    let settled = 0;
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 4; i++) {
      const w = writer.write([randomBytes(512 * 1024)]);
      writes.push(w.then(() => void (settled += 1)));
      await Promise.race([w, new Promise((r) => setTimeout(r, 200))]);
    }
    expect(settled).toBeLessThan(4); // the writer waits: memory stays bounded
    const release = setInterval(() => {
      held.splice(0).forEach((cb) => {
        cb();
      });
    }, 5);
    await Promise.all(writes);
    await writer.end();
    clearInterval(release);
    expect(settled).toBe(4);
  });

  test('a closed output makes the next write fail, and the end report it', async () => {
    const out = new PassThrough();
    out.resume();
    const writer = new CompressedBatches(out, codec);
    await writer.write([Buffer.from(line(1))]);
    out.destroy(new Error('client went away'));
    await new Promise((r) => setImmediate(r));
    await expect(writer.write([Buffer.from(line(2))])).rejects.toThrow();
    await expect(writer.end()).rejects.toThrow();
  });
});
