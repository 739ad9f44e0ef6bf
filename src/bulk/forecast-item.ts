/**
 * The work done for one item of a bulk run — one NDJSON line, or one patient gathered from a
 * bulk export — wherever it runs (a worker thread, or the main thread when there is no pool).
 * It reuses the single-patient handler (`immdsForecast`) as is: the FHIR mapping is not repeated
 * here, only the bulk concerns are —
 * - the run's assessment date and rule-set version, fixed for the whole run, are added to every
 *   input (an input that names a different one is an error: one run, one date, one version);
 * - errors name the input line (`line 7: …`, OperationOutcome id `line-7`) or the export file
 *   and line of the resource at fault;
 * - in `resources` output, the answer is split into the ImmunizationRecommendation and
 *   ImmunizationEvaluation resources (ids made unique across the population) and the
 *   `information` notes, one NDJSON line each.
 *
 * Everything crossing a thread boundary is plain data (strings, numbers), cheap to clone.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import {
  immdsForecastOutput,
  parametersJson,
  type ForecastCatalog,
  type ForecastOutput,
  type OutputIds,
} from '../fhir/immds-forecast';
import { isRecord } from '../fhir/json';
import { jsonValue } from '../fhir/json-text';
import { operationOutcome, outcomeIssue } from '../fhir/outcome';
import { JsonTemplates, ParametersTemplates } from './json-templates';
import { patientSources, type RecordLine } from './partition-record';
import { inShard, type Shard } from './shard';

/** What is fixed for a whole run. */
export interface RunSettings {
  /** Assessment date of every forecast (`YYYY-MM-DD`). */
  readonly assessmentDate: string;
  /** Rule-set version of every forecast (a bare version such as `4.64`). */
  readonly version: string;
  /** Only patients of this shard are forecast (NDJSON input; exports are sharded when read). */
  readonly shard?: Shard | undefined;
  /** `parameters`: one output Parameters per item (HTTP); `resources`: split (CLI). */
  readonly output: 'parameters' | 'resources';
}

/** A resource line of a bulk export, and where it came from. */
export interface SourceLine {
  readonly type: string;
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** One item of work. */
export type BulkItem =
  /** An NDJSON line holding an `$immds-forecast` input Parameters. */
  | { readonly kind: 'line'; readonly line: number; readonly text: string }
  /** An NDJSON line over the length limit (its bytes were not kept). */
  | {
      readonly kind: 'too-long';
      readonly line: number;
      readonly bytes: number;
      readonly limit: number;
    }
  /**
   * A patient of a bulk export with their Immunization / Condition / Observation /
   * AllergyIntolerance lines, as partition records (partition-record.ts).
   */
  | {
      readonly kind: 'patient';
      readonly patientId: string;
      /** The patient's partition records, UTF-8, the Patient's first. */
      readonly records: Uint8Array;
      /** The export files' names, by the file index of the records. */
      readonly files: readonly string[];
    };

/**
 * The answer for one item, as the bytes of NDJSON lines (each with its newline), ready to be
 * written. Why bytes: the output is written as ASCII text (`fhir/json-text.ts`) made of many
 * pieces; turning it into bytes at once, where it was made (`latin1`: the same bytes as UTF-8 for
 * ASCII), costs least — kept as text until the output stream takes it, the pieces would survive
 * garbage collections and be copied by them.
 */
export interface ItemResult {
  /** `parameters` output: the output Parameters or the OperationOutcome, one line. */
  out?: Buffer;
  /** `resources` output: the ImmunizationRecommendation. */
  recommendation?: Buffer;
  /** `resources` output: the ImmunizationEvaluations, one line each (none: no bytes). */
  evaluations?: Buffer;
  /** `resources` output: the notes about the input (OperationOutcome), if any. */
  information?: Buffer;
  /** `resources` output: why there is no forecast (OperationOutcome). */
  error?: Buffer;
  /** Set when the item belongs to another shard (nothing else is set). */
  skipped?: true;
  /**
   * `parameters` output: vaccine group and status, alternating, for the service's forecast
   * metrics. (Not in `resources` output: the CLI has no metrics, and these ~50 strings per
   * patient cost ~9 µs to send from a thread.)
   */
  groups?: string[];
  /** Set when the item failed unexpectedly (a bug): the caller logs it (no patient data). */
  crashed?: true;
}

/** The fields of an {@link ItemResult} that hold bytes. */
export const BYTE_FIELDS = [
  'out',
  'recommendation',
  'evaluations',
  'information',
  'error',
] as const;

/** An {@link ItemResult} before its lines are bytes: the same fields, as ASCII text. */
type ItemText = Omit<ItemResult, (typeof BYTE_FIELDS)[number]> &
  Partial<Record<(typeof BYTE_FIELDS)[number], string>>;

/**
 * Turns an item's output lines (ASCII text) into bytes. A worker thread writes them into one
 * buffer per batch (batch-arena.ts); elsewhere each gets a buffer of its own.
 */
export type LineEncoder = (text: string) => Buffer;

/** Each text in a buffer of its own (`latin1`: the same bytes as UTF-8 for ASCII). */
export const ownBuffer: LineEncoder = (text) => Buffer.from(text, 'latin1');

function encoded(text: ItemText, encode: LineEncoder): ItemResult {
  const { out, recommendation, evaluations, information, error, ...rest } = text;
  const result: ItemResult = rest;
  if (out !== undefined) {
    result.out = encode(out);
  }
  if (recommendation !== undefined) {
    result.recommendation = encode(recommendation);
  }
  if (evaluations !== undefined) {
    result.evaluations = encode(evaluations);
  }
  if (information !== undefined) {
    result.information = encode(information);
  }
  if (error !== undefined) {
    result.error = encode(error);
  }
  return result;
}

/**
 * One item, never throwing: an unexpected failure (a bug) becomes an `exception` outcome for that
 * item alone — without the error's message or stack, which could quote patient data.
 *
 * @param item - The item.
 * @param run - The run's settings.
 * @param catalog - The rule catalog.
 * @param encode - Where the output lines' bytes go (default: a buffer each).
 */
export function safeForecastItem(
  item: BulkItem,
  run: RunSettings,
  catalog: ForecastCatalog,
  encode: LineEncoder = ownBuffer,
): ItemResult {
  let text: ItemText;
  try {
    text = itemText(item, run, catalog);
  } catch {
    const where = item.kind === 'patient' ? `Patient/${item.patientId}` : `line ${item.line}`;
    const line = ndjsonLine({
      resourceType: 'OperationOutcome',
      id: item.kind === 'patient' ? `patient-${shortKey(item.patientId)}` : `line-${item.line}`,
      issue: [
        {
          severity: 'fatal',
          code: 'exception',
          diagnostics: `${where}: internal error while forecasting; the other items are not affected`,
        },
      ],
    });
    text =
      run.output === 'parameters' ? { out: line, crashed: true } : { error: line, crashed: true };
  }
  return encoded(text, encode);
}

/** The export line, and the resource parsed from it, that became a parameter of the input. */
type SourceOf = (
  parameterIndex: number,
) => { readonly source: SourceLine; readonly resource: unknown } | undefined;

/**
 * Runs one item.
 *
 * @param item - The item.
 * @param run - The run's fixed settings.
 * @param catalog - The rule sets and code tables (each worker thread loads its own).
 * @param encode - Where the output lines' bytes go (default: a buffer each).
 */
export function forecastItem(
  item: BulkItem,
  run: RunSettings,
  catalog: ForecastCatalog,
  encode: LineEncoder = ownBuffer,
): ItemResult {
  return encoded(itemText(item, run, catalog), encode);
}

function itemText(item: BulkItem, run: RunSettings, catalog: ForecastCatalog): ItemText {
  switch (item.kind) {
    case 'too-long':
      return failure(
        run,
        [
          outcomeIssue(
            'error',
            'too-costly',
            `line ${item.line} is ${item.bytes} bytes long, over the limit of ${item.limit} bytes; it was not read`,
          ),
        ],
        `line-${item.line}`,
      );
    case 'line':
      return forecastLine(item.line, item.text, run, catalog);
    case 'patient':
      return forecastPatient(item, run, catalog);
  }
}

/** This thread's reader of request lines (json-templates.ts). */
const parametersReader = new ParametersTemplates();

function forecastLine(
  line: number,
  text: string,
  run: RunSettings,
  catalog: ForecastCatalog,
): ItemText {
  const lineError = (code: OperationOutcomeIssue['code'], diagnostics: string): ItemText =>
    failure(run, [outcomeIssue('error', code, `line ${line}: ${diagnostics}`)], `line-${line}`);
  if (text.trim() === '') {
    return lineError('required', 'the line is empty (each line must hold one Parameters resource)');
  }
  let body: unknown;
  try {
    body = parametersReader.parse(text);
  } catch (err) {
    // JSON.parse's message quotes the input (patient data): give the position only.
    const position = /position (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
    return lineError(
      'structure',
      `the line is not valid JSON${position === undefined ? '' : ` (at character ${Number(position) + 1})`}`,
    );
  }
  if (run.shard !== undefined) {
    const id = patientIdOf(body);
    if (!inShard(id ?? `line-${line}`, run.shard)) {
      return { skipped: true };
    }
  }
  const conflicts = fixRunSettings(body, run);
  if (conflicts.length > 0) {
    return failure(run, prefixed(conflicts, `line ${line}: `), `line-${line}`);
  }
  // `parameters` output keeps the ids of a single answer; split resources get ids unique in the run.
  const key = shortKey(`l${line}`);
  const ids = run.output === 'parameters' ? undefined : idsFor(key);
  const [outcome, output] = immdsForecastOutput(
    body,
    { catalog },
    ids,
    run.output === 'parameters' ? 'parameters' : 'lines',
  );
  if (output === undefined) {
    return failure(run, prefixed(outcome.issue, `line ${line}: `), `line-${line}`);
  }
  if (run.output === 'parameters') {
    return { out: asciiLine(parametersJson(output)), groups: groupsOf(output) };
  }
  return splitResources(output, key, (issue) => ({
    ...issue,
    diagnostics: `line ${line}: ${issue.diagnostics ?? issue.code}`,
  }));
}

/**
 * The line readers of this thread, one per resource type: the lines of an export file mostly
 * share a shape (json-templates.ts).
 */
const lineReaders = new Map<string, JsonTemplates>();

function lineReader(type: string): JsonTemplates {
  let reader = lineReaders.get(type);
  if (reader === undefined) {
    reader = new JsonTemplates();
    lineReaders.set(type, reader);
  }
  return reader;
}

function forecastPatient(
  item: Extract<BulkItem, { kind: 'patient' }>,
  run: RunSettings,
  catalog: ForecastCatalog,
): ItemText {
  const sources = patientSources(item);
  const parse = (source: RecordLine): unknown =>
    lineReader(source.type).parse(sources.text, source.start, source.start + source.text.length);
  // Parameter order: 0 assessmentDate, 1 knowledgeBaseVersion, 2 patient, 3… the resources.
  // Each line is parsed once; the parsed resources also give the ids named in issues.
  const patient = parse(sources.patient);
  const parsed: unknown[] = [patient];
  const parameter: unknown[] = [
    { name: 'assessmentDate', valueDate: run.assessmentDate },
    { name: 'knowledgeBaseVersion', valueString: run.version },
    { name: 'patient', resource: patient },
  ];
  for (const source of sources.resources) {
    const resource = parse(source);
    parsed.push(resource);
    // A vaccine not given, with a reason (e.g. a contraindication or immunity), is a CDSi
    // observation; every other Immunization is a dose (not-done without reason: ignored with a
    // warning by the handler).
    const observation =
      source.type !== 'Immunization' ||
      (isRecord(resource) &&
        resource['status'] === 'not-done' &&
        resource['statusReason'] !== undefined);
    parameter.push({ name: observation ? 'observation' : 'immunization', resource });
  }
  const sourceOf: SourceOf = (i) => {
    if (i < 2) {
      return undefined;
    }
    const source = i === 2 ? sources.patient : sources.resources[i - 3];
    return source === undefined ? undefined : { source, resource: parsed[i - 2] };
  };
  const locate = (issue: OperationOutcomeIssue): OperationOutcomeIssue =>
    locateIssue(issue, item.patientId, sourceOf);
  const key = shortKey(item.patientId);
  const [outcome, output] = immdsForecastOutput(
    { resourceType: 'Parameters', parameter },
    { catalog },
    idsFor(key),
    'lines',
  );
  if (output === undefined) {
    return {
      error: ndjsonLine({ ...operationOutcome(outcome.issue.map(locate)), id: `patient-${key}` }),
    };
  }
  return splitResources(output, key, locate);
}

/** A failed item: an OperationOutcome line (`parameters`) or an error line (`resources`). */
function failure(run: RunSettings, issues: readonly OperationOutcomeIssue[], id: string): ItemText {
  const text = ndjsonLine({ ...operationOutcome(issues), id } satisfies OperationOutcome);
  return run.output === 'parameters' ? { out: text } : { error: text };
}

function prefixed(
  issues: readonly OperationOutcomeIssue[],
  prefix: string,
): OperationOutcomeIssue[] {
  return issues.map((i) => ({ ...i, diagnostics: `${prefix}${i.diagnostics ?? i.code}` }));
}

/** The `id` of the input's patient resource, if any. */
function patientIdOf(body: unknown): string | undefined {
  if (!isRecord(body) || !Array.isArray(body['parameter'])) {
    return undefined;
  }
  for (const p of body['parameter'] as unknown[]) {
    if (isRecord(p) && p['name'] === 'patient' && isRecord(p['resource'])) {
      const id = p['resource']['id'];
      return typeof id === 'string' ? id : undefined;
    }
  }
  return undefined;
}

/** A rule-set version without its `ruleSetId@` prefix. */
function bareVersion(text: string): string {
  const t = text.trim();
  return t.slice(t.lastIndexOf('@') + 1);
}

/**
 * Gives an input the run's assessment date and rule-set version: added when the input has none;
 * an input naming others is refused (a bulk run has one of each, so that a registry's nightly
 * run is reproducible and every answer comparable).
 *
 * @returns the conflicts (none: the input now carries the run's settings)
 */
function fixRunSettings(body: unknown, run: RunSettings): OperationOutcomeIssue[] {
  if (
    !isRecord(body) ||
    body['resourceType'] !== 'Parameters' ||
    !Array.isArray(body['parameter'])
  ) {
    return []; // not a Parameters: the handler says what is wrong
  }
  const params = body['parameter'] as unknown[];
  const conflicts: OperationOutcomeIssue[] = [];
  let hasDate = false;
  let hasVersion = false;
  for (const [index, p] of params.entries()) {
    if (!isRecord(p)) {
      continue;
    }
    if (p['name'] === 'assessmentDate') {
      hasDate = true;
      if (p['valueDate'] !== run.assessmentDate) {
        conflicts.push(
          outcomeIssue(
            'error',
            'business-rule',
            `assessmentDate differs from the assessment date of the bulk run (${run.assessmentDate}); leave it out or send the same date`,
            [`Parameters.parameter[${index}].value`],
          ),
        );
      }
    } else if (p['name'] === 'knowledgeBaseVersion') {
      hasVersion = true;
      const value = p['valueString'];
      if (typeof value === 'string' && bareVersion(value) !== run.version) {
        conflicts.push(
          outcomeIssue(
            'error',
            'business-rule',
            `knowledgeBaseVersion differs from the rule-set version of the bulk run (${run.version}); leave it out or send the same version`,
            [`Parameters.parameter[${index}].value`],
          ),
        );
      }
    }
  }
  if (!hasDate) {
    params.push({ name: 'assessmentDate', valueDate: run.assessmentDate });
  }
  if (!hasVersion) {
    params.push({ name: 'knowledgeBaseVersion', valueString: run.version });
  }
  return conflicts;
}

function groupsOf(output: ForecastOutput): string[] {
  const groups: string[] = [];
  for (const g of output.vaccineGroups) {
    groups.push(g.vaccineGroup, g.status);
  }
  return groups;
}

/** ASCII text as an NDJSON line. */
function asciiLine(text: string): string {
  return `${text}\n`;
}

/** A resource as an NDJSON line (ASCII JSON). */
function ndjsonLine(resource: object): string {
  return asciiLine(jsonValue(resource));
}

/** An id part at most 40 characters long, unique per patient key (FHIR ids: 64 at most). */
function shortKey(key: string): string {
  return key.length <= 40 ? key : createHash('sha1').update(key).digest('hex');
}

/**
 * Ids unique across the run: the recommendation gets `<key>`, evaluation n gets `<key>-e<n>`
 * (the recommendation's references follow).
 */
function idsFor(key: string): OutputIds {
  return { recommendation: key, evaluationPrefix: `${key}-e` };
}

/** The output's resources (its evaluations written as `lines`), one NDJSON line each. */
function splitResources(
  output: ForecastOutput,
  key: string,
  locate: (issue: OperationOutcomeIssue) => OperationOutcomeIssue,
): ItemText {
  const result: ItemText = {
    recommendation: asciiLine(output.recommendation),
    evaluations: output.evaluations,
  };
  if (output.information.length > 0) {
    result.information = ndjsonLine({
      ...operationOutcome(output.information.map(locate)),
      id: `${key}-information`,
    });
  }
  return result;
}

const PARAMETER_PATH = /^Parameters\.parameter\[(\d+)\](?:\.resource)?/;

/**
 * An issue about a patient assembled from a bulk export, pointed at the export instead of at
 * the Parameters the export was turned into: the FHIRPath is made relative to the resource
 * (`Immunization.vaccineCode.coding[0]`) and the diagnostics name the resource and its file
 * and line (`Immunization/imm-1 (Immunization.000.ndjson line 17): …`).
 */
function locateIssue(
  issue: OperationOutcomeIssue,
  patientId: string,
  sourceOf: SourceOf,
): OperationOutcomeIssue {
  let where = `Patient/${patientId}`;
  let expression = issue.expression;
  const first = issue.expression?.[0];
  const match = first === undefined ? null : PARAMETER_PATH.exec(first);
  if (match !== null) {
    const found = sourceOf(Number(match[1]));
    if (found !== undefined) {
      const { source } = found;
      const id = idOf(found.resource);
      where = `${source.type}${id === undefined ? '' : `/${id}`} (${source.file} line ${source.line})`;
      expression = issue.expression?.map((e) => e.replace(PARAMETER_PATH, source.type));
    }
  }
  const located: OperationOutcomeIssue = {
    ...issue,
    diagnostics: `${where}: ${issue.diagnostics ?? issue.code}`,
  };
  if (expression !== undefined) {
    located.expression = expression;
  }
  return located;
}

/** The `id` of a resource as read (the input handler does not change the resources). */
function idOf(resource: unknown): string | undefined {
  return isRecord(resource) && typeof resource['id'] === 'string' ? resource['id'] : undefined;
}
