import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { runRulesCli } from '../../../../src/cli/rules-cli';
import {
  CdcSourceError,
  listZipEntries,
  prepareCdcSource,
} from '../../../../src/rules/maintain/cdc-source';
import { RULES_ROOT, SOURCE_DIR, VERSION } from '../rules-fixture';
import { capture } from './variant';

const committed = join(RULES_ROOT, 'cdsi', VERSION);

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? listFiles(join(dir, e.name), `${prefix}${e.name}/`)
        : [`${prefix}${e.name}`],
    )
    .sort();
}

/** Files of `dir` that differ from the committed 4.64 tables (by name or bytes). */
function differences(dir: string): string[] {
  const files = listFiles(dir);
  const expected = listFiles(committed);
  return [
    ...files.filter((f) => !expected.includes(f)).map((f) => `extra ${f}`),
    ...expected.filter((f) => !files.includes(f)).map((f) => `missing ${f}`),
    ...files
      .filter((f) => expected.includes(f))
      .filter((f) => !readFileSync(join(dir, f)).equals(readFileSync(join(committed, f)))),
  ];
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return c >>> 0;
});
function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** A minimal zip writer (deflate, or stored for directories), enough to test the reader. */
function zip(entries: readonly { name: string; data?: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const raw = e.data ?? Buffer.alloc(0);
    const stored = e.data === undefined;
    const body = stored ? raw : deflateRawSync(raw);
    const header = (central: boolean): Buffer => {
      const h = Buffer.alloc(central ? 46 : 30);
      let p = 0;
      h.writeUInt32LE(central ? 0x02014b50 : 0x04034b50, p);
      p += 4;
      if (central) {
        h.writeUInt16LE(20, p);
        p += 2;
      }
      h.writeUInt16LE(20, p);
      h.writeUInt16LE(0x0800, p + 2); // UTF-8 names
      h.writeUInt16LE(stored ? 0 : 8, p + 4);
      h.writeUInt32LE(0, p + 6); // time, date
      h.writeUInt32LE(crc32(raw), p + 10);
      h.writeUInt32LE(body.length, p + 14);
      h.writeUInt32LE(raw.length, p + 18);
      h.writeUInt16LE(name.length, p + 22);
      h.writeUInt16LE(0, p + 24);
      if (central) {
        h.writeUInt16LE(0, p + 26); // comment
        h.writeUInt16LE(0, p + 28); // disk
        h.writeUInt16LE(0, p + 30); // internal attributes
        h.writeUInt32LE(0, p + 32); // external attributes
        h.writeUInt32LE(offset, p + 36);
      }
      return h;
    };
    const local = Buffer.concat([header(false), name, body]);
    centrals.push(Buffer.concat([header(true), name]));
    locals.push(local);
    offset += local.length;
  }
  const central = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, central, end]);
}

describe('cdsi-rules import-cdc', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'cdsi-import-cdc-'));
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('imports the shared 4.64 XML folder into a temporary folder equal to the committed tables', () => {
    const out = join(tmp, 'from-folder');
    const c = capture();
    expect(runRulesCli(['import-cdc', SOURCE_DIR, '--version', VERSION, '--out', out], c.io)).toBe(
      0,
    );
    expect(c.out[0]).toBe(
      `wrote ${join(out, 'cdsi', VERSION)}: cdc-cdsi@4.64 (CDC supporting data 4.64, released 2025-11-10) — 30 antigens, 143 series, 484 doses, 218 CVX codes`,
    );
    expect(differences(join(out, 'cdsi', VERSION))).toEqual([]);

    const again = capture();
    expect(
      runRulesCli(['import-cdc', SOURCE_DIR, '--version', VERSION, '--out', out], again.io),
    ).toBe(1);
    expect(again.stderr()).toMatch(/already exists \(use force to replace it\)/);
    expect(
      runRulesCli(
        ['import-cdc', SOURCE_DIR, '--version', VERSION, '--out', out, '--force'],
        capture().io,
      ),
    ).toBe(0);
  });

  it('imports the release as a zip with the files in a subfolder, ignoring other entries', () => {
    const files = readdirSync(SOURCE_DIR).filter((f) => /\.(xml|xsd|docx)$/.test(f));
    const archive = join(tmp, 'supporting-data-4.64-508.zip');
    writeFileSync(
      archive,
      zip([
        { name: 'supporting-data-4.64-508/' },
        ...files.map((f) => ({
          name: `supporting-data-4.64-508/${f}`,
          data: readFileSync(join(SOURCE_DIR, f)),
        })),
        { name: 'supporting-data-4.64-508/excel/ignored.xml', data: Buffer.from('<x/>') },
        {
          name: '__MACOSX/supporting-data-4.64-508/._ScheduleSupportingData.xml',
          data: Buffer.from('junk'),
        },
      ]),
    );
    expect(listZipEntries(readFileSync(archive))).toHaveLength(files.length + 2);
    const out = join(tmp, 'from-zip');
    const c = capture();
    expect(runRulesCli(['import-cdc', archive, '--version', VERSION, '--out', out], c.io)).toBe(0);
    expect(differences(join(out, 'cdsi', VERSION))).toEqual([]);
  });

  it('finds the release in a folder holding it, and explains when there is none', () => {
    const holder = join(tmp, 'holder');
    mkdirSync(holder);
    symlinkSync(SOURCE_DIR, join(holder, 'supporting-data'));
    const prepared = prepareCdcSource(holder);
    expect(prepared.dir).toBe(join(holder, 'supporting-data'));
    prepared.cleanup();
    expect(() => prepareCdcSource(join(tmp, 'nothing'))).toThrow(/no such file or folder/);
    expect(() => prepareCdcSource(committed)).toThrow(CdcSourceError);
    const notZip = join(tmp, 'not.zip');
    writeFileSync(notZip, 'hello');
    const c = capture();
    expect(runRulesCli(['import-cdc', notZip, '--version', '9.99', '--out', tmp], c.io)).toBe(1);
    expect(c.stderr()).toMatch(/^not a readable zip archive/);
  });

  it('keeps the rules:import spelling (--source) and its usage errors', () => {
    const c = capture();
    expect(runRulesCli(['import-cdc', '--version', '4.64'], c.io)).toBe(2);
    expect(c.stderr()).toMatch(/--source and --version are required/);
    expect(runRulesCli(['import-cdc', 'a', '--source', 'b', '--version', '1'], c.io)).toBe(2);
    const help = capture();
    expect(runRulesCli(['import-cdc', '--help'], help.io)).toBe(0);
    expect(help.out[0]).toMatch(/^Usage: cdsi-rules import-cdc <folder-or-zip> --version <label>/);
  });
});
