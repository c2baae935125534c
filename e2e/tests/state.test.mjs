// End-to-end tests of where the UI keeps its state: a trace view keeps its own (scroll position,
// name column, find) while other traces come and go, every setting the URL holds comes back with
// back and forward (collapseBelow, a Jaeger search with its durations and time range), and a
// newer request to Jaeger supersedes an older one, whose answer is never shown (a service's
// operations, a search, a trace by id).
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startJaegerReplay, corpusTraces } from '../jaeger-replay/server.mjs';
import {
  artifactPath,
  fixture,
  dropFiles,
  waitUntil,
  textOf,
  textsOf,
  countOf,
  runInPage,
  startAppWithFixtures,
} from '../lib/harness.mjs';

const TIMELINE = '[data-testid=timeline]';
const ROWS = `${TIMELINE} [role=treeitem]`;
const HEADER = '[data-testid=trace-header]';
const FIND = 'input[data-testid=find]';
const MATCH_COUNT = '[data-testid=match-count]';
const COLLAPSE_BELOW = 'input[data-testid=collapse-below]';
const ITEMS = '[data-testid=trace-list-item]';
const HOTROD = 'fixtures/otlp/hotrod-40spans-6services.json';
const TALL = { width: 1280, height: 2400 };
const TEST_TIMEOUT = 120_000;
const ARTIFACT_PREFIX = 'state';

let browser;
let server;
let jaeger;

before(
  async () => {
    ({ browser, server } = await startAppWithFixtures(ARTIFACT_PREFIX));
    jaeger = await startJaegerReplay({ api: 'both', cors: true });
  },
  { timeout: 60_000 },
);

after(async () => {
  await jaeger?.close();
  await server?.close();
  await browser?.close();
});

const withPage = (label, body, opts) => runInPage(browser, ARTIFACT_PREFIX, label, body, opts);

/** `withPage` in a browser context whose time zone is UTC (the search form's times are local). */
async function withUtcPage(label, body) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await body({ page });
    assert.deepEqual(errors, [], 'the page raised uncaught errors');
  } catch (err) {
    await page.screenshot({ path: artifactPath(`fail-${ARTIFACT_PREFIX}-${label}.png`) }).catch(() => {});
    throw err;
  } finally {
    await context.close();
  }
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const urlParam = (page, name) => new URL(page.url()).searchParams.get(name);

async function spansInHeader(page, n) {
  return waitUntil(`the trace header to say ${n} spans`, () => textOf(page, HEADER), (t) => t != null && t.includes(`${n} spans`));
}

/** The timeline's scroll position, the name column's width, and the find box with its count. */
function viewOf(page) {
  return page.evaluate(
    ([timeline, find, count]) => ({
      scrollTop: document.querySelector(timeline)?.scrollTop ?? null,
      nameWidth: Math.round(document.querySelector('.ruler .name-cell')?.getBoundingClientRect().width ?? 0),
      find: document.querySelector(find)?.value ?? null,
      count: document.querySelector(count)?.textContent ?? null,
    }),
    [TIMELINE, FIND, MATCH_COUNT],
  );
}

test('a trace view keeps its state: other traces come and go without redrawing it, and it comes back as it was left', { timeout: TEST_TIMEOUT }, async () => {
  await withPage('view-state', async ({ page }) => {
    await page.goto(`${server.url}?url=${HOTROD}`);
    await spansInHeader(page, 40);
    await page.locator(ROWS).first().waitFor();

    // Find, a wider name column, and the timeline scrolled down.
    await page.fill(FIND, 'GetDriver');
    await waitUntil('the GetDriver matches', () => textOf(page, MATCH_COUNT), (t) => /^\d+ matches$/.test(t ?? ''));
    const edge = await page.locator('[data-testid=name-resizer]').boundingBox();
    const [x, y] = [edge.x + edge.width / 2, edge.y + edge.height / 2];
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 80, y, { steps: 4 });
    await page.mouse.up();
    await page.evaluate((sel) => {
      const el = document.querySelector(sel);
      el.scrollTop = 240;
      el.dispatchEvent(new Event('scroll'));
    }, TIMELINE);
    const before = await waitUntil('the view to settle', () => viewOf(page), (v) => v.scrollTop === 240);
    assert.ok(before.nameWidth > 400, `the name column is wider: ${JSON.stringify(before)}`);

    // Another file: it is shown, with its own view.
    await dropFiles(page, [{ name: 'yelp.json', bytes: fixture('zipkin/yelp.json') }]);
    await spansInHeader(page, 16);
    assert.equal(await countOf(page, ITEMS), 2);

    // Back to HotROD: as it was left.
    await page.locator(ITEMS).filter({ hasText: 'frontend' }).click();
    await spansInHeader(page, 40);
    const back = await waitUntil('the view as it was left', () => viewOf(page), (v) => v.scrollTop === before.scrollTop && v.count === before.count);
    assert.deepEqual(back, before, 'the view came back as it was left');

    // Removing the other trace does not redraw this view: its elements and scroll position stay.
    await page.evaluate((sel) => {
      document.querySelector(sel).dataset.probe = 'kept';
    }, TIMELINE);
    await page.locator(ITEMS).filter({ hasText: 'yelp' }).locator('[data-testid=remove-trace]').click();
    await waitUntil('the other trace to go', () => countOf(page, ITEMS), (n) => n === 1);
    await sleep(300);
    assert.equal(await page.locator(TIMELINE).getAttribute('data-probe'), 'kept', 'the timeline was drawn anew');
    assert.deepEqual(await viewOf(page), before, 'the view changed when another trace was removed');
  });
});

test('collapseBelow comes back with back and forward, and the box shows it', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(
    'collapse-below-history',
    async ({ page }) => {
      await page.goto(`${server.url}?url=${HOTROD}&collapseBelow=100ms`);
      await spansInHeader(page, 40);
      const rowsAt100 = await waitUntil('the rows at 100ms', () => countOf(page, ROWS), (n) => n > 0 && n < 40);
      // Selecting the root is a new history entry; 250ms then replaces it.
      await page.locator(`${ROWS} .span-name`).first().click();
      await waitUntil('span= in the URL', () => urlParam(page, 'span'), Boolean);
      await page.fill(COLLAPSE_BELOW, '250ms');
      await page.locator(COLLAPSE_BELOW).press('Enter');
      await waitUntil('collapseBelow=250ms in the URL', () => urlParam(page, 'collapseBelow'), (v) => v === '250ms');
      const rowsAt250 = await waitUntil('fewer rows at 250ms', () => countOf(page, ROWS), (n) => n < rowsAt100);

      await page.goBack();
      await waitUntil('collapseBelow=100ms in the URL again', () => urlParam(page, 'collapseBelow'), (v) => v === '100ms');
      await waitUntil('the rows of 100ms again', () => countOf(page, ROWS), (n) => n === rowsAt100);
      assert.equal(await page.locator(COLLAPSE_BELOW).inputValue(), '100ms', 'the box shows the value of the URL');
      assert.equal(await countOf(page, `${ROWS}[aria-selected=true]`), 0, 'no span was selected in that entry');

      await page.goForward();
      await waitUntil('the rows of 250ms again', () => countOf(page, ROWS), (n) => n === rowsAt250);
      assert.equal(await page.locator(COLLAPSE_BELOW).inputValue(), '250ms');
      assert.equal(await countOf(page, `${ROWS}[aria-selected=true]`), 1, 'the root is selected again');
    },
    { viewport: TALL },
  );
});

/** A datetime-local value (UTC minutes) at or before / after an RFC 3339 time. */
function minute(time, roundUp) {
  return new Date(Date.parse(time) + (roundUp ? 60_000 : 0)).toISOString().slice(0, 16);
}

/** The v3 traces of `frontend`, and a custom window (µs) around them. */
function frontendWindow() {
  const traces = corpusTraces().filter((c) => c.generation === 'v3' && c.services.includes('frontend'));
  assert.ok(traces.length >= 2, 'the replay corpus has frontend traces');
  const min = traces.map((c) => c.searchWindow.min).sort()[0];
  const max = traces.map((c) => c.searchWindow.max).sort().at(-1);
  return { startUs: BigInt(Date.parse(minute(min, false) + 'Z')) * 1000n, endUs: BigInt(Date.parse(minute(max, true) + 'Z')) * 1000n };
}

/** A page in UTC, on `query` (a URLSearchParams object). */
async function openJaeger(page, query) {
  await page.goto(`${server.url}?${query}`);
  await waitUntil('connected', () => textOf(page, '[data-testid=jaeger-status]'), (s) => (s ?? '').includes('Connected'));
}

test('the search form shows the search of the URL, durations and range included, through back and forward', { timeout: TEST_TIMEOUT }, async () => {
  const { startUs, endUs } = frontendWindow();
  await withUtcPage('search-form', async ({ page: p }) => {
    {
      const q = new URLSearchParams({
        jaeger: jaeger.url,
        service: 'frontend',
        lookback: 'custom',
        start: String(startUs),
        end: String(endUs),
        minDuration: '1ms',
        maxDuration: '5s',
        limit: '20',
      });
      await openJaeger(p, q);
      await waitUntil('the restored search', () => countOf(p, '[data-testid=result]'), (n) => n >= 1);
      const form = async () => ({
        min: await p.locator('[data-testid=jaeger-min]').inputValue(),
        max: await p.locator('[data-testid=jaeger-max]').inputValue(),
        start: Date.parse((await p.locator('[data-testid=jaeger-start]').inputValue()) + 'Z') * 1000,
        end: Date.parse((await p.locator('[data-testid=jaeger-end]').inputValue()) + 'Z') * 1000,
        lookback: await p.locator('[data-testid=jaeger-lookback]').inputValue(),
      });
      const restored = { min: '1ms', max: '5s', start: Number(startUs), end: Number(endUs), lookback: 'custom' };
      assert.deepEqual(await form(), restored, 'the form shows the search of the URL');

      // Another search is another history entry; back shows the first one's values again.
      await p.fill('[data-testid=jaeger-min]', '2ms');
      await p.locator('[data-testid=jaeger-min]').dispatchEvent('change');
      await p.fill('[data-testid=jaeger-max]', '');
      await p.locator('[data-testid=jaeger-max]').dispatchEvent('change');
      await p.click('[data-testid=jaeger-search]');
      await waitUntil('minDuration=2ms in the URL', () => urlParam(p, 'minDuration'), (v) => v === '2ms');
      assert.equal(urlParam(p, 'maxDuration'), null);
      await p.goBack();
      await waitUntil('the first search in the form again', form, (f) => f.min === '1ms' && f.max === '5s');
      assert.deepEqual(await form(), restored);
      await p.goForward();
      await waitUntil('the second search in the form again', form, (f) => f.min === '2ms' && f.max === '');
    }
  });
});

/** The texts of the operation `<select>`'s options. */
const operationsShown = (page) => textsOf(page, '[data-testid=jaeger-operation] option');

test('a newer request to Jaeger supersedes an older one: the older answer is never shown', { timeout: 180_000 }, async (t) => {
  const SLOW_MS = 2_000;
  const slowThenFast = async (page, slow, fast) => {
    jaeger.set({ delayMs: SLOW_MS });
    try {
      await slow();
      // Let the slow request reach the server before it answers at once again.
      await sleep(300);
    } finally {
      jaeger.set({ delayMs: 0 });
    }
    await fast();
  };

  await t.test('a service\'s operations', () =>
    withPage('stale-operations', async ({ page }) => {
      await openJaeger(page, new URLSearchParams({ jaeger: jaeger.url }));
      const services = await textsOf(page, '[data-testid=jaeger-service] option');
      // Two services whose operations differ, found by asking each in turn.
      const ops = {};
      for (const s of services.slice(0, 6)) {
        await page.selectOption('[data-testid=jaeger-service]', s);
        await sleep(400);
        ops[s] = (await operationsShown(page)).join('|');
      }
      const [a, b] = Object.keys(ops).filter((s, i, all) => all.findIndex((x) => ops[x] === ops[s]) === i);
      assert.ok(a && b, `two services with other operations: ${JSON.stringify(ops)}`);
      await slowThenFast(
        page,
        () => page.selectOption('[data-testid=jaeger-service]', a),
        () => page.selectOption('[data-testid=jaeger-service]', b),
      );
      await waitUntil(`the operations of ${b}`, async () => (await operationsShown(page)).join('|'), (o) => o === ops[b]);
      await sleep(SLOW_MS + 500);
      assert.equal((await operationsShown(page)).join('|'), ops[b], `the late answer for ${a} replaced ${b}'s operations`);
    }),
  );

  await t.test('a search', () =>
    withUtcPage('stale-search', async ({ page: p }) => {
      {
        const { startUs, endUs } = frontendWindow();
        const search = (service) => new URLSearchParams({ jaeger: jaeger.url, service, lookback: 'custom', start: String(startUs), end: String(endUs), limit: '20' });
        const results = async () => (await textsOf(p, '[data-testid=result]')).join('|');
        // What each search finds, alone.
        const found = {};
        for (const s of ['frontend', 'redis-manual']) {
          await openJaeger(p, search(s));
          found[s] = await waitUntil(`the results for ${s}`, async () => [await textOf(p, '[data-testid=results-count]'), await results()], ([c]) => /\d+ traces?/.test(c ?? ''));
        }
        assert.notDeepEqual(found.frontend, found['redis-manual'], 'the two searches find different traces');
        await openJaeger(p, search('frontend'));
        await waitUntil('the first results', results, (r) => r === found.frontend[1]);
        await slowThenFast(
          p,
          async () => {
            await p.selectOption('[data-testid=jaeger-service]', 'redis-manual');
            await p.click('[data-testid=jaeger-search]');
          },
          async () => {
            await p.selectOption('[data-testid=jaeger-service]', 'frontend');
            await p.click('[data-testid=jaeger-search]');
          },
        );
        await sleep(SLOW_MS + 500);
        assert.equal(await results(), found.frontend[1], 'the late answer of the older search replaced the newer one\'s results');
        assert.equal(await textOf(p, '[data-testid=results-count]'), found.frontend[0]);
      }
    }),
  );

  await t.test('a trace by id', () =>
    withPage('stale-trace', async ({ page }) => {
      await openJaeger(page, new URLSearchParams({ jaeger: jaeger.url }));
      await waitUntil('the demo', () => countOf(page, ITEMS), (n) => n === 1);
      const [older, newer] = corpusTraces()
        .filter((c) => c.generation === 'v3' && c.spanCount > 3 && /^[0-9a-f]{32}$/.test(c.traceId))
        .map((c) => c.traceId);
      assert.ok(older && newer, 'two v3 traces');
      const openId = async (id) => {
        await page.fill('[data-testid=jaeger-trace-id]', id);
        await page.click('[data-testid=jaeger-open]');
      };
      await slowThenFast(page, () => openId(older), () => openId(newer));
      await waitUntil('the newer trace', () => textOf(page, HEADER), (h) => (h ?? '').includes(newer));
      await sleep(SLOW_MS + 500);
      assert.match(await textOf(page, HEADER), new RegExp(newer), 'the older trace took the newer one\'s place');
      assert.equal(await countOf(page, ITEMS), 2, 'the older trace was loaded after all');
      assert.equal(await countOf(page, '[data-testid=loading]'), 0);
    }),
  );
});
