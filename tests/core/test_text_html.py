"""The shared toolkit's sanitizer: the allow-list keeps the readable parts, and nothing that
runs gets through; HTML as text; web URLs."""

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from rabkor.core.text.html import ALLOWED_TAGS, clean_html, plain_text, safe_markup
from rabkor.core.text.urls import safe_url

HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href='javascript:alert(1)'>",
    "<a href='&#106;avascript:alert(1)'>", "<a href=' JaVaScRiPt:alert(1)'>",
    "<a href='data:text/html,<script>alert(1)</script>'>", "<svg><a xlink:href='javascript:x'>",
    "<iframe src='http://evil.example/'></iframe>", "<style>body{}</style>", "<p style='x'>",
    "<div onclick='x'>", "<body onload=x>", "<a href=http://ok.example/ onmouseover=x>",
    "<img src='http://ok.example/i.png' alt='ok'>", "<object data=x>", "<math><mi xlink:href=x>",
    "<!--", "-->", "<", ">", "'", '"', "=", " ", "/", "&", "&lt;", "&#x3C;", "script", "on",
    "javascript:", "<p>", "</p>", "<a href='", "<form action=x><button formaction=x>",
    "<base href='javascript:x'>", "<meta http-equiv=refresh content='0;url=javascript:x'>",
    "<video poster=javascript:x>", "<a ping=x href=http://ok.example/>", "\x00", "\n",
]


class _Inspector(HTMLParser):
    """Collects every tag and attribute of the sanitizer's output, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(name, value or "") for name, value in attrs]


def _inspect(markup: str) -> _Inspector:
    inspector = _Inspector()
    inspector.feed(markup)
    inspector.close()
    return inspector


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8)), max_size=30))
def test_no_script_handler_or_script_url_survives_any_input(parts):
    out = _inspect(clean_html("".join(parts)))
    assert set(out.tags) <= ALLOWED_TAGS
    for name, value in out.attrs:
        assert not name.startswith("on")
        assert name in {"href", "src", "alt", "rel"}
        if name in {"href", "src"}:
            assert value.lower().startswith(("http://", "https://")), value


def test_keeps_the_readable_structure():
    html = ('<h2>Title</h2><p>A <em>b</em> <strong>c</strong> <a href="https://e.org/x" '
            'class="k">link</a></p><ul><li>one</li></ul><blockquote>q</blockquote>'
            '<pre><code>x = 1</code></pre><img src="https://e.org/i.png" alt="pic" width="9">')
    assert clean_html(html) == (
        '<h2>Title</h2><p>A <em>b</em> <strong>c</strong> <a href="https://e.org/x" '
        'rel="noopener noreferrer nofollow">link</a></p><ul><li>one</li></ul>'
        '<blockquote>q</blockquote><pre><code>x = 1</code></pre>'
        '<img src="https://e.org/i.png" alt="pic">')


def test_drops_scripts_styles_and_frames_with_their_content():
    assert clean_html("<p>ok</p><script>bad()</script><style>p{}</style>"
                      "<iframe src='https://e.org'>x</iframe>") == "<p>ok</p>"


def test_relative_and_foreign_scheme_urls_are_removed():
    assert clean_html('<a href="/local">a</a><img src="data:image/png;base64,AA">') == \
        '<a rel="noopener noreferrer nofollow">a</a><img>'


def test_titles_are_plain_text_collapsed_and_bounded():
    assert plain_text("  <b>Bread</b> &amp;\n\t roses <script>x()</script> ") == "Bread & roses"
    assert len(plain_text("x" * 5000, 1000)) == 1000


def test_blocks_are_separated_and_escaped_markup_is_not_text_in_one_line():
    assert plain_text("<p>Strike</p><p>today</p><br>now") == "Strike today now"
    assert plain_text("&lt;script&gt;alert(1)&lt;/script&gt;Title") == "Title"


def test_shown_html_is_cleaned_again_whatever_was_stored():
    stored = '<p onclick="x()">Hi<script>bad()</script> <a href="javascript:x">l</a></p>'
    assert str(safe_markup(stored)) == '<p>Hi <a rel="noopener noreferrer nofollow">l</a></p>'
    assert safe_markup(None) == ""


def test_shown_images_come_from_public_https_addresses_only():
    stored = ('<p><img src="http://10.0.0.1/intranet.png" alt="chart">'
              '<img src="https://192.168.0.1/router.png">'
              '<img src="http://www.heise.de/a.jpg" alt="photo"></p>')
    assert clean_html(stored) == stored  # the store keeps what the source wrote
    assert str(safe_markup(stored)) == \
        '<p><img alt="chart"><img><img src="https://www.heise.de/a.jpg" alt="photo"></p>'
    link = '<a href="http://10.0.0.1/">a link is followed only by choice</a>'
    assert "10.0.0.1" in str(safe_markup(link))


def test_safe_url_allows_only_http_and_strips_fragments():
    assert safe_url("HTTPS://e.org/a?b=1#frag") == "https://e.org/a?b=1"
    assert safe_url("https://e.org") == "https://e.org/"
    for bad in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd",
                "ftp://e.org/x", "//e.org/x", "/relative", "http://", "", None,
                "https://e.org/" + "x" * 3000):
        assert safe_url(bad) is None, bad
