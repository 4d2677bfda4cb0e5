"""The JSON API's shapes: what a program reads of the published items, their
translations and labels, the sources and the topics (site/handlers/api.py answers them),
and what it sends and is answered when it submits a link (site/handlers/api_submissions.py).

Each shape is a pydantic model, so the answers are made by the same classes the OpenAPI
document describes (site/openapi.py): a field cannot be sent without being documented.
The values come from the site's own views — an item as `ItemView` shows it in the
reader's language, its labels by `translation_label` and `part_labels`, its full text
as `content_html` renders it — so the API says exactly what the pages say, and nothing
they keep private (editors' notes, who submitted a link, who translated).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rabkor.core.store.kinds import UNCHANGED
from rabkor.core.store.models import Source, Topic, Translation
from rabkor.core.text.html import plain_text, safe_markup
from rabkor.core.text.urls import is_web_url
from rabkor.site.display import ItemView, translation_label
from rabkor.site.forms import MAX_NOTE, MAX_TOPIC, MAX_URL

Links = Callable[..., str]  # (route name, **path params) → absolute URL
MAX_ID = 2**63 - 1  # the largest id the store can compare (SQLite's integers)
# the addresses the form takes (site/forms.py url_problem), as far as a pattern can say
# them without the URL Standard's parser: http(s), a host name with dots, no spaces
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
URL_PATTERN = (rf"^[Hh][Tt][Tt][Pp][Ss]?://(?:{_LABEL}\.)+[A-Za-z]{{2,63}}"
               r"(?:[/?#][!-~]*)?$")
NO_NUL = r"^[^\x00]*$"  # no text holds one: the form refuses it in every field


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Error(Shape):
    error: str = Field(description="What was wrong, in English.")


class SourceRef(Shape):
    id: int
    title: str
    api_url: str = Field(description="This source in the API.")


class Media(Shape):
    """An audio or video file: what a podcast app plays."""

    url: str
    type: str | None = Field(description="Its MIME type, when the feed said it.")
    length: int | None = Field(description="Its size in bytes, when known.")
    duration_seconds: int | None


class ItemSummary(Shape):
    """A published item as a listing shows it in the reader's language."""

    id: int
    title: str = Field(description="In `language`: translated when a translation exists.")
    summary: str = Field(description="Plain text, in `language` when translated.")
    language: str | None = Field(description="The language `title` is in.")
    original_language: str | None
    label: str = Field(description="Who translated the title and from what, in the "
                                   "reader's language; empty for the original.")
    kind: Literal["article", "audio", "video", "lecture"]
    published_at: datetime = Field(description="Published, or first seen when undated.")
    source: SourceRef | None
    media: Media | None
    image_url: str | None
    original_url: str | None = Field(description="The item where it was published.")
    url: str = Field(description="The item's page on the site.")
    api_url: str


class TranslationOut(Shape):
    """One translation of one part of an item."""

    field: Literal["title", "summary", "content"]
    language: str
    source_language: str
    pivot: str | None = Field(description="The language a machine went through, if any.")
    by: Literal["machine", "human", "unchanged"] = Field(
        description="unchanged: the text was already in the language and is kept as it is.")
    engine: str | None = Field(description="The machine's engine, for machine translations.")
    model: str | None
    reviewed: bool = Field(description="A volunteer's translation that an editor reviewed.")
    label: str = Field(description="As the site labels it, in the reader's language.")
    text: str = Field(description="Plain text.")


class PartLabel(Shape):
    parts: str = Field(description='Which parts: "Title and summary", "Full text".')
    label: str = Field(description='"Machine-translated from Spanish (argos 1.9)", "The '
                                   'original"…')


class TopicRef(Shape):
    slug: str
    name: str


class Original(Shape):
    """The item as its source published it (HTML cleaned by the site's display policy)."""

    language: str | None
    title: str
    summary_html: str
    content_html: str


class ItemDetail(ItemSummary):
    """One published item: as the item page shows it, every translation, and what each
    part the reader sees is."""

    author: str | None
    content_html: str = Field(description="The full text as the page shows it: translated "
                                          "into the reader's language when it is.")
    content_language: str | None
    parts: list[PartLabel] = Field(description="What each part shown is; empty when "
                                               "everything is the original in the reader's "
                                               "language.")
    original: Original
    translations: list[TranslationOut]
    topics: list[TopicRef]
    story_size: int = Field(description="How many published items tell this story.")
    story_url: str | None = Field(description="The story's coverage page, when it has more "
                                              "than one item.")


class SourceOut(Shape):
    """A source of the directory of organisations."""

    id: int
    title: str
    site_url: str | None
    language: str | None
    kind: Literal["article", "audio", "video", "lecture"]
    category: str | None = Field(description="Its tendency, as the desk classifies it.")
    description: str | None = Field(description="The organisation in its own words.")
    editorial_comment: str | None = Field(description="The publication's comment on it.")
    published_items: int
    url: str = Field(description="Its page on the site.")
    api_url: str
    items_url: str = Field(description="Its published items in the API.")
    feeds: dict[str, str] = Field(description="Its Atom, RSS and JSON feeds by format.")


class SourceDetail(SourceOut):
    languages: dict[str, int] = Field(description="Its published items by original "
                                                  "language.")


class TopicOut(Shape):
    slug: str
    name: str = Field(description="In the reader's language.")
    names: dict[str, str] = Field(description="In every language the desk named it in.")
    published_items: int
    url: str
    items_url: str


class SearchHit(ItemSummary):
    matched: Literal["original", "machine", "human"] = Field(
        description="Which text the query matched: the original, a machine translation or "
                    "a volunteer's.")


class Page(Shape):
    next: str | None = Field(description="The next page's full address; null on the last.")


class ItemPage(Page):
    items: list[ItemSummary]


class SourcePage(Page):
    items: list[SourceOut]


class TopicPage(Page):
    items: list[TopicOut]


class SearchPage(Page):
    items: list[SearchHit]
    total: int
    total_estimated: bool = Field(description="The total is an estimate, counted on a sample "
                                              "of a very large result (the Whoosh engine).")
    suggestion: str | None = Field(description="A query that may find something, when "
                                               "nothing matched.")


class SubmissionIn(BaseModel):
    """A link a correspondent sends; members other than these are ignored (`name` too:
    the credit is the token holder's). Null is the same as leaving a member out."""

    model_config = ConfigDict(extra="ignore")

    url: str = Field(max_length=MAX_URL, pattern=URL_PATTERN,
                     description="The page's address: http or https, with a site name.")
    note: str | None = Field(None, max_length=MAX_NOTE, pattern=NO_NUL,
                             description="For the editors (lines kept).")
    language: str | None = Field(None, description="The page's language, one of the "
                                                   "site's; empty: not said.")
    topic: str | None = Field(None, max_length=MAX_TOPIC, pattern=NO_NUL,
                              description="A topic of the desk's (its slug or name), or "
                                          "other words for the editors.")


class SubmissionReceived(Shape):
    """The link taken in: it is fetched and read by the next pipeline cycle, and its state
    followed on the correspondent's submissions page."""

    id: int
    status: Literal["received"]
    url: str


class SubmissionError(Error):
    error: str = Field(description="What was wrong, in the language `lang` names.")
    fields: dict[str, str] | None = Field(None, description="Each field that cannot be "
                                                            "used, with its own message.")
    first: str | None = Field(None, description="The same link's published item, when it "
                                                "was sent before and published.")


def item_summary(view: ItemView, link: Links, lang: str) -> dict:
    item = view.item
    media = None
    if is_web_url(item.enclosure_url):
        media = Media(url=item.enclosure_url or "", type=item.enclosure_type,
                      length=item.enclosure_length, duration_seconds=item.duration_seconds)
    return dict(
        id=item.id, title=view.title, summary=view.summary, language=view.shown_language,
        original_language=item.language, label=view.label, kind=item.media_kind.value,
        published_at=view.date, source=_source_ref(item.source, link), media=media,
        image_url=item.image_url if is_web_url(item.image_url) else None,
        original_url=view.original_url, url=link("items_show", lang=lang, id=item.id),
        api_url=link("api_item", id=item.id))


def item_detail(view: ItemView, link: Links, lang: str, story_size: int) -> ItemDetail:
    item = view.item
    return ItemDetail(
        **item_summary(view, link, lang), author=item.author,
        content_html=str(view.content_html), content_language=view.content_language,
        parts=[PartLabel(parts=names, label=text) for names, text in view.part_labels()],
        original=Original(language=item.language, title=item.title,
                          summary_html=str(safe_markup(item.summary)),
                          content_html=str(safe_markup(item.content))),
        translations=[_translation(t) for t in sorted(
            item.translations, key=lambda t: (t.language, FIELDS.index(t.field)))
            if t.field in FIELDS],
        topics=[TopicRef(slug=t.slug, name=t.name(lang)) for t in item.topics if t.active],
        story_size=story_size,
        story_url=link("story_show", lang=lang, id=item.id) if story_size > 1 else None)


FIELDS = ("title", "summary", "content")


def _translation(t: Translation) -> TranslationOut:
    by = "unchanged" if t.engine == UNCHANGED else "human" if t.is_human else "machine"
    return TranslationOut(
        field=t.field, language=t.language, source_language=t.source_language, pivot=t.pivot,
        by=by, engine=t.engine if by == "machine" else None,
        model=(t.model_version or None) if by == "machine" else None,
        reviewed=t.is_human and t.reviewed_at is not None, label=translation_label(t),
        text=plain_text(t.text) if t.field == "content" else t.text)


def _source_ref(source: Source | None, link: Links) -> SourceRef | None:
    if source is None:
        return None
    return SourceRef(id=source.id, title=source.title or source.feed_url,
                     api_url=link("api_source", id=source.id))


def source_out(source: Source, published: int, link: Links, lang: str) -> dict:
    return dict(
        id=source.id, title=source.title or source.feed_url,
        site_url=source.site_url if is_web_url(source.site_url) else None,
        language=source.language, kind=source.kind.value, category=source.category,
        description=source.description, editorial_comment=source.editorial_comment,
        published_items=published, url=link("source", lang=lang, source_id=source.id),
        api_url=link("api_source", id=source.id),
        items_url=link("api_items") + f"?lang={lang}&source={source.id}",
        feeds={fmt: link("source_feed", lang=lang, source_id=source.id, fmt=fmt)
               for fmt in ("atom", "rss", "json")})


def topic_out(topic: Topic, published: int, link: Links, lang: str) -> TopicOut:
    return TopicOut(slug=topic.slug, name=topic.name(lang), names=dict(topic.names),
                    published_items=published, url=link("topic", lang=lang, slug=topic.slug),
                    items_url=link("api_items") + f"?lang={lang}&topic={topic.slug}")
