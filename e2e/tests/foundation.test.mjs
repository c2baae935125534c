// Foundation end-to-end tests of Traceglass in headless Debian Chromium.
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';

import { startServer, MISSING_PATH } from '../lib/server.mjs';
import {
  ensureDist,
  ensureFixtures,
  fixture,
  artifactPath,
  clearFailureScreenshots,
  launchBrowser,
  newPage,
  pageErrors,
  dropFiles,
  waitUntil,
  textOf,
  textsOf,
  countOf,
  WAIT_MS,
  runInPage,
  startAppWithFixtures,
} from '../lib/harness.mjs';

// The DOM contract.
const HEADLINE = '[data-testid=headline]';
const ROWS = '[data-testid=timeline] [role=treeitem]';
const ITEMS = '[data-testid=trace-list] [data-testid=trace-list-item]';
const SELECTED = '[data-testid=trace-list] [data-testid=trace-list-item][aria-selected=true]';
const HEADER = '[data-testid=trace-header]';
const MESSAGE = '[data-testid=message]';
const DETAIL = '[data-testid=span-detail]';

const TEST_TIMEOUT = 120_000;
/** This file's failure screenshots are `artifacts/fail-foundation-<label>.png`. */
const ARTIFACT_PREFIX = 'foundation';

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

/** `N spans` as a whole number: `4 spans` must not match `14 spans`. */
const spansRe = (n) => new RegExp(`(^|[^0-9.,])${n} spans?\\b`);

/**
 * Opens a fresh page, runs `body(p)`, then asserts the page raised no uncaught errors. On a
 * failure it saves `artifacts/fail-foundation-<label>.png` and appends the console/page errors to the message.
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

/** Waits for timeline rows; returns their count. */
function waitForRows(page, min = 1) {
  return waitUntil(`at least ${min} timeline rows (${ROWS})`, () => countOf(page, ROWS), (n) => n >= min);
}

/** Waits for a `[data-testid=message]` whose text contains `needle`; returns that text. */
function waitForMessage(page, needle) {
  return waitUntil(`a ${MESSAGE} containing ${JSON.stringify(needle)}`, async () =>
    (await textsOf(page, MESSAGE)).find((t) => t.includes(needle)),
  );
}

/** Waits for the header to read `N spans`; returns the header text. */
function waitForSpanCount(page, n) {
  return waitUntil(`${HEADER} to say "${n} spans"`, () => textOf(page, HEADER), (t) => t != null && spansRe(n).test(t));
}

test('demo: the bundled demo trace is shown at / with its headline', { timeout: TEST_TIMEOUT }, async () => {
  await withPage('demo', async ({ page }) => {
    await page.goto(server.url);
    const headline = await waitForDemo(page);
    assert.match(headline, /weather-service/);
    assert.match(headline, /GET \/slow/);
    const rows = await waitForRows(page, 3);
    assert.ok(rows >= 3, `expected at least 3 timeline rows, got ${rows}`);
    await page.screenshot({ path: artifactPath('demo.png') });
  });
});

test('warm-up: after the demo the app warms its load path once, unseen, and a load stops it', { timeout: TEST_TIMEOUT }, async () => {
  const warmUps = (page) => page.evaluate(() => performance.getEntriesByName('traceglass:warm-up').length);
  await withPage('warm-up', async ({ page }) => {
    await page.goto(server.url);
    await waitForDemo(page);
    await waitUntil('the warm-up measure', () => warmUps(page), (n) => n === 1);
    // Nothing of it shows: the demo is the only trace, with no message.
    assert.equal(await countOf(page, ITEMS), 1);
    assert.equal(await countOf(page, MESSAGE), 0);
  });
  // A file dropped while the warm-up runs is loaded, and the warm-up stops for good.
  await withPage('warm-up-stopped', async ({ page }) => {
    await page.goto(server.url);
    await waitForDemo(page);
    await page.waitForFunction(() => performance.getEntriesByName('traceglass:warm-up-start').length === 1, null, { timeout: WAIT_MS, polling: 1 });
    await dropFiles(page, [{ name: 'petclinic.json', type: 'application/json', bytes: fixture('jaeger/petclinic-17spans-31char-traceid.json') }]);
    await waitUntil('the dropped trace', () => countOf(page, ITEMS), (n) => n === 2);
    await page.waitForTimeout(1500);
    assert.equal(await warmUps(page), 0, 'the warm-up did not finish after a load started');
    assert.equal(await countOf(page, ITEMS), 2);
  });
});

test('drops: dropped Jaeger, OTLP NDJSON, Zipkin and gzip files are loaded and shown', { timeout: 240_000 }, async (t) => {
  const cases = [
    {
      name: 'petclinic-17spans-31char-traceid.json',
      type: 'application/json',
      bytes: fixture('jaeger/petclinic-17spans-31char-traceid.json'),
      spans: 17,
    },
    { name: 'nodejs-4-batches.ndjson', type: '', bytes: fixture('otlp/nodejs-4-batches.ndjson'), spans: 4 },
    { name: 'yelp.json', type: 'application/json', bytes: fixture('zipkin/yelp.json'), spans: 16 },
    {
      name: 'hotrod.json.gz',
      type: 'application/gzip',
      bytes: gzipSync(fixture('otlp/hotrod-40spans-6services.json')),
      spans: 40,
    },
  ];

  await withPage('drops', async ({ page }) => {
    await page.goto(server.url);
    await waitForDemo(page);

    for (const c of cases) {
      await t.test(`drop ${c.name} (${c.spans} spans)`, async () => {
        const before = await countOf(page, ITEMS);
        const headlineBefore = await textOf(page, HEADLINE);

        await dropFiles(page, [{ name: c.name, bytes: c.bytes, type: c.type }]);

        // Each of these files holds one trace.
        await waitUntil(`the trace list to grow from ${before} to ${before + 1}`, () => countOf(page, ITEMS), (n) => n === before + 1);
        await waitUntil(
          `the selected trace-list item to name ${c.name}`,
          () => textOf(page, SELECTED),
          (s) => s != null && s.includes(c.name),
        );
        const header = await waitForSpanCount(page, c.spans);
        assert.match(header, spansRe(c.spans));
        const rows = await waitForRows(page, 1);
        assert.ok(rows > 0);
        const headline = await waitUntil(
          'a new headline containing "took"',
          () => textOf(page, HEADLINE),
          (h) => h != null && h.includes('took') && h !== headlineBefore,
        );
        assert.ok(headline.length > 0);
        assert.equal(await countOf(page, ITEMS), before + 1, 'the trace list grew by exactly one trace');
        assert.equal(await countOf(page, SELECTED), 1, 'exactly one trace-list item is selected');
      });
    }
  });
});

test('malformed file: a broken or unknown file gives a message and keeps the shown trace', { timeout: TEST_TIMEOUT }, async () => {
  await withPage('malformed', async ({ page }) => {
    await page.goto(server.url);
    await waitForDemo(page);
    await waitForRows(page, 1);
    const selectedBefore = await textOf(page, SELECTED);
    const countBefore = await countOf(page, ITEMS);
    assert.ok(selectedBefore, 'a trace-list item is selected while the demo is shown');

    const assertUnchanged = async (after) => {
      assert.equal(await textOf(page, SELECTED), selectedBefore, `the selected trace changed after ${after}`);
      assert.equal(await countOf(page, ITEMS), countBefore, `the trace list changed after ${after}`);
      assert.ok((await countOf(page, ROWS)) > 0, `the timeline lost its rows after ${after}`);
    };

    // Truncated JSON: the message names the file and where parsing stopped.
    await dropFiles(page, [
      { name: 'broken.json', type: 'application/json', bytes: Buffer.from('{"data": [\n  {"traceID": "abc", \n') },
    ]);
    const broken = await waitForMessage(page, 'broken.json');
    assert.match(broken, /line/i, `the message should give the line: ${broken}`);
    await assertUnchanged('dropping broken.json');

    // Valid JSON, but no trace format: the message lists the formats tried.
    await dropFiles(page, [{ name: 'notatrace.json', type: 'application/json', bytes: Buffer.from('{"hello": "world"}') }]);
    const notatrace = await waitForMessage(page, 'notatrace.json');
    for (const format of ['Jaeger', 'OTLP', 'Zipkin']) {
      assert.ok(notatrace.includes(format), `the message should name the format ${format}: ${notatrace}`);
    }
    await assertUnchanged('dropping notatrace.json');
  });
});

test('?url=: loads a trace from a URL instead of the demo, and explains failures', { timeout: 240_000 }, async (t) => {
  const appUrl = (traceUrl) => `${server.url}?url=${encodeURIComponent(traceUrl)}`;

  async function expectLoaded(url, spans, fileName) {
    await withPage(`url-${fileName}`, async ({ page }) => {
      await page.goto(url);
      await waitForSpanCount(page, spans);
      await waitUntil(`the selected trace-list item to name ${fileName}`, () => textOf(page, SELECTED), (s) => s?.includes(fileName));
      await waitForRows(page, 1);
      // Give a late demo load the chance to show up before checking it did not.
      await page.waitForTimeout(500);
      assert.equal(await countOf(page, ITEMS), 1, 'only the trace of ?url= is loaded, not the demo');
      const headline = (await textOf(page, HEADLINE)) ?? '';
      assert.ok(!headline.includes('weather-service'), `the demo headline is shown: ${headline}`);
    });
  }

  async function expectMessage(label, url, needles) {
    await withPage(label, async ({ page }) => {
      await page.goto(url);
      const text = await waitUntil(
        `a ${MESSAGE} containing ${needles.map((n) => JSON.stringify(n)).join(' and ')}`,
        async () => (await textsOf(page, MESSAGE)).find((m) => needles.every((n) => m.includes(n))),
        Boolean,
      );
      assert.ok(text);
    });
  }

  await t.test('relative ?url=fixtures/zipkin/yelp.json', () =>
    // Written unencoded, as a user would type it.
    expectLoaded(`${server.url}?url=fixtures/zipkin/yelp.json`, 16, 'yelp.json'),
  );

  await t.test('absolute, URL-encoded ?url= of jaeger-ui-issue115-follows-from.json', () =>
    expectLoaded(
      appUrl(`${server.origin}/fixtures/jaeger/jaeger-ui-issue115-follows-from.json`),
      2,
      'jaeger-ui-issue115-follows-from.json',
    ),
  );

  await t.test('a missing path gives a message with 404', () =>
    expectMessage('url-404', `${server.url}?url=fixtures/zipkin/does-not-exist.json`, ['404']),
  );

  await t.test('an absolute URL of a missing path gives a message with 404', () =>
    expectMessage('url-404-absolute', appUrl(`${server.origin}${MISSING_PATH}`), ['404']),
  );

  await t.test('another origin without CORS headers gives a message naming the URL and CORS', async () => {
    const other = await startServer({ root: ensureFixtures(), cors: false });
    try {
      const traceUrl = `${other.origin}/zipkin/yelp.json`;
      await expectMessage('url-cors', appUrl(traceUrl), [traceUrl, 'CORS']);
    } finally {
      await other.close();
    }
  });

  await t.test('an unreachable host gives a message naming the URL and CORS', () => {
    // Browsers cannot tell a refused connection from a CORS refusal (both are a TypeError),
    // so the app says "could not be fetched: network error or CORS refused" for both.
    const traceUrl = 'http://127.0.0.1:1/x.json';
    return expectMessage('url-unreachable', appUrl(traceUrl), [traceUrl, 'CORS']);
  });
});

test('sub-path: the app works when served under /some/sub/path/', { timeout: TEST_TIMEOUT }, async () => {
  const sub = await startServer({ root: ensureDist(), prefix: '/some/sub/path/' });
  try {
    await withPage('subpath', async ({ page, failedRequests }) => {
      await page.goto(sub.url);
      await waitForDemo(page);
      await waitForRows(page, 1);
      await page.waitForLoadState('networkidle').catch(() => {});
      assert.deepEqual(failedRequests, [], 'requests failed or answered >= 400 under the sub-path');
      const serverErrors = sub.requests.filter((r) => r.status >= 400 && !r.path.endsWith('/favicon.ico'));
      assert.deepEqual(serverErrors, [], 'the server answered >= 400 (a URL outside the sub-path?)');
    });
  } finally {
    await sub.close();
  }
});

test('selection: clicking a timeline row shows its details', { timeout: TEST_TIMEOUT }, async () => {
  await withPage('selection', async ({ page }) => {
    await page.goto(server.url);
    await waitForDemo(page);
    await waitForRows(page, 2);
    const row = page.locator(ROWS).nth(1);
    const nameCell = row.locator('.span-name').first();
    // The name cell holds the operation name and the service, each as its own piece of text
    // (in either order); the detail panel must show both.
    const pieces = await nameCell.evaluate((cell) => {
      const out = [];
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.replace(/\s+/g, ' ').trim();
        if (text) out.push(text);
      }
      return out;
    });
    assert.ok(pieces.length > 0, 'the second row has a non-empty .span-name');

    // Click the name (not the row's centre, where a collapse toggle or a label could sit).
    await nameCell.click();
    await page.locator(DETAIL).waitFor({ state: 'visible', timeout: WAIT_MS });
    const detail = await waitUntil(
      `${DETAIL} to show ${pieces.map((p) => JSON.stringify(p)).join(', ')} and "Attributes"`,
      () => textOf(page, DETAIL),
      (d) => d != null && pieces.every((p) => d.includes(p)) && d.includes('Attributes'),
    );
    assert.ok(detail.includes('Attributes'));
  });
});
