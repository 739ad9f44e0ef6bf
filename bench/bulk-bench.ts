/**
 * `npm run bench:bulk`: bulk forecasting throughput and memory, on a synthetic population
 * (bench/population.ts: ages 0–90, histories from the CDC schedule).
 *
 * Scenarios (each in its own process, whose RSS is sampled every 100 ms from /proc):
 * 1. HTTP, the service as shipped (`node dist/src/main.js`, `WORKERS=1`): one
 *    `POST /fhir/$immds-forecast-bulk` stream of every patient; forecasts on the request's thread.
 * 2. HTTP, the service with `WORKERS=1 BULK_THREADS=<threads>`: the same stream, forecast on
 *    worker threads (how one stream uses every core).
 * 3. CLI: `forecast-bulk` on the population as a FHIR bulk export folder (grouping included).
 *
 * Printed per scenario: patients, seconds, patients/s, peak RSS, and RSS at 25/50/75 % (HTTP: and 100 %) of the
 * run (flat memory shows as flat figures).
 *
 *     npm run bench:bulk                                  # 20 000 patients, threads = CPUs
 *     npm run bench:bulk -- --patients 50000 --threads 2
 *     npm run bench:bulk -- --only cli --cli-patients 1000000 --discard-output
 *
 * `--discard-output` sends the CLI's output files to /dev/null (a million patients make about
 * 60 GB of FHIR output); `--keep` keeps the inputs; `--export DIR` runs the CLI on an existing
 * bulk-export folder (one kept by `--keep`, or a registry's own) instead of generating one;
 * `--compress gzip|br` has the CLI write its output compressed (with `--discard-output` it still
 * compresses, then discards) and the HTTP client ask for it (`Accept-Encoding`; the bench
 * decompresses the answer on the same cores). The assessment date is fixed at 2026-11-01 so that runs compare.
 *
 * The CLI's row also gives the seconds of its grouping pass (reading the export and writing the
 * partition files, before the first forecast): on a slow disk it is what separates the overall
 * rate from the rate of the second half.
 *
 * @packageDocumentation
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { request } from 'node:http';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip } from 'node:zlib';
import { CODEC_SUFFIX, CODECS, type Codec } from '../src/bulk/compressed-batches';
import { findRepoRoot } from '../src/rules/repo-root';
import { writeBulkExport, writeParametersNdjson } from './population';

function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
}

function intOption(argv: readonly string[], name: string, fallback: number): number {
  const v = option(argv, name);
  if (v === undefined) {
    return fallback;
  }
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${name} must be a positive whole number`);
  }
  return n;
}

function rssMb(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? NaN : Number(kb) / 1024;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds a process has used so far, all its threads (utime + stime of `/proc/<pid>/stat`,
 * in clock ticks of 1/100 s — USER_HZ on Linux).
 */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The machine's CPU time so far, in ticks: all of it, and what the hypervisor took (steal). */
function machineTicks(): { total: number; steal: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const ticks = cpu.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: ticks.reduce((a, b) => a + b, 0), steal: ticks[7] ?? 0 };
}

/**
 * Samples a process every 100 ms: peak RSS, RSS at marked points of progress, and the CPU time
 * it used; and the share of the machine's time the hypervisor took meanwhile (steal). Why the
 * CPU time: on a VM whose neighbours take the CPU in episodes, patients/s alone cannot tell a
 * slower program from a busier host; CPU time per patient can.
 */
function processSampler(pid: number) {
  let peak = 0;
  const marks: number[] = [];
  /**
   * Patients done, time and CPU seconds at each mark (the second half of a run: from the second
   * mark on; the CLI reports its progress about once a second, so its mark comes a little late).
   */
  const markDone: number[] = [];
  const markTimes: number[] = [];
  const markCpu: number[] = [];
  const cpuAtStart = cpuSeconds(pid);
  let cpuNow = cpuAtStart;
  const machineAtStart = machineTicks();
  const timer = setInterval(() => {
    const now = rssMb(pid);
    if (now > peak) {
      peak = now;
    }
    const cpu = cpuSeconds(pid);
    if (Number.isFinite(cpu)) {
      cpuNow = cpu; // the last reading before the process ends
    }
  }, 100);
  return {
    mark: (done: number) => {
      marks.push(rssMb(pid));
      markDone.push(done);
      markTimes.push(performance.now());
      markCpu.push(cpuSeconds(pid));
    },
    stop: () => {
      clearInterval(timer);
      const cpu = cpuSeconds(pid);
      const cpuEnd = Number.isFinite(cpu) ? cpu : cpuNow;
      const machine = machineTicks();
      const total = machine.total - machineAtStart.total;
      const halfTime = markTimes[1];
      const halfCpu = markCpu[1];
      const halfDone = markDone[1];
      return {
        peak,
        marks,
        cpuSeconds: cpuEnd - cpuAtStart,
        secondHalf:
          halfTime === undefined || halfCpu === undefined || halfDone === undefined
            ? undefined
            : {
                doneBefore: halfDone,
                seconds: (performance.now() - halfTime) / 1000,
                cpuSeconds: cpuEnd - halfCpu,
              },
        stealPercent: total > 0 ? ((machine.steal - machineAtStart.steal) / total) * 100 : NaN,
      };
    },
  };
}

interface Row {
  readonly name: string;
  readonly patients: number;
  readonly seconds: number;
  readonly errors: number;
  readonly peakRssMb: number;
  readonly marks: number[];
  /** CPU seconds of the forecasting process (service or CLI), all threads, GC included. */
  readonly cpuSeconds: number;
  /** Share of the machine's CPU time taken by the hypervisor during the run. */
  readonly stealPercent: number;
  /** CLI: seconds before forecasting started (the grouping pass of a bulk export). */
  readonly groupingSeconds?: number | undefined;
  /**
   * Seconds and CPU seconds of the second half of the patients: each worker thread's JIT takes
   * thousands of patients to warm up, which a nightly run of millions does not notice.
   */
  readonly secondHalf:
    | { readonly doneBefore: number; readonly seconds: number; readonly cpuSeconds: number }
    | undefined;
}

async function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${what} did not start:\n${out}`));
    }, 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`${what} exited:\n${out}`));
    });
  });
}

const NEWLINE = 0x0a;
/** How an error line starts (an answer starts with `{"resourceType":"Parameters"`). */
const OUTCOME_START = Buffer.from('{"resourceType":"OperationOutcome"');

/** Streams the NDJSON file to the bulk route and reads the answer; RSS marks at each quarter. */
async function streamOnce(
  port: number,
  file: string,
  patients: number,
  pid: number,
  name: string,
  codec: Codec | undefined,
): Promise<Row> {
  const sampler = processSampler(pid);
  const started = performance.now();
  let lines = 0;
  let errors = 0;
  let nextMark = patients / 4;
  await new Promise<void>((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/fhir/$immds-forecast-bulk?assessmentDate=2026-11-01',
      headers: {
        'Content-Type': 'application/fhir+ndjson',
        ...(codec === undefined ? {} : { 'Accept-Encoding': codec }),
      },
    });
    req.on('error', reject);
    req.on('response', (message) => {
      if (message.statusCode !== 200) {
        reject(new Error(`status ${message.statusCode}`));
        return;
      }
      if (message.headers['content-encoding'] !== codec) {
        reject(
          new Error(
            `asked for ${codec ?? 'identity'}, got ${message.headers['content-encoding'] ?? 'identity'}`,
          ),
        );
        return;
      }
      // A compressed answer is decompressed here (on the same cores: a real client would do it
      // on its own machine).
      const res: Readable =
        codec === undefined
          ? message
          : message.pipe(codec === 'br' ? createBrotliDecompress() : createGunzip());
      // Counted on the bytes (the client must not be what limits the run: decoding 60 kB of
      // text per patient would cost it about as much CPU as the forecast costs the server).
      let lineStart = Buffer.alloc(0); // the first bytes of the line being received
      res.on('data', (chunk: Buffer) => {
        let from = 0;
        for (;;) {
          if (lineStart.length < OUTCOME_START.length) {
            const end = chunk.indexOf(NEWLINE, from);
            const take = (end === -1 ? chunk.length : end) - from;
            lineStart = Buffer.concat([
              lineStart,
              chunk.subarray(from, from + Math.min(take, OUTCOME_START.length - lineStart.length)),
            ]);
          }
          const end = chunk.indexOf(NEWLINE, from);
          if (end === -1) {
            break;
          }
          lines += 1;
          if (lineStart.equals(OUTCOME_START)) {
            errors += 1;
          }
          lineStart = Buffer.alloc(0);
          from = end + 1;
          if (lines >= nextMark) {
            sampler.mark(lines);
            nextMark += patients / 4;
          }
        }
      });
      res.on('end', () => {
        resolve();
      });
      res.on('error', reject);
    });
    createReadStream(file).pipe(req);
  });
  const seconds = (performance.now() - started) / 1000;
  const { peak, marks, cpuSeconds, stealPercent, secondHalf } = sampler.stop();
  if (lines !== patients) {
    throw new Error(`${name}: ${lines} answer lines for ${patients} patients`);
  }
  return {
    name,
    patients,
    seconds,
    errors,
    peakRssMb: peak,
    marks,
    cpuSeconds,
    stealPercent,
    secondHalf,
  };
}

async function httpScenario(
  root: string,
  file: string,
  patients: number,
  name: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  codec: Codec | undefined,
): Promise<Row> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const line = await waitForLine(child, ready, name);
    const port = (JSON.parse(line) as { port: number }).port;
    return await streamOnce(port, file, patients, child.pid ?? 0, name, codec);
  } finally {
    child.kill('SIGTERM');
  }
}

async function cliScenario(
  root: string,
  exportDir: string,
  threads: number,
  discard: boolean,
  compress: Codec | undefined,
  work: string,
): Promise<Row> {
  const out = join(work, 'cli-out');
  mkdirSync(out, { recursive: true });
  if (discard) {
    for (const f of [
      'ImmunizationRecommendation',
      'ImmunizationEvaluation',
      'information',
      'errors',
    ]) {
      const suffix = compress === undefined ? '' : CODEC_SUFFIX[compress];
      const path = join(out, `${f}.ndjson${suffix}`);
      if (!existsSync(path)) {
        symlinkSync('/dev/null', path);
      }
    }
  }
  const child = spawn(
    process.execPath,
    [
      join(root, 'dist', 'src', 'cli', 'forecast-bulk.js'),
      exportDir,
      '--out',
      out,
      '--force',
      '--assessment-date',
      '2026-11-01',
      '--workers',
      String(threads),
      '--tmp-dir',
      work,
      ...(compress === undefined ? [] : ['--compress', compress]),
    ],
    { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] },
  );
  const sampler = processSampler(child.pid ?? 0);
  const started = performance.now();
  let stderr = '';
  let nextMark = 0.25;
  let groupingSeconds: number | undefined;
  child.stderr.on('data', (d: Buffer) => {
    const text = d.toString();
    stderr += text;
    process.stderr.write(text);
    // "forecast-bulk: 100,000 patients, 2,593,231 resources (19 partition(s)); forecasting…"
    if (groupingSeconds === undefined && stderr.includes('forecasting…')) {
      groupingSeconds = (performance.now() - started) / 1000;
    }
    // Progress lines: "forecast-bulk: 12,345 patients, 1,234/s, 40%, ETA …"
    for (const m of text.matchAll(/forecast-bulk: ([\d,]+) patients, [\d,]+\/s, (\d+)%/g)) {
      const done = Number(m[2]) / 100;
      while (done >= nextMark && nextMark < 1) {
        sampler.mark(Number(m[1]?.replaceAll(',', '')));
        nextMark += 0.25;
      }
    }
  });
  const code = await new Promise<number>((resolve) =>
    child.on('exit', (c) => {
      resolve(c ?? 2);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const { peak, marks, cpuSeconds, stealPercent, secondHalf } = sampler.stop();
  if (code === 2) {
    throw new Error(`forecast-bulk failed:\n${stderr}`);
  }
  const summary = /([\d,]+) patients forecast, ([\d,]+) error/.exec(stderr);
  const forecast = Number(summary?.[1]?.replaceAll(',', '') ?? NaN);
  return {
    name: `CLI forecast-bulk, bulk-export folder, ${threads} thread(s)${compress === undefined ? '' : `, --compress ${compress}`}${discard ? ', output discarded' : ''}`,
    patients: forecast,
    seconds,
    errors: Number(summary?.[2]?.replaceAll(',', '') ?? NaN),
    peakRssMb: peak,
    marks,
    cpuSeconds,
    stealPercent,
    secondHalf,
    groupingSeconds,
  };
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';
}

const USAGE = `usage: npm run bench:bulk -- [--patients N] [--cli-patients N] [--threads N]
       [--only http|cli] [--discard-output] [--keep] [--export DIR] [--compress gzip|br]`;
const FLAGS = new Set(['--discard-output', '--keep']);
const VALUED = new Set([
  '--patients',
  '--cli-patients',
  '--threads',
  '--only',
  '--export',
  '--compress',
]);

/** Refuses a mistyped option (and answers --help) before minutes of generation start. */
function checkArgs(argv: readonly string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (VALUED.has(a)) {
      i++;
    } else if (!FLAGS.has(a)) {
      console.error(`unknown option ${a}\n${USAGE}`);
      process.exit(2);
    }
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  checkArgs(argv);
  const root = findRepoRoot(__dirname);
  const patients = intOption(argv, '--patients', 20_000);
  const cliPatients = intOption(argv, '--cli-patients', patients);
  const threads = intOption(argv, '--threads', availableParallelism());
  const only = option(argv, '--only');
  const discard = argv.includes('--discard-output');
  const compress = option(argv, '--compress');
  const codec = CODECS.find((c) => c === compress);
  if (compress !== undefined && codec === undefined) {
    throw new Error(`--compress must be ${CODECS.join(' or ')}`);
  }
  const encodingLabel = codec === undefined ? '' : `, Accept-Encoding: ${codec}`;
  const work = mkdtempSync(join(tmpdir(), 'bulk-bench-'));
  const rows: Row[] = [];
  console.error(
    `machine: ${availableParallelism()} CPUs, ${cpus()[0]?.model ?? '?'}, node ${process.version}; work folder ${work}`,
  );
  try {
    if (only !== 'cli') {
      const file = join(work, 'population.ndjson');
      const t = performance.now();
      await writeParametersNdjson(file, patients, { assessmentDate: '2026-11-01' });
      console.error(
        `generated ${patients} patients as NDJSON in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      const serviceEnv = {
        HOST: '127.0.0.1',
        PORT: '0',
        WORKERS: '1',
        LOG_LEVEL: 'info',
        REQUEST_TIMEOUT_MS: '3600000',
      };
      rows.push(
        await httpScenario(
          root,
          file,
          patients,
          `HTTP $immds-forecast-bulk, service as shipped (WORKERS=1, request thread)${encodingLabel}`,
          [join(root, 'dist', 'src', 'main.js')],
          serviceEnv,
          /"msg":"listening"/,
          codec,
        ),
      );
      rows.push(
        await httpScenario(
          root,
          file,
          patients,
          `HTTP $immds-forecast-bulk, WORKERS=1 BULK_THREADS=${threads} (worker threads)${encodingLabel}`,
          [join(root, 'dist', 'src', 'main.js')],
          { ...serviceEnv, BULK_THREADS: String(threads) },
          /"msg":"listening"/,
          codec,
        ),
      );
    }
    if (only !== 'http') {
      let exportDir = option(argv, '--export');
      if (exportDir === undefined) {
        exportDir = join(work, 'export');
        const t = performance.now();
        await writeBulkExport(exportDir, cliPatients, { assessmentDate: '2026-11-01' });
        console.error(
          `generated ${cliPatients} patients as a bulk export in ${((performance.now() - t) / 1000).toFixed(1)} s`,
        );
      }
      rows.push(await cliScenario(root, exportDir, threads, discard, codec, work));
    }
  } finally {
    if (!argv.includes('--keep')) {
      rmSync(work, { recursive: true, force: true });
    }
  }
  console.log(
    '| scenario | patients | seconds | grouping s | patients/s | CPU ms/patient | 2nd half: patients/s | 2nd half: CPU ms/patient | steal % | error lines | peak RSS MB | RSS MB at 25/50/75(/100) % |',
  );
  console.log(
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const r of rows) {
    const half = r.patients - (r.secondHalf?.doneBefore ?? NaN); // patients after the half-way mark
    console.log(
      `| ${r.name} | ${fmt(r.patients)} | ${fmt(r.seconds, 1)} | ${fmt(r.groupingSeconds ?? NaN, 1)} | ${fmt(r.patients / r.seconds)} | ${fmt((r.cpuSeconds * 1000) / r.patients, 2)} | ${fmt(half / (r.secondHalf?.seconds ?? NaN))} | ${fmt(((r.secondHalf?.cpuSeconds ?? NaN) * 1000) / half, 2)} | ${fmt(r.stealPercent)} | ${fmt(r.errors)} | ${fmt(r.peakRssMb)} | ${r.marks.map((m) => fmt(m)).join(' / ')} |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
