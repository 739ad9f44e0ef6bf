import { parseConformanceArgs, UsageError } from '../../src/conformance/cli-options';

describe('parseConformanceArgs', () => {
  it('defaults to the FHIR path, the development files, rules 4.64, everything shown, exit 0', () => {
    expect(parseConformanceArgs([])).toEqual({
      path: 'fhir',
      caseFiles: [],
      rulesVersion: '4.64',
      only: [],
      quiet: false,
      help: false,
      failOnFailure: false,
    });
  });

  it('reads case files, options with values (both forms) and flags', () => {
    const o = parseConformanceArgs([
      'a.jsonl',
      '--rules',
      'r',
      '--version=4.65',
      '--json',
      'out.json',
      '--quiet',
      '--fail-on-failure',
      '--write-known-failures',
      'kf.txt',
      '--known-failures=old.txt',
      'b.jsonl',
    ]);
    expect(o).toEqual({
      path: 'fhir',
      caseFiles: ['a.jsonl', 'b.jsonl'],
      rulesRoot: 'r',
      rulesVersion: '4.65',
      jsonFile: 'out.json',
      only: [],
      quiet: true,
      help: false,
      failOnFailure: true,
      writeKnownFailures: 'kf.txt',
      knownFailures: 'old.txt',
    });
  });

  it('takes the ids after --only, space- or comma-separated, and still sees .jsonl files', () => {
    const o = parseConformanceArgs(['--only', 'X-1', 'X-2,X-3', 'c.jsonl', '--quiet', 'd.jsonl']);
    expect(o.only).toEqual(['X-1', 'X-2', 'X-3']);
    expect(o.caseFiles).toEqual(['c.jsonl', 'd.jsonl']);
    expect(parseConformanceArgs(['--only=Y-1', '--only', 'Y-2']).only).toEqual(['Y-1', 'Y-2']);
  });

  it('runs the cases straight through the engine with --path engine', () => {
    expect(parseConformanceArgs(['--path', 'engine']).path).toBe('engine');
    expect(parseConformanceArgs(['--path=fhir']).path).toBe('fhir');
  });

  it('knows --help and -h', () => {
    expect(parseConformanceArgs(['--help']).help).toBe(true);
    expect(parseConformanceArgs(['-h']).help).toBe(true);
  });

  it.each([
    [['--bogus'], 'unknown option --bogus'],
    [['-x'], 'unknown option -x'],
    [['--json'], '--json needs a value'],
    [['--rules', '--quiet'], '--rules needs a value'],
    [['--only'], '--only needs at least one case id'],
    [['--quiet=yes'], 'unknown option --quiet=yes'],
    [['--path', 'http'], '--path must be fhir or engine, got http'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseConformanceArgs(argv)).toThrow(new UsageError(message));
  });
});
