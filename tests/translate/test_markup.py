"""HTML bodies keep their structure through translation; blocks go whole, inline markup as
placeholders, with a run-by-run fallback when an engine breaks them; attributes readers
see are translated; protected tokens pass unchanged."""

import random
import re
from pathlib import Path

import feedparser
import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st

from rabkor.translate.markup import ATTRIBUTES, HtmlDocument, split_protected
from rabkor.translate.placeholders import PLACEHOLDER

DATA = Path(__file__).parents[1] / "data"
GUARDIAN = DATA / "feeds" / "en" / "guardian.rss"
ARTICLES = sorted((DATA / "pages" / "articles").glob("*.expected.html"))  # real pages


def _shape(markup: str) -> list[tuple[str, tuple]]:
    """Every element's tag and its attributes (reader-facing text ones by name only)."""
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    return [(el.tag, tuple(sorted((k, "" if k in ATTRIBUTES else v)
                                  for k, v in el.attrib.items())))
            for el in root.iter() if isinstance(el.tag, str)]


def _upper(text: str) -> str:
    """A stand-in engine that keeps placeholders: upper-cases the words, marks the text."""
    return f"«{text.upper()}»"


def _translated(doc: HtmlDocument, engine=_upper) -> str:
    first = [engine(t) for t in doc.texts()]
    return doc.render(first, [engine(t) for t in doc.fallback(first)])


def test_real_article_html_keeps_every_tag_attribute_and_link():
    pages = [entry.summary for entry in feedparser.parse(GUARDIAN).entries]
    pages += [path.read_text(encoding="utf-8") for path in ARTICLES]
    for markup in pages:
        doc = HtmlDocument(markup)
        out = _translated(doc)
        assert _shape(out) == _shape(markup)
        assert doc.texts() and "«" in out


def test_a_block_goes_to_the_engine_whole_with_its_inline_markup_as_placeholders():
    doc = HtmlDocument('<p>A <b>general strike</b> began, see <a href="https://x.org/a">the '
                       'call</a>.</p><ul><li>One</li><li><em>Two</em> things</li></ul>')
    assert doc.texts() == ["A ⟦1⟧general strike⟦/1⟧ began, see ⟦2⟧the call⟦/2⟧.", "One",
                           "⟦1⟧Two⟦/1⟧ things"]
    assert _translated(doc) == (
        '<p>«A <b>GENERAL STRIKE</b> BEGAN, SEE <a href="https://x.org/a">THE CALL</a>.»</p>'
        '<ul><li>«ONE»</li><li>«<em>TWO</em> THINGS»</li></ul>')


def test_the_engine_may_move_inline_elements_and_they_follow_their_words():
    doc = HtmlDocument('<p>The <b>red</b> car of <a href="/w">the workers</a>.</p>')
    moved = ["El coche ⟦1⟧rojo⟦/1⟧ de ⟦2⟧los trabajadores⟦/2⟧."]
    assert doc.fallback(moved) == []
    assert doc.render(moved, []) == (
        '<p>El coche <b>rojo</b> de <a href="/w">los trabajadores</a>.</p>')


def test_a_block_whose_placeholders_broke_falls_back_to_its_runs():
    doc = HtmlDocument('<p>By <em>15 March</em> the <a href="/v">virus</a> spread.</p>'
                       '<p>Second <b>block</b> fine.</p>')
    first = [t.replace("⟦/1⟧", "") if "March" in t else t.upper() for t in doc.texts()]
    runs = doc.fallback(first)
    assert runs == ["By", "March", "the", "virus", "spread."]  # numbers kept out of runs
    out = doc.render(first, [r.upper() for r in runs])
    assert out == ('<p>BY <em>15 MARCH</em> THE <a href="/v">VIRUS</a> SPREAD.</p>'
                   '<p>SECOND <b>BLOCK</b> FINE.</p>')


def test_urls_emails_and_code_come_through_unchanged_numbers_go_with_their_sentence():
    source = ('<p>On 1 May 2024, 12,500 workers (87%) wrote to strike@union.org, '
              'see https://union.org/call?id=7.</p><pre>make strike</pre>'
              '<p>Run <code>rabkor crawl</code> now.</p>')
    doc = HtmlDocument(source)
    sent = " ".join(doc.texts())
    assert "1 May 2024, 12,500 workers (87%)" in sent  # whole sentences: "May" with its date
    assert not any(token in sent for token in
                   ("strike@union.org", "https://union.org/call?id=7", "make strike",
                    "rabkor crawl"))
    out = _translated(doc)
    for token in ("strike@union.org", "https://union.org/call?id=7",
                  "<pre>make strike</pre>", "<code>rabkor crawl</code>"):
        assert token in out


def test_reader_facing_attributes_and_captions_are_translated():
    doc = HtmlDocument('<figure><img src="a.jpg" alt="Strikers in the square">'
                       '<figcaption>Strikers, <i>Sunday</i></figcaption></figure>'
                       '<p><abbr title="General Confederation of Labour">CGT</abbr> '
                       'called it.</p><p><img src="b.png" alt="">  </p>')
    assert "Strikers in the square" in doc.texts()
    assert "General Confederation of Labour" in doc.texts()
    assert "Strikers, ⟦1⟧Sunday⟦/1⟧" in doc.texts()
    out = _translated(doc)
    assert 'alt="«STRIKERS IN THE SQUARE»"' in out
    assert 'title="«GENERAL CONFEDERATION OF LABOUR»"' in out
    assert "<figcaption>«STRIKERS, <i>SUNDAY</i>»</figcaption>" in out
    assert '<img src="b.png" alt="">' in out  # nothing to translate, nothing changed


def test_a_line_break_ends_a_block():
    doc = HtmlDocument("<p>First line<br>second line</p>")
    assert doc.texts() == ["First line", "second line"]
    assert _translated(doc) == "<p>«FIRST LINE»<br>«SECOND LINE»</p>"


def test_render_refuses_a_wrong_number_of_translations():
    doc = HtmlDocument("<p>One.</p><p>Two.</p>")
    try:
        doc.render(["Uno."])
    except ValueError as exc:
        assert "1 translations for 2 runs" in str(exc)
    else:
        raise AssertionError("render accepted too few translations")


def _mangler(seed: int):
    """An engine that drops, doubles, reorders or renumbers placeholders at random."""
    rng = random.Random(seed)

    def engine(text: str) -> str:
        tokens = PLACEHOLDER.findall(text)
        choice = rng.randrange(5)
        if not tokens or choice == 0:
            return text.upper()
        token = rng.choice(tokens)
        if choice == 1:
            return text.replace(token, "", 1).upper()
        if choice == 2:
            return (text + token).upper()
        if choice == 3:
            return " ".join(reversed(re.split(r"(?=⟦)", text)))
        return text.replace(token, "⟦99⟧")
    return engine


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(ARTICLES))
def test_no_engine_answer_loses_a_tag(seed, path):
    markup = path.read_text(encoding="utf-8")
    out = _translated(HtmlDocument(markup), _mangler(seed))
    assert _shape(out) == _shape(markup)


@given(st.text(max_size=200))
def test_protected_split_always_joins_back_to_the_run(run):
    assert "".join(piece for _, piece in split_protected(run)) == run
