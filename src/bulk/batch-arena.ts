/**
 * The memory a worker thread writes a batch's answers into, and gets back once they are written.
 *
 * Why: a bulk run's answers are ~64 kB of bytes per patient — gigabytes per million patients.
 * Each answer in a buffer of its own, moved to the main thread and left to the garbage collector
 * there, made V8 count gigabytes of "external memory" on the main thread and collect its heap
 * for it about every 64 MB: in a 50,000-patient CLI run the main thread spent ~3 s of CPU in
 * 94 full collections (`--trace-gc`), CPU the forecasting threads needed on a 2-core machine.
 * Instead, a thread writes the answers of a batch one after the other into a large buffer, moves
 * it to the main thread with the results (views on it), and the main thread moves it back once
 * every byte has been written out ({@link ForecastExecutor.recycle}): the same few buffers go
 * round and round, and a moved (detached) buffer no longer counts as memory of the thread that
 * sent it.
 *
 * @packageDocumentation
 */
import type { LineEncoder } from './forecast-item';

/**
 * Size of a fresh buffer: the answers of a batch (64 patients at ~64 kB) fit in one, with room.
 * A larger answer gets a buffer of its own size.
 */
export const ARENA_BYTES = 8 * 1024 * 1024;

/** Buffers a thread keeps for reuse (a thread has at most a few batches in flight). */
const KEEP = 4;

/** A thread's supply of buffers, refilled by the buffers the main thread moves back. */
export class ArenaSupply {
  private readonly free: ArrayBuffer[] = [];

  /**
   * Takes back buffers (from {@link BatchArena.buffers}, moved back by the main thread); keeps a
   * few, of the standard size or larger.
   *
   * @param buffers - The buffers.
   */
  giveBack(buffers: readonly ArrayBuffer[]): void {
    for (const b of buffers) {
      if (this.free.length < KEEP && b.byteLength >= ARENA_BYTES) {
        this.free.push(b);
      }
    }
  }

  /** Buffers held for reuse. */
  get held(): number {
    return this.free.length;
  }

  /** @internal A buffer of at least `bytes`: a kept one if it is large enough, else a new one. */
  take(bytes: number): ArrayBuffer {
    const kept = this.free.pop();
    if (kept !== undefined && kept.byteLength >= bytes) {
      return kept;
    }
    if (kept !== undefined) {
      this.free.push(kept);
    }
    return new ArrayBuffer(Math.max(ARENA_BYTES, bytes));
  }
}

/** The buffers of one batch: each text is written after the previous one. */
export class BatchArena {
  private readonly used: ArrayBuffer[] = [];
  /** The buffer being written (a view on the last of `used`; none yet: empty). */
  private current: Buffer = Buffer.alloc(0);
  private offset = 0;

  constructor(private readonly supply: ArenaSupply) {}

  /**
   * Writes ASCII text and returns its bytes (a view on the arena). `latin1`: one byte per
   * character, the same bytes as UTF-8 for ASCII (the output is ASCII, `fhir/json-text.ts`).
   */
  readonly encode: LineEncoder = (text) => {
    const bytes = text.length;
    if (this.used.length === 0 || this.offset + bytes > this.current.length) {
      const buffer = this.supply.take(bytes);
      this.used.push(buffer);
      this.current = Buffer.from(buffer);
      this.offset = 0;
    }
    const start = this.offset;
    this.offset += this.current.write(text, start, bytes, 'latin1');
    return this.current.subarray(start, this.offset);
  };

  /** The buffers written to, to be moved with the results. */
  buffers(): ArrayBuffer[] {
    return this.used;
  }
}
