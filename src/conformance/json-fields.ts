/**
 * Typed reading of parsed JSON with error messages that name the field's path. Pure.
 *
 * @packageDocumentation
 */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A parsed JSON object. */
export type Json = Readonly<Record<string, unknown>>;

/**
 * Reads typed fields out of one parsed JSON object. Every failure goes to `fail` with the
 * field's path (e.g. `doses[1].date: expected a YYYY-MM-DD date, got "01/05/2020"`).
 */
export class FieldReader {
  constructor(
    private readonly obj: Json,
    private readonly path: string,
    private readonly fail: (message: string) => never,
  ) {}

  private at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  private value(key: string): unknown {
    if (!(key in this.obj)) {
      return this.fail(`${this.at(key)}: missing`);
    }
    return this.obj[key];
  }

  private wrong(key: string, expected: string, got: unknown): never {
    return this.fail(`${this.at(key)}: expected ${expected}, got ${JSON.stringify(got)}`);
  }

  /** A string. */
  string(key: string): string {
    const v = this.value(key);
    return typeof v === 'string' ? v : this.wrong(key, 'a string', v);
  }

  /** A string that is not blank. */
  nonEmptyString(key: string): string {
    const v = this.string(key);
    return v.trim() !== '' ? v : this.wrong(key, 'a non-empty string', v);
  }

  /** A string or `null`. */
  stringOrNull(key: string): string | null {
    const v = this.value(key);
    return v === null || typeof v === 'string' ? v : this.wrong(key, 'a string or null', v);
  }

  /** Like {@link FieldReader.stringOrNull}, but the key may be absent (read as `undefined`). */
  optionalStringOrNull(key: string): string | null | undefined {
    return key in this.obj ? this.stringOrNull(key) : undefined;
  }

  /** A `YYYY-MM-DD` string (shape only; the calendar check is the caller's). */
  date(key: string): string {
    const v = this.value(key);
    return typeof v === 'string' && ISO_DATE.test(v) ? v : this.wrong(key, 'a YYYY-MM-DD date', v);
  }

  /** A `YYYY-MM-DD` string or `null`. */
  dateOrNull(key: string): string | null {
    const v = this.value(key);
    return v === null ? null : this.date(key);
  }

  /** An integer. */
  integer(key: string): number {
    const v = this.value(key);
    return typeof v === 'number' && Number.isInteger(v) ? v : this.wrong(key, 'an integer', v);
  }

  /** An integer or `null`. */
  integerOrNull(key: string): number | null {
    const v = this.value(key);
    return v === null ? null : this.integer(key);
  }

  /** One of the `allowed` strings. */
  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.value(key);
    return allowed.find((a) => a === v) ?? this.wrong(key, `one of ${allowed.join(', ')}`, v);
  }

  /** The value as is (it must be present). */
  raw(key: string): unknown {
    return this.value(key);
  }

  /** A nested object, as a reader whose errors carry the nested path. */
  object(key: string): FieldReader {
    const v = this.value(key);
    return isObject(v)
      ? new FieldReader(v, this.at(key), this.fail)
      : this.wrong(key, 'an object', v);
  }

  /** A nested object, as is. */
  plainObject(key: string): Json {
    const v = this.value(key);
    return isObject(v) ? v : this.wrong(key, 'an object', v);
  }

  /** An array of objects, one reader per item (paths `key[i]`). */
  array(key: string): FieldReader[] {
    const v = this.value(key);
    if (!Array.isArray(v)) {
      return this.wrong(key, 'an array', v);
    }
    return v.map((item: unknown, i) => {
      const itemPath = `${this.at(key)}[${i}]`;
      return isObject(item)
        ? new FieldReader(item, itemPath, this.fail)
        : this.fail(`${itemPath}: expected an object, got ${JSON.stringify(item)}`);
    });
  }
}

/**
 * Whether a parsed JSON value is an object (not an array, not null).
 *
 * @param v - Any parsed JSON value.
 */
export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
