/**
 * The `FhirReader` port (`src/cds-hooks/prefetch.ts`) over fhir-kit-client 1.9: reads and
 * searches on the hook call's `fhirServer` with `Authorization: Bearer <access_token>`, follows
 * `next` links, and stops when the call's signal aborts (timeout). A `next` link that leaves the
 * FHIR server's base URL is refused: the access token must never be sent elsewhere. The token is
 * never logged.
 */
import type Client from 'fhir-kit-client';
import type { Bundle, FhirResource } from 'fhir/r4';
import type { FhirReader, FhirServerAccess } from '../cds-hooks/prefetch';
import { nextLink } from '../cds-hooks/prefetch';

/** Options of {@link createFhirReader}. */
export interface FhirReaderOptions {
  /** Most pages followed per search (default 50). */
  readonly maxPages?: number;
}

let clientClass: typeof Client | undefined;

/**
 * fhir-kit-client, loaded on first use: only CDS calls without full prefetch need it, and
 * loading it (~40 ms) would otherwise lengthen every start-up.
 */
function fhirKitClient(): typeof Client {
  // fhir-kit-client is CommonJS (`module.exports = Client`).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  clientClass ??= require('fhir-kit-client') as typeof Client;
  return clientClass;
}

function clientFor(access: FhirServerAccess): Client {
  const FhirKitClient = fhirKitClient();
  return new FhirKitClient({
    baseUrl: access.baseUrl,
    bearerToken: access.accessToken,
    requestOptions: { signal: access.signal, redirect: 'error' },
  });
}

function statusOf(err: unknown): number | undefined {
  const response = (err as { response?: { status?: unknown } } | undefined)?.response;
  return typeof response?.status === 'number' ? response.status : undefined;
}

function entriesOf(bundle: Bundle): FhirResource[] {
  return (bundle.entry ?? []).flatMap((e) =>
    e.resource === undefined ? [] : [e.resource as FhirResource],
  );
}

function asBundle(data: object): Bundle {
  if ((data as { resourceType?: unknown }).resourceType !== 'Bundle') {
    throw new Error('a search page is not a Bundle');
  }
  return data as Bundle;
}

function withinServer(url: string, baseUrl: string): boolean {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return url.startsWith(base) || url === baseUrl;
}

/**
 * A FhirReader with fhir-kit-client.
 *
 * @param options - Paging limit.
 */
export function createFhirReader(options: FhirReaderOptions = {}): FhirReader {
  const maxPages = options.maxPages ?? 50;

  async function follow(client: Client, access: FhirServerAccess, first: Bundle) {
    const out: FhirResource[] = [];
    let bundle = first;
    for (let page = 1; ; page++) {
      const next = nextLink(bundle);
      if (next === undefined) {
        return out;
      }
      if (!withinServer(next, access.baseUrl)) {
        throw new Error('next link outside the FHIR server');
      }
      if (page >= maxPages) {
        throw new Error('too many pages');
      }
      access.signal.throwIfAborted();
      bundle = asBundle(await client.request(next, { options: { signal: access.signal } }));
      out.push(...entriesOf(bundle));
    }
  }

  return {
    async read(access, relativeUrl) {
      const client = clientFor(access);
      try {
        const resource = (await client.request(relativeUrl, {
          options: { signal: access.signal },
        })) as FhirResource;
        return resource;
      } catch (err) {
        const status = statusOf(err);
        if (status === 404 || status === 410) {
          return null;
        }
        throw err;
      }
    },
    async search(access, relativeUrl) {
      const client = clientFor(access);
      const first = asBundle(
        await client.request(relativeUrl, { options: { signal: access.signal } }),
      );
      return [...entriesOf(first), ...(await follow(client, access, first))];
    },
    async nextPages(access, bundle) {
      return follow(clientFor(access), access, bundle);
    },
  };
}
