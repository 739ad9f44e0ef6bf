/**
 * Stable hashing of patient ids, for `--shard i/n` (n machines or a Kubernetes Indexed Job split
 * a population with no coordination: each keeps the patients whose id hashes to its index) and
 * for the temporary partitions of a bulk export. The hash is FNV-1a (32 bits) over the id's
 * UTF-16 code units — the id's bytes, for the ASCII letters, digits, `-` and `.` that FHIR ids
 * allow — followed by MurmurHash3's 32-bit finaliser so that ids differing in one character
 * spread over all shards: the same on every machine, Node version and run. Shards and partitions
 * use two hashes with different FNV offset bases, so the partitions of one shard are evenly
 * filled too. (SHA-1 was the first choice, but costs 3–20 µs per call in Node against well under
 * 1 µs here; the grouping pass hashes every resource of the export.)
 *
 * @packageDocumentation
 */

/** Shard `index` (0-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** A second, arbitrary offset basis, for a hash independent of the shard's. */
const PARTITION_OFFSET = 0x2f4a1a8d;

/**
 * FNV-1a (32-bit) of a string's UTF-16 code units, with MurmurHash3's fmix32 finaliser.
 *
 * @param text - The string (a patient id).
 * @param offset - The FNV offset basis.
 * @returns an unsigned 32-bit number
 */
export function stableHash(text: string, offset = FNV_OFFSET): number {
  let h = offset;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return finish(h);
}

/**
 * {@link stableHash} of the id spelled by the ASCII bytes `[start, end)` — the same number as for
 * the string, whose code units are those bytes (pass 1 hashes ids it has not decoded).
 *
 * @param bytes - Bytes holding the id (ASCII).
 * @param start - Where it starts.
 * @param end - Where it ends.
 * @param offset - The FNV offset basis.
 * @returns an unsigned 32-bit number
 */
export function stableHashOfBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  offset = FNV_OFFSET,
): number {
  let h = offset;
  for (let i = start; i < end; i++) {
    h ^= bytes[i] ?? 0;
    h = Math.imul(h, FNV_PRIME);
  }
  return finish(h);
}

/** MurmurHash3's fmix32: every bit of the FNV hash reaches every bit of the result. */
function finish(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The shard (0-based) a patient id belongs to.
 *
 * @param id - The patient's id (`Patient.id`).
 * @param count - Number of shards.
 */
export function shardOf(id: string, count: number): number {
  return stableHash(id) % count;
}

/**
 * Whether a patient id belongs to a shard.
 *
 * @param id - The patient's id.
 * @param shard - The shard.
 */
export function inShard(id: string, shard: Shard): boolean {
  return shard.count === 1 || shardOf(id, shard.count) === shard.index;
}

/**
 * The temporary partition (0-based) a patient id belongs to.
 *
 * @param id - The patient's id.
 * @param count - Number of partitions.
 */
export function partitionOf(id: string, count: number): number {
  return stableHash(id, PARTITION_OFFSET) % count;
}

/**
 * {@link inShard} and {@link partitionOf} of the id spelled by the ASCII bytes `[start, end)`.
 *
 * @param bytes - Bytes holding the id (ASCII: a FHIR id).
 * @param start - Where it starts.
 * @param end - Where it ends.
 * @param shard - The shard, if any.
 * @param count - Number of partitions.
 * @returns the partition, or -1 when the id is not of the shard
 */
export function partitionOfBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  shard: Shard | undefined,
  count: number,
): number {
  if (
    shard !== undefined &&
    shard.count !== 1 &&
    stableHashOfBytes(bytes, start, end) % shard.count !== shard.index
  ) {
    return -1;
  }
  return stableHashOfBytes(bytes, start, end, PARTITION_OFFSET) % count;
}

/**
 * Reads `--shard`: `i/n` with 1 ≤ i ≤ n, numbered from 1 as people count machines (a Kubernetes
 * Indexed Job passes `JOB_COMPLETION_INDEX + 1`, see deploy/k8s/bulk-indexed-job.yaml).
 *
 * @param text - e.g. `2/8`.
 * @returns the shard (0-based index), or an error message.
 */
export function parseShard(text: string): Shard | string {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (m === null) {
    return `--shard must be i/n (e.g. 1/4), not "${text}"`;
  }
  const i = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || n > 1_000_000 || i < 1 || i > n) {
    return `--shard ${text}: need 1 ≤ i ≤ n (shards are numbered from 1)`;
  }
  return { index: i - 1, count: n };
}
