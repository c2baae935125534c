// Tests of the Jaeger query API replay server itself (e2e/jaeger-replay/), with fetch only: no
// browser, no build. Run: cd e2e && node --test tests/jaeger-replay.test.mjs

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import {
  corpusTimeRange,
  corpusTraces,
  shadowedTraces,
  startJaegerReplay,
} from '../jaeger-replay/server.mjs';
import { defaultFixturesDir, EXCLUDED, NON_TRACE_RESPONSES } from '../jaeger-replay/corpus.mjs';
import * as go from '../jaeger-replay/goparse.mjs';

const fixture = (rel) => fs.readFileSync(path.join(defaultFixturesDir, rel));
const fixtureJson = (rel) => JSON.parse(fixture(rel).toString('utf8'));

const HOTROD_V3 = 'jaeger-apiv3/hotrod-gettrace-40spans.json';
const HOTROD_V3_ID = '2ea75461946a7dd10f2c15ab36a076cb';
const ISSUE115 = 'jaeger/jaeger-ui-issue115-follows-from.json';
const ISSUE115_ID = '2992f2a5b5d037a8aabffd08ef384237';
const PETCLINIC = 'jaeger/petclinic-17spans-31char-traceid.json';
const PETCLINIC_ID = 'df84e36b9e2ee3815d07f0867a5be1f'; // 31 hex digits, as recorded

/** Starts a server, runs fn(server, get), always closes it. */
async function withServer(options, fn) {
  const server = await startJaegerReplay(options);
  try {
    const get = async (p, init) => {
      const res = await fetch(server.url + p, init);
      const text = await res.text();
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: res.status, headers: res.headers, text, body };
    };
    return await fn(server, get);
  } finally {
    await server.close();
  }
}

function traceInfo(file) {
  const t = corpusTraces().find((x) => x.file === file);
  assert.ok(t, `${file} is served`);
  return t;
}

function v3Window(min, max, extra = {}) {
  return '?' + new URLSearchParams({ 'query.startTimeMin': min, 'query.startTimeMax': max, ...extra });
}

// ---------------------------------------------------------------------------------------------

test('corpus: every trace fixture is served, shadowed or excluded with a reason', () => {
  const served = new Set(corpusTraces().map((t) => t.file));
  const shadowed = new Set(shadowedTraces().map((t) => t.file));
  for (const dir of ['jaeger', 'crisp', 'otlp', 'jaeger-apiv3']) {
    for (const f of fs.readdirSync(path.join(defaultFixturesDir, dir))) {
      if (!/\.(json|ndjson)$/.test(f)) continue;
      const rel = `${dir}/${f}`;
      const covered = served.has(rel) || shadowed.has(rel) || rel in EXCLUDED || NON_TRACE_RESPONSES.includes(rel);
      assert.ok(covered, `${rel} is neither served, shadowed, excluded nor a non-trace response`);
    }
  }
  // Shadowing is only ever by a served file with the same trace ID.
  for (const s of shadowedTraces()) assert.ok(served.has(s.servedBy), `${s.file} is shadowed by ${s.servedBy}`);
  assert.ok(served.has(HOTROD_V3) && served.has(ISSUE115) && served.has('otlp/hotrod-40spans-6services.json'));

  const range = corpusTimeRange();
  assert.match(range.v3.min, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.match(range.v1.max, /^\d+$/);
});

test('v1: services and operations', async () => {
  await withServer({ api: 'both' }, async (_server, get) => {
    const services = await get('/api/services');
    assert.equal(services.status, 200);
    assert.equal(services.headers.get('content-type'), 'application/json');
    assert.deepEqual(Object.keys(services.body), ['data', 'total', 'limit', 'offset', 'errors']);
    for (const s of ['issue115', 'api-gateway', 'customers-service', 'jaeger-query', 'telemetrygen']) {
      assert.ok(services.body.data.includes(s), `services include ${s}`);
    }
    assert.equal(services.body.total, services.body.data.length);
    assert.equal(services.body.errors, null);

    // The legacy route: unique names, all kinds.
    const legacy = await get('/api/services/api-gateway/operations');
    assert.equal(legacy.status, 200);
    assert.deepEqual(legacy.body.data, ['GET /api/customer/owners', 'GET /api/customer/owners/8/pets/10', 'GET /owners', 'GET /owners/8/pets/10']);
    assert.equal(legacy.body.total, 4);
    assert.deepEqual((await get('/api/services/no-such-service/operations')).body.data, []);

    const ops = await get('/api/operations?service=api-gateway');
    assert.equal(ops.status, 200);
    for (const op of ops.body.data) assert.deepEqual(Object.keys(op), ['name', 'spanKind']);
    const server = await get('/api/operations?service=api-gateway&spanKind=server');
    assert.ok(server.body.data.length > 0);
    assert.ok(server.body.data.every((o) => o.spanKind === 'server'));
    assert.ok(server.body.data.length < ops.body.data.length);

    const missing = await get('/api/operations');
    assert.equal(missing.status, 400);
    assert.equal(missing.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(
      missing.text,
      '{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":400,"msg":"parameter \'service\' is required"}]}\n',
    );
  });
});

test('v3: services and operations in the recorded snapshot shapes', async () => {
  const servicesModel = fixtureJson('jaeger-apiv3/snapshot-getservices.json');
  const operationsModel = fixtureJson('jaeger-apiv3/snapshot-getoperations.json');
  await withServer({ api: 'both' }, async (_server, get) => {
    const services = await get('/api/v3/services');
    assert.equal(services.status, 200);
    assert.deepEqual(Object.keys(services.body), Object.keys(servicesModel));
    for (const s of ['frontend', 'customer', 'driver', 'route', 'mysql', 'redis-manual', 'cart', 'example-trace']) {
      assert.ok(services.body.services.includes(s), `services include ${s}`);
    }
    // A resource without service.name gets Jaeger's storage name for it.
    assert.ok(services.body.services.includes('OTLPResourceNoServiceName'));
    // v1-only services are not v3 services: each generation serves its own recordings.
    assert.ok(!services.body.services.includes('issue115'));

    const ops = await get('/api/v3/operations?service=frontend');
    assert.equal(ops.status, 200);
    assert.deepEqual(Object.keys(ops.body), Object.keys(operationsModel));
    const modelKeys = Object.keys(operationsModel.operations[0]);
    for (const op of ops.body.operations) {
      assert.deepEqual(Object.keys(op), modelKeys);
      assert.ok(['server', 'client', 'internal', 'producer', 'consumer'].includes(op.spanKind), op.spanKind);
    }
    assert.ok(ops.body.operations.some((o) => o.name === 'GET /dispatch' && o.spanKind === 'server'));
    assert.ok(ops.body.operations.some((o) => o.name === 'HTTP GET' && o.spanKind === 'client'));

    const clientOnly = await get('/api/v3/operations?service=frontend&spanKind=client');
    assert.ok(clientOnly.body.operations.length > 0 && clientOnly.body.operations.every((o) => o.spanKind === 'client'));
    const alias = await get('/api/v3/operations?service=frontend&span_kind=client');
    assert.deepEqual(alias.body, clientOnly.body);

    // An unspecified kind is returned as "internal" (http_gateway.go).
    const links = await get('/api/v3/operations?service=query25-service');
    assert.ok(links.body.operations.length > 0 && links.body.operations.every((o) => o.spanKind === 'internal'));

    // Jaeger's v3 gateway does not check `service`: no operations, and jsonpb leaves the empty
    // list out.
    const missing = await get('/api/v3/operations');
    assert.equal(missing.status, 200);
    assert.equal(missing.text, '{}');
  });
});

test('v3: search parameters are validated with Jaeger\'s messages', async () => {
  const hot = traceInfo(HOTROD_V3).searchWindow;
  await withServer({}, async (_server, get) => {
    const noMin = await get('/api/v3/traces?' + new URLSearchParams({ 'query.serviceName': 'frontend', 'query.startTimeMax': hot.max }));
    assert.equal(noMin.status, 400);
    assert.equal(noMin.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(noMin.text, '{"error":{"httpCode":400,"message":"query.startTimeMin and query.startTimeMax are required"}}\n');
    // trace-summaries uses the same parser.
    assert.equal((await get('/api/v3/trace-summaries')).body.error.message, 'query.startTimeMin and query.startTimeMax are required');

    const cases = [
      [{ 'query.durationMin': 'abc' }, 'malformed parameter query.durationMin: time: invalid duration "abc"'],
      [{ 'query.duration_max': '5x' }, 'malformed parameter query.duration_max: time: unknown unit "x" in duration "5x"'],
      [{ 'query.durationMax': '10' }, 'malformed parameter query.durationMax: time: missing unit in duration "10"'],
      [{ 'query.searchDepth': 'ten' }, 'malformed parameter query.searchDepth: strconv.Atoi: parsing "ten": invalid syntax'],
      [{ 'query.num_traces': '0' }, 'invalid parameter: query.num_traces must be greater than 0'],
      [{ 'query.attributes': '{"http.status_code":200}' }, 'malformed parameter query.attributes: json: cannot unmarshal number into Go value of type string'],
      [{ 'query.attributes': 'error=true' }, "malformed parameter query.attributes: invalid character 'e' looking for beginning of value"],
      [{ 'query.rawTraces': 'maybe' }, 'malformed parameter query.rawTraces: strconv.ParseBool: parsing "maybe": invalid syntax'],
    ];
    for (const [extra, message] of cases) {
      const r = await get('/api/v3/traces' + v3Window(hot.min, hot.max, extra));
      assert.equal(r.status, 400, JSON.stringify(extra));
      assert.deepEqual(r.body, { error: { httpCode: 400, message } });
    }

    const badTime = await get('/api/v3/traces' + v3Window('2026-06-21', hot.max));
    assert.equal(
      badTime.body.error.message,
      'malformed parameter query.startTimeMin: parsing time "2026-06-21" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "" as "T"',
    );
    const noZone = await get('/api/v3/traces?' + new URLSearchParams({ 'query.start_time_min': hot.min, 'query.startTimeMax': '2026-06-22T00:00:00' }));
    assert.equal(
      noZone.body.error.message,
      'malformed parameter query.startTimeMax: parsing time "2026-06-22T00:00:00" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "" as "Z07:00"',
    );
    const reversed = await get('/api/v3/traces' + v3Window(hot.max, hot.min));
    assert.equal(reversed.body.error.message, 'query.startTimeMin must be before query.startTimeMax');
  });
});

test('v3: a window around the recorded HotROD trace finds it; an empty window gives 404', async () => {
  const hotrod = fixtureJson(HOTROD_V3).result;
  const win = traceInfo(HOTROD_V3).searchWindow;
  await withServer({}, async (_server, get) => {
    const found = await get('/api/v3/traces' + v3Window(win.min, win.max));
    assert.equal(found.status, 200);
    assert.equal(found.headers.get('content-type'), 'application/json');
    assert.deepEqual(found.body, { result: { resourceSpans: hotrod.resourceSpans } });

    // Filters narrow the same window down; a filter no span meets leaves nothing.
    const byService = await get('/api/v3/traces' + v3Window(win.min, win.max, { 'query.serviceName': 'redis-manual', 'query.operationName': 'GetDriver' }));
    assert.deepEqual(byService.body, found.body);
    // Attributes compare as strings (an intValue too), on the span, its scope or resource, or an event.
    for (const attrs of ['{"http.route":"/dispatch","http.response.status_code":"200"}', '{"os.type":"linux"}']) {
      const byAttr = await get('/api/v3/traces' + v3Window(win.min, win.max, { 'query.attributes': attrs }));
      assert.deepEqual(byAttr.body, found.body, attrs);
    }
    assert.equal((await get('/api/v3/traces' + v3Window(win.min, win.max, { 'query.attributes': '{"http.route":"/nowhere"}' }))).status, 404);
    const byError = await get('/api/v3/traces' + v3Window(win.min, win.max, { 'query.attributes': '{"error":"true"}' }));
    assert.equal(byError.status, 200);
    const longSpan = await get('/api/v3/traces' + v3Window(win.min, win.max, { 'query.durationMin': '1h' }));
    assert.equal(longSpan.status, 404);

    // The whole corpus in one window: every trace with a `frontend` service (both HotROD captures
    // and the OTel demo), their resourceSpans merged into one result, newest first.
    const range = corpusTimeRange().v3;
    const all = await get('/api/v3/traces' + v3Window(range.min, range.max, { 'query.serviceName': 'frontend' }));
    assert.equal(all.status, 200);
    const traceIds = [...new Set(all.body.result.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.traceId))))];
    assert.deepEqual(traceIds, ['1a4e4a7b270e9f2a0f716e3ee115218a', '3e241b731fcf87976a3d50f5a7cc4d94', HOTROD_V3_ID]);
    assert.equal(all.body.result.resourceSpans.length, 6 + 5 + 6);
    const one = await get('/api/v3/traces' + v3Window(range.min, range.max, { 'query.serviceName': 'frontend', 'query.searchDepth': '1' }));
    assert.equal(new Set(one.body.result.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.traceId)))).size, 1);

    const nothing = await get('/api/v3/traces' + v3Window('2001-01-01T00:00:00Z', '2001-01-02T00:00:00Z'));
    assert.equal(nothing.status, 404);
    assert.equal(nothing.text, '{"error":{"httpCode":404,"message":"No traces found"}}\n');
  });
});

test('v3: trace summaries are computed from the recorded traces', async () => {
  const win = traceInfo(HOTROD_V3).searchWindow;
  await withServer({}, async (_server, get) => {
    const r = await get('/api/v3/trace-summaries' + v3Window(win.min, win.max));
    assert.equal(r.status, 200);
    assert.equal(r.body.summaries.length, 1);
    const s = r.body.summaries[0];
    assert.deepEqual(Object.keys(s), [
      'traceId', 'rootServiceName', 'rootOperationName', 'minStartTimeUnixNano', 'maxEndTimeUnixNano',
      'spanCount', 'errorSpanCount', 'orphanSpanCount', 'services',
    ]);
    assert.equal(s.traceId, HOTROD_V3_ID);
    assert.equal(s.rootServiceName, 'frontend');
    assert.equal(s.rootOperationName, 'GET /dispatch');
    assert.equal(s.spanCount, 40);
    assert.equal(s.errorSpanCount, 3);
    assert.equal(s.orphanSpanCount, 0);
    assert.equal(s.services.length, 6);
    assert.equal(s.services.reduce((n, x) => n + x.spanCount, 0), 40);
    assert.match(s.minStartTimeUnixNano, /^\d+$/);
    assert.ok(BigInt(s.maxEndTimeUnixNano) > BigInt(s.minStartTimeUnixNano));

    const orphans = traceInfo('otlp/telemetrygen-dup-span-orphan.json').searchWindow;
    const o = await get('/api/v3/trace-summaries' + v3Window(orphans.min, orphans.max));
    assert.equal(o.body.summaries[0].orphanSpanCount, 2);
    assert.equal(o.body.summaries[0].rootServiceName, '');

    // No match is an empty list, not a 404 (findTraceSummaries does not go through returnTraces).
    const none = await get('/api/v3/trace-summaries' + v3Window('2001-01-01T00:00:00Z', '2001-01-02T00:00:00Z'));
    assert.equal(none.status, 200);
    assert.deepEqual(none.body, { summaries: [] });
  });
});

test('trace by ID, both generations', async () => {
  await withServer({ api: 'both' }, async (_server, get) => {
    // v3: the recorded GetTrace response, byte for byte.
    const v3 = await fetch(`${_server.url}/api/v3/traces/${HOTROD_V3_ID}`);
    assert.equal(v3.status, 200);
    assert.ok(Buffer.from(await v3.arrayBuffer()).equals(fixture(HOTROD_V3)));
    assert.equal((await get(`/api/v3/traces/${HOTROD_V3_ID.toUpperCase()}`)).status, 200);

    // v3: an OTLP export file, assembled into {"result": …} unchanged.
    const otlp = fixtureJson('otlp/hotrod-40spans-6services.json');
    const assembled = await get('/api/v3/traces/1a4e4a7b270e9f2a0f716e3ee115218a');
    assert.deepEqual(assembled.body, { result: otlp });
    // NDJSON: the batches' resourceSpans in file order.
    const ndjson = fixture('otlp/nodejs-4-batches.ndjson').toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    const nodejs = await get('/api/v3/traces/c620759e5d60fafb8ee0922b30e06bc6');
    assert.deepEqual(nodejs.body.result.resourceSpans, ndjson.flatMap((d) => d.resourceSpans));

    // v1: a recorded /api/traces/{id} response, byte for byte.
    const v1 = await fetch(`${_server.url}/api/traces/${ISSUE115_ID}`);
    assert.equal(v1.status, 200);
    assert.ok(Buffer.from(await v1.arrayBuffer()).equals(fixture(ISSUE115)));

    // v1: a bare trace object in the v1 envelope; the 31-digit ID and its zero-padded form are one ID.
    const bare = fixtureJson(PETCLINIC);
    for (const id of [PETCLINIC_ID, '0' + PETCLINIC_ID]) {
      const r = await get(`/api/traces/${id}`);
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.body), ['data', 'total', 'limit', 'offset', 'errors']);
      assert.deepEqual(r.body.data, [bare]);
      assert.equal(r.body.errors, null);
    }
    // Keys that are not part of ui.Trace (genai's `_comment`) are not sent.
    const genai = await get('/api/traces/4a1b2c3d4e5f60718293a4b5c6d7e8f9');
    const { _comment, ...genaiTrace } = fixtureJson('jaeger/genai-agent-57spans-synthetic.json');
    assert.ok(_comment);
    assert.deepEqual(genai.body.data, [genaiTrace]);

    // Unknown IDs.
    const unknown1 = await get('/api/traces/00000000000000000000000000abcdef');
    assert.equal(unknown1.status, 404);
    assert.equal(unknown1.text, '{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}\n');
    const unknown3 = await get('/api/v3/traces/00000000000000000000000000abcdef');
    assert.equal(unknown3.status, 404);
    assert.equal(unknown3.text, '{"error":{"httpCode":404,"message":"No traces found"}}\n');

    // Malformed IDs.
    const bad1 = await get('/api/traces/not-hex');
    assert.equal(bad1.status, 400);
    assert.deepEqual(bad1.body.errors, [{ code: 400, msg: 'strconv.ParseUint: parsing "not-hex": invalid syntax' }]);
    const bad3 = await get('/api/v3/traces/' + 'f'.repeat(33));
    assert.equal(bad3.status, 400);
    assert.equal(bad3.body.error.message, `malformed parameter trace_id: TraceID cannot be longer than 32 hex characters: ${'f'.repeat(33)}`);
    const badTime = await get(`/api/v3/traces/${HOTROD_V3_ID}?startTime=yesterday`);
    assert.equal(badTime.status, 400);
    assert.match(badTime.body.error.message, /^malformed parameter startTime: parsing time "yesterday"/);
  });
});

test('v1: search', async () => {
  const range = corpusTimeRange().v1;
  const all = `start=${range.min}&end=${range.max}`;
  await withServer({}, async (_server, get) => {
    const r = await get(`/api/traces?service=api-gateway&${all}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.data.map((t) => t.traceID), ['9ced30503c58dab894a2d7598b01a87a', PETCLINIC_ID]); // newest first
    assert.deepEqual([r.body.total, r.body.limit, r.body.offset, r.body.errors], [0, 0, 0, null]);

    assert.equal((await get(`/api/traces?service=api-gateway&${all}&limit=1`)).body.data.length, 1);
    const op = await get(`/api/traces?service=api-gateway&operation=${encodeURIComponent('GET /owners')}&${all}`);
    assert.deepEqual(op.body.data.map((t) => t.traceID), [PETCLINIC_ID]);
    // The default lookback (2 days) holds none of the recordings.
    assert.deepEqual((await get('/api/traces?service=api-gateway')).body.data, []);
    // `tag=k:v` and `tags={JSON}` match span tags, process tags and log fields as strings.
    const selftrace = '2db17286b3e6b148';
    const tag = await get(`/api/traces?service=jaeger-query&${all}&tag=sampler.type:probabilistic&tag=hostname:simple-streaming-query-66f49db66-8x9hd`);
    assert.deepEqual(tag.body.data.map((t) => t.traceID), [selftrace]);
    const tags = await get(`/api/traces?service=jaeger-query&${all}&tags=${encodeURIComponent('{"http.status_code":"200","sampler.param":"1"}')}`);
    assert.deepEqual(tags.body.data.map((t) => t.traceID), [selftrace]);
    const other = await get(`/api/traces?service=jaeger-query&${all}&tags=${encodeURIComponent('{"sampler.type":"const"}')}`);
    assert.deepEqual(other.body.data, []);
    const minDur = await get(`/api/traces?service=issue115&${all}&minDuration=1h`);
    assert.deepEqual(minDur.body.data, []);
    assert.equal((await get(`/api/traces?service=issue115&${all}&minDuration=1ms`)).body.data.length, 1);

    // traceID lookups ignore the other parameters; a missing ID is an error entry.
    const ids = await get(`/api/traces?traceID=${ISSUE115_ID}&traceID=abc`);
    assert.deepEqual(ids.body.data.map((t) => t.traceID), [ISSUE115_ID]);
    assert.deepEqual(ids.body.errors, [{ msg: 'trace not found', traceID: 'abc' }]);

    const cases = [
      ['/api/traces', "parameter 'service' is required"],
      ['/api/traces?service=x&minDuration=1x', 'unable to parse param \'minDuration\': time: unknown unit "x" in duration "1x"'],
      ['/api/traces?service=x&maxDuration=soon', 'unable to parse param \'maxDuration\': time: invalid duration "soon"'],
      ['/api/traces?service=x&minDuration=2s&maxDuration=1s', "'maxDuration' should be greater than 'minDuration'"],
      ['/api/traces?service=x&start=yesterday', 'unable to parse param \'start\': strconv.ParseInt: parsing "yesterday": invalid syntax'],
      ['/api/traces?service=x&start=20&end=10', 'invalid parameter: start time must be before end time'],
      ['/api/traces?service=x&limit=0', 'invalid parameter: limit must be greater than 0'],
      ['/api/traces?service=x&limit=many', 'strconv.ParseInt: parsing "many": invalid syntax'],
      ['/api/traces?service=x&tag=error', "malformed 'tag' parameter, expecting key:value, received: error"],
      ['/api/traces?service=x&tags=%7Bbad', "malformed 'tags' parameter, cannot unmarshal JSON: invalid character 'b' looking for beginning of object key string"],
      ['/api/traces?traceID=xyz', 'cannot parse traceID param: strconv.ParseUint: parsing "xyz": invalid syntax'],
    ];
    for (const [p, msg] of cases) {
      const res = await get(p);
      assert.equal(res.status, 400, p);
      assert.deepEqual(res.body, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 400, msg }] }, p);
    }
    // `lookback` is sent by Jaeger UI but is not part of the server's grammar: ignored.
    assert.equal((await get(`/api/traces?service=api-gateway&${all}&lookback=1h`)).body.data.length, 2);
  });
});

test('api generations: v1-only and v3-only servers', async () => {
  await withServer({ api: 'v1' }, async (_server, get) => {
    const v3 = await get('/api/v3/services');
    assert.equal(v3.status, 404);
    assert.equal(v3.text, '404 page not found\n');
    assert.equal((await get(`/api/v3/traces/${HOTROD_V3_ID}`)).status, 404);
    assert.equal((await get('/api/services')).status, 200);
    assert.equal((await get(`/api/traces/${ISSUE115_ID}`)).status, 200);
  });
  await withServer({ api: 'v3' }, async (_server, get) => {
    assert.equal((await get('/api/v3/services')).status, 200);
    // jaeger#9260 removed these v1 routes and kept GET /api/traces/{id}.
    for (const p of ['/api/services', '/api/operations?service=issue115', '/api/services/issue115/operations', '/api/traces?service=issue115']) {
      assert.equal((await get(p)).status, 404, p);
    }
    assert.equal((await get(`/api/traces/${ISSUE115_ID}`)).status, 200);
  });
});

test('cors: false sends no CORS header; true answers like Jaeger v2 with allowed_origins', async () => {
  const origin = 'http://127.0.0.1:1';
  const preflight = {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
  };
  await withServer({ cors: false }, async (_server, get) => {
    const r = await get('/api/v3/services', { headers: { Origin: origin } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    const pre = await get('/api/v3/services', preflight);
    assert.equal(pre.status, 405);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
  });
  await withServer({ cors: true }, async (_server, get) => {
    const pre = await get('/api/v3/services', preflight);
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), origin);
    assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(pre.headers.get('access-control-allow-methods'), 'GET');
    assert.match(pre.headers.get('access-control-allow-headers'), /authorization/i);
    const r = await get('/api/v3/services', { headers: { Origin: origin, Authorization: 'Bearer t' } });
    assert.equal(r.headers.get('access-control-allow-origin'), origin);
    assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(r.headers.get('vary'), 'Origin');
    // Errors carry the CORS headers too, so the page can read the message.
    const err = await get('/api/v3/traces', { headers: { Origin: origin } });
    assert.equal(err.status, 400);
    assert.equal(err.headers.get('access-control-allow-origin'), origin);
  });
  await withServer({ cors: ['http://localhost:*'] }, async (_server, get) => {
    assert.equal((await get('/api/v3/services', { headers: { Origin: 'http://localhost:8080' } })).headers.get('access-control-allow-origin'), 'http://localhost:8080');
    assert.equal((await get('/api/v3/services', { headers: { Origin: origin } })).headers.get('access-control-allow-origin'), null);
  });
});

test('failWith: every API route answers the error in its generation\'s envelope', async () => {
  await withServer({ failWith: { status: 500 } }, async (server, get) => {
    const v1 = await get('/api/services');
    assert.equal(v1.status, 500);
    assert.deepEqual(Object.keys(v1.body), ['data', 'total', 'limit', 'offset', 'errors']);
    assert.equal(v1.body.data, null);
    assert.equal(v1.body.errors[0].code, 500);
    assert.match(v1.body.errors[0].msg, /^rpc error: code = Unavailable/);
    const byId = await get(`/api/traces/${ISSUE115_ID}`);
    assert.equal(byId.status, 500);
    const v3 = await get(`/api/v3/traces/${HOTROD_V3_ID}`);
    assert.equal(v3.status, 500);
    assert.deepEqual(Object.keys(v3.body.error), ['httpCode', 'message']);
    assert.equal(v3.body.error.httpCode, 500);
    assert.match(v3.body.error.message, /connection refused/);
    // Unknown routes are still 404.
    assert.equal((await get('/api/nothing')).status, 404);

    server.set({ failWith: { status: 503, message: 'storage is warming up' } });
    assert.deepEqual((await get('/api/v3/services')).body, { error: { httpCode: 503, message: 'storage is warming up' } });
    server.set({ failWith: null });
    assert.equal((await get('/api/v3/services')).status, 200);
  });
});

test('delayMs delays every response (client timeouts can fire)', async () => {
  await withServer({ delayMs: 300 }, async (server) => {
    const t0 = performance.now();
    const ok = await fetch(`${server.url}/api/v3/services`);
    assert.equal(ok.status, 200);
    assert.ok(performance.now() - t0 >= 290, 'the response took at least the delay');
    await assert.rejects(fetch(`${server.url}/api/services`, { signal: AbortSignal.timeout(50) }), { name: 'TimeoutError' });
  });
});

test('basePath, HEAD, methods and the request log', async () => {
  await withServer({ basePath: '/jaeger/' }, async (server, get) => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/jaeger$/);
    assert.equal((await get('/api/v3/services')).status, 200);
    assert.equal((await fetch(`${server.origin}/api/v3/services`)).status, 404);
    const head = await fetch(`${server.url}/api/services`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const post = await fetch(`${server.url}/api/services`, { method: 'POST' });
    assert.equal(post.status, 405);
    await get('/api/traces?service=issue115&tag=a:1&tag=b:2');
    const last = server.requests.at(-1);
    assert.deepEqual(last, { method: 'GET', path: '/jaeger/api/traces', query: { service: 'issue115', tag: ['a:1', 'b:2'] }, status: 200 });
    assert.ok(server.requests.some((r) => r.method === 'HEAD' && r.path === '/jaeger/api/services' && r.status === 200));
  });
});

test('traces: a test can serve its own choice of fixtures (e.g. a shadowed CRISP case)', async () => {
  await withServer({ traces: ['crisp/7.json', 'otlp/negative-dropped-counts-link.json'] }, async (server, get) => {
    const crisp7 = fixtureJson('crisp/7.json');
    const r = await get('/api/traces/A');
    assert.deepEqual(r.body.data, crisp7.data); // the `testing` key of the file is not sent
    assert.ok(!('testing' in r.body));
    assert.deepEqual(server.traces.map((t) => t.file), ['crisp/7.json', 'otlp/negative-dropped-counts-link.json']);
    const v3 = await get('/api/v3/traces/83a9efd15c1c98a977e0711cc93ee28b');
    assert.deepEqual(v3.body, { result: fixtureJson('otlp/negative-dropped-counts-link.json') });
    assert.deepEqual((await get('/api/v3/services')).body, { services: ['OTLPResourceNoServiceName'] });
  });
});

test('misbehave: the search routes answer endless, huge, HTML or 3,000 summaries; the rest as usual', async () => {
  await withServer({ api: 'both', misbehave: { kind: 'summaries', count: 3000, rootServiceName: '<b>x</b>' } }, async (server, get) => {
    const q = '?query.startTimeMin=2020-01-01T00:00:00Z&query.startTimeMax=2030-01-01T00:00:00Z';
    const many = await get('/api/v3/trace-summaries' + q);
    assert.equal(many.status, 200);
    assert.equal(many.body.summaries.length, 3000);
    assert.equal(new Set(many.body.summaries.map((s) => s.traceId)).size, 3000);
    assert.equal(many.body.summaries[0].rootServiceName, '<b>x</b>');
    // Go's HTML-safe escaping, as Jaeger writes.
    assert.ok(many.text.includes('\\u003cb\\u003ex'));
    // Other routes answer as Jaeger does.
    assert.equal((await get('/api/v3/services')).status, 200);

    server.set({ misbehave: { kind: 'html' } });
    const html = await fetch(server.url + '/api/traces?service=x');
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type'), /^text\/html/);
    assert.match(await html.text(), /<title>Sign in<\/title>/);

    server.set({ misbehave: { kind: 'huge', mb: 3 } });
    const huge = await fetch(server.url + '/api/v3/traces' + q);
    const bytes = Buffer.from(await huge.arrayBuffer());
    assert.equal(bytes.length, 3 << 20);
    assert.throws(() => JSON.parse(bytes.toString('utf8')));

    server.set({ misbehave: { kind: 'endless' } });
    const abort = new AbortController();
    const endless = await fetch(server.url + '/api/v3/trace-summaries' + q, { signal: abort.signal });
    assert.equal(endless.status, 200);
    const reader = endless.body.getReader();
    const first = await reader.read();
    assert.equal(Buffer.from(first.value).toString(), '{"summaries":[');
    setTimeout(() => abort.abort(), 400);
    await assert.rejects(async () => {
      for (;;) if ((await reader.read()).done) return;
    });
    assert.deepEqual(
      server.requests.filter((r) => r.misbehave).map((r) => r.misbehave),
      ['summaries', 'html', 'huge', 'endless'],
    );
    assert.throws(() => server.set({ misbehave: { kind: 'nonsense' } }), /misbehave\.kind/);
  });
});

test('Go parsers: the messages of Go\'s standard library', () => {
  assert.equal(go.parseRFC3339Nano('2026-06-21T10:10:44.63040705Z').value, 1782036644630407050n);
  assert.equal(go.parseRFC3339Nano('2024-01-01T10:00:00+01:00').value, 1704099600000000000n);
  assert.equal(go.formatRFC3339Nano(1782036644630407050n), '2026-06-21T10:10:44.63040705Z');
  assert.equal(go.parseRFC3339Nano('abc').error, 'parsing time "abc" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "abc" as "2006"');
  assert.equal(go.parseRFC3339Nano('2024-02-30T00:00:00Z').error, 'parsing time "2024-02-30T00:00:00Z": day out of range');
  assert.equal(go.parseRFC3339Nano('2024-13-01T00:00:00Z').error, 'parsing time "2024-13-01T00:00:00Z": month out of range');
  assert.equal(go.parseRFC3339Nano('2024-01-01T10:00:00Zjunk').error, 'parsing time "2024-01-01T10:00:00Zjunk": extra text: "junk"');
  assert.equal(go.parseDuration('1.5h').value, 5400000000000n);
  assert.equal(go.parseDuration('-2m3.5s').value, -123500000000n);
  assert.equal(go.parseDuration('1µs').value, 1000n);
  assert.equal(go.parseDuration('').error, 'time: invalid duration ""');
  assert.equal(go.parseDuration('1e3s').error, 'time: unknown unit "e" in duration "1e3s"');
  assert.equal(go.parseDuration('9223372036854775808ns').error, 'time: invalid duration "9223372036854775808ns"');
  assert.equal(go.atoi('99999999999999999999').error, 'strconv.Atoi: parsing "99999999999999999999": value out of range');
  assert.equal(go.traceIdFromString(PETCLINIC_ID).value, go.traceIdFromString('0' + PETCLINIC_ID).value);
  assert.equal(go.traceIdString(10n), 'a');
  assert.equal(go.unmarshalStringMap('{"a":"b"').error, 'unexpected end of JSON input');
  assert.equal(go.unmarshalStringMap('[1]').error, 'json: cannot unmarshal array into Go value of type map[string]string');
  assert.equal(go.unmarshalStringMap('{"a" 1}').error, "invalid character '1' after object key");
  assert.deepEqual([...go.unmarshalStringMap('{"a":null,"b":"c"}').value], [['a', ''], ['b', 'c']]);
  assert.equal(go.goJsonQuote('a<b & "c"'), '"a\\u003cb \\u0026 \\"c\\""');
});
