"""The stand-in's HTTP server: Rundeck's API paths the app and the pre-flight call, with Rundeck's answers.

* every ``/api/<v>/...`` call needs a known token (``X-Rundeck-Auth-Token`` header or ``authtoken``
  parameter), else 403 ``unauthorized``; then a version outside the supported range answers 400
  ``api.error.api-version.unsupported`` (research §6);
* ``GET /api/<v>/projects``; ``GET /api/<v>/project/<p>/webhooks`` (403 ``api.error.item.unauthorized``
  when the token may not read them, 404 ``api.error.item.doesnotexist`` for a missing project);
* ``GET /api/<v>/system/info``: 403, as for the app's minimal token ACL;
* ``POST /api/<v>/webhook/<token>``: ``ok`` (text/plain), or 404 when the webhook is disabled or unknown.

Errors are Rundeck's JSON: ``{"error": true, "apiversion": N, "errorCode": ..., "message": ...}``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from snow_preflight.rundeck_stand_in.scenarios import RundeckState

_API = re.compile(r"^/api/(?P<version>[^/]+)(?P<rest>/.*)?$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: RundeckServer

    def log_message(self, format: str, *args: object) -> None:
        """Silent: tests read ``seen``, not stderr."""

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._answer("POST")

    def _answer(self, method: str) -> None:
        parts = urlsplit(self.path)
        with self.server.lock:
            self.server.seen.append((method, parts.path, dict(self.headers.items())))
        status, body, content_type = self.server.route(method, parts.path, self._token(parts.query))
        if self.server.latency_s:
            time.sleep(self.server.latency_s)
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Rundeck-API-Version", str(self.server.state.current_version))
        self.end_headers()
        self.wfile.write(data)

    def _token(self, query: str) -> str:
        given = self.headers.get("X-Rundeck-Auth-Token", "")
        return given or (parse_qs(query).get("authtoken") or [""])[0]


class RundeckServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: RundeckState, *, latency_ms: float = 0.0) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = state
        self.latency_s = latency_ms / 1000
        self.lock = threading.Lock()
        self.seen: list[tuple[str, str, dict[str, str]]] = []

    def error(self, status: int, code: str, message: str) -> tuple[int, Any, str]:
        body = {
            "error": True,
            "apiversion": self.state.current_version,
            "errorCode": code,
            "message": message,
        }
        return status, body, "application/json"

    def route(self, method: str, path: str, token: str) -> tuple[int, Any, str]:
        match = _API.match(path)
        if match is None:
            return 404, "<html><body>Page not found</body></html>", "text/html"
        rest = match["rest"] or "/"
        hook = re.fullmatch(r"/webhook/([^/]+)", rest)
        if method == "POST" and hook:  # a webhook's own token is its credential
            return self._run_webhook(unquote(hook[1]))
        if token not in self.state.tokens:
            return self.error(403, "unauthorized", f"(Token:****) is not authorized for: {path}")
        version = match["version"]
        state = self.state
        if not version.isdigit() or not state.minimum_version <= int(version) <= state.current_version:
            return self.error(
                400,
                "api.error.api-version.unsupported",
                f'Unsupported API Version "{version}". API Request: {path}. Reason: Current version: '
                f"{state.current_version}",
            )
        if method != "GET":
            return self.error(405, "api.error.invalid.request", f"{method} is not allowed for {path}")
        return self._get(rest, int(version), token)

    def _get(self, rest: str, version: int, token: str) -> tuple[int, Any, str]:
        state = self.state
        host, port = self.server_address[:2]
        base = f"http://{host!s}:{port}/api/{version}"
        if rest == "/projects":
            listed = [
                {"url": f"{base}/project/{p['name']}", "name": p["name"], "description": p["description"],
                 "label": p["label"]}
                for p in state.projects
            ]  # fmt: skip
            return 200, listed, "application/json"
        webhooks = re.fullmatch(r"/project/([^/]+)/webhooks", rest)
        if webhooks:
            name = unquote(webhooks[1])
            project = state.project(name)
            if project is None:
                return self.error(404, "api.error.item.doesnotexist", f"Project does not exist: {name}")
            readable = state.tokens[token]
            if "*" not in readable and name not in readable:
                return self.error(
                    403, "api.error.item.unauthorized", f'Not authorized for action "Read" for Webhook {name}'
                )
            return 200, project["webhooks"], "application/json"
        if rest == "/system/info":
            return self.error(
                403, "api.error.item.unauthorized", 'Not authorized for action "Read System Info" for Rundeck'
            )
        return self.error(404, "api.error.item.doesnotexist", f"No such API endpoint: {rest}")

    def _run_webhook(self, token: str) -> tuple[int, Any, str]:
        hook = next((h for h in self.state.webhooks() if h["authToken"] == token), None)
        if hook is None or not hook["enabled"]:
            # A disabled webhook answers 404 since mid-2024 (rundeck/rundeck#9179), as does an unknown token.
            return self.error(404, "api.error.item.doesnotexist", "Webhook not found")
        return 200, "ok", "text/plain"
