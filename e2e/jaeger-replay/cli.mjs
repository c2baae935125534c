#!/usr/bin/env node
// Starts the Jaeger query API replay server by hand, e.g. to point a dev build of Traceglass at it:
//
//   node e2e/jaeger-replay/cli.mjs --port 16686 --api both
//   node e2e/jaeger-replay/cli.mjs --api v3 --base-path /jaeger --delay-ms 500 --no-cors
//   node e2e/jaeger-replay/cli.mjs --fail 500 --fail-message 'storage down'
//   node e2e/jaeger-replay/cli.mjs --traces crisp/7.json,otlp/hotrod-40spans-6services.json
//
// It prints the URL, the served traces and a search window that finds them all, then logs each
// request until Ctrl+C. Note: it binds 127.0.0.1 only.

import { parseArgs } from 'node:util';

import { startJaegerReplay } from './server.mjs';

const USAGE = `usage: node e2e/jaeger-replay/cli.mjs [options]
  --port N            port to listen on (default 16686; 0 = any free port)
  --api both|v1|v3    Jaeger generation to pretend to be (default both)
  --base-path PATH    Jaeger's base_path, e.g. /jaeger (default none)
  --no-cors           send no CORS header at all (default: answer CORS for any origin)
  --cors-origin PAT   allow only this origin pattern (repeatable, '*' wildcard)
  --delay-ms N        delay every response by N ms
  --fail STATUS       answer every API request with this error status
  --fail-message MSG  the error message for --fail
  --traces LIST       comma-separated fixture files to serve instead of the default corpus
  --fixtures DIR      the shared fixtures folder (default <repo>/../shared/fixtures)
  --quiet             do not log requests`;

let args;
try {
  args = parseArgs({
    options: {
      port: { type: 'string', default: '16686' },
      api: { type: 'string', default: 'both' },
      'base-path': { type: 'string', default: '' },
      'no-cors': { type: 'boolean', default: false },
      'cors-origin': { type: 'string', multiple: true },
      'delay-ms': { type: 'string', default: '0' },
      fail: { type: 'string' },
      'fail-message': { type: 'string' },
      traces: { type: 'string' },
      fixtures: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (err) {
  console.error(`${err.message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const server = await startJaegerReplay({
  port: Number(args.port),
  api: args.api,
  basePath: args['base-path'],
  cors: args['no-cors'] ? false : args['cors-origin'] ?? true,
  delayMs: Number(args['delay-ms']),
  failWith: args.fail ? { status: Number(args.fail), message: args['fail-message'] } : null,
  traces: args.traces ? args.traces.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
  fixturesDir: args.fixtures,
});

console.log(`Jaeger replay (api ${server.api}) listening on ${server.url}`);
for (const t of server.traces) {
  if (server.api === 'v3' && t.generation === 'v1') continue;
  console.log(`  ${t.generation}  ${t.traceId.padEnd(32)}  ${String(t.spanCount).padStart(3)} spans  ${t.file}`);
}
const { v1, v3 } = server.timeRange;
if (server.api !== 'v3') {
  console.log(`v1 search over everything: ${server.url}/api/traces?service=<service>&start=${v1.min}&end=${v1.max}`);
}
if (server.api !== 'v1') {
  console.log(
    `v3 search over everything: ${server.url}/api/v3/traces?query.startTimeMin=${encodeURIComponent(v3.min)}` +
      `&query.startTimeMax=${encodeURIComponent(v3.max)}`,
  );
}

if (!args.quiet) {
  let shown = 0;
  setInterval(() => {
    while (shown < server.requests.length) {
      const r = server.requests[shown++];
      const q = new URLSearchParams(Object.entries(r.query).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString();
      console.log(`${r.status} ${r.method} ${r.path}${q ? '?' + q : ''}`);
    }
  }, 200).unref();
}

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
