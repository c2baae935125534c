"""The instrumented Flask app of the seed story (service.name = flask-app).

GET /slow first asks the external weather service for a forecast (about 6 s,
traced as a `requests` client span carrying peer.service=weather-service) and
then runs a quick SELECT on a local sqlite3 database (traced by the sqlite3
instrumentation). The handler's own server span comes from FlaskInstrumentor.

record.py drives this module in-process. To run it by hand instead:

    python weather_service.py --port 8081 &
    python app.py --weather-url http://127.0.0.1:8081 --port 8080 --out trace.json
    curl http://127.0.0.1:8080/slow      # then Ctrl-C: spans are written to trace.json
"""

from __future__ import annotations

import sqlite3

import requests
from flask import Flask, jsonify, request
from opentelemetry import trace
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from opentelemetry.instrumentation.sqlite3 import SQLite3Instrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

APP_SERVICE_NAME = "flask-app"
REMOTE_SERVICE_NAME = "weather-service"

CITIES = [
    ("Lisbon", "PT", 545_000),
    ("Oslo", "NO", 709_000),
    ("Quito", "EC", 2_800_000),
    ("Sapporo", "JP", 1_960_000),
]


def init_db(db_path: str) -> None:
    """Create and seed the local database.

    Runs before the sqlite3 instrumentation is switched on, so the start-up
    DDL does not show up as stray traces next to the request's trace.
    """
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("DROP TABLE IF EXISTS cities")
        conn.execute(
            "CREATE TABLE cities ("
            " name TEXT PRIMARY KEY, country TEXT NOT NULL, population INTEGER NOT NULL)"
        )
        conn.executemany("INSERT INTO cities VALUES (?, ?, ?)", CITIES)
        conn.commit()
    finally:
        conn.close()


def _name_remote_service(span, prepared_request) -> None:
    """requests instrumentation hook: name the remote side of the client span,
    as deployments do with the peer.service semantic attribute."""
    if span and span.is_recording():
        span.set_attribute("peer.service", REMOTE_SERVICE_NAME)


def setup_tracing(exporter: SpanExporter) -> TracerProvider:
    """A provider whose resource is just service.name (plus the SDK's own
    telemetry.sdk.* attributes): no host or process detectors."""
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: APP_SERVICE_NAME})
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    RequestsInstrumentor().instrument(
        tracer_provider=provider, request_hook=_name_remote_service
    )
    SQLite3Instrumentor().instrument(tracer_provider=provider)
    return provider


def teardown_instrumentation() -> None:
    RequestsInstrumentor().uninstrument()
    SQLite3Instrumentor().uninstrument()


def create_app(weather_url: str, db_path: str, provider: TracerProvider) -> Flask:
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/slow")
    def slow():
        city = request.args.get("city", "Lisbon")

        # (a) the external web service: this is where the time goes.
        resp = requests.get(
            f"{weather_url}/forecast", params={"city": city}, timeout=60
        )
        resp.raise_for_status()
        forecast = resp.json()

        # (b) the local database: instant.
        conn = sqlite3.connect(db_path)
        try:
            cur = conn.cursor()
            cur.execute(
                "SELECT name, country, population FROM cities WHERE name = ?",
                (city,),
            )
            row = cur.fetchone()
        finally:
            conn.close()

        city_info = (
            {"name": row[0], "country": row[1], "population": row[2]} if row else None
        )
        return jsonify(city=city_info, forecast=forecast)

    # Health checks are not part of the story: keep them out of the trace.
    FlaskInstrumentor().instrument_app(
        app, tracer_provider=provider, excluded_urls="healthz"
    )
    return app


def main() -> None:
    import argparse

    from otlp_json_exporter import OtlpJsonSpanExporter

    parser = argparse.ArgumentParser(description="Run the instrumented Flask app.")
    parser.add_argument("--weather-url", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--db", default="cities.db")
    parser.add_argument("--out", default="trace.otlp.json")
    args = parser.parse_args()

    init_db(args.db)
    provider = setup_tracing(OtlpJsonSpanExporter(path=args.out))
    app = create_app(args.weather_url, args.db, provider)
    try:
        app.run(host=args.host, port=args.port, threaded=True)
    finally:
        provider.shutdown()  # flushes the BatchSpanProcessor, writes --out


if __name__ == "__main__":
    main()
