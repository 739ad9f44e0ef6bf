/**
 * Graceful shutdown of the real service (src/main.ts through tsx, as a child process): SIGTERM
 * during a burst of forecasts over keep-alive connections — every request already sent is
 * answered (including those whose connection still waited in the kernel's accept queue), the
 * process exits 0 within the grace period; after SIGTERM, /readyz answers 503 on a connection
 * that was already open, and once the listener has closed new connections are refused. Single
 * process and WORKERS=2 (node:cluster).
 */
import { Agent, request as httpRequest } from 'node:http';
import { childForecastRequest } from '../../bench/http-fixtures';
import { startService, type Service } from './helpers';

const BODY = JSON.stringify(childForecastRequest());
const GRACE_MS = 10_000;

interface Answer {
  readonly status: number;
  readonly connection: string | undefined;
  readonly body: string;
}

function send(
  agent: Agent,
  port: number,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers:
          body === undefined
            ? {}
            : {
                'Content-Type': 'application/fhir+json',
                'Content-Length': Buffer.byteLength(body),
              },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function waitForLines(svc: Service, text: string, count: number, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (svc.stdout().split(text).length - 1 < count) {
    if (performance.now() > until) {
      throw new Error(`no "${text}" in:\n${svc.stdout()}\n${svc.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

const running: Service[] = [];
afterEach(() => {
  for (const svc of running.splice(0)) {
    svc.kill('SIGKILL');
  }
});

describe.each([
  ['one process', '1'],
  ['two workers (node:cluster)', '2'],
])('graceful shutdown, %s', (_name, workers) => {
  const env = { WORKERS: workers, SHUTDOWN_GRACE_MS: String(GRACE_MS), LOG_LEVEL: 'info' };

  test('SIGTERM in the middle of 200 concurrent forecasts: none fails, exit 0 in time', async () => {
    const svc = startService(env);
    running.push(svc);
    const port = await svc.port();
    const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
    // Warm up (JIT, and in cluster mode every worker) so the burst is a burst.
    await Promise.all(
      Array.from({ length: 20 }, () => send(agent, port, 'POST', '/fhir/$immds-forecast', BODY)),
    );

    let answered = 0;
    let signalled: number | undefined;
    const burst = Array.from({ length: 200 }, () =>
      send(agent, port, 'POST', '/fhir/$immds-forecast', BODY).then(
        (a) => {
          answered += 1;
          if (answered === 50) {
            signalled = performance.now();
            svc.kill('SIGTERM');
          }
          return a;
        },
        (err: unknown) => ({ status: -1, connection: undefined, body: String(err) }),
      ),
    );
    const answers = await Promise.all(burst);
    const failed = answers.filter((a) => a.status !== 200);
    expect(failed).toEqual([]);
    expect(signalled).toBeDefined();
    // Answers given after the signal ask the client to close the connection.
    expect(answers.filter((a) => a.connection === 'close').length).toBeGreaterThan(0);

    const exit = await svc.exited;
    agent.destroy();
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.atMs - (signalled ?? 0)).toBeLessThan(GRACE_MS);
    expect(svc.stdout()).toMatch(/"msg":"shutting down"/);
    expect(svc.stderr()).toBe('');
  }, 60_000);

  test('after SIGTERM: /readyz 503 on an open connection, new connections refused', async () => {
    const svc = startService(env);
    running.push(svc);
    const port = await svc.port();
    const kept = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await send(kept, port, 'GET', '/readyz')).status).toBe(200);

    svc.kill('SIGTERM');
    // One line per process: the primary (in cluster mode) and every worker.
    const processes = workers === '1' ? 1 : 1 + Number(workers);
    await waitForLines(svc, '"msg":"shutting down"', processes, 5_000);
    const draining = await send(kept, port, 'GET', '/readyz');
    expect(draining.status).toBe(503);
    expect(JSON.parse(draining.body)).toMatchObject({ status: 'draining' });
    expect(draining.connection).toBe('close');

    // The listener closes once the accept queue is quiet; from then on connections are refused.
    const workerCount = workers === '1' ? 1 : Number(workers);
    await waitForLines(
      svc,
      '"msg":"listener closed: new connections are refused"',
      workerCount,
      5_000,
    );
    const fresh = new Agent({ keepAlive: false });
    await expect(send(fresh, port, 'GET', '/healthz')).rejects.toThrow(/ECONNREFUSED|ECONNRESET/);

    const exit = await svc.exited;
    expect(exit.code).toBe(0);
  }, 60_000);
});
