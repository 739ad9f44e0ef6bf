/**
 * The `forecast-bulk` command end to end on small folders: bulk-export grouping (split files,
 * a patient without immunizations, a condition, resources of unknown patients, broken lines),
 * NDJSON input, sharding (every patient exactly once across shards), compressed output, usage
 * errors, a run stopped by a signal (its temporary partitions removed).
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { ImmunizationEvaluation, ImmunizationRecommendation, OperationOutcome } from 'fhir/r4';
import { writeBulkExport, writeParametersNdjson } from '../../bench/population';
import { readExport, findExportFiles } from '../../src/bulk/bulk-export';
import type { BulkItem, SourceLine } from '../../src/bulk/forecast-item';
import { patientSources } from '../../src/bulk/partition-record';
import { EXIT, OUTPUT_FILES, runForecastBulk, type BulkCliIo } from '../../src/cli/forecast-bulk';
import { cvx, immunization, patient } from '../fhir/builders';
import { ROOT } from '../runtime/helpers';
import { inputLine } from './support';

/** The patients of an export as read, with their resource lines decoded. */
async function patientsOf(
  items: AsyncIterable<BulkItem>,
): Promise<{ patientId: string; patient: SourceLine; resources: SourceLine[] }[]> {
  const patients = [];
  for await (const item of items) {
    if (item.kind !== 'patient') {
      throw new Error(`an export gives patients, not ${item.kind}`);
    }
    patients.push({ patientId: item.patientId, ...patientSources(item) });
  }
  return patients;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'forecast-bulk-test-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function io(): BulkCliIo & { text: () => string } {
  const lines: string[] = [];
  return {
    log: (t) => lines.push(t),
    error: (t) => lines.push(t),
    progress: { write: (t) => lines.push(t), isTTY: false },
    stdin: (async function* () {})(),
    text: () => lines.join('\n'),
  };
}

const ndjson = (rows: readonly object[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');
function read<T>(folder: string, file: string): T[] {
  return readFileSync(join(folder, file), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

describe('a bulk-export folder', () => {
  let out: string;
  let code: number;
  let log: string;
  beforeAll(async () => {
    const exp = join(dir, 'export');
    mkdirSync(exp);
    const ref = (id: string) => ({ patient: { reference: `Patient/${id}` } });
    writeFileSync(
      join(exp, 'Patient.ndjson'),
      ndjson([
        patient({ id: 'kid', birthDate: '2024-03-15' }),
        patient({ id: 'nodoses', birthDate: '2025-01-10', gender: 'male' }),
        patient({ id: 'immune', birthDate: '1990-05-05' }),
      ]) + '{"resourceType":"Patient"}\n',
    );
    // The kid's doses are split over two files, as $export does for big types.
    writeFileSync(
      join(exp, 'Immunization.000.ndjson'),
      ndjson([
        immunization('hepb-1', '2024-03-15', cvx('08'), ref('kid')),
        immunization('orphan-1', '2024-03-15', cvx('08'), ref('nobody')),
      ]),
    );
    writeFileSync(
      join(exp, 'Immunization.001.ndjson'),
      ndjson([
        immunization('hepb-2', '2024-04-19', cvx('08'), {
          patient: { reference: 'https://ehr.example/fhir/Patient/kid' },
        }),
        // History of varicella, as an Immunization not done with a reason: evidence of immunity.
        immunization('var-history', '2000-01-01', cvx('21'), {
          ...ref('immune'),
          status: 'not-done',
          statusReason: { coding: [{ system: 'http://snomed.info/sct', code: '38907003' }] },
        }),
      ]) + 'not json\n',
    );
    writeFileSync(
      join(exp, 'Condition.ndjson'),
      ndjson([
        {
          resourceType: 'Condition',
          id: 'c1',
          subject: { reference: 'Patient/immune' },
          code: { coding: [{ system: 'http://snomed.info/sct', code: '38907003' }] },
        },
      ]),
    );
    writeFileSync(join(exp, 'Practitioner.ndjson'), '');
    out = join(dir, 'out-export');
    const o = io();
    code = await runForecastBulk(
      [exp, '--out', out, '--assessment-date', '2026-03-20', '--workers', '1'],
      o,
    );
    log = o.text();
  }, 60_000);

  test('forecasts every patient, including one without immunizations', () => {
    const recs = read<ImmunizationRecommendation>(out, 'ImmunizationRecommendation.ndjson');
    expect(recs.map((r) => r.patient.reference).sort()).toEqual([
      'Patient/immune',
      'Patient/kid',
      'Patient/nodoses',
    ]);
    expect(recs.map((r) => r.id).sort()).toEqual(['immune', 'kid', 'nodoses']);
    for (const r of recs) {
      expect(r.date).toBe('2026-03-20');
    }
  });

  test("gathers a patient's resources from every file and reference form", () => {
    const evals = read<ImmunizationEvaluation>(out, 'ImmunizationEvaluation.ndjson');
    expect(evals.map((e) => [e.id, e.patient.reference, e.immunizationEvent.reference])).toEqual([
      ['kid-e1', 'Patient/kid', 'Immunization/hepb-1'],
      ['kid-e2', 'Patient/kid', 'Immunization/hepb-2'],
    ]);
    const kid = read<ImmunizationRecommendation>(out, 'ImmunizationRecommendation.ndjson').find(
      (r) => r.id === 'kid',
    )!;
    const hepb = kid.recommendation.find((r) => r.targetDisease?.text === 'HepB')!;
    expect(hepb.doseNumberPositiveInt).toBe(3);
    expect(hepb.supportingImmunization?.map((s) => s.reference)).toEqual([
      'ImmunizationEvaluation/kid-e1',
      'ImmunizationEvaluation/kid-e2',
    ]);
  });

  test("uses a patient's conditions and vaccines not given for a reason", () => {
    const recs = read<ImmunizationRecommendation>(out, 'ImmunizationRecommendation.ndjson');
    const status = (id: string, group: string) =>
      recs.find((r) => r.id === id)!.recommendation.find((r) => r.targetDisease?.text === group)!
        .forecastStatus.text;
    expect(status('immune', 'Varicella')).toBe('Immune');
    expect(status('nodoses', 'Varicella')).not.toBe('Immune');
    // The Condition was read (history of varicella, as the CDSi observation).
    const info = read<OperationOutcome>(out, 'information.ndjson').flatMap((o) =>
      o.issue.map((i) => i.diagnostics),
    );
    expect(info).toContainEqual(
      expect.stringMatching(
        /^Condition\/c1 \(Condition.ndjson line 1\): Read as CDSi observation \d+/,
      ),
    );
  });

  test('reports what it could not use by file and line, and exits 1', () => {
    const errors = read<OperationOutcome>(out, 'errors.ndjson').map((o) => o.issue[0]!.diagnostics);
    expect(errors.sort()).toEqual([
      "Immunization.000.ndjson line 2: refers to Patient/nobody, which is not in the export's Patient files",
      'Immunization.001.ndjson line 3: the line is not valid JSON',
      'Patient.ndjson line 4: Patient.id is missing or not a FHIR id',
    ]);
    expect(code).toBe(EXIT.inputErrors);
    expect(log).toMatch(/note: Practitioner.ndjson is not used/);
    expect(log).toMatch(
      /3 patients forecast, 3 error\(s\) in [\d.]+ s \(\d+ patients\/s overall\); assessment date 2026-03-20, cdc-cdsi@4.64/,
    );
    // Never a patient identifier on stderr.
    expect(log).not.toMatch(/kid|immune|nodoses/);
  });
});

test('NDJSON input: one patient per line, errors by line number', async () => {
  const file = join(dir, 'in.ndjson');
  writeFileSync(file, [inputLine('a', '2024-01-01'), '{', inputLine('b', '2023-01-01')].join('\n'));
  const out = join(dir, 'out-ndjson');
  expect(
    await runForecastBulk(
      [file, '--out', out, '--assessment-date', '2026-03-20', '--workers', '0', '--quiet'],
      io(),
    ),
  ).toBe(EXIT.inputErrors);
  expect(
    read<ImmunizationRecommendation>(out, 'ImmunizationRecommendation.ndjson').map((r) => [
      r.id,
      r.patient.reference,
    ]),
  ).toEqual([
    ['l1', 'Patient/a'],
    ['l3', 'Patient/b'],
  ]);
  expect(read<OperationOutcome>(out, 'errors.ndjson')).toEqual([
    expect.objectContaining({
      id: 'line-2',
      issue: [
        expect.objectContaining({ diagnostics: expect.stringMatching(/^line 2: /) as unknown }),
      ],
    }),
  ]);
  // A second run into the same folder needs --force.
  const o = io();
  expect(await runForecastBulk([file, '--out', out, '--workers', '0'], o)).toBe(EXIT.usage);
  expect(o.text()).toMatch(/already holds .*use --force/);
}, 30_000);

describe('sharding', () => {
  const patients = 120;
  let exp: string;
  beforeAll(async () => {
    exp = join(dir, 'population');
    await writeBulkExport(exp, patients, { assessmentDate: '2026-03-20', seed: 7, perFile: 500 });
  });

  test('n shards together forecast every patient exactly once', async () => {
    const seen: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const out = join(dir, `shard-${i}`);
      const code = await runForecastBulk(
        [
          exp,
          '--out',
          out,
          '--assessment-date',
          '2026-03-20',
          '--workers',
          '0',
          '--quiet',
          '--shard',
          `${i}/3`,
        ],
        io(),
      );
      expect(code).toBe(EXIT.ok);
      const ids = read<ImmunizationRecommendation>(out, 'ImmunizationRecommendation.ndjson').map(
        (r) => r.patient.reference!,
      );
      expect(ids.length).toBeGreaterThan(patients / 6); // each shard gets a fair part
      seen.push(...ids);
    }
    expect(seen).toHaveLength(patients);
    expect(new Set(seen)).toEqual(
      new Set(Array.from({ length: patients }, (_, n) => `Patient/p${n}`)),
    );
  }, 120_000);

  test('NDJSON input is sharded by patient id the same way as an export', async () => {
    const file = join(dir, 'population.ndjson');
    await writeParametersNdjson(file, 60, { assessmentDate: '2026-03-20', seed: 7 });
    const out = join(dir, 'shard-ndjson');
    const o = io();
    await runForecastBulk(
      [file, '--out', out, '--assessment-date', '2026-03-20', '--workers', '0', '--shard', '2/3'],
      o,
    );
    const fromNdjson = read<ImmunizationRecommendation>(
      out,
      'ImmunizationRecommendation.ndjson',
    ).map((r) => r.patient.reference);
    const fromExport = read<ImmunizationRecommendation>(
      join(dir, 'shard-2'),
      'ImmunizationRecommendation.ndjson',
    )
      .map((r) => r.patient.reference!)
      .filter((ref) => Number(ref.slice('Patient/p'.length)) < 60);
    expect(fromNdjson.sort()).toEqual(fromExport.sort());
    expect(o.text()).toMatch(/lines of other shards skipped/);
  }, 60_000);
});

test('grouping across many partitions keeps each patient whole', async () => {
  const exp = join(dir, 'partitions');
  await writeBulkExport(exp, 300, { assessmentDate: '2026-03-20', seed: 3, perFile: 1000 });
  const tmp = mkdtempSync(join(dir, 'tmp-'));
  const errors: string[] = [];
  const reader = readExport({
    files: findExportFiles(exp).files,
    tmpDir: tmp,
    onError: (t) => void errors.push(t),
    partitionBytes: 20_000,
  });
  const summary = await reader.partition();
  expect(summary.partitions).toBeGreaterThan(10);
  expect(summary.patients).toBe(300);
  const items = await patientsOf(reader.items());
  expect(errors).toEqual([]);
  expect(items).toHaveLength(300);
  const resources = items.flatMap((i) => i.resources);
  expect(resources.length + 300).toBe(summary.resources);
  for (const item of items) {
    for (const r of item.resources) {
      expect(r.text).toContain(`"Patient/${item.patientId}"`);
    }
  }
}, 60_000);

test('every resource reaches its patient as written, with its file and line; bad lines are reported in order', async () => {
  const exp = join(dir, 'lines');
  await writeBulkExport(exp, 120, { assessmentDate: '2026-03-20', seed: 5, perFile: 700 });
  // Broken lines at the end of the first Immunization file and of the Patient file, a blank
  // line, and a multi-byte character (lines are counted in bytes).
  const imm0 = join(exp, 'Immunization.000.ndjson');
  writeFileSync(
    imm0,
    readFileSync(imm0, 'utf8') +
      'not json\n' +
      '\n' +
      '{"resourceType":"Condition","subject":{"reference":"Patient/p1"}}\n' +
      '{"resourceType":"Immunization","id":"no-patient"}\n' +
      '{"resourceType":"Immunization","id":"ñ","patient":{"reference":"Patient/p2"},"status":"completed"}\n',
  );
  const pat = join(exp, 'Patient.ndjson');
  writeFileSync(
    pat,
    readFileSync(pat, 'utf8') + '{"resourceType":"Patient","id":"p3","birthDate":"2020-01-01"}\n',
  );
  const files = findExportFiles(exp).files;
  const lineText = new Map<string, string>();
  let bytes = 0;
  let lineCount = 0;
  for (const f of files) {
    const text = readFileSync(f.path, 'utf8');
    bytes += Buffer.byteLength(text);
    const lines = text.split('\n');
    lines.pop();
    lineCount += lines.length;
    lines.forEach((l, i) => lineText.set(`${f.name}:${i + 1}`, l));
  }
  const tmp = mkdtempSync(join(dir, 'tmp-'));
  const errors: string[] = [];
  const progress: [number, number][] = [];
  const reader = readExport({
    files,
    tmpDir: tmp,
    onError: (t) => void errors.push((JSON.parse(t) as OperationOutcome).issue[0]!.diagnostics!),
    onReadProgress: (b, l) => void progress.push([b, l]),
    partitionBytes: 10_000,
  });
  const summary = await reader.partition();
  expect(summary.partitions).toBeGreaterThan(20);
  expect(progress.at(-1)).toEqual([bytes, lineCount]);
  const items = await patientsOf(reader.items());
  const imm0Lines = readFileSync(imm0, 'utf8').split('\n').length - 1;
  const patLines = readFileSync(pat, 'utf8').split('\n').length - 1;
  expect(errors).toEqual([
    `Immunization.000.ndjson line ${imm0Lines - 4}: the line is not valid JSON`,
    `Immunization.000.ndjson line ${imm0Lines - 2}: the line is not a resource of type Immunization`,
    `Immunization.000.ndjson line ${imm0Lines - 1}: Immunization.patient must be a reference to a Patient (Patient/<id>)`,
    `Patient.ndjson line ${patLines}: Patient/p3 appears again (first in Patient.ndjson line 4); this copy is not used`,
  ]);
  expect(items).toHaveLength(120);
  let seen = 0;
  for (const item of items) {
    for (const r of [item.patient, ...item.resources]) {
      seen += 1;
      expect(r.text).toBe(lineText.get(`${r.file}:${r.line}`));
      expect(r.type).toBe(r.file.replace(/[._].*$/, ''));
    }
    expect(item.patient.text).toContain(`"id":"${item.patientId}"`);
  }
  // Every line but the 3 refused, the blank one and the second copy of Patient/p3.
  expect(seen).toBe(lineCount - 3 - 1 - 1);
  expect(seen).toBe(summary.resources - 1);
  const p2 = items.find((i) => i.patientId === 'p2');
  expect(p2?.resources.at(-1)?.text).toContain('"id":"ñ"');
}, 60_000);

describe('compressed output (--compress)', () => {
  let exp: string;
  const plain: Record<string, Buffer> = {};
  beforeAll(async () => {
    exp = join(dir, 'compress-export');
    await writeBulkExport(exp, 60, { assessmentDate: '2026-03-20', seed: 11 });
    // A broken line, so that the errors file has something in it too.
    writeFileSync(join(exp, 'Condition.ndjson'), 'not json\n');
    const out = join(dir, 'compress-plain');
    expect(
      await runForecastBulk([exp, '--out', out, '--assessment-date', '2026-03-20'], io()),
    ).toBe(EXIT.inputErrors);
    for (const f of Object.values(OUTPUT_FILES)) {
      plain[f] = readFileSync(join(out, f));
    }
  }, 60_000);

  test.each([
    ['gzip', '.gz', gunzipSync],
    ['br', '.br', brotliDecompressSync],
  ] as const)(
    '%s: the four files hold the same bytes as without, and the answers are much smaller',
    async (codec, suffix, decompress) => {
      const out = join(dir, `compress-${codec}`);
      const o = io();
      expect(
        await runForecastBulk(
          [exp, '--out', out, '--assessment-date', '2026-03-20', '--compress', codec],
          o,
        ),
      ).toBe(EXIT.inputErrors);
      expect(readdirSync(out).sort()).toEqual(
        Object.values(OUTPUT_FILES)
          .map((f) => f + suffix)
          .sort(),
      );
      for (const f of Object.values(OUTPUT_FILES)) {
        const bytes = readFileSync(join(out, f + suffix));
        expect(decompress(bytes).equals(plain[f]!)).toBe(true);
      }
      expect(plain[OUTPUT_FILES.errors]!.toString()).toMatch(/Condition.ndjson line 1/);
      const packed = readFileSync(join(out, OUTPUT_FILES.recommendations + suffix)).length;
      expect(packed).toBeLessThan(plain[OUTPUT_FILES.recommendations]!.length / 5);

      // A second run into the same folder refuses to overwrite the compressed files.
      const again = io();
      expect(
        await runForecastBulk(
          [exp, '--out', out, '--assessment-date', '2026-03-20', '--compress', codec],
          again,
        ),
      ).toBe(EXIT.usage);
      expect(again.text()).toContain(`already holds ${OUTPUT_FILES.recommendations}${suffix}`);
      expect(existsSync(join(out, OUTPUT_FILES.recommendations))).toBe(false);
    },
    60_000,
  );
});

test.each([
  [['in.ndjson', '--out', 'x', '--compress', 'zip'], /--compress must be gzip or br, not "zip"/],
  [['--out', 'x'], /give one input/],
  [['in.ndjson'], /--out <folder> is required/],
  [['in.ndjson', '--out', 'x', '--shard', '0/3'], /need 1 ≤ i ≤ n/],
  [['in.ndjson', '--out', 'x', '--shard', 'two'], /--shard must be i\/n/],
  [['in.ndjson', '--out', 'x', '--workers', '-1'], /--workers must be a whole number|--workers/],
  [['missing.ndjson', '--out', 'x'], /no such file or folder/],
])('usage error %j exits 2 with a message', async (args, message) => {
  const o = io();
  expect(await runForecastBulk(args, o)).toBe(EXIT.usage);
  expect(o.text()).toMatch(message);
});

test('an unknown rule version or a partial date exits 2', async () => {
  const file = join(dir, 'one.ndjson');
  writeFileSync(file, `${inputLine('a', '2024-01-01')}\n`);
  const o = io();
  expect(
    await runForecastBulk(
      [file, '--out', join(dir, 'o1'), '--rule-version', '9.99', '--assessment-date', '2026-03'],
      o,
    ),
  ).toBe(EXIT.usage);
  expect(o.text()).toMatch(/--assessment-date must be a full date/);
  expect(o.text()).toMatch(/--rule-version "9.99" is not a loaded rule set/);
}, 30_000);

test('--help prints the usage and exits 0', async () => {
  const o = io();
  expect(await runForecastBulk(['--help'], o)).toBe(EXIT.ok);
  expect(o.text()).toMatch(/^Usage: forecast-bulk <input> --out <folder>/);
});

describe('a run stopped by a signal', () => {
  /**
   * The command as a process of its own (through tsx, as the service tests run it), on an
   * export large enough to be still forecasting when the signal comes.
   */
  async function stoppedRun(signal: NodeJS.Signals): Promise<{
    code: number | null;
    tmpDuring: string[];
    tmpAfter: string[];
    stderr: string;
  }> {
    const base = join(dir, `signal-${signal}`);
    const exp = join(base, 'export');
    const tmp = join(base, 'tmp');
    mkdirSync(tmp, { recursive: true });
    await writeBulkExport(exp, 3_000, { assessmentDate: '2026-03-20', seed: 5 });
    const child = spawn(
      process.execPath,
      [
        '--require',
        'tsx/cjs',
        join(ROOT, 'src', 'cli', 'forecast-bulk.ts'),
        exp,
        '--out',
        join(base, 'out'),
        '--tmp-dir',
        tmp,
        '--assessment-date',
        '2026-03-20',
        '--workers',
        '1',
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    let tmpDuring: string[] = [];
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => {
        resolve(code);
      });
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Forecasting has started: the partitions are in the temporary folder.
      if (tmpDuring.length === 0 && stderr.includes('forecasting…')) {
        tmpDuring = readdirSync(tmp);
        child.kill(signal);
      }
    });
    const code = await exited;
    return { code, tmpDuring, tmpAfter: readdirSync(tmp), stderr };
  }

  test.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s: the temporary partitions are removed and the exit status says so',
    async (signal, status) => {
      const run = await stoppedRun(signal);
      expect(run.tmpDuring).toHaveLength(1);
      expect(run.tmpDuring[0]).toMatch(/^forecast-bulk-/);
      expect(run.tmpAfter).toEqual([]);
      expect(run.code).toBe(status);
      expect(run.stderr).toContain(`stopped by ${signal}; temporary files removed`);
    },
    60_000,
  );
});
