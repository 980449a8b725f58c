"""The local operations console: the deployed dashboard, live from `make run`.

Serves, on its own port (``--console-port``, default 8001):

- ``/``: the page (``dashboards/console/index.html`` and its script), drawing with uPlot from
  ``dashboards/console/node_modules`` (installed by `make run`: nothing is fetched at view time);
- ``/dashboard.json``: the document the page is built from (``dashboards.console.document``): every
  section and widget of the layout the CDK app deploys, each graph's recorded series and threshold
  lines, every alarm's state and when it changed (the offline CloudWatch simulator over the recorded
  metrics), each log widget's saved query run over the local log group, and per-route totals;
- ``/query?key=<saved-query key>``: one saved query's result (JSON).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from dashboards.console import document, totals
from dashboards.layout import layout
from local.events import FUNCTION_NAME, REGION
from local.insights import Unsupported, run, saved_query
from local.telemetry import Recorder, log_files
from observability.plan import Plan, plan
from service.contract import METRICS_NAMESPACE

PAGE_DIR = Path(__file__).resolve().parents[1] / "dashboards" / "console"
# URL path -> file under PAGE_DIR, and its content type; nothing else is served.
ASSETS = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/console.js": ("console.js", "text/javascript; charset=utf-8"),
    "/uPlot.iife.min.js": ("node_modules/uplot/dist/uPlot.iife.min.js", "text/javascript; charset=utf-8"),
    "/uPlot.min.css": ("node_modules/uplot/dist/uPlot.min.css", "text/css; charset=utf-8"),
}
CACHE_S = 2.0  # the document is rebuilt at most this often (the page polls every few seconds)


class Console:
    def __init__(
        self, recorder: Recorder, host: str, port: int, *, table_name: str, reserved_concurrency: int | None
    ) -> None:
        self.recorder = recorder
        self.plan: Plan = plan(reserved_concurrency=reserved_concurrency)
        self.board = layout(self.plan)
        self.refs = {
            "function_name": FUNCTION_NAME,
            "function_resource": f"{FUNCTION_NAME}:live",
            "table_name": table_name,
            "log_group_name": f"/aws/lambda/{FUNCTION_NAME}",
            "home_region": REGION,
        }
        self._cached: tuple[float, bytes] | None = None
        self._lock = threading.Lock()
        console = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                console.handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # stdout is the function's telemetry
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        bound_host, bound_port = self.server.server_address[:2]
        host = bound_host if isinstance(bound_host, str) else bytes(bound_host).decode()
        self.url = f"http://{host}:{bound_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Console:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self.server.shutdown()
        self.server.server_close()

    # ---- content ----------------------------------------------------------------------------------

    def query(self, key: str) -> dict[str, Any]:
        try:
            return run(saved_query(key).text, log_files(self.recorder.directory)).as_dict()
        except (KeyError, Unsupported) as exc:
            return {"error": str(exc.args[0] if exc.args else exc)}

    def dashboard(self) -> dict[str, Any]:
        self.recorder.flush()  # log widgets read the files
        data = self.recorder.snapshot()
        doc = document(self.plan, self.board, data, now_s=self.recorder.clock(), refs=self.refs, run_query=self.query)
        doc["totals"] = totals(data, METRICS_NAMESPACE, self.plan.cfg.service_name)
        doc["telemetry_dir"] = str(self.recorder.directory)
        return doc

    def dashboard_json(self) -> bytes:
        with self._lock:
            now = time.monotonic()
            if self._cached is None or now - self._cached[0] > CACHE_S:
                self._cached = (now, json.dumps(self.dashboard(), separators=(",", ":")).encode())
            return self._cached[1]

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        split = urlsplit(h.path)
        if split.path == "/dashboard.json":
            self._send(h, 200, "application/json", self.dashboard_json())
        elif split.path == "/query":
            key = (parse_qs(split.query).get("key") or [""])[0]
            self._send(h, 200, "application/json", json.dumps(self.query(key), default=str).encode())
        elif split.path in ASSETS:
            name, content_type = ASSETS[split.path]
            path = PAGE_DIR / name
            if not path.is_file():
                body = f"{name} is missing: run `make run` (it installs the chart library)".encode()
                self._send(h, 503, "text/plain; charset=utf-8", body)
                return
            self._send(h, 200, content_type, path.read_bytes())
        else:
            self._send(h, 404, "text/plain; charset=utf-8", b"not found")

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, content_type: str, body: bytes) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Cache-Control", "no-store")
        h.end_headers()
        h.wfile.write(body)
