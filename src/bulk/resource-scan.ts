/**
 * A byte-level scanner for the lines of a bulk export, the fast path of pass 1 (partition-chunk.ts).
 *
 * Why it exists: pass 1 only needs three things of each resource line — its top-level
 * `resourceType` and its patient (`Patient.id`, or `<element>.reference`) — and copies the line's
 * bytes unchanged into a partition record; the resource is parsed again in pass 2. Decoding every
 * line to a string and running `JSON.parse` on the whole resource for those three values cost
 * about 150 µs of thread CPU per patient (some 26 lines), a sixth of a large run. This scanner
 * walks the line's UTF-8 bytes once, checks them against the JSON grammar (RFC 8259, which is
 * exactly what `JSON.parse` accepts) and picks out the values. {@link LineScanner} (pass 1's) gives
 * where the values are, building no object or string per line; {@link resourceScanner} gives them
 * as strings.
 *
 * How it is fast: most of a line's bytes are inside strings, so string bodies are read four bytes
 * at a time ({@link plainEnd}); whitespace is skipped by a call only where a byte ≤ 0x20 is seen
 * (compact NDJSON has none between tokens); the hot loop is one method with its state in locals.
 * Measured in session 7 (CPU per patient of ~26 lines, 6.1 kB, same process, alternating with
 * the previous scanner): `partitionChunk` as a whole ~46 → ~22 µs, of which the scanner ~14.
 *
 * Safety rule: the scanner is trusted only in the "clearly fine" direction. It answers either
 * "this line is JSON, and these are its values, exactly as `JSON.parse` would give them", or
 * `undefined` — and it answers `undefined` for anything it does not handle exactly: invalid JSON,
 * a backslash escape in a key at depth 1 or 2 or in a value it returns (the decoded text could be
 * the name it looks for), a second occurrence of a key it reads (`JSON.parse` keeps the last
 * one), a value of an unexpected JSON type, a non-ASCII byte in a value it returns, a missing
 * value. The caller then takes the slow path (decode, `JSON.parse`, the usual checks), which gives
 * the result and every error message exactly as before. The caller must also keep to the slow
 * path for bytes that are not valid UTF-8 (the scanner passes bytes ≥ 0x80 inside strings through
 * unchecked) and read every error from it.
 *
 * @packageDocumentation
 */

/** The values read from a line the scanner accepted. */
export interface ScannedResource {
  /** The top-level `resourceType` (ASCII, no escapes). */
  readonly resourceType: string;
  /**
   * The patient value: the top-level string member named by the element when it is `id`, or the
   * `reference` string of the top-level object member named by the element (ASCII, no escapes).
   */
  readonly patient: string;
}

/**
 * Reads the values of one line: the bytes `[start, end)` of `bytes` (without the newline).
 *
 * @returns the values, or `undefined`: then the line must go through `JSON.parse`.
 */
export type ResourceScanner = (
  bytes: Buffer,
  start: number,
  end: number,
) => ScannedResource | undefined;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const SPACE = 0x20;
/** What {@link at} gives past the end of the line: no JSON byte. */
const END = -1;

/** What the value being read is to the caller. */
const enum Slot {
  Other,
  /** The top-level `resourceType`. */
  Type,
  /** The top-level member named by the element (`id`, `patient`, `subject`). */
  Element,
  /** `reference` inside the element's object. */
  Reference,
}

/** Kinds of open containers, on the stack (index 0, below the root, is neither). */
const IN_OBJECT = 1;
const IN_ARRAY = 2;

/** The byte at `i`, or {@link END} at or past `end`. */
function at(b: Uint8Array, i: number, end: number): number {
  return i < end ? (b[i] ?? END) : END;
}

/**
 * The index of the first byte at or after `i` that is not JSON whitespace (space, tab, LF, CR).
 * Called only where a byte ≤ 0x20 was seen: compact NDJSON has none between tokens.
 */
function skipSpace(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i];
    if (c === SPACE || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
    } else {
      break;
    }
  }
  return i;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * 1 for the bytes that go on a JSON string as they are: all but the quote, the backslash and the
 * raw control characters (which JSON requires escaped). Bytes ≥ 0x80 are taken as they are (the
 * caller has checked the UTF-8). One table load per byte, for the bytes {@link plainEnd} does
 * not take four at a time.
 */
const PLAIN = new Uint8Array(256).fill(1, SPACE);
PLAIN[QUOTE] = 0;
PLAIN[BACKSLASH] = 0;

/**
 * The index of the first byte at or after `i` (before `end`) that is not {@link PLAIN}, or `end`.
 * Four bytes at a time while there are four: a word with no quote, no backslash and no byte below
 * 0x20 is skipped whole (the "has a zero byte" and "has a byte less than n" bit tricks, exact for
 * every word), then byte by byte.
 */
function plainEnd(view: DataView, b: Uint8Array, i: number, end: number): number {
  let k = i;
  while (k + 4 <= end) {
    const v = view.getInt32(k, true);
    const q = v ^ 0x22222222;
    const s = v ^ 0x5c5c5c5c;
    if (
      (((q - 0x01010101) & ~q) | ((s - 0x01010101) & ~s) | ((v - 0x20202020) & ~v)) &
      0x80808080
    ) {
      break;
    }
    k += 4;
  }
  while (k < end && PLAIN[b[k] ?? 0] === 1) {
    k++;
  }
  return k;
}

/**
 * The rest of a JSON string from `i`, a byte that is not {@link PLAIN} (the backslash of an
 * escape; else the string is invalid).
 *
 * @returns the index of the closing quote, or -1 if the string is not a valid JSON string (a
 * raw control byte, a bad escape, no closing quote).
 */
function escapedStringEnd(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i] ?? 0;
    if (PLAIN[c] === 1) {
      i++;
    } else if (c === QUOTE) {
      return i;
    } else if (c === BACKSLASH) {
      const e = at(b, i + 1, end);
      if (
        e === QUOTE ||
        e === BACKSLASH ||
        e === 0x2f || // '/'
        e === 0x62 || // b
        e === 0x66 || // f
        e === 0x6e || // n
        e === 0x72 || // r
        e === 0x74 // t
      ) {
        i += 2;
      } else if (
        e === 0x75 && // u
        isHex(at(b, i + 2, end)) &&
        isHex(at(b, i + 3, end)) &&
        isHex(at(b, i + 4, end)) &&
        isHex(at(b, i + 5, end))
      ) {
        i += 6;
      } else {
        return -1;
      }
    } else {
      return -1; // a raw control byte
    }
  }
  return -1;
}

/** Whether the bytes `[s, e)` are all ASCII. */
function isAscii(b: Uint8Array, s: number, e: number): boolean {
  for (let k = s; k < e; k++) {
    if ((b[k] ?? 0) >= 0x80) {
      return false;
    }
  }
  return true;
}

/**
 * Reads a JSON number `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?` starting at `i`.
 *
 * @returns the index after it, or -1. What follows is checked by the caller (`01` ends at `0`,
 * and then `1` is no `,`, `}`, `]` or whitespace).
 */
function numberEnd(b: Uint8Array, i: number, end: number): number {
  if (at(b, i, end) === MINUS) {
    i++;
  }
  const first = at(b, i, end);
  if (first === ZERO) {
    i++;
  } else if (first > ZERO && first <= NINE) {
    i++;
    while (isDigit(at(b, i, end))) {
      i++;
    }
  } else {
    return -1;
  }
  if (at(b, i, end) === DOT) {
    i++;
    if (!isDigit(at(b, i, end))) {
      return -1;
    }
    while (isDigit(at(b, i, end))) {
      i++;
    }
  }
  const e = at(b, i, end);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = at(b, i, end);
    if (sign === PLUS || sign === MINUS) {
      i++;
    }
    if (!isDigit(at(b, i, end))) {
      return -1;
    }
    while (isDigit(at(b, i, end))) {
      i++;
    }
  }
  return i;
}

/**
 * Reads the literal `word` (`true`, `false`, `null`) at `i`.
 *
 * @returns the index after it, or -1.
 */
function literalEnd(b: Uint8Array, i: number, end: number, word: Uint8Array): number {
  for (let k = 0; k < word.length; k++) {
    if (at(b, i + k, end) !== word[k]) {
      return -1;
    }
  }
  return i + word.length;
}

const TRUE = Buffer.from('true', 'latin1');
const FALSE = Buffer.from('false', 'latin1');
const NULL = Buffer.from('null', 'latin1');
const RESOURCE_TYPE = Buffer.from('resourceType', 'latin1');
const REFERENCE = Buffer.from('reference', 'latin1');

/** Whether the bytes `[s, e)` are `key`. */
export function bytesAre(b: Uint8Array, s: number, e: number, key: Uint8Array): boolean {
  if (e - s !== key.length) {
    return false;
  }
  for (let k = 0; k < key.length; k++) {
    if (b[s + k] !== key[k]) {
      return false;
    }
  }
  return true;
}

/**
 * The stack of open containers (one byte per depth, iterative: any depth is read), grown on
 * demand and shared by the calls up to {@link SHARED_DEPTH}.
 */
let kinds = new Uint8Array(64);
const SHARED_DEPTH = 4096;

/**
 * The scanner of the resources whose patient is named by one element, answering by positions:
 * after a {@link LineScanner.scan} that returned true, the bytes of the two values are
 * `[typeStart, typeEnd)` and `[patientStart, patientEnd)` of the line's buffer. No object or
 * string is made per line (partition-chunk.ts reads the values from the bytes).
 */
export class LineScanner {
  /** Where the top-level `resourceType` string's bytes start (after a successful scan). */
  typeStart = 0;
  /** Where they end (its closing quote). */
  typeEnd = 0;
  /** Where the patient value's bytes start (see {@link ScannedResource.patient}). */
  patientStart = 0;
  /** Where they end. */
  patientEnd = 0;
  /** A view of the last buffer read (for {@link plainEnd}), and that buffer. */
  private view: DataView = new DataView(new ArrayBuffer(0));
  private viewOf: Uint8Array | undefined;
  private readonly elementKey: Uint8Array;
  private readonly elementIsString: boolean;

  /**
   * @param element - `id` (the patient's own id: a top-level string), or the name of a top-level
   * Reference element (`patient`, `subject`) whose `reference` names the patient.
   */
  constructor(element: string) {
    this.elementKey = Buffer.from(element, 'latin1');
    this.elementIsString = element === 'id';
  }

  /** Drops the view of the last buffer read (so that it does not keep the buffer alive). */
  release(): void {
    this.view = new DataView(new ArrayBuffer(0));
    this.viewOf = undefined;
  }

  /**
   * Reads the line `[start, end)` of `b` (without its newline).
   *
   * @returns true when the line is JSON and both values were read exactly (see the module's
   * safety rule); false: the line must go through `JSON.parse`.
   */
  scan(b: Uint8Array, start: number, end: number): boolean {
    const { elementKey, elementIsString } = this;
    if (b !== this.viewOf) {
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      this.viewOf = b;
    }
    const { view } = this;
    let typeStart = -1;
    let typeEnd = -1;
    let patientStart = -1;
    let patientEnd = -1;
    let elementSeen = false;
    /** Whether the object at depth 2 is the element's. */
    let inElement = false;
    let stack = kinds;
    let i = start;
    // `c` is always the byte at `i` (END past the line); whitespace is skipped where JSON allows
    // it, by a call only when a byte ≤ 0x20 is seen.
    let c = i < end ? (b[i] ?? END) : END;
    if (c <= SPACE && c !== END) {
      i = skipSpace(b, i, end);
      c = at(b, i, end);
    }
    if (c !== OPEN_OBJECT) {
      return false; // not an object (or a blank line): the slow path says what it is
    }
    let depth = 1;
    stack[1] = IN_OBJECT;
    i++;
    c = at(b, i, end);
    if (c <= SPACE && c !== END) {
      i = skipSpace(b, i, end);
      c = at(b, i, end);
    }
    if (c === CLOSE_OBJECT) {
      return false; // `{}`: no values
    }
    /** What the next value is to the caller. */
    let slot = Slot.Other;
    members: for (;;) {
      // A member at `i`: its key, a colon; `slot` says what its value is.
      if (c !== QUOTE) {
        return false;
      }
      const keyStart = i + 1;
      let keyEnd = plainEnd(view, b, keyStart, end);
      slot = Slot.Other;
      if (at(b, keyEnd, end) === QUOTE) {
        if (depth === 1) {
          if (bytesAre(b, keyStart, keyEnd, RESOURCE_TYPE)) {
            if (typeStart >= 0) {
              return false; // a duplicate: JSON.parse would keep the last one
            }
            slot = Slot.Type;
          } else if (bytesAre(b, keyStart, keyEnd, elementKey)) {
            if (elementSeen) {
              return false;
            }
            elementSeen = true;
            slot = Slot.Element;
          }
        } else if (depth === 2 && inElement && bytesAre(b, keyStart, keyEnd, REFERENCE)) {
          if (patientStart >= 0) {
            return false;
          }
          slot = Slot.Reference;
        }
      } else {
        keyEnd = escapedStringEnd(b, keyEnd, end);
        if (keyEnd < 0 || depth <= 2) {
          return false; // not a string, or an escaped key that could be one of those read
        }
      }
      i = keyEnd + 1;
      c = at(b, i, end);
      if (c <= SPACE && c !== END) {
        i = skipSpace(b, i, end);
        c = at(b, i, end);
      }
      if (c !== COLON) {
        return false;
      }
      i++;
      c = at(b, i, end);
      if (c <= SPACE && c !== END) {
        i = skipSpace(b, i, end);
        c = at(b, i, end);
      }
      for (;;) {
        // A value at `i`.
        if (c === QUOTE) {
          let close = plainEnd(view, b, i + 1, end);
          if (at(b, close, end) !== QUOTE) {
            // An escape (or an invalid string): the value read must be its bytes.
            if (slot !== Slot.Other) {
              return false;
            }
            close = escapedStringEnd(b, close, end);
            if (close < 0) {
              return false;
            }
          } else if (slot !== Slot.Other) {
            if ((slot === Slot.Element && !elementIsString) || !isAscii(b, i + 1, close)) {
              return false; // a patient element that is no object; a value not ASCII
            }
            if (slot === Slot.Type) {
              typeStart = i + 1;
              typeEnd = close;
            } else {
              patientStart = i + 1;
              patientEnd = close;
            }
          }
          i = close + 1;
          c = at(b, i, end);
        } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
          if (slot === Slot.Element && c === OPEN_OBJECT && !elementIsString) {
            inElement = true;
          } else if (slot !== Slot.Other) {
            return false; // a resourceType, id or reference that is no string
          }
          if (depth + 1 >= stack.length) {
            const grown = new Uint8Array(stack.length * 2);
            grown.set(stack);
            stack = grown;
            if (grown.length <= SHARED_DEPTH) {
              kinds = grown; // (the stack of a very deep line is not kept)
            }
          }
          depth += 1;
          const open = c;
          stack[depth] = open === OPEN_OBJECT ? IN_OBJECT : IN_ARRAY;
          i++;
          c = at(b, i, end);
          if (c <= SPACE && c !== END) {
            i = skipSpace(b, i, end);
            c = at(b, i, end);
          }
          slot = Slot.Other;
          if (open === OPEN_OBJECT) {
            if (c !== CLOSE_OBJECT) {
              continue members;
            }
          } else if (c !== CLOSE_ARRAY) {
            continue;
          }
          // Empty: closed below.
        } else {
          if (slot !== Slot.Other) {
            return false; // a number or literal where a string or object is read
          }
          if (c === MINUS || isDigit(c)) {
            i = numberEnd(b, i, end);
          } else if (c === 0x74) {
            i = literalEnd(b, i, end, TRUE);
          } else if (c === 0x66) {
            i = literalEnd(b, i, end, FALSE);
          } else if (c === 0x6e) {
            i = literalEnd(b, i, end, NULL);
          } else {
            return false;
          }
          if (i < 0) {
            return false;
          }
          c = at(b, i, end);
        }
        // After a value: close containers, then a comma.
        for (;;) {
          if (c <= SPACE && c !== END) {
            i = skipSpace(b, i, end);
            c = at(b, i, end);
          }
          const kind = stack[depth];
          if (c === COMMA) {
            i++;
            c = at(b, i, end);
            if (c <= SPACE && c !== END) {
              i = skipSpace(b, i, end);
              c = at(b, i, end);
            }
            slot = Slot.Other;
            if (kind === IN_OBJECT) {
              continue members;
            }
            break; // the next value of the array
          }
          if (
            (c === CLOSE_OBJECT && kind === IN_OBJECT) ||
            (c === CLOSE_ARRAY && kind === IN_ARRAY)
          ) {
            depth -= 1;
            if (depth === 1) {
              inElement = false;
            }
            i++;
            c = at(b, i, end);
            if (depth === 0) {
              if (c <= SPACE && c !== END) {
                i = skipSpace(b, i, end);
              }
              if (i !== end || typeStart < 0 || patientStart < 0) {
                return false; // bytes after the object, or a value not found
              }
              this.typeStart = typeStart;
              this.typeEnd = typeEnd;
              this.patientStart = patientStart;
              this.patientEnd = patientEnd;
              return true;
            }
            continue;
          }
          return false;
        }
      }
    }
  }
}

/**
 * A scanner for the resources whose patient is named by `element`, answering with the values as
 * strings (tests, and any reader of single lines; partition-chunk.ts uses {@link LineScanner}).
 *
 * @param element - `id` (the patient's own id: a top-level string), or the name of a top-level
 * Reference element (`patient`, `subject`) whose `reference` names the patient.
 */
export function resourceScanner(element: string): ResourceScanner {
  const scanner = new LineScanner(element);
  return (b, start, end) =>
    scanner.scan(b, start, end)
      ? {
          resourceType: b.toString('latin1', scanner.typeStart, scanner.typeEnd),
          patient: b.toString('latin1', scanner.patientStart, scanner.patientEnd),
        }
      : undefined;
}
