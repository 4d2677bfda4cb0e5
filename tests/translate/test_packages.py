"""Installing Argos packages: from a file, from a (local) index, and refusing bad ones."""

import json
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rabkor.core.errors import PackageError
from rabkor.translate import packages


def _rezip(source, target, *, drop=(), add=None, rename=None):
    """A copy of the fixture package with members dropped, added or renamed."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            if not any(info.filename.endswith(d) for d in drop):
                zout.writestr((rename or {}).get(info.filename, info.filename),
                              zin.read(info))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return target


def test_install_file_puts_the_package_in_rabkors_data_dir(settings, en_es_model):
    pkg = packages.install_file(settings, en_es_model)
    assert (pkg.from_code, pkg.to_code, pkg.version) == ("en", "es", "0.0.1")
    assert pkg.path == settings.models_dir / "argos" / "en_es"
    assert (pkg.path / "model" / "model.bin").is_file()
    packages.install_file(settings, en_es_model)  # reinstalling replaces it
    assert packages.installed(settings) == [pkg]
    assert not [p for p in pkg.path.parent.iterdir() if p.name.startswith(".install")]


def test_truncated_archive_is_refused_with_what_to_do(settings, en_es_model, tmp_path):
    broken = tmp_path / "broken.argosmodel"
    broken.write_bytes(en_es_model.read_bytes()[:5000])
    with pytest.raises(PackageError, match="corrupt or incomplete: download it again"):
        packages.install_file(settings, broken)
    assert packages.installed(settings) == []


def test_missing_metadata_is_refused(settings, en_es_model, tmp_path):
    bad = _rezip(en_es_model, tmp_path / "bad.argosmodel", drop=["metadata.json"])
    with pytest.raises(PackageError, match=r"metadata\.json is missing"):
        packages.install_file(settings, bad)


def test_unreadable_metadata_is_refused(settings, en_es_model, tmp_path):
    bad = _rezip(en_es_model, tmp_path / "bad.argosmodel", drop=["metadata.json"],
                 add={"translate-en_es-fixture/metadata.json": b"{not json"})
    with pytest.raises(PackageError, match="not valid JSON"):
        packages.install_file(settings, bad)


def test_missing_model_is_refused(settings, en_es_model, tmp_path):
    bad = _rezip(en_es_model, tmp_path / "bad.argosmodel", drop=["model.bin"])
    with pytest.raises(PackageError, match=r"model/model\.bin missing"):
        packages.install_file(settings, bad)


def test_path_traversal_member_is_refused_and_nothing_escapes(settings, en_es_model, tmp_path):
    bad = _rezip(en_es_model, tmp_path / "bad.argosmodel",
                 add={"translate-en_es-fixture/../../evil.txt": b"owned"})
    with pytest.raises(PackageError, match="unsafe path"):
        packages.install_file(settings, bad)
    assert not list(tmp_path.rglob("evil.txt"))


def test_missing_file_is_a_package_error(settings, tmp_path):
    with pytest.raises(PackageError, match="no such file"):
        packages.install_file(settings, tmp_path / "nope.argosmodel")


def test_unreachable_index_says_how_to_install_offline(settings):
    offline = settings.with_(argos_index_url="http://127.0.0.1:9/index.json")
    with pytest.raises(PackageError) as err:
        packages.install_from_index(offline, "en", "es")
    assert "cannot reach the Argos package index" in str(err.value)
    assert "rabkor models install FILE" in str(err.value)


@pytest.fixture
def index_server(tmp_path, en_es_model):
    """A loopback stand-in for the Argos index, serving index.json and the package."""
    root = tmp_path / "index"
    root.mkdir()
    (root / "en_es.argosmodel").write_bytes(en_es_model.read_bytes())
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_port}"
    index = [{"type": "translate", "from_code": "en", "to_code": "es", "package_version": "0.0.1",
              "from_name": "English", "to_name": "Spanish",
              "links": [f"{base}/en_es.argosmodel"]},
             {"type": "sbd", "from_code": "en", "links": [f"{base}/sbd.argosmodel"]}]
    (root / "index.json").write_text(json.dumps(index))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"{base}/index.json"
    server.shutdown()
    server.server_close()


def test_install_from_index_downloads_with_progress(settings, index_server, en_es_model):
    settings = settings.with_(argos_index_url=index_server)
    assert [(p.from_code, p.to_code) for p in packages.available(settings)] == [("en", "es")]
    seen = []
    pkg = packages.install_from_index(settings, "en", "es", progress=lambda d, t: seen.append(d))
    assert (pkg.from_code, pkg.to_code) == ("en", "es")
    assert seen[-1] == en_es_model.stat().st_size
    with pytest.raises(PackageError, match="no de→es package"):
        packages.install_from_index(settings, "de", "es")


def test_remove_deletes_the_package_and_engines_no_longer_offer_it(settings, en_es_model):
    from rabkor.translate.argos import ArgosEngine

    pkg = packages.install_file(settings, en_es_model)
    assert packages.remove(settings, "en", "es") == pkg
    assert not pkg.path.exists()
    assert list(packages.packages_dir(settings).iterdir()) == []
    assert packages.installed(settings) == []
    assert ArgosEngine(settings).pairs() == set()
    with pytest.raises(PackageError, match=r"no en→es package is installed \(installed: none\)"):
        packages.remove(settings, "en", "es")
