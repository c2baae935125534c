// The README's embedding snippets, taken from README.md itself and run: the dashboard iframe and
// the Grafana panel (a host page on another origin framing the app), Jaeger UI's linkPatterns
// and Grafana's data link (the URLs they build, with a trace id from the Jaeger replay server),
// and the reverse proxy (its locations and its frame-ancestors header, played by a small Node
// proxy in front of the app and the replay server, since nginx is not installed here).
//
// A README edit that breaks a snippet (a parameter renamed, a template variable mistyped, a
// header dropped) fails here.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';
import { startJaegerReplay, corpusTraces } from '../jaeger-replay/server.mjs';
import {
  repoRoot,
  ensureDist,
  launchBrowser,
  runInPage,
  waitUntil,
  textOf,
  clearFailureScreenshots,
  artifactPath,
} from '../lib/harness.mjs';

const PREFIX = 'readme';
const README = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

/** The fenced code blocks of a language in the README, in order. */
function blocks(lang) {
  const out = [];
  const re = new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g');
  for (const m of README.matchAll(re)) out.push(m[1].replace(/^ {2}/gm, ''));
  return out;
}

/** The one block of `lang` that contains `marker`. */
function snippet(lang, marker) {
  const found = blocks(lang).filter((b) => b.includes(marker));
  assert.equal(found.length, 1, `README.md has one \`\`\`${lang} block with ${marker}`);
  return found[0];
}

const APP = 'https://traceglass.example.com/';
const JAEGER = encodeURIComponent('https://jaeger.example.com');

let browser;
let app;
let jaeger;
let trace;

before(async () => {
  clearFailureScreenshots(PREFIX);
  const dist = ensureDist();
  jaeger = await startJaegerReplay({ api: 'both', cors: true });
  app = await startServer({ root: dist, cors: true, spaFallback: true });
  trace = corpusTraces().find((c) => c.generation === 'v3' && c.spanCount > 5);
  assert.ok(trace, 'the replay corpus serves a v3 trace');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all([app?.close(), jaeger?.close()]);
});

/** A snippet's URL pointed at the test's app, Jaeger and trace. */
function localise(text, template) {
  return text
    .replaceAll(APP, app.url)
    .replaceAll(JAEGER, encodeURIComponent(jaeger.url))
    .replaceAll(template, trace.traceId);
}

/**
 * Serves `html` as `page.html` on an origin of its own (`127.0.0.1:<port>`, or `localhost:<port>`
 * with `name`), for real: Chromium refuses a frame of 127.0.0.1 in a page that route() made up.
 */
async function framingPage(html, { name = '127.0.0.1' } = {}) {
  const server = await startServer({ root: path.join(repoRoot, 'examples', 'embed'), files: { '/page.html': html } });
  const base = server.url.replace('127.0.0.1', name);
  return { url: `${base}page.html`, origin: new URL(base).origin, close: () => server.close() };
}

/** A page that frames the URL of its `?src=` in a 400 × 200 iframe. */
const FRAMER =
  '<!doctype html><meta charset="utf-8"><iframe id="f" width="400" height="200"></iframe>' +
  '<script>document.getElementById("f").src = new URLSearchParams(location.search).get("src");</script>';

/** Waits for the app (page or frame) to show the replayed trace's id and a headline. */
async function expectTrace(where) {
  await where.waitForSelector('[data-testid=headline]');
  const requested = jaeger.requests.filter((r) => r.path.includes(trace.traceId));
  assert.ok(requested.length > 0, `the trace ${trace.traceId} was asked of the Jaeger replay`);
}

test('the dashboard iframe and the Grafana panel snippets show the bottleneck card in a frame', async (t) => {
  const plain = snippet('html', 'width="400" height="200"');
  const grafana = snippet('html', '${trace_id}');
  for (const [label, html, template] of [
    ['iframe', plain, '4bf92f3577b34da6a3ce929d0e0e4736'],
    ['grafana-panel', grafana, '${trace_id}'],
  ]) {
    await t.test(label, async () => {
      const iframe = localise(html, template);
      assert.match(iframe, /uiEmbed=v0&view=card/);
      const page = `<!doctype html><meta charset="utf-8"><div style="width:400px;height:200px">${iframe}</div>`;
      const panel = await framingPage(page);
      t.after(() => panel.close());
      await runInPage(browser, PREFIX, label, async ({ page: p }) => {
        await p.goto(panel.url);
        const frame = await waitUntil('the app frame', () => p.frames().find((f) => f.url().startsWith(app.url)));
        await expectTrace(frame);
        assert.equal(await frame.locator('[data-testid=bottleneck-card]').count(), 1, 'the card is shown');
        assert.equal(await frame.locator('header.topbar').count(), 0, 'no header in the frame');
        if (label === 'grafana-panel') await p.screenshot({ path: artifactPath('readme-grafana-panel.png') });
      });
    });
  }
});

test("Jaeger UI's linkPatterns and Grafana's data link open the trace in Traceglass", async (t) => {
  const config = JSON.parse(snippet('json', 'linkPatterns'));
  const pattern = config.linkPatterns.find((l) => l.type === 'traces');
  assert.ok(pattern, 'a link pattern of type traces');
  assert.match(pattern.url, /#\{traceID\}/, 'it uses the traces template field traceID');
  const dataLink = README.match(/`(https:\/\/traceglass\.example\.com\/[^`]*\$\{__value\.raw\}[^`]*)`/);
  assert.ok(dataLink, 'the README gives a Grafana data link URL with ${__value.raw}');
  for (const [label, url, template] of [
    ['linkPatterns', pattern.url, '#{traceID}'],
    ['grafana-data-link', dataLink[1], '${__value.raw}'],
  ]) {
    await t.test(label, async () => {
      await runInPage(browser, PREFIX, label, async ({ page }) => {
        await page.goto(localise(url, template));
        await expectTrace(page);
        await waitUntil('the trace id in the header', () => textOf(page, '.trace-id'), (s) => s?.includes(trace.traceId));
      });
    });
  }
});

/**
 * Plays the README's nginx server block: `location /traceglass/` serves the app with
 * `try_files … /traceglass/index.html`, `location /api/` proxies to Jaeger, and every answer
 * carries the block's Content-Security-Policy header (its Grafana origin replaced).
 */
async function startProxy(block, allowedOrigin) {
  const csp = block.match(/add_header Content-Security-Policy "([^"]+)"/);
  assert.ok(csp, 'the nginx block sends a Content-Security-Policy header');
  assert.match(csp[1], /frame-ancestors/);
  assert.match(block, /location \/traceglass\/ \{[\s\S]*?try_files \$uri \/traceglass\/index\.html;/);
  assert.match(block, /location \/api\/ \{ proxy_pass http:\/\/jaeger-query:16686; \}/);
  const header = csp[1].replace('https://grafana.example.com', allowedOrigin);
  const dist = ensureDist();
  const files = await startServer({ root: dist, prefix: '/traceglass/', spaFallback: true });
  const forward = (target, req, res) => {
    const upstream = http.request(new URL(req.url, target), { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode, { ...up.headers, 'content-security-policy': header });
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  };
  const server = http.createServer((req, res) => {
    if (req.url.startsWith('/api/')) forward(new URL(jaeger.url).origin, req, res);
    else if (req.url.startsWith('/traceglass/')) forward(files.origin, req, res);
    else res.writeHead(404).end();
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    close: async () => {
      await new Promise((ok) => server.close(ok));
      await files.close();
    },
  };
}

test('behind the reverse proxy: /traceglass/trace/<id> opens from the same-origin Jaeger, framing only from the allowed origin', async (t) => {
  const block = snippet('nginx', 'frame-ancestors');
  const allowed = await framingPage(FRAMER);
  const elsewhere = await framingPage(FRAMER, { name: 'localhost' });
  const proxy = await startProxy(block, allowed.origin);
  try {
    await t.test("Jaeger UI's trace path, no ?jaeger", async () => {
      await runInPage(browser, PREFIX, 'proxy-trace-path', async ({ page }) => {
        await page.goto(`${proxy.origin}/traceglass/trace/${trace.traceId}`);
        await expectTrace(page);
        assert.equal(new URL(page.url()).pathname, `/traceglass/trace/${trace.traceId}`);
      });
    });
    await t.test('framed by the allowed origin, refused elsewhere', async () => {
      const src = encodeURIComponent(`${proxy.origin}/traceglass/trace/${trace.traceId}?uiEmbed=v0&view=card`);
      await runInPage(browser, PREFIX, 'proxy-framed', async ({ page }) => {
        await page.goto(`${allowed.url}?src=${src}`);
        const frame = await waitUntil('the app frame', () => page.frames().find((f) => f.url().startsWith(proxy.origin)));
        await expectTrace(frame);
      });
      // Another origin (the same kind of page under the name localhost): refused.
      await runInPage(browser, PREFIX, 'proxy-refused', async ({ page }) => {
        await page.goto(`${elsewhere.url}?src=${src}`);
        // The allowed origin's frame shows the app within a second or two; give this one 5 s.
        const shown = await waitUntil(
          'the app in a frame of an origin frame-ancestors does not list',
          async () => {
            const frame = page.frames().find((f) => f !== page.mainFrame());
            return frame ? frame.locator('[data-testid=app]').count().catch(() => 0) : 0;
          },
          (n) => n > 0,
          { timeout: 5000 },
        ).then(() => true, () => false);
        assert.equal(shown, false, 'the browser refused to frame the app for an origin frame-ancestors does not list');
      });
    });
  } finally {
    await Promise.all([proxy.close(), allowed.close(), elsewhere.close()]);
  }
});

test("config.json's Jaeger (the README's block) is where /trace/<id> and traceId go without ?jaeger", async () => {
  const block = snippet('json', '"baseUrl": "https://jaeger.example.com"');
  const config = JSON.parse(block.replace('https://jaeger.example.com', new URL(jaeger.url).origin));
  const configured = await startServer({
    root: ensureDist(),
    spaFallback: true,
    files: { '/config.json': JSON.stringify(config) },
  });
  try {
    for (const [label, url] of [
      ['config-trace-path', `${configured.url}trace/${trace.traceId}`],
      ['config-trace-id', `${configured.url}?traceId=${trace.traceId}`],
    ]) {
      const before = jaeger.requests.length;
      await runInPage(browser, PREFIX, label, async ({ page }) => {
        await page.goto(url);
        await page.waitForSelector('[data-testid=headline]');
        await waitUntil('the trace id in the header', () => textOf(page, '.trace-id'), (s) => s?.includes(trace.traceId));
        const asked = jaeger.requests.slice(before).filter((r) => r.path.includes(trace.traceId));
        assert.ok(asked.length > 0, 'the trace came from the Jaeger config.json names');
      });
    }
  } finally {
    await configured.close();
  }
});
