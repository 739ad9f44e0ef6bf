import type { Logger } from '../http/logging';

/** Flushes the log, then ends the process with `code`. */
export function exitWith(logger: Logger | undefined, code: number): never {
  logger?.flush();
  process.exit(code);
}
