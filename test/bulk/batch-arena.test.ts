/**
 * The answers' memory going round between the threads (batch-arena.ts): a thread writes a batch's
 * answers into a large buffer, the main thread writes them out and hands the buffer back. The
 * danger is handing it back too early — the bytes of an answer still waiting in an output stream
 * would vanish — so the pipeline tests below write through a slow stream.
 */
import { Readable, Writable } from 'node:stream';
import { ARENA_BYTES, ArenaSupply, BatchArena } from '../../src/bulk/batch-arena';
import { inProcessExecutor } from '../../src/bulk/executor';
import { BYTE_FIELDS, type BulkItem, type ItemResult } from '../../src/bulk/forecast-item';
import { runPipeline } from '../../src/bulk/pipeline';
import { writeChunks } from '../../src/bulk/write-chunks';
import { committedCatalog } from '../fhir/builders';
import { cheapBadLine, inputLine, twoThreadPool } from './support';

describe('BatchArena', () => {
  test('writes texts one after the other and returns their bytes', () => {
    const arena = new BatchArena(new ArenaSupply());
    const a = arena.encode('{"a":1}\n');
    const empty = arena.encode('');
    const b = arena.encode('{"b":"x\\u00e9"}\n');
    expect(a.toString('latin1')).toBe('{"a":1}\n');
    expect(empty.length).toBe(0);
    expect(b.toString('latin1')).toBe('{"b":"x\\u00e9"}\n');
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + a.length);
    expect(arena.buffers()).toEqual([a.buffer]);
    expect(a.buffer.byteLength).toBe(ARENA_BYTES);
  });

  test('starts another buffer when one is full, and gives a larger text a buffer of its size', () => {
    const arena = new BatchArena(new ArenaSupply());
    const big = 'x'.repeat(ARENA_BYTES - 10);
    const first = arena.encode(big);
    const second = arena.encode('y'.repeat(20));
    const huge = arena.encode('z'.repeat(ARENA_BYTES + 5));
    expect(second.buffer).not.toBe(first.buffer);
    expect(huge.buffer.byteLength).toBe(ARENA_BYTES + 5);
    expect(arena.buffers()).toEqual([first.buffer, second.buffer, huge.buffer]);
    expect(first.toString('latin1')).toBe(big);
    expect(second.toString('latin1')).toBe('y'.repeat(20));
    expect(huge.length).toBe(ARENA_BYTES + 5);
  });

  test('reuses the buffers given back, a few of them, of the standard size or larger', () => {
    const supply = new ArenaSupply();
    const one = new BatchArena(supply);
    one.encode('abc');
    const [used] = one.buffers();
    supply.giveBack([used!, new ArrayBuffer(100)]);
    expect(supply.held).toBe(1); // the small one is dropped
    const two = new BatchArena(supply);
    const bytes = two.encode('def');
    expect(bytes.buffer).toBe(used);
    expect(supply.held).toBe(0);
    supply.giveBack(Array.from({ length: 10 }, () => new ArrayBuffer(ARENA_BYTES)));
    expect(supply.held).toBe(4);
  });
});

/** A file-like stream that takes its time: each chunk is copied only after a few milliseconds. */
function slowStream(): { stream: Writable; text: () => string } {
  const got: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      setTimeout(() => {
        got.push(Buffer.from(chunk));
        done();
      }, 2);
    },
  });
  return { stream, text: () => Buffer.concat(got).toString('latin1') };
}

describe('writeChunks', () => {
  test('says when every chunk is written, after the stream has taken them all', async () => {
    const { stream, text } = slowStream();
    const seen: string[] = [];
    await writeChunks(stream, [Buffer.from('a\n'), Buffer.from('b\n'), Buffer.from('c\n')], () => {
      seen.push(text());
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(['a\nb\nc\n']);
  });

  test('with nothing to write, says so at once; on a failed stream, never', async () => {
    const { stream } = slowStream();
    const none = jest.fn();
    await writeChunks(stream, [], none);
    expect(none).toHaveBeenCalledTimes(1);

    const failing = new Writable({
      write(_chunk, _enc, done) {
        done(new Error('disk full'));
      },
    });
    failing.on('error', () => undefined);
    const never = jest.fn();
    await writeChunks(failing, [Buffer.from('x\n')], never).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(never).not.toHaveBeenCalled();
  });
});

describe('answers written through a slow stream, memory handed back to the threads', () => {
  const pool = twoThreadPool();
  const catalog = committedCatalog();
  const run = { assessmentDate: '2026-03-20', version: '4.64', output: 'parameters' } as const;
  const items: BulkItem[] = Array.from({ length: 90 }, (_, i) => ({
    kind: 'line',
    line: i + 1,
    text:
      i % 7 === 3 ? cheapBadLine(i) : inputLine(`p${i}`, `20${10 + (i % 15)}-0${1 + (i % 9)}-15`),
  }));

  async function written(
    executor: ReturnType<typeof pool>,
    recycle: boolean,
  ): Promise<{ text: string; recycled: ItemResult[][] }> {
    const { stream, text } = slowStream();
    const recycled: ItemResult[][] = [];
    await runPipeline(Readable.from(items), {
      executor,
      run,
      batchItems: 8,
      window: 4,
      sink: (results) =>
        writeChunks(
          stream,
          results.flatMap((r) => (r.out === undefined ? [] : [r.out])),
          recycle
            ? () => {
                executor.recycle(results);
                recycled.push([...results]);
              }
            : undefined,
        ),
    });
    await new Promise<void>((resolve) => stream.end(resolve));
    return { text: text(), recycled };
  }

  test('every byte arrives as answered on this thread, batch after batch', async () => {
    const expected = await written(inProcessExecutor(catalog), false);
    const threads = await written(pool(), true);
    expect(threads.text).toBe(expected.text);
    expect(threads.text.split('\n')).toHaveLength(items.length + 1);
    // Every batch was handed back: its bytes are no longer readable here (moved to a thread).
    expect(threads.recycled).toHaveLength(Math.ceil(items.length / 8));
    for (const results of threads.recycled) {
      for (const r of results) {
        for (const field of BYTE_FIELDS) {
          expect(r[field]?.length ?? 0).toBe(0);
        }
      }
    }
    // 180 forecasts through a slow stream: seconds on a loaded 2-core host (jest's default 5 s
    // was exceeded once in CI, session 10), like the other thread-pool tests' limits.
  }, 60_000);
});
