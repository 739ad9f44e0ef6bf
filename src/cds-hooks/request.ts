/**
 * Checks the body of a hook call (CDS Hooks 2.0.1 §"HTTP Request", hooks library 1.0.1 context
 * tables). Every problem is listed in one 400 OperationOutcome; nothing of the request is echoed
 * back except element names.
 *
 * @packageDocumentation
 */
import type { Bundle, FhirResource as Resource, OperationOutcomeIssue } from 'fhir/r4';
import { FHIR_ID, isRecord } from '../fhir/json';
import { OperationOutcomeError, outcomeIssue } from '../fhir/outcome';
import { HOOKS_OF, type ServiceId } from './services';
import type { CdsContext, CdsRequest, FhirAuthorization } from './types';

/**
 * Reads a hook call for a service.
 *
 * @param body - The parsed JSON body.
 * @param serviceId - The service called.
 * @throws OperationOutcomeError 400 listing every problem (including a hook the service does
 *   not answer).
 */
export function readCdsRequest(body: unknown, serviceId: ServiceId): CdsRequest {
  const problems: OperationOutcomeIssue[] = [];
  const fail = (code: OperationOutcomeIssue['code'], text: string, where: string): void => {
    problems.push(outcomeIssue('error', code, text, [where]));
  };
  if (!isRecord(body)) {
    throw new OperationOutcomeError(400, [
      outcomeIssue('error', 'structure', 'The request body must be a JSON object'),
    ]);
  }
  const hook = body['hook'];
  if (typeof hook !== 'string' || hook === '') {
    fail('required', 'hook is required', 'hook');
  } else if (!HOOKS_OF[serviceId].includes(hook)) {
    fail(
      'not-supported',
      `This service answers ${HOOKS_OF[serviceId].join(', ')}, not ${hook}`,
      'hook',
    );
  }
  const hookInstance = body['hookInstance'];
  if (typeof hookInstance !== 'string' || hookInstance === '') {
    fail('required', 'hookInstance is required', 'hookInstance');
  }

  const fhirServer = body['fhirServer'];
  if (fhirServer !== undefined && !isHttpUrl(fhirServer)) {
    fail('value', 'fhirServer must be an http(s) URL', 'fhirServer');
  }
  const auth = body['fhirAuthorization'];
  let fhirAuthorization: FhirAuthorization | undefined;
  if (auth !== undefined) {
    if (fhirServer === undefined) {
      fail('invariant', 'fhirAuthorization requires fhirServer (cds-r-1)', 'fhirAuthorization');
    }
    if (
      !isRecord(auth) ||
      typeof auth['access_token'] !== 'string' ||
      auth['access_token'] === ''
    ) {
      fail('required', 'fhirAuthorization.access_token is required', 'fhirAuthorization');
    } else if (auth['token_type'] !== undefined && auth['token_type'] !== 'Bearer') {
      fail('value', 'fhirAuthorization.token_type must be Bearer', 'fhirAuthorization.token_type');
    } else {
      fhirAuthorization = auth as unknown as FhirAuthorization;
    }
  }

  const context = readContext(body['context'], typeof hook === 'string' ? hook : '', fail);

  const prefetch = body['prefetch'];
  if (prefetch !== undefined && !isRecord(prefetch)) {
    fail('structure', 'prefetch must be a JSON object', 'prefetch');
  }

  if (problems.length > 0 || context === undefined) {
    throw new OperationOutcomeError(400, problems);
  }
  return {
    hook: hook as string,
    hookInstance: hookInstance as string,
    ...(typeof fhirServer === 'string' ? { fhirServer } : {}),
    ...(fhirAuthorization === undefined ? {} : { fhirAuthorization }),
    context,
    ...(isRecord(prefetch)
      ? { prefetch: prefetch as Readonly<Record<string, Resource | null>> }
      : {}),
  };
}

function readContext(
  context: unknown,
  hook: string,
  fail: (code: OperationOutcomeIssue['code'], text: string, where: string) => void,
): CdsContext | undefined {
  if (!isRecord(context)) {
    fail('required', 'context is required (a JSON object)', 'context');
    return undefined;
  }
  const patientId = context['patientId'];
  const userId = context['userId'];
  let ok = true;
  if (typeof patientId !== 'string' || !FHIR_ID.test(patientId)) {
    fail('required', 'context.patientId is required (a FHIR id)', 'context.patientId');
    ok = false;
  }
  if (typeof userId !== 'string' || userId === '') {
    fail('required', 'context.userId is required', 'context.userId');
    ok = false;
  }
  const encounterId = context['encounterId'];
  const isOrderHook = hook === 'order-select' || hook === 'order-sign';
  const draftOrders = context['draftOrders'];
  if (isOrderHook && (!isRecord(draftOrders) || draftOrders['resourceType'] !== 'Bundle')) {
    fail('required', 'context.draftOrders is required (a FHIR Bundle)', 'context.draftOrders');
    ok = false;
  }
  const selections = context['selections'];
  if (
    hook === 'order-select' &&
    (!Array.isArray(selections) || !selections.every((s) => typeof s === 'string'))
  ) {
    fail('required', 'context.selections is required (an array of Type/id)', 'context.selections');
    ok = false;
  }
  if (!ok) {
    return undefined;
  }
  return {
    userId: userId as string,
    patientId: patientId as string,
    ...(typeof encounterId === 'string' ? { encounterId } : {}),
    ...(isOrderHook ? { draftOrders: draftOrders as Bundle } : {}),
    ...(hook === 'order-select' ? { selections: selections as string[] } : {}),
  };
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') {
    return false;
  }
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
