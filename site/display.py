"""An item as a reader of one language sees it: translated where a translation exists.

Translations are text from a machine or a volunteer, never trusted as HTML: they are
shown as plain text (autoescaped), with a label saying who translated them and from what.
The crawler's own fields (summary, content) are HTML, shown through the one display
policy (`rabkor.core.text.html.safe_markup`: cleaned again, whatever was stored).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from markupsafe import Markup

from rabkor.core.store.kinds import UNCHANGED
from rabkor.core.store.models import Item, MediaKind, Translation
from rabkor.core.text.html import plain_text, safe_markup
from rabkor.core.text.urls import is_web_url, remote_resource
from rabkor.site.i18n import _, language_name

YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com"}


@dataclass(frozen=True)
class ItemView:
    item: Item
    title: str
    summary: str  # plain text
    shown_language: str | None
    translation: Translation | None  # of the title; it decides the label
    summary_translation: Translation | None
    content_translation: Translation | None = None
    reader: str = ""  # the reader's language

    @property
    def original_language(self) -> str | None:
        return self.item.language

    @property
    def original_url(self) -> str | None:
        """The item's own address, if it is a web address (never javascript: and the like)."""
        return self.item.url if is_web_url(self.item.url) else None

    @property
    def date(self) -> datetime:
        return self.item.published_at or self.item.fetched_at

    @property
    def label(self) -> str:
        """The title's label: "Machine-translated from Spanish (via English)", "Translated
        by volunteers", or ""."""
        return translation_label(self.translation)

    def part_labels(self) -> list[tuple[str, str]]:
        """What each part the page shows is: [("Title and summary", "Machine-translated
        from Spanish"), ("Full text", "Not translated yet: the original, in Spanish")],
        neighbouring parts with the same label named together; empty when everything
        is the original in the reader's own language."""
        parts = [(_("title"), self.translation), (_("summary"), self.summary_translation)]
        if not self.item.summary.strip():
            parts.pop()
        if self.item.content.strip():
            parts.append((_("full text"), self.content_translation))
        labelled: list[tuple[list[str], str]] = []
        for name, translation in parts:
            text = translation_label(translation) if translation else self._untranslated()
            machine = translation is not None and not translation.is_human and text
            if machine and translation.engine:  # by which engine and model
                made = (translation.engine, translation.model_version)
                text += f" ({' '.join(p for p in made if p)})"
            if labelled and labelled[-1][1] == text:
                labelled[-1][0].append(name)
            else:
                labelled.append(([name], text))
        if all(not text for _names, text in labelled):
            return []
        return [(_sentence(_(" and ").join(names) if len(names) < 3 else
                           _("{first}, {second} and {third}").format(
                               first=names[0], second=names[1], third=names[2])),
                 text or _("The original")) for names, text in labelled]

    def _untranslated(self) -> str:
        if not self.item.language or self.item.language == self.reader:
            return ""
        return _("Not translated yet: the original, in {language}").format(
            language=language_name(self.item.language))

    @property
    def engine(self) -> str:
        """Which engine and model made a machine translation, for a tooltip."""
        t = self.translation
        if t is None or t.is_human or t.engine == UNCHANGED:
            return ""
        return " ".join(part for part in (t.engine, t.model_version) if part)

    @property
    def summary_html(self) -> Markup | None:
        """The item's own summary, shown as HTML only when it is the original."""
        return None if self.summary_translation else safe_markup(self.item.summary)

    @property
    def content_html(self) -> Markup:
        """The full text in the reader's language when translated, else the original.

        Machine translations of full texts keep the original's markup (translate/markup.py)
        and are sanitized again here; a volunteer's text is plain text, one paragraph a line.
        """
        t = self.content_translation
        if t is None:
            return safe_markup(self.item.content)
        if t.is_human:
            return Markup("").join(Markup("<p>{}</p>").format(line)
                                   for line in t.text.split("\n") if line.strip())
        return safe_markup(t.text)

    @property
    def content_language(self) -> str | None:
        return self.content_translation.language if self.content_translation else \
            self.item.language

    @property
    def youtube_id(self) -> str | None:
        return youtube_id(self.item.enclosure_url or self.item.url)

    @property
    def media_url(self) -> str | None:
        """The enclosure the player plays, when the reader's browser may fetch it: https (an
        http one upgraded) on a public host (`remote_resource`), else None and no player."""
        return remote_resource(self.item.enclosure_url)

    @property
    def poster_url(self) -> str | None:
        """The video's still image, under the same rule as every image shown."""
        return remote_resource(self.item.image_url)

    @property
    def player(self) -> str | None:
        """"audio", "video", "youtube" or None: which player the item page shows."""
        kind, media = self.item.media_kind, (self.item.enclosure_type or "").lower()
        if kind in (MediaKind.VIDEO, MediaKind.LECTURE) and self.youtube_id:
            return "youtube"
        if self.media_url is None:
            return None
        if media.startswith("video/") or (kind is MediaKind.VIDEO and not media):
            return "video"
        if media.startswith("audio/") or kind in (MediaKind.AUDIO, MediaKind.LECTURE):
            return "audio"
        return None

    @property
    def duration(self) -> str:
        """"1:02:03" or "4:05", or "" when unknown."""
        seconds = self.item.duration_seconds
        if not seconds:
            return ""
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def item_view(item: Item, lang: str) -> ItemView:
    """The item in `lang`: its translation when it is written in another language and has one."""
    title_tr = item.translation("title", lang) if item.language != lang else None
    summary_tr = item.translation("summary", lang) if item.language != lang else None
    content_tr = item.translation("content", lang) if item.language != lang else None
    return ItemView(
        item=item,
        title=title_tr.text if title_tr else item.title,
        summary=plain_text(summary_tr.text if summary_tr else item.summary),
        shown_language=lang if title_tr else item.language,
        translation=title_tr,
        summary_translation=summary_tr,
        content_translation=content_tr,
        reader=lang,
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def translation_label(translation: Translation | None) -> str:
    """"Machine-translated from Spanish (via English)", "Translated by volunteers", or ""
    (no translation, or a text kept as it was because it was already in the language)."""
    if translation is None or translation.engine == UNCHANGED:
        return ""
    if translation.is_human:
        # Post-editing publishes only accepted work, so the editor's review is named.
        if translation.reviewed_at is not None:
            return _("Translated by volunteers · reviewed")
        return _("Translated by volunteers")
    source = language_name(translation.source_language)
    if translation.pivot:  # es→en→de: say so, two machine steps lose more
        return _("Machine-translated from {language} via {pivot}").format(
            language=source, pivot=language_name(translation.pivot))
    return _("Machine-translated from {language}").format(language=source)


def youtube_id(url: str) -> str | None:
    """The video id of a YouTube watch, short or embed URL, checked strictly (11 characters)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https"):
        return None
    if host in YOUTUBE_HOSTS and parts.path == "/watch":
        candidate = parse_qs(parts.query).get("v", [""])[0]
    elif host in YOUTUBE_HOSTS and parts.path.startswith(("/embed/", "/shorts/", "/live/")):
        candidate = parts.path.split("/")[2]
    elif host == "youtu.be":
        candidate = parts.path[1:]
    else:
        return None
    return candidate if YOUTUBE_ID.fullmatch(candidate) else None

