/**
 * The resource types read from a FHIR bulk export, the element of each that names its patient,
 * and their index in a partition record (partition-record.ts). Shared by both passes of reading
 * an export (partition-chunk.ts, bulk-export.ts).
 *
 * @packageDocumentation
 */

/** The resource types read from an export, and the element that names the patient. */
export const EXPORT_TYPES = {
  Patient: 'id',
  Immunization: 'patient',
  Condition: 'subject',
  Observation: 'subject',
  AllergyIntolerance: 'patient',
} as const;
/** A resource type read from an export. */
export type ExportType = keyof typeof EXPORT_TYPES;
/** The export types in the order of their index in a partition record. */
export const EXPORT_TYPE_NAMES = Object.keys(EXPORT_TYPES) as ExportType[];
