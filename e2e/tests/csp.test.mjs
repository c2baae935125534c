// End-to-end tests of the page's content-security policy (scripts/csp.py, run by trunk after
// each build): the built page carries it, with this build's inline scripts allowed by hash;
// the app runs through its views with no violation reported, standalone and embedded in a page
// of another origin; and the policy is in force: an inline script or a style attribute added
// to the page is refused.
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

import { startEmbed } from '../lib/embed.mjs';
import {
  ensureDist,
  ensureFixtures,
  fixture,
  clearFailureScreenshots,
  launchBrowser,
  runInPage,
  chooseFiles,
  waitUntil,
  countOf,
} from '../lib/harness.mjs';
import { startServer } from '../lib/server.mjs';

const ARTIFACT_PREFIX = 'csp';
const HOTROD = '/fixtures/otlp/hotrod-40spans-6services.json';

let browser;
let dist;
let server;
let embed;

before(
  async () => {
    dist = ensureDist();
    const fixtures = ensureFixtures();
    clearFailureScreenshots(ARTIFACT_PREFIX);
    browser = await launchBrowser();
    server = await startServer({ root: dist, cors: true, extraMounts: { '/fixtures/': fixtures } });
    embed = await startEmbed({ dist, allowHost: true });
  },
  { timeout: 60_000 },
);

after(async () => {
  await server?.close();
  await embed?.close();
  await browser?.close();
});

/** Every frame of the page records the violations it reports, from its first script on. */
async function recordViolations(context) {
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
}

const violations = (frame) => frame.evaluate(() => window.__cspViolations ?? ['no recorder in this frame']);

/** The policy of the built page, and the hashes of its inline scripts, as a browser hashes them. */
function builtPolicy() {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) =>
    crypto.createHash('sha256').update(m[1], 'utf8').digest('base64'),
  );
  return { html, policy: meta?.[1] ?? null, inline };
}

test('the built page carries the policy, before any script, with its inline scripts by hash', () => {
  const { html, policy, inline } = builtPolicy();
  assert.ok(policy, 'no Content-Security-Policy meta in dist/index.html');
  assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<script'), 'the policy comes after a script');
  const directives = Object.fromEntries(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(directives['default-src'], ["'none'"]);
  assert.deepEqual(directives['object-src'], ["'none'"]);
  assert.deepEqual(directives['base-uri'], ["'self'"]);
  assert.deepEqual(directives['style-src'], ["'self'"]);
  assert.ok(directives['script-src'].includes("'wasm-unsafe-eval'"));
  assert.ok(!directives['script-src'].includes("'unsafe-inline'") && !directives['script-src'].includes("'unsafe-eval'"));
  // Exactly this build's inline scripts: the base-path script, the last-resort banner and
  // trunk's loader.
  assert.equal(inline.length, 3);
  assert.deepEqual(directives['script-src'].filter((s) => s.startsWith("'sha256-")).sort(), inline.map((h) => `'sha256-${h}'`).sort());
  assert.equal(directives['frame-ancestors'], undefined, 'frame-ancestors is the server\'s to send');
});

test('standalone: every view runs with no violation', { timeout: 120_000 }, async () => {
  await runInPage(browser, ARTIFACT_PREFIX, 'standalone', async ({ page, context }) => {
    await recordViolations(context);
    await page.goto(`${server.url}?url=${encodeURIComponent(HOTROD)}`);
    await waitUntil('the headline', () => countOf(page, '[data-testid=headline]'), (n) => n > 0);
    // The trace's views.
    await page.click('[data-testid=tab-statistics]');
    await page.click('[data-testid=tab-flame]');
    const flame = page.locator('[data-testid=flame-canvas]');
    await waitUntil('the flame graph', () => flame.getAttribute('data-rects'), (n) => Number(n) > 0);
    const box = await flame.boundingBox();
    await page.mouse.move(box.x + box.width / 3, box.y + 8);
    await page.locator('[data-testid=flame-tooltip]').waitFor();
    await page.click('[data-testid=tab-service-map]');
    await page.locator('[data-testid=service-node]').first().click();
    await page.locator('[data-testid=service-filter]').waitFor();
    await page.click('[data-testid=row-options] > summary');
    await page.locator('[data-testid=group-repeats]').check();
    await page.locator('[data-testid=timeline] [role=treeitem]').nth(2).click();
    await page.locator('[data-testid=span-detail]').waitFor();
    await page.click('[data-testid=share-button]');
    await page.locator('[data-testid=share-panel]').waitFor();
    await page.click('[data-testid=share-button]');
    // More traces: the file pane, the summary with its canvases, a comparison.
    const files = ['13.json', '14.json'].map((n) => ({ name: n, bytes: fixture(`crisp/${n}`), type: 'application/json' }));
    await chooseFiles(page, files);
    await waitUntil('three traces', () => countOf(page, '[data-testid=trace-list-item]'), (n) => n === 3);
    await page.click('[data-testid=pane-summary]');
    await page.locator('[data-testid=summary-group]').first().waitFor();
    for (const name of ['13.json', '14.json']) {
      await page.locator('[data-testid=trace-list-item]', { hasText: name }).locator('[data-testid=tick-trace]').check();
    }
    await page.click('[data-testid=compare-ticked]');
    await page.locator('[data-testid=compare-headline]').waitFor();
    assert.deepEqual(await violations(page), []);
  });
});

test('the policy is in force: an inline script and a style attribute added to the page are refused and reported', { timeout: 60_000 }, async () => {
  // Not through runInPage: the refusals are logged as console errors, which is the point here.
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await recordViolations(context);
    await page.goto(server.url);
    await waitUntil('the demo', () => countOf(page, '[data-testid=headline]'), (n) => n > 0);
    assert.deepEqual(await violations(page), []);
    const ran = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true;';
      document.head.appendChild(s);
      document.body.setAttribute('style', 'outline: 3px solid red');
      await new Promise((r) => setTimeout(r, 100));
      return { injected: window.__injected === true, outline: getComputedStyle(document.body).outlineStyle };
    });
    assert.deepEqual(ran, { injected: false, outline: 'none' });
    const reported = await violations(page);
    assert.ok(reported.some((v) => v.startsWith('script-src-elem blocked inline')), `no script violation: ${reported}`);
    assert.ok(reported.some((v) => v.startsWith('style-src-attr blocked inline')), `no style violation: ${reported}`);
  } finally {
    await context.close();
  }
});

test('embedded in a page of another origin: the card and the postMessage-fed view report no violation', { timeout: 120_000 }, async () => {
  await runInPage(browser, ARTIFACT_PREFIX, 'embedded', async ({ page, context }) => {
    await recordViolations(context);
    await page.goto(embed.hostPage());
    const frameOf = async (selector) => {
      const frame = await (await page.waitForSelector(selector)).contentFrame();
      await waitUntil(`the frame ${selector} to show the app`, () => frame.url(), (u) => u.startsWith(`${embed.app.origin}/`));
      return frame;
    };
    const viewer = await frameOf('#viewer');
    const card = await frameOf('#card');
    await waitUntil('the card', () => countOf(card, '[data-testid=headline]'), (n) => n > 0);
    await waitUntil('the viewer ready', () => page.evaluate(() => window.traceglassHost.received.some((m) => m.data?.type === 'ready')), Boolean);
    await page.click('#load-demo');
    await waitUntil('the demo in the viewer', () => countOf(viewer, '[data-testid=headline]'), (n) => n > 0);
    await viewer.locator('[data-testid=timeline] [role=treeitem]').nth(1).click();
    assert.deepEqual(await violations(viewer), []);
    assert.deepEqual(await violations(card), []);
  });
});
