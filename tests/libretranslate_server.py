"""A small LibreTranslate-compatible server on 127.0.0.1, for tests of the remote engine.

Follows LibreTranslate's API (libretranslate/app.py): GET /languages answers
[{"code", "name", "targets"}]; POST /translate takes JSON {q (string or list), source,
target, format, api_key} and answers {"translatedText": ...} of the same shape as q;
errors are {"error": message} with 400 (bad request, unsupported pair, batch limit),
403 (invalid key), 429 (slow down) or 500. "Translation" upper-cases the text and
appends the target code in brackets, so a test can see which pair produced it.
Switches on the server object make it misbehave on purpose.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LANGUAGES = [
    {"code": "en", "name": "English", "targets": ["en", "es", "fr"]},
    {"code": "es", "name": "Spanish", "targets": ["en", "es"]},
    {"code": "fr", "name": "French", "targets": ["en", "fr"]},
]


def fake_translation(text: str, target: str) -> str:
    return f"{text.upper()} [{target}]"


class LibreTranslateServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, api_key: str | None = None, batch_limit: int = -1) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api_key = api_key  # None: no key required
        self.batch_limit = batch_limit
        self.fail_with: tuple[int, object] | None = None  # (status, body) for every request
        self.requests: list[dict] = []  # the JSON bodies of POST /translate

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def start(self) -> LibreTranslateServer:
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: LibreTranslateServer

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: object) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        if self.server.fail_with:
            return self._send(*self.server.fail_with)
        if self.path == "/languages":
            return self._send(200, LANGUAGES)
        return self._send(404, {"error": "Not Found"})

    def do_POST(self) -> None:
        if self.path != "/translate":
            return self._send(404, {"error": "Not Found"})
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length))
        except ValueError:
            return self._send(400, {"error": "Invalid request: body is not JSON"})
        self.server.requests.append(body)
        if self.server.fail_with:
            return self._send(*self.server.fail_with)
        key = self.server.api_key
        if key is not None and body.get("api_key") != key:
            if body.get("api_key"):
                return self._send(403, {"error": "Invalid API key"})
            return self._send(400, {"error": "Please contact the server operator to get an "
                                             "API key"})
        return self._translate(body)

    def _translate(self, body: dict) -> None:
        q, source, target = body.get("q"), body.get("source"), body.get("target")
        for name, value in (("q", q), ("source", source), ("target", target)):
            if not value:
                return self._send(400, {"error": f"Invalid request: missing {name} parameter"})
        batch = isinstance(q, list)
        if batch and -1 < self.server.batch_limit < len(q):
            return self._send(400, {"error": f"Invalid request: request ({len(q)}) exceeds "
                                             f"text limit ({self.server.batch_limit})"})
        if body.get("format", "text") not in ("text", "html"):
            return self._send(400, {"error": f"{body['format']} format is not supported"})
        targets = next((lang["targets"] for lang in LANGUAGES if lang["code"] == source), None)
        if targets is None:
            return self._send(400, {"error": f"{source} is not supported"})
        if target not in targets:
            return self._send(400, {"error": f"{target} is not available as a target language "
                                             f"from {source}"})
        texts = [fake_translation(t, target) for t in (q if batch else [q])]
        return self._send(200, {"translatedText": texts if batch else texts[0]})
