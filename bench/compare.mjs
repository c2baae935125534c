#!/usr/bin/env node
// The browser figures of issue #16: two 100k-span traces compared, and the slow-vs-rest ranking
// of the 1,000 × 100-span file re-ranked for a percentile typed in. The release build (dist/)
// in headless Debian Chromium, driven by playwright-core from e2e/node_modules. Not part of the
// test command.
//
//   trunk build --release && node bench/compare.mjs --runs 3
//
// Options: --runs N (default 3), --no-compare, --no-rank, --json PATH.
//
// Each run is a fresh page with the demo removed. Compare: both 100k files (the bench
// generator's seeds 42 and 43, cached in bench/out) are chosen at once, both ticked, and
// "Compare the two ticked" clicked; reported are the app's `traceglass:compare` measure (the
// merge, paced) and the time from the click until the first row of the merged tree is painted,
// with the longest frame meanwhile. Rank: the 1,000 × 100-span file is loaded, the summary
// opened, and the percentile set to 90; reported are the app's `traceglass:rank` measure (the
// group's table built once, then ranked) and the time from the change until the new scope line
// is painted.

import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

import { startServer } from '../e2e/lib/server.mjs';
import { CHROMIUM_ARGS, chromiumPath, distDir, repoRoot, VIEWPORT } from '../e2e/lib/harness.mjs';

const requireFromE2e = createRequire(path.join(repoRoot, 'e2e', 'package.json'));
const { chromium } = requireFromE2e('playwright-core');
const outDir = path.join(repoRoot, 'bench', 'out');

const opts = { runs: 3, compare: true, rank: true, json: null };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--runs') opts.runs = Number(process.argv[++i]);
  else if (a === '--no-compare') opts.compare = false;
  else if (a === '--no-rank') opts.rank = false;
  else if (a === '--json') opts.json = path.resolve(process.argv[++i]);
  else {
    console.error(`unknown option ${a}`);
    process.exit(2);
  }
}
if (!Number.isInteger(opts.runs) || opts.runs < 1) {
  console.error('--runs needs a whole number of at least 1');
  process.exit(2);
}

/** A generated Jaeger file in bench/out, made with the bench generator when missing. */
function generated(name, args) {
  const file = path.join(outDir, name);
  if (fs.existsSync(file) && fs.statSync(file).size > 0) return file;
  fs.mkdirSync(outDir, { recursive: true });
  const partial = `${file}.partial`;
  console.error(`generating ${name}`);
  const r = spawnSync('cargo', ['run', '--release', '--quiet', '--example', 'gen-trace', '--', ...args, '--format', 'jaeger', '--out', partial], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) {
    console.error('the generator failed');
    process.exit(1);
  }
  fs.renameSync(partial, file);
  return file;
}

/** In the page: the longest frame, and when `selector` first shows (holding `text`, if given). */
function watch({ selector, text }) {
  const w = { t0: performance.now(), seen: null, longest: 0 };
  let last = w.t0;
  const tick = (t) => {
    w.longest = Math.max(w.longest, t - last);
    last = t;
    const el = document.querySelector(selector);
    if (el && (!text || el.textContent.includes(text))) w.seen = t - w.t0;
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  window.__watch = w;
}

const measure = (page, name) => page.evaluate((n) => performance.getEntriesByName(n).at(-1)?.duration ?? null, name);

async function freshPage(browser, server) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.setDefaultTimeout(600_000);
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=bottleneck-panel] [data-testid=headline]');
  await page.click('[data-testid=remove-trace]');
  return { context, page };
}

async function waitWatched(page) {
  await page.waitForFunction(() => window.__watch?.seen != null, null, { polling: 50 });
  return page.evaluate(() => ({ ms: window.__watch.seen, longestFrame: window.__watch.longest }));
}

async function compareRun(browser, server, files) {
  const { context, page } = await freshPage(browser, server);
  try {
    await page.setInputFiles('[data-testid=file-input]', files);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=trace-list-item]').length === 2);
    // Both analysed (their bottleneck panels are computed at load).
    await page.waitForFunction(() => !document.querySelector('[data-testid=analysing]') && !!document.querySelector('[data-testid=bottleneck-panel] [data-testid=headline]'));
    for (const tick of await page.locator('[data-testid=tick-trace]').all()) await tick.check();
    await page.evaluate(watch, { selector: '[data-testid=compare-row]' });
    await page.click('[data-testid=compare-ticked]');
    const shown = await waitWatched(page);
    const nodes = await page.textContent('.cmp-count');
    return { compareMs: await measure(page, 'traceglass:compare'), clickToRowsMs: shown.ms, longestFrameMs: shown.longestFrame, nodes };
  } finally {
    await context.close();
  }
}

async function rankRun(browser, server, file) {
  const { context, page } = await freshPage(browser, server);
  try {
    await page.setInputFiles('[data-testid=file-input]', file);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=trace-list-item]').length >= 1000, null, { polling: 200 });
    await page.click('[data-testid=pane-summary]');
    await page.waitForSelector('[data-testid=tail-percentile]');
    await page.evaluate(watch, { selector: '[data-testid=summary-group] [data-testid=tail-scope]', text: '≥ p90' });
    const input = page.locator('[data-testid=tail-percentile]').first();
    await input.fill('90');
    await input.dispatchEvent('change');
    const shown = await waitWatched(page);
    return { rankMs: await measure(page, 'traceglass:rank'), changeToScopeMs: shown.ms, summaryMs: await measure(page, 'traceglass:summary') };
  } finally {
    await context.close();
  }
}

const range = (runs, key) => {
  const v = runs.map((r) => r[key]).filter((x) => typeof x === 'number');
  if (!v.length) return 'n/a';
  const s = [...v].sort((a, b) => a - b);
  return `${s[Math.floor((s.length - 1) / 2)].toFixed(0)} ms (${s[0].toFixed(0)}–${s[s.length - 1].toFixed(0)})`;
};

const server = await startServer({ root: distDir });
const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
const out = { compare: [], rank: [] };
try {
  if (opts.compare) {
    const files = [generated('100000.jaeger.json', ['--spans', '100000']), generated('100000-seed43.jaeger.json', ['--spans', '100000', '--seed', '43'])];
    for (let i = 0; i < opts.runs; i++) out.compare.push(await compareRun(browser, server, files));
    console.log(`compare 100k vs 100k (${out.compare[0].nodes}), median (min–max) of ${opts.runs}:`);
    console.log(`  traceglass:compare     ${range(out.compare, 'compareMs')}`);
    console.log(`  click → first rows     ${range(out.compare, 'clickToRowsMs')}`);
    console.log(`  longest frame          ${range(out.compare, 'longestFrameMs')}`);
  }
  if (opts.rank) {
    const file = generated('1000x100.jaeger.json', ['--spans', '100', '--traces', '1000']);
    for (let i = 0; i < opts.runs; i++) out.rank.push(await rankRun(browser, server, file));
    console.log(`slow vs rest, 1,000 × 100 spans, p95 → p90, median (min–max) of ${opts.runs}:`);
    console.log(`  traceglass:summary     ${range(out.rank, 'summaryMs')}`);
    console.log(`  traceglass:rank        ${range(out.rank, 'rankMs')}`);
    console.log(`  change → new scope     ${range(out.rank, 'changeToScopeMs')}`);
  }
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(out, null, 2));
} finally {
  await browser.close();
  await server.close();
}
