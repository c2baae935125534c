// End-to-end tests of Traceglass embedded in another page (issue #15), with the host page and
// Traceglass on two origins (two ports of 127.0.0.1, lib/embed.mjs): Jaeger UI's embed flags
// (uiEmbed=v0, uiTimeline*, uiTheme) and `view=`, the bottleneck card in 400x200 and the layout
// at 320 px without page-level scroll bars, the postMessage API driven from the real example host
// page (examples/embed/): ready, load (ArrayBuffer, Uint8Array, text, URL), loaded, select and
// selection both ways, find, theme, clear, errors for malformed messages and for bytes that are
// not a trace, messages from an origin the app does not allow, and opening one trace from Jaeger
// (`?jaeger=&traceId=`, `/trace/<id>`, `/search`) against the replay server.
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { startEmbed } from '../lib/embed.mjs';
import { startJaegerReplay, corpusTraces } from '../jaeger-replay/server.mjs';
import {
  ensureDist,
  ensureFixtures,
  fixture,
  repoRoot,
  artifactPath,
  clearFailureScreenshots,
  launchBrowser,
  waitUntil,
  textOf,
  textsOf,
  countOf,
  runInPage,
  WAIT_MS,
} from '../lib/harness.mjs';

// The DOM contract.
const APP = '[data-testid=app]';
const HEADLINE = '[data-testid=headline]';
const HEADER = '[data-testid=trace-header]';
const HEADER_TOGGLE = `${HEADER} [data-testid=header-toggle]`;
const FACTS = '[data-testid=trace-facts]';
const TIMELINE = '[data-testid=timeline]';
const ROWS = `${TIMELINE} [role=treeitem]`;
const SELECTED_ROW = `${ROWS}[aria-selected=true]`;
const DETAIL_SPAN_ID = '[data-testid=span-detail] [data-testid=detail-span-id]';
const PANEL = '[data-testid=bottleneck-panel]';
const CARD = '[data-testid=bottleneck-card]';
const MINIMAP = '[data-testid=minimap]';
const SUMMARY = '[data-testid=summary]';
const EMPTY = '[data-testid=empty]';
const STANDALONE = 'a[data-testid=open-standalone]';
const THEME_TOGGLE = '[data-testid=theme-toggle]';
const MESSAGE = '[data-testid=message]';
const ITEMS = '[data-testid=trace-list] [data-testid=trace-list-item]';
const FIND = 'input[data-testid=find]';
const MATCH_COUNT = '[data-testid=match-count]';
const JAEGER_PANEL = '[data-testid=jaeger-panel]';

const DEMO_URL = 'demo/flask-slow-view.otlp.json';
const DEMO_NAME = 'flask-slow-view.otlp.json';
const HOTROD_FILE = 'otlp/hotrod-40spans-6services.json';
/** The embed parameters an "open in Traceglass" link must drop. */
const EMBED_PARAMS = ['uiEmbed', 'uiTimelineCollapseTitle', 'uiTimelineHideMinimap', 'uiTimelineHideSummary', 'view'];

const TEST_TIMEOUT = 120_000;
const ARTIFACT_PREFIX = 'embed';

let browser;
let dist;
let demo; // the demo trace, read from the repository: { traceId, spans: Map(id -> { name, parent, service }), durationNs }
let allowed; // the app allowing the host page's origin (fixtures at /fixtures/)
let refused; // the app allowing http://localhost:<host port> only: not the host page's origin
let jaeger; // the Jaeger replay server
let jaegerConfigured; // the app with config.json's jaeger.baseUrl = the replay server

before(
  async () => {
    dist = ensureDist();
    const fixtures = ensureFixtures();
    clearFailureScreenshots(ARTIFACT_PREFIX);
    demo = readDemo();
    browser = await launchBrowser();
    jaeger = await startJaegerReplay({ api: 'both', cors: true });
    allowed = await startEmbed({ dist, allowHost: true, extraMounts: { '/fixtures/': fixtures } });
    refused = await startEmbed({ dist, allowHost: false });
    jaegerConfigured = await startEmbed({ dist, config: { jaeger: { baseUrl: jaeger.url, credentials: 'same-origin' } } });
  },
  { timeout: 60_000 },
);

after(async () => {
  await allowed?.close();
  await refused?.close();
  await jaegerConfigured?.close();
  await jaeger?.close();
  await browser?.close();
});

/** The demo trace the app bundles (public/demo/), read from the repository. */
function readDemo() {
  const doc = JSON.parse(fs.readFileSync(path.join(repoRoot, 'public', 'demo', DEMO_NAME), 'utf8'));
  const spans = new Map();
  let traceId;
  let start = null;
  let end = null;
  for (const rs of doc.resourceSpans) {
    const service = rs.resource.attributes.find((a) => a.key === 'service.name').value.stringValue;
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        traceId = s.traceId;
        spans.set(s.spanId, { name: s.name, parent: s.parentSpanId || null, service });
        const a = BigInt(s.startTimeUnixNano);
        const b = BigInt(s.endTimeUnixNano);
        if (start === null || a < start) start = a;
        if (end === null || b > end) end = b;
      }
    }
  }
  const root = [...spans].find(([, s]) => !s.parent)[0];
  const leaf = (name) => [...spans].find(([, s]) => s.name === name)[0];
  return { traceId, spans, root, select: leaf('SELECT'), call: leaf('GET'), durationNs: Number(end - start), bytes: fs.readFileSync(path.join(repoRoot, 'public', 'demo', DEMO_NAME)) };
}

const collapse = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();

/** A page (context of its own), with every console message of the page and its frames recorded. */
function withPage(label, body, options) {
  return runInPage(
    browser,
    ARTIFACT_PREFIX,
    label,
    async (p) => {
      const consoleLog = [];
      p.page.on('console', (m) => consoleLog.push({ type: m.type(), text: m.text() }));
      await body({ ...p, consoleLog });
    },
    options,
  );
}

/** A file-name-safe label. */
const slug = (s) => s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);

/**
 * `t.test(name, fn)` for a step inside a page: a failing step also saves
 * `artifacts/fail-embed-<label>-<step>.png` and appends the page's failed requests and errors
 * (its frames' included) to its message, as `runInPage` does for a whole test.
 */
function step(t, p, label, name, fn) {
  return t.test(name, async () => {
    try {
      await fn();
    } catch (err) {
      try {
        await p.page.screenshot({ path: artifactPath(`fail-${ARTIFACT_PREFIX}-${label}-${slug(name)}.png`) });
      } catch {
        // the page may be gone
      }
      if (err instanceof Error) {
        if (p.failedRequests.length) err.message += `\n  failed requests:\n${p.failedRequests.map((r) => `    ${r.status ?? r.failure} ${r.url}`).join('\n')}`;
        if (p.errors.length) err.message += `\n  errors logged by the page:\n${p.errors.map((e) => `    [${e.kind}] ${e.text}`).join('\n')}`;
      }
      throw err;
    }
  });
}

/** The app's URL on `server` (a startEmbed result) with these parameters, at `route` ('' or 'trace/<id>'). */
function appUrl(embed, params, route = '') {
  const q = new URLSearchParams(params).toString();
  return `${embed.app.url}${route}${q ? `?${q}` : ''}`;
}

/** Waits for a trace's headline (`… took …`) in a page or frame; returns it. */
function waitForHeadline(frame, what = 'a headline') {
  return waitUntil(`${what} (${HEADLINE} containing "took")`, () => textOf(frame, HEADLINE), (t) => t != null && t.includes('took'));
}

/** Waits for the trace header to name `traceId`; returns the header's text. */
function waitForTraceId(frame, traceId, why) {
  return waitUntil(`the trace header to name ${traceId} (${why})`, () => textOf(frame, HEADER), (t) => (t ?? '').includes(traceId));
}

/** The span ids of the selected rows. */
const selectedIds = (frame) => frame.$$eval(SELECTED_ROW, (els) => els.map((e) => e.getAttribute('data-span-id')));

function waitForSelected(frame, id, why) {
  return waitUntil(`the row ${id} to be the one selected (${why})`, () => selectedIds(frame), (ids) => ids.length === 1 && ids[0] === id);
}

/** Page-level overflow: scroll sizes against client sizes of <html> and <body>. */
function overflowOf(frame) {
  return frame.evaluate(() => {
    const d = document.documentElement;
    const b = document.body;
    return {
      html: { scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, scrollHeight: d.scrollHeight, clientHeight: d.clientHeight },
      body: { scrollWidth: b.scrollWidth, clientWidth: b.clientWidth, scrollHeight: b.scrollHeight, clientHeight: b.clientHeight },
    };
  });
}

const fits = (o) =>
  o.html.scrollWidth <= o.html.clientWidth &&
  o.html.scrollHeight <= o.html.clientHeight &&
  o.body.scrollWidth <= o.body.clientWidth &&
  o.body.scrollHeight <= o.body.clientHeight;

/** Waits until the page (or frame) has no page-level scroll bar; returns the sizes. */
function waitForNoScroll(frame, what) {
  return waitUntil(`no page-level scroll bars (${what})`, () => overflowOf(frame), fits);
}

/** Whether the element's box lies inside the window (nothing to scroll to read it). */
function inWindow(frame, selector) {
  return frame.$eval(selector, (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.left >= -0.5 && r.top >= -0.5 && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5;
  });
}

// ---------------------------------------------------------------------------------------------
// The host page (examples/embed/index.html) and its frames.

/** Opens the host page of `embed`; returns its two frames once each shows the app's origin. */
async function openHost(page, embed) {
  await page.goto(embed.hostPage());
  const frameOf = async (selector) => {
    const frame = await (await page.waitForSelector(selector)).contentFrame();
    await waitUntil(`the frame ${selector} to show the app`, () => frame.url(), (u) => u.startsWith(`${embed.app.origin}/`));
    return frame;
  };
  return { viewer: await frameOf('#viewer'), card: await frameOf('#card') };
}

/** What the host page received from Traceglass (its `window.traceglassHost.received`), in order. */
const received = (page) => page.evaluate(() => window.traceglassHost.received.map(({ from, data }) => ({ from, data })));

/** Waits until the host has received a message for which `pred({ from, data })` holds; returns it. */
async function waitForReply(page, what, pred) {
  const list = await waitUntil(`the host to receive ${what}`, () => received(page), (l) => l.some(pred));
  return list.find(pred);
}

/** Posts `message` to the viewer frame through the host page (`traceglassHost.post`). */
function post(page, message) {
  return page.evaluate((m) => {
    window.traceglassHost.post(m);
  }, message);
}

/** Posts a `load` of bytes, built in the host page as an ArrayBuffer (transferred) or a Uint8Array. */
function postBytes(page, { name, bytes, id, as = 'ArrayBuffer' }) {
  return page.evaluate(
    ({ name, base64, id, as }) => {
      const binary = atob(base64);
      const u8 = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) u8[i] = binary.charCodeAt(i);
      const data = as === 'Uint8Array' ? u8 : u8.buffer;
      window.traceglassHost.post({ type: 'load', name, data, ...(id ? { id } : {}) }, as === 'ArrayBuffer' ? [u8.buffer] : []);
    },
    { name, base64: Buffer.from(bytes).toString('base64'), id, as },
  );
}

/** Waits for `ready` from the viewer (the host then enables its buttons); returns it. */
async function waitForReady(page, from = 'viewer') {
  const ready = await waitForReply(page, `ready from the ${from} frame`, (m) => m.from === from && m.data.type === 'ready');
  assert.equal(ready.data.version, 1, `ready says version ${ready.data.version}`);
  return ready;
}

/** Clicks the host's "Load the demo (bytes)" and waits for the viewer's `loaded`; returns its data. */
async function loadDemoFromHost(page, viewer) {
  await waitForReady(page);
  const before = (await received(page)).length;
  await page.click('#load-demo');
  const loaded = await waitUntil(
    'loaded from the viewer after "Load the demo (bytes)"',
    async () => (await received(page)).slice(before),
    (l) => l.some((m) => m.from === 'viewer' && m.data.type === 'loaded'),
  );
  await waitForHeadline(viewer, 'the demo in the viewer');
  return loaded.find((m) => m.from === 'viewer' && m.data.type === 'loaded').data;
}

/** What the viewer shows, to compare before and after a message that must change nothing. */
async function viewOf(frame) {
  return {
    headline: await textOf(frame, HEADLINE),
    header: await textOf(frame, HEADER),
    rows: await frame.$$eval(ROWS, (els) => els.map((e) => e.getAttribute('data-span-id'))),
  };
}

// ---------------------------------------------------------------------------------------------
// Embed flags and views (the app's page opened directly, 1280x800).

test('embed flags: uiEmbed=v0, view=, uiTimeline* and uiTheme hide and show what they say', { timeout: 240_000 }, async (t) => {
  await withPage('flags', async (p) => {
    const { page, context } = p;
    const demoParams = { url: DEMO_URL };

    await step(t, p, 'flags', 'without uiEmbed: the whole app (header, sidebar, Jaeger panel), no open-standalone link', async () => {
      await page.goto(appUrl(allowed, demoParams));
      await waitForHeadline(page);
      assert.equal(await countOf(page, 'header.topbar'), 1, 'no header.topbar');
      assert.equal(await countOf(page, '.sidebar'), 1, 'no .sidebar');
      assert.equal(await countOf(page, JAEGER_PANEL), 1, 'no Jaeger panel');
      assert.equal(await page.$eval(APP, (el) => el.classList.contains('embed')), false, 'the app has the class embed');
      assert.equal(await countOf(page, STANDALONE), 0, 'an open-standalone link outside a frame');
      // The trace view's parts, which the flags below take away one by one.
      assert.equal(await countOf(page, HEADER), 1, 'no trace header');
      assert.equal(await countOf(page, MINIMAP), 1, 'no minimap');
      assert.equal(await countOf(page, FACTS), 1, 'no trace facts in the header');
      assert.ok(await page.locator(FACTS).isVisible(), 'the trace facts are hidden');
      assert.equal(await page.$eval(HEADER, (el) => el.classList.contains('collapsed')), false, 'the header is collapsed');
    });

    await step(t, p, 'flags', 'uiEmbed=v0: no header, sidebar or Jaeger panel; the trace fills the frame', async () => {
      await page.goto(appUrl(allowed, { uiEmbed: 'v0', ...demoParams }));
      await waitForHeadline(page);
      assert.equal(await page.$eval(APP, (el) => el.classList.contains('embed')), true, 'the app lacks the class embed');
      assert.equal(await countOf(page, 'header.topbar'), 0, 'header.topbar shown');
      assert.equal(await countOf(page, '.sidebar'), 0, '.sidebar shown');
      assert.equal(await countOf(page, JAEGER_PANEL), 0, 'Jaeger panel shown');
      // view=trace is the default: header, bottleneck panel and timeline.
      assert.equal(await countOf(page, HEADER), 1, 'no trace header');
      assert.equal(await countOf(page, PANEL), 1, 'no bottleneck panel');
      assert.ok((await countOf(page, ROWS)) >= 3, 'fewer than 3 timeline rows');
      const box = await page.$eval(APP, (el) => el.getBoundingClientRect().toJSON());
      assert.ok(box.width >= 1280 - 1 && box.height >= 800 - 1, `the app does not fill the window: ${JSON.stringify(box)}`);
    });

    await step(t, p, 'flags', 'the open-standalone link opens the same view without the embed parameters', async () => {
      const params = {
        uiEmbed: 'v0',
        view: 'card',
        uiTimelineCollapseTitle: '1',
        uiTimelineHideMinimap: '1',
        uiTimelineHideSummary: '1',
        ...demoParams,
      };
      await page.goto(appUrl(allowed, params));
      await waitForHeadline(page);
      const link = page.locator(STANDALONE);
      await link.waitFor({ state: 'visible', timeout: WAIT_MS });
      assert.match(await link.innerText(), /open in traceglass/i);
      assert.equal(await link.getAttribute('target'), '_blank');
      assert.ok(/\bnoopener\b/.test((await link.getAttribute('rel')) ?? ''), `rel is ${await link.getAttribute('rel')}`);
      const href = new URL(await link.evaluate((a) => a.href));
      assert.equal(href.origin + href.pathname, allowed.app.url, `the link leads elsewhere: ${href}`);
      for (const p of EMBED_PARAMS) assert.equal(href.searchParams.has(p), false, `the link ${href} keeps ${p}`);
      assert.equal(href.searchParams.get('url'), DEMO_URL, `the link ${href} lost url=`);
      // It opens in a new tab, as the whole app.
      const [popup] = await Promise.all([context.waitForEvent('page'), link.click()]);
      try {
        await waitForHeadline(popup, 'the standalone page');
        assert.equal(await countOf(popup, 'header.topbar'), 1, 'the standalone page has no header');
        assert.equal(await popup.$eval(APP, (el) => el.classList.contains('embed')), false, 'the standalone page is embedded');
      } finally {
        await popup.close();
      }
    });

    await step(t, p, 'flags', 'view=card: headline, critical-path bar and findings, nothing else', async () => {
      await page.goto(appUrl(allowed, { uiEmbed: 'v0', view: 'card', ...demoParams }));
      await waitForHeadline(page);
      assert.equal(await countOf(page, CARD), 1, 'no bottleneck card');
      for (const part of ['headline', 'cp-bar', 'findings']) {
        assert.equal(await countOf(page, `${CARD} [data-testid=${part}]`), 1, `the card has no ${part}`);
      }
      assert.equal(await countOf(page, TIMELINE), 0, 'a timeline in the card view');
    });

    await step(t, p, 'flags', 'view=timeline: the timeline alone', async () => {
      await page.goto(appUrl(allowed, { uiEmbed: 'v0', view: 'timeline', ...demoParams }));
      await waitUntil('timeline rows', () => countOf(page, ROWS), (n) => n >= 3);
      assert.equal(await countOf(page, PANEL), 0, 'a bottleneck panel in the timeline view');
      assert.equal(await countOf(page, HEADER), 0, 'a trace header in the timeline view');
    });

    await step(t, p, 'flags', 'view=summary: the summary across traces', async () => {
      await page.goto(appUrl(allowed, { uiEmbed: 'v0', view: 'summary', ...demoParams }));
      await page.locator(SUMMARY).waitFor({ state: 'visible', timeout: WAIT_MS });
      assert.equal(await countOf(page, SUMMARY), 1);
    });

    await step(t, p, 'flags', 'view=trace: header, bottleneck panel and timeline', async () => {
      await page.goto(appUrl(allowed, { uiEmbed: 'v0', view: 'trace', ...demoParams }));
      await waitForHeadline(page);
      assert.equal(await countOf(page, HEADER), 1, 'no trace header');
      assert.equal(await countOf(page, PANEL), 1, 'no bottleneck panel');
      await waitUntil('timeline rows', () => countOf(page, ROWS), (n) => n >= 3);
    });

    await step(t, p, 'flags', 'uiTimelineCollapseTitle=1: the header starts collapsed; its toggle expands it', async () => {
      await page.goto(appUrl(allowed, { uiEmbed: 'v0', uiTimelineCollapseTitle: '1', ...demoParams }));
      await waitForHeadline(page);
      assert.equal(await page.$eval(HEADER, (el) => el.classList.contains('collapsed')), true, 'the header is not collapsed');
      assert.equal(await page.locator(FACTS).isVisible(), false, 'the facts show in a collapsed header');
      await page.click(HEADER_TOGGLE);
      await waitUntil('the header to expand', () => page.$eval(HEADER, (el) => el.classList.contains('collapsed')), (c) => c === false);
      await waitUntil('the facts to show', () => page.locator(FACTS).isVisible(), Boolean);
    });

    await step(t, p, 'flags', 'uiTimelineHideMinimap=1: no minimap', async () => {
      await page.goto(appUrl(allowed, { uiEmbed: 'v0', uiTimelineHideMinimap: '1', ...demoParams }));
      await waitUntil('timeline rows', () => countOf(page, ROWS), (n) => n >= 3);
      assert.equal(await countOf(page, MINIMAP), 0, 'a minimap');
      assert.equal(await countOf(page, FACTS), 1, 'the other flags stay off: no trace facts');
    });

    await step(t, p, 'flags', 'uiTimelineHideSummary=1: no facts in the trace header', async () => {
      await page.goto(appUrl(allowed, { uiEmbed: 'v0', uiTimelineHideSummary: '1', ...demoParams }));
      await waitForHeadline(page);
      assert.equal(await countOf(page, HEADER), 1, 'no trace header');
      assert.equal(await countOf(page, FACTS), 0, 'trace facts shown');
      assert.equal(await countOf(page, MINIMAP), 1, 'the other flags stay off: no minimap');
    });

    for (const [theme, other] of [
      ['dark', 'light'],
      ['light', 'dark'],
    ]) {
      await step(t, p, 'flags', `uiTheme=${theme} (embedded, with a ${other} preference): theme-${theme}, no toggle`, async () => {
        await page.emulateMedia({ colorScheme: other });
        await page.goto(appUrl(allowed, { uiEmbed: 'v0', uiTheme: theme, ...demoParams }));
        await waitForHeadline(page);
        const classes = await page.evaluate(() => [...document.documentElement.classList]);
        assert.ok(classes.includes(`theme-${theme}`), `<html> classes: ${classes.join(' ')}`);
        assert.ok(!classes.includes(`theme-${other}`), `<html> classes: ${classes.join(' ')}`);
        assert.equal(await countOf(page, THEME_TOGGLE), 0, 'a theme toggle');
      });
    }
    await page.emulateMedia({ colorScheme: 'light' });

    await step(t, p, 'flags', 'uiEmbed=v0 and no source: nothing loaded (no demo); it says it waits for a trace', async () => {
      const demoRequests = () => allowed.app.requests.filter((r) => r.path.endsWith(`/${DEMO_URL}`)).length;
      const before = demoRequests();
      await page.goto(appUrl(allowed, { uiEmbed: 'v0' }));
      const text = await waitUntil(`${EMPTY} saying it waits for a trace`, () => textOf(page, EMPTY), (s) => /waiting/i.test(s ?? ''));
      assert.match(text, /trace/i);
      assert.equal(await countOf(page, HEADLINE), 0, 'a headline with nothing loaded');
      assert.equal(await countOf(page, ROWS), 0, 'timeline rows with nothing loaded');
      assert.equal(demoRequests(), before, 'the demo was fetched');
    });

    await step(t, p, 'flags', 'no uiEmbed and no source: the demo, as before', async () => {
      await page.goto(allowed.app.url);
      const headline = await waitForHeadline(page, 'the demo');
      assert.match(headline, /GET \/slow/);
      assert.equal(await countOf(page, EMPTY), 0, 'the empty state beside the demo');
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Fitting the frame.

test('the bottleneck card in 400x200: the headline in view, no scroll bars, also in the host\'s frame', { timeout: TEST_TIMEOUT }, async (t) => {
  await t.test('the card page at a 400x200 viewport', () =>
    withPage(
      'card-400x200',
      async ({ page }) => {
        await page.goto(appUrl(allowed, { uiEmbed: 'v0', view: 'card', url: DEMO_URL }));
        const headline = await waitForHeadline(page, 'the card');
        assert.match(headline, /GET \/slow/);
        await waitForNoScroll(page, 'the card at 400x200');
        assert.ok(await inWindow(page, `${CARD} ${HEADLINE}`), 'the headline is not inside the 400x200 window');
        await page.screenshot({ path: artifactPath('embed-card-400x200.png') });
      },
      { viewport: { width: 400, height: 200 } },
    ),
  );

  await t.test('the card in the host page\'s 400x200 iframe', () =>
    withPage('card-in-host', async ({ page }) => {
      const { card } = await openHost(page, allowed);
      const size = await card.evaluate(() => [innerWidth, innerHeight]);
      assert.deepEqual(size, [400, 200], `the host's card frame is ${size.join('x')}`);
      const headline = await waitForHeadline(card, 'the card in the host page');
      assert.match(headline, /GET \/slow/);
      assert.equal(await countOf(card, CARD), 1, 'the host\'s card frame shows no bottleneck card');
      await waitForNoScroll(card, 'the card frame');
      assert.ok(await inWindow(card, `${CARD} ${HEADLINE}`), 'the headline is not inside the 400x200 frame');
      await page.locator('#card').screenshot({ path: artifactPath('embed-card-in-host.png') });
    }),
  );
});

test('each view fits 320x480 and 400x200 with no page-level scroll bars, and follows a resize', { timeout: 240_000 }, async (t) => {
  const ready = {
    trace: (p) => waitForHeadline(p),
    card: (p) => waitForHeadline(p),
    timeline: (p) => waitUntil('timeline rows', () => countOf(p, ROWS), (n) => n >= 1),
    summary: (p) => p.locator(SUMMARY).waitFor({ state: 'attached', timeout: WAIT_MS }),
  };
  for (const viewport of [
    { width: 320, height: 480 },
    { width: 400, height: 200 },
  ]) {
    await t.test(`${viewport.width}x${viewport.height}`, () =>
      withPage(
        `fit-${viewport.width}x${viewport.height}`,
        async ({ page }) => {
          for (const view of Object.keys(ready)) {
            await page.goto(appUrl(allowed, { uiEmbed: 'v0', view, url: DEMO_URL }));
            await ready[view](page);
            await waitForNoScroll(page, `view=${view} at ${viewport.width}x${viewport.height}`);
            const width = await page.$eval(APP, (el) => el.getBoundingClientRect().width);
            assert.ok(width <= viewport.width + 0.5, `view=${view}: the app is ${width} px wide in ${viewport.width}`);
          }
        },
        { viewport },
      ),
    );
  }

  await t.test('320 px wide is usable: the trace view shows its headline and rows inside the window', () =>
    withPage(
      'usable-320',
      async ({ page }) => {
        await page.goto(appUrl(allowed, { uiEmbed: 'v0', url: DEMO_URL }));
        await waitForHeadline(page);
        await waitForNoScroll(page, 'the trace view at 320x480');
        const headline = await page.$eval(HEADLINE, (el) => el.getBoundingClientRect().toJSON());
        assert.ok(headline.left >= -0.5 && headline.right <= 320.5, `the headline sticks out: ${JSON.stringify(headline)}`);
        await waitUntil('timeline rows', () => countOf(page, ROWS), (n) => n >= 1);
        const row = await page.$eval(ROWS, (el) => el.getBoundingClientRect().toJSON());
        assert.ok(row.left >= -0.5 && row.left < 320, `the first row starts outside the window: ${JSON.stringify(row)}`);
      },
      { viewport: { width: 320, height: 480 } },
    ),
  );

  await t.test('a frame that shrinks from 1024x700 to 320x480 keeps no scroll bars', () =>
    withPage(
      'resize',
      async ({ page }) => {
        await page.goto(appUrl(allowed, { uiEmbed: 'v0', url: DEMO_URL }));
        await waitForHeadline(page);
        await waitForNoScroll(page, 'the trace view at 1024x700');
        await page.setViewportSize({ width: 320, height: 480 });
        await waitForNoScroll(page, 'the trace view resized to 320x480');
        await page.setViewportSize({ width: 400, height: 200 });
        await waitForNoScroll(page, 'the trace view resized to 400x200');
      },
      { viewport: { width: 1024, height: 700 } },
    ),
  );
});

// ---------------------------------------------------------------------------------------------
// The postMessage API, from the example host page on its own origin.

test('postMessage: ready, then a trace loaded as an ArrayBuffer, a Uint8Array and text, each answered by loaded', { timeout: TEST_TIMEOUT }, async (t) => {
  await withPage('load', async (p) => {
    const { page } = p;
    const { viewer } = await openHost(page, allowed);
    await waitForReady(page, 'viewer');
    await waitForReady(page, 'card');
    assert.ok(
      (await received(page)).every((m) => m.from !== 'other'),
      'a message came from a window that is neither frame',
    );

    await step(t, p, 'load', 'the card frame (opened with url=) says loaded too', async () => {
      const loaded = await waitForReply(page, 'loaded from the card', (m) => m.from === 'card' && m.data.type === 'loaded');
      assert.equal(loaded.data.traces?.[0]?.traceId, demo.traceId);
    });

    await step(t, p, 'load', 'the demo as an ArrayBuffer (the host\'s "Load the demo (bytes)")', async () => {
      assert.equal(await countOf(viewer, HEADLINE), 0, 'the viewer shows a trace before any load');
      const loaded = await loadDemoFromHost(page, viewer);
      assert.equal(loaded.traceglass, 1);
      assert.equal(loaded.name, DEMO_NAME);
      const sent = await page.evaluate(() => window.traceglassHost.sent.at(-1).data.id);
      assert.equal(loaded.id, sent, 'loaded does not echo the id of the load');
      assert.equal(loaded.traces.length, 1, `${loaded.traces.length} traces`);
      const tr = loaded.traces[0];
      assert.equal(tr.traceId, demo.traceId);
      assert.equal(tr.spanCount, demo.spans.size);
      assert.equal(tr.rootService, 'flask-app');
      assert.equal(tr.rootOperation, 'GET /slow');
      assert.ok(Math.abs(Number(tr.durationNs) - demo.durationNs) <= 1000, `durationNs ${tr.durationNs}, the file says ${demo.durationNs}`);
      assert.equal(typeof tr.duration, 'string');
      assert.equal(tr.errorCount, 0);
      assert.ok(tr.serviceCount >= 1);
      assert.ok(typeof tr.headline === 'string' && tr.headline.trim() !== '', 'an empty headline');
      const shown = await waitForHeadline(viewer);
      assert.equal(collapse(tr.headline), collapse(shown), 'the headline posted is not the one shown');
      assert.ok(Array.isArray(tr.findings) && tr.findings.length >= 1, 'no findings');
      for (const f of tr.findings) {
        for (const key of ['kind', 'label', 'sentence', 'timeAtStake']) assert.equal(typeof f[key], 'string', `finding.${key}: ${JSON.stringify(f)}`);
        assert.ok(Number.isFinite(Number(f.timeAtStakeNs)), `finding.timeAtStakeNs: ${JSON.stringify(f)}`);
        assert.ok(Array.isArray(f.spanIds) && f.spanIds.every((id) => demo.spans.has(id)), `finding.spanIds: ${JSON.stringify(f)}`);
      }
      assert.ok(Array.isArray(tr.criticalPath) && tr.criticalPath.length >= 1, 'no critical path');
      for (const c of tr.criticalPath) {
        assert.equal(typeof c.service, 'string');
        assert.equal(typeof c.operation, 'string');
        assert.ok(Number(c.timeNs) >= 0 && c.share >= 0 && c.share <= 1.0001, `criticalPath entry: ${JSON.stringify(c)}`);
      }
      assert.ok(tr.criticalPath.some((c) => c.operation === 'GET'), `the weather call is not on the critical path: ${JSON.stringify(tr.criticalPath)}`);
    });

    await step(t, p, 'load', 'a Uint8Array (Jaeger JSON)', async () => {
      await postBytes(page, { name: 'petclinic.json', bytes: fixture('jaeger/petclinic-17spans-31char-traceid.json'), id: 'u8', as: 'Uint8Array' });
      const loaded = await waitForReply(page, 'loaded for id u8', (m) => m.data.type === 'loaded' && m.data.id === 'u8');
      assert.equal(loaded.from, 'viewer');
      assert.equal(loaded.data.name, 'petclinic.json');
      assert.equal(loaded.data.traces[0].spanCount, 17);
      const shown = await waitUntil('the viewer to show the petclinic trace', () => textOf(viewer, HEADLINE), (h) => collapse(h) === collapse(loaded.data.traces[0].headline));
      assert.ok(shown.includes('took'));
    });

    await step(t, p, 'load', 'text (Zipkin JSON), with a numeric id', async () => {
      await post(page, { type: 'load', name: 'yelp.json', data: fixture('zipkin/yelp.json').toString('utf8'), id: 7 });
      const loaded = await waitForReply(page, 'loaded for id 7', (m) => m.data.type === 'loaded' && m.data.id === 7);
      assert.equal(loaded.data.name, 'yelp.json');
      assert.equal(loaded.data.traces[0].spanCount, 16);
      assert.ok(loaded.data.traces[0].headline.trim() !== '');
      await waitUntil('the viewer to show the yelp trace', () => textOf(viewer, HEADLINE), (h) => collapse(h) === collapse(loaded.data.traces[0].headline));
    });

    // Nothing here should have gone wrong.
    const errors = (await received(page)).filter((m) => m.data.type === 'error');
    assert.deepEqual(errors, [], 'error messages during good loads');
  });
});

test('postMessage: select from the host selects the span and says selection; a click in the frame says selection', { timeout: TEST_TIMEOUT }, async (t) => {
  await withPage('selection', async (p) => {
    const { page } = p;
    const { viewer } = await openHost(page, allowed);
    const loaded = await loadDemoFromHost(page, viewer);
    assert.equal(loaded.traces[0].traceId, demo.traceId);
    const selections = async () => (await received(page)).filter((m) => m.from === 'viewer' && m.data.type === 'selection').map((m) => m.data);
    /** The first `selection` of `spanId` among those received after the first `before`. */
    const selectionOf = async (before, spanId, why) =>
      (await waitUntil(`a selection message for ${spanId} (${why})`, async () => (await selections()).slice(before), (l) => l.some((s) => s.spanId === spanId))).find(
        (s) => s.spanId === spanId,
      );

    await step(t, p, 'selection', 'host → app: select the SELECT span', async () => {
      const before = (await selections()).length;
      await post(page, { type: 'select', spanId: demo.select, traceId: demo.traceId, id: 'sel-1' });
      await waitForSelected(viewer, demo.select, 'select from the host');
      await waitUntil('the detail to show the span id', () => textOf(viewer, DETAIL_SPAN_ID), (s) => (s ?? '').includes(demo.select));
      const sel = await selectionOf(before, demo.select, 'select from the host');
      assert.equal(sel.traceglass, 1);
      assert.equal(sel.spanId, demo.select);
      assert.equal(sel.traceId, demo.traceId);
      if ('service' in sel) assert.equal(sel.service, 'flask-app');
      if ('operation' in sel) assert.equal(sel.operation, 'SELECT');
    });

    await step(t, p, 'selection', 'the host\'s own "Select span" button (span id field filled from loaded)', async () => {
      const field = await page.locator('#span-id').inputValue();
      assert.ok(demo.spans.has(field), `the host filled the span id field with ${JSON.stringify(field)}, not a span of the demo`);
      await page.fill('#span-id', demo.root);
      const before = (await selections()).length;
      await page.click('#select');
      await waitForSelected(viewer, demo.root, 'the host\'s Select span button');
      const sel = await selectionOf(before, demo.root, 'the Select span button');
      assert.equal(sel.traceId, demo.traceId);
    });

    await step(t, p, 'selection', 'app → host: a click on a row', async () => {
      const before = (await selections()).length;
      await viewer.locator(`${ROWS}[data-span-id="${demo.call}"] .span-name`).click();
      await waitForSelected(viewer, demo.call, 'a click in the frame');
      const sel = await selectionOf(before, demo.call, 'a click in the frame');
      assert.equal(sel.traceId, demo.traceId);
      if ('operation' in sel) assert.equal(sel.operation, 'GET');
      assert.equal(sel.id ?? null, null, `a selection the user made carries a host's id: ${sel.id}`);
    });
  });
});

test('postMessage: find, theme, load by URL and clear from the host\'s buttons', { timeout: TEST_TIMEOUT }, async (t) => {
  await withPage('host-buttons', async (p) => {
    const { page } = p;
    const { viewer } = await openHost(page, allowed);
    await waitForReady(page);

    await step(t, p, 'host-buttons', 'load by URL (the app fetches it from its own origin)', async () => {
      await page.fill('#url', `${allowed.app.url}fixtures/${HOTROD_FILE}`);
      const before = (await received(page)).length;
      await page.click('#load-url');
      const loaded = await waitUntil(
        'loaded after "Load by URL"',
        // Its own `loaded`: the demo's, posted a moment before, may come after `before`.
        async () => (await received(page)).slice(before).find((m) => m.data.type === 'loaded' && String(m.data.name).includes(HOTROD_FILE.split('/').pop())),
        Boolean,
      );
      assert.equal(loaded.data.traces[0].spanCount, 40);
      assert.match(loaded.data.traces[0].headline, /^GET \/dispatch \(frontend\) took/);
      await waitForHeadline(viewer);
      assert.match(await textOf(viewer, HEADLINE), /^GET \/dispatch \(frontend\) took/);
    });

    await step(t, p, 'host-buttons', 'find', async () => {
      await page.fill('#query', 'GetDriver');
      await page.click('#find');
      await waitUntil('the find box to hold the query', () => viewer.locator(FIND).inputValue(), (v) => v === 'GetDriver');
      const count = await waitUntil('N matches', () => textOf(viewer, MATCH_COUNT), (s) => /^\d+ matches$/.test(s ?? ''));
      assert.ok(Number(count.split(' ')[0]) >= 13, count);
    });

    await step(t, p, 'host-buttons', 'theme dark, light, system', async () => {
      const classes = () => viewer.evaluate(() => [...document.documentElement.classList]);
      await page.click('button.theme[data-theme=dark]');
      await waitUntil('theme-dark in the frame', classes, (c) => c.includes('theme-dark') && !c.includes('theme-light'));
      await page.click('button.theme[data-theme=light]');
      await waitUntil('theme-light in the frame', classes, (c) => c.includes('theme-light') && !c.includes('theme-dark'));
      await page.click('button.theme[data-theme=system]');
      await waitUntil('no forced theme in the frame', classes, (c) => !c.includes('theme-light') && !c.includes('theme-dark'));
    });

    await step(t, p, 'host-buttons', 'clear removes every trace', async () => {
      await page.click('#clear');
      await waitUntil(`${EMPTY} after clear`, () => countOf(viewer, EMPTY), (n) => n === 1);
      assert.equal(await countOf(viewer, HEADLINE), 0, 'a headline after clear');
      assert.equal(await countOf(viewer, ROWS), 0, 'rows after clear');
    });

    const errors = (await received(page)).filter((m) => m.data.type === 'error');
    assert.deepEqual(errors, [], 'error messages for good messages');
  });
});

test('postMessage: malformed messages get an error reply and change nothing', { timeout: TEST_TIMEOUT }, async (t) => {
  await withPage('malformed', async (p) => {
    const { page } = p;
    const { viewer } = await openHost(page, allowed);
    await loadDemoFromHost(page, viewer);
    const shown = await viewOf(viewer);
    assert.ok(shown.header.includes(demo.traceId), `the header does not name the demo: ${shown.header}`);

    const cases = [
      ['a load with neither data nor url', { type: 'load', id: 'm-nodata' }],
      ['an unknown type', { type: 'explode', id: 'm-explode' }],
      ['a load whose data is a number', { type: 'load', name: 'n.json', data: 42, id: 'm-number' }],
      ['a select without spanId', { type: 'select', id: 'm-select' }],
      ['a theme that is not one', { type: 'theme', theme: 'purple', id: 'm-theme' }],
    ];
    for (const [what, message] of cases) {
      await step(t, p, 'malformed', what, async () => {
        await post(page, message);
        const error = await waitForReply(page, `an error for ${message.id}`, (m) => m.data.type === 'error' && m.data.id === message.id);
        assert.equal(error.from, 'viewer');
        assert.equal(error.data.traceglass, 1);
        assert.ok(typeof error.data.message === 'string' && error.data.message.trim() !== '', `an empty error message: ${JSON.stringify(error.data)}`);
        assert.deepEqual(await viewOf(viewer), shown, 'the view changed');
      });
    }

    await step(t, p, 'malformed', 'a plain string', async () => {
      const before = (await received(page)).length;
      await post(page, 'hello');
      const error = await waitUntil(
        'an error for the plain string',
        async () => (await received(page)).slice(before).find((m) => m.data.type === 'error'),
        Boolean,
      );
      assert.ok(error.data.message.trim() !== '');
      assert.deepEqual(await viewOf(viewer), shown, 'the view changed');
    });

    const loads = (await received(page)).filter((m) => m.data.type === 'loaded' && m.from === 'viewer');
    assert.equal(loads.length, 1, 'a malformed message was answered with loaded');
  });
});

test('postMessage: bytes that are not a trace give an error naming the file; the trace stays', { timeout: TEST_TIMEOUT }, async () => {
  await withPage('not-a-trace', async ({ page }) => {
    const { viewer } = await openHost(page, allowed);
    await loadDemoFromHost(page, viewer);
    const shown = await viewOf(viewer);
    await post(page, { type: 'load', name: 'notes.txt', data: 'hello', id: 'n1' });
    const error = await waitForReply(page, 'an error for notes.txt', (m) => m.data.type === 'error' && m.data.id === 'n1');
    assert.equal(error.from, 'viewer');
    assert.match(error.data.message, /notes\.txt/, `the error does not name the file: ${error.data.message}`);
    if ('name' in error.data) assert.equal(error.data.name, 'notes.txt');
    // The same text as the user sees.
    const messages = await waitUntil(`a ${MESSAGE} naming notes.txt`, () => textsOf(viewer, MESSAGE), (l) => l.some((s) => s.includes('notes.txt')));
    assert.ok(
      messages.some((s) => collapse(s).includes(collapse(error.data.message))),
      `the posted error ${JSON.stringify(error.data.message)} is not what the page says: ${JSON.stringify(messages)}`,
    );
    assert.deepEqual(await viewOf(viewer), shown, 'the view changed');
    assert.equal((await received(page)).filter((m) => m.data.type === 'loaded' && m.from === 'viewer').length, 1, 'notes.txt was answered with loaded');
  });
});

test('postMessage from an origin the app does not allow: ignored, no reply, a console warning naming it', { timeout: TEST_TIMEOUT }, async () => {
  await withPage('refused', async ({ page, consoleLog }) => {
    const { viewer, card } = await openHost(page, refused);
    // Both frames work (the card loads its url=), they just do not talk to this page.
    await waitForHeadline(card, 'the card in the refused host');
    await viewer.locator(EMPTY).waitFor({ state: 'visible', timeout: WAIT_MS });
    const origin = refused.host.origin;
    const demoFetches = () => refused.app.requests.filter((r) => r.path.endsWith(`/${DEMO_URL}`)).length;
    const fetchedBefore = demoFetches();
    // No `ready` tells when the app listens, so the bytes are posted again each second until the
    // app says it ignored them (each post is refused alike).
    let posted = 0;
    const warning = await waitUntil(
      `a console warning naming ${origin} and embed.allowedOrigins`,
      async () => {
        const w = consoleLog.find((m) => m.type === 'warning' && m.text.includes(origin) && m.text.includes('embed.allowedOrigins'));
        if (!w && Date.now() - posted >= 1000) {
          posted = Date.now();
          await postBytes(page, { name: DEMO_NAME, bytes: demo.bytes, id: 'refused-bytes' });
        }
        return w;
      },
      Boolean,
    );
    assert.match(warning.text, /not/i, `the warning does not say the origin is not allowed: ${warning.text}`);
    await post(page, { type: 'load', url: `${refused.app.url}${DEMO_URL}`, id: 'refused-url' });
    // The deliberate wait: nothing may come back, and nothing may load.
    await page.waitForTimeout(1500);
    assert.deepEqual(await received(page), [], 'the host received messages from an app that does not allow it');
    assert.equal(await countOf(viewer, HEADLINE), 0, 'the refused load was shown');
    assert.equal(await countOf(viewer, EMPTY), 1, 'the empty state went away');
    assert.equal(demoFetches(), fetchedBefore, 'the refused load by URL was fetched');
  });
});

// ---------------------------------------------------------------------------------------------
// One trace from Jaeger (the replay server).

test('Jaeger: ?jaeger=&traceId=, /trace/<id> and /search open what they name', { timeout: 180_000 }, async (t) => {
  const hotrod = corpusTraces().find((c) => c.generation === 'v3' && c.file === HOTROD_FILE);
  assert.ok(hotrod, `the replay corpus serves ${HOTROD_FILE}`);
  const id = hotrod.traceId;
  const fetchedTrace = () => jaeger.requests.filter((r) => r.path.endsWith(`/traces/${id}`) && r.status === 200).length;

  const expectHotrod = async (page, why) => {
    await waitForTraceId(page, id, why);
    assert.match(await waitForHeadline(page), /^GET \/dispatch \(frontend\) took/);
    assert.match(await textOf(page, HEADER), /\b40\s+spans\b/);
  };

  await withPage('jaeger', async (p) => {
    const { page } = p;
    await step(t, p, 'jaeger', 'embedded: ?uiEmbed=v0&jaeger=<base>&traceId=<id>', async () => {
      const before = fetchedTrace();
      await page.goto(appUrl(allowed, { uiEmbed: 'v0', jaeger: jaeger.url, traceId: id }));
      await expectHotrod(page, 'traceId=');
      assert.ok(fetchedTrace() > before, 'the replay server was not asked for the trace');
    });

    await step(t, p, 'jaeger', 'standalone, with Jaeger UI\'s spelling traceID: that trace only, no demo', async () => {
      await page.goto(appUrl(allowed, { jaeger: jaeger.url, traceID: id }));
      await expectHotrod(page, 'traceID=');
      await waitUntil('one trace in the list', () => countOf(page, ITEMS), (n) => n === 1);
    });

    await step(t, p, 'jaeger', '/trace/<id>?jaeger=<base> (Jaeger UI\'s path)', async () => {
      const before = fetchedTrace();
      await page.goto(appUrl(allowed, { jaeger: jaeger.url }, `trace/${id}`));
      await expectHotrod(page, '/trace/<id>');
      assert.ok(fetchedTrace() > before, 'the replay server was not asked for the trace');
    });

    await step(t, p, 'jaeger', '/trace/<id>?uiEmbed=v0 with config.json\'s jaeger.baseUrl', async () => {
      const before = fetchedTrace();
      await page.goto(appUrl(jaegerConfigured, { uiEmbed: 'v0' }, `trace/${id}`));
      await expectHotrod(page, '/trace/<id> and jaeger.baseUrl');
      assert.ok(fetchedTrace() > before, 'the replay server was not asked for the trace');
    });

    await step(t, p, 'jaeger', '/search?service=frontend runs that search', async () => {
      const frontend = corpusTraces().filter((c) => c.generation === 'v3' && c.services.includes('frontend'));
      const toUs = (rfc3339) => BigInt(Date.parse(rfc3339)) * 1000n;
      const start = frontend.map((c) => toUs(c.searchWindow.min)).reduce((a, b) => (b < a ? b : a)) - 60_000_000n;
      const end = frontend.map((c) => toUs(c.searchWindow.max)).reduce((a, b) => (b > a ? b : a)) + 60_000_000n;
      const searches = () => jaeger.requests.filter((r) => /\/api\/(v3\/trace-summaries|traces)$/.test(r.path) && JSON.stringify(r.query ?? {}).includes('frontend')).length;
      const before = searches();
      await page.goto(
        appUrl(allowed, { jaeger: jaeger.url, service: 'frontend', lookback: 'custom', start: String(start), end: String(end), limit: '20' }, 'search'),
      );
      const count = await waitUntil('search results', () => textOf(page, '[data-testid=results-count]'), (s) => /\d+ traces?/.test(s ?? ''));
      assert.ok(Number(count.match(/(\d+) traces?/)[1]) >= 1, count);
      assert.ok((await countOf(page, '[data-testid=result]')) >= 1, 'no result listed');
      assert.ok(searches() > before, 'the replay server was not searched for frontend');
    });
  });
});
