/**
 * The trusted CDS clients (JWT issuers), read from the JSON file named by
 * `CDS_TRUSTED_ISSUERS_FILE` (CDS Hooks 2.0.1 §"Trusting CDS Clients"; best practices §JWT):
 *
 * ```json
 * {"issuers": [{
 *   "iss": "https://ehr.example.org",          // exact `iss` claim
 *   "jwks": {"keys": [ … public JWKs … ]},      // keys given out of band, and/or
 *   "jwksUrl": "https://ehr.example.org/jwks", // a JWK Set URL we may fetch, and/or
 *   "jku": ["https://ehr.example.org/jwks"],   // the only `jku` header values accepted
 *   "algorithms": ["ES384", "RS384"],          // optional; default ES384, RS384
 *   "tenants": ["…"]                           // optional allow-list of the `tenant` claim
 * }]}
 * ```
 *
 * Pure: the caller reads the file. Every problem is listed at once. URLs must be `https`
 * (`http` only on a loopback host, for tests and local trials). JWKs must be public EC (P-256,
 * P-384) or RSA keys with a `kid`; a private key member (`d`, …) is refused.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';

/** The signature algorithms we may accept: asymmetric only (never `none`, never HMAC). */
export const SUPPORTED_ALGORITHMS = ['ES384', 'RS384', 'ES256', 'RS256'] as const;
/** An accepted algorithm. */
export type JwtAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];
/** The default algorithms of an issuer: the ones the spec recommends. */
export const DEFAULT_ALGORITHMS: readonly JwtAlgorithm[] = ['ES384', 'RS384'];

/** A verification key of a JWK Set. */
export interface VerificationKey {
  readonly kid: string;
  readonly key: KeyObject;
  /** The JWK's `alg`, when it states one: the token's `alg` must then be the same. */
  readonly alg?: string;
}

/** One trusted issuer. */
export interface TrustedIssuer {
  readonly iss: string;
  /** Keys given in the configuration, by kid. */
  readonly keys: ReadonlyMap<string, VerificationKey>;
  readonly jwksUrl?: string;
  readonly jku: readonly string[];
  readonly algorithms: readonly JwtAlgorithm[];
  readonly tenants?: readonly string[];
}

/** Thrown by {@link parseTrustedIssuers}; lists every problem. */
export class TrustedIssuersError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid trusted issuers:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TrustedIssuersError';
  }
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const CURVES: Readonly<Record<string, string>> = { 'P-256': 'ES256', 'P-384': 'ES384' };

function isRecord(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Whether a URL may be fetched: https, or http on a loopback host.
 *
 * @param text - The URL.
 */
export function isAllowedKeyUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      url.protocol === 'https:' ||
      (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
    );
  } catch {
    return false;
  }
}

/**
 * A public JWK → a verification key, or the problem with it.
 *
 * @param jwk - One member of a JWK Set's `keys`.
 */
export function readJwk(jwk: unknown): VerificationKey | string {
  if (!isRecord(jwk)) {
    return 'a key must be a JSON object';
  }
  const kid = jwk['kid'];
  if (typeof kid !== 'string' || kid === '') {
    return 'a key must have a kid';
  }
  if (PRIVATE_MEMBERS.some((m) => m in jwk)) {
    return `key ${kid} holds private or symmetric key material; give only the public key`;
  }
  const kty = jwk['kty'];
  let publicJwk: Record<string, unknown>;
  if (kty === 'EC') {
    if (typeof jwk['crv'] !== 'string' || CURVES[jwk['crv']] === undefined) {
      return `key ${kid}: curve must be P-256 or P-384`;
    }
    publicJwk = { kty, crv: jwk['crv'], x: jwk['x'], y: jwk['y'] };
  } else if (kty === 'RSA') {
    publicJwk = { kty, n: jwk['n'], e: jwk['e'] };
  } else {
    return `key ${kid}: kty must be EC or RSA`;
  }
  const alg = jwk['alg'];
  if (alg !== undefined && !(SUPPORTED_ALGORITHMS as readonly unknown[]).includes(alg)) {
    return `key ${kid}: alg must be one of ${SUPPORTED_ALGORITHMS.join(', ')}`;
  }
  try {
    const key = createPublicKey({ key: publicJwk as never, format: 'jwk' });
    if (kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
      return `key ${kid}: RSA keys must have at least 2048 bits`;
    }
    return typeof alg === 'string' ? { kid, key, alg } : { kid, key };
  } catch {
    return `key ${kid} is not a valid ${kty} public key`;
  }
}

/**
 * Reads a JWK Set's keys, skipping (and reporting) unusable ones.
 *
 * @param jwks - `{"keys": [ … ]}`.
 */
export function readJwks(jwks: unknown): {
  keys: Map<string, VerificationKey>;
  problems: string[];
} {
  const keys = new Map<string, VerificationKey>();
  const problems: string[] = [];
  if (!isRecord(jwks) || !Array.isArray(jwks['keys'])) {
    return { keys, problems: ['a JWK Set must be {"keys": [ … ]}'] };
  }
  for (const jwk of jwks['keys'] as unknown[]) {
    const read = readJwk(jwk);
    if (typeof read === 'string') {
      problems.push(read);
    } else if (keys.has(read.kid)) {
      problems.push(`kid ${read.kid} appears twice`);
    } else {
      keys.set(read.kid, read);
    }
  }
  return { keys, problems };
}

/**
 * Checks the parsed trusted-issuers document.
 *
 * @param doc - The parsed JSON.
 * @throws TrustedIssuersError listing every problem.
 */
export function parseTrustedIssuers(doc: unknown): TrustedIssuer[] {
  const problems: string[] = [];
  if (!isRecord(doc) || !Array.isArray(doc['issuers'])) {
    throw new TrustedIssuersError(['the file must be {"issuers": [ … ]}']);
  }
  const known = ['iss', 'jwks', 'jwksUrl', 'jku', 'algorithms', 'tenants'];
  const seen = new Set<string>();
  const issuers: TrustedIssuer[] = [];
  (doc['issuers'] as unknown[]).forEach((entry, i) => {
    const at = `issuers[${i}]`;
    if (!isRecord(entry)) {
      problems.push(`${at} must be a JSON object`);
      return;
    }
    for (const k of Object.keys(entry).filter((k) => !known.includes(k))) {
      problems.push(`${at}: unknown member "${k}" (allowed: ${known.join(', ')})`);
    }
    const iss = entry['iss'];
    if (typeof iss !== 'string' || iss === '') {
      problems.push(`${at}.iss must be a non-empty string`);
    } else if (seen.has(iss)) {
      problems.push(`${at}.iss ${iss} is listed twice`);
    } else {
      seen.add(iss);
    }
    let keys = new Map<string, VerificationKey>();
    if (entry['jwks'] !== undefined) {
      const read = readJwks(entry['jwks']);
      keys = read.keys;
      problems.push(...read.problems.map((p) => `${at}.jwks: ${p}`));
    }
    const jwksUrl = entry['jwksUrl'];
    if (jwksUrl !== undefined && (typeof jwksUrl !== 'string' || !isAllowedKeyUrl(jwksUrl))) {
      problems.push(`${at}.jwksUrl must be an https URL (http only on loopback)`);
    }
    const jku = entry['jku'] ?? [];
    if (!Array.isArray(jku) || !jku.every((u) => typeof u === 'string' && isAllowedKeyUrl(u))) {
      problems.push(`${at}.jku must be an array of https URLs (http only on loopback)`);
    }
    if (entry['jwks'] === undefined && jwksUrl === undefined && (jku as unknown[]).length === 0) {
      problems.push(`${at} needs jwks, jwksUrl or jku: where its keys come from`);
    }
    const algorithms = entry['algorithms'] ?? DEFAULT_ALGORITHMS;
    if (
      !Array.isArray(algorithms) ||
      algorithms.length === 0 ||
      !algorithms.every((a) => (SUPPORTED_ALGORITHMS as readonly unknown[]).includes(a))
    ) {
      problems.push(
        `${at}.algorithms must be a non-empty array of ${SUPPORTED_ALGORITHMS.join(', ')} (never none or HMAC)`,
      );
    }
    const tenants = entry['tenants'];
    if (
      tenants !== undefined &&
      (!Array.isArray(tenants) || !tenants.every((t) => typeof t === 'string'))
    ) {
      problems.push(`${at}.tenants must be an array of strings`);
    }
    if (typeof iss === 'string') {
      issuers.push({
        iss,
        keys,
        ...(typeof jwksUrl === 'string' ? { jwksUrl } : {}),
        jku: Array.isArray(jku) ? (jku as string[]) : [],
        algorithms: Array.isArray(algorithms) ? (algorithms as JwtAlgorithm[]) : [],
        ...(Array.isArray(tenants) ? { tenants: tenants as string[] } : {}),
      });
    }
  });
  if (problems.length > 0) {
    throw new TrustedIssuersError(problems);
  }
  return issuers;
}

/**
 * Reads the trusted-issuers file's text.
 *
 * @param text - The file's content.
 * @throws TrustedIssuersError listing every problem (including invalid JSON).
 */
export function loadTrustedIssuers(text: string): TrustedIssuer[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new TrustedIssuersError(['the file is not valid JSON']);
  }
  return parseTrustedIssuers(doc);
}
