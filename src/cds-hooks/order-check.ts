/**
 * `immunization-order-check` (order-select, order-sign): would each vaccine ordered count if it
 * were given today?
 *
 * The draft orders (MedicationRequest `medicationCodeableConcept`, ServiceRequest `code`,
 * Immunization `vaccineCode`; CVX, else NDC, else CPT, read as `$immds-forecast` reads them) are
 * added to the history as doses given today and the history is evaluated again. A dose that is
 * not Valid, or that falls in a series that is complete, a patient who is immune, or a
 * contraindication (the status of the group *before* the order), gets a warning card with one
 * line of why, the earliest date a dose would count, and override reasons. A valid order gets
 * no card; an order that is not a vaccine is ignored. At order-select only the newly selected
 * orders (`context.selections`) are checked; at order-sign all of them.
 *
 * @packageDocumentation
 */
import type { BundleEntry, FhirResource as Resource, Immunization } from 'fhir/r4';
import type { CalendarDate } from '../calendar';
import { forecast } from '../engine';
import type { ForecastResult, VaccineGroupResult } from '../engine/model';
import { canonicalCvx } from '../engine/rule-set';
import { fhirDate } from '../fhir/fhir-date';
import type { ForecastCatalog } from '../fhir/to-engine';
import { readVaccineCode } from '../fhir/vaccine-codes';
import {
  orderWarningCard,
  type CardContext,
  type OrderFinding,
  type OrderProblem,
  unavailableCard,
} from './cards';
import { readPatientHistory } from './patient-history';
import type { PatientData } from './prefetch';
import type { CdsCard, CdsRequest } from './types';

/** A vaccine order read from `draftOrders`. */
interface VaccineOrder {
  readonly doseId: string;
  readonly orderRef: string | undefined;
  readonly cvx: string;
  readonly immunization: Immunization;
}

/** The coded product of a draft order, by resource type. */
function productOf(resource: Resource): unknown {
  if (resource.resourceType === 'MedicationRequest') {
    return resource.medicationCodeableConcept;
  }
  if (resource.resourceType === 'ServiceRequest') {
    return resource.code;
  }
  return resource.resourceType === 'Immunization' ? resource.vaccineCode : undefined;
}

function vaccineOrders(
  request: CdsRequest,
  today: CalendarDate,
  ctx: CardContext,
  catalog: ForecastCatalog,
): VaccineOrder[] {
  const entries: readonly BundleEntry[] = request.context.draftOrders?.entry ?? [];
  const selected = request.context.selections;
  const orders: VaccineOrder[] = [];
  entries.forEach((entry, index) => {
    const resource = entry.resource;
    if (resource === undefined) {
      return;
    }
    const orderRef =
      resource.id === undefined ? undefined : `${resource.resourceType}/${resource.id}`;
    if (selected !== undefined && (orderRef === undefined || !selected.includes(orderRef))) {
      return;
    }
    const product = productOf(resource as Resource);
    if (product === undefined) {
      return;
    }
    const read = readVaccineCode(product, 'draftOrders', catalog.codes, ctx.ruleSet);
    if (!read.ok || !ctx.ruleSet.vaccineTypes.has(canonicalCvx(read.cvx))) {
      return;
    }
    const doseId = `draft-order-${index}`;
    orders.push({
      doseId,
      orderRef,
      cvx: read.cvx,
      immunization: {
        resourceType: 'Immunization',
        id: doseId,
        status: 'completed',
        vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: read.cvx }] },
        patient: { reference: `Patient/${request.context.patientId}` },
        occurrenceDateTime: fhirDate(today),
      },
    });
  });
  return orders;
}

/** The problem of a dose in a group, or undefined when the dose would count. */
function problemOf(
  group: VaccineGroupResult,
  before: VaccineGroupResult | undefined,
  doseId: string,
): { problem: OrderProblem; reasons: string[] } | undefined {
  const evaluation = group.doseEvaluations.find((e) => e.doseId === doseId);
  if (evaluation === undefined) {
    return undefined;
  }
  const reasons = evaluation.reasons.map((r) => r.text);
  if (before?.status === 'Contraindicated') {
    return { problem: 'contraindicated', reasons: before.reasons.map((r) => r.text) };
  }
  if (before?.status === 'Immune') {
    return { problem: 'immune', reasons: before.reasons.map((r) => r.text) };
  }
  if (before?.status === 'Complete') {
    return { problem: 'series-complete', reasons };
  }
  if (evaluation.status === 'Valid') {
    return undefined;
  }
  const codes = new Set(evaluation.reasons.map((r) => r.code));
  const problem: OrderProblem = codes.has('live-virus-conflict')
    ? 'live-virus-conflict'
    : codes.has('age-too-young')
      ? 'too-young'
      : codes.has('interval-too-soon')
        ? 'too-soon'
        : codes.has('series-already-complete') || evaluation.status === 'Extraneous'
          ? 'series-complete'
          : 'not-valid';
  return { problem, reasons };
}

/**
 * The warning cards of the vaccine orders of an order-select or order-sign call.
 *
 * @param request - The checked hook call.
 * @param data - The patient data.
 * @param today - The assessment date (the date the ordered doses would be given).
 * @param catalog - The rule sets and code tables.
 * @param ctx - Link base, rule set, id generator.
 */
export function checkOrders(
  request: CdsRequest,
  data: PatientData,
  today: CalendarDate,
  catalog: ForecastCatalog,
  ctx: CardContext,
): CdsCard[] {
  const orders = vaccineOrders(request, today, ctx, catalog);
  if (orders.length === 0) {
    return [];
  }
  const before = readPatientHistory(data, today, catalog);
  const after = readPatientHistory(
    data,
    today,
    catalog,
    orders.map((o) => o.immunization),
  );
  if (!before.ok || !after.ok) {
    return [
      unavailableCard(
        (before.ok ? [] : before.issues).map((i) => i.diagnostics ?? i.code),
        ctx,
      ),
    ];
  }
  const resultBefore: ForecastResult = forecast(
    before.request.history,
    before.request.ruleSet,
    today,
  );
  const resultAfter = forecast(after.request.history, after.request.ruleSet, today);
  const findings: OrderFinding[] = [];
  for (const order of orders) {
    const vaccine =
      ctx.ruleSet.vaccineTypes.get(canonicalCvx(order.cvx))?.shortDescription ?? `CVX ${order.cvx}`;
    const unused = resultAfter.unusedDoses.find((u) => u.doseId === order.doseId);
    if (unused !== undefined) {
      findings.push({
        orderRef: order.orderRef,
        vaccine,
        vaccineGroup: vaccine,
        problem: 'not-for-age',
        reasons: [unused.reason.text],
      });
      continue;
    }
    const seen = new Set<OrderProblem>();
    for (const group of resultAfter.vaccineGroups) {
      const previous = resultBefore.vaccineGroups.find(
        (g) => g.vaccineGroup === group.vaccineGroup,
      );
      const found = problemOf(group, previous, order.doseId);
      if (found === undefined || seen.has(found.problem)) {
        continue;
      }
      seen.add(found.problem);
      const earliest = previous?.forecast?.earliestDate;
      findings.push({
        orderRef: order.orderRef,
        vaccine,
        vaccineGroup: group.vaccineGroup,
        problem: found.problem,
        ...(earliest !== undefined && earliest.isAfter(today) ? { earliest } : {}),
        reasons: found.reasons,
      });
    }
  }
  return findings.map((f) => orderWarningCard(f, ctx));
}
