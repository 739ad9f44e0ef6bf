/**
 * Progress of a bulk run on stderr: patients done, patients per second, and — when the end is
 * known (patients counted in a bulk export, or bytes of an input file) — the percentage and the
 * time left. On a terminal one line redrawn in place twice a second; otherwise (a log) one line
 * every 10 seconds. Never a patient identifier.
 *
 * @packageDocumentation
 */
import type { ProgressSink } from '../rules/maintain/progress';

/** A bulk run's progress reporter. */
export interface RateProgress {
  /** `done` items so far; `fraction` of the whole when known (0..1). */
  update(done: number, fraction?: number): void;
  /** Clears the terminal line. */
  finish(): void;
}

/** Seconds as `1h 02m`, `3m 05s` or `42s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) {
    return `${h}h ${String(m).padStart(2, '0')}m`;
  }
  return m > 0 ? `${m}m ${String(r).padStart(2, '0')}s` : `${r}s`;
}

/**
 * Creates a reporter.
 *
 * @param label - What is counted, e.g. `patients`.
 * @param sink - stderr.
 * @param enabled - Whether to report at all.
 * @param now - Milliseconds clock (tests).
 */
export function createRateProgress(
  label: string,
  sink: ProgressSink,
  enabled: boolean,
  now: () => number = () => performance.now(),
): RateProgress {
  const start = now();
  const every = sink.isTTY ? 500 : 10_000;
  let last = start;
  let drawn = false;
  return {
    update(done, fraction) {
      if (!enabled) {
        return;
      }
      const t = now();
      if (t - last < every) {
        return;
      }
      last = t;
      const seconds = (t - start) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      let text = `forecast-bulk: ${done.toLocaleString('en-US')} ${label}, ${Math.round(rate).toLocaleString('en-US')}/s`;
      if (fraction !== undefined && fraction > 0 && fraction <= 1) {
        text += `, ${Math.floor(fraction * 100)}%, ETA ${formatDuration((seconds / fraction) * (1 - fraction))}`;
      }
      if (sink.isTTY) {
        sink.write(`\r\x1b[K${text}`);
        drawn = true;
      } else {
        sink.write(`${text}\n`);
      }
    },
    finish() {
      if (drawn) {
        sink.write('\r\x1b[K');
        drawn = false;
      }
    },
  };
}
