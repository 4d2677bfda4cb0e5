"""Checking a correspondent's submission: each field gets its own message a person can act on."""

from __future__ import annotations

from dataclasses import dataclass, field

from rabkor.core.text.chars import printable
from rabkor.core.text.urls import MissingHost, UrlError, parse_url
from rabkor.site.i18n import _

MAX_URL = 2048
MAX_NOTE = 2000
MAX_TOPIC = 200
MAX_NAME = 200
LIMITS = {"url": MAX_URL, "note": MAX_NOTE, "topic": MAX_TOPIC, "name": MAX_NAME,
          "language": 20}
FIELDS = tuple(LIMITS)
HONEYPOT = "website"  # hidden from people (site.css); a robot that fills it is not told


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
    def from_post(cls, data: dict[str, object], languages: tuple[str, ...]) -> SubmissionForm:
        """The fields as typed, without controls and bidirectional overrides (a note keeps
        its lines); a field too long is refused and kept only to its limit, so that an
        error page never echoes a megabyte back; a NUL byte, which no text holds, is
        refused. A field that is not text (the API's JSON) counts as empty."""
        raw = {k: v if isinstance(v, str) else "" for k in FIELDS
               if (v := data.get(k, "")) is not None}
        form = cls(**{k: printable(raw.get(k, ""), lines=k == "note").strip() for k in FIELDS})
        form._check(languages)
        for name, value in raw.items():
            if "\x00" in value:
                form.errors[name] = _("This holds a NUL character, which no text has: "
                                      "remove it.")
        for name, limit in LIMITS.items():
            setattr(form, name, getattr(form, name)[:limit])
        return form

    @classmethod
    def prefilled(cls, url: str, language: str) -> SubmissionForm:
        """The form as the bookmarklet opens it, with the page's address (checked only
        when sent)."""
        return cls(url=printable(url)[:MAX_URL].strip(), language=language)

    @property
    def valid(self) -> bool:
        return not self.errors

    def _check(self, languages: tuple[str, ...]) -> None:
        url_error = url_problem(self.url)
        if url_error:
            self.errors["url"] = url_error
        if self.language and self.language not in languages:
            self.errors["language"] = _("Choose a language from the list.")
        for name, limit in LIMITS.items():
            if len(getattr(self, name)) > limit and name != "url":
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
    if not url.lower().startswith(("http:", "https:")):
        return _("Only web addresses (http:// or https://) can be submitted.")
    try:
        host = parse_url(url).host  # the one URL parser: what is checked is what is fetched
    except MissingHost:
        host = ""
    except UrlError:
        return _("This does not look like a web address.")
    if "." not in host.strip(".[]"):
        return _("This address has no site name in it, as in https://example.org/page.")
    return None
