// End-to-end tests of the analysis views of Traceglass in headless Debian Chromium: the
// bottleneck panel (headline, critical-path bar, findings), "Critical path only" in the
// timeline, and the statistics tab (sorting, grouping, row clicks, CSV download).
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

import { startServer } from '../lib/server.mjs';
import {
  ensureDist,
  ensureFixtures,
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
const PANEL = '[data-testid=bottleneck-panel]';
const HEADLINE = `${PANEL} [data-testid=headline]`;
const CP_BAR = `${PANEL} [data-testid=cp-bar]`;
const CP_SEGMENTS = `${CP_BAR} button.cp-seg`;
const FINDINGS = `${PANEL} ol[data-testid=findings]`;
const FINDING = `${FINDINGS} button[data-testid=finding]`;
const TIMELINE = '[data-testid=timeline]';
const ROWS = `${TIMELINE} [role=treeitem]`;
const SELECTED_ROW = `${TIMELINE} [role=treeitem][aria-selected=true]`;
const HIGHLIGHTED_ROWS = `${TIMELINE} [role=treeitem].highlighted`;
const DETAIL = '[data-testid=span-detail]';
const TAB_TIMELINE = 'button[data-testid=tab-timeline]';
const TAB_STATISTICS = 'button[data-testid=tab-statistics]';
const CP_ONLY = 'input[data-testid=cp-only]';
const HIDDEN_COUNT = '[data-testid=hidden-count]';
const STATISTICS = '[data-testid=statistics]';
const GROUP_BY = `${STATISTICS} select[data-testid=group-by]`;
const SUB_GROUP = `${STATISTICS} select[data-testid=sub-group]`;
const DOWNLOAD_CSV = `${STATISTICS} button[data-testid=download-csv]`;
const SORT_BUTTONS = `${STATISTICS} th button[data-testid=sort]`;
const STATS_ROWS = `${STATISTICS} tr[data-testid=stats-row]`;

// The real HotROD trace: 40 spans, 6 services.
const HOTROD = 'fixtures/otlp/hotrod-40spans-6services.json';
const HOTROD_SPANS = 40;
const HOTROD_KINDS = [
  'Dominant operation',
  'Sequential repetition (N+1)',
  'Fan-out',
  'Errors on the critical path',
];
const GET_DRIVER_CALLS = 13;

/** Tall enough for every row of a 40-span trace (24 px each) to be rendered at once. */
const TALL = { width: 1280, height: 2400 };

const TEST_TIMEOUT = 120_000;
/** This file's failure screenshots are `artifacts/fail-analysis-<label>.png`. */
const ARTIFACT_PREFIX = 'analysis';

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

/**
 * Opens a fresh page, runs `body(p)`, then asserts the page raised no uncaught errors. On a
 * failure it saves `artifacts/fail-analysis-<label>.png` and appends the console/page errors to the message.
 */
function withPage(label, body, options) {
  return runInPage(browser, ARTIFACT_PREFIX, label, body, options);
}

/** Waits for the bundled demo: the headline names `weather-service` and `GET /slow`. */
async function waitForDemo(page) {
  await page.locator(HEADLINE).waitFor({ state: 'visible', timeout: WAIT_MS });
  return waitUntil(
    'the demo headline (naming weather-service and GET /slow)',
    () => textOf(page, HEADLINE),
    (t) => t != null && t.includes('weather-service') && t.includes('GET /slow'),
  );
}

/** Opens the HotROD trace through `?url=` and waits until its timeline has `minRows` rows. */
async function openHotrod(page, minRows = 1) {
  await page.goto(`${server.url}?url=${HOTROD}`);
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

/** The findings as `{ kind, stake, sentence, evidence }`, in the order shown. */
function findingsOf(page) {
  return page.$$eval(FINDING, (buttons) => {
    const text = (el) => (el ? (el.innerText ?? el.textContent ?? '').replace(/\s+/g, ' ').trim() : null);
    return buttons.map((b) => ({
      kind: text(b.querySelector('.kind')),
      stake: text(b.querySelector('.stake')),
      sentence: text(b.querySelector('.sentence')),
      evidence: text(b.querySelector('.evidence')),
    }));
  });
}

/** The `.span-name` texts of the rendered timeline rows, by `data-span-id`. */
function rowNames(page) {
  return page.$$eval(ROWS, (rows) =>
    rows.map((r) => ({
      id: r.getAttribute('data-span-id'),
      name: (r.querySelector('.span-name')?.innerText ?? '').replace(/\s+/g, ' ').trim(),
    })),
  );
}

/** Waits until `tab` is the selected tab (`aria-selected="true"`). */
function waitForTab(page, tab) {
  return waitUntil(
    `${tab} to be the selected tab`,
    () => page.locator(tab).getAttribute('aria-selected'),
    (v) => v === 'true',
  );
}

/** Opens the statistics tab and waits for at least `min` rows; returns their count. */
async function openStatistics(page, min = 1) {
  await page.locator(TAB_STATISTICS).click();
  await waitForTab(page, TAB_STATISTICS);
  await page.locator(STATISTICS).waitFor({ state: 'visible', timeout: WAIT_MS });
  return waitUntil(`at least ${min} statistics rows`, () => countOf(page, STATS_ROWS), (n) => n >= min);
}

/** The statistics rows as `{ group, count }` (first and second cells), in the order shown. */
function statsRows(page) {
  return page.$$eval(STATS_ROWS, (rows) =>
    rows.map((r) => {
      const cells = r.querySelectorAll('td');
      const text = (el) => (el ? (el.innerText ?? el.textContent ?? '').replace(/\s+/g, ' ').trim() : '');
      return { group: text(r.querySelector('td.group')), count: Number(text(cells[1])) };
    }),
  );
}

/** The sort button of the column whose label starts with `label` (the label may carry ▼/▲). */
function sortButton(page, label) {
  return page.locator(SORT_BUTTONS).filter({ hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`) }).first();
}

/** `aria-sort` of the header cell holding `button`. */
function ariaSortOf(button) {
  return button.evaluate((b) => b.closest('th')?.getAttribute('aria-sort') ?? null);
}

const isSorted = (values, cmp) => values.every((v, i) => i === 0 || cmp(values[i - 1], v) <= 0);

test('demo panel: headline, critical-path bar and a "Dominant operation" finding', { timeout: TEST_TIMEOUT }, async () => {
  await withPage('panel-demo', async ({ page }) => {
    await page.goto(server.url);
    const headline = await waitForDemo(page);
    assert.ok(headline.length > 0, 'the headline inside the bottleneck panel is empty');
    assert.equal(await countOf(page, HEADLINE), 1, 'the bottleneck panel holds exactly one headline');

    const segments = await waitUntil('at least one cp-bar segment', () => countOf(page, CP_SEGMENTS), (n) => n >= 1);
    assert.ok(segments >= 1);

    const findings = await waitUntil('at least one finding', () => findingsOf(page), (f) => f.length >= 1);
    assert.ok(
      findings.some((f) => f.kind === 'Dominant operation'),
      `no finding of kind "Dominant operation": ${JSON.stringify(findings)}`,
    );
  });
});

test('findings: HotROD findings select and highlight their evidence; the cp-bar selects a span', { timeout: TEST_TIMEOUT }, async (t) => {
  await withPage(
    'findings-hotrod',
    async ({ page }) => {
      await openHotrod(page, HOTROD_SPANS);
      const findings = await waitUntil('the HotROD findings', () => findingsOf(page), (f) => f.length >= HOTROD_KINDS.length);

      await t.test('the four kinds of finding are listed', () => {
        const kinds = findings.map((f) => f.kind);
        for (const kind of HOTROD_KINDS) {
          assert.ok(kinds.includes(kind), `no finding of kind ${JSON.stringify(kind)}; kinds shown: ${JSON.stringify(kinds)}`);
        }
      });

      await t.test('a click on a cp-bar segment selects a span of its operation', async () => {
        assert.equal(await page.locator(DETAIL).isVisible(), false, 'a span is already selected before any click');
        const segment = page.locator(CP_SEGMENTS).first();
        const title = await segment.getAttribute('title');
        // "redis-manual: GetDriver — 204 ms (29 %)"
        const m = /^(.+?): (.+) — /.exec(title ?? '');
        assert.ok(m, `the first cp-bar segment's title is not "service: operation — time (share)": ${JSON.stringify(title)}`);
        const [, service, operation] = m;
        await segment.click();
        await page.locator(DETAIL).waitFor({ state: 'visible', timeout: WAIT_MS });
        await waitUntil(
          `${DETAIL} to show ${JSON.stringify(operation)} and ${JSON.stringify(service)}`,
          () => textOf(page, DETAIL),
          (d) => d != null && d.includes(operation) && d.includes(service),
        );
        const selected = await waitUntil(`one selected timeline row`, () => textsOf(page, `${SELECTED_ROW} .span-name`), (s) => s.length === 1);
        assert.ok(selected[0].includes(operation), `the selected row is ${JSON.stringify(selected[0])}, not ${operation}`);
      });

      await t.test('a click on "Sequential repetition (N+1)" selects and highlights the 13 GetDriver calls', async () => {
        const n1 = page.locator(FINDING).filter({ has: page.locator('.kind', { hasText: 'Sequential repetition (N+1)' }) });
        assert.equal(await n1.count(), 1, 'exactly one "Sequential repetition (N+1)" finding');
        const evidence = (await n1.locator('.evidence').innerText()).replace(/\s+/g, ' ').trim();
        assert.equal(evidence, `${GET_DRIVER_CALLS} spans`, 'the N+1 finding cites the 13 GetDriver calls');
        // What batching the calls would save, recomputed: 194 ms of the 694 ms request.
        assert.match((await n1.locator('[data-testid=saving]').innerText()).trim(), /^saves 194 ms \(28 %\)$/);
        assert.match(await n1.locator('.sentence').innerText(), /Fixing this would make the request about 194 ms faster \(28 %\), with the calls batched into one call of their median duration/);
        await n1.click();

        await waitForTab(page, TAB_TIMELINE);
        await waitUntil(`${DETAIL} to show GetDriver`, () => textOf(page, DETAIL), (d) => d != null && d.includes('GetDriver'));
        const selected = await waitUntil(
          'the selected timeline row to be a GetDriver span',
          () => textsOf(page, `${SELECTED_ROW} .span-name`),
          (s) => s.length === 1 && s[0].includes('GetDriver'),
        );
        assert.match(selected[0], /GetDriver/);
        await page.locator(SELECTED_ROW).waitFor({ state: 'visible', timeout: WAIT_MS });

        const highlighted = await waitUntil(
          `${GET_DRIVER_CALLS} highlighted rows`,
          () => countOf(page, HIGHLIGHTED_ROWS),
          (n) => n === GET_DRIVER_CALLS,
        );
        assert.equal(highlighted, GET_DRIVER_CALLS);
        const names = await textsOf(page, `${HIGHLIGHTED_ROWS} .span-name`);
        assert.ok(
          names.every((n) => n.includes('GetDriver') && n.includes('redis-manual')),
          `a highlighted row is not a redis-manual GetDriver span: ${JSON.stringify(names)}`,
        );
      });
    },
    { viewport: TALL },
  );
});

test('critical path only: hides the spans off the critical path and counts them', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(
    'cp-only',
    async ({ page }) => {
      await openHotrod(page, HOTROD_SPANS);
      const before = await rowNames(page);
      assert.equal(before.length, HOTROD_SPANS, `expected all ${HOTROD_SPANS} rows rendered before filtering`);
      assert.equal(await page.locator(CP_ONLY).isChecked(), false, '"Critical path only" is checked from the start');

      await page.locator(CP_ONLY).check();
      const afterCount = await waitUntil('fewer rows once "Critical path only" is checked', () => countOf(page, ROWS), (n) => n < HOTROD_SPANS);
      const hiddenText = await waitUntil(
        `${HIDDEN_COUNT} to read "N spans off the critical path hidden"`,
        () => textOf(page, HIDDEN_COUNT),
        (t) => t != null && /\d+ spans? off the critical path hidden/.test(t),
      );
      const hidden = Number(/(\d+) spans? off the critical path hidden/.exec(hiddenText)[1]);
      const after = await rowNames(page);
      assert.equal(after.length, afterCount);
      assert.ok(after.length > 0, 'no row is left with "Critical path only"');
      assert.equal(after.length + hidden, HOTROD_SPANS, `${after.length} rows shown + ${hidden} hidden should be ${HOTROD_SPANS}`);

      const beforeIds = new Set(before.map((r) => r.id));
      const strangers = after.filter((r) => !beforeIds.has(r.id));
      assert.deepEqual(strangers, [], 'rows appeared that were not in the unfiltered timeline');
      const names = after.map((r) => r.name);
      assert.ok(names.some((n) => n.includes('GET /dispatch')), `the GET /dispatch root is gone: ${JSON.stringify(names)}`);
      assert.ok(names.some((n) => n.includes('SQL SELECT')), `the mysql SQL SELECT row is gone: ${JSON.stringify(names)}`);

      await page.locator(CP_ONLY).uncheck();
      await waitUntil(`all ${HOTROD_SPANS} rows again once unchecked`, () => countOf(page, ROWS), (n) => n === HOTROD_SPANS);
      await waitUntil(`${HIDDEN_COUNT} to go away once unchecked`, () => countOf(page, HIDDEN_COUNT), (n) => n === 0);
    },
    { viewport: TALL },
  );
});

test('statistics: columns sort, group-by and sub-group regroup, a row click highlights its spans', { timeout: TEST_TIMEOUT }, async (t) => {
  await withPage(
    'statistics',
    async ({ page }) => {
      await openHotrod(page, HOTROD_SPANS);
      const n = await openStatistics(page, 6);
      assert.ok(n >= 6, `expected a row per service (6), got ${n}`);
      assert.equal(await page.locator(GROUP_BY).inputValue(), 'service', 'statistics are grouped by service by default');

      await t.test('Count sorts descending, then ascending', async () => {
        const count = sortButton(page, 'Count');
        await count.click();
        await waitUntil('the Count column to be sorted descending', () => ariaSortOf(count), (v) => v === 'descending');
        let counts = (await statsRows(page)).map((r) => r.count);
        assert.ok(counts.every(Number.isFinite), `a count cell is not a number: ${JSON.stringify(counts)}`);
        assert.ok(isSorted(counts, (a, b) => b - a), `counts are not non-increasing: ${JSON.stringify(counts)}`);

        await count.click();
        await waitUntil('the Count column to be sorted ascending', () => ariaSortOf(count), (v) => v === 'ascending');
        counts = (await statsRows(page)).map((r) => r.count);
        assert.ok(isSorted(counts, (a, b) => a - b), `counts are not non-decreasing: ${JSON.stringify(counts)}`);
      });

      await t.test('the Service column sorts by group name', async () => {
        const group = sortButton(page, 'Service');
        await group.click();
        const sort = await waitUntil('the Service column to be sorted', () => ariaSortOf(group), (v) => v === 'ascending' || v === 'descending');
        assert.equal(await ariaSortOf(sortButton(page, 'Count')), 'none', 'Count is still marked as sorted');
        const groups = (await statsRows(page)).map((r) => r.group);
        const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
        const ok = sort === 'ascending' ? isSorted(groups, cmp) : isSorted(groups, (a, b) => cmp(b, a));
        assert.ok(ok, `group names are not in ${sort} order: ${JSON.stringify(groups)}`);
      });

      await t.test('group by operation: GetDriver has 13 spans', async () => {
        await page.locator(GROUP_BY).selectOption('operation');
        const rows = await waitUntil(
          'a statistics row for GetDriver',
          () => statsRows(page),
          (r) => r.some((x) => x.group === 'GetDriver'),
        );
        const getDriver = rows.find((x) => x.group === 'GetDriver');
        assert.equal(getDriver.count, GET_DRIVER_CALLS, `GetDriver counts ${getDriver.count} spans`);
      });

      await t.test('sub-group by service: groups read "operation / service"', async () => {
        await page.locator(SUB_GROUP).selectOption('service');
        const rows = await waitUntil(
          'statistics groups of the form "operation / service"',
          () => statsRows(page),
          (r) => r.length > 0 && r.every((x) => x.group.includes(' / ')),
        );
        const groups = rows.map((r) => r.group);
        assert.ok(groups.includes('GetDriver / redis-manual'), `no "GetDriver / redis-manual" group: ${JSON.stringify(groups)}`);
        assert.ok(groups.includes('SQL SELECT / mysql'), `no "SQL SELECT / mysql" group: ${JSON.stringify(groups)}`);
      });

      await t.test('a click on the GetDriver row shows its 13 spans in the timeline', async () => {
        const row = page.locator(STATS_ROWS).filter({ has: page.locator('td.group', { hasText: /^GetDriver( \/ redis-manual)?$/ }) });
        assert.equal(await row.count(), 1, 'exactly one GetDriver statistics row');
        assert.equal(Number((await row.locator('td').nth(1).innerText()).trim()), GET_DRIVER_CALLS);
        await row.click();
        await waitForTab(page, TAB_TIMELINE);
        assert.equal(await page.locator(TAB_STATISTICS).getAttribute('aria-selected'), 'false');
        const highlighted = await waitUntil(
          `${GET_DRIVER_CALLS} highlighted timeline rows`,
          () => countOf(page, HIGHLIGHTED_ROWS),
          (k) => k === GET_DRIVER_CALLS,
        );
        assert.equal(highlighted, GET_DRIVER_CALLS);
        const names = await textsOf(page, `${HIGHLIGHTED_ROWS} .span-name`);
        assert.ok(names.every((x) => x.includes('GetDriver')), `a highlighted row is not GetDriver: ${JSON.stringify(names)}`);
      });
    },
    { viewport: TALL },
  );
});

test('CSV download: the statistics table downloads as CSV', { timeout: TEST_TIMEOUT }, async () => {
  // `newPage` creates its context without `acceptDownloads`, whose default in Playwright is
  // true, so the download is kept and can be read.
  await withPage('csv', async ({ page }) => {
    await openHotrod(page);
    await openStatistics(page, 6);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: WAIT_MS }),
      page.locator(DOWNLOAD_CSV).click(),
    ]);
    assert.match(download.suggestedFilename(), /\.csv$/, `the download is not a .csv: ${download.suggestedFilename()}`);
    const file = await download.path();
    assert.ok(file, `the download failed: ${await download.failure()}`);
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
    assert.ok(lines[0]?.startsWith('Service,Count,Total ms'), `the CSV header is ${JSON.stringify(lines[0])}`);
    assert.ok(lines.length >= 7, `expected a header and at least 6 rows, got ${lines.length} lines:\n${text}`);
  });
});
