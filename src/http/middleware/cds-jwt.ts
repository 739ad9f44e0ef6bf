/**
 * CDS Hooks client authentication (CDS Hooks 2.0.1 §"Trusting CDS Clients"; best practices §JWT;
 * standards digest B9): `Authorization: Bearer <JWT>` on every service and feedback call.
 *
 * Checks, in order (any failure: 401 with an empty body; the reason goes to the log with `iss`,
 * `tenant` and `jti`, never the token):
 * 1. header: `alg` in the issuer's allowed asymmetric set (ES384, RS384; ES256/RS256 if
 *    configured) — `none` and HMAC are never accepted; `kid` present; `typ`, if given, `JWT`;
 * 2. `iss` is a configured issuer; `tenant`, if the issuer has a tenant list, is in it;
 * 3. key: a `jku` header must be one of the issuer's `jku` URLs and the key comes from that JWK
 *    Set; otherwise from the issuer's configured keys, else its `jwksUrl` (fetched and cached,
 *    see `jwks-cache.ts`); the JWK's `alg`, if stated, must be the token's;
 * 4. signature, `aud` equal to the exact URL called (built from the configured public base URL,
 *    never from the Host header), `exp` and `nbf` (jsonwebtoken, with the clock skew);
 * 5. `exp`, `iat` and `jti` present; `iat` not in the future; lifetime at most an hour;
 * 6. `jti` not seen before (per issuer), see `replay-cache.ts`.
 */
import type { RequestHandler } from 'express';
import type jwt from 'jsonwebtoken';
import type { TrustedIssuer, VerificationKey } from '../cds-trusted-issuers';
import { JwksCache, type JwksFetch } from '../jwks-cache';
import { ReplayCache } from '../replay-cache';

let jwtLib: typeof jwt | undefined;

/**
 * jsonwebtoken, loaded on first use: loading it takes ~35 ms, which start-up need not wait for.
 * `main.ts` calls this right after the service is listening, so the first CDS call does not pay
 * it either.
 */
export function jwtLibrary(): typeof jwt {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  jwtLib ??= require('jsonwebtoken') as typeof jwt;
  return jwtLib;
}

/** Facts about a token, safe to log (no token, no patient data). */
export interface TokenFacts {
  readonly iss?: string;
  readonly tenant?: string;
  readonly jti?: string;
}

/** The verdict on a token. */
export type VerifyResult =
  | { readonly ok: true; readonly facts: TokenFacts }
  | { readonly ok: false; readonly reason: string; readonly facts: TokenFacts };

/** Verifies a CDS client JWT for the URL called. */
export interface CdsTokenVerifier {
  verify(token: string, audience: string): Promise<VerifyResult>;
}

/** Authentication of CDS calls: a verifier, or `'disabled'` (local trials only). */
export type CdsAuth = 'disabled' | CdsTokenVerifier;

/** Options of {@link createCdsTokenVerifier}. */
export interface VerifierOptions {
  readonly issuers: readonly TrustedIssuer[];
  /** Now, in epoch seconds (the injected clock). */
  readonly nowSeconds: () => number;
  /** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (default 60). */
  readonly clockSkewSeconds?: number;
  /** Longest token lifetime (`exp` − now) accepted, in seconds (default 3600). */
  readonly maxLifetimeSeconds?: number;
  /** JWKS fetcher (default: HTTPS fetch with a timeout); tests inject one. */
  readonly fetchJwks?: JwksFetch;
  /** JWKS cache TTL in milliseconds (default 10 minutes). */
  readonly jwksTtlMs?: number;
  /** Least time between two fetches of one JWKS URL (default 30 s). */
  readonly jwksMinRefreshMs?: number;
  /** Most jtis remembered (default 100 000). */
  readonly replayCacheSize?: number;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * Builds the verifier.
 *
 * @param options - Trusted issuers, clock, limits.
 */
export function createCdsTokenVerifier(options: VerifierOptions): CdsTokenVerifier {
  const skew = options.clockSkewSeconds ?? 60;
  const maxLifetime = options.maxLifetimeSeconds ?? 3600;
  const byIss = new Map(options.issuers.map((i) => [i.iss, i]));
  const allowedUrls = new Set(
    options.issuers.flatMap((i) => [...i.jku, ...(i.jwksUrl === undefined ? [] : [i.jwksUrl])]),
  );
  const jwks = new JwksCache({
    allowedUrls,
    nowMs: () => options.nowSeconds() * 1000,
    ...(options.fetchJwks === undefined ? {} : { fetchJwks: options.fetchJwks }),
    ...(options.jwksTtlMs === undefined ? {} : { ttlMs: options.jwksTtlMs }),
    ...(options.jwksMinRefreshMs === undefined ? {} : { minRefreshMs: options.jwksMinRefreshMs }),
  });
  const replay = new ReplayCache(options.replayCacheSize);

  async function keyFor(
    issuer: TrustedIssuer,
    kid: string,
    jku: string | undefined,
  ): Promise<VerificationKey | undefined> {
    if (jku !== undefined) {
      return jwks.key(jku, kid);
    }
    const configured = issuer.keys.get(kid);
    if (configured !== undefined || issuer.jwksUrl === undefined) {
      return configured;
    }
    return jwks.key(issuer.jwksUrl, kid);
  }

  return {
    async verify(token, audience) {
      const lib = jwtLibrary();
      const decoded = lib.decode(token, { complete: true });
      if (decoded === null || typeof decoded.payload === 'string') {
        return { ok: false, reason: 'not a JWS compact JWT with a JSON payload', facts: {} };
      }
      const { header, payload } = decoded;
      const iss = str(payload.iss);
      const tenant = str(payload['tenant']);
      const jti = str(payload.jti);
      const facts: TokenFacts = {
        ...(iss === undefined ? {} : { iss: iss.slice(0, 200) }),
        ...(tenant === undefined ? {} : { tenant: tenant.slice(0, 200) }),
        ...(jti === undefined ? {} : { jti: jti.slice(0, 200) }),
      };
      const fail = (reason: string): VerifyResult => ({ ok: false, reason, facts });
      const issuer = iss === undefined ? undefined : byIss.get(iss);
      if (issuer === undefined) {
        return fail('iss is not a trusted issuer');
      }
      const alg = header.alg;
      if (!(issuer.algorithms as readonly string[]).includes(alg)) {
        return fail(`alg ${alg} is not allowed for this issuer`);
      }
      if (header.typ !== undefined && header.typ.toUpperCase() !== 'JWT') {
        return fail('typ is not JWT');
      }
      if (header.kid === undefined || header.kid === '') {
        return fail('no kid');
      }
      const jku = str((header as unknown as Record<string, unknown>)['jku']);
      if (jku !== undefined && !issuer.jku.includes(jku)) {
        return fail('jku is not in the issuer allow-list');
      }
      if (issuer.tenants !== undefined && !issuer.tenants.includes(tenant ?? '')) {
        return fail('tenant is not allowed for this issuer');
      }
      const key = await keyFor(issuer, header.kid, jku);
      if (key === undefined) {
        return fail('kid not found in the issuer keys');
      }
      if (key.alg !== undefined && key.alg !== alg) {
        return fail('alg differs from the key alg');
      }
      const now = options.nowSeconds();
      try {
        lib.verify(token, key.key, {
          algorithms: [alg as jwt.Algorithm],
          audience,
          issuer: issuer.iss,
          clockTimestamp: now,
          clockTolerance: skew,
        });
      } catch (err) {
        return fail(err instanceof Error ? `${err.name}: ${err.message}` : 'verification failed');
      }
      const { exp, iat } = payload;
      if (typeof exp !== 'number' || typeof iat !== 'number' || jti === undefined || jti === '') {
        return fail('exp, iat and jti are required');
      }
      if (iat > now + skew) {
        return fail('iat is in the future');
      }
      if (exp - now > maxLifetime) {
        return fail('token lifetime is too long');
      }
      const verdict = replay.remember(`${issuer.iss}\u0000${jti}`, exp + skew, now);
      if (verdict !== 'fresh') {
        return fail(verdict === 'replayed' ? 'jti replayed' : 'replay cache full');
      }
      return { ok: true, facts };
    },
  };
}

/** A structured log line for a request (the request's logger, so the line has its request id). */
export type CdsLog = (
  entry: Readonly<Record<string, unknown>>,
  req: Parameters<RequestHandler>[0],
) => void;

/**
 * Express middleware requiring a valid CDS client JWT for the URL called.
 *
 * @param auth - The verifier, or 'disabled'.
 * @param audienceOf - The exact public URL of the endpoint called (the expected `aud`).
 * @param log - Where refusals are logged.
 */
export function requireCdsJwt(
  auth: CdsAuth,
  audienceOf: (req: Parameters<RequestHandler>[0]) => string,
  log: CdsLog,
): RequestHandler {
  return async (req, res, next) => {
    if (auth === 'disabled') {
      next();
      return;
    }
    const match = /^Bearer +([A-Za-z0-9_.-]+) *$/i.exec(req.get('authorization') ?? '');
    const result: VerifyResult =
      match?.[1] === undefined
        ? { ok: false, reason: 'no bearer token', facts: {} }
        : await auth.verify(match[1], audienceOf(req));
    if (!result.ok) {
      log({ level: 'warn', msg: 'cds jwt rejected', reason: result.reason, ...result.facts }, req);
      res.status(401).set('WWW-Authenticate', 'Bearer').end();
      return;
    }
    next();
  };
}
