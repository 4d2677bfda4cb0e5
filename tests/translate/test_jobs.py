"""The translation stage on the real Argos path, with the fixture en→es package."""

from datetime import timedelta

from sqlalchemy import select

from rabkor.core.store.models import Item, ItemStatus, Translation, TranslationFailure, utcnow
from rabkor.translate import packages
from rabkor.translate.jobs import status, translate_pending
from tests.argos_model import build_argosmodel
from tests.translate.conftest import add_item

TITLE = "The workers of the world unite. They have nothing to lose."
SUMMARY = "<p>A <b>general strike</b> began on Monday.</p><p>Unions say it will last.</p>"


def _translations(store):
    with store.read() as session:
        return session.scalars(select(Translation).order_by(Translation.id)).all()


def test_items_get_machine_translations_with_provenance(argos_settings, store):
    item_id = add_item(store, "en", TITLE, SUMMARY)
    seen = []
    report = translate_pending(argos_settings, store, progress=lambda d, t: seen.append((d, t)))
    rows = _translations(store)
    assert {(r.item_id, r.field, r.language) for r in rows} == {
        (item_id, "title", "es"), (item_id, "summary", "es")}
    for row in rows:
        assert (row.engine, row.model_version, row.source_language, row.is_human) == (
            "argos", "en_es-0.0.1", "en", False)
        assert row.text.strip()
        assert "<" not in row.text
    assert report.texts == 2 and report.items == 1 and not report.errors
    assert seen[0] == (0, 1) and seen[-1] == (1, 1)
    with store.read() as session:
        assert session.get(Item, item_id).translated_at is not None


def test_a_second_run_adds_nothing(argos_settings, store):
    add_item(store, "en", TITLE, SUMMARY)
    translate_pending(argos_settings, store)
    before = [(r.id, r.text) for r in _translations(store)]
    report = translate_pending(argos_settings, store)
    assert report.texts == 0 and report.items == 0
    assert [(r.id, r.text) for r in _translations(store)] == before


def test_missing_pairs_are_reported_once_per_pair_and_unknown_languages_skipped(
        argos_settings, store):
    for n in range(3):
        add_item(store, "en", f"{TITLE} {n}")
    add_item(store, "es", "Los trabajadores del mundo")
    add_item(store, "und", "???")
    add_item(store, None, "no language")
    report = translate_pending(argos_settings, store)
    assert report.missing_pairs == {("en", "de"): 3, ("es", "en"): 1, ("es", "de"): 1}
    assert report.unknown_language == 2
    assert report.texts == 3  # three English titles into Spanish, nothing else
    assert {r.language for r in _translations(store)} == {"es"}


def test_item_already_in_the_target_language_gets_nothing(argos_settings, store):
    add_item(store, "es", "Ya está en español")
    report = translate_pending(argos_settings.with_(languages=("es",)), store)
    assert report.texts == 0 and report.missing_pairs == {}
    assert _translations(store) == []


def test_human_translation_is_never_overwritten(argos_settings, store):
    item_id = add_item(store, "en", TITLE, SUMMARY)
    with store.transaction() as session:
        session.add(Translation(item_id=item_id, field="title", language="es",
                                source_language="en", text="¡Trabajadores del mundo, uníos!",
                                engine="human", is_human=True))
    translate_pending(argos_settings, store)
    rows = {r.field: r for r in _translations(store)}
    assert rows["title"].is_human and rows["title"].text == "¡Trabajadores del mundo, uníos!"
    assert rows["summary"].engine == "argos"


def test_installing_a_package_later_fills_the_missing_language(settings, store, en_es_model):
    settings = settings.with_(engines=("argos",))
    add_item(store, "en", TITLE)
    first = translate_pending(settings, store)
    assert first.texts == 0 and first.missing_pairs[("en", "es")] == 1
    packages.install_file(settings, en_es_model)
    second = translate_pending(settings, store)
    assert second.texts == 1 and ("en", "es") not in second.missing_pairs


def test_limit_takes_the_newest_items_first(argos_settings, store):
    ids = [add_item(store, "en", f"{TITLE} {n}") for n in range(3)]
    translate_pending(argos_settings, store, limit=2)
    assert {r.item_id for r in _translations(store)} == set(ids[1:])


def test_a_failing_engine_batch_leaves_the_other_pairs_unharmed(argos_settings, store, tmp_path):
    broken = build_argosmodel(tmp_path / "de_es.argosmodel", "de", "es")
    installed = packages.install_file(argos_settings, broken)
    (installed.path / "model" / "model.bin").write_bytes(b"not a model")
    add_item(store, "de", "Arbeiter aller Länder")
    en_id = add_item(store, "en", TITLE)
    report = translate_pending(argos_settings, store)
    assert len(report.errors) == 1 and "de→es" in report.errors[0]
    assert [(r.item_id, r.language) for r in _translations(store)] == [(en_id, "es")]


def test_status_names_the_engine_or_how_to_install_one(settings, store, en_es_model):
    settings = settings.with_(engines=("argos",))
    packages.install_file(settings, en_es_model)
    add_item(store, "en", TITLE)
    rows = {(r.source, r.target): r for r in status(settings, store)}
    assert set(rows) == {("en", "es"), ("en", "de")}
    assert rows[("en", "es")].engine == "argos" and rows[("en", "es")].hint is None
    assert rows[("en", "de")].engine is None
    assert rows[("en", "de")].hint == "rabkor models install en de"


class _Watched:
    """The real Argos engine, recording each batched call; fails on sentences with POISON."""

    POISON = "Poisoned"

    def __init__(self, settings):
        from rabkor.translate.argos import ArgosEngine

        self.inner = ArgosEngine(settings)
        self.name = self.inner.name
        self.calls: list[list[str]] = []

    def pairs(self):
        return self.inner.pairs()

    def model_version(self, src, tgt):
        return self.inner.model_version(src, tgt)

    def translate(self, texts, src, tgt):
        raise AssertionError("the batched path must be used")

    def translate_sentences(self, sentences, src, tgt, options=None):
        self.calls.append(list(sentences))
        if any(self.POISON in s for s in sentences):
            from rabkor.translate.engine import EngineError

            raise EngineError("engine choked")
        return self.inner.translate_sentences(sentences, src, tgt, options)


def _add_full(store, title, content, status=ItemStatus.PENDING):
    item_id = add_item(store, "en", title)
    with store.transaction() as session:
        item = session.get(Item, item_id)
        item.content, item.status = content, status
    return item_id


def test_sentences_of_many_items_go_to_the_engine_in_one_call(argos_settings, store):
    for n in range(20):
        add_item(store, "en", f"{TITLE} Number {n}.", SUMMARY)
    engine = _Watched(argos_settings)
    report = translate_pending(argos_settings.with_(languages=("es",)), store, engines=[engine])
    assert report.texts == 40 and not report.errors
    assert len(engine.calls) == 1
    assert len(engine.calls[0]) == len(set(engine.calls[0]))  # each sentence sent once


def test_remembered_sentences_never_reach_the_engine(argos_settings, store):
    settings = argos_settings.with_(languages=("es",))
    add_item(store, "en", TITLE, SUMMARY)
    translate_pending(settings, store)
    first = {r.field: r.text for r in _translations(store)}
    add_item(store, "en", TITLE, SUMMARY)  # the same texts, re-crawled under another URL
    add_item(store, "en", "A new sentence nobody has seen.")
    engine = _Watched(argos_settings)
    report = translate_pending(settings, store, engines=[engine])
    assert engine.calls == [["A new sentence nobody has seen."]]
    assert report.memory_hits == 4 and report.texts == 3
    second = {(r.item_id, r.field): r.text for r in _translations(store)}
    assert [second[(2, "title")], second[(2, "summary")]] == [first["title"], first["summary"]]


def test_one_failing_text_leaves_the_others_and_retries_with_back_off(argos_settings, store):
    settings = argos_settings.with_(languages=("es",), translate_retry_seconds=60)
    good = add_item(store, "en", TITLE)
    bad = add_item(store, "en", "Poisoned title.")
    engine = _Watched(argos_settings)
    report = translate_pending(settings, store, engines=[engine])
    assert [r.item_id for r in _translations(store)] == [good]
    assert report.failed == 1 and "engine choked" in report.errors[0]
    with store.read() as session:
        failure = session.scalars(select(TranslationFailure)).one()
    assert (failure.item_id, failure.field, failure.attempts) == (bad, "title", 1)
    wait = failure.next_attempt_at - utcnow()
    assert timedelta(seconds=50) < wait <= timedelta(seconds=60)

    assert translate_pending(settings, store, engines=[engine]).items == 0  # still waiting
    with store.transaction() as session:
        session.scalars(select(TranslationFailure)).one().next_attempt_at = utcnow()
    translate_pending(settings, store, engines=[engine])
    with store.read() as session:
        failure = session.scalars(select(TranslationFailure)).one()
    assert failure.attempts == 2
    assert timedelta(seconds=110) < failure.next_attempt_at - utcnow() <= timedelta(seconds=120)


def test_full_texts_keep_their_markup_and_follow_the_setting(argos_settings, store):
    html = ('<p>The strike began on 1 May. See <a href="https://union.org/x">the call</a>.</p>'
            '<ul><li>Pay</li><li><em>Hours</em></li></ul>')
    approved = _add_full(store, "Approved title", html, ItemStatus.APPROVED)
    pending = _add_full(store, "Pending title", html)
    settings = argos_settings.with_(languages=("es",))
    translate_pending(settings.with_(translate_full_text="none"), store)
    assert not [r for r in _translations(store) if r.field == "content"]
    translate_pending(settings, store)  # default: approved items' full texts
    content = {r.item_id: r.text for r in _translations(store) if r.field == "content"}
    assert set(content) == {approved}
    out = content[approved]
    assert 'href="https://union.org/x"' in out and " 1 " in out
    assert out.count("<li>") == 2 and "<em>" in out and out.startswith("<p>")
    translate_pending(settings.with_(translate_full_text="all"), store)
    assert {r.item_id for r in _translations(store) if r.field == "content"} == {
        approved, pending}


def test_a_text_already_in_the_target_language_is_kept_not_translated(argos_settings, store):
    # An English item whose summary is a Spanish quotation: the title goes through the
    # en→es model, the Spanish summary is stored as it is and shown without a machine label.
    quote = "Los trabajadores del mundo se unieron en la plaza para defender sus derechos."
    item_id = add_item(store, "en", "Workers gathered in the square on Sunday", quote)
    translate_pending(argos_settings, store)
    with store.read() as session:
        item = session.get(Item, item_id)
        summary, title = item.translation("summary", "es"), item.translation("title", "es")
        assert summary.engine == "unchanged" and summary.text == quote
        assert title.engine == "argos" and title.text != item.title
    assert translate_pending(argos_settings, store).texts == 0  # done, not due again


def test_a_text_that_keeps_failing_is_given_up_with_its_reason(argos_settings, store):
    from rabkor.translate.jobs import MAX_ATTEMPTS

    settings = argos_settings.with_(languages=("es",), translate_retry_seconds=0)
    bad = add_item(store, "en", "Poisoned title.")
    engine = _Watched(argos_settings)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert translate_pending(settings, store, engines=[engine]).failed == 1
        with store.read() as session:
            failure = session.scalars(select(TranslationFailure)).one()
        assert (failure.item_id, failure.attempts) == (bad, attempt)
        assert "engine choked" in failure.last_error
    calls = len(engine.calls)
    report = translate_pending(settings, store, engines=[engine])
    assert report.items == 0 and len(engine.calls) == calls  # never again
