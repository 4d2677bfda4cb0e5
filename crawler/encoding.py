"""Feed bytes in whatever charset they really use → UTF-8 bytes that say so.

Feeds lie about their charset: cp1251 bytes declared as UTF-8, KOI8-R with no declaration,
Latin-1 with none, UTF-8 declared as ISO-8859-1 behind a BOM. The order below is what the
best readers do (miniflux: BOM, then "valid UTF-8 is UTF-8", then the declared charset,
then detection; WHATWG label mapping for the declared names):

1. a byte-order mark wins;
2. bytes that are valid UTF-8 are UTF-8, whatever the declaration says;
3. else the declared charset (HTTP Content-Type first, then the XML declaration) when the
   bytes decode strictly in it and the text reads like text (not Cyrillic read as Latin,
   not KOI8-R read as cp1251);
4. else charset_normalizer guesses, with Western European preferred when it cannot tell
   Latin-1 from Baltic or Central European, and KOI8-R against cp1251 settled by which
   reading gives lowercase Russian.

The common cases (ASCII, valid UTF-8 declared as UTF-8 or not at all) cost one UTF-8
validation and hand the body back untouched. Otherwise the text is re-encoded as UTF-8
with its XML declaration and the Content-Type charset rewritten to say utf-8, so
feedparser does not decode it a second time in the wrong charset.
"""

from __future__ import annotations

import codecs
import logging
import re

logger = logging.getLogger(__name__)

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_xml_encoding = re.compile(
    rb"""^\s*<\?xml[^>]{0,200}?\bencoding\s*=\s*["']\s*([A-Za-z0-9._:()+-]{1,40})\s*["']""")
_xml_encoding_text = re.compile(
    r"""^(\s*<\?xml[^>]{0,200}?\bencoding\s*=\s*["'])[^"']{0,60}(["'])""")
_http_charset = re.compile(r"""charset\s*=\s*["']?\s*([^"';,\s]+)""", re.IGNORECASE)
# WHATWG Encoding Standard: a label names its superset, as browsers read it
_SUPERSETS = {"ascii": "cp1252", "latin_1": "cp1252", "iso8859_1": "cp1252",
              "gb2312": "gb18030", "gbk": "gb18030", "shift_jis": "cp932",
              "euc_kr": "cp949", "big5": "big5hkscs", "tis_620": "cp874",
              "iso8859_11": "cp874", "iso8859_9": "cp1254"}
_WESTERN = ("cp1252", "latin_1", "iso8859_15")
_CYRILLIC = {"cp1251", "koi8_r", "koi8_u", "koi8_t", "mac_cyrillic", "iso8859_5", "cp866",
             "cp855", "kz1048", "ptcp154"}
_CANDIDATES = ["cp1251", "koi8_r", "gb18030", "cp932", "euc_jp", "cp949", "big5hkscs",
               "cp1252", "cp1250", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
               "iso8859_2", "iso8859_5", "iso8859_7", "iso8859_8", "cp874", "mac_cyrillic"]
_letters = re.compile(r"[^\W\d_]+")
_cyrillic_letter = re.compile(r"[А-яЁё]")
# frequent Russian bigrams: right readings are full of them, wrong ones have few
_RU_BIGRAMS = ("ст", "но", "то", "на", "ен", "ов", "ни", "ра", "ко", "ро", "ан", "по",
               "ть", "пр", "не", "ал", "ер", "ли", "ет", "ос")


def to_utf8(body: bytes, content_type: str = "") -> tuple[bytes, str]:
    """`body` as UTF-8 and the Content-Type to give with it (charset=utf-8 when rewritten).

    Never raises: bytes nothing reads are decoded with replacement characters."""
    if body.isascii():
        return body, content_type  # reads the same in any charset feedparser would pick
    for bom, name in _BOMS:
        if body.startswith(bom):
            return _transcode(body[len(bom):].decode(name, "replace"), content_type, name)
    if b"\x00" in body[:4]:
        return body, content_type  # UTF-16/32 without a BOM: feedparser sniffs those
    declared = [n for n in (_http_declared(content_type), _xml_declared(body)) if n]
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if all(n == "utf_8" for n in declared):
            return body, content_type
        return _transcode(body.decode("utf-8"), content_type, "utf-8")
    for name in declared:
        if name == "utf_8" or name.startswith(("utf_16", "utf_32")):
            continue
        text = _strict(body, name)
        if text is not None and _plausible(text, name):
            return _transcode(text, content_type, name)
    name, text = detect(body)
    logger.info("charset guessed declared=%s guessed=%s", declared or None, name)
    return _transcode(text, content_type, name)


def detect(body: bytes) -> tuple[str, str]:
    """The charset `body` is most likely in, and the text it gives; never raises."""
    import charset_normalizer  # only for the doubtful few: importing costs

    try:
        results = charset_normalizer.from_bytes(body, cp_isolation=_CANDIDATES,
                                                preemptive_behaviour=False)
    except Exception:  # a detector failure is no reason to lose the feed
        logger.exception("charset detection failed")
        results = None
    best = results.best() if results else None
    name = _codec(best.encoding) if best else None
    if name is None:
        name = "cp1252" if _strict(body, "cp1252") is not None else "latin_1"
    elif name in _CYRILLIC:
        name = max(("cp1251", "koi8_r"),
                   key=lambda n: _cyrillic_score(body.decode(n, "replace")))
    elif name not in _WESTERN:
        ties = [_codec(m.encoding) for m in results if m.chaos <= best.chaos + 0.01]
        western = next((n for n in _WESTERN if n in ties), None)
        if western and _latin_plausible(body.decode(western, "replace")):
            name = western
    return name, body.decode(name, "replace")


def _transcode(text: str, content_type: str, name: str) -> tuple[bytes, str]:
    text = text.removeprefix("\ufeff")
    text = _xml_encoding_text.sub(r"\1utf-8\2", text, count=1)
    if name != "utf-8":
        logger.debug("feed transcoded from %s", name)
    return text.encode("utf-8", "surrogatepass"), _utf8_content_type(content_type)


def _utf8_content_type(content_type: str) -> str:
    if _http_charset.search(content_type):
        return _http_charset.sub("charset=utf-8", content_type, count=1)
    media = content_type.strip() or "application/xml"
    return f"{media}; charset=utf-8"


def _http_declared(content_type: str) -> str | None:
    match = _http_charset.search(content_type or "")
    return _codec(match.group(1)) if match else None


def _xml_declared(body: bytes) -> str | None:
    match = _xml_encoding.match(body[:512])
    return _codec(match.group(1).decode("ascii")) if match else None


def _codec(label: str) -> str | None:
    """Python's codec for a charset label, widened to the superset browsers use."""
    try:
        name = codecs.lookup(label.strip().lower()).name.replace("-", "_")
    except (LookupError, ValueError):
        return None
    return _SUPERSETS.get(name, name)


def _strict(body: bytes, name: str) -> str | None:
    try:
        return body.decode(name)
    except (UnicodeDecodeError, LookupError):
        if name == "cp1252":  # bytes cp1252 leaves undefined are C1 controls to browsers
            return body.decode("latin_1")
        return None


def _plausible(text: str, name: str) -> bool:
    """Whether text decoded in the declared `name` reads as text rather than mojibake."""
    if name in _CYRILLIC:
        return _cyrillic_score(text) >= 0.5
    if name in _WESTERN or name.startswith(("cp125", "iso8859", "mac_")):
        return _latin_plausible(text)
    return True  # multi-byte charsets that decoded strictly are right as a rule


def _latin_plausible(text: str) -> bool:
    """Latin words have a few accented letters; Cyrillic or Greek read as Latin-1 are all
    accents ("Öèòàòà"), and Cyrillic read as Latin-1 dwarfs the plain letters."""
    accented = total = 0
    for word in _letters.findall(text, 0, 50_000):
        if not word.isascii():
            accented += sum(1 for c in word if ord(c) > 0x7F)
            total += len(word)
    return total == 0 or accented / total < 0.5


def _cyrillic_score(text: str) -> float:
    """How much `text` reads like Russian: the share of its Cyrillic letters that are
    lowercase (KOI8-R read as cp1251 swaps the cases) with common bigrams as a tie-break."""
    sample = text[:20_000]
    letters = _cyrillic_letter.findall(sample)
    if not letters:
        return 1.0
    lower = sum(1 for c in letters if c.islower()) / len(letters)
    bigrams = sum(sample.count(b) for b in _RU_BIGRAMS) / max(len(letters) / 2, 1)
    return lower * 0.8 + min(bigrams, 1.0) * 0.2
