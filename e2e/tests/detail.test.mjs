// End-to-end tests of the span detail of Traceglass in headless Debian Chromium: beside the
// timeline or inline under the selected row (the choice kept in localStorage, the inline block
// within the virtualised rows), the attribute filter ("k of n"), the copy buttons (span id,
// trace id, the ?span= deep link) and references and links that open their target span, in
// the same trace or in another loaded one.
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  fixture,
  waitUntil,
  textOf,
  textsOf,
  countOf,
  dropFiles,
  runInPage,
  startAppWithFixtures,
} from '../lib/harness.mjs';

// The DOM contract.
const TIMELINE = '[data-testid=timeline]';
const ROWS = `${TIMELINE} [role=treeitem]`;
const SELECTED_ROW = `${ROWS}[aria-selected=true]`;
const DETAIL = '[data-testid=span-detail]';
const INLINE_BLOCK = `${TIMELINE} [data-testid=inline-detail]`;
const MODE = `${DETAIL} button[data-testid=detail-mode]`;
const CLOSE = `${DETAIL} button[data-testid=detail-close]`;
const FILTER = `${DETAIL} input[data-testid=detail-filter]`;
const FILTER_COUNT = `${DETAIL} [data-testid=detail-filter-count]`;
const ATTRIBUTES = `${DETAIL} [data-testid=detail-attributes]`;
const RESOURCE = `${DETAIL} [data-testid=detail-resource]`;
const EVENTS = `${DETAIL} [data-testid=detail-events]`;
const LINKS = `${DETAIL} [data-testid=detail-links]`;
const OPEN_LINK = `${LINKS} button[data-testid=open-link]`;
const NOT_LOADED = `${LINKS} [data-testid=link-not-loaded]`;
const FIND = 'input[data-testid=find]';
const HEADLINE = '[data-testid=bottleneck-panel] [data-testid=headline]';
const ITEMS = '[data-testid=trace-list] [data-testid=trace-list-item]';
const SELECTED_ITEM = `${ITEMS}[aria-selected=true]`;
const copyButton = (which) => `${DETAIL} button[data-testid=copy-${which}]`;
const copyStatus = (which) => `${DETAIL} [data-testid=copy-status-${which}]`;

const HOTROD_FILE = 'otlp/hotrod-40spans-6services.json';
const HOTROD_SPANS = 40;
const FOLLOWS_FROM_FILE = 'jaeger/jaeger-ui-issue115-follows-from.json';
const ROW_HEIGHT = 24;

/** Tall enough for every row of the 40-span trace, with the inline detail, to be rendered. */
const TALL = { width: 1280, height: 2400 };

const TEST_TIMEOUT = 120_000;
const ARTIFACT_PREFIX = 'detail';

let browser;
let server; // the app at '/', fixtures at '/fixtures/'
let hotrod; // the HotROD spans in tree order, read from the fixture

before(
  async () => {
    hotrod = hotrodSpans();
    ({ browser, server } = await startAppWithFixtures(ARTIFACT_PREFIX));
  },
  { timeout: 60_000 },
);

after(async () => {
  await server?.close();
  await browser?.close();
});

function withPage(label, body, options) {
  return runInPage(browser, ARTIFACT_PREFIX, label, body, options);
}

/** An OTLP/JSON attribute value as text, as the app shows it. */
function otlpText(v) {
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return String(v.intValue);
  if ('boolValue' in v) return String(v.boolValue);
  if ('doubleValue' in v) return String(v.doubleValue);
  throw new Error(`an attribute value this test does not read: ${JSON.stringify(v)}`);
}

/**
 * The HotROD spans: `byId` maps a span id to `{ id, name, service, parent, attributes, resource,
 * events }` (attributes as `[key, text]`); `order` is the tree order (as the model sorts children), as
 * the timeline shows the rows.
 */
function hotrodSpans() {
  const doc = JSON.parse(fixture(HOTROD_FILE).toString('utf8'));
  const byId = new Map();
  const pairs = (attrs = []) => attrs.map((a) => [a.key, otlpText(a.value)]);
  for (const rs of doc.resourceSpans) {
    const resource = pairs(rs.resource.attributes);
    const service = resource.find(([k]) => k === 'service.name')[1];
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        byId.set(s.spanId, {
          id: s.spanId,
          name: s.name,
          service,
          parent: s.parentSpanId || null,
          start: BigInt(s.startTimeUnixNano),
          end: BigInt(s.endTimeUnixNano),
          index: byId.size,
          attributes: pairs(s.attributes),
          resource,
          events: (s.events ?? []).map((e) => ({ name: e.name, attributes: pairs(e.attributes) })),
          children: [],
        });
      }
    }
  }
  for (const s of byId.values()) if (s.parent) byId.get(s.parent).children.push(s);
  const order = [];
  const walk = (s) => {
    order.push(s.id);
    // As the model orders children: by start, the longer first, then as in the file.
    const cmp = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
    [...s.children].sort((a, b) => cmp(a.start, b.start) || cmp(b.end, a.end) || a.index - b.index).forEach(walk);
  };
  [...byId.values()].filter((s) => !s.parent).forEach(walk);
  assert.equal(order.length, HOTROD_SPANS);
  const one = (pred) => {
    const found = [...byId.values()].filter(pred);
    assert.equal(found.length, 1, `the fixture should hold exactly one such span, found ${found.length}`);
    return found[0].id;
  };
  return {
    byId,
    order,
    root: order[0],
    mysql: one((s) => s.service === 'mysql'),
    driverServer: one((s) => s.service === 'driver'),
  };
}

const hotrodUrl = (...params) => [`${server.url}?url=fixtures/${HOTROD_FILE}`, ...params].join('&');

async function openHotrod(page, url = hotrodUrl()) {
  await page.goto(url);
  await waitUntil('the HotROD headline', () => textOf(page, HEADLINE), (t) => t != null && t.includes('took'));
  await waitUntil('timeline rows', () => countOf(page, ROWS), (n) => n > 0);
}

const row = (page, id) => page.locator(`${ROWS}[data-span-id="${id}"]`);

/** Clicks the row of span `id` (on its name) and waits until it is the selected one. */
async function selectRow(page, id) {
  await row(page, id).locator('.span-name').click();
  await waitForSelected(page, id, `a click on ${id}`);
}

function waitForSelected(page, id, why) {
  return waitUntil(
    `the row ${id} to be the one selected (${why})`,
    () => page.$$eval(SELECTED_ROW, (els) => els.map((e) => e.getAttribute('data-span-id'))),
    (ids) => ids.length === 1 && ids[0] === id,
  );
}

/** Waits until the detail shows span `name` (its heading). */
function expectDetailOf(page, name) {
  return waitUntil(`the detail to show "${name}"`, () => textOf(page, `${DETAIL} h2`), (h) => h === name);
}

const mode = (page) => page.locator(DETAIL).getAttribute('data-mode');

/** The stored choice of detail mode, whatever its key: the localStorage values that name it. */
const storedModes = (page) =>
  page.evaluate(() => Object.values(localStorage).filter((v) => v === 'inline' || v === 'side'));

/**
 * Boxes (viewport pixels) of the timeline, the inline block, and every rendered row (by span id),
 * plus the timeline's scroll position.
 */
function layout(page) {
  return page.evaluate(() => {
    const tl = document.querySelector('[data-testid=timeline]');
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
    };
    const block = tl.querySelector('[data-testid=inline-detail]');
    return {
      timeline: box(tl),
      scrollTop: tl.scrollTop,
      scrollHeight: tl.scrollHeight,
      clientHeight: tl.clientHeight,
      block: block ? box(block) : null,
      rows: Object.fromEntries([...tl.querySelectorAll('[role=treeitem]')].map((r) => [r.getAttribute('data-span-id'), box(r)])),
    };
  });
}

/**
 * Checks the inline block sits right under the row of `selected`, the rows before it keep their
 * place, the rows after it start below it and none overlaps it. Returns the layout.
 */
async function expectInlineUnder(page, selected) {
  return waitUntil(
    `the inline detail right under the row ${selected}, and the rows around it`,
    () => layout(page),
    (l) => {
      if (!l.block || !l.rows[selected]) return false;
      const sel = l.rows[selected];
      if (Math.abs(l.block.top - sel.bottom) > 1.5) return false;
      const pos = hotrod.order.indexOf(selected);
      const first = l.rows[hotrod.order[0]];
      for (const [id, r] of Object.entries(l.rows)) {
        if (r.bottom > l.block.top + 0.5 && r.top < l.block.bottom - 0.5) return false; // overlaps
        const i = hotrod.order.indexOf(id);
        if (first && i <= pos && Math.abs(r.top - (first.top + i * ROW_HEIGHT)) > 1.5) return false;
        if (i > pos && Math.abs(r.top - (l.block.bottom + (i - pos - 1) * ROW_HEIGHT)) > 1.5) return false;
      }
      const next = hotrod.order[pos + 1];
      return next == null || l.rows[next] == null || Math.abs(l.rows[next].top - l.block.bottom) <= 1.5;
    },
  );
}

test('side or inline: the choice is kept, the inline detail sits under the row and moves with the selection', { timeout: 240_000 }, async (t) => {
  await withPage(
    'modes',
    async ({ page }) => {
      await openHotrod(page);
      await waitUntil(`all ${HOTROD_SPANS} rows`, () => countOf(page, ROWS), (n) => n === HOTROD_SPANS);
      const { mysql } = hotrod;
      const mysqlSpan = hotrod.byId.get(mysql);

      await t.test('the rows are in the tree order this test computes', async () => {
        const l = await layout(page);
        const shown = Object.entries(l.rows).sort((a, b) => a[1].top - b[1].top).map(([id]) => id);
        assert.deepEqual(shown, hotrod.order);
      });

      await t.test('at first the detail is a side panel beside the timeline', async () => {
        await selectRow(page, mysql);
        await expectDetailOf(page, mysqlSpan.name);
        assert.equal(await mode(page), 'side');
        assert.equal(await countOf(page, `${TIMELINE} ${DETAIL}`), 0, 'the side panel is inside the timeline');
        assert.equal(await page.locator(MODE).getAttribute('aria-pressed'), 'false');
        assert.deepEqual(await storedModes(page), [], 'a mode is stored before any choice');
      });

      await t.test('"Inline" moves the detail under the selected row; the rows below move down', async () => {
        const before = await layout(page);
        await page.locator(MODE).click();
        await waitUntil('the detail inside the timeline', () => countOf(page, `${TIMELINE} ${DETAIL}`), (n) => n === 1);
        assert.equal(await countOf(page, DETAIL), 1, 'two details are shown');
        assert.equal(await mode(page), 'inline');
        assert.equal(await page.locator(MODE).getAttribute('aria-pressed'), 'true');
        await expectDetailOf(page, mysqlSpan.name);
        const l = await expectInlineUnder(page, mysql);
        assert.ok(l.block.bottom - l.block.top > 100, `the inline block is only ${l.block.bottom - l.block.top} px tall`);
        assert.ok(l.timeline.right - l.timeline.left > before.timeline.right - before.timeline.left, 'the timeline did not widen without the side panel');
        assert.ok(l.scrollHeight >= HOTROD_SPANS * ROW_HEIGHT + (l.block.bottom - l.block.top) - 1, `the scroll height ${l.scrollHeight} does not count the inline block`);
        assert.deepEqual(await storedModes(page), ['inline']);
      });

      await t.test('the arrow keys move the selection; the inline detail follows it', async () => {
        const pos = hotrod.order.indexOf(mysql);
        const next = hotrod.order[pos + 1];
        await page.keyboard.press('ArrowDown');
        await waitForSelected(page, next, 'ArrowDown');
        await expectDetailOf(page, hotrod.byId.get(next).name);
        await expectInlineUnder(page, next);
        await page.keyboard.press('ArrowUp');
        await waitForSelected(page, mysql, 'ArrowUp');
        await expectInlineUnder(page, mysql);
      });

      await t.test('a click on a row below the detail selects it; the detail moves under it', async () => {
        const target = hotrod.driverServer;
        assert.ok(hotrod.order.indexOf(target) > hotrod.order.indexOf(mysql));
        await selectRow(page, target);
        await expectDetailOf(page, hotrod.byId.get(target).name);
        await expectInlineUnder(page, target);
      });

      await t.test('the choice survives a reload', async () => {
        await page.reload();
        await waitUntil(`all ${HOTROD_SPANS} rows`, () => countOf(page, ROWS), (n) => n === HOTROD_SPANS);
        await selectRow(page, mysql);
        await waitUntil('the inline detail after the reload', () => countOf(page, INLINE_BLOCK), (n) => n === 1);
        assert.equal(await mode(page), 'inline');
        await expectInlineUnder(page, mysql);
      });

      await t.test('"Inline" again goes back to the side panel, which is kept too', async () => {
        await page.locator(MODE).click();
        await waitUntil('the inline block to go', () => countOf(page, INLINE_BLOCK), (n) => n === 0);
        await waitUntil('the side panel', () => mode(page), (m) => m === 'side');
        assert.deepEqual(await storedModes(page), ['side']);
        const l = await layout(page);
        for (const [i, id] of hotrod.order.entries()) {
          const top = l.rows[id].top - l.rows[hotrod.order[0]].top;
          assert.equal(top, i * ROW_HEIGHT, `row ${i} (${id}) is still moved down without the inline block`);
        }
        await page.reload();
        await waitUntil('rows after the reload', () => countOf(page, ROWS), (n) => n === HOTROD_SPANS);
        await selectRow(page, mysql);
        await waitUntil('the side panel after the reload', () => mode(page), (m) => m === 'side');
      });

      await t.test('× and Escape close the detail; Enter opens it again', async () => {
        await page.locator(CLOSE).click();
        await waitUntil('the detail to close', () => countOf(page, DETAIL), (n) => n === 0);
        await page.keyboard.press('Enter');
        await expectDetailOf(page, mysqlSpan.name);
        await page.keyboard.press('Escape');
        await waitUntil('the detail to close on Escape', () => countOf(page, DETAIL), (n) => n === 0);
      });
    },
    { viewport: TALL },
  );
});

test('inline detail in the virtualised timeline: scrolling past it and going to a span', { timeout: TEST_TIMEOUT }, async () => {
  await withPage('inline-scroll', async ({ page }) => {
    // A short window: only some rows are in the DOM at a time.
    await page.addInitScript(() => localStorage.setItem('traceglass.detail', 'inline'));
    await openHotrod(page);
    const { root } = hotrod;
    await selectRow(page, root);
    await waitUntil('the inline detail', () => countOf(page, INLINE_BLOCK), (n) => n === 1);
    const l0 = await expectInlineUnder(page, root);
    const rendered = Object.keys(l0.rows).length;
    assert.ok(rendered < HOTROD_SPANS, `all ${rendered} rows are in the DOM: the timeline is not virtualised at this size`);
    const blockHeight = l0.block.bottom - l0.block.top;

    // Scroll to the very end: the last rows are rendered, below the block, not overlapping it.
    await page.locator(TIMELINE).evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    const last = hotrod.order[HOTROD_SPANS - 1];
    const l1 = await waitUntil(
      `the last row ${last} rendered at the bottom of the scrolled timeline`,
      () => layout(page),
      (l) => l.rows[last] != null && l.rows[last].bottom <= l.timeline.bottom + 1 && l.rows[last].bottom > l.timeline.bottom - ROW_HEIGHT - 20,
    );
    assert.ok(
      Math.abs(l1.scrollHeight - (HOTROD_SPANS * ROW_HEIGHT + blockHeight)) <= 2,
      `scroll height ${l1.scrollHeight}, expected ${HOTROD_SPANS} rows + the ${blockHeight} px block`,
    );
    for (const [id, r] of Object.entries(l1.rows)) {
      const i = hotrod.order.indexOf(id);
      const expected = l1.timeline.top - l1.scrollTop + i * ROW_HEIGHT + (i > 0 ? blockHeight : 0);
      assert.ok(Math.abs(r.top - expected) <= 1.5, `row ${i} at ${r.top}, expected ${expected}`);
    }

    // A click on a row there selects it; the detail above (out of view) closes and the timeline
    // scrolls by as much, so the clicked row stays under the pointer.
    const clicked = hotrod.order[HOTROD_SPANS - 3];
    assert.ok(l1.rows[clicked], `the row ${clicked} is not rendered at the end`);
    await selectRow(page, clicked);
    await expectDetailOf(page, hotrod.byId.get(clicked).name);
    const lc = await expectInlineUnder(page, clicked);
    assert.ok(Math.abs(lc.rows[clicked].top - l1.rows[clicked].top) <= 1.5, `the clicked row moved from ${l1.rows[clicked].top} to ${lc.rows[clicked].top}`);

    // Going to a span (find, Enter) selects it, scrolls it into view, with the detail under it.
    await page.locator(FIND).fill(last);
    await page.locator(FIND).press('Enter');
    await waitForSelected(page, last, 'Enter in the find box');
    await expectDetailOf(page, hotrod.byId.get(last).name);
    const l2 = await expectInlineUnder(page, last);
    const r = l2.rows[last];
    assert.ok(r.top >= l2.timeline.top - 1 && r.bottom <= l2.timeline.bottom + 1, 'the row gone to is not in view');
  });
});

/** What the filter should keep of a span's fields, computed from the fixture. */
function expectedFields(span, needle) {
  const n = needle.toLowerCase();
  const keep = ([k, v]) => k.toLowerCase().includes(n) || v.toLowerCase().includes(n);
  const all = [...span.attributes, ...span.resource, ...span.events.flatMap((e) => e.attributes)];
  return {
    total: all.length,
    kept: all.filter(keep).length,
    attributes: span.attributes.filter(keep).map(([k]) => k).sort(),
    resource: span.resource.filter(keep).map(([k]) => k).sort(),
  };
}

const keysIn = (page, section) => textsOf(page, `${section} table.kv tr th`);

test('the attribute filter keeps the fields whose key or value holds the text, and counts them', { timeout: TEST_TIMEOUT }, async (t) => {
  await withPage(
    'filter',
    async ({ page }) => {
      await openHotrod(page);
      const span = hotrod.byId.get(hotrod.mysql);
      await selectRow(page, hotrod.mysql);
      await expectDetailOf(page, span.name);
      const all = expectedFields(span, '');

      await t.test('unfiltered: every field, attributes and resource sorted by key', async () => {
        assert.equal(await textOf(page, FILTER_COUNT), `${all.total} fields`);
        assert.deepEqual(await keysIn(page, ATTRIBUTES), all.attributes);
        assert.deepEqual(await keysIn(page, RESOURCE), all.resource);
        assert.ok(all.attributes.length >= 3 && all.resource.length >= 3, 'the mysql span has too few fields to test a filter');
      });

      for (const needle of ['MySQL', 'customer_id=731', 'os.t', 'Info', 'no such thing']) {
        await t.test(`"${needle}"`, async () => {
          const want = expectedFields(span, needle);
          await page.locator(FILTER).fill(needle);
          await waitUntil(`the count "${want.kept} of ${want.total}"`, () => textOf(page, FILTER_COUNT), (c) => c === `${want.kept} of ${want.total}`);
          assert.deepEqual(await keysIn(page, ATTRIBUTES), want.attributes, 'the attributes kept');
          assert.deepEqual(await keysIn(page, RESOURCE), want.resource, 'the resource attributes kept');
          assert.equal(
            await textOf(page, `${ATTRIBUTES} h3`),
            `Attributes (${want.attributes.length} of ${span.attributes.length})`,
          );
        });
      }

      await t.test('event fields are filtered too; clearing the filter shows everything again', async () => {
        const event = span.events[0];
        assert.ok(event && event.attributes.length >= 2, 'the mysql span should have an event with fields');
        const [key] = event.attributes[0];
        await page.locator(FILTER).fill(key);
        await waitUntil(`the event section to keep ${key} only`, () => keysIn(page, EVENTS), (k) => k.length === 1 && k[0] === key);
        await page.locator(FILTER).fill('');
        await waitUntil('the count of every field', () => textOf(page, FILTER_COUNT), (c) => c === `${all.total} fields`);
        assert.deepEqual(await keysIn(page, ATTRIBUTES), all.attributes);
      });

      await t.test('keys typed in the filter are not shortcuts', async () => {
        const rows = await countOf(page, ROWS);
        await page.locator(FILTER).fill('');
        await page.locator(FILTER).type(']p');
        await waitUntil('the typed text', () => page.locator(FILTER).inputValue(), (v) => v === ']p');
        assert.equal(await countOf(page, ROWS), rows, '"]" or "p" typed in the filter collapsed rows');
      });

      await t.test('Esc in the filter empties it first, then closes the detail', async () => {
        await page.locator(FILTER).press('Escape');
        await waitUntil('the filter to be empty', () => page.locator(FILTER).inputValue(), (v) => v === '');
        assert.equal(await countOf(page, DETAIL), 1, 'Esc closed the detail while the filter held text');
        await page.locator(FILTER).press('Escape');
        await waitUntil('the detail to close', () => countOf(page, DETAIL), (n) => n === 0);
      });
    },
    { viewport: TALL },
  );
});

test('copy buttons: span id, trace id and a link that opens the span', { timeout: TEST_TIMEOUT }, async (t) => {
  await withPage(
    'copy',
    async ({ page, context }) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
      await openHotrod(page);
      const id = hotrod.driverServer;
      const span = hotrod.byId.get(id);
      await selectRow(page, id);
      await expectDetailOf(page, span.name);
      const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
      const traceId = JSON.parse(fixture(HOTROD_FILE).toString('utf8')).resourceSpans[0].scopeSpans[0].spans[0].traceId;

      await t.test('span id', async () => {
        assert.equal(await textOf(page, copyStatus('span-id')), '', '"Copied" before any copy');
        await page.locator(copyButton('span-id')).click();
        await waitUntil('"Copied" by the span id', () => textOf(page, copyStatus('span-id')), (s) => s === 'Copied');
        assert.equal(await clipboard(), id);
        assert.equal(await textOf(page, copyStatus('trace-id')), '', 'the trace id says Copied too');
      });

      await t.test('trace id', async () => {
        await page.locator(copyButton('trace-id')).click();
        await waitUntil('"Copied" by the trace id', () => textOf(page, copyStatus('trace-id')), (s) => s === 'Copied');
        assert.equal(await clipboard(), traceId);
      });

      let link;
      await t.test('link', async () => {
        await page.locator(copyButton('link')).click();
        await waitUntil('"Copied" by the link', () => textOf(page, copyStatus('link')), (s) => s === 'Copied');
        link = await clipboard();
        const url = new URL(link);
        assert.equal(url.searchParams.get('span'), id, `the link ${link} has no span=${id}`);
        assert.equal(url.searchParams.get('url'), `fixtures/${HOTROD_FILE}`, `the link ${link} lost the trace's url=`);
      });

      await t.test('the link opens the span, selected, in view and in the detail', () =>
        withPage('copied-link', async ({ page: other }) => {
          await other.goto(link);
          await waitForSelected(other, id, 'the copied link');
          await expectDetailOf(other, span.name);
          const l = await layout(other);
          const r = l.rows[id];
          assert.ok(r && r.top >= l.timeline.top - 1 && r.bottom <= l.timeline.bottom + 1, 'the linked span is not scrolled into view');
        }),
      );

      await t.test('a refused write says so instead of "Copied"', async () => {
        await page.evaluate(() => {
          navigator.clipboard.writeText = () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'));
        });
        await page.locator(copyButton('span-id')).click();
        const s = await waitUntil('a failure by the span id', () => textOf(page, copyStatus('span-id')), (x) => x != null && x.startsWith('Copy failed'));
        assert.match(s, /permission denied/i);
      });
    },
    { viewport: TALL },
  );
});

/** A minimal OTLP/JSON document of one service's spans. */
function otlp(service, spans) {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: 'e2e' }, spans }],
      },
    ],
  });
}

const T0 = 1_700_000_000_000_000_000n;
const otlpSpan = (traceId, spanId, name, { parent, startMs = 0, ms = 10, links } = {}) => ({
  traceId,
  spanId,
  ...(parent ? { parentSpanId: parent } : {}),
  name,
  kind: 1,
  startTimeUnixNano: String(T0 + BigInt(startMs) * 1_000_000n),
  endTimeUnixNano: String(T0 + BigInt(startMs + ms) * 1_000_000n),
  ...(links ? { links } : {}),
});

test('references and links open their target span, in this trace or another loaded one', { timeout: TEST_TIMEOUT }, async (t) => {
  await t.test('FOLLOWS_FROM in the same trace (Jaeger UI issue 115)', () =>
    withPage('follows-from', async ({ page }) => {
      await page.goto(`${server.url}?url=fixtures/${FOLLOWS_FROM_FILE}`);
      await waitUntil('2 rows', () => countOf(page, ROWS), (n) => n === 2);
      const doc = JSON.parse(fixture(FOLLOWS_FROM_FILE).toString('utf8'));
      const thread = doc.data[0].spans.find((s) => s.operationName === 'thread');
      const target = thread.references[0].spanID;
      await selectRow(page, thread.spanID);
      await expectDetailOf(page, 'thread');
      const item = await waitUntil('the FOLLOWS_FROM reference', () => textOf(page, `${LINKS} li`), (s) => s != null && s.includes('FOLLOWS_FROM'));
      assert.ok(item.includes(target), `the reference does not name ${target}: ${item}`);
      await page.locator(OPEN_LINK).click();
      await waitForSelected(page, target, 'the FOLLOWS_FROM button');
      await expectDetailOf(page, 'demo');
    }),
  );

  await t.test('an OTLP link to another trace: "trace not loaded", then a button once it is loaded', () =>
    withPage('cross-trace', async ({ page }) => {
      const A = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0';
      const B = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0';
      const C = 'c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0';
      const consumer = 'a000000000000001';
      const ack = 'a000000000000002';
      const published = 'b000000000000002';
      const traceA = otlp('worker', [
        otlpSpan(A, consumer, 'consume order', {
          ms: 50,
          links: [
            { traceId: B, spanId: published, attributes: [{ key: 'messaging.operation', value: { stringValue: 'receive' } }] },
            { traceId: C, spanId: 'c000000000000001' },
          ],
        }),
        otlpSpan(A, ack, 'ack', { parent: consumer, startMs: 40, ms: 5, links: [{ traceId: A, spanId: consumer }] }),
      ]);
      const traceB = otlp('shop', [
        otlpSpan(B, 'b000000000000001', 'checkout', { ms: 30 }),
        otlpSpan(B, published, 'publish order', { parent: 'b000000000000001', startMs: 10, ms: 5 }),
      ]);

      await page.goto(server.url);
      await waitUntil('the demo', () => textOf(page, HEADLINE), (h) => h != null && h.includes('took'));
      await dropFiles(page, [{ name: 'consumer.json', bytes: traceA }]);
      await waitUntil('consumer.json selected', () => textOf(page, SELECTED_ITEM), (s) => s != null && s.includes('consumer.json'));
      await selectRow(page, consumer);
      await expectDetailOf(page, 'consume order');
      await waitUntil('two links, neither loaded', () => countOf(page, NOT_LOADED), (n) => n === 2);
      assert.equal(await countOf(page, OPEN_LINK), 0, 'a link to a trace that is not loaded is a button');
      const texts = await textsOf(page, `${LINKS} li`);
      assert.ok(texts[0].includes(published) && texts[0].includes(B), `the first link does not name its ids: ${texts[0]}`);
      assert.ok(texts[0].includes('trace not loaded'));

      // The same-trace link of "ack" opens "consume order".
      await selectRow(page, ack);
      await expectDetailOf(page, 'ack');
      await page.locator(OPEN_LINK).click();
      await waitForSelected(page, consumer, 'the link of ack');
      await expectDetailOf(page, 'consume order');

      // Load trace B: the link becomes a button (B is shown after the drop; go back to A).
      await dropFiles(page, [{ name: 'producer.json', bytes: traceB }]);
      await waitUntil('producer.json selected', () => textOf(page, SELECTED_ITEM), (s) => s != null && s.includes('producer.json'));
      await page.locator(ITEMS, { hasText: 'consumer.json' }).click();
      await waitUntil('consumer.json selected again', () => textOf(page, SELECTED_ITEM), (s) => s != null && s.includes('consumer.json'));
      await selectRow(page, consumer);
      await waitUntil('one link still not loaded (trace C)', () => countOf(page, NOT_LOADED), (n) => n === 1);
      assert.equal(await textOf(page, OPEN_LINK), 'shop: publish order');

      await page.locator(OPEN_LINK).click();
      await waitUntil('producer.json selected by the link', () => textOf(page, SELECTED_ITEM), (s) => s != null && s.includes('producer.json'));
      await waitForSelected(page, published, 'the link to trace B');
      await expectDetailOf(page, 'publish order');
      await waitUntil(`span=${published} and trace=${B} in the URL`, () => new URL(page.url()).searchParams, (p) => p.get('span') === published && p.get('trace') === B);
    }),
  );
});
