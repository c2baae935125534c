#!/usr/bin/env node
// The browser benchmark of Traceglass: the release build (dist/) in headless Debian Chromium,
// driven by playwright-core from e2e/node_modules. Not part of the test command.
//
//   trunk build --release && node bench/browser.mjs --sizes 10k,100k,1m:1 --runs 3
//
// Options:
//   --sizes LIST      span counts to load, each `10k`, `100k`, `1m` or a number, optionally with
//                     `:RUNS` (e.g. `1m:1`); default 10k,100k
//   --runs N          runs per size (median reported), default 3; each run is a fresh page
//   --summary-runs N  runs of the 1,000 × 100-span summary file (issue #5), default --runs;
//   --no-summary      skips it
//   --jaeger-runs N   runs of the 100k-span file opened by id from the Jaeger replay server
//                     (e2e/jaeger-replay), default --runs;
//   --no-jaeger       skips them
//   --cold-runs N     extra runs per size that drop the file as soon as the page is ready,
//                     before the app's warm-up is done; default 1, 0 skips them
//   --scroll-frames N at most N scroll steps over the whole timeline, default 600
//   --timeout S       seconds to wait for a load, default 900
//   --json PATH       also writes every raw figure to PATH
//   --wasm-max-mb N   a browser that gives a wasm page at most N MB (V8's --wasm-max-mem-pages),
//                     as a phone or a 32-bit browser may: the largest trace that loads then
//
// Each run is a fresh page: it waits for the bundled demo and for the app's warm-up after it
// (the `traceglass:warm-up` measure, about a second), removes the demo and drops the file (or,
// for the Jaeger runs, types the trace id in the Jaeger panel and clicks "Open trace").
//
// Environment: TRACEGLASS_DIST (the build to serve, default dist/), CHROMIUM_PATH (default
// /usr/bin/chromium). See bench/README.md for what each figure measures.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

import { startServer } from '../e2e/lib/server.mjs';
import { startJaegerReplay } from '../e2e/jaeger-replay/server.mjs';
import { goJsonEscape } from '../e2e/jaeger-replay/goparse.mjs';
import { CHROMIUM_ARGS, chromiumPath, distDir, repoRoot, VIEWPORT } from '../e2e/lib/harness.mjs';

// playwright-core lives in e2e/node_modules: resolve it from there, whatever the working directory.
const requireFromE2e = createRequire(path.join(repoRoot, 'e2e', 'package.json'));
let chromium;
try {
  ({ chromium } = requireFromE2e('playwright-core'));
} catch (err) {
  fail(`playwright-core is missing from e2e/node_modules (${err.message}): run \`npm install\` in e2e/ (scripts/ensure-tools.sh does it).`);
}

const outDir = path.join(repoRoot, 'bench', 'out');

// ---------------------------------------------------------------------------------------------
// Options

function fail(message) {
  console.error(`bench/browser.mjs: ${message}`);
  process.exit(2);
}

function parseCount(text) {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m) fail(`not a span count: ${text} (use e.g. 10k, 100k, 1m or 25000)`);
  const mult = { '': 1, k: 1e3, m: 1e6 }[m[2].toLowerCase()];
  return Math.round(Number(m[1]) * mult);
}

function label(spans) {
  if (spans >= 1e6 && spans % 1e6 === 0) return `${spans / 1e6}M`;
  if (spans >= 1e3 && spans % 1e3 === 0) return `${spans / 1e3}k`;
  return String(spans);
}

function parseArgs(argv) {
  const o = { sizes: '10k,100k', runs: 3, summaryRuns: null, summary: true, jaegerRuns: null, jaeger: true, coldRuns: 1, scrollFrames: 600, timeout: 900, json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    const int = (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) fail(`${a} needs a positive integer, got ${v}`);
      return n;
    };
    if (a === '--sizes') o.sizes = value();
    else if (a === '--runs') o.runs = int(value());
    else if (a === '--summary-runs') o.summaryRuns = int(value());
    else if (a === '--no-summary') o.summary = false;
    else if (a === '--jaeger-runs') o.jaegerRuns = int(value());
    else if (a === '--no-jaeger') o.jaeger = false;
    else if (a === '--cold-runs') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) fail(`--cold-runs needs a whole number, got ${argv[i]}`);
      o.coldRuns = n;
    }
    else if (a === '--scroll-frames') o.scrollFrames = int(value());
    else if (a === '--timeout') o.timeout = int(value());
    else if (a === '--json') o.json = path.resolve(value());
    else if (a === '--wasm-max-mb') o.wasmMaxMb = int(value());
    else if (a === '-h' || a === '--help') {
      const lines = fs.readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1);
      console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    } else fail(`unknown option ${a} (see --help)`);
  }
  o.sizeList = o.sizes
    .split(',')
    .filter((s) => s.trim())
    .map((s) => {
      const [count, runs] = s.split(':');
      return { spans: parseCount(count), runs: runs ? Number(runs) : o.runs };
    });
  o.summaryRuns ??= o.runs;
  o.jaegerRuns ??= o.runs;
  return o;
}

const opts = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------------------------------------
// Inputs: generated once with the bench generator, cached in bench/out (git-ignored)

/** The generator: `cargo run --release --example gen-trace`, or its binary when it is fresh. */
function genCommand() {
  const bin = path.join(repoRoot, 'target', 'release', 'examples', 'gen-trace');
  const sources = [path.join(repoRoot, 'bench', 'gen_trace.rs'), ...fs.readdirSync(path.join(repoRoot, 'bench', 'gen')).map((f) => path.join(repoRoot, 'bench', 'gen', f))];
  try {
    const built = fs.statSync(bin).mtimeMs;
    // The generator only depends on bench/gen*: a binary newer than them writes the same files,
    // and running it avoids a release rebuild of the whole crate whenever src/ changed.
    if (sources.every((s) => fs.statSync(s).mtimeMs < built)) return [bin, []];
  } catch {
    // not built yet
  }
  return ['cargo', ['run', '--release', '--quiet', '--example', 'gen-trace', '--']];
}

function generated({ spans, traces = 1 }) {
  const name = traces > 1 ? `${traces}x${spans}.jaeger.json` : `${spans}.jaeger.json`;
  const file = path.join(outDir, name);
  if (fs.existsSync(file) && fs.statSync(file).size > 0) return file;
  fs.mkdirSync(outDir, { recursive: true });
  const partial = `${file}.partial`;
  const [cmd, pre] = genCommand();
  const args = [...pre, '--spans', String(spans), '--format', 'jaeger', '--out', partial];
  if (traces > 1) args.push('--traces', String(traces));
  console.error(`generating ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) fail(`the generator failed (${r.error?.message ?? `exit ${r.status}`})`);
  fs.renameSync(partial, file);
  return file;
}

/**
 * The generated file as the Jaeger replay server serves it for `GET /api/traces/{id}`, written
 * once to `bench/out/jaeger-replay/jaeger/` (the replay's v1 corpus, by folder name). The
 * generator already writes Jaeger's `{"data":[trace],"total":0,…}` answer, which the replay sends
 * byte for byte, but the replay refuses a file holding a number that JavaScript would write
 * otherwise (`assertNumbersRoundTrip` in e2e/jaeger-replay/corpus.mjs), and the generator's file
 * has two kinds:
 * - floats as Rust writes them (`"value":1.0` in every span). A Jaeger writes its answer with
 *   Go's encoder (`1`, compact, `<`, `>` and `&` escaped), so the copy is the same JSON written
 *   that way: the same values, in the bytes a Jaeger would send;
 * - numbers inside strings, which the replay's check also reads (it scans the text, strings
 *   included): `… VALUES (7506873, 19491, 509.50, …)` in about 700 `db.statement` values. In
 *   those, the character after such a number is written as a `\u` escape (`509.50\u002c`):
 *   the string's value is unchanged, and the check no longer sees a number there.
 * Returns `{ dir, rel }`: the replay's `fixturesDir` and the file's path in it.
 */
function jaegerServed(file) {
  const dir = path.join(outDir, 'jaeger-replay');
  const rel = `jaeger/${path.basename(file, '.jaeger.json')}.json`;
  const served = path.join(dir, rel);
  if (fs.existsSync(served) && fs.statSync(served).mtimeMs >= fs.statSync(file).mtimeMs) return { dir, rel };
  console.error(`writing ${path.relative(repoRoot, served)}: ${path.basename(file)} as Jaeger's answer`);
  fs.mkdirSync(path.dirname(served), { recursive: true });
  let text;
  try {
    text = goJsonEscape(JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8'))));
  } catch (err) {
    fail(`${file} is not JSON (${err.message}): delete it so that it is generated again`);
  }
  // The replay's number check, on the text inside each string literal.
  const numberThenEnd = /(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(\s*)([,}\]])/g;
  text = text.replace(/"(?:[^"\\]|\\.)*"/g, (literal) =>
    /\d\s*[,}\]]/.test(literal)
      ? literal.replace(numberThenEnd, (all, n, space, end) => (String(Number(n)) === n ? all : `${n}${space}\\u00${end.charCodeAt(0).toString(16)}`))
      : literal,
  );
  fs.writeFileSync(`${served}.partial`, text);
  fs.renameSync(`${served}.partial`, served);
  return { dir, rel };
}

// ---------------------------------------------------------------------------------------------
// The browser

const BROWSER_ARGS = [
  ...CHROMIUM_ARGS,
  '--enable-precise-memory-info',
  // One --js-flags: Chromium takes only the last.
  `--js-flags=--max-old-space-size=8192${opts.wasmMaxMb ? ` --wasm-max-mem-pages=${Math.floor((opts.wasmMaxMb * 1e6) / 65536)}` : ''}`,
];

const SEL = {
  app: '[data-testid=app]',
  fileInput: '[data-testid=file-input]',
  headline: '[data-testid=bottleneck-panel] [data-testid=headline]',
  timeline: '[data-testid=timeline]',
  rows: '[data-testid=timeline] [role=treeitem]',
  find: 'input[data-testid=find]',
  matchCount: '[data-testid=match-count]',
  expandAll: 'button[data-testid=expand-all]',
  collapseAll: 'button[data-testid=collapse-all]',
  traceItem: '[data-testid=trace-list-item]',
  removeTrace: '[data-testid=remove-trace]',
  paneSummary: '[data-testid=pane-summary]',
  summaryGroup: '[data-testid=summary-group]',
  jaegerStatus: '[data-testid=jaeger-status]',
  jaegerTraceId: '[data-testid=jaeger-trace-id]',
  jaegerOpen: '[data-testid=jaeger-open]',
};

/**
 * Runs in the page before the app: keeps the wasm exports (for `memory`) that trunk's loader
 * passes with `TrunkApplicationStarted`, and stamps the moment a file input's change event, a
 * drop, or a click on the Jaeger panel's "Open trace" is dispatched (capture phase on window:
 * before any handler of the app).
 */
function pageInit() {
  window.__bench = { t0: null };
  addEventListener('TrunkApplicationStarted', (e) => {
    window.__benchWasm = e.detail?.wasm;
  });
  const stamp = (e) => {
    if (e.type === 'drop' || e.target?.matches?.('[data-testid=file-input]')) window.__bench.t0 = performance.now();
  };
  addEventListener('change', stamp, true);
  addEventListener('drop', stamp, true);
  addEventListener(
    'click',
    (e) => {
      if (e.target?.closest?.('[data-testid=jaeger-open]')) window.__bench.t0 = performance.now();
    },
    true,
  );
}

/**
 * In the page: watches, once per animation frame, for what a load shows, and records when each
 * first appears (ms after the change event, so the frame in which it is painted).
 */
function watchLoad({ sel, traces }) {
  const b = window.__bench;
  b.t0 = null;
  b.seen = {};
  b.done = false;
  let lastFrame = null;
  b.longestFrame = 0;
  b.gaps = [];
  const check = () => {
    // performance.now(), not the frame's timestamp: after a long task Chromium may hand the
    // callback the time its frame began, before the task.
    const ts = performance.now();
    if (b.t0 != null) {
      // The longest gap between frames while loading: how long the page froze at most.
      const gap = ts - Math.max(lastFrame ?? b.t0, b.t0);
      b.longestFrame = Math.max(b.longestFrame, gap);
      b.gaps.push(gap);
      lastFrame = ts;
      const now = performance.now() - b.t0;
      if (b.seen.timeline == null && document.querySelector(sel.rows)) b.seen.timeline = now;
      const h = document.querySelector(sel.headline);
      if (b.seen.headline == null && h && h.textContent.trim()) b.seen.headline = now;
      if (b.seen.list == null && document.querySelectorAll(sel.traceItem).length >= traces) b.seen.list = now;
      const error = document.querySelector('[data-testid=message].error');
      if (b.seen.error == null && error) {
        b.seen.error = now;
        b.seen.message = error.textContent.trim().slice(0, 300);
      }
    }
    const single = traces === 1;
    b.done = single ? b.seen.timeline != null && b.seen.headline != null : b.seen.list != null;
    if (!b.done) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}

/** In the page: the `traceglass:*` performance measures that started at or after `since`. */
function appMeasures(since) {
  const out = {};
  for (const e of performance.getEntriesByType('measure')) {
    if (e.name.startsWith('traceglass:') && e.startTime >= since - 1) out[e.name.slice('traceglass:'.length)] = e.duration;
  }
  return out;
}

/**
 * In the page: the spans the app kept of the file's `spans`, from its warning "loaded the first N
 * of M spans" (a load that stopped keeping spans when the tab's memory was full); all of them
 * when there is no such warning.
 */
function keptSpans(spans) {
  for (const m of document.querySelectorAll('[data-testid=message]')) {
    const found = m.textContent.match(/loaded the first ([\d,]+) of ([\d,]+) spans/);
    if (found) return Number(found[1].replace(/,/g, ''));
  }
  return spans;
}

/**
 * In the page: the app's `traceglass:memory:<phase>` marks since `since` (`read`, `build`,
 * `analysis`: bytes held after the phase and the most held during it, as the app's counting
 * allocator saw them), the last of each phase.
 */
function memoryMarks(since) {
  const out = {};
  for (const e of performance.getEntriesByType('mark')) {
    if (e.name.startsWith('traceglass:memory:') && e.startTime >= since - 1 && e.detail) {
      out[e.name.slice('traceglass:memory:'.length)] = { live: e.detail.live, peak: e.detail.peak };
    }
  }
  return out;
}

/**
 * In the page: scrolls the timeline from top to bottom, one step per animation frame, in at
 * most `maxFrames` steps (one viewport a step when that takes fewer), and records the time
 * between frames. With `stepPx`, scrolls `stepPx` a frame instead (like a mouse wheel), for
 * `maxFrames` frames, from the top or from the middle of the trace. A frame is "blank" when the rows for the previous step's position are not in
 * the DOM by the next frame.
 */
async function scrollBench({ sel, maxFrames, stepPx = null, fromMiddle = false }) {
  const el = document.querySelector(sel.timeline);
  const raf = () => new Promise((r) => requestAnimationFrame(r));
  el.scrollTop = 0;
  await raf();
  await raf();
  const range = el.scrollHeight - el.clientHeight;
  const from = fromMiddle ? Math.round(range / 2) : 0;
  el.scrollTop = from;
  await raf();
  await raf();
  const steps = stepPx
    ? Math.max(1, Math.min(maxFrames, Math.floor((range - from) / stepPx)))
    : Math.max(1, Math.min(maxFrames, Math.ceil(range / Math.max(1, el.clientHeight))));
  const position = (i) => (stepPx ? from + i * stepPx : Math.round((range * i) / steps));
  // Idle frames first: the frame cadence of this headless browser when nothing happens.
  const idle = [];
  let last = await raf();
  for (let i = 0; i < 30; i++) {
    const t = await raf();
    idle.push(t - last);
    last = t;
  }
  const deltas = [];
  let blank = 0;
  let wanted = null;
  const covered = (top) => {
    // Is there a row whose box covers the top of the viewport at `top`?
    const box = el.getBoundingClientRect();
    for (const r of el.querySelectorAll('[role=treeitem]')) {
      const rb = r.getBoundingClientRect();
      if (rb.top <= box.top + 1 && rb.bottom > box.top + 1) return true;
    }
    return false;
  };
  last = await raf();
  for (let i = 1; i <= steps; i++) {
    el.scrollTop = position(i);
    const t = await raf();
    deltas.push(t - last);
    last = t;
    wanted = el.scrollTop;
    if (!covered(wanted)) blank++;
  }
  return { deltas, idle, steps, range, viewport: el.clientHeight, blank };
}

/**
 * In the page: types `query` into the find box; ms until the match count shows a number, and
 * the longest gap between two animation frames meanwhile (the page frozen by the search).
 */
async function findBench({ sel, query }) {
  const input = document.querySelector(sel.find);
  const count = document.querySelector(sel.matchCount);
  await new Promise((r) => requestAnimationFrame(r));
  const t0 = performance.now();
  let prev = t0;
  let longest = 0;
  input.value = query;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  for (;;) {
    const at = await new Promise((r) => requestAnimationFrame(r));
    longest = Math.max(longest, at - prev);
    prev = at;
    const text = count?.textContent ?? document.querySelector(sel.matchCount)?.textContent ?? '';
    if (/\d+ match|no match/.test(text)) return { ms: performance.now() - t0, text, longestFrame: longest };
    if (performance.now() - t0 > 600_000) return { ms: null, text, longestFrame: longest };
  }
}

/** In the page: empties the find box (so later figures are not about a filtered view). */
async function clearFind({ sel }) {
  const input = document.querySelector(sel.find);
  input.value = '';
  input.dispatchEvent(new Event('input', { bubbles: true }));
  for (let i = 0; i < 600 && document.querySelector(sel.matchCount)?.textContent.trim(); i++) {
    await new Promise((r) => requestAnimationFrame(r));
  }
}

/**
 * In the page: clicks Collapse all, then Expand all, each timed from the click to the first
 * animation frame where the rows show the result (root collapsed and the scroll height shrunk;
 * then the scroll height back to the whole tree with rows in view).
 */
async function collapseExpandBench({ sel }) {
  const el = document.querySelector(sel.timeline);
  const raf = () => new Promise((r) => requestAnimationFrame(r));
  el.scrollTop = 0;
  await raf();
  await raf();
  const fullHeight = el.scrollHeight;
  const time = async (button, done) => {
    const t0 = performance.now();
    document.querySelector(button).click();
    for (;;) {
      await raf();
      if (done()) return performance.now() - t0;
      if (performance.now() - t0 > 600_000) return null;
    }
  };
  const collapse = await time(sel.collapseAll, () => el.scrollHeight < fullHeight && !el.querySelector('[role=treeitem][aria-expanded=true]'));
  const rowsCollapsed = el.querySelectorAll('[role=treeitem]').length;
  const expand = await time(sel.expandAll, () => el.scrollHeight >= fullHeight && el.querySelectorAll('[role=treeitem]').length > rowsCollapsed);
  return { collapse, expand, rowsCollapsed, fullHeight };
}

/**
 * In the page: opens the Flame graph tab and times it to the first frame with the graph drawn
 * (the canvas's `data-rects`), then moves the pointer over it one move a frame (the tooltip
 * follows) and records the time between frames, then clicks a bar of the second row and times
 * the zoom to the frame that shows it (`data-zoom` set), and goes back to the timeline.
 */
async function flameBench({ moves }) {
  const raf = () => new Promise((r) => requestAnimationFrame(r));
  const canvas = () => document.querySelector('[data-testid=flame-canvas]');
  const t0 = performance.now();
  document.querySelector('[data-testid=tab-flame]').click();
  for (;;) {
    await raf();
    if (Number(canvas()?.dataset.rects) > 0) break;
    if (performance.now() - t0 > 120_000) return { shown: null };
  }
  const shown = performance.now() - t0;
  const c = canvas();
  const box = c.getBoundingClientRect();
  const rowH = Number(c.dataset.rowHeight) || 18;
  const rows = Math.max(1, Number(c.dataset.rows) || 1);
  const deltas = [];
  let last = performance.now();
  for (let i = 0; i < moves; i++) {
    const x = box.left + ((i * 37) % Math.max(1, Math.floor(box.width)));
    const y = box.top + rowH * ((i % rows) + 0.5);
    c.dispatchEvent(new PointerEvent('pointermove', { clientX: x, clientY: y, bubbles: true }));
    await raf();
    const now = performance.now();
    deltas.push(now - last);
    last = now;
  }
  const z0 = performance.now();
  c.dispatchEvent(new MouseEvent('click', { clientX: box.left + box.width * 0.25, clientY: box.top + rowH * 1.5, bubbles: true }));
  let zoom = null;
  for (;;) {
    await raf();
    if (canvas()?.dataset.zoom) {
      zoom = performance.now() - z0;
      break;
    }
    if (performance.now() - z0 > 30_000) break;
  }
  document.querySelector('[data-testid=tab-timeline]').click();
  await raf();
  return { shown, deltas, zoom, rects: Number(c.dataset.rects), items: Number(c.dataset.items) };
}

/** In the page: JS heap (precise) and the wasm linear memory. */
function memoryNow() {
  const mem = window.__benchWasm?.memory;
  return {
    jsHeapUsed: performance.memory?.usedJSHeapSize ?? null,
    jsHeapTotal: performance.memory?.totalJSHeapSize ?? null,
    wasmMemory: mem?.buffer?.byteLength ?? null,
  };
}

async function memoryAfterGc(page, cdp) {
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.disable');
  const m = await page.evaluate(memoryNow);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.send('Performance.disable');
  const metric = (n) => metrics.find((x) => x.name === n)?.value ?? null;
  return { ...m, cdpJsHeapUsed: metric('JSHeapUsedSize'), cdpJsHeapTotal: metric('JSHeapTotalSize'), domNodes: metric('Nodes') };
}

/** A fresh page with the app booted and the demo trace removed, so the drop is the only trace. */
/** The longest wait for the app's warm-up after the demo (it takes about a second). */
const WARM_UP_WAIT_MS = 30_000;

/**
 * A fresh page with the demo shown, then removed. Unless `cold`, it first waits for the app's
 * warm-up (the `traceglass:warm-up` measure) and records how long it took (`warmUpMs`).
 * `query` is added to the app's URL (e.g. `?jaeger=…`).
 */
async function freshPage(browser, server, { cold = false, query = '' } = {}) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  const errors = [];
  let crashed = false;
  page.on('pageerror', (e) => errors.push(String(e?.message ?? e).slice(0, 500)));
  page.on('crash', () => {
    crashed = true;
  });
  page.setDefaultTimeout(60_000);
  await page.addInitScript(pageInit);
  await page.goto(server.url + query);
  await page.waitForSelector(SEL.headline, { timeout: 60_000 });
  let warmUpMs = null;
  if (!cold) {
    const warm = () => performance.getEntriesByName('traceglass:warm-up')[0]?.duration ?? null;
    warmUpMs = await page
      .waitForFunction(warm, null, { timeout: WARM_UP_WAIT_MS, polling: 50 })
      .then((h) => h.jsonValue())
      .catch(() => null);
  }
  await page.click(SEL.removeTrace);
  await page.waitForFunction((s) => !document.querySelector(s), SEL.traceItem);
  const cdp = await context.newCDPSession(page);
  return { context, page, cdp, errors, isCrashed: () => crashed, warmUpMs };
}

/**
 * Chooses the file through the file input by its path (no copy through the protocol), or does
 * `start()` instead when given, and waits until the load is shown (see `watchLoad`).
 */
async function loadFile(p, file, traces, start = () => p.page.setInputFiles(SEL.fileInput, file)) {
  await p.page.evaluate(watchLoad, { sel: SEL, traces });
  await start();
  const deadline = Date.now() + opts.timeout * 1000;
  for (;;) {
    if (p.isCrashed()) throw new Error('the page crashed (renderer process gone) while loading');
    let state;
    try {
      state = await p.page.evaluate(() => ({ done: window.__bench.done, seen: window.__bench.seen, t0: window.__bench.t0, longestFrame: window.__bench.longestFrame, gaps: window.__bench.gaps }));
    } catch (err) {
      if (p.isCrashed()) throw new Error('the page crashed (renderer process gone) while loading');
      throw err;
    }
    if (state.done) return state;
    if (state.seen.error != null) throw new Error(`the app showed an error: ${state.seen.message}`);
    if (p.errors.length) throw new Error(`the page raised: ${p.errors.join(' | ')}`);
    if (Date.now() > deadline) throw new Error(`nothing loaded after ${opts.timeout} s (seen: ${JSON.stringify(state.seen)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The wheel-like scroll: 100 px a frame (about four rows), for 300 frames from the middle. */
const WHEEL_STEP_PX = 100;
const WHEEL_FRAMES = 300;

function percentile(values, q) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** One load of `file` in a fresh page; a `cold` run measures the load only. */
async function runSpans(browser, server, spans, file, run, { cold = false } = {}) {
  const p = await freshPage(browser, server, { cold });
  const r = { spans, run, cold, fileBytes: fs.statSync(file).size, warmUpMs: p.warmUpMs };
  try {
    const load = await loadFile(p, file, 1);
    r.timelineMs = load.seen.timeline;
    r.headlineMs = load.seen.headline;
    r.longestFrameMs = load.longestFrame;
    r.loadGaps = load.gaps;
    r.measures = await p.page.evaluate(appMeasures, load.t0);
    r.kept = await p.page.evaluate(keptSpans, spans);
    if (cold) return r;
    r.memory = await memoryAfterGc(p.page, p.cdp);
    r.memory.phases = await p.page.evaluate(memoryMarks, load.t0);
    const scroll = await p.page.evaluate(scrollBench, { sel: SEL, maxFrames: opts.scrollFrames });
    r.scroll = {
      steps: scroll.steps,
      rangePx: scroll.range,
      viewportPx: scroll.viewport,
      blankFrames: scroll.blank,
      p50: percentile(scroll.deltas, 0.5),
      p95: percentile(scroll.deltas, 0.95),
      max: Math.max(...scroll.deltas),
      idleP50: percentile(scroll.idle, 0.5),
      deltas: scroll.deltas.map((d) => Math.round(d * 10) / 10),
    };
    const wheel = await p.page.evaluate(scrollBench, { sel: SEL, maxFrames: WHEEL_FRAMES, stepPx: WHEEL_STEP_PX, fromMiddle: true });
    r.wheel = {
      steps: wheel.steps,
      blankFrames: wheel.blank,
      p50: percentile(wheel.deltas, 0.5),
      p95: percentile(wheel.deltas, 0.95),
      max: Math.max(...wheel.deltas),
      deltas: wheel.deltas.map((d) => Math.round(d * 10) / 10),
    };
    const find = await p.page.evaluate(findBench, { sel: SEL, query: 'svc-03' });
    r.findMs = find.ms;
    r.findText = find.text;
    r.findLongestFrame = find.longestFrame;
    await p.page.evaluate(clearFind, { sel: SEL });
    const ce = await p.page.evaluate(collapseExpandBench, { sel: SEL });
    r.collapseMs = ce.collapse;
    r.expandMs = ce.expand;
    const flame = await p.page.evaluate(flameBench, { moves: 120 });
    r.flame = {
      shownMs: flame.shown,
      hoverP50: flame.deltas ? percentile(flame.deltas, 0.5) : null,
      hoverMax: flame.deltas ? Math.max(...flame.deltas) : null,
      zoomMs: flame.zoom,
      rects: flame.rects,
      measures: await p.page.evaluate(appMeasures, 0),
    };
    if (p.errors.length) r.pageErrors = p.errors;
  } catch (err) {
    r.error = String(err.message ?? err).split('\n')[0];
    if (p.errors.length) r.pageErrors = p.errors;
    try {
      r.memoryAtFailure = await p.page.evaluate(memoryNow);
    } catch {
      // the page may be gone
    }
  } finally {
    await p.context.close().catch(() => {});
  }
  return r;
}

async function runSummary(browser, server, file, run) {
  const traces = 1000;
  const p = await freshPage(browser, server);
  const r = { spans: 100, traces, run, fileBytes: fs.statSync(file).size };
  try {
    const load = await loadFile(p, file, traces);
    r.listMs = load.seen.list;
    r.longestFrameMs = load.longestFrame;
    r.loadGaps = load.gaps;
    r.measures = await p.page.evaluate(appMeasures, load.t0);
    // Let the first trace's view settle, then open the summary.
    await p.page.waitForSelector(SEL.headline, { timeout: 120_000 });
    const click = await p.page.evaluate(async (sel) => {
      const t0 = performance.now();
      document.querySelector(sel.paneSummary).click();
      for (;;) {
        await new Promise((res) => requestAnimationFrame(res));
        if (document.querySelector(sel.summaryGroup)) return { t0, ms: performance.now() - t0 };
        if (performance.now() - t0 > 600_000) return { t0, ms: null };
      }
    }, SEL);
    r.summaryClickMs = click.ms;
    r.summaryMeasure = (await p.page.evaluate(appMeasures, click.t0)).summary ?? null;
    r.summaryScope = (await p.page.textContent('[data-testid=summary] .summary-scope'))?.trim();
    r.memory = await memoryAfterGc(p.page, p.cdp);
    if (p.errors.length) r.pageErrors = p.errors;
  } catch (err) {
    r.error = String(err.message ?? err).split('\n')[0];
    if (p.errors.length) r.pageErrors = p.errors;
  } finally {
    await p.context.close().catch(() => {});
  }
  return r;
}

/**
 * One open by id from the Jaeger replay server (`jaeger`, an old Jaeger serving `trace`) in a
 * fresh page opened with `?jaeger=`: once the panel says "Connected" (and the demo is removed),
 * types the trace id and clicks "Open trace"; times start at the click. `answerMs` is when the
 * page had all of Jaeger's answer (the request's `responseEnd` in resource timing).
 */
async function runJaeger(browser, server, jaeger, trace, fileBytes, run) {
  const p = await freshPage(browser, server, { query: `?${new URLSearchParams({ jaeger: jaeger.url })}` });
  const r = { spans: trace.spanCount, traceId: trace.traceId, run, fileBytes, warmUpMs: p.warmUpMs };
  const isTrace = (q) => q.path.endsWith(`/api/traces/${trace.traceId}`);
  try {
    await p.page.waitForFunction((s) => /Connected/.test(document.querySelector(s)?.textContent ?? ''), SEL.jaegerStatus, { timeout: 60_000 });
    const before = jaeger.requests.filter(isTrace).length;
    await p.page.fill(SEL.jaegerTraceId, trace.traceId);
    const load = await loadFile(p, null, 1, () => p.page.click(SEL.jaegerOpen));
    r.timelineMs = load.seen.timeline;
    r.headlineMs = load.seen.headline;
    r.longestFrameMs = load.longestFrame;
    r.loadGaps = load.gaps;
    r.answerMs = await p.page.evaluate(
      ({ id, t0 }) => {
        const e = performance.getEntriesByType('resource').filter((x) => x.name.includes(`/api/traces/${id}`)).at(-1);
        return e ? e.responseEnd - t0 : null;
      },
      { id: trace.traceId, t0: load.t0 },
    );
    r.measures = await p.page.evaluate(appMeasures, load.t0);
    r.traceRequests = jaeger.requests.filter(isTrace).length - before;
    if (p.errors.length) r.pageErrors = p.errors;
  } catch (err) {
    r.error = String(err.message ?? err).split('\n')[0];
    if (p.errors.length) r.pageErrors = p.errors;
  } finally {
    await p.context.close().catch(() => {});
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Report

const median = (xs) => percentile(xs, 0.5) == null ? null : (() => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
})();

function stat(runs, pick) {
  const xs = runs.filter((r) => !r.error).map(pick).filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (!xs.length) return null;
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

const fmtMs = (v) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`);
const fmtMB = (v) => `${(v / 1e6).toFixed(v >= 1e8 ? 0 : 1)} MB`;
const fmtN = (v) => String(Math.round(v));
const fmtB = (v) => `${Math.round(v)} B`;
/** Bytes a span of the app's memory mark `phase` (`live` or `peak`), from `traceglass:memory:*`. */
const perSpan = (phase, which) => (r) => {
  const v = r.memory?.phases?.[phase]?.[which];
  return v != null ? v / r.spans : null;
};

function cell(s, fmt) {
  if (!s) return 'n/a';
  if (s.n === 1 || s.min === s.max) return fmt(s.median);
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

/** Placeholder in ROWS for one row per `traceglass:*` measure the app recorded. */
const MEASURES = Symbol('measures');
const KNOWN_MEASURES = ['read', 'import', 'build', 'loaded', 'analysis', 'analysed'];

/** Rows for the app's measures: the known names, then any other one found (`summary` apart). */
function measureRows(runs, exclude = ['summary']) {
  const found = new Set(runs.flatMap((r) => Object.keys(r.measures ?? {})));
  const names = [...KNOWN_MEASURES, ...[...found].filter((n) => !KNOWN_MEASURES.includes(n)).sort()].filter((n) => !exclude.includes(n));
  return names.map((n) => [`app measure \`traceglass:${n}\``, (r) => r.measures?.[n], fmtMs]);
}

/** How many frames while loading took longer than `ms` (one 60 Hz frame is 16.7 ms). */
const framesOver = (ms) => (r) => (r.loadGaps ? r.loadGaps.filter((g) => g > ms).length : null);

const ROWS = [
  ['the app\'s warm-up before the drop (`traceglass:warm-up`)', (r) => r.warmUpMs, fmtMs],
  ['drop → timeline rows visible', (r) => r.timelineMs, fmtMs],
  ['drop → bottleneck headline visible', (r) => r.headlineMs, fmtMs],
  ['longest frame while loading (page frozen)', (r) => r.longestFrameMs, fmtMs],
  ['frames while loading longer than one (> 17.5 ms) / two (> 34 ms)', framesOver(17.5), fmtN, framesOver(34)],
  MEASURES,
  ['scroll frame p50', (r) => r.scroll?.p50, fmtMs],
  ['scroll frame p95', (r) => r.scroll?.p95, fmtMs],
  ['scroll frame max', (r) => r.scroll?.max, fmtMs],
  ['scroll steps (blank frames)', (r) => r.scroll?.steps, fmtN, (r) => r.scroll?.blankFrames],
  ['wheel scroll (100 px a frame) p50', (r) => r.wheel?.p50, fmtMs],
  ['wheel scroll (100 px a frame) p95', (r) => r.wheel?.p95, fmtMs],
  ['JS heap used (after GC)', (r) => r.memory?.jsHeapUsed, fmtMB],
  ['wasm memory', (r) => r.memory?.wasmMemory, fmtMB],
  ['spans loaded (kept of the file\'s)', (r) => r.kept, (v) => v.toLocaleString('en-US')],
  ['wasm memory ÷ spans', (r) => (r.memory?.wasmMemory != null ? r.memory.wasmMemory / r.spans : null), fmtB],
  ['held after reading / peak while reading, per span', perSpan('read', 'live'), fmtB, perSpan('read', 'peak')],
  ['held after building / peak while building, per span', perSpan('build', 'live'), fmtB, perSpan('build', 'peak')],
  ['held after analysis / peak while analysing, per span', perSpan('analysis', 'live'), fmtB, perSpan('analysis', 'peak')],
  ['JS heap + wasm memory ÷ file size', (r) => (r.memory?.jsHeapUsed != null && r.memory?.wasmMemory != null ? (r.memory.jsHeapUsed + r.memory.wasmMemory) / r.fileBytes : null), (v) => `${v.toFixed(2)}×`],
  ['find `svc-03` → match count', (r) => r.findMs, fmtMs],
  ['find: longest frame meanwhile', (r) => r.findLongestFrame, fmtMs],
  ['collapse all → rows', (r) => r.collapseMs, fmtMs],
  ['expand all → rows', (r) => r.expandMs, fmtMs],
  ['Flame graph tab → graph drawn', (r) => r.flame?.shownMs, fmtMs],
  ['flame graph: layout (`traceglass:flame-layout`) / one draw (`traceglass:flame`)', (r) => r.flame?.measures?.['flame-layout'], fmtMs, (r) => r.flame?.measures?.flame],
  ['flame graph: pointer moves, frame p50 / max', (r) => r.flame?.hoverP50, fmtMs, (r) => r.flame?.hoverMax],
  ['flame graph: click → zoomed', (r) => r.flame?.zoomMs, fmtMs],
];

/** Rows of the cold runs: dropped as soon as the page is ready, before the warm-up is done. */
const COLD_ROWS = [
  ['cold (dropped before the warm-up): drop → timeline rows visible', (r) => r.timelineMs, fmtMs],
  ['cold: longest frame while loading', (r) => r.longestFrameMs, fmtMs],
  ['cold: frames while loading longer than one / two', framesOver(17.5), fmtN, framesOver(34)],
  ['cold: app measure `traceglass:import`', (r) => r.measures?.import, fmtMs],
];

/** A figure's cell over `runs`, with a second figure in brackets when the row has one. */
function cells(runs, pick, fmt, extra) {
  let c = cell(stat(runs, pick), fmt);
  if (extra && c !== 'n/a') {
    const e = stat(runs, extra);
    c += ` (${e ? cell(e, fmtN) : 'n/a'})`;
  }
  return c;
}

function report(all, summaryRuns, jaegerRuns) {
  const lines = [];
  const results = all.filter((r) => !r.cold);
  const coldBySize = (s) => all.filter((r) => r.cold && r.spans === s);
  const sizes = [...new Set(results.map((r) => r.spans))];
  const bySize = new Map(sizes.map((s) => [s, results.filter((r) => r.spans === s)]));
  const head = sizes.map((s) => `${label(s)} spans`);
  lines.push(`| figure | ${head.join(' | ')} |`);
  lines.push(`|---|${head.map(() => '---|').join('')}`);
  lines.push(`| file | ${sizes.map((s) => fmtMB(bySize.get(s)[0].fileBytes)).join(' | ')} |`);
  lines.push(`| runs (ok / tried) | ${sizes.map((s) => `${bySize.get(s).filter((r) => !r.error).length} / ${bySize.get(s).length}`).join(' | ')} |`);
  for (const [name, pick, fmt, extra] of ROWS.flatMap((row) => (row === MEASURES ? measureRows(results) : [row]))) {
    lines.push(`| ${name} | ${sizes.map((s) => cells(bySize.get(s), pick, fmt, extra)).join(' | ')} |`);
  }
  if (all.some((r) => r.cold)) {
    for (const [name, pick, fmt, extra] of COLD_ROWS) lines.push(`| ${name} | ${sizes.map((s) => cells(coldBySize(s), pick, fmt, extra)).join(' | ')} |`);
  }
  for (const s of sizes) {
    for (const r of [...bySize.get(s), ...coldBySize(s)].filter((x) => x.error)) lines.push(`\n${label(s)}${r.cold ? ' cold' : ''} run ${r.run} failed: ${r.error}${r.pageErrors ? ` (page errors: ${r.pageErrors.join(' | ')})` : ''}`);
  }

  // Issue #18: the largest trace that loads whole, and what a larger one keeps.
  const whole = sizes.filter((s) => bySize.get(s).some((r) => !r.error && r.kept === s));
  const partial = sizes.filter((s) => bySize.get(s).some((r) => !r.error && r.kept != null && r.kept < s));
  if (whole.length) lines.push(`\nLargest trace that loads whole: ${Math.max(...whole).toLocaleString('en-US')} spans.`);
  for (const s of partial) {
    const r = bySize.get(s).find((x) => !x.error && x.kept < s);
    lines.push(`${s.toLocaleString('en-US')} spans: the tab kept the first ${r.kept.toLocaleString('en-US')} (wasm memory ${r.memory?.wasmMemory != null ? fmtMB(r.memory.wasmMemory) : 'n/a'}).`);
  }
  if (bySize.has(1_000_000)) {
    const m = stat(bySize.get(1_000_000), (r) => r.memory?.wasmMemory);
    if (m) lines.push(`Memory at 1M spans: wasm ${cell(m, fmtMB)}.`);
  }

  // Targets of issue #4 (100k and 1M) and #5 (summary).
  const targets = [];
  const judge = (ok) => (ok == null ? 'n/a' : ok ? 'met' : 'missed');
  if (bySize.has(100_000)) {
    const runs = bySize.get(100_000);
    const tl = stat(runs, (r) => r.timelineMs);
    const p95 = stat(runs, (r) => r.scroll?.p95);
    const heap = stat(runs, ROWS.find((x) => x !== MEASURES && x[0].startsWith('JS heap + wasm'))[1]);
    const cold = stat(coldBySize(100_000), (r) => r.timelineMs);
    targets.push(['#4: 100k spans, drop → timeline ≤ 1.0 s', cell(tl, fmtMs), judge(tl && tl.median <= 1000)]);
    if (cold) targets.push(['#4: the same, dropped before the warm-up', cell(cold, fmtMs), judge(cold.median <= 1000)]);
    targets.push(['#4: 100k spans, scroll frame p95 ≤ 16.7 ms', cell(p95, fmtMs), judge(p95 && p95.median <= 17.0)]);
    targets.push(['#4: 100k spans, memory ≤ 2× file size', cell(heap, (v) => `${v.toFixed(2)}×`), judge(heap && heap.median <= 2)]);
  }
  if (bySize.has(1_000_000)) {
    const runs = bySize.get(1_000_000);
    const ok = runs.filter((r) => !r.error);
    const p95 = stat(runs, (r) => r.scroll?.p95);
    targets.push(['#4: 1M spans loads', ok.length ? `${ok.length} of ${runs.length} runs` : `failed: ${runs[0]?.error ?? '?'}`, judge(ok.length === runs.length)]);
    targets.push(['#4: 1M spans scrolls at 60 fps (p95 ≤ 16.7 ms)', cell(p95, fmtMs), judge(p95 ? p95.median <= 17.0 : false)]);
  }
  if (summaryRuns.length) {
    lines.push('');
    lines.push('| 1,000 traces × 100 spans | median (min–max) |');
    lines.push('|---|---|');
    lines.push(`| file | ${fmtMB(summaryRuns[0].fileBytes)} |`);
    lines.push(`| runs (ok / tried) | ${summaryRuns.filter((r) => !r.error).length} / ${summaryRuns.length} |`);
    const rows = [
      ['drop → 1,000 traces in the list', (r) => r.listMs, fmtMs],
      ['longest frame while loading (page frozen)', (r) => r.longestFrameMs, fmtMs],
      ['frames while loading longer than one (> 17.5 ms) / two (> 34 ms)', framesOver(17.5), fmtN, framesOver(34)],
      ...measureRows(summaryRuns),
      ['app measure `traceglass:summary`', (r) => r.summaryMeasure, fmtMs],
      ['click Summary → first group visible', (r) => r.summaryClickMs, fmtMs],
      ['JS heap used (after GC)', (r) => r.memory?.jsHeapUsed, fmtMB],
      ['wasm memory', (r) => r.memory?.wasmMemory, fmtMB],
    ];
    for (const [name, pick, fmt, extra] of rows) lines.push(`| ${name} | ${cells(summaryRuns, pick, fmt, extra)} |`);
    for (const r of summaryRuns.filter((x) => x.error)) lines.push(`\nsummary run ${r.run} failed: ${r.error}`);
    const m = stat(summaryRuns, (r) => r.summaryMeasure);
    const c = stat(summaryRuns, (r) => r.summaryClickMs);
    targets.push(['#5: summary of 1,000 × 100 spans ≤ 150 ms (`traceglass:summary`)', cell(m, fmtMs), judge(m ? m.median <= 150 : null)]);
    targets.push(['#5: the same, click → summary visible', cell(c, fmtMs), judge(c ? c.median <= 150 : null)]);
  }
  if (jaegerRuns.length) {
    lines.push('');
    lines.push(`| ${label(jaegerRuns[0].spans)} from Jaeger: open by id → timeline | median (min–max) |`);
    lines.push('|---|---|');
    lines.push(`| Jaeger's answer (\`GET /api/traces/{id}\`) | ${fmtMB(jaegerRuns[0].fileBytes)} |`);
    lines.push(`| runs (ok / tried) | ${jaegerRuns.filter((r) => !r.error).length} / ${jaegerRuns.length} |`);
    const rows = [
      ['click Open trace → Jaeger\'s answer received', (r) => r.answerMs, fmtMs],
      ['click Open trace → timeline rows visible', (r) => r.timelineMs, fmtMs],
      ['click Open trace → bottleneck headline visible', (r) => r.headlineMs, fmtMs],
      ['longest frame while loading (page frozen)', (r) => r.longestFrameMs, fmtMs],
      ['frames while loading longer than one (> 17.5 ms) / two (> 34 ms)', framesOver(17.5), fmtN, framesOver(34)],
      ...measureRows(jaegerRuns),
      ['requests for the trace, a run', (r) => r.traceRequests, fmtN],
    ];
    for (const [name, pick, fmt, extra] of rows) lines.push(`| ${name} | ${cells(jaegerRuns, pick, fmt, extra)} |`);
    for (const r of jaegerRuns.filter((x) => x.error)) lines.push(`\nJaeger run ${r.run} failed: ${r.error}${r.pageErrors ? ` (page errors: ${r.pageErrors.join(' | ')})` : ''}`);
  }
  if (targets.length) {
    lines.push('');
    lines.push('| target | measured (median) | |');
    lines.push('|---|---|---|');
    for (const t of targets) lines.push(`| ${t.join(' | ')} |`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

const indexHtml = path.join(distDir, 'index.html');
if (!fs.existsSync(indexHtml)) {
  fail(`${indexHtml} is missing: build the app first with \`trunk build --release\` from the repository root (or point TRACEGLASS_DIST at a build folder).`);
}
if (!fs.existsSync(chromiumPath)) fail(`Chromium is missing at ${chromiumPath}: install Debian's chromium package (or set CHROMIUM_PATH).`);

const inputs = opts.sizeList.map((s) => ({ ...s, file: generated({ spans: s.spans }) }));
const summaryFile = opts.summary ? generated({ spans: 100, traces: 1000 }) : null;
const jaegerInput = opts.jaeger ? jaegerServed(generated({ spans: 100_000 })) : null;

const busy = () => {
  try {
    return execFileSync('pgrep', ['-fa', 'rustc|trunk|wasm-opt|wasm-bindgen'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

const server = await startServer({ root: distDir });
// An old Jaeger (API v1: the generated file is Jaeger UI JSON) serving the 100k-span trace alone.
const jaeger = jaegerInput ? await startJaegerReplay({ api: 'v1', cors: true, fixturesDir: jaegerInput.dir, traces: [jaegerInput.rel] }) : null;
const jaegerTrace = jaeger?.traces[0] ?? null;
if (jaeger && (jaeger.traces.length !== 1 || jaegerTrace.generation !== 'v1')) {
  fail(`the Jaeger replay should serve one v1 trace from ${jaegerInput.rel}, it serves ${JSON.stringify(jaeger.traces.map((t) => [t.generation, t.traceId]))}`);
}
const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: BROWSER_ARGS });
const env = {
  date: new Date().toISOString(),
  dist: distDir,
  chromium: browser.version(),
  cpus: os.cpus().length,
  memGB: Math.round(os.totalmem() / 1e9),
  loadavgStart: os.loadavg(),
  buildProcessesStart: busy(),
};
console.error(`Chromium ${env.chromium}, ${env.cpus} cores, load ${env.loadavgStart.map((x) => x.toFixed(2)).join(' ')}, ${env.buildProcessesStart} build processes running${opts.wasmMaxMb ? `, wasm memory capped at ${opts.wasmMaxMb} MB` : ''}`);

const results = [];
const summaryRuns = [];
const jaegerRuns = [];
try {
  for (const { spans, runs, file } of inputs) {
    for (let run = 1; run <= runs; run++) {
      const t = Date.now();
      const r = await runSpans(browser, server, spans, file, run);
      r.buildProcesses = busy();
      results.push(r);
      console.error(
        `${label(spans)} run ${run}: ${r.error ? `FAILED: ${r.error}` : `timeline ${fmtMs(r.timelineMs)}, headline ${fmtMs(r.headlineMs)}, scroll p95 ${fmtMs(r.scroll.p95)}, heap ${fmtMB(r.memory.jsHeapUsed)} + wasm ${r.memory.wasmMemory != null ? fmtMB(r.memory.wasmMemory) : 'n/a'}`} (${((Date.now() - t) / 1000).toFixed(0)} s, ${r.buildProcesses} build processes)`,
      );
      if (r.error && /crash/.test(r.error)) break;
    }
    for (let run = 1; run <= opts.coldRuns; run++) {
      const r = await runSpans(browser, server, spans, file, run, { cold: true });
      r.buildProcesses = busy();
      results.push(r);
      console.error(`${label(spans)} cold run ${run}: ${r.error ? `FAILED: ${r.error}` : `timeline ${fmtMs(r.timelineMs)}, import ${r.measures?.import != null ? fmtMs(r.measures.import) : 'n/a'}`}`);
    }
  }
  if (summaryFile) {
    for (let run = 1; run <= opts.summaryRuns; run++) {
      const r = await runSummary(browser, server, summaryFile, run);
      r.buildProcesses = busy();
      summaryRuns.push(r);
      console.error(`1000×100 run ${run}: ${r.error ? `FAILED: ${r.error}` : `list ${fmtMs(r.listMs)}, summary measure ${r.summaryMeasure != null ? fmtMs(r.summaryMeasure) : 'n/a'}, click → summary ${fmtMs(r.summaryClickMs)}`}`);
    }
  }
  if (jaeger) {
    const fileBytes = fs.statSync(path.join(jaegerInput.dir, jaegerInput.rel)).size;
    for (let run = 1; run <= opts.jaegerRuns; run++) {
      const r = await runJaeger(browser, server, jaeger, jaegerTrace, fileBytes, run);
      r.buildProcesses = busy();
      jaegerRuns.push(r);
      console.error(
        `${label(r.spans)} from Jaeger run ${run}: ${r.error ? `FAILED: ${r.error}` : `answer ${r.answerMs != null ? fmtMs(r.answerMs) : 'n/a'}, timeline ${fmtMs(r.timelineMs)}, headline ${fmtMs(r.headlineMs)}, longest frame ${fmtMs(r.longestFrameMs)}, ${r.traceRequests} request(s)`}`,
      );
    }
  }
} finally {
  await browser.close().catch(() => {});
  await server.close();
  await jaeger?.close();
}
env.loadavgEnd = os.loadavg();

console.log(report(results, summaryRuns, jaegerRuns));
const measured = [...results, ...summaryRuns, ...jaegerRuns];
if (measured.length && measured.every((r) => !r.measures || Object.keys(r.measures).length === 0)) {
  console.log('\nThe build records no `traceglass:*` performance measures: those rows are n/a.');
}
if (opts.json) {
  fs.writeFileSync(opts.json, JSON.stringify({ env, options: { ...opts, sizeList: undefined }, results, summary: summaryRuns, jaeger: jaegerRuns }, null, 2));
  console.error(`raw results written to ${opts.json}`);
}
