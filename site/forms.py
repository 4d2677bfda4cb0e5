"""Checking a correspondent's submission: each field gets its own message a person can act on."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from rabkor.site.i18n import _

MAX_URL = 2048
MAX_NOTE = 2000
MAX_TOPIC = 200
MAX_NAME = 200


@dataclass
class SubmissionForm:
    """What was typed (kept to refill the form) and what is wrong with it, field by field."""

    url: str = ""
    note: str = ""
    language: str = ""
    topic: str = ""
    name: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_post(cls, data: dict[str, str], languages: tuple[str, ...]) -> SubmissionForm:
        form = cls(**{k: data.get(k, "").strip() for k in ("url", "note", "language",
                                                            "topic", "name")})
        form._check(languages)
        return form

    @property
    def valid(self) -> bool:
        return not self.errors

    def _check(self, languages: tuple[str, ...]) -> None:
        url_error = url_problem(self.url)
        if url_error:
            self.errors["url"] = url_error
        if self.language and self.language not in languages:
            self.errors["language"] = _("Choose a language from the list.")
        for name, limit in (("note", MAX_NOTE), ("topic", MAX_TOPIC), ("name", MAX_NAME)):
            if len(getattr(self, name)) > limit:
                self.errors[name] = _("Keep this under {limit} characters (it has {count}).") \
                    .format(limit=limit, count=len(getattr(self, name)))


def url_problem(url: str) -> str | None:
    """Why this cannot be submitted as a link, or None if it can."""
    if not url:
        return _("Paste the address of the page, starting with https://.")
    if len(url) > MAX_URL:
        return _("This address is longer than {limit} characters.").format(limit=MAX_URL)
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return _("An address cannot contain spaces.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError on a malformed port
    except ValueError:
        return _("This does not look like a web address.")
    if parts.scheme.lower() not in ("http", "https"):
        return _("Only web addresses (http:// or https://) can be submitted.")
    if not parts.hostname or "." not in parts.hostname.strip("."):
        return _("This address has no site name in it, as in https://example.org/page.")
    return None
