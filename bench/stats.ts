/**
 * Small statistics for the benchmarks.
 *
 * @packageDocumentation
 */

/**
 * The p-th percentile by the nearest-rank method.
 *
 * @param sorted - Samples in ascending order (not empty).
 * @param p - Percentile, 0 < p ≤ 100 (50 gives the median).
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) {
    throw new RangeError('no samples');
  }
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

/**
 * Arithmetic mean.
 *
 * @param samples - Not empty.
 */
export function mean(samples: readonly number[]): number {
  if (samples.length === 0) {
    throw new RangeError('no samples');
  }
  return samples.reduce((a, b) => a + b, 0) / samples.length;
}
