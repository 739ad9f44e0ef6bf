/**
 * The HTTP server around the app: timeouts, and a graceful drain for shutdown.
 *
 * Drain (SIGTERM/SIGINT), in order:
 * 1. connections that clients opened before the signal and that still wait in the kernel's
 *    accept queue are accepted (Node accepts them one event-loop turn at a time, so under load
 *    many can be queued, each with a request already sent); once no connection has arrived for
 *    {@link DrainOptions.acceptQuietMs} (at most {@link DrainOptions.acceptMaxMs} after the
 *    signal), the listening socket is closed: new connections are refused from then on;
 * 2. requests already received — and requests that still arrive on open keep-alive connections —
 *    are answered normally, with `Connection: close`, so each connection closes after its answer;
 * 3. a connection idle for {@link DrainOptions.idleMs} is closed (a client that just sent a
 *    request on it is not cut off: its request is being read, so the connection is not idle);
 * 4. when the last connection has closed, the drain resolves `true`; at the grace deadline the
 *    remaining connections are destroyed and it resolves `false`.
 *
 * Node's own `server.close()` destroys every idle connection at once, which can cut a request
 * the client has already sent but the server has not read yet; hence this module.
 *
 * @packageDocumentation
 */
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { Socket } from 'node:net';

/** Server timeouts (see README config table). */
export interface ServerTimeouts {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
}

/** Where and how to listen. */
export interface ListenOptions extends ServerTimeouts {
  readonly port: number;
  readonly host: string;
}

/** Options of {@link RunningServer.drain}. */
export interface DrainOptions {
  /** Hard deadline: connections still open then are destroyed. */
  readonly graceMs: number;
  /** A connection idle this long during the drain is closed (default 1 000 ms, at most keep-alive). */
  readonly idleMs?: number;
  /** The listener closes once no connection has arrived for this long (default 250 ms). */
  readonly acceptQuietMs?: number;
  /** …or at the latest this long after the signal (default 5 000 ms, at most half the grace). */
  readonly acceptMaxMs?: number;
  /** Called when the listening socket has been closed (new connections are refused). */
  readonly onListenerClosed?: () => void;
}

/** A listening server. */
export interface RunningServer {
  readonly server: Server;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** True once {@link drain} was called. */
  readonly draining: boolean;
  /**
   * Stops taking connections and waits for in-flight requests (see the module comment).
   *
   * @returns true when every connection closed in time, false when the deadline cut some
   */
  drain(options: DrainOptions): Promise<boolean>;
}

interface SocketState {
  active: number;
  idleSince: number;
}

const now = (): number => Number(process.hrtime.bigint() / 1_000_000n);

/**
 * Creates the server with the configured timeouts and listens.
 *
 * @param app - the request listener (the Express app)
 * @param options - port, host and timeouts
 */
export function listen(app: RequestListener, options: ListenOptions): Promise<RunningServer> {
  const server = createServer(
    { headersTimeout: options.headersTimeoutMs, requestTimeout: options.requestTimeoutMs },
    app,
  );
  server.keepAliveTimeout = options.keepAliveTimeoutMs;

  const sockets = new Map<Socket, SocketState>();
  let draining = false;
  let lastConnectionAt = now();

  server.on('connection', (socket: Socket) => {
    lastConnectionAt = now();
    sockets.set(socket, { active: 0, idleSince: now() });
    socket.once('close', () => sockets.delete(socket));
  });
  // Runs before the app, so the header is set before any answer is written.
  server.prependListener('request', (req, res) => {
    const state = sockets.get(req.socket);
    if (state !== undefined) {
      state.active += 1;
    }
    if (draining) {
      res.setHeader('Connection', 'close');
    }
    res.once('close', () => {
      if (state !== undefined) {
        state.active -= 1;
        state.idleSince = now();
      }
    });
  });

  const drain = ({
    graceMs,
    idleMs = 1000,
    acceptQuietMs = 250,
    acceptMaxMs = 5000,
    onListenerClosed,
  }: DrainOptions): Promise<boolean> => {
    draining = true;
    const started = now();
    const idleLimit = Math.min(idleMs, options.keepAliveTimeoutMs);
    const acceptLimit = Math.min(acceptMaxMs, graceMs / 2);
    let listening = true;
    return new Promise((resolve) => {
      const finish = (clean: boolean): void => {
        clearInterval(sweep);
        clearTimeout(deadline);
        resolve(clean);
      };
      const closeListener = (): void => {
        listening = false;
        // net.Server#close, not http.Server#close: stop listening without Node's immediate
        // closeIdleConnections(); the callback runs once every connection has closed.
        NetServer.prototype.close.call(server, () => {
          finish(true);
        });
        onListenerClosed?.();
      };
      const quiet = (t: number): boolean =>
        t - lastConnectionAt >= acceptQuietMs || t - started >= acceptLimit;
      let closing = false;
      const sweep = setInterval(() => {
        const t = now();
        if (listening && !closing && quiet(t)) {
          // Not here (timers phase): after the event loop was busy for a while, connections
          // still wait in the accept queue and are accepted only in this turn's poll phase. The
          // check phase (setImmediate) comes after it, so the listener closes only if that
          // poll phase accepted nothing new either.
          closing = true;
          setImmediate(() => {
            closing = false;
            if (listening && quiet(now())) {
              closeListener();
            }
          });
        }
        for (const [socket, state] of sockets) {
          if (state.active === 0 && t - state.idleSince >= idleLimit) {
            socket.destroy();
          }
        }
      }, 25);
      const deadline = setTimeout(() => {
        server.closeAllConnections();
        for (const socket of sockets.keys()) {
          socket.destroy();
        }
        finish(false);
      }, graceMs);
    });
  };

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port;
      resolve({
        server,
        port,
        get draining() {
          return draining;
        },
        drain,
      });
    });
  });
}
