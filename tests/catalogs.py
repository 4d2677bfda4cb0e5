"""What both web apps' catalog tests check: the template catalog against the strings the
code and templates hold, and each language's catalog against the template — every
string translated, every plural form, no placeholder of its own, and not the English
left in but for the words a language writes the same way."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[1]
PLACEHOLDER = re.compile(r"\{\w+\}")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extracted(app: str) -> set:
    """Every UI string of `app` (site or editor), as `make messages` extracts them."""
    method_map = [(f"{app}/**.py", "python"), (f"{app}/templates/**.html", "jinja2")]
    return {message for _file, _line, message, _comments, _context in
            extract_from_dir(str(ROOT), method_map, keywords=KEYWORDS)}


def template_ids(app: str) -> list:
    with (ROOT / app / "locales" / "messages.pot").open("rb") as pot:
        return [m.id for m in read_po(pot) if m.id]


def problems(app: str, lang: str, same: set[str]) -> list[str]:
    """What is wrong with `lang`'s catalog of `app`, a line each."""
    with (ROOT / app / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    found = []
    for msgid in template_ids(app):
        message = catalog.get(msgid)
        english = msgid if isinstance(msgid, str) else msgid[1]
        forms = [] if message is None else (
            list(message.string) if isinstance(message.string, tuple) else [message.string])
        if not forms or not all(forms) or message.fuzzy:
            found.append(f"not translated: {english!r}")
            continue
        if len(forms) != (catalog.num_plurals if isinstance(msgid, tuple) else 1):
            found.append(f"wrong number of plural forms: {english!r}")
        allowed = set(PLACEHOLDER.findall(english))
        for form in forms:
            if not set(PLACEHOLDER.findall(form)) <= allowed:
                found.append(f"unknown placeholder in {form!r}")
        if forms[0] in (msgid if isinstance(msgid, tuple) else (msgid,)) and (
                forms[0] not in same):
            found.append(f"left in English: {forms[0]!r}")
        if isinstance(msgid, str) and set(PLACEHOLDER.findall(forms[0])) != allowed:
            found.append(f"placeholders differ: {forms[0]!r}")
    return found
