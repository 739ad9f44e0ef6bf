/**
 * The terminal side shared by the CLIs: results to stdout, problems to stderr, progress as raw
 * stderr writes (redrawn in place only on a TTY). Each CLI takes an `io` object of this shape so
 * its tests can collect the output instead.
 */
import type { ProgressSink } from '../rules/maintain/progress';

/** Where a CLI writes. */
export interface ConsoleIo {
  /** A line of the result, to stdout. */
  log(text: string): void;
  /** A line of a problem or note, to stderr. */
  error(text: string): void;
  /** Raw stderr for progress. */
  readonly progress: ProgressSink;
}

/** The process's own stdout and stderr. */
export const consoleIo: ConsoleIo = {
  log: (t) => {
    console.log(t);
  },
  error: (t) => {
    console.error(t);
  },
  progress: {
    write: (t) => {
      process.stderr.write(t);
    },
    isTTY: process.stderr.isTTY,
  },
};
