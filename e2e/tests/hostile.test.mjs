// End-to-end tests of hostile input (issue #18 §4).
// - A 1.1 MB gzip that inflates to one 1.1 GB JSON string used to trap the wasm
//   (`RuntimeError: unreachable`) and leave the page dead. It must stop with a message that names
//   the file and says why, and leave what was loaded in place.
// - `e2e/fixtures/hostile.json` carries HTML, script and `javascript:`/`data:` URLs in every field
//   that is shown (services, operations, attribute keys and values, events, process tags,
//   references to another trace, warnings), and one https URL. Loaded from a file with a hostile
//   name, and from Jaeger (search results, an error message), every view that shows those fields
//   shows each as text, creates no element from it, runs none of it (no `window.__pwned`, no
//   content-security-policy violation), and links nothing but http(s).
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';

import { startServer } from '../lib/server.mjs';
import { startJaegerReplay } from '../jaeger-replay/server.mjs';
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
  repoRoot,
} from '../lib/harness.mjs';

const ARTIFACT_PREFIX = 'hostile';

/** A gzip of `{"data":[{…,"warnings":"xxx…"}]}` with `mb` megabytes of x in one string. */
function bomb(mb) {
  return new Promise((resolve, reject) => {
    const gz = zlib.createGzip({ level: 9 });
    const out = [];
    gz.on('data', (c) => out.push(c));
    gz.on('end', () => resolve(Buffer.concat(out)));
    gz.on('error', reject);
    gz.write('{"data":[{"traceID":"a","spans":[],"processes":{},"warnings":"');
    const chunk = Buffer.alloc(1 << 20, 'x');
    for (let i = 0; i < mb; i++) gz.write(chunk);
    gz.end('"}]}');
  });
}

let browser;
let server;
let jaeger;

before(async () => {
  const dist = ensureDist();
  clearFailureScreenshots(ARTIFACT_PREFIX);
  browser = await launchBrowser();
  server = await startServer({ root: dist });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await jaeger?.close();
});

test('a small gzip holding a 1.1 GB string stops with a message; the page and the demo stay', { timeout: 180_000 }, async () => {
  const bytes = await bomb(1100);
  assert.ok(bytes.length < 2_000_000, `${bytes.length} bytes`);
  const { page, errors, close } = await newPage(browser);
  try {
    await page.goto(server.url);
    await waitUntil('the demo', () => countOf(page, '[data-testid=headline]'), (n) => n > 0);
    await chooseFiles(page, [{ name: 'bomb.json.gz', bytes, type: 'application/gzip' }]);
    await waitUntil(
      'a message naming the file',
      () => textOf(page, '[data-testid=messages]'),
      (t) => t?.includes('bomb.json.gz') && t.includes('holds no complete span or document'),
      { timeout: 120_000 },
    );
    // The page lives: the demo is still listed and shown, and nothing is loading.
    assert.equal(await countOf(page, '[data-testid=trace-list-item]'), 1);
    assert.match(await textOf(page, '[data-testid=headline]'), /^GET \/slow \(flask-app\) took 6\.01 s/);
    await waitUntil('no load under way', () => countOf(page, '[data-testid=loading]'), (n) => n === 0);
    assert.deepEqual(pageErrors(errors), []);
  } catch (e) {
    await page.screenshot({ path: artifactPath(`fail-${ARTIFACT_PREFIX}-bomb.png`) }).catch(() => {});
    throw e;
  } finally {
    await close();
  }
});

// ---------------------------------------------------------------------------------------------
// The hostile fixture

const HOSTILE_DIR = path.join(repoRoot, 'e2e', 'fixtures');
const HOSTILE_BYTES = fs.readFileSync(path.join(HOSTILE_DIR, 'hostile.json'));
/** Every hostile string of the fixture, by the field it sits in. */
const P = JSON.parse(HOSTILE_BYTES.toString('utf8')).payloads;
const FILE_NAME = '<img class=tg-pwn src=x onerror=__pwned=20>.json';
const BROKEN_NAME = '<svg class=tg-pwn onload=__pwned=21>.json';
const JAEGER_ERROR = '<img class=tg-pwn src=x onerror=__pwned=22>storage down';

/** The fixture's trace with another id, every span twice as long: the other side of a comparison. */
function slowerCopy() {
  const doc = JSON.parse(HOSTILE_BYTES.toString('utf8'));
  const trace = doc.data[0];
  const id = 'fedcba9876543210fedcba9876543210';
  for (const s of trace.spans) {
    for (const r of s.references) if (r.traceID === trace.traceID) r.traceID = id;
    s.traceID = id;
    s.duration *= 2;
  }
  trace.traceID = id;
  return Buffer.from(JSON.stringify(doc));
}

/** A page that records content-security-policy violations (an injected script or handler is one). */
async function hostilePage() {
  const p = await newPage(browser);
  await p.context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'}`);
    });
  });
  return p;
}

/**
 * What must hold on every view: nothing ran (`__pwned` unset, no CSP violation), no element came
 * from the data (every payload carries `class=tg-pwn` or an inline handler; the app itself makes
 * no img, iframe, object, embed or marquee), and every link is http(s) or the app's own relative
 * one.
 */
async function nothingInjected(page, where) {
  const r = await page.evaluate(() => ({
    pwned: window.__pwned,
    violations: window.__violations ?? [],
    injected: [
      ...document.querySelectorAll('.tg-pwn, [onerror], [onload], [onmouseover], [onstart], [ontoggle], img, iframe, object, embed, marquee'),
    ].map((e) => e.outerHTML.slice(0, 100)),
    hrefs: [...document.querySelectorAll('a[href], area[href]')].map((a) => a.getAttribute('href')),
    srcs: [...document.querySelectorAll('[src]')].map((e) => e.getAttribute('src')).filter((s) => /^\s*(javascript|data):/i.test(s)),
  }));
  assert.equal(r.pwned, undefined, `${where}: a payload ran`);
  assert.deepEqual(r.violations, [], `${where}: CSP violations`);
  assert.deepEqual(r.injected, [], `${where}: elements from trace data`);
  assert.deepEqual(r.srcs, [], `${where}: javascript:/data: sources`);
  for (const href of r.hrefs) {
    const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(href)?.[1]?.toLowerCase();
    assert.ok(scheme === undefined || scheme === 'http' || scheme === 'https', `${where}: a link to ${href}`);
  }
}

/** The page's text (shown or not) holds each of `strings`. */
async function showsAsText(page, where, strings, scope = 'body') {
  const text = await page.$eval(scope, (el) => el.textContent);
  for (const s of strings) assert.ok(text.includes(s), `${where}: ${JSON.stringify(s)} is shown as text`);
}

const ROWS = '[data-testid=timeline] [role=treeitem]';
const DETAIL = '[data-testid=span-detail]';

test('hostile strings in every field: shown as text in every view, no element made, nothing run, only http(s) links', { timeout: 180_000 }, async () => {
  const { page, errors, close } = await hostilePage();
  try {
    await page.goto(server.url);
    await waitUntil('the demo', () => countOf(page, '[data-testid=headline]'), (n) => n > 0);
    await chooseFiles(page, [
      { name: FILE_NAME, bytes: HOSTILE_BYTES, type: 'application/json' },
      { name: 'slower.json', bytes: slowerCopy(), type: 'application/json' },
    ]);
    await waitUntil('both listed', () => countOf(page, '[data-testid=trace-list-item]'), (n) => n === 3);

    // The trace list: root service and operation, and the file name.
    await showsAsText(page, 'trace list', [FILE_NAME, P.service, P.operation], '[data-testid=trace-list]');
    await nothingInjected(page, 'trace list');

    // The trace header with its warnings, and the timeline's rows and their fields.
    await page.locator('[data-testid=trace-list-item]', { hasText: FILE_NAME }).click();
    await waitUntil('the hostile trace', () => textOf(page, '[data-testid=trace-header]'), (t) => t?.includes('3 spans'));
    await showsAsText(page, 'trace header', [P.service, P.operation, P.warning], '[data-testid=trace-header]');
    await waitUntil('three rows', () => countOf(page, ROWS), (n) => n === 3);
    await showsAsText(page, 'timeline', [P.operation, P.operation2, P.service2], '[data-testid=timeline]');
    // The statement's field shows it with its literals replaced, and in full in its title (text).
    const fields = (await page.$$eval(`${ROWS} [data-testid=row-field]`, (els) => els.map((e) => `${e.textContent} | ${e.getAttribute('title')}`))).join('\n');
    assert.ok(fields.includes('tg-pwn'), `the statement's field holds its text: ${fields}`);
    await nothingInjected(page, 'timeline');

    // The span detail of the root: attributes (keys and values), its event, its process tags,
    // its warning; the https value is a link, the javascript: and data: values are not.
    await page.locator(ROWS, { hasText: P.operation }).first().click();
    await page.locator(DETAIL).waitFor();
    await showsAsText(page, 'root detail', [P.tagKey, P.tagValue, P.jsUrl, P.dataUrl, P.event, P.logMessage, P.processKey, P.processValue, P.spanWarning, P.webUrl], DETAIL);
    assert.ok((await countOf(page, `${DETAIL} a[href="${P.webUrl}"]`)) >= 1, 'the https value is a link');
    const linkTexts = await page.$$eval(`${DETAIL} a`, (as) => as.map((a) => a.textContent));
    for (const notLink of [P.jsUrl, P.dataUrl, P.tagValue]) assert.ok(!linkTexts.includes(notLink), `${notLink} is no link`);
    await nothingInjected(page, 'root detail');

    // The child's detail: its statement, and its reference to another trace by hostile ids.
    await page.locator(ROWS, { hasText: 'query' }).first().click();
    await waitUntil('the child detail', () => textOf(page, DETAIL), (t) => t?.includes('postgresql'));
    await showsAsText(page, 'child detail', [P.statement, P.linkTrace, P.linkSpan, P.webUrl], DETAIL);
    await nothingInjected(page, 'child detail');

    // Statistics.
    await page.click('[data-testid=tab-statistics]');
    await page.locator('[data-testid=statistics]').waitFor();
    await showsAsText(page, 'statistics by service', [P.service, P.service2], '[data-testid=statistics]');
    await page.selectOption('[data-testid=statistics] select[data-testid=group-by]', 'operation');
    await waitUntil('statistics by operation', () => page.$eval('[data-testid=statistics]', (el) => el.textContent), (t) => t.includes(P.operation2));
    await showsAsText(page, 'statistics by operation', [P.operation, P.operation2], '[data-testid=statistics]');
    await nothingInjected(page, 'statistics');

    // The flame graph's tooltip on the root.
    await page.click('[data-testid=tab-flame]');
    const canvas = page.locator('[data-testid=flame-canvas]');
    await canvas.waitFor();
    const box = await canvas.boundingBox();
    const rowHeight = Number(await canvas.getAttribute('data-row-height'));
    await canvas.hover({ position: { x: box.width * 0.5, y: rowHeight / 2 } });
    await waitUntil('the tooltip', () => textOf(page, '[data-testid=flame-tooltip]'), (t) => t?.includes('GET /x'));
    await showsAsText(page, 'flame tooltip', [P.operation], '[data-testid=flame-tooltip]');
    await nothingInjected(page, 'flame graph');

    // The service map: a node per service, the names as text (or, shortened, in data-service).
    await page.click('[data-testid=tab-service-map]');
    // This trace's services only (the demo is loaded too).
    await page.locator('[data-testid=service-map-one-trace] input, input[data-testid=service-map-one-trace]').first().check();
    await waitUntil('two services', () => countOf(page, '[data-testid=service-node]'), (n) => n === 2);
    const services = await page.$$eval('[data-testid=service-node]', (els) => els.map((e) => e.getAttribute('data-service')));
    assert.deepEqual(services.sort(), [P.service, P.service2].sort());
    const mapText = await page.$eval('[data-testid=service-map]', (el) => el.textContent);
    assert.ok(mapText.includes('tg-pwn'), 'the names are text on the map');
    await nothingInjected(page, 'service map');

    // The comparison with the slower copy.
    await page.click('[data-testid=tab-timeline]');
    const select = page.locator('[data-testid=compare-with]');
    await select.focus();
    const slowerKey = await page.locator('[data-testid=trace-list-item]', { hasText: 'slower.json' }).getAttribute('data-key');
    await waitUntil('the other traces offered', () => select.locator('option').count(), (n) => n >= 3);
    await showsAsText(page, 'compare-with options', ['tg-pwn'], '[data-testid=compare-with]');
    await select.selectOption(slowerKey);
    await waitUntil('the comparison', () => countOf(page, '[data-testid=compare-row]'), (n) => n >= 2);
    await showsAsText(page, 'comparison', [P.operation2], '[data-testid=compare]');
    await nothingInjected(page, 'comparison');

    // The summary across traces.
    await page.click('[data-testid=pane-summary]');
    await page.locator('[data-testid=summary]').waitFor();
    await waitUntil('the summary names the root', () => page.$eval('[data-testid=summary]', (el) => el.textContent), (t) => t.includes('tg-pwn'));
    await nothingInjected(page, 'summary');

    // A file that cannot be read, with a hostile name: the message names it as text.
    await chooseFiles(page, [{ name: BROKEN_NAME, bytes: 'not a trace', type: 'application/json' }]);
    await waitUntil('the message naming it', () => page.$eval('[data-testid=messages]', (el) => el.textContent), (t) => t.includes(BROKEN_NAME));
    await nothingInjected(page, 'messages');
    assert.deepEqual(pageErrors(errors), []);
  } catch (e) {
    await page.screenshot({ path: artifactPath(`fail-${ARTIFACT_PREFIX}-fixture.png`) }).catch(() => {});
    throw e;
  } finally {
    await close();
  }
});

test('hostile strings from Jaeger: search results and an error message are text', { timeout: 120_000 }, async () => {
  jaeger = await startJaegerReplay({ api: 'v1', cors: true, fixturesDir: HOSTILE_DIR, traces: ['hostile.json'] });
  const served = jaeger.traces[0];
  const { page, errors, close } = await hostilePage();
  try {
    await page.goto(`${server.url}?${new URLSearchParams({ jaeger: jaeger.url })}`);
    await waitUntil('connected', () => textOf(page, '[data-testid=jaeger-status]'), (s) => s?.includes('Connected, API v1'));
    // The services list holds the hostile names as options.
    await showsAsText(page, 'services', [P.service, P.service2], '[data-testid=jaeger-service]');
    await page.selectOption('[data-testid=jaeger-service]', P.service);
    await page.selectOption('[data-testid=jaeger-lookback]', 'custom');
    // A day on each side: the window is typed in the browser's time zone, whatever it is.
    const minute = (us, up) => new Date(Number(BigInt(us) / 1000n) + (up ? 1 : -1) * 86_400_000).toISOString().slice(0, 16);
    await page.fill('[data-testid=jaeger-start]', minute(served.searchWindow.min, false));
    await page.locator('[data-testid=jaeger-start]').dispatchEvent('change');
    await page.fill('[data-testid=jaeger-end]', minute(served.searchWindow.max, true));
    await page.locator('[data-testid=jaeger-end]').dispatchEvent('change');
    await page.click('[data-testid=jaeger-search]');
    await waitUntil('the result', () => countOf(page, '[data-testid=result]'), (n) => n === 1);
    await showsAsText(page, 'search results', [P.service, P.operation, P.service2], '[data-testid=results]');
    await nothingInjected(page, 'search results');
    await page.locator('[data-testid=result]').first().click();
    await waitUntil('the trace', () => textOf(page, '[data-testid=trace-header]'), (t) => t?.includes('3 spans'));
    await showsAsText(page, 'trace from Jaeger', [P.operation, P.warning], '[data-testid=trace-header]');
    await nothingInjected(page, 'trace from Jaeger');

    // Jaeger's error message, as its envelope carries it.
    jaeger.set({ failWith: { status: 500, message: JAEGER_ERROR } });
    await page.click('[data-testid=jaeger-search]');
    await waitUntil('the error', () => textOf(page, '[data-testid=jaeger-status]'), (s) => s?.includes('HTTP 500'));
    await showsAsText(page, 'Jaeger status', [JAEGER_ERROR], '[data-testid=jaeger-status]');
    await showsAsText(page, 'messages', [JAEGER_ERROR], '[data-testid=messages]');
    await nothingInjected(page, 'Jaeger error');
    assert.deepEqual(pageErrors(errors), []);
  } catch (e) {
    await page.screenshot({ path: artifactPath(`fail-${ARTIFACT_PREFIX}-jaeger.png`) }).catch(() => {});
    throw e;
  } finally {
    await close();
  }
});
