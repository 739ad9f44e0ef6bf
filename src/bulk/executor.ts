/**
 * Where the items of a bulk run are forecast: a pool of worker threads (all cores; each thread
 * loads its own rule catalog, since compiled rule sets cannot be shared between threads), or the
 * calling thread itself. Items travel in batches (one message for many items) to amortise the
 * cost of messaging; results come back per batch, in the batch's order. The same threads do the
 * line work of partitioning a bulk export (pass 1, before any forecast), a chunk of lines per
 * message.
 *
 * @packageDocumentation
 */
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ForecastCatalog } from '../fhir/immds-forecast';
import {
  BYTE_FIELDS,
  safeForecastItem,
  type BulkItem,
  type ItemResult,
  type RunSettings,
} from './forecast-item';
import type { WorkerReply, WorkerRequest } from './forecast-worker';
import {
  partitionChunk,
  type PartitionChunkResult,
  type PartitionChunkTask,
} from './partition-chunk';

/**
 * A result as received from a thread: its bytes arrive as plain `Uint8Array`s (a message does
 * not keep the `Buffer` class); they become `Buffer`s again, on the same memory.
 */
function asBuffers(result: ItemResult): ItemResult {
  for (const field of BYTE_FIELDS) {
    const bytes: Uint8Array | undefined = result[field];
    if (bytes !== undefined && !Buffer.isBuffer(bytes)) {
      result[field] = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
  }
  return result;
}

/** Whether the bytes are all of their buffer (which can then be moved, not copied). */
function ownsBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

/**
 * The patients' record buffers, moved to the thread with the batch rather than copied (and,
 * moved, they no longer count as this thread's memory: see batch-arena.ts) — those that are
 * buffers of their own, as `gatherRecords` makes them.
 */
function recordBuffers(items: readonly BulkItem[]): ArrayBuffer[] {
  const move = new Set<ArrayBuffer>();
  for (const item of items) {
    if (item.kind === 'patient' && ownsBuffer(item.records)) {
      move.add(item.records.buffer as ArrayBuffer);
    }
  }
  return [...move];
}

/** Runs batches of items. */
export interface ForecastExecutor {
  /** How many batches it works on at once (the pipeline keeps about twice that in flight). */
  readonly parallelism: number;
  /**
   * Forecasts a batch; the results are in the items' order. A patient's record bytes may be
   * moved to a thread: the caller must not use them afterwards.
   */
  run(items: readonly BulkItem[], run: RunSettings): Promise<ItemResult[]>;
  /**
   * Hands back the memory of a batch's results once their bytes have been written out (the
   * threads write the next answers into it: see batch-arena.ts). The results' bytes must not be
   * used afterwards. Optional: results never handed back are left to the garbage collector.
   */
  recycle(results: readonly ItemResult[]): void;
  /**
   * Checks and partitions a chunk of a bulk export's lines (see partition-chunk.ts). The task's
   * bytes may be moved to a thread: the caller must not use them afterwards.
   */
  partitionChunk(task: PartitionChunkTask): Promise<PartitionChunkResult>;
  /** Stops the threads (pending batches are rejected). */
  close(): Promise<void>;
}

/**
 * Forecasts on the calling thread, one batch per event-loop turn (so probes and other requests
 * are still answered between batches).
 *
 * @param catalog - The rule catalog.
 */
export function inProcessExecutor(catalog: ForecastCatalog): ForecastExecutor {
  return {
    parallelism: 1,
    run: (items, run) =>
      new Promise((resolve) => {
        setImmediate(() => {
          resolve(items.map((item) => safeForecastItem(item, run, catalog)));
        });
      }),
    recycle: () => undefined, // each answer has a buffer of its own, freed as usual
    partitionChunk: (task) =>
      new Promise((resolve) => {
        resolve(partitionChunk(task));
      }),
    close: () => Promise.resolve(),
  };
}

/** Options of {@link createThreadPool}. */
export interface ThreadPoolOptions {
  /** Root of the rule tables (`RULES_DIR`). */
  readonly rulesDir: string;
  /** Default rule-set version (`DEFAULT_RULE_SET_VERSION`), if configured. */
  readonly defaultVersion?: string | undefined;
  /** Number of threads; default the number of CPUs. */
  readonly threads?: number | undefined;
}

/** A request that the thread answers (a task), and the reply that ends it. */
type TaskRequest = Extract<WorkerRequest, { readonly id: number }>;
type TaskReply = Extract<WorkerReply, { readonly id: number }>;

interface Task {
  readonly request: TaskRequest;
  /** Bytes moved to the thread with the request. */
  readonly transfer: readonly ArrayBuffer[];
  readonly resolve: (reply: TaskReply, worker: Worker) => void;
  readonly reject: (err: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  /** Tasks sent to the thread, oldest first (it answers them in order). */
  readonly tasks: Task[];
}

/**
 * Tasks a thread is given at once: the one it works on and the next, so that it never waits for
 * the main thread (which may be busy writing, reading or collecting garbage) to send more.
 */
const TASKS_PER_THREAD = 2;

/**
 * Young-generation size of each thread. A forecast allocates many short-lived objects and
 * 40–60 kB of output; with V8's default young generation the threads scavenge very often. The
 * in-process CLI ran 20–35 % faster with larger semi-spaces (2 000 patients: 5.9–6.4 s → 3.7–4.6 s
 * with `--max-semi-space-size=32`/`64`); for threads the difference stayed within this 2-core
 * VM's noise. 96 MB costs memory only while a bulk run allocates.
 */
const YOUNG_GENERATION_MB = 96;

/** The worker file next to this one: `.js` when built, `.ts` under ts-jest or tsx. */
function workerFile(): { file: string; execArgv: string[] } {
  const ext = extname(__filename);
  return {
    file: join(__dirname, `forecast-worker${ext}`),
    // Sources run by ts-jest / tsx: the thread must compile TypeScript too.
    execArgv: ext === '.ts' ? ['--require', 'tsx/cjs'] : [],
  };
}

/**
 * Starts a pool of worker threads, each loading the rule catalog. Resolves once every thread
 * has loaded it; rejects (and stops the threads) when one cannot.
 *
 * Idle threads do not keep the process alive (they are unref'd between batches), and
 * {@link ForecastExecutor.close} terminates them.
 *
 * @param options - Rules folder, default version, number of threads.
 */
export function createThreadPool(options: ThreadPoolOptions): Promise<ForecastExecutor> {
  const threads = Math.max(1, options.threads ?? availableParallelism());
  const { file, execArgv } = workerFile();
  const slots: Slot[] = [];
  const queue: Task[] = [];
  /** The thread and buffers of each batch's results, until they are recycled. */
  const owners = new WeakMap<
    readonly ItemResult[],
    { readonly worker: Worker; readonly buffers: readonly ArrayBuffer[] }
  >();
  let nextId = 1;
  let broken: Error | undefined;
  let closed = false;

  const fail = (err: Error): void => {
    if (broken !== undefined) {
      return;
    }
    broken = err;
    for (const slot of slots) {
      for (const task of slot.tasks.splice(0)) {
        task.reject(err);
      }
      void slot.worker.terminate();
    }
    for (const task of queue.splice(0)) {
      task.reject(err);
    }
  };

  const dispatch = (): void => {
    // A round at a time: each thread gets its first task before any gets a second.
    for (let depth = 0; depth < TASKS_PER_THREAD; depth++) {
      for (const slot of slots) {
        if (queue.length === 0) {
          return;
        }
        if (slot.ready && slot.tasks.length === depth) {
          const task = queue.shift();
          if (task === undefined) {
            return;
          }
          slot.tasks.push(task);
          slot.worker.ref();
          slot.worker.postMessage(task.request, task.transfer);
        }
      }
    }
  };

  return new Promise((resolveReady, rejectReady) => {
    let readyCount = 0;
    const submit = (
      request: TaskRequest,
      transfer: readonly ArrayBuffer[],
      resolve: Task['resolve'],
      reject: Task['reject'],
    ): void => {
      if (broken !== undefined || closed) {
        reject(broken ?? new Error('the forecast thread pool is closed'));
        return;
      }
      queue.push({ request, transfer, resolve, reject });
      dispatch();
    };
    const unexpected = (reply: TaskReply): Error =>
      new Error(`a forecast thread answered "${reply.type}" to another request`);
    const executor: ForecastExecutor = {
      parallelism: threads,
      run: (items, run) =>
        new Promise((resolve, reject) => {
          submit(
            { type: 'batch', id: nextId++, items, run },
            recordBuffers(items),
            (reply, worker) => {
              if (reply.type === 'done') {
                const results = reply.results.map(asBuffers);
                owners.set(results, { worker, buffers: reply.buffers });
                resolve(results);
              } else {
                reject(unexpected(reply));
              }
            },
            reject,
          );
        }),
      recycle: (results) => {
        const owner = owners.get(results);
        owners.delete(results);
        if (owner !== undefined && broken === undefined && !closed) {
          // Back to the thread that wrote them (moved, so they are unusable here from now on).
          owner.worker.postMessage(
            { type: 'recycle', buffers: owner.buffers } satisfies WorkerRequest,
            owner.buffers,
          );
        }
      },
      partitionChunk: (task) =>
        new Promise((resolve, reject) => {
          submit(
            { type: 'partition-chunk', id: nextId++, task },
            // Moved, not copied, when the bytes are a buffer of their own (as ndjsonChunks cuts them).
            ownsBuffer(task.bytes) ? [task.bytes.buffer as ArrayBuffer] : [],
            (reply) => {
              if (reply.type === 'partitioned') {
                resolve(reply.result);
              } else {
                reject(unexpected(reply));
              }
            },
            reject,
          );
        }),
      close: async () => {
        closed = true;
        fail(new Error('the forecast thread pool is closed'));
        await Promise.all(slots.map((s) => s.worker.terminate()));
      },
    };

    for (let i = 0; i < threads; i++) {
      const worker = new Worker(file, {
        execArgv,
        workerData: { rulesDir: options.rulesDir, defaultVersion: options.defaultVersion },
        resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      });
      const slot: Slot = { worker, ready: false, tasks: [] };
      slots.push(slot);
      worker.on('message', (reply: WorkerReply) => {
        switch (reply.type) {
          case 'ready':
            slot.ready = true;
            worker.unref();
            readyCount += 1;
            if (readyCount === threads) {
              resolveReady(executor);
            }
            dispatch();
            return;
          case 'failed':
            fail(new Error(reply.message));
            rejectReady(new Error(reply.message));
            return;
          case 'done':
          case 'partitioned': {
            const task = slot.tasks.shift();
            if (task === undefined || task.request.id !== reply.id) {
              fail(new Error('a forecast thread answered out of order')); // cannot happen
              return;
            }
            if (slot.tasks.length === 0) {
              worker.unref();
            }
            task.resolve(reply, worker);
            dispatch();
            return;
          }
        }
      });
      worker.on('error', (err) => {
        fail(err);
        rejectReady(err);
      });
      worker.on('exit', (code) => {
        if (!closed && broken === undefined) {
          const err = new Error(`a forecast thread stopped unexpectedly (exit code ${code})`);
          fail(err);
          rejectReady(err);
        }
      });
    }
  });
}
