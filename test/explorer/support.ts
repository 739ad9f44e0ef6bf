/**
 * Shared set-up of the explorer tests: the app in-process on a free port, and headless
 * Chromium (Debian's `chromium`) driven by playwright-core. Synthetic patients only.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { createApp, type AppDeps } from '../../src/http/create-app';
import { Readiness } from '../../src/http/readiness';
import type { RuleCatalog } from '../../src/rules/rule-catalog';

/** Where the browser is looked for: `CHROMIUM_PATH`, else Debian's package. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** True when the browser tests can run. */
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);

/** A running app. */
export interface RunningApp {
  readonly baseUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the app on 127.0.0.1 and a free port.
 *
 * @param catalog - The rule catalog.
 * @param extra - More app dependencies (e.g. a logger).
 */
export async function startApp(
  catalog: RuleCatalog,
  extra: Partial<AppDeps> = {},
): Promise<RunningApp> {
  const readiness = new Readiness();
  readiness.markReady();
  const server: Server = createServer(createApp({ readiness, catalog, ...extra }));
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => {
          if (err) {
            reject(err);
          } else {
            resolve();
          }
        });
      }),
  };
}

/** A launched browser (one context) and its throw-away profile folder. */
export interface RunningBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh profile (playwright passes it as `--user-data-dir`)
 * and no background traffic.
 */
export async function launchChromium(): Promise<RunningBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'explorer-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
