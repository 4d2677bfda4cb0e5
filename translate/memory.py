"""The translation memory: sentences already translated are looked up, never re-translated.

Entries are keyed by a hash of the normalized sentence (Unicode NFC, whitespace
collapsed), the language pair and the model version, so a new model version translates
afresh while boilerplate ("Read more.", a site's footer) and re-crawled items cost
nothing. Accepted volunteer translations are remembered under `HUMAN` and win over any
machine's. The lookup happens before batching: a hit never reaches an engine.

This module is the translate stage's one public interface to another stage (named in
pyproject.toml's import-linter contracts): the editor's accepted post-edits are written
here with `remember_many(..., HUMAN, ...)`.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rabkor.core.store.models import TranslationMemoryEntry, utcnow

HUMAN = "human"
_CHUNK = 500  # hashes per IN (...) query, well under SQLite's parameter limit


def normalize(sentence: str) -> str:
    return " ".join(unicodedata.normalize("NFC", sentence).split())


def key_hash(sentence: str) -> str:
    return hashlib.sha256(normalize(sentence).encode("utf-8")).hexdigest()


def lookup(session: Session, src: str, tgt: str, model_version: str,
           sentences: Iterable[str]) -> dict[str, str]:
    """Normalized sentence → remembered translation (human first), counting each hit once."""
    by_hash = {key_hash(s): normalize(s) for s in sentences}
    found: dict[str, tuple[int, str, bool]] = {}  # hash → (entry id, text, human?)
    hashes = list(by_hash)
    for start in range(0, len(hashes), _CHUNK):
        rows = session.execute(
            select(TranslationMemoryEntry.id, TranslationMemoryEntry.key_hash,
                   TranslationMemoryEntry.target_text, TranslationMemoryEntry.model_version)
            .where(TranslationMemoryEntry.key_hash.in_(hashes[start:start + _CHUNK]),
                   TranslationMemoryEntry.source_language == src,
                   TranslationMemoryEntry.target_language == tgt,
                   TranslationMemoryEntry.model_version.in_((model_version, HUMAN))))
        for entry_id, digest, text, version in rows:
            human = version == HUMAN
            if digest not in found or (human and not found[digest][2]):
                found[digest] = (entry_id, text, human)
    ids = [entry_id for entry_id, _, _ in found.values()]
    for start in range(0, len(ids), _CHUNK):
        session.execute(update(TranslationMemoryEntry)
                        .where(TranslationMemoryEntry.id.in_(ids[start:start + _CHUNK]))
                        .values(hits=TranslationMemoryEntry.hits + 1, last_used_at=utcnow()))
    return {by_hash[digest]: text for digest, (_, text, _) in found.items()}


def remember(session: Session, src_lang: str, tgt_lang: str, model_version: str,
             source_sentence: str, target_sentence: str) -> None:
    """Keep one translated sentence; use `HUMAN` as the version for accepted human work."""
    remember_many(session, src_lang, tgt_lang, model_version,
                  [(source_sentence, target_sentence)])


def remember_many(session: Session, src: str, tgt: str, model_version: str,
                  pairs: Iterable[tuple[str, str]]) -> None:
    """Insert (source, translation) pairs; a human entry replaces its earlier text, a
    machine entry already there (another worker's) is left as it is."""
    rows = {}
    for source, target in pairs:
        if normalize(source) and target.strip():
            rows[key_hash(source)] = {
                "key_hash": key_hash(source), "source_language": src, "target_language": tgt,
                "model_version": model_version, "source_text": normalize(source),
                "target_text": target.strip(), "hits": 0, "created_at": utcnow()}
    if not rows:
        return
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    values = list(rows.values())
    key = ["key_hash", "source_language", "target_language", "model_version"]
    step = _CHUNK // 10  # ten columns a row: stays under SQLite's parameter limit
    for start in range(0, len(values), step):
        statement = dialect.insert(TranslationMemoryEntry).values(values[start:start + step])
        if model_version == HUMAN:
            statement = statement.on_conflict_do_update(
                index_elements=key, set_={"target_text": statement.excluded.target_text})
        else:
            statement = statement.on_conflict_do_nothing(index_elements=key)
        session.execute(statement)
