import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from './stack';

/** Debian's Chromium (playwright-core cannot download its own here); CHROMIUM_PATH overrides. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile and nothing that reaches out to the internet. */
export async function openBrowser(): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'smarts-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Where browser tests keep their screenshots (git-ignored): artifacts/browser/<name>.png. */
/** Under artifacts/browser/node-red-<major>/, so the runs on Node-RED 4 and 5 keep their own. */
export function screenshotPath(name: string): string {
  const dir = join(projectRoot(), 'artifacts', 'browser', `node-red-${nodeRedUnderTest().split('.')[0]}`);
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}

/** The version of the Node-RED the tests load (the project's, or the one scripts/node-red-runtime.cjs points at). */
export function nodeRedUnderTest(): string {
  return (JSON.parse(readFileSync(require.resolve('node-red/package.json'), 'utf8')) as { version: string }).version;
}
