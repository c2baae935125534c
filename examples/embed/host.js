// The host side of Traceglass's postMessage API (version 1), as a dashboard would write it.
//
// - Where Traceglass is: `?app=<url>` on this page (default http://127.0.0.1:8080/). Its origin is
//   the only one this page talks to: messages go to it with that targetOrigin, and messages from
//   any other origin are dropped.
// - Two frames: a bottleneck card opened by URL (`?uiEmbed=v0&view=card&url=…`), and a full trace
//   view (`?uiEmbed=v0`) fed by the buttons below it.
// - Every message, both ways, is logged as text (textContent, never HTML).
// - `window.traceglassHost` exposes the log and `post()` for the browser console and the
//   end-to-end tests (e2e/tests/embed.test.mjs).

const DEMO = 'flask-slow-view.otlp.json';

const params = new URLSearchParams(location.search);
const appUrl = new URL(params.get('app') || 'http://127.0.0.1:8080/', location.href);
const appOrigin = appUrl.origin;

const $ = (id) => document.getElementById(id);
const card = $('card');
const viewer = $('viewer');

/** The app's page with these query parameters. */
function appPage(query) {
  const u = new URL(appUrl);
  u.search = new URLSearchParams(query).toString();
  u.hash = '';
  return u.href;
}

$('app-url').textContent = appUrl.href;
$('host-origin').textContent = location.origin;
$('url').value = new URL(`demo/${DEMO}`, appUrl).href;

const received = []; // { from: 'card' | 'viewer' | 'other', data, at }
const sent = []; // { data, at }
let lastLoaded = null; // the last `loaded` message from the viewer
let nextId = 1;

/** A message for the log: binary data as its size, so the log stays readable. */
function printable(data) {
  if (typeof data !== 'object' || data === null) return JSON.stringify(data);
  return JSON.stringify(
    data,
    (key, value) => {
      if (value instanceof ArrayBuffer) return `<ArrayBuffer, ${value.byteLength} bytes>`;
      if (ArrayBuffer.isView(value)) return `<${value.constructor.name}, ${value.byteLength} bytes>`;
      return value;
    },
    2,
  );
}

function log(direction, who, data, isError = false) {
  const li = document.createElement('li');
  li.className = direction + (isError ? ' error' : '');
  const time = new Date().toISOString().slice(11, 23);
  const arrow = direction === 'in' ? `${who} → host` : `host → ${who}`;
  li.textContent = `${time} ${arrow}: ${printable(data)}`; // text, never HTML
  $('log').append(li);
  li.scrollIntoView({ block: 'nearest' });
}

/** Sends a message to the trace view. Adds `traceglass: 1` and an `id` unless given. */
function post(message, transfer = []) {
  const data =
    message !== null && typeof message === 'object' && !ArrayBuffer.isView(message) && !(message instanceof ArrayBuffer)
      ? { traceglass: 1, id: `h${nextId++}`, ...message }
      : message; // anything else goes as it is (the tests send malformed messages on purpose)
  sent.push({ data, at: Date.now() });
  log('out', 'viewer', data);
  viewer.contentWindow.postMessage(data, appOrigin, transfer);
  return data;
}

window.addEventListener('message', (event) => {
  // Only Traceglass's origin, and only messages of the API.
  if (event.origin !== appOrigin) return;
  const data = event.data;
  if (data === null || typeof data !== 'object' || data.traceglass !== 1) return;
  const from = event.source === viewer.contentWindow ? 'viewer' : event.source === card.contentWindow ? 'card' : 'other';
  received.push({ from, data, at: Date.now() });
  log('in', from, data, data.type === 'error');
  if (from !== 'viewer') return;
  if (data.type === 'ready') {
    for (const el of document.querySelectorAll('.controls button, .controls input')) el.disabled = false;
    $('status').textContent = `Traceglass is ready (API version ${data.version}).`;
  } else if (data.type === 'loaded') {
    lastLoaded = data;
    const t = data.traces?.[0];
    // The span to select: the root's, if the message names it, else the first finding's first span.
    const span = t?.rootSpanId ?? t?.findings?.find((f) => f.spanIds?.length)?.spanIds[0];
    if (span) $('span-id').value = span;
  }
});

$('load-demo').addEventListener('click', async () => {
  // The demo's bytes, fetched from this page's own origin, handed over as an ArrayBuffer.
  const res = await fetch(`demo/${DEMO}`);
  if (!res.ok) {
    log('out', 'viewer', `could not fetch demo/${DEMO}: HTTP ${res.status}`, true);
    return;
  }
  const data = await res.arrayBuffer();
  post({ type: 'load', name: DEMO, data }, [data]);
});

$('file').addEventListener('change', async (event) => {
  const file = event.target.files?.[0];
  if (!file) return;
  const data = await file.arrayBuffer();
  post({ type: 'load', name: file.name, data }, [data]);
  event.target.value = '';
});

$('load-url').addEventListener('click', () => post({ type: 'load', url: $('url').value }));

$('select').addEventListener('click', () => {
  const spanId = $('span-id').value.trim();
  const traceId = lastLoaded?.traces?.[0]?.traceId;
  post({ type: 'select', spanId, ...(traceId ? { traceId } : {}) });
});

$('find').addEventListener('click', () => post({ type: 'find', query: $('query').value }));
$('query').addEventListener('keydown', (event) => {
  if (event.key === 'Enter') post({ type: 'find', query: $('query').value });
});

for (const button of document.querySelectorAll('button.theme')) {
  button.addEventListener('click', () => post({ type: 'theme', theme: button.dataset.theme }));
}

$('clear').addEventListener('click', () => {
  lastLoaded = null;
  post({ type: 'clear' });
});

$('clear-log').addEventListener('click', () => $('log').replaceChildren());

window.traceglassHost = { appOrigin, appUrl: appUrl.href, received, sent, post };

// The frames last: the listener above is in place before either can say `ready`.
card.src = appPage({ uiEmbed: 'v0', view: 'card', url: `demo/${DEMO}` });
viewer.src = appPage({ uiEmbed: 'v0' });
