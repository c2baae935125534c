"""A stand-in for a slow third-party web service.

Deliberately NOT instrumented: in the story it is somebody else's service,
so the recorded trace only sees it from the outside, through the client span
that the Flask app's `requests` call produces.

    python weather_service.py [--host 127.0.0.1] [--port 0]

GET /forecast?city=NAME sleeps WEATHER_DELAY_SECONDS (default 6.0) and then
answers with a small JSON forecast. GET /healthz answers at once. With
--port 0 the OS picks a free port; the chosen one is printed on stdout as
"LISTENING <port>" so that a parent process can read it.
"""

import argparse
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

DEFAULT_DELAY_SECONDS = 6.0


def delay_seconds() -> float:
    return float(os.environ.get("WEATHER_DELAY_SECONDS", DEFAULT_DELAY_SECONDS))


class Handler(BaseHTTPRequestHandler):
    server_version = "WeatherService/1.0"

    def _send_json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        url = urlparse(self.path)
        if url.path == "/healthz":
            self._send_json(200, {"status": "ok"})
            return
        if url.path == "/forecast":
            city = parse_qs(url.query).get("city", ["unknown"])[0]
            time.sleep(delay_seconds())  # the slow part of the story
            self._send_json(
                200,
                {"city": city, "forecast": "light rain", "temperature_c": 14},
            )
            return
        self._send_json(404, {"error": "not found"})

    def log_message(self, fmt: str, *args) -> None:
        sys.stderr.write("weather-service: " + (fmt % args) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
