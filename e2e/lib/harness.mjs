import assert from 'node:assert/strict';
// Shared helpers for the end-to-end tests: where things are, the browser, pages that record
// their errors, file drops, and a polling wait.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The repository root (e2e/lib/../..). */
export const repoRoot = path.resolve(here, '..', '..');

/** The shared trace fixtures: `shared/fixtures` beside the repository (never copied into it). */
export const fixturesDir = path.resolve(repoRoot, '..', 'shared', 'fixtures');

/**
 * The trunk output folder: `dist/` of the repository, or `TRACEGLASS_DIST` when set (e.g. for a
 * build made with `trunk build --dist other`). Call `ensureDist()` before serving it.
 */
export const distDir = process.env.TRACEGLASS_DIST
  ? path.resolve(process.env.TRACEGLASS_DIST)
  : path.join(repoRoot, 'dist');

/** Screenshots and other outputs of a run (gitignored). */
export const artifactsDir = path.join(repoRoot, 'e2e', 'artifacts');

/** Debian's Chromium; Playwright's own browser download cannot work on these machines. */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The default wait for anything the app shows (it boots in about a second). */
export const WAIT_MS = 20_000;

export const VIEWPORT = { width: 1280, height: 800 };

/** Returns `distDir`, or throws a clear error when the app has not been built. */
export function ensureDist() {
  const index = path.join(distDir, 'index.html');
  if (!fs.existsSync(index)) {
    throw new Error(
      `${index} is missing: build the app first with \`trunk build --release\` ` +
        '(from the repository root), then run the end-to-end tests.',
    );
  }
  return distDir;
}

/** Returns `fixturesDir`, or throws a clear error when the shared fixtures are not beside the repo. */
export function ensureFixtures() {
  if (!fs.existsSync(fixturesDir)) {
    throw new Error(
      `the trace fixtures are missing: expected them at ${fixturesDir} ` +
        '(a `shared/fixtures` folder beside the repository).',
    );
  }
  return fixturesDir;
}

/** Reads a fixture file, e.g. `fixture('zipkin/yelp.json')`, as a Buffer. */
export function fixture(relPath) {
  return fs.readFileSync(path.join(ensureFixtures(), relPath));
}

/** Creates `artifactsDir` if needed and returns the path of `name` inside it. */
export function artifactPath(name) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  return path.join(artifactsDir, name);
}

/**
 * Deletes the `fail-<prefix>-*.png` screenshots a previous run of one test file left in
 * `artifactsDir`. Each test file has its own prefix and names its screenshots
 * `fail-<prefix>-<label>.png`, so in a full run (the files run one after another) a later file
 * does not delete the screenshots an earlier one just took.
 */
export function clearFailureScreenshots(prefix) {
  if (!prefix) throw new Error("clearFailureScreenshots: pass the test file's prefix");
  if (!fs.existsSync(artifactsDir)) return;
  for (const name of fs.readdirSync(artifactsDir)) {
    if (name.startsWith(`fail-${prefix}-`) && name.endsWith('.png')) fs.rmSync(path.join(artifactsDir, name), { force: true });
  }
}

/** Launches headless Debian Chromium with the flags these offline machines need. */
export async function launchBrowser() {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is missing at ${chromiumPath}: install Debian's \`chromium\` package ` +
        '(or set CHROMIUM_PATH).',
    );
  }
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Opens a page in a fresh browser context (1280x800) that records what went wrong:
 * - `errors`: `{ kind: 'pageerror' | 'console', text }`; tests assert there is no `pageerror`
 *   (console errors such as "Failed to load resource: 404" are expected in some tests).
 * - `failedRequests`: `{ url, status | failure }` for requests that failed at the network level or
 *   answered with status >= 400, except favicon.ico.
 * `close()` closes the context (and so the page).
 */
export async function newPage(browser, { viewport = VIEWPORT } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const errors = [];
  const failedRequests = [];
  page.on('pageerror', (err) => {
    errors.push({ kind: 'pageerror', text: String(err?.stack || err?.message || err) });
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push({ kind: 'console', text: msg.text() });
  });
  const isFavicon = (url) => new URL(url).pathname.endsWith('/favicon.ico');
  page.on('requestfailed', (request) => {
    if (!isFavicon(request.url())) {
      failedRequests.push({ url: request.url(), failure: request.failure()?.errorText ?? 'failed' });
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !isFavicon(response.url())) {
      failedRequests.push({ url: response.url(), status: response.status() });
    }
  });
  return { context, page, errors, failedRequests, close: () => context.close() };
}

/** The `pageerror` entries of a `newPage` error list. */
export function pageErrors(errors) {
  return errors.filter((e) => e.kind === 'pageerror');
}

/**
 * Drops files on the app's drop target `[data-testid=app]`: builds a DataTransfer of
 * `new File(...)`s inside the page and dispatches dragenter, dragover and drop on it.
 * @param {import('playwright-core').Page} page
 * @param {{ name: string, bytes: Buffer | Uint8Array | string, type?: string }[]} files
 */
export async function dropFiles(page, files, selector = '[data-testid=app]') {
  const payload = files.map((f) => ({
    name: f.name,
    type: f.type ?? '',
    base64: Buffer.from(f.bytes).toString('base64'),
  }));
  const dataTransfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const item of items) {
      const binary = atob(item.base64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      dt.items.add(new File([bytes], item.name, { type: item.type }));
    }
    return dt;
  }, payload);
  try {
    for (const type of ['dragenter', 'dragover', 'drop']) {
      await page.dispatchEvent(selector, type, { dataTransfer });
    }
  } finally {
    await dataTransfer.dispose();
  }
}

/** Chooses files through `input[type=file][data-testid=file-input]` (the non-drag path). */
export async function chooseFiles(page, files) {
  await page.setInputFiles(
    '[data-testid=file-input]',
    files.map((f) => ({ name: f.name, mimeType: f.type || 'application/octet-stream', buffer: Buffer.from(f.bytes) })),
  );
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe()` until `accept(value)` is true; returns the accepted value. On timeout throws
 * an error naming `what` and the last value seen (or the last error thrown by `probe`).
 */
export async function waitUntil(what, probe, accept = Boolean, { timeout = WAIT_MS, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  let lastError;
  for (;;) {
    try {
      last = await probe();
      lastError = undefined;
      if (accept(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const seen = lastError ? `last error: ${lastError.message}` : `last value: ${JSON.stringify(last)}`;
      throw new Error(`timed out after ${timeout} ms waiting for ${what} (${seen})`);
    }
    await sleep(interval);
  }
}

/** Visible text of every element matching `selector`, whitespace collapsed ('' when hidden). */
export async function textsOf(page, selector) {
  return page.$$eval(selector, (els) =>
    els.map((el) => (el.innerText ?? el.textContent ?? '').replace(/\s+/g, ' ').trim()),
  );
}

/** Visible text of the first element matching `selector`, whitespace collapsed; null if none. */
export async function textOf(page, selector) {
  const texts = await textsOf(page, selector);
  return texts.length ? texts[0] : null;
}

/** Number of elements matching `selector` right now. */
export async function countOf(page, selector) {
  return page.locator(selector).count();
}

/**
 * Opens a fresh page, runs `body(p)` (p as `newPage` gives it), then asserts the page raised no
 * uncaught errors. On a failure it saves `artifacts/fail-<prefix>-<label>.png` and appends the
 * failed requests and the page's errors to the message.
 */
export async function runInPage(browser, prefix, label, body, { viewport } = {}) {
  const p = await newPage(browser, viewport ? { viewport } : {});
  try {
    await body(p);
    assert.deepEqual(pageErrors(p.errors), [], 'the page raised uncaught errors');
  } catch (err) {
    try {
      await p.page.screenshot({ path: artifactPath(`fail-${prefix}-${label}.png`) });
    } catch {
      // the page may be gone
    }
    if (err instanceof Error) {
      if (p.failedRequests.length) {
        err.message += `\n  failed requests:\n${p.failedRequests
          .map((r) => `    ${r.status ?? r.failure} ${r.url}`)
          .join('\n')}`;
      }
      if (p.errors.length) {
        err.message += `\n  errors logged by the page:\n${p.errors.map((e) => `    [${e.kind}] ${e.text}`).join('\n')}`;
      }
    }
    throw err;
  } finally {
    await p.close();
  }
}

/**
 * What most test files start with: the built app served on 127.0.0.1 with the shared fixtures
 * mounted at `/fixtures/` (CORS allowed), a browser, and this file's old failure screenshots
 * cleared. Returns `{ browser, server }`.
 */
export async function startAppWithFixtures(prefix) {
  const dist = ensureDist();
  const fixtures = ensureFixtures();
  clearFailureScreenshots(prefix);
  const browser = await launchBrowser();
  const server = await startServer({ root: dist, cors: true, extraMounts: { '/fixtures/': fixtures } });
  return { browser, server };
}
