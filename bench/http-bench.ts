/**
 * HTTP benchmark: starts the built service (`dist/src/main.js`, one process, `WORKERS=1`) and
 * drives it with autocannon, one scenario after the other on the same process:
 *
 * 1. `GET /healthz` — the HTTP floor (Express + middleware, no work);
 * 2. `POST /fhir/$immds-forecast` — a two-year-old with 15 doses;
 * 3. the same for an adult with 38 doses over 64 years;
 * 4. `POST /cds-services/immunization-forecast` — `patient-view` with full prefetch (the service
 *    runs with `CDS_AUTH=disabled` for this run only; skipped with a note if the route is absent).
 *
 * Each scenario is first run at saturation (`--connections` connections, as fast as the service
 * answers): requests/s, p50/p99 latency, errors (network errors, timeouts and non-2xx) and the
 * peak RSS of the service process (sampled from /proc every 50 ms). Then every forecast scenario
 * is run again at a steady rate — the load the p99 target is stated for: half the `/healthz`
 * throughput; for a scenario that cannot go that fast, 80 % and 50 % of its own saturated
 * throughput — with requests evenly spaced in time (open loop, see {@link paced}), and its
 * p50/p99 reported. Last, the
 * start-up (all rule sets loaded and validated) is measured over `--startup-runs` fresh starts:
 * wall time from spawn to the `listening` line, and the CPU time the process used until then
 * (less sensitive to other work on the machine).
 *
 * On a machine with 2+ CPUs and `taskset` (util-linux), the service is pinned to CPU 0 and this
 * process (autocannon) to CPU 1, so the load generator does not take the service's core
 * (`--no-pin` turns that off). The machine's load average is printed at start and end: other work
 * on the machine skews every figure.
 *
 * Usage: `npm run bench [-- --duration 10 --connections 10 --startup-runs 7 --no-pin]`,
 * `node dist/bench/http-bench.js --startup-only` for the start-up runs alone. Results go in
 * docs/benchmarks.md.
 *
 * @packageDocumentation
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import autocannon from 'autocannon';
import { findRepoRoot } from '../src/rules/repo-root';
import { adultForecastRequest, childForecastRequest, patientViewRequest } from './http-fixtures';
import { percentile } from './stats';

interface Scenario {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly contentType?: string;
  readonly body?: string;
  /** Forecast scenarios also get the fixed-rate run. */
  readonly forecast: boolean;
}

interface Row {
  readonly name: string;
  /** Requests/s asked for (fixed-rate runs); undefined at saturation. */
  readonly rate?: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly requests: number;
  readonly peakRssMb: number;
  readonly note?: string;
}

function intOption(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i === -1) {
    return fallback;
  }
  const value = Number(argv[i + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} needs a positive whole number, got ${String(argv[i + 1])}`);
  }
  return value;
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? NaN : Number(kb) / 1024;
  } catch {
    return NaN;
  }
}

/** CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which is in parentheses and may hold spaces).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Service {
  readonly child: ChildProcessByStdio<null, Readable, null>;
  readonly pid: number;
  readonly port: number;
  /** From spawn to the `listening` log line, as seen by this process. */
  readonly readyMs: number;
  /** The service's own figure: rule sets loaded and validated, app built, listening. */
  readonly startupMs: number;
  /** CPU time the service used until it was listening. */
  readonly cpuMs: number;
  /** Log lines written so far (the request log is counted, not kept). */
  readonly lines: () => number;
  readonly stop: () => Promise<void>;
}

async function startService(root: string, pin: boolean): Promise<Service> {
  const entry = join(root, 'dist', 'src', 'main.js');
  const [cmd, args] = pin
    ? ['taskset', ['-c', '0', process.execPath, entry]]
    : [process.execPath, [entry]];
  const started = performance.now();
  const child = spawn(cmd, args, {
    cwd: root,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      WORKERS: '1',
      LOG_LEVEL: 'info',
      CDS_AUTH: 'disabled',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let lines = 0;
  let listening: { port: number; startupMs: number } | undefined;
  let readyMs = NaN;
  let usedMs = NaN;
  child.stdout.on('data', (d: Buffer) => {
    const text = d.toString();
    lines += text.split('\n').length - 1;
    if (listening === undefined) {
      out += text;
      const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (line !== undefined) {
        readyMs = performance.now() - started;
        usedMs = cpuMs(child.pid ?? 0);
        listening = JSON.parse(line) as { port: number; startupMs: number };
      }
    }
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  while (listening === undefined) {
    if (child.exitCode !== null || performance.now() - started > 30_000) {
      throw new Error(`the service did not start (run \`npm run build\` first?):\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const { port, startupMs } = listening;
  return {
    child,
    pid: child.pid ?? 0,
    port,
    readyMs,
    startupMs,
    cpuMs: usedMs,
    lines: () => lines,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function requestOptions(s: Scenario): Partial<autocannon.Options> {
  return s.body === undefined
    ? { method: s.method }
    : {
        method: s.method,
        body: s.body,
        headers: { 'content-type': s.contentType ?? 'application/json' },
      };
}

async function run(
  base: string,
  pid: number,
  s: Scenario,
  duration: number,
  connections: number,
): Promise<Row> {
  let peak = rssMb(pid);
  const sampler = setInterval(() => {
    const now = rssMb(pid);
    if (!(now <= peak)) {
      peak = now;
    }
  }, 50);
  try {
    const result = await autocannon({
      url: `${base}${s.path}`,
      connections,
      duration,
      ...requestOptions(s),
    });
    return {
      name: s.name,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
      requests: result.requests.total,
      peakRssMb: peak,
    };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * Open-loop load at a steady rate: one request every 1/`rate` s, sent on schedule whether or not
 * earlier answers came back (up to 256 connections), so a slow answer cannot hold the load back.
 * autocannon's `overallRate` cannot do this: it sends each connection's quota for the second as
 * fast as it can and then pauses until the next second — bursts at full speed, whose queueing
 * dominates the latency it reports. Latency here: from sending a request to the end of its answer.
 */
async function paced(
  base: string,
  pid: number,
  s: Scenario,
  duration: number,
  rate: number,
): Promise<Row> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL(`${base}${s.path}`);
  const body = s.body === undefined ? undefined : Buffer.from(s.body);
  const latencies: number[] = [];
  let errors = 0;
  let peak = rssMb(pid);
  const sampler = setInterval(() => {
    const now = rssMb(pid);
    if (!(now <= peak)) {
      peak = now;
    }
  }, 50);
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const sent = performance.now();
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: s.method,
          agent,
          headers:
            body === undefined
              ? {}
              : {
                  'content-type': s.contentType ?? 'application/json',
                  'content-length': body.length,
                },
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            if (res.statusCode === 200) {
              latencies.push(performance.now() - sent);
            } else {
              errors += 1;
            }
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end(body);
    });
  const interval = 1000 / rate;
  const total = Math.round(duration * rate);
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total;) {
    // Send every request that is due (catching up if the timer fired late), then sleep.
    while (i < total && start + i * interval <= performance.now()) {
      pending.push(one());
      i += 1;
    }
    await new Promise((r) => setTimeout(r, Math.max(0, start + i * interval - performance.now())));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  clearInterval(sampler);
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    name: s.name,
    rate,
    rps: latencies.length / elapsed,
    p50: sorted.length === 0 ? NaN : percentile(sorted, 50),
    p99: sorted.length === 0 ? NaN : percentile(sorted, 99),
    errors,
    requests: latencies.length + errors,
    peakRssMb: peak,
  };
}

function scenarios(): Scenario[] {
  const fhir = 'application/fhir+json';
  return [
    { name: 'GET /healthz', method: 'GET', path: '/healthz', forecast: false },
    {
      name: '$immds-forecast, 2-year-old (15 doses)',
      method: 'POST',
      path: '/fhir/$immds-forecast',
      contentType: fhir,
      body: JSON.stringify(childForecastRequest()),
      forecast: true,
    },
    {
      name: '$immds-forecast, adult (38 doses)',
      method: 'POST',
      path: '/fhir/$immds-forecast',
      contentType: fhir,
      body: JSON.stringify(adultForecastRequest()),
      forecast: true,
    },
    {
      name: 'CDS patient-view, full prefetch (2-year-old)',
      method: 'POST',
      path: '/cds-services/immunization-forecast',
      contentType: 'application/json',
      body: JSON.stringify(patientViewRequest()),
      forecast: true,
    },
  ];
}

async function measureLoad(
  service: Service,
  duration: number,
  connections: number,
): Promise<{ saturation: Row[]; fixedRate: Row[] }> {
  const base = `http://127.0.0.1:${service.port}`;
  const saturation: Row[] = [];
  const answered: Scenario[] = [];
  for (const s of scenarios()) {
    // One request first: a scenario the service cannot answer is reported, not measured.
    const probe = await fetch(`${base}${s.path}`, {
      method: s.method,
      ...(s.body === undefined
        ? {}
        : { body: s.body, headers: { 'content-type': s.contentType ?? 'application/json' } }),
    });
    await probe.arrayBuffer();
    if (probe.status !== 200) {
      saturation.push({
        name: s.name,
        rps: NaN,
        p50: NaN,
        p99: NaN,
        errors: NaN,
        requests: 0,
        peakRssMb: NaN,
        note: `skipped: ${s.method} ${s.path} answered ${probe.status}`,
      });
      continue;
    }
    // Warm-up (JIT), then the measured run.
    await autocannon({ url: `${base}${s.path}`, connections, amount: 500, ...requestOptions(s) });
    saturation.push(await run(base, service.pid, s, duration, connections));
    answered.push(s);
  }
  const floor = saturation[0]?.rps ?? NaN;
  const fixedRate: Row[] = [];
  for (const s of answered.filter((a) => a.forecast)) {
    const own = saturation.find((r) => r.name === s.name)?.rps ?? NaN;
    // The target's load is half the /healthz floor. A scenario that cannot go that fast is run
    // at 80 % and 50 % of its own saturated throughput instead: open-loop load at 100 % of the
    // capacity only builds an ever longer queue.
    const rates =
      own >= floor / 2 ? [Math.floor(floor / 2)] : [Math.floor(own * 0.8), Math.floor(own / 2)];
    for (const rate of rates.filter((r) => r >= 1)) {
      fixedRate.push(await paced(base, service.pid, s, duration, rate));
    }
  }
  return { saturation, fixedRate };
}

async function measureStartup(
  root: string,
  pin: boolean,
  runs: number,
): Promise<{ ready: number[]; own: number[]; cpu: number[] }> {
  const ready: number[] = [];
  const own: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const service = await startService(root, pin);
    ready.push(service.readyMs);
    own.push(service.startupMs);
    cpu.push(service.cpuMs);
    await service.stop();
  }
  return { ready, own, cpu };
}

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits);

function spread(samples: readonly number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) {
    return '—';
  }
  return `median ${fmt(percentile(sorted, 50))}, min ${fmt(sorted[0])}, max ${fmt(sorted[sorted.length - 1])}`;
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const duration = intOption(argv, '--duration', 10);
  const connections = intOption(argv, '--connections', 10);
  const startupRuns = intOption(argv, '--startup-runs', 7);
  const startupOnly = argv.includes('--startup-only');
  const root = findRepoRoot(__dirname);
  const cpuCount = availableParallelism(); // before pinning, which narrows it to 1
  const pin = !argv.includes('--no-pin') && cpuCount >= 2 && hasTaskset();
  if (pin) {
    // This process (autocannon) on CPU 1; the service is started on CPU 0.
    execFileSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });
  }
  const loadBefore = load();

  let loadResult: { saturation: Row[]; fixedRate: Row[] } | undefined;
  let lines = 0;
  if (!startupOnly) {
    const service = await startService(root, pin);
    try {
      loadResult = await measureLoad(service, duration, connections);
    } finally {
      lines = service.lines();
      await service.stop();
    }
  }
  const startup = await measureStartup(root, pin, startupRuns);

  console.log(
    `\nmachine: ${cpuCount} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`,
  );
  console.log(`load average (1, 5, 15 min): ${loadBefore} at start, ${load()} at end`);
  console.log(
    `service: node dist/src/main.js, WORKERS=1, LOG_LEVEL=info, ${
      pin ? 'pinned to CPU 0 (taskset), autocannon on CPU 1' : 'not pinned'
    }`,
  );
  console.log(
    `start-up over ${startupRuns} runs: spawn to listening ${spread(startup.ready)} ms; ` +
      `rule sets loaded and validated + app built (the service's startupMs) ${spread(startup.own)} ms; ` +
      `CPU time until listening ${spread(startup.cpu)} ms`,
  );
  if (loadResult === undefined) {
    return;
  }
  console.log(
    `\nat saturation: ${connections} connections, ${duration} s per scenario (${lines} log lines)\n`,
  );
  console.log('| scenario | req/s | p50 ms | p99 ms | errors | requests | peak RSS MB |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of loadResult.saturation) {
    if (r.note !== undefined) {
      console.log(`| ${r.name} | ${r.note} | | | | | |`);
    } else {
      console.log(
        `| ${r.name} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.errors)} | ${r.requests} | ${fmt(r.peakRssMb)} |`,
      );
    }
  }
  const floor = loadResult.saturation[0]?.rps ?? NaN;
  console.log('');
  for (const r of loadResult.saturation.slice(1)) {
    if (r.note === undefined) {
      console.log(`ratio ${r.name} / healthz: ${fmt(r.rps / floor, 2)}`);
    }
  }
  console.log(
    `\nat a steady rate (open loop, requests evenly spaced) of half the /healthz throughput, or 80 % and 50 % of the scenario's own saturated throughput when that is lower; ${duration} s\n`,
  );
  console.log('| scenario | rate asked req/s | req/s | p50 ms | p99 ms | errors | peak RSS MB |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of loadResult.fixedRate) {
    console.log(
      `| ${r.name} | ${fmt(r.rate)} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.errors)} | ${fmt(r.peakRssMb)} |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
