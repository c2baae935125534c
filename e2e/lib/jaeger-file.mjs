// Jaeger JSON written by hand for the tests that build their own files: a span maker for one
// trace and the `{data:[…]}` file of Jaeger UI's download (and of /api/traces).

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
