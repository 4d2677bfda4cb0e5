"""The baseline beside Rabkor in bench/site: a minimal Starlette app that renders a page of
about 14 KB with Jinja2 from the same SQLite file (the 20 newest items' titles and
summaries), under the same uvicorn — what any page of this stack could reach."""

from __future__ import annotations

import sqlite3
import sys
import threading

import jinja2
import uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

PAGE = jinja2.Template("""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Minimal</title></head><body><h1>Latest</h1>
{% for title, summary in rows %}<article><h2>{{ title }}</h2><p>{{ summary }}</p>
<p>{{ filler }}</p></article>{% endfor %}</body></html>""", autoescape=True)
_local = threading.local()


def _db(path: str) -> sqlite3.Connection:
    if not hasattr(_local, "db"):
        _local.db = sqlite3.connect(path, check_same_thread=False)
    return _local.db


def create(path: str) -> Starlette:
    def page(request):
        rows = _db(path).execute(
            "SELECT title, summary FROM items WHERE status = 'approved' AND duplicate_of_id "
            "IS NULL ORDER BY sort_at DESC, id DESC LIMIT 20").fetchall()  # ix_items_listing
        return HTMLResponse(PAGE.render(rows=rows, filler="x" * 400))

    return Starlette(routes=[Route("/", page)])


if __name__ == "__main__":
    uvicorn.run(create(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]),
                log_level="warning")
