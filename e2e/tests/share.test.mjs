// End-to-end tests of sharing without a server (issue #15): the share panel's link, which holds
// the whole trace, compressed, in its fragment (`#trace=1.<base64url of raw DEFLATE>`) and opens
// the same trace and span in a fresh browser; redaction (all values, or those of chosen keys)
// checked by decoding the link and reading the downloaded OTLP and Jaeger files, which re-open
// in the app; "copy summary" as Markdown and JSON; and a trace too large for a link.
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';

import {
  fixture,
  repoRoot,
  artifactPath,
  dropFiles,
  waitUntil,
  textOf,
  textsOf,
  countOf,
  runInPage,
  startAppWithFixtures,
  WAIT_MS,
} from '../lib/harness.mjs';

// The DOM contract.
const HEADLINE = '[data-testid=bottleneck-panel] [data-testid=headline]';
const HEADER = '[data-testid=trace-header]';
const TIMELINE = '[data-testid=timeline]';
const ROWS = `${TIMELINE} [role=treeitem]`;
const SELECTED_ROW = `${ROWS}[aria-selected=true]`;
const DETAIL_SPAN_ID = '[data-testid=span-detail] [data-testid=detail-span-id]';
const ITEMS = '[data-testid=trace-list] [data-testid=trace-list-item]';
const SELECTED_ITEM = `${ITEMS}[aria-selected=true]`;
const FINDING_KINDS = '[data-testid=bottleneck-panel] [data-testid=finding] .kind';
const SHARE_BUTTON = '[data-testid=share-button]';
const SHARE = '[data-testid=share-panel]';
const SHARE_LINK = `${SHARE} [data-testid=share-link]`;
const COPY_LINK = `${SHARE} [data-testid=copy-link]`;
const TOO_LARGE = `${SHARE} [data-testid=share-too-large]`;
const REDACT_KEY = `${SHARE} input[data-testid=redact-key]`;
const DOWNLOAD_OTLP = `${SHARE} [data-testid=download-otlp]`;
const DOWNLOAD_JAEGER = `${SHARE} [data-testid=download-jaeger]`;
const COPY_MARKDOWN = '[data-testid=copy-summary-markdown]';
const COPY_JSON = '[data-testid=copy-summary-json]';
const redact = (value) => `${SHARE} input[name=redact][value=${value}]`;
const keyBox = (key) => `${REDACT_KEY}[value="${key}"]`;

const DEMO_FILE = path.join(repoRoot, 'public', 'demo', 'flask-slow-view.otlp.json');
const HOTROD_FILE = 'otlp/hotrod-40spans-6services.json';
const TALL = { width: 1280, height: 2400 };
const TEST_TIMEOUT = 120_000;
const ARTIFACT_PREFIX = 'share';

let browser;
let server; // the app at '/', fixtures at '/fixtures/'
let demo; // what the demo file holds: names kept by a redaction, and values it must remove

before(
  async () => {
    demo = readDemo();
    ({ browser, server } = await startAppWithFixtures(ARTIFACT_PREFIX));
  },
  { timeout: 60_000 },
);

after(async () => {
  await server?.close();
  await browser?.close();
});

/** A page with the clipboard allowed for the app's origin and downloads kept. */
function withPage(label, body, options) {
  return runInPage(
    browser,
    ARTIFACT_PREFIX,
    label,
    async (p) => {
      await p.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
      await body(p);
    },
    options,
  );
}

/**
 * The demo trace's names and values:
 * - `kept`: span names, service names (service.name and peer.service) and scope names, which
 *   a redaction keeps;
 * - `values`: `{ key, value }` for every string attribute value of at least 6 characters (span,
 *   event and resource attributes) that is not part of one of those names, e.g. the sqlite
 *   statement and the URLs;
 * - `spanKeys`: the keys of the spans' attributes; `spanIds`; `traceId`.
 */
function readDemo() {
  const doc = JSON.parse(fs.readFileSync(DEMO_FILE, 'utf8'));
  const spanNames = new Set();
  const services = new Set();
  const scopes = new Set();
  const all = [];
  const spanKeys = new Set();
  const spanIds = new Set();
  let traceId;
  const take = (attrs = [], isSpan = false) => {
    for (const a of attrs) {
      if (isSpan) spanKeys.add(a.key);
      const v = a.value?.stringValue;
      if (typeof v !== 'string') continue;
      if (a.key === 'service.name' || a.key === 'peer.service') services.add(v);
      all.push({ key: a.key, value: v });
    }
  };
  for (const rs of doc.resourceSpans) {
    take(rs.resource?.attributes);
    for (const ss of rs.scopeSpans) {
      if (ss.scope?.name) scopes.add(ss.scope.name);
      for (const s of ss.spans) {
        traceId = s.traceId;
        spanIds.add(s.spanId);
        spanNames.add(s.name);
        take(s.attributes, true);
        for (const e of s.events ?? []) take(e.attributes);
      }
    }
  }
  const kept = [...spanNames, ...services, ...scopes];
  const seen = new Set();
  const values = all.filter(({ value }) => {
    if (value.length < 6 || seen.has(value) || kept.some((n) => n.includes(value))) return false;
    seen.add(value);
    return true;
  });
  assert.ok(values.some((v) => v.value.startsWith('SELECT name, country, population FROM cities')), 'the demo has its sqlite statement');
  assert.ok(values.some((v) => v.key === 'http.url'), 'the demo has an http.url');
  return { traceId, spanIds, spanNames: [...spanNames], services: [...services], values, spanKeys: [...spanKeys] };
}

const collapse = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();

/** Whether `text` (a JSON document) holds `value`, as is or JSON-escaped. */
function holds(text, value) {
  return text.includes(value) || text.includes(JSON.stringify(value).slice(1, -1)) || text.includes(value.replaceAll('/', '\\/'));
}

/** The demo values found in `text`. */
const leaked = (text, values = demo.values) => values.filter((v) => holds(text, v.value)).map((v) => v.value);

/**
 * Decodes a share link: checks `#trace=1.<payload>`, inflates the payload (raw DEFLATE of
 * base64url) and checks that it is JSON. Returns `{ url, text }`.
 */
function decodeLink(link) {
  const url = new URL(link);
  const m = /^#trace=([^&]*)/.exec(url.hash);
  assert.ok(m, `the link's fragment is not #trace=…: ${url.hash.slice(0, 60)}`);
  const payload = decodeURIComponent(m[1]);
  assert.ok(payload.startsWith('1.'), `the payload does not start with its version "1.": ${payload.slice(0, 20)}`);
  assert.match(payload.slice(2), /^[A-Za-z0-9_-]+$/, 'the payload is not base64url');
  const text = inflateRawSync(Buffer.from(payload.slice(2), 'base64url')).toString('utf8');
  JSON.parse(text);
  return { url, text };
}

/** Waits for the demo's headline (it names GET /slow); returns it. */
function waitForDemo(page) {
  return waitUntil('the demo headline', () => textOf(page, HEADLINE), (t) => (t ?? '').includes('GET /slow') && t.includes('took'));
}

/** `took 6.01 s` → `6.01 s`: the duration a headline gives. */
function headlineDuration(headline) {
  const m = /took ([\d.,]+\s*\S+?)[.,;]?(\s|$)/.exec(collapse(headline));
  assert.ok(m, `no duration in the headline: ${headline}`);
  return m[1];
}

/** Opens the share panel (once); returns its locator. */
async function openShare(page) {
  const panel = page.locator(SHARE);
  if (!(await panel.isVisible())) await page.click(SHARE_BUTTON);
  await panel.waitFor({ state: 'visible', timeout: WAIT_MS });
  return panel;
}

/** The link in the share panel, once it is there. */
function shareLink(page) {
  return waitUntil(`a link in ${SHARE_LINK}`, () => page.locator(SHARE_LINK).inputValue(), (v) => /^https?:\/\//.test(v ?? ''));
}

/** Waits until the share link's payload holds none of `values` (e.g. after a redaction choice). */
async function waitForLinkWithout(page, values, why) {
  const probe = async () => {
    const link = await page.locator(SHARE_LINK).inputValue();
    const { text } = decodeLink(link);
    return { leaked: leaked(text, values), link, text };
  };
  const r = await waitUntil(`a share link without the redacted values (${why})`, async () => {
    const x = await probe();
    return { leaked: x.leaked, length: x.link.length, x };
  }, (v) => v.leaked.length === 0);
  return r.x;
}

/** Clicks a download button; returns `{ name, text }` of the downloaded file. */
async function download(page, selector) {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: WAIT_MS }), page.click(selector)]);
  const file = await d.path();
  assert.ok(file, `the download from ${selector} failed: ${await d.failure()}`);
  return { name: d.suggestedFilename(), text: fs.readFileSync(file, 'utf8') };
}

/** Empties the clipboard, clicks `selector`, and waits for the clipboard to hold something. */
async function copied(page, selector) {
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await page.click(selector);
  return waitUntil(`the clipboard after ${selector}`, () => page.evaluate(() => navigator.clipboard.readText()), (s) => (s ?? '') !== '');
}

/** Asserts that a redacted document keeps the names: span names and the service. */
function assertNamesKept(text, what) {
  for (const name of demo.spanNames) assert.ok(holds(text, name), `${what} lost the span name ${JSON.stringify(name)}`);
  assert.ok(holds(text, 'flask-app'), `${what} lost the service flask-app`);
  assert.ok(holds(text, demo.traceId), `${what} lost the trace id`);
}

/**
 * Re-opens a downloaded file by dropping it on a page that shows another trace (yelp, by
 * `?url=`): the list grows to two, the dropped file is the one shown, and its headline gives
 * `duration`.
 */
async function reopen(label, file, duration) {
  await withPage(`reopen-${label}`, async ({ page }) => {
    await page.goto(`${server.url}?url=fixtures/zipkin/yelp.json`);
    await waitUntil('the yelp trace', () => countOf(page, ITEMS), (n) => n === 1);
    await waitUntil('the yelp headline', () => textOf(page, HEADLINE), (t) => (t ?? '').includes('took'));
    await dropFiles(page, [{ name: file.name, type: 'application/json', bytes: file.text }]);
    await waitUntil(`${file.name} in the list`, () => countOf(page, ITEMS), (n) => n === 2);
    await waitUntil(`${file.name} shown`, () => textOf(page, SELECTED_ITEM), (t) => (t ?? '').includes(file.name));
    await waitForHeaderTrace(page, demo.traceId, `the dropped ${file.name}`);
    const headline = await waitUntil(`the headline of ${file.name}`, () => textOf(page, HEADLINE), (t) => (t ?? '').includes('took'));
    assert.equal(headlineDuration(headline), duration, `${file.name} re-opens with another duration: ${headline}`);
  });
}

function waitForHeaderTrace(page, traceId, why) {
  return waitUntil(`the trace header to name ${traceId} (${why})`, () => textOf(page, HEADER), (t) => (t ?? '').includes(traceId));
}

function waitForSelected(page, id, why) {
  return waitUntil(
    `the row ${id} to be the one selected (${why})`,
    () => page.$$eval(SELECTED_ROW, (els) => els.map((e) => e.getAttribute('data-span-id'))),
    (ids) => ids.length === 1 && ids[0] === id,
  );
}

// ---------------------------------------------------------------------------------------------

test('share link: the trace in the fragment, the span in the query; a fresh browser opens both', { timeout: TEST_TIMEOUT }, async () => {
  const doc = JSON.parse(fixture(HOTROD_FILE).toString('utf8'));
  const spans = doc.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  const traceId = spans[0].traceId;
  const span = spans.find((s) => s.name === 'SQL SELECT');
  assert.ok(span, 'HotROD has a SQL SELECT span');
  let link;

  await withPage(
    'link',
    async ({ page }) => {
      await page.goto(server.url);
      await waitForDemo(page);
      // Dropped, so nothing but the link can bring it back.
      await dropFiles(page, [{ name: 'hotrod.json', type: 'application/json', bytes: fixture(HOTROD_FILE) }]);
      await waitForHeaderTrace(page, traceId, 'the dropped HotROD');
      await page.locator(`${ROWS}[data-span-id="${span.spanId}"] .span-name`).click();
      await waitForSelected(page, span.spanId, 'a click');

      await openShare(page);
      assert.equal(await page.locator(redact('none')).isChecked(), true, 'the redaction is not "none" by default');
      link = await shareLink(page);
      const input = page.locator(SHARE_LINK);
      assert.equal(await input.evaluate((el) => el.tagName), 'INPUT');
      assert.notEqual(await input.getAttribute('readonly'), null, 'the link input is not readonly');
      assert.equal(await copied(page, COPY_LINK), link, 'copy-link did not put the link on the clipboard');

      const { url, text } = decodeLink(link);
      assert.equal(url.origin + url.pathname, server.url, `the link leads elsewhere: ${url.origin}${url.pathname}`);
      assert.equal(url.searchParams.get('span'), span.spanId, `the link has no span=${span.spanId}: ${url.search}`);
      assert.ok(holds(text, traceId), 'the payload does not hold the trace id');
      assert.ok(holds(text, 'GetDriver') && holds(text, 'SQL SELECT'), 'the payload does not hold the span names');
    },
    { viewport: TALL },
  );

  // A fresh context: no storage, nothing loaded before.
  await withPage(
    'link-opened',
    async ({ page }) => {
      await page.goto(link);
      await waitForHeaderTrace(page, traceId, 'the share link');
      await waitForSelected(page, span.spanId, 'the share link');
      await waitUntil('the detail to show the span id', () => textOf(page, DETAIL_SPAN_ID), (s) => (s ?? '').includes(span.spanId));
    },
    { viewport: TALL },
  );
});

test('redaction "all": neither the link nor the OTLP and Jaeger downloads hold a value; names stay; the files re-open', { timeout: 240_000 }, async (t) => {
  const files = {};
  let duration;
  await withPage('redact-all', async ({ page }) => {
    await page.goto(server.url);
    duration = headlineDuration(await waitForDemo(page));
    await openShare(page);

    await t.test('without redaction the link holds the values (the check below can fail)', async () => {
      const { text } = decodeLink(await shareLink(page));
      const missing = demo.values.filter((v) => !holds(text, v.value)).map((v) => v.value);
      assert.deepEqual(missing, [], 'values missing from the unredacted link');
      const plain = await download(page, DOWNLOAD_OTLP);
      assert.deepEqual(demo.values.filter((v) => !holds(plain.text, v.value)).map((v) => v.value), [], 'values missing from the unredacted OTLP download');
    });

    await t.test('the link', async () => {
      await page.check(redact('all'));
      const { text } = await waitForLinkWithout(page, demo.values, 'all');
      assertNamesKept(text, 'the redacted link');
    });

    for (const [format, selector] of [
      ['otlp', DOWNLOAD_OTLP],
      ['jaeger', DOWNLOAD_JAEGER],
    ]) {
      await t.test(`the ${format} download`, async () => {
        const file = await download(page, selector);
        assert.match(file.name, /\.json$/, `the ${format} download is named ${file.name}`);
        const doc = JSON.parse(file.text);
        if (format === 'jaeger') assert.ok(Array.isArray(doc.data), 'the Jaeger download has no data array');
        else assert.ok(Array.isArray(doc.resourceSpans), 'the OTLP download has no resourceSpans');
        assert.deepEqual(leaked(file.text), [], `the redacted ${format} download holds values`);
        assertNamesKept(file.text, `the redacted ${format} download`);
        files[format] = file;
      });
    }
  });

  for (const format of ['otlp', 'jaeger']) {
    await t.test(`the redacted ${format} file re-opens with the same duration`, async () => {
      assert.ok(files[format], `no ${format} file was downloaded`);
      await reopen(`all-${format}`, files[format], duration);
    });
  }
});

test('redaction by key: only the chosen key\'s values go', { timeout: TEST_TIMEOUT }, async (t) => {
  const key = 'db.statement';
  const gone = demo.values.filter((v) => v.key === key);
  const kept = demo.values.filter((v) => v.key !== key && !gone.some((g) => g.value === v.value));
  assert.ok(gone.length >= 1 && kept.length >= 3, 'the demo has values under db.statement and others');
  await withPage('redact-keys', async ({ page }) => {
    await page.goto(server.url);
    await waitForDemo(page);
    await openShare(page);
    await page.check(redact('keys'));

    await t.test('one checkbox per attribute key', async () => {
      const keys = await waitUntil(`${REDACT_KEY} checkboxes`, () => page.$$eval(REDACT_KEY, (els) => els.map((e) => e.value)), (l) => l.length >= 1);
      assert.equal(new Set(keys).size, keys.length, `a key twice: ${keys.join(', ')}`);
      const missing = demo.spanKeys.filter((k) => !keys.includes(k));
      assert.deepEqual(missing, [], `span attribute keys without a checkbox (have ${keys.join(', ')})`);
      assert.equal(await page.locator(`${REDACT_KEY}:checked`).count(), 0, 'keys checked before any choice');
    });

    await t.test(`${key} checked: its value goes from the link, the others stay`, async () => {
      await page.check(keyBox(key));
      const { text } = await waitForLinkWithout(page, gone, key);
      assert.deepEqual(kept.filter((v) => !holds(text, v.value)).map((v) => v.value), [], 'values of other keys went too');
      assertNamesKept(text, 'the link');
    });

    await t.test(`${key} checked: the same in the OTLP download`, async () => {
      const file = await download(page, DOWNLOAD_OTLP);
      assert.deepEqual(leaked(file.text, gone), [], `the download holds the ${key} value`);
      assert.deepEqual(kept.filter((v) => !holds(file.text, v.value)).map((v) => v.value), [], 'values of other keys went too');
    });
  });
});

test('copy summary: Markdown with the headline and findings, JSON with the findings\' span ids', { timeout: TEST_TIMEOUT }, async (t) => {
  await withPage('summary', async ({ page }) => {
    await page.goto(server.url);
    const headline = await waitForDemo(page);
    const kinds = await waitUntil('the findings', () => textsOf(page, FINDING_KINDS), (l) => l.length >= 1);
    if (!(await page.locator(COPY_MARKDOWN).isVisible())) await openShare(page);

    await t.test('Markdown', async () => {
      const md = await copied(page, COPY_MARKDOWN);
      const plain = (s) => collapse(s.replace(/[*_`>#]/g, ''));
      assert.ok(plain(md).includes(plain(headline)), `the Markdown lacks the headline:\n${md}`);
      for (const kind of kinds) assert.ok(md.includes(kind), `the Markdown lacks the finding "${kind}":\n${md}`);
    });

    await t.test('JSON', async () => {
      const text = await copied(page, COPY_JSON);
      let json;
      assert.doesNotThrow(() => (json = JSON.parse(text)), `not JSON:\n${text.slice(0, 500)}`);
      assert.ok(Array.isArray(json.findings), `no findings array: ${text.slice(0, 500)}`);
      assert.equal(json.findings.length, kinds.length, 'not as many findings as shown');
      for (const f of json.findings) {
        assert.ok(Array.isArray(f.spanIds), `a finding without spanIds: ${JSON.stringify(f)}`);
        for (const id of f.spanIds) assert.ok(demo.spanIds.has(id), `${id} is not a span of the demo`);
      }
      assert.ok(json.findings.some((f) => f.spanIds.length >= 1), 'no finding cites a span');
      assert.ok(text.includes('GET /slow'), 'the JSON does not hold the headline');
    });
  });
});

test('a trace too large for a link says so, and offers the download', { timeout: 240_000 }, async () => {
  const { name, bytes, traceId, spans } = largeTrace();
  await withPage('too-large', async ({ page }) => {
    await page.goto(server.url);
    await waitForDemo(page);
    // A small trace gets its link: the note below is about size, not said of every trace.
    await openShare(page);
    await shareLink(page);
    assert.equal(await countOf(page, TOO_LARGE), 0, 'the 3-span demo is "too large" for a link');
    await dropFiles(page, [{ name, type: 'application/json', bytes }]);
    await waitUntil(`the header of ${name}`, () => textOf(page, HEADER), (h) => (h ?? '').includes(traceId), { timeout: 60_000 });
    assert.match(await textOf(page, HEADER), new RegExp(`\\b${spans}\\s+spans\\b`));
    await openShare(page);
    const note = await waitUntil(`${TOO_LARGE} to say so`, () => textOf(page, TOO_LARGE), (s) => (s ?? '') !== '', { timeout: 60_000 });
    assert.match(note, /link/i, `the note does not speak of the link: ${note}`);
    assert.match(note, /too|large|long|big|above|exceed|limit/i, `the note does not say the trace is too large: ${note}`);
    assert.equal(await countOf(page, SHARE_LINK), 0, 'a link is offered anyway');
    assert.equal(await countOf(page, DOWNLOAD_OTLP), 1, 'no download offered instead');
  });
});

/**
 * An OTLP/JSON trace of 4,000 spans (a root and chains of 40) whose 4 attributes a span are 200
 * random base64 characters each (seeded, so every run writes the same file): about 4.3 MB that
 * DEFLATE cannot shrink below about 2.4 MB, more than any browser takes in a URL (Chromium's
 * limit is 2 MB).
 */
function largeTrace() {
  let seed = 0x5eed1234;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const noise = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * 64)];
    return s;
  };
  const traceId = '5ba4e0000000000000000000000000a1';
  const spanId = (i) => (0x1000000000000000n + BigInt(i)).toString(16);
  const t0 = 1_700_000_000_000_000_000n;
  const count = 4000;
  const spans = [];
  for (let i = 0; i < count; i++) {
    const parent = i === 0 ? '' : (i - 1) % 40 === 0 ? spanId(0) : spanId(i - 1);
    spans.push({
      traceId,
      spanId: spanId(i),
      ...(parent ? { parentSpanId: parent } : {}),
      name: i === 0 ? 'GET /export' : `step ${i % 40}`,
      kind: i === 0 ? 2 : 1,
      // Each span inside its parent: later starts end earlier.
      startTimeUnixNano: String(t0 + BigInt(i) * 1000n),
      endTimeUnixNano: String(i === 0 ? t0 + 10_000_000n : t0 + 5_000_000n - BigInt(i)),
      attributes: [1, 2, 3, 4].map((k) => ({ key: `blob.${k}`, value: { stringValue: noise(200) } })),
    });
  }
  const doc = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'exporter' } }] },
        scopeSpans: [{ scope: { name: 'e2e' }, spans }],
      },
    ],
  };
  return { name: 'large-for-a-link.json', bytes: Buffer.from(JSON.stringify(doc)), traceId, spans: count };
}
