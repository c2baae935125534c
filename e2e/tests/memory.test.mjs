// Past the page's memory (issue #18 §2), in headless Debian Chromium: the operator's config.json
// holds the page to 170 MB (`memory.maxMB`), as a dashboard with many panels may, and a
// 100,000-span Jaeger file (written by the test, its processes after its spans as Jaeger writes
// them) does not fit. The load keeps the spans that fit, reads the rest of the file for the
// processes and counts it, and ends with a partial trace: a warning names the file and says
// "loaded the first N of 100,000 spans", the trace header counts N, every span has its real
// service, the headline says the trace is partial, and the demo loaded before stays loaded. The
// page raises nothing, and the last-resort banner of index.html (a WebAssembly failure) does
// not show. A tab's real limit (4 GiB of wasm32) is reached the same way; bench/browser.mjs
// loads 4M- and 5M-span files for that (bench/README.md).
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startServer } from '../lib/server.mjs';
import { writeChainsTrace } from '../lib/jaeger-file.mjs';
import { ensureDist, launchBrowser, runInPage, waitUntil, textOf, textsOf, countOf, clearFailureScreenshots } from '../lib/harness.mjs';

const PREFIX = 'memory';
const SPANS = 100_000;
const SERVICES = 7;
const MAX_MB = 170;
const HEADLINE = '[data-testid=bottleneck-panel] [data-testid=headline]';
const ITEMS = '[data-testid=trace-list] [data-testid=trace-list-item]';
const MESSAGE = '[data-testid=message]';
const LOADING = '[data-testid=loading]';
const HEADER = '[data-testid=trace-header]';
const ROWS = '[data-testid=timeline] [role=treeitem]';
const LOAD_MS = 180_000;

/** A Jaeger UI download: a root over chains of spans, each with a few tags; processes last. */
function writeTrace() {
  return writeChainsTrace(path.join(os.tmpdir(), `traceglass-e2e-memory-${SPANS}.json`), {
    traceID: '00000000000000000000000000fe11ed',
    spans: SPANS,
    chains: 50,
    services: SERVICES,
    name: (i) => `op-${i % 40}`,
    tags: (i) => [
      { key: 'span.kind', type: 'string', value: 'server' },
      { key: 'http.url', type: 'string', value: `https://shop.example/api/items/${i}` },
      { key: 'n', type: 'int64', value: i },
    ],
    serviceName: (s) => `shop-${s}`,
  });
}

let browser;
let server;
let file;

before(async () => {
  clearFailureScreenshots(PREFIX);
  browser = await launchBrowser();
  server = await startServer({ root: ensureDist(), files: { '/config.json': JSON.stringify({ memory: { maxMB: MAX_MB } }) } });
  file = writeTrace();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (file) fs.rmSync(file, { force: true });
});

test(`a file past the page's ${MAX_MB} MB loads partly, says so, and keeps what was loaded`, { timeout: 300_000 }, () =>
  runInPage(browser, PREFIX, 'partial', async ({ page }) => {
    await page.goto(server.url);
    await page.waitForSelector(HEADLINE, { timeout: 60_000 });
    await waitUntil('the demo in the trace list', () => countOf(page, ITEMS), (n) => n === 1);
    await page.setInputFiles('[data-testid=file-input]', file);

    // The warning names the file and the spans kept of all the file's.
    const base = path.basename(file);
    const warning = await waitUntil(
      'the warning that the load is partial',
      async () => (await textsOf(page, MESSAGE)).find((t) => t.includes('loaded the first')),
      (t) => t != null,
      { timeout: LOAD_MS },
    );
    const m = warning.match(/loaded the first ([\d,]+) of ([\d,]+) spans: this browser tab can hold about ([\d,]+) spans of this file/);
    assert.ok(m, `the warning: ${warning}`);
    assert.ok(warning.includes(base), `the warning names ${base}: ${warning}`);
    const kept = Number(m[1].replace(/,/g, ''));
    assert.equal(Number(m[2].replace(/,/g, '')), SPANS, 'the rest of the file was counted');
    assert.ok(kept > 1_000 && kept < SPANS, `kept ${kept} of ${SPANS}`);

    // The partial trace is listed beside the demo and opened: its header counts the spans kept.
    await waitUntil('both traces in the list', () => countOf(page, ITEMS), (n) => n === 2, { timeout: LOAD_MS });
    await waitUntil('the loading line to go', () => countOf(page, LOADING), (n) => n === 0, { timeout: LOAD_MS });
    const header = await waitUntil('the header of the partial trace', () => textOf(page, HEADER), (t) => t != null && t.includes('fe11ed'));
    assert.ok(header.replace(/\s+/g, ' ').includes(` ${kept} spans`), `the header counts ${kept} spans: ${header}`);

    // The processes came after the spans: the rows name the real services.
    await page.waitForSelector(ROWS);
    const names = await textsOf(page, `${ROWS} .span-name`);
    assert.ok(names.length > 0 && names.every((n) => /shop-\d/.test(n)), `rows name their services: ${names.slice(0, 5)}`);

    // The analysis says it is partial.
    const headline = await waitUntil('the partial headline', () => textOf(page, HEADLINE), (t) => t != null && t.includes('partial'), { timeout: LOAD_MS });
    assert.ok(
      headline.includes(`This is a partial trace: the first ${kept.toLocaleString('en-US')} of its 100,000 spans were loaded`),
      headline,
    );

    // The demo is still there and opens.
    await page.locator(ITEMS).first().click();
    await waitUntil('the demo headline', () => textOf(page, HEADLINE), (t) => t != null && t.includes('weather-service'));
    assert.equal(await countOf(page, '[data-testid=fatal]'), 0, 'no WebAssembly failure');
  }),
);

test('the last resort: a WebAssembly failure shows a banner with a reload, as text', { timeout: 120_000 }, () =>
  runInPage(browser, PREFIX, 'fatal', async ({ page }) => {
    await page.goto(server.url);
    await page.waitForSelector(HEADLINE, { timeout: 60_000 });
    assert.equal(await countOf(page, '[data-testid=fatal]'), 0);
    // What the browser reports when the WebAssembly aborts (a failed allocation, a panic):
    // an uncaught RuntimeError. Its message is shown as text, never as HTML.
    await page.evaluate(() => {
      const err = new WebAssembly.RuntimeError('unreachable <img src=x onerror="window.__pwned=1">');
      window.dispatchEvent(new ErrorEvent('error', { error: err, message: err.message }));
    });
    const text = await waitUntil('the banner', () => textOf(page, '[data-testid=fatal]'), (t) => t != null);
    assert.match(text, /Traceglass stopped: its WebAssembly failed \(unreachable <img src=x onerror="window.__pwned=1">\), most likely because this browser tab ran out of memory/);
    assert.equal(await countOf(page, '[data-testid=fatal] img'), 0, 'the message made no element');
    assert.equal(await page.evaluate(() => window.__pwned ?? null), null);
    // Another error does not stack a second banner; an ordinary error shows none.
    await page.evaluate(() => window.dispatchEvent(new ErrorEvent('error', { error: new WebAssembly.RuntimeError('again') })));
    assert.equal(await countOf(page, '[data-testid=fatal]'), 1);
    // Reload starts the app again, without the banner.
    await page.click('[data-testid=fatal] button');
    await page.waitForSelector(HEADLINE, { timeout: 60_000 });
    assert.equal(await countOf(page, '[data-testid=fatal]'), 0);
  }),
);
