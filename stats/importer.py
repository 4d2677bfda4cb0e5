"""`rabkor stats import`: existing access logs into the statistics, hashed at read time
(the address never leaves memory), in batches of one transaction each that also record
how far into the file they got, so an import stopped half-way resumes, and importing the
same file again (or the same log, rotated and gzipped, or grown since) adds nothing
twice. A log is known by its first line: its time to the second, an address and a
request, which no other log begins with."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rabkor.core.errors import RabkorError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import StatsImport
from rabkor.stats.logs import LogFile, Skipped, now, parse_line
from rabkor.stats.record import Hit, record

BATCH = 5000
EXAMPLES = 5


@dataclass
class Imported:
    files: int = 0
    lines: int = 0
    imported: int = 0
    already: int = 0  # lines counted by an earlier import of the same file
    late: int = 0  # lines of a month already closed
    skipped: Counter = field(default_factory=Counter)
    examples: list[tuple[str, int, str, str]] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # files that ended early, and why


def import_logs(store: Store, settings: Settings, paths: Iterable[Path],
                progress: Callable[[int, int], None] | None = None) -> Imported:
    done = Imported()
    paths = list(paths)
    for path in paths:
        if not path.is_file():
            raise RabkorError(f"{path}: no such file")
    total = sum(path.stat().st_size for path in paths)
    before = 0
    for path in paths:
        log = LogFile(path)
        try:
            _import_file(store, settings, log, done,
                         (lambda at, b=before: progress(b + at, total)) if progress else None)
        finally:
            log.close()
        before += log.size
        done.files += 1
    if progress:
        progress(total, total)
    return done


def _import_file(store: Store, settings: Settings, log: LogFile, done: Imported,
                 progress: Callable[[int], None] | None) -> None:
    try:
        fingerprint = hashlib.sha256(log.first_line()).hexdigest()
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        done.broken.append(f"{log.path}: unreadable ({exc})")
        return
    with store.read() as session:
        known = session.get(StatsImport, fingerprint)
        counted = known.lines if known else 0
    clock = now()
    number, batch = 0, []
    try:
        for raw in log.lines():
            number += 1
            if number <= counted:
                done.already += 1
                continue
            try:
                batch.append(parse_line(raw, clock))
            except Skipped as why:
                done.skipped[str(why)] += 1
                if len(done.examples) < EXAMPLES:
                    done.examples.append((str(log.path), number, str(why),
                                          raw[:160].decode("utf-8", "replace").rstrip()))
            if number % BATCH == 0:
                _write(store, settings, batch, fingerprint, log.path, number, done)
                batch = []
                if progress:
                    progress(log.position)
    except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
        done.broken.append(f"{log.path}: ends after line {number} ({exc}); the lines before "
                           "are counted, import the whole file again to add the rest")
    done.lines += number
    if number > counted:
        _write(store, settings, batch, fingerprint, log.path, number, done)


def _write(store: Store, settings: Settings, batch: list[Hit], fingerprint: str, path: Path,
           number: int, done: Imported) -> None:
    with store.transaction() as session:
        recorded = record(session, settings, batch)
        row = session.get(StatsImport, fingerprint)
        if row is None:
            session.add(StatsImport(fingerprint=fingerprint, name=str(path)[:500],
                                    lines=number))
        else:
            row.lines = number
    done.imported += recorded.written
    done.late += recorded.late
