// The trace corpus of the Jaeger replay server: the recorded traces of `shared/fixtures`, read in
// place, indexed for the two API generations.
//
// - v1 (`/api/...`) serves the Jaeger-JSON traces (`jaeger/`, `crisp/`), i.e. Jaeger UI's
//   `ui.Trace` objects as recorded.
// - v3 (`/api/v3/...`) serves the OTLP traces (`jaeger-apiv3/` recorded GetTrace responses and
//   `otlp/`), i.e. OTLP `resourceSpans` as recorded.
//
// No trace is converted from one format to the other: that would mean inventing the half of the
// data the other format carries (process IDs, resource attributes, span kinds, status codes…).
// Nothing is rewritten either: a trace object is sent as recorded (re-serialised compactly when it
// has to be put in an envelope), and a file that is itself a recorded API response is replayed
// byte for byte.
//
// Which files are loaded, in which order, and which are left out (with the reason) is spelled out
// below, so that a new fixture is a visible decision (a unit test checks that every fixture file is
// either in the corpus or in EXCLUDED). When two files carry the same trace ID, the first one
// loaded serves it and the later one is listed in `shadowed`; a test that needs the later one
// passes its own file list (`traces: [...]`).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { formatFloatF, formatRFC3339Nano, traceIdFromString } from './goparse.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The repository root (e2e/jaeger-replay/../..). */
export const repoRoot = path.resolve(here, '..', '..');

/** `shared/fixtures` beside the repository (CI clones the repository elsewhere with shared/ beside it). */
export const defaultFixturesDir = path.resolve(repoRoot, '..', 'shared', 'fixtures');

/** The Jaeger-JSON files served by the v1 endpoints, in load order (crisp/ follows, see below). */
const V1_FILES = [
  'jaeger/jaeger-ui-issue115-follows-from.json',
  'jaeger/jaeger-query-selftrace-short-spanid.json',
  'jaeger/telemetrygen-converted-dup-span-orphans.json',
  'jaeger/petclinic-17spans-31char-traceid.json',
  'jaeger/petclinic-child-outlives-parent.json',
  'jaeger/genai-agent-57spans-synthetic.json',
  'jaeger/converter-ui01-dup-spanids-int64-binary.json',
  'jaeger/tracegraph-follows-from-nonhex-ids.json',
  'jaeger/crisp-critical-path-1char-ids.json',
  // then every crisp/*.json in natural order. They all carry trace ID "A", so by default only
  // jaeger/crisp-critical-path-1char-ids.json (the same bytes as crisp/18.json) serves it and the
  // crisp files are `shadowed`; pass `traces: ['crisp/7.json']` to serve another one.
];

/** The OTLP files served by the v3 endpoints, in load order. */
const V3_FILES = [
  'jaeger-apiv3/hotrod-gettrace-40spans.json', // a recorded GET /api/v3/traces/{id} response
  'jaeger-apiv3/snapshot-gettrace-no-timestamps.json', // Jaeger's own GetTrace golden snapshot
  'otlp/hotrod-40spans-6services.json',
  'otlp/oteldemo-timeout-clock-skew.json',
  'otlp/nodejs-4-batches.ndjson',
  'otlp/rust-sdk-collector-fileexport.json',
  'otlp/telemetrygen-dup-span-orphan.json',
  'otlp/self-parent-cycle-no-root.json',
  // Same trace ID as self-parent-cycle-no-root.json (a variant of this example), in upper case:
  // shadowed by default, as Jaeger itself only ever answers with lower-case hex IDs.
  'otlp/otel-proto-example-uppercase-ids.json',
  'otlp/jaeger-integration-links.json',
  'otlp/jaeger-integration-multi-resource-events.json',
  // Same trace ID as telemetrygen-dup-span-orphan.json (it was made from that span), so it is
  // shadowed by default: the REAL capture wins over the synthetic variant.
  'otlp/negative-dropped-counts-link.json',
];

/** Trace-bearing fixture files the server does not serve, and why. */
export const EXCLUDED = {
  'jaeger/anonymizer-span-array-inline-process.json':
    'a bare array of spans with inline `process`, not a ui.Trace; serving it would mean inventing a processes map and a trace ID field',
  'otlp/synthetic-base64-enums-orphans.ndjson':
    'base64 trace and span IDs: Jaeger reads OTLP/JSON IDs as hex and answers with hex, so a response would have to rewrite every ID',
};

/** Fixture files that are API responses but not traces (replayed as models, see server.mjs). */
export const NON_TRACE_RESPONSES = [
  'jaeger-apiv3/snapshot-getservices.json',
  'jaeger-apiv3/snapshot-getoperations.json',
  'jaeger-api/dependencies-large-array.json',
];

/** The keys of Jaeger UI's `ui.Trace` (jaeger `internal/uimodel/model.go`), in struct order. */
const UI_TRACE_KEYS = ['traceID', 'spans', 'processes', 'warnings'];

/** The keys of the v1 `structuredResponse` envelope (`http_handler.go`). */
const ENVELOPE_KEYS = new Set(['data', 'total', 'limit', 'offset', 'errors']);

/**
 * The service name Jaeger gives a resource without `service.name` (jaeger
 * `internal/storage/v2/memory/memory.go`, `getServiceNameFromResource`; the same constant as the
 * OTel Jaeger translator).
 */
export const NO_SERVICE_NAME = 'OTLPResourceNoServiceName';

const OTLP_KINDS = ['', 'internal', 'server', 'client', 'producer', 'consumer'];

function naturalCompare(a, b) {
  return a.localeCompare(b, 'en', { numeric: true });
}

function readText(fixturesDir, rel) {
  return fs.readFileSync(path.join(fixturesDir, rel));
}

/**
 * Fails loudly if a number in the file would not survive JSON.parse + JSON.stringify unchanged
 * (e.g. an int64 above 2^53 written as a JSON number), since assembled responses re-serialise.
 */
function assertNumbersRoundTrip(rel, text) {
  // Numbers only: what stands inside strings (a statement, a URL) is text.
  const outsideStrings = text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const tokens = outsideStrings.match(/-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?=\s*[,}\]])/g) ?? [];
  for (const t of tokens) {
    if (String(Number(t)) !== t) {
      throw new Error(`jaeger-replay: ${rel} holds the number ${t}, which JavaScript cannot re-serialise unchanged`);
    }
  }
}

/** The default file lists, resolved against the fixtures folder (crisp/ listed from disk). */
export function defaultTraceFiles(fixturesDir = defaultFixturesDir) {
  const crispDir = path.join(fixturesDir, 'crisp');
  const crisp = fs.existsSync(crispDir)
    ? fs.readdirSync(crispDir).filter((f) => f.endsWith('.json')).sort(naturalCompare).map((f) => `crisp/${f}`)
    : [];
  return { v1: [...V1_FILES, ...crisp], v3: [...V3_FILES] };
}

// ---------------------------------------------------------------------------------------------
// Attribute values as strings (pcommon.Value.AsString), which is how Jaeger compares tags.

function jaegerTagString(tag) {
  const v = tag.value;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return tag.type === 'float64' && !Number.isInteger(v) ? formatFloatF(v) : String(v);
  return v == null ? '' : String(v);
}

function otlpValueRaw(v) {
  if (!v || typeof v !== 'object') return null;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('bytesValue' in v) return v.bytesValue;
  if ('arrayValue' in v) return (v.arrayValue?.values ?? []).map(otlpValueRaw);
  if ('kvlistValue' in v) {
    return Object.fromEntries((v.kvlistValue?.values ?? []).map((kv) => [kv.key, otlpValueRaw(kv.value)]));
  }
  return null;
}

function otlpValueString(v) {
  if (!v || typeof v !== 'object') return '';
  if ('stringValue' in v) return String(v.stringValue);
  if ('boolValue' in v) return v.boolValue ? 'true' : 'false';
  if ('intValue' in v) return String(v.intValue);
  if ('doubleValue' in v) return formatFloatF(Number(v.doubleValue));
  if ('bytesValue' in v) return String(v.bytesValue);
  if ('arrayValue' in v || 'kvlistValue' in v) return JSON.stringify(otlpValueRaw(v));
  return '';
}

function otlpAttrs(list) {
  const m = new Map();
  for (const kv of list ?? []) m.set(kv.key, otlpValueString(kv.value));
  return m;
}

function otlpKind(kind) {
  if (typeof kind === 'number') return OTLP_KINDS[kind] ?? '';
  if (typeof kind === 'string') {
    const name = kind.replace(/^SPAN_KIND_/, '').toLowerCase();
    return name === 'unspecified' ? '' : name;
  }
  return '';
}

function otlpIsError(status) {
  const code = status?.code;
  return code === 2 || code === '2' || code === 'STATUS_CODE_ERROR';
}

function bigOrZero(v) {
  if (v === undefined || v === null || v === '') return 0n;
  return BigInt(v);
}

// ---------------------------------------------------------------------------------------------
// v1: Jaeger-JSON traces

function v1TracesOf(rel, doc) {
  if (Array.isArray(doc)) return null;
  if (Array.isArray(doc?.data)) return doc.data;
  if (doc && typeof doc === 'object' && 'traceID' in doc && Array.isArray(doc.spans)) return [doc];
  return null;
}

function indexV1Trace(rel, raw, replayBytes) {
  // Keep only ui.Trace's own keys (drops e.g. genai's `_comment`), in struct order.
  const trace = {};
  for (const k of UI_TRACE_KEYS) if (k in raw) trace[k] = raw[k];
  const processes = raw.processes ?? {};
  const spans = [];
  let startUs = null;
  let endUs = null;
  const services = new Set();
  for (const s of raw.spans) {
    const proc = s.processID !== undefined ? processes[s.processID] : s.process;
    const service = proc?.serviceName ?? '';
    services.add(service);
    const tags = [];
    for (const t of s.tags ?? []) tags.push([t.key, jaegerTagString(t)]);
    for (const t of proc?.tags ?? []) tags.push([t.key, jaegerTagString(t)]);
    for (const log of s.logs ?? []) for (const f of log.fields ?? []) tags.push([f.key, jaegerTagString(f)]);
    const kindTag = (s.tags ?? []).find((t) => t.key === 'span.kind');
    const st = BigInt(s.startTime ?? 0);
    const du = BigInt(s.duration ?? 0);
    if (startUs === null || st < startUs) startUs = st;
    if (endUs === null || st + du > endUs) endUs = st + du;
    spans.push({
      service,
      operation: s.operationName ?? '',
      kind: kindTag ? String(kindTag.value) : '',
      startNs: st * 1000n,
      durationNs: du * 1000n,
      tags,
    });
  }
  const parsedId = traceIdFromString(String(raw.traceID));
  return {
    generation: 'v1',
    file: rel,
    traceId: String(raw.traceID),
    key: parsedId.error ? null : parsedId.value,
    trace,
    replayBytes,
    spans,
    spanCount: spans.length,
    services: [...services].sort(),
    startNs: (startUs ?? 0n) * 1000n,
    endNs: (endUs ?? 0n) * 1000n,
    lastSpanStartNs: spans.reduce((m, s) => (s.startNs > m ? s.startNs : m), 0n),
  };
}

function loadV1File(fixturesDir, rel) {
  const bytes = readText(fixturesDir, rel);
  const text = bytes.toString('utf8');
  assertNumbersRoundTrip(rel, text);
  const doc = JSON.parse(text);
  const traces = v1TracesOf(rel, doc);
  if (!traces) throw new Error(`jaeger-replay: ${rel} is not Jaeger JSON (no trace object or {"data":[…]})`);
  // A file that is exactly a recorded /api/traces/{id} response (the envelope and one trace) is
  // replayed byte for byte; anything else is put into an envelope.
  const isRecordedResponse =
    doc && !Array.isArray(doc) && Array.isArray(doc.data) && doc.data.length === 1 &&
    Object.keys(doc).every((k) => ENVELOPE_KEYS.has(k));
  return traces.map((t) => indexV1Trace(rel, t, isRecordedResponse ? bytes : null));
}

// ---------------------------------------------------------------------------------------------
// v3: OTLP traces

function otlpDocsOf(rel, text) {
  if (rel.endsWith('.ndjson') || rel.endsWith('.jsonl')) {
    return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
  }
  return [JSON.parse(text)];
}

function spanTraceKey(rel, s) {
  const parsed = traceIdFromString(String(s.traceId ?? ''));
  if (parsed.error) throw new Error(`jaeger-replay: ${rel} has a span whose traceId ${JSON.stringify(s.traceId)} is not hex`);
  return parsed.value;
}

/**
 * Splits the resourceSpans of a file by trace ID, keeping every recorded object (a resource or
 * scope is repeated for each trace it holds spans of, which is what Jaeger's storage does).
 */
function splitByTrace(rel, resourceSpans) {
  const byKey = new Map();
  for (const rs of resourceSpans) {
    const perKey = new Map();
    for (const ss of rs.scopeSpans ?? []) {
      const spansByKey = new Map();
      for (const s of ss.spans ?? []) {
        const k = spanTraceKey(rel, s);
        if (!spansByKey.has(k)) spansByKey.set(k, []);
        spansByKey.get(k).push(s);
      }
      for (const [k, spans] of spansByKey) {
        if (!perKey.has(k)) perKey.set(k, []);
        perKey.get(k).push(spansByKey.size === 1 ? ss : { ...ss, spans });
      }
    }
    for (const [k, scopes] of perKey) {
      const sameScopes = scopes.length === (rs.scopeSpans ?? []).length && scopes.every((s, i) => s === rs.scopeSpans[i]);
      if (!byKey.has(k)) byKey.set(k, []);
      byKey.get(k).push(sameScopes ? rs : { ...rs, scopeSpans: scopes });
    }
  }
  return byKey;
}

function indexV3Trace(rel, key, resourceSpans, replayBytes) {
  const spans = [];
  const spanIds = new Set();
  let startNs = null;
  let endNs = null;
  let traceId = null;
  for (const rs of resourceSpans) {
    const resAttrs = otlpAttrs(rs.resource?.attributes);
    const recordedName = resAttrs.get('service.name');
    for (const ss of rs.scopeSpans ?? []) {
      const scopeAttrs = otlpAttrs(ss.scope?.attributes);
      for (const s of ss.spans ?? []) {
        traceId ??= String(s.traceId);
        spanIds.add(String(s.spanId ?? ''));
        const st = bigOrZero(s.startTimeUnixNano);
        const en = bigOrZero(s.endTimeUnixNano);
        if (startNs === null || st < startNs) startNs = st;
        if (endNs === null || en > endNs) endNs = en;
        spans.push({
          // For services, operations and search: Jaeger's storage name for a resource.
          service: recordedName ? recordedName : NO_SERVICE_NAME,
          // For trace summaries: jaeger querysvc summarizeTrace reads service.name, "" if absent.
          summaryService: recordedName ?? '',
          operation: s.name ?? '',
          kind: otlpKind(s.kind),
          startNs: st,
          durationNs: en - st,
          endNs: en,
          error: otlpIsError(s.status),
          parentSpanId: String(s.parentSpanId ?? ''),
          spanId: String(s.spanId ?? ''),
          attrs: [otlpAttrs(s.attributes), scopeAttrs, resAttrs, ...(s.events ?? []).map((e) => otlpAttrs(e.attributes))],
        });
      }
    }
  }
  return {
    generation: 'v3',
    file: rel,
    traceId,
    key,
    resourceSpans,
    replayBytes,
    spans,
    spanIds,
    spanCount: spans.length,
    services: [...new Set(spans.map((s) => s.service))].sort(),
    startNs: startNs ?? 0n,
    endNs: endNs ?? 0n,
    lastSpanStartNs: spans.reduce((m, s) => (s.startNs > m ? s.startNs : m), 0n),
  };
}

function loadV3File(fixturesDir, rel) {
  const bytes = readText(fixturesDir, rel);
  const text = bytes.toString('utf8');
  assertNumbersRoundTrip(rel, text);
  const docs = otlpDocsOf(rel, text);
  const isRecordedResponse = docs.length === 1 && docs[0] && typeof docs[0] === 'object' && 'result' in docs[0] &&
    Object.keys(docs[0]).length === 1;
  const resourceSpans = [];
  for (const d of docs) {
    const body = 'result' in d ? d.result : d;
    if (!Array.isArray(body?.resourceSpans)) throw new Error(`jaeger-replay: ${rel} is not OTLP JSON (no resourceSpans)`);
    resourceSpans.push(...body.resourceSpans);
  }
  const byKey = splitByTrace(rel, resourceSpans);
  return [...byKey].map(([key, rss]) => indexV3Trace(rel, key, rss, isRecordedResponse && byKey.size === 1 ? bytes : null));
}

// ---------------------------------------------------------------------------------------------

function generationOf(fixturesDir, rel) {
  if (V1_FILES.includes(rel) || rel.startsWith('crisp/') || rel.startsWith('jaeger/')) return 'v1';
  if (V3_FILES.includes(rel) || rel.startsWith('otlp/') || rel.startsWith('jaeger-apiv3/')) return 'v3';
  // Anything else: decide by content.
  const text = readText(fixturesDir, rel).toString('utf8');
  return /"resourceSpans"\s*:/.test(text) ? 'v3' : 'v1';
}

/**
 * Loads the corpus.
 * @param {{ fixturesDir?: string, traces?: string[] }} options `traces` replaces the default file
 *   lists: fixture paths relative to `fixturesDir`, each served by the generation of its format.
 */
export function loadCorpus({ fixturesDir = defaultFixturesDir, traces } = {}) {
  if (!fs.existsSync(fixturesDir)) {
    throw new Error(`jaeger-replay: the shared fixtures are missing: ${fixturesDir} (expected beside the repository)`);
  }
  let files;
  if (traces) {
    files = { v1: [], v3: [] };
    for (const rel of traces) files[generationOf(fixturesDir, rel)].push(rel);
  } else {
    files = defaultTraceFiles(fixturesDir);
  }
  const corpus = { fixturesDir, v1: [], v3: [], shadowed: [] };
  for (const gen of ['v1', 'v3']) {
    const byKey = new Map();
    for (const rel of files[gen]) {
      const entries = gen === 'v1' ? loadV1File(fixturesDir, rel) : loadV3File(fixturesDir, rel);
      for (const e of entries) {
        const winner = e.key !== null ? byKey.get(e.key) : undefined;
        if (winner) {
          corpus.shadowed.push({ generation: gen, file: rel, traceId: e.traceId, servedBy: winner.file });
          continue;
        }
        if (e.key !== null) byKey.set(e.key, e);
        corpus[gen].push(e);
      }
    }
    corpus[gen + 'ByKey'] = byKey;
  }
  return corpus;
}

function v3WindowMax(min, max) {
  return max > min ? max : min + 1n;
}

/** What a test needs to know about a served trace, with ready-made search windows. */
export function describeEntry(e) {
  const info = {
    generation: e.generation,
    file: e.file,
    traceId: e.traceId,
    spanCount: e.spanCount,
    services: e.services,
    // Earliest span start and latest span end, Unix nanoseconds as decimal strings.
    startTimeUnixNano: e.startNs.toString(),
    endTimeUnixNano: e.endNs.toString(),
    // Searches match span *start* times: a window from `searchWindow.min` to `searchWindow.max`
    // contains every span start of this trace (v3 wants min < max, hence the extra nanosecond
    // when all spans start at once).
    searchWindow:
      e.generation === 'v3'
        ? { min: formatRFC3339Nano(e.startNs), max: formatRFC3339Nano(v3WindowMax(e.startNs, e.lastSpanStartNs)) }
        : { min: (e.startNs / 1000n).toString(), max: (e.lastSpanStartNs / 1000n).toString() },
  };
  return info;
}

/** Every served trace of a loaded corpus, described. */
export function listCorpus(corpus) {
  return [...corpus.v1, ...corpus.v3].map(describeEntry);
}

/**
 * The span-start range of each generation's corpus: `{ v1: { min, max } in µs, v3: { min, max }
 * RFC3339Nano }` (min/max over every span start; a window from min to max finds every trace).
 */
export function timeRange(corpus) {
  const range = (entries) => {
    let min = null;
    let max = null;
    for (const e of entries) {
      if (min === null || e.startNs < min) min = e.startNs;
      if (max === null || e.lastSpanStartNs > max) max = e.lastSpanStartNs;
    }
    return { min: min ?? 0n, max: max ?? 0n };
  };
  const r1 = range(corpus.v1);
  const r3 = range(corpus.v3);
  return {
    v1: { min: (r1.min / 1000n).toString(), max: (r1.max / 1000n).toString() },
    v3: { min: formatRFC3339Nano(r3.min), max: formatRFC3339Nano(v3WindowMax(r3.min, r3.max)) },
  };
}
