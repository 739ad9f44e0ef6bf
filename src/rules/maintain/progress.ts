/**
 * Progress of a long run (running hundreds of cases), for a person watching a terminal. It goes
 * to stderr only, so stdout — and JSON written there — stays clean: on a terminal one line
 * redrawn in place (at most ~10 times a second's worth of updates: on each whole percent), else
 * (with `--progress` in a CI log) one line per 10 %.
 */

/** Where progress is written. */
export interface ProgressSink {
  /** Raw write to stderr (no newline added). */
  write(text: string): void;
  /** Whether stderr is a terminal. */
  readonly isTTY: boolean;
}

/** A progress reporter for one run. */
export interface Progress {
  /** Reports that `done` of `total` items are finished. */
  update(done: number, total: number): void;
  /** Ends the run (clears the terminal line). */
  finish(): void;
}

/** A reporter that reports nothing. */
export const NO_PROGRESS: Progress = { update: () => undefined, finish: () => undefined };

/**
 * Creates a progress reporter.
 *
 * @param label - What is running, e.g. "running cases on cdc-cdsi@4.64".
 * @param sink - stderr.
 * @param enabled - Whether to report at all (a TTY, or `--progress`).
 */
export function createProgress(label: string, sink: ProgressSink, enabled: boolean): Progress {
  if (!enabled) {
    return NO_PROGRESS;
  }
  let last = -1;
  let drawn = false;
  return {
    update(done, total) {
      const pct = total === 0 ? 100 : Math.floor((100 * done) / total);
      if (sink.isTTY) {
        if (pct !== last) {
          sink.write(`\r\x1b[K${label}: ${done}/${total} (${pct}%)`);
          drawn = true;
        }
      } else if (Math.floor(pct / 10) !== Math.floor(last / 10) || done === total) {
        if (pct !== last) {
          sink.write(`${label}: ${done}/${total} (${pct}%)\n`);
        }
      }
      last = pct;
    },
    finish() {
      if (sink.isTTY && drawn) {
        sink.write('\r\x1b[K');
      }
      drawn = false;
    },
  };
}
