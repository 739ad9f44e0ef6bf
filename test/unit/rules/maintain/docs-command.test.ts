import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRulesCli } from '../../../../src/cli/rules-cli';
import {
  renderHtml,
  renderMarkdown,
  type DocPage,
} from '../../../../src/rules/maintain/doc-render';
import { capture, LONGER_MEASLES_INTERVAL, variants, type Variants } from './variant';

/** Every `[text](file#anchor)` / `href="file#anchor"` of the pages points at an existing file and id. */
function brokenLinks(dir: string, ext: 'md' | 'html'): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith(`.${ext}`));
  const ids = new Map(
    files.map((f) => [
      f,
      new Set([...readFileSync(join(dir, f), 'utf8').matchAll(/id="([^"]+)"/g)].map((m) => m[1])),
    ]),
  );
  const link = ext === 'md' ? /\]\(([^)#\s]+)(?:#([^)\s]+))?\)/g : /href="([^"#]+)(?:#([^"]+))?"/g;
  const broken: string[] = [];
  for (const f of files) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(link)) {
      const target = decodeURI(m[1] ?? '');
      const anchor = m[2];
      if (!ids.has(target) || (anchor !== undefined && !ids.get(target)?.has(decodeURI(anchor)))) {
        broken.push(`${f} → ${m[1] ?? ''}#${anchor ?? ''}`);
      }
    }
  }
  return broken;
}

describe('cdsi-rules docs', () => {
  let v: Variants;
  let out: string;
  beforeAll(() => {
    v = variants();
    out = mkdtempSync(join(tmpdir(), 'cdsi-docs-'));
  });
  afterAll(() => {
    v.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  it('writes an index, a page per vaccine group and the observations, as Markdown', () => {
    const md = join(out, 'md');
    const c = capture();
    expect(runRulesCli(['docs', v.base, '--out', md], c.io)).toBe(0);
    expect(c.out).toEqual([`wrote 28 markdown files for cdc-cdsi@4.64 to ${md}`]);
    const files = readdirSync(md).sort();
    expect(files).toContain('index.md');
    expect(files).toContain('mmr.md');
    expect(files).toContain('dtap-tdap-td.md');
    expect(files).toContain('observations.md');
    expect(brokenLinks(md, 'md')).toEqual([]);

    const mmr = readFileSync(join(md, 'mmr.md'), 'utf8');
    expect(mmr).toContain(
      '**Antigens:** [Measles](mmr.md#antigen-measles), [Mumps](mmr.md#antigen-mumps), [Rubella](mmr.md#antigen-rubella).',
    );
    expect(mmr).toContain('| 94 | MMRV | Measles<br>Mumps<br>Rubella<br>Varicella |');
    expect(mmr).toContain('- Born before 1957-01-01, except: Health care personnel (055)');
    expect(mmr).toContain(
      [
        '##### Measles 2-dose series — Dose 2 <a id="measles-2-dose-series-dose-2"></a>',
        '',
        '- **Age:** minimum 13 months (absolute minimum 13 months - 4 days); earliest recommended 4 years, latest recommended 7 years + 4 weeks',
        '- **Interval from previous dose:** minimum 4 weeks (absolute minimum 4 weeks - 4 days); earliest recommended 3 years; latest recommended 6 years + 4 weeks',
        '- **Recommended vaccines:** MMR (CVX 03), from 12 months — 0.5 mL; MMRV (CVX 94), from 4 years, before 13 years — 0.5 mL',
      ].join('\n'),
    );
    expect(mmr).toContain(
      '- **Conditional skip:** skip when evaluating and when forecasting if age from 19 years - 4 days. CDC: “Dose is not required for those 19 years or older”',
    );
    expect(mmr).toContain(
      '| [007 Pregnant](observations.md#observation-007) | every vaccine of the group | any age | Do not vaccinate if the patient is pregnant. |',
    );
    const index = readFileSync(join(md, 'index.md'), 'utf8');
    expect(index).toContain('| [MMR](mmr.md) | Measles, Mumps, Rubella | 12 |');
    expect(index).toContain('**Conditional skip:**');
  });

  it('writes self-contained, escaped HTML with working links', () => {
    const html = join(out, 'html');
    expect(runRulesCli(['docs', v.base, '--out', html, '--format', 'html'], capture().io)).toBe(0);
    const page = readFileSync(join(html, 'mmr.html'), 'utf8');
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(page).toContain('<title>MMR — cdc-cdsi@4.64</title>');
    expect(page).toContain(
      '<li><strong>Interval from previous dose: </strong>minimum 4 weeks (absolute minimum 4 weeks - 4 days)',
    );
    expect(page).not.toMatch(/<script/);
    expect(brokenLinks(html, 'html')).toEqual([]);
  });

  it('is deterministic and names a variant and its origin on every page', () => {
    const wa = v.variant('4.64-wa', LONGER_MEASLES_INTERVAL);
    const a = join(out, 'a');
    const b = join(out, 'b');
    expect(runRulesCli(['docs', wa, '--out', a], capture().io)).toBe(0);
    expect(runRulesCli(['docs', wa, '--out', b], capture().io)).toBe(0);
    for (const f of readdirSync(a)) {
      expect(readFileSync(join(b, f), 'utf8')).toBe(readFileSync(join(a, f), 'utf8'));
    }
    const mmr = readFileSync(join(a, 'mmr.md'), 'utf8');
    expect(mmr).toContain(
      'cdc-cdsi@4.64-wa (CDC supporting data 4.64, released 2025-11-10, for the CDSi Logic Specification 4.6; a local variant of 4.64)',
    );
    expect(mmr).toContain(
      '- **Interval from previous dose:** minimum 8 weeks (absolute minimum 8 weeks - 4 days)',
    );
  });

  it('needs --out and a known format', () => {
    const c = capture();
    expect(runRulesCli(['docs', v.base], c.io)).toBe(2);
    expect(c.stderr()).toMatch(/^cdsi-rules docs: --out is required/);
    expect(runRulesCli(['docs', v.base, '--out', join(out, 'x'), '--format', 'pdf'], c.io)).toBe(2);
    expect(c.stderr()).toContain('--format must be markdown or html, not pdf');
    expect(existsSync(join(out, 'x'))).toBe(false);
  });
});

describe('doc rendering', () => {
  const page: DocPage = {
    name: 'p',
    title: 'T <&>',
    blocks: [
      { kind: 'heading', level: 2, text: 'A|B <c>' },
      {
        kind: 'paragraph',
        content: [
          '1 * 2 [x] <y> & z',
          { strong: 'Bold: ' },
          { text: 'link', page: 'other', fragment: 'a b' },
        ],
      },
      { kind: 'table', header: ['h|1'], rows: [[[['x|y'], ['second line']]]] },
    ],
  };

  it('escapes Markdown syntax and keeps bold markers tight', () => {
    expect(renderMarkdown(page)).toBe(
      [
        '## A\\|B \\<c\\> <a id="a-b-c"></a>',
        '',
        '1 \\* 2 \\[x\\] \\<y\\> & z**Bold:** [link](other.md#a%20b)',
        '',
        '| h\\|1 |',
        '| --- |',
        '| x\\|y<br>second line |',
        '',
      ].join('\n'),
    );
  });

  it('escapes HTML', () => {
    const html = renderHtml(page);
    expect(html).toContain('<title>T &lt;&amp;&gt;</title>');
    expect(html).toContain('<h2 id="a-b-c">A|B &lt;c&gt;</h2>');
    expect(html).toContain(
      '<p>1 * 2 [x] &lt;y&gt; &amp; z<strong>Bold: </strong><a href="other.html#a%20b">link</a></p>',
    );
    expect(html).toContain('<td>x|y<br>second line</td>');
  });
});
