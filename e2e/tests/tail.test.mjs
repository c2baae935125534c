// End-to-end test of "slow against the rest" in the summary: a 200-trace Jaeger file, built
// here, with two causes of slowness planted in two bands of duration:
// - the 11 slowest traces (p95 of 200 by nearest rank) wait 650 ms on the orders query;
// - 30 middle traces wait 200 ms on the payment call, all of them on pod `payments-7`, which
//   no other trace's payment call ran on.
// At p95 the ranking names the orders query; a range brushed over the middle band on the
// histogram names the payment call and the pod; a percentile typed in changes the slow group;
// an example opens its trace compared with the group's median.
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
  textsOf,
  countOf,
} from '../lib/harness.mjs';

const ARTIFACT_PREFIX = 'tail';
const TRACES = 200;
const BINS = 40; // analysis::tail::DURATION_BINS
const CANVAS = 640; // ui::tail::WIDTH, in CSS pixels

const kindOf = (i) => (i % 20 === 3 || i === 0 ? 'orders' : [7, 8, 9].includes(i % 20) ? 'payment' : 'fast');

/** One checkout (µs): auth, the orders query, the payment call, then 5 ms of its own. */
function checkout(i) {
  const kind = kindOf(i);
  const base = 1_700_000_000_000_000 + i * 10_000_000;
  const orders = kind === 'orders' ? 650_000 : 40_000 + (i % 7) * 1_000;
  const payment = kind === 'payment' ? 200_000 + (i % 5) * 1_000 : 10_000 + (i % 3) * 500;
  const traceID = (i + 1).toString(16).padStart(32, '0');
  const id = (n) => (i * 16 + n + 1).toString(16).padStart(16, '0');
  const span = spanMaker(traceID, base, id);
  const pod = kind === 'payment' ? 'payments-7' : `payments-${i % 3}`;
  const spans = [
    span(0, null, 'POST /checkout', 'p1', 0, 1_000 + 18_000 + orders + payment + 5_000),
    span(1, 0, 'auth', 'p1', 1_000, 18_000),
    span(2, 0, 'SELECT orders', 'p2', 19_000, orders, [{ key: 'db.system', type: 'string', value: 'postgresql' }]),
    span(3, 0, 'POST /charge', 'p1', 19_000 + orders, payment, [
      { key: 'span.kind', type: 'string', value: 'client' },
      { key: 'k8s.pod.name', type: 'string', value: pod },
    ]),
  ];
  return {
    traceID,
    spans,
    processes: { p1: { serviceName: 'shop', tags: [] }, p2: { serviceName: 'orders-db', tags: [] } },
    warnings: null,
  };
}

const durationUs = (t) => t.spans[0].duration;


/** Where a duration is across the canvas, as the log histogram bins it (durations span > 4×). */
function xOf(us, lo, hi) {
  const [l, t] = [lo * 1000, hi * 1000 + 1];
  const bin = Math.floor((Math.log((us * 1000) / l) / Math.log(t / l)) * BINS);
  return ((Math.min(bin, BINS - 1) + 0.5) / BINS) * CANVAS;
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

test('a brushed range of durations ranks its own cause; the percentile and the examples work', { timeout: 120_000 }, async () => {
  const { page, errors, close } = await newPage(browser, { viewport: { width: 1400, height: 1000 } });
  const traces = Array.from({ length: TRACES }, (_, i) => checkout(i));
  const durations = traces.map(durationUs).sort((a, b) => a - b);
  const [lo, hi] = [durations[0], durations[durations.length - 1]];
  try {
    await page.goto(server.url);
    await waitUntil('the demo', () => countOf(page, '[data-testid=headline]'), (n) => n > 0);
    await chooseFiles(page, [{ name: 'checkouts.json', bytes: jaegerFile(traces), type: 'application/json' }]);
    await waitUntil('201 traces in the list', () => countOf(page, '[data-testid=trace-list-item]'), (n) => n === TRACES + 1, { timeout: 60_000 });
    await page.click('[data-testid=pane-summary]');
    const group = page.locator('[data-testid=summary-group]', { hasText: 'POST /checkout' });
    await group.waitFor();

    // At p95: the eleven orders-slow traces, explained by the orders query.
    const scope = group.locator('[data-testid=tail-scope]');
    assert.match(await scope.innerText(), /^11 slow traces \(≥ p95, /);
    const top = () => group.locator('[data-testid=explanation]').first().innerText();
    assert.match(await top(), /SELECT orders in orders-db/);
    assert.match(await top(), /in 11 of 11 slow, 0 of 189 others/);

    // Brush the middle band: the payment-slow traces, and nothing else.
    const payment = traces.filter((_, i) => kindOf(i) === 'payment').map(durationUs);
    const canvas = group.locator('[data-testid=tail-histogram]');
    const box = await canvas.boundingBox();
    assert.ok(box && Math.abs(box.width - CANVAS) < 1, `the histogram is ${CANVAS} px wide`);
    const [x0, x1] = [xOf(Math.min(...payment), lo, hi), xOf(Math.max(...payment), lo, hi)];
    await page.mouse.move(box.x + x0, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + (x0 + x1) / 2, box.y + box.height / 2);
    await page.mouse.move(box.x + x1, box.y + box.height / 2);
    await page.mouse.up();
    await waitUntil('the brushed range', () => scope.innerText(), (t) => /^30 slow traces \(\S+ \S+ to \S+ \S+\)/.test(t));
    assert.match(await top(), /POST \/charge in shop/);
    const all = (await textsOf(page, '[data-testid=summary-group] [data-testid=explanation]')).join('\n');
    assert.match(all, /pod `payments-7`|payments-7/);
    assert.doesNotMatch(await top(), /SELECT orders/);

    // Back to p95, then p50: the slow group follows the percentile typed.
    await group.locator('[data-testid=tail-reset]').click();
    await waitUntil('p95 again', () => scope.innerText(), (t) => t.startsWith('11 slow traces (≥ p95'));
    await group.locator('[data-testid=tail-percentile]').fill('50');
    await group.locator('[data-testid=tail-percentile]').press('Enter');
    await waitUntil('p50', () => scope.innerText(), (t) => /^\d+ slow traces \(≥ p50, /.test(t));

    // An example opens compared with the group's median trace.
    await group.locator('[data-testid=tail-example-compare]').first().click();
    await waitUntil('the compare pane', () => page.locator('[data-testid=pane-compare]').getAttribute('aria-selected'), (v) => v === 'true');
    await waitUntil('a comparison headline', () => textOf(page, '[data-testid=compare-headline]'), (t) => t.startsWith('B took '));
    assert.deepEqual(pageErrors(errors), []);
  } catch (e) {
    await page.screenshot({ path: artifactPath(`fail-${ARTIFACT_PREFIX}-brush.png`) }).catch(() => {});
    throw e;
  } finally {
    await close();
  }
});
