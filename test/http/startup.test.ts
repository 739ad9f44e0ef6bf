/**
 * Starts the real service (src/main.ts, run through tsx) as a child process: it must come up and
 * be ready with the committed rules, and refuse to start — exit 1 with every problem as
 * `file: pointer: message` — when a rule table or the configuration is invalid.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../../src/rules/manifest';
import { findRepoRoot } from '../../src/rules/repo-root';
import { inputLine, ndjsonOf, patientOf } from '../bulk/support';

const ROOT = findRepoRoot(__dirname);
const MAIN = join(ROOT, 'src', 'main.ts');

interface Started {
  readonly exitCode: Promise<number | null>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly kill: (signal: NodeJS.Signals) => void;
}

function startService(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', MAIN], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    exitCode: new Promise((resolve) => {
      child.on('exit', (code) => {
        resolve(code);
      });
    }),
    stdout: () => out,
    stderr: () => err,
    kill: (signal) => child.kill(signal),
  };
}

async function waitFor(predicate: () => boolean, ms: number): Promise<void> {
  const until = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
  while (!predicate()) {
    if (process.hrtime.bigint() > until) {
      throw new Error('timed out');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) {
    rmSync(t, { recursive: true, force: true });
  }
});

/** A copy of the committed rules in which one antigen file gets an unknown property (re-hashed). */
function brokenRules(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rules-broken-'));
  temps.push(dir);
  cpSync(join(ROOT, 'rules'), dir, { recursive: true });
  const version = join(dir, 'cdsi', '4.64');
  const file = join(version, 'antigens', 'measles.json');
  const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  data['unexpected'] = true;
  const text = JSON.stringify(data, null, 2) + '\n';
  writeFileSync(file, text);
  const manifestPath = join(version, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    files: Record<string, string>;
  };
  manifest.files['antigens/measles.json'] = sha256(text);
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  return dir;
}

describe('service start-up', () => {
  test('starts with the committed rules, reports ready, and stops cleanly on SIGTERM', async () => {
    const svc = startService({});
    await waitFor(() => svc.stdout().includes('"listening"'), 20_000);
    const line =
      svc
        .stdout()
        .split('\n')
        .find((l) => l.includes('"listening"')) ?? '';
    const { port, ruleSets } = JSON.parse(line) as { port: number; ruleSets: string[] };
    expect(ruleSets).toContain('cdc-cdsi@4.64');
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    svc.kill('SIGTERM');
    expect(await svc.exitCode).toBe(0);
  }, 30_000);

  test('refuses to start when a rule table is invalid, naming the file and JSON pointer', async () => {
    const svc = startService({ RULES_DIR: brokenRules() });
    expect(await svc.exitCode).toBe(1);
    expect(svc.stderr()).toMatch(/refusing to start/);
    expect(svc.stderr()).toMatch(/cdsi\/4\.64\/antigens\/measles\.json: \/: .*unexpected/);
    expect(svc.stdout()).not.toMatch(/listening/);
  }, 30_000);

  test('refuses to start on an invalid configuration, listing every problem', async () => {
    const svc = startService({ PORT: 'eighty', DEFAULT_RULE_SET_VERSION: '../x' });
    expect(await svc.exitCode).toBe(1);
    expect(svc.stderr()).toMatch(/PORT/);
    expect(svc.stderr()).toMatch(/DEFAULT_RULE_SET_VERSION/);
  }, 30_000);

  test('refuses to start when CDS_TRUSTED_ISSUERS_FILE names a missing file', async () => {
    const svc = startService({ CDS_TRUSTED_ISSUERS_FILE: '/nonexistent/issuers.json' });
    expect(await svc.exitCode).toBe(1);
    expect(svc.stderr()).toMatch(/CDS_TRUSTED_ISSUERS_FILE .*\/nonexistent\/issuers\.json/);
    expect(svc.stdout()).not.toMatch(/listening/);
  }, 30_000);

  test('with BULK_THREADS, forecasts bulk streams on worker threads and still stops cleanly', async () => {
    const svc = startService({ CDS_AUTH: 'disabled', WORKERS: '1', BULK_THREADS: '1' });
    await waitFor(() => svc.stdout().includes('"listening"'), 30_000);
    const line =
      svc
        .stdout()
        .split('\n')
        .find((l) => l.includes('"listening"')) ?? '';
    const { port, bulkThreads } = JSON.parse(line) as { port: number; bulkThreads: number };
    expect(bulkThreads).toBe(1);
    const res = await fetch(
      `http://127.0.0.1:${port}/fhir/$immds-forecast-bulk?assessmentDate=2025-06-01`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/fhir+ndjson' },
        body: `${inputLine('p1', '2024-01-10')}\nnot json\n${inputLine('p2', '2024-03-10')}\n`,
      },
    );
    expect(res.status).toBe(200);
    const answers = ndjsonOf(await res.text());
    expect(answers.map(patientOf)).toEqual(['Patient/p1', undefined, 'Patient/p2']);
    expect(answers[1]).toMatchObject({ resourceType: 'OperationOutcome', id: 'line-2' });
    svc.kill('SIGTERM');
    expect(await svc.exitCode).toBe(0);
  }, 60_000);

  test('warns at start-up when CDS Hooks authentication is disabled', async () => {
    const svc = startService({ CDS_AUTH: 'disabled', WORKERS: '1' });
    await waitFor(() => svc.stdout().includes('"listening"'), 20_000);
    expect(svc.stdout()).toMatch(/"level":"warn".*CDS_AUTH=disabled/);
    svc.kill('SIGTERM');
    expect(await svc.exitCode).toBe(0);
  }, 30_000);
});
