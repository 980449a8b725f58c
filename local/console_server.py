"""The local operations console: the deployed dashboard, live from `make run`.

Serves, on its own port (``--console-port``, default 8001):

- ``/``: the page (``dashboards/console/index.html`` and its script), drawing with uPlot from
  ``dashboards/console/node_modules`` (installed by `make run`: nothing is fetched at view time);
- ``/dashboard.json``: the document the page is built from (``dashboards.console_document.document``): every
  section and widget of the layout the CDK app deploys, each graph's recorded series and threshold
  lines, every alarm's state and when it changed (the offline CloudWatch simulator over the recorded
  metrics), each log widget's saved query run over the local log group, and per-route totals;
- ``/query?key=<saved-query key>[&format=text]``: one saved query's result (JSON, or a text table: the
  incident view links there); at most QUERY_SLOTS run at once (503 beyond), each result kept QUERY_CACHE_S;
- ``/RUNBOOK.md``: the repository's RUNBOOK.md as a page (anchors work: alarm links point at them), its
  text at ``/raw/RUNBOOK.md``.

Errors answer as the API does: RFC 9457 problem details (``application/problem+json``), 404 for an unknown
path or saved query, 405 (with ``Allow``) for a method other than GET or HEAD, 422 for a query this
interpreter cannot run. Idle connections close after IDLE_TIMEOUT_S; a client that goes away mid-answer is
one line on stderr, not a traceback.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from dashboards.console_document import current, document, totals
from dashboards.layout import layout
from local.events import FUNCTION_NAME, REGION
from local.insights import Unsupported, run, saved_query
from local.insights.runner import Result
from local.telemetry import Recorder, log_files
from observability.plan import Plan, plan
from service.contract import METRICS_NAMESPACE
from settings.config import cdk_json_context, load_config

PAGE_DIR = Path(__file__).resolve().parents[1] / "dashboards" / "console"
# URL path -> file under PAGE_DIR, and its content type; nothing else is served.
ASSETS = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/console.js": ("console.js", "text/javascript; charset=utf-8"),
    "/uPlot.iife.min.js": ("node_modules/uplot/dist/uPlot.iife.min.js", "text/javascript; charset=utf-8"),
    "/uPlot.min.css": ("node_modules/uplot/dist/uPlot.min.css", "text/css; charset=utf-8"),
    "/markdown.js": ("markdown.js", "text/javascript; charset=utf-8"),
    "/RUNBOOK.md": ("runbook.html", "text/html; charset=utf-8"),
    "/raw/RUNBOOK.md": ("../../RUNBOOK.md", "text/markdown; charset=utf-8"),
}
CACHE_S = 2.0  # the document is rebuilt at most this often (the page polls every few seconds)
QUERY_SLOTS = 2  # saved queries running at once: each is a DuckDB scan beside the API on the same cores
QUERY_CACHE_S = 5.0  # a query's result is reused this long (a page of links clicked twice scans once)
IDLE_TIMEOUT_S = 30.0  # a connection that sends nothing this long is closed (its thread ends)
PROBLEM = "application/problem+json"


def deployed_home_region() -> str:
    """``home_region`` as cdk.json sets it (where `make deploy` puts the dashboard and alarms), else the local
    REGION when cdk.json cannot be read or is invalid."""
    try:
        return load_config(cdk_json_context(), environ={}).home_region
    except (OSError, ValueError):
        return REGION


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
            # The header's links open the deployed stack's console: cdk.json's home region (the local
            # Lambda context keeps its own, REGION).
            "home_region": deployed_home_region(),
        }
        self._cached: tuple[float, bytes] | None = None
        self._lock = threading.Lock()
        self._query_slots = threading.BoundedSemaphore(QUERY_SLOTS)
        self._query_cache: dict[str, tuple[float, dict[str, Any]]] = {}
        console = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = IDLE_TIMEOUT_S

            def do_GET(self) -> None:
                console.handle(self)

            def do_HEAD(self) -> None:
                console.handle(self, head=True)

            def handle_one_request(self) -> None:
                try:
                    super().handle_one_request()
                except (ConnectionError, TimeoutError) as exc:  # the client left: one line, no traceback
                    self.close_connection = True
                    print(f"console: {self.client_address[0]} disconnected ({type(exc).__name__})", file=sys.stderr)

            def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
                # Unsupported methods (501 by default), malformed request lines: the API's problem shape.
                if code == 501:
                    code, message = 405, f"{self.command} is not allowed: the console answers GET and HEAD"
                console.problem(self, code, message or explain or "bad request", allow=code == 405)

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
        """A saved query's result, or {"error", "status"} (404 unknown key, 422 unsupported syntax)."""
        try:
            query = saved_query(key)
        except KeyError as exc:
            return {"error": str(exc.args[0] if exc.args else exc), "status": 404}
        self.recorder.flush()  # the files, up to now (the recording process parses lazily)
        try:
            return run(query.text, log_files(self.recorder.directory)).as_dict()
        except Unsupported as exc:
            return {"error": f"{key}: unsupported Logs Insights syntax: {exc}", "status": 422}

    def bounded_query(self, key: str) -> dict[str, Any] | None:
        """``query`` with at most QUERY_SLOTS at once and a QUERY_CACHE_S cache; None when every slot is busy."""
        now = time.monotonic()
        cached = self._query_cache.get(key)
        if cached and now - cached[0] <= QUERY_CACHE_S:
            return cached[1]
        if not self._query_slots.acquire(blocking=False):
            return None
        try:
            result = self.query(key)
        finally:
            self._query_slots.release()
        if "error" not in result:
            self._query_cache = {k: v for k, v in self._query_cache.items() if now - v[0] <= QUERY_CACHE_S}
            self._query_cache[key] = (time.monotonic(), result)
        return result

    def dashboard(self) -> dict[str, Any]:
        self.recorder.flush()  # log widgets read the files
        data = self.recorder.snapshot()
        doc = document(self.plan, self.board, data, now_s=self.recorder.clock(), refs=self.refs, run_query=self.query)
        doc["totals"] = totals(data, METRICS_NAMESPACE, self.plan.cfg.service_name)
        # The last complete minute: per-route rates now, not only since the recording started.
        minute = int(self.recorder.clock() // 60) - 1
        doc["current_minute"] = minute * 60
        doc["current"] = current(data, METRICS_NAMESPACE, self.plan.cfg.service_name, minute)
        doc["telemetry_dir"] = str(self.recorder.directory)
        return doc

    def dashboard_json(self) -> bytes:
        with self._lock:
            now = time.monotonic()
            if self._cached is None or now - self._cached[0] > CACHE_S:
                self._cached = (now, json.dumps(self.dashboard(), separators=(",", ":")).encode())
            return self._cached[1]

    def handle(self, h: BaseHTTPRequestHandler, *, head: bool = False) -> None:
        split = urlsplit(h.path)
        if split.path == "/dashboard.json":
            self._send(h, 200, "application/json", self.dashboard_json(), head=head)
        elif split.path == "/recorded":  # local.recording.catch_up: record what waits, before files are read
            self.recorder.flush()
            self._send(h, 200, "application/json", b'{"recorded":true}', head=head)
        elif split.path == "/query":
            params = parse_qs(split.query)
            key = (params.get("key") or [""])[0]
            text = (params.get("format") or ["json"])[0] == "text"
            if not key:
                self.problem(h, 400, "missing ?key=<saved-query key> (make query lists them)")
                return
            result = self.bounded_query(key)
            if result is None:
                self.problem(h, 503, f"{QUERY_SLOTS} saved queries are running: try again in a few seconds", retry=2)
            elif "error" in result:
                self.problem(h, result["status"], result["error"])
            elif text:
                table = Result(result["columns"], result["rows"]).table()
                rows = len(result["rows"])
                body = f"# saved query {key} over the local log group ({rows} rows, times UTC)\n{table}\n"
                self._send(h, 200, "text/plain; charset=utf-8", body.encode(), head=head)
            else:
                self._send(h, 200, "application/json", json.dumps(result, default=str).encode(), head=head)
        elif split.path in ASSETS:
            name, content_type = ASSETS[split.path]
            path = PAGE_DIR / name
            if not path.is_file():
                self.problem(h, 503, f"{name} is missing: run `make run` (it installs the chart library)")
                return
            self._send(h, 200, content_type, path.read_bytes(), head=head)
        else:
            served = "/, /dashboard.json, /query, /recorded, /RUNBOOK.md"
            self.problem(h, 404, f"no such page: {split.path} (the console serves {served})")

    def problem(
        self, h: BaseHTTPRequestHandler, status: int, detail: str, *, allow: bool = False, retry: int | None = None
    ) -> None:
        """An error as the API answers one (RFC 9457 problem details)."""
        body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
        headers = {"Allow": "GET, HEAD"} if allow else {}
        if retry is not None:
            headers["Retry-After"] = str(retry)
        self._send(h, status, PROBLEM, json.dumps(body).encode(), headers=headers, head=h.command == "HEAD")

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler,
        status: int,
        content_type: str,
        body: bytes,
        *,
        headers: dict[str, str] | None = None,
        head: bool = False,
    ) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        if not head:
            h.wfile.write(body)
