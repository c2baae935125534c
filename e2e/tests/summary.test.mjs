// End-to-end test of the bottleneck summary across traces: a 300-trace Jaeger file, built
// here, where the 16 slowest traces are slow because one query is; the summary must name
// that query as what explains the tail, and a heat-map cell must open its trace.
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from '../lib/server.mjs';
import { spanMaker, jaegerFile } from '../lib/jaeger-file.mjs';
import {
  ensureDist,
  artifactPath,
  clearFailureScreenshots,
  launchBrowser,
  newPage,
  pageErrors,
  chooseFiles,
  waitUntil,
  textOf,
  countOf,
} from '../lib/harness.mjs';

const ARTIFACT_PREFIX = 'summary';
const TRACES = 300;

/**
 * One Jaeger trace of a checkout: auth, an orders query, then five item look-ups. In traces
 * with `slow`, the orders query takes 650 ms instead of about 40 ms.
 */
function checkout(i, slow) {
  const base = 1_700_000_000_000_000 + i * 10_000_000; // µs
  const orders = slow ? 650_000 : 40_000 + (i % 7) * 1_000;
  const traceID = i.toString(16).padStart(32, '0');
  const id = (n) => (i * 16 + n + 1).toString(16).padStart(16, '0');
  const span = spanMaker(traceID, base, id);
  const db = (stmt) => [
    { key: 'db.system', type: 'string', value: 'postgresql' },
    { key: 'db.statement', type: 'string', value: stmt },
  ];
  const spans = [
    span(0, null, 'POST /checkout', 'p1', 0, 20_000 + orders + 5 * 6_000 + 5_000),
    span(1, 0, 'auth', 'p1', 1_000, 18_000),
    span(2, 0, 'SELECT orders', 'p2', 20_000, orders, db(`SELECT * FROM orders WHERE user = ${i}`)),
  ];
  for (let k = 0; k < 5; k++) {
    spans.push(span(3 + k, 0, 'SELECT', 'p2', 20_000 + orders + k * 6_000, 5_000, db(`SELECT * FROM items WHERE id = ${k}`)));
  }
  return {
    traceID,
    spans,
    processes: { p1: { serviceName: 'shop', tags: [] }, p2: { serviceName: 'orders-db', tags: [] } },
    warnings: null,
  };
}

function file() {
  const data = [];
  for (let i = 0; i < TRACES; i++) data.push(checkout(i, i % 19 === 3));
  return jaegerFile(data);
}

let browser;
let server;

before(async () => {
  const dist = ensureDist();
  clearFailureScreenshots(ARTIFACT_PREFIX);
  browser = await launchBrowser();
  server = await startServer({ root: dist });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('a 300-trace file yields a summary that names the operation explaining the tail', { timeout: 120_000 }, async () => {
  const { page, errors, close } = await newPage(browser, { viewport: { width: 1400, height: 1000 } });
  try {
    await page.goto(server.url);
    await waitUntil('the demo', () => countOf(page, '[data-testid=headline]'), (n) => n > 0);
    await chooseFiles(page, [{ name: 'checkouts.json', bytes: file(), type: 'application/json' }]);
    await waitUntil('301 traces in the list', () => countOf(page, '[data-testid=trace-list-item]'), (n) => n === TRACES + 1, { timeout: 60_000 });

    // Tick nothing: the summary covers every loaded trace, the demo included.
    await page.click('[data-testid=pane-summary]');
    const group = page.locator('[data-testid=summary-group]', { hasText: 'POST /checkout' });
    await group.waitFor();
    assert.match(await group.locator('h2').innerText(), /300 traces/);
    const tail = await group.locator('[data-testid=tail]').innerText();
    assert.match(tail, /^In the 16 slowest traces \(≥ p95, /);
    assert.match(tail, /SELECT orders in orders-db took .* more than usual; it explains (9\d|100) % of the tail\./);
    const counts = await group.locator('[data-testid=finding-counts]').innerText();
    assert.match(counts, /N\+1 on SELECT \* FROM items WHERE id = \? in 300 of 300 traces/);
    assert.match(await group.locator('[data-testid=durations]').innerText(), /p50 .* p90 .* p95 .* p99 /);

    // Ticking two traces narrows the summary to them.
    await page.locator('[data-testid=tick-trace]').nth(1).check();
    await page.locator('[data-testid=tick-trace]').nth(2).check();
    await waitUntil('a summary of 2 ticked traces', () => textOf(page, '[data-testid=summary]'), (t) => t.includes('Summary of 2 ticked traces'));
    await page.locator('[data-testid=tick-trace]').nth(1).uncheck();
    await page.locator('[data-testid=tick-trace]').nth(2).uncheck();
    await waitUntil('the whole summary again', () => textOf(page, '[data-testid=summary]'), (t) => t.includes('Summary of 301 loaded traces'));

    // The first heat-map row is the orders query; its last column is the slowest trace.
    const canvas = page.locator('[data-testid=summary-group]', { hasText: 'POST /checkout' }).locator('[data-testid=heatmap] canvas');
    const box = await canvas.boundingBox();
    assert.ok(box && box.width > 0);
    // Shift-clicking two columns compares them: the fastest trace (A) with the slowest (B).
    await canvas.click({ position: { x: 2, y: 5 }, modifiers: ['Shift'] });
    await waitUntil('one trace picked', () => countOf(page, '[data-testid=heat-picked]'), (n) => n === 1);
    await canvas.click({ position: { x: box.width - 2, y: 5 }, modifiers: ['Shift'] });
    await waitUntil('the comparison', () => textOf(page, '[data-testid=compare-headline]'), (t) => t?.startsWith('B took '));
    assert.match(await textOf(page, '[data-testid=compare-side-b]'), /705 ms/);
    await page.click('[data-testid=pane-summary]');
    await canvas.click({ position: { x: box.width - 2, y: 5 } });
    await waitUntil('the trace pane', () => page.locator('[data-testid=pane-trace]').getAttribute('aria-selected'), (v) => v === 'true');
    await waitUntil('the orders query selected', () => textOf(page, '[data-testid=timeline] [role=treeitem][aria-selected=true] .span-name'), (t) => t.includes('SELECT orders'));
    assert.match(await textOf(page, '[data-testid=trace-header]'), /duration 705 ms/);
    assert.deepEqual(pageErrors(errors), []);
  } catch (e) {
    await page.screenshot({ path: artifactPath(`fail-${ARTIFACT_PREFIX}-tail.png`) }).catch(() => {});
    throw e;
  } finally {
    await close();
  }
});
