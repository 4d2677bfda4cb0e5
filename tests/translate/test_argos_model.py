"""The fixture model builder: reproducible to the byte, and a package Argos can load."""

import hashlib
import zipfile

from tests.argos_model import build_argosmodel


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_building_twice_gives_the_same_bytes(en_es_model, tmp_path):
    again = build_argosmodel(tmp_path / "again.argosmodel", "en", "es")
    assert _sha256(again) == _sha256(en_es_model)


def test_package_has_the_argos_layout(en_es_model):
    names = set(zipfile.ZipFile(en_es_model).namelist())
    folder = "translate-en_es-fixture"
    assert {f"{folder}/metadata.json", f"{folder}/sentencepiece.model",
            f"{folder}/model/model.bin", f"{folder}/model/config.json"} <= names


def test_vocabulary_from_a_corpus_or_a_shared_tokenizer(tmp_path):
    from tests.argos_model import train_sentencepiece

    corpus = ["The cat sat on the mat.", "El gato se sentó.", "Der Hund schläft."] * 50
    one = build_argosmodel(tmp_path / "a.argosmodel", "en", "es", vocab_size=60, corpus=corpus)
    shared = build_argosmodel(tmp_path / "b.argosmodel", "en", "es",
                              tokenizer=train_sentencepiece(corpus, 60))
    assert _sha256(one) == _sha256(shared)
