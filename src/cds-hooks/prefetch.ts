/**
 * Gathers the patient data of a hook call (CDS Hooks 2.0.1 §"Prefetch Template", §"FHIR Resource
 * Access"): prefetch first; a key the client did not send (or sent as an OperationOutcome) is
 * fetched from `fhirServer` with the client's access token through the {@link FhirReader} port;
 * only when a required key cannot be had at all is the answer `412 Precondition Failed`.
 *
 * - `null` means "no data" (a read found nothing): no refetch.
 * - An OperationOutcome value means the client could not get it: refetched when possible.
 * - A Bundle is read entry by entry; OperationOutcome entries (search `mode: outcome`) are
 *   skipped; a `next` link is followed through the reader, as the data must be complete (a
 *   partial history would recommend doses already given).
 * - A Patient whose id is not `context.patientId` does not satisfy the template: refetched.
 *
 * Framework-free: the HTTP adapter (`src/http/fhir-reader.ts`, fhir-kit-client) implements the
 * port. Nothing here logs: what is read is patient data.
 *
 * @packageDocumentation
 */
import type { Bundle, FhirResource as Resource, OperationOutcomeIssue, Patient } from 'fhir/r4';
import { isRecord } from '../fhir/json';
import { OperationOutcomeError, outcomeIssue } from '../fhir/outcome';
import { PREFETCH_KEYS, prefetchQuery, REQUIRED_KEYS, type PrefetchKey } from './services';
import type { CdsRequest } from './types';

/** Where and how to read FHIR data for one hook call. */
export interface FhirServerAccess {
  /** `fhirServer` of the hook call. */
  readonly baseUrl: string;
  /** `fhirAuthorization.access_token`; transient, never logged. */
  readonly accessToken: string;
  /** Aborted when the call's time for FHIR access is spent. */
  readonly signal: AbortSignal;
}

/** The FHIR access the services need (implemented with fhir-kit-client in `src/http`). */
export interface FhirReader {
  /**
   * Reads one resource, e.g. `Patient/123`.
   *
   * @returns The resource, or null when the server has none (404, 410).
   * @throws on any other failure (network, timeout, status).
   */
  read(access: FhirServerAccess, relativeUrl: string): Promise<Resource | null>;
  /**
   * Searches, e.g. `Immunization?patient=123`, following `next` links to the end.
   *
   * @returns The resources of every page (entries of any search mode).
   */
  search(access: FhirServerAccess, relativeUrl: string): Promise<Resource[]>;
  /**
   * The resources of the pages after a Bundle (its `next` link onwards), for a paged prefetch.
   */
  nextPages(access: FhirServerAccess, bundle: Bundle): Promise<Resource[]>;
}

/** The data of a hook call, by prefetch key. */
export interface PatientData {
  readonly patient: Patient;
  readonly immunizations: readonly Resource[];
  readonly conditions: readonly Resource[];
  readonly observations: readonly Resource[];
  readonly allergies: readonly Resource[];
  /** Optional keys that could not be had: the forecast was made without them. */
  readonly missing: readonly PrefetchKey[];
  /** Keys fetched from the FHIR server (for logs and tests: names only). */
  readonly fetched: readonly PrefetchKey[];
}

/** Options of {@link gatherPatientData}. */
export interface GatherOptions {
  /** The port; absent: only prefetch is used. */
  readonly reader: FhirReader | undefined;
  /** Time allowed for all FHIR access of the call, in milliseconds. */
  readonly timeoutMs: number;
}

type KeyResult =
  | { readonly kind: 'resources'; readonly resources: readonly Resource[] }
  | { readonly kind: 'unavailable'; readonly why: string };

/**
 * The patient data of a hook call.
 *
 * @param request - The checked hook call.
 * @param options - The FHIR reader and the time allowed.
 * @throws OperationOutcomeError 412 when the Patient or the Immunizations cannot be had.
 */
export async function gatherPatientData(
  request: CdsRequest,
  options: GatherOptions,
): Promise<PatientData> {
  const { patientId } = request.context;
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new Error('FHIR access timed out'));
  }, options.timeoutMs);
  const access: FhirServerAccess | undefined =
    request.fhirServer !== undefined &&
    request.fhirAuthorization !== undefined &&
    options.reader !== undefined
      ? {
          baseUrl: request.fhirServer,
          accessToken: request.fhirAuthorization.access_token,
          signal: controller.signal,
        }
      : undefined;
  try {
    const entries = await Promise.all(
      PREFETCH_KEYS.map(
        async (key) =>
          [key, await resolveKey(key, request, patientId, access, options.reader)] as const,
      ),
    );
    const results = new Map(entries);
    const fetched = entries
      .filter(([key]) => !isPrefetched(request.prefetch?.[key], key, patientId))
      .map(([key]) => key);
    const problems: OperationOutcomeIssue[] = [];
    for (const key of REQUIRED_KEYS) {
      const r = results.get(key);
      if (r?.kind === 'unavailable') {
        problems.push(outcomeIssue('error', 'processing', `${key}: ${r.why}`, [`prefetch.${key}`]));
      }
    }
    const resourcesOf = (key: PrefetchKey): readonly Resource[] => {
      const r = results.get(key);
      return r?.kind === 'resources' ? r.resources : [];
    };
    const patient = resourcesOf('patient').find((r): r is Patient => r.resourceType === 'Patient');
    if (problems.length === 0 && patient === undefined) {
      problems.push(
        outcomeIssue('error', 'not-found', 'patient: no Patient resource for context.patientId', [
          'prefetch.patient',
        ]),
      );
    }
    if (problems.length > 0 || patient === undefined) {
      throw new OperationOutcomeError(412, problems);
    }
    return {
      patient,
      immunizations: resourcesOf('immunizations'),
      conditions: resourcesOf('conditions'),
      observations: resourcesOf('observations'),
      allergies: resourcesOf('allergies'),
      missing: PREFETCH_KEYS.filter((k) => results.get(k)?.kind === 'unavailable'),
      fetched,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a prefetch value satisfies its template as sent (no FHIR access needed). */
function isPrefetched(value: Resource | null | undefined, key: PrefetchKey, patientId: string) {
  if (value === null) {
    return true;
  }
  if (!isRecord(value)) {
    return false;
  }
  if (key === 'patient') {
    return value.resourceType === 'Patient' && value.id === patientId;
  }
  return value.resourceType === 'Bundle' && nextLink(value) === undefined;
}

async function resolveKey(
  key: PrefetchKey,
  request: CdsRequest,
  patientId: string,
  access: FhirServerAccess | undefined,
  reader: FhirReader | undefined,
): Promise<KeyResult> {
  const value = request.prefetch?.[key];
  if (value === null) {
    return { kind: 'resources', resources: [] };
  }
  if (isRecord(value)) {
    if (key === 'patient' && value.resourceType === 'Patient' && value.id === patientId) {
      return { kind: 'resources', resources: [value] };
    }
    if (key !== 'patient' && value.resourceType === 'Bundle') {
      const bundle = value as unknown as Bundle;
      const first = bundleResources(bundle);
      if (nextLink(bundle) === undefined) {
        return { kind: 'resources', resources: first };
      }
      if (access === undefined || reader === undefined) {
        return {
          kind: 'unavailable',
          why: 'the prefetched Bundle has more pages and no FHIR server access was given',
        };
      }
      try {
        const rest = await reader.nextPages(access, bundle);
        return { kind: 'resources', resources: [...first, ...withoutOutcomes(rest)] };
      } catch {
        return {
          kind: 'unavailable',
          why: 'the next pages of the prefetched Bundle could not be read',
        };
      }
    }
    // An OperationOutcome (the client could not get it) or something else: fetch it ourselves.
  }
  if (access === undefined || reader === undefined) {
    return {
      kind: 'unavailable',
      why:
        value === undefined
          ? 'not prefetched, and no fhirServer with fhirAuthorization to fetch it'
          : 'prefetch did not hold the data, and no fhirServer with fhirAuthorization to fetch it',
    };
  }
  const query = prefetchQuery(key, patientId);
  try {
    if (key === 'patient') {
      const patient = await reader.read(access, query);
      return { kind: 'resources', resources: patient === null ? [] : [patient] };
    }
    return { kind: 'resources', resources: withoutOutcomes(await reader.search(access, query)) };
  } catch {
    return {
      kind: 'unavailable',
      why: access.signal.aborted
        ? 'the FHIR server did not answer in time'
        : 'the FHIR server could not be read',
    };
  }
}

function bundleResources(bundle: Bundle): Resource[] {
  return withoutOutcomes(
    (bundle.entry ?? [])
      .filter((e) => e.search?.mode !== 'outcome')
      .flatMap((e) => (isRecord(e.resource) ? [e.resource as Resource] : [])),
  );
}

function withoutOutcomes(resources: readonly Resource[]): Resource[] {
  return resources.filter((r) => r.resourceType !== 'OperationOutcome');
}

/**
 * The `next` link of a Bundle, if any.
 *
 * @param bundle - A searchset Bundle.
 */
export function nextLink(bundle: Bundle): string | undefined {
  return bundle.link?.find((l) => l.relation === 'next')?.url;
}
