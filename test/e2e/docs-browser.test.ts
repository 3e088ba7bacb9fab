// The API reference page in a real headless Chromium: it renders Lastro's operations from
// /openapi.json and loads nothing from outside this machine (no CDN, no vendor services).
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('API reference page (/docs) in Chromium', () => {
  let app: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    app = await testApp({ start: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows the operations, offline', async () => {
    const address = app.http.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(`${base}/docs`);
    await page.getByText('Lastro API').first().waitFor({ timeout: 30_000 });
    await page.getByText('authentication', { exact: true }).first().click();
    await page.getByText('/passport/v2/s2s/access-token').first().waitFor({ timeout: 10_000 });
    const offsite = requested.filter((u) => !u.startsWith(base) && !u.startsWith('data:') && !u.startsWith('blob:'));
    expect(offsite).toEqual([]);
    expect(await page.getByText('Ask AI').count()).toBe(0);
    await page.close();
  });
});
