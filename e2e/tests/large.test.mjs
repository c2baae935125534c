// End-to-end test of a large trace in headless Debian Chromium: a 100,000-span Jaeger JSON file
// (written by the test, with its processes after its spans as Jaeger writes them) is chosen
// through the file input. While it loads, the progress line counts bytes and spans and the page
// keeps painting frames; the timeline shows the trace before its analysis is done (the
// bottleneck panel says it is under way), then the headline and the critical path fill in; the
// timeline keeps only the rows in view in the DOM, scrolls to its last span, and find counts
// its matches. Limits are generous: this checks
// behaviour, bench/browser.mjs measures speed.
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startAppWithFixtures, runInPage, waitUntil, textOf, countOf } from '../lib/harness.mjs';
import { writeChainsTrace } from '../lib/jaeger-file.mjs';

const SPANS = 100_000;
const SERVICES = 12;
const TIMELINE = '[data-testid=timeline]';
const ROWS = `${TIMELINE} [role=treeitem]`;
const LOADING = '[data-testid=loading]';
const HEADLINE = '[data-testid=bottleneck-panel] [data-testid=headline]';
const ANALYSING = '[data-testid=bottleneck-panel] [data-testid=analysing]';
const FIND = 'input[data-testid=find]';
const MATCH_COUNT = '[data-testid=match-count]';
const LOAD_MS = 120_000;

/**
 * A Jaeger UI download of one trace: a root with 100 children, each heading a chain 1,000 spans
 * deep, `SPANS` spans in all. Span i runs on service `svc-(i % SERVICES)`; every
 * 1,000th span is named `checkout` (100 of them). Returns the path of the file.
 */
function writeTrace() {
  return writeChainsTrace(path.join(os.tmpdir(), `traceglass-e2e-${SPANS}.json`), {
    traceID: '00000000000000000000000000abcdef',
    spans: SPANS,
    chains: 100,
    services: SERVICES,
    name: (i) => (i % 1000 === 0 ? 'checkout' : `op-${i % 50}`),
    tags: (i) => [
      { key: 'span.kind', type: 'string', value: 'server' },
      { key: 'n', type: 'int64', value: i },
    ],
    serviceName: (s) => `svc-${s}`,
    processTags: (s) => [{ key: 'hostname', type: 'string', value: `host-${s}` }],
  });
}

let browser;
let server;
let file;

before(async () => {
  ({ browser, server } = await startAppWithFixtures('large'));
  file = writeTrace();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (file) fs.rmSync(file, { force: true });
});

test(`a ${SPANS.toLocaleString('en')}-span file loads with progress, stays responsive, and scrolls`, { timeout: 300_000 }, () =>
  runInPage(browser, 'large', '100k', async ({ page }) => {
    // The demo first, so the test also sees that what was loaded stays loaded.
    await page.goto(server.url);
    await page.waitForSelector(HEADLINE, { timeout: 60_000 });

    // Count frames and watch the progress line from inside the page while the file loads.
    await page.evaluate(() => {
      window.__probe = { frames: 0, progress: [], done: false, rowsWhileAnalysing: 0, analysingText: null };
      const tick = () => {
        window.__probe.frames += 1;
        const analysing = document.querySelector('[data-testid=bottleneck-panel] [data-testid=analysing]');
        if (analysing && document.querySelector('[data-testid=timeline] [role=treeitem]')) {
          window.__probe.rowsWhileAnalysing += 1;
          window.__probe.analysingText = analysing.textContent;
        }
        const el = document.querySelector('[data-testid=loading]');
        if (el) {
          const text = el.textContent;
          const list = window.__probe.progress;
          if (list[list.length - 1] !== text) list.push(text);
        }
        if (!window.__probe.done) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await page.setInputFiles('[data-testid=file-input]', file);

    // The new trace opens: its name is in the trace header, its rows in the timeline.
    await waitUntil(
      'the 100k-span trace in the trace list',
      () => countOf(page, '[data-testid=trace-list] [data-testid=trace-list-item]'),
      (n) => n === 2,
      { timeout: LOAD_MS },
    );
    await page.waitForSelector(`${ROWS}`, { timeout: LOAD_MS });
    await waitUntil('the loading line to go', () => countOf(page, LOADING), (n) => n === 0, { timeout: LOAD_MS });
    const probe = await page.evaluate(() => {
      window.__probe.done = true;
      return window.__probe;
    });

    // Progress named the file and moved through bytes and spans.
    const base = path.basename(file);
    const withSpans = probe.progress.filter((p) => p.includes(base) && /MB, [\d,]+ spans/.test(p));
    assert.ok(withSpans.length >= 2, `progress moved through bytes and spans: ${JSON.stringify(probe.progress)}`);
    const spanCounts = withSpans.map((p) => Number(p.match(/MB, ([\d,]+) spans/)[1].replace(/,/g, '')));
    assert.ok(
      spanCounts.every((n, i) => i === 0 || n >= spanCounts[i - 1]) && spanCounts.at(-1) > spanCounts[0],
      `span counts grew: ${spanCounts}`,
    );
    // Frames kept coming while the file was parsed: the page was not frozen.
    assert.ok(probe.frames >= withSpans.length, `${probe.frames} frames painted during ${withSpans.length} progress steps`);

    // The timeline came before the analysis: frames showed its rows while the panel said the
    // analysis was under way. Then the headline replaced that line, and the critical path
    // marks the rows (the root's own bar is all critical path).
    assert.ok(probe.rowsWhileAnalysing >= 1, `frames with rows while analysing: ${probe.rowsWhileAnalysing}`);
    assert.match(probe.analysingText ?? '', /critical path of 100000 spans/);
    const headline = await waitUntil('the headline of the large trace', () => textOf(page, HEADLINE), (t) => t != null && !/weather-service/.test(t), {
      timeout: LOAD_MS,
    });
    assert.match(headline, /took/, headline);
    assert.equal(await countOf(page, ANALYSING), 0, 'the analysing line is gone');
    await waitUntil('critical-path marks in the rows', () => countOf(page, `${ROWS} .cp`), (n) => n >= 1);

    // The trace header counts every span; the processes (written last) named the services.
    const header = await textOf(page, '[data-testid=trace-header]');
    assert.match(header, /100000 spans/, header);
    assert.match(header, new RegExp(`${SERVICES} services`), header);

    // Virtualised: far fewer rows in the DOM than spans.
    const rowsInDom = await countOf(page, ROWS);
    assert.ok(rowsInDom > 10 && rowsInDom < 200, `${rowsInDom} rows in the DOM`);

    // Scroll to the very bottom: the last span in tree order is shown. The root's children are
    // spans 1…100, each heading a chain i, i+100, i+200…; span 100 starts last, so its chain ends
    // the tree, with span SPANS - 100.
    await page.evaluate((sel) => {
      const el = document.querySelector(sel);
      el.scrollTop = el.scrollHeight;
    }, TIMELINE);
    const last = await waitUntil(
      'the deepest last span in view',
      () => page.$$eval(ROWS, (rows) => rows.map((r) => r.getAttribute('data-span-id'))),
      (ids) => ids.at(-1) === (SPANS - 100 + 1).toString(16).padStart(16, '0'),
      { timeout: 30_000 },
    );
    assert.ok(last.length < 200, `${last.length} rows in the DOM at the bottom`);

    // Collapse all: one row, the root, carrying its subtree's critical path; the URL keeps the
    // 300 collapsed spans highest in the tree, in tree order: the root, then the first chain
    // (spans 1, 101, 201…, parents down to its last). Expand all brings the rows back.
    await page.click('[data-testid=collapse-all]');
    await waitUntil('only the root row', () => countOf(page, ROWS), (n) => n === 1, { timeout: 30_000 });
    assert.ok((await countOf(page, `${ROWS} .cp`)) >= 1, 'the collapsed root shows the critical path of its subtree');
    const collapsed = await waitUntil('the collapsed ids in the URL', () => page.evaluate(() => new URL(location.href).searchParams.get('collapsed')), (c) => c != null, {
      timeout: 30_000,
    });
    const top300 = [0, ...Array.from({ length: 299 }, (_, k) => 1 + 100 * k)].map((i) => (i + 1).toString(16).padStart(16, '0')).join(',');
    assert.equal(collapsed, top300);
    await page.click('[data-testid=expand-all]');
    await waitUntil('the rows again', () => countOf(page, ROWS), (n) => n > 10, { timeout: 30_000 });

    // Find over the whole trace: the 100 spans named checkout. The trace is searched a frame's
    // worth at a time: frames came while the count said how far the search got.
    await page.evaluate((sel) => {
      window.__find = { texts: [], done: false };
      const tick = () => {
        const text = document.querySelector(sel)?.textContent ?? '';
        const list = window.__find.texts;
        if (list[list.length - 1] !== text) list.push(text);
        if (!window.__find.done) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }, MATCH_COUNT);
    await page.fill(FIND, 'checkout');
    const count = await waitUntil('the match count', () => textOf(page, MATCH_COUNT), (t) => /\b100\b/.test(t ?? ''), {
      timeout: 60_000,
    });
    assert.match(count, /100 matches/);
    const texts = await page.evaluate(() => {
      window.__find.done = true;
      return window.__find.texts;
    });
    const progress = texts.filter((t) => /^searching… \d+ %$/.test(t));
    assert.ok(progress.length >= 2, `frames showed the search moving: ${JSON.stringify(texts)}`);
  }),
);

test('a load can be cancelled while it reads: nothing of it is listed, and what was loaded stays', { timeout: 300_000 }, () =>
  runInPage(browser, 'large', 'cancel', async ({ page }) => {
    await page.goto(server.url);
    await page.waitForSelector(HEADLINE, { timeout: 60_000 });
    const demo = await textOf(page, HEADLINE);
    await page.setInputFiles('[data-testid=file-input]', file);
    // Cancel once the progress line counts spans: the file is being read.
    await waitUntil('the progress line to count spans', () => textOf(page, LOADING), (t) => /MB, [\d,]+ spans/.test(t ?? ''), { timeout: LOAD_MS });
    await page.click('[data-testid=cancel-load]');
    await waitUntil('the loading line to go', () => countOf(page, LOADING), (n) => n === 0, { timeout: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await countOf(page, '[data-testid=trace-list-item]'), 1, 'only the demo is listed');
    assert.equal(await textOf(page, HEADLINE), demo, 'the demo is still shown');
    assert.equal(await countOf(page, '[data-testid=message]'), 0, 'a cancel is no failure');
  }),
);
