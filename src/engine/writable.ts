/**
 * `T` without `readonly`, to build a result object step by step: optional properties are then
 * set only when they have a value (as `exactOptionalPropertyTypes` wants), without the cost of
 * conditional object spreads on the hot path.
 */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };
