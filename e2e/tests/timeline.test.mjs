// End-to-end tests of the timeline tools of Traceglass in headless Debian Chromium: find
// (Jaeger UI's uiFind syntax, prev/next, kept in the URL), "Matches only", expand and collapse
// (all, by level, one subtree), "Collapse shorter than" (collapseBelow), the light/dark theme
// (uiTheme), "Critical path only" together with "Matches only", the minimap drag and its
// scrubbers, and Jaeger UI's keyboard shortcuts with the `?` help.
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from '../lib/server.mjs';
import {
  ensureDist,
  ensureFixtures,
  fixture,
  artifactPath,
  clearFailureScreenshots,
  launchBrowser,
  newPage,
  pageErrors,
  waitUntil,
  textOf,
  textsOf,
  countOf,
  WAIT_MS,
  runInPage,
  startAppWithFixtures,
} from '../lib/harness.mjs';

// The DOM contract.
const HEADLINE = '[data-testid=bottleneck-panel] [data-testid=headline]';
const TIMELINE = '[data-testid=timeline]';
const ROWS = `${TIMELINE} [role=treeitem]`;
const MATCH_ROWS = `${ROWS}.match`;
const SELECTED_ROW = `${ROWS}[aria-selected=true]`;
const DETAIL = '[data-testid=span-detail]';
const FIND = 'input[data-testid=find]';
const MATCH_COUNT = '[data-testid=match-count]';
const NEXT = 'button[data-testid=next-match]';
const PREV = 'button[data-testid=prev-match]';
const MATCHES_ONLY = 'input[data-testid=matches-only]';
const CP_ONLY = 'input[data-testid=cp-only]';
const HIDDEN_COUNT = '[data-testid=hidden-count]';
const EXPAND_ALL = 'button[data-testid=expand-all]';
const COLLAPSE_ALL = 'button[data-testid=collapse-all]';
const EXPAND_LEVEL = 'button[data-testid=expand-level]';
const COLLAPSE_LEVEL = 'button[data-testid=collapse-level]';
const TOGGLE = 'button[data-testid=toggle]';
const COLLAPSE_BELOW = 'input[data-testid=collapse-below]';
const ALERT = '[role=alert]';
const THEME_TOGGLE = 'button[data-testid=theme-toggle]';

// The real HotROD trace: 40 spans, 6 services.
const HOTROD_FILE = 'otlp/hotrod-40spans-6services.json';
const HOTROD = `fixtures/${HOTROD_FILE}`;
const HOTROD_SPANS = 40;
const GET_DRIVER_CALLS = 13;

/** Tall enough for every row of a 40-span trace (24 px each) to be rendered at once. */
const TALL = { width: 1280, height: 2400 };

/** `getComputedStyle(document.body).backgroundColor` of the light theme. */
const LIGHT_BG = 'rgb(255, 255, 255)';

const TEST_TIMEOUT = 120_000;
/** This file's failure screenshots are `artifacts/fail-timeline-<label>.png`. */
const ARTIFACT_PREFIX = 'timeline';

let browser;
let server; // the app at '/', fixtures at '/fixtures/'
let hotrod; // the HotROD tree, read from the fixture itself (see hotrodTree)

before(
  async () => {
    hotrod = hotrodTree();
    ({ browser, server } = await startAppWithFixtures(ARTIFACT_PREFIX));
  },
  { timeout: 60_000 },
);

after(async () => {
  await server?.close();
  await browser?.close();
});

/**
 * The HotROD spans from the OTLP JSON fixture, so that expected rows are computed rather than
 * hard-coded: `spans` maps the span id (hex, as in the rows' `data-span-id`) to
 * `{ id, parent, service, name, ms, error, depth, children }` (depth: root = 1, as `aria-level`),
 * plus `ancestors(id)`, `descendants(id)` and `label(id)` ("service name #id").
 */
function hotrodTree() {
  const doc = JSON.parse(fixture(HOTROD_FILE).toString('utf8'));
  const spans = new Map();
  for (const rs of doc.resourceSpans) {
    const service = rs.resource.attributes.find((a) => a.key === 'service.name').value.stringValue;
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        spans.set(s.spanId, {
          id: s.spanId,
          parent: s.parentSpanId || null,
          service,
          name: s.name,
          ms: Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6,
          error: s.status?.code === 2 || s.status?.code === 'STATUS_CODE_ERROR',
          children: [],
        });
      }
    }
  }
  for (const s of spans.values()) if (s.parent) spans.get(s.parent).children.push(s.id);
  const depth = (id) => (spans.get(id).parent ? 1 + depth(spans.get(id).parent) : 1);
  for (const s of spans.values()) s.depth = depth(s.id);
  const ancestors = (id) => {
    const out = [];
    for (let p = spans.get(id).parent; p; p = spans.get(p).parent) out.push(p);
    return out;
  };
  const descendants = (id) => spans.get(id).children.flatMap((c) => [c, ...descendants(c)]);
  const label = (id) => (spans.has(id) ? `${spans.get(id).service} ${spans.get(id).name} #${id}` : `? #${id}`);
  const all = [...spans.values()];
  const ids = (pred) => all.filter(pred).map((s) => s.id);
  const one = (pred) => {
    const found = ids(pred);
    assert.equal(found.length, 1, `the fixture should hold exactly one such span, found ${found.length}`);
    return found[0];
  };
  const t = {
    spans,
    ancestors,
    descendants,
    label,
    ids,
    root: one((s) => !s.parent),
    mysql: one((s) => s.service === 'mysql'),
    customer: one((s) => s.service === 'customer'),
    driverServer: one((s) => s.service === 'driver'),
    frontendFindNearest: one((s) => s.service === 'frontend' && s.name === 'driver.DriverService/FindNearest'),
    getDriver: ids((s) => s.name === 'GetDriver'),
    redisManual: ids((s) => s.service === 'redis-manual'),
    routes: ids((s) => s.service === 'route'),
  };
  assert.equal(spans.size, HOTROD_SPANS, `the fixture should hold ${HOTROD_SPANS} spans`);
  assert.equal(t.getDriver.length, GET_DRIVER_CALLS, `the fixture should hold ${GET_DRIVER_CALLS} GetDriver spans`);
  return t;
}

/**
 * Opens a fresh page, runs `body(p)`, then asserts the page raised no uncaught errors. On a
 * failure it saves `artifacts/fail-timeline-<label>.png` and appends the console/page errors to the message.
 */
function withPage(label, body, options) {
  return runInPage(browser, ARTIFACT_PREFIX, label, body, options);
}

/** The app URL of the HotROD trace, with more query parameters (`collapseBelow=100ms`, …). */
const hotrodUrl = (...params) => [`${server.url}?url=${HOTROD}`, ...params].join('&');

/** Opens `url` (by default the HotROD trace) and waits until its timeline has `minRows` rows. */
async function openHotrod(page, { url = hotrodUrl(), minRows = 1 } = {}) {
  await page.goto(url);
  await waitUntil(
    'the HotROD headline (containing "took")',
    () => textOf(page, HEADLINE),
    (t) => t != null && t.includes('took'),
  );
  await waitForRows(page, minRows);
}

/** Waits for timeline rows; returns their count. */
function waitForRows(page, min = 1) {
  return waitUntil(`at least ${min} timeline rows (${ROWS})`, () => countOf(page, ROWS), (n) => n >= min);
}

/** `data-span-id` of every element matching `selector`, in document order. */
function idsOf(page, selector) {
  return page.$$eval(selector, (els) => els.map((el) => el.getAttribute('data-span-id')));
}

const sorted = (ids) => [...ids].sort();
const sameIds = (a, b) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

/**
 * Polls `probe()` (span ids) until it holds exactly `expected`, then returns them; when the wait
 * runs out, fails naming the missing and the unexpected spans.
 */
async function expectIds(what, probe, expected) {
  let last = [];
  try {
    return await waitUntil(what, async () => (last = await probe()), (ids) => sameIds(ids, expected));
  } catch {
    const missing = expected.filter((id) => !last.includes(id)).map(hotrod.label);
    const extra = last.filter((id) => !expected.includes(id)).map(hotrod.label);
    assert.fail(
      `${what}: expected ${expected.length} spans, got ${last.length}` +
        `\n  missing: ${JSON.stringify(missing)}\n  unexpected: ${JSON.stringify(extra)}`,
    );
  }
}

/** Waits until the rows shown are exactly `expected` (span ids, any order). */
const expectRows = (page, what, expected) => expectIds(`${what}: the rows shown`, () => idsOf(page, ROWS), expected);

/** Waits until the rows with class `match` are exactly `expected`. */
const expectMatchRows = (page, what, expected) => expectIds(`${what}: the .match rows`, () => idsOf(page, MATCH_ROWS), expected);

/** Waits until `match-count` reads `text` (a string, or a RegExp it must match); returns it. */
function expectMatchCount(page, text) {
  return waitUntil(
    `${MATCH_COUNT} to read ${text instanceof RegExp ? text : JSON.stringify(text)}`,
    () => textOf(page, MATCH_COUNT),
    (t) => t != null && (text instanceof RegExp ? text.test(t) : t === text),
  );
}

/** `N matches` (before any prev/next) for N matches; `1 match` is accepted for a single one. */
const matchesText = (n) => (n === 1 ? /^1 match(es)?$/ : new RegExp(`^${n} matches$`));

/**
 * Types `query` in the find bar and waits until the `.match` rows are exactly `expected` and the
 * count reads `N matches` (or `no match`).
 */
async function find(page, query, expected) {
  await page.locator(FIND).fill(query);
  await expectMatchRows(page, `find ${JSON.stringify(query)}`, expected);
  await expectMatchCount(page, expected.length === 0 ? 'no match' : matchesText(expected.length));
}

/** The span id of the single selected row, once there is exactly one. */
async function selectedId(page, what) {
  const ids = await waitUntil(`one selected row (${what})`, () => idsOf(page, SELECTED_ROW), (s) => s.length === 1);
  return ids[0];
}

/** The span ids of the rows with children and `aria-expanded="false"`. */
function collapsedRowIds(page) {
  return idsOf(page, `${ROWS}[aria-expanded=false]`);
}

/** Every span whose ancestors are all open, when `collapsed` (span ids) are collapsed. */
function openRowsWith(collapsed) {
  const closed = new Set(collapsed);
  return hotrod.ids((s) => !hotrod.ancestors(s.id).some((a) => closed.has(a)));
}

/** The spans with children, ie those a row toggle can collapse. */
const parentsOf = (pred = () => true) => hotrod.ids((s) => s.children.length > 0 && pred(s));

/** The number in a `hidden-count` text (`24 spans not matching hidden`, …). */
async function hiddenCount(page, re) {
  const text = await waitUntil(`${HIDDEN_COUNT} to read ${re}`, () => textOf(page, HIDDEN_COUNT), (t) => t != null && re.test(t));
  return Number(/(\d+)/.exec(text)[1]);
}

/** A query parameter of the page's URL (`uiFind`, `collapseBelow`, …); null when absent. */
const urlParam = (page, name) => new URL(page.url()).searchParams.get(name);

/** The body background colour. */
const bodyBackground = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

/** A dark background: every channel at most 60 (the dark theme is about rgb(20, 23, 30)). */
function isDark(rgb) {
  const m = /^rgba?\((\d+), (\d+), (\d+)/.exec(rgb ?? '');
  return Boolean(m) && m.slice(1, 4).every((c) => Number(c) <= 60);
}

/** Waits for a dark (`dark === true`) or white body background; returns the colour. */
function expectBackground(page, dark, why) {
  return waitUntil(
    `a ${dark ? 'dark' : 'white'} body background (${why})`,
    () => bodyBackground(page),
    (bg) => (dark ? isDark(bg) : bg === LIGHT_BG),
  );
}

/** The class list of `<html>`. */
const htmlClasses = (page) => page.evaluate(() => [...document.documentElement.classList]);

test('find: uiFind terms, phrases, -key, span ids, prev/next, the URL and Escape', { timeout: 240_000 }, async (t) => {
  await withPage(
    'find',
    async ({ page }) => {
      await openHotrod(page, { minRows: HOTROD_SPANS });
      const tallRows = await idsOf(page, ROWS);
      assert.equal(tallRows.length, HOTROD_SPANS, `expected all ${HOTROD_SPANS} rows rendered`);
      assert.equal(await page.locator(FIND).inputValue(), '', 'the find bar is not empty at first');
      assert.equal(await countOf(page, MATCH_ROWS), 0, 'rows match before anything is typed');

      await t.test('GetDriver matches the 13 GetDriver spans (and nothing unexplained)', async () => {
        await page.locator(FIND).fill('GetDriver');
        const countText = await expectMatchCount(page, /^\d+ matches$/);
        const n = Number(/^(\d+)/.exec(countText)[1]);
        const ids = await waitUntil(`${n} .match rows`, () => idsOf(page, MATCH_ROWS), (m) => m.length === n);
        assert.ok(n >= GET_DRIVER_CALLS, `"${countText}": fewer than the ${GET_DRIVER_CALLS} GetDriver spans`);
        const missing = hotrod.getDriver.filter((id) => !ids.includes(id)).map(hotrod.label);
        assert.deepEqual(missing, [], 'GetDriver spans without the class match');
        // No attribute holds "GetDriver", but the driver server span has events named
        // "Retrying GetDriver after error": Jaeger UI searches an event's name too (its `event`
        // log field), so that one span may match as well. Nothing else may.
        const extra = ids.filter((id) => !hotrod.getDriver.includes(id) && id !== hotrod.driverServer);
        assert.deepEqual(extra.map(hotrod.label), [], 'spans that match GetDriver for no reason');

        // Case-insensitive: the same spans.
        await find(page, 'getdriver', ids);
      });

      await t.test('a quoted "key=value" matches an attribute value and event attributes', async () => {
        // mysql: db.query.text = "SELECT * FROM customer WHERE customer_id=731"; customer
        // GET /customer and frontend GET /dispatch: an event attribute customer_id = 731.
        const expected = [hotrod.mysql, hotrod.customer, hotrod.root];
        await find(page, '"customer_id=731"', expected);
        // -db leaves out the pairs whose key contains "db": the mysql span's only hit goes.
        await find(page, '"customer_id=731" -db', [hotrod.customer, hotrod.root]);
      });

      await t.test('redis, redis -db, redis -error, db.system.name=redis (-db)', async () => {
        // "redis" hits the 14 redis-manual spans (service name, db.system.name=redis) and the
        // driver server span (event attribute error = "redis timeout").
        const redis = [...hotrod.redisManual, hotrod.driverServer];
        await find(page, 'redis', redis);
        // -db takes db.system.name out, but "redis" is still in the service name redis-manual and
        // in the driver span's `error` pair: by the rule nothing drops out.
        await find(page, 'redis -db', redis);
        // -error takes out the driver span's only hit; the redis-manual spans keep theirs.
        await find(page, 'redis -error', hotrod.redisManual);
        // key=value of a span attribute; with -db that pair is not searched at all.
        await find(page, 'db.system.name=redis', hotrod.redisManual);
        await find(page, 'db.system.name=redis -db', []);
      });

      await t.test('a quoted phrase is one term; unquoted words are terms of their own', async () => {
        // "redis timeout" is the message of the 3 failed GetDriver calls and of the driver's retries.
        const errors = hotrod.ids((s) => s.error);
        assert.equal(errors.length, 3, 'the fixture should hold 3 error spans');
        await find(page, '"redis timeout"', [...errors, hotrod.driverServer]);
        await find(page, 'redis timeout', [...hotrod.redisManual, hotrod.driverServer]);
      });

      await t.test('resource attributes are searched (os.type=linux matches every span)', async () => {
        await find(page, 'os.type=linux', tallRows);
      });

      await t.test('an exact span id matches that span only; a part of it matches nothing', async () => {
        const id = tallRows.find((r) => hotrod.getDriver.includes(r));
        assert.ok(id, 'no GetDriver row to read a data-span-id from');
        await find(page, id, [id]);
        await find(page, id.slice(0, 8), []);
      });

      await t.test('next and prev cycle through the matches, selecting and showing each', async () => {
        await page.locator(FIND).fill('GetDriver');
        // Document order is tree order: next goes down the timeline.
        const order = await waitUntil('the GetDriver matches', () => idsOf(page, MATCH_ROWS), (m) => m.length >= GET_DRIVER_CALLS);
        const n = order.length;
        await expectMatchCount(page, `${n} matches`);
        const expectAt = async (k, how) => {
          await expectMatchCount(page, `${k} of ${n}`);
          const id = await waitUntil(
            `the selected row to be match ${k} (${hotrod.label(order[k - 1])}) after ${how}`,
            () => idsOf(page, SELECTED_ROW),
            (s) => s.length === 1 && s[0] === order[k - 1],
          );
          const span = hotrod.spans.get(id[0]);
          await waitUntil(
            `${DETAIL} to show ${span.name} and ${span.service} after ${how}`,
            () => textOf(page, DETAIL),
            (d) => d != null && d.includes(span.name) && d.includes(span.service),
          );
        };
        for (let k = 1; k <= n; k++) {
          await page.locator(NEXT).click();
          await expectAt(k, `next #${k}`);
        }
        await page.locator(NEXT).click();
        await expectAt(1, 'next past the last match (wraps)');
        await page.locator(PREV).click();
        await expectAt(n, 'prev before the first match (wraps)');
        await page.locator(PREV).click();
        await expectAt(n - 1, 'prev');
        await page.locator(FIND).press('Enter');
        await expectAt(n, 'Enter in the find bar');
        await page.locator(FIND).press('Shift+Enter');
        await expectAt(n - 1, 'Shift+Enter in the find bar');
      });

      await t.test('the query is kept in the URL as uiFind and restored on reload', async () => {
        await find(page, '"customer_id=731"', [hotrod.mysql, hotrod.customer, hotrod.root]);
        await waitUntil('uiFind="customer_id=731" in the page URL', () => urlParam(page, 'uiFind'), (v) => v === '"customer_id=731"');
        const url = page.url();
        assert.ok(url.includes('uiFind='), `the URL has no uiFind=: ${url}`);
        assert.ok(urlParam(page, 'url'), `the URL lost its url= parameter: ${url}`);

        await page.reload();
        await waitForRows(page, HOTROD_SPANS);
        await waitUntil('the find bar to be pre-filled after the reload', () => page.locator(FIND).inputValue(), (v) => v === '"customer_id=731"');
        await expectMatchRows(page, 'after the reload', [hotrod.mysql, hotrod.customer, hotrod.root]);
        await expectMatchCount(page, '3 matches');
      });

      await t.test('Escape clears the query, the matches and uiFind', async () => {
        await page.locator(FIND).press('Escape');
        await waitUntil('the find bar to be empty', () => page.locator(FIND).inputValue(), (v) => v === '');
        await expectMatchRows(page, 'after Escape', []);
        await waitUntil(`${MATCH_COUNT} to be empty`, () => textOf(page, MATCH_COUNT), (c) => !c);
        await waitUntil('uiFind to leave the URL', () => urlParam(page, 'uiFind'), (v) => v == null);
      });

      await t.test('going to a match scrolls it into view (1280x800 window)', async () => {
        const last = tallRows[tallRows.length - 1];
        await withPage('find-scroll', async ({ page: small }) => {
          await openHotrod(small);
          const inView = (id) =>
            small.evaluate((spanId) => {
              const row = document.querySelector(`[data-testid=timeline] [role=treeitem][data-span-id="${spanId}"]`);
              if (!row) return false;
              const r = row.getBoundingClientRect();
              const tl = row.closest('[data-testid=timeline]').getBoundingClientRect();
              return r.top >= tl.top - 1 && r.bottom <= tl.bottom + 1 && r.bottom <= innerHeight + 1;
            }, id);
          assert.equal(await inView(last), false, `the last row (${hotrod.label(last)}) is already in view: nothing to scroll`);
          await small.locator(FIND).fill(last);
          await expectMatchCount(small, matchesText(1));
          await small.locator(FIND).press('Enter');
          await expectMatchCount(small, '1 of 1');
          assert.equal(await selectedId(small, 'after Enter'), last);
          await waitUntil(`the selected row ${hotrod.label(last)} to be scrolled into view`, () => inView(last));
        });
      });
    },
    { viewport: TALL },
  );
});

test('matches only: the matches and their ancestors, the rest counted as hidden', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(
    'matches-only',
    async ({ page }) => {
      await openHotrod(page, { minRows: HOTROD_SPANS });
      assert.equal(await page.locator(MATCHES_ONLY).isChecked(), false, '"Matches only" is checked from the start');
      await page.locator(FIND).fill('GetDriver');
      const matches = await waitUntil('the GetDriver matches', () => idsOf(page, MATCH_ROWS), (m) => m.length >= GET_DRIVER_CALLS);
      await expectMatchCount(page, `${matches.length} matches`);

      await page.locator(MATCHES_ONLY).check();
      // The matches (13 GetDriver, perhaps the driver server span) plus root, frontend
      // FindNearest and driver FindNearest, computed from the tree.
      const expected = [...new Set([...matches, ...matches.flatMap(hotrod.ancestors)])];
      const shown = await expectRows(page, '"Matches only" with GetDriver', expected);
      for (const id of [hotrod.root, hotrod.frontendFindNearest, hotrod.driverServer]) {
        assert.ok(shown.includes(id), `the ancestor ${hotrod.label(id)} is hidden`);
      }
      assert.equal(await countOf(page, MATCH_ROWS), matches.length, 'every match is still shown with class match');
      const hidden = await hiddenCount(page, /^\d+ spans? not matching hidden$/);
      assert.equal(shown.length + hidden, HOTROD_SPANS, `${shown.length} rows shown + ${hidden} hidden should be ${HOTROD_SPANS}`);

      await page.locator(MATCHES_ONLY).uncheck();
      await waitUntil(`all ${HOTROD_SPANS} rows again once unchecked`, () => countOf(page, ROWS), (n) => n === HOTROD_SPANS);
      await waitUntil(`${HIDDEN_COUNT} to go away once unchecked`, () => countOf(page, HIDDEN_COUNT), (n) => n === 0);
    },
    { viewport: TALL },
  );
});

test('levels: expand and collapse all, one level at a time, and one subtree', { timeout: TEST_TIMEOUT }, async (t) => {
  await withPage(
    'levels',
    async ({ page }) => {
      await openHotrod(page, { minRows: HOTROD_SPANS });
      const all = hotrod.ids(() => true);
      const upTo = (level) => hotrod.ids((s) => s.depth <= level);
      const maxDepth = Math.max(...[...hotrod.spans.values()].map((s) => s.depth));
      assert.equal(maxDepth, 4, 'the HotROD tree should be 4 levels deep');
      await expectRows(page, 'at first', all);

      await t.test('rows carry aria-level (root = 1), and aria-expanded and a toggle when they have children', async () => {
        const rows = await page.$$eval(ROWS, (els) =>
          els.map((r) => ({
            id: r.getAttribute('data-span-id'),
            level: r.getAttribute('aria-level'),
            expanded: r.getAttribute('aria-expanded'),
            toggle: r.querySelector('button[data-testid=toggle]') != null,
            attributes: r.getAttributeNames().filter((a) => a.includes('level')),
          })),
        );
        assert.equal(rows.length, HOTROD_SPANS);
        const wrong = rows
          .filter((r) => r.level !== String(hotrod.spans.get(r.id)?.depth))
          .map((r) => `${hotrod.label(r.id)}: aria-level=${JSON.stringify(r.level)} (attributes named *level*: ${JSON.stringify(r.attributes)})`);
        assert.deepEqual(wrong.slice(0, 3), [], `${wrong.length} of ${rows.length} rows have an aria-level that is not their depth (the first 3 shown)`);
        for (const r of rows) {
          const hasChildren = hotrod.spans.get(r.id).children.length > 0;
          assert.equal(r.expanded, hasChildren ? 'true' : null, `aria-expanded of ${hotrod.label(r.id)}`);
          assert.equal(r.toggle, hasChildren, `a toggle on ${hotrod.label(r.id)}`);
        }
      });

      await t.test('collapse all leaves the root, collapsed', async () => {
        await page.locator(COLLAPSE_ALL).click();
        await expectRows(page, 'after "Collapse all"', [hotrod.root]);
        assert.equal(await page.locator(`${ROWS}[data-span-id="${hotrod.root}"]`).getAttribute('aria-expanded'), 'false');
      });

      await t.test('+1 level opens the root: its children (level 2) appear', async () => {
        await page.locator(EXPAND_LEVEL).click();
        const rootAndChildren = [hotrod.root, ...hotrod.spans.get(hotrod.root).children];
        assert.ok(sameIds(rootAndChildren, upTo(2)));
        await expectRows(page, 'after "+1 level" from all collapsed', rootAndChildren);
        assert.equal(await page.locator(`${ROWS}[data-span-id="${hotrod.root}"]`).getAttribute('aria-expanded'), 'true');
        // The level-2 spans with children stay collapsed.
        await expectIds('after "+1 level": the collapsed rows', () => collapsedRowIds(page), parentsOf((s) => s.depth === 2));
      });

      await t.test('expand all shows the 40 rows', async () => {
        await page.locator(EXPAND_ALL).click();
        await expectRows(page, 'after "Expand all"', all);
        await expectIds('after "Expand all": the collapsed rows', () => collapsedRowIds(page), []);
      });

      await t.test('−1 level hides the deepest level (4), then level 3; +1 level brings level 4 back', async () => {
        await page.locator(COLLAPSE_LEVEL).click();
        await expectRows(page, 'after "−1 level" from all expanded', upTo(3));
        await expectIds('after "−1 level": the collapsed rows', () => collapsedRowIds(page), parentsOf((s) => s.depth === 3));
        await page.locator(COLLAPSE_LEVEL).click();
        await expectRows(page, 'after a second "−1 level"', upTo(2));
        await page.locator(EXPAND_LEVEL).click();
        await expectRows(page, 'after "+1 level" again', upTo(3));
        await page.locator(EXPAND_ALL).click();
        await expectRows(page, 'after "Expand all" again', all);
      });

      await t.test("a row's toggle collapses just that subtree, and opens it again", async () => {
        const driver = hotrod.driverServer;
        const under = hotrod.descendants(driver);
        assert.equal(under.length, 1 + GET_DRIVER_CALLS, 'driver FindNearest should hold FindDriverIDs and 13 GetDriver');
        const row = page.locator(`${ROWS}[data-span-id="${driver}"]`);
        await row.locator(TOGGLE).click();
        await expectRows(page, `after the toggle of ${hotrod.label(driver)}`, all.filter((id) => !under.includes(id)));
        assert.equal(await row.getAttribute('aria-expanded'), 'false');
        await expectIds('after the toggle: the collapsed rows', () => collapsedRowIds(page), [driver]);
        await row.locator(TOGGLE).click();
        await expectRows(page, 'after the second toggle', all);
        assert.equal(await row.getAttribute('aria-expanded'), 'true');
      });
    },
    { viewport: TALL },
  );
});

test('collapse below: ?collapseBelow=100ms collapses the short parents; a bad value is refused', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(
    'collapse-below',
    async ({ page }) => {
      await openHotrod(page, { url: hotrodUrl('collapseBelow=100ms') });
      // Spans with children shorter than 100 ms: the ten frontend HTTP GET (≈ 37–62 ms) above a
      // route GET /route. The customer chain (≈ 283 ms) and FindNearest (≈ 227 ms) stay open.
      const short = parentsOf((s) => s.ms < 100);
      assert.equal(short.length, hotrod.routes.length, 'every route span should have a short HTTP GET parent');
      assert.ok(short.every((id) => hotrod.spans.get(id).children.every((c) => hotrod.routes.includes(c))));
      const shown = await expectRows(page, '?collapseBelow=100ms', openRowsWith(short));
      assert.deepEqual(shown.filter((id) => hotrod.routes.includes(id)).map(hotrod.label), [], 'route GET /route rows are shown');
      assert.ok(shown.includes(hotrod.mysql), 'the mysql SQL SELECT row (under the 283 ms customer chain) is hidden');
      await expectIds('?collapseBelow=100ms: the collapsed rows', () => collapsedRowIds(page), short);
      assert.equal(await page.locator(COLLAPSE_BELOW).inputValue(), '100ms', 'the collapse-below box does not show 100ms');
      assert.equal(urlParam(page, 'collapseBelow'), '100ms', `collapseBelow left the URL: ${page.url()}`);
      assert.equal(await countOf(page, ALERT), 0, 'an alert is shown for a valid collapseBelow');

      // An invalid value: an alert, and nothing changes.
      await page.locator(COLLAPSE_BELOW).fill('abc');
      await page.locator(COLLAPSE_BELOW).press('Enter');
      await page.locator(ALERT).first().waitFor({ state: 'visible', timeout: WAIT_MS });
      await expectRows(page, 'after the invalid "abc"', shown);
      assert.equal(urlParam(page, 'collapseBelow'), '100ms', `an invalid value changed the URL: ${page.url()}`);

      // A valid value applied on blur: FindNearest (≈ 227 ms) is now short too; the alert goes.
      await page.locator(COLLAPSE_BELOW).fill('250ms');
      await page.locator(COLLAPSE_BELOW).blur();
      const short250 = parentsOf((s) => s.ms < 250);
      assert.ok(short250.includes(hotrod.frontendFindNearest));
      await expectRows(page, 'after 250ms (blur)', openRowsWith(short250));
      assert.ok((await idsOf(page, ROWS)).includes(hotrod.mysql), 'the mysql row (283 ms chain) is hidden at 250ms');
      await waitUntil('the alert to go once a valid value is applied', () => countOf(page, ALERT), (n) => n === 0);
      await waitUntil('collapseBelow=250ms in the URL', () => urlParam(page, 'collapseBelow'), (v) => v === '250ms');
    },
    { viewport: TALL },
  );
});

test('dark mode: follows prefers-color-scheme, ?uiTheme forces a theme, the toggle persists', { timeout: TEST_TIMEOUT }, async (t) => {
  await t.test('prefers-color-scheme: dark, then light', () =>
    withPage('theme-system', async ({ page }) => {
      await page.emulateMedia({ colorScheme: 'dark' });
      await openHotrod(page);
      await expectBackground(page, true, 'prefers-color-scheme: dark');
      await page.emulateMedia({ colorScheme: 'light' });
      await expectBackground(page, false, 'prefers-color-scheme: light');
      assert.equal(await countOf(page, THEME_TOGGLE), 1, 'the theme toggle is missing without ?uiTheme');
    }),
  );

  await t.test('?uiTheme=dark wins over prefers light; ?uiTheme=light over prefers dark; no toggle', () =>
    withPage('theme-forced', async ({ page }) => {
      await page.emulateMedia({ colorScheme: 'light' });
      await openHotrod(page, { url: hotrodUrl('uiTheme=dark') });
      await expectBackground(page, true, '?uiTheme=dark with prefers light');
      assert.ok((await htmlClasses(page)).includes('theme-dark'), `<html> lacks theme-dark: ${await htmlClasses(page)}`);
      assert.equal(await countOf(page, THEME_TOGGLE), 0, 'the theme toggle is shown with ?uiTheme=dark');

      await page.emulateMedia({ colorScheme: 'dark' });
      await openHotrod(page, { url: hotrodUrl('uiTheme=light') });
      await expectBackground(page, false, '?uiTheme=light with prefers dark');
      assert.ok((await htmlClasses(page)).includes('theme-light'), `<html> lacks theme-light: ${await htmlClasses(page)}`);
      assert.equal(await countOf(page, THEME_TOGGLE), 0, 'the theme toggle is shown with ?uiTheme=light');
    }),
  );

  await t.test('the toggle switches the theme and the choice survives a reload', () =>
    withPage('theme-toggle', async ({ page }) => {
      await page.emulateMedia({ colorScheme: 'light' });
      await openHotrod(page);
      await expectBackground(page, false, 'prefers light, nothing chosen');

      await page.locator(THEME_TOGGLE).click();
      await expectBackground(page, true, 'after the toggle');
      assert.ok((await htmlClasses(page)).includes('theme-dark'), `<html> lacks theme-dark: ${await htmlClasses(page)}`);
      const stored = await page.evaluate(() => Object.values(localStorage));
      assert.ok(stored.some((v) => /dark/.test(v)), `nothing in localStorage says dark: ${JSON.stringify(stored)}`);
      await page.reload();
      await waitForRows(page);
      await expectBackground(page, true, 'the dark choice after a reload (prefers light)');

      await page.locator(THEME_TOGGLE).click();
      await expectBackground(page, false, 'after toggling back');
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.reload();
      await waitForRows(page);
      await expectBackground(page, false, 'the light choice after a reload (prefers dark)');
      assert.ok((await htmlClasses(page)).includes('theme-light'), `<html> lacks theme-light: ${await htmlClasses(page)}`);
    }),
  );
});

test('critical path only with matches only: the on-path matches and their ancestors', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(
    'cp-and-matches',
    async ({ page }) => {
      await openHotrod(page, { minRows: HOTROD_SPANS });
      await page.locator(FIND).fill('GetDriver');
      const matches = await waitUntil('the GetDriver matches', () => idsOf(page, MATCH_ROWS), (m) => m.length >= GET_DRIVER_CALLS);

      await page.locator(MATCHES_ONLY).check();
      const matchesOnly = await expectRows(
        page,
        '"Matches only"',
        [...new Set([...matches, ...matches.flatMap(hotrod.ancestors)])],
      );
      await page.locator(MATCHES_ONLY).uncheck();
      await waitUntil(`all ${HOTROD_SPANS} rows again`, () => countOf(page, ROWS), (n) => n === HOTROD_SPANS);

      await page.locator(CP_ONLY).check();
      const cpCount = await waitUntil('fewer rows with "Critical path only"', () => countOf(page, ROWS), (n) => n < HOTROD_SPANS);
      await hiddenCount(page, /^\d+ spans? off the critical path hidden$/);
      const onPath = await idsOf(page, ROWS);
      assert.equal(onPath.length, cpCount);

      await page.locator(MATCHES_ONLY).check();
      const both = await expectRows(
        page,
        '"Critical path only" and "Matches only"',
        matchesOnly.filter((id) => onPath.includes(id)),
      );
      assert.ok(both.length <= matchesOnly.length, `${both.length} rows with both, more than ${matchesOnly.length} with matches only`);
      assert.ok(both.includes(hotrod.root), 'the root is hidden');
      const orphans = both.filter((id) => hotrod.spans.get(id).parent && !both.includes(hotrod.spans.get(id).parent));
      assert.deepEqual(orphans.map(hotrod.label), [], 'rows shown without their parent');
      assert.ok(
        both.some((id) => hotrod.getDriver.includes(id)),
        'no GetDriver row is left (the analysis puts GetDriver on the critical path)',
      );
      const hidden = await hiddenCount(page, /^\d+ spans? .*hidden$/);
      assert.equal(both.length + hidden, HOTROD_SPANS, `${both.length} rows shown + ${hidden} hidden should be ${HOTROD_SPANS}`);

      await page.locator(CP_ONLY).uncheck();
      await expectRows(page, '"Matches only" alone again', matchesOnly);
    },
    { viewport: TALL },
  );
});

/** A ruler tick label ("139 ms", "1.20 s", "0 ns") in milliseconds. */
function tickMs(label) {
  const m = /^([\d.]+) (ns|µs|ms|s)$/.exec(label ?? '');
  assert.ok(m, `a tick label that is not a duration: ${JSON.stringify(label)}`);
  return Number(m[1]) * { ns: 1e-6, 'µs': 1e-3, ms: 1, s: 1e3 }[m[2]];
}

/** The HotROD trace's duration in ms, from the fixture. */
function hotrodMs() {
  const doc = JSON.parse(fixture(HOTROD_FILE).toString('utf8'));
  const spans = doc.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  const start = spans.map((s) => BigInt(s.startTimeUnixNano)).reduce((a, b) => (b < a ? b : a));
  const end = spans.map((s) => BigInt(s.endTimeUnixNano)).reduce((a, b) => (b > a ? b : a));
  return Number(end - start) / 1e6;
}

/**
 * The `window` URL parameter (the visible time window; `view=` names the embedded view since
 * issue #15) as `[a, b]`, or null when the whole trace is shown.
 */
function viewParam(page) {
  const v = urlParam(page, 'window');
  return v == null ? null : v.split(',').map(Number);
}

const near = (x, y, tolerance) => Math.abs(x - y) <= tolerance;

/** Waits until the `window` parameter is `[a, b]` (each within `tolerance`), or absent for null. */
function expectView(page, want, why, tolerance = 0.005) {
  return waitUntil(
    `window=${want ? want.join(',') : '(none)'} in the URL (${why})`,
    () => viewParam(page),
    (v) => (want == null ? v == null : v != null && near(v[0], want[0], tolerance) && near(v[1], want[1], tolerance)),
  );
}

const MINIMAP = '[data-testid=minimap]';
const MINIMAP_WINDOW = '[data-testid=minimap-window]';
const TICKS = '[data-testid=ruler] .tick';
const RESET_ZOOM = 'button[data-testid=reset-zoom]';

test('minimap: a drag chooses the visible window, a scrubber moves one edge, Reset zoom shows all', { timeout: TEST_TIMEOUT }, async (t) => {
  await withPage('minimap', async ({ page }) => {
    await openHotrod(page);
    const total = hotrodMs();
    const box = await page.locator(MINIMAP).boundingBox();
    const x = (f) => box.x + f * box.width;
    const y = box.y + box.height / 2;
    const windowBox = () =>
      page.locator(MINIMAP_WINDOW).evaluate((el) => {
        const w = el.getBoundingClientRect();
        const m = el.parentElement.getBoundingClientRect();
        return { left: (w.left - m.left) / m.width, right: (w.right - m.left) / m.width };
      });
    const ticksBefore = await textsOf(page, TICKS);
    assert.equal(ticksBefore[0], '0 ns', `the first tick before any zoom: ${ticksBefore}`);
    assert.ok(near(tickMs(ticksBefore.at(-1)), total, total * 0.01), `the last tick ${ticksBefore.at(-1)} is not the trace's ${total} ms`);
    assert.equal(await page.locator(RESET_ZOOM).isDisabled(), true, 'Reset zoom is enabled before any zoom');
    assert.equal(viewParam(page), null);

    await t.test('a drag from 20 % to 60 % shows that part of the trace', async () => {
      await page.mouse.move(x(0.2), y);
      await page.mouse.down();
      await page.mouse.move(x(0.4), y, { steps: 4 });
      await page.mouse.move(x(0.6), y, { steps: 4 });
      await page.mouse.up();
      await expectView(page, [0.2, 0.6], 'after the drag');
      const w = await windowBox();
      assert.ok(near(w.left, 0.2, 0.01) && near(w.right, 0.6, 0.01), `the minimap window is at ${JSON.stringify(w)}`);
      const ticks = await waitUntil('the ruler to show the new window', () => textsOf(page, TICKS), (tk) => tk[0] !== '0 ns');
      assert.ok(near(tickMs(ticks[0]), 0.2 * total, total * 0.01), `the first tick ${ticks[0]} is not 20 % of ${total} ms`);
      assert.ok(near(tickMs(ticks.at(-1)), 0.6 * total, total * 0.01), `the last tick ${ticks.at(-1)} is not 60 % of ${total} ms`);
      // The bars are stretched: each row's track is 1 / 0.4 = 250 % of the bar column wide.
      const track = await page.locator(`${ROWS} .track`).first().evaluate((el) => (el.getBoundingClientRect().width * 100) / el.parentElement.getBoundingClientRect().width);
      assert.ok(near(track, 250, 1), `a row's track is ${track} % of the bar column wide, not 250 %`);
      assert.equal(await page.locator(RESET_ZOOM).isDisabled(), false);
    });

    await t.test('a drag from right to left chooses the same kind of window', async () => {
      await page.mouse.move(x(0.7), y);
      await page.mouse.down();
      await page.mouse.move(x(0.3), y, { steps: 4 });
      await page.mouse.up();
      await expectView(page, [0.3, 0.7], 'after a leftward drag');
    });

    await t.test('the right scrubber moves the right edge only', async () => {
      const handle = await page.locator('[data-testid=scrubber-right]').boundingBox();
      await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
      await page.mouse.down();
      await page.mouse.move(x(0.9), y, { steps: 4 });
      await page.mouse.up();
      await expectView(page, [0.3, 0.9], 'after the right scrubber');
    });

    await t.test('the left scrubber moves the left edge only', async () => {
      const handle = await page.locator('[data-testid=scrubber-left]').boundingBox();
      await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
      await page.mouse.down();
      await page.mouse.move(x(0.1), y, { steps: 4 });
      await page.mouse.up();
      await expectView(page, [0.1, 0.9], 'after the left scrubber');
    });

    await t.test('Reset zoom shows the whole trace again', async () => {
      await page.locator(RESET_ZOOM).click();
      await expectView(page, null, 'after Reset zoom');
      await waitUntil('the first tick back at 0 ns', () => textOf(page, TICKS), (tk) => tk === '0 ns');
      const w = await windowBox();
      assert.ok(near(w.left, 0, 0.01) && near(w.right, 1, 0.01), `the minimap window is at ${JSON.stringify(w)}`);
    });

    // `window=` is the parameter's name since `view=` names the embedded view (issue #15); a
    // `view=a,b` of an older link is still read as the window.
    for (const param of ['window', 'view']) {
      await t.test(`${param}=0.2,0.6 in the URL opens that window`, async () => {
        await openHotrod(page, { url: hotrodUrl(`${param}=0.2,0.6`) });
        const w = await waitUntil('the minimap window at 20–60 %', windowBox, (b) => near(b.left, 0.2, 0.01) && near(b.right, 0.6, 0.01));
        assert.ok(w);
        const ticks = await textsOf(page, TICKS);
        assert.ok(near(tickMs(ticks[0]), 0.2 * total, total * 0.01), `the first tick ${ticks[0]} is not 20 % of ${total} ms`);
      });
    }
  });
});

/** The span ids of the rows, top to bottom. */
function rowsTopDown(page) {
  return page.$$eval(ROWS, (els) =>
    els
      .map((el) => [el.getAttribute('data-span-id'), el.getBoundingClientRect().top])
      .sort((a, b) => a[1] - b[1])
      .map(([id]) => id),
  );
}

/** Presses `key` (outside any field) and waits until `selectedId` is `id`. */
async function pressAndExpectSelected(page, key, id) {
  await page.keyboard.press(key);
  await waitUntil(`${key} to select ${hotrod.label(id)}`, () => idsOf(page, SELECTED_ROW), (s) => s.length === 1 && s[0] === id);
}

test("keyboard: Jaeger UI's shortcuts, the arrows, Enter, Esc and the ? help", { timeout: 240_000 }, async (t) => {
  await withPage(
    'keyboard',
    async ({ page }) => {
      await openHotrod(page, { minRows: HOTROD_SPANS });
      const order = await rowsTopDown(page);
      const all = hotrod.ids(() => true);
      const upTo = (level) => hotrod.ids((s) => s.depth <= level);
      await page.locator(`${ROWS}[data-span-id="${hotrod.root}"] .span-name`).click();
      await waitUntil('the root selected', () => idsOf(page, SELECTED_ROW), (s) => s[0] === hotrod.root);

      await t.test('? shows the help with every shortcut; ? and Esc close it', async () => {
        await page.keyboard.press('?');
        const help = await waitUntil('the help', () => textOf(page, '[data-testid=help]'), (h) => h != null);
        for (const key of ['↓ or f / ↑ or b', '← / →', 'Enter', 's / w', 'a / d', '] / [', 'p / o', 'Ctrl+B', 'Esc', '?']) {
          assert.ok(help.includes(key), `the help does not list ${key}`);
        }
        await page.keyboard.press('?');
        await waitUntil('the help to close on ?', () => countOf(page, '[data-testid=help]'), (n) => n === 0);
        await page.keyboard.press('?');
        await waitUntil('the help again', () => countOf(page, '[data-testid=help]'), (n) => n === 1);
        await page.keyboard.press('Escape');
        await waitUntil('the help to close on Esc', () => countOf(page, '[data-testid=help]'), (n) => n === 0);
        assert.equal(await countOf(page, DETAIL), 1, 'Esc closed the detail along with the help');
      });

      await t.test('↓ and f select the next row, ↑ and b the previous one', async () => {
        await pressAndExpectSelected(page, 'ArrowDown', order[1]);
        await pressAndExpectSelected(page, 'f', order[2]);
        await pressAndExpectSelected(page, 'b', order[1]);
        await pressAndExpectSelected(page, 'ArrowUp', order[0]);
        await pressAndExpectSelected(page, 'ArrowUp', order[0]);
      });

      await t.test('← collapses the selected span, then goes to its parent; → goes to the first child, then expands', async () => {
        const driver = hotrod.driverServer;
        const parent = hotrod.spans.get(driver).parent;
        const under = hotrod.descendants(driver);
        await page.locator(`${ROWS}[data-span-id="${driver}"] .span-name`).click();
        await waitUntil('the driver span selected', () => idsOf(page, SELECTED_ROW), (s) => s[0] === driver);
        await page.keyboard.press('ArrowLeft');
        await expectRows(page, '← on the driver span', all.filter((id) => !under.includes(id)));
        assert.equal(await page.locator(`${ROWS}[data-span-id="${driver}"]`).getAttribute('aria-expanded'), 'false');
        await pressAndExpectSelected(page, 'ArrowLeft', parent);
        await pressAndExpectSelected(page, 'ArrowRight', order[order.indexOf(parent) + 1]);
        await page.locator(`${ROWS}[data-span-id="${driver}"] .span-name`).click();
        await page.keyboard.press('ArrowRight');
        await expectRows(page, '→ on the collapsed driver span', all);
        await pressAndExpectSelected(page, 'ArrowRight', order[order.indexOf(driver) + 1]);
      });

      await t.test('Esc clears the find box first, then closes the detail; Enter opens it', async () => {
        await page.locator(FIND).fill('GetDriver');
        await expectMatchCount(page, /matches$/);
        await page.locator('[data-testid=trace-header] h1').click();
        await page.keyboard.press('Escape');
        await waitUntil('the find box to be empty', () => page.locator(FIND).inputValue(), (v) => v === '');
        assert.equal(await countOf(page, DETAIL), 1, 'Esc closed the detail while the find box was not empty');
        await page.keyboard.press('Escape');
        await waitUntil('the detail to close', () => countOf(page, DETAIL), (n) => n === 0);
        const selected = await idsOf(page, SELECTED_ROW);
        await page.keyboard.press('Enter');
        const detail = await waitUntil('the detail after Enter', () => textOf(page, DETAIL), (d) => d != null);
        assert.ok(detail.includes(hotrod.spans.get(selected[0]).name), 'the detail is not of the selected span');
      });

      await t.test('] collapses all, [ expands all; p collapses a level, o expands one', async () => {
        await page.keyboard.press(']');
        await expectRows(page, ']', [hotrod.root]);
        await page.keyboard.press('[');
        await expectRows(page, '[', all);
        await page.keyboard.press('p');
        await expectRows(page, 'p', upTo(3));
        await page.keyboard.press('p');
        await expectRows(page, 'p twice', upTo(2));
        await page.keyboard.press('o');
        await expectRows(page, 'o', upTo(3));
        await page.keyboard.press('o');
        await expectRows(page, 'o twice', all);
      });

      await t.test('+ and − zoom, d and a pan (Shift: a large step), 0 resets', async () => {
        await page.keyboard.press('+');
        await expectView(page, [0.1, 0.9], '+');
        await page.keyboard.press('d');
        await expectView(page, [0.18, 0.98], 'd');
        await page.keyboard.press('Shift+D');
        await expectView(page, [0.2, 1.0], 'Shift+D (clamped at the end)');
        await page.keyboard.press('a');
        await expectView(page, [0.12, 0.92], 'a');
        await page.keyboard.press('Shift+A');
        await expectView(page, [0, 0.8], 'Shift+A (clamped at the start)');
        await page.keyboard.press('-');
        await expectView(page, null, '− back to the whole trace');
        await page.keyboard.press('+');
        await page.keyboard.press('+');
        await expectView(page, [0.18, 0.82], '+ twice');
        await page.keyboard.press('0');
        await expectView(page, null, '0');
      });

      await t.test('Ctrl+B puts the focus in the find box; keys typed there are not shortcuts', async () => {
        await page.keyboard.press('Control+b');
        await waitUntil('the find box focused', () => page.evaluate(() => document.activeElement?.getAttribute('data-testid')), (id) => id === 'find');
        await page.keyboard.type(']p');
        await waitUntil('the typed text in the find box', () => page.locator(FIND).inputValue(), (v) => v === ']p');
        await expectRows(page, '] and p typed in the find box', all);
        await page.locator(FIND).fill('');
      });
    },
    { viewport: TALL },
  );

  await t.test('s and w scroll the timeline down and up by three rows', () =>
    withPage('keyboard-scroll', async ({ page }) => {
      await openHotrod(page);
      const scrollTop = () => page.locator(TIMELINE).evaluate((el) => el.scrollTop);
      const room = await page.locator(TIMELINE).evaluate((el) => el.scrollHeight - el.clientHeight);
      assert.ok(room >= 6 * 24, `the timeline can only scroll ${room} px at 1280x800`);
      assert.equal(await scrollTop(), 0);
      await page.keyboard.press('s');
      await waitUntil('s to scroll down 72 px', scrollTop, (y) => y === 72);
      await page.keyboard.press('s');
      await waitUntil('s again: 144 px', scrollTop, (y) => y === 144);
      await page.keyboard.press('w');
      await waitUntil('w to scroll up to 72 px', scrollTop, (y) => y === 72);
    }),
  );
});

/**
 * The rows as drawn: span id, slot (element id), position (from the row's top in the rows'
 * box, 24 px a row), aria-level, aria-expanded, whether a toggle is there, the name and its
 * title; in DOM order; with the view's scroll position and height.
 */
function rowsAsDrawn(page) {
  return page.locator(TIMELINE).evaluate((tl) => {
    const box = tl.querySelector('[role=tree]').getBoundingClientRect();
    return {
      scrollTop: tl.scrollTop,
      height: tl.clientHeight,
      rows: [...tl.querySelectorAll('[role=treeitem]')].map((r) => ({
        id: r.getAttribute('data-span-id'),
        slot: r.id,
        pos: (r.getBoundingClientRect().top - box.top) / 24,
        level: r.getAttribute('aria-level'),
        expanded: r.getAttribute('aria-expanded'),
        toggle: r.querySelector('button[data-testid=toggle]') != null,
        text: `${r.querySelector('.span-name .svc')?.textContent} ${r.querySelector('.span-name .op')?.textContent}`,
        fields: [...r.querySelectorAll('.span-name [data-testid=row-field]')].map((f) => f.textContent).join(' · '),
        title: r.querySelector('.span-name')?.getAttribute('title'),
      })),
    };
  });
}

test('rows are drawn in recycled slots: each shows the span at its position, and the focus follows its span', { timeout: TEST_TIMEOUT }, async (t) => {
  // Every span's position, top to bottom, from a window tall enough to show them all.
  let order;
  await withPage('slots-order', async ({ page }) => {
    await openHotrod(page, { minRows: HOTROD_SPANS });
    order = await rowsTopDown(page);
  }, { viewport: TALL });
  assert.equal(order.length, HOTROD_SPANS);

  await withPage('slots', async ({ page }) => {
    await openHotrod(page);
    const room = await page.locator(TIMELINE).evaluate((el) => el.scrollHeight - el.clientHeight);
    assert.ok(room >= 20 * 24, `the timeline can only scroll ${room} px at 1280x800`);

    // The fields each span's row showed first: a recycled slot must show its new span's.
    const fieldsOf = new Map();
    /** Checks every row drawn against the span at its position; `settled`: also the DOM order. */
    const check = (what, drawn, { settled }) => {
      const problems = [];
      const seen = new Set();
      for (const r of drawn.rows) {
        const s = hotrod.spans.get(r.id);
        if (!s) { problems.push(`unknown span ${r.id}`); continue; }
        if (seen.has(r.id)) problems.push(`${hotrod.label(r.id)} drawn twice`);
        seen.add(r.id);
        if (!Number.isInteger(Math.round(r.pos)) || order[Math.round(r.pos)] !== r.id) problems.push(`${hotrod.label(r.id)} drawn at position ${r.pos}, where ${hotrod.label(order[Math.round(r.pos)])} is`);
        if (r.text !== `${s.service} ${s.name}` || r.title !== `${s.service}: ${s.name}`) problems.push(`${hotrod.label(r.id)} shows ${JSON.stringify(r.text)} / ${JSON.stringify(r.title)}`);
        if (!fieldsOf.has(r.id)) fieldsOf.set(r.id, r.fields);
        if (fieldsOf.get(r.id) !== r.fields) problems.push(`${hotrod.label(r.id)} shows the fields ${JSON.stringify(r.fields)}, before ${JSON.stringify(fieldsOf.get(r.id))}`);
        if (r.level !== String(s.depth)) problems.push(`${hotrod.label(r.id)} has aria-level ${r.level}`);
        if (r.toggle !== s.children.length > 0 || (r.expanded === null) !== (s.children.length === 0)) problems.push(`${hotrod.label(r.id)}: toggle ${r.toggle}, aria-expanded ${r.expanded}`);
      }
      // The view is covered: a row at every position from its top to its bottom.
      const first = Math.floor(drawn.scrollTop / 24);
      const last = Math.min(order.length - 1, Math.floor((drawn.scrollTop + drawn.height - 1) / 24));
      const at = new Set(drawn.rows.map((r) => Math.round(r.pos)));
      for (let p = first; p <= last; p++) if (!at.has(p)) problems.push(`nothing drawn at position ${p}, in view`);
      if (settled) {
        const dom = drawn.rows.map((r) => Math.round(r.pos));
        if (dom.some((p, i) => i > 0 && p <= dom[i - 1])) problems.push(`rows not in DOM order once settled: ${dom}`);
      }
      assert.deepEqual(problems, [], `${what}: ${problems.length} problems`);
    };
    const scrollTo = (y) => page.locator(TIMELINE).evaluate((el, y) => { el.scrollTop = y; }, y);
    const nextFrames = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

    await t.test('jumps and small scrolls draw the span at each position, with its level and toggle', async () => {
      check('at the top', await rowsAsDrawn(page), { settled: true });
      for (const y of [room, 0, Math.round(room / 2), 40, room - 30, 300]) {
        await scrollTo(y);
        await nextFrames();
        check(`the frame after a jump to ${y} px`, await rowsAsDrawn(page), { settled: false });
        await page.waitForTimeout(400);
        check(`settled at ${y} px`, await rowsAsDrawn(page), { settled: true });
      }
      for (let y = 0; y <= room; y += 37) {
        await scrollTo(y);
        await nextFrames();
        check(`scrolled to ${y} px`, await rowsAsDrawn(page), { settled: false });
      }
    });

    await t.test("the focus on a toggle stays with its span when the rows above collapse and open", async () => {
      await scrollTo(0);
      await page.waitForTimeout(400);
      // X: an HTTP GET low in the window; Y: driver FindNearest above it, not its ancestor.
      const x = order.find((id, p) => p > 20 && hotrod.spans.get(id).children.length > 0);
      const y = hotrod.driverServer;
      assert.ok(x && order.indexOf(y) < order.indexOf(x) && !hotrod.ancestors(x).includes(y));
      const focusedRow = () => page.evaluate(() => {
        const el = document.activeElement;
        return el?.matches('button[data-testid=toggle]') ? el.closest('[role=treeitem]').getAttribute('data-span-id') : el?.tagName;
      });
      const slotOf = async (id) => (await rowsAsDrawn(page)).rows.find((r) => r.id === id)?.slot;
      // Focus X's toggle without scrolling it into view, and click Y's without moving the focus.
      await page.locator(`${ROWS}[data-span-id="${x}"] ${TOGGLE}`).evaluate((b) => b.focus({ preventScroll: true }));
      assert.equal(await focusedRow(), x);
      const before = await slotOf(x);
      const clickY = () => page.locator(`${ROWS}[data-span-id="${y}"] ${TOGGLE}`).evaluate((b) => b.click());
      await clickY();
      await waitUntil(`${hotrod.label(y)} collapsed`, () => page.locator(`${ROWS}[data-span-id="${y}"]`).getAttribute('aria-expanded'), (v) => v === 'false');
      await page.waitForTimeout(400);
      const moved = await slotOf(x);
      assert.notEqual(moved, before, `${hotrod.label(x)} should be drawn by another slot once the rows above it collapse`);
      assert.equal(await focusedRow(), x, `the focus should have followed ${hotrod.label(x)} from ${before} to ${moved}`);
      await clickY();
      await waitUntil(`${hotrod.label(y)} open again`, () => page.locator(`${ROWS}[data-span-id="${y}"]`).getAttribute('aria-expanded'), (v) => v === 'true');
      await page.waitForTimeout(400);
      assert.equal(await slotOf(x), before);
      assert.equal(await focusedRow(), x, `the focus should have followed ${hotrod.label(x)} back`);
    });
  });
});

test('the timeline is measured again when the panel above it shrinks: its rows reach its bottom', { timeout: TEST_TIMEOUT }, async () => {
  await withPage('regrow', async ({ page }) => {
    // The bottleneck panel is tall when the trace opens, so the timeline is first measured
    // short; then the panel shrinks (as when its findings fold), with no resize and no scroll.
    // A constructed style sheet: the page's content-security policy refuses a <style> element.
    await page.addInitScript(() => {
      const tall = new CSSStyleSheet();
      tall.replaceSync('[data-testid=bottleneck-panel] { min-height: 900px; }');
      window.__tallPanel = tall;
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, tall];
    });
    await openHotrod(page);
    await page.waitForTimeout(400);
    const short = await rowsAsDrawn(page);
    await page.evaluate(() => {
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== window.__tallPanel);
    });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.waitForTimeout(400);
    const grown = await rowsAsDrawn(page);
    // More than the spare rows drawn below a view: without a new measure, a band would stay blank.
    assert.ok(grown.height - short.height > 12 * 24, `the timeline should grow by more than 12 rows: ${short.height} → ${grown.height} px`);
    assert.equal(grown.scrollTop, 0);
    const at = new Set(grown.rows.map((r) => Math.round(r.pos)));
    const last = Math.min(HOTROD_SPANS, Math.ceil(grown.height / 24)) - 1;
    const blank = [];
    for (let p = 0; p <= last; p++) if (!at.has(p)) blank.push(p);
    assert.deepEqual(blank, [], `positions in view with no row, in a timeline of ${grown.height} px`);
  }, { viewport: { width: 1280, height: 1400 } });
});

test('the name column is resized by dragging its edge in the ruler, in every row', { timeout: TEST_TIMEOUT }, async () => {
  await withPage('name-column', async ({ page }) => {
    await openHotrod(page, { minRows: 5 });
    const widths = () => page.$$eval(`.ruler .name-cell, ${ROWS} .name-cell`, (els) => els.map((el) => Math.round(el.getBoundingClientRect().width)));
    const before = await widths();
    assert.ok(before.length > 5 && before.every((w) => w === before[0]), `the name cells should share one width: ${before}`);
    const edge = await page.locator('[data-testid=name-resizer]').boundingBox();
    const x = edge.x + edge.width / 2;
    const y = edge.y + edge.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 60, y, { steps: 3 });
    await page.mouse.move(x + 100, y, { steps: 3 });
    await page.mouse.up();
    const after = await waitUntil('the name column to widen', widths, (w) => w[0] !== before[0]);
    assert.ok(Math.abs(after[0] - before[0] - 100) <= 2, `the column should be 100 px wider: ${before[0]} → ${after[0]}`);
    assert.ok(after.every((w) => w === after[0]), `every row's name cell should follow: ${after}`);
  });
});
