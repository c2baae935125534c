// End-to-end tests of the compare view: two traces as one merged tree.
// - CRISP's oracle cases 13 and 14 (one shape moved under another parent), ticked in the list;
// - the HotROD capture against a copy of itself with its customer query 1 s slower, under the
//   same trace id (two captures, not one trace loaded twice), through "Compare with";
// - `?url=…&compare=a...b` opening the comparison, and back and forward through it;
// - a summary group's slowest trace against its median one;
// - two Jaeger search results ticked and compared, and `?jaeger=…&compare=a...b` (the replay server).
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from '../lib/server.mjs';
import { startJaegerReplay, corpusTraces } from '../jaeger-replay/server.mjs';
import {
  ensureDist,
  fixture,
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

const ARTIFACT_PREFIX = 'compare';
const VIEWPORT = { width: 1500, height: 950 };
const SECOND = 1_000_000_000n;

let browser;
let server;
let jaeger;

const HOTROD = fixture('otlp/hotrod-40spans-6services.json').toString('utf8');
const HOTROD_ID = '1a4e4a7b270e9f2a0f716e3ee115218a';

/** Every span of an OTLP document. */
function spansOf(doc) {
  return doc.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
}

/**
 * HotROD with its customer query 1 s slower: every span that ends at or after the query's end
 * ends 1 s later, and those that start after it start 1 s later too.
 */
function slowerHotrod(traceId = HOTROD_ID) {
  const doc = JSON.parse(HOTROD);
  const spans = spansOf(doc);
  const at = BigInt(spans.find((s) => s.name === 'SQL SELECT').endTimeUnixNano);
  for (const s of spans) {
    s.traceId = traceId;
    const [start, end] = [BigInt(s.startTimeUnixNano), BigInt(s.endTimeUnixNano)];
    if (start >= at) s.startTimeUnixNano = String(start + SECOND);
    if (end >= at) s.endTimeUnixNano = String(end + SECOND);
  }
  return doc;
}

before(async () => {
  const dist = ensureDist();
  clearFailureScreenshots(ARTIFACT_PREFIX);
  browser = await launchBrowser();
  // One file with both captures, under two trace ids, for `?url=`.
  const slower = slowerHotrod('00000000000000000000000000000b0b');
  const both = { resourceSpans: [...JSON.parse(HOTROD).resourceSpans, ...slower.resourceSpans] };
  server = await startServer({ root: dist, files: { '/two-captures.json': JSON.stringify(both) } });
  jaeger = await startJaegerReplay({ api: 'v1', cors: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await jaeger?.close();
});

async function run(label, body) {
  const { page, errors, close } = await newPage(browser, { viewport: VIEWPORT });
  try {
    await body(page);
    assert.deepEqual(pageErrors(errors), []);
  } catch (e) {
    await page.screenshot({ path: artifactPath(`fail-${ARTIFACT_PREFIX}-${label}.png`) }).catch(() => {});
    throw e;
  } finally {
    await close();
  }
}

const rowChanges = (page) => page.locator('[data-testid=compare-row]').evaluateAll((rows) => rows.map((r) => r.dataset.change));
const rowNames = (page) => textsOf(page, '[data-testid=compare-row] .cmp-name');

async function openDemo(page, query = '') {
  await page.goto(server.url + query);
  await waitUntil('the demo', () => countOf(page, '[data-testid=headline]'), (n) => n > 0);
}

test('CRISP 13 against 14: ticked in the list, the moved calls are removed and added, as the oracle says', { timeout: 60_000 }, async () => {
  await run('crisp', async (page) => {
    await openDemo(page);
    const files = ['13.json', '14.json'].map((n) => ({ name: n, bytes: fixture(`crisp/${n}`), type: 'application/json' }));
    await chooseFiles(page, files);
    // Both load, though both are trace "A": two captures, not one trace twice.
    await waitUntil('three traces listed', () => countOf(page, '[data-testid=trace-list-item]'), (n) => n === 3);
    for (const name of ['13.json', '14.json']) {
      await page.locator('[data-testid=trace-list-item]', { hasText: name }).locator('[data-testid=tick-trace]').check();
    }
    await page.click('[data-testid=compare-ticked]');
    await waitUntil('the compare pane', () => page.locator('[data-testid=pane-compare]').getAttribute('aria-selected'), (v) => v === 'true');
    // The shorter (14, 80 µs) is A; swapped, 13 is A as in the native test.
    await waitUntil('a headline', () => textOf(page, '[data-testid=compare-headline]'), (t) => t.startsWith('B took 20.0 µs longer than A'));
    assert.match(await textOf(page, '[data-testid=compare-side-a]'), /80\.0 µs/);
    await page.click('[data-testid=compare-swap]');
    await waitUntil(
      'the headline the other way round',
      () => textOf(page, '[data-testid=compare-headline]'),
      (t) => t === 'B was 20.0 µs faster than A (80.0 µs against 100 µs); 20.0 µs of it is O2 in S2 itself.',
    );
    assert.deepEqual(await rowChanges(page), ['faster', 'faster', 'removed', 'removed', 'added', 'added']);
    assert.deepEqual(
      (await rowNames(page)).map((t) => t.replace(/^[▾▸]\s*/, '')),
      ['O1 S1', 'O2 S2', 'O3 S3', 'O4 S4', 'O3 S3', 'O4 S4'],
    );
    // The signs read without colour.
    assert.deepEqual(await textsOf(page, '[data-testid=compare-row] .chg'), ['<', '<', '−', '−', '+', '+']);
    // Collapsing O2 hides the two calls below it.
    await page.locator('[data-testid=compare-row]').nth(1).locator('[data-testid=compare-toggle]').click();
    await waitUntil('four rows', () => countOf(page, '[data-testid=compare-row]'), (n) => n === 4);
  });
});

test('HotROD against a copy with a slower query: the query is named, ranked first, and opens in B', { timeout: 60_000 }, async () => {
  await run('hotrod', async (page) => {
    await openDemo(page);
    await chooseFiles(page, [
      { name: 'hotrod.json', bytes: HOTROD, type: 'application/json' },
      { name: 'hotrod-slower.json', bytes: JSON.stringify(slowerHotrod()), type: 'application/json' },
    ]);
    await waitUntil('three traces listed', () => countOf(page, '[data-testid=trace-list-item]'), (n) => n === 3);
    await page.locator('[data-testid=trace-list-item]', { hasText: 'hotrod.json' }).click();
    await waitUntil('the original shown', () => textOf(page, '[data-testid=trace-facts]'), (t) => t.includes('duration 694 ms'));
    const select = page.locator('[data-testid=compare-with]');
    await select.focus();
    const slowerKey = await page.locator('[data-testid=trace-list-item]', { hasText: 'hotrod-slower.json' }).getAttribute('data-key');
    await waitUntil('the other traces listed', () => select.locator('option').count(), (n) => n === 3);
    await select.selectOption(slowerKey);
    await waitUntil(
      'the headline',
      () => textOf(page, '[data-testid=compare-headline]'),
      (t) => t === 'B took 1.00 s longer than A (1.69 s against 694 ms); 1.00 s of it is the mysql query SELECT * FROM customer WHERE customer_id=?.',
    );
    const ranked = await textsOf(page, '[data-testid=compare-ranked] li');
    assert.match(ranked[0], /^SQL SELECT \(mysql\) \+1\.00 s on the critical path$/);
    // Few nodes: all are shown; only the query changed.
    const changes = await rowChanges(page);
    assert.equal(changes.length, 9);
    assert.deepEqual(changes.filter((c) => c !== 'same'), ['slower']);
    // The ranked node reveals and selects its row; "Open in B" shows the query in B's timeline.
    await page.locator('[data-testid=compare-ranked] button').first().click();
    assert.match(await textOf(page, '[data-testid=compare-row].selected'), /SQL SELECT.*282 ms.*1\.28 s.*\+1\.00 s/s);
    assert.match(await textOf(page, '[data-testid=compare-selection]'), /slower\. A: 1 call \(1 on the critical path\)/);
    await page.click('[data-testid=compare-open-b]');
    await waitUntil('the trace pane', () => page.locator('[data-testid=pane-trace]').getAttribute('aria-selected'), (v) => v === 'true');
    await waitUntil('the query selected', () => textOf(page, '[data-testid=timeline] [role=treeitem][aria-selected=true] .span-name'), (t) => t.includes('SQL SELECT'));
    assert.match(await textOf(page, '[data-testid=trace-facts]'), /duration 1\.69 s/);
  });
});

test('?compare=a...b opens the comparison of a file\'s two traces, and back and forward go through it', { timeout: 60_000 }, async () => {
  await run('url', async (page) => {
    await page.goto(`${server.url}?url=two-captures.json&compare=${HOTROD_ID}...00000000000000000000000000000b0b`);
    await waitUntil('the headline', () => textOf(page, '[data-testid=compare-headline]'), (t) => t.startsWith('B took 1.00 s longer than A'));
    assert.equal(await countOf(page, '[data-testid=trace-list-item]'), 2, 'no demo');
    // Leaving the comparison takes it out of the URL; back brings it again.
    await page.click('[data-testid=pane-trace]');
    await waitUntil('no compare in the URL', () => page.url(), (u) => !u.includes('compare='));
    await page.goBack();
    await waitUntil('the compare pane again', () => page.locator('[data-testid=pane-compare]').getAttribute('aria-selected'), (v) => v === 'true');
    assert.match(page.url(), /compare=1a4e4a7b270e9f2a0f716e3ee115218a\.\.\.0+b0b/);
    await page.goForward();
    await waitUntil('the trace pane again', () => page.locator('[data-testid=pane-trace]').getAttribute('aria-selected'), (v) => v === 'true');
  });
});

test('a summary group compares its slowest trace with its median one', { timeout: 60_000 }, async () => {
  await run('summary', async (page) => {
    // Five captures of HotROD, each 1 s slower than the last.
    const docs = [];
    for (let i = 0; i < 5; i++) {
      const d = JSON.parse(HOTROD);
      const spans = spansOf(d);
      const at = BigInt(spans.find((s) => s.name === 'SQL SELECT').endTimeUnixNano);
      for (const s of spans) {
        s.traceId = String(i + 1).padStart(32, '0');
        const [start, end] = [BigInt(s.startTimeUnixNano), BigInt(s.endTimeUnixNano)];
        if (start >= at) s.startTimeUnixNano = String(start + SECOND * BigInt(i));
        if (end >= at) s.endTimeUnixNano = String(end + SECOND * BigInt(i));
      }
      docs.push(...d.resourceSpans);
    }
    await openDemo(page);
    await chooseFiles(page, [{ name: 'five.json', bytes: JSON.stringify({ resourceSpans: docs }), type: 'application/json' }]);
    await waitUntil('six traces listed', () => countOf(page, '[data-testid=trace-list-item]'), (n) => n === 6);
    await page.click('[data-testid=pane-summary]');
    const group = page.locator('[data-testid=summary-group]', { hasText: 'GET /dispatch' });
    await group.locator('[data-testid=compare-slowest]').click();
    // The median took 2.69 s, the slowest 4.69 s.
    await waitUntil('the headline', () => textOf(page, '[data-testid=compare-headline]'), (t) => t.startsWith('B took 2.00 s longer than A (4.69 s against 2.69 s)'));
  });
});

/** The replay corpus's two petclinic traces (service api-gateway), 18 hours apart. */
function petclinics() {
  const found = corpusTraces().filter((t) => t.generation === 'v1' && t.services[0] === 'api-gateway');
  assert.equal(found.length, 2, 'the replay corpus serves two api-gateway traces');
  return found;
}

/** A datetime-local value (minutes, UTC) at or before / after a time in µs. */
function minute(us, roundUp) {
  const ms = Number(BigInt(us) / 1000n) + (roundUp ? 60_000 : 0);
  return new Date(ms).toISOString().slice(0, 16);
}

test('two Jaeger search results ticked are compared; ?jaeger=…&compare=a...b fetches both and compares them', { timeout: 60_000 }, async () => {
  const [p1, p2] = petclinics();
  const context = await browser.newContext({ viewport: VIEWPORT, timezoneId: 'UTC' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push({ kind: 'pageerror', text: String(e) }));
  try {
    await page.goto(`${server.url}?${new URLSearchParams({ jaeger: jaeger.url })}`);
    await page.waitForSelector('[data-testid=jaeger-service]');
    await page.selectOption('[data-testid=jaeger-service]', 'api-gateway');
    await page.selectOption('[data-testid=jaeger-lookback]', 'custom');
    const [from, to] = [p1, p2].map((t) => t.searchWindow).sort((a, b) => Number(BigInt(a.min) - BigInt(b.min)));
    await page.fill('[data-testid=jaeger-start]', minute(from.min, false));
    await page.locator('[data-testid=jaeger-start]').dispatchEvent('change');
    await page.fill('[data-testid=jaeger-end]', minute(to.max, true));
    await page.locator('[data-testid=jaeger-end]').dispatchEvent('change');
    await page.click('[data-testid=jaeger-search]');
    await waitUntil('two results', () => countOf(page, '[data-testid=result]'), (n) => n === 2);
    assert.equal(await page.locator('[data-testid=compare-results]').isDisabled(), true);
    await page.locator('[data-testid=result-compare]').nth(0).check();
    await page.locator('[data-testid=result-compare]').nth(1).check();
    await page.click('[data-testid=compare-results]');
    await waitUntil('the compare pane', () => page.locator('[data-testid=pane-compare]').getAttribute('aria-selected'), (v) => v === 'true');
    // Different root operations: the view says the match is by the shape below them.
    await waitUntil('a headline', () => textOf(page, '[data-testid=compare-headline]'), (t) => t.includes('B took 10.2 ms longer than A (13.9 ms against 3.72 ms)'));
    assert.match(await textOf(page, '[data-testid=compare-headline]'), /different root operations/);
    assert.equal(await countOf(page, '[data-testid=compare-roots-differ]'), 1);
    const sides = [await textOf(page, '[data-testid=compare-side-a]'), await textOf(page, '[data-testid=compare-side-b]')];
    assert.deepEqual(sides.map((s) => s.includes(p1.traceId) || s.includes(p2.traceId)), [true, true]);
    assert.ok(await countOf(page, '[data-testid=compare-row]') > 1);
    assert.match(page.url(), /compare=[0-9a-f]+\.\.\.[0-9a-f]+/);

    // The same comparison from a link: both traces fetched by id, then compared.
    await page.goto(`${server.url}?${new URLSearchParams({ jaeger: jaeger.url, compare: `${p1.traceId}...${p2.traceId}` })}`);
    await waitUntil('the comparison from the URL', () => textOf(page, '[data-testid=compare-side-b]'), (t) => t.includes(p2.traceId.replace(/^0+/, '')));
    assert.match(await textOf(page, '[data-testid=compare-side-a]'), new RegExp(p1.traceId.replace(/^0+/, '')));
    assert.equal(await countOf(page, '[data-testid=trace-list-item]'), 2, 'the two traces, no demo');
    assert.deepEqual(pageErrors(errors), []);
  } catch (e) {
    await page.screenshot({ path: artifactPath(`fail-${ARTIFACT_PREFIX}-jaeger.png`) }).catch(() => {});
    throw e;
  } finally {
    await context.close();
  }
});
