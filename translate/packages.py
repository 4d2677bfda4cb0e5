"""Argos Translate packages in Rabkor's own directory: install from a file or the index.

Packages live in `settings.models_dir / "argos" / "<from>_<to>"`, never in Argos's global
package directory, so several Rabkor sites on one machine do not share or clobber them.
An `.argosmodel` is a zip archive from outside: it is checked (one top folder,
metadata.json, model/, a tokenizer, no path escaping the folder, bounded size) and
extracted next to its destination, then swapped in, so a failed install changes nothing.
"""

from __future__ import annotations

import json
import logging
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import httpx

from rabkor.core.errors import PackageError
from rabkor.core.settings import Settings
from rabkor.translate.argoslib import argos_module

logger = logging.getLogger(__name__)

MAX_PACKAGE_BYTES = 4 * 1024**3  # unpacked; the largest Argos packages are a few hundred MB
MAX_MEMBERS = 10_000
TOKENIZERS = ("sentencepiece.model", "bpe.model")
INSTALL_HINT = "download the .argosmodel elsewhere and run `rabkor models install FILE`"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class InstalledPackage:
    from_code: str
    to_code: str
    version: str
    path: Path
    from_name: str = ""
    to_name: str = ""


@dataclass(frozen=True)
class AvailablePackage:
    from_code: str
    to_code: str
    version: str
    url: str
    from_name: str = ""
    to_name: str = ""


def packages_dir(settings: Settings) -> Path:
    return settings.models_dir / "argos"


def installed(settings: Settings) -> list[InstalledPackage]:
    """Installed packages, read from their metadata.json (cheap: no model is loaded)."""
    found = []
    root = packages_dir(settings)
    for path in sorted(root.iterdir()) if root.is_dir() else []:
        if path.name.startswith("."):  # an install in progress or left by a crash
            continue
        try:
            meta = _read_metadata((path / "metadata.json").read_bytes(), path.name)
        except (OSError, PackageError) as exc:
            logger.warning("skipping broken Argos package path=%s error=%s", path, exc)
            continue
        found.append(_installed(meta, path))
    return found


def install_file(settings: Settings, path: Path) -> InstalledPackage:
    """Check and install an `.argosmodel` file; replaces an installed package of its pair."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            folder, meta = _check_archive(zf, path)
            root = packages_dir(settings)
            root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".install-", dir=root))
            try:
                zf.extractall(staging)
                return _activate(settings, staging / folder, meta, path)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except FileNotFoundError:
        raise PackageError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, EOFError) as exc:
        raise PackageError(
            f"{path}: not a readable .argosmodel archive ({exc}); the file is corrupt or "
            "incomplete: download it again"
        ) from None


def _check_archive(zf: zipfile.ZipFile, path: Path) -> tuple[str, dict]:
    """Return the package's top folder and metadata, or say what is wrong with the file."""
    members = zf.infolist()
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_PACKAGE_BYTES:
        raise PackageError(f"{path}: archive is too large to be an Argos package")
    tops = set()
    for m in members:
        name = PurePosixPath(m.filename)
        if name.is_absolute() or ".." in name.parts or "\\" in m.filename or not name.parts:
            raise PackageError(f"{path}: unsafe path {m.filename!r} in archive; not installed")
        if stat.S_ISLNK(m.external_attr >> 16):
            raise PackageError(f"{path}: symbolic link {m.filename!r} in archive; not installed")
        tops.add(name.parts[0])
    if len(tops) != 1:
        raise PackageError(f"{path}: an .argosmodel holds exactly one folder, found {len(tops)}")
    folder = tops.pop()
    names = {m.filename for m in members}
    if f"{folder}/metadata.json" not in names:
        raise PackageError(f"{path}: metadata.json is missing; the package is incomplete: "
                           "download it again")
    meta = _read_metadata(zf.read(f"{folder}/metadata.json"), str(path))
    missing = [what for what, ok in (
        ("model/model.bin", f"{folder}/model/model.bin" in names),
        ("a tokenizer (sentencepiece.model or bpe.model)",
         any(f"{folder}/{t}" in names for t in TOKENIZERS)),
    ) if not ok]
    if missing:
        raise PackageError(f"{path}: {' and '.join(missing)} missing; the package is "
                           "incomplete: download it again")
    return folder, meta


def _read_metadata(raw: bytes, where: str) -> dict:
    try:
        meta = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(f"{where}: metadata.json is not valid JSON ({exc})") from None
    if not isinstance(meta, dict) or not all(
        isinstance(meta.get(k), str) and meta.get(k) for k in ("from_code", "to_code")
    ):
        raise PackageError(f"{where}: metadata.json lacks from_code/to_code")
    if meta.get("type", "translate") != "translate":
        raise PackageError(f"{where}: a {meta['type']!r} package, not a translation package")
    return meta


def _activate(settings: Settings, extracted: Path, meta: dict, origin: Path) -> InstalledPackage:
    """Load the extracted package as Argos would, then move it into place."""
    try:
        argos_module(settings, "package").Package(extracted)
    except Exception as exc:  # argostranslate raises whatever its parsers raise
        raise PackageError(f"{origin}: Argos cannot load this package ({exc})") from None
    target = packages_dir(settings) / f"{meta['from_code']}_{meta['to_code']}"
    if target.exists():
        shutil.rmtree(target)
    extracted.rename(target)
    package = _installed(meta, target)
    logger.info("installed Argos package pair=%s-%s version=%s path=%s",
                package.from_code, package.to_code, package.version, target)
    return package


def _installed(meta: dict, path: Path) -> InstalledPackage:
    return InstalledPackage(meta["from_code"], meta["to_code"],
                            str(meta.get("package_version", "")), path,
                            meta.get("from_name", ""), meta.get("to_name", ""))


def remove(settings: Settings, from_code: str, to_code: str) -> InstalledPackage:
    """Delete the installed package of a pair; engines made afterwards no longer offer it.

    The folder is first renamed to a hidden name (atomic: a running translator never sees
    half a package), then deleted.
    """
    found = [p for p in installed(settings) if (p.from_code, p.to_code) == (from_code, to_code)]
    if not found:
        pairs = ", ".join(f"{p.from_code}→{p.to_code}" for p in installed(settings)) or "none"
        raise PackageError(f"no {from_code}→{to_code} package is installed (installed: {pairs})")
    package = found[0]
    doomed = Path(tempfile.mkdtemp(prefix=".remove-", dir=packages_dir(settings)))
    package.path.rename(doomed / package.path.name)
    shutil.rmtree(doomed, ignore_errors=True)
    logger.info("removed Argos package pair=%s-%s version=%s path=%s",
                from_code, to_code, package.version, package.path)
    return package


def available(settings: Settings) -> list[AvailablePackage]:
    """Translation packages the Argos package index offers (needs the network)."""
    try:
        response = httpx.get(settings.argos_index_url, timeout=30, follow_redirects=True)
        response.raise_for_status()
        entries = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise PackageError(
            f"cannot reach the Argos package index ({settings.argos_index_url}: {exc}): "
            f"{INSTALL_HINT}"
        ) from None
    return [
        AvailablePackage(e["from_code"], e["to_code"], str(e.get("package_version", "")),
                         e["links"][0], e.get("from_name", ""), e.get("to_name", ""))
        for e in entries if isinstance(e, dict) and e.get("type", "translate") == "translate"
        and e.get("from_code") and e.get("to_code") and e.get("links")
    ]


def install_from_index(
    settings: Settings, from_code: str, to_code: str, progress: Progress | None = None
) -> InstalledPackage:
    """Download the index's package for a pair, with progress(done_bytes, total_bytes)."""
    offers = [p for p in available(settings) if (p.from_code, p.to_code) == (from_code, to_code)]
    if not offers:
        raise PackageError(f"the Argos package index has no {from_code}→{to_code} package")
    offer = max(offers, key=lambda p: _version_key(p.version))
    downloads = settings.models_dir / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=downloads, suffix=".argosmodel") as tmp:
        _download(offer.url, tmp, progress)
        tmp.flush()
        return install_file(settings, Path(tmp.name))


def _download(url: str, out, progress: Progress | None) -> None:
    try:
        with httpx.stream("GET", url, timeout=60, follow_redirects=True) as response:
            response.raise_for_status()
            total = int(response.headers.get("content-length") or 0)
            done = 0
            for chunk in response.iter_bytes(1 << 20):
                done += len(chunk)
                if done > MAX_PACKAGE_BYTES:
                    raise PackageError(f"{url}: download larger than {MAX_PACKAGE_BYTES} bytes")
                out.write(chunk)
                if progress:
                    progress(done, total)
    except httpx.HTTPError as exc:
        raise PackageError(f"cannot download {url} ({exc}): {INSTALL_HINT}") from None


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())
