"""Charsets as the best readers read them: BOM, then valid UTF-8, then the declared
charset if it reads as text, then detection (crawler/parse/encoding.py)."""

from html import escape
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rabkor.crawler.parse.encoding import to_utf8
from rabkor.crawler.parse.feed import parse_feed
from tests.conftest import FEEDS

BASE = "http://127.0.0.1:8999/"
LANGID = Path(__file__).parents[1] / "data" / "langid"  # real Tatoeba sentences
PER_FEED = 20  # sentences per generated feed: a small real feed's worth of titles


def decoded(path: str, content_type: str = "application/xml") -> str:
    body, _ = to_utf8((FEEDS / path).read_bytes(), content_type)
    return body.decode("utf-8")


@pytest.mark.parametrize(("path", "content_type", "title", "word"), [
    ("broken/cp1251-declared-utf8.xml", "application/xml", "Цитата #17703",
     "кот немного пхп знает?"),
    ("broken/cp1251-declared-utf8.xml", "text/xml; charset=utf-8", "Цитата #17703",
     "кот немного пхп знает?"),
    ("broken/koi8r-undeclared.xml", "application/xml", "Цитата #17703",
     "кот немного пхп знает?"),
    ("broken/koi8r-undeclared.xml", "text/xml", "Цитата #17703", "кот немного пхп знает?"),
    ("broken/shift-jis.rdf", "application/rdf+xml", "記事1のタイトル", "記事1のタイトル"),
    ("broken/bom-declared-latin1.xml", "application/xml",
     "07.02. – die Wochenvorschau: Lockdown-Verlängerung", "Verlängerung"),
    ("ru/windows-1251.xml", "application/xml", "Цитата #17703", "кот немного пхп знает?"),
    ("zh/gb2312.xml", "application/xml", "拟298亿元重组盛大游戏后 世纪华通发20亿回购预案",
     "回购预案"),
    ("ur/bbc-urdu.xml", "application/xml", "امریکی عسکری امداد کی بندش کی وجوہات", "امریکی"),
    ("pt/uol-noticias.rss", "application/rss+xml",
     "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno",
     "é campeã"),
])
def test_feeds_decode_to_their_real_text(path, content_type, title, word):
    text = decoded(path, content_type)
    assert word in text
    assert "\ufffd" not in text
    feed = parse_feed((FEEDS / path).read_bytes(), url=BASE + path, content_type=content_type)
    assert feed.items[0].title.startswith(title)
    assert any(word in i.title + i.summary + i.content for i in feed.items)


def test_latin1_undeclared_is_western_not_baltic():
    text = decoded("pt/uol-noticias.rss")
    assert "Últimas Notícias" in text and "é campeã" in text


def _feeds(language: str, charset: str) -> list[tuple[list[str], str]]:
    """RSS documents of real sentences (the ones `charset` can write that are not plain
    ASCII), one sentence an item title, with no charset declared; with their sentences."""
    lines = (LANGID / f"{language}.txt").read_text(encoding="utf-8").splitlines()
    usable = []
    for line in lines:
        try:
            if not line.encode(charset).isascii():
                usable.append(line)
        except UnicodeEncodeError:
            continue
    feeds = []
    for start in range(0, len(usable) - PER_FEED + 1, PER_FEED):
        sentences = usable[start:start + PER_FEED]
        items = "".join(f"<item><title>{escape(t)}</title><link>https://example.org/{n}</link>"
                        "</item>" for n, t in enumerate(sentences))
        feeds.append((sentences, f"<rss version='2.0'><channel><title>News</title>{items}"
                                 "</channel></rss>"))
    return feeds


@pytest.mark.parametrize(("language", "charset"), [
    ("pol", "cp1250"), ("pol", "iso8859_2"), ("ces", "cp1250"), ("ces", "iso8859_2"),
    ("hun", "cp1250"), ("lit", "cp1257"),  # Central European and Baltic, not cp1252
    ("ukr", "cp1251"), ("ukr", "koi8_u"), ("bul", "cp1251"), ("bul", "koi8_r"),
    ("srp", "cp1251"), ("rus", "koi8_r"), ("rus", "cp1251"),  # Cyrillic beyond Russian
    ("por", "cp1252"), ("fra", "cp1252"), ("deu", "cp1252"), ("spa", "cp1252"),
    ("ita", "cp1252"),  # and Western still Western
])
def test_undeclared_legacy_charsets_decode_to_the_real_sentences(language, charset):
    feeds = _feeds(language, charset)
    assert len(feeds) >= 2  # every window of the sentences, not a chosen one
    for _, text in feeds:
        out, content_type = to_utf8(text.encode(charset), "application/rss+xml")
        assert out.decode("utf-8") == text
        assert content_type == "application/rss+xml; charset=utf-8"
    sentences, text = feeds[0]
    feed = parse_feed(text.encode(charset), url=BASE, content_type="application/rss+xml")
    assert [i.title for i in feed.items] == sentences


def test_http_charset_beats_a_wrong_xml_declaration():
    body = ('<?xml version="1.0" encoding="iso-8859-1"?><rss><channel><title>Новости</title>'
            '</channel></rss>').encode("cp1251")
    out, content_type = to_utf8(body, "application/rss+xml; charset=windows-1251")
    assert out.decode("utf-8").startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert "Новости" in out.decode("utf-8")
    assert content_type == "application/rss+xml; charset=utf-8"


def test_cyrillic_declared_latin1_is_read_as_cyrillic():
    body = ('<?xml version="1.0" encoding="iso-8859-1"?><rss><channel><title>'
            'Новости дня: в Москве прошёл снегопад, на дорогах пробки</title></channel></rss>'
            ).encode("cp1251")
    assert "Новости дня" in to_utf8(body, "text/xml")[0].decode("utf-8")


def test_real_latin1_declared_is_kept():
    body = ('<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>'
            'Ça coûte cher à Noël</title></channel></rss>').encode("latin-1")
    assert "Ça coûte cher à Noël" in to_utf8(body, "")[0].decode("utf-8")


def test_utf8_and_ascii_pass_untouched():
    for path in ("en/guardian.rss", "de/spiegel.xml", "ur/bbc-urdu.xml"):
        body = (FEEDS / path).read_bytes()
        assert to_utf8(body, "application/xml") == (body, "application/xml")


def test_utf16_with_bom():
    body = '<?xml version="1.0" encoding="utf-16"?><rss><title>Привет</title></rss>'
    out, content_type = to_utf8(body.encode("utf-16"), "text/xml")
    assert out.decode("utf-8") == body.replace("utf-16", "utf-8")
    assert content_type == "text/xml; charset=utf-8"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600),
       st.sampled_from(["", "application/xml", "text/xml; charset=koi8-r",
                        "application/xml; charset=bogus", "text/xml; charset=utf-16"]),
       st.sampled_from([b"", b'<?xml version="1.0" encoding="shift_jis"?>',
                        b'<?xml version="1.0" encoding="nonsense"?>', b"\xef\xbb\xbf",
                        b"\xff\xfe", b'<?xml version="1.0" encoding="utf-8"?>']))
def test_decoding_never_raises_on_any_bytes(body, content_type, prefix):
    given_body = prefix + body
    out, new_type = to_utf8(given_body, content_type)
    assert isinstance(out, bytes) and isinstance(new_type, str)
    if out is not given_body:
        out.decode("utf-8")  # whatever was rewritten is valid UTF-8
        assert "charset=utf-8" in new_type
