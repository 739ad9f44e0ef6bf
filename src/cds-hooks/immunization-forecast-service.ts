/**
 * The CDS services as framework-free handlers: a checked hook call in, a CDS Hooks response out
 * (design guide §3.1). The HTTP layer decides "today" (injected clock, configured time zone),
 * authenticates the caller and sends the answer.
 *
 * - `immunization-forecast` (patient-view): the forecast card (see `cards.ts`).
 * - `immunization-order-check` (order-select, order-sign): see `order-check.ts`.
 *
 * @packageDocumentation
 */
import type { CalendarDate } from '../calendar';
import { forecast, seasonCaveats } from '../engine';
import type { ForecastCatalog } from '../fhir/to-engine';
import { OperationOutcomeError, outcomeIssue } from '../fhir/outcome';
import { forecastCard, unavailableCard, type CardContext } from './cards';
import { checkOrders } from './order-check';
import { readPatientHistory } from './patient-history';
import { gatherPatientData, type FhirReader, type PatientData } from './prefetch';
import { readCdsRequest } from './request';
import { SERVICE_ID, type PrefetchKey, type ServiceId } from './services';
import type { CdsCard, CdsResponse } from './types';

/** What the handlers depend on. */
export interface CdsHandlerDeps {
  readonly catalog: ForecastCatalog;
  /** The FHIR access port; absent: prefetch only. */
  readonly reader: FhirReader | undefined;
  /** Time allowed for all FHIR access of one call, in milliseconds. */
  readonly fhirTimeoutMs: number;
  /** Absolute public base URL (no trailing slash), for links. */
  readonly publicBaseUrl: string;
  /** The assessment date: today in the configured time zone. */
  readonly today: CalendarDate;
  /** New random ids (UUIDs) for cards and suggestions. */
  newId(): string;
}

/** A handler's answer, with facts for the log (key names and counts, never patient data). */
export interface CdsHandlerResult {
  readonly response: CdsResponse;
  readonly hook: string;
  readonly fetched: readonly PrefetchKey[];
  readonly missing: readonly PrefetchKey[];
}

/**
 * Answers a hook call to one of our services.
 *
 * @param serviceId - The service called.
 * @param body - The parsed JSON body.
 * @param deps - Rule sets, FHIR reader, today, link base.
 * @throws OperationOutcomeError 400 (bad request), 412 (data cannot be had).
 */
export async function handleHookCall(
  serviceId: ServiceId,
  body: unknown,
  deps: CdsHandlerDeps,
): Promise<CdsHandlerResult> {
  const request = readCdsRequest(body, serviceId);
  const data = await gatherPatientData(request, {
    reader: deps.reader,
    timeoutMs: deps.fhirTimeoutMs,
  });
  const ruleSet = deps.catalog.get(deps.catalog.defaultVersion);
  if (ruleSet === undefined) {
    throw new OperationOutcomeError(500, [outcomeIssue('fatal', 'exception', 'No rule set')]);
  }
  const ctx: CardContext = {
    publicBaseUrl: deps.publicBaseUrl,
    patientId: request.context.patientId,
    ruleSet,
    newId: () => deps.newId(),
  };
  const cards =
    serviceId === SERVICE_ID.forecast
      ? forecastCards(data, deps, ctx)
      : checkOrders(request, data, deps.today, deps.catalog, ctx);
  return {
    response: { cards },
    hook: request.hook,
    fetched: data.fetched,
    missing: data.missing,
  };
}

/**
 * Lines for a card's detail about data the forecast was made without (no patient data).
 *
 * @param data - The gathered data.
 * @param rejected - Records the mapping left out.
 */
export function dataNotes(data: PatientData, rejected: number): string[] {
  const notes: string[] = [];
  if (data.missing.length > 0) {
    notes.push(
      `Not available, so not taken into account: ${data.missing.join(', ')} (contraindications, risk conditions and immunity may be missed).`,
    );
  }
  if (rejected > 0) {
    notes.push(
      `${rejected} ${rejected === 1 ? 'record was' : 'records were'} left out because ${rejected === 1 ? 'it' : 'they'} could not be read (e.g. an Immunization without status or date).`,
    );
  }
  return notes;
}

function forecastCards(data: PatientData, deps: CdsHandlerDeps, ctx: CardContext): CdsCard[] {
  const read = readPatientHistory(data, deps.today, deps.catalog);
  if (!read.ok) {
    return [
      unavailableCard(
        read.issues.map((i) => i.diagnostics ?? i.code),
        ctx,
      ),
    ];
  }
  const { request } = read;
  const result = forecast(request.history, request.ruleSet, request.assessmentDate);
  const card = forecastCard(
    result,
    ctx,
    dataNotes(data, read.rejected),
    seasonCaveats(result, request.ruleSet, request.history.birthDate),
  );
  return card === undefined ? [] : [card];
}
