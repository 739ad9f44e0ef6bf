import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createLogger } from '../../src/http/logging';
import type { Logger } from '../../src/http/logging';
import { findRepoRoot } from '../../src/rules/repo-root';

export const ROOT = findRepoRoot(__dirname);

/** A logger at `debug` writing into an array of parsed JSON lines. */
export function capturingLogger(): { logger: Logger; lines: () => string[] } {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: {
      write(msg: string) {
        lines.push(msg);
      },
    },
  });
  return { logger, lines: () => lines.flatMap((l) => l.split('\n')).filter((l) => l !== '') };
}

/** The real service, started as a child process. */
export interface Service {
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Sends a signal to the service process (the primary in cluster mode). */
  readonly kill: (signal: NodeJS.Signals) => void;
  /** Resolves the port from the `listening` log line (rejects on exit or timeout). */
  readonly port: () => Promise<number>;
}

/**
 * Starts the service: `src/main.ts` through tsx, or a built `main.js` with plain node.
 *
 * @param env - environment on top of `PATH`, `HOST=127.0.0.1`, `PORT=0`
 * @param entry - `{ ts: path }` (default src/main.ts) or `{ js: path, cwd }`
 */
export function startService(
  env: Record<string, string>,
  entry: { readonly js?: string; readonly cwd?: string } = {},
): Service {
  const args =
    entry.js === undefined ? ['--require', 'tsx/cjs', join(ROOT, 'src', 'main.ts')] : [entry.js];
  const child = spawn(process.execPath, args, {
    cwd: entry.cwd ?? ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    atMs: number;
  }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal, atMs: performance.now() });
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  return {
    pid: child.pid ?? -1,
    exited,
    stdout: () => out,
    stderr: () => err,
    kill: (signal) => child.kill(signal),
    port: async () => {
      const until = performance.now() + 30_000;
      for (;;) {
        const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
        if (line !== undefined) {
          return (JSON.parse(line) as { port: number }).port;
        }
        if (done || performance.now() > until) {
          throw new Error(`service did not start:\n${out}\n${err}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
