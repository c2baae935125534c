// End-to-end tests of Jaeger answers that misbehave (issue #18 §4), against the replay server's
// `misbehave` modes: a body that never ends (the request's timeout fires), a 50 MB body that is
// not JSON, an HTML sign-in page sent with 200 where JSON was expected, and a search that returns
// 3,000 traces. Each gives a message in the Jaeger panel and a retry that works, and what was
// loaded before (the demo, a trace opened from an earlier search) stays.
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from '../lib/server.mjs';
import { startJaegerReplay, corpusTraces } from '../jaeger-replay/server.mjs';
import {
  ensureDist,
  artifactPath,
  clearFailureScreenshots,
  launchBrowser,
  pageErrors,
  waitUntil,
  textOf,
  countOf,
  WAIT_MS,
  VIEWPORT,
} from '../lib/harness.mjs';

const ARTIFACT_PREFIX = 'jaeger-misbehave';
/** The page's Jaeger timeout in these tests (ms). */
const TIMEOUT_MS = 3000;

let browser;
let app;
const servers = [];

before(async () => {
  const dist = ensureDist();
  clearFailureScreenshots(ARTIFACT_PREFIX);
  browser = await launchBrowser();
  app = await startServer({ root: dist });
});

after(async () => {
  await browser?.close();
  await app?.close();
  for (const s of servers) await s?.close();
});

async function replay(options) {
  const s = await startJaegerReplay({ cors: true, ...options });
  servers.push(s);
  return s;
}

/** A page in UTC (the custom time range is typed as UTC wall-clock time). */
async function open(name, jaegerUrl) {
  const context = await browser.newContext({ viewport: VIEWPORT, timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const errors = [];
  page.on('pageerror', (e) => errors.push({ kind: 'pageerror', text: String(e) }));
  await page.goto(`${app.url}?${new URLSearchParams({ jaeger: jaegerUrl, jaegerTimeout: String(TIMEOUT_MS) })}`);
  return { page, errors, close: () => context.close(), name };
}

async function guarded(ctx, body) {
  try {
    await body();
    assert.deepEqual(pageErrors(ctx.errors), []);
  } catch (e) {
    await ctx.page.screenshot({ path: artifactPath(`fail-${ARTIFACT_PREFIX}-${ctx.name.replace(/\W+/g, '-')}.png`) }).catch(() => {});
    throw e;
  } finally {
    await ctx.close();
  }
}

/** A datetime-local value (minutes) at or before / after a time (µs, or RFC 3339 for v3). */
function minute(time, roundUp) {
  const at = String(time).includes('T') ? Date.parse(time) : Number(BigInt(time) / 1000n);
  return new Date(at + (roundUp ? 60_000 : 0)).toISOString().slice(0, 16);
}

async function customWindow(page, min, max) {
  await page.selectOption('[data-testid=jaeger-lookback]', 'custom');
  await page.fill('[data-testid=jaeger-start]', minute(min, false));
  await page.locator('[data-testid=jaeger-start]').dispatchEvent('change');
  await page.fill('[data-testid=jaeger-end]', minute(max, true));
  await page.locator('[data-testid=jaeger-end]').dispatchEvent('change');
}

const status = (page) => textOf(page, '[data-testid=jaeger-status]');

/** The search each test makes: `frontend` (v3, three traces) or `api-gateway` (v1, one). */
function searchOf(generation) {
  const service = generation === 'v3' ? 'frontend' : 'api-gateway';
  const traces = corpusTraces().filter((c) => c.generation === generation && c.services.includes(service));
  assert.ok(traces.length > 0);
  const min = traces.map((c) => c.searchWindow.min).sort()[0];
  const max = traces.map((c) => c.searchWindow.max).sort().at(-1);
  return { service, count: traces.length, min, max, label: generation === 'v3' ? 'API v3' : 'API v1' };
}

/** The text of every entry of the trace list (shown or not: the Results pane may be in front). */
const listed = (page) => page.$$eval('[data-testid=trace-list-item]', (els) => els.map((el) => el.textContent.trim()));

/**
 * Connects, searches once as Jaeger should answer and opens the first result (so a trace from
 * Jaeger is loaded beside the demo), then returns the trace list.
 */
async function searchAndOpen(page, search) {
  await waitUntil('connected', () => status(page), (s) => s?.includes(`Connected, ${search.label}`));
  await page.selectOption('[data-testid=jaeger-service]', search.service);
  await customWindow(page, search.min, search.max);
  await page.click('[data-testid=jaeger-search]');
  await waitUntil('the results', () => countOf(page, '[data-testid=result]'), (n) => n === search.count);
  await page.locator('[data-testid=result]').first().click();
  await waitUntil('a trace', () => textOf(page, '[data-testid=headline]'), (s) => s?.includes('took'));
  await waitUntil('no load under way', () => countOf(page, '[data-testid=loading]'), (n) => n === 0);
  const items = await listed(page);
  assert.ok(items.length >= 2, `the demo and the opened trace are listed: ${JSON.stringify(items)}`);
  return items;
}

/** Every trace listed before is listed still: nothing loaded was lost. */
async function nothingLost(page, before) {
  const now = await listed(page);
  for (const item of before) assert.ok(now.includes(item), `${item} is still listed: ${JSON.stringify(now)}`);
}

/** Retries once the server behaves, and waits for the search's results. */
async function retryWorks(page, server, search) {
  server.set({ misbehave: null });
  assert.equal(await countOf(page, '[data-testid=jaeger-retry]'), 1, 'a retry is offered');
  await page.click('[data-testid=jaeger-retry]');
  await waitUntil('results after the retry', () => countOf(page, '[data-testid=result]'), (n) => n === search.count);
  await waitUntil('connected again', () => status(page), (s) => s?.includes(`Connected, ${search.label}`));
  assert.equal(await countOf(page, '[data-testid=jaeger-retry]'), 0);
}

for (const [generation, kind, says] of [
  // The request's timeout runs until the body ends, so a body that never ends times out.
  ['v3', 'endless', /did not answer in time \(timeout\)/],
  ['v1', 'endless', /did not answer in time \(timeout\)/],
  // Summaries are read as one JSON answer, at most MAX_ANSWER (32 MB): the download stops there.
  ['v3', 'huge', /did not answer as Jaeger does \(the answer is longer than 32 MB/],
  // Full traces (v1) go through the importer, which stops at the first bytes.
  ['v1', 'huge', /did not answer as Jaeger does \(.*the text starts with "this is not JSON/],
  ['v3', 'html', /did not answer as Jaeger does \(the trace summaries are not what Jaeger returns/],
  ['v1', 'html', /did not answer as Jaeger does/],
]) {
  test(`${generation} search answered ${kind}: a message, a retry, nothing loaded lost`, { timeout: 120_000 }, async (t) => {
    const server = await replay({ api: generation === 'v3' ? 'both' : 'v1' });
    const search = searchOf(generation);
    const ctx = await open(t.name, server.url);
    await guarded(ctx, async () => {
      const { page } = ctx;
      const before = await searchAndOpen(page, search);
      server.set({ misbehave: { kind } });
      const started = Date.now();
      await page.click('[data-testid=jaeger-search]');
      await waitUntil(`the ${kind} message`, () => status(page), (s) => says.test(s ?? ''), { timeout: 60_000 });
      if (kind === 'endless') {
        const took = Date.now() - started;
        assert.ok(took >= TIMEOUT_MS - 200 && took < TIMEOUT_MS + 10_000, `the timeout fired after ${took} ms`);
      }
      assert.ok(server.requests.some((r) => r.misbehave === kind), 'the misbehaving answer was sent');
      assert.match(await textOf(page, '[data-testid=messages]'), says);
      // The health line says the connection is failing, though the request went through.
      const health = () => page.getAttribute('[data-testid=jaeger-health]', 'data-state').catch(() => null);
      await waitUntil('the health line failing', health, (s) => s === 'failing');
      await nothingLost(page, before);
      await retryWorks(page, server, search);
      await waitUntil('the health line well again', health, (s) => s === 'ok' || s === 'slow');
      await nothingLost(page, before);
    });
  });
}

test('a search returning 3,000 traces lists them all, and the list stays usable', { timeout: 180_000 }, async (t) => {
  const server = await replay({ api: 'both' });
  const search = searchOf('v3');
  const ctx = await open(t.name, server.url);
  await guarded(ctx, async () => {
    const { page } = ctx;
    const before = await searchAndOpen(page, search);
    server.set({ misbehave: { kind: 'summaries', count: 3000, rootServiceName: 'many-svc', rootOperationName: 'GET /many' } });
    await page.click('[data-testid=jaeger-search]');
    await waitUntil('3,000 results', () => countOf(page, '[data-testid=result]'), (n) => n === 3000, { timeout: 60_000 });
    assert.equal(await textOf(page, '[data-testid=results-count]'), '3000 traces');
    assert.match(await textOf(page, '[data-testid=result]'), /many-svc: GET \/many/);
    // The page answers: sorting the 3,000 rows and scrolling to the last one take moments.
    const t0 = Date.now();
    const sorts = await page.locator('[data-testid=results-sort] option').count();
    assert.ok(sorts > 1);
    await page.selectOption('[data-testid=results-sort]', String(sorts - 1));
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    await page.locator('[data-testid=result]').last().scrollIntoViewIfNeeded();
    assert.equal(await page.evaluate(() => 1 + 1), 2);
    const took = Date.now() - t0;
    assert.ok(took < 10_000, `sorting and scrolling 3,000 results took ${took} ms`);
    assert.equal(await countOf(page, '[data-testid=result]'), 3000);
    await nothingLost(page, before);
    // Another search replaces them.
    server.set({ misbehave: null });
    await page.click('[data-testid=jaeger-search]');
    await waitUntil('the usual results', () => countOf(page, '[data-testid=result]'), (n) => n === search.count);
    await nothingLost(page, before);
  });
});
