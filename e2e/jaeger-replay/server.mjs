// A replay of the Jaeger query HTTP API (v1 `/api/...` and v3 `/api/v3/...`) over the recorded
// traces of `shared/fixtures`, for the end-to-end tests. Node's standard library only.
//
//   import { startJaegerReplay } from '../jaeger-replay/server.mjs';
//   const jaeger = await startJaegerReplay({ api: 'both', cors: true });
//   await fetch(`${jaeger.url}/api/v3/services`);      // {"services":["customer","driver",…]}
//   jaeger.requests;                                   // [{ method, path, query, status }]
//   await jaeger.close();
//
// Every body is either a recorded response replayed byte for byte, or assembled in the shape
// Jaeger documents from recorded trace objects; every error carries the message Jaeger's own
// parsers would write (see goparse.mjs and README.md, which quotes the source of each message).
//
// The server pretends to be one of three Jaeger generations (`api`):
// - 'v1'   an old Jaeger: only `/api/*`, and `/api/v3/*` answers 404;
// - 'both' Jaeger v2.20: `/api/*` and `/api/v3/*`;
// - 'v3'   Jaeger v2 main after #9260: `/api/v3/*`, and of v1 only `GET /api/traces/{id}`.

import http from 'node:http';

import {
  describeEntry,
  listCorpus,
  loadCorpus,
  timeRange,
} from './corpus.mjs';
import {
  atoi,
  goJsonEscape,
  goJsonQuote,
  parseBool,
  parseDuration,
  parseInt10,
  parseRFC3339Nano,
  traceIdFromString,
  traceIdString,
  unmarshalStringMap,
} from './goparse.mjs';

export { NO_SERVICE_NAME } from './corpus.mjs';

// ---------------------------------------------------------------------------------------------
// Corpus access for tests (cached per option set: the files are read once per process).

const corpusCache = new Map();

function corpusFor({ fixturesDir, traces } = {}) {
  const key = JSON.stringify([fixturesDir ?? null, traces ?? null]);
  if (!corpusCache.has(key)) corpusCache.set(key, loadCorpus({ fixturesDir, traces }));
  return corpusCache.get(key);
}

/**
 * The traces the server serves, with their services, span counts and ready-made search windows:
 * `[{ generation: 'v1'|'v3', file, traceId, spanCount, services, startTimeUnixNano,
 * endTimeUnixNano, searchWindow: { min, max } }]` (`searchWindow` in µs strings for v1 — the
 * `start`/`end` parameters — and RFC3339Nano for v3 — `query.startTimeMin`/`Max`).
 */
export function corpusTraces(options) {
  return listCorpus(corpusFor(options));
}

/**
 * The span-start range of each generation: `{ v1: { min, max } (µs, decimal strings),
 * v3: { min, max } (RFC3339Nano) }`. A search over that window finds every trace (the recorded
 * traces date from 1970 to 2026, far outside any "last hour" lookback).
 */
export function corpusTimeRange(options) {
  return timeRange(corpusFor(options));
}

/** Traces that another file with the same trace ID hides (`[{ generation, file, traceId, servedBy }]`). */
export function shadowedTraces(options) {
  return corpusFor(options).shadowed;
}

// ---------------------------------------------------------------------------------------------
// Responses

/** Go's net/http `http.Error`: text/plain, nosniff, the text plus a newline. */
function httpError(status, text) {
  return {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
    body: text + '\n',
  };
}

/** Jaeger's v1 `handleError`: a structuredResponse with one error, sent with http.Error. */
function v1Error(code, msg) {
  return httpError(code, `{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":${code},"msg":${goJsonQuote(msg)}}]}`);
}

/** Jaeger's v3 `tryHandleError`: a GRPCGatewayError, sent with http.Error. */
function v3Error(code, msg) {
  return httpError(code, `{"error":{"httpCode":${code},"message":${goJsonQuote(msg)}}}`);
}

function json(body) {
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body };
}

/** The v1 `structuredResponse` as json.Marshal writes it. */
function v1Envelope(data, { total = 0, errors = null } = {}) {
  return json(goJsonEscape(`{"data":${JSON.stringify(data)},"total":${total},"limit":0,"offset":0,"errors":${JSON.stringify(errors)}}`));
}

const NOT_FOUND = () => httpError(404, '404 page not found');

const STATUS_TEXT = http.STATUS_CODES;

/**
 * What a failing storage backend makes Jaeger answer: the gRPC error of a remote storage
 * (jaeger `remote-storage`) that cannot be reached. Used for `failWith` with a 5xx status.
 */
const STORAGE_DOWN =
  'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:17271: connect: connection refused"';

function failure(generation, { status = 500, message } = {}) {
  const msg = message ?? (status >= 500 ? STORAGE_DOWN : STATUS_TEXT[status] ?? `status ${status}`);
  return generation === 'v3' ? v3Error(status, msg) : v1Error(status, msg);
}

// ---------------------------------------------------------------------------------------------
// Query strings as Go's url.ParseQuery reads them (pairs split on '&'; a pair holding ';' or a
// bad escape is dropped, as r.URL.Query() does).

function goUnescape(s) {
  if (/%(?![0-9a-fA-F]{2})/.test(s)) return null;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

function parseQuery(raw) {
  const values = new Map();
  for (const pair of raw.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    const k = goUnescape(eq < 0 ? pair : pair.slice(0, eq));
    const v = goUnescape(eq < 0 ? '' : pair.slice(eq + 1));
    if (k === null || v === null) continue;
    if (!values.has(k)) values.set(k, []);
    values.get(k).push(v);
  }
  return {
    values,
    get: (k) => values.get(k)?.[0] ?? '',
    all: (k) => values.get(k) ?? [],
  };
}

/** apiv3 `getQueryParam`: the canonical name if non-empty, else the deprecated alias. */
function getParam(q, canonical, deprecated) {
  const v = q.get(canonical);
  if (v !== '') return [v, canonical];
  return [q.get(deprecated), deprecated];
}

// ---------------------------------------------------------------------------------------------
// Search (the semantics of Jaeger's in-memory store, jaeger internal/storage/v2/memory: a trace
// matches when one of its spans matches every condition; start times and durations inclusive).

function spanMatches(span, q, generation) {
  if (q.service && span.service !== q.service) return false;
  if (q.operation && span.operation !== q.operation) return false;
  if (q.startMin !== null && span.startNs < q.startMin) return false;
  if (q.startMax !== null && span.startNs > q.startMax) return false;
  if (q.durationMin !== 0n && span.durationNs < q.durationMin) return false;
  if (q.durationMax !== 0n && span.durationNs > q.durationMax) return false;
  for (const [k, v] of q.attributes) {
    if (generation === 'v1') {
      if (!span.tags.some(([tk, tv]) => tk === k && tv === v)) return false;
    } else {
      const found = span.attrs.some((m) => m.get(k) === v);
      // The memory store reads `error` as "the span's status is ERROR".
      if (!found && !(k === 'error' && v === 'true' && span.error)) return false;
    }
  }
  return true;
}

function search(entries, q, generation) {
  const found = entries.filter((e) => e.spans.some((s) => spanMatches(s, q, generation)));
  // Newest first (the memory store returns the most recently written first; ours were "written"
  // in the order they happened).
  found.sort((a, b) => (a.startNs === b.startNs ? 0 : a.startNs > b.startNs ? -1 : 1));
  return q.limit > 0 ? found.slice(0, q.limit) : found;
}

// ---------------------------------------------------------------------------------------------
// v1 handlers (jaeger cmd/jaeger/internal/extension/jaegerquery/internal/http_handler.go and
// query_parser.go at v2.20.0)

const DEFAULT_LOOKBACK_NS = 2n * 24n * 3600n * 1000000000n; // defaultTraceQueryLookbackDuration
const DEFAULT_V1_LIMIT = 100; // defaultQueryLimit

function v1Services(corpus) {
  const names = [...new Set(corpus.v1.flatMap((e) => e.spans.map((s) => s.service)))].sort();
  return v1Envelope(names, { total: names.length });
}

function v1OperationsOf(corpus, service, spanKind) {
  const ops = new Map();
  for (const e of corpus.v1) {
    for (const s of e.spans) {
      if (s.service !== service) continue;
      if (spanKind && s.kind !== spanKind) continue;
      ops.set(`${s.operation}\u0000${s.kind}`, { name: s.operation, spanKind: s.kind });
    }
  }
  return [...ops.values()].sort((a, b) => (a.name === b.name ? (a.spanKind < b.spanKind ? -1 : 1) : a.name < b.name ? -1 : 1));
}

function v1Operations(corpus, q) {
  const service = q.get('service');
  if (service === '') return v1Error(400, "parameter 'service' is required");
  const ops = v1OperationsOf(corpus, service, q.get('spanKind'));
  return v1Envelope(ops, { total: ops.length });
}

function v1ServiceOperations(corpus, rawService) {
  // getOperationsLegacy: url.QueryUnescape of the (still encoded) path variable.
  const service = goUnescape(rawService) ?? '';
  const names = [...new Set(v1OperationsOf(corpus, service, '').map((o) => o.name))].sort();
  return v1Envelope(names, { total: names.length });
}

function v1ParseSearch(q) {
  const nowNs = BigInt(Date.now()) * 1000000n;
  const parseTime = (name, dflt) => {
    const v = q.get(name);
    if (v === '') return { value: dflt };
    const r = parseInt10(v);
    if (r.error) return { error: `unable to parse param '${name}': ${r.error}` };
    return { value: r.value * 1000n };
  };
  const start = parseTime('start', nowNs - DEFAULT_LOOKBACK_NS);
  if (start.error) return start;
  const end = parseTime('end', nowNs);
  if (end.error) return end;

  const attributes = new Map();
  for (const tag of q.all('tag')) {
    const parts = tag.split(':');
    if (parts.length <= 1) return { error: `malformed 'tag' parameter, expecting key:value, received: ${tag}` };
    attributes.set(parts[0], parts.slice(1).join(':'));
  }
  for (const tags of q.all('tags')) {
    const r = unmarshalStringMap(tags);
    if (r.error) return { error: `malformed 'tags' parameter, cannot unmarshal JSON: ${r.error}` };
    for (const [k, v] of r.value) attributes.set(k, v);
  }

  let limit = DEFAULT_V1_LIMIT;
  if (q.get('limit') !== '') {
    const r = parseInt10(q.get('limit'), 32);
    if (r.error) return r; // returned as is by parseTraceQueryParams
    limit = Number(r.value);
  }

  const duration = (name) => {
    const v = q.get(name);
    if (v === '') return { value: 0n };
    const r = parseDuration(v);
    return r.error ? { error: `unable to parse param '${name}': ${r.error}` } : r;
  };
  const durationMin = duration('minDuration');
  if (durationMin.error) return durationMin;
  const durationMax = duration('maxDuration');
  if (durationMax.error) return durationMax;

  const traceIDs = [];
  for (const id of q.all('traceID')) {
    const r = traceIdFromString(id);
    if (r.error) return { error: `cannot parse traceID param: ${r.error}` };
    traceIDs.push(r.value);
  }

  if (q.get('raw') !== '') {
    const r = parseBool(q.get('raw'));
    if (r.error) return { error: `unable to parse param 'raw': ${r.error}` };
  }

  // validateQuery
  const service = q.get('service');
  if (traceIDs.length === 0 && service === '') return { error: "parameter 'service' is required" };
  if (limit <= 0) return { error: 'invalid parameter: limit must be greater than 0' };
  if (start.value > end.value) return { error: 'invalid parameter: start time must be before end time' };
  if (durationMin.value !== 0n && durationMax.value !== 0n && durationMax.value < durationMin.value) {
    return { error: "'maxDuration' should be greater than 'minDuration'" };
  }
  return {
    value: {
      service,
      operation: q.get('operation'),
      startMin: start.value,
      startMax: end.value,
      durationMin: durationMin.value,
      durationMax: durationMax.value,
      attributes,
      limit,
      traceIDs,
    },
  };
}

function v1Search(corpus, q) {
  const parsed = v1ParseSearch(q);
  if (parsed.error) return v1Error(400, parsed.error);
  const query = parsed.value;
  if (query.traceIDs.length > 0) {
    // tracesByIDs: every requested ID, the others' filters ignored; a missing one is an error
    // entry (no code) beside the traces found.
    const data = [];
    const errors = [];
    for (const key of query.traceIDs) {
      const e = corpus.v1ByKey.get(key);
      if (e) data.push(e.trace);
      else errors.push({ msg: 'trace not found', traceID: traceIdString(key) });
    }
    return v1Envelope(data, { errors: errors.length ? errors : null });
  }
  return v1Envelope(search(corpus.v1, query, 'v1').map((e) => e.trace));
}

function v1GetTrace(corpus, rawId, q) {
  const id = traceIdFromString(rawId);
  if (id.error) return v1Error(400, id.error);
  for (const name of ['start', 'end']) {
    const v = q.get(name);
    if (v === '') continue;
    const r = parseInt10(v);
    if (r.error) return v1Error(400, `unable to parse param '${name}': ${r.error}`);
  }
  if (q.get('raw') !== '') {
    const r = parseBool(q.get('raw'));
    if (r.error) return v1Error(400, `unable to parse param 'raw': ${r.error}`);
  }
  const e = corpus.v1ByKey.get(id.value);
  if (!e) return v1Error(404, 'trace not found');
  if (e.replayBytes) return json(e.replayBytes);
  return v1Envelope([e.trace]);
}

// ---------------------------------------------------------------------------------------------
// v3 handlers (jaeger cmd/jaeger/internal/extension/jaegerquery/internal/apiv3/http_gateway.go
// and query_parser.go at v2.20.0)

const DEFAULT_SEARCH_DEPTH = 100; // apiv3 defaultSearchDepth

function v3Services(corpus) {
  const names = [...new Set(corpus.v3.flatMap((e) => e.spans.map((s) => s.service)))].sort();
  // gogo jsonpb leaves an empty repeated field out.
  return json(names.length ? `{"services":${goJsonEscape(JSON.stringify(names))}}` : '{}');
}

function v3Operations(corpus, q) {
  const service = q.get('service');
  const [spanKind] = getParam(q, 'spanKind', 'span_kind');
  const ops = new Map();
  for (const e of corpus.v3) {
    for (const s of e.spans) {
      if (s.service !== service) continue;
      if (spanKind && s.kind !== spanKind) continue;
      // "empty span kind is returned as internal"
      const kind = s.kind || 'internal';
      ops.set(`${s.operation}\u0000${kind}`, { name: s.operation, spanKind: kind });
    }
  }
  const list = [...ops.values()].sort((a, b) => (a.name === b.name ? (a.spanKind < b.spanKind ? -1 : 1) : a.name < b.name ? -1 : 1));
  return json(list.length ? `{"operations":${goJsonEscape(JSON.stringify(list))}}` : '{}');
}

/** apiv3 parseFindTracesQuery, in its order of checks. */
function v3ParseFind(q) {
  const attributes = new Map();
  if (q.get('query.attributes') !== '') {
    const r = unmarshalStringMap(q.get('query.attributes'));
    if (r.error) return { error: `malformed parameter query.attributes: ${r.error}` };
    for (const [k, v] of r.value) attributes.set(k, v);
  }
  const [minText, minName] = getParam(q, 'query.startTimeMin', 'query.start_time_min');
  const [maxText, maxName] = getParam(q, 'query.startTimeMax', 'query.start_time_max');
  if (minText === '' || maxText === '') return { error: 'query.startTimeMin and query.startTimeMax are required' };
  const min = parseRFC3339Nano(minText);
  if (min.error) return { error: `malformed parameter ${minName}: ${min.error}` };
  const max = parseRFC3339Nano(maxText);
  if (max.error) return { error: `malformed parameter ${maxName}: ${max.error}` };
  if (!(min.value < max.value)) return { error: 'query.startTimeMin must be before query.startTimeMax' };

  let limit = DEFAULT_SEARCH_DEPTH;
  let [n, depthName] = getParam(q, 'query.searchDepth', 'query.search_depth');
  if (n === '') {
    n = q.get('query.num_traces');
    depthName = 'query.num_traces';
  }
  if (n !== '') {
    const r = atoi(n);
    if (r.error) return { error: `malformed parameter ${depthName}: ${r.error}` };
    // Jaeger v2.20's parser has no such check (the storage decides); worded like the v1 parser's.
    if (r.value <= 0n) return { error: `invalid parameter: ${depthName} must be greater than 0` };
    limit = Number(r.value);
  }

  const duration = (canonical, deprecated) => {
    const [v, name] = getParam(q, canonical, deprecated);
    if (v === '') return { value: 0n };
    const r = parseDuration(v);
    return r.error ? { error: `malformed parameter ${name}: ${r.error}` } : r;
  };
  const durationMin = duration('query.durationMin', 'query.duration_min');
  if (durationMin.error) return durationMin;
  const durationMax = duration('query.durationMax', 'query.duration_max');
  if (durationMax.error) return durationMax;

  const [raw, rawName] = getParam(q, 'query.rawTraces', 'query.raw_traces');
  if (raw !== '') {
    const r = parseBool(raw);
    if (r.error) return { error: `malformed parameter ${rawName}: ${r.error}` };
  }
  const [service] = getParam(q, 'query.serviceName', 'query.service_name');
  const [operation] = getParam(q, 'query.operationName', 'query.operation_name');
  return {
    value: {
      service,
      operation,
      startMin: min.value,
      startMax: max.value,
      durationMin: durationMin.value,
      durationMax: durationMax.value,
      attributes,
      limit,
    },
  };
}

function v3Result(entries) {
  return json(goJsonEscape(JSON.stringify({ result: { resourceSpans: entries.flatMap((e) => e.resourceSpans) } })));
}

function v3FindTraces(corpus, q) {
  const parsed = v3ParseFind(q);
  if (parsed.error) return v3Error(400, parsed.error);
  const found = search(corpus.v3, parsed.value, 'v3');
  if (found.length === 0) return v3Error(404, 'No traces found');
  return v3Result(found);
}

/** querysvc summarizeTrace, plus the orphan count of later versions. */
function summarize(e) {
  const services = new Map();
  let root = null;
  let errors = 0;
  let orphans = 0;
  for (const s of e.spans) {
    const stats = services.get(s.summaryService) ?? { name: s.summaryService, spanCount: 0, errorSpanCount: 0 };
    services.set(s.summaryService, stats);
    stats.spanCount++;
    if (s.error) {
      stats.errorSpanCount++;
      errors++;
    }
    if (s.parentSpanId === '') root ??= s;
    else if (!e.spanIds.has(s.parentSpanId)) orphans++;
  }
  return {
    traceId: e.traceId,
    rootServiceName: root?.summaryService ?? '',
    rootOperationName: root?.operation ?? '',
    minStartTimeUnixNano: e.startNs.toString(),
    maxEndTimeUnixNano: e.endNs.toString(),
    spanCount: e.spans.length,
    errorSpanCount: errors,
    orphanSpanCount: orphans,
    services: [...services.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

function v3TraceSummaries(corpus, q) {
  const parsed = v3ParseFind(q);
  if (parsed.error) return v3Error(400, parsed.error);
  const summaries = search(corpus.v3, parsed.value, 'v3').map(summarize);
  return json(goJsonEscape(JSON.stringify({ summaries })));
}

function v3GetTrace(corpus, rawId, q) {
  const id = traceIdFromString(rawId);
  if (id.error) return v3Error(400, `malformed parameter trace_id: ${id.error}`);
  for (const [canonical, deprecated] of [['startTime', 'start_time'], ['endTime', 'end_time']]) {
    const [v, name] = getParam(q, canonical, deprecated);
    if (v === '') continue;
    const r = parseRFC3339Nano(v);
    if (r.error) return v3Error(400, `malformed parameter ${name}: ${r.error}`);
  }
  const [raw, rawName] = getParam(q, 'rawTraces', 'raw_traces');
  if (raw !== '') {
    const r = parseBool(raw);
    if (r.error) return v3Error(400, `malformed parameter ${rawName}: ${r.error}`);
  }
  const e = corpus.v3ByKey.get(id.value);
  // returnTraces: an empty result is the same 404 as an empty search.
  if (!e) return v3Error(404, 'No traces found');
  if (e.replayBytes) return json(e.replayBytes);
  return v3Result([e]);
}

// ---------------------------------------------------------------------------------------------
// Misbehaving answers (issue #18): what a broken proxy or a confused server sends instead of
// Jaeger's answer. Not Jaeger's behaviour: each is asked for by a test through `misbehave`.

/** The kinds of `misbehave`, for the option check. */
const MISBEHAVIOURS = ['endless', 'huge', 'html', 'summaries'];

/** A sign-in page as a proxy in front of Jaeger serves it, with 200, where JSON was expected. */
const HTML_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><h1>Sign in</h1>' +
  '<form method="post" action="/login"><input name="user"><input type="password" name="password"></form></body></html>\n';

/**
 * `count` v3 trace summaries (the shape of `summarize`), one a second before `endMs`, with the
 * root names given (the text of a search result).
 */
export function manySummaries({ count = 3000, rootServiceName = 'svc', rootOperationName = 'op', endMs = Date.now() } = {}) {
  const summaries = [];
  for (let i = 0; i < count; i++) {
    const start = BigInt(endMs - i * 1000) * 1_000_000n;
    summaries.push({
      traceId: (i + 1).toString(16).padStart(32, '0'),
      rootServiceName,
      rootOperationName,
      minStartTimeUnixNano: start.toString(),
      maxEndTimeUnixNano: (start + BigInt(1 + (i % 997)) * 1_000_000n).toString(),
      spanCount: 1 + (i % 50),
      errorSpanCount: i % 7 === 0 ? 1 : 0,
      orphanSpanCount: 0,
      services: [{ name: rootServiceName, spanCount: 1 + (i % 50), errorSpanCount: i % 7 === 0 ? 1 : 0 }],
    });
  }
  return summaries;
}

/**
 * Sends a misbehaving answer on `res` and returns the status logged for it. `endless` sends 200
 * with the start of a JSON answer, then a few bytes every 100 ms, and never ends (until the
 * client goes or the server closes); `huge` sends `mb` MB (default 50) of text that is not JSON,
 * with 200 and a JSON content type; `html` sends a sign-in page with 200; `summaries` answers
 * with `manySummaries(misbehave)` in the v3 envelope.
 */
function misbehaveOn(res, misbehave, generation, corsHeaders, timers) {
  const { kind } = misbehave;
  if (kind === 'endless') {
    res.writeHead(200, { 'Content-Type': 'application/json', ...corsHeaders });
    res.write(generation === 'v3' ? '{"summaries":[' : '{"data":[');
    const timer = setInterval(() => {
      if (res.destroyed) {
        clearInterval(timer);
        timers.delete(timer);
        return;
      }
      res.write(' ');
    }, 100);
    timers.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      timers.delete(timer);
    });
    return 200;
  }
  if (kind === 'huge') {
    const mb = misbehave.mb ?? 50;
    const line = Buffer.from('this is not JSON: a proxy answered with a log dump instead of Jaeger\n');
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i < chunk.length; i++) chunk[i] = line[i % line.length];
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(mb << 20), ...corsHeaders });
    let sent = 0;
    const more = () => {
      while (sent < mb && !res.destroyed) {
        sent++;
        if (!res.write(chunk)) return res.once('drain', more);
      }
      res.end();
    };
    more();
    return 200;
  }
  const body =
    kind === 'html'
      ? HTML_PAGE
      : goJsonEscape(JSON.stringify({ summaries: manySummaries(misbehave) }));
  const type = kind === 'html' ? 'text/html; charset=utf-8' : 'application/json';
  const bytes = Buffer.from(body);
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': String(bytes.length), ...corsHeaders });
  res.end(bytes);
  return 200;
}

// ---------------------------------------------------------------------------------------------
// Routing

/**
 * The route for a path (below the base path): `{ generation, handler }`, or null. `api` decides
 * which routes exist. `handler(corpus, q)` builds the response.
 */
function route(api, p) {
  const v1Full = api === 'v1' || api === 'both';
  const v3 = api === 'v3' || api === 'both';
  const seg = p.split('/');
  // seg[0] is '' (leading slash), seg[1] 'api'
  if (seg[1] !== 'api') return null;
  if (seg[2] === 'v3') {
    if (!v3) return null;
    const rest = seg.slice(3);
    if (rest.length === 1) {
      switch (rest[0]) {
        case 'services':
          return { generation: 'v3', handler: (c) => v3Services(c) };
        case 'operations':
          return { generation: 'v3', handler: (c, q) => v3Operations(c, q) };
        case 'traces':
          return { generation: 'v3', search: true, handler: (c, q) => v3FindTraces(c, q) };
        case 'trace-summaries':
          return { generation: 'v3', search: true, handler: (c, q) => v3TraceSummaries(c, q) };
        default:
          return null;
      }
    }
    if (rest.length === 2 && rest[0] === 'traces' && rest[1] !== '') {
      let id;
      try {
        id = decodeURIComponent(rest[1]);
      } catch {
        return { generation: 'v3', handler: () => httpError(400, '400 Bad Request') };
      }
      return { generation: 'v3', handler: (c, q) => v3GetTrace(c, id, q) };
    }
    return null;
  }
  const rest = seg.slice(2);
  if (rest.length === 2 && rest[0] === 'traces' && rest[1] !== '') {
    return { generation: 'v1', handler: (c, q) => v1GetTrace(c, rest[1], q) };
  }
  if (!v1Full) return null;
  if (rest.length === 1) {
    switch (rest[0]) {
      case 'services':
        return { generation: 'v1', handler: (c) => v1Services(c) };
      case 'operations':
        return { generation: 'v1', handler: (c, q) => v1Operations(c, q) };
      case 'traces':
        return { generation: 'v1', search: true, handler: (c, q) => v1Search(c, q) };
      default:
        return null;
    }
  }
  if (rest.length === 3 && rest[0] === 'services' && rest[1] !== '' && rest[2] === 'operations') {
    return { generation: 'v1', handler: (c) => v1ServiceOperations(c, rest[1]) };
  }
  return null;
}

function normalizeBasePath(basePath) {
  let b = String(basePath ?? '');
  if (b === '' || b === '/') return '';
  if (!b.startsWith('/')) b = '/' + b;
  return b.replace(/\/+$/, '');
}

function originAllowed(cors, origin) {
  if (!cors || !origin) return false;
  if (cors === true) return true;
  return cors.some((pattern) => {
    const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
    return re.test(origin);
  });
}

// rs/cors (used by OTel confighttp) allows these methods when none are configured.
const CORS_METHODS = ['GET', 'POST', 'HEAD'];

/**
 * Starts the replay server on 127.0.0.1.
 *
 * @param {object} [options]
 * @param {'both'|'v1'|'v3'} [options.api='both'] which Jaeger generation to pretend to be
 * @param {boolean|string[]} [options.cors=true] answer CORS like Jaeger v2 with
 *   `extensions.jaeger_query.http.cors.allowed_origins` set (true: any origin; an array: origin
 *   patterns with `*`, e.g. `['http://127.0.0.1:*']`); false: never send a CORS header
 * @param {string} [options.basePath=''] Jaeger's `base_path`, e.g. '/jaeger'
 * @param {number} [options.delayMs=0] delay every response by this much
 * @param {{status: number, message?: string}|null} [options.failWith=null] answer every API route
 *   with this error in the route's envelope
 * @param {{kind: 'endless'|'huge'|'html'|'summaries', mb?: number, count?: number}|null}
 *   [options.misbehave=null] answer the search routes (`/api/traces`, `/api/v3/traces`,
 *   `/api/v3/trace-summaries`) with a misbehaving answer instead (see `misbehaveOn`)
 * @param {number} [options.port=0] the port (0: a free one)
 * @param {string} [options.fixturesDir] defaults to `<repo>/../shared/fixtures`
 * @param {string[]} [options.traces] fixture files to serve instead of the default corpus
 */
export async function startJaegerReplay({
  api = 'both',
  cors = true,
  basePath = '',
  delayMs = 0,
  failWith = null,
  misbehave = null,
  port = 0,
  fixturesDir,
  traces,
} = {}) {
  if (!['both', 'v1', 'v3'].includes(api)) throw new Error(`startJaegerReplay: api must be 'both', 'v1' or 'v3', not ${JSON.stringify(api)}`);
  const corpus = corpusFor({ fixturesDir, traces });
  const base = normalizeBasePath(basePath);
  const checkMisbehave = (m) => {
    if (m && !MISBEHAVIOURS.includes(m.kind)) throw new Error(`startJaegerReplay: misbehave.kind must be one of ${MISBEHAVIOURS.join(', ')}`);
    return m;
  };
  const settings = { delayMs, failWith, misbehave: checkMisbehave(misbehave) };
  const requests = [];
  const timers = new Set();

  function answer(req) {
    const rawUrl = req.url ?? '/';
    const qIndex = rawUrl.indexOf('?');
    const rawPath = qIndex < 0 ? rawUrl : rawUrl.slice(0, qIndex);
    const q = parseQuery(qIndex < 0 ? '' : rawUrl.slice(qIndex + 1));
    const method = req.method ?? 'GET';
    const origin = req.headers.origin;
    const corsHeaders = {};

    // CORS (rs/cors as configured by confighttp: AllowCredentials true, origins echoed).
    if (cors) {
      const preflightMethod = req.headers['access-control-request-method'];
      if (method === 'OPTIONS' && preflightMethod) {
        const headers = { Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' };
        if (originAllowed(cors, origin) && CORS_METHODS.includes(preflightMethod.toUpperCase())) {
          headers['Access-Control-Allow-Origin'] = origin;
          headers['Access-Control-Allow-Methods'] = preflightMethod.toUpperCase();
          const reqHeaders = req.headers['access-control-request-headers'];
          if (reqHeaders) headers['Access-Control-Allow-Headers'] = reqHeaders;
          headers['Access-Control-Allow-Credentials'] = 'true';
        }
        return { q, rawPath, response: { status: 204, headers, body: '' } };
      }
      corsHeaders.Vary = 'Origin';
      if (originAllowed(cors, origin)) {
        corsHeaders['Access-Control-Allow-Origin'] = origin;
        corsHeaders['Access-Control-Allow-Credentials'] = 'true';
      }
    }

    const withCors = (r) => ({ ...r, headers: { ...r.headers, ...corsHeaders } });
    if (base && rawPath !== base && !rawPath.startsWith(base + '/')) return { q, rawPath, response: withCors(NOT_FOUND()) };
    const p = base ? rawPath.slice(base.length) : rawPath;
    const r = route(api, p);
    if (!r) return { q, rawPath, response: withCors(NOT_FOUND()) };
    if (method !== 'GET' && method !== 'HEAD') {
      const resp = httpError(405, 'Method Not Allowed');
      resp.headers.Allow = 'GET, HEAD';
      return { q, rawPath, response: withCors(resp) };
    }
    if (settings.failWith) return { q, rawPath, response: withCors(failure(r.generation, settings.failWith)) };
    if (settings.misbehave && r.search) return { q, rawPath, misbehave: { generation: r.generation, corsHeaders } };
    return { q, rawPath, response: withCors(r.handler(corpus, q)) };
  }

  const server = http.createServer((req, res) => {
    let result;
    try {
      result = answer(req);
    } catch (err) {
      result = { q: parseQuery(''), rawPath: req.url ?? '/', response: httpError(500, `jaeger-replay internal error: ${err?.stack ?? err}`) };
    }
    const { response } = result;
    const body = !response ? null : typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
    const send = () => {
      timers.delete(timer);
      if (res.destroyed) return;
      const query = {};
      for (const [k, v] of result.q.values) query[k] = v.length === 1 ? v[0] : v;
      if (result.misbehave) {
        const { generation, corsHeaders } = result.misbehave;
        const status = misbehaveOn(res, settings.misbehave, generation, corsHeaders, timers);
        requests.push({ method: req.method, path: result.rawPath, query, status, misbehave: settings.misbehave.kind });
        return;
      }
      requests.push({ method: req.method, path: result.rawPath, query, status: response.status });
      res.writeHead(response.status, { ...response.headers, 'Content-Length': String(body.length) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const timer = settings.delayMs > 0 ? setTimeout(send, settings.delayMs) : null;
    if (timer) timers.add(timer);
    else send();
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });

  const actualPort = server.address().port;
  const origin = `http://127.0.0.1:${actualPort}`;
  let closed = null;
  return {
    /** Where the API lives: `${url}/api/v3/services`. Includes the base path. */
    url: origin + base,
    origin,
    port: actualPort,
    basePath: base,
    api,
    /** `[{ method, path, query, status }]` for every request answered, in order. */
    requests,
    /** The served traces (see `corpusTraces`). */
    traces: listCorpus(corpus),
    /** The span-start range per generation (see `corpusTimeRange`). */
    timeRange: timeRange(corpus),
    /** The served trace of a generation with this ID (as recorded, or any spelling Jaeger accepts). */
    trace(generation, id) {
      const k = traceIdFromString(id);
      const e = k.error ? corpus[generation].find((x) => x.traceId === id) : corpus[`${generation}ByKey`].get(k.value);
      return e ? describeEntry(e) : null;
    },
    /** Changes `delayMs`, `failWith` and/or `misbehave` for the requests that follow. */
    set({ delayMs: d, failWith: f, misbehave: m } = {}) {
      if (d !== undefined) settings.delayMs = d;
      if (f !== undefined) settings.failWith = f;
      if (m !== undefined) settings.misbehave = checkMisbehave(m);
    },
    close() {
      if (!closed) {
        closed = new Promise((resolve) => {
          for (const t of timers) clearTimeout(t); // clears intervals too (Node shares the two)
          timers.clear();
          server.close(() => resolve());
          server.closeAllConnections?.();
        });
      }
      return closed;
    },
  };
}
