"""A SpanExporter that produces an OTLP/JSON document.

Each export() call encodes its batch with the OTLP exporter's own protobuf
encoder (opentelemetry.exporter.otlp.proto.common.trace_encoder.encode_spans,
which yields an ExportTraceServiceRequest) and converts that message to JSON
with protobuf's json_format. The protobuf JSON mapping writes bytes fields as
base64, while the OTLP/JSON spec requires traceId/spanId/parentSpanId as
lowercase hex, so those ids are re-encoded. At shutdown() every exported
request is merged into one {"resourceSpans": [...]} document (resource and
scope blocks that are identical are joined), which document() returns and,
if a path was given, is written there.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Sequence

from google.protobuf.json_format import MessageToDict
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

ID_FIELDS = ("traceId", "spanId", "parentSpanId")


def _b64_to_hex(value: str) -> str:
    return base64.b64decode(value).hex()


def _fix_ids(obj: dict) -> None:
    for key in ID_FIELDS:
        if key in obj and obj[key]:
            obj[key] = _b64_to_hex(obj[key])


def request_to_otlp_json(request) -> dict:
    """ExportTraceServiceRequest -> OTLP/JSON dict (camelCase, hex ids)."""
    doc = MessageToDict(request, use_integers_for_enums=True)
    for rs in doc.get("resourceSpans", []):
        for ss in rs.get("scopeSpans", []):
            for span in ss.get("spans", []):
                _fix_ids(span)
                for link in span.get("links", []):
                    _fix_ids(link)
    return doc


def _key(obj) -> str:
    return json.dumps(obj, sort_keys=True)


def merge_requests(docs: Sequence[dict]) -> dict:
    """Merge several OTLP/JSON trace requests into one document.

    Spans keep the order in which the SDK exported them.
    """
    merged: list[dict] = []
    by_resource: dict[str, dict] = {}
    for doc in docs:
        for rs in doc.get("resourceSpans", []):
            rkey = _key([rs.get("resource", {}), rs.get("schemaUrl", "")])
            target = by_resource.get(rkey)
            if target is None:
                target = {k: v for k, v in rs.items() if k != "scopeSpans"}
                target["scopeSpans"] = []
                target["_scopes"] = {}
                by_resource[rkey] = target
                merged.append(target)
            for ss in rs.get("scopeSpans", []):
                skey = _key([ss.get("scope", {}), ss.get("schemaUrl", "")])
                starget = target["_scopes"].get(skey)
                if starget is None:
                    starget = {k: v for k, v in ss.items() if k != "spans"}
                    starget["spans"] = []
                    target["_scopes"][skey] = starget
                    target["scopeSpans"].append(starget)
                starget["spans"].extend(ss.get("spans", []))
    for target in merged:
        del target["_scopes"]
    return {"resourceSpans": merged}


class OtlpJsonSpanExporter(SpanExporter):
    def __init__(self, path: str | None = None, indent: int = 2):
        self._path = path
        self._indent = indent
        self._lock = threading.Lock()
        self._requests: list[dict] = []
        self._document: dict | None = None
        self._shutdown = False

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self._shutdown:
            return SpanExportResult.FAILURE
        doc = request_to_otlp_json(encode_spans(spans))
        with self._lock:
            self._requests.append(doc)
        return SpanExportResult.SUCCESS

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True

    def shutdown(self) -> None:
        with self._lock:
            if self._shutdown:
                return
            self._shutdown = True
            self._document = merge_requests(self._requests)
        if self._path:
            with open(self._path, "w", encoding="utf-8") as f:
                json.dump(self._document, f, indent=self._indent)
                f.write("\n")

    def document(self) -> dict:
        """The merged document; available after shutdown()."""
        if self._document is None:
            raise RuntimeError("document() is available after shutdown()")
        return self._document
