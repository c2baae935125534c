// End-to-end tests of the flame graphs (issue #17 §1):
// - one trace's flame graph: hovering a bar shows its span in the tooltip, a click zooms into
//   the span's subtree and selects it (the detail and the timeline show it), the breadcrumbs
//   lead back up and Reset shows the whole trace again;
// - a summary group's merged flame graph over generated traces: left-heavy, so the first bar
//   under the root is the heaviest node, which the weight changes (critical path or total time).
// Positions on the canvas come from its data- attributes: row r spans r × data-row-height to
// (r + 1) × data-row-height from its top, the top row being the zoomed span (or the root),
// across the canvas's whole width.
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

const ARTIFACT_PREFIX = 'flame';
const VIEWPORT = { width: 1400, height: 1000 };
const CANVAS = '[data-testid=flame-canvas]';
const TOOLTIP = '[data-testid=flame-tooltip]';
const DETAIL = '[data-testid=span-detail]';

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

/**
 * One request to /home (100 ms, µs below): auth (2–12 ms), then the orders query (15–95 ms)
 * which fetches rows (20–90 ms).
 */
function home() {
  const traceID = 'f1a3e'.padStart(32, '0');
  const span = spanMaker(traceID, 1_700_000_000_000_000, (n) => (n + 1).toString(16).padStart(16, '0'));
  return {
    traceID,
    spans: [
      span(0, null, 'GET /home', 'p1', 0, 100_000),
      span(1, 0, 'auth', 'p2', 2_000, 10_000),
      span(2, 0, 'SELECT orders', 'p3', 15_000, 80_000),
      span(3, 2, 'fetch rows', 'p3', 20_000, 70_000),
    ],
    processes: {
      p1: { serviceName: 'web', tags: [] },
      p2: { serviceName: 'auth', tags: [] },
      p3: { serviceName: 'orders-db', tags: [] },
    },
    warnings: null,
  };
}

/**
 * Request `i` to /feed (100 ms): three cache warm-ups that run side by side for 60 ms, and the
 * feed query from 10 ms to 95 ms. The query ends last, so it is on the critical path and the
 * warm-ups are not; by total time the warm-ups (180 ms) outweigh it (85 ms).
 */
function feed(i) {
  const traceID = (0xfeed00 + i).toString(16).padStart(32, '0');
  const span = spanMaker(traceID, 1_700_000_100_000_000 + i * 1_000_000, (n) => (i * 16 + n + 1).toString(16).padStart(16, '0'));
  return {
    traceID,
    spans: [
      span(0, null, 'GET /feed', 'p1', 0, 100_000),
      span(1, 0, 'cache.warm', 'p2', 0, 60_000),
      span(2, 0, 'cache.warm', 'p2', 0, 60_000),
      span(3, 0, 'cache.warm', 'p2', 0, 60_000),
      span(4, 0, 'SELECT feed', 'p3', 10_000, 85_000),
    ],
    processes: {
      p1: { serviceName: 'web', tags: [] },
      p2: { serviceName: 'cache', tags: [] },
      p3: { serviceName: 'feed-db', tags: [] },
    },
    warnings: null,
  };
}

/** The canvas's box and row height, the canvas found under `scope`. */
async function geometry(scope) {
  const canvas = scope.locator(CANVAS);
  const box = await canvas.boundingBox();
  assert.ok(box && box.width > 100, 'the flame graph is drawn');
  const rowHeight = Number(await canvas.getAttribute('data-row-height'));
  assert.ok(rowHeight > 0);
  return { canvas, box, rowHeight };
}

/** Hovers (x, the middle of row `row`) on the canvas until the tooltip names `name`. */
async function hoverShows(page, canvas, rowHeight, x, row, name) {
  await canvas.hover({ position: { x, y: row * rowHeight + rowHeight / 2 } });
  await waitUntil(`the tooltip at (${x}, row ${row}) to name ${name}`, () => textOf(page, `${TOOLTIP} .name`), (t) => t === name);
}

test('one trace: hover names a span, a click zooms and selects it, Reset zooms out', { timeout: 60_000 }, async () => {
  const { page, errors, close } = await newPage(browser, { viewport: VIEWPORT });
  try {
    await page.goto(server.url);
    await waitUntil('the demo', () => countOf(page, '[data-testid=headline]'), (n) => n > 0);
    await chooseFiles(page, [{ name: 'home.json', bytes: jaegerFile([home()]), type: 'application/json' }]);
    await waitUntil('the trace of /home', () => textOf(page, '[data-testid=trace-header] h1'), (t) => t?.includes('GET /home'));
    await page.click('[data-testid=tab-flame]');
    await page.locator(CANVAS).waitFor();
    const { canvas, box, rowHeight } = await geometry(page);
    await waitUntil('three rows drawn', () => canvas.getAttribute('data-rows'), (r) => r === '3');
    assert.equal(await canvas.getAttribute('data-zoom'), '');
    assert.equal(await canvas.getAttribute('data-items'), '4');
    assert.equal(await canvas.getAttribute('data-rects'), '4');

    // The root fills the top row; the query runs from 15 % to 95 % of the trace.
    await hoverShows(page, canvas, rowHeight, box.width * 0.5, 0, 'GET /home');
    const tip = await textOf(page, TOOLTIP);
    assert.match(tip, /service web/);
    assert.match(tip, /duration 100 ms/);
    assert.match(tip, /self time 10\.0 ms/);
    assert.match(tip, /critical path/);
    await hoverShows(page, canvas, rowHeight, box.width * 0.07, 1, 'auth');
    await hoverShows(page, canvas, rowHeight, box.width * 0.5, 1, 'SELECT orders');

    // A click zooms into the query and selects it.
    await canvas.click({ position: { x: box.width * 0.5, y: rowHeight * 1.5 } });
    await waitUntil('zoomed into the query', () => canvas.getAttribute('data-zoom'), (z) => z === 'SELECT orders');
    await waitUntil('the detail shows the query', () => textOf(page, `${DETAIL} h2`), (h) => h === 'SELECT orders');
    assert.equal(await canvas.getAttribute('data-rows'), '2');
    assert.match(await textOf(page, '[data-testid=flame-crumbs]'), /All\s*›\s*GET \/home\s*›\s*SELECT orders/);
    // Zoomed, the query fills the top row and its rows run from 1/16 to 15/16 of it.
    await hoverShows(page, canvas, rowHeight, box.width * 0.03, 0, 'SELECT orders');
    await hoverShows(page, canvas, rowHeight, box.width * 0.5, 1, 'fetch rows');

    // The breadcrumb of the root zooms there; Reset shows the whole trace.
    await page.locator('[data-testid=flame-crumbs] button', { hasText: 'GET /home' }).click();
    await waitUntil('zoomed into the root', () => canvas.getAttribute('data-zoom'), (z) => z === 'GET /home');
    await page.click('[data-testid=flame-reset]');
    await waitUntil('the whole trace', () => canvas.getAttribute('data-zoom'), (z) => z === '');
    assert.ok(await page.locator('[data-testid=flame-reset]').isDisabled());

    // The timeline has the last span clicked selected.
    await page.click('[data-testid=tab-timeline]');
    await waitUntil('the root selected in the timeline', () => textOf(page, '[data-testid=timeline] [role=treeitem][aria-selected=true] .span-name'), (t) => t?.includes('GET /home'));
    assert.deepEqual(pageErrors(errors), []);
  } catch (e) {
    await page.screenshot({ path: artifactPath(`fail-${ARTIFACT_PREFIX}-trace.png`) }).catch(() => {});
    throw e;
  } finally {
    await close();
  }
});

test('a summary group: the merged flame graph, left-heavy by the weight chosen', { timeout: 60_000 }, async () => {
  const { page, errors, close } = await newPage(browser, { viewport: VIEWPORT });
  try {
    await page.goto(server.url);
    await waitUntil('the demo', () => countOf(page, '[data-testid=headline]'), (n) => n > 0);
    const traces = [0, 1, 2, 3, 4].map(feed);
    await chooseFiles(page, [{ name: 'feeds.json', bytes: jaegerFile(traces), type: 'application/json' }]);
    await waitUntil('6 traces in the list', () => countOf(page, '[data-testid=trace-list-item]'), (n) => n === 6);
    await page.click('[data-testid=pane-summary]');
    const group = page.locator('[data-testid=summary-group]', { hasText: 'GET /feed' });
    await group.waitFor();
    const merged = group.locator('[data-testid=merged-flame]');
    await merged.waitFor();
    assert.match(await merged.locator('h3').innerText(), /across the 5 traces/);
    const { canvas, box, rowHeight } = await geometry(merged);
    // Three nodes: the root, the warm-ups, the query.
    assert.equal(await canvas.getAttribute('data-items'), '3');

    // By critical-path time (the default) the query is the first bar under the root, and the
    // warm-ups, off the path, have no width.
    await hoverShows(page, canvas, rowHeight, 3, 1, 'SELECT feed');
    const tip = await textOf(page, TOOLTIP);
    assert.match(tip, /5 spans in 5 traces of 5/);
    assert.match(tip, /service feed-db/);
    await hoverShows(page, canvas, rowHeight, box.width * 0.5, 0, 'GET /feed');
    assert.equal(await canvas.getAttribute('data-rects'), '2');

    // By total time the warm-ups (15 spans, 900 ms) come first.
    await merged.locator('[data-testid=flame-weight]').selectOption('total');
    await waitUntil('three bars drawn', () => merged.locator(CANVAS).getAttribute('data-rects'), (n) => n === '3');
    const again = await geometry(merged);
    await hoverShows(page, again.canvas, again.rowHeight, 3, 1, 'cache.warm');
    assert.match(await textOf(page, TOOLTIP), /15 spans in 5 traces of 5/);

    // A click zooms into the warm-ups; Reset zooms out.
    await again.canvas.click({ position: { x: 3, y: again.rowHeight * 1.5 } });
    await waitUntil('zoomed into the warm-ups', () => merged.locator(CANVAS).getAttribute('data-zoom'), (z) => z === 'cache.warm');
    await merged.locator('[data-testid=flame-reset]').click();
    await waitUntil('the whole graph', () => merged.locator(CANVAS).getAttribute('data-zoom'), (z) => z === '');
    assert.deepEqual(pageErrors(errors), []);
  } catch (e) {
    await page.screenshot({ path: artifactPath(`fail-${ARTIFACT_PREFIX}-merged.png`) }).catch(() => {});
    throw e;
  } finally {
    await close();
  }
});
