/**
 * JWK Sets fetched from allow-listed URLs only (the issuers' `jwksUrl` and `jku` entries), cached
 * with a TTL, refreshed when a token names an unknown `kid` (at most once per
 * `minRefreshMs` per URL, so unknown kids cannot make us hammer a server), kept on a failed
 * refresh (stale keys beat an outage). A URL outside the configuration is never fetched, and
 * redirects are not followed.
 */
import { readJwks, type VerificationKey } from './cds-trusted-issuers';

/** Fetches a JWK Set document (JSON) from a URL. */
export type JwksFetch = (url: string) => Promise<unknown>;

/** Options of {@link JwksCache}. */
export interface JwksCacheOptions {
  /** The only URLs that may be fetched. */
  readonly allowedUrls: ReadonlySet<string>;
  readonly fetchJwks?: JwksFetch;
  /** Keys are refetched after this long (default 10 minutes). */
  readonly ttlMs?: number;
  /** Least time between two fetches of one URL (default 30 s). */
  readonly minRefreshMs?: number;
  /** Time allowed per fetch by the default fetcher (default 5 s). */
  readonly timeoutMs?: number;
  /** Now in milliseconds (injected clock). */
  readonly nowMs: () => number;
}

interface Entry {
  keys: ReadonlyMap<string, VerificationKey>;
  fetchedAt: number;
  inFlight?: Promise<void>;
}

/**
 * The default fetcher: global fetch, no redirects, a timeout, JSON only, at most 100 kB.
 *
 * @param timeoutMs - Time allowed.
 */
export function httpJwksFetch(timeoutMs: number): JwksFetch {
  return async (url) => {
    const res = await fetch(url, {
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json, application/jwk-set+json' },
    });
    if (!res.ok) {
      throw new Error(`JWKS fetch answered ${res.status}`);
    }
    const text = await res.text();
    if (text.length > 100_000) {
      throw new Error('JWKS too large');
    }
    return JSON.parse(text) as unknown;
  };
}

/** The cache. */
export class JwksCache {
  private readonly entries = new Map<string, Entry>();
  private readonly fetchJwks: JwksFetch;
  private readonly ttlMs: number;
  private readonly minRefreshMs: number;

  constructor(private readonly options: JwksCacheOptions) {
    this.fetchJwks = options.fetchJwks ?? httpJwksFetch(options.timeoutMs ?? 5000);
    this.ttlMs = options.ttlMs ?? 600_000;
    this.minRefreshMs = options.minRefreshMs ?? 30_000;
  }

  /**
   * The key with a kid in the JWK Set at a URL, fetching when stale or when the kid is unknown.
   *
   * @param url - A configured URL (any other gives undefined, without fetching).
   * @param kid - The token's `kid`.
   */
  async key(url: string, kid: string): Promise<VerificationKey | undefined> {
    if (!this.options.allowedUrls.has(url)) {
      return undefined;
    }
    const now = this.options.nowMs();
    let entry = this.entries.get(url);
    const stale = entry === undefined || now - entry.fetchedAt >= this.ttlMs;
    const unknownKid = entry !== undefined && !entry.keys.has(kid);
    const mayRefresh = entry === undefined || now - entry.fetchedAt >= this.minRefreshMs;
    if (stale || (unknownKid && mayRefresh)) {
      await this.refresh(url);
      entry = this.entries.get(url);
    }
    return entry?.keys.get(kid);
  }

  private async refresh(url: string): Promise<void> {
    const existing = this.entries.get(url);
    if (existing?.inFlight !== undefined) {
      return existing.inFlight;
    }
    const entry: Entry = existing ?? { keys: new Map(), fetchedAt: -Infinity };
    this.entries.set(url, entry);
    entry.inFlight = (async () => {
      try {
        const doc = await this.fetchJwks(url);
        entry.keys = readJwks(doc).keys;
      } catch {
        // Keep the keys we had; try again after minRefreshMs.
      } finally {
        entry.fetchedAt = this.options.nowMs();
        delete entry.inFlight;
      }
    })();
    return entry.inFlight;
  }
}
