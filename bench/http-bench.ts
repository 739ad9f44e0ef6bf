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
 * Prints, per scenario, requests/s, p50/p99 latency, errors (network errors, timeouts and non-2xx)
 * and the peak RSS of the service process during the scenario (sampled from /proc every 50 ms),
 * then the ratio of forecast to /healthz throughput and the start-up time. Results go in
 * docs/benchmarks.md.
 *
 * Usage: `npm run bench [-- --duration 10 --connections 10]`.
 *
 * @packageDocumentation
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { findRepoRoot } from '../src/rules/repo-root';
import { adultForecastRequest, childForecastRequest, patientViewRequest } from './http-fixtures';

interface Scenario {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly contentType?: string;
  readonly body?: string;
}

interface Row {
  readonly name: string;
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
      method: s.method,
      connections,
      duration,
      ...(s.body === undefined
        ? {}
        : { body: s.body, headers: { 'content-type': s.contentType ?? 'application/json' } }),
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

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const duration = intOption(argv, '--duration', 10);
  const connections = intOption(argv, '--connections', 10);
  const root = findRepoRoot(__dirname);
  const entry = join(root, 'dist', 'src', 'main.js');

  const child = spawn(process.execPath, [entry], {
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
  child.stdout.on('data', (d: Buffer) => {
    // Keep only the start-up lines; count (and drop) the request log.
    if (out.length < 100_000) {
      out += d.toString();
    }
    lines += d.toString().split('\n').length - 1;
  });
  const started = performance.now();
  let listening: { port: number; startupMs: number } | undefined;
  while (listening === undefined) {
    const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
    if (line !== undefined) {
      listening = JSON.parse(line) as { port: number; startupMs: number };
    } else if (child.exitCode !== null || performance.now() - started > 30_000) {
      throw new Error(`the service did not start (run \`npm run build\` first?):\n${out}`);
    } else {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const readyMs = performance.now() - started;
  const base = `http://127.0.0.1:${listening.port}`;
  const pid = child.pid ?? 0;

  const fhir = 'application/fhir+json';
  const scenarios: Scenario[] = [
    { name: 'GET /healthz', method: 'GET', path: '/healthz' },
    {
      name: '$immds-forecast, 2-year-old (15 doses)',
      method: 'POST',
      path: '/fhir/$immds-forecast',
      contentType: fhir,
      body: JSON.stringify(childForecastRequest()),
    },
    {
      name: '$immds-forecast, adult (38 doses)',
      method: 'POST',
      path: '/fhir/$immds-forecast',
      contentType: fhir,
      body: JSON.stringify(adultForecastRequest()),
    },
    {
      name: 'CDS patient-view, full prefetch (2-year-old)',
      method: 'POST',
      path: '/cds-services/immunization-forecast',
      contentType: 'application/json',
      body: JSON.stringify(patientViewRequest()),
    },
  ];

  const rows: Row[] = [];
  try {
    for (const s of scenarios) {
      // One request first: a scenario the service cannot answer is reported, not measured.
      const probe = await fetch(`${base}${s.path}`, {
        method: s.method,
        ...(s.body === undefined
          ? {}
          : { body: s.body, headers: { 'content-type': s.contentType ?? 'application/json' } }),
      });
      await probe.arrayBuffer();
      if (probe.status !== 200) {
        rows.push({
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
      await autocannon({
        url: `${base}${s.path}`,
        method: s.method,
        connections,
        amount: 500,
        ...(s.body === undefined
          ? {}
          : { body: s.body, headers: { 'content-type': s.contentType ?? 'application/json' } }),
      });
      rows.push(await run(base, pid, s, duration, connections));
    }
  } finally {
    child.kill('SIGTERM');
  }

  const fmt = (n: number, digits = 0): string => (Number.isNaN(n) ? '—' : n.toFixed(digits));
  console.log(
    `\nmachine: ${availableParallelism()} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`,
  );
  console.log(
    `service: node dist/src/main.js, WORKERS=1, LOG_LEVEL=info (${lines} log lines), ${connections} connections, ${duration} s per scenario`,
  );
  console.log(
    `start-up: ${listening.startupMs} ms rule sets loaded and validated; ${fmt(readyMs)} ms from spawn to listening\n`,
  );
  console.log('| scenario | req/s | p50 ms | p99 ms | errors | requests | peak RSS MB |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    if (r.note !== undefined) {
      console.log(`| ${r.name} | ${r.note} | | | | | |`);
    } else {
      console.log(
        `| ${r.name} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.errors)} | ${r.requests} | ${fmt(r.peakRssMb)} |`,
      );
    }
  }
  const floor = rows[0]?.rps ?? NaN;
  console.log('');
  for (const r of rows.slice(1)) {
    if (r.note === undefined) {
      console.log(`ratio ${r.name} / healthz: ${fmt(r.rps / floor, 2)}`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
