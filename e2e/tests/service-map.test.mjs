// End-to-end test of the service map (issue #17 §2): the trace view's "Service map" tab on the
// real HotROD trace, whose calls are known (frontend → customer → mysql, frontend → driver →
// redis-manual, frontend → route), a click on a service filtering the timeline to its spans
// and their ancestors behind a removable chip, the map of every loaded trace once a second file
// (built here, with known calls) is loaded, "Only this trace", and a summary group's map whose
// click opens a trace filtered to the service.
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { spanMaker, jaegerFile } from '../lib/jaeger-file.mjs';
import {
  runInPage,
  startAppWithFixtures,
  chooseFiles,
  waitUntil,
  textOf,
  textsOf,
  countOf,
} from '../lib/harness.mjs';

const ARTIFACT_PREFIX = 'service-map';

// The DOM contract.
const HEADLINE = '[data-testid=bottleneck-panel] [data-testid=headline]';
const ROWS = '[data-testid=timeline] [role=treeitem]';
const TAB_MAP = '[data-testid=tab-service-map]';
const TAB_TIMELINE = '[data-testid=tab-timeline]';
const MAP = '[data-testid=service-map]';
const NODE = `${MAP} [data-testid=service-node]`;
const EDGE = `${MAP} [data-testid=service-edge]`;
const SCOPE = '[data-testid=service-map-scope]';
const ONE_TRACE = 'input[data-testid=service-map-one-trace]';
const CHIP = '[data-testid=service-filter]';
const CHIP_REMOVE = '[data-testid=service-filter-remove]';
const HIDDEN_COUNT = '[data-testid=hidden-count]';

const HOTROD = 'fixtures/otlp/hotrod-40spans-6services.json';
const HOTROD_SPANS = 40;
const HOTROD_SERVICES = ['customer', 'driver', 'frontend', 'mysql', 'redis-manual', 'route'];
// Caller → callee: [calls, errors]. A client span and its server child are one call.
const HOTROD_CALLS = {
  'customer→mysql': [1, 0],
  'driver→redis-manual': [14, 3],
  'frontend→customer': [1, 0],
  'frontend→driver': [1, 0],
  'frontend→route': [10, 0],
};

/** Tall enough for every row of a 40-span trace (24 px each) to be rendered at once. */
const TALL = { width: 1280, height: 2400 };

/** A checkout in `shop` querying `orders-db` three times, the last query failing. */
function checkoutFile() {
  const traceID = 'c0ffee'.padStart(32, '0');
  const span = spanMaker(traceID, 1_700_000_000_000_000, (n) => (0xc0ffee00 + n).toString(16).padStart(16, '0'));
  const failed = [{ key: 'error', type: 'bool', value: true }];
  const spans = [
    span(0, null, 'POST /checkout', 'p1', 0, 100_000),
    span(1, 0, 'SELECT orders', 'p2', 5_000, 20_000),
    span(2, 0, 'SELECT items', 'p2', 30_000, 20_000),
    span(3, 0, 'UPDATE stock', 'p2', 55_000, 30_000, failed),
  ];
  return jaegerFile([
    {
      traceID,
      spans,
      processes: { p1: { serviceName: 'shop', tags: [] }, p2: { serviceName: 'orders-db', tags: [] } },
      warnings: null,
    },
  ]);
}

let browser;
let server;

before(async () => {
  ({ browser, server } = await startAppWithFixtures(ARTIFACT_PREFIX));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The map's nodes: service name → its classes. */
function nodesOf(page) {
  return page.$$eval(NODE, (els) =>
    Object.fromEntries(els.map((el) => [el.getAttribute('data-service'), el.getAttribute('class') ?? ''])),
  );
}

/** The map's edges: `from→to` → [calls, errors]. */
function edgesOf(page) {
  return page.$$eval(EDGE, (els) =>
    Object.fromEntries(
      els.map((el) => [
        `${el.getAttribute('data-from')}→${el.getAttribute('data-to')}`,
        [Number(el.getAttribute('data-calls')), Number(el.getAttribute('data-errors'))],
      ]),
    ),
  );
}

/** The service of every row drawn. */
const rowServices = (page) => textsOf(page, `${ROWS} .span-name .svc`);

/** Clicks a service's box in the map. */
const clickService = (page, name) => page.locator(`${NODE}[data-service="${name}"]`).click();

test('the service map of HotROD, its calls, and a service filtering the timeline', { timeout: 120_000 }, async () => {
  await runInPage(
    browser,
    ARTIFACT_PREFIX,
    'hotrod',
    async ({ page }) => {
      await page.goto(`${server.url}?url=${HOTROD}`);
      await waitUntil('the HotROD headline', () => textOf(page, HEADLINE), (t) => t != null && t.includes('took'));
      await waitUntil(`${HOTROD_SPANS} rows`, () => countOf(page, ROWS), (n) => n === HOTROD_SPANS);

      await page.click(TAB_MAP);
      await waitUntil('the map drawn', () => countOf(page, NODE), (n) => n === HOTROD_SERVICES.length);
      assert.match(await textOf(page, SCOPE), /^Services of this trace and the calls between them/);
      assert.equal(await countOf(page, ONE_TRACE), 0, 'no "Only this trace" with one trace loaded');
      const nodes = await nodesOf(page);
      assert.deepEqual(Object.keys(nodes).sort(), HOTROD_SERVICES);
      assert.deepEqual(await edgesOf(page), HOTROD_CALLS);
      // The customer look-up and its query are on the critical path once the trace is analysed.
      for (const svc of ['frontend', 'customer', 'mysql']) {
        assert.match(nodes[svc], /\bcritical\b/, `${svc} is not outlined as on the critical path`);
      }
      assert.ok(Object.values(nodes).every((c) => !/\babsent\b/.test(c)), 'a service of this trace drawn as absent');
      // Every label is text: calls, p95, and the errors where there are some.
      const redis = await textOf(page, `${EDGE}[data-from=driver][data-to=redis-manual] text`);
      assert.match(redis, /^14× · p95 \d.* · 3 err$/);

      // A click on route: the timeline, filtered to the 10 route spans and their ancestors (the
      // 10 frontend HTTP GET client spans and the root), behind a chip.
      await clickService(page, 'route');
      await waitUntil('the timeline tab', () => page.locator(TAB_TIMELINE).getAttribute('aria-selected'), (v) => v === 'true');
      await waitUntil('the service chip', () => textOf(page, CHIP), (t) => t != null && t.startsWith('service: route'));
      await waitUntil('21 rows', () => countOf(page, ROWS), (n) => n === 21);
      const services = await rowServices(page);
      assert.equal(services.filter((s) => s === 'route').length, 10);
      assert.deepEqual([...new Set(services)].sort(), ['frontend', 'route']);
      assert.equal(await textOf(page, HIDDEN_COUNT), '19 spans of other services hidden');

      // Removing the chip shows every span again.
      await page.click(CHIP_REMOVE);
      await waitUntil('no chip', () => countOf(page, CHIP), (n) => n === 0);
      await waitUntil(`${HOTROD_SPANS} rows again`, () => countOf(page, ROWS), (n) => n === HOTROD_SPANS);

      // mysql: its one span under the customer server span, the frontend's client span and the root.
      await page.click(TAB_MAP);
      await clickService(page, 'mysql');
      await waitUntil('4 rows', () => countOf(page, ROWS), (n) => n === 4);
      assert.deepEqual(await rowServices(page), ['frontend', 'frontend', 'customer', 'mysql']);
      await page.click(CHIP_REMOVE);
      await waitUntil(`${HOTROD_SPANS} rows again`, () => countOf(page, ROWS), (n) => n === HOTROD_SPANS);
    },
    { viewport: TALL },
  );
});

test('every loaded trace on the map, only this one, and a summary group map', { timeout: 120_000 }, async () => {
  await runInPage(
    browser,
    ARTIFACT_PREFIX,
    'loaded',
    async ({ page }) => {
      await page.goto(`${server.url}?url=${HOTROD}`);
      await waitUntil(`${HOTROD_SPANS} rows`, () => countOf(page, ROWS), (n) => n === HOTROD_SPANS);
      await chooseFiles(page, [{ name: 'checkout.json', bytes: checkoutFile(), type: 'application/json' }]);
      await waitUntil('2 traces in the list', () => countOf(page, '[data-testid=trace-list-item]'), (n) => n === 2);
      await page.locator('[data-testid=trace-list-item]', { hasText: '/dispatch' }).click();
      await waitUntil('the HotROD trace shown', () => textOf(page, '[data-testid=trace-header] h1'), (t) => t?.includes('/dispatch'));

      await page.click(TAB_MAP);
      await waitUntil('8 services', () => countOf(page, NODE), (n) => n === 8);
      assert.match(await textOf(page, SCOPE), /^Services of the 2 loaded traces/);
      const nodes = await nodesOf(page);
      // The checkout's services are not in this trace: drawn faded, and a click does nothing.
      assert.match(nodes.shop, /\babsent\b/);
      assert.match(nodes['orders-db'], /\babsent\b/);
      assert.doesNotMatch(nodes.route, /\babsent\b/);
      assert.deepEqual(await edgesOf(page), { ...HOTROD_CALLS, 'shop→orders-db': [3, 1] });
      // Forced: the box is aria-disabled, which Playwright would wait on.
      await page.locator(`${NODE}[data-service="shop"]`).click({ force: true });
      assert.equal(await page.locator(TAB_MAP).getAttribute('aria-selected'), 'true', 'a click on an absent service left the map');
      assert.equal(await countOf(page, CHIP), 0);

      // Only this trace: HotROD's six services again.
      await page.check(ONE_TRACE);
      await waitUntil('6 services', () => countOf(page, NODE), (n) => n === HOTROD_SERVICES.length);
      assert.match(await textOf(page, SCOPE), /^Services of this trace/);
      assert.deepEqual(await edgesOf(page), HOTROD_CALLS);

      // The summary: each group has its own map; a click opens a trace of the group filtered.
      await page.click('[data-testid=pane-summary]');
      const group = page.locator('[data-testid=summary-group]', { hasText: 'POST /checkout' });
      await group.waitFor();
      const groupMap = group.locator('[data-testid=group-service-map]');
      await groupMap.locator('summary').click();
      await waitUntil('the group map drawn', () => groupMap.locator('[data-testid=service-node]').count(), (n) => n === 2);
      const groupEdges = await groupMap.locator('[data-testid=service-edge]').evaluateAll((els) =>
        els.map((el) => [el.getAttribute('data-from'), el.getAttribute('data-to'), el.getAttribute('data-calls'), el.getAttribute('data-errors')]),
      );
      assert.deepEqual(groupEdges, [['shop', 'orders-db', '3', '1']]);
      await groupMap.locator('[data-testid=service-node][data-service="orders-db"]').click();
      await waitUntil('the trace pane', () => page.locator('[data-testid=pane-trace]').getAttribute('aria-selected'), (v) => v === 'true');
      await waitUntil('the orders-db chip', () => textOf(page, CHIP), (t) => t != null && t.startsWith('service: orders-db'));
      await waitUntil('4 rows', () => countOf(page, ROWS), (n) => n === 4);
      assert.deepEqual(await rowServices(page), ['shop', 'orders-db', 'orders-db', 'orders-db']);
    },
    { viewport: TALL },
  );
});
