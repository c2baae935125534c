// End-to-end tests of a file of many traces opened the way a search is: the file pane with the
// scatter plot, the list in Jaeger UI's sort orders, a click that opens a trace, two ticked
// traces compared, and the summary across them one click away; by a dropped file and by `?url=`.
// A file of one trace still opens its trace.
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from '../lib/server.mjs';
import { spanMaker, jaegerFile } from '../lib/jaeger-file.mjs';
import {
  ensureDist,
  clearFailureScreenshots,
  launchBrowser,
  runInPage,
  chooseFiles,
  waitUntil,
  textOf,
  textsOf,
  countOf,
} from '../lib/harness.mjs';

const ARTIFACT_PREFIX = 'file-results';
const TRACES = 30;

/**
 * Trace `i` of the file: it starts i seconds after the first, lasts (i * 7 % 30 + 1) ms, has
 * 2 + i % 4 spans and, when i % 5 == 0, an error.
 */
function trace(i) {
  const traceID = (0x1000 + i).toString(16).padStart(32, '0');
  const base = 1_700_000_000_000_000 + i * 1_000_000;
  const span = spanMaker(traceID, base, (n) => (i * 16 + n + 1).toString(16).padStart(16, '0'));
  const duration = ((i * 7) % 30) * 1_000 + 1_000;
  const spans = [span(0, null, i % 2 ? 'GET /cart' : 'POST /order', 'p1', 0, duration)];
  for (let k = 1; k < 2 + (i % 4); k++) {
    const tags = k === 1 && i % 5 === 0 ? [{ key: 'error', type: 'bool', value: true }] : [];
    spans.push(span(k, 0, `step ${k}`, 'p2', k * 10, 50, tags));
  }
  return {
    traceID,
    spans,
    processes: { p1: { serviceName: 'shop', tags: [] }, p2: { serviceName: 'stock', tags: [] } },
    warnings: null,
  };
}

const FILE = jaegerFile(Array.from({ length: TRACES }, (_, i) => trace(i)));
const durationMs = (i) => ((i * 7) % 30) + 1;

let browser;
let server;

before(async () => {
  const dist = ensureDist();
  clearFailureScreenshots(ARTIFACT_PREFIX);
  browser = await launchBrowser();
  server = await startServer({ root: dist, files: { '/many.json': FILE, '/one.json': jaegerFile([trace(3)]) } });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const idsShown = (page) =>
  page.locator('[data-testid=file-results] [data-testid=result] .trace-id').evaluateAll((els) => els.map((e) => e.textContent.trim()));
const short = (i) => (0x1000 + i).toString(16).padStart(32, '0').slice(0, 7);

test('a dropped file of 30 traces opens as a search: scatter, sort orders, open, compare, summary', { timeout: 90_000 }, async () => {
  await runInPage(browser, ARTIFACT_PREFIX, 'dropped', async ({ page }) => {
    await page.goto(server.url);
    await waitUntil('the demo', () => countOf(page, '[data-testid=headline]'), (n) => n > 0);
    await chooseFiles(page, [{ name: 'traces.json', bytes: FILE, type: 'application/json' }]);
    await waitUntil('the file pane', () => textOf(page, '[data-testid=file-count]'), (t) => t === `${TRACES} traces in traces.json`);
    assert.equal(await page.locator('[data-testid=pane-file]').getAttribute('aria-selected'), 'true');
    assert.equal(await textOf(page, '[data-testid=pane-file]'), 'Traces in traces.json');
    assert.equal(await countOf(page, '[data-testid=file-results] [data-testid=result]'), TRACES);
    assert.equal(await countOf(page, '[data-testid=file-results] [data-testid=scatter-point]'), TRACES);
    assert.equal(await countOf(page, '[data-testid=file-results] [data-testid=scatter-point].error'), TRACES / 5);

    // Jaeger UI's orders: most recent first by default, then the others.
    const all = Array.from({ length: TRACES }, (_, i) => i);
    assert.deepEqual(await idsShown(page), [...all].reverse().map(short));
    const sortBy = async (label) => {
      await page.selectOption('[data-testid=file-results] [data-testid=results-sort]', { label });
    };
    await sortBy('Oldest First');
    await waitUntil('oldest first', () => idsShown(page), (ids) => ids[0] === short(0) && ids[TRACES - 1] === short(TRACES - 1));
    await sortBy('Longest First');
    await waitUntil('longest first', () => idsShown(page), (ids) => ids[0] === short(all.reduce((a, b) => (durationMs(b) > durationMs(a) ? b : a))));
    const durations = await textsOf(page, '[data-testid=file-results] [data-testid=result] .duration-bar em');
    const ms = durations.map((d) => parseFloat(d) * (d.endsWith('µs') ? 0.001 : 1));
    assert.deepEqual(ms, [...ms].sort((a, b) => b - a), `longest first: ${durations}`);
    await sortBy('Most Spans');
    const spans = await textsOf(page, '[data-testid=file-results] [data-testid=result] .meta span:first-child');
    assert.equal(spans[0], '5 spans');
    assert.equal(spans[TRACES - 1], '2 spans');
    await sortBy('Most Errors');
    await waitUntil('errors first', () => textsOf(page, '[data-testid=file-results] [data-testid=result] .errors'), (e) => e.length === TRACES / 5);
    const firstErrors = await page.locator('[data-testid=file-results] [data-testid=result]').first().locator('.errors').count();
    assert.equal(firstErrors, 1);

    // A click opens the trace.
    await sortBy('Oldest First');
    await page.locator('[data-testid=file-results] [data-testid=result]').nth(3).locator('.svc').click();
    await waitUntil('the trace pane', () => page.locator('[data-testid=pane-trace]').getAttribute('aria-selected'), (v) => v === 'true');
    assert.match(await textOf(page, '[data-testid=trace-header]'), new RegExp(`trace ${(0x1000 + 3).toString(16).padStart(32, '0')}`));

    // Two ticked compared: the shorter is A. The list kept its order meanwhile.
    await page.click('[data-testid=pane-file]');
    assert.equal(await page.$eval('[data-testid=file-results] [data-testid=results-sort]', (s) => s.selectedOptions[0].textContent), 'Oldest First');
    await page.locator('[data-testid=file-results] [data-testid=result-compare]').nth(1).check();
    await page.locator('[data-testid=file-results] [data-testid=result-compare]').nth(2).check();
    await page.click('[data-testid=file-results] [data-testid=compare-results]');
    await waitUntil('the comparison', () => textOf(page, '[data-testid=compare-headline]'), (t) => /B (took|was) /.test(t ?? ''));
    assert.match(await textOf(page, '[data-testid=compare-side-a]'), new RegExp(`${durationMs(1)}\\.0+ ms|${durationMs(1)} ms`));

    // The summary across the file's traces, one click away.
    await page.click('[data-testid=pane-file]');
    await page.click('[data-testid=file-summary]');
    await waitUntil('the summary of the file', () => textOf(page, '[data-testid=summary-scope]'), (t) => t?.startsWith(`Summary of the ${TRACES} traces of traces.json`));
    assert.equal(await countOf(page, '[data-testid=summary-group]'), 2);
  });
});

test('?url= with many traces lists them; with one, its trace opens as before', { timeout: 60_000 }, async () => {
  await runInPage(browser, ARTIFACT_PREFIX, 'url', async ({ page }) => {
    await page.goto(`${server.url}?url=${encodeURIComponent('/many.json')}`);
    await waitUntil('the file pane', () => textOf(page, '[data-testid=file-count]'), (t) => t === `${TRACES} traces in many.json`);
    await page.goto(`${server.url}?url=${encodeURIComponent('/one.json')}`);
    await waitUntil('the trace', () => textOf(page, '[data-testid=trace-header] h1'), (t) => t?.includes('GET /cart'));
    assert.equal(await countOf(page, '[data-testid=file-results]'), 0);
    assert.equal(await countOf(page, '[data-testid=pane-file]'), 0);
  });
});
