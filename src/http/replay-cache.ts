/**
 * The `jti` replay cache (CDS Hooks best practices §JWT: "keep a store of processed jtis until
 * their exp"). Bounded in time — an entry lives until the token's `exp` plus the clock skew, and
 * tokens may live at most `maxTokenLifetime` — and in size: when full after dropping expired
 * entries, a new token is refused (fail closed: a replay must never slip through because the
 * cache evicted its jti). In memory, so per process: behind several replicas, route by
 * `hookInstance` or share the store.
 */

/** What {@link ReplayCache.remember} found. */
export type ReplayVerdict = 'fresh' | 'replayed' | 'full';

/** The cache. */
export class ReplayCache {
  private readonly expiries = new Map<string, number>();

  /**
   * @param maxEntries - Most jtis kept (default 100 000).
   */
  constructor(private readonly maxEntries = 100_000) {}

  /** Number of jtis held. */
  get size(): number {
    return this.expiries.size;
  }

  /**
   * Records a jti, or says it was seen before (or that the cache is full).
   *
   * @param key - `iss` + `jti`.
   * @param until - Epoch seconds until which it must be remembered.
   * @param now - Epoch seconds now.
   */
  remember(key: string, until: number, now: number): ReplayVerdict {
    const seen = this.expiries.get(key);
    if (seen !== undefined && seen >= now) {
      return 'replayed';
    }
    if (this.expiries.size >= this.maxEntries) {
      for (const [k, exp] of this.expiries) {
        if (exp < now) {
          this.expiries.delete(k);
        }
      }
      if (this.expiries.size >= this.maxEntries) {
        return 'full';
      }
    }
    this.expiries.set(key, until);
    return 'fresh';
  }
}
