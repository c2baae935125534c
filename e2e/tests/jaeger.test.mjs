// End-to-end tests of live Jaeger against the replay server (recorded real Jaeger responses,
// Jaeger's own validation and error envelopes): both API generations from services to a trace's
// headline, trace-id lookup, the failure messages (CORS refused, HTTP 500, unreachable, timeout
// with its retry), the health indicator, operations grouped by span kind, downloading the
// results as Jaeger JSON and OTLP JSON, and fetching every result for the summary.
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

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
  chooseFiles,
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
async function open(t, jaegerUrl, params = {}) {
  const context = await browser.newContext({ viewport: VIEWPORT, timezoneId: 'UTC', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const errors = [];
  page.on('pageerror', (e) => errors.push({ kind: 'pageerror', text: String(e) }));
  await page.goto(`${app.url}?${new URLSearchParams({ jaeger: jaegerUrl, ...params })}`);
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
  for (const [server, expect] of [
    [servers.noCors, /CORS refused.*allowed_origins.*--query\.additional-headers/s],
    [servers.failing, /HTTP 500/],
    [null, /could not be reached/],
  ]) {
    const url = server?.url ?? 'http://127.0.0.1:1';
    // Jaeger answers late enough for the demo to be shown first, so that the test sees the
    // failure leave it in place.
    server?.set({ delayMs: 1000 });
    const ctx = await open({ name: `${t.name} ${url}` }, url);
    try {
      await guarded(ctx, async () => {
        await waitUntil('the demo', () => textOf(ctx.page, '[data-testid=headline]'), (s) => /weather-service/.test(s ?? ''));
        await waitUntil(`the failure for ${url}`, () => textOf(ctx.page, '[data-testid=jaeger-status]'), (s) => expect.test(s));
        assert.match(await textOf(ctx.page, '[data-testid=messages]'), expect);
        // The demo stays shown after the failure.
        assert.match((await textOf(ctx.page, '[data-testid=headline]')) ?? '', /weather-service/);
        assert.equal(await countOf(ctx.page, '[data-testid=trace-list-item]'), 1);
      });
    } finally {
      server?.set({ delayMs: 0 });
    }
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

    // Back pressed while a search is still waiting for Jaeger goes back all the same.
    servers.both.set({ delayMs: 1500 });
    try {
      await page.selectOption('[data-testid=jaeger-service]', 'load-generator');
      await page.click('[data-testid=jaeger-search]');
      await waitUntil('the slow search in the URL', () => page.url(), (u) => u.includes('service=load-generator'));
      await page.goBack();
      await waitUntil('the first search again, before the slow answer', () => page.url(), (u) => u.includes('service=frontend'));
      await page.waitForTimeout(2000);
      assert.equal(await page.locator('[data-testid=jaeger-service]').inputValue(), 'frontend', 'the form shows the search of the URL');
    } finally {
      servers.both.set({ delayMs: 0 });
    }
    await waitUntil('its results once more', () => textOf(page, '[data-testid=results]'), (s) => s.includes('GET /dispatch'));
  });
});

/** Sets the custom search window (UTC minutes) around two times (µs, or RFC 3339 for v3). */
async function customWindow(page, min, max) {
  await page.selectOption('[data-testid=jaeger-lookback]', 'custom');
  await page.fill('[data-testid=jaeger-start]', minute(min, false));
  await page.locator('[data-testid=jaeger-start]').dispatchEvent('change');
  await page.fill('[data-testid=jaeger-end]', minute(max, true));
  await page.locator('[data-testid=jaeger-end]').dispatchEvent('change');
}

const status = (page) => textOf(page, '[data-testid=jaeger-status]');
const health = (page) => textOf(page, '[data-testid=jaeger-health]');
const healthState = (page) => page.locator('[data-testid=jaeger-health]').getAttribute('data-state');

/** The v3 traces of `frontend` (three), and a window that finds them all. */
function frontendTraces() {
  const traces = corpusTraces().filter((c) => c.generation === 'v3' && c.services.includes('frontend'));
  assert.equal(traces.length, 3, 'the replay corpus has three frontend traces');
  const mins = traces.map((c) => c.searchWindow.min).sort();
  const maxs = traces.map((c) => c.searchWindow.max).sort();
  return { traces, min: mins[0], max: maxs[maxs.length - 1] };
}

/** Once connected to v3, searches `frontend` in the window of `frontendTraces` and waits for its three results. */
async function searchFrontend(page, min, max) {
  await waitUntil('connected', () => status(page), (s) => s.includes('Connected, API v3'));
  await page.selectOption('[data-testid=jaeger-service]', 'frontend');
  await customWindow(page, min, max);
  await page.click('[data-testid=jaeger-search]');
  await waitUntil('three results', () => countOf(page, '[data-testid=result]'), (n) => n === 3);
}

test('timeout: its message, and a retry that works once Jaeger answers in time (v3 connect, v1 search)', async (t) => {
  servers.slow = await startJaegerReplay({ api: 'both', cors: true, delayMs: 3000 });
  const slow = servers.slow;
  const ctx = await open(t, slow.url, { jaegerTimeout: '1500' });
  await guarded(ctx, async () => {
    const { page } = ctx;
    await waitUntil('the timeout message', () => status(page), (s) => /did not answer in time \(timeout\)/.test(s));
    assert.equal(await page.locator('[data-testid=jaeger-timeout]').inputValue(), '1500');
    assert.match(await health(page), /Failing \(timeout\)/);
    assert.match(await textOf(page, '[data-testid=messages]'), /timeout/);
    slow.set({ delayMs: 0 });
    // The server logs what it answered; the page gave up before the answer.
    const answered = () => slow.requests.filter((r) => r.path.endsWith('/api/v3/services') && r.status === 200).length;
    assert.equal(answered(), 0);
    await page.click('[data-testid=jaeger-retry]');
    await waitUntil('connected after the retry', () => status(page), (s) => s.includes('Connected, API v3'));
    assert.equal(answered(), 1, 'the retry asked again');
    assert.equal(await countOf(page, '[data-testid=jaeger-retry]'), 0);
    assert.equal(await healthState(page), 'ok');
  });

  servers.slowV1 = await startJaegerReplay({ api: 'v1', cors: true });
  const v1 = servers.slowV1;
  const ctx1 = await open({ name: `${t.name} v1` }, v1.url, { jaegerTimeout: '1500' });
  await guarded(ctx1, async () => {
    const { page } = ctx1;
    const petclinic = traceIn('v1', 'jaeger/petclinic-17spans-31char-traceid.json');
    await waitUntil('v1 detected', () => status(page), (s) => s.includes('API v1'));
    await page.selectOption('[data-testid=jaeger-service]', 'api-gateway');
    await customWindow(page, petclinic.searchWindow.min, petclinic.searchWindow.max);
    v1.set({ delayMs: 3000 });
    await page.click('[data-testid=jaeger-search]');
    await waitUntil('the search timeout', () => status(page), (s) => /did not answer in time \(timeout\)/.test(s));
    v1.set({ delayMs: 0 });
    await page.click('[data-testid=jaeger-retry]');
    await waitUntil('results after the retry', () => countOf(page, '[data-testid=result]'), (n) => n >= 1);
    assert.ok(v1.requests.some((r) => r.path.endsWith('/api/traces') && r.status === 200));
    assert.match(await status(page), /Connected, API v1/);
  });
});

test('health: API in use, round trip, last contact, and a dot with a word for ok, slow and failing', async (t) => {
  servers.health = await startJaegerReplay({ api: 'both', cors: true });
  const h = servers.health;
  const ctx = await open(t, h.url);
  await guarded(ctx, async () => {
    const { page } = ctx;
    await waitUntil('ok', () => healthState(page), (s) => s === 'ok');
    assert.match(await health(page), /OK · API v3 · last request \d+ ms · last contact \d\d:\d\d:\d\d/);
    const contact = (await health(page)).match(/last contact (\S+)/)[1];

    h.set({ delayMs: 1200 });
    await page.click('[data-testid=jaeger-connect]');
    await waitUntil('slow', () => healthState(page), (s) => s === 'slow');
    const ms = Number((await health(page)).match(/last request (\d+) ms/)[1]);
    assert.ok(ms >= 1200, `the round trip (${ms} ms) includes the delay`);
    assert.match(await health(page), /^● Slow · API v3/);

    h.set({ delayMs: 0, failWith: { status: 503 } });
    await page.click('[data-testid=jaeger-connect]');
    await waitUntil('failing', () => healthState(page), (s) => s === 'failing');
    const failing = await health(page);
    assert.match(failing, /Failing \(HTTP 503\)/);
    // The last successful contact is still the one before.
    assert.match(failing, /last contact \d\d:\d\d:\d\d/);
    assert.ok(failing.match(/last contact (\S+)/)[1] >= contact);

    h.set({ failWith: null });
    await page.click('[data-testid=jaeger-retry]');
    await waitUntil('ok again', () => healthState(page), (s) => s === 'ok');
  });
});

/** The operations `<select>`'s groups: `[[label, [names…]]…]`. */
function operationGroups(page) {
  return page.$$eval('[data-testid=jaeger-operation] optgroup', (groups) =>
    groups.map((g) => [g.label, [...g.querySelectorAll('option')].map((o) => o.textContent)]),
  );
}

test('operations are listed per span kind, and a search sends only the name (v3 and v1)', async (t) => {
  const kindOrder = ['server', 'client', 'producer', 'consumer', 'internal'];
  for (const [server, service, opsPath, searchPath, opParam] of [
    [servers.both, 'frontend', '/api/v3/operations', '/api/v3/trace-summaries', 'query.operationName'],
    [servers.v1, 'customers-service', '/api/operations', '/api/traces', 'operation'],
  ]) {
    const ctx = await open({ name: `${t.name} ${service}` }, server.url);
    await guarded(ctx, async () => {
      const { page } = ctx;
      await waitUntil('connected', () => status(page), (s) => s.includes('Connected'));
      // What Jaeger answers, read here: the page must group exactly that.
      const body = await (await fetch(`${server.url}${opsPath}?service=${encodeURIComponent(service)}`)).json();
      const ops = body.operations ?? body.data;
      const expected = new Map();
      for (const o of ops) {
        const label = o.spanKind === '' ? 'no span kind' : o.spanKind;
        expected.set(label, [...new Set([...(expected.get(label) ?? []), o.name])].sort());
      }
      const rank = (l) => (kindOrder.includes(l) ? kindOrder.indexOf(l) : l === 'no span kind' ? 99 : 50);
      const want = [...expected.entries()].sort((a, b) => rank(a[0]) - rank(b[0]));
      assert.ok(want.length >= 2, `${service} has operations of several span kinds`);

      await page.selectOption('[data-testid=jaeger-service]', service);
      await waitUntil(`${service}'s operations by span kind`, () => operationGroups(page), (g) => JSON.stringify(g) === JSON.stringify(want));
      assert.ok(server.requests.some((r) => r.path.endsWith(opsPath) && r.query.service === service && r.status === 200));
      assert.ok(!server.requests.some((r) => /\/api\/services\/.+\/operations$/.test(r.path)), 'not the legacy operations route');

      // Choose an operation of the second group, and search.
      const [kind, names] = want[1];
      await page.selectOption('[data-testid=jaeger-operation]', { label: names[0] });
      const chosen = await page.$eval('[data-testid=jaeger-operation]', (s) => s.selectedOptions[0].parentElement.label);
      assert.equal(chosen, kind);
      await page.click('[data-testid=jaeger-search]');
      const search = await waitUntil('the search request', () => server.requests.filter((r) => r.path.endsWith(searchPath)).at(-1), (r) => r?.query[opParam] === names[0]);
      assert.ok(!Object.keys(search.query).some((k) => /kind/i.test(k)), `only the name is sent: ${JSON.stringify(search.query)}`);
    });
  }
});

test('the results download as Jaeger JSON and as OTLP JSON, fetched first, and re-import', async (t) => {
  servers.download = await startJaegerReplay({ api: 'both', cors: true });
  const server = servers.download;
  const { traces, min, max } = frontendTraces();
  const ctx = await open(t, server.url);
  let jaegerBytes;
  let otlpBytes;
  await guarded(ctx, async () => {
    const { page } = ctx;
    await searchFrontend(page, min, max);
    // Summaries only: nothing is loaded yet.
    assert.equal(server.requests.filter((r) => /\/api\/v3\/traces\/.+/.test(r.path)).length, 0);

    const [jaegerDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-jaeger]')]);
    assert.match(jaegerDownload.suggestedFilename(), /^traces-\d+\.json$/);
    jaegerBytes = fs.readFileSync(await jaegerDownload.path());
    assert.match(await textOf(page, '[data-testid=fetch-progress]'), /^3 of 3 fetched\.$/);
    const doc = JSON.parse(jaegerBytes);
    assert.deepEqual(Object.keys(doc), ['data']);
    assert.deepEqual(doc.data.map((d) => d.traceID).sort(), traces.map((c) => c.traceId).sort());
    for (const c of traces) {
      const d = doc.data.find((x) => x.traceID === c.traceId);
      assert.equal(d.spans.length, c.spanCount, `spans of ${c.traceId}`);
      assert.ok(d.spans.every((s) => d.processes[s.processID]?.serviceName), 'every span has its process');
    }

    const [otlpDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-otlp]')]);
    assert.match(otlpDownload.suggestedFilename(), /^traces-\d+\.otlp\.json$/);
    otlpBytes = fs.readFileSync(await otlpDownload.path());
    const otlp = JSON.parse(otlpBytes);
    const spans = otlp.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    assert.equal(spans.length, traces.reduce((n, c) => n + c.spanCount, 0));
    assert.deepEqual([...new Set(spans.map((s) => s.traceId))].sort(), traces.map((c) => c.traceId).sort());
    // Each trace was fetched once, for the first download.
    for (const c of traces) {
      assert.equal(server.requests.filter((r) => r.path.endsWith(`/api/v3/traces/${c.traceId}`)).length, 1, c.traceId);
    }
  });

  // Both files open in a fresh page as the same three traces.
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  const reopen = { page, errors: [], close: () => context.close(), name: `${t.name} re-import` };
  page.on('pageerror', (e) => reopen.errors.push({ kind: 'pageerror', text: String(e) }));
  await guarded(reopen, async () => {
    await page.goto(app.url);
    await waitUntil('the demo', () => countOf(page, '[data-testid=trace-list-item]'), (n) => n === 1);
    await chooseFiles(page, [{ name: 'results.json', bytes: jaegerBytes, type: 'application/json' }]);
    await waitUntil('the three traces', () => countOf(page, '[data-testid=trace-list-item]'), (n) => n === 4);
    await chooseFiles(page, [{ name: 'results.otlp.json', bytes: otlpBytes, type: 'application/json' }]);
    await page.waitForTimeout(500);
    assert.equal(await countOf(page, '[data-testid=trace-list-item]'), 4, 'the OTLP file holds the same traces');
    assert.doesNotMatch(await textOf(page, '[data-testid=messages]').catch(() => ''), /could not|error/i);
  });
});

test('a v3 search of summaries is summarised after fetching every trace, failures listed', async (t) => {
  servers.fetchAll = await startJaegerReplay({ api: 'both', cors: true });
  const server = servers.fetchAll;
  const { traces, min, max } = frontendTraces();
  const ctx = await open(t, server.url);
  await guarded(ctx, async () => {
    const { page } = ctx;
    await searchFrontend(page, min, max);
    // Open one result: it is loaded, and must not be fetched again.
    await page.locator('[data-testid=result]').first().click();
    await waitUntil('a trace', () => textOf(page, '[data-testid=headline]'), (s) => s.includes('took'));
    const opened = server.requests.find((r) => /\/api\/v3\/traces\/.+/.test(r.path)).path.split('/').pop();

    await page.click('[data-testid=pane-summary]');
    assert.match(await textOf(page, '[data-testid=search-scope]'), /The search found 3 traces; 1 loaded\./);
    assert.equal(await textOf(page, '[data-testid=fetch-all]'), 'Fetch all 3 traces and summarise');

    // Jaeger fails: the failures are listed.
    server.set({ failWith: { status: 500 } });
    await page.click('[data-testid=fetch-all]');
    await waitUntil('the failures', () => textOf(page, '[data-testid=fetch-progress]'), (s) => s === '1 of 3 fetched, 2 failed.');
    const failures = await page.locator('[data-testid=fetch-failures] li').allInnerTexts();
    assert.equal(failures.length, 2);
    for (const f of failures) assert.match(f, /^[0-9a-f]{32}: Jaeger answered HTTP 500/);

    // Again, with Jaeger back: the two missing traces are fetched, and summarised with the third.
    server.set({ failWith: null });
    await page.click('[data-testid=fetch-all]');
    await waitUntil('all fetched', () => textOf(page, '[data-testid=fetch-progress]'), (s) => s === '3 of 3 fetched.');
    await waitUntil('the summary of the search', () => textOf(page, '[data-testid=summary-scope]'), (s) => s.startsWith('Summary of the 3 traces of the search'));
    assert.equal(await textOf(page, '[data-testid=fetch-all]'), 'Summarise the 3 traces of the search');
    const counts = (await page.locator('[data-testid=summary-group] h2').allInnerTexts()).map((h) => Number(h.match(/— (\d+) traces?/)[1]));
    assert.equal(counts.reduce((a, b) => a + b, 0), 3);
    for (const c of traces) {
      const ok = server.requests.filter((r) => r.path.endsWith(`/api/v3/traces/${c.traceId}`) && r.status === 200).length;
      assert.equal(ok, 1, `${c.traceId} fetched once${c.traceId === opened ? ' (opened before)' : ''}`);
    }
  });
});
