/**
 * A forecast worker thread (see executor.ts): loads the rule catalog once, then answers batches
 * of items — and chunks of a bulk export to partition (pass 1 of reading an export, see
 * partition-chunk.ts). Loaded from `dist/` as `.js`, or from `src/` as `.ts` with `--require tsx/cjs`.
 *
 * @packageDocumentation
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { RuleSetError } from '../rules/problem';
import { ArenaSupply, BatchArena } from './batch-arena';
import { loadRuleCatalog, type RuleCatalog } from '../rules/rule-catalog';
import {
  BYTE_FIELDS,
  safeForecastItem,
  type BulkItem,
  type ItemResult,
  type RunSettings,
} from './forecast-item';
import {
  partitionChunk,
  type PartitionChunkResult,
  type PartitionChunkTask,
} from './partition-chunk';

/** A message to a worker. */
export type WorkerRequest =
  | {
      readonly type: 'batch';
      readonly id: number;
      readonly items: readonly BulkItem[];
      readonly run: RunSettings;
    }
  | { readonly type: 'partition-chunk'; readonly id: number; readonly task: PartitionChunkTask }
  /** Buffers of earlier results, written out: moved back for reuse (no reply). */
  | { readonly type: 'recycle'; readonly buffers: readonly ArrayBuffer[] };

/** A message from a worker. */
export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | {
      readonly type: 'done';
      readonly id: number;
      readonly results: ItemResult[];
      /** The buffers the results' bytes are views on (moved with them). */
      readonly buffers: ArrayBuffer[];
    }
  | { readonly type: 'partitioned'; readonly id: number; readonly result: PartitionChunkResult };

/** What the pool passes to each thread. */
interface WorkerData {
  readonly rulesDir: string;
  readonly defaultVersion?: string | undefined;
}

/**
 * The buffers to move to the main thread with a batch's results: the arena's (a batch's answers
 * are megabytes), and — should a result hold bytes from elsewhere — a buffer of their own (a line
 * that is a slice of Node's shared buffer pool gets a copy first: the pool itself cannot be
 * moved).
 */
function movable(results: ItemResult[], arena: BatchArena): ArrayBuffer[] {
  const move = new Set<ArrayBuffer>(arena.buffers());
  for (const r of results) {
    for (const field of BYTE_FIELDS) {
      let bytes = r[field];
      if (bytes === undefined || move.has(bytes.buffer as ArrayBuffer)) {
        continue;
      }
      if (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) {
        bytes = Buffer.from(new Uint8Array(bytes));
        r[field] = bytes;
      }
      move.add(bytes.buffer as ArrayBuffer);
    }
  }
  return [...move];
}

function start(): void {
  const port = parentPort;
  if (isMainThread || port === null) {
    return;
  }
  const data = workerData as WorkerData;
  let catalog: RuleCatalog;
  try {
    catalog = loadRuleCatalog(data.rulesDir, data.defaultVersion);
  } catch (err) {
    const message =
      err instanceof RuleSetError
        ? `invalid rules in ${data.rulesDir}: ${err.message}`
        : `cannot load the rules in ${data.rulesDir}: ${err instanceof Error ? err.message : String(err)}`;
    port.postMessage({ type: 'failed', message } satisfies WorkerReply);
    return;
  }
  const supply = new ArenaSupply();
  port.on('message', (request: WorkerRequest) => {
    if (request.type === 'recycle') {
      supply.giveBack(request.buffers);
      return;
    }
    if (request.type === 'partition-chunk') {
      // The records are moved back (the input chunk was moved here): no copy of the bytes.
      const result = partitionChunk(request.task);
      port.postMessage({ type: 'partitioned', id: request.id, result } satisfies WorkerReply, [
        result.records.buffer as ArrayBuffer,
      ]);
      return;
    }
    const arena = new BatchArena(supply);
    const results = request.items.map((item) =>
      safeForecastItem(item, request.run, catalog, arena.encode),
    );
    const buffers = movable(results, arena);
    port.postMessage(
      { type: 'done', id: request.id, results, buffers } satisfies WorkerReply,
      buffers,
    );
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}

start();
