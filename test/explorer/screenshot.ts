/**
 * Takes docs/explorer.png, the README's screenshot of the forecast explorer: the committed rules,
 * the app in-process, headless Chromium (same set-up as the browser tests), the bundled example
 * "Two-year-old girl: first DTaP given too early" (synthetic). Run:
 *
 *     npx tsx test/explorer/screenshot.ts [out.png]
 */
import { join } from 'node:path';
import { committedCatalog, repoRoot } from '../fhir/builders';
import { HAS_CHROMIUM, CHROMIUM_PATH, launchChromium, startApp } from './support';

async function main(): Promise<void> {
  if (!HAS_CHROMIUM) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}`);
  }
  const out = process.argv[2] ?? join(repoRoot, 'docs', 'explorer.png');
  const app = await startApp(committedCatalog());
  const chromium = await launchChromium();
  try {
    const page = await chromium.context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${app.baseUrl}/`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.getByLabel('Example patient').selectOption('toddler-early-dose');
    await page.getByRole('button', { name: 'Load example' }).click();
    await page.waitForSelector('table.timeline');
    // The forecast part of the page: header, vaccine groups and the first doses of the timeline
    // (at scroll 0 the bounding box is in page coordinates, as a full-page clip wants).
    await page.evaluate('window.scrollTo(0, 0)');
    const box = await page.locator('#results').boundingBox();
    if (box === null) {
      throw new Error('no forecast on the page');
    }
    await page.screenshot({
      path: out,
      fullPage: true,
      clip: {
        x: box.x - 12,
        y: box.y - 12,
        width: box.width + 24,
        height: Math.min(box.height, 1880),
      },
    });
    console.log(`wrote ${out}`);
  } finally {
    await chromium.close();
    await app.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
