"""Once a package is installed, Argos translation needs no network and leaves $HOME alone.

Runs in a fresh interpreter, because argostranslate reads its environment (and, left to
itself, creates ~/.local/share/argos-translate) once, when it is first imported.
"""

import os
import subprocess
import sys

SCRIPT = """
import socket, sys
from pathlib import Path

def refuse(*args, **kwargs):
    raise OSError("network use in an offline test")

socket.socket.connect = refuse
socket.create_connection = refuse

from rabkor.core.settings import Settings
from rabkor.translate import packages
from rabkor.translate.argos import ArgosEngine

settings = Settings(data_dir=Path(sys.argv[1]))
packages.install_file(settings, Path(sys.argv[2]))
print(ArgosEngine(settings).translate(["Hello world. How are you?\\nFine."], "en", "es")[0])
"""


def test_argos_translation_is_offline_and_never_writes_home(tmp_path, en_es_model):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "ARGOS_"))}
    env.update(HOME=str(home), ARGOS_PACKAGES_DIR=str(tmp_path / "argos-global"),
               ARGOS_CHUNK_TYPE="SPACY")  # SPACY would make argostranslate download at import
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "data"), str(en_es_model)],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 2  # two paragraphs came back
    assert list(home.iterdir()) == []
    assert not (tmp_path / "argos-global").exists()
    assert not list((tmp_path / "data").rglob("*minisbd*"))
