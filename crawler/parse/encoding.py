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
4. else charset_normalizer guesses the script; within it we pick the reading ourselves,
   because its verdict leans on ASCII letters that read the same in every Latin codepage:
   among the Latin ones (Western, Central European, Baltic, Turkish) the reading whose
   accented letters all belong to one language's alphabet (Western on ties, which a real
   Latin-1 Portuguese feed needed); among the Cyrillic ones the reading with lowercase
   letters and vowels where text has them (KOI8 read as cp1251 swaps the cases) and
   without stray symbols (Ukrainian KOI8-U read as KOI8-R has box-drawing ones).

The common cases (ASCII, valid UTF-8 declared as UTF-8 or not at all) cost one UTF-8
validation and hand the body back untouched. Otherwise the text is re-encoded as UTF-8
with its XML declaration and the Content-Type charset rewritten to say utf-8, so
feedparser does not decode it a second time in the wrong charset.
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from collections import Counter

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
_CYRILLIC = {"cp1251", "koi8_r", "koi8_u", "koi8_t", "mac_cyrillic", "iso8859_5", "cp866",
             "cp855", "kz1048", "ptcp154"}
_CYRILLIC_READINGS = ("cp1251", "koi8_r", "koi8_u")  # first wins a tie: KOI8-R is the usual KOI8
_LATIN = ("cp1252", "cp1250", "iso8859_2", "cp1257", "cp1254")  # Western first: it wins ties
_CANDIDATES = ["cp1251", "koi8_r", "koi8_u", "gb18030", "cp932", "euc_jp", "cp949",
               "big5hkscs", "cp1252", "cp1250", "cp1253", "cp1254", "cp1255", "cp1256",
               "cp1257", "iso8859_2", "iso8859_5", "iso8859_7", "iso8859_8", "cp874",
               "mac_cyrillic"]
_letters = re.compile(r"[^\W\d_]{2,}")  # one-letter words ("è", "à") say nothing
_non_ascii = re.compile(r"[^\x00-\x7f]")
MIN_LETTERS = 3  # different accented letters before their variety tells languages apart
_IN_WORDS = "’‘·"  # punctuation that Latin words hold: l’homme, col·lecció
_cyrillic_letter = re.compile(r"[\u0400-\u04ff]")
_CYRILLIC_VOWELS = frozenset("аеёєиіїоуыэюяАЕЁЄИІЇОУЫЭЮЯ")
VOWEL_SHARE = 0.42  # of Cyrillic letters in Russian, Ukrainian, Bulgarian, Serbian text
# The letters beyond ASCII that each language of the Latin codepages above writes.
_ALPHABETS = [frozenset(a) for a in (
    "äöüß", "àâæçéèêëîïôœùûüÿ", "áéíñóúüºª", "áâãàçéêíóôõúºª", "àèéìíîòóùúºª", "àçèéíïòóúü",
    "áäéèëíïóöúü", "æøåéèóô", "åäöé", "äöåšž", "áðéíóúýþæö", "äöõüšž",  # de … et
    "ąćęłńóśźż", "áčďéěíňóřšťúůýž", "áäčďéíĺľňóôŕšťúýž", "áéíóöőúüű", "čćđšž", "ăâîşţșț",
    "çë", "ąčęėįšųūž", "āčēģīķļņšūž", "çğıİöşüâîû")]  # pl cs sk hu hr/sr/bs ro sq lt lv tr


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
    if name in _CYRILLIC:
        name = max(_CYRILLIC_READINGS, key=lambda n: _cyrillic_score(body.decode(n, "replace")))
    elif name is None or name in _LATIN or any(
            _codec(m.encoding) in _LATIN for m in results if m.chaos <= best.chaos + 0.01):
        name = _latin_reading(body) or name
    if name is None:
        name = "cp1252" if _strict(body, "cp1252") is not None else "latin_1"
    return name, body.decode(name, "replace")


def _latin_reading(body: bytes) -> str | None:
    """The Latin codepage whose reading of `body` fits one language's letters best."""
    readings = {n: t for n in _LATIN
                if (t := _strict(body, n)) is not None and _latin_plausible(t)}
    return max(readings, key=lambda n: _latin_fit(readings[n]), default=None)


def _latin_fit(text: str) -> tuple[float, float]:
    """How well one language's alphabet accounts for the text's accented letters: the
    largest share of them it holds, then (to settle ties) how much of it they use, once
    there are a few different letters to go by — a Hungarian text whose "ő" reads as "õ"
    fits Portuguese as well, but uses few of its letters. The symbols a wrong codepage
    turns letters into count against every language ("Wis³awa", "pomy¶lał")."""
    counted: Counter[str] = Counter()
    sample = text[:50_000]
    for match in _non_ascii.finditer(sample):
        c, at = match.group(), match.start()
        kind = unicodedata.category(c)
        if kind[0] == "Z" or kind in ("Pd", "Cf") or c in _IN_WORDS:
            continue
        if kind[0] == "P" and not (sample[at - 1:at].isalpha() and
                                   sample[at + 1:at + 2].isalpha()):
            continue  # punctuation between words is punctuation in any codepage
        lower = c.lower()
        counted[lower if len(lower) == 1 else c] += 1
    total = sum(counted.values())
    if not total:
        return 1.0, 1.0
    varied = len(counted) >= MIN_LETTERS
    return max((sum(n for c, n in counted.items() if c in alphabet) / total,
                len(alphabet.intersection(counted)) / len(alphabet) if varied else 0.0)
               for alphabet in _ALPHABETS)


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
    if name.startswith(("cp125", "iso8859", "mac_")):
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
    """How much `text` reads like Cyrillic text in any of its languages: the share of its
    Cyrillic letters that are lowercase, with the share of vowels as a tie-break, less
    the symbols standing where letters should be."""
    sample = text[:20_000]
    letters = [c for c in _cyrillic_letter.findall(sample) if c.isalpha()]
    if not letters:
        return 1.0
    lower = sum(1 for c in letters if c.islower()) / len(letters)
    vowels = sum(1 for c in letters if c in _CYRILLIC_VOWELS) / len(letters)
    stray = sum(1 for c in sample if not c.isascii() and not _cyrillic_letter.match(c)
                and unicodedata.category(c)[0] not in "PZ")
    fit = len(letters) / (len(letters) + stray)
    return (lower * 0.8 + min(vowels / VOWEL_SHARE, 1.0) * 0.2) * fit
