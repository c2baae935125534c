// End-to-end tests of what the timeline's rows say: fields after the span name (the defaults,
// and keys the user chooses, kept in the URL and in localStorage) and runs of repeated siblings
// grouped into one row ("120 × SELECT", expandable, with a toggle and a minimum).
// The trace is built here: an invoice view that runs one query 120 times, then calls a payment
// service, then runs three other queries.
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from '../lib/server.mjs';
import { spanMaker, jaegerFile } from '../lib/jaeger-file.mjs';
import {
  ensureDist,
  clearFailureScreenshots,
  launchBrowser,
  runInPage,
  chooseFiles,
  waitUntil,
  textOf,
  textsOf,
  countOf,
} from '../lib/harness.mjs';

const ARTIFACT_PREFIX = 'rows';
const REPEATS = 120;
const ROW_HEIGHT = 24; // geometry::ROW_HEIGHT
const ROWS = '[data-testid=timeline] [role=treeitem]';

function invoiceTrace() {
  const traceID = 'abcdef0123456789abcdef0123456789';
  const span = spanMaker(traceID, 1_700_000_000_000_000, (n) => (n + 1).toString(16).padStart(16, '0'));
  const db = (stmt) => [
    { key: 'db.system', type: 'string', value: 'postgresql' },
    { key: 'db.statement', type: 'string', value: stmt },
    { key: 'span.kind', type: 'string', value: 'client' },
  ];
  const spans = [span(0, null, 'GET /invoice', 'p1', 0, 2_000_000, [{ key: 'span.kind', type: 'string', value: 'server' }])];
  for (let k = 0; k < REPEATS; k++) {
    spans.push(
      span(1 + k, 0, 'SELECT', 'p2', 1_000 + k * 4_000, 2_500, db(`SELECT id, amount, currency FROM invoice_lines WHERE invoice_id = ${k}`)),
    );
  }
  const n = 1 + REPEATS;
  spans.push(
    span(n, 0, 'POST', 'p1', 500_000, 800_000, [
      { key: 'span.kind', type: 'string', value: 'client' },
      { key: 'http.method', type: 'string', value: 'POST' },
      { key: 'http.url', type: 'string', value: 'https://pay.example/v1/charge?invoice=77' },
    ]),
  );
  for (let k = 0; k < 3; k++) {
    spans.push(span(n + 1 + k, 0, 'SELECT', 'p2', 1_400_000 + k * 10_000, 5_000, db(`SELECT * FROM customers WHERE id = ${k}`)));
  }
  return {
    traceID,
    spans,
    processes: {
      p1: { serviceName: 'billing', tags: [{ key: 'hostname', type: 'string', value: 'billing-7' }] },
      p2: { serviceName: 'billing-db', tags: [] },
    },
    warnings: null,
  };
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

/** The number of rows the timeline shows (its rows are virtualised: read from its height). */
const rowCount = (page) =>
  page.$eval('[data-testid=timeline] .rows', (el, h) => Math.round(parseFloat(el.style.height) / h), ROW_HEIGHT);

/** Opens or closes the "Rows" panel (grouping and fields), which lies over the first rows. */
const rowOptions = (page, open) => page.$eval('[data-testid=row-options]', (d, o) => { d.open = o; }, open);

async function openInvoice(page) {
  await page.goto(server.url);
  await waitUntil('the demo', () => countOf(page, '[data-testid=headline]'), (n) => n > 0);
  await chooseFiles(page, [{ name: 'invoice.json', bytes: jaegerFile([invoiceTrace()]), type: 'application/json' }]);
  await waitUntil('the invoice trace', () => textOf(page, '[data-testid=trace-header] h1'), (t) => t?.includes('GET /invoice'));
}

test('a run of 120 repeated queries is one row, expanded and grouped again by the row, the keys and the toggle', { timeout: 90_000 }, async () => {
  await runInPage(browser, ARTIFACT_PREFIX, 'grouping', async ({ page }) => {
    await openInvoice(page);
    // root, the run, the payment call, three other queries (fewer than five: not grouped).
    // Grouping is on by default in a trace of more than 100 spans, and says so.
    await waitUntil('six rows', () => rowCount(page), (n) => n === 6);
    assert.equal(await textOf(page, '[data-testid=row-options] summary'), 'Rows · 1 grouped');
    await rowOptions(page, true);
    assert.equal(await textOf(page, '[data-testid=group-auto]'), '(auto above 100 spans)');
    assert.equal(await textOf(page, '[data-testid=group-count]'), '(1 run)');
    await rowOptions(page, false);
    const group = page.locator(ROWS, { has: page.locator('[data-testid=repeat-count]') });
    assert.equal(await group.count(), 1);
    assert.equal(await group.locator('[data-testid=repeat-count]').innerText(), `${REPEATS} ×`);
    // The run's bar spans it, each call drawn; its label says how long and how the calls ran.
    assert.match(await group.locator('.dur').innerText(), /^47\d ms, sequential$/);
    assert.ok((await group.locator('.call').count()) > 10, 'the calls are drawn on the bar');

    // Expanded by its toggle, grouped again by the leader's button.
    await group.locator('[data-testid=group-toggle]').click();
    await waitUntil('every query a row', () => rowCount(page), (n) => n === 6 + REPEATS - 1);
    await page.locator('[data-testid=regroup]').first().click();
    await waitUntil('six rows again', () => rowCount(page), (n) => n === 6);

    // By the keys: → on the selected run opens it, ← groups it again.
    await group.locator('.span-name').click();
    await page.keyboard.press('ArrowRight');
    await waitUntil('opened by →', () => rowCount(page), (n) => n === 6 + REPEATS - 1);
    await page.keyboard.press('ArrowLeft');
    await waitUntil('grouped by ←', () => rowCount(page), (n) => n === 6);

    // A span hidden in a run is revealed when it is gone to: the run opens.
    const member = (58).toString(16).padStart(16, '0'); // span 57 of the run (idOf(n) = n + 1)
    await page.fill('[data-testid=find]', member);
    await page.click('[data-testid=next-match]');
    await waitUntil('the run opened on its 58th call', () => rowCount(page), (n) => n === 6 + REPEATS - 1);
    await waitUntil('the call selected', () => page.locator(`${ROWS}[aria-selected=true]`).getAttribute('data-span-id'), (id) => id === member);
    await page.fill('[data-testid=find]', '');
    await page.$eval('[data-testid=timeline]', (el) => { el.scrollTop = 0; });
    await page.locator('[data-testid=regroup]').first().click();
    await waitUntil('grouped again', () => rowCount(page), (n) => n === 6);

    // The toggle and the minimum.
    await rowOptions(page, true);
    await page.locator('[data-testid=group-repeats]').uncheck();
    await waitUntil('no grouping', () => rowCount(page), (n) => n === 6 + REPEATS - 1);
    assert.equal(await countOf(page, '[data-testid=group-auto]'), 0, 'a choice made is no longer the default');
    await page.locator('[data-testid=group-repeats]').check();
    await waitUntil('grouped', () => rowCount(page), (n) => n === 6);
    await page.fill('[data-testid=group-min]', '3');
    await page.locator('[data-testid=group-min]').dispatchEvent('change');
    await waitUntil('runs of three grouped too', () => textOf(page, '[data-testid=group-count]'), (t) => t === '(2 runs)');
    await page.fill('[data-testid=group-min]', '200');
    await page.locator('[data-testid=group-min]').dispatchEvent('change');
    await waitUntil('a run shorter than the minimum is not grouped', () => rowCount(page), (n) => n === 6 + REPEATS - 1);
  });
});

test('a small trace is shown span by span until grouping is turned on', { timeout: 60_000 }, async () => {
  await runInPage(browser, ARTIFACT_PREFIX, 'small', async ({ page }) => {
    // The demo: 100 spans or fewer.
    await page.goto(server.url);
    await waitUntil('the demo', () => countOf(page, '[data-testid=headline]'), (n) => n > 0);
    await rowOptions(page, true);
    assert.equal(await page.locator('[data-testid=group-repeats]').isChecked(), false);
    await page.locator('[data-testid=group-repeats]').check();
    await waitUntil('no default any more', () => countOf(page, '[data-testid=group-auto]'), (n) => n === 0);
  });
});

test('rows show the query, the call and chosen keys; the choice is kept in the URL and for the next visit', { timeout: 90_000 }, async () => {
  await runInPage(browser, ARTIFACT_PREFIX, 'fields', async ({ page }) => {
    await openInvoice(page);
    await waitUntil('six rows', () => rowCount(page), (n) => n === 6);
    // Defaults: rows that all read "SELECT" say which query they run; the POST says what it called.
    const fields = await textsOf(page, `${ROWS} [data-testid=row-field]`);
    assert.ok(fields.some((f) => /^SELECT .*invoice_lines/.test(f)), `the run's statement: ${fields}`);
    assert.ok(fields.some((f) => /^SELECT .*customers/.test(f)), `the other statement: ${fields}`);
    assert.ok(fields.includes('pay.example/v1/charge'), `the payment call: ${fields}`);
    assert.ok(!fields.some((f) => f.includes('invoice=77') || f.includes('= 5')), 'no query string or literal');
    assert.equal(await textOf(page, '[data-testid=row-options] summary'), 'Rows · 1 grouped');
    await rowOptions(page, true);
    assert.equal(await textOf(page, '[data-testid=field-summary]'), 'Fields: defaults');

    // Chosen keys replace them: a span attribute and a resource (process) one.
    await rowOptions(page, true);
    const inputs = page.locator('[data-testid=field-key]');
    await inputs.nth(0).fill('db.system');
    await inputs.nth(0).dispatchEvent('change');
    await inputs.nth(1).fill('hostname');
    await inputs.nth(1).dispatchEvent('change');
    await waitUntil('the chosen keys', () => textOf(page, '[data-testid=field-summary]'), (t) => t === 'Fields: db.system, hostname');
    await waitUntil('postgresql on the query rows', () => textsOf(page, `${ROWS} [data-testid=row-field]`), (f) => f.includes('postgresql') && f.includes('billing-7'));
    assert.ok(!(await textsOf(page, `${ROWS} [data-testid=row-field]`)).some((f) => f.includes('invoice_lines')));
    await waitUntil('kept in the URL', () => page.evaluate(() => new URLSearchParams(location.search).get('fields')), (v) => v === 'db.system,hostname');
    assert.equal(await page.evaluate(() => localStorage.getItem('traceglass.fields')), '["db.system","hostname"]');

    // A new page takes the choice from localStorage; a URL's own choice wins over it.
    await page.goto(`${server.url}?fields=http.method`);
    await waitUntil('the demo', () => countOf(page, '[data-testid=headline]'), (n) => n > 0);
    await rowOptions(page, true);
    assert.equal(await textOf(page, '[data-testid=field-summary]'), 'Fields: http.method');
    await page.goto(server.url);
    await waitUntil('the demo', () => countOf(page, '[data-testid=headline]'), (n) => n > 0);
    await rowOptions(page, true);
    assert.equal(await textOf(page, '[data-testid=field-summary]'), 'Fields: db.system, hostname');
    assert.equal(await textOf(page, '[data-testid=row-options] summary'), 'Rows · fields chosen');

    // Defaults again.
    await page.click('[data-testid=field-defaults]');
    await waitUntil('defaults', () => textOf(page, '[data-testid=field-summary]'), (t) => t === 'Fields: defaults');
    assert.equal(await page.evaluate(() => localStorage.getItem('traceglass.fields')), '[]');
  });
});
