"""HTML bodies keep their structure through translation; protected tokens pass unchanged."""

from pathlib import Path

import feedparser
import lxml.html
from hypothesis import given
from hypothesis import strategies as st

from rabkor.translate.markup import HtmlDocument, split_protected

GUARDIAN = Path(__file__).parents[1] / "data" / "feeds" / "en" / "guardian.rss"


def _shape(markup: str) -> list[tuple[str, tuple]]:
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    return [(el.tag, tuple(sorted(el.attrib.items()))) for el in root.iter()]


def _upper(doc: HtmlDocument) -> str:
    return doc.render([f"«{t.upper()}»" for t in doc.texts()])


def test_real_article_html_keeps_every_tag_attribute_and_link():
    for entry in feedparser.parse(GUARDIAN).entries:
        doc = HtmlDocument(entry.summary)
        out = _upper(doc)
        assert _shape(out) == _shape(entry.summary)
        assert doc.texts(), entry.link
        assert "«" in out


def test_links_emphasis_lists_are_kept_and_their_text_translated():
    doc = HtmlDocument('<p>A <b>general strike</b> began, see <a href="https://x.org/a">the '
                       'call</a>.</p><ul><li>One</li><li><em>Two</em> things</li></ul>')
    assert _upper(doc) == (
        '<p>«A» <b>«GENERAL STRIKE»</b> «BEGAN, SEE» <a href="https://x.org/a">«THE CALL»</a>.'
        '</p><ul><li>«ONE»</li><li><em>«TWO»</em> «THINGS»</li></ul>')


def test_urls_numbers_emails_and_code_come_through_unchanged():
    source = ('<p>On 1 May 2024, 12,500 workers (87%) wrote to strike@union.org, '
              'see https://union.org/call?id=7.</p><pre>make strike</pre>'
              '<p>Run <code>rabkor crawl</code> now.</p>')
    doc = HtmlDocument(source)
    assert not any(token in " ".join(doc.texts()) for token in
                   ("2024", "12,500", "87%", "strike@union.org", "https://union.org/call?id=7",
                    "make strike", "rabkor crawl"))
    out = _upper(doc)
    for token in ("1", "2024", "12,500", "87%", "strike@union.org",
                  "https://union.org/call?id=7", "<pre>make strike</pre>",
                  "<code>rabkor crawl</code>"):
        assert token in out


def test_render_refuses_a_wrong_number_of_translations():
    doc = HtmlDocument("<p>One.</p><p>Two.</p>")
    try:
        doc.render(["Uno."])
    except ValueError as exc:
        assert "1 translations for 2 runs" in str(exc)
    else:
        raise AssertionError("render accepted too few translations")


@given(st.text(max_size=200))
def test_protected_split_always_joins_back_to_the_run(run):
    assert "".join(piece for _, piece in split_protected(run)) == run
