/**
 * CDS Hooks 2.0.1 types, with the spec's names (https://cds-hooks.hl7.org/2.0/). Readonly: a
 * response is built once and sent. Optional fields are omitted, never `null` or empty (spec
 * "elements SHALL NOT be null or empty").
 *
 * @packageDocumentation
 */
import type { Bundle, FhirResource } from 'fhir/r4';

/** A service of the discovery document (spec §Discovery, "CDS Service"). */
export interface CdsService {
  readonly hook: string;
  readonly title?: string;
  readonly description: string;
  readonly id: string;
  /** Prefetch key → FHIR query template with `{{context.…}}` tokens. */
  readonly prefetch?: Readonly<Record<string, string>>;
  readonly usageRequirements?: string;
}

/** `GET /cds-services` response. */
export interface CdsDiscovery {
  readonly services: readonly CdsService[];
}

/** `fhirAuthorization` of a hook call (spec §"FHIR Resource Access"). */
export interface FhirAuthorization {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
  readonly subject: string;
  readonly patient?: string;
}

/** The context fields this service reads (patient-view, order-select, order-sign). */
export interface CdsContext {
  readonly userId: string;
  readonly patientId: string;
  readonly encounterId?: string;
  /** order-select, order-sign: the draft orders (an R4 Bundle). */
  readonly draftOrders?: Bundle;
  /** order-select: `Type/id` of the newly selected draft orders. */
  readonly selections?: readonly string[];
}

/** A checked hook call (spec §"HTTP Request"). */
export interface CdsRequest {
  readonly hook: string;
  readonly hookInstance: string;
  readonly fhirServer?: string;
  readonly fhirAuthorization?: FhirAuthorization;
  readonly context: CdsContext;
  /** Prefetch key → resource, Bundle, OperationOutcome or `null` (no data). */
  readonly prefetch?: Readonly<Record<string, FhirResource | null>>;
}

/** A CDS Hooks Coding: `display` is required where the spec says so (overrideReasons). */
export interface CdsCoding {
  readonly system: string;
  readonly code: string;
  readonly display?: string;
}

/** Card `source`. */
export interface CdsSource {
  readonly label: string;
  readonly url?: string;
  readonly icon?: string;
  readonly topic?: CdsCoding;
}

/** A suggested action (spec §Action). */
export interface CdsAction {
  readonly type: 'create' | 'update' | 'delete';
  readonly description: string;
  readonly resource?: FhirResource;
  readonly resourceId?: string;
}

/** A suggestion of a card. */
export interface CdsSuggestion {
  readonly label: string;
  readonly uuid?: string;
  readonly isRecommended?: boolean;
  readonly actions?: readonly CdsAction[];
}

/** A link of a card. */
export interface CdsLink {
  readonly label: string;
  readonly url: string;
  readonly type: 'absolute' | 'smart';
  readonly appContext?: string;
  readonly autolaunchable?: boolean;
}

/** A card (spec §Card). `summary` is shorter than 140 characters. */
export interface CdsCard {
  readonly uuid?: string;
  readonly summary: string;
  readonly detail?: string;
  readonly indicator: 'info' | 'warning' | 'critical';
  readonly source: CdsSource;
  readonly suggestions?: readonly CdsSuggestion[];
  /** Required whenever `suggestions` is present. */
  readonly selectionBehavior?: 'at-most-one' | 'any';
  readonly overrideReasons?: readonly CdsCoding[];
  readonly links?: readonly CdsLink[];
}

/** A service response (spec §"CDS Service Response"). */
export interface CdsResponse {
  readonly cards: readonly CdsCard[];
  readonly systemActions?: readonly CdsAction[];
}

/** One feedback entry (spec §Feedback). */
export interface CdsFeedback {
  readonly card: string;
  readonly outcome: 'accepted' | 'overridden';
  readonly acceptedSuggestions?: readonly { readonly id: string }[];
  readonly overrideReason?: { readonly reason?: CdsCoding; readonly userComment?: string };
  readonly outcomeTimestamp: string;
}
