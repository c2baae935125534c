// Jaeger JSON written by hand for the tests that build their own files: a span maker for one
// trace and the `{data:[…]}` file of Jaeger UI's download (and of /api/traces), and a large
// trace written to a file as text.

import fs from 'node:fs';

/**
 * The spans of one trace: `span(n, parent, name, processID, start, duration, tags)` makes span
 * number `n` (its id from `idOf(n)`), CHILD_OF span number `parent` (or a root for `null`),
 * starting `start` µs after `base` (µs since the epoch).
 */
export function spanMaker(traceID, base, idOf) {
  return (n, parent, name, processID, start, duration, tags = []) => ({
    traceID,
    spanID: idOf(n),
    operationName: name,
    references: parent === null ? [] : [{ refType: 'CHILD_OF', traceID, spanID: idOf(parent) }],
    startTime: base + start,
    duration,
    tags,
    logs: [],
    processID,
    warnings: null,
  });
}

/** Jaeger's `{data:[trace…]}`, as Jaeger UI downloads it. */
export function jaegerFile(traces) {
  return JSON.stringify({ data: traces, total: 0, limit: 0, offset: 0, errors: null });
}

/**
 * Writes a large Jaeger UI download of one trace to `file`, as text piece by piece (no object
 * per span): a root with `chains` children, each heading a chain, `spans` spans in all (span i
 * starts `start(i)` µs in, by default i × 10, and lasts `duration(i)` µs, by default
 * (spans − i) × 10). Span i runs on process `p(i % services)`,
 * named `name(i)`, with the tags `tags(i)` (Jaeger tag objects); the processes come after the
 * spans, as Jaeger writes them, named `serviceName(s)` with the tags `processTags(s)`.
 */
export function writeChainsTrace(file, {
  traceID,
  spans,
  chains,
  services,
  name,
  tags,
  serviceName,
  processTags = () => [],
  start = (i) => i * 10,
  duration = (i) => Math.max(1, (spans - i) * 10),
}) {
  const hex = (n) => n.toString(16).padStart(16, '0');
  const parts = [`{"data":[{"traceID":"${traceID}","spans":[`];
  for (let i = 0; i < spans; i++) {
    // Parent: the root for the chains' heads, then the span `chains` positions earlier.
    const parent = i === 0 ? null : i <= chains ? 0 : i - chains;
    const refs = parent === null ? [] : [{ refType: 'CHILD_OF', traceID, spanID: hex(parent + 1) }];
    parts.push(
      `${i ? ',' : ''}{"traceID":"${traceID}","spanID":"${hex(i + 1)}","operationName":${JSON.stringify(name(i))},` +
        `"references":${JSON.stringify(refs)},"startTime":${1_700_000_000_000_000 + start(i)},"duration":${duration(i)},` +
        `"tags":${JSON.stringify(tags(i))},"logs":[],"processID":"p${i % services}","warnings":null}`,
    );
  }
  parts.push('],"processes":{');
  for (let s = 0; s < services; s++) {
    parts.push(`${s ? ',' : ''}"p${s}":{"serviceName":${JSON.stringify(serviceName(s))},"tags":${JSON.stringify(processTags(s))}}`);
  }
  parts.push('},"warnings":null}],"total":0,"limit":0,"offset":0,"errors":null}');
  fs.writeFileSync(file, parts.join(''));
  return file;
}
