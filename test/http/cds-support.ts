/**
 * Test helpers for the CDS Hooks HTTP tests: key pairs, JWT minting (including the malformed and
 * hostile tokens of the attack table), and a loopback HTTP server.
 */
import {
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { repoRoot } from '../fhir/builders';

export const SPEC_EXAMPLES = join(repoRoot, '..', 'shared', 'standards', 'cds-hooks', 'examples');

export function specExample(name: string): unknown {
  return JSON.parse(readFileSync(join(SPEC_EXAMPLES, name), 'utf8'));
}

export interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
  readonly alg: 'ES384' | 'RS384' | 'ES256' | 'RS256';
}

export function ecKey(kid: string, alg: 'ES384' | 'ES256' = 'ES384'): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: alg === 'ES384' ? 'P-384' : 'P-256',
  });
  return { kid, privateKey, alg, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg } };
}

export function rsaKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    privateKey,
    alg: 'RS384',
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS384' },
  };
}

/** The spec's example key pair (ES384, kid example-kid). */
export function specKey(): TestKey {
  const jwk = specExample('jwk-private-SPEC-EXAMPLE-ONLY.json') as Record<string, unknown>;
  const publicJwk = { ...jwk };
  delete publicJwk['d'];
  return {
    kid: 'example-kid',
    alg: 'ES384',
    privateKey: createPrivateKey({ key: jwk as never, format: 'jwk' }),
    publicJwk,
  };
}

export interface MintOptions {
  readonly iss: string;
  readonly aud: string;
  readonly now: number;
  readonly key: TestKey;
  readonly exp?: number;
  readonly iat?: number;
  readonly nbf?: number;
  readonly jti?: string;
  readonly jku?: string;
  readonly kid?: string;
  readonly tenant?: string;
}

export function mint(o: MintOptions): string {
  const payload: Record<string, unknown> = {
    iss: o.iss,
    aud: o.aud,
    iat: o.iat ?? o.now,
    exp: o.exp ?? o.now + 300,
    jti: o.jti ?? randomUUID(),
    ...(o.nbf === undefined ? {} : { nbf: o.nbf }),
    ...(o.tenant === undefined ? {} : { tenant: o.tenant }),
  };
  return jwt.sign(payload, o.key.privateKey, {
    algorithm: o.key.alg,
    keyid: o.kid ?? o.key.kid,
    header: {
      alg: o.key.alg,
      typ: 'JWT',
      ...(o.jku === undefined ? {} : { jku: o.jku }),
    },
  });
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A token with `alg: none` and no signature. */
export function unsignedToken(payload: object, kid: string): string {
  return `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64(payload)}.`;
}

/** A token HMAC-signed with the issuer's public key as the secret (the RS/HS confusion attack). */
export function hmacWithPublicKey(payload: object, kid: string, publicPem: string): string {
  const signingInput = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64(payload)}`;
  const sig = createHmac('sha256', publicPem).update(signingInput).digest('base64url');
  return `${signingInput}.${sig}`;
}

/** A token whose payload was changed after signing. */
export function tamper(token: string, change: Record<string, unknown>): string {
  const [h, p, s] = token.split('.');
  const payload = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as object;
  return `${h}.${b64({ ...payload, ...change })}.${s}`;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/** Starts a loopback server on port 0. */
export async function loopback(handler: Handler): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    handler(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}` };
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(body));
}
