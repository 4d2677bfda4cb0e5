"""`rabkor demo`: a working site on real-world feeds, every stage real, in one command.

The feeds (in `demo_feeds/`, package data written by nobody here: see its PROVENANCE.md)
are served from a loopback HTTP server, added as sources, crawled, translated with
whatever engine this machine has, partly approved by a demo editor, indexed and served.
They ship in the wheel, so `pip install rabkor && rabkor demo` works without a checkout.
"""

from __future__ import annotations

import functools
import shutil
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from rich.console import Console
from sqlalchemy import select

from rabkor.app.server import serve
from rabkor.app.terminal import progress_bar
from rabkor.core.accounts import create_user
from rabkor.core.errors import PackageError, RabkorError
from rabkor.core.settings import Settings, ensure_secret
from rabkor.core.store.db import open_store
from rabkor.core.store.models import Item, ItemStatus, Role, Source
from rabkor.crawler.run import crawl
from rabkor.crawler.sources.manage import add_source
from rabkor.editor.workflow import decide
from rabkor.search.indexer import update_index
from rabkor.translate import packages
from rabkor.translate.apertium import SUGGESTED_PACKAGES
from rabkor.translate.jobs import status, translate_pending

FEEDS = Path(__file__).resolve().parent / "demo_feeds"
MARKER = ".rabkor-demo"
DEMO_USER, DEMO_PASSWORD = "demo", "demo-editor"
APPROVE_PER_SOURCE = 6
# (path under FEEDS, title, declared language, kind, category)
DEMO_SOURCES = [
    ("en/guardian.rss", "The Guardian", "en", "article", "press"),
    ("de/heise.atom", "heise online", "de", "article", "press"),
    ("de/spiegel.xml", "Der Spiegel", "de", "article", "press"),
    ("es/lanacion.xml", "La Nación", "es", "article", "press"),
    ("ru/windows-1251.xml", "Russian news (windows-1251)", "ru", "article", "press"),
    ("pt/uol-noticias.rss", "UOL Notícias", "pt", "article", "press"),
    ("media/bbc-in-our-time.xml", "BBC In Our Time", "en", "lecture", "podcast"),
    ("media/dw-langsam-gesprochene-nachrichten.xml", "DW Langsam gesprochene Nachrichten",
     "de", "audio", "podcast"),
    ("media/youtube.xml", "A YouTube channel", "en", "video", "video"),
]
DEMO_PAIRS = [("en", "es"), ("es", "en"), ("de", "en"), ("en", "de")]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def start_feed_server() -> ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(FEEDS))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _fresh_data_dir(data_dir: Path) -> None:
    if data_dir.exists():
        if not (data_dir / MARKER).exists():
            raise RabkorError(f"{data_dir} exists and is not a demo directory; "
                              "choose another with --data-dir")
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    (data_dir / MARKER).write_text("created by `rabkor demo`; recreated on each run\n")


def run_demo(settings: Settings, *, data_dir: Path, port: int, serve_site: bool,
             console: Console) -> int:
    if not FEEDS.is_dir():
        raise RabkorError(f"the demo feeds are missing ({FEEDS}): reinstall Rabkor")
    _fresh_data_dir(data_dir)
    feeds = start_feed_server()
    hostport = f"127.0.0.1:{feeds.server_address[1]}"
    # The sample feeds link to real sites, which the demo must not fetch: no full texts.
    settings = ensure_secret(settings.with_(data_dir=data_dir, port=port, full_text_pages=0,
                                            allowed_loopback=(hostport,)))
    store = open_store(settings)
    console.print(f"[bold]1. sources[/]: serving {len(DEMO_SOURCES)} real-world feeds "
                  f"on http://{hostport}/")
    with store.transaction() as s:
        for path, title, lang, kind, category in DEMO_SOURCES:
            add_source(s, f"http://{hostport}/{path}", title=title, language=lang, kind=kind,
                       category=category)

    console.print("[bold]2. crawl[/]")
    with progress_bar("crawling") as update:
        report = crawl(settings, store, progress=update)
    console.print(f"   {report.new_items} items from {report.sources} sources")

    console.print("[bold]3. translate[/]")
    _offer_argos_models(settings, console)
    with progress_bar("translating") as update:
        translated = translate_pending(settings, store, progress=update)
    console.print(f"   {translated.items} items translated")
    pairs = status(settings, store)
    served = [p for p in pairs if p.engine]
    if served:
        console.print("   engines: " + ", ".join(
            f"{p.source}→{p.target} ({p.engine}{f' via {p.pivot}' if p.pivot else ''})"
            for p in served))
        if len(served) < len(pairs) and "apertium" in settings.engines:
            console.print("   more languages through Spanish: apt-get install "
                          + " ".join(SUGGESTED_PACKAGES))
    else:
        console.print("   [yellow]no translation engine is installed[/]: items stay in "
                      "their own language. Install Apertium (apt-get install apertium "
                      f"{' '.join(SUGGESTED_PACKAGES)}) or Argos packages (rabkor models "
                      "install FROM TO); "
                      "`rabkor translate --status` lists every missing pair.")

    console.print("[bold]4. editorial selection[/]")
    approved = 0
    with store.transaction() as s:
        editor = create_user(s, DEMO_USER, DEMO_PASSWORD, Role.EDITOR, "Demo editor")
        for source in s.scalars(select(Source)):
            items = s.scalars(select(Item).where(Item.source_id == source.id,
                                                 Item.status == ItemStatus.PENDING)
                              .order_by(Item.published_at.desc().nulls_last())
                              .limit(APPROVE_PER_SOURCE))
            for item in items:
                decide(s, item, editor, "approve")
                approved += 1
    console.print(f"   the demo editor approved {approved} items; the rest wait in the queue")

    console.print("[bold]5. index[/]")
    indexed = update_index(settings, store)
    console.print(f"   {indexed.indexed} items indexed")

    base = f"http://{settings.host}:{settings.port}"
    console.print(f"\n[bold green]Rabkor demo ready[/]\n  site:   {base}/\n"
                  f"  editor: {base}/editor/  (login {DEMO_USER} / {DEMO_PASSWORD})\n")
    if not serve_site:
        feeds.shutdown()
        store.close()
        return 0
    console.print("Ctrl-C stops it.")
    try:
        serve(settings, store, with_pipeline=False)
    finally:
        feeds.shutdown()
    return 0


def _offer_argos_models(settings: Settings, console: Console) -> None:
    """Online and interactive: offer to install the demo's Argos pairs. Offline: say so."""
    have = {(p.from_code, p.to_code) for p in packages.installed(settings)}
    wanted = [pair for pair in DEMO_PAIRS if pair not in have]
    if not wanted:
        return
    try:
        offered = {(p.from_code, p.to_code) for p in packages.available(settings)}
    except PackageError as exc:
        console.print(f"   Argos package index unreachable ({exc}); using the engines "
                      "installed here")
        return
    wanted = [pair for pair in wanted if pair in offered]
    if not wanted or not sys.stdin.isatty():
        return
    names = ", ".join(f"{a}→{b}" for a, b in wanted)
    answer = console.input(f"   Install Argos Translate models for {names}? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        return
    for a, b in wanted:
        with progress_bar(f"downloading {a}→{b}") as update:
            packages.install_from_index(settings, a, b, progress=update)
