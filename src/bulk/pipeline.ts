/**
 * The ordered, bounded pipeline of a bulk run: items are read from an async source, grouped into
 * batches, handed to an executor (threads work on several batches at once), and the results are
 * passed to the sink batch by batch in input order.
 *
 * Memory stays flat however long the input: at most `window` batches are in flight; when the
 * window is full the pipeline waits for the oldest batch and for the sink to take it — and the
 * sink waits when its output cannot take more (HTTP: `res.write` returned false → 'drain'). While
 * the pipeline waits it does not pull from the source, so a stream source is paused (TCP
 * backpressure reaches the client). A sink that throws (client gone) stops the run.
 *
 * @packageDocumentation
 */
import type { ForecastExecutor } from './executor';
import type { BulkItem, ItemResult, RunSettings } from './forecast-item';
import type { InputLine } from './ndjson-lines';

/** Options of {@link runPipeline}. */
export interface PipelineOptions {
  readonly executor: ForecastExecutor;
  readonly run: RunSettings;
  /** Takes each batch's results, in input order; may wait (backpressure). */
  readonly sink: (results: readonly ItemResult[]) => void | Promise<void>;
  /** Most items per batch (default 64). */
  readonly batchItems?: number;
  /** A batch is sent once its items reach this many characters (default 1 MiB). */
  readonly batchChars?: number;
  /** Most batches in flight (default twice the executor's parallelism, at least 2). */
  readonly window?: number;
}

/** What a run did. */
export interface PipelineStats {
  /** Items read. */
  items: number;
  /** Batches sent. */
  batches: number;
  /** Largest number of items in flight at once (sent, not yet taken by the sink). */
  maxItemsInFlight: number;
}

function charsOf(item: BulkItem): number {
  switch (item.kind) {
    case 'line':
      return item.text.length;
    case 'too-long':
      return 0;
    case 'patient':
      return item.records.byteLength; // bytes: as many as characters for ASCII JSON
  }
}

const ignore = (): void => undefined;

/**
 * Runs every item of `source` through the executor; resolves when the sink has taken the last
 * results. Rejects when the source, the executor or the sink fails.
 *
 * @param source - The items, in input order.
 * @param options - Executor, run settings, sink, batching.
 */
export async function runPipeline(
  source: AsyncIterable<BulkItem>,
  options: PipelineOptions,
): Promise<PipelineStats> {
  const { executor, run, sink } = options;
  const batchItems = options.batchItems ?? 64;
  const batchChars = options.batchChars ?? 1024 * 1024;
  const window = options.window ?? Math.max(2, 2 * executor.parallelism);
  const stats: PipelineStats = { items: 0, batches: 0, maxItemsInFlight: 0 };
  const inFlight: { readonly results: Promise<ItemResult[]>; readonly size: number }[] = [];
  let itemsInFlight = 0;
  let batch: BulkItem[] = [];
  let chars = 0;

  const takeOldest = async (): Promise<void> => {
    const oldest = inFlight.shift();
    if (oldest === undefined) {
      return;
    }
    const results = await oldest.results;
    await sink(results);
    itemsInFlight -= oldest.size;
  };

  const send = async (): Promise<void> => {
    if (batch.length === 0) {
      return;
    }
    const results = executor.run(batch, run);
    results.catch(ignore); // awaited in order by takeOldest; avoid an unhandled rejection meanwhile
    inFlight.push({ results, size: batch.length });
    itemsInFlight += batch.length;
    stats.batches += 1;
    stats.maxItemsInFlight = Math.max(stats.maxItemsInFlight, itemsInFlight);
    batch = [];
    chars = 0;
    while (inFlight.length >= window) {
      await takeOldest();
    }
  };

  try {
    for await (const item of source) {
      stats.items += 1;
      batch.push(item);
      chars += charsOf(item);
      if (batch.length >= batchItems || chars >= batchChars) {
        await send();
      }
    }
    await send();
    while (inFlight.length > 0) {
      await takeOldest();
    }
  } finally {
    for (const pending of inFlight) {
      pending.results.catch(ignore);
    }
  }
  return stats;
}

/**
 * The items of an NDJSON stream of `$immds-forecast` inputs, one per line.
 *
 * @param lines - The lines (see `ndjsonLines`).
 * @param maxLineBytes - The line limit, for the error of an over-long line.
 */
export async function* lineItems(
  lines: AsyncIterable<InputLine>,
  maxLineBytes: number,
): AsyncGenerator<BulkItem> {
  for await (const line of lines) {
    yield 'text' in line
      ? { kind: 'line', line: line.number, text: line.text }
      : { kind: 'too-long', line: line.number, bytes: line.bytes, limit: maxLineBytes };
  }
}
