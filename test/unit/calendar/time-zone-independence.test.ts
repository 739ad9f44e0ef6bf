/**
 * The calendar module must give the same answers in every time zone, and must stay pure: no JS
 * `Date`, no `Intl`, no imports from outside `src/calendar/` (design guide §0.5 and §5).
 *
 * Each time zone needs its own process, because Node reads `TZ` for the whole process. The
 * calendar sources and the probe are transpiled once with `typescript`'s `transpileModule` into
 * a temporary directory; a tiny inline script in each child requires them and prints JSON.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import * as calendar from '../../../src/calendar';
import { probe } from './fixtures/tz-probe';
import type { ProbeResult } from './fixtures/tz-probe';

const CALENDAR_SRC = path.resolve(__dirname, '../../../src/calendar');
const FIXTURES_SRC = path.resolve(__dirname, 'fixtures');

/** July 2021 UTC offsets as `Date#getTimezoneOffset` reports them, proving `TZ` took effect. */
const ZONES: readonly (readonly [zone: string, julyOffsetMinutes: number])[] = [
  ['UTC', 0],
  ['Pacific/Kiritimati', -840],
  ['America/Los_Angeles', 420],
];

const CHILD_SCRIPT = `
const path = require('path');
const dir = process.argv[1];
const cal = require(path.join(dir, 'calendar', 'index.js'));
const { probe } = require(path.join(dir, 'fixtures', 'tz-probe.js'));
const offset = new Date(Date.UTC(2021, 6, 1)).getTimezoneOffset();
process.stdout.write(JSON.stringify({ offset, result: probe(cal) }));
`;

function tsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => path.join(dir, name));
}

function transpileInto(sourceDir: string, outDir: string): void {
  fs.mkdirSync(outDir, { recursive: true });
  for (const file of tsFiles(sourceDir)) {
    const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    fs.writeFileSync(path.join(outDir, path.basename(file, '.ts') + '.js'), outputText);
  }
}

describe('time-zone independence', () => {
  let tmp = '';

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'calendar-tz-'));
    transpileInto(CALENDAR_SRC, path.join(tmp, 'calendar'));
    transpileInto(FIXTURES_SRC, path.join(tmp, 'fixtures'));
  });

  afterAll(() => {
    if (tmp !== '') {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('gives identical results under TZ=UTC, Pacific/Kiritimati and America/Los_Angeles', () => {
    const expected: ProbeResult = probe(calendar);
    expect(expected.sweepCount).toBe(2922 * 133);
    for (const [zone, julyOffsetMinutes] of ZONES) {
      const stdout = execFileSync(process.execPath, ['-e', CHILD_SCRIPT, tmp], {
        env: { ...process.env, TZ: zone },
        encoding: 'utf8',
        timeout: 60_000,
      });
      const { offset, result } = JSON.parse(stdout) as { offset: number; result: ProbeResult };
      expect({ zone, offset }).toEqual({ zone, offset: julyOffsetMinutes });
      expect(result).toEqual(expected);
    }
  });
});

describe('purity of src/calendar', () => {
  function problemsIn(file: string): string[] {
    const source = ts.createSourceFile(
      file,
      fs.readFileSync(file, 'utf8'),
      ts.ScriptTarget.ES2022,
      true,
    );
    const problems: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && (node.text === 'Date' || node.text === 'Intl')) {
        problems.push(`uses ${node.text}`);
      }
      if (
        (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
        node.moduleSpecifier !== undefined &&
        ts.isStringLiteral(node.moduleSpecifier) &&
        !node.moduleSpecifier.text.startsWith('./')
      ) {
        problems.push(`imports ${node.moduleSpecifier.text}`);
      }
      if (ts.isCallExpression(node) && node.expression.getText(source) === 'require') {
        problems.push('calls require');
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return problems;
  }

  test.each(tsFiles(CALENDAR_SRC).map((file) => [path.basename(file), file]))(
    '%s uses no Date or Intl and imports only from src/calendar',
    (_name, file) => {
      expect(problemsIn(file)).toEqual([]);
    },
  );
});
