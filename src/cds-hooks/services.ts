/**
 * The discovery document as data (CDS Hooks 2.0.1 §Discovery). Prefetch templates stay within
 * the spec's recommended query subset: instance read, type-level search by the `patient`
 * reference parameter, and a token parameter with equality.
 *
 * @packageDocumentation
 */
import type { CdsDiscovery, CdsService } from './types';

/** The prefetch keys our services declare, and what each is for. */
export const PREFETCH_TEMPLATES = {
  /** The patient: birth date, gender, birth country. Required. */
  patient: 'Patient/{{context.patientId}}',
  /** Doses given (completed), and doses not given with a reason (immunity, refusal…). Required. */
  immunizations: 'Immunization?patient={{context.patientId}}',
  /** Risk conditions, contraindications and evidence of immunity recorded as problems. */
  conditions: 'Condition?patient={{context.patientId}}',
  /** Laboratory evidence of immunity (titers) and other coded findings. */
  observations: 'Observation?patient={{context.patientId}}&category=laboratory',
  /** Vaccine-component allergies (contraindications). */
  allergies: 'AllergyIntolerance?patient={{context.patientId}}',
} as const;

/** A prefetch key of our services. */
export type PrefetchKey = keyof typeof PREFETCH_TEMPLATES;

/** The keys without which no forecast can be made (answered with 412 when they cannot be had). */
export const REQUIRED_KEYS: readonly PrefetchKey[] = ['patient', 'immunizations'];

/** Every prefetch key, in the order they are read. */
export const PREFETCH_KEYS = Object.keys(PREFETCH_TEMPLATES) as readonly PrefetchKey[];

/** Service ids. */
export const SERVICE_ID = {
  forecast: 'immunization-forecast',
  orderCheck: 'immunization-order-check',
} as const;

/** A service id of ours. */
export type ServiceId = (typeof SERVICE_ID)[keyof typeof SERVICE_ID];

/** The hooks each service answers (a service id may be listed for several hooks). */
export const HOOKS_OF: Readonly<Record<ServiceId, readonly string[]>> = {
  [SERVICE_ID.forecast]: ['patient-view'],
  [SERVICE_ID.orderCheck]: ['order-select', 'order-sign'],
};

/**
 * Whether a path segment names one of our services.
 *
 * @param id - The `{id}` of `/cds-services/{id}`.
 */
export function isServiceId(id: string): id is ServiceId {
  return Object.prototype.hasOwnProperty.call(HOOKS_OF, id);
}

const FORECAST_DESCRIPTION =
  'Immunization forecast by the CDC CDSi logic (ACIP schedules): which vaccines are due or ' +
  'overdue today, with earliest, recommended and past-due dates per vaccine group, and draft ' +
  'orders for the due vaccines.';

const ORDER_CHECK_DESCRIPTION =
  'Checks vaccine orders (MedicationRequest, ServiceRequest or Immunization coded with CVX, ' +
  'CPT or NDC) against the CDC CDSi logic and warns when the dose would not count: before the ' +
  'minimum age or interval, in a live-virus conflict window, series complete or patient ' +
  'immune, or contraindicated. A valid order gets no card.';

/** The discovery document (`GET /cds-services`). */
export const DISCOVERY: CdsDiscovery = {
  services: [
    {
      hook: 'patient-view',
      title: 'Immunization forecast',
      description: FORECAST_DESCRIPTION,
      id: SERVICE_ID.forecast,
      prefetch: PREFETCH_TEMPLATES,
    },
    ...(['order-select', 'order-sign'] as const).map((hook): CdsService => ({
      hook,
      title: 'Vaccine order check',
      description: ORDER_CHECK_DESCRIPTION,
      id: SERVICE_ID.orderCheck,
      prefetch: PREFETCH_TEMPLATES,
    })),
  ],
};

/**
 * A prefetch template with its `{{context.patientId}}` token filled in (the only token ours use).
 *
 * @param key - The prefetch key.
 * @param patientId - `context.patientId` (a FHIR id, already checked).
 */
export function prefetchQuery(key: PrefetchKey, patientId: string): string {
  return PREFETCH_TEMPLATES[key].replaceAll('{{context.patientId}}', encodeURIComponent(patientId));
}
