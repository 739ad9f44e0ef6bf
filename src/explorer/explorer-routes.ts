/**
 * The forecast explorer (issue 8): a page for help-desk and clinical-application staff that
 * shows and explains a forecast. Express shell only — the page is static, same-origin files
 * (Helmet's strict Content-Security-Policy: no inline script or style, no CDN) and calls the
 * service's own `POST /fhir/$immds-forecast`; there is no forecasting logic here or in the page.
 *
 * - `GET /` — the page (`public/index.html`);
 * - `GET /explorer/{file}` — its scripts and styles (`public/*.js`, `public/*.css`);
 * - `GET /explorer/catalog.json?version=` — the search lists of a rule-set version
 *   (see `explorer-catalog.ts`).
 *
 * CDS Hooks cards link to `/#forecast=…`: the forecast travels in the URL fragment, which a
 * browser never sends, so it reaches no server log; the page decodes it itself.
 *
 * @packageDocumentation
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Router } from 'express';
import helmet from 'helmet';
import { OperationOutcomeError, outcomeIssue } from '../fhir/outcome';
import { findRepoRoot } from '../rules/repo-root';
import type { RuleCatalog } from '../rules/rule-catalog';
import { explorerCatalog } from './explorer-catalog';
import { prepareBody, sendPrepared, type PreparedBody } from './prepared-body';

/** Media types of the files the page is made of; other files in the folder are not served. */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The page and its files are revalidated on every use (cheap: ETag, 304), so a deploy shows at once. */
const PAGE_CACHE = 'no-cache';
/** The search lists change only with a deploy; five minutes of staleness is harmless. */
const CATALOG_CACHE = 'public, max-age=300';

/**
 * The page's Content-Security-Policy: Helmet's strict defaults (only same-origin scripts, no
 * inline script, no plugins, no framing), tightened for styles (same-origin files only, no inline
 * style, no `https:` sources), minus `upgrade-insecure-requests`. That directive makes a browser
 * fetch the page's own files over https: harmless behind TLS, but a page opened over plain http
 * on a non-loopback address (an internal host name, a pod IP) would then load none of its
 * scripts. All the page's URLs are relative, so there is no mixed content to upgrade.
 */
const pageSecurityPolicy = helmet.contentSecurityPolicy({
  useDefaults: true,
  directives: {
    'style-src': ["'self'"],
    'connect-src': ["'self'"],
    'upgrade-insecure-requests': null,
  },
});

/**
 * The folder holding the page's files: `public/` beside this module — in `src/explorer/` when
 * run from source (tsx, ts-jest), in `dist/src/explorer/` in the Docker image (the Dockerfile
 * copies it there) — else the repository's `src/explorer/public/` (a local `npm run build`,
 * which compiles TypeScript only).
 *
 * @throws Error when neither holds `index.html` (a broken install must not start half-working).
 */
export function explorerPublicDir(from: string = __dirname): string {
  const candidates = [join(from, 'public')];
  try {
    candidates.push(join(findRepoRoot(from), 'src', 'explorer', 'public'));
  } catch {
    // no repository around (an installed image): only the folder beside this module counts
  }
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (found === undefined) {
    throw new Error(`forecast explorer files not found (looked in ${candidates.join(', ')})`);
  }
  return found;
}

/** Reads and prepares every servable file of the page's folder (name → body). */
export function loadExplorerAssets(dir: string): ReadonlyMap<string, PreparedBody> {
  const assets = new Map<string, PreparedBody>();
  for (const name of readdirSync(dir).sort()) {
    const type = MEDIA_TYPES[extname(name)];
    if (type !== undefined) {
      assets.set(name, prepareBody(readFileSync(join(dir, name)), type));
    }
  }
  return assets;
}

/** What the explorer routes need. */
export interface ExplorerDeps {
  readonly catalog: RuleCatalog;
  /** Folder of the page's files; default {@link explorerPublicDir}. */
  readonly publicDir?: string;
}

/**
 * The explorer's routes.
 *
 * @param deps - The rule catalog (for the search lists) and where the page's files are.
 */
export function explorerRoutes(deps: ExplorerDeps): Router {
  const assets = loadExplorerAssets(deps.publicDir ?? explorerPublicDir());
  const page = assets.get('index.html');
  if (page === undefined) {
    throw new Error('forecast explorer: index.html missing');
  }
  const catalogs = new Map<string, PreparedBody>();
  const router = Router();

  router.get('/', pageSecurityPolicy, (req, res) => {
    sendPrepared(req, res, page, PAGE_CACHE);
  });

  router.get('/explorer/catalog.json', (req, res) => {
    const asked = req.query['version'];
    const version = typeof asked === 'string' && asked !== '' ? asked : deps.catalog.defaultVersion;
    let body = catalogs.get(version);
    if (body === undefined) {
      const lists = explorerCatalog(deps.catalog, version);
      if (lists === undefined) {
        throw new OperationOutcomeError(400, [
          outcomeIssue(
            'error',
            'not-found',
            `Unknown rule-set version "${version}"; available: ${deps.catalog.labels.join(', ')}`,
          ),
        ]);
      }
      body = prepareBody(JSON.stringify(lists), 'application/json; charset=utf-8');
      catalogs.set(version, body);
    }
    sendPrepared(req, res, body, CATALOG_CACHE);
  });

  router.get('/explorer/:file', (req, res, next) => {
    const asset = req.params.file === 'index.html' ? undefined : assets.get(req.params.file);
    if (asset === undefined) {
      next();
      return;
    }
    sendPrepared(req, res, asset, PAGE_CACHE);
  });

  return router;
}
