// Clock-skew correction (issue #17 §3) in headless Debian Chromium: the two real cases of
// ../shared/fixtures are shown corrected, the header says which spans moved and by how much,
// each moved span's warning names its amount, and the switch shows the trace as recorded
// (bars, headline and analysis follow), keeping the view's selection.
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { waitUntil, textOf, countOf, runInPage, startAppWithFixtures } from '../lib/harness.mjs';
import { writeChainsTrace } from '../lib/jaeger-file.mjs';

// The DOM contract.
const HEADER = '[data-testid=trace-header]';
const NOTE = '[data-testid=skew-note]';
const TOGGLE = 'input[data-testid=skew-toggle]';
const HEADLINE = '[data-testid=headline]';
const TIMELINE = '[data-testid=timeline]';
const ROWS = `${TIMELINE} [role=treeitem]`;
const SELECTED_ROW = `${ROWS}[aria-selected=true]`;
const HEADER_WARNINGS = `${HEADER} .warnings li`;

const ZIPKIN = 'fixtures/zipkin/skew-child-before-parent.json';
const OTELDEMO = 'fixtures/otlp/oteldemo-timeout-clock-skew.json';
// Zipkin's example: servicea's client span `post` and serviceb's server half of it.
const CLIENT = '74280ae0c10d8062';
const SERVER = '74280ae0c10d8062:server';
const ASYNC = '43210ae0c10d1234';

const TALL = { width: 1280, height: 1600 };
const TEST_TIMEOUT = 120_000;
/** This file's failure screenshots are `artifacts/fail-skew-<label>.png`. */
const ARTIFACT_PREFIX = 'skew';

let browser;
let server; // the app at '/', fixtures at '/fixtures/'

before(
  async () => {
    ({ browser, server } = await startAppWithFixtures(ARTIFACT_PREFIX));
  },
  { timeout: 60_000 },
);

after(async () => {
  await server?.close();
  await browser?.close();
});

function withPage(label, body) {
  return runInPage(browser, ARTIFACT_PREFIX, label, body, { viewport: TALL });
}

/** Waits for the header to say `n spans`. */
function spansInHeader(page, n) {
  return waitUntil(`the trace header to say ${n} spans`, () => textOf(page, HEADER), (t) => t != null && t.includes(`${n} spans`));
}

/** The header's warnings, as text (the list is folded: textContent, not innerText). */
function headerWarnings(page) {
  return page.$$eval(HEADER_WARNINGS, (els) => els.map((el) => el.textContent.replace(/\s+/g, ' ').trim()));
}

/** The left and right edges (CSS px) of the bar of the row of `spanId`; null while it is not drawn. */
function barOf(page, spanId) {
  return page.evaluate((id) => {
    const bar = document.querySelector(`[data-testid=timeline] [role=treeitem][data-span-id="${id}"] .bar`);
    if (!bar) return null;
    const r = bar.getBoundingClientRect();
    return { left: r.left, right: r.right };
  }, spanId);
}

/** Waits until the bars of `child` and `parent` are drawn; returns them. */
function barsOf(page, child, parent) {
  return waitUntil(`the bars of ${child} and ${parent}`, async () => ({ child: await barOf(page, child), parent: await barOf(page, parent) }), (b) => b.child && b.parent);
}

/** Whether the bar `c` lies within the bar `p`, give or take a pixel. */
const within = (c, p) => c.left >= p.left - 1 && c.right <= p.right + 1;

test('Zipkin: the server that reported its times 65 ms early is moved into its client span, and the switch shows it as recorded', { timeout: TEST_TIMEOUT }, async () => {
  await withPage('zipkin', async ({ page }) => {
    await page.goto(`${server.url}?url=${ZIPKIN}`);
    await spansInHeader(page, 4);

    // Corrected by default: the note names both moved spans and the amount.
    const note = await waitUntil('the skew note', () => textOf(page, NOTE), Boolean);
    assert.match(note, /^Clock skew corrected on 2 spans: /);
    assert.match(note, /post \+65\.9 ms/);
    assert.match(note, /async \+65\.9 ms/);
    assert.equal(await page.locator(TOGGLE).isChecked(), true);
    const warnings = await headerWarnings(page);
    const moved = warnings.filter((w) => w.includes('clock skew: moved +65.9 ms into its client span servicea post'));
    assert.equal(moved.length, 2, `two warnings name the move: ${JSON.stringify(warnings)}`);
    assert.ok(moved.some((w) => w.includes(SERVER)), `a warning names the server span: ${JSON.stringify(moved)}`);
    assert.ok(moved.some((w) => w.includes(ASYNC)), `a warning names the async span: ${JSON.stringify(moved)}`);

    // The server's bar lies within its client's; the headline reads the corrected trace (99.4 ms, the root's own length).
    const corrected = await barsOf(page, SERVER, CLIENT);
    assert.ok(within(corrected.child, corrected.parent), `the server's bar is within its client's: ${JSON.stringify(corrected)}`);
    const correctedHeadline = await waitUntil('the corrected headline', () => textOf(page, HEADLINE), (t) => t != null && t.includes('99.4 ms'));
    assert.match(await textOf(page, HEADER), /duration 99\.4 ms/);

    // Select the server span: the selection survives the switch.
    await page.locator(`${ROWS}[data-span-id="${SERVER}"] .span-name`).click();
    await waitUntil('the server span selected', () => page.locator(SELECTED_ROW).getAttribute('data-span-id'), (id) => id === SERVER);

    // As recorded: the server starts 65 ms before its client, the trace is 162 ms long, the headline says so.
    await page.locator(TOGGLE).click(); // the view is drawn anew: click, not uncheck()
    await waitUntil('the note to say the trace is shown as recorded', () => textOf(page, NOTE), (t) => t != null && t.startsWith('Shown as recorded: 2 spans'));
    assert.equal(await page.locator(TOGGLE).isChecked(), false);
    await waitUntil('the header to say 162 ms', () => textOf(page, HEADER), (t) => t != null && t.includes('duration 162 ms'));
    const recorded = await waitUntil(
      'the server bar to start before its client',
      () => barsOf(page, SERVER, CLIENT),
      (b) => b.child.left < b.parent.left - 10,
    );
    assert.ok(!within(recorded.child, recorded.parent), `as recorded, the server's bar sticks out: ${JSON.stringify(recorded)}`);
    const recordedHeadline = await waitUntil('the recorded headline', () => textOf(page, HEADLINE), (t) => t != null && t.includes('162 ms'));
    assert.notEqual(recordedHeadline, correctedHeadline);
    assert.equal((await headerWarnings(page)).filter((w) => w.includes('clock skew')).length, 0, 'no skew warnings as recorded');
    assert.equal(await page.locator(SELECTED_ROW).getAttribute('data-span-id'), SERVER, 'the selection was kept');

    // And back: corrected again, with the same analysis as before.
    await page.locator(TOGGLE).click();
    await waitUntil('the corrected note again', () => textOf(page, NOTE), (t) => t != null && t.startsWith('Clock skew corrected on 2 spans'));
    const again = await barsOf(page, SERVER, CLIENT);
    assert.ok(within(again.child, again.parent), `the server's bar is within its client's again: ${JSON.stringify(again)}`);
    await waitUntil('the corrected headline again', () => textOf(page, HEADLINE), (t) => t === correctedHeadline);
    assert.equal(await page.locator(SELECTED_ROW).getAttribute('data-span-id'), SERVER, 'the selection was kept');
  });
});

test('OpenTelemetry demo: frontend\'s POST /api/cart, 118 µs before its proxy call, is centred in it', { timeout: TEST_TIMEOUT }, async () => {
  await withPage('oteldemo', async ({ page }) => {
    await page.goto(`${server.url}?url=${OTELDEMO}`);
    await spansInHeader(page, 26);
    const note = await waitUntil('the skew note', () => textOf(page, NOTE), Boolean);
    assert.equal(note, 'Clock skew corrected on 1 span: POST /api/cart +355 µs.');
    const warnings = await headerWarnings(page);
    assert.ok(
      warnings.some((w) => w.includes('84af5b43ba47cb99') && w.includes('clock skew: moved +355 µs into its client span frontend-proxy router frontend egress') && w.includes('with the 10 spans under it')),
      `a warning names the moved span and its amount: ${JSON.stringify(warnings)}`,
    );
    // 118 µs of a 15 s trace is less than a pixel: the bars are checked on the Zipkin case; here
    // the switch drops the warning, and the recorded version gets its own analysis.
    const headline = await waitUntil('the headline', () => textOf(page, HEADLINE), (t) => t != null && t.includes('15.1 s'));

    await page.locator(TOGGLE).click(); // the view is drawn anew: click, not uncheck()
    await waitUntil('shown as recorded', () => textOf(page, NOTE), (t) => t != null && t.startsWith('Shown as recorded: 1 span'));
    assert.equal((await headerWarnings(page)).filter((w) => w.includes('clock skew')).length, 0, 'no skew warnings as recorded');
    // The recorded version is analysed when first shown: the headline comes back (the timeout is
    // on both versions' critical path).
    await waitUntil('the headline of the recorded trace', () => textOf(page, HEADLINE), (t) => t === headline);
    assert.equal(await countOf(page, NOTE), 1);
  });
});

test('a trace without skew has no skew line', { timeout: TEST_TIMEOUT }, async () => {
  await withPage('no-skew', async ({ page }) => {
    await page.goto(`${server.url}?url=fixtures/otlp/hotrod-40spans-6services.json`);
    await spansInHeader(page, 40);
    await waitUntil('the headline', () => textOf(page, HEADLINE), Boolean);
    assert.equal(await countOf(page, NOTE), 0);
    assert.equal(await countOf(page, TOGGLE), 0);
  });
});

test('a large trace (120,000 spans) is corrected in place, and the switch makes the other version and back', { timeout: 300_000 }, async () => {
  // The root is a client call on svc-0; span 1, the first chain's head, runs on svc-1's clock
  // and starts 6 ms before the root: corrected, it moves into the root with the 16 other chain
  // heads on svc-1's clock (the children of one call on one clock move as one), and their
  // chains with them. Each version is held alone (ui::state::KEEP_BOTH_BELOW is 100,000 spans).
  const SPANS = 120_000;
  const file = writeChainsTrace(path.join(os.tmpdir(), `traceglass-e2e-skew-${SPANS}.json`), {
    traceID: '000000000000000000000000005ca1ed',
    spans: SPANS,
    chains: 50,
    services: 3,
    name: (i) => `op-${i % 7}`,
    tags: (i) => [{ key: 'span.kind', type: 'string', value: i === 0 ? 'client' : 'server' }],
    serviceName: (s) => `svc-${s}`,
    start: (i) => (i === 1 ? -5_000 : 1_000 + i),
    duration: (i) => (i === 0 ? 2_000_000 : i === 1 ? 1_000 : 500),
  });
  try {
    await withPage('large', async ({ page }) => {
      await page.goto(server.url);
      await page.waitForSelector(HEADLINE, { timeout: 60_000 });
      await page.setInputFiles('[data-testid=file-input]', file);
      await spansInHeader(page, SPANS);
      const corrected = await waitUntil('the skew line', () => textOf(page, NOTE), (t) => t != null && t.includes('Clock skew corrected'), { timeout: 120_000 });
      assert.match(corrected, /Clock skew corrected on 17 spans: op-1 \+1\.00 s/);
      assert.equal(await page.isChecked(TOGGLE), true);
      const correctedHeader = await textOf(page, HEADER);

      // As recorded: made from the corrected version, the box stays as asked.
      await page.click(TOGGLE);
      const recorded = await waitUntil('the trace as recorded', () => textOf(page, NOTE), (t) => t != null && t.startsWith('Shown as recorded'), { timeout: 120_000 });
      assert.match(recorded, /Shown as recorded: 17 spans on another clock/);
      assert.equal(await page.isChecked(TOGGLE), false);
      await spansInHeader(page, SPANS);
      // Recorded, the trace starts with span 1, 5 ms before the root: it lasts longer.
      const recordedHeader = await textOf(page, HEADER);
      assert.notEqual(recordedHeader, correctedHeader, 'the header follows the version');

      // And back: corrected again, as at load.
      await page.click(TOGGLE);
      await waitUntil('corrected again', () => textOf(page, NOTE), (t) => t != null && t.includes('Clock skew corrected'), { timeout: 120_000 });
      assert.equal(await page.isChecked(TOGGLE), true);
      await waitUntil('the corrected header', () => textOf(page, HEADER), (t) => t === correctedHeader);
    });
  } finally {
    fs.rmSync(file, { force: true });
  }
});
