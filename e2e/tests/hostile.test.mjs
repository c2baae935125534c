// End-to-end test of hostile input (issue #18): a 1.1 MB gzip that inflates to one 1.1 GB JSON
// string used to trap the wasm (`RuntimeError: unreachable`) and leave the page dead. It must
// stop with a message that names the file and says why, and leave what was loaded in place.
// Run with `npm test` in e2e/ after `trunk build --release`; see ../README.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';

import { startServer } from '../lib/server.mjs';
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
