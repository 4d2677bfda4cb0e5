"""Publication dates as the best readers read them: localized names, impossible years dropped.

feedparser reads RFC 822 and ISO 8601 dates in English only, so "Seg, 24 Set 2018
19:18:49 -0300" (UOL, Portuguese) came out as nothing. Day and month names of common
languages are translated to English first and the date read again. A date before 1970
or more than a day after the fetch (year 0, 9999, clocks set wrong) is dropped to None
rather than clamped: the site and queue order undated items by their fetch time, so
they land where a new item belongs, and no invented date is stored as the real one.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)  # time zones and slightly fast clocks
MAX_DATE_CHARS = 100

_MONTHS = {
    "jan": ["jan", "janv", "janvier", "januar", "jänner", "enero", "ene", "gennaio", "gen",
            "janeiro", "januari", "styczeń", "sty", "января", "январь", "янв"],
    "feb": ["feb", "fév", "févr", "février", "fev", "fevereiro", "februar", "febrero",
            "febbraio", "februari", "luty", "lut", "февраля", "февраль", "фев"],
    "mar": ["mar", "mars", "märz", "mär", "marzo", "março", "maart", "marzec", "марта",
            "март", "мар"],
    "apr": ["apr", "avr", "avril", "april", "abril", "abr", "aprile", "kwiecień", "kwi",
            "апреля", "апрель", "апр"],
    "may": ["may", "mai", "mayo", "maggio", "mag", "maio", "mei", "maj", "мая", "май"],
    "jun": ["jun", "juin", "juni", "junio", "giugno", "giu", "junho", "czerwiec", "cze",
            "июня", "июнь", "июн"],
    "jul": ["jul", "juil", "juillet", "juli", "julio", "luglio", "lug", "julho", "lipiec",
            "lip", "июля", "июль", "июл"],
    "aug": ["aug", "août", "aout", "august", "agosto", "ago", "augustus", "sierpień", "sie",
            "августа", "август", "авг"],
    "sep": ["sep", "sept", "septembre", "september", "septiembre", "set", "settembre",
            "setembro", "wrzesień", "wrz", "сентября", "сентябрь", "сен"],
    "oct": ["oct", "octobre", "oktober", "okt", "octubre", "ottobre", "ott", "outubro", "out",
            "październik", "paź", "октября", "октябрь", "окт"],
    "nov": ["nov", "novembre", "november", "noviembre", "novembro", "listopad", "lis",
            "ноября", "ноябрь", "ноя"],
    "dec": ["dec", "déc", "décembre", "dezember", "dez", "diciembre", "dic", "dicembre",
            "dezembro", "december", "grudzień", "gru", "декабря", "декабрь", "дек"],
}
_DAYS = ["seg", "ter", "qua", "qui", "sex", "sáb", "sab", "dom", "lun", "mar", "mié", "mie",
         "jue", "vie", "mer", "gio", "ven", "lu", "ma", "mo", "di", "mi", "do", "fr", "sa",
         "so", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "lundi", "mardi", "mercredi",
         "jeudi", "vendredi", "samedi", "dimanche", "montag", "dienstag", "mittwoch",
         "donnerstag", "freitag", "samstag", "sonntag", "пн", "вт", "ср", "чт", "пт", "сб",
         "вс", "segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo", "lunes",
         "martes", "miércoles", "jueves", "viernes", "pon", "wt", "śr", "czw", "pt", "sob",
         "ndz", "zo", "wo", "vr", "za"]
_MONTH_OF = {name: english for english, names in _MONTHS.items() for name in names}
_word = re.compile(r"[^\W\d_]+\.?", re.UNICODE)


def from_struct(value: object) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime; None when impossible."""
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def from_localized(value: object) -> datetime | None:
    """An RFC 822 date written with another language's day and month names."""
    text = str(value or "")[:MAX_DATE_CHARS].strip()
    if not text:
        return None
    words, localized = [], False
    for match in _word.finditer(text):
        word = match.group().rstrip(".").lower()
        if word in _MONTH_OF:
            words.append(_MONTH_OF[word].title())
            localized = localized or word not in _MONTHS
        elif word not in _DAYS and word not in ("de", "gmt", "ut", "utc", "z"):
            return None  # some other word: not a date this reader understands
    numbers = re.sub(r"[^\W\d_]+\.?,?", " ", text).split()
    if not localized or len(words) != 1 or len(numbers) < 2:
        return None  # English dates are feedparser's; what it could not read stays unread
    day, year, rest = numbers[0], numbers[1], numbers[2:]
    if not re.fullmatch(r"\d{4}", year):
        return None
    try:
        parsed = parsedate_to_datetime(f"{day} {words[0]} {year} {' '.join(rest) or '00:00'}")
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def plausible(value: datetime | None, now: datetime) -> datetime | None:
    """The date, unless it is before 1970 or more than a day after `now`."""
    if value is None or value < EARLIEST or value > now + FUTURE_SLACK:
        return None
    return value
