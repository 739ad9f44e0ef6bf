/**
 * A byte-level scanner for the lines of a bulk export, the fast path of pass 1 (partition-chunk.ts).
 *
 * Why it exists: pass 1 only needs three things of each resource line — its top-level
 * `resourceType` and its patient (`Patient.id`, or `<element>.reference`) — and copies the line's
 * bytes unchanged into a partition record; the resource is parsed again in pass 2. Decoding every
 * line to a string and running `JSON.parse` on the whole resource for those three values cost
 * about 150 µs of thread CPU per patient (some 26 lines), a sixth of a large run. This scanner
 * walks the line's UTF-8 bytes once, checks them against the JSON grammar (RFC 8259, which is
 * exactly what `JSON.parse` accepts) and picks out the values, without building any string but the
 * two it returns.
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
function at(b: Buffer, i: number, end: number): number {
  return i < end ? (b[i] ?? END) : END;
}

/** The index of the first byte at or after `i` that is not JSON whitespace (space, tab, LF, CR). */
function skipSpace(b: Buffer, i: number, end: number): number {
  while (i < end) {
    const c = b[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
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

/** What a byte is inside a JSON string: 0 itself, or one of these. */
const STRING_END = 1;
const STRING_ESCAPE = 2;
const STRING_CONTROL = 3;
const STRING_BYTES = new Uint8Array(256);
STRING_BYTES.fill(STRING_CONTROL, 0, 0x20); // raw control characters must be escaped in JSON
STRING_BYTES[QUOTE] = STRING_END;
STRING_BYTES[BACKSLASH] = STRING_ESCAPE;

/**
 * Reads the body of a JSON string, `i` being just after its opening quote.
 *
 * @returns the index `q` of the closing quote if the string has no escape, `-2 - q` if it has
 * one, or -1 if it is not a valid JSON string (a raw control byte, a bad escape, no closing
 * quote). Bytes ≥ 0x80 are taken as they are (the caller has checked the UTF-8).
 */
function stringEnd(b: Buffer, i: number, end: number): number {
  let escaped = false;
  while (i < end) {
    const c = b[i] ?? 0;
    if (c > BACKSLASH) {
      i++; // lower-case letters and bytes ≥ 0x80, most of the text: one comparison
      continue;
    }
    const k = STRING_BYTES[c] ?? 0;
    if (k === 0) {
      i++;
    } else if (k === STRING_END) {
      return escaped ? -2 - i : i;
    } else if (k === STRING_ESCAPE) {
      escaped = true;
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
      return -1;
    }
  }
  return -1;
}

/** Whether the bytes `[s, e)` are all ASCII. */
function isAscii(b: Buffer, s: number, e: number): boolean {
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
function numberEnd(b: Buffer, i: number, end: number): number {
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
function literalEnd(b: Buffer, i: number, end: number, word: Uint8Array): number {
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
function isKey(b: Buffer, s: number, e: number, key: Uint8Array): boolean {
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
 * A scanner for the resources whose patient is named by `element`.
 *
 * @param element - `id` (the patient's own id: a top-level string), or the name of a top-level
 * Reference element (`patient`, `subject`) whose `reference` names the patient.
 */
export function resourceScanner(element: string): ResourceScanner {
  const elementKey = Buffer.from(element, 'latin1');
  const elementIsString = element === 'id';
  // The last resourceType read, as bytes and text: a file's lines all have the same one, and
  // comparing a few bytes costs less than decoding them again.
  let lastType = '';
  let lastTypeBytes: Uint8Array = Buffer.alloc(0);
  return (b, start, end) => {
    let typeStart = -1;
    let typeEnd = -1;
    let patientStart = -1;
    let patientEnd = -1;
    let elementSeen = false;
    /** Whether the object at depth 2 is the element's. */
    let inElement = false;
    let depth = 0;
    let stack = kinds;
    /** What the next value is to the caller. */
    let slot = Slot.Other;
    /** Whether a member's key comes first (at the start, or after a comma, in an object). */
    let key = false;
    let i = skipSpace(b, start, end);
    if (at(b, i, end) !== OPEN_OBJECT) {
      return undefined; // not an object (or a blank line): the slow path says what it is
    }
    for (;;) {
      if (key) {
        // A member: its key, a colon; `slot` says what its value is.
        if (at(b, i, end) !== QUOTE) {
          return undefined;
        }
        const keyStart = i + 1;
        const keyEnd = stringEnd(b, keyStart, end);
        if (keyEnd < 0 && (keyEnd === -1 || depth <= 2)) {
          return undefined; // not a string, or an escaped key that could be one of those read
        }
        slot = Slot.Other;
        if (depth === 1) {
          if (isKey(b, keyStart, keyEnd, RESOURCE_TYPE)) {
            if (typeStart >= 0) {
              return undefined; // a duplicate: JSON.parse would keep the last one
            }
            slot = Slot.Type;
          } else if (isKey(b, keyStart, keyEnd, elementKey)) {
            if (elementSeen) {
              return undefined;
            }
            elementSeen = true;
            slot = Slot.Element;
          }
        } else if (depth === 2 && inElement && isKey(b, keyStart, keyEnd, REFERENCE)) {
          if (patientStart >= 0) {
            return undefined;
          }
          slot = Slot.Reference;
        }
        i = skipSpace(b, (keyEnd < 0 ? -2 - keyEnd : keyEnd) + 1, end);
        if (at(b, i, end) !== COLON) {
          return undefined;
        }
        i = skipSpace(b, i + 1, end);
        key = false;
      }
      // A value at `i`, whitespace skipped.
      const c = at(b, i, end);
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (slot === Slot.Element && c === OPEN_OBJECT && !elementIsString) {
          inElement = true;
        } else if (slot !== Slot.Other) {
          return undefined; // a resourceType, id or reference that is no string
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
        stack[depth] = c === OPEN_OBJECT ? IN_OBJECT : IN_ARRAY;
        i = skipSpace(b, i + 1, end);
        const d = at(b, i, end);
        if (c === OPEN_OBJECT ? d !== CLOSE_OBJECT : d !== CLOSE_ARRAY) {
          key = c === OPEN_OBJECT;
          slot = Slot.Other;
          continue;
        }
        // Empty: closed below.
      } else if (c === QUOTE) {
        let close = stringEnd(b, i + 1, end);
        if (slot !== Slot.Other) {
          if (
            close < 0 || // also an escape: the value read must be its bytes
            (slot === Slot.Element && !elementIsString) ||
            !isAscii(b, i + 1, close)
          ) {
            return undefined;
          }
          if (slot === Slot.Type) {
            typeStart = i + 1;
            typeEnd = close;
          } else {
            patientStart = i + 1;
            patientEnd = close;
          }
        } else if (close < 0) {
          if (close === -1) {
            return undefined;
          }
          close = -2 - close;
        }
        i = skipSpace(b, close + 1, end);
      } else {
        if (slot !== Slot.Other) {
          return undefined; // a number or literal where a string or object is read
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
          return undefined;
        }
        if (i < 0) {
          return undefined;
        }
        i = skipSpace(b, i, end);
      }
      // After a value, at `i` (whitespace skipped): close containers, then a comma.
      for (;;) {
        const d = at(b, i, end);
        const kind = stack[depth];
        if (
          (d === CLOSE_OBJECT && kind === IN_OBJECT) ||
          (d === CLOSE_ARRAY && kind === IN_ARRAY)
        ) {
          depth -= 1;
          if (depth === 1) {
            inElement = false;
          }
          i = skipSpace(b, i + 1, end);
          if (depth === 0) {
            if (i !== end || typeStart < 0 || patientStart < 0) {
              return undefined; // bytes after the object, or a value not found
            }
            if (!isKey(b, typeStart, typeEnd, lastTypeBytes)) {
              lastType = b.toString('latin1', typeStart, typeEnd);
              lastTypeBytes = Buffer.from(lastType, 'latin1');
            }
            return {
              resourceType: lastType,
              patient: b.toString('latin1', patientStart, patientEnd),
            };
          }
          continue;
        }
        if (d !== COMMA) {
          return undefined;
        }
        i = skipSpace(b, i + 1, end);
        key = kind === IN_OBJECT;
        slot = Slot.Other;
        break;
      }
    }
  };
}
