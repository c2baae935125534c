"""Record the seed story as OTLP/JSON with the real OpenTelemetry Python SDK.

    examples/flask-slow-view/run.sh          # sets up .venv, then runs this

or, inside the venv:

    python record.py [--out PATH]            # record, check, write, summarise
    python record.py --check-only PATH       # re-check and summarise a recording

What it does: starts weather_service.py (an uninstrumented stand-in for a
third-party service that takes WEATHER_DELAY_SECONDS, default 6.0, to answer)
as a subprocess, serves the instrumented Flask app (app.py) from a thread,
both on free 127.0.0.1 ports, waits until both answer their health checks,
sends ONE `GET /slow`, stops the app, shuts the tracer provider down so the
BatchSpanProcessor flushes into the OTLP/JSON exporter, checks the trace
(one trace, one root server span GET /slow, a ~6 s client span naming
peer.service=weather-service, a sqlite SELECT span) and writes it, indented,
to public/demo/flask-slow-view.otlp.json at the repository root.

The driver's own requests use urllib, which is not instrumented, so the
recorded trace starts at the app's server span exactly as it would for a
request from a browser.
"""

from __future__ import annotations

import os

# Reproducible, machine-neutral output: no resource attributes, service name,
# resource detectors or semconv opt-ins leaking in from the environment.
for _name in list(os.environ):
    if _name.startswith("OTEL_"):
        del os.environ[_name]

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
DEFAULT_OUT = REPO_ROOT / "public" / "demo" / "flask-slow-view.otlp.json"
KIND_NAMES = {0: "UNSPECIFIED", 1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}
SPAN_KIND_SERVER = 2
SPAN_KIND_CLIENT = 3

sys.path.insert(0, str(HERE))


# --------------------------------------------------------------------------
# helpers over an OTLP/JSON document
# --------------------------------------------------------------------------

def _attr_value(value: dict):
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in value:
            return value[key]
    if "intValue" in value:
        return int(value["intValue"])
    if "arrayValue" in value:
        return [_attr_value(v) for v in value["arrayValue"].get("values", [])]
    return value


def attributes(obj: dict) -> dict:
    return {a["key"]: _attr_value(a.get("value", {})) for a in obj.get("attributes", [])}


def flatten(doc: dict) -> list[dict]:
    """All spans, each with its resource and scope attached (prefixed by _)."""
    out = []
    for rs in doc.get("resourceSpans", []):
        resource = attributes(rs.get("resource", {}))
        for ss in rs.get("scopeSpans", []):
            scope = ss.get("scope", {})
            for span in ss.get("spans", []):
                out.append(dict(span, _resource=resource, _scope=scope))
    return out


def duration_ms(span: dict) -> float:
    return (int(span["endTimeUnixNano"]) - int(span["startTimeUnixNano"])) / 1e6


def span_tree_lines(spans: list[dict]) -> list[str]:
    by_parent: dict[str, list[dict]] = {}
    for s in spans:
        by_parent.setdefault(s.get("parentSpanId", ""), []).append(s)
    for children in by_parent.values():
        children.sort(key=lambda s: int(s["startTimeUnixNano"]))
    t0 = min(int(s["startTimeUnixNano"]) for s in spans)
    lines = [f"{'span':<42} {'kind':<8} {'start ms':>9} {'duration ms':>12}  service / scope"]

    def walk(span: dict, depth: int) -> None:
        attrs = attributes(span)
        who = span["_resource"].get("service.name", "?")
        if "peer.service" in attrs:
            who += f" -> peer.service={attrs['peer.service']}"
        label = "  " * depth + span["name"]
        start = (int(span["startTimeUnixNano"]) - t0) / 1e6
        lines.append(
            f"{label:<42} {KIND_NAMES.get(span.get('kind', 0), '?'):<8} {start:>9.1f} "
            f"{duration_ms(span):>12.1f}  {who} / {span['_scope'].get('name', '')}"
        )
        for child in by_parent.get(span["spanId"], []):
            walk(child, depth + 1)

    ids = {s["spanId"] for s in spans}
    for root in [s for s in spans if s.get("parentSpanId", "") not in ids]:
        walk(root, 0)
    return lines


def check(doc: dict, delay_s: float) -> list[str]:
    """Return a list of problems (empty when the recording tells the story)."""
    problems = []
    spans = flatten(doc)
    if not spans:
        return ["no spans recorded"]

    def is_hex(v: str, n: int) -> bool:
        return len(v) == n and all(c in "0123456789abcdef" for c in v)

    for s in spans:
        if not is_hex(s.get("traceId", ""), 32):
            problems.append(f"{s['name']}: traceId is not 32 lowercase hex: {s.get('traceId')!r}")
        if not is_hex(s.get("spanId", ""), 16):
            problems.append(f"{s['name']}: spanId is not 16 lowercase hex: {s.get('spanId')!r}")
        if s.get("parentSpanId") and not is_hex(s["parentSpanId"], 16):
            problems.append(f"{s['name']}: parentSpanId is not 16 lowercase hex")
        if s["_resource"].get("service.name") != "flask-app":
            problems.append(f"{s['name']}: service.name is {s['_resource'].get('service.name')!r}")

    trace_ids = {s["traceId"] for s in spans}
    if len(trace_ids) != 1:
        problems.append(f"expected exactly one trace, got {len(trace_ids)}")

    ids = {s["spanId"] for s in spans}
    for s in spans:
        if s.get("parentSpanId") and s["parentSpanId"] not in ids:
            problems.append(f"{s['name']}: parent {s['parentSpanId']} is not in the recording")

    roots = [s for s in spans if not s.get("parentSpanId")]
    if len(roots) != 1:
        problems.append(f"expected one root span, got {len(roots)}")
    root = roots[0] if roots else None
    if root and (root["name"] != "GET /slow" or root.get("kind") != SPAN_KIND_SERVER):
        problems.append(f"root is {root['name']!r} kind {root.get('kind')}, expected server 'GET /slow'")

    clients = [
        s for s in spans
        if s.get("kind") == SPAN_KIND_CLIENT and attributes(s).get("peer.service") == "weather-service"
    ]
    if len(clients) != 1:
        problems.append(f"expected one client span with peer.service=weather-service, got {len(clients)}")
    else:
        d = duration_ms(clients[0]) / 1000
        if not (0.95 * delay_s <= d <= delay_s + 3.0):
            problems.append(f"client span lasted {d:.3f} s, expected about {delay_s} s")
        if root and clients[0].get("parentSpanId") != root["spanId"]:
            problems.append("client span is not a child of the root span")

    sqlite = [s for s in spans if attributes(s).get("db.system") == "sqlite"
              or "sqlite" in s["_scope"].get("name", "")]
    if len(sqlite) != 1:
        problems.append(f"expected one sqlite span, got {len(sqlite)}")
    else:
        if not sqlite[0]["name"].upper().startswith("SELECT"):
            problems.append(f"sqlite span is named {sqlite[0]['name']!r}, expected SELECT")
        if duration_ms(sqlite[0]) > 1000:
            problems.append(f"sqlite span took {duration_ms(sqlite[0]):.1f} ms, expected it quick")
        if root and sqlite[0].get("parentSpanId") != root["spanId"]:
            problems.append("sqlite span is not a child of the root span")
        if clients and int(sqlite[0]["startTimeUnixNano"]) < int(clients[0]["endTimeUnixNano"]):
            problems.append("sqlite span starts before the web service call ended")

    if root and clients:
        if duration_ms(root) < duration_ms(clients[0]):
            problems.append("root span is shorter than its client span")

    text = json.dumps(doc)
    for host in {socket.gethostname(), socket.getfqdn()}:
        if host and host != "localhost" and re.search(
            r"(?<![A-Za-z0-9.-])" + re.escape(host) + r"(?![A-Za-z0-9-])", text
        ):
            problems.append(f"the machine's hostname {host!r} appears in the recording")
    for secretish in (str(Path.home()), str(HERE)):
        if len(secretish) > 1 and secretish in text:
            problems.append(f"the local path {secretish!r} appears in the recording")
    return problems


# --------------------------------------------------------------------------
# the recording
# --------------------------------------------------------------------------

def wait_until_ready(url: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    last_err = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError as err:  # connection refused while starting, etc.
            last_err = err
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout_s} s: {last_err}")


def start_weather_service(delay_s: float) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, WEATHER_DELAY_SECONDS=str(delay_s), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "weather_service.py"), "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    port_box: list[str] = []
    reader = threading.Thread(target=lambda: port_box.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=20)
    line = port_box[0].strip() if port_box else ""
    if not line.startswith("LISTENING "):
        proc.kill()
        raise RuntimeError(f"weather service did not start (said {line!r})")
    return proc, f"http://127.0.0.1:{int(line.split()[1])}"


def record(delay_s: float) -> dict:
    from werkzeug.serving import make_server

    import app as flask_app_module
    from otlp_json_exporter import OtlpJsonSpanExporter

    weather, weather_url = start_weather_service(delay_s)
    old_cwd = os.getcwd()
    tmp = tempfile.TemporaryDirectory(prefix="flask-slow-view-")
    server = None
    provider = None
    try:
        wait_until_ready(f"{weather_url}/healthz")
        print(f"weather service ready at {weather_url} (delay {delay_s} s)")

        # A relative database path, so that the db.name attribute the sqlite3
        # instrumentation records does not reveal a temp directory.
        os.chdir(tmp.name)
        db_path = "cities.db"
        flask_app_module.init_db(db_path)

        exporter = OtlpJsonSpanExporter()
        provider = flask_app_module.setup_tracing(exporter)
        application = flask_app_module.create_app(weather_url, db_path, provider)

        server = make_server("127.0.0.1", 0, application, threaded=True)
        app_url = f"http://127.0.0.1:{server.server_port}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        wait_until_ready(f"{app_url}/healthz")
        print(f"flask-app ready at {app_url}")

        print("GET /slow ...", flush=True)
        t0 = time.monotonic()
        with urllib.request.urlopen(f"{app_url}/slow", timeout=delay_s + 60) as resp:
            body = json.loads(resp.read())
            status = resp.status
        print(f"-> {status} in {time.monotonic() - t0:.2f} s: {json.dumps(body)}")
        if status != 200:
            raise RuntimeError(f"GET /slow answered {status}")
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        if provider is not None:
            provider.shutdown()  # BatchSpanProcessor flush -> exporter.shutdown()
        flask_app_module.teardown_instrumentation()
        os.chdir(old_cwd)
        tmp.cleanup()
        weather.terminate()
        try:
            weather.wait(timeout=10)
        except subprocess.TimeoutExpired:
            weather.kill()
    return exporter.document()


def report(doc: dict, delay_s: float) -> int:
    spans = flatten(doc)
    print()
    print(f"{len(spans)} spans, {len({s['traceId'] for s in spans})} trace(s)")
    for line in span_tree_lines(spans):
        print("  " + line)
    problems = check(doc, delay_s)
    if problems:
        print("\nCHECK FAILED:")
        for p in problems:
            print("  - " + p)
        return 1
    print("\ncheck passed")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Record the flask-slow-view seed story as OTLP/JSON.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT.relative_to(REPO_ROOT)}")
    parser.add_argument("--check-only", type=Path, metavar="PATH", help="only check and summarise an existing recording")
    args = parser.parse_args()
    delay_s = float(os.environ.get("WEATHER_DELAY_SECONDS", "6.0"))

    if args.check_only:
        with open(args.check_only, encoding="utf-8") as f:
            return report(json.load(f), delay_s)

    doc = record(delay_s)
    rc = report(doc, delay_s)
    if rc != 0:
        print(f"not writing {args.out}", file=sys.stderr)
        return rc
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    try:
        shown = args.out.resolve().relative_to(REPO_ROOT)
    except ValueError:
        shown = args.out
    print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
