/**
 * `JSON.parse` for the resource lines of a bulk export and the lines of a bulk request, faster
 * where lines repeat a shape.
 *
 * Why it exists: a forecasting thread parses every resource of every patient again (pass 1 only
 * read where each line belongs), and `JSON.parse` was a fifth of its time — about 1.9 µs for an
 * Immunization line of 250 bytes, some 26 lines a patient. The lines of one export file are
 * written by one serializer: the same keys in the same order, the same punctuation, only the
 * values differ. So a line is read against the *template* of a line seen before — a sticky
 * regular expression made of the literal text (keys, punctuation, `true`/`false`/`null`) and,
 * for each value, the characters it may have, captured ({@link patternOf}) — and the resource is
 * built from the template's shape: 0.9–1.0 µs against 1.9 µs (session 8, 122,633 lines of the
 * bench export, same process, alternating with `JSON.parse`; docs/benchmarks.md), ~45 % less
 * again since the shape is compiled to an object literal ({@link builder}, session 9), ~15 % less
 * again since the comparison is V8's compiled regular expression instead of a loop over the bytes
 * (session 11). Pass 1 reads lines the same way ({@link TemplateScanner}): there a template gives
 * where `resourceType` and the patient value are, in front of the byte scanner (resource-scan.ts)
 * that walks the JSON grammar (pass 1 −8 % CPU). The lines of a bulk request (one
 * `$immds-forecast` Parameters per line) are read parameter by parameter the same way
 * ({@link ParametersTemplates}).
 *
 * Safety rule: a line gives the same value as `JSON.parse`, or goes through `JSON.parse`.
 * - A template is learned only from a line that is exactly the compact serialization of what
 *   `JSON.parse` made of it (`JSON.stringify(value) === line`, all ASCII) and whose keys are
 *   not `__proto__` (`JSON.parse` makes such a key an own property, an assignment would not);
 *   the template is then read back on that line and the result compared with `JSON.parse`'s
 *   before it is kept.
 * - A line matches a template only if every literal character is equal; a string value has no
 *   `"` inside, no backslash, no control character and no character outside ASCII (the text
 *   between the quotes is then the value itself); a number value follows the JSON grammar (RFC
 *   8259 §6; `Number()` of that text is what `JSON.parse` gives). The line is then the same
 *   sequence of JSON tokens as the learned line, with other values: the same structure, keys and
 *   order. (Each value is followed by a literal that none of its characters can start — a `"`
 *   after a string, `,` `}` or `]` after a number — so the expression matches a line one way or
 *   not at all, and never needs to backtrack over a value.)
 * - Anything else — a first line, another shape, an escape, a non-ASCII character — is
 *   `JSON.parse`d, as before.
 *
 * A reader keeps a few templates (those that read most lines first), learns only while templates
 * are paying off, and sends lines straight to `JSON.parse` for a while when too few of the last
 * lines were read by a template ({@link TRIAL_LINES}): an export whose lines mix many shapes
 * costs about what it did before (32 shapes evenly mixed: within a few per cent of `JSON.parse`;
 * 4 shapes: the same; one shape, as the bench export: 1.0 against 2.5–3.2 µs per line).
 *
 * @packageDocumentation
 */

const NEWLINE = 0x0a;
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
  /** The lengths of the literal texts before each slot, and after the last. */
  readonly literalLengths: readonly number[];
  /** The template as a sticky regular expression, one capture group per slot ({@link patternOf}). */
  readonly pattern: RegExp;
  /** What each slot holds. */
  readonly slots: readonly Slot[];
  /** Where each slot's value starts and ends in the line last matched (see {@link locate}). */
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
  /** Its slots' values as text (the capture groups), `undefined` before a value is found. */
  protected matched: RegExpExecArray | undefined;

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
   * The template the text `[start, end)` is a line of (its values are then in {@link matched}),
   * or `undefined`. Called once per line: it also counts the line.
   */
  protected find(text: string, start: number, end: number): Template | undefined {
    if (this.bypassed()) {
      return undefined;
    }
    const template = this.lookup(text, start, end, true);
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
  protected lookup(text: string, start: number, end: number, whole: boolean): Template | undefined {
    const { templates } = this;
    for (let t = 0; t < templates.length; t++) {
      const template = templates[t] as Template;
      const match = execAt(template, text, start);
      if (match === null) {
        continue;
      }
      // The expression may read past `end` (it is not bounded): a value ending there is none.
      const valueEnd = template.pattern.lastIndex;
      const next = text.charCodeAt(valueEnd);
      if (whole ? valueEnd === end : valueEnd < end && (next === COMMA || next === CLOSE_BRACKET)) {
        this.matchedEnd = valueEnd;
        this.matched = match;
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
   * Learns the template of `value`, whose compact JSON `json` is at `start` in `text`, and keeps
   * it if it reads `value` back from there.
   */
  protected learnValue(value: unknown, json: string, text: string, start: number): void {
    const learned = learnTemplate(value, json, () => []);
    if (learned === undefined) {
      return;
    }
    const match = matchAt(learned, text, start, start + json.length);
    if (match !== undefined && sameJson(learned.make(valuesOf(learned, match)), value)) {
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
   * @param text - The text the line is part of.
   * @param start - Where the line starts in `text`.
   * @param end - Where it ends.
   */
  parse(text: string, start: number, end: number): unknown {
    const template = this.find(text, start, end);
    if (template !== undefined) {
      return template.make(valuesOf(template, this.matched as RegExpExecArray));
    }
    const line = text.slice(start, end);
    const value = JSON.parse(line) as unknown;
    if (this.learning) {
      this.learnValue(value, line, text, start);
    }
    return value;
  }
}

/** How a `$immds-forecast` input line starts and ends when {@link ParametersTemplates} reads it. */
const PARAMETERS_HEAD = '{"resourceType":"Parameters","parameter":[';
const PARAMETERS_TAIL = 0x7d; // `}` after the array's `]`

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
  /**
   * Parses a line: the same value as `JSON.parse(text)`, which throws as `JSON.parse` does.
   *
   * @param text - The line.
   */
  parse(text: string): unknown {
    if (this.bypassed()) {
      return JSON.parse(text) as unknown;
    }
    const end = text.length;
    const head = PARAMETERS_HEAD.length;
    if (end < head + 2 || !text.startsWith(PARAMETERS_HEAD)) {
      this.trial(false);
      return JSON.parse(text) as unknown;
    }
    const parameter: unknown[] = [];
    let pos = head;
    if (text.charCodeAt(pos) !== CLOSE_BRACKET) {
      for (;;) {
        const template = this.lookup(text, pos, end, false);
        if (template === undefined) {
          this.trial(false);
          return this.parseAndLearn(text, parameter.length, pos);
        }
        parameter.push(template.make(valuesOf(template, this.matched as RegExpExecArray)));
        pos = this.matchedEnd;
        if (text.charCodeAt(pos) === CLOSE_BRACKET) {
          break;
        }
        pos++; // the comma
      }
    }
    const whole = pos + 2 === end && text.charCodeAt(pos + 1) === PARAMETERS_TAIL;
    this.trial(whole);
    return whole ? { resourceType: 'Parameters', parameter } : (JSON.parse(text) as unknown);
  }

  /**
   * `JSON.parse` of a line whose parameter `index` (at `pos`, after those read by template) no
   * template read; learns that parameter's template if it can.
   */
  private parseAndLearn(text: string, index: number, pos: number): unknown {
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
    this.learnValue(parameter, itemText, text, pos);
    return value;
  }
}

/** Most bytes {@link TemplateScanner} decodes at once: under V8's large-object size (128 kB). */
const TEXT_WINDOW_BYTES = 64 * 1024;

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
  /** The lines being read, as text ({@link textOf}): bytes `[windowStart, windowEnd)` of `windowOf`. */
  private window = '';
  private windowStart = 0;
  private windowEnd = 0;
  private windowOf: Uint8Array | undefined;

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
   * Reads the line `[start, end)` of `b` (without its newline). The bytes must not change until
   * {@link release}: their text is decoded ahead, a window at a time (see {@link textOf}).
   *
   * @returns true when a template read it (the positions are set), false: the byte scanner reads
   *   it.
   */
  scan(b: Uint8Array, start: number, end: number): boolean {
    const text = this.textOf(b, start, end);
    const at = this.windowStart;
    const template = this.find(text, start - at, end - at);
    if (template === undefined) {
      return false;
    }
    const [type, patient] = template.marks as [number, number];
    locate(template, this.matched as RegExpExecArray, start - at, Math.max(type, patient));
    this.typeStart = at + (template.starts[type] as number);
    this.typeEnd = at + (template.ends[type] as number);
    this.patientStart = at + (template.starts[patient] as number);
    this.patientEnd = at + (template.ends[patient] as number);
    return true;
  }

  /** Drops the text of the last bytes read (so that it does not keep them, or it, alive). */
  release(): void {
    this.window = '';
    this.windowOf = undefined;
  }

  /**
   * The text of the bytes from `start` on, as `latin1` (one character per byte: positions in it
   * are positions in the bytes, less `windowStart`; a byte beyond ASCII is a character no
   * template reads), at least to `end`. Decoded a window of whole lines at a time, at most
   * {@link TEXT_WINDOW_BYTES} unless one line is longer: decoding a whole 1 MB chunk at once made
   * a string of V8's large-object space, which lives until a full collection (the CLI's memory
   * rose by ~60 MB); a window is as cheap per line and dies young.
   */
  private textOf(b: Uint8Array, start: number, end: number): string {
    if (b !== this.windowOf || start < this.windowStart || end > this.windowEnd) {
      const limit = Math.min(b.length, start + TEXT_WINDOW_BYTES);
      const lastLineEnd = limit === b.length ? limit : b.lastIndexOf(NEWLINE, limit - 1);
      this.windowOf = b;
      this.windowStart = start;
      this.windowEnd = Math.max(end, lastLineEnd);
      this.window = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString(
        'latin1',
        start,
        this.windowEnd,
      );
    }
    return this.window;
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
    const text = this.textOf(b, start, end);
    const at = this.windowStart;
    const line = text.slice(start - at, end - at);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return; // cannot happen: the byte scanner read it
    }
    const learned = learnTemplate(value, line, (shape) => patientMarks(shape, this.element));
    if (learned === undefined || learned.marks.length !== 2) {
      return;
    }
    const match = matchAt(learned, text, start - at, end - at);
    if (match === undefined) {
      return;
    }
    const [type, patient] = learned.marks as [number, number];
    locate(learned, match, start - at, Math.max(type, patient));
    if (
      at + (learned.starts[type] as number) === read.typeStart &&
      at + (learned.ends[type] as number) === read.typeEnd &&
      at + (learned.starts[patient] as number) === read.patientStart &&
      at + (learned.ends[patient] as number) === read.patientEnd
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

/** The values of the slots of a match: the capture groups, numbers converted. */
function valuesOf(template: Template, match: RegExpExecArray): unknown[] {
  const { slots, values } = template;
  for (let i = 0; i < slots.length; i++) {
    const text = match[i + 1] as string;
    values[i] = slots[i] === Slot.String ? text : Number(text);
  }
  return values;
}

/**
 * The match of the template on the text `[start, end)` as a whole line, or `undefined`.
 */
function matchAt(
  template: Template,
  text: string,
  start: number,
  end: number,
): RegExpExecArray | undefined {
  const match = execAt(template, text, start);
  return match !== null && template.pattern.lastIndex === end ? match : undefined;
}

/** The match of the template on the text from `start` on; where it ends is `pattern.lastIndex`. */
function execAt(template: Template, text: string, start: number): RegExpExecArray | null {
  const { pattern } = template;
  pattern.lastIndex = start;
  return pattern.exec(text);
}

/**
 * Sets where the values of slots `0` to `last` of a match that starts at `start` are
 * (`template.starts` and `template.ends`), from the lengths of the literals and of the values
 * before them.
 */
function locate(template: Template, match: RegExpExecArray, start: number, last: number): void {
  const { literalLengths, starts, ends } = template;
  let pos = start;
  for (let i = 0; i <= last; i++) {
    pos += literalLengths[i] as number;
    starts[i] = pos;
    pos += (match[i + 1] as string).length;
    ends[i] = pos;
  }
}

/** What a string value may be made of to be read by template: ASCII, no `"`, backslash or control. */
const STRING_VALUE = '([\\x20\\x21\\x23-\\x5b\\x5d-\\x7f]*)';
/** A number value: the JSON grammar (RFC 8259 §6), whose text `Number()` reads as `JSON.parse`. */
const NUMBER_VALUE = '(-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)';

/**
 * A template as a sticky regular expression: each literal as it is (escaped), each slot as the
 * characters its value may have, captured. No value can contain the character that starts the
 * literal after it (see the safety rule at the top), so a line matches one way or not at all.
 *
 * Why (session 11; medians of 12 alternating rounds in one process, against the loop over the
 * bytes it replaced): V8 compiles the expression to machine code, and the values come out as the
 * capture groups. Export lines read 881 → 744 ns (17,226 Immunization lines); the parameters of
 * a request line 28.9 → 22.9 µs a line (2,000 lines of the bench population), where the line no
 * longer needs encoding to bytes first. Pass 1 ({@link TemplateScanner}: positions only, its
 * lines decoded to text first) is ~10 % slower per line than the byte loop was (102,909 lines
 * partitioned in 1 MB chunks, three runs: 1.11–1.14×), about 1 % of an export's run, which is
 * what reading the lines in pass 2 gains: an export costs the same, a request line less.
 */
function patternOf(literals: readonly string[], slots: readonly Slot[]): RegExp {
  let source = '';
  for (let i = 0; i < literals.length; i++) {
    source += (literals[i] as string).replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
    if (i < slots.length) {
      source += slots[i] === Slot.String ? STRING_VALUE : NUMBER_VALUE;
    }
  }
  return new RegExp(source, 'y');
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
  return {
    literalLengths: literals.map((l) => l.length),
    pattern: patternOf(literals, slots),
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
