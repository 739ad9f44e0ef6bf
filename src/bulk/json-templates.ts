/**
 * `JSON.parse` for the resource lines of a bulk export and the lines of a bulk request, faster
 * where lines repeat a shape.
 *
 * Why it exists: a forecasting thread parses every resource of every patient again (pass 1 only
 * read where each line belongs), and `JSON.parse` was a fifth of its time — about 1.9 µs for an
 * Immunization line of 250 bytes, some 26 lines a patient. The lines of one export file are
 * written by one serializer: the same keys in the same order, the same punctuation, only the
 * values differ. So a line is read against the *template* of a line seen before — the literal
 * bytes (keys, punctuation, `true`/`false`/`null`) compared four at a time, the string and
 * number values taken from between them — and the resource is built from the template's shape:
 * 0.9–1.0 µs against 1.9 µs (session 8, 122,633 lines of the bench export, same process,
 * alternating with `JSON.parse`; docs/benchmarks.md), ~45 % less again since the shape is
 * compiled to an object literal ({@link builder}, session 9). Pass 1 reads lines the same way
 * ({@link TemplateScanner}): there a template gives where `resourceType` and the patient value
 * are, in front of the byte scanner (resource-scan.ts) that walks the JSON grammar (pass 1 −8 %
 * CPU). The lines of a bulk request (one `$immds-forecast` Parameters per line) are read
 * parameter by parameter the same way ({@link ParametersTemplates}).
 *
 * Safety rule: a line gives the same value as `JSON.parse`, or goes through `JSON.parse`.
 * - A template is learned only from a line that is exactly the compact serialization of what
 *   `JSON.parse` made of it (`JSON.stringify(value) === line`, all ASCII) and whose keys are
 *   not `__proto__` (`JSON.parse` makes such a key an own property, an assignment would not);
 *   the template is then read back on that line and the result compared with `JSON.parse`'s
 *   before it is kept.
 * - A line matches a template only if every literal byte is equal; a string value has no `"`
 *   inside, no backslash, no control character and no byte outside ASCII (the text between the
 *   quotes is then the value itself); a number value follows the JSON grammar (RFC 8259 §6;
 *   `Number()` of that text is what `JSON.parse` gives). The line is then the same sequence of
 *   JSON tokens as the learned line, with other values: the same structure, keys and order.
 * - Anything else — a first line, another shape, an escape, a non-ASCII character, bytes the
 *   caller cannot map to the text one to one — is `JSON.parse`d, as before.
 *
 * A reader keeps a few templates (those that read most lines first), learns only while templates
 * are paying off, and sends lines straight to `JSON.parse` for a while when too few of the last
 * lines were read by a template ({@link TRIAL_LINES}): an export whose lines mix many shapes
 * costs about what it did before (32 shapes evenly mixed: within a few per cent of `JSON.parse`;
 * 4 shapes: the same; one shape, as the bench export: 1.0 against 2.5–3.2 µs per line).
 *
 * @packageDocumentation
 */

import { numberEnd } from './resource-scan';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;

/** Templates kept per reader (an export file's lines have one or a few shapes). */
const MAX_TEMPLATES = 8;

/**
 * Lines per trial window: if fewer than {@link TRIAL_HITS} of a window's lines are read by a
 * template, the next {@link BYPASS_LINES} lines go to `JSON.parse` directly. A line that matches
 * no template costs up to eight failed comparisons (and now and then a template learned), ~2–3
 * µs more than `JSON.parse` alone: with lines of many shapes mixed (32 shapes, evenly: 9 µs
 * against 3.5 µs per line without this rule), the templates would cost more than they save.
 */
const TRIAL_LINES = 64;
const TRIAL_HITS = 48;
const BYPASS_LINES = 16_384;

const enum Slot {
  String = 0,
  Number = 1,
}

const enum Kind {
  Constant = 0,
  Slot = 1,
  Array = 2,
  Object = 3,
}

/**
 * A node of a template's shape. One class with every field, so that reading a node is the same
 * machine code whatever its kind.
 */
class ShapeNode {
  constructor(
    readonly kind: Kind,
    /** `Constant`: the value. */
    readonly value: boolean | null,
    /** `Slot`: the slot's index. */
    readonly index: number,
    /** `Object`: the keys, in order. */
    readonly keys: readonly string[],
    /** `Array`: the items; `Object`: the values, by key. */
    readonly children: readonly ShapeNode[],
  ) {}
}

/** A learned line shape. */
interface Template {
  /** The literal bytes before each slot, and after the last: one more than the slots. */
  readonly literals: readonly Uint8Array[];
  /** The same, four bytes per number (little-endian), without the last `length % 4` bytes. */
  readonly literalWords: readonly Int32Array[];
  /** What each slot holds. */
  readonly slots: readonly Slot[];
  /** Where each slot's value starts and ends in the line last matched (set by `matches`). */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** The slots' values of the line being read (reused). */
  readonly values: unknown[];
  /** Slots its user reads the positions of ({@link TemplateScanner}: `resourceType`, patient). */
  readonly marks: readonly number[];
  /** Builds the value from the slots' values (see {@link builder}). */
  readonly make: (values: readonly unknown[]) => unknown;
}

/**
 * A reader's templates and when to use them: tried most useful first, given up on for a while
 * when they do not pay (see {@link TRIAL_LINES}), learned only while they do.
 */
class TemplateSet {
  private readonly templates: Template[] = [];
  /** Values read by a template (lines, or a request line's parameters). */
  private hits = 0;
  /** Lines read wholly by templates: what learning is budgeted on. */
  private paid = 0;
  private learned = 0;
  /** Lines, and lines read wholly by templates, in the current trial window. */
  private trialLines = 0;
  private trialHits = 0;
  /** Lines still to be read without templates (after a trial window that did not pay). */
  private bypass = 0;
  /** Where the value last found by {@link lookup} ends. */
  protected matchedEnd = 0;

  /**
   * @param options - `adaptive: false` keeps trying the templates on every line, however few
   *   they read (tests that check what the templates read; default true: see
   *   {@link TRIAL_LINES}).
   */
  constructor(private readonly options: { readonly adaptive?: boolean } = {}) {}

  /** Values read by a template, and templates learned, so far. */
  get stats(): { readonly hits: number; readonly learned: number } {
    return { hits: this.hits, learned: this.learned };
  }

  /**
   * Whether the next value skips the templates (a trial window did not pay, see
   * {@link TRIAL_LINES}); counts it down. Called once per line.
   */
  protected bypassed(): boolean {
    if (this.bypass > 0) {
      this.bypass--;
      return true;
    }
    return false;
  }

  /**
   * The template the bytes `[start, end)` are a line of (its `starts` and `ends` then say where
   * the values are), or `undefined`. Called once per line: it also counts the line.
   */
  protected find(bytes: Uint8Array, start: number, end: number): Template | undefined {
    if (this.bypassed()) {
      return undefined;
    }
    const template = this.lookup(bytes, start, end, true);
    this.trial(template !== undefined);
    return template;
  }

  /**
   * Counts a line for the trial window ({@link TRIAL_LINES}): whether templates read all of it.
   * Once per line, not per value: a request line whose last parameters no template reads costs
   * the parameters read before, and `JSON.parse` of the whole line.
   */
  protected trial(hit: boolean): void {
    this.trialLines++;
    if (hit) {
      this.paid++;
      this.trialHits++;
    }
    if (this.trialLines === TRIAL_LINES) {
      if (this.trialHits < TRIAL_HITS && this.options.adaptive !== false) {
        this.bypass = BYPASS_LINES;
      }
      this.trialLines = 0;
      this.trialHits = 0;
    }
  }

  /**
   * The template of the value that starts at `start`, or `undefined`; its end is then
   * {@link matchedEnd}. `whole`: the value must end at `end` (a line); else it may end before,
   * at a `,` or `]` (an array item: {@link ParametersTemplates}).
   */
  protected lookup(
    bytes: Uint8Array,
    start: number,
    end: number,
    whole: boolean,
  ): Template | undefined {
    const { templates } = this;
    for (let t = 0; t < templates.length; t++) {
      const template = templates[t] as Template;
      const valueEnd = matchEnd(template, bytes, start, end);
      if (
        whole
          ? valueEnd === end
          : valueEnd >= 0 &&
            valueEnd < end &&
            (bytes[valueEnd] === COMMA || bytes[valueEnd] === CLOSE_BRACKET)
      ) {
        this.matchedEnd = valueEnd;
        this.hits++;
        if (t > 0) {
          // One place forward: the shapes most lines have are tried first, and the ones
          // rarely seen drift to the end, where a new template replaces them.
          templates[t] = templates[t - 1] as Template;
          templates[t - 1] = template;
        }
        return template;
      }
    }
    return undefined;
  }

  /** Whether to learn now: learning costs a serialization and a check (~3 µs). */
  protected get learning(): boolean {
    return this.bypass === 0 && this.learned < MAX_TEMPLATES + this.paid / 64;
  }

  /**
   * Learns the template of `value`, whose compact JSON `json` is at `start` in the bytes (and in
   * their text, one character per byte), and keeps it if it reads `value` back from there.
   */
  protected learnValue(
    value: unknown,
    json: string,
    bytes: Uint8Array,
    text: string,
    start: number,
  ): void {
    const end = start + json.length;
    const learned = learnTemplate(value, json, () => []);
    if (
      learned !== undefined &&
      matchEnd(learned, bytes, start, end) === end &&
      sameJson(learned.make(valuesOf(learned, text)), value)
    ) {
      this.add(learned);
    }
  }

  /** Keeps a template checked on the line it was learned from. */
  protected add(template: Template): void {
    this.learned++;
    if (this.templates.length === MAX_TEMPLATES) {
      this.templates.pop();
    }
    this.templates.push(template);
  }
}

/** Reads lines, learning their templates; one reader per kind of line (e.g. per resource type). */
export class JsonTemplates extends TemplateSet {
  /**
   * Parses the JSON text `text.slice(start, end)`: the same value as `JSON.parse`, which throws
   * on invalid JSON as `JSON.parse` does.
   *
   * @param bytes - The UTF-8 bytes `text` was decoded from.
   * @param text - Their text. Unless each byte became one character (`text.length ===
   *   bytes.length`: then character and byte offsets are the same), the line is simply
   *   `JSON.parse`d.
   * @param start - Where the line starts in `text`.
   * @param end - Where it ends.
   */
  parse(bytes: Uint8Array, text: string, start: number, end: number): unknown {
    const sameOffsets = text.length === bytes.length;
    const template = sameOffsets ? this.find(bytes, start, end) : undefined;
    if (template !== undefined) {
      return template.make(valuesOf(template, text));
    }
    const line = text.slice(start, end);
    const value = JSON.parse(line) as unknown;
    if (sameOffsets && this.learning) {
      this.learnValue(value, line, bytes, text, start);
    }
    return value;
  }
}

/** How a `$immds-forecast` input line starts and ends when {@link ParametersTemplates} reads it. */
const PARAMETERS_HEAD = '{"resourceType":"Parameters","parameter":[';
const PARAMETERS_HEAD_BYTES = Uint8Array.from(Buffer.from(PARAMETERS_HEAD, 'latin1'));
const PARAMETERS_TAIL = 0x7d; // `}` after the array's `]`
/**
 * Longest request line read by template, in characters: a patient's input is ~7 kB (a thousand
 * doses ~250 kB); a longer line is `JSON.parse`d, so that a thread does not keep a buffer of
 * three times the line limit (16 MiB) for the rest of its life.
 */
const TEMPLATE_LINE_CHARS = 1024 * 1024;

/**
 * Reads the lines of a bulk request (NDJSON, one `$immds-forecast` input Parameters per line):
 * `JSON.parse`, faster where the parameters repeat a shape.
 *
 * Why: a line is a patient's whole input, ~7 kB of JSON, and `JSON.parse` took 50–95 µs of it
 * (session 9, bench population), a sixth of a forecasting thread's time per line. A line does not
 * repeat a shape as a whole (patients have more or fewer immunizations), but its parameters do:
 * `{"name":"immunization","resource":{…}}` after `{"name":"immunization","resource":{…}}`. So a
 * line written compactly as `{"resourceType":"Parameters","parameter":[…]}` is read parameter by
 * parameter, each against the templates of parameters seen before (as {@link JsonTemplates}
 * reads a line), and the Parameters is built from them. The same safety rule: a parameter's
 * template is learned from a parameter whose text is the compact serialization of what
 * `JSON.parse` made of it, and checked on it; a line with a parameter no template reads,
 * another layout (other members, whitespace) or a character beyond ASCII is `JSON.parse`d,
 * whole, as before — which also throws `JSON.parse`'s error for a line that is not JSON. The
 * trial windows ({@link TRIAL_LINES}) count lines read wholly by templates: requests whose lines
 * keep failing late (a parameter of a new shape in every line) go to `JSON.parse` after a
 * window, instead of paying for the parameters read before the failure each time.
 */
export class ParametersTemplates extends TemplateSet {
  /** The line's bytes (reused: nothing read keeps them). */
  private scratch = Buffer.alloc(0);

  /**
   * Parses a line: the same value as `JSON.parse(text)`, which throws as `JSON.parse` does.
   *
   * @param text - The line.
   */
  parse(text: string): unknown {
    if (text.length > TEMPLATE_LINE_CHARS || this.bypassed()) {
      return JSON.parse(text) as unknown;
    }
    // UTF-8 bytes: as many as characters only if every character is ASCII (then byte and
    // character offsets are the same, and the values can be sliced from the text).
    if (this.scratch.length < 3 * text.length) {
      this.scratch = Buffer.allocUnsafe(3 * text.length + 1024);
    }
    const bytes = this.scratch;
    const end = bytes.write(text, 0, 'utf8');
    const head = PARAMETERS_HEAD_BYTES.length;
    if (end !== text.length || end < head + 2) {
      this.trial(false);
      return JSON.parse(text) as unknown;
    }
    for (let i = 0; i < head; i++) {
      if (bytes[i] !== PARAMETERS_HEAD_BYTES[i]) {
        this.trial(false);
        return JSON.parse(text) as unknown;
      }
    }
    const parameter: unknown[] = [];
    let pos = head;
    if (bytes[pos] !== CLOSE_BRACKET) {
      for (;;) {
        const template = this.lookup(bytes, pos, end, false);
        if (template === undefined) {
          this.trial(false);
          return this.parseAndLearn(text, bytes, parameter.length, pos);
        }
        parameter.push(template.make(valuesOf(template, text)));
        pos = this.matchedEnd;
        if (bytes[pos] === CLOSE_BRACKET) {
          break;
        }
        pos++; // the comma
      }
    }
    const whole = pos + 2 === end && bytes[pos + 1] === PARAMETERS_TAIL;
    this.trial(whole);
    return whole ? { resourceType: 'Parameters', parameter } : (JSON.parse(text) as unknown);
  }

  /**
   * `JSON.parse` of a line whose parameter `index` (at `pos`, after those read by template) no
   * template read; learns that parameter's template if it can.
   */
  private parseAndLearn(text: string, bytes: Uint8Array, index: number, pos: number): unknown {
    const value = JSON.parse(text) as unknown;
    if (!this.learning) {
      return value;
    }
    const item = (value as { parameter?: unknown }).parameter;
    const parameter = Array.isArray(item) ? (item[index] as unknown) : undefined;
    const itemText =
      parameter === undefined || !shallow(parameter, MAX_TEMPLATE_DEPTH)
        ? undefined
        : JSON.stringify(parameter);
    if (itemText === undefined || !text.startsWith(itemText, pos)) {
      return value;
    }
    this.learnValue(parameter, itemText, bytes, text, pos);
    return value;
  }
}

/** Where pass 1 finds a line's `resourceType` and patient value (as `LineScanner` does). */
export interface ScannedPositions {
  readonly typeStart: number;
  readonly typeEnd: number;
  readonly patientStart: number;
  readonly patientEnd: number;
}

/**
 * Pass 1's reading of a line by template (partition-chunk.ts): where the top-level
 * `resourceType` string and the patient value are, as {@link LineScanner} (resource-scan.ts)
 * gives them, without walking the JSON grammar: a line of a learned template is the same
 * sequence of tokens as the line it was learned from, which the byte scanner read. Learned from
 * lines the byte scanner read, and checked against its positions on that line. A line no
 * template reads goes to the byte scanner, as before.
 */
export class TemplateScanner extends TemplateSet implements ScannedPositions {
  typeStart = 0;
  typeEnd = 0;
  patientStart = 0;
  patientEnd = 0;

  /**
   * @param element - As for `LineScanner`: `id` (the patient's own id), or the name of the
   *   top-level Reference element whose `reference` names the patient.
   * @param options - As for {@link JsonTemplates}.
   */
  constructor(
    private readonly element: string,
    options: { readonly adaptive?: boolean } = {},
  ) {
    super(options);
  }

  /**
   * Reads the line `[start, end)` of `b` (without its newline).
   *
   * @returns true when a template read it (the positions are set), false: the byte scanner reads
   *   it.
   */
  scan(b: Uint8Array, start: number, end: number): boolean {
    const template = this.find(b, start, end);
    if (template === undefined) {
      return false;
    }
    const [type, patient] = template.marks as [number, number];
    this.typeStart = template.starts[type] as number;
    this.typeEnd = template.ends[type] as number;
    this.patientStart = template.starts[patient] as number;
    this.patientEnd = template.ends[patient] as number;
    return true;
  }

  /**
   * Learns the template of a line the byte scanner read, if it has one and it gives the
   * scanner's positions on that line.
   *
   * @param b - The bytes (valid UTF-8).
   * @param read - What the byte scanner read on the line `[start, end)`.
   */
  learn(b: Uint8Array, start: number, end: number, read: ScannedPositions): void {
    if (!this.learning) {
      return;
    }
    const line = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1', start, end);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return; // cannot happen: the byte scanner read it
    }
    const learned = learnTemplate(value, line, (shape) => patientMarks(shape, this.element));
    if (
      learned !== undefined &&
      learned.marks.length === 2 &&
      matches(learned, b, start, end) &&
      learned.starts[learned.marks[0] as number] === read.typeStart &&
      learned.ends[learned.marks[0] as number] === read.typeEnd &&
      learned.starts[learned.marks[1] as number] === read.patientStart &&
      learned.ends[learned.marks[1] as number] === read.patientEnd
    ) {
      this.add(learned);
    }
  }
}

/**
 * The slots of the top-level `resourceType` and of the patient value (`id`, or the element's
 * `reference`), both strings; none if either is missing.
 */
function patientMarks(shape: ShapeNode, element: string): number[] {
  const stringSlot = (node: ShapeNode | undefined): number | undefined =>
    node?.kind === Kind.Slot ? node.index : undefined;
  const member = (node: ShapeNode | undefined, key: string): ShapeNode | undefined =>
    node?.kind === Kind.Object ? node.children[node.keys.indexOf(key)] : undefined;
  const type = stringSlot(member(shape, 'resourceType'));
  const patient =
    element === 'id'
      ? stringSlot(member(shape, 'id'))
      : stringSlot(member(member(shape, element), 'reference'));
  return type === undefined || patient === undefined ? [] : [type, patient];
}

/** The values of the slots of the line last matched, read from its text. */
function valuesOf(template: Template, text: string): unknown[] {
  const { slots, starts, ends, values } = template;
  for (let i = 0; i < slots.length; i++) {
    const value = text.slice(starts[i], ends[i]);
    values[i] = slots[i] === Slot.String ? value : Number(value);
  }
  return values;
}

/**
 * Whether the bytes `[start, end)` are a line of the template; if so, where its slots' values
 * are is in `template.starts` and `template.ends`.
 */
function matches(template: Template, bytes: Uint8Array, start: number, end: number): boolean {
  return matchEnd(template, bytes, start, end) === end;
}

/** The bytes last read by {@link matchEnd}, and a view on them (made once per buffer). */
let viewedBytes: Uint8Array | undefined;
let view: DataView = new DataView(new ArrayBuffer(0));

/**
 * Where a value of the template that starts at `start` ends (at most `end`), or -1 if the bytes
 * are not one; its slots' values are then in `template.starts` and `template.ends`. The hot loop
 * of this module.
 */
function matchEnd(template: Template, bytes: Uint8Array, start: number, end: number): number {
  const { literals, literalWords, slots, starts, ends } = template;
  if (bytes !== viewedBytes) {
    viewedBytes = bytes;
    view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const slotCount = slots.length;
  let pos = start;
  for (let i = 0; ; i++) {
    const literal = literals[i] as Uint8Array;
    const length = literal.length;
    if (pos + length > end) {
      return -1;
    }
    // Four bytes at a time (one unaligned load each), then the rest: ~20 % less time per line
    // than byte by byte, and ~10 % less again than four byte loads (session 9).
    const words = literalWords[i] as Int32Array;
    for (let j = 0, q = pos; j < words.length; j++, q += 4) {
      if (view.getInt32(q, true) !== words[j]) {
        return -1;
      }
    }
    for (let j = words.length * 4; j < length; j++) {
      if (bytes[pos + j] !== literal[j]) {
        return -1;
      }
    }
    pos += length;
    if (i === slotCount) {
      return pos;
    }
    let valueEnd = pos;
    if (slots[i] === Slot.String) {
      for (;;) {
        if (valueEnd >= end) {
          return -1;
        }
        const c = bytes[valueEnd] as number;
        if (c === QUOTE) {
          break;
        }
        // Control characters are not allowed in JSON strings; a backslash starts an escape;
        // beyond ASCII (here only an invalid byte, decoded as U+FFFD), JSON.parse reads it.
        if (c < 0x20 || c === BACKSLASH || c > 0x7f) {
          return -1;
        }
        valueEnd++;
      }
    } else {
      // The JSON number grammar, greedy as a lexer (the byte scanner's): what follows is the
      // template's next literal, which starts with no character of a number.
      valueEnd = numberEnd(bytes, pos, end);
      if (valueEnd < 0) {
        return -1;
      }
    }
    starts[i] = pos;
    ends[i] = valueEnd;
    pos = valueEnd;
  }
}

/**
 * A function that builds a value of the shape: the shape written as a JavaScript expression
 * (`{"resourceType":v[0],"id":v[1],…}`), compiled once per template.
 *
 * Why: walking the shape and adding the members one by one (as this module first did) is a
 * keyed store per member that V8 cannot specialize (the key changes at every step); an object
 * literal makes the object at once, with its final layout: a line read by template took 1.8 →
 * 1.0 µs (export Immunization lines), a request line 57 → 32 µs (session 9).
 *
 * What the code holds is safe: keys are written as JSON strings (a valid JavaScript string
 * literal for any key; no `__proto__` key reaches here, see {@link learnTemplate}), the values
 * are read from the argument, and the rest is `[`, `]`, `{`, `}`, `,`, `:`, `true`, `false`,
 * `null`.
 */
function builder(shape: ShapeNode): (values: readonly unknown[]) => unknown {
  const expression = (node: ShapeNode): string => {
    switch (node.kind) {
      case Kind.Constant:
        return String(node.value);
      case Kind.Slot:
        return `v[${node.index}]`;
      case Kind.Array:
        return `[${node.children.map(expression).join(',')}]`;
      case Kind.Object: {
        const members = node.keys.map(
          (key, i) => `${JSON.stringify(key)}:${expression(node.children[i] as ShapeNode)}`,
        );
        return `{${members.join(',')}}`;
      }
    }
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- built from a shape: see above
  return new Function('v', `return ${expression(shape)};`) as (
    values: readonly unknown[],
  ) => unknown;
}

/**
 * The template of a line, from the value `JSON.parse` made of it; `undefined` when the line is
 * not the value's compact serialization, is not ASCII, or has a `__proto__` key.
 */
function learnTemplate(
  value: unknown,
  line: string,
  marksOf: (shape: ShapeNode) => number[],
): Template | undefined {
  if (!shallow(value, MAX_TEMPLATE_DEPTH) || JSON.stringify(value) !== line) {
    return undefined;
  }
  const literals: string[] = [];
  const slots: Slot[] = [];
  let literal = '';
  const walk = (v: unknown): ShapeNode | undefined => {
    if (v === null || typeof v === 'boolean') {
      literal += String(v);
      return new ShapeNode(Kind.Constant, v, -1, [], []);
    }
    if (typeof v === 'string' || typeof v === 'number') {
      const index = slots.length;
      if (typeof v === 'string') {
        // The opening quote ends this literal, the closing quote starts the next.
        literals.push(`${literal}"`);
        literal = '"';
        slots.push(Slot.String);
      } else {
        literals.push(literal);
        literal = '';
        slots.push(Slot.Number);
      }
      return new ShapeNode(Kind.Slot, null, index, [], []);
    }
    const children: ShapeNode[] = [];
    if (Array.isArray(v)) {
      literal += '[';
      for (let i = 0; i < v.length; i++) {
        literal += i === 0 ? '' : ',';
        const child = walk(v[i]);
        if (child === undefined) {
          return undefined;
        }
        children.push(child);
      }
      literal += ']';
      return new ShapeNode(Kind.Array, null, -1, [], children);
    }
    const object = v as Record<string, unknown>;
    const keys = Object.keys(object);
    literal += '{';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (key === '__proto__') {
        return undefined;
      }
      literal += `${i === 0 ? '' : ','}${JSON.stringify(key)}:`;
      const child = walk(object[key]);
      if (child === undefined) {
        return undefined;
      }
      children.push(child);
    }
    literal += '}';
    return new ShapeNode(Kind.Object, null, -1, keys, children);
  };
  const shape = walk(value);
  literals.push(literal);
  if (shape === undefined || literals.some((l) => !isAscii(l))) {
    return undefined;
  }
  const bytes = literals.map((l) => Uint8Array.from(Buffer.from(l, 'latin1')));
  return {
    literals: bytes,
    literalWords: bytes.map((b) => {
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const words = new Int32Array(b.length >> 2);
      for (let i = 0; i < words.length; i++) {
        words[i] = view.getInt32(4 * i, true);
      }
      return words;
    }),
    slots,
    starts: new Int32Array(slots.length),
    ends: new Int32Array(slots.length),
    values: new Array<unknown>(slots.length),
    marks: marksOf(shape),
    make: builder(shape),
  };
}

/**
 * Deepest nesting of a learned value. FHIR resources nest about ten levels; `JSON.parse` reads
 * values nested thousands of levels deep, where serializing, walking and comparing them (all
 * recursive) would overflow the stack: such a line must still read as `JSON.parse` reads it, so
 * it is not learned.
 */
const MAX_TEMPLATE_DEPTH = 64;

/** Whether `value` nests at most `depth` arrays and objects (recursion at most that deep). */
function shallow(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) {
    return true;
  }
  if (depth === 0) {
    return false;
  }
  for (const child of Object.values(value)) {
    if (!shallow(child, depth - 1)) {
      return false;
    }
  }
  return true;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      return false;
    }
  }
  return true;
}

/** Deep equality of two JSON values, key order included. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) {
    return false;
  }
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i] as string;
    if (
      k !== kb[i] ||
      !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    ) {
      return false;
    }
  }
  return true;
}
