/**
 * The explorer's HTTP routes (supertest, in-process): the page under Helmet's strict CSP, its
 * same-origin files (gzip, ETag, 304), the search lists of each rule-set version, and the page
 * weight budget (issue 8: under 100 kB).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { OperationOutcome } from 'fhir/r4';
import request from 'supertest';
import { explorerPublicDir } from '../../src/explorer/explorer-routes';
import type { ExplorerCatalog } from '../../src/explorer/explorer-catalog';
import { createApp } from '../../src/http/create-app';
import { Readiness } from '../../src/http/readiness';
import { committedCatalog } from '../fhir/builders';

const catalog = committedCatalog();
const app = createApp({ readiness: new Readiness(), catalog });
const publicDir = explorerPublicDir(join(__dirname, '..', '..', 'src', 'explorer'));

/** The page's files: what a browser downloads for `GET /` (not the tsconfig). */
const pageFiles = readdirSync(publicDir).filter((f) =>
  ['.html', '.js', '.css'].includes(extname(f)),
);

describe('GET /', () => {
  test('serves the page as HTML under the strict CSP, with no inline script or style', async () => {
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = res.headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    // Would make a browser fetch the page's own files over https when it is opened over plain
    // http on a non-loopback address (they would all fail); the page's URLs are all relative.
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-cache');
    const html = res.text;
    expect(html).toContain('<title>Forecast explorer');
    // Every script is an external same-origin module; no inline code, no style attribute, no CDN.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src="\/explorer\/[\w-]+\.js"/);
      expect(body?.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  test('every input, select and textarea of the page has a label', async () => {
    const html = (await request(app).get('/')).text;
    const ids = [...html.matchAll(/<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(ids.length).toBeGreaterThanOrEqual(6);
    for (const id of ids) {
      expect(html).toContain(`for="${id}"`);
    }
  });

  test('gzips for a client that accepts it, and answers 304 to a matching If-None-Match', async () => {
    const res = await request(app).get('/').set('Accept-Encoding', 'gzip').buffer(true);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['vary']).toBe('Accept-Encoding');
    const etag = res.headers['etag'];
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await request(app)
      .get('/')
      .set('If-None-Match', etag ?? '');
    expect(again.status).toBe(304);
    expect(again.text).toBeFalsy();
  });
});

describe('GET /explorer/{file}', () => {
  test.each([
    ['app.js', 'text/javascript; charset=utf-8'],
    ['explorer.css', 'text/css; charset=utf-8'],
  ])('serves %s as %s, byte for byte', async (file, type) => {
    const res = await request(app).get(`/explorer/${file}`).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.text).toBe(readFileSync(join(publicDir, file), 'utf8'));
  });

  test('every module the page imports is served (no broken import)', async () => {
    const scripts = pageFiles.filter((f) => f.endsWith('.js'));
    for (const file of scripts) {
      const text = readFileSync(join(publicDir, file), 'utf8');
      for (const [, target] of text.matchAll(/from '\.\/([\w-]+\.js)'/g)) {
        expect((await request(app).get(`/explorer/${target ?? ''}`)).status).toBe(200);
      }
    }
  });

  test.each(['tsconfig.json', 'nothing.js', '..%2Fexplorer-routes.ts', 'index.html'])(
    'does not serve %s (404 OperationOutcome)',
    async (file) => {
      const res = await request(app).get(`/explorer/${file}`);
      expect(res.status).toBe(404);
      expect((res.body as { resourceType: string }).resourceType).toBe('OperationOutcome');
    },
  );
});

describe('GET /explorer/catalog.json', () => {
  test('lists the default version’s vaccines by CVX, CPT and NDC, and its observations', async () => {
    const res = await request(app).get('/explorer/catalog.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const body = res.body as ExplorerCatalog;
    expect(body.ruleSet).toBe('cdc-cdsi@4.64');
    expect(body.versions).toEqual([{ version: '4.64', label: 'cdc-cdsi@4.64', default: true }]);
    const find = (system: string, code: string) =>
      body.vaccines.find((v) => v.system === system && v.code === code);
    expect(find('cvx', '03')).toMatchObject({ name: 'MMR', cvx: ['03'] });
    expect(find('cvx', '110')?.terms).toContain('PEDIARIX');
    expect(find('cpt', '90700')?.cvx).toEqual(['20', '106']);
    expect(find('ndc', '58160-0810-52')).toMatchObject({ cvx: ['20'] });
    expect(body.observations.find((o) => o.code === '160')).toEqual({
      code: '160',
      title: 'Anatomical or functional asplenia',
      uses: ['indication', 'contraindication'],
    });
    expect(body.observations.find((o) => o.code === '023')?.uses).toEqual(['immunity']);
    // Only codes the rule set can evaluate: every listed code maps to a CVX it knows.
    const known = new Set(
      body.vaccines.filter((v) => v.system === 'cvx').map((v) => Number(v.code)),
    );
    for (const v of body.vaccines) {
      expect(v.cvx.some((c) => known.has(Number(c)))).toBe(true);
    }
  });

  test('answers the same lists for ?version=4.64 and for the label, with one ETag', async () => {
    const a = await request(app).get('/explorer/catalog.json?version=4.64');
    const b = await request(app).get('/explorer/catalog.json?version=cdc-cdsi@4.64');
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(b.headers['etag']).toBe(a.headers['etag']);
  });

  test('refuses an unknown version with 400, naming the versions available', async () => {
    const res = await request(app).get('/explorer/catalog.json?version=9.99');
    expect(res.status).toBe(400);
    expect((res.body as OperationOutcome).issue[0]?.diagnostics).toBe(
      'Unknown rule-set version "9.99"; available: cdc-cdsi@4.64',
    );
  });
});

describe('page weight (issue 8: under 100 kB)', () => {
  test('HTML + scripts + styles stay under 100 kB, and under 30 kB gzipped as served', async () => {
    let raw = 0;
    let gzipped = 0;
    for (const file of pageFiles) {
      const path = file === 'index.html' ? '/' : `/explorer/${file}`;
      const res = await request(app)
        .get(path)
        .set('Accept-Encoding', 'gzip')
        .buffer(true)
        .parse((r, done) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => {
            done(null, Buffer.concat(chunks));
          });
        });
      // superagent inflates the body; Content-Length is what went over the wire.
      expect(res.headers['content-encoding']).toBe('gzip');
      gzipped += Number(res.headers['content-length']);
      raw += (res.body as Buffer).length;
    }
    expect(raw).toBe(
      pageFiles.reduce((sum, f) => sum + readFileSync(join(publicDir, f)).length, 0),
    );
    expect(raw).toBeLessThan(100 * 1024);
    expect(gzipped).toBeLessThan(30 * 1024);
  });
});
