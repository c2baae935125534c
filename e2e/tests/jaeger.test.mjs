// End-to-end tests of live Jaeger against the replay server (recorded real Jaeger responses,
// Jaeger's own validation and error envelopes): both API generations from services to a trace's
// headline, trace-id lookup, and the failure messages (CORS refused, HTTP 500, unreachable).
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

const ARTIFACT_PREFIX = 'jaeger';

let browser;
let app;
const servers = {};

before(async () => {
  const dist = ensureDist();
  clearFailureScreenshots(ARTIFACT_PREFIX);
  browser = await launchBrowser();
  app = await startServer({ root: dist });
  servers.both = await startJaegerReplay({ api: 'both', cors: true });
  servers.v1 = await startJaegerReplay({ api: 'v1', cors: true });
  servers.noCors = await startJaegerReplay({ api: 'both', cors: false });
  servers.failing = await startJaegerReplay({ api: 'both', cors: true, failWith: { status: 500 } });
});

after(async () => {
  await browser?.close();
  await app?.close();
  for (const s of Object.values(servers)) await s?.close();
});

/** A page in UTC (the custom time range is typed as UTC wall-clock time). */
async function open(t, jaegerUrl) {
  const context = await browser.newContext({ viewport: VIEWPORT, timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const errors = [];
  page.on('pageerror', (e) => errors.push({ kind: 'pageerror', text: String(e) }));
  await page.goto(`${app.url}?jaeger=${encodeURIComponent(jaegerUrl)}`);
  return { page, errors, close: () => context.close(), name: t.name };
}

/** A datetime-local value (minutes) at or before / after a time (µs, or RFC 3339 for v3). */
function minute(time, roundUp) {
  const at = String(time).includes('T') ? Date.parse(time) : Number(BigInt(time) / 1000n);
  const ms = at + (roundUp ? 60_000 : 0);
  return new Date(ms).toISOString().slice(0, 16);
}

function traceIn(generation, file) {
  const t = corpusTraces().find((c) => c.generation === generation && c.file === file);
  assert.ok(t, `the replay corpus serves ${file}`);
  return t;
}

async function searchFlow(page, trace) {
  await page.waitForSelector('[data-testid=jaeger-service]');
  await page.selectOption('[data-testid=jaeger-service]', trace.services[0]);
  await waitUntil('operations', () => countOf(page, '[data-testid=jaeger-operation] option'), (n) => n > 1);
  await page.selectOption('[data-testid=jaeger-lookback]', 'custom');
  await page.fill('[data-testid=jaeger-start]', minute(trace.searchWindow.min, false));
  await page.locator('[data-testid=jaeger-start]').dispatchEvent('change');
  await page.fill('[data-testid=jaeger-end]', minute(trace.searchWindow.max, true));
  await page.locator('[data-testid=jaeger-end]').dispatchEvent('change');
  await page.click('[data-testid=jaeger-search]');
  await waitUntil('results', () => countOf(page, '[data-testid=result]'), (n) => n >= 1);
  assert.match(await textOf(page, '[data-testid=results-count]'), /\d+ traces?/);
  await page.locator('[data-testid=scatter-point]').first().click();
  await waitUntil('the trace headline', () => textOf(page, '[data-testid=headline]'), (s) => s.includes('took'));
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

test('API v3: services, operations, search, scatter click, trace and headline', async (t) => {
  const ctx = await open(t, servers.both.url);
  await guarded(ctx, async () => {
    const hotrod = traceIn('v3', 'otlp/hotrod-40spans-6services.json');
    await waitUntil('v3 detected', () => textOf(ctx.page, '[data-testid=jaeger-status]'), (s) => s.includes('API v3'));
    await searchFlow(ctx.page, hotrod);
    assert.match(await textOf(ctx.page, '[data-testid=headline]'), /^GET \/dispatch \(frontend\) took 694 ms/);
    // The v3 search asked for summaries with Jaeger's required parameters.
    const search = servers.both.requests.find((r) => r.path.endsWith('/api/v3/trace-summaries'));
    assert.ok(search, 'a trace-summaries request');
    assert.ok(search.status === 200, `trace-summaries answered ${search.status}`);
  });
});

test('API v1: an old Jaeger is searched through /api/traces', async (t) => {
  const ctx = await open(t, servers.v1.url);
  await guarded(ctx, async () => {
    const petclinic = traceIn('v1', 'jaeger/petclinic-17spans-31char-traceid.json');
    await waitUntil('v1 detected', () => textOf(ctx.page, '[data-testid=jaeger-status]'), (s) => s.includes('API v1'));
    await searchFlow(ctx.page, petclinic);
    assert.match(await textOf(ctx.page, '[data-testid=trace-header]'), /17 spans/);
    assert.ok(servers.v1.requests.some((r) => r.path.endsWith('/api/traces') && r.status === 200));
  });
});

test('a trace id opens that trace, and is not fetched twice', async (t) => {
  const ctx = await open(t, servers.both.url);
  await guarded(ctx, async () => {
    await waitUntil('connected', () => textOf(ctx.page, '[data-testid=jaeger-status]'), (s) => s.includes('Connected'));
    const id = '1a4e4a7b270e9f2a0f716e3ee115218a';
    await ctx.page.fill('[data-testid=jaeger-trace-id]', id);
    await ctx.page.click('[data-testid=jaeger-open]');
    await waitUntil('the trace', () => textOf(ctx.page, '[data-testid=trace-header]'), (s) => s.includes(id));
    const before = servers.both.requests.filter((r) => r.path.endsWith(`/traces/${id}`)).length;
    await ctx.page.click('[data-testid=jaeger-open]');
    await ctx.page.waitForTimeout(500);
    const after = servers.both.requests.filter((r) => r.path.endsWith(`/traces/${id}`)).length;
    assert.equal(after, before, 'an already loaded trace is not fetched again');
    // An unknown id says so.
    await ctx.page.fill('[data-testid=jaeger-trace-id]', 'ffffffffffffffffffffffffffffffff');
    await ctx.page.click('[data-testid=jaeger-open]');
    await waitUntil('a not-found message', () => textOf(ctx.page, '[data-testid=messages]'), (s) => s.includes('was not found in Jaeger'));
  });
});

test('failures: CORS refused, HTTP 500 with Jaeger\'s message, unreachable', async (t) => {
  for (const [url, expect] of [
    [servers.noCors.url, /CORS refused.*allowed_origins.*--query\.additional-headers/s],
    [servers.failing.url, /HTTP 500/],
    ['http://127.0.0.1:1', /could not be reached/],
  ]) {
    const ctx = await open({ name: `${t.name} ${url}` }, url);
    await guarded(ctx, async () => {
      await waitUntil(`the failure for ${url}`, () => textOf(ctx.page, '[data-testid=jaeger-status]'), (s) => expect.test(s));
      assert.match(await textOf(ctx.page, '[data-testid=messages]'), expect);
      // The demo that was shown stays shown.
      assert.match(await textOf(ctx.page, '[data-testid=headline]'), /weather-service/);
    });
  }
});

test('the URL restores a search, and back/forward move between searches', async (t) => {
  const hotrod = traceIn('v3', 'otlp/hotrod-40spans-6services.json');
  const startUs = BigInt(Date.parse(minute(hotrod.searchWindow.min, false) + 'Z')) * 1000n;
  const endUs = BigInt(Date.parse(minute(hotrod.searchWindow.max, true) + 'Z')) * 1000n;
  const context = await browser.newContext({ viewport: VIEWPORT, timezoneId: 'UTC' });
  const page = await context.newPage();
  const ctx = { page, errors: [], close: () => context.close(), name: t.name };
  page.on('pageerror', (e) => ctx.errors.push({ kind: 'pageerror', text: String(e) }));
  await guarded(ctx, async () => {
    const q = new URLSearchParams({
      jaeger: servers.both.url,
      service: 'frontend',
      lookback: 'custom',
      start: String(startUs),
      end: String(endUs),
      limit: '20',
    });
    await page.goto(`${app.url}?${q}`);
    await waitUntil('the restored search', () => countOf(page, '[data-testid=result]'), (n) => n >= 1);
    assert.equal(await page.locator('[data-testid=jaeger-service]').inputValue(), 'frontend');
    // A second search, for another service, is a new history entry.
    await page.selectOption('[data-testid=jaeger-service]', 'load-generator');
    await page.click('[data-testid=jaeger-search]');
    await waitUntil('the second search in the URL', () => page.url(), (u) => u.includes('service=load-generator'));
    await page.goBack();
    await waitUntil('the first search again', () => page.url(), (u) => u.includes('service=frontend'));
    await waitUntil('its service in the form', () => page.locator('[data-testid=jaeger-service]').inputValue(), (v) => v === 'frontend');
    await waitUntil('its results', () => textOf(page, '[data-testid=results]'), (s) => s.includes('GET /dispatch'));
  });
});
