"""A remote LibreTranslate server as an engine, so a deployment can translate on other machines.

Speaks LibreTranslate's HTTP API: GET /languages lists each language with the targets
it reaches; POST /translate takes `q` as a list of texts and answers
{"translatedText": [...]}; failures answer {"error": "..."} with 400, 403, 429 or 500.
The server is outside Rabkor: every request has a bounded time, every answer a bounded
size and a checked shape, and any failure becomes an EngineError for the batch.
"""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlsplit

import httpx

from rabkor.core.errors import ConfigError
from rabkor.core.settings import Settings
from rabkor.translate.engine import EngineError

logger = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(120.0, connect=10.0)  # a batch may take a while; a dead host not
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
MAX_TEXTS_PER_REQUEST = 32
PAIRS_RETRY_SECONDS = 60.0  # after a failed /languages, ask again no sooner than this
FORMATS = ("text", "html")


class LibreTranslateEngine:
    """Pairs from GET /languages (cached), batches of texts through POST /translate."""

    name = "libretranslate"

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None,
                 max_texts: int = MAX_TEXTS_PER_REQUEST) -> None:
        url = settings.libretranslate_url.strip().rstrip("/")
        if urlsplit(url).scheme not in ("http", "https"):
            raise ConfigError("the libretranslate engine needs `libretranslate_url` set to the "
                              f"server's http(s) address (got {url!r})")
        self.url = url
        self.api_key = settings.libretranslate_api_key
        self.max_texts = max_texts
        self._client = httpx.Client(timeout=TIMEOUT, transport=transport,
                                    follow_redirects=False)
        self._pairs: set[tuple[str, str]] | None = None
        self._pairs_failed_at = float("-inf")

    def pairs(self) -> set[tuple[str, str]]:
        """The server's pairs; an unreachable server has none (and is asked again later)."""
        if self._pairs is not None:
            return self._pairs
        if time.monotonic() - self._pairs_failed_at < PAIRS_RETRY_SECONDS:
            return set()
        try:
            self._pairs = _parse_languages(self._request("GET", "/languages"))
        except EngineError as exc:
            logger.warning("cannot list LibreTranslate languages url=%s error=%s", self.url, exc)
            self._pairs_failed_at = time.monotonic()
            return set()
        return self._pairs

    def model_version(self, src: str, tgt: str) -> str:
        """The server's address: LibreTranslate does not say which model versions it runs."""
        return f"libretranslate@{urlsplit(self.url).netloc}"

    def translate(self, texts: list[str], src: str, tgt: str, *,
                  fmt: str = "text") -> list[str]:
        """One translation per text, in order; `fmt` "html" keeps markup (the server's parser)."""
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
        out: list[str] = []
        for start in range(0, len(texts), self.max_texts):
            chunk = texts[start:start + self.max_texts]
            body = {"q": chunk, "source": src, "target": tgt, "format": fmt}
            if self.api_key:
                body["api_key"] = self.api_key
            answer = self._request("POST", "/translate", json=body)
            translated = answer.get("translatedText") if isinstance(answer, dict) else None
            if not (isinstance(translated, list) and len(translated) == len(chunk)
                    and all(isinstance(t, str) for t in translated)):
                raise EngineError(f"libretranslate {src}→{tgt}: expected {len(chunk)} "
                                  "translations in translatedText, got something else")
            out.extend(translated)
        return out

    def close(self) -> None:
        self._client.close()

    def _request(self, method: str, path: str, **kwargs) -> object:
        """The decoded JSON answer, or EngineError saying what the server or network said."""
        try:
            with self._client.stream(method, self.url + path, **kwargs) as response:
                raw = _read_bounded(response)
        except httpx.HTTPError as exc:
            raise EngineError(f"libretranslate {method} {path}: {exc.__class__.__name__}: "
                              f"{exc}") from None
        try:
            answer = json.loads(raw) if raw else None
        except ValueError:  # includes UnicodeDecodeError
            answer = None
        if response.status_code != 200:
            message = answer.get("error") if isinstance(answer, dict) else None
            raise EngineError(f"libretranslate {method} {path}: HTTP {response.status_code}"
                              + (f": {str(message)[:300]}" if message else ""))
        if answer is None:
            raise EngineError(f"libretranslate {method} {path}: answer is not JSON")
        return answer


def _read_bounded(response: httpx.Response) -> bytes:
    data = bytearray()
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) > MAX_RESPONSE_BYTES:
            raise EngineError(f"libretranslate answer larger than {MAX_RESPONSE_BYTES} bytes")
    return bytes(data)


def _parse_languages(answer: object) -> set[tuple[str, str]]:
    """[{"code": "en", "targets": ["es", ...]}, ...] → {("en", "es"), ...}."""
    if not isinstance(answer, list):
        raise EngineError("libretranslate /languages: expected a list of languages")
    pairs = set()
    for language in answer:
        if not isinstance(language, dict) or not isinstance(language.get("code"), str):
            continue
        targets = language.get("targets")
        for target in targets if isinstance(targets, list) else []:
            if isinstance(target, str) and target != language["code"]:
                pairs.add((language["code"], target))
    return pairs
